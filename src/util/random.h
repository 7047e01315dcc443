/* random.h - unpredictable bytes from the kernel, for ids, keys and secrets (not the seeded rng.h,
 * which is for reproducible image noise). Thread-safe. */
#ifndef SB_RANDOM_H
#define SB_RANDOM_H

#include <stddef.h>
#include <stdint.h>

/* Fill `buf` with `len` bytes from getrandom(2). Aborts the process if the kernel cannot supply them:
 * an id or key made from weak randomness is worse than no service. */
void sb_random_bytes(uint8_t *buf, size_t len);

/* Write `nbytes` random bytes as 2*nbytes lowercase hex digits plus NUL into `out`. */
void sb_random_hex(char *out, size_t nbytes);

/* Lowercase hex of `len` bytes into `out` (2*len+1 bytes). */
void sb_hex_encode(const uint8_t *in, size_t len, char *out);

#endif
