/* rng.c - splitmix64 (Steele, Lea, Flood 2014). */
#include "util/rng.h"

static uint64_t mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

sb_rng_t sb_rng_seed(uint64_t seed)
{
    sb_rng_t r = {mix(seed + 0x9e3779b97f4a7c15ULL)};
    return r;
}

sb_rng_t sb_rng_split(const sb_rng_t *r, uint64_t stream)
{
    sb_rng_t s = {mix(r->state ^ mix(stream + 0x632be59bd9b4e019ULL))};
    return s;
}

uint64_t sb_rng_next(sb_rng_t *r)
{
    r->state += 0x9e3779b97f4a7c15ULL;
    return mix(r->state);
}

float sb_rng_float(sb_rng_t *r)
{
    return (float)(sb_rng_next(r) >> 40) * (1.0f / 16777216.0f);
}
