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

/* Bilinear sampling back at full resolution of a grid pooled by `s` (cell (i, j) the mean of pixels
 * [i s, i s + s) x [j s, j s + s), clipped to the image), one output row at a time. Pixel x of a `width`-wide row samples the grid at ((x + 0.5) / s - 0.5, (y + 0.5) / s - 0.5),
 * clamped to the grid. Each grid row is interpolated across once and kept while output rows need it.
 * One sampler per thread; the grid is the caller's and must outlive the sampler. */
typedef struct {
    const float *grid;
    int grid_w, grid_h, bands, s, width;
    int *x0, *x1;      /* per output column: offsets of the two grid samples */
    float *tx;         /* per output column: weight of x1 */
    int even0, even1;  /* columns [even0, even1): x1 = x0 + bands, and x0, tx repeat every s columns a cell on */
    float *rows[2];    /* grid rows interpolated across, `bands` planes of width */
    int row_y[2];      /* which grid row each holds, -1 for none */
} sb_pooled_sampler_t;

/* Set up a sampler for `grid` (grid_w x grid_h x bands, interleaved) pooled by `s` from rows `width`
 * pixels wide. SB_ERR_NOMEM; on failure nothing is left to free. */
sb_err sb_pooled_sampler_init(sb_pooled_sampler_t *ps, const float *grid, int grid_w, int grid_h, int bands, int s,
                              int width, sb_error_t *e);

/* Output row y into `out`: `bands` planes of width floats (band k of pixel x at out[k * width + x]). */
void sb_pooled_sampler_row(sb_pooled_sampler_t *ps, int y, float *out);

/* Free the sampler's tables. Safe on a zeroed or freed sampler. */
void sb_pooled_sampler_free(sb_pooled_sampler_t *ps);

/* Mean of `rgb`'s 3 bands and of `p`'s 1 band (both w x h, interleaved floats) over each s x s cell
 * (clipped at the edges) into `coarse` ((w + s - 1) / s x (h + s - 1) / s cells, 4 bands: rgb then p),
 * read straight from both rather than from a 4-band copy. The guided filter's and the subject split's grid. */
void sb_pool_rgb_mask(const float *rgb, const float *p, int w, int h, int s, float *coarse);

#endif
