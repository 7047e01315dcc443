/* matte_snap.c - a subject matte's edge moved onto the photo's colour edge (see matte_snap.h). */
#include "vision/matte_snap.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "image/filter.h"
#include "vision/regions.h"

/* Bands of the box-filtered sums: the sure inside's colour, count and squared colour, then the sure
 * outside's. */
enum { S_IN = 0, S_IN_N = 3, S_IN_SQ = 4, S_OUT = 5, S_OUT_N = 8, S_OUT_SQ = 9, S_BANDS = 10 };

sb_err sb_matte_snap(const sb_image_t *rgb, sb_fimage_t *alpha, int band, long *changed, sb_error_t *e)
{
    int w = alpha->width, h = alpha->height, cell = band / 2 > 1 ? band / 2 : 1;
    int gw = (w + cell - 1) / cell, gh = (h + cell - 1) / cell, gr = 3 * band / cell;
    size_t n = (size_t)w * h, cells = (size_t)gw * gh;
    *changed = 0;
    if (rgb->width != w || rgb->height != h || rgb->bands != 3)
        return sb_error_set(e, SB_ERR_INTERNAL, "", "matte snap: the photo and the matte do not match");
    uint8_t *in = malloc(n), *out = malloc(n);
    float *grid = calloc(cells * S_BANDS, sizeof *grid), *row = malloc((size_t)w * S_BANDS * sizeof *row);
    sb_pooled_sampler_t ps = {0};
    sb_err err = in && out && grid && row ? SB_OK : sb_error_set(e, SB_ERR_NOMEM, "", "out of memory to snap a matte's edge");
    for (size_t i = 0; !err && i < n; i++)
        in[i] = out[i] = alpha->data[i] >= 0.5f;
    if (!err)
        err = sb_regions_erode(in, w, h, band, e);
    if (!err)
        err = sb_regions_dilate(out, w, h, band, e);
    /* The sure sides' sums pooled on a grid of cell x cell pixels, box-averaged over about 3 band pixels and
     * sampled back bilinearly on the rows the band crosses (the means are ratios of these sums). */
    for (int y = 0; !err && y < h; y++)
        for (int x = 0; x < w; x++) {
            size_t i = (size_t)y * w + x;
            int a = in[i], b = !out[i];
            if (!a && !b)
                continue;
            const uint8_t *p = rgb->data + i * 3;
            float *o = grid + ((size_t)(y / cell) * gw + x / cell) * S_BANDS, sq = 0;
            int at = a ? S_IN : S_OUT;
            for (int k = 0; k < 3; k++)
                o[at + k] += p[k], sq += (float)p[k] * p[k];
            o[a ? S_IN_N : S_OUT_N] += 1, o[a ? S_IN_SQ : S_OUT_SQ] += sq;
        }
    if (!err)
        err = sb_box_mean(grid, grid, gw, gh, S_BANDS, gr > 1 ? gr : 1, e);
    if (!err)
        err = sb_pooled_sampler_init(&ps, grid, gw, gh, S_BANDS, cell, w, e);
    float min_n = SB_SNAP_MIN_SHARE * cell * cell;
    for (int y = 0; !err && y < h; y++) {
        const uint8_t *ir = in + (size_t)y * w, *orow = out + (size_t)y * w;
        int any = 0;
        for (int x = 0; x < w && !any; x++)
            any = !ir[x] && orow[x];
        if (!any)
            continue;
        sb_pooled_sampler_row(&ps, y, row);
        for (int x = 0; x < w; x++) {
            /* Only the band between the sure inside and the sure outside, with enough of both around. */
            if (ir[x] || !orow[x])
                continue;
            float o[S_BANDS];
            for (int k = 0; k < S_BANDS; k++)
                o[k] = row[(size_t)k * w + x];
            if (o[S_IN_N] < min_n || o[S_OUT_N] < min_n)
                continue;
            const uint8_t *p = rgb->data + ((size_t)y * w + x) * 3;
            double mi[3], mo[3], d[3], dd = 0, t = 0, vi = o[S_IN_SQ] / o[S_IN_N], vo = o[S_OUT_SQ] / o[S_OUT_N];
            for (int k = 0; k < 3; k++) {
                mi[k] = o[S_IN + k] / o[S_IN_N], mo[k] = o[S_OUT + k] / o[S_OUT_N], d[k] = mi[k] - mo[k];
                dd += d[k] * d[k], vi -= mi[k] * mi[k], vo -= mo[k] * mo[k];
            }
            /* The two sides must differ by SB_SNAP_SEP levels and by SB_SNAP_SPREAD times either side's own
             * spread (a textured or transparent product, a busy background: the colour says nothing). */
            if (dd < SB_SNAP_SEP * SB_SNAP_SEP || dd < SB_SNAP_SPREAD * SB_SNAP_SPREAD * fmax(vi, vo))
                continue;
            for (int k = 0; k < 3; k++)
                t += (p[k] - mo[k]) * d[k];
            t /= dd;
            /* The pixel's colour must lie near the segment between the two (a mixture of them, not a third
             * colour: a shadow, a highlight, a print). */
            if (t < -SB_SNAP_BEYOND || t > 1 + SB_SNAP_BEYOND)
                continue;
            double res = 0;
            for (int k = 0; k < 3; k++) {
                double r = p[k] - mo[k] - t * d[k];
                res += r * r;
            }
            if (res > SB_SNAP_RESIDUAL * SB_SNAP_RESIDUAL * dd)
                continue;
            float v = t < 0 ? 0.0f : t > 1 ? 1.0f : (float)t, *a = &alpha->data[(size_t)y * w + x];
            *changed += (v >= 0.5f) != (*a >= 0.5f);
            *a = v;
        }
    }
    sb_pooled_sampler_free(&ps);
    free(in);
    free(out);
    free(grid);
    free(row);
    return err;
}
