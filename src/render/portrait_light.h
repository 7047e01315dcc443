/* portrait_light.h - the key light of a portrait style (render/style.h) on the cut-out person: a
 * directional key (render/light.h) from the style's angle at its strength, softened by its softness and
 * tinted by its warmth; rim light adds a bright edge on the light's side; neon replaces the key with two
 * coloured side lights, magenta from the left and cyan from the right, each strongest at its side's edge
 * of the face and on the hair and shoulders beyond it and fading towards the middle of the face. Any
 * thread. */
#ifndef SB_PORTRAIT_LIGHT_H
#define SB_PORTRAIT_LIGHT_H

#include "image/image.h"
#include "render/style.h"

/* Relight `lin` (3 bands, linear light) in place where `alpha` (1 band, same size: the person matte)
 * says, as s->light describes; face_box (x, y, w, h in pixels) is the face the light is aimed at.
 * Deterministic. SB_ERR_USAGE (field "face_box") for an empty box, SB_ERR_INTERNAL for images that do
 * not match, SB_ERR_NOMEM. */
sb_err sb_portrait_light_apply(sb_fimage_t *lin, const sb_fimage_t *alpha, const float face_box[4], const sb_style_t *s,
                               sb_error_t *e);

#endif
