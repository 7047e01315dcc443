/* foreground.c - blur-fusion foreground estimation: two passes of local F and B means, over the whole
 * image (sb_foreground_estimate) or only in the band around the matte's edge (sb_foreground_edge_rgba). */
#include "vision/foreground.h"

#include <stdlib.h>
#include <string.h>

#include "image/filter.h"

#define EPS 1e-5f

#define BANDS 7 /* alpha, F * alpha (3), B * (1 - alpha) (3) */
/* The edge band also takes the transparent pixels this close to the subject: resizing the layer
 * (unpremultiplied) mixes their colour into the edge. */
#define BAND_REACH 2

/* Mean of alpha, F * alpha and B * (1 - alpha) over each s x s cell (clipped at the edges) into `grid`,
 * taken straight from alpha, F and B rather than from a 7-band image of the products. */
static void pool_weighted(const float *alpha, const float *F, const float *B, int w, int h, int s, float *grid)
{
    int dw = (w + s - 1) / s, dh = (h + s - 1) / s;
    for (int gy = 0; gy < dh; gy++) {
        int y1 = gy * s + s < h ? gy * s + s : h;
        for (int gx = 0; gx < dw; gx++) {
            int x1 = gx * s + s < w ? gx * s + s : w;
            float acc[BANDS] = {0};
            for (int y = gy * s; y < y1; y++)
                for (int x = gx * s; x < x1; x++) {
                    size_t i = (size_t)y * w + x;
                    float a = alpha[i];
                    acc[0] += a;
                    for (int c = 0; c < 3; c++) {
                        acc[1 + c] += F[i * 3 + c] * a;
                        acc[4 + c] += B[i * 3 + c] * (1 - a);
                    }
                }
            int n = (y1 - gy * s) * (x1 - gx * s);
            float *o = grid + ((size_t)gy * dw + gx) * BANDS;
            for (int k = 0; k < BANDS; k++)
                o[k] = acc[k] / n;
        }
    }
}

/* One blur-fusion pass: updates F and B (3 bands each) from their alpha-weighted local means, computed
 * on a grid `s` times coarser than the image (the means are smooth at large radii, so this loses nothing
 * visible and divides the cost by s^2). `last`: the final pass, after which B is not read (nor written). */
static sb_err pass(const sb_fimage_t *img, const float *alpha, float *F, float *B, int r, int s, int last,
                   sb_error_t *e)
{
    int w = img->width, h = img->height, dw = (w + s - 1) / s, dh = (h + s - 1) / s;
    float *grid = malloc((size_t)dw * dh * BANDS * sizeof *grid), *m = malloc((size_t)w * BANDS * sizeof *m);
    sb_pooled_sampler_t ps = {0};
    sb_err err = SB_OK;
    if (!grid || !m)
        err = sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for foreground estimation");
    if (!err) {
        pool_weighted(alpha, F, B, w, h, s, grid);
        err = sb_box_mean(grid, grid, dw, dh, BANDS, r / s < 1 ? 1 : r / s, e);
    }
    if (!err)
        err = sb_pooled_sampler_init(&ps, grid, dw, dh, BANDS, s, w, e);
    for (int y = 0; y < h && !err; y++) {
        sb_pooled_sampler_row(&ps, y, m);
        const float *ba = m, *I = img->data + (size_t)y * w * 3, *a = alpha + (size_t)y * w;
        float *Fy = F + (size_t)y * w * 3, *By = B + (size_t)y * w * 3;
        for (int c = 0; c < 3; c++) {
            const float *mF = m + (size_t)(1 + c) * w, *mB = m + (size_t)(4 + c) * w;
            if (last)
                for (int x = 0; x < w; x++) {
                    float bF = mF[x] / (ba[x] + EPS), bB = mB[x] / (1 - ba[x] + EPS);
                    float f = bF + a[x] * (I[x * 3 + c] - a[x] * bF - (1 - a[x]) * bB);
                    Fy[x * 3 + c] = f < 0 ? 0 : f > 1 ? 1 : f;
                }
            else
                for (int x = 0; x < w; x++) {
                    float bF = mF[x] / (ba[x] + EPS), bB = mB[x] / (1 - ba[x] + EPS);
                    float f = bF + a[x] * (I[x * 3 + c] - a[x] * bF - (1 - a[x]) * bB);
                    Fy[x * 3 + c] = f < 0 ? 0 : f > 1 ? 1 : f;
                    By[x * 3 + c] = bB;
                }
        }
    }
    sb_pooled_sampler_free(&ps);
    free(grid);
    free(m);
    return err;
}

