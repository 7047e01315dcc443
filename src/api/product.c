/* product.c - POST /v1/image/product-photo: the product photo (contract S4). Its options only, read into
 * the library's sb_product_opts_t and checked by sb_product_check before anything is queued; submit.c
 * does the rest (asynchronous, "Prefer: wait=N"). */
#include <stdio.h>
#include <string.h>

#include "api/product.h"
#include "api/submit.h"
#include "image/io.h"
#include "render/scene.h"
#include "render/shadow.h"
#include "strobe.h"
#include "util/parse.h"

/* The library's field names that the API spells differently. */
static const struct {
    const char *library, *api;
} field_names[] = {{"width", "size"}, {"height", "size"}, {"format", "output_format"}};

/* The shadow overrides of render/shadow.h with their ranges; sb_shadow_check has the last word. */
static const struct {
    const char *name;
    double max;
} shadow_numbers[] = {{"shadow_opacity", 1}, {"shadow_blur", 1}, {"shadow_angle", 360}, {"shadow_distance", 1}};

/* The request's strings, as the library's options and into spec: preset, shadow_type, background_prompt,
 * size ("WxH") and aspect. Their values are the library's to check (sb_product_check). */
static sb_err read_strings(sb_api_ctx_t *c, const sb_api_input_t *in, sb_product_opts_t *o, json_t *spec,
                           sb_error_t *e)
{
    const char *size = NULL;
    sb_err err = sb_api_input_string(c, in, "preset", &o->preset, e);
    if (!err)
        err = sb_api_input_string(c, in, "shadow_type", &o->shadow_type, e);
    if (!err)
        err = sb_api_input_string(c, in, "background_prompt", &o->background_prompt, e);
    if (!err)
        err = sb_api_input_string(c, in, "size", &size, e);
    if (!err)
        err = sb_api_input_string(c, in, "aspect", &o->aspect, e);
    if (err)
        return err;
    if (size)
        err = sb_parse_size(size, strlen(size), SB_PRODUCT_SIDE_MIN, SB_PRODUCT_SIDE_MAX, &o->width, &o->height, "size",
                            e);
    if (err)
        return err;
    if (o->background_prompt)
        json_object_set_new(spec, "background_prompt", json_string(o->background_prompt));
    if (o->aspect)
        json_object_set_new(spec, "aspect", json_string(o->aspect));
    if (size) {
        json_object_set_new(spec, "width", json_integer(o->width));
        json_object_set_new(spec, "height", json_integer(o->height));
    }
    return SB_OK;
}

/* output_format (png | jpeg | jpg | webp, default png) and mask (a 1-band PNG, so png or nothing). */
static sb_err read_format(sb_api_ctx_t *c, const sb_api_input_t *in, sb_product_opts_t *o, json_t *spec,
                          sb_error_t *e)
{
    const char *fmt = NULL;
    sb_err err = sb_api_input_string(c, in, "output_format", &fmt, e);
    if (!err)
        err = sb_api_input_bool(c, in, "mask", &o->mask_only, e);
    if (err)
        return err;
    o->format = fmt ? sb_format_parse(fmt) : SB_FMT_PNG;
    if (o->format == SB_FMT_UNKNOWN)
        return sb_error_set(e, SB_ERR_USAGE, "output_format", "output_format must be png, jpeg or webp, got '%.40s'",
                            fmt);
    if (o->mask_only && o->format != SB_FMT_PNG)
        return sb_error_set(e, SB_ERR_USAGE, "output_format",
                            "the mask is always a 1-band PNG: leave output_format out or send png, not %s", fmt);
    json_object_set_new(spec, "format", json_string(sb_format_name(o->format)));
    json_object_set_new(spec, "mask", json_boolean(o->mask_only));
    return SB_OK;
}

/* padding, shadow_opacity, shadow_blur, shadow_angle, shadow_distance (absent: the library's default),
 * quality and seed. */
