/* filter.c - running-sum box filters (horizontal then vertical, one scratch buffer). */
#include "image/filter.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Horizontal box means of `R` rows (`stride` floats apart) of `B` bands each, all at once: each lane
 * (row, band) keeps its own running sum and does exactly the one-row arithmetic, so the result is the
 * same to the bit, but the lanes' additions no longer wait on each other (a one-band row is a chain of
 * dependent double additions). Always inlined with constant R and B. */
static inline __attribute__((always_inline)) void box_rows(const float *in, float *out, size_t stride, int w, int R,
                                                           int B, int r)
{
    double acc[SB_BOX_MAX_BANDS * 4];
    for (int k = 0; k < R * B; k++)
        acc[k] = 0;
    int hi = r < w - 1 ? r : w - 1;
    for (int x = 0; x <= hi; x++)
        for (int j = 0; j < R; j++)
            for (int b = 0; b < B; b++)
                acc[j * B + b] += in[j * stride + (size_t)x * B + b];
    float inv_mid = 1.0f / (float)(2 * r + 1);
    for (int x = 0; x < w; x++) {
        int x0 = x - r < 0 ? 0 : x - r, x1 = x + r > w - 1 ? w - 1 : x + r;
        float inv = x1 - x0 == 2 * r ? inv_mid : 1.0f / (float)(x1 - x0 + 1);
        int add = x + r + 1, sub = x - r;
        for (int j = 0; j < R; j++)
            for (int b = 0; b < B; b++) {
                double *a = &acc[j * B + b];
                out[j * stride + (size_t)x * B + b] = (float)(*a * inv);
                if (add < w)
                    *a += in[j * stride + (size_t)add * B + b];
                if (sub >= 0)
                    *a -= in[j * stride + (size_t)sub * B + b];
            }
    }
}

/* All rows of one pass: four rows at a time where there are few bands (their chains are the bottleneck),
 * one row at a time for the rest. Constant R and B for the common band counts, so the lanes sit in
 * registers. */
static void box_horizontal(const float *src, float *dst, int w, int h, int bands, int r)
{
    size_t row = (size_t)w * bands;
    int y = 0;
    if (bands == 1)
        for (; y + 4 <= h; y += 4)
            box_rows(src + y * row, dst + y * row, row, w, 4, 1, r);
    else if (bands == 3)
        for (; y + 2 <= h; y += 2)
            box_rows(src + y * row, dst + y * row, row, w, 2, 3, r);
    else if (bands == 4)
        for (; y + 2 <= h; y += 2)
            box_rows(src + y * row, dst + y * row, row, w, 2, 4, r);
    for (; y < h; y++)
        switch (bands) {
        case 1: box_rows(src + y * row, dst + y * row, row, w, 1, 1, r); break;
        case 3: box_rows(src + y * row, dst + y * row, row, w, 1, 3, r); break;
        case 4: box_rows(src + y * row, dst + y * row, row, w, 1, 4, r); break;
        case 7: box_rows(src + y * row, dst + y * row, row, w, 1, 7, r); break;
        default: box_rows(src + y * row, dst + y * row, row, w, 1, bands, r); break;
        }
}

/* One output row of the vertical pass and the running sums moved on by a row: out, then + the entering
 * row, then - the leaving one, per element (each element's arithmetic is the three-loop version's). */
