/* icc.h - read the human-readable description out of an ICC profile blob.
 *
 * Threads: any thread; touches only its arguments. */
#ifndef SB_ICC_H
#define SB_ICC_H

#include <stddef.h>

/* Write the profile's 'desc' tag as printable ASCII into `out` (capacity `cap`, always
 * NUL-terminated; truncated when longer). Reads ICC v2 textDescriptionType and the first record of a
 * v4 multiLocalizedUnicodeType; characters outside printable ASCII become '?'. Writes "" when the
 * blob is malformed or has no description. Never reads outside `profile[0..len)`. */
void sb_icc_description(const void *profile, size_t len, char *out, size_t cap);

/* Whether the profile's data colour space (header bytes 16..19) fits an image of `bands` bands (alpha
 * included): 'GRAY' for 1 or 2 bands, 'RGB ' for 3 or 4, 'CMYK' for 4 or 5. 0 for any other pairing and
 * for a blob too short to have a header. A profile that does not fit cannot be used to convert the
 * image (libvips fails the whole decode). */
int sb_icc_fits_bands(const void *profile, size_t len, int bands);

/* Whether the profile is the common sRGB IEC61966-2.1 one (HP and Microsoft's, byte for byte). Its pixels
 * are taken as they are: converting them to libvips' sRGB profile (lcms, 8 bits) changes no value on
 * the bench photo and at most 1 level on 0.37% of the values of every 8-bit colour, for ~20 CPU-ms per
 * 1.7 MP decode (docs/BENCHMARKS.md, "Issue 11: headshot CPU"). */
int sb_icc_is_plain_srgb(const void *profile, size_t len);

#endif