static sb_err read_numbers(sb_api_ctx_t *c, const sb_api_input_t *in, sb_product_opts_t *o, json_t *spec,
                           sb_error_t *e)
{
    double padding = -1, v[4] = {-1, -1, -1, -1};
    long quality = 0, seed = 0;
    sb_err err = sb_api_input_number(c, in, "padding", 0, 0.4, &padding, e);
    for (size_t i = 0; !err && i < 4; i++)
        err = sb_api_input_number(c, in, shadow_numbers[i].name, 0, shadow_numbers[i].max, &v[i], e);
    if (!err)
        err = sb_api_input_int(c, in, "quality", 1, 100, &quality, e);
    if (!err)
        err = sb_api_input_int(c, in, "seed", 0, 4294967295L, &seed, e);
    if (err)
        return err;
    o->padding = (float)padding;
    o->shadow = (sb_shadow_overrides_t){(float)v[0], (float)v[1], (float)v[2], (float)v[3]};
    o->quality = (int)quality;
    o->seed = (uint64_t)seed;
    if (padding >= 0)
        json_object_set_new(spec, "padding", json_real(padding));
    for (size_t i = 0; i < 4; i++)
        if (v[i] >= 0)
            json_object_set_new(spec, shadow_numbers[i].name, json_real(v[i]));
    if (quality)
        json_object_set_new(spec, "quality", json_integer(quality));
    if (seed)
        json_object_set_new(spec, "seed", json_integer(seed));
    return SB_OK;
}

/* The library's verdict on the options (sb_product_check), its field names spelt as the API's. */
static sb_err check(const sb_product_opts_t *o, sb_error_t *e)
{
    sb_err err = sb_product_check(o, e);
    for (size_t i = 0; err && i < sizeof field_names / sizeof field_names[0]; i++)
        if (!strcmp(e->field, field_names[i].library))
            snprintf(e->field, sizeof e->field, "%s", field_names[i].api);
    return err;
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

/* Every option into spec (the names of the OpenAPI document; preset and shadow_type resolved), checked
 * by the library before anything is queued. */
static sb_err build_spec(sb_api_ctx_t *c, const sb_api_input_t *in, json_t *spec, const char **callback,
                         sb_error_t *e)
{
    sb_product_opts_t o = SB_PRODUCT_OPTS_DEFAULT;
    sb_scene_preset preset;
    sb_shadow_kind shadow;
    sb_err err = read_strings(c, in, &o, spec, e);
    if (!err)
        err = read_format(c, in, &o, spec, e);
    if (!err)
        err = read_numbers(c, in, &o, spec, e);
    if (!err)
        err = sb_api_input_string(c, in, "frame_for", &o.frame_for, e);
    if (!err && o.frame_for)
        json_object_set_new(spec, "frame_for", json_string(o.frame_for));
    if (!err)
        err = sb_api_read_callback(c, in, callback, e);
    if (!err)
        err = check(&o, e);
    /* Checked: these only resolve the names (NULL gives the default). */
    if (!err)
        err = sb_scene_preset_parse(o.preset ? o.preset : "white-studio", &preset, e);
    if (!err)
        err = sb_shadow_parse(o.shadow_type ? o.shadow_type : "soft", &shadow, e);
    if (err)
        return err;
    json_object_set_new(spec, "preset", json_string(sb_scene_preset_name(preset)));
    json_object_set_new(spec, "shadow_type", json_string(sb_shadow_name(shadow)));
    json_object_set_new(spec, "stages", stages(preset, shadow, o.mask_only));
    return SB_OK;
}

bool sb_api_product_photo(sb_api_ctx_t *c)
{
    sb_api_input_t in;
    sb_error_t e = {0};
    json_t *spec = json_object();
    const char *callback = NULL;
    bool deferred = false;
    sb_err err = sb_api_input_parse(c, false, &in, &e);
    if (!err)
        err = build_spec(c, &in, spec, &callback, &e);
    if (err)
        sb_api_send_error(c, &e);
    else
        deferred = sb_api_submit_queued(c, &in, "product", spec, callback);
    json_decref(spec);
    sb_api_input_free(&in);
    return deferred;
}
