/* scene.c - product backgrounds: textures and light painted in linear light on a coarse grid, upsampled
 * with per-pixel grain, converted to sRGB and dithered. */
#include "render/scene.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/colour.h"
#include "render/backdrop.h"
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
/* Layout streams sit far from the dither's per-row streams, as in background.c. */
#define LAYOUT_STREAM (1ull << 33)
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

/* ---- noise ---- */

static uint64_t mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    return h ^ (h >> 33);
}

static uint64_t hash2(int x, int y, uint64_t seed)
{
    return mix64(seed ^ ((uint64_t)(uint32_t)x * 0x9e3779b97f4a7c15ull) ^ ((uint64_t)(uint32_t)y << 32));
}

static float unit(uint64_t h)
{
    return (float)(h >> 40) * (1.0f / 16777216.0f);
}

/* Value noise in 0..1: seeded lattice values, smoothstep-interpolated. */
static float vnoise(float x, float y, uint64_t seed)
{
    float fx = floorf(x), fy = floorf(y), tx = x - fx, ty = y - fy;
    int ix = (int)fx, iy = (int)fy;
    tx = tx * tx * (3 - 2 * tx);
    ty = ty * ty * (3 - 2 * ty);
    float a = unit(hash2(ix, iy, seed)), b = unit(hash2(ix + 1, iy, seed));
    float c = unit(hash2(ix, iy + 1, seed)), d = unit(hash2(ix + 1, iy + 1, seed));
    float top = a + (b - a) * tx, bottom = c + (d - c) * tx;
    return top + (bottom - top) * ty;
}

/* Fractal sums of `oct` octaves, 0..1: fbm of the noise, turbulence of its distance from 0.5. */
static float fbm(float x, float y, uint64_t seed, int oct)
{
    float sum = 0, amp = 1, norm = 0;
    for (int o = 0; o < oct; o++, x *= 2, y *= 2, amp *= 0.5f) {
        sum += amp * vnoise(x, y, seed + (uint64_t)o);
        norm += amp;
    }
    return sum / norm;
}

static float turbulence(float x, float y, uint64_t seed, int oct)
{
    float sum = 0, amp = 1, norm = 0;
    for (int o = 0; o < oct; o++, x *= 2, y *= 2, amp *= 0.5f) {
        sum += amp * fabsf(2 * vnoise(x, y, seed + (uint64_t)o) - 1);
        norm += amp;
    }
    return sum / norm;
}

static float smooth(float e0, float e1, float v)
{
    float t = (v - e0) / (e1 - e0);
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    return t * t * (3 - 2 * t);
}

/* ---- the coarse grid ---- */

typedef struct {
    int w, h, step;   /* the image, and image pixels per grid cell */
    int gw, gh;       /* grid points: one every `step` pixels, one beyond the last */
    float S;          /* the shorter side: texture coordinates are pixels / S */
    float *p;         /* gw x gh x 3, linear */
} grid_t;

static float *at(grid_t *g, int i, int j)
{
    return g->p + ((size_t)j * g->gw + i) * 3;
}

/* Material colours (sRGB) when the prompt names none. */
static const float material_colour[SB_SCENE_MATERIAL__COUNT][3] = {
    [SB_SCENE_MATERIAL_NONE] = {0.92f, 0.92f, 0.92f},  [SB_SCENE_MATERIAL_WOOD] = {0.62f, 0.42f, 0.25f},
    [SB_SCENE_MATERIAL_MARBLE] = {0.96f, 0.96f, 0.95f}, [SB_SCENE_MATERIAL_CONCRETE] = {0.66f, 0.65f, 0.63f},
    [SB_SCENE_MATERIAL_LINEN] = {0.86f, 0.82f, 0.74f}, [SB_SCENE_MATERIAL_SAND] = {0.87f, 0.78f, 0.62f},
    [SB_SCENE_MATERIAL_SLATE] = {0.25f, 0.27f, 0.29f}, [SB_SCENE_MATERIAL_PAPER] = {0.95f, 0.94f, 0.91f},
};

