/* matte_trim.h - trim a subject matte to the subject before it is cut out: the subject's parts chosen, the
 * faint halo, specks and strips of old background beyond a thin band around them cleared, the outer soft
 * ramp steepened. Any thread; allocates scratch internally. */
#ifndef SB_MATTE_TRIM_H
#define SB_MATTE_TRIM_H

#include "image/image.h"

/* Parts of alpha >= 0.5 at least this fraction of the main part's area are kept with it (several bottles
 * in one photo); smaller ones are specks and go. */
#define SB_TRIM_KEEP_FRAC 0.05
/* The band kept around the kept parts: this fraction of their box's long side, at least 1 pixel. */
#define SB_TRIM_BAND_FRAC 0.003

/* Trim `alpha` (1 band, 0..1) in place:
 * 1. the 8-connected parts of alpha >= 0.5: the main part is the largest by area weighted down by its
 *    centroid's distance from the image centre (1 at the centre, 0.5 at a corner); others are kept when at
 *    least SB_TRIM_KEEP_FRAC of the main part's area;
 * 2. every pixel farther than the band from the kept parts is cleared (halo, specks and their haze);
 * 3. in the band, alpha under 0.5 is steepened to max(0, 2 * alpha - 0.5) (the outer ramp half as wide,
 *    continuous at 0.5; the inside, glass included, is left as it is).
 * An all-zero mask stays so. SB_ERR_NOMEM. */
sb_err sb_matte_trim(sb_fimage_t *alpha, sb_error_t *e);

/* Steepen the outer soft ramp of `alpha` (1 band, 0..1) in place by k >= 1: alpha under 0.5 becomes
 * max(0, 0.5 - k * (0.5 - alpha)), so the ramp outside the 0.5 contour is k times narrower (the trim's
 * step 3 is k = 2); alpha of 0.5 and more, glass included, is left as it is. The product photo uses it on
 * a layer enlarged s times (k = s / 1.5), so an enlarged edge stays about as wide as at the photo's scale. */
void sb_matte_steepen(sb_fimage_t *alpha, float k);

#endif
