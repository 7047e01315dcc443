/* colour.h - sRGB transfer function on float pixels (exact curve, table-driven for whole images).
 * Tables are built once, thread-safely, on first use; then any thread. */
#ifndef SB_COLOUR_H
#define SB_COLOUR_H

#include "image/image.h"

/* Exact sRGB <-> linear conversion of one value in 0..1. */
float sb_srgb_to_linear(float v);
float sb_linear_to_srgb(float v);

/* Convert every sample of `img` in place (values clamped to 0..1 first). */
void sb_fimage_srgb_to_linear(sb_fimage_t *img);
void sb_fimage_linear_to_srgb(sb_fimage_t *img);

/* `src` as linear floats in a new `dst`: the same floats as sb_image_to_float then sb_fimage_srgb_to_linear,
 * from a table of the 256 byte values (one read a sample instead of a conversion and an interpolation).
 * SB_ERR_NOMEM; `dst` is then left empty. */
sb_err sb_image_to_linear(const sb_image_t *src, sb_fimage_t *dst, sb_error_t *e);

/* One value as the whole-image paths convert it: a byte's linear value as sb_image_to_linear gives it, and
 * a linear value's sRGB one as sb_fimage_linear_to_srgb gives it (clamped to 0..1, the table interpolated). */
float sb_byte_to_linear(uint8_t b);
float sb_linear_to_srgb_table(float v);

/* Rec. 709 luminance of an RGB triple. */
static inline float sb_luma(const float *rgb) { return 0.2126f * rgb[0] + 0.7152f * rgb[1] + 0.0722f * rgb[2]; }

#endif