/* The material's shading at texture point (u, v), a factor on its colour (linear, about 0.4..1). */
static float shade(sb_scene_material m, float u, float v, uint64_t s)
{
    switch (m) {
    case SB_SCENE_MATERIAL_WOOD: {
        /* Growth rings: bands across the board bent by low noise, with streaks stretched along it. */
        float ring = sinf(2 * (float)M_PI * (v * 9 + 2.5f * fbm(u * 1.2f, v * 2.5f, s, 3)));
        float streak = fbm(u * 1.5f, v * 45, s + 16, 3);
        return 0.58f + 0.17f * (0.5f + 0.5f * ring) + 0.27f * streak;
    }
    case SB_SCENE_MATERIAL_MARBLE: {
        /* Veins where a diagonal sine, pushed around by turbulence, crosses zero. */
        float t = turbulence(u * 2.5f, v * 2.5f, s, 5);
        float main = powf(1 - fabsf(sinf((u * 1.6f + v * 1.1f) * (float)M_PI * 2 + 9 * t)), 12);
        float fine = powf(1 - fabsf(sinf((u * 4.0f - v * 2.5f) * (float)M_PI * 2 + 14 * t)), 24);
        return 1 - 0.50f * main - 0.22f * fine - 0.07f * fbm(u * 6, v * 6, s + 32, 3);
    }
    case SB_SCENE_MATERIAL_CONCRETE:
        return 0.80f + 0.30f * (fbm(u * 4, v * 4, s, 4) - 0.5f);
    case SB_SCENE_MATERIAL_LINEN:
        return 0.94f + 0.10f * (fbm(u * 2, v * 30, s, 3) - 0.5f);
    case SB_SCENE_MATERIAL_SAND:
        return 0.90f + 0.08f * sinf(2 * (float)M_PI * (v * 9 + 2 * fbm(u * 1.5f, v * 1.5f, s, 3)));
    case SB_SCENE_MATERIAL_SLATE: {
        /* Layers: thin bands along the stone, each a shade of its own. */
        float layer = fbm(u * 0.8f, v * 7, s, 4) * 6;
        return 0.72f + 0.22f * vnoise(floorf(layer), 0.5f, s + 16) + 0.08f * (layer - floorf(layer));
    }
    case SB_SCENE_MATERIAL_PAPER:
        return 0.97f + 0.06f * (fbm(u * 3, v * 3, s, 3) - 0.5f);
    default:
        return 1.0f;
    }
}

/* Per-pixel grain amplitude by material (a factor 1 +- amp / 2 on the pixel). */
static const float grain[SB_SCENE_MATERIAL__COUNT] = {
    [SB_SCENE_MATERIAL_WOOD] = 0.03f,  [SB_SCENE_MATERIAL_CONCRETE] = 0.12f, [SB_SCENE_MATERIAL_LINEN] = 0.04f,
    [SB_SCENE_MATERIAL_SAND] = 0.18f,  [SB_SCENE_MATERIAL_SLATE] = 0.05f,    [SB_SCENE_MATERIAL_PAPER] = 0.03f,
};

/* Light colour (linear, the strongest channel 1) and intensity at frame point (x, y) in 0..1. */
static void light_at(sb_scene_light l, float x, float y, float rgb[3])
{
    static const float magenta[3] = {1.0f, 0.18f, 0.80f}, cyan[3] = {0.12f, 0.80f, 1.0f};
    float k, t;
    switch (l) {
    case SB_SCENE_LIGHT_CANDLELIGHT:
        /* A warm pool a little above centre, falling off fast as a candle's does. */
        k = 0.45f + 0.60f * expf(-((x - 0.5f) * (x - 0.5f) + (y - 0.4f) * (y - 0.4f)) / 0.15f);
        rgb[0] = 1.0f * k, rgb[1] = 0.56f * k, rgb[2] = 0.24f * k;
        return;
    case SB_SCENE_LIGHT_DAYLIGHT:
        k = 0.90f + 0.10f * (1 - y);
        rgb[0] = 0.92f * k, rgb[1] = 0.96f * k, rgb[2] = 1.0f * k;
        return;
    case SB_SCENE_LIGHT_NEON:
        t = smooth(0.1f, 0.9f, x);
        for (int c = 0; c < 3; c++)
            rgb[c] = 0.85f * (magenta[c] + (cyan[c] - magenta[c]) * t);
        return;
    case SB_SCENE_LIGHT_GOLDEN_HOUR:
        /* Low sun from the upper right. */
        k = 0.60f + 0.45f * expf(-((x - 1) * (x - 1) + y * y) / 0.6f);
        rgb[0] = 1.0f * k, rgb[1] = 0.74f * k, rgb[2] = 0.40f * k;
        return;
    default:
        k = 0.93f + 0.07f * (1 - y);
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
                float f = op * (1 - smooth(0.8f, 1.0f, sqrtf(dx * dx + dy * dy) / R));
                float *o = at(g, i, j);
                for (int c = 0; c < 3; c++)
                    o[c] = 1 - (1 - o[c]) * (1 - f * col[c]);
            }
    }
}

