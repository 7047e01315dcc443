/* composite.h - alpha compositing of a foreground over a background. Any thread; no allocation. */
#ifndef SB_COMPOSITE_H
#define SB_COMPOSITE_H

#include "image/image.h"

/* bg = alpha * fg + (1 - alpha) * bg, in place on `bg`. All three the same size; fg and bg 3 bands,
 * alpha 1 band. Blends in the images' own encoding (sRGB), as photographic compositors do for mattes
 * estimated on sRGB data. */
sb_err sb_composite_over(const sb_fimage_t *fg, const sb_fimage_t *alpha, sb_fimage_t *bg, sb_error_t *e);

/* The same for an 8-bit RGBA layer of any size (colours and alpha are value / 255) with its top-left pixel
 * at (ox, oy) of `bg` (3 bands), cut to `bg`: the blend of sb_composite_over on those values, and exactly
 * the layer's colour where its alpha is 255. SB_ERR_INTERNAL when the bands are wrong. */
sb_err sb_composite_rgba8_over_at(const sb_image_t *layer, int ox, int oy, sb_fimage_t *bg, sb_error_t *e);

#endif
