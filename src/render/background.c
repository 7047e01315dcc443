/* background.c - avatar backgrounds painted in linear light from a palette, then dithered in sRGB. */
#include "render/background.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "image/colour.h"
#include "render/backdrop.h"
#include "util/rng.h"

static const char *const names[SB_BACKGROUND__COUNT] = {
    [SB_BACKGROUND_STUDIO_LIGHT] = "studio_light",     [SB_BACKGROUND_STUDIO_DARK] = "studio_dark",
    [SB_BACKGROUND_GRADIENT] = "gradient",             [SB_BACKGROUND_NEON_GEOMETRIC] = "neon_geometric",
    [SB_BACKGROUND_BOKEH] = "bokeh",                   [SB_BACKGROUND_ORIGINAL_BLUR] = "original_blur",
    [SB_BACKGROUND_TRANSPARENT] = "transparent",
};

/* Dark studio: the pool is 40% of the way (linear) from the deep shade to the colour, with a stronger
 * vignette than the light paper's. */
#define DARK_POOL 0.40f
#define DARK_VIGNETTE 0.35f
/* Gradient angles, y down: the light end always lies in the upper half, as light falls from above. */
#define GRADIENT_MIN_DEG 20.0f
#define GRADIENT_MAX_DEG 160.0f
/* Layout streams sit far from the dither's per-row streams. */
#define LAYOUT_STREAM (1ull << 32)

sb_err sb_background_parse(const char *name, sb_background_kind *out, sb_error_t *e)
{
    for (int k = 0; name && k < SB_BACKGROUND__COUNT; k++)
        if (strcmp(name, names[k]) == 0) {
            *out = (sb_background_kind)k;
            return SB_OK;
        }
    char list[160] = "";
    for (int k = 0; k < SB_BACKGROUND__COUNT; k++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", k ? ", " : "", names[k]);
    return sb_error_set(e, SB_ERR_USAGE, "background", "background must be one of %s; got \"%.32s\"", list,
                        name ? name : "");
}

const char *sb_background_name(sb_background_kind kind)
{
    return (unsigned)kind < SB_BACKGROUND__COUNT ? names[kind] : "unknown";
}

static float rnd(sb_rng_t *r, float lo, float hi)
{
    return lo + (hi - lo) * sb_rng_float(r);
}

static void to_linear(const float srgb[3], float lin[3])
{
    for (int c = 0; c < 3; c++)
        lin[c] = sb_srgb_to_linear(srgb[c]);
}

static void mix(const float a[3], const float b[3], float t, float out[3])
{
    for (int c = 0; c < 3; c++)
        out[c] = a[c] + (b[c] - a[c]) * t;
}

static float smooth(float e0, float e1, float v)
{
    float t = (v - e0) / (e1 - e0);
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    return t * t * (3 - 2 * t);
}

static sb_err studio(const sb_palette_t *p, int dark, uint64_t seed, int w, int h, sb_fimage_t *out, sb_error_t *e)
{
    sb_backdrop_t b = SB_BACKDROP_STUDIO_GREY;
    b.seed = seed;
    if (!dark) {
        memcpy(b.centre, p->light, sizeof b.centre);
        memcpy(b.edge, p->base, sizeof b.edge);
    } else {
        float d[3], c[3];
        to_linear(p->dark, d);
        to_linear(p->base, c);
        mix(d, c, DARK_POOL, c);
        for (int k = 0; k < 3; k++)
            b.centre[k] = sb_linear_to_srgb(c[k]);
        memcpy(b.edge, p->dark, sizeof b.edge);
        b.vignette = DARK_VIGNETTE;
    }
    return sb_backdrop_render(&b, w, h, out, e);
}

static void gradient(const sb_palette_t *p, sb_rng_t *rng, sb_fimage_t *out)
{
    int w = out->width, h = out->height;
    float a = rnd(rng, GRADIENT_MIN_DEG, GRADIENT_MAX_DEG) * (float)M_PI / 180.0f, dx = cosf(a), dy = sinf(a);
    float top[3], bottom[3];
    to_linear(p->light, top);
    to_linear(p->base, bottom);
    /* t runs 0..1 from corner to corner along the axis. */
    float span = fabsf(dx) * w + fabsf(dy) * h;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            float t = 0.5f + ((x + 0.5f - w / 2.0f) * dx + (y + 0.5f - h / 2.0f) * dy) / span;
            mix(top, bottom, t, out->data + ((size_t)y * w + x) * 3);
        }
}

/* Neon: each shape is a chain of segments (a line, a closed polygon) or a ring. Light falls off as
 * glow / (1 + (d / g)^2) from the tube, a long-tailed halo like bloom in a lens; the tube itself is
 * white-hot at the core, coloured around it. Sizes are fractions of the shorter side S. */
