/* finish.h - the last touches of a rendered frame: luma film grain, a corner vignette, soft skin and
 * sharpening. Grain and the vignette's falloff are shared with custom looks (render/look.c). Any thread;
 * grain and vignette allocate nothing. */
#ifndef SB_FINISH_H
#define SB_FINISH_H

#include <stdint.h>

#include "image/image.h"

/* Radius (fraction of the half diagonal) inside which a vignette leaves the frame alone. */
#define SB_VIGNETTE_CENTRE 0.35f

/* Distance of pixel (x, y) from the centre of a w x h frame in half diagonals: 0 at the centre, 1 in
 * the corners. */
float sb_finish_radius(int x, int y, int w, int h);

/* How much of a vignette reaches radius r: 0 inside SB_VIGNETTE_CENTRE, rising smoothly to 1 at the
 * corners. */
float sb_finish_vignette_falloff(float r);

/* Add luma grain of std `sigma` (sRGB units) to `rgb` (3 bands, 0..1) in place: one near-Gaussian value
 * per pixel, the same in every band (grain reads in luma, and a grey image stays grey), clamped to 0..1.
 * The pattern depends only on `seed` and the image size. sigma <= 0 changes nothing. */
void sb_finish_grain(sb_fimage_t *rgb, float sigma, uint64_t seed);

/* Darken `rgb` (3 bands) towards the corners: every band of a pixel at radius r is multiplied by
 * 1 - amount * sb_finish_vignette_falloff(r), so a grey image stays grey. amount 0..1; 0 changes nothing. */
void sb_finish_vignette(sb_fimage_t *rgb, float amount);

/* Soften skin: inside `region` (1 band, same size, 0..1: where the face's skin is) mix `rgb` (3 bands,
 * sRGB) with a blur of `sigma` pixels by amount x region, keeping a third of the detail so skin does not
 * turn to plastic. amount 0..1; 0 changes nothing. SB_ERR_NOMEM; SB_ERR_INTERNAL for sizes that do not
 * match. */
sb_err sb_finish_soft_skin(sb_fimage_t *rgb, const sb_fimage_t *region, float sigma, float amount, sb_error_t *e);

/* Sharpen luminance (render/detail.h, small radius) by `amount` 0..1, scaled by `weight` (1 band, may be
 * NULL: the whole frame). 0 changes nothing. SB_ERR_NOMEM. */
sb_err sb_finish_sharpen(sb_fimage_t *rgb, const sb_fimage_t *weight, float amount, sb_error_t *e);

#endif
