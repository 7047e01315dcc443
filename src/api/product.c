/* product.c - POST /v1/image/product-photo: the product photo (contract S4). Its options only, each
 * checked before anything is queued; submit.c does the rest (asynchronous, "Prefer: wait=N"). */
#include <stdio.h>
#include <string.h>

#include "api/product.h"
#include "api/submit.h"
#include "render/scene.h"
#include "render/shadow.h"

/* The canvas: each side of `size`, and the aspects of sb_product_opts_t (long side 2000). */
#define SIDE_MIN 128
#define SIDE_MAX 4096
static const char *const aspects[] = {"1:1", "4:5", "3:4", "16:9"};

/* The shadow overrides of render/shadow.h with their ranges; sb_shadow_check has the last word. */
static const struct {
    const char *name;
    double max;
} shadow_numbers[] = {{"shadow_opacity", 1}, {"shadow_blur", 1}, {"shadow_angle", 360}, {"shadow_distance", 1}};

/* preset, shadow_type and background_prompt (only with custom, where it is required) into spec, the
 * parsed kinds into *preset and *shadow. */
static sb_err scene_options(sb_api_ctx_t *c, const sb_api_input_t *in, json_t *spec, sb_scene_preset *preset,
                            sb_shadow_kind *shadow, sb_error_t *e)
{
    const char *name = NULL, *kind = NULL, *prompt = NULL;
    sb_err err = sb_api_input_string(c, in, "preset", &name, e);
    if (!err)
        err = sb_scene_preset_parse(name ? name : "white-studio", preset, e);
    if (!err)
        err = sb_api_input_string(c, in, "shadow_type", &kind, e);
    if (!err)
        err = sb_shadow_parse(kind ? kind : "soft", shadow, e);
    if (!err)
        err = sb_api_input_string(c, in, "background_prompt", &prompt, e);
    if (err)
        return err;
    if (prompt && *preset != SB_SCENE_CUSTOM)
        return sb_error_set(e, SB_ERR_USAGE, "background_prompt",
                            "background_prompt is only used with preset custom (got preset %s)",
                            sb_scene_preset_name(*preset));
    if (!prompt && *preset == SB_SCENE_CUSTOM)
        return sb_error_set(e, SB_ERR_USAGE, "background_prompt",
                            "preset custom needs a background_prompt, e.g. \"golden hour on white marble\"");
    if (prompt) {
        sb_scene_spec_t scene;
        char **ignored;
        int n_ignored;
        if ((err = sb_scene_prompt_parse(prompt, &scene, &ignored, &n_ignored, e)))
            return err;
        sb_scene_ignored_free(ignored, n_ignored); /* the job reports them */
        json_object_set_new(spec, "background_prompt", json_string(prompt));
    }
    json_object_set_new(spec, "preset", json_string(sb_scene_preset_name(*preset)));
    json_object_set_new(spec, "shadow_type", json_string(sb_shadow_name(*shadow)));
    return SB_OK;
}

/* output_format (png | jpeg | webp, default png; not jpeg with transparent or with the mask) and mask. */
static sb_err format_options(sb_api_ctx_t *c, const sb_api_input_t *in, sb_scene_preset preset, json_t *spec,
                             bool *mask, sb_error_t *e)
{
    const char *fmt = NULL;
    sb_err err = sb_api_input_string(c, in, "output_format", &fmt, e);
    if (!err)
        err = sb_api_input_bool(c, in, "mask", mask, e);
    if (err)
        return err;
    if (fmt && strcmp(fmt, "png") && strcmp(fmt, "jpeg") && strcmp(fmt, "jpg") && strcmp(fmt, "webp"))
        return sb_error_set(e, SB_ERR_USAGE, "output_format", "output_format must be png, jpeg or webp, got '%.40s'",
                            fmt);
    const char *format = !fmt ? "png" : !strcmp(fmt, "jpg") ? "jpeg" : fmt;
    if (*mask && strcmp(format, "png"))
        return sb_error_set(e, SB_ERR_USAGE, "output_format",
                            "the mask is always a 1-band PNG: leave output_format out or send png, not %s", format);
    if (preset == SB_SCENE_TRANSPARENT && !strcmp(format, "jpeg"))
        return sb_error_set(e, SB_ERR_USAGE, "output_format",
                            "preset transparent needs output_format png or webp (jpeg has no alpha)");
    json_object_set_new(spec, "format", json_string(format));
    json_object_set_new(spec, "mask", json_boolean(*mask));
    return SB_OK;
}

