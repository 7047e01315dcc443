/* avatar.c - POST /v1/avatar/generate: an avatar in the platform's style (or the one asked for),
 * checked for likeness, with a 100x100 thumbnail. Sync by default, async like every image endpoint.
 * With cache_input the normalized input is kept as a file of the key (cache_id in the answer), and a
 * later request may name it with cache_id instead of uploading the photo again.
 * POST /v1/avatar/batch: up to SB_API_BATCH_MAX photos with one set of options, one asynchronous job
 * (GET /v1/avatar/batch/{id} is in images.c). */
#include <stdlib.h>
#include <string.h>

#include "api/submit.h"
#include "pipeline/presets.h"

/* The photos of one batch, at most. */
#define SB_API_BATCH_MAX 100

/* A learned style: "custom:<token>" (POST /v1/styles). */
#define CUSTOM_PREFIX "custom:"
/* A portrait template: "template:<name>" (/v1/templates, or a built-in). */
#define TEMPLATE_PREFIX "template:"

/* A learned style ("custom:<token>"): the corporate headshot with the token's look over it; the result
 * reports the token as its style. A token that is not a learned style of this key: 404 on style. */
static sb_err custom_style(sb_api_ctx_t *c, sb_avatar_job_opts_t *o, sb_error_t *e)
{
    json_t *look;
    sb_err err = sb_api_style_look(c, o->avatar.style + strlen(CUSTOM_PREFIX), &look, e);
    if (err)
        return err;
    char *text = json_dumps(look, JSON_COMPACT);
    json_decref(look);
    err = text ? sb_look_from_json(text, &o->look, e) : sb_error_set(e, SB_ERR_NOMEM, "style", "out of memory");
    free(text);
    if (err)
        return err;
    o->has_look = true;
    o->custom_style = o->avatar.style;
    o->avatar.style = sb_style_name(SB_STYLE_CORPORATE);
    return SB_OK;
}

/* A template style ("template:<name>"): the template's prompt and seed, made by the portrait generator at
 * the avatar's side (*t, malloc'd for the caller to free, holds the prompt); the result reports the name
 * as its style. A name that is neither the key's template nor a built-in: 404 on style. */
static sb_err template_style(sb_api_ctx_t *c, sb_avatar_job_opts_t *o, sb_key_template_t **t, sb_error_t *e)
{
    if (!(*t = malloc(sizeof **t)))
        return sb_error_set(e, SB_ERR_NOMEM, "style", "out of memory");
    sb_err err = sb_api_template_find(c, o->avatar.style + strlen(TEMPLATE_PREFIX), "style", *t, e);
    if (err)
        return err;
    o->custom_style = o->avatar.style;
    o->template_prompt = (*t)->prompt;
    o->template_seed = (*t)->seed;
    return SB_OK;
}

/* The options of an avatar (sb_avatar_job_opts_t, pipeline/opts.h), shared by one avatar and every item
 * of a batch: the table's request fields (platform, style, background, palette, variant, style_intensity,
 * hires, cache_input), a learned or template style resolved (*t as template_style's), the operator's
 * safety threshold (it travels with the job, so its provenance records it), checked. */
static sb_err read_opts(sb_api_ctx_t *c, const sb_api_input_t *in, sb_avatar_job_opts_t *o, sb_key_template_t **t,
                        sb_error_t *e)
{
    *o = sb_avatar_job_opts_defaults();
    o->avatar.safety_max = (float)c->svc->cfg.safety_threshold;
    sb_err err = sb_api_input_opts(c, in, &sb_avatar_job_opts_table, o, e);
    const char *style = o->avatar.style;
    if (!err && style && !strncmp(style, CUSTOM_PREFIX, strlen(CUSTOM_PREFIX)))
        err = custom_style(c, o, e);
    else if (!err && style && !strncmp(style, TEMPLATE_PREFIX, strlen(TEMPLATE_PREFIX)))
        err = template_style(c, o, t, e);
    return err ? err : sb_avatar_job_opts_check(o, e);
}

/* The job's spec: the options' JSON form. */
static sb_err build_spec(const sb_avatar_job_opts_t *o, json_t **spec, sb_error_t *e)
{
    return (*spec = sb_avatar_job_opts_to_json(o)) ? SB_OK : sb_error_set(e, SB_ERR_NOMEM, "", "out of memory");
}

bool sb_api_avatar_generate(sb_api_ctx_t *c)
{
    sb_api_input_t in;
    sb_error_t e = {0};
    sb_avatar_job_opts_t o;
    sb_key_template_t *t = NULL;
    json_t *spec = NULL;
    const char *callback = NULL;
    bool deferred = false;
    sb_err err = sb_api_input_parse(c, true, &in, &e);
    if (!err)
        err = read_opts(c, &in, &o, &t, &e);
    if (!err)
        err = sb_api_read_callback(c, &in, &callback, &e);
    if (!err)
        err = build_spec(&o, &spec, &e);
    if (err)
        sb_api_send_error(c, &e);
    else
        deferred = sb_api_submit(c, &in, "avatar", spec, callback);
    json_decref(spec);
    free(t);
    sb_api_input_free(&in);
    return deferred;
}

/* The batch's items into spec ("items": {"image_url"} or {"upload": k}) and its uploads packed into
 * *packed (NULL when there are none). */
static sb_err batch_items(const sb_api_image_t *images, int n, json_t *spec, uint8_t **packed, size_t *len,
                          sb_error_t *e)
{
    const uint8_t **bufs = calloc((size_t)n, sizeof *bufs);
    size_t *lens = calloc((size_t)n, sizeof *lens);
    json_t *items = json_array();
    int uploads = 0;
    sb_err err = bufs && lens ? SB_OK : sb_error_set(e, SB_ERR_NOMEM, "images", "out of memory");
    for (int i = 0; !err && i < n; i++) {
        if (images[i].url) {
            json_array_append_new(items, json_pack("{s:s}", "image_url", images[i].url));
            continue;
        }
        json_array_append_new(items, json_pack("{s:i}", "upload", uploads));
        bufs[uploads] = images[i].data;
        lens[uploads++] = images[i].len;
    }
    if (!err && uploads)
        err = sb_jobs_pack_uploads(bufs, lens, uploads, packed, len, e);
    json_object_set_new(spec, "items", items);
    free(bufs);
    free(lens);
    return err;
}

bool sb_api_avatar_batch(sb_api_ctx_t *c)
{
    sb_api_input_t in;
    sb_api_image_t *images = NULL;
    int n = 0;
    sb_error_t e = {0};
    sb_avatar_job_opts_t o;
    sb_key_template_t *t = NULL;
    json_t *spec = NULL;
    const char *callback = NULL;
    uint8_t *packed = NULL;
    size_t len = 0;
    bool deferred = false;
    sb_err err = sb_api_input_parse_images(c, 1, SB_API_BATCH_MAX, &in, &images, &n, &e);
    if (!err)
        err = read_opts(c, &in, &o, &t, &e);
    if (!err)
        o.avatar.keep_input = false; /* a batch keeps no input */
    if (!err)
        err = sb_api_read_callback(c, &in, &callback, &e);
    if (!err)
        err = build_spec(&o, &spec, &e);
    if (!err)
        err = batch_items(images, n, spec, &packed, &len, &e);
    sb_api_images_free(images, n); /* packed: the bytes are held once while the job waits */
    if (err)
        sb_api_send_error(c, &e);
    else
        deferred = sb_api_submit_batch(c, &in, spec, &packed, len, callback);
    free(packed);
    json_decref(spec);
    free(t);
    sb_api_input_free(&in);
    return deferred;
}