#define NEON_MAX_SHAPES 8
#define NEON_MIN_SHAPES 6
#define NEON_CORE 1.6f
#define NEON_WHITE 0.25f
#define NEON_GLOW 0.35f

typedef struct {
    int npts, closed, ring;
    float pt[4][2], r;      /* polygon vertices, or the ring's centre pt[0] and radius r */
    float core, glow;       /* tube half width and halo radius, pixels */
    float col[3];           /* linear */
} shape_t;

static float segment_dist(float px, float py, const float a[2], const float b[2])
{
    float vx = b[0] - a[0], vy = b[1] - a[1], wx = px - a[0], wy = py - a[1];
    float t = (wx * vx + wy * vy) / (vx * vx + vy * vy + 1e-12f);
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    float ex = wx - t * vx, ey = wy - t * vy;
    return sqrtf(ex * ex + ey * ey);
}

static float shape_dist(const shape_t *s, float px, float py)
{
    if (s->ring) {
        float dx = px - s->pt[0][0], dy = py - s->pt[0][1];
        return fabsf(sqrtf(dx * dx + dy * dy) - s->r);
    }
    float d = INFINITY;
    int edges = s->closed ? s->npts : s->npts - 1;
    for (int i = 0; i < edges; i++)
        d = fminf(d, segment_dist(px, py, s->pt[i], s->pt[(i + 1) % s->npts]));
    return d;
}

static int neon_shapes(const sb_palette_t *p, sb_rng_t *rng, int w, int h, shape_t *shapes)
{
    float S = (float)(w < h ? w : h), accent[3], light[3];
    to_linear(p->accent, accent);
    to_linear(p->light, light);
    int n = NEON_MIN_SHAPES + (int)(sb_rng_next(rng) % (NEON_MAX_SHAPES - NEON_MIN_SHAPES + 1));
    for (int i = 0; i < n; i++) {
        shape_t *s = &shapes[i];
        *s = (shape_t){0};
        float cx = rnd(rng, 0, (float)w), cy = rnd(rng, 0, (float)h), turn = rnd(rng, 0, 2 * (float)M_PI);
        float pick = sb_rng_float(rng);
        if (pick < 0.35f) {
            float len = rnd(rng, 0.5f, 1.2f) * S / 2;
            s->npts = 2;
            s->pt[0][0] = cx - len * cosf(turn), s->pt[0][1] = cy - len * sinf(turn);
            s->pt[1][0] = cx + len * cosf(turn), s->pt[1][1] = cy + len * sinf(turn);
        } else if (pick < 0.65f) {
            s->ring = 1;
            s->pt[0][0] = cx, s->pt[0][1] = cy, s->r = rnd(rng, 0.08f, 0.30f) * S;
        } else {
            s->npts = pick < 0.85f ? 3 : 4;
            s->closed = 1;
            float r = rnd(rng, 0.10f, 0.28f) * S;
            for (int k = 0; k < s->npts; k++) {
                float a = turn + 2 * (float)M_PI * k / s->npts;
                s->pt[k][0] = cx + r * cosf(a), s->pt[k][1] = cy + r * sinf(a);
            }
        }
        s->core = rnd(rng, 0.004f, 0.007f) * S;
        s->glow = rnd(rng, 0.02f, 0.04f) * S;
        mix(accent, light, rnd(rng, 0, 0.25f), s->col);
    }
    return n;
}

static void neon(const sb_palette_t *p, sb_rng_t *rng, sb_fimage_t *out)
{
    int w = out->width, h = out->height;
    shape_t shapes[NEON_MAX_SHAPES];
    int n = neon_shapes(p, rng, w, h, shapes);
    float ground[3];
    to_linear(p->dark, ground);
    for (int y = 0; y < h; y++) {
        float fall = 1.0f - 0.45f * (y + 0.5f) / h; /* the night deepens towards the floor */
        for (int x = 0; x < w; x++) {
            float *o = out->data + ((size_t)y * w + x) * 3, px = x + 0.5f, py = y + 0.5f;
            for (int c = 0; c < 3; c++)
                o[c] = ground[c] * fall;
            for (int i = 0; i < n; i++) {
                const shape_t *s = &shapes[i];
                float d = shape_dist(s, px, py), q = d / s->glow;
                float core = 1.0f - smooth(s->core - 0.75f, s->core + 0.75f, d);
                float glow = NEON_GLOW / (1 + q * q);
                for (int c = 0; c < 3; c++)
                    o[c] += s->col[c] * (core * NEON_CORE + glow) + core * NEON_WHITE;
            }
        }
    }
}

/* Bokeh: three depth layers of discs, big dim and soft far away, small bright and crisp near by. Each
 * disc is flat with a slightly bright rim and a soft edge, the look of an out-of-focus highlight through
 * a real lens. The ground is the deep shade with a soft glow of the colour behind the head. */
