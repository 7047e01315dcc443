/* portrait_grade.h - the colour of a portrait style (render/style.h) on the composited frame: its grade
 * at its strength, then its render mode's colour (black and white: luminance only; film: the warm film
 * grade). Teal-orange, mono and film are render/grade.h's; warm, cool, muted and vivid are fixed
 * per-pixel curves here. Like every grade, no statistics of the image: two people graded alike look
 * alike. Any thread; no allocation. */
#ifndef SB_PORTRAIT_GRADE_H
#define SB_PORTRAIT_GRADE_H

#include "image/image.h"
#include "render/style.h"

/* Grade `rgb` (3 bands, sRGB 0..1) in place as `s` says; results stay in 0..1. A mono style leaves
 * R = G = B exactly. SB_ERR_USAGE (field "grade") for an unknown grade, SB_ERR_INTERNAL for an image not
 * of 3 bands. */
sb_err sb_portrait_grade(sb_fimage_t *rgb, const sb_style_t *s, sb_error_t *e);

#endif
