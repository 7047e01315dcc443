/* scene.c - product backgrounds: textures and light painted in linear light on a coarse grid, upsampled
 * with per-pixel grain, converted to sRGB and dithered. */
#include "render/scene.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/colour.h"
#include "render/backdrop.h"
#include "render/material.h"
#include "render/noise.h"
#include "render/style.h"
#include "util/rng.h"
#include "util/words.h"

static const char *const preset_names[SB_SCENE__COUNT] = {
    [SB_SCENE_WHITE_STUDIO] = "white-studio", [SB_SCENE_GRADIENT_LIGHT] = "gradient-light",
    [SB_SCENE_MARBLE] = "marble",             [SB_SCENE_OUTDOOR] = "outdoor",
    [SB_SCENE_TRANSPARENT] = "transparent",   [SB_SCENE_CUSTOM] = "custom",
};

#define MAX_PROMPT 500
/* Textures, light and discs vary slowly: they are painted on a grid of at most GRID_MAX points a side
 * and upsampled bilinearly, which keeps 2000 x 2000 well under the time budget; only the grain (sand,
 * concrete, linen threads) is per pixel. */
#define GRID_MAX 512
/* The marble preset's veins cost ~20 noise lookups a point: a coarser grid (5 px at 2000) keeps it within its
 * budget, and its thinnest veins still span a cell or two. */
#define GRID_MARBLE 400
/* Layout streams sit far from the dither's per-row streams, as in background.c. */
#define LAYOUT_STREAM (1ull << 33)
/* The share of a coloured light (candle, golden hour, daylight) that tints the product placed in the scene. */
#define PRODUCT_TINT 0.35f
/* gradient-light: sRGB white at the top to this grey at the bottom. */
#define GRADIENT_LIGHT_BOTTOM 0.90f

