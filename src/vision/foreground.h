/* foreground.h - foreground colour estimation at soft matte edges, so the old background does not
 * bleed through when the subject is composited on a new one (no halo). Blur-fusion estimator after
 * Forte & Pitie, "Approximate Fast Foreground Colour Estimation" (ICIP 2021), own implementation.
 * Any thread; allocates scratch internally. */
#ifndef SB_FOREGROUND_H
#define SB_FOREGROUND_H

#include "image/image.h"

/* Estimate the foreground colours F of `img` (3 bands, 0..1) under matte `alpha` (1 band, same size)
 * so that img ~= alpha*F + (1-alpha)*B. `fg` is allocated by the call (3 bands). A coarse pass of
 * radius r_large and a fine pass of radius r_small (pixels) are run. */
sb_err sb_foreground_estimate(const sb_fimage_t *img, const sb_fimage_t *alpha, int r_large, int r_small,
                              sb_fimage_t *fg, sb_error_t *e);

/* The same estimator where it can matter for a layer composited (and resized) with this matte, for an
 * 8-bit photo: F is estimated only at the pixels with alpha under 1 and some alpha above 0 within 2
 * pixels, with B corrected as in the paper (so B = I wherever alpha is 0, as F = I wherever it is 1);
 * every other pixel keeps the photo's colour. `out` (allocated by the call) is 4 bands: F, and alpha in
 * 8 bits (rounded), ready to resize as one layer. The pooling and box means are those of the whole-image
 * estimate; only the per-pixel work is cut, to the band (a quarter of the desk lamp's crop: 74 against
 * 85 ms, plus the 8-bit packing saved; within 1-2 levels of sb_foreground_estimate at soft pixels,
 * docs/internals/vision.md). SB_ERR_INTERNAL when the sizes or bands do not match; SB_ERR_NOMEM. */
sb_err sb_foreground_edge_rgba(const sb_image_t *img, const sb_fimage_t *alpha, int r_large, int r_small,
                               sb_image_t *out, sb_error_t *e);

#endif
