/* bokeh.c - disc blur on a pooled grid: expand highlights, pool with the person left out, fill the hole
 * (push-pull, image/fill.c), disc blur by row prefix sums, compress, sample back. */
#include "render/bokeh.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "image/colour.h"
#include "image/fill.h"
#include "image/filter.h"
#include "render/backdrop.h"

/* Highlights: linear colour is scaled by 1 / (1 - K L) (L its luminance), an inverse Reinhard curve
 * that lifts white 12.5 times and mid grey little; after the blur, c / (1 + K L) undoes it exactly on
 * flat areas, while a small bright point, now spread over a disc, keeps its extra energy and shows. */
#define HIGHLIGHT_K 0.92f
/* Person pixels (alpha >= 0.5) weigh next to nothing. The floor keeps the fill defined when there is no
 * background at all (it is then the photo's mean colour); it is small enough that even summed over the
 * 4^12 cells of a 4096-pixel grid it stays negligible beside one background cell. */
#define WEIGHT_FLOOR 1e-9f
#define MIN_GRID_RADIUS 4.0f
#define MAX_POOL 4
#define DITHER_SEED 0x626f6b6568ull

typedef struct {
    int w, h;
    float *p; /* 4 bands: colour x weight (3), weight */
} level_t;

static float weight_of(float alpha)
{
    float w = 1.0f - 2.0f * alpha;
    return w > 0 ? w * w + WEIGHT_FLOOR : WEIGHT_FLOOR;
}

/* Mean of expanded colour x weight and of weight over each s x s cell of the linear image. */
static void pool(const sb_fimage_t *lin, const sb_fimage_t *alpha, int s, level_t *g)
{
    int w = lin->width, h = lin->height;
    for (int gy = 0; gy < g->h; gy++) {
        int y1 = gy * s + s < h ? gy * s + s : h;
        for (int gx = 0; gx < g->w; gx++) {
            int x1 = gx * s + s < w ? gx * s + s : w;
            float acc[4] = {0};
            for (int y = gy * s; y < y1; y++)
                for (int x = gx * s; x < x1; x++) {
                    size_t i = (size_t)y * w + x;
                    const float *c = lin->data + i * 3;
                    float wt = alpha ? weight_of(alpha->data[i]) : 1.0f;
                    float k = wt / (1.0f - HIGHLIGHT_K * fminf(1.0f, sb_luma(c)));
                    acc[0] += c[0] * k, acc[1] += c[1] * k, acc[2] += c[2] * k, acc[3] += wt;
                }
            float inv = 1.0f / (float)((y1 - gy * s) * (x1 - gx * s));
            float *o = g->p + ((size_t)gy * g->w + gx) * 4;
            for (int b = 0; b < 4; b++)
                o[b] = acc[b] * inv;
        }
    }
}

/* Add to a[0..3] the span of half width k + frac centred on column x of one row (prefix sums p, pixels
 * row), clipped to the row's w columns. */
static void add_clipped_span(double *a, const double *p, const float *row, int x, int k, double frac, int w)
{
    int x0 = x - k < 0 ? 0 : x - k, x1 = x + k > w - 1 ? w - 1 : x + k;
    for (int c = 0; c < 3; c++)
        a[c] += p[(x1 + 1) * 3 + c] - p[x0 * 3 + c];
    a[3] += x1 - x0 + 1;
    if (x - k - 1 >= 0) {
        for (int c = 0; c < 3; c++)
            a[c] += frac * row[(x - k - 1) * 4 + c];
        a[3] += frac;
    }
    if (x + k + 1 < w) {
        for (int c = 0; c < 3; c++)
            a[c] += frac * row[(x + k + 1) * 4 + c];
        a[3] += frac;
    }
}

/* Disc blur of g (4 bands, colour in the first 3) into out (3 bands): the disc is a stack of row spans,
 * each a difference of row prefix sums (double: the sums of expanded highlights are large), with the
 * fractional span ends weighted for a round edge. Each output row is accumulated one span row at a time,
 * across all columns, in `acc` (w x 4 doubles: colour and the weight that exists, as windows are clipped
 * at the borders). Then the highlight expansion is undone. */
