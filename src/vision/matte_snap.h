/* matte_snap.h - a subject matte's edge moved onto the photo's colour edge.
 *
 * The net's map is 320 x 320 and the guided filter that brings it to the photo's size smooths over a window
 * of about 1% of the photo: the refined edge can lie a pixel or two off the object's, on the background
 * (a white mug against a dark cabinet) or inside the object. In the band of `band` pixels each side of the
 * matte's 0.5 contour, a pixel whose colour is a mixture of the sure inside's and the sure outside's mean
 * colours around it (both within 2 band + 1 pixels) takes that mixture as its alpha: the edge goes where the
 * photo's colour changes, with its soft ramp. Where the two sides do not differ clearly (glass, a textured
 * product or background, a shadow) or the pixel's colour is neither, the matte is left as it is. */
#ifndef SB_MATTE_SNAP_H
#define SB_MATTE_SNAP_H

#include "image/image.h"

/* Each side needs this share of the window's pixels to have a mean colour. */
#define SB_SNAP_MIN_SHARE 0.1f
/* The two sides' mean colours differ by this many levels (RGB distance, 0..255) or more ... */
#define SB_SNAP_SEP 40.0
/* ... and by this many times the larger side's colour spread (standard deviation) or more. */
#define SB_SNAP_SPREAD 1.5
/* A pixel's colour projects onto that line at most this far beyond either colour (a fraction of their
 * distance) ... */
#define SB_SNAP_BEYOND 0.5
/* ... and its distance from the line between the two colours is at most this fraction of their distance. */
#define SB_SNAP_RESIDUAL 0.25

/* Move the edge of `alpha` (1 band, 0..1, rgb's size) onto the colour edge of `rgb` (3 bands, 8-bit) within
 * `band` pixels (>= 1) of its 0.5 contour, in place; *changed is the number of pixels that crossed 0.5.
 * Deterministic, any thread. SB_ERR_NOMEM; SB_ERR_INTERNAL when the sizes differ. */
sb_err sb_matte_snap(const sb_image_t *rgb, sb_fimage_t *alpha, int band, long *changed, sb_error_t *e);

#endif
