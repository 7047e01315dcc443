/* cast_shadow.h - a cast shadow kept in a product's subject matte: found and cleared. The salient net sees
 * a hard shadow on a plain background as part of the object (the lotion tin's, as salient as the tin);
 * this finds it by what a shadow is: the background's own colour, darker, smooth, and lying along the
 * matte's outline. Any thread; allocates scratch internally. */
#ifndef SB_CAST_SHADOW_H
#define SB_CAST_SHADOW_H

#include "image/image.h"

/* Clear the cast shadows in `alpha` (1 band, 0..1, rgb's size; rgb 3 bands) in place. The background is
 * read in a ring outside the matte (alpha under 0.05, 3% of the long side wide); it must be plain (its
 * luminance's standard deviation under SB_SHADOW_BG_SPREAD of its mean), or nothing is done. On the photo
 * smoothed by a 5x5 box, a shadow pixel has each band within SB_SHADOW_CHROMA of the background's
 * chromaticity (or 10 levels in a dark pixel). Its core (at most 45% of the background's luminance,
 * strips thinner than 0.8% of the long side opened away) is grown 8-connected into the matte's pixels up
 * to 92% of it (the penumbra) by 1.2% of the long side; a grown part is a shadow when it is
 * SB_SHADOW_MIN_FRAC to SB_SHADOW_MAX_FRAC of the matte (a shadow is never the bulk of the subject), at
 * least SB_SHADOW_CONTACT of its outline lies near the background, and its core is smooth (mean distance
 * of a pixel from its smoothed luminance under SB_SHADOW_TEXTURE levels: print, edges and highlights are
 * not). A shadow so found is then cleared only where the search, run again with the photo's bright lines
 * (a pixel 20 levels over its 5x5 mean, widened by a pixel) neither core nor penumbra, still finds one: the
 * cut stops at a lit edge, so a dark part of the product in its own shade behind it (the lotion tin's black
 * rim and navy base, as dark as the shadow) stays; deciding on the first search keeps a black product's
 * highlights from cutting it into shadow-sized parts (the desk lamp). Shadow pixels are set to 0; *removed
 * gets their count. The work is done on the crop around the matte;
 * a crop longer than 640 px is searched shrunk to about 640 and cleared at full size where that decision
 * (sampled bilinearly) holds and the pixel has the shadowed background's colour (its cut then follows the
 * shrunk decision: steps of a few pixels). Deterministic. SB_ERR_NOMEM. */
#define SB_SHADOW_BG_SPREAD 0.12
#define SB_SHADOW_CHROMA 0.045
#define SB_SHADOW_TEXTURE 7.0
#define SB_SHADOW_MIN_FRAC 0.02
#define SB_SHADOW_MAX_FRAC 0.35
#define SB_SHADOW_CONTACT 0.3
sb_err sb_cast_shadow_remove(const sb_image_t *rgb, sb_fimage_t *alpha, long *removed, sb_error_t *e);

#endif
