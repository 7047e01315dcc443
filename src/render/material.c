/* material.c - surface materials for the product scenes: smooth albedo for the coarse grid, per-pixel detail
 * (see material.h). Lengths are in units of the canvas's shorter side S unless named px. */
#include "render/material.h"

#include <math.h>

#include "render/noise.h"

#define PI_F 3.14159265f

static const float own_colour[SB_SCENE_MATERIAL__COUNT][3] = {
    [SB_SCENE_MATERIAL_NONE] = {0.92f, 0.92f, 0.92f},  [SB_SCENE_MATERIAL_WOOD] = {0.60f, 0.40f, 0.24f},
    [SB_SCENE_MATERIAL_MARBLE] = {0.95f, 0.95f, 0.94f}, [SB_SCENE_MATERIAL_CONCRETE] = {0.64f, 0.63f, 0.61f},
    [SB_SCENE_MATERIAL_LINEN] = {0.85f, 0.81f, 0.73f}, [SB_SCENE_MATERIAL_SAND] = {0.87f, 0.78f, 0.62f},
    [SB_SCENE_MATERIAL_SLATE] = {0.25f, 0.27f, 0.29f}, [SB_SCENE_MATERIAL_PAPER] = {0.95f, 0.94f, 0.91f},
};

/* Wood: boards PLANK_W wide running along x, cut into lengths of PLANK_LEN, each length shifted by its own
 * random phase; the gap between boards is SEAM_PX px at S = 2000. */
#define PLANK_W 0.19f
#define PLANK_LEN 1.7f
#define SEAM_PX 1.6f
/* Marble's vein colour (linear): a cool grey, as in Carrara's veins. */
static const float vein_colour[3] = {0.26f, 0.27f, 0.30f};

void sb_material_colour(sb_scene_material m, float srgb[3])
{
    const float *c = own_colour[(unsigned)m < SB_SCENE_MATERIAL__COUNT ? m : 0];
    srgb[0] = c[0], srgb[1] = c[1], srgb[2] = c[2];
}

static void scale(const float base[3], float k, float rgb[3])
{
    for (int c = 0; c < 3; c++)
        rgb[c] = base[c] * k;
}

/* A vein: 1 on the line where `phase` crosses an integer, falling off as a Gaussian of |sin| over `width`. */
static float vein(float phase, float width)
{
    float d = fabsf(sinf(PI_F * phase)) / width;
    return expf(-d * d);
}

/* Marble: a white stone, faintly clouded, crossed by a few long grey veins that run along a seeded direction,
 * wander (domain warp), swell and thin, fade in and out and carry a soft grey halo; fine veins branch off
 * them in fragments. */
static void marble(const float base[3], float u, float v, uint64_t s, float rgb[3])
{
    float ang = (0.15f + 0.25f * sb_noise_unit(s)) * PI_F, ca = cosf(ang), sa = sinf(ang);
    float wu = u + 0.50f * (sb_noise_fbm(u * 0.9f, v * 0.9f, s + 1, 3) - 0.5f);
    float wv = v + 0.50f * (sb_noise_fbm(u * 0.9f + 7.3f, v * 0.9f + 2.1f, s + 5, 3) - 0.5f);
    float along = wu * ca + wv * sa, across = -wu * sa + wv * ca;
    /* Main veins about 0.4 S apart; width and strength vary along them. */
    float bend = 1.6f * sb_noise_fbm(along * 1.1f, across * 0.6f, s + 9, 4) +
                 0.16f * sb_noise_turbulence(along * 5.0f, across * 5.0f, s + 41, 2);
    float width = 0.03f + 0.10f * sb_noise_value(along * 2.5f, across * 0.8f, s + 13);
    float strength = 0.25f + 0.75f * sb_noise_smooth(0.25f, 0.60f, sb_noise_value(along * 1.6f, across * 1.0f, s + 17));
    float ph = across * 2.4f + bend;
    float main = strength * vein(ph, width), halo = strength * vein(ph, width * 7);
    /* Fine veins: steeper, denser, and only in places. */
    float fph = (along * 0.7f + across * 4.5f) + 2.0f * sb_noise_fbm(along * 1.8f, across * 1.8f, s + 21, 2) +
                0.5f * sb_noise_turbulence(along * 7.0f, across * 7.0f, s + 45, 2);
    float fine = sb_noise_smooth(0.40f, 0.70f, sb_noise_value(along * 2.2f, across * 2.2f, s + 25)) *
                 vein(fph, 0.025f + 0.05f * sb_noise_value(along * 5, across * 5, s + 29));
    /* Grey clouds drifting along the veins' direction. */
    float cloud = sb_noise_fbm(along * 1.4f, across * 3.0f, s + 33, 3);
    float grey = 0.20f * sb_noise_smooth(0.42f, 0.85f, cloud) + 0.04f * sb_noise_value(u * 20, v * 20, s + 37);
    float a = fminf(1, 0.55f * main + 0.22f * halo + 0.22f * fine + grey);
    for (int c = 0; c < 3; c++)
        rgb[c] = base[c] * (1 - a) + vein_colour[c] * a;
}

