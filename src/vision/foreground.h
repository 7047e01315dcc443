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

#endif
