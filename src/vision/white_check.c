/* white_check.c - off-white background and stray product pixels on a white-studio canvas. */
#include "vision/white_check.h"

#include <math.h>
#include <stdlib.h>

#include "vision/regions.h"

/* The box (x0, y0, x1, y1) of alpha's non-zero pixels grown by `grow`, clipped to the canvas; empty
 * (x0 >= x1) when alpha is 0 everywhere. */
static void alpha_box(const sb_image_t *alpha, int grow, int r[4])
{
    int w = alpha->width, h = alpha->height;
    r[0] = w, r[1] = h, r[2] = r[3] = 0;
    for (int y = 0; y < h; y++) {
        const uint8_t *a = alpha->data + (size_t)y * w;
        int x0 = 0, x1 = w;
        while (x0 < w && !a[x0])
            x0++;
        if (x0 == w)
            continue;
        while (!a[x1 - 1])
            x1--;
        r[0] = x0 < r[0] ? x0 : r[0], r[2] = x1 > r[2] ? x1 : r[2];
        r[1] = y < r[1] ? y : r[1], r[3] = y + 1;
    }
    if (r[0] >= r[2])
        return;
    r[0] = r[0] - grow < 0 ? 0 : r[0] - grow, r[1] = r[1] - grow < 0 ? 0 : r[1] - grow;
    r[2] = r[2] + grow > w ? w : r[2] + grow, r[3] = r[3] + grow > h ? h : r[3] + grow;
}

/* The main parts of alpha >= 128 inside the rectangle r, dilated by the band, into `keep` (r's size,
 * allocated by the call). */
static sb_err main_band(const sb_image_t *alpha, const int r[4], int band, uint8_t **keep, sb_error_t *e)
{
    int w = r[2] - r[0], h = r[3] - r[1];
    size_t n = (size_t)w * h, largest = 0;
    sb_regions_t parts = {0};
    uint8_t *k = malloc(n);
    if (!k)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the white check");
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            k[(size_t)y * w + x] = alpha->data[(size_t)(y + r[1]) * alpha->width + x + r[0]] >= 128;
    sb_err err = sb_regions_find(k, w, h, &parts, e);
    for (int i = 0; !err && i < parts.n; i++)
        largest = parts.part[i].area > largest ? parts.part[i].area : largest;
    if (!err)
        sb_regions_paint(&parts, SB_WHITE_MAIN_FRAC * (double)largest, k, w, h);
    if (!err)
        err = sb_regions_dilate(k, w, h, band, e);
    sb_regions_free(&parts);
    if (err)
        free(k);
    else
        *keep = k;
    return err;
}

sb_err sb_white_check(const sb_image_t *rgb, const sb_image_t *alpha, const sb_fimage_t *shadow,
                      sb_white_check_t *out, sb_error_t *e)
{
    int w = rgb->width, h = rgb->height;
    *out = (sb_white_check_t){0};
    if (rgb->bands != 3 || alpha->bands != 1 || alpha->width != w || alpha->height != h ||
        (shadow && (shadow->bands != 1 || shadow->width != w || shadow->height != h)))
        return sb_error_set(e, SB_ERR_INTERNAL, "", "white check: mismatched canvas, alpha or shadow");
    out->band = (int)lround(SB_WHITE_BAND_FRAC * (w > h ? w : h));
    int r[4];
    uint8_t *keep = NULL;
    alpha_box(alpha, out->band, r);
    sb_err err = r[0] < r[2] ? main_band(alpha, r, out->band, &keep, e) : SB_OK;
    if (err)
        return err;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            size_t i = (size_t)y * w + x;
            const uint8_t *p = rgb->data + i * 3;
            if (alpha->data[i] && !keep[(size_t)(y - r[1]) * (r[2] - r[0]) + x - r[0]])
                out->stray++;
            else if (!alpha->data[i] && !(shadow && shadow->data[i] > 0) &&
                     (p[0] != 255 || p[1] != 255 || p[2] != 255))
                out->off_white++;
        }
    free(keep);
    out->pass = !out->off_white && (double)out->stray <= SB_WHITE_STRAY_FRAC * w * h;
    return SB_OK;
}
