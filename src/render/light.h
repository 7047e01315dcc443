/* light.h - exposure and white balance normalised on the face. Measures the face's mean colour in
 * linear light and computes per-channel gains that bring an under- or over-exposed face into a
 * natural range and pull a colour cast back into the range of natural skin chromaticities, without
 * flattening skin tones (faces already in range are left alone); and a directional key light for the
 * editorial look. Any thread; no allocation. */
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

/* `photo` (3 bands, sRGB bytes) multiplied by the gains in linear light, with a soft shoulder so highlights
 * roll off instead of clipping, back in sRGB into `out`: floats, allocated by the caller at the photo's size
 * with 3 bands (the linear copy the light was measured on, say), overwritten. The floats of sb_image_to_linear,
 * then the gains, then sb_fimage_linear_to_srgb, from a table of the 3 x 256 byte values (one read a sample).
 * Any thread. SB_ERR_INTERNAL when the sizes or bands do not match. */
sb_err sb_light_apply_srgb(const sb_image_t *photo, const sb_light_t *light, sb_fimage_t *out, sb_error_t *e);

/* Dramatic directional light (the editorial look): relight `lin` (3 bands, linear light) in place as
 * if a key light stood in direction (light_x, light_y) from the face (image axes, y down; any length).
 * Across `face_box` (x, y, w, h in pixels) exposure runs smoothly from -1.25 x strength stops on the
 * far side to +0.5 x strength stops on the near side, constant beyond the box along that axis and
 * fading with distance from the face (half at about 1.7 face sizes), so neck and shoulders follow the
 * face. Only the person changes: the effect is scaled by `alpha` (1 band, same size; NULL for the whole
 * image). Highlights roll off as in sb_light_apply_srgb. strength 0 changes nothing; 1 is a strong look.
 * SB_ERR_USAGE for a zero direction (field "light"), a negative strength ("strength") or an empty box
 * ("face_box"); SB_ERR_INTERNAL for images that do not match. */
sb_err sb_light_directional(sb_fimage_t *lin, const sb_fimage_t *alpha, float light_x, float light_y,
                            float strength, const float face_box[4], sb_error_t *e);

#endif
