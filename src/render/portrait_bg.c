/* portrait_bg.c - portrait backgrounds from a style: the avatar's renderer where it has the kind, and a
 * gradient, an office and an outdoor scene painted here (see portrait_bg.h). */
#include "render/portrait_bg.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/colour.h"
#include "image/filter.h"
#include "render/backdrop.h"
#include "render/background.h"
#include "render/palette.h"
#include "util/rng.h"

/* Office and outdoor scenes are painted on a grid this many times coarser than the frame and blurred
 * there (they stand far behind the person, out of focus), then sampled back bilinearly: their cost is
 * a fraction of the frame's pixels. */
#define SCENE_CELL 8
/* Their defocus blur, as a fraction of the grid's shorter side. */
#define SCENE_BLUR 0.035f
#define LAYOUT_STREAM (1ull << 33)
/* A studio colour darker than this (relative luminance, linear) is painted as the dark studio (the colour
 * pooled a little darker towards the edges) instead of the light one, whose centre is the colour 60% of
 * the way to white: "black background" or "navy studio background" read pale grey on it. "blue" (0.13)
 * and the greys from 0.45 sRGB up stay light studios. */
#define DARK_STUDIO_LUMINANCE 0.10f

static float rnd(sb_rng_t *r, float lo, float hi)
{
    return lo + (hi - lo) * sb_rng_float(r);
}

static void to_linear(const float srgb[3], float lin[3])
{
    for (int c = 0; c < 3; c++)
        lin[c] = sb_srgb_to_linear(srgb[c]);
}

/* The avatar's palette for the style's colour (light, dark and accent derived), with the style's
 * second colour as the accent. */
static sb_err palette_of(const sb_style_t *s, sb_palette_t *p, sb_error_t *e)
{
    char hex[8];
    int v[3];
    for (int c = 0; c < 3; c++) {
        float x = s->background.colour[c];
        v[c] = (int)lrintf(255.0f * (x < 0 ? 0 : x > 1 ? 1 : x));
    }
    snprintf(hex, sizeof hex, "#%02x%02x%02x", v[0], v[1], v[2]);
    sb_err err = sb_palette_parse(hex, p, e);
    for (int c = 0; !err && c < 3; c++)
        p->accent[c] = s->background.colour2[c];
    return err;
}

/* colour -> colour2 along the style's angle (0 = towards the right, 90 = up), in linear light. */
static void gradient(const sb_style_t *s, sb_fimage_t *out)
{
    int w = out->width, h = out->height;
    float a = s->background.angle_deg * (float)M_PI / 180.0f, dx = cosf(a), dy = -sinf(a);
    float from[3], to[3];
    to_linear(s->background.colour, from);
    to_linear(s->background.colour2, to);
    float span = fabsf(dx) * w + fabsf(dy) * h;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            float t = 0.5f + ((x + 0.5f - w / 2.0f) * dx + (y + 0.5f - h / 2.0f) * dy) / span;
            float *p = out->data + ((size_t)y * w + x) * 3;
            for (int c = 0; c < 3; c++)
                p[c] = from[c] + (to[c] - from[c]) * t;
        }
}

/* Fill the rectangle [x0, x1) x [y0, y1) (fractions of the grid) of `g` with `col` (linear) at opacity a. */
static void rect(sb_fimage_t *g, float x0, float y0, float x1, float y1, const float col[3], float a)
{
    int ix0 = (int)(x0 * g->width), ix1 = (int)(x1 * g->width);
    int iy0 = (int)(y0 * g->height), iy1 = (int)(y1 * g->height);
    for (int y = iy0 < 0 ? 0 : iy0; y < iy1 && y < g->height; y++)
        for (int x = ix0 < 0 ? 0 : ix0; x < ix1 && x < g->width; x++)
            for (int c = 0; c < 3; c++) {
                float *p = &g->data[((size_t)y * g->width + x) * 3 + c];
                *p += a * (col[c] - *p);
            }
}