/* Which board length (plank row i, length k) texture point (u, v) lies on, and where along it. */
static void board(float u, float v, uint64_t s, int *i, int *k, float *along)
{
    *i = (int)floorf(v / PLANK_W);
    float shift = sb_noise_unit(sb_noise_hash2(*i, 0, s + 40)) * PLANK_LEN;
    float t = (u + shift) / PLANK_LEN;
    *k = (int)floorf(t);
    *along = (t - (float)*k) * PLANK_LEN;
}

/* Wood: boards of one species, each length its own tone; on each, growth rings cut lengthways (flat-sawn:
 * bands along the board, bent into long arches) and fine fibres stretched along it. */
static void wood(const float base[3], float u, float v, uint64_t s, float rgb[3])
{
    int i, k;
    float along;
    board(u, v, s, &i, &k, &along);
    uint64_t h = sb_noise_hash2(i, k, s + 41);
    float local = v - (float)i * PLANK_W, tone = 0.72f + 0.44f * sb_noise_unit(h);
    float redder = 0.06f * (sb_noise_unit(h >> 7) - 0.5f);
    uint64_t bs = s + 64 + (h & 0xffff);
    /* Rings: a slowly varying position across the board, arching along it. */
    float centre = PLANK_W * (0.2f + 0.6f * sb_noise_unit(h >> 20));
    float arch = (local - centre) * (local - centre) * 6.0f;
    float freq = 9 + 10 * sb_noise_unit(h >> 30);
    float pos = (local * 2.5f + arch + 0.45f * sb_noise_fbm(along * 0.9f, local * 4, bs, 4)) * freq;
    float f = pos - floorf(pos), lw = 0.45f + 0.35f * sb_noise_value(pos, along * 0.5f, bs + 4);
    float late = sb_noise_smooth(lw, lw + 0.35f, f) * (1 - sb_noise_smooth(0.85f, 1.0f, f));
    float fibre = sb_noise_fbm(along * 2.0f, local * 180, bs + 8, 3);
    float figure = sb_noise_fbm(along * 3.0f, local * 25, bs + 12, 3);
    float k_lum = tone * (1 - 0.26f * late) * (0.80f + 0.26f * fibre + 0.14f * figure);
    rgb[0] = base[0] * k_lum * (1 + redder), rgb[1] = base[1] * k_lum * (1 - 0.08f * late);
    rgb[2] = base[2] * k_lum * (1 - redder) * (1 - 0.12f * late);
}

/* Concrete: cast and trowelled: broad cloudy mottling at two scales, darker damp patches. */
static void concrete(const float base[3], float u, float v, uint64_t s, float rgb[3])
{
    float broad = sb_noise_fbm(u * 2.5f, v * 2.5f, s, 5), mid = sb_noise_fbm(u * 11, v * 11, s + 8, 3);
    float damp = sb_noise_smooth(0.58f, 0.80f, sb_noise_fbm(u * 1.4f + 3, v * 1.4f, s + 16, 3));
    float k = (0.86f + 0.26f * (broad - 0.5f) + 0.10f * (mid - 0.5f)) * (1 - 0.12f * damp);
    float warm = 0.03f * (sb_noise_value(u * 1.5f, v * 1.5f, s + 24) - 0.5f);
    rgb[0] = base[0] * k * (1 + warm), rgb[1] = base[1] * k, rgb[2] = base[2] * k * (1 - warm);
}

