/* light.h - exposure and white balance normalised on the face. Measures the face's mean colour in
 * linear light and computes per-channel gains that bring an under- or over-exposed face into a
 * natural range and pull a colour cast back into the range of natural skin chromaticities, without
 * flattening skin tones (faces already in range are left alone). Any thread; no allocation. */
#ifndef SB_LIGHT_H
#define SB_LIGHT_H

#include "image/image.h"

typedef struct {
    float cx, cy, rx, ry; /* ellipse of the region to measure, in pixels */
} sb_ellipse_t;

typedef struct {
    float face_luma;  /* measured mean linear luminance of the face (0..1) */
    float gain[3];    /* per-channel linear gains to apply */
} sb_light_t;

/* Measure `lin` (3 bands, linear light) over the pixels inside `face` where `alpha` (1 band, may be
 * NULL) exceeds 0.5. Returns unit gains when fewer than 64 pixels qualify. */
sb_light_t sb_light_measure(const sb_fimage_t *lin, const sb_fimage_t *alpha, sb_ellipse_t face);

/* Multiply `lin` by the gains, with a soft shoulder so highlights roll off instead of clipping. */
void sb_light_apply(sb_fimage_t *lin, const sb_light_t *light);

#endif
