/* filter.c - running-sum box filters (horizontal then vertical, one scratch buffer). */
#include "image/filter.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Horizontal box sum of one row into out (means, clipped at the ends). */
static void box_row(const float *in, float *out, int w, int bands, int r, double *acc)
{
    for (int b = 0; b < bands; b++)
        acc[b] = 0;
    int hi = r < w - 1 ? r : w - 1;
    for (int x = 0; x <= hi; x++)
        for (int b = 0; b < bands; b++)
            acc[b] += in[x * bands + b];
    for (int x = 0; x < w; x++) {
        int x0 = x - r < 0 ? 0 : x - r, x1 = x + r > w - 1 ? w - 1 : x + r;
        float inv = 1.0f / (float)(x1 - x0 + 1);
        for (int b = 0; b < bands; b++)
            out[x * bands + b] = (float)(acc[b] * inv);
        int add = x + r + 1, sub = x - r;
        if (add < w)
            for (int b = 0; b < bands; b++)
                acc[b] += in[add * bands + b];
        if (sub >= 0)
            for (int b = 0; b < bands; b++)
                acc[b] -= in[sub * bands + b];
    }
}

sb_err sb_box_mean(const float *src, float *dst, int w, int h, int bands, int r, sb_error_t *e)
{
    if (bands < 1 || bands > SB_BOX_MAX_BANDS || r < 0)
        return sb_error_set(e, SB_ERR_INTERNAL, "", "box filter: %d bands, radius %d", bands, r);
    size_t row = (size_t)w * bands;
    float *tmp = malloc(row * h * sizeof *tmp);
    double *acc = malloc(row * sizeof *acc);
    if (!tmp || !acc) {
        free(tmp), free(acc);
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for a box filter");
    }
    double hacc[SB_BOX_MAX_BANDS];
    for (int y = 0; y < h; y++)
        box_row(src + y * row, tmp + y * row, w, bands, r, hacc);

    /* Vertical: a running sum of whole rows keeps memory access sequential. */
    memset(acc, 0, row * sizeof *acc);
    int hi = r < h - 1 ? r : h - 1;
    for (int y = 0; y <= hi; y++)
        for (size_t i = 0; i < row; i++)
            acc[i] += tmp[y * row + i];
    for (int y = 0; y < h; y++) {
        int y0 = y - r < 0 ? 0 : y - r, y1 = y + r > h - 1 ? h - 1 : y + r;
        double inv = 1.0 / (y1 - y0 + 1);
        float *o = dst + y * row;
        for (size_t i = 0; i < row; i++)
            o[i] = (float)(acc[i] * inv);
        int add = y + r + 1, sub = y - r;
        if (add < h)
            for (size_t i = 0; i < row; i++)
                acc[i] += tmp[add * row + i];
        if (sub >= 0)
            for (size_t i = 0; i < row; i++)
                acc[i] -= tmp[sub * row + i];
    }
    free(tmp);
    free(acc);
    return SB_OK;
}

sb_err sb_blur(const float *src, float *dst, int w, int h, int bands, float sigma, sb_error_t *e)
{
    size_t n = (size_t)w * h * bands;
    if (src != dst)
        memmove(dst, src, n * sizeof *dst);
    if (sigma <= 0)
        return SB_OK;
    /* Three boxes of width 2r+1 have variance 3 * ((2r+1)^2 - 1) / 12 = r(r+1). */
    int r = (int)lroundf((-1.0f + sqrtf(1.0f + 4.0f * sigma * sigma)) / 2.0f);
    if (r < 1)
        r = 1;
    for (int pass = 0; pass < 3; pass++) {
        sb_err err = sb_box_mean(dst, dst, w, h, bands, r, e);
        if (err)
            return err;
    }
    return SB_OK;
}

void sb_pool_mean(const float *src, int w, int h, int bands, int s, float *dst)
{
    int dw = (w + s - 1) / s, dh = (h + s - 1) / s;
    for (int y = 0; y < dh; y++)
        for (int x = 0; x < dw; x++) {
            float acc[SB_BOX_MAX_BANDS] = {0};
            int n = 0;
            for (int yy = y * s; yy < y * s + s && yy < h; yy++)
                for (int xx = x * s; xx < x * s + s && xx < w; xx++, n++)
                    for (int b = 0; b < bands; b++)
                        acc[b] += src[((size_t)yy * w + xx) * bands + b];
            for (int b = 0; b < bands; b++)
                dst[((size_t)y * dw + x) * bands + b] = acc[b] / n;
        }
}

void sb_sample_pooled(const float *grid, int dw, int dh, int bands, int s, int x, int y, float *out)
{
    float fx = (x + 0.5f) / s - 0.5f, fy = (y + 0.5f) / s - 0.5f;
    fx = fx < 0 ? 0 : fx > dw - 1 ? dw - 1 : fx;
    fy = fy < 0 ? 0 : fy > dh - 1 ? dh - 1 : fy;
    int x0 = (int)fx, y0 = (int)fy;
    int x1 = x0 + 1 < dw ? x0 + 1 : x0, y1 = y0 + 1 < dh ? y0 + 1 : y0;
    float tx = fx - x0, ty = fy - y0;
    const float *a = grid + ((size_t)y0 * dw + x0) * bands, *b = grid + ((size_t)y0 * dw + x1) * bands;
    const float *c = grid + ((size_t)y1 * dw + x0) * bands, *d = grid + ((size_t)y1 * dw + x1) * bands;
    for (int k = 0; k < bands; k++)
        out[k] = (a[k] * (1 - tx) + b[k] * tx) * (1 - ty) + (c[k] * (1 - tx) + d[k] * tx) * ty;
}
