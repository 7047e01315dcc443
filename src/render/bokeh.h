/* bokeh.h - lens blur of a photo's own background (the `original_blur` background and the editorial
 * look's deep bokeh): a disc kernel, as an out-of-focus lens makes, in linear light, with highlights
 * expanded first so bright points spread into bright discs instead of fading into grey. Any thread. */
#ifndef SB_BOKEH_H
#define SB_BOKEH_H

#include "image/image.h"

/* Blur `rgb` (3 bands, sRGB 0..1) with a disc of `radius_px` pixels into `out` (allocated: same size,
 * sRGB 0..1, dithered; on failure nothing is left to free). Where `alpha_person` (1 band, same size,
 * may be NULL) marks the person, those pixels are left out and the hole is filled from the background
 * around it, so the subject does not bleed into the blurred background; what lies under the person is
 * that fill, to be covered by compositing the person back. Works on a grid pooled 1 to 4 times coarser
 * (radius / 4, so the disc keeps a radius of at least 4 cells) and samples it back bilinearly: about
 * 25 ms at 800 x 800 for radii of 16 to 48 pixels on one core (docs/internals/render.md).
 * SB_ERR_USAGE (field "radius") for a radius under 1; SB_ERR_INTERNAL for an image that is not 3 bands
 * or an alpha of another size; SB_ERR_NOMEM. */
sb_err sb_bokeh_blur(const sb_fimage_t *rgb, const sb_fimage_t *alpha_person, float radius_px, sb_fimage_t *out,
                     sb_error_t *e);

#endif
