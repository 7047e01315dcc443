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
    int w = alpha->width, h = alpha->height, win = 3 * band;
    size_t n = (size_t)w * h;
    *changed = 0;
    if (rgb->width != w || rgb->height != h || rgb->bands != 3)
        return sb_error_set(e, SB_ERR_INTERNAL, "", "matte snap: the photo and the matte do not match");
    uint8_t *in = malloc(n), *out = malloc(n);
    float *s = malloc(n * S_BANDS * sizeof *s);
    sb_err err = in && out && s ? SB_OK : sb_error_set(e, SB_ERR_NOMEM, "", "out of memory to snap a matte's edge");
    for (size_t i = 0; !err && i < n; i++)
        in[i] = out[i] = alpha->data[i] >= 0.5f;
    if (!err)
        err = sb_regions_erode(in, w, h, band, e);
    if (!err)
        err = sb_regions_dilate(out, w, h, band, e);
    for (size_t i = 0; !err && i < n; i++) {
        const uint8_t *p = rgb->data + i * 3;
        float *o = s + i * S_BANDS, c[3] = {p[0], p[1], p[2]}, sq = c[0] * c[0] + c[1] * c[1] + c[2] * c[2];
        int a = in[i], b = !out[i];
        for (int k = 0; k < 3; k++)
            o[S_IN + k] = a * c[k], o[S_OUT + k] = b * c[k];
        o[S_IN_N] = (float)a, o[S_OUT_N] = (float)b, o[S_IN_SQ] = a * sq, o[S_OUT_SQ] = b * sq;
    }
    if (!err)
        err = sb_box_mean(s, s, w, h, S_BANDS, win, e);
    for (size_t i = 0; !err && i < n; i++) {
        /* Only the band between the sure inside and the sure outside, with enough of both around. */
        if (in[i] || !out[i])
            continue;
        const float *o = s + i * S_BANDS;
        if (o[S_IN_N] < SB_SNAP_MIN_SHARE || o[S_OUT_N] < SB_SNAP_MIN_SHARE)
            continue;
        const uint8_t *p = rgb->data + i * 3;
        double mi[3], mo[3], d[3], dd = 0, t = 0, vi = o[S_IN_SQ] / o[S_IN_N], vo = o[S_OUT_SQ] / o[S_OUT_N];
        for (int k = 0; k < 3; k++) {
            mi[k] = o[S_IN + k] / o[S_IN_N], mo[k] = o[S_OUT + k] / o[S_OUT_N], d[k] = mi[k] - mo[k];
            dd += d[k] * d[k], vi -= mi[k] * mi[k], vo -= mo[k] * mo[k];
        }
        /* The two sides must differ by SB_SNAP_SEP levels and by SB_SNAP_SPREAD times either side's own
         * spread (a textured or transparent product, a busy background: the colour says nothing). */
        double spread = SB_SNAP_SPREAD * SB_SNAP_SPREAD * fmax(vi, vo);
        if (dd < SB_SNAP_SEP * SB_SNAP_SEP || dd < spread)
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
        float v = t < 0 ? 0.0f : t > 1 ? 1.0f : (float)t;
        *changed += (v >= 0.5f) != (alpha->data[i] >= 0.5f);
        alpha->data[i] = v;
    }
    free(in);
    free(out);
    free(s);
    return err;
}
