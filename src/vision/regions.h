/* regions.h - connected parts and dilation of binary masks (1 byte a pixel, non-zero = set): what the
 * product's matte trim and its white check both need. Plain functions, any thread. */
#ifndef SB_REGIONS_H
#define SB_REGIONS_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

typedef struct {
    size_t area;
    int box[4];        /* x0, y0 inclusive, x1, y1 exclusive */
    double cx, cy;     /* centroid */
} sb_region_t;

typedef struct {
    int y, x0, x1; /* set pixels x0..x1-1 of row y */
    int part;      /* the part's index */
} sb_region_run_t;

typedef struct {
    sb_region_run_t *run; /* n_runs runs of set pixels, in raster order: the parts' pixels */
    int n_runs;
    sb_region_t *part;    /* n parts, in raster order of their first pixel */
    int n;
} sb_regions_t;

/* Find the 8-connected parts of the set pixels of `bin` (w x h), as runs of each row (no pixel-sized
 * buffer: a product mask is a few runs a row). `out` is filled by the call (free with sb_regions_free, also
 * after a failure). SB_ERR_NOMEM. */
sb_err sb_regions_find(const uint8_t *bin, int w, int h, sb_regions_t *out, sb_error_t *e);

/* Release the runs and parts. NULL-safe. */

/* Set `bin` (w x h, the size the parts were found in) to 1 on the pixels of the parts of at least
 * `min_area` pixels and 0 elsewhere. */
void sb_regions_paint(const sb_regions_t *r, double min_area, uint8_t *bin, int w, int h);
void sb_regions_free(sb_regions_t *r);

/* Dilate `bin` (w x h) in place by r pixels (square: Chebyshev distance <= r), set pixels becoming 1, in
 * two separable passes of linear time whatever r. r <= 0 leaves it as it is. SB_ERR_NOMEM. */
sb_err sb_regions_dilate(uint8_t *bin, int w, int h, int r, sb_error_t *e);

/* Erode `bin` (w x h) in place by r pixels (square): the complement dilated, so set pixels become 0 or 1.
 * SB_ERR_NOMEM. */
sb_err sb_regions_erode(uint8_t *bin, int w, int h, int r, sb_error_t *e);

#endif
