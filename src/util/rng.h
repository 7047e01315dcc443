/* rng.h - a small seeded, splittable generator (splitmix64) for deterministic rendering: the same seed
 * gives the same numbers on every machine. A generator is a plain value; give each thread its own. */
#ifndef SB_RNG_H
#define SB_RNG_H

#include <stdint.h>

typedef struct {
    uint64_t state;
} sb_rng_t;

/* A generator seeded with `seed`. */
sb_rng_t sb_rng_seed(uint64_t seed);

/* An independent generator derived from `r` and `stream` (for per-row or per-stage streams). */
sb_rng_t sb_rng_split(const sb_rng_t *r, uint64_t stream);

/* Next 64 random bits; next float uniform in [0, 1). */
uint64_t sb_rng_next(sb_rng_t *r);
float sb_rng_float(sb_rng_t *r);

#endif
