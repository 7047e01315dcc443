/* foreground.c - blur-fusion foreground estimation: two passes of local F and B means. */
#include "vision/foreground.h"

#include <stdlib.h>
#include <string.h>

#include "image/filter.h"

#define EPS 1e-5f

#define BANDS 7 /* alpha, F * alpha (3), B * (1 - alpha) (3) */

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
 * visible and divides the cost by s^2). */
static sb_err pass(const sb_fimage_t *img, const float *alpha, float *F, float *B, int r, int s, sb_error_t *e)
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
        err = pass(img, alpha->data, fg->data, B, r_large, 4, e);
    }
    if (!err)
        err = pass(img, alpha->data, fg->data, B, r_small, 2, e);
    free(B);
    if (err)
        sb_fimage_free(fg);
    return err;
}
