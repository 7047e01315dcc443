/* matte_seam.h - where a product's outline runs through the product itself. A mask's edge belongs where
 * the photo changes: product on one side, background on the other. Where the salient net stops short of
 * the product (a bite out of a carton's printed side, a carton cut across below the thumb, a spout or a
 * handle left out), the outline crosses the product's own surface and the photo looks the same on both
 * sides of it. Measured, not mended: a background of the product's own colour (a black carton against a
 * dark gap) looks the same too. Any thread; allocates scratch. */
#ifndef SB_MATTE_SEAM_H
#define SB_MATTE_SEAM_H

#include "image/image.h"

/* The photo is sampled SB_SEAM_NEAR to SB_SEAM_FAR px inside and outside each outline pixel, along the
 * mask's normal there; a pixel is a seam when the two sides' mean colours are under SB_SEAM_DIFF apart
 * (the largest of the three bands' differences, 0..255). */
#define SB_SEAM_NEAR 1
#define SB_SEAM_FAR 3
#define SB_SEAM_DIFF 24.0
/* A run of seam pixels counts when it is SB_SEAM_RUN of the mask's box perimeter long or longer: a stretch
 * of outline, not the odd pixel where the edge is soft. */
#define SB_SEAM_RUN 0.015

/* The share of the outline of `alpha` (1 band, 0..1, rgb's size; its pixels of alpha >= 0.5) that runs in
 * long stretches where the photo `rgb` (3 bands) does not change across it (see above). Outline pixels on
 * the photo's border, and those whose samples fall off the photo or on the wrong side of the mask, are
 * left out of both counts. 0 for an empty mask. Deterministic; 1.7 ms on a 1024x768 working image with a
 * 2,000 px outline.
 * SB_ERR_NOMEM. */
sb_err sb_matte_seam(const sb_image_t *rgb, const sb_fimage_t *alpha, float *share, sb_error_t *e);

#endif