/* A soft disc (cx, cy, r as fractions of the grid's width and height, and of its shorter side). */
static void disc(sb_fimage_t *g, float cx, float cy, float r, const float col[3], float a)
{
    int side = g->width < g->height ? g->width : g->height;
    float px = cx * g->width, py = cy * g->height, pr = r * side;
    for (int y = 0; y < g->height; y++)
        for (int x = 0; x < g->width; x++) {
            float d = hypotf(x + 0.5f - px, y + 0.5f - py) / pr;
            if (d >= 1)
                continue;
            float t = a * (1.0f - d * d);
            for (int c = 0; c < 3; c++) {
                float *p = &g->data[((size_t)y * g->width + x) * 3 + c];
                *p += t * (col[c] - *p);
            }
        }
}

/* A bright interior: a wall in the style's colour, windows of cool daylight, warm lamps in the accent,
 * desks below. */
static void office(const sb_style_t *s, sb_rng_t *rng, sb_fimage_t *g)
{
    float wall[3], lamp[3], desk[3], day[3] = {1.0f, 1.0f, 1.08f};
    to_linear(s->background.colour, wall);
    to_linear(s->background.colour2, lamp);
    for (int c = 0; c < 3; c++)
        desk[c] = wall[c] * 0.35f;
    rect(g, 0, 0, 1, 1, wall, 1.0f);
    int windows = 2 + (int)(sb_rng_float(rng) * 3);
    for (int i = 0; i < windows; i++) {
        float x = rnd(rng, -0.1f, 0.9f), wdt = rnd(rng, 0.12f, 0.3f);
        rect(g, x, rnd(rng, 0.02f, 0.15f), x + wdt, rnd(rng, 0.45f, 0.6f), day, 0.9f);
    }
    rect(g, 0, rnd(rng, 0.62f, 0.72f), 1, 1, desk, 0.8f);
    int lamps = 2 + (int)(sb_rng_float(rng) * 3);
    for (int i = 0; i < lamps; i++)
        disc(g, rnd(rng, 0, 1), rnd(rng, 0.2f, 0.7f), rnd(rng, 0.05f, 0.12f), lamp, 0.8f);
}

/* Sky above (the accent colour towards the zenith), foliage in the style's colour, warm sunlit spots. */
static void outdoor(const sb_style_t *s, sb_rng_t *rng, sb_fimage_t *g)
{
    float sky[3], leaf[3], ground[3], sun[3] = {1.2f, 1.05f, 0.8f};
    to_linear(s->background.colour2, sky);
    to_linear(s->background.colour, leaf);
    for (int y = 0; y < g->height; y++) {
        float t = (float)y / g->height;
        for (int x = 0; x < g->width; x++)
            for (int c = 0; c < 3; c++)
                g->data[((size_t)y * g->width + x) * 3 + c] = sky[c] * (1.0f - 0.4f * t) + 0.25f * t;
    }
    float horizon = rnd(rng, 0.3f, 0.5f);
    for (int i = 0; i < 40; i++) {
        float k = rnd(rng, 0.45f, 1.2f), col[3] = {leaf[0] * k, leaf[1] * k, leaf[2] * k};
        disc(g, rnd(rng, -0.05f, 1.05f), rnd(rng, horizon, 1.0f), rnd(rng, 0.08f, 0.22f), col, 0.9f);
    }
    for (int c = 0; c < 3; c++)
        ground[c] = leaf[c] * 0.4f + 0.05f;
    rect(g, 0, rnd(rng, 0.85f, 0.92f), 1, 1, ground, 0.7f);
    for (int i = 0; i < 6; i++)
        disc(g, rnd(rng, 0, 1), rnd(rng, horizon, 0.9f), rnd(rng, 0.03f, 0.07f), sun, 0.6f);
}

