/* parse.h - numbers from text, strictly: the one place where strobe turns request fields, headers,
 * query strings, environment variables and command-line options into numbers.
 *
 * The whole of s[0..len) must be the number: no leading or trailing spaces, no '+', a '-' only when the
 * range allows negatives, no embedded NUL (the length is the caller's, so "300\0junk" is refused), no
 * overflow. Any thread; touches only its arguments. */
#ifndef SB_PARSE_H
#define SB_PARSE_H

#include <stddef.h>

#include "util/err.h"

/* A decimal integer in [min, max] into *out (untouched on failure). Errors: SB_ERR_USAGE naming
 * `field` ("<field> must be a whole number from <min> to <max>, got '<text>'", the text shown printable
 * and cut at 40 characters). */
sb_err sb_parse_int(const char *s, size_t len, long long min, long long max, long long *out, const char *field,
                    sb_error_t *e);

/* A decimal number (digits, one optional '.', an optional exponent; no "inf", "nan" or hex) in
 * [min, max] into *out (untouched on failure). Errors: SB_ERR_USAGE naming `field`. */
sb_err sb_parse_double(const char *s, size_t len, double min, double max, double *out, const char *field,
                       sb_error_t *e);

/* A size "WxH" (lower-case x, each side a whole number in [min, max]) into *w and *h (untouched on
 * failure). Errors: SB_ERR_USAGE naming `field`. */
sb_err sb_parse_size(const char *s, size_t len, int min, int max, int *w, int *h, const char *field, sb_error_t *e);

#endif
