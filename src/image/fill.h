/* fill.h - filling the unknown parts of an image by push-pull (Gortler et al., "The Lumigraph", 1996):
 * what lies behind a subject, carried in smoothly from around it. Any thread. */
#ifndef SB_FILL_H
#define SB_FILL_H

#include "util/err.h"

/* Fill `grid` (w x h cells of 4 floats: colour x weight in bands 0..2, the weight in band 3, 0 unknown to 1
 * fully known) in place: on return every cell holds a colour (bands 0..2) and weight 1. Known cells (weight
 * 1) keep their colour; the rest take it from a pyramid of colour x weight sums, weights saturating at 1,
 * each level keeping what it knows and taking the rest bilinearly from the filled coarser level. A grid with
 * no known cell at all is filled with 0 / 0: give every cell a tiny weight floor to avoid it. Allocates the
 * coarser levels (a third of the grid); SB_ERR_NOMEM. */
sb_err sb_fill_pushpull(float *grid, int w, int h, sb_error_t *e);

#endif