typedef struct {
    int count;
    float rmin, rmax, omin, omax, soft; /* radius (of S), opacity, edge width (of the radius) */
} layer_t;

static const layer_t bokeh_layers[] = {
    {9, 0.10f, 0.16f, 0.05f, 0.10f, 0.35f},
    {14, 0.05f, 0.09f, 0.10f, 0.20f, 0.18f},
    {18, 0.025f, 0.05f, 0.18f, 0.35f, 0.10f},
};

#define BOKEH_RIM 0.35f
#define BOKEH_GROUND_GLOW 0.35f

static void bokeh(const sb_palette_t *p, sb_rng_t *rng, sb_fimage_t *out)
{
    int w = out->width, h = out->height;
    float S = (float)(w < h ? w : h), half_diag = sqrtf((float)w * w + (float)h * h) / 2;
    float dark[3], base[3], light[3], accent[3];
    to_linear(p->dark, dark);
    to_linear(p->base, base);
    to_linear(p->light, light);
    to_linear(p->accent, accent);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            float dx = x + 0.5f - 0.5f * w, dy = y + 0.5f - 0.38f * h;
            float t = BOKEH_GROUND_GLOW * (1 - smooth(0, 1, sqrtf(dx * dx + dy * dy) / half_diag));
            mix(dark, base, t, out->data + ((size_t)y * w + x) * 3);
        }
    for (size_t l = 0; l < sizeof bokeh_layers / sizeof *bokeh_layers; l++) {
        const layer_t *ly = &bokeh_layers[l];
        for (int i = 0; i < ly->count; i++) {
            float cx = rnd(rng, -0.1f, 1.1f) * w, cy = rnd(rng, -0.1f, 1.1f) * h;
            float R = rnd(rng, ly->rmin, ly->rmax) * S, op = rnd(rng, ly->omin, ly->omax), col[3];
            mix(light, accent, sb_rng_float(rng), col);
            int x0 = (int)fmaxf(0, floorf(cx - R)), x1 = (int)fminf((float)w - 1, ceilf(cx + R));
            int y0 = (int)fmaxf(0, floorf(cy - R)), y1 = (int)fminf((float)h - 1, ceilf(cy + R));
            for (int y = y0; y <= y1; y++)
                for (int x = x0; x <= x1; x++) {
                    float dx = (x + 0.5f - cx) / R, dy = (y + 0.5f - cy) / R, r2 = dx * dx + dy * dy;
                    if (r2 >= 1)
                        continue;
                    float f = op * (1 + BOKEH_RIM * r2 * r2) * (1 - smooth(1 - ly->soft, 1, sqrtf(r2)));
                    float *o = out->data + ((size_t)y * w + x) * 3;
                    for (int c = 0; c < 3; c++)
                        o[c] += col[c] * f;
                }
        }
    }
}

/* Emissive scenes (neon, bokeh) add light without bound: 1 - exp(-v) rolls it off like film, and is
 * near identity on the dark grounds. */
static void expose(sb_fimage_t *img)
{
    size_t n = (size_t)img->width * img->height * img->bands;
    for (size_t i = 0; i < n; i++)
        img->data[i] = 1.0f - expf(-img->data[i]);
}

sb_err sb_background_render(sb_background_kind kind, const sb_palette_t *p, uint64_t seed, int width, int height,
                            sb_fimage_t *out, sb_error_t *e)
{
    *out = (sb_fimage_t){0};
    if ((unsigned)kind >= SB_BACKGROUND__COUNT || kind == SB_BACKGROUND_ORIGINAL_BLUR ||
        kind == SB_BACKGROUND_TRANSPARENT)
        return sb_error_set(e, SB_ERR_USAGE, "background", "the %s background is made from the photo, not rendered",
                            sb_background_name(kind));
    if (width < 1 || height < 1)
        return sb_error_set(e, SB_ERR_USAGE, "background", "background size %dx%d", width, height);
    if (kind == SB_BACKGROUND_STUDIO_LIGHT || kind == SB_BACKGROUND_STUDIO_DARK)
        return studio(p, kind == SB_BACKGROUND_STUDIO_DARK, seed, width, height, out, e);

    sb_err err = sb_fimage_alloc(out, width, height, 3, e);
    if (err)
        return err;
    sb_rng_t root = sb_rng_seed(seed), rng = sb_rng_split(&root, LAYOUT_STREAM + (uint64_t)kind);
    if (kind == SB_BACKGROUND_GRADIENT) {
        gradient(p, &rng, out);
    } else if (kind == SB_BACKGROUND_NEON_GEOMETRIC) {
        neon(p, &rng, out);
        expose(out);
    } else {
        bokeh(p, &rng, out);
        expose(out);
    }
    sb_fimage_linear_to_srgb(out);
    sb_backdrop_dither(out, seed);
    return SB_OK;
}
