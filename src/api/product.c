/* product.c - POST /v1/image/product-photo: the product photo (contract S4). Its options only, read into
 * sb_product_opts_t and checked by sb_product_opts_check before anything is queued, stored as its JSON
 * form; submit.c does the rest (asynchronous, "Prefer: wait=N"). */
#include <string.h>

#include "api/product.h"
#include "api/submit.h"
#include "render/scene.h"
#include "render/shadow.h"
#include "strobe.h"
#include "util/parse.h"

/* The options (sb_product_opts_t, pipeline/opts.h): its table's fields, size ("WxH") as width and height,
 * crop_margin in remove.bg's syntax (sb_product_opts_parse_margin); then the library's verdict under the
 * API's names (sb_product_opts_check). */
static sb_err read_opts(sb_api_ctx_t *c, const sb_api_input_t *in, sb_product_opts_t *o, sb_error_t *e)
{
    const char *size = NULL, *margin = NULL;
    *o = sb_product_opts_defaults();
    sb_err err = sb_api_input_opts(c, in, &sb_product_opts_table, o, e);
    if (!err)
        err = sb_api_input_string(c, in, "size", &size, e);
    if (!err && size)
        err = sb_parse_size(size, strlen(size), SB_PRODUCT_SIDE_MIN, SB_PRODUCT_SIDE_MAX, &o->width, &o->height,
                            "size", e);
    if (!err)
        err = sb_api_input_string(c, in, "crop_margin", &margin, e);
    if (!err && margin)
        err = sb_product_opts_parse_margin(margin, o, e);
    return err ? err : sb_product_opts_check(o, e);
}

/* The stages the client sees: what this request's options make of the photo. */
static json_t *stages(sb_scene_preset preset, sb_shadow_kind shadow, bool mask)
{
    json_t *s = json_pack("[s]", "remove-background");
    if (!mask && preset != SB_SCENE_TRANSPARENT)
        json_array_append_new(s, json_string("replace-background"));
    if (!mask && shadow != SB_SHADOW_NONE)
        json_array_append_new(s, json_string("add-shadow"));
    return s;
}

/* The job's spec: the options' JSON form, and the stages the client sees (preset and shadow_type resolved:
 * they are checked, NULL gives the default). */
static sb_err build_spec(const sb_product_opts_t *o, json_t **spec, sb_error_t *e)
{
    sb_scene_preset preset;
    sb_shadow_kind shadow;
    sb_err err = sb_scene_preset_parse(o->preset ? o->preset : "white-studio", &preset, e);
    if (!err)
        err = sb_shadow_parse(o->shadow_type ? o->shadow_type : "soft", &shadow, e);
    if (!err && (!(*spec = sb_product_opts_to_json(o)) ||
                 json_object_set_new(*spec, "stages", stages(preset, shadow, o->mask_only || o->cutout))))
        err = sb_error_set(e, SB_ERR_NOMEM, "", "out of memory");
    return err;
}

bool sb_api_product_photo(sb_api_ctx_t *c)
{
    sb_api_input_t in;
    sb_error_t e = {0};
    sb_product_opts_t o;
    json_t *spec = NULL;
    const char *callback = NULL;
    bool deferred = false;
    sb_err err = sb_api_input_parse(c, false, &in, &e);
    if (!err)
        err = read_opts(c, &in, &o, &e);
    if (!err)
        err = sb_api_read_callback(c, &in, &callback, &e);
    if (!err)
        err = build_spec(&o, &spec, &e);
    if (err)
        sb_api_send_error(c, &e);
    else
        deferred = sb_api_submit_queued(c, &in, "product", spec, callback);
    json_decref(spec);
    sb_api_input_free(&in);
    return deferred;
}
