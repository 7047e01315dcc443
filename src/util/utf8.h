/* utf8.h - checking and repairing text that came from clients, so that JSON answers (jansson refuses
 * strings that are not UTF-8), log lines and metric labels stay valid whatever bytes were sent.
 * Pure functions: thread-safe, no allocation. */
#ifndef SB_UTF8_H
#define SB_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* True when s[0..len) is well-formed UTF-8: no stray continuation bytes, no truncated, overlong or
 * surrogate sequences, nothing above U+10FFFF. NUL bytes count as valid (U+0000). */
bool sb_utf8_valid(const char *s, size_t len);

/* The byte length of the well-formed UTF-8 character at s[0..n), or 0 when the bytes there are not
 * one (or n is 0). */
size_t sb_utf8_char_len(const char *s, size_t n);

/* Copy the NUL-terminated `src` into `dst` (`size` > 0 bytes, always NUL-terminated), each byte that is
 * not part of a well-formed character replaced by U+FFFD. When dst is too small the copy ends at a
 * character boundary, so a cut never makes a broken character. Returns dst. dst and src must not
 * overlap. */
char *sb_utf8_repair(char *dst, size_t size, const char *src);

#endif
