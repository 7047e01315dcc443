/* opts_product.c - the product photo's options type (opts.h): sb_product_opts_t under the names of
 * POST /v1/image/product-photo, its canvas as "size": "WxH". */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "pipeline/opts.h"
#include "util/parse.h"

#define OFF(m) offsetof(sb_product_opts_t, m)

static const sb_product_opts_t defaults = SB_PRODUCT_OPTS_DEFAULT;

static const sb_opt_field_t fields[] = {
    {.name = "preset", .kind = SB_OPT_STRING, .offset = OFF(preset)},
    {.name = "shadow_type", .kind = SB_OPT_STRING, .offset = OFF(shadow_type)},
    {.name = "background_prompt", .kind = SB_OPT_STRING, .offset = OFF(background_prompt)},
    {.name = "aspect", .kind = SB_OPT_STRING, .offset = OFF(aspect)},
    {.name = "output_format", .kind = SB_OPT_FORMAT, .offset = OFF(format), .legacy = "format"},
    {.name = "mask", .kind = SB_OPT_BOOL, .offset = OFF(mask_only)},
    {.name = "padding", .kind = SB_OPT_FLOAT, .offset = OFF(padding), .min = 0, .max = 0.4},
    {.name = "shadow_opacity", .kind = SB_OPT_FLOAT, .offset = OFF(shadow.opacity), .min = 0, .max = 1},
    {.name = "shadow_blur", .kind = SB_OPT_FLOAT, .offset = OFF(shadow.blur), .min = 0, .max = 1},
    {.name = "shadow_angle", .kind = SB_OPT_FLOAT, .offset = OFF(shadow.angle_deg), .min = 0, .max = 360},
    {.name = "shadow_distance", .kind = SB_OPT_FLOAT, .offset = OFF(shadow.distance), .min = 0, .max = 1},
    {.name = "quality", .kind = SB_OPT_INT, .offset = OFF(quality), .min = 1, .max = 100},
    {.name = "seed", .kind = SB_OPT_INT64, .offset = OFF(seed), .min = 0, .max = 4294967295.0},
    {.name = "frame_for", .kind = SB_OPT_STRING, .offset = OFF(frame_for)},
    {.name = "cutout", .kind = SB_OPT_BOOL, .offset = OFF(cutout)},
    {.name = "hand", .kind = SB_OPT_STRING, .offset = OFF(hand)},
    {.name = "transparency", .kind = SB_OPT_STRING, .offset = OFF(transparency)},
};

const sb_opts_table_t sb_product_opts_table = {fields, sizeof fields / sizeof fields[0], &defaults};

/* Members read by hand: the canvas, and its two integers in job specs before issue 15; the cut-out's margin
 * in remove.bg's syntax. */
static const char *const canvas[] = {"size", "width", "height", "crop_margin", NULL};

sb_product_opts_t sb_product_opts_defaults(void)
{
    return defaults;
}

sb_err sb_product_opts_check(const sb_product_opts_t *o, sb_error_t *e)
{
    sb_err err = sb_opts_check_fields(&sb_product_opts_table, o, e);
    if (!err && o->mask_only && o->format != SB_FMT_UNKNOWN && o->format != SB_FMT_PNG)
        return sb_error_set(e, SB_ERR_USAGE, "output_format",
                            "the mask is always a 1-band PNG: leave output_format out or send png, not %s",
                            sb_format_name(o->format));
    if (err || !(err = sb_product_check(o, e)))
        return err;
    /* The library's names for what the API calls otherwise. */
    if (!strcmp(e->field, "width") || !strcmp(e->field, "height"))
        snprintf(e->field, sizeof e->field, "size");
    else if (!strcmp(e->field, "format"))
        snprintf(e->field, sizeof e->field, "output_format");
    return err;
}

sb_err sb_product_opts_parse_margin(const char *s, sb_product_opts_t *o, sb_error_t *e)
{
    sb_cutout_opts_t m = {0};
    sb_err err = sb_cutout_parse_margin(s, &m, e);
    if (!err && s)
        o->crop_margin = m.crop_margin, o->crop_margin_pct = m.crop_margin_pct;
    return err;
}

json_t *sb_product_opts_to_json(const sb_product_opts_t *o)
{
    json_t *j = json_object();
    if (!j || sb_opts_fields_to_json(&sb_product_opts_table, o, j, NULL)) {
        json_decref(j);
        return NULL;
    }
    if (o->crop_margin >= 0) {
        char m[48];
        snprintf(m, sizeof m, o->crop_margin_pct ? "%.17g%%" : "%.17gpx",
                 o->crop_margin_pct ? o->crop_margin * 100 : o->crop_margin);
        if (json_object_set_new(j, "crop_margin", json_string(m))) {
            json_decref(j);
            return NULL;
        }
    }
    if (o->width || o->height) {
        char size[32];
        snprintf(size, sizeof size, "%dx%d", o->width, o->height);
        if (json_object_set_new(j, "size", json_string(size))) {
            json_decref(j);
            return NULL;
        }
    }
    return j;
}

/* "size": "WxH", or before issue 15 "width" and "height" as integers. */
static sb_err read_canvas(const json_t *j, sb_product_opts_t *o, sb_error_t *e)
{
    const json_t *size = json_object_get(j, "size");
    if (size) {
        const char *s = json_string_value(size);
        if (!s)
            return sb_error_set(e, SB_ERR_USAGE, "size", "size must be a string WxH");
        return sb_parse_size(s, strlen(s), SB_PRODUCT_SIDE_MIN, SB_PRODUCT_SIDE_MAX, &o->width, &o->height, "size",
                             e);
    }
    const json_t *w = json_object_get(j, "width"), *h = json_object_get(j, "height");
    if ((w && !json_is_integer(w)) || (h && !json_is_integer(h)))
        return sb_error_set(e, SB_ERR_USAGE, "size", "width and height must be integers");
    o->width = w ? (int)json_integer_value(w) : 0;
    o->height = h ? (int)json_integer_value(h) : 0;
    return SB_OK;
}

sb_err sb_product_opts_from_json(const json_t *j, sb_product_opts_t *o, sb_error_t *e)
{
    *o = defaults;
    sb_err err = sb_opts_fields_from_json(&sb_product_opts_table, j, o, canvas, e);
    if (!err)
        err = read_canvas(j, o, e);
    const json_t *margin = json_object_get(j, "crop_margin");
    if (!err && margin && !json_is_string(margin))
        err = sb_error_set(e, SB_ERR_USAGE, "crop_margin", "crop_margin must be a string, Npx or N%%");
    if (!err && margin)
        err = sb_product_opts_parse_margin(json_string_value(margin), o, e);
    return err ? err : sb_product_opts_check(o, e);
}
