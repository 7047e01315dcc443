/* guided.c - colour guided filter with an optional coarse grid for the coefficients. */
#include "vision/guided.h"

#include <stdlib.h>

#include "image/filter.h"

enum { G_I = 0, G_P = 3, G_IP = 4, G_II = 7, G_BANDS = 13 };

sb_err sb_guided_filter(const sb_fimage_t *guide, sb_fimage_t *p, int r, float eps, int subsample,
                        sb_error_t *e)
{
    int w = guide->width, h = guide->height, s = subsample < 1 ? 1 : subsample;
    if (guide->bands != 3 || p->bands != 1 || p->width != w || p->height != h)
        return sb_error_set(e, SB_ERR_INTERNAL, "", "guided filter: guide and mask do not match");
    int dw = (w + s - 1) / s, dh = (h + s - 1) / s, dr = r / s < 1 ? 1 : r / s;
    size_t dn = (size_t)dw * dh;
    float *g = calloc(dn * G_BANDS, sizeof *g);
    float *ab = malloc(dn * 4 * sizeof *ab);
    float *row = malloc((size_t)w * 4 * sizeof *row);
    sb_pooled_sampler_t ps = {0};
    sb_err err = SB_OK;
    if (!g || !ab || !row) {
        err = sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the guided filter");
        goto done;
    }
    /* Coarse I and p, then the products on the coarse grid. */
    float *coarse = ab; /* reuse as scratch: 4 bands of dn */
    sb_pool_rgb_mask(guide->data, p->data, w, h, s, coarse);
    for (size_t i = 0; i < dn; i++) {
        const float *c = coarse + i * 4;
        float *o = g + i * G_BANDS;
        float I0 = c[0], I1 = c[1], I2 = c[2], pv = c[3];
        o[0] = I0, o[1] = I1, o[2] = I2, o[G_P] = pv;
        o[G_IP] = I0 * pv, o[G_IP + 1] = I1 * pv, o[G_IP + 2] = I2 * pv;
        o[G_II] = I0 * I0, o[G_II + 1] = I0 * I1, o[G_II + 2] = I0 * I2;
        o[G_II + 3] = I1 * I1, o[G_II + 4] = I1 * I2, o[G_II + 5] = I2 * I2;
    }
    err = sb_box_mean(g, g, dw, dh, G_BANDS, dr, e);
    if (err)
        goto done;
    for (size_t i = 0; i < dn; i++) {
        const float *m = g + i * G_BANDS;
        double mI[3] = {m[0], m[1], m[2]}, mp = m[G_P];
        double cv[3] = {m[G_IP] - mI[0] * mp, m[G_IP + 1] - mI[1] * mp, m[G_IP + 2] - mI[2] * mp};
        double a00 = m[G_II] - mI[0] * mI[0] + eps, a01 = m[G_II + 1] - mI[0] * mI[1];
        double a02 = m[G_II + 2] - mI[0] * mI[2], a11 = m[G_II + 3] - mI[1] * mI[1] + eps;
        double a12 = m[G_II + 4] - mI[1] * mI[2], a22 = m[G_II + 5] - mI[2] * mI[2] + eps;
        /* Inverse of the symmetric 3x3 covariance by cofactors. */
        double c00 = a11 * a22 - a12 * a12, c01 = a02 * a12 - a01 * a22, c02 = a01 * a12 - a02 * a11;
        double c11 = a00 * a22 - a02 * a02, c12 = a01 * a02 - a00 * a12, c22 = a00 * a11 - a01 * a01;
        double det = a00 * c00 + a01 * c01 + a02 * c02;
        double inv = det != 0 ? 1.0 / det : 0;
        double A0 = (c00 * cv[0] + c01 * cv[1] + c02 * cv[2]) * inv;
        double A1 = (c01 * cv[0] + c11 * cv[1] + c12 * cv[2]) * inv;
        double A2 = (c02 * cv[0] + c12 * cv[1] + c22 * cv[2]) * inv;
        float *o = ab + i * 4;
        o[0] = (float)A0, o[1] = (float)A1, o[2] = (float)A2;
        o[3] = (float)(mp - A0 * mI[0] - A1 * mI[1] - A2 * mI[2]);
    }
    err = sb_box_mean(ab, ab, dw, dh, 4, dr, e);
    if (err)
        goto done;
    err = sb_pooled_sampler_init(&ps, ab, dw, dh, 4, s, w, e);
    for (int y = 0; y < h && !err; y++) {
        sb_pooled_sampler_row(&ps, y, row);
        const float *I = guide->data + (size_t)y * w * 3;
        const float *a0 = row, *a1 = row + w, *a2 = row + 2 * w, *b = row + 3 * w;
        float *q = p->data + (size_t)y * w;
        for (int x = 0; x < w; x++) {
            float v = a0[x] * I[x * 3] + a1[x] * I[x * 3 + 1] + a2[x] * I[x * 3 + 2] + b[x];
            q[x] = v < 0 ? 0 : v > 1 ? 1 : v;
        }
    }
done:
    sb_pooled_sampler_free(&ps);
    free(g);
    free(ab);
    free(row);
    return err;
}
