/* background.h - the avatar backgrounds: studio paper (light or dark), a gradient, glowing neon geometry
 * and generated bokeh, painted from a palette. Procedural and deterministic: the same kind, palette, seed
 * and size give the same pixels on every machine. Dithered like the studio backdrop, so 8-bit output
 * shows no banding. Any thread. */
#ifndef SB_BACKGROUND_H
#define SB_BACKGROUND_H

#include <stdint.h>

#include "image/image.h"
#include "render/palette.h"

typedef enum {
    SB_BACKGROUND_STUDIO_LIGHT,   /* the studio backdrop: the palette's light tint pooling on its colour */
    SB_BACKGROUND_STUDIO_DARK,    /* the same paper in the palette's deep shade, with a stronger vignette */
    SB_BACKGROUND_GRADIENT,       /* light tint to colour, lighter towards the top, at a seeded angle */
    SB_BACKGROUND_NEON_GEOMETRIC, /* glowing lines, rings and polygons on the dark shade, seeded */
    SB_BACKGROUND_BOKEH,          /* soft out-of-focus discs of light on a dark ground, seeded */
    SB_BACKGROUND_ORIGINAL_BLUR,  /* the photo's own background, lens-blurred by the pipeline (sb_bokeh_blur) */
    SB_BACKGROUND_TRANSPARENT,    /* no background: the pipeline writes the matte as alpha */
    SB_BACKGROUND__COUNT
} sb_background_kind;

/* Kind from its name ("studio_light", "neon_geometric", ...). SB_ERR_USAGE with field "background" and
 * the valid names in the message for anything else (NULL included). */
sb_err sb_background_parse(const char *name, sb_background_kind *out, sb_error_t *e);

/* The name of a kind ("bokeh"); "unknown" out of range. Static storage. */
const char *sb_background_name(sb_background_kind kind);

/* Paint `kind` in palette `p` into `out` (allocated: width x height x 3, sRGB 0..1; on failure nothing
 * is left to free). `seed` picks the layout (gradient angle, shapes, discs) and the dither; the studio
 * kinds use it for the dither only, and STUDIO_LIGHT with neutral_grey and seed SB_BACKDROP_STUDIO_GREY.seed
 * is exactly the headshot's backdrop. ORIGINAL_BLUR and TRANSPARENT come from the photo, not from here:
 * SB_ERR_USAGE (field "background"), as for sizes under 1. SB_ERR_NOMEM. */
sb_err sb_background_render(sb_background_kind kind, const sb_palette_t *p, uint64_t seed, int width, int height,
                            sb_fimage_t *out, sb_error_t *e);

#endif
