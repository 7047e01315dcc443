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
    int *label;        /* per pixel: 0 = not set, else 1..n (the part's index + 1) */
    sb_region_t *part; /* n parts, in raster order of their first pixel */
    int n;
} sb_regions_t;

/* Label the 8-connected parts of the set pixels of `bin` (w x h). `out` is filled by the call (free with
 * sb_regions_free, also after a failure). SB_ERR_NOMEM. */
sb_err sb_regions_find(const uint8_t *bin, int w, int h, sb_regions_t *out, sb_error_t *e);

/* Release the labels and parts. NULL-safe. */
void sb_regions_free(sb_regions_t *r);

/* Dilate `bin` (w x h) in place by r pixels (square: Chebyshev distance <= r), set pixels becoming 1, in
 * two separable passes of linear time whatever r. r <= 0 leaves it as it is. SB_ERR_NOMEM. */
sb_err sb_regions_dilate(uint8_t *bin, int w, int h, int r, sb_error_t *e);

#endif