/* size ("WxH", each SIDE_MIN..SIDE_MAX) or aspect (one of aspects[]), not both; padding 0..0.4. */
static sb_err canvas_options(sb_api_ctx_t *c, const sb_api_input_t *in, json_t *spec, sb_error_t *e)
{
    const char *size = NULL, *aspect = NULL;
    double padding = -1;
    sb_err err = sb_api_input_string(c, in, "size", &size, e);
    if (!err)
        err = sb_api_input_string(c, in, "aspect", &aspect, e);
    if (!err)
        err = sb_api_input_number(c, in, "padding", 0, 0.4, &padding, e);
    if (err)
        return err;
    if (size && aspect)
        return sb_error_set(e, SB_ERR_USAGE, "aspect", "give either size or aspect, not both");
    if (size) {
        int w, h;
        char tail;
        if (sscanf(size, "%dx%d%c", &w, &h, &tail) != 2 || w < SIDE_MIN || w > SIDE_MAX || h < SIDE_MIN ||
            h > SIDE_MAX)
            return sb_error_set(e, SB_ERR_USAGE, "size",
                                "size must be WxH with each side %d..%d (e.g. 1200x1500), got '%.40s'", SIDE_MIN,
                                SIDE_MAX, size);
        json_object_set_new(spec, "width", json_integer(w));
        json_object_set_new(spec, "height", json_integer(h));
    }
    if (aspect) {
        size_t i = 0;
        while (i < sizeof aspects / sizeof aspects[0] && strcmp(aspect, aspects[i]))
            i++;
        if (i == sizeof aspects / sizeof aspects[0])
            return sb_error_set(e, SB_ERR_USAGE, "aspect", "aspect must be 1:1, 4:5, 3:4 or 16:9, got '%.40s'", aspect);
        json_object_set_new(spec, "aspect", json_string(aspect));
    }
    if (padding >= 0)
        json_object_set_new(spec, "padding", json_real(padding));
    return SB_OK;
}

/* shadow_opacity, shadow_blur, shadow_angle, shadow_distance: overrides of the shadow kind's defaults. */
static sb_err shadow_options(sb_api_ctx_t *c, const sb_api_input_t *in, sb_shadow_kind kind, json_t *spec,
                             sb_error_t *e)
{
    double v[4] = {-1, -1, -1, -1};
    for (size_t i = 0; i < 4; i++) {
        sb_err err = sb_api_input_number(c, in, shadow_numbers[i].name, 0, shadow_numbers[i].max, &v[i], e);
        if (err)
            return err;
        if (v[i] >= 0)
            json_object_set_new(spec, shadow_numbers[i].name, json_real(v[i]));
    }
    sb_shadow_overrides_t ov = {(float)v[0], (float)v[1], (float)v[2], (float)v[3]};
    return sb_shadow_check(kind, &ov, e);
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

/* Every option into spec, in the order the OpenAPI document lists: preset, shadow_type, background_prompt,
 * output_format, mask, size, aspect, padding, shadow_*, quality, seed, callback_url. */
static sb_err build_spec(sb_api_ctx_t *c, const sb_api_input_t *in, json_t *spec, const char **callback,
                         sb_error_t *e)
{
    sb_scene_preset preset;
    sb_shadow_kind shadow;
    bool mask = false;
    long quality = 0, seed = 0;
    sb_err err = scene_options(c, in, spec, &preset, &shadow, e);
    if (!err)
        err = format_options(c, in, preset, spec, &mask, e);
    if (!err)
        err = canvas_options(c, in, spec, e);
    if (!err)
        err = shadow_options(c, in, shadow, spec, e);
    if (!err)
        err = sb_api_input_int(c, in, "quality", 1, 100, &quality, e);
    if (!err)
        err = sb_api_input_int(c, in, "seed", 0, 4294967295L, &seed, e);
    if (!err)
        err = sb_api_read_callback(c, in, callback, e);
    if (err)
        return err;
    if (quality)
        json_object_set_new(spec, "quality", json_integer(quality));
    if (seed)
        json_object_set_new(spec, "seed", json_integer(seed));
    json_object_set_new(spec, "stages", stages(preset, shadow, mask));
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