static void paint_custom(grid_t *g, const sb_scene_spec_t *sp, sb_rng_t *rng)
{
    float albedo[3];
    const float *src = sp->has_colour ? sp->colour : material_colour[sp->material];
    for (int c = 0; c < 3; c++)
        albedo[c] = sb_srgb_to_linear(src[c]);
    uint64_t s = sb_rng_next(rng);
    float half_diag = sqrtf((float)g->w * g->w + (float)g->h * g->h) / 2;
    for (int j = 0; j < g->gh; j++)
        for (int i = 0; i < g->gw; i++) {
            float px = (float)(i * g->step), py = (float)(j * g->step), x = px / g->w, y = py / g->h, lit[3];
            float k = shade(sp->material, px / g->S, py / g->S, s);
            light_at(sp->light, x, y, lit);
            float *o = at(g, i, j);
            for (int c = 0; c < 3; c++)
                o[c] = albedo[c] * k * lit[c];
            if (sp->effects & SB_SCENE_GRADIENT)
                for (int c = 0; c < 3; c++)
                    o[c] += (lit[c] - o[c]) * 0.45f * (1 - y) * (1 - y);
            if (sp->effects & SB_SCENE_VIGNETTE) {
                float dx = px - g->w / 2.0f, dy = py - g->h / 2.0f;
                float v = 1 - 0.5f * smooth(0.35f, 1.1f, sqrtf(dx * dx + dy * dy) / half_diag);
                for (int c = 0; c < 3; c++)
                    o[c] *= v;
            }
        }
    if (sp->effects & SB_SCENE_BOKEH) {
        /* Discs in the light's own colour, lifted towards white. */
        float lit[3], pale[3];
        light_at(sp->light, 0.5f, 0.3f, lit);
        for (int c = 0; c < 3; c++)
            pale[c] = lit[c] + (1 - lit[c]) * 0.6f;
        discs(g, rng, 14, 0.06f, 0.12f, 0.10f, 0.22f, lit, pale, -0.05f, 0.7f);
        discs(g, rng, 18, 0.025f, 0.05f, 0.20f, 0.40f, lit, pale, -0.05f, 0.7f);
    }
}

/* Outdoor: sky to foliage down the frame with a ragged tree line, under discs of leaves and sun. */
static void paint_outdoor(grid_t *g, sb_rng_t *rng)
{
    static const float sky[3] = {0.45f, 0.68f, 0.95f}, sky_low[3] = {0.70f, 0.82f, 0.92f};
    static const float leaf[3] = {0.06f, 0.20f, 0.04f}, leaf_lit[3] = {0.22f, 0.42f, 0.06f};
    static const float sun[3] = {1.0f, 0.85f, 0.55f}, sun_pale[3] = {1.0f, 0.95f, 0.80f};
    static const float bright_leaf[3] = {0.35f, 0.70f, 0.12f}, pale_leaf[3] = {0.60f, 0.85f, 0.35f};
    uint64_t s = sb_rng_next(rng);
    for (int j = 0; j < g->gh; j++)
        for (int i = 0; i < g->gw; i++) {
            float u = (float)(i * g->step) / g->S, v = (float)(j * g->step) / g->S, y = (float)(j * g->step) / g->h;
            float line = smooth(0.22f, 0.55f, y + 0.25f * (fbm(u * 2, v * 2, s, 3) - 0.5f));
            float patch = fbm(u * 3, v * 3, s + 8, 3), sk[3], fo[3];
            float *o = at(g, i, j);
            for (int c = 0; c < 3; c++) {
                sk[c] = sky[c] + (sky_low[c] - sky[c]) * smooth(0, 0.5f, y);
                fo[c] = leaf[c] + (leaf_lit[c] - leaf[c]) * patch;
                o[c] = sk[c] + (fo[c] - sk[c]) * line;
            }
        }
    discs(g, rng, 12, 0.08f, 0.16f, 0.10f, 0.20f, bright_leaf, pale_leaf, 0.35f, 1.05f);
    discs(g, rng, 10, 0.04f, 0.09f, 0.15f, 0.35f, sun, sun_pale, -0.05f, 0.6f);
    discs(g, rng, 16, 0.02f, 0.05f, 0.15f, 0.35f, bright_leaf, pale_leaf, 0.3f, 1.05f);
}

