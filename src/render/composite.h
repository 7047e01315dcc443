/* composite.h - alpha compositing of a foreground over a background. Any thread; no allocation. */
#ifndef SB_COMPOSITE_H
#define SB_COMPOSITE_H

#include "image/image.h"

/* bg = alpha * fg + (1 - alpha) * bg, in place on `bg`. All three the same size; fg and bg 3 bands,
 * alpha 1 band. Blends in the images' own encoding (sRGB), as photographic compositors do for mattes
 * estimated on sRGB data. */
sb_err sb_composite_over(const sb_fimage_t *fg, const sb_fimage_t *alpha, sb_fimage_t *bg, sb_error_t *e);

#endif
