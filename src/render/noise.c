/* noise.c - lattice hash, value noise and fractal sums (see noise.h). */
#include "render/noise.h"

#include <math.h>

static uint64_t mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    return h ^ (h >> 33);
}

uint64_t sb_noise_hash2(int x, int y, uint64_t seed)
{
    return mix64(seed ^ ((uint64_t)(uint32_t)x * 0x9e3779b97f4a7c15ull) ^ ((uint64_t)(uint32_t)y << 32));
}

float sb_noise_unit(uint64_t h)
{
    return (float)(h >> 40) * (1.0f / 16777216.0f);
}

float sb_noise_value(float x, float y, uint64_t seed)
{
    float fx = floorf(x), fy = floorf(y), tx = x - fx, ty = y - fy;
    int ix = (int)fx, iy = (int)fy;
    tx = tx * tx * (3 - 2 * tx);
    ty = ty * ty * (3 - 2 * ty);
    float a = sb_noise_unit(sb_noise_hash2(ix, iy, seed)), b = sb_noise_unit(sb_noise_hash2(ix + 1, iy, seed));
    float c = sb_noise_unit(sb_noise_hash2(ix, iy + 1, seed)), d = sb_noise_unit(sb_noise_hash2(ix + 1, iy + 1, seed));
    float top = a + (b - a) * tx, bottom = c + (d - c) * tx;
    return top + (bottom - top) * ty;
}

float sb_noise_fbm(float x, float y, uint64_t seed, int octaves)
{
    float sum = 0, amp = 1, norm = 0;
    for (int o = 0; o < octaves; o++, x *= 2, y *= 2, amp *= 0.5f) {
        sum += amp * sb_noise_value(x, y, seed + (uint64_t)o);
        norm += amp;
    }
    return sum / norm;
}

float sb_noise_turbulence(float x, float y, uint64_t seed, int octaves)
{
    float sum = 0, amp = 1, norm = 0;
    for (int o = 0; o < octaves; o++, x *= 2, y *= 2, amp *= 0.5f) {
        sum += amp * fabsf(2 * sb_noise_value(x, y, seed + (uint64_t)o) - 1);
        norm += amp;
    }
    return sum / norm;
}

float sb_noise_smooth(float e0, float e1, float v)
{
    float t = (v - e0) / (e1 - e0);
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    return t * t * (3 - 2 * t);
}
