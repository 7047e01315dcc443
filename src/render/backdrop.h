/* backdrop.h - procedural studio backdrops: a soft radial light pool on a seamless paper colour with
 * a vignette, dithered so 8-bit output shows no banding. Deterministic for a given seed. Any thread. */
#ifndef SB_BACKDROP_H
#define SB_BACKDROP_H

#include <stdint.h>

#include "image/image.h"

typedef struct {
    float centre[3]; /* sRGB 0..1 at the centre of the light pool */
    float edge[3];   /* sRGB 0..1 far from it */
    float cx, cy;    /* pool centre, fractions of width and height */
    float radius;    /* pool falloff radius, fraction of the half diagonal */
    float vignette;  /* extra darkening towards the corners, 0..1 */
    uint64_t seed;   /* dither noise seed */
} sb_backdrop_t;

/* Neutral grey studio paper with the light pool behind the head: the corporate headshot's backdrop. */
extern const sb_backdrop_t SB_BACKDROP_STUDIO_GREY;

/* Render `b` into `out` (allocated: width x height x 3, sRGB 0..1). The last backdrop of up to 1 MP is kept
 * for the process (one entry, under a lock), so the next call with the same backdrop and size copies it. */
sb_err sb_backdrop_render(const sb_backdrop_t *b, int width, int height, sb_fimage_t *out, sb_error_t *e);

/* Add a triangular +-1 LSB (of 8 bits) dither to `img` (sRGB, any band count) in place: one value per
 * pixel, the same in every band. The noise depends only on `seed` and the image size. Shared by every
 * smooth render (backdrops, backgrounds, lens blur). No allocation; values may leave 0..1 by 1 LSB
 * (sb_fimage_to_u8 clamps). */
void sb_backdrop_dither(sb_fimage_t *img, uint64_t seed);

/* The same dither on row `y` alone (`width` pixels of `bands` samples): sb_backdrop_dither is this on every
 * row, so a renderer that works row by row adds the same noise. */
void sb_backdrop_dither_row(float *row, int width, int bands, int y, uint64_t seed);

#endif