static void disc_blur(const level_t *g, float radius, double *pre, double *acc, float *out)
{
    int w = g->w, h = g->h, ri = (int)radius;
    for (int y = 0; y < h; y++) {
        double *p = pre + (size_t)y * (w + 1) * 3;
        p[0] = p[1] = p[2] = 0;
        for (int x = 0; x < w; x++)
            for (int k = 0; k < 3; k++)
                p[(x + 1) * 3 + k] = p[x * 3 + k] + g->p[((size_t)y * w + x) * 4 + k];
    }
    for (int y = 0; y < h; y++) {
        memset(acc, 0, (size_t)w * 4 * sizeof *acc);
        for (int dy = -ri; dy <= ri; dy++) {
            int yy = y + dy;
            if (yy < 0 || yy >= h)
                continue;
            float half = sqrtf(radius * radius - (float)(dy * dy));
            int k = (int)half;
            double frac = half - k;
            const double *p = pre + (size_t)yy * (w + 1) * 3;
            const float *row = g->p + (size_t)yy * w * 4;
            /* Columns near the borders clip their spans; the interior needs no branches. */
            int lo = k + 1 < w ? k + 1 : w, hi = w - k - 2 >= lo ? w - k - 2 : lo - 1;
            for (int x = 0; x < lo; x++)
                add_clipped_span(acc + (size_t)x * 4, p, row, x, k, frac, w);
            for (int x = hi + 1; x < w; x++)
                add_clipped_span(acc + (size_t)x * 4, p, row, x, k, frac, w);
            for (int x = lo; x <= hi; x++) {
                double *a = acc + (size_t)x * 4;
                for (int c = 0; c < 3; c++)
                    a[c] += p[(x + k + 1) * 3 + c] - p[(x - k) * 3 + c] +
                            frac * (row[(x - k - 1) * 4 + c] + row[(x + k + 1) * 4 + c]);
                a[3] += 2 * k + 1 + 2 * frac;
            }
        }
        for (int x = 0; x < w; x++) {
            const double *a = acc + (size_t)x * 4;
            float *o = out + ((size_t)y * w + x) * 3;
            for (int c = 0; c < 3; c++)
                o[c] = (float)(a[c] / a[3]);
            float l = sb_luma(o);
            for (int c = 0; c < 3; c++)
                o[c] /= 1.0f + HIGHLIGHT_K * l;
        }
    }
}

sb_err sb_bokeh_blur(const sb_fimage_t *rgb, const sb_fimage_t *alpha, float radius, sb_fimage_t *out, sb_error_t *e)
{
    *out = (sb_fimage_t){0};
    if (!(radius >= 1))
        return sb_error_set(e, SB_ERR_USAGE, "radius", "lens blur radius must be at least 1 pixel, got %.2f", radius);
    if (rgb->bands != 3 || (alpha && (alpha->bands != 1 || alpha->width != rgb->width || alpha->height != rgb->height)))
        return sb_error_set(e, SB_ERR_INTERNAL, "", "lens blur: a %d-band image or a mismatched alpha", rgb->bands);
    int w = rgb->width, h = rgb->height, s = (int)(radius / MIN_GRID_RADIUS);
    s = s < 1 ? 1 : s > MAX_POOL ? MAX_POOL : s;
    int gw = (w + s - 1) / s, gh = (h + s - 1) / s;
    level_t g = {gw, gh, malloc((size_t)gw * gh * 4 * sizeof(float))};
    float *blurred = malloc((size_t)gw * gh * 3 * sizeof *blurred);
    float *row = malloc((size_t)w * 3 * sizeof *row);
    double *pre = malloc((size_t)(gw + 1) * gh * 3 * sizeof *pre), *acc = malloc((size_t)gw * 4 * sizeof *acc);
    sb_pooled_sampler_t ps = {0};
    sb_err err = SB_OK;
    if (!g.p || !blurred || !pre || !acc || !row)
        err = sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for a lens blur");
    if (!err)
        err = sb_fimage_alloc(out, w, h, 3, e);
    if (err)
        goto done;

    /* `out` holds the linear photo first, then the result. */
    memcpy(out->data, rgb->data, (size_t)w * h * 3 * sizeof *out->data);
    sb_fimage_srgb_to_linear(out);
    pool(out, alpha, s, &g);
    err = sb_fill_pushpull(g.p, gw, gh, e);
    if (err)
        goto done;
    disc_blur(&g, radius / s, pre, acc, blurred);

    /* The blurred grid is smooth, so it is taken to sRGB before sampling back: one conversion of the
     * grid rather than of every pixel. */
    sb_fimage_t grid = {gw, gh, 3, blurred};
    sb_fimage_linear_to_srgb(&grid);
    err = sb_pooled_sampler_init(&ps, blurred, gw, gh, 3, s, w, e);
    if (err)
        goto done;
    for (int y = 0; y < h; y++) {
        sb_pooled_sampler_row(&ps, y, row);
        float *o = out->data + (size_t)y * w * 3;
        for (int x = 0; x < w; x++)
            for (int c = 0; c < 3; c++)
                o[x * 3 + c] = row[c * w + x];
    }
    sb_backdrop_dither(out, DITHER_SEED);
done:
    sb_pooled_sampler_free(&ps);
    free(g.p);
    free(blurred);
    free(pre);
    free(acc);
    free(row);
    if (err)
        sb_fimage_free(out);
    return err;
}