sb_err sb_foreground_estimate(const sb_fimage_t *img, const sb_fimage_t *alpha, int r_large, int r_small,
                              sb_fimage_t *fg, sb_error_t *e)
{
    int w = img->width, h = img->height;
    if (img->bands != 3 || alpha->bands != 1 || alpha->width != w || alpha->height != h)
        return sb_error_set(e, SB_ERR_INTERNAL, "", "foreground estimation: image and matte do not match");
    size_t n = (size_t)w * h;
    float *B = malloc(n * 3 * sizeof *B);
    sb_err err = sb_fimage_alloc(fg, w, h, 3, e);
    if (!err && !B)
        err = sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for foreground estimation");
    if (!err) {
        memcpy(fg->data, img->data, n * 3 * sizeof(float));
        memcpy(B, img->data, n * 3 * sizeof(float));
        err = pass(img, alpha->data, fg->data, B, r_large, 4, 0, e);
    }
    if (!err)
        err = pass(img, alpha->data, fg->data, B, r_small, 2, 1, e);
    free(B);
    if (err)
        sb_fimage_free(fg);
    return err;
}

/* ---- the edge band only ---- */

/* The band, 1 byte a pixel into `band` (w x h): alpha under 1 with some alpha above 0 within BAND_REACH
 * pixels each way (a separable maximum: along rows into `near`, then down columns). */
static sb_err mark_band(const float *alpha, int w, int h, uint8_t *band, sb_error_t *e)
{
    uint8_t *near = malloc((size_t)w * h);
    if (!near)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for foreground estimation");
    for (int y = 0; y < h; y++) {
        const float *a = alpha + (size_t)y * w;
        uint8_t *o = near + (size_t)y * w;
        for (int x = 0, last = -BAND_REACH - 1; x < w; x++) {
            last = a[x] > 0 ? x : last;
            o[x] = x - last <= BAND_REACH;
        }
        for (int x = w - 1, last = w + BAND_REACH; x >= 0; x--) {
            last = a[x] > 0 ? x : last;
            o[x] |= last - x <= BAND_REACH;
        }
    }
    for (int y = 0; y < h; y++) {
        const float *a = alpha + (size_t)y * w;
        uint8_t *o = band + (size_t)y * w;
        int y0 = y - BAND_REACH < 0 ? 0 : y - BAND_REACH, y1 = y + BAND_REACH >= h ? h - 1 : y + BAND_REACH;
        memcpy(o, near + (size_t)y0 * w, (size_t)w);
        for (int k = y0 + 1; k <= y1; k++) {
            const uint8_t *n = near + (size_t)k * w;
            for (int x = 0; x < w; x++)
                o[x] |= n[x];
        }
        for (int x = 0; x < w; x++)
            o[x] &= a[x] < 1;
    }
    free(near);
    return SB_OK;
}

/* The band's pixels and their F and B estimates (3 floats each), and the sums of alpha, F * alpha and
 * B * (1 - alpha) over each 2 x 2 cell of the image (BANDS floats a cell; F = B = I off the band). */
typedef struct {
    int w, h, gw, gh;  /* image size; the 2 x 2 grid's size */
    size_t n;          /* band pixels */
    int *at;           /* their indices, row-major */
    float *F, *B;      /* their estimates */
    float *sums;       /* gw x gh x BANDS */
} edge_t;

static void edge_free(edge_t *g)
{
    free(g->at);
    free(g->F);
    free(g->B);
    free(g->sums);
}

/* Mark the band and list its pixels (F = B = I to start), and pool the 2 x 2 sums with F = B = I everywhere:
 * the first pass's means. On failure nothing is left to free. */