/* Linen: soft folds (long, diagonal, low relief) and slubs, thicker stretches of the weft. */
static void linen(const float base[3], float u, float v, uint64_t s, float rgb[3])
{
    float fold = sb_noise_fbm((u + v) * 1.2f, (u - v) * 4.0f, s, 3);
    float slub = sb_noise_fbm(u * 2.0f, v * 90, s + 8, 2);
    scale(base, (0.90f + 0.14f * fold) * (0.96f + 0.08f * slub), rgb);
}

void sb_material_albedo(sb_scene_material m, const float base[3], float u, float v, uint64_t s, float rgb[3])
{
    switch (m) {
    case SB_SCENE_MATERIAL_MARBLE:
        marble(base, u, v, s, rgb);
        return;
    case SB_SCENE_MATERIAL_WOOD:
        wood(base, u, v, s, rgb);
        return;
    case SB_SCENE_MATERIAL_CONCRETE:
        concrete(base, u, v, s, rgb);
        return;
    case SB_SCENE_MATERIAL_LINEN:
        linen(base, u, v, s, rgb);
        return;
    case SB_SCENE_MATERIAL_SAND:
        scale(base, 0.90f + 0.08f * sinf(2 * PI_F * (v * 9 + 2 * sb_noise_fbm(u * 1.5f, v * 1.5f, s, 3))), rgb);
        return;
    case SB_SCENE_MATERIAL_SLATE: {
        /* Layers: thin bands along the stone, each a shade of its own. */
        float layer = sb_noise_fbm(u * 0.8f, v * 7, s, 4) * 6;
        scale(base, 0.72f + 0.22f * sb_noise_value(floorf(layer), 0.5f, s + 16) + 0.08f * (layer - floorf(layer)),
              rgb);
        return;
    }
    case SB_SCENE_MATERIAL_PAPER:
        scale(base, 0.97f + 0.06f * (sb_noise_fbm(u * 3, v * 3, s, 3) - 0.5f), rgb);
        return;
    default:
        scale(base, 1, rgb);
    }
}

int sb_material_has_detail(sb_scene_material m)
{
    return m != SB_SCENE_MATERIAL_NONE && m != SB_SCENE_MATERIAL_MARBLE;
}

/* Uniform grain: a factor 1 +- amp / 2. */
static float grain(int x, int y, uint64_t s, float amp)
{
    return 1 + amp * (sb_noise_unit(sb_noise_hash2(x, y, s)) - 0.5f);
}

/* The k-th 12-bit field of `h` as a float in [0, 1): five independent draws from one hash. */
static float field(uint64_t h, int k)
{
    return (float)((h >> (12 * k)) & 0xfff) * (1.0f / 4096.0f);
}

/* Round specks on a jittered grid of `cell` px: in a fraction `p` of the cells, one speck of radius rmin..rmax
 * px (kept inside its cell), returned as its coverage of (x, y) (0..1, a soft 1 px edge) and its random tone
 * in *tone (0..1). */
static float speck(int x, int y, float cell, float p, float rmin, float rmax, uint64_t s, float *tone)
{
    int cx = (int)floorf((float)x / cell), cy = (int)floorf((float)y / cell);
    uint64_t h = sb_noise_hash2(cx, cy, s);
    *tone = field(h, 4);
    if (field(h, 0) >= p)
        return 0;
    float r = rmin + (rmax - rmin) * field(h, 1), room = cell - 2 * r;
    float px = (float)cx * cell + r + room * field(h, 2), py = (float)cy * cell + r + room * field(h, 3);
    float dx = (float)x + 0.5f - px, dy = (float)y + 0.5f - py, d = sqrtf(dx * dx + dy * dy);
    return fminf(1, fmaxf(0, r + 0.5f - d));
}

