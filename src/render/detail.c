/* detail.c - two unsharp masks on luminance, one wide and one narrow, with a clamp. */
#include "render/detail.h"

#include <stdlib.h>

#include "image/colour.h"
#include "image/filter.h"

const sb_detail_t SB_DETAIL_HEADSHOT = {
    .clarity = 0.22f,
    .clarity_sigma = 0.02f,
    .sharpen = 0.45f,
    .sharpen_sigma = 1.0f,
    .max_delta = 0.08f,
};

sb_err sb_detail_enhance(sb_fimage_t *img, const sb_fimage_t *weight, const sb_detail_t *d, sb_error_t *e)
{
    int w = img->width, h = img->height;
    size_t n = (size_t)w * h;
    float *lum = malloc(n * 3 * sizeof *lum);
    if (!lum)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for detail enhancement");
    float *wide = lum + n, *narrow = lum + 2 * n;
    for (size_t i = 0; i < n; i++)
        lum[i] = sb_luma(img->data + i * 3);
    sb_err err = sb_blur(lum, wide, w, h, 1, d->clarity_sigma * w, e);
    if (!err)
        err = sb_blur(lum, narrow, w, h, 1, d->sharpen_sigma, e);
    if (!err)
        for (size_t i = 0; i < n; i++) {
            float delta = d->clarity * (lum[i] - wide[i]) + d->sharpen * (lum[i] - narrow[i]);
            delta = delta < -d->max_delta ? -d->max_delta : delta > d->max_delta ? d->max_delta : delta;
            if (weight)
                delta *= weight->data[i];
            for (int c = 0; c < 3; c++)
                img->data[i * 3 + c] += delta;
        }
    free(lum);
    return err;
}