/* Upsample the grid into `out` (linear) with the material's grain; linen also gets its weave. */
static void upsample(const grid_t *g, sb_scene_material m, uint64_t seed, sb_fimage_t *out)
{
    float amp = grain[m], inv = 1.0f / g->step;
    int period = g->S / 220 > 3 ? (int)(g->S / 220) : 3;
    for (int y = 0; y < g->h; y++) {
        int j = y / g->step;
        float ty = (float)(y - j * g->step) * inv;
        const float *r0 = g->p + (size_t)j * g->gw * 3, *r1 = r0 + (size_t)g->gw * 3;
        float *o = out->data + (size_t)y * g->w * 3;
        for (int i = 0, x = 0; x < g->w; i++)
            for (int k = 0; k < g->step && x < g->w; k++, x++, o += 3) {
                float tx = k * inv, f = 1;
                for (int c = 0; c < 3; c++) {
                    float top = r0[i * 3 + c] + (r0[i * 3 + 3 + c] - r0[i * 3 + c]) * tx;
                    float bottom = r1[i * 3 + c] + (r1[i * 3 + 3 + c] - r1[i * 3 + c]) * tx;
                    o[c] = top + (bottom - top) * ty;
                }
                if (amp > 0) {
                    uint64_t h = hash2(x, y, seed);
                    f = 1 + amp * (unit(h) - 0.5f);
                    /* Concrete: rare dark pores. */
                    if (m == SB_SCENE_MATERIAL_CONCRETE && (h & 0x3ff) < 4)
                        f *= 0.6f;
                }
                if (m == SB_SCENE_MATERIAL_LINEN) {
                    /* Plain weave: in alternate cells the warp or the weft is on top, each thread
                     * rounded across its width. */
                    int cx = x / period, cy = y / period;
                    float across = ((cx + cy) & 1) ? (float)(y - cy * period) : (float)(x - cx * period);
                    f *= 0.86f + 0.14f * sinf((float)M_PI * (across + 0.5f) / period);
                }
                for (int c = 0; c < 3; c++)
                    o[c] *= f;
            }
    }
}

static sb_err render_grid(sb_scene_preset p, const sb_scene_spec_t *sp, uint64_t seed, int w, int h,
                          sb_fimage_t *out, sb_error_t *e)
{
    grid_t g = {.w = w, .h = h, .S = (float)(w < h ? w : h)};
    int longer = w > h ? w : h;
    g.step = (longer + GRID_MAX - 1) / GRID_MAX;
    g.gw = (w - 1) / g.step + 2;
    g.gh = (h - 1) / g.step + 2;
    g.p = malloc(sizeof *g.p * 3 * (size_t)g.gw * g.gh);
    if (!g.p)
        return sb_error_set(e, SB_ERR_NOMEM, "preset", "out of memory for a %dx%d scene", w, h);
    sb_err err = sb_fimage_alloc(out, w, h, 3, e);
    if (err) {
        free(g.p);
        return err;
    }
    sb_rng_t root = sb_rng_seed(seed), rng = sb_rng_split(&root, LAYOUT_STREAM + (uint64_t)p);
    if (p == SB_SCENE_OUTDOOR)
        paint_outdoor(&g, &rng);
    else
        paint_custom(&g, sp, &rng);
    upsample(&g, p == SB_SCENE_OUTDOOR ? SB_SCENE_MATERIAL_NONE : sp->material, sb_rng_next(&rng), out);
    free(g.p);
    sb_fimage_linear_to_srgb(out);
    sb_backdrop_dither(out, seed);
    return SB_OK;
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
    *out = (sb_fimage_t){0};
    if ((unsigned)p >= SB_SCENE__COUNT || p == SB_SCENE_TRANSPARENT)
        return sb_error_set(e, SB_ERR_USAGE, "preset", "the %s preset is not rendered: the pipeline writes alpha",
                            sb_scene_preset_name(p));
    if (p == SB_SCENE_CUSTOM && (!custom || (unsigned)custom->material >= SB_SCENE_MATERIAL__COUNT ||
                                 (unsigned)custom->light >= SB_SCENE_LIGHT__COUNT))
        return sb_error_set(e, SB_ERR_USAGE, "preset", "the custom preset needs a valid scene spec");
    if (width < 1 || height < 1)
        return sb_error_set(e, SB_ERR_USAGE, "preset", "scene size %dx%d", width, height);
    if (p == SB_SCENE_MARBLE) {
        static const sb_scene_spec_t marble = {.material = SB_SCENE_MATERIAL_MARBLE};
        return render_grid(p, &marble, seed, width, height, out, e);
    }
    if (p == SB_SCENE_CUSTOM || p == SB_SCENE_OUTDOOR)
        return render_grid(p, custom, seed, width, height, out, e);

    sb_err err = sb_fimage_alloc(out, width, height, 3, e);
    if (err)
        return err;
    float flat[3];
    if (sb_scene_flat(p, flat)) {
        /* Exact white, not dithered: marketplaces check for #FFFFFF. */
        for (size_t i = 0; i < (size_t)width * height * 3; i++)
            out->data[i] = flat[i % 3];
        return SB_OK;
    }
    for (int y = 0; y < height; y++) {
        float t = height > 1 ? (float)y / (height - 1) : 0, v = 1 - (1 - GRADIENT_LIGHT_BOTTOM) * t * t;
        for (size_t i = (size_t)y * width * 3; i < (size_t)(y + 1) * width * 3; i++)
            out->data[i] = v;
    }
    sb_backdrop_dither(out, seed);
    return SB_OK;
}
