/* portrait_bg.h - the backgrounds of portrait generation, painted from a resolved style (render/style.h):
 * studio paper, bokeh and neon through the avatar's renderer (render/background.h) with a palette made
 * from the style's colours, and three of its own: a two-colour gradient at the style's angle, a blurred
 * office interior and a blurred outdoor scene. Procedural and deterministic: the same style and size
 * give the same pixels. Any thread. */
#ifndef SB_PORTRAIT_BG_H
#define SB_PORTRAIT_BG_H

#include "image/image.h"
#include "render/style.h"

/* Paint the background of `s` into `out` (allocated: width x height x 3, sRGB 0..1, dithered; on failure
 * nothing is left to free). Layouts (bokeh discs, neon shapes, office windows, foliage) and the dither
 * come from s->background.texture_seed. SB_ERR_USAGE (field "background") for an unknown kind or a size
 * under 1; SB_ERR_NOMEM. */
sb_err sb_portrait_bg_render(const sb_style_t *s, int width, int height, sb_fimage_t *out, sb_error_t *e);

#endif