/* Concrete: fine grain, aggregate (small lighter and darker stones showing in the surface) and pores
 * (dark air holes with a light lip). */
static float concrete_detail(int x, int y, float S, uint64_t s)
{
    float k = S / 2000, f = grain(x, y, s, 0.07f), tone;
    float a = speck(x, y, 7 * k + 2, 0.35f, 0.6f * k + 0.3f, 1.8f * k + 0.4f, s + 1, &tone);
    f *= 1 + a * (tone < 0.5f ? -0.10f : 0.09f);
    float cell = 26 * k + 6, pore = speck(x, y, cell, 0.30f, 0.8f * k + 0.4f, 3.6f * k + 0.6f, s + 2, &tone);
    f *= 1 - (0.35f + 0.25f * tone) * pore;
    return f;
}

/* Linen: a plain weave of threads `period` px apart; each warp (vertical) and weft (horizontal) thread has a
 * tone of its own, and in alternate cells one or the other lies on top, rounded across its width. */
static float linen_detail(int x, int y, float S, uint64_t s)
{
    float period = fmaxf(3, S / 170);
    int tx = (int)floorf((float)x / period), ty = (int)floorf((float)y / period);
    float fx = (float)x - (float)tx * period, fy = (float)y - (float)ty * period;
    int warp_on_top = (tx + ty) & 1;
    float across = warp_on_top ? fx : fy;
    /* A thread's tone varies from thread to thread and slowly along it (slubs). */
    float warp = 0.08f * (sb_noise_unit(sb_noise_hash2(tx, 1, s)) - 0.5f) +
                 0.05f * (sb_noise_value((float)y / (period * 9), (float)tx, s + 3) - 0.5f);
    float weft = 0.08f * (sb_noise_unit(sb_noise_hash2(2, ty, s)) - 0.5f) +
                 0.05f * (sb_noise_value((float)x / (period * 9), (float)ty, s + 5) - 0.5f);
    float round = sinf(PI_F * (across + 0.5f) / period);
    return (0.80f + 0.20f * round) * (1 + (warp_on_top ? warp : weft)) * grain(x, y, s + 7, 0.03f);
}

/* Wood: the dark gap between boards and at each board's end, and fibre grain stretched along the board. */
static float wood_detail(int x, int y, float S, uint64_t s)
{
    float k = S / 2000, u = (float)x / S, v = (float)y / S, seam = SEAM_PX * k + 0.6f;
    float pw = PLANK_W * S, fy = (float)y + 0.5f - floorf(((float)y + 0.5f) / pw) * pw;
    float dy = fminf(fy, pw - fy);
    int i, b;
    float along;
    board(u, v, s, &i, &b, &along);
    float dx = fminf(along, PLANK_LEN - along) * S, d = fminf(dy, dx);
    float gap = expf(-(d / seam) * (d / seam));
    /* The board's edge catches a little light just past the gap. */
    float bevel = d > seam && d < 3 * seam ? 0.04f : 0;
    float fibre = (0.975f + 0.05f * sb_noise_value((float)x / (6 * k + 1), (float)y, s + 3)) * grain(x, y, s + 4, 0.02f);
    return (1 - 0.62f * gap + bevel) * fibre;
}

float sb_material_detail(sb_scene_material m, int x, int y, float S, uint64_t s)
{
    switch (m) {
    case SB_SCENE_MATERIAL_CONCRETE:
        return concrete_detail(x, y, S, s);
    case SB_SCENE_MATERIAL_LINEN:
        return linen_detail(x, y, S, s);
    case SB_SCENE_MATERIAL_WOOD:
        return wood_detail(x, y, S, s);
    case SB_SCENE_MATERIAL_SAND:
        return grain(x, y, s, 0.18f);
    case SB_SCENE_MATERIAL_SLATE:
        return grain(x, y, s, 0.05f);
    case SB_SCENE_MATERIAL_PAPER:
        return grain(x, y, s, 0.03f);
    default:
        return 1;
    }
}
