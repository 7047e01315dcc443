/* matte_solid.h - an opaque subject's matte made solid inside. The salient net gives a product's matte
 * soft values well inside it where it is unsure (a bag in a row of bags at 0.6-0.8, an iPod's dock at
 * 0.5, a carton's lower part where the shelf behind is as dark): composited, the product shows as a ghost
 * with the new backdrop through it. An opaque product is opaque: deep inside its matte, alpha goes to 1,
 * while its edge (the soft ramp within a few pixels of the background) and real holes (alpha near 0) keep
 * their values. For products judged transparent (glass) the matte's inside is their transparency and is
 * not touched (the caller decides). Any thread; allocates scratch internally. */
#ifndef SB_MATTE_SOLID_H
#define SB_MATTE_SOLID_H

#include "image/image.h"

/* Alpha under this is background: distances are measured from it. */
#define SB_SOLID_OUTSIDE 0.1f
/* Alpha from which a pixel is taken as the product's (gain 0 at LOW, 1 at HIGH, smooth between): fainter
 * pixels deep inside are undecided holes, left as they are. */
#define SB_SOLID_LOW 0.35f
#define SB_SOLID_HIGH 0.6f

/* Make `alpha` (1 band, 0..1) solid inside, in place: a pixel at distance d (pixels, 8-neighbour chamfer)
 * from the nearest background pixel (alpha < SB_SOLID_OUTSIDE) becomes alpha + (1 - alpha) * g * w, where
 * w ramps from 0 at d <= 1 to 1 at d >= 1 + `depth`, and g is the smooth gain of alpha between
 * SB_SOLID_LOW and SB_SOLID_HIGH. The edge ramp and holes keep their values; a soft region reaching the
 * background is made solid from `depth` pixels in. `changed` (may be NULL) receives the share of
 * alpha >= 0.5 pixels whose value rose by more than 0.1. SB_ERR_USAGE (not 1 band, depth <= 0),
 * SB_ERR_NOMEM. */
sb_err sb_matte_solidify(sb_fimage_t *alpha, float depth, float *changed, sb_error_t *e);

#endif
