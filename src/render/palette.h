/* palette.h - named colour palettes for backgrounds (neutral_grey, navy, ...) and palettes derived from
 * one "#RRGGBB" colour. A palette is a plain value: the table is const, parsing fills the caller's struct.
 * Any thread; no allocation. */
#ifndef SB_PALETTE_H
#define SB_PALETTE_H

#include "util/err.h"

typedef struct {
    char name[16];   /* the palette's name, or the colour as "#rrggbb" (lower case) */
    float base[3];   /* sRGB 0..1: the palette's colour (a studio paper's edge, a gradient's far end) */
    float light[3];  /* a light tint of it: where the light falls */
    float dark[3];   /* a deep shade of it: dark studio, the night behind neon and bokeh */
    float accent[3]; /* a saturated companion: neon lines, bokeh highlights */
} sb_palette_t;

/* Fill `out` from a palette name ("navy") or a colour "#RRGGBB" (hex digits in either case), from which
 * light, dark and accent are derived. SB_ERR_USAGE with field "palette" and the valid names in the
 * message for anything else. */
sb_err sb_palette_parse(const char *name_or_hex, sb_palette_t *out, sb_error_t *e);

/* The named palettes, NULL-terminated, in table order. Static storage. */
const char *const *sb_palette_names(void);

#endif
