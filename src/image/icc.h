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

#endif
