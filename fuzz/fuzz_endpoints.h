/* fuzz_endpoints.h - the request options of every image endpoint, for fuzz_options.c (JSON bodies) and
 * fuzz_multipart.c (multipart fields): the endpoint files are included so that their static build_spec
 * functions can be called on a request without a server, a queue or a network. A service with only a real
 * SQLite metadata store (in a temporary directory) stands behind them, so a "custom:" style or a saved
 * template is looked up for real (and not found). */
#ifndef SB_FUZZ_ENDPOINTS_H
#define SB_FUZZ_ENDPOINTS_H
#include <unistd.h>

#include "api/input.h"
#include "api/service.h"
#include "store/store.h"

/* Each endpoint file has its own static read_opts / build_spec: renamed here so they can live together. */
#define read_opts headshot_read_opts
#include "api/headshot.c"
#undef read_opts
#define read_opts product_read_opts
#define build_spec product_build_spec
#include "api/product.c"
#undef read_opts
#undef build_spec
#define read_opts avatar_read_opts
#define build_spec avatar_build_spec
#include "api/avatar.c"
#undef read_opts
#undef build_spec
#define read_opts portrait_read_opts
#include "api/portrait.c"
#undef read_opts
#define fields removebg_fields
#include "api/removebg.c"
#undef fields

static sb_service_t fuzz_svc;

/* The service of every fuzzed request: default configuration, a metadata store in a fresh temporary
 * directory (removed at exit is not needed: it is a few KB under /tmp). Aborts when it cannot be made. */
static void fuzz_service_init(void)
{
    char dir[] = "/tmp/strobe-fuzz-XXXXXX", loc[64];
    sb_error_t e = {0};
    if (!mkdtemp(dir))
        abort();
    snprintf(loc, sizeof loc, "sqlite:%s/meta.db", dir);
    sb_service_config_default(&fuzz_svc.cfg);
    if (sb_meta_open(loc, &fuzz_svc.meta, &e)) {
        fprintf(stderr, "sb_meta_open: %s\n", e.message);
        abort();
    }
}

/* Every parser of one request body, each on a fresh parse as the router would run it: the single-image
 * parse, the batch parse, then the options of headshot, product-photo, avatar, generate-portrait and
 * remove.bg's endpoint (its own image field names).
 * Checks: a failure names its error, and the JSON spec built is serialisable. */
static void fuzz_endpoints_run(sb_api_ctx_t *c)
{
    for (int which = 0; which < 7; which++) {
        sb_api_input_t in;
        sb_error_t e = {0};
        sb_err err;
        json_t *spec = NULL;
        const char *callback = NULL;
        sb_key_template_t *t = NULL;
        if (which == 1) {
            sb_api_image_t *images = NULL;
            int n = 0;
            err = sb_api_input_parse_images(c, 1, SB_API_BATCH_MAX, &in, &images, &n, &e);
            FUZZ_CHECK(err || (n >= 1 && n <= SB_API_BATCH_MAX));
            if (!err)
                for (int i = 0; i < n; i++)
                    FUZZ_CHECK((images[i].url != NULL) != (images[i].data != NULL));
            sb_api_images_free(images, n);
        } else if (which == 5) {
            /* generate-portrait reads a JSON body without an image member of its own. */
            sb_portrait_opts_t o;
            err = sb_api_input_parse_json(c, "inputImages", &in, &e);
            if (!err)
                err = portrait_read_opts(c, &in, &o, &t, &e);
            FUZZ_CHECK(err || (o.gen.samples >= 0 && o.gen.samples <= SB_GENERATE_SAMPLES_MAX && in.image));
            if (!err && !(spec = sb_portrait_opts_to_json(&o)))
                err = sb_error_set(&e, SB_ERR_NOMEM, "", "out of memory");
        } else if (which == 6) {
            sb_cutout_opts_t o = sb_cutout_opts_defaults();
            err = sb_api_input_parse_fields(c, false, &removebg_fields, &in, &e);
            if (!err)
                FUZZ_CHECK(!!in.image + !!in.image_url == 1);
            if (!err)
                err = read_choices(c, &in, &o, &e);
            if (!err)
                err = read_options(c, &in, &o, &e);
            if (!err && !(spec = sb_cutout_opts_to_json(&o)))
                err = sb_error_set(&e, SB_ERR_NOMEM, "", "out of memory");
        } else {
            err = sb_api_input_parse(c, which == 4, &in, &e);
            if (!err)
                FUZZ_CHECK(!!in.image + !!in.image_url + !!in.cache_id == 1);
            if (!err && which == 2) {
                sb_headshot_opts_t o;
                if (!(err = headshot_read_opts(c, &in, &o, &callback, &e)) && !(spec = sb_headshot_opts_to_json(&o)))
                    err = sb_error_set(&e, SB_ERR_NOMEM, "", "out of memory");
            } else if (!err && which == 3) {
                sb_product_opts_t o;
                if (!(err = product_read_opts(c, &in, &o, &e)))
                    err = product_build_spec(&o, &spec, &e);
            } else if (!err && which == 4) {
                sb_avatar_job_opts_t o;
                if (!(err = avatar_read_opts(c, &in, &o, &t, &e)))
                    err = avatar_build_spec(&o, &spec, &e);
            }
        }
        FUZZ_CHECK(err == SB_OK || e.code == err);
        if (!err && spec) {
            char *s = json_dumps(spec, JSON_COMPACT);
            FUZZ_CHECK(s);
            free(s);
        }
        json_decref(spec);
        free(t);
        sb_api_input_free(&in);
    }
}

#endif
