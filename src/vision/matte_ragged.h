/* matte_ragged.h - how far a nearly convex product's outline wanders inside its straight sides. The salient
 * net cuts a few pixels into a carton's straight side where the product meets a background of its own
 * colour (GodMorgon's black carton against the dark gap between shelves, its edge along the thumb): long,
 * shallow bites with wide mouths, which the holes stage (product_holes.h: narrow mouths, enclosed holes)
 * leaves open, and which show on the canvas as a ragged edge. Filling them up to the convex hull was tried
 * and is not safe (docs/QUALITY.md, h14-edges): the hull of a carton seen at an angle also takes in a wedge
 * of the shelf. So they are measured and reported. Any thread; allocates scratch. */
#ifndef SB_MATTE_RAGGED_H
#define SB_MATTE_RAGGED_H

#include "image/image.h"

/* Under this solidity (the mask's area over its convex hull's) the outline is the product's own shape (a
 * lamp's arms, two shoes, a necklace), not straight sides; nothing is measured. */
#define SB_RAGGED_SOLIDITY 0.8
/* A bite's depth (its deepest pixel's distance inside the hull's nearest edge) is from SB_RAGGED_DEPTH_MIN
 * of the box's shorter side (at least SB_RAGGED_DEPTH_MIN_PX: shallower is the edge's own ramp) to
 * SB_RAGGED_DEPTH_MAX of it (deeper is the product's shape: a waist, a gap between two). */
#define SB_RAGGED_DEPTH_MIN 0.01
#define SB_RAGGED_DEPTH_MIN_PX 2.0
#define SB_RAGGED_DEPTH_MAX 0.05
/* ... and it is long beside its depth (area >= SB_RAGGED_THIN x depth^2, a triangle's base 10 times its
 * height): a strip along a straight side, not a corner the hull cuts across (a bump's shoulders). */
#define SB_RAGGED_THIN 5.0

/* The share of the mask (pixels of alpha >= 0.5 of `alpha`, 1 band) that its bites along straight sides
 * would add: the 8-connected parts of its convex hull outside it that reach the hull's edge, within the
 * depth bounds above and long beside their depth, their pixels summed over the mask's. 0 under
 * SB_RAGGED_SOLIDITY or for an empty mask. A few milliseconds on a working image. SB_ERR_NOMEM. */
sb_err sb_matte_ragged(const sb_fimage_t *alpha, float *share, sb_error_t *e);

#endif