static sb_err edge_init(edge_t *g, const sb_image_t *img, const float *alpha, sb_error_t *e)
{
    int w = img->width, h = img->height;
    *g = (edge_t){.w = w, .h = h, .gw = (w + 1) / 2, .gh = (h + 1) / 2};
    uint8_t *band = malloc((size_t)w * h);
    g->sums = calloc((size_t)g->gw * g->gh * BANDS, sizeof *g->sums);
    sb_err err = band && g->sums ? mark_band(alpha, w, h, band, e)
                                 : sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for foreground estimation");
    for (size_t i = 0; !err && i < (size_t)w * h; i++)
        g->n += band[i];
    if (!err) {
        g->at = malloc((g->n ? g->n : 1) * sizeof *g->at);
        g->F = malloc((g->n ? g->n : 1) * 3 * sizeof *g->F);
        g->B = malloc((g->n ? g->n : 1) * 3 * sizeof *g->B);
        if (!g->at || !g->F || !g->B)
            err = sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for foreground estimation");
    }
    size_t k = 0;
    for (int y = 0; !err && y < h; y++) {
        const uint8_t *I = img->data + (size_t)y * w * 3;
        const float *a = alpha + (size_t)y * w;
        float *cell = g->sums + (size_t)(y / 2) * g->gw * BANDS;
        for (int x = 0; x < w; x++) {
            float *o = cell + (size_t)(x / 2) * BANDS, ax = a[x];
            o[0] += ax;
            for (int c = 0; c < 3; c++) {
                float v = I[x * 3 + c] * (1.0f / 255.0f);
                o[1 + c] += v * ax;
                o[4 + c] += v * (1 - ax);
            }
            if (!band[(size_t)y * w + x])
                continue;
            g->at[k] = y * w + x;
            for (int c = 0; c < 3; c++)
                g->F[k * 3 + c] = g->B[k * 3 + c] = I[x * 3 + c] * (1.0f / 255.0f);
            k++;
        }
    }
    free(band);
    if (err)
        edge_free(g);
    return err;
}

/* One pass over the band: the 2 x 2 sums pooled by s (4, or 2 for the last pass: it uses them up) into
 * means over cells of s x s, boxed with radius r, sampled bilinearly at each band pixel as
 * sb_pooled_sampler_t samples; F and B from them by the paper's update (the residual of
 * I = a F + (1 - a) B shared out by alpha). */