/* Paint a scene on the coarse grid, blur it and sample it back into `out` (linear). */
static sb_err scene(const sb_style_t *s, sb_fimage_t *out, sb_error_t *e)
{
    int w = out->width, h = out->height, gw = (w + SCENE_CELL - 1) / SCENE_CELL, gh = (h + SCENE_CELL - 1) / SCENE_CELL;
    sb_fimage_t g = {0};
    sb_pooled_sampler_t ps = {0};
    float *row = NULL;
    sb_err err = sb_fimage_alloc(&g, gw, gh, 3, e);
    if (err)
        return err;
    memset(g.data, 0, sizeof(float) * (size_t)gw * gh * 3);
    sb_rng_t root = sb_rng_seed(s->background.texture_seed), rng = sb_rng_split(&root, LAYOUT_STREAM);
    if (s->background.kind == SB_STYLE_BG_OFFICE)
        office(s, &rng, &g);
    else
        outdoor(s, &rng, &g);
    err = sb_blur(g.data, g.data, gw, gh, 3, SCENE_BLUR * (gw < gh ? gw : gh), e);
    if (!err)
        err = sb_pooled_sampler_init(&ps, g.data, gw, gh, 3, SCENE_CELL, w, e);
    if (!err && !(row = malloc(sizeof(float) * 3 * w)))
        err = sb_error_set(e, SB_ERR_NOMEM, "", "out of memory painting a background");
    for (int y = 0; !err && y < h; y++) {
        sb_pooled_sampler_row(&ps, y, row);
        float *o = out->data + (size_t)y * w * 3;
        for (int x = 0; x < w; x++)
            for (int c = 0; c < 3; c++)
                o[x * 3 + c] = row[c * w + x];
    }
    free(row);
    sb_pooled_sampler_free(&ps);
    sb_fimage_free(&g);
    return err;
}

/* Whether the style's studio colour is dark enough for the dark studio (DARK_STUDIO_LUMINANCE). */
static int studio_is_dark(const sb_style_t *s)
{
    float lin[3];
    to_linear(s->background.colour, lin);
    return 0.2126f * lin[0] + 0.7152f * lin[1] + 0.0722f * lin[2] < DARK_STUDIO_LUMINANCE;
}

sb_err sb_portrait_bg_render(const sb_style_t *s, int width, int height, sb_fimage_t *out, sb_error_t *e)
{
    *out = (sb_fimage_t){0};
    sb_palette_t pal;
    sb_err err;
    switch (s->background.kind) {
    case SB_STYLE_BG_STUDIO:
    case SB_STYLE_BG_BOKEH:
    case SB_STYLE_BG_NEON:
        if ((err = palette_of(s, &pal, e)))
            return err;
        return sb_background_render(s->background.kind == SB_STYLE_BG_STUDIO
                                        ? (studio_is_dark(s) ? SB_BACKGROUND_STUDIO_DARK : SB_BACKGROUND_STUDIO_LIGHT)
                                    : s->background.kind == SB_STYLE_BG_BOKEH ? SB_BACKGROUND_BOKEH
                                                                              : SB_BACKGROUND_NEON_GEOMETRIC,
                                    &pal, s->background.texture_seed, width, height, out, e);
    case SB_STYLE_BG_GRADIENT:
    case SB_STYLE_BG_OFFICE:
    case SB_STYLE_BG_OUTDOOR:
        break;
    default:
        return sb_error_set(e, SB_ERR_USAGE, "background", "unknown background kind %d", (int)s->background.kind);
    }
    if (width < 1 || height < 1)
        return sb_error_set(e, SB_ERR_USAGE, "background", "background size %dx%d", width, height);
    if ((err = sb_fimage_alloc(out, width, height, 3, e)))
        return err;
    if (s->background.kind == SB_STYLE_BG_GRADIENT)
        gradient(s, out);
    else if ((err = scene(s, out, e))) {
        sb_fimage_free(out);
        return err;
    }
    sb_fimage_linear_to_srgb(out);
    sb_backdrop_dither(out, s->background.texture_seed);
    return SB_OK;
}
