/* composite.h - alpha compositing of a foreground over a background. Any thread; no allocation. */
#ifndef SB_COMPOSITE_H
#define SB_COMPOSITE_H

#include "image/image.h"

/* bg = alpha * fg + (1 - alpha) * bg, in place on `bg`. All three the same size; fg and bg 3 bands,
 * alpha 1 band. Blends in the images' own encoding (sRGB), as photographic compositors do for mattes
 * estimated on sRGB data. */
sb_err sb_composite_over(const sb_fimage_t *fg, const sb_fimage_t *alpha, sb_fimage_t *bg, sb_error_t *e);

/* The same for a layer smaller (or larger) than `bg`: `fg` (3 bands) and `alpha` (1 band), of one size, with
 * their top-left pixel at (ox, oy) of `bg`; what falls outside `bg` is cut off and the rest of `bg` is not
 * touched. SB_ERR_INTERNAL when fg and alpha differ in size or the bands are wrong. */
sb_err sb_composite_over_at(const sb_fimage_t *fg, const sb_fimage_t *alpha, int ox, int oy, sb_fimage_t *bg,
                            sb_error_t *e);

#endif
