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
#include "render/background.h"
#include "render/palette.h"

/* The photos of one batch, at most. */
#define SB_API_BATCH_MAX 100

/* A learned style: "custom:<token>" (POST /v1/styles). */
#define CUSTOM_PREFIX "custom:"
/* A portrait template: "template:<name>" (/v1/templates, or a built-in). */
#define TEMPLATE_PREFIX "template:"

/* Style `style` ("custom:<token>", in spec already) is the corporate headshot with the token's look over
 * it: spec's style becomes that one, plus the look and "custom_style" (what the result reports as its
 * style). A token that is not a learned style of this key: 404 on style. */
static sb_err custom_style(sb_api_ctx_t *c, const char *style, json_t *spec, sb_error_t *e)
{
    json_t *look;
    sb_err err = sb_api_style_look(c, style + strlen(CUSTOM_PREFIX), &look, e);
    if (err)
        return err;
    json_object_set_new(spec, "custom_style", json_string(style));
    json_object_set_new(spec, "look", look);
    json_object_set_new(spec, "style", json_string(sb_style_name(SB_STYLE_CORPORATE)));
    return SB_OK;
}

/* Style `style` ("template:<name>") is the template's prompt and seed, made by the portrait generator at
 * the avatar's side: spec gets "template_prompt", "template_seed" and "custom_style" (what the result
 * reports as its style). A name that is neither the key's template nor a built-in: 404 on style. */
static sb_err template_style(sb_api_ctx_t *c, const char *style, json_t *spec, sb_error_t *e)
{
    sb_key_template_t *t = malloc(sizeof *t);
    sb_err err = t ? sb_api_template_find(c, style + strlen(TEMPLATE_PREFIX), "style", t, e)
                   : sb_error_set(e, SB_ERR_NOMEM, "style", "out of memory");
    if (!err) {
        json_object_set_new(spec, "custom_style", json_string(style));
        json_object_set_new(spec, "template_prompt", json_string(t->prompt));
        json_object_set_new(spec, "template_seed", json_integer(t->seed));
    }
    free(t);
    return err;
}

/* The look of an avatar, shared by one avatar and every item of a batch: platform, style, background,
 * palette, variant (names, checked here so a typo is a 400 before any work; a custom style is looked
 * up: 404 when it is not the key's), style_intensity (0..1) and hires. */
static sb_err look_options(sb_api_ctx_t *c, const sb_api_input_t *in, json_t *spec, sb_error_t *e)
{
    static const char *const names[] = {"platform", "style", "background", "palette", "variant"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *v = NULL;
        sb_err err = sb_api_input_string(c, in, names[i], &v, e);
        if (err)
            return err;
        if (v)
            json_object_set_new(spec, names[i], json_string(v));
    }
    const char *platform = json_string_value(json_object_get(spec, "platform"));
    const char *style = json_string_value(json_object_get(spec, "style"));
    const char *background = json_string_value(json_object_get(spec, "background"));
    const char *palette = json_string_value(json_object_get(spec, "palette"));
    const char *variant = json_string_value(json_object_get(spec, "variant"));
    const sb_platform_t *pf;
    sb_avatar_style st;
    sb_background_kind bk;
    sb_palette_t pal;
    sb_err err = sb_platform_find(platform, &pf, e);
    if (!err && style && !strncmp(style, CUSTOM_PREFIX, strlen(CUSTOM_PREFIX)))
        err = custom_style(c, style, spec, e);
    else if (!err && style && !strncmp(style, TEMPLATE_PREFIX, strlen(TEMPLATE_PREFIX)))
        err = template_style(c, style, spec, e);
    else if (!err && style)
        err = sb_style_parse(style, &st, e);
    if (!err && background)
        err = sb_background_parse(background, &bk, e);
    if (!err && palette)
        err = sb_palette_parse(palette, &pal, e);
    if (!err && variant && strcmp(variant, "hosoda") && strcmp(variant, "hayao"))
        err = sb_error_set(e, SB_ERR_USAGE, "variant", "variant must be hosoda or hayao, got '%.40s'", variant);
    double intensity = -1;
    bool hires = false;
    if (!err)
        err = sb_api_input_number(c, in, "style_intensity", 0, 1, &intensity, e);
    if (!err)
        err = sb_api_input_bool(c, in, "hires", &hires, e);
    if (err)
        return err;
    if (intensity >= 0)
        json_object_set_new(spec, "style_intensity", json_real(intensity));
    json_object_set_new(spec, "hires", json_boolean(hires));
    /* The operator's safety setting travels with the job, so its provenance records it. */
    json_object_set_new(spec, "safety_threshold", json_real(c->svc->cfg.safety_threshold));
    return SB_OK;
}

/* Options: the look (look_options), cache_input (bool), callback_url. */
static sb_err build_spec(sb_api_ctx_t *c, const sb_api_input_t *in, json_t *spec, const char **callback,
                         sb_error_t *e)
{
    bool cache_input = false;
    sb_err err = look_options(c, in, spec, e);
    if (!err)
        err = sb_api_input_bool(c, in, "cache_input", &cache_input, e);
    if (!err)
        err = sb_api_read_callback(c, in, callback, e);
    if (!err && cache_input && json_object_get(spec, "template_prompt"))
        err = sb_error_set(e, SB_ERR_USAGE, "cache_input",
                           "cache_input is not available with a template style (send cache_input with another "
                           "style, then cache_id with the template)");
    if (!err)
        json_object_set_new(spec, "cache_input", json_boolean(cache_input));
    return err;
}

bool sb_api_avatar_generate(sb_api_ctx_t *c)
{
    sb_api_input_t in;
    sb_error_t e = {0};
    json_t *spec = json_object();
    const char *callback = NULL;
    bool deferred = false;
    sb_err err = sb_api_input_parse(c, true, &in, &e);
    if (!err)
        err = build_spec(c, &in, spec, &callback, &e);
    if (err)
        sb_api_send_error(c, &e);
    else
        deferred = sb_api_submit(c, &in, "avatar", spec, callback);
    json_decref(spec);
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
    json_t *spec = json_object();
    const char *callback = NULL;
    uint8_t *packed = NULL;
    size_t len = 0;
    bool deferred = false;
    sb_err err = sb_api_input_parse_images(c, 1, SB_API_BATCH_MAX, &in, &images, &n, &e);
    if (!err)
        err = look_options(c, &in, spec, &e);
    if (!err)
        err = sb_api_read_callback(c, &in, &callback, &e);
    if (!err)
        err = batch_items(images, n, spec, &packed, &len, &e);
    sb_api_images_free(images, n); /* packed: the bytes are held once while the job waits */
    if (err)
        sb_api_send_error(c, &e);
    else
        deferred = sb_api_submit_batch(c, &in, spec, &packed, len, callback);
    free(packed);
    json_decref(spec);
    sb_api_input_free(&in);
    return deferred;
}
