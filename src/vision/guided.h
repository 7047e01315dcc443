/* guided.h - the colour guided filter (He, Sun, Tang 2010): smooths a mask while making its edges
 * follow the edges of a guide photo, so a 256 px segmentation turns into hair- and ear-following
 * alpha at working resolution. Any thread; allocates scratch internally. */
#ifndef SB_GUIDED_H
#define SB_GUIDED_H

#include "image/image.h"

/* Filter `p` (1 band, 0..1) in place, guided by `guide` (3 bands, 0..1, same size), with window
 * radius `r` and regulariser `eps` (larger = smoother, less edge-following). The result is clamped to
 * 0..1. `subsample` >= 1 computes the linear coefficients on a grid that much coarser (the fast
 * guided filter) and applies them at full resolution. */
sb_err sb_guided_filter(const sb_fimage_t *guide, sb_fimage_t *p, int r, float eps, int subsample,
                        sb_error_t *e);

#endif
