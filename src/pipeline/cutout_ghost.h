/* cutout_ghost.h - the cut-out check's measure of remains away from the subject (issue 13): how much of the
 * frame the matte keeps, faint or opaque, far from the subject's own opaque body.
 *
 * The rule: a person's own soft edge (strands of hair, the blur of a shoulder, motion) lies next to the
 * opaque part of the matte that is theirs, the part connected to their face. Alpha of 0.08 or more farther
 * than 4% of the frame's short side from every pixel of that part is mass the subject's body cannot
 * explain: a faint ghost of a person standing behind (groups/3ddfa_emma_collage), a smear of the wall or of
 * the ice (faces/inspireface_attr_1423, u2net_figure_skater), a neighbour's shirt cut loose from the subject
 * by the split, and the haze round it. Nearer than that it is the subject's own edge, and opaque parts apart
 * from the subject but near it are background_left's. Pure function, any thread, deterministic. */
#ifndef SB_CUTOUT_GHOST_H
#define SB_CUTOUT_GHOST_H

#include <stdint.h>

#include "image/image.h"
#include "util/err.h"

/* The share of the frame of `alpha` (1 band, any size, borrowed) at alpha >= 0.08 farther (square distance)
 * than 4% of its short side from every set pixel of `subject` (alpha's size, a byte a pixel, non-zero on the
 * subject's own opaque part; the caller's scratch: it is dilated in place), into *ghost (0 on an error).
 * Errors: SB_ERR_NOMEM. */
sb_err sb_cutout_ghost(const sb_fimage_t *alpha, uint8_t *subject, float *ghost, sb_error_t *e);

#endif