sb_err sb_scene_preset_parse(const char *name, sb_scene_preset *out, sb_error_t *e)
{
    for (int p = 0; name && p < SB_SCENE__COUNT; p++)
        if (strcmp(name, preset_names[p]) == 0) {
            *out = (sb_scene_preset)p;
            return SB_OK;
        }
    char list[128] = "";
    for (int p = 0; p < SB_SCENE__COUNT; p++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", p ? ", " : "", preset_names[p]);
    return sb_error_set(e, SB_ERR_USAGE, "preset", "preset must be one of %s; got \"%.32s\"", list,
                        name ? name : "");
}

const char *sb_scene_preset_name(sb_scene_preset p)
{
    return (unsigned)p < SB_SCENE__COUNT ? preset_names[p] : "unknown";
}

/* ---- prompt vocabulary ---- */

enum { W_STOP, W_MATERIAL, W_LIGHT, W_EFFECT };

/* Colours are not in this table: they are the shared colour words of render/style.h. */
typedef struct {
    const char *word; /* one word, or two separated by one space */
    int kind, value;
} word_t;

static const word_t vocabulary[] = {
    {"a", W_STOP, 0}, {"an", W_STOP, 0}, {"the", W_STOP, 0}, {"on", W_STOP, 0},
    {"with", W_STOP, 0}, {"and", W_STOP, 0}, {"of", W_STOP, 0}, {"in", W_STOP, 0},
    {"at", W_STOP, 0}, {"by", W_STOP, 0}, {"for", W_STOP, 0}, {"to", W_STOP, 0},
    {"or", W_STOP, 0}, {"light", W_STOP, 0}, {"lighting", W_STOP, 0}, {"lit", W_STOP, 0},
    {"background", W_STOP, 0}, {"backdrop", W_STOP, 0}, {"surface", W_STOP, 0},

    {"wood", W_MATERIAL, SB_SCENE_MATERIAL_WOOD}, {"wooden", W_MATERIAL, SB_SCENE_MATERIAL_WOOD},
    {"timber", W_MATERIAL, SB_SCENE_MATERIAL_WOOD}, {"marble", W_MATERIAL, SB_SCENE_MATERIAL_MARBLE},
    {"concrete", W_MATERIAL, SB_SCENE_MATERIAL_CONCRETE},
    {"cement", W_MATERIAL, SB_SCENE_MATERIAL_CONCRETE}, {"linen", W_MATERIAL, SB_SCENE_MATERIAL_LINEN},
    {"fabric", W_MATERIAL, SB_SCENE_MATERIAL_LINEN}, {"cloth", W_MATERIAL, SB_SCENE_MATERIAL_LINEN},
    {"sand", W_MATERIAL, SB_SCENE_MATERIAL_SAND}, {"sandy", W_MATERIAL, SB_SCENE_MATERIAL_SAND},
    {"slate", W_MATERIAL, SB_SCENE_MATERIAL_SLATE}, {"stone", W_MATERIAL, SB_SCENE_MATERIAL_SLATE},
    {"paper", W_MATERIAL, SB_SCENE_MATERIAL_PAPER},

    {"warm candlelight", W_LIGHT, SB_SCENE_LIGHT_CANDLELIGHT},
    {"warm light", W_LIGHT, SB_SCENE_LIGHT_CANDLELIGHT},
    {"candlelight", W_LIGHT, SB_SCENE_LIGHT_CANDLELIGHT}, {"candle", W_LIGHT, SB_SCENE_LIGHT_CANDLELIGHT},
    {"candles", W_LIGHT, SB_SCENE_LIGHT_CANDLELIGHT}, {"warm", W_LIGHT, SB_SCENE_LIGHT_CANDLELIGHT},
    {"natural light", W_LIGHT, SB_SCENE_LIGHT_DAYLIGHT}, {"daylight", W_LIGHT, SB_SCENE_LIGHT_DAYLIGHT},
    {"sunlight", W_LIGHT, SB_SCENE_LIGHT_DAYLIGHT}, {"natural", W_LIGHT, SB_SCENE_LIGHT_DAYLIGHT},
    {"cool", W_LIGHT, SB_SCENE_LIGHT_DAYLIGHT}, {"neon", W_LIGHT, SB_SCENE_LIGHT_NEON},
    {"golden hour", W_LIGHT, SB_SCENE_LIGHT_GOLDEN_HOUR}, {"golden", W_LIGHT, SB_SCENE_LIGHT_GOLDEN_HOUR},
    {"sunset", W_LIGHT, SB_SCENE_LIGHT_GOLDEN_HOUR},

    {"bokeh", W_EFFECT, SB_SCENE_BOKEH}, {"blur", W_EFFECT, SB_SCENE_BOKEH},
    {"blurred", W_EFFECT, SB_SCENE_BOKEH}, {"gradient", W_EFFECT, SB_SCENE_GRADIENT},
    {"vignette", W_EFFECT, SB_SCENE_VIGNETTE},
};

#define N_WORDS (sizeof vocabulary / sizeof *vocabulary)

/* What the prompt has set so far: the first material, colour and light win. */
typedef struct {
    sb_scene_spec_t *spec;
    int seen_material, seen_light;
} reading_t;

/* sb_words_match_fn: apply phrase `s` when it is in the vocabulary or a colour word. */
static int match(const char *s, void *ctx)
{
    reading_t *r = ctx;
    sb_scene_spec_t *out = r->spec;
    for (size_t i = 0; i < N_WORDS; i++) {
        const word_t *w = &vocabulary[i];
        if (strcmp(s, w->word) != 0)
            continue;
        if (w->kind == W_MATERIAL && !r->seen_material) {
            out->material = (sb_scene_material)w->value;
            r->seen_material = 1;
        } else if (w->kind == W_LIGHT && !r->seen_light) {
            out->light = (sb_scene_light)w->value;
            r->seen_light = 1;
        } else if (w->kind == W_EFFECT) {
            out->effects |= (unsigned)w->value;
        }
        return 1;
    }
    float rgb[3];
    if (!sb_style_colour_word(s, rgb))
        return 0;
    if (!out->has_colour) {
        memcpy(out->colour, rgb, sizeof out->colour);
        out->has_colour = 1;
    }
    return 1;
}

void sb_scene_ignored_free(char **ignored, int n)
{
    sb_words_free(ignored, n);
}

sb_err sb_scene_prompt_parse(const char *prompt, sb_scene_spec_t *out, char ***ignored, int *n_ignored,
                             sb_error_t *e)
{
    *out = (sb_scene_spec_t){0};
    reading_t r = {out, 0, 0};
    const sb_words_vocab_t vocab = {"background_prompt", MAX_PROMPT, 2, match, &r};
    int n_words;
    sb_err err = sb_words_read(prompt, &vocab, ignored, n_ignored, &n_words, e);
    if (!err && n_words == 0)
        err = sb_error_set(e, SB_ERR_USAGE, "background_prompt", "background_prompt is empty");
    if (err)
        *out = (sb_scene_spec_t){0};
    return err;
}

/* ---- the coarse grid ---- */

typedef struct {
    int w, h, step;   /* the image, and image pixels per grid cell */
    int gw, gh;       /* grid points: one every `step` pixels, one beyond the last */
    float S;          /* the shorter side: texture coordinates are pixels / S */
    float lx, ly;     /* towards the key light: a unit vector, y down */
    float floor_y;    /* the row the product stands on, NaN for none */
    int from_above;   /* a flat lay: the table top seen from above fills the frame */
    float *p;         /* gw x gh x 3, linear */
} grid_t;

static float *at(grid_t *g, int i, int j)
{
    return g->p + ((size_t)j * g->gw + i) * 3;
}

/* Light colour (linear, the strongest channel 1) and intensity at frame point (x, y) in 0..1. The key
 * light comes from the direction (lx, ly) (a unit vector, y down): the frame is brighter on that side, as a
 * surface lit from there is, and the product's shadow falls the other way. */
static void light_at(sb_scene_light l, const grid_t *g, float x, float y, float rgb[3])
{
    static const float magenta[3] = {1.0f, 0.18f, 0.80f}, cyan[3] = {0.12f, 0.80f, 1.0f};
    float t = (x - 0.5f) * g->lx + (y - 0.5f) * g->ly, k, dx, dy;
    switch (l) {
    case SB_SCENE_LIGHT_CANDLELIGHT:
        /* A warm pool off centre towards the light, falling off fast as a candle's does. */
        dx = x - 0.5f - 0.2f * g->lx, dy = y - 0.5f - 0.2f * g->ly;
        k = 0.45f + 0.60f * expf(-(dx * dx + dy * dy) / 0.15f);
        rgb[0] = 1.0f * k, rgb[1] = 0.56f * k, rgb[2] = 0.24f * k;
        return;
    case SB_SCENE_LIGHT_DAYLIGHT:
        k = 0.76f + 0.24f * sb_noise_smooth(-0.7f, 0.7f, t);
        rgb[0] = 0.92f * k, rgb[1] = 0.96f * k, rgb[2] = 1.0f * k;
        return;
    case SB_SCENE_LIGHT_NEON:
        t = sb_noise_smooth(0.1f, 0.9f, x);
        for (int c = 0; c < 3; c++)
            rgb[c] = 0.85f * (magenta[c] + (cyan[c] - magenta[c]) * t);
        return;
    case SB_SCENE_LIGHT_GOLDEN_HOUR:
        /* A low sun just outside the frame on the light's side. */
        dx = x - 0.5f - 0.6f * g->lx, dy = y - 0.5f - 0.6f * g->ly;
        k = 0.60f + 0.45f * expf(-(dx * dx + dy * dy) / 0.6f);
        rgb[0] = 1.0f * k, rgb[1] = 0.74f * k, rgb[2] = 0.40f * k;
        return;
    default:
        k = 0.72f + 0.28f * sb_noise_smooth(-0.7f, 0.7f, t);
        rgb[0] = rgb[1] = rgb[2] = k;
    }
}

/* Out-of-focus discs screened over the grid: each flat with a soft edge, `count` of them with radius
 * rmin..rmax of S and opacity omin..omax, colour between a and b (linear), centres within rows y0..y1
 * (fractions of the height). */
static void discs(grid_t *g, sb_rng_t *rng, int count, float rmin, float rmax, float omin, float omax,
                  const float a[3], const float b[3], float y0, float y1)
{
    for (int n = 0; n < count; n++) {
        float cx = (-0.05f + 1.1f * sb_rng_float(rng)) * g->w, cy = (y0 + (y1 - y0) * sb_rng_float(rng)) * g->h;
        float R = (rmin + (rmax - rmin) * sb_rng_float(rng)) * g->S, op = omin + (omax - omin) * sb_rng_float(rng);
        float t = sb_rng_float(rng), col[3];
        for (int c = 0; c < 3; c++)
            col[c] = a[c] + (b[c] - a[c]) * t;
        int i0 = (int)fmaxf(0, floorf((cx - R) / g->step)), i1 = (int)fminf((float)g->gw - 1, ceilf((cx + R) / g->step));
        int j0 = (int)fmaxf(0, floorf((cy - R) / g->step)), j1 = (int)fminf((float)g->gh - 1, ceilf((cy + R) / g->step));
        for (int j = j0; j <= j1; j++)
            for (int i = i0; i <= i1; i++) {
                float dx = (float)(i * g->step) - cx, dy = (float)(j * g->step) - cy;
                /* Flat, with the slightly brighter rim of an out-of-focus highlight. */
                float r = sqrtf(dx * dx + dy * dy) / R, r4 = r * r * r * r;
                float f = fminf(1, op * (1 + 0.35f * r4) * (1 - sb_noise_smooth(0.85f, 1.0f, r)));
                float *o = at(g, i, j);
                for (int c = 0; c < 3; c++)
                    o[c] = 1 - (1 - o[c]) * (1 - f * col[c]);
            }
    }
}

static void paint_custom(grid_t *g, const sb_scene_spec_t *sp, sb_rng_t *rng)
{
    float base[3], own[3];
    sb_material_colour(sp->material, own);
    const float *src = sp->has_colour ? sp->colour : own;
    for (int c = 0; c < 3; c++)
        base[c] = sb_srgb_to_linear(src[c]);
    uint64_t s = sb_rng_next(rng);
    float half_diag = sqrtf((float)g->w * g->w + (float)g->h * g->h) / 2;
    for (int j = 0; j < g->gh; j++)
        for (int i = 0; i < g->gw; i++) {
            float px = (float)(i * g->step), py = (float)(j * g->step), x = px / g->w, y = py / g->h, lit[3];
            float *o = at(g, i, j);
            sb_material_albedo(sp->material, base, px / g->S, py / g->S, s, o);
            light_at(sp->light, g, x, y, lit);
            for (int c = 0; c < 3; c++)
                o[c] *= lit[c];
            if (sp->effects & SB_SCENE_GRADIENT)
                for (int c = 0; c < 3; c++)
                    o[c] += (lit[c] - o[c]) * 0.45f * (1 - y) * (1 - y);
            if (sp->effects & SB_SCENE_VIGNETTE) {
                float dx = px - g->w / 2.0f, dy = py - g->h / 2.0f;
                float v = 1 - 0.5f * sb_noise_smooth(0.35f, 1.1f, sqrtf(dx * dx + dy * dy) / half_diag);
                for (int c = 0; c < 3; c++)
                    o[c] *= v;
            }
        }
    if (sp->effects & SB_SCENE_BOKEH) {
        /* Discs in the light's own colour, lifted towards white. */
        float lit[3], pale[3];
        light_at(sp->light, g, 0.5f, 0.3f, lit);
        for (int c = 0; c < 3; c++)
            pale[c] = lit[c] + (1 - lit[c]) * 0.6f;
        discs(g, rng, 14, 0.06f, 0.12f, 0.10f, 0.22f, lit, pale, -0.05f, 0.7f);
        discs(g, rng, 18, 0.025f, 0.05f, 0.20f, 0.40f, lit, pale, -0.05f, 0.7f);
    }
}

/* Outdoor's table top: a pale weathered surface from a far edge TABLE_EDGE of S above the product's base to
 * the frame's bottom, slightly out of focus, streaked along its length, lit from the light's side, darker
 * towards the viewer, its edge catching the light. */
#define TABLE_EDGE 0.06f
static void table(grid_t *g, uint64_t s)
{
    static const float top[3] = {0.62f, 0.50f, 0.37f};
    float edge = g->floor_y - TABLE_EDGE * g->S, soft = 0.004f * g->S;
    for (int j = 0; j < g->gh; j++) {
        float py = (float)(j * g->step), cover = sb_noise_smooth(edge - soft, edge + soft, py);
        if (cover <= 0)
            continue;
        float near = sb_noise_smooth(edge, (float)g->h, py), rim = expf(-((py - edge) / (2 * soft)) * ((py - edge) / (2 * soft)));
        for (int i = 0; i < g->gw; i++) {
            float px = (float)(i * g->step), u = px / g->S, v = py / g->S;
            float t = (px / g->w - 0.5f) * g->lx + (py / g->h - 0.5f) * g->ly;
            float k = (0.80f + 0.20f * sb_noise_fbm(u * 1.5f, v * 14, s, 3)) * (1 - 0.30f * near) *
                      (0.82f + 0.30f * sb_noise_smooth(-0.6f, 0.6f, t)) + 0.25f * rim;
            float *o = at(g, i, j);
            for (int c = 0; c < 3; c++)
                o[c] += (top[c] * k - o[c]) * cover;
        }
    }
}

/* Outdoor for a flat lay: the garden table seen from above, filling the frame: weathered boards across it, each
 * its own tone, with dark seams between them and streaks along them, in the dappled light under the trees
 * (warm sun patches through the leaves, cooler shade, brighter on the light's side). */
#define BOARD 0.22f
static void table_above(grid_t *g, uint64_t s)
{
    static const float top[3] = {0.62f, 0.50f, 0.37f}, sun[3] = {1.10f, 1.00f, 0.82f}, shade[3] = {0.50f, 0.53f, 0.52f};
    for (int j = 0; j < g->gh; j++) {
        float v = (float)(j * g->step) / g->S, b = v / BOARD, f = b - floorf(b);
        int board = (int)floorf(b);
        float tone = 0.85f + 0.30f * sb_noise_unit(sb_noise_hash2(board, 7, s));
        /* A seam: a dark groove a few thousandths of S wide, its lower lip catching the light. */
        float d = fminf(f, 1 - f) * BOARD, seam = 1 - 0.65f * expf(-(d / 0.004f) * (d / 0.004f));
        for (int i = 0; i < g->gw; i++) {
            float u = (float)(i * g->step) / g->S, x = (float)(i * g->step) / g->w, y = (float)(j * g->step) / g->h;
            float t = (x - 0.5f) * g->lx + (y - 0.5f) * g->ly;
            float grain = (0.74f + 0.26f * sb_noise_fbm(u * 1.2f + 5.3f * board, v * 16, s, 3)) *
                          (0.90f + 0.10f * sb_noise_fbm(u * 3 + 2.1f * board, v * 60, s + 3, 2));
            float leaves = sb_noise_fbm(u * 2.2f + 0.6f * v, v * 2.2f, s + 5, 4);
            float lit = sb_noise_smooth(0.42f, 0.58f, leaves + 0.25f * t);
            float *o = at(g, i, j);
            for (int c = 0; c < 3; c++)
                o[c] = top[c] * tone * grain * seam * (shade[c] + (sun[c] - shade[c]) * lit);
        }
    }
}

/* Outdoor: a garden far out of focus. Sky shows through the top of the trees; below, foliage in clumps of
 * lit and shaded leaves over a darker understorey; the sun comes through the leaves on the light's side as
 * discs of one size per depth (an out-of-focus highlight is the aperture's image: the same size at the same
 * distance), warm near the light and green-tinted away from it. */
static void paint_outdoor(grid_t *g, sb_rng_t *rng)
{
    static const float sky[3] = {0.50f, 0.72f, 0.96f}, sky_low[3] = {0.78f, 0.86f, 0.90f};
    static const float shade_leaf[3] = {0.020f, 0.060f, 0.018f}, leaf[3] = {0.07f, 0.20f, 0.04f};
    static const float leaf_lit[3] = {0.30f, 0.48f, 0.08f};
    static const float sun[3] = {1.0f, 0.88f, 0.60f}, sun_pale[3] = {1.0f, 0.97f, 0.86f};
    static const float bright_leaf[3] = {0.40f, 0.72f, 0.16f}, pale_leaf[3] = {0.72f, 0.90f, 0.45f};
    uint64_t s = sb_rng_next(rng);
    if (g->from_above) {
        table_above(g, s + 16);
        return;
    }
    for (int j = 0; j < g->gh; j++)
        for (int i = 0; i < g->gw; i++) {
            float u = (float)(i * g->step) / g->S, v = (float)(j * g->step) / g->S;
            float x = (float)(i * g->step) / g->w, y = (float)(j * g->step) / g->h;
            float t = (x - 0.5f) * g->lx + (y - 0.5f) * g->ly;
            /* The canopy: dense below a ragged line, with holes of sky in its upper part. */
            float gaps = sb_noise_fbm(u * 3.5f, v * 3.5f, s + 4, 3);
            float canopy = sb_noise_smooth(0.10f, 0.45f, y + 0.35f * (sb_noise_fbm(u * 1.8f, v * 1.8f, s, 3) - 0.5f) +
                                                            0.25f * (gaps - 0.5f));
            float clump = sb_noise_fbm(u * 2.6f, v * 2.6f, s + 8, 4), deep = sb_noise_smooth(0.45f, 1.0f, y);
            float sunlit = sb_noise_smooth(-0.5f, 0.6f, t) * sb_noise_smooth(0.45f, 0.70f, clump);
            float *o = at(g, i, j);
            for (int c = 0; c < 3; c++) {
                float sk = sky[c] + (sky_low[c] - sky[c]) * sb_noise_smooth(0, 0.5f, y);
                float fo = leaf[c] + (shade_leaf[c] - leaf[c]) * deep * (1 - clump);
                fo += (leaf_lit[c] - fo) * sunlit;
                o[c] = sk + (fo - sk) * canopy;
            }
        }
    /* Three depths: far small sun discs high and on the light's side, mid green discs, near faint large
     * ones. Centres are drawn over the frame and then pulled towards the light's side. */
    discs(g, rng, 26, 0.030f, 0.036f, 0.25f, 0.55f, sun, sun_pale, -0.05f, 0.55f);
    discs(g, rng, 16, 0.055f, 0.065f, 0.12f, 0.28f, bright_leaf, pale_leaf, 0.15f, 1.0f);
    discs(g, rng, 8, 0.11f, 0.13f, 0.06f, 0.12f, sun, pale_leaf, -0.05f, 0.8f);
    if (isfinite(g->floor_y))
        table(g, s + 16);
}

/* Row y of the grid upsampled bilinearly into `o` (w x 3), times the material's per-pixel detail: the two grid
 * rows around y are mixed once, then each pixel interpolates along that one row. */
static void upsample_row(const grid_t *g, sb_scene_material m, uint64_t seed, int y, float *o)
{
    float inv = 1.0f / g->step, mixed[(GRID_MAX + 2) * 3];
    int detail = sb_material_has_detail(m), j = y / g->step;
    float ty = (float)(y - j * g->step) * inv;
    const float *r0 = g->p + (size_t)j * g->gw * 3, *r1 = r0 + (size_t)g->gw * 3;
    for (int i = 0; i < g->gw * 3; i++)
        mixed[i] = r0[i] + (r1[i] - r0[i]) * ty;
    for (int i = 0, x = 0; x < g->w; i++) {
        const float *a = mixed + i * 3, *b = a + 3;
        for (int k = 0; k < g->step && x < g->w; k++, x++, o += 3) {
            float tx = k * inv, f = detail ? sb_material_detail(m, x, y, g->S, seed) : 1;
            for (int c = 0; c < 3; c++)
                o[c] = (a[c] + (b[c] - a[c]) * tx) * f;
        }
    }
}

struct sb_scene_painter {
    sb_scene_preset preset;
    sb_scene_material material; /* of the textured presets */
    uint64_t seed, detail_seed;
    int srgb;                   /* the grid is already sRGB (no per-pixel detail to apply in linear light) */
    grid_t g;                   /* g.p is NULL for white studio and gradient-light */
};

sb_err sb_scene_open(sb_scene_preset p, const sb_scene_spec_t *custom, uint64_t seed, int width, int height,
                     const sb_scene_frame_t *frame, sb_scene_painter_t **out, sb_error_t *e)
{
    *out = NULL;
    if ((unsigned)p >= SB_SCENE__COUNT || p == SB_SCENE_TRANSPARENT)
        return sb_error_set(e, SB_ERR_USAGE, "preset", "the %s preset is not rendered: the pipeline writes alpha",
                            sb_scene_preset_name(p));
    if (p == SB_SCENE_CUSTOM && (!custom || (unsigned)custom->material >= SB_SCENE_MATERIAL__COUNT ||
                                 (unsigned)custom->light >= SB_SCENE_LIGHT__COUNT))
        return sb_error_set(e, SB_ERR_USAGE, "preset", "the custom preset needs a valid scene spec");
    if (width < 1 || height < 1)
        return sb_error_set(e, SB_ERR_USAGE, "preset", "scene size %dx%d", width, height);
    sb_scene_painter_t *sp = calloc(1, sizeof *sp);
    if (!sp)
        return sb_error_set(e, SB_ERR_NOMEM, "preset", "out of memory for a scene");
    float deg = frame && isfinite(frame->shadow_deg) ? frame->shadow_deg : 90, rad = deg * (float)M_PI / 180;
    grid_t *g = &sp->g;
    *g = (grid_t){.w = width, .h = height, .S = (float)(width < height ? width : height), .lx = -cosf(rad),
                  .ly = -sinf(rad), .floor_y = frame && isfinite(frame->floor_y) ? frame->floor_y : NAN,
                  .from_above = frame && frame->from_above};
    sp->preset = p, sp->seed = seed;
    *out = sp;
    if (p == SB_SCENE_WHITE_STUDIO || p == SB_SCENE_GRADIENT_LIGHT)
        return SB_OK;
    static const sb_scene_spec_t marble = {.material = SB_SCENE_MATERIAL_MARBLE};
    const sb_scene_spec_t *spec = p == SB_SCENE_MARBLE ? &marble : custom;
    int longer = width > height ? width : height, most = p == SB_SCENE_MARBLE ? GRID_MARBLE : GRID_MAX;
    g->step = (longer + most - 1) / most;
    g->gw = (width - 1) / g->step + 2;
    g->gh = (height - 1) / g->step + 2;
    g->p = malloc(sizeof *g->p * 3 * (size_t)g->gw * g->gh);
    if (!g->p) {
        sb_scene_close(sp);
        *out = NULL;
        return sb_error_set(e, SB_ERR_NOMEM, "preset", "out of memory for a %dx%d scene", width, height);
    }
    sb_rng_t root = sb_rng_seed(seed), rng = sb_rng_split(&root, LAYOUT_STREAM + (uint64_t)p);
    if (p == SB_SCENE_OUTDOOR)
        paint_outdoor(g, &rng);
    else
        paint_custom(g, spec, &rng);
    sp->material = p == SB_SCENE_OUTDOOR ? SB_SCENE_MATERIAL_NONE : spec->material;
    sp->detail_seed = sb_rng_next(&rng);
    /* Without per-pixel detail the grid is smooth: taken to sRGB once here, the rows are interpolated in sRGB
     * and need no conversion per pixel (the bokeh blur samples its grid back the same way). */
    if (!sb_material_has_detail(sp->material)) {
        sb_fimage_t grid = {g->gw, g->gh, 3, g->p};
        sb_fimage_linear_to_srgb(&grid);
        sp->srgb = 1;
    }
    return SB_OK;
}

void sb_scene_row(const sb_scene_painter_t *sp, int y, float *row)
{
    const grid_t *g = &sp->g;
    int w = g->w;
    if (sp->preset == SB_SCENE_WHITE_STUDIO) {
        /* Exact white, not dithered: marketplaces check for #FFFFFF. */
        for (int i = 0; i < w * 3; i++)
            row[i] = 1.0f;
        return;
    }
    if (sp->preset == SB_SCENE_GRADIENT_LIGHT) {
        float t = g->h > 1 ? (float)y / (g->h - 1) : 0, v = 1 - (1 - GRADIENT_LIGHT_BOTTOM) * t * t;
        for (int i = 0; i < w * 3; i++)
            row[i] = v;
    } else {
        upsample_row(g, sp->material, sp->detail_seed, y, row);
        sb_fimage_t r = {w, 1, 3, row};
        if (!sp->srgb)
            sb_fimage_linear_to_srgb(&r);
    }
    sb_backdrop_dither_row(row, w, 3, y, sp->seed);
}

void sb_scene_close(sb_scene_painter_t *sp)
{
    if (!sp)
        return;
    free(sp->g.p);
    free(sp);
}

void sb_scene_product_tint(sb_scene_preset p, const sb_scene_spec_t *spec, float rgb[3])
{
    rgb[0] = rgb[1] = rgb[2] = 1;
    if (p != SB_SCENE_CUSTOM || !spec || spec->light == SB_SCENE_LIGHT_NEUTRAL || spec->light == SB_SCENE_LIGHT_NEON ||
        (unsigned)spec->light >= SB_SCENE_LIGHT__COUNT)
        return;
    /* The light's colour at the frame's centre, at unit luminance, a share of the way from white. */
    static const grid_t centre = {.lx = 0, .ly = -1};
    float c[3];
    light_at(spec->light, &centre, 0.5f, 0.5f, c);
    float l = sb_luma(c);
    for (int k = 0; k < 3; k++)
        rgb[k] = sb_linear_to_srgb(fminf(1, (1 + PRODUCT_TINT * (c[k] / l - 1)) * 0.5f)) / sb_linear_to_srgb(0.5f);
}

void sb_scene_tint_layer(sb_scene_preset p, const sb_scene_spec_t *spec, sb_image_t *rgba)
{
    float k[3];
    sb_scene_product_tint(p, spec, k);
    if (k[0] == 1 && k[1] == 1 && k[2] == 1)
        return;
    for (size_t i = 0; i < (size_t)rgba->width * rgba->height; i++)
        for (int c = 0; c < 3; c++) {
            float v = rgba->data[i * rgba->bands + c] * k[c];
            rgba->data[i * rgba->bands + c] = (uint8_t)lrintf(v > 255 ? 255 : v);
        }
}

int sb_scene_flat(sb_scene_preset p, float rgb[3])
{
    if (p != SB_SCENE_WHITE_STUDIO)
        return 0;
    rgb[0] = rgb[1] = rgb[2] = 1.0f;
    return 1;
}

sb_err sb_scene_render(sb_scene_preset p, const sb_scene_spec_t *custom, uint64_t seed, int width, int height,
                       sb_fimage_t *out, sb_error_t *e)
{
    return sb_scene_render_lit(p, custom, seed, width, height, NULL, out, e);
}

sb_err sb_scene_render_lit(sb_scene_preset p, const sb_scene_spec_t *custom, uint64_t seed, int width, int height,
                           const sb_scene_frame_t *frame, sb_fimage_t *out, sb_error_t *e)
{
    *out = (sb_fimage_t){0};
    sb_scene_painter_t *sp;
    sb_err err = sb_scene_open(p, custom, seed, width, height, frame, &sp, e);
    if (!err)
        err = sb_fimage_alloc(out, width, height, 3, e);
    for (int y = 0; !err && y < height; y++)
        sb_scene_row(sp, y, out->data + (size_t)y * width * 3);
    sb_scene_close(sp);
    return err;
}
