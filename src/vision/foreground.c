/* foreground.c - blur-fusion foreground estimation: two passes of local F and B means. */
#include "vision/foreground.h"

#include <stdlib.h>
#include <string.h>

#include "image/filter.h"

#define EPS 1e-5f

/* One blur-fusion pass: updates F and B (3 bands each) from their alpha-weighted local means, computed
 * on a grid `s` times coarser than the image (the means are smooth at large radii, so this loses nothing
 * visible and divides the cost by s^2). `scratch` holds w*h*7 floats. */
static sb_err pass(const sb_fimage_t *img, const float *alpha, float *F, float *B, float *scratch, int r,
                   int s, sb_error_t *e)
{
    int w = img->width, h = img->height, dw = (w + s - 1) / s, dh = (h + s - 1) / s;
    size_t n = (size_t)w * h;
    for (size_t i = 0; i < n; i++) {
        float a = alpha[i], *o = scratch + i * 7;
        o[0] = a;
        for (int c = 0; c < 3; c++) {
            o[1 + c] = F[i * 3 + c] * a;
            o[4 + c] = B[i * 3 + c] * (1 - a);
        }
    }
    float *grid = scratch;
    if (s > 1) {
        grid = malloc((size_t)dw * dh * 7 * sizeof *grid);
        if (!grid)
            return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for foreground estimation");
        sb_pool_mean(scratch, w, h, 7, s, grid);
    }
    sb_err err = sb_box_mean(grid, grid, dw, dh, 7, r / s < 1 ? 1 : r / s, e);
    for (int y = 0; y < h && !err; y++)
        for (int x = 0; x < w; x++) {
            size_t i = (size_t)y * w + x;
            float m[7];
            if (s > 1)
                sb_sample_pooled(grid, dw, dh, 7, s, x, y, m);
            else
                memcpy(m, grid + i * 7, sizeof m);
            const float *I = img->data + i * 3;
            float a = alpha[i], ba = m[0];
            for (int c = 0; c < 3; c++) {
                float bF = m[1 + c] / (ba + EPS), bB = m[4 + c] / (1 - ba + EPS);
                float f = bF + a * (I[c] - a * bF - (1 - a) * bB);
                F[i * 3 + c] = f < 0 ? 0 : f > 1 ? 1 : f;
                B[i * 3 + c] = bB;
            }
        }
    if (grid != scratch)
        free(grid);
    return err;
}

sb_err sb_foreground_estimate(const sb_fimage_t *img, const sb_fimage_t *alpha, int r_large, int r_small,
                              sb_fimage_t *fg, sb_error_t *e)
{
    int w = img->width, h = img->height;
    if (img->bands != 3 || alpha->bands != 1 || alpha->width != w || alpha->height != h)
        return sb_error_set(e, SB_ERR_INTERNAL, "", "foreground estimation: image and matte do not match");
    size_t n = (size_t)w * h;
    float *B = malloc(n * 3 * sizeof *B), *scratch = malloc(n * 7 * sizeof *scratch);
    sb_err err = sb_fimage_alloc(fg, w, h, 3, e);
    if (!err && (!B || !scratch))
        err = sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for foreground estimation");
    if (!err) {
        memcpy(fg->data, img->data, n * 3 * sizeof(float));
        memcpy(B, img->data, n * 3 * sizeof(float));
        err = pass(img, alpha->data, fg->data, B, scratch, r_large, 4, e);
    }
    if (!err)
        err = pass(img, alpha->data, fg->data, B, scratch, r_small, 2, e);
    free(B);
    free(scratch);
    if (err)
        sb_fimage_free(fg);
    return err;
}