static sb_err edge_pass(edge_t *g, const sb_image_t *img, const float *alpha, int r, int s, sb_error_t *e)
{
    int f = s / 2, dw = (g->gw + f - 1) / f, dh = (g->gh + f - 1) / f;
    /* At s = 2 the grid is the sums themselves, turned into means in place (the last pass). */
    float *grid = f == 1 ? g->sums : calloc((size_t)dw * dh * BANDS, sizeof *grid);
    if (!grid)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for foreground estimation");
    for (int y = 0; y < dh; y++)
        for (int x = 0; x < dw; x++) {
            float *o = grid + ((size_t)y * dw + x) * BANDS;
            for (int sy = y * f; f > 1 && sy < (y + 1) * f && sy < g->gh; sy++)
                for (int sx = x * f; sx < (x + 1) * f && sx < g->gw; sx++)
                    for (int k = 0; k < BANDS; k++)
                        o[k] += g->sums[((size_t)sy * g->gw + sx) * BANDS + k];
            int ch = (y + 1) * s <= g->h ? s : g->h - y * s, cw = (x + 1) * s <= g->w ? s : g->w - x * s;
            float inv = 1.0f / (float)(cw * ch);
            for (int k = 0; k < BANDS; k++)
                o[k] *= inv;
        }
    sb_err err = sb_box_mean(grid, grid, dw, dh, BANDS, r / s < 1 ? 1 : r / s, e);
    int y = -1, y0 = 0, y1 = 0;
    float ty = 0;
    for (size_t k = 0; !err && k < g->n; k++) {
        int i = g->at[k];
        if (i / g->w != y) {
            y = i / g->w;
            float fy = (y + 0.5f) / s - 0.5f;
            fy = fy < 0 ? 0 : fy > dh - 1 ? dh - 1 : fy;
            y0 = (int)fy, y1 = y0 + 1 < dh ? y0 + 1 : y0, ty = fy - y0;
        }
        int x = i - y * g->w;
        float fx = (x + 0.5f) / s - 0.5f;
        fx = fx < 0 ? 0 : fx > dw - 1 ? dw - 1 : fx;
        int x0 = (int)fx, x1 = x0 + 1 < dw ? x0 + 1 : x0;
        float tx = fx - x0, m[BANDS], a = alpha[i];
        const float *p00 = grid + ((size_t)y0 * dw + x0) * BANDS, *p01 = grid + ((size_t)y0 * dw + x1) * BANDS;
        const float *p10 = grid + ((size_t)y1 * dw + x0) * BANDS, *p11 = grid + ((size_t)y1 * dw + x1) * BANDS;
        for (int b = 0; b < BANDS; b++)
            m[b] = (p00[b] + (p01[b] - p00[b]) * tx) * (1 - ty) + (p10[b] + (p11[b] - p10[b]) * tx) * ty;
        float to_f = 1 / (m[0] + EPS), to_b = 1 / (1 - m[0] + EPS);
        for (int c = 0; c < 3; c++) {
            float bF = m[1 + c] * to_f, bB = m[4 + c] * to_b;
            float res = img->data[(size_t)i * 3 + c] * (1.0f / 255.0f) - a * bF - (1 - a) * bB;
            float fv = bF + a * res, bv = bB + (1 - a) * res;
            g->F[k * 3 + c] = fv < 0 ? 0 : fv > 1 ? 1 : fv;
            g->B[k * 3 + c] = bv < 0 ? 0 : bv > 1 ? 1 : bv;
        }
    }
    if (grid != g->sums)
        free(grid);
    return err;
}

/* Bring the 2 x 2 sums up to date with the band's new F and B (they were pooled as I). */
static void edge_update_sums(edge_t *g, const sb_image_t *img, const float *alpha)
{
    for (size_t k = 0; k < g->n; k++) {
        int i = g->at[k];
        float a = alpha[i], *o = g->sums + ((size_t)(i / g->w / 2) * g->gw + (i % g->w) / 2) * BANDS;
        for (int c = 0; c < 3; c++) {
            float v = img->data[(size_t)i * 3 + c] * (1.0f / 255.0f);
            o[1 + c] += (g->F[k * 3 + c] - v) * a;
            o[4 + c] += (g->B[k * 3 + c] - v) * (1 - a);
        }
    }
}

sb_err sb_foreground_edge_rgba(const sb_image_t *img, const sb_fimage_t *alpha, int r_large, int r_small,
                               sb_image_t *out, sb_error_t *e)
{
    *out = (sb_image_t){0};
    int w = img->width, h = img->height;
    if (img->bands != 3 || alpha->bands != 1 || alpha->width != w || alpha->height != h)
        return sb_error_set(e, SB_ERR_INTERNAL, "", "foreground estimation: image and matte do not match");
    edge_t g;
    sb_err err = edge_init(&g, img, alpha->data, e);
    if (err)
        return err;
    err = edge_pass(&g, img, alpha->data, r_large, 4, e);
    if (!err) {
        edge_update_sums(&g, img, alpha->data);
        err = edge_pass(&g, img, alpha->data, r_small, 2, e);
    }
    if (!err)
        err = sb_image_alloc(out, w, h, 4, e);
    for (size_t i = 0; !err && i < (size_t)w * h; i++) {
        memcpy(out->data + i * 4, img->data + i * 3, 3);
        float v = alpha->data[i] * 255.0f + 0.5f;
        out->data[i * 4 + 3] = v <= 0 ? 0 : v >= 255 ? 255 : (uint8_t)v;
    }
    for (size_t k = 0; !err && k < g.n; k++)
        for (int c = 0; c < 3; c++)
            out->data[(size_t)g.at[k] * 4 + c] = (uint8_t)(g.F[k * 3 + c] * 255.0f + 0.5f);
    edge_free(&g);
    return err;
}