static void box_vertical_row(double *restrict acc, float *restrict o, const float *restrict add,
                             const float *restrict sub, size_t n, double inv)
{
    if (add && sub)
        for (size_t i = 0; i < n; i++) {
            o[i] = (float)(acc[i] * inv);
            acc[i] = acc[i] + add[i] - sub[i];
        }
    else if (add)
        for (size_t i = 0; i < n; i++) {
            o[i] = (float)(acc[i] * inv);
            acc[i] += add[i];
        }
    else if (sub)
        for (size_t i = 0; i < n; i++) {
            o[i] = (float)(acc[i] * inv);
            acc[i] -= sub[i];
        }
    else
        for (size_t i = 0; i < n; i++)
            o[i] = (float)(acc[i] * inv);
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
    box_horizontal(src, tmp, w, h, bands, r);

    /* Vertical: a running sum of whole rows keeps memory access sequential. */
    memset(acc, 0, row * sizeof *acc);
    int hi = r < h - 1 ? r : h - 1;
    for (int y = 0; y <= hi; y++)
        for (size_t i = 0; i < row; i++)
            acc[i] += tmp[y * row + i];
    for (int y = 0; y < h; y++) {
        int y0 = y - r < 0 ? 0 : y - r, y1 = y + r > h - 1 ? h - 1 : y + r;
        int add = y + r + 1, sub = y - r;
        box_vertical_row(acc, dst + y * row, add < h ? tmp + add * row : NULL, sub >= 0 ? tmp + sub * row : NULL,
                         row, 1.0 / (y1 - y0 + 1));
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

sb_err sb_pooled_sampler_init(sb_pooled_sampler_t *ps, const float *grid, int grid_w, int grid_h, int bands, int s,
                              int width, sb_error_t *e)
{
    *ps = (sb_pooled_sampler_t){.grid = grid, .grid_w = grid_w, .grid_h = grid_h, .bands = bands, .s = s,
                                .width = width, .row_y = {-1, -1}};
    ps->x0 = malloc((size_t)width * 2 * sizeof *ps->x0);
    ps->tx = malloc((size_t)width * sizeof *ps->tx);
    ps->rows[0] = malloc((size_t)width * bands * 2 * sizeof *ps->rows[0]);
    if (!ps->x0 || !ps->tx || !ps->rows[0]) {
        sb_pooled_sampler_free(ps);
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for a pooled sampler");
    }
    ps->x1 = ps->x0 + width;
    ps->rows[1] = ps->rows[0] + (size_t)width * bands;
    for (int x = 0; x < width; x++) {
        float fx = (x + 0.5f) / s - 0.5f;
        fx = fx < 0 ? 0 : fx > grid_w - 1 ? grid_w - 1 : fx;
        int x0 = (int)fx;
        ps->x0[x] = x0 * bands;
        ps->x1[x] = (x0 + 1 < grid_w ? x0 + 1 : x0) * bands;
        ps->tx[x] = fx - x0;
    }
    /* The columns whose samples step a cell every s columns with the same weights: from the first one the
     * clamp leaves alone to the first one where that stops (the right edge's clamp, or weights that do not
     * repeat exactly). */
    int x = s / 2 < width ? s / 2 : width;
    while (x < width && ps->x1[x] != ps->x0[x] + bands)
        x++;
    ps->even0 = ps->even1 = x;
    while (ps->even1 < width && ps->x1[ps->even1] == ps->x0[ps->even1] + bands &&
           (ps->even1 < x + s ||
            (ps->x0[ps->even1] == ps->x0[ps->even1 - s] + bands && ps->tx[ps->even1] == ps->tx[ps->even1 - s])))
        ps->even1++;
    return SB_OK;
}

/* Grid row gy interpolated across to every output column, kept for the next output rows. Rows are asked
 * for in pairs gy, gy + 1, so the slot is gy's parity and a pair never evicts itself. */
static const float *lerped_row(sb_pooled_sampler_t *ps, int gy)
{
    float *out = ps->rows[gy & 1];
    if (ps->row_y[gy & 1] == gy)
        return out;
    ps->row_y[gy & 1] = gy;
    const float *g = ps->grid + (size_t)gy * ps->grid_w * ps->bands;
    int bands = ps->bands, s = ps->s, e0 = ps->even0, e1 = ps->even1;
    for (int k = 0; k < bands; k++) {
        float *o = out + (size_t)k * ps->width;
        for (int x = 0; x < e0; x++)
            o[x] = g[ps->x0[x] + k] * (1 - ps->tx[x]) + g[ps->x1[x] + k] * ps->tx[x];
        /* Between them, a loop per phase with its weights held: the same products as the tables give. */
        for (int q = 0; q < s && e0 + q < e1; q++) {
            float t = ps->tx[e0 + q], u = 1 - t;
            const float *p = g + ps->x0[e0 + q] + k;
            for (int x = e0 + q; x < e1; x += s, p += bands)
                o[x] = p[0] * u + p[bands] * t;
        }
        for (int x = e1; x < ps->width; x++)
            o[x] = g[ps->x0[x] + k] * (1 - ps->tx[x]) + g[ps->x1[x] + k] * ps->tx[x];
    }
    return out;
}

void sb_pooled_sampler_row(sb_pooled_sampler_t *ps, int y, float *out)
{
    float fy = (y + 0.5f) / ps->s - 0.5f;
    fy = fy < 0 ? 0 : fy > ps->grid_h - 1 ? ps->grid_h - 1 : fy;
    int y0 = (int)fy, y1 = y0 + 1 < ps->grid_h ? y0 + 1 : y0;
    float ty = fy - y0;
    const float *a = lerped_row(ps, y0), *b = lerped_row(ps, y1);
    size_t n = (size_t)ps->width * ps->bands;
    for (size_t i = 0; i < n; i++)
        out[i] = a[i] * (1 - ty) + b[i] * ty;
}

void sb_pooled_sampler_free(sb_pooled_sampler_t *ps)
{
    free(ps->x0);
    free(ps->tx);
    free(ps->rows[0]);
    *ps = (sb_pooled_sampler_t){0};
}

void sb_pool_rgb_mask(const float *guide, const float *p, int w, int h, int s, float *coarse)
{
    int dw = (w + s - 1) / s, dh = (h + s - 1) / s;
    for (int gy = 0; gy < dh; gy++) {
        int y1 = gy * s + s < h ? gy * s + s : h;
        for (int gx = 0; gx < dw; gx++) {
            int x1 = gx * s + s < w ? gx * s + s : w;
            float acc[4] = {0};
            for (int y = gy * s; y < y1; y++)
                for (int x = gx * s; x < x1; x++) {
                    size_t i = (size_t)y * w + x;
                    for (int c = 0; c < 3; c++)
                        acc[c] += guide[i * 3 + c];
                    acc[3] += p[i];
                }
            int n = (y1 - gy * s) * (x1 - gx * s);
            float *o = coarse + ((size_t)gy * dw + gx) * 4;
            for (int k = 0; k < 4; k++)
                o[k] = acc[k] / n;
        }
    }
}
