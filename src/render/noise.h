/* noise.h - seeded procedural noise for the product scenes: a lattice hash, value noise and its fractal
 * sums. Pure functions of their arguments: the same seed gives the same values on every machine. Any
 * thread. */
#ifndef SB_NOISE_H
#define SB_NOISE_H

#include <stdint.h>

/* 64 well-mixed bits for lattice point (x, y) under `seed` (splitmix-style finaliser). */
uint64_t sb_noise_hash2(int x, int y, uint64_t seed);

/* The top 24 bits of `h` as a float in [0, 1). */
float sb_noise_unit(uint64_t h);

/* Value noise in 0..1 at (x, y): seeded values on the integer lattice, smoothstep-interpolated. */
float sb_noise_value(float x, float y, uint64_t seed);

/* fbm: `octaves` octaves of value noise, each twice the frequency and half the amplitude of the last,
 * normalised to 0..1. Octave o uses seed + o. */
float sb_noise_fbm(float x, float y, uint64_t seed, int octaves);

/* The same sum of |2 noise - 1| (turbulence, creased at the noise's mid level), 0..1. */
float sb_noise_turbulence(float x, float y, uint64_t seed, int octaves);

/* Smoothstep from e0 to e1 (e0 != e1), clamped to 0..1. */
float sb_noise_smooth(float e0, float e1, float v);

#endif
