/* opts_cutout.c - the cut-out's options type (opts.h): sb_cutout_opts_t as the job spec of the remove.bg
 * endpoint, its region, margin and colour in the syntaxes of sb_cutout_parse_*. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "pipeline/opts.h"

#define OFF(m) offsetof(sb_cutout_opts_t, m)

static const sb_cutout_opts_t defaults = {0};

static const char *const kinds[] = {"auto", "person", "product", NULL};

static const sb_opt_field_t fields[] = {
    {.name = "type", .kind = SB_OPT_ENUM, .offset = OFF(kind), .names = kinds},
    {.name = "max_pixels", .kind = SB_OPT_INT64, .offset = OFF(max_pixels), .min = 1,
     .max = (double)SB_CUTOUT_PIXELS_MAX},
    {.name = "format", .kind = SB_OPT_FORMAT, .offset = OFF(format)},
    {.name = "quality", .kind = SB_OPT_INT, .offset = OFF(quality), .min = 1, .max = 100},
    {.name = "crop", .kind = SB_OPT_BOOL, .offset = OFF(crop)},
    {.name = "alpha", .kind = SB_OPT_BOOL, .offset = OFF(alpha_only)},
    {.name = "zip", .kind = SB_OPT_BOOL, .offset = OFF(zip)},
};

_Static_assert(sizeof(sb_cutout_kind) == sizeof(int), "an SB_OPT_ENUM field is int-sized");

const sb_opts_table_t sb_cutout_opts_table = {fields, sizeof fields / sizeof fields[0], &defaults};

/* Read by hand, in the syntaxes of sb_cutout_parse_*. */
static const char *const strings[] = {"roi", "crop_margin", "bg_color", NULL};

sb_cutout_opts_t sb_cutout_opts_defaults(void)
{
    return defaults;
}

sb_err sb_cutout_opts_check(const sb_cutout_opts_t *o, sb_error_t *e)
{
    sb_err err = sb_opts_check_fields(&sb_cutout_opts_table, o, e);
    for (int i = 0; !err && i < 4; i++)
        if (!(o->roi[i] >= 0 && (o->roi_px[i] || o->roi[i] <= 1)))
            err = sb_error_set(e, SB_ERR_USAGE, "roi", "roi must be 'x1 y1 x2 y2', each in px or %% (0%% to 100%%)");
    if (!err && !(o->crop_margin >= 0 && o->crop_margin <= (o->crop_margin_pct ? 0.5 : 500)))
        err = sb_error_set(e, SB_ERR_USAGE, "crop_margin", "crop_margin must be 0px to 500px or 0%% to 50%%");
    /* The zip holds the cut-out's own colours and its alpha, to be composited by the client. */
    if (!err && o->zip && o->alpha_only)
        err = sb_error_set(e, SB_ERR_USAGE, "channels", "format zip holds the colours and the alpha: use channels rgba");
    if (!err && o->zip && o->has_bg)
        err = sb_error_set(e, SB_ERR_USAGE, "bg_color",
                           "format zip holds the cut-out's colours and its alpha: composite over bg_color yourself, or "
                           "use format png or jpg with bg_color");
    if (!err && o->zip && o->format != SB_FMT_UNKNOWN)
        err = sb_error_set(e, SB_ERR_USAGE, "format", "format zip is color.jpg and alpha.png: no other format with it");
    return err;
}

/* A value of sb_cutout_parse_*'s syntax: a fraction as a percentage, or pixels. */
static void number_unit(char *out, size_t n, double v, bool pct)
{
    snprintf(out, n, pct ? "%.17g%%" : "%.17gpx", pct ? v * 100 : v);
}

json_t *sb_cutout_opts_to_json(const sb_cutout_opts_t *o)
{
    json_t *j = json_object();
    if (!j || sb_opts_fields_to_json(&sb_cutout_opts_table, o, j, NULL)) {
        json_decref(j);
        return NULL;
    }
    char roi[4][40], s[200];
    bool whole = true;
    for (int i = 0; i < 4; i++) {
        whole = whole && !o->roi[i];
        number_unit(roi[i], sizeof roi[i], o->roi[i], !o->roi_px[i]);
    }
    int bad = 0;
    if (!whole) {
        snprintf(s, sizeof s, "%s %s %s %s", roi[0], roi[1], roi[2], roi[3]);
        bad |= json_object_set_new(j, "roi", json_string(s));
    }
    if (o->crop_margin) {
        number_unit(s, sizeof s, o->crop_margin, o->crop_margin_pct);
        bad |= json_object_set_new(j, "crop_margin", json_string(s));
    }
    if (o->has_bg) {
        snprintf(s, sizeof s, "%02x%02x%02x%02x", o->bg[0], o->bg[1], o->bg[2], o->bg[3]);
        bad |= json_object_set_new(j, "bg_color", json_string(s));
    }
    if (bad) {
        json_decref(j);
        return NULL;
    }
    return j;
}

sb_err sb_cutout_opts_from_json(const json_t *j, sb_cutout_opts_t *o, sb_error_t *e)
{
    *o = defaults;
    sb_err err = sb_opts_fields_from_json(&sb_cutout_opts_table, j, o, strings, e);
    for (int i = 0; !err && strings[i]; i++) {
        const json_t *v = json_object_get(j, strings[i]);
        if (v && !json_is_string(v))
            err = sb_error_set(e, SB_ERR_USAGE, strings[i], "%s must be a string", strings[i]);
    }
    if (!err)
        err = sb_cutout_parse_roi(json_string_value(json_object_get(j, "roi")), o, e);
    if (!err)
        err = sb_cutout_parse_margin(json_string_value(json_object_get(j, "crop_margin")), o, e);
    if (!err)
        err = sb_cutout_parse_color(json_string_value(json_object_get(j, "bg_color")), o, e);
    return err ? err : sb_cutout_opts_check(o, e);
}
