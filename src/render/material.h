/* material.h - the product scenes' surface materials (marble, wood, concrete, linen, sand, slate, paper):
 * what a point of the surface looks like before the scene's light. Split in two so a 2000 px scene stays
 * fast: the smooth part (colour, veins, grain figure, mottling, folds) is meant for the scene's coarse grid,
 * the fine part (weave, pores, aggregate, seams, grain) is per pixel. Pure functions: the same arguments give
 * the same values. Any thread. */
#ifndef SB_MATERIAL_H
#define SB_MATERIAL_H

#include <stdint.h>

#include "render/scene.h"

/* The material's own colour (sRGB 0..1) when the prompt names none. */
void sb_material_colour(sb_scene_material m, float srgb[3]);

/* The smooth albedo (linear) of material `m` at texture point (u, v) (pixels over the canvas's shorter side)
 * into `rgb`, from its base colour `base` (linear). `seed` lays out the veins, planks and mottling. A
 * material without texture (SB_SCENE_MATERIAL_NONE) gives `base`. */
void sb_material_albedo(sb_scene_material m, const float base[3], float u, float v, uint64_t seed, float rgb[3]);

/* Whether `m` has per-pixel detail (sb_material_detail is not always 1). */
int sb_material_has_detail(sb_scene_material m);

/* The per-pixel factor on the albedo at pixel (x, y) of a canvas whose shorter side is S pixels: grain,
 * linen's weave and threads, concrete's pores and aggregate, the seams between wood's planks. Sizes scale
 * with S, so a scene looks the same at every output size. `seed` as for sb_material_albedo. */
float sb_material_detail(sb_scene_material m, int x, int y, float S, uint64_t seed);

#endif
