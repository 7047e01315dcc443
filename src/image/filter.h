/* filter.h - box means and box-approximated Gaussian blur on float buffers, the building blocks of the
 * guided filter, the foreground estimator and the render stages. O(pixels) whatever the radius.
 * Any thread; buffers are the caller's. Windows are clipped at the borders (edges average the pixels
 * that exist), so a constant image stays constant. */
#ifndef SB_FILTER_H
#define SB_FILTER_H

#include "util/err.h"

#define SB_BOX_MAX_BANDS 16

/* dst = mean of src over the (2r+1)x(2r+1) window around each pixel, per band. `src` and `dst` are
 * width*height*bands floats, interleaved; they may be the same buffer. r >= 0, 1 <= bands <= SB_BOX_MAX_BANDS. */
sb_err sb_box_mean(const float *src, float *dst, int width, int height, int bands, int r, sb_error_t *e);

/* dst = src blurred by three box passes whose variance matches a Gaussian of `sigma` pixels. In place
 * allowed. sigma <= 0 copies. */
sb_err sb_blur(const float *src, float *dst, int width, int height, int bands, float sigma, sb_error_t *e);

/* Average-pool `src` (width x height x bands) by `s` into `dst` of ceil(width/s) x ceil(height/s). */
void sb_pool_mean(const float *src, int width, int height, int bands, int s, float *dst);

/* Bilinear sample at full-resolution pixel (x, y) of a grid pooled by `s` (see sb_pool_mean) of
 * grid_w x grid_h x bands; writes `bands` values to out. */
void sb_sample_pooled(const float *grid, int grid_w, int grid_h, int bands, int s, int x, int y, float *out);

#endif
