/* scene.h - product photo backgrounds: named presets (white studio, light gradient, marble, outdoor)
 * and custom scenes described in a short prompt ("golden hour on white marble"), painted procedurally.
 * Deterministic: the same preset, spec, seed and size give the same pixels. No files, no network.
 * Any thread; a spec is a plain value.
 *
 * The prompt vocabulary (case-insensitive; words split on spaces and punctuation other than '#' and
 * '_'; a two-word phrase is tried before its words):
 *
 *   kind      words and phrases                                   gives
 *   --------  --------------------------------------------------  --------------------------------------
 *   material  wood wooden timber                                  SB_SCENE_MATERIAL_WOOD
 *             marble                                              SB_SCENE_MATERIAL_MARBLE
 *             concrete cement                                     SB_SCENE_MATERIAL_CONCRETE
 *             linen fabric cloth                                  SB_SCENE_MATERIAL_LINEN
 *             sand sandy                                          SB_SCENE_MATERIAL_SAND
 *             slate stone                                         SB_SCENE_MATERIAL_SLATE
 *             paper                                               SB_SCENE_MATERIAL_PAPER
 *   colour    white black grey gray beige cream ivory navy blue   the colour (sRGB), see colours[] in
 *             green red pink orange yellow purple brown tan gold  scene.c; the palette names (navy,
 *             teal sage mint lavender peach terracotta charcoal   charcoal, forest_green, ...) give the
 *             "light grey" "dark grey" "off white" "sky blue"     palette's base colour
 *             "forest green" "warm beige" "cool blue"
 *             "pastel pink", any palette name, #RRGGBB
 *   light     candlelight candle candles warm                     SB_SCENE_LIGHT_CANDLELIGHT
 *             "warm candlelight" "warm light"
 *             daylight sunlight natural cool "natural light"      SB_SCENE_LIGHT_DAYLIGHT
 *             neon                                                SB_SCENE_LIGHT_NEON
 *             "golden hour" golden sunset                         SB_SCENE_LIGHT_GOLDEN_HOUR
 *   effect    bokeh blur blurred                                  SB_SCENE_BOKEH
 *             gradient                                            SB_SCENE_GRADIENT
 *             vignette                                            SB_SCENE_VIGNETTE
 *   stop      a an the on with and of in at by for to or          nothing, and not reported
 *             light lighting lit background backdrop surface
 *
 * The first mention of a material, colour or light wins; later ones are known but change nothing.
 * Every other word (e.g. "walnut", "table") is reported as ignored. */
#ifndef SB_SCENE_H
#define SB_SCENE_H

#include <stdint.h>

#include "image/image.h"

typedef enum {
    SB_SCENE_WHITE_STUDIO,   /* exact #FFFFFF, undithered: marketplaces require pure white */
    SB_SCENE_GRADIENT_LIGHT, /* white at the top to a light grey at the bottom */
    SB_SCENE_MARBLE,         /* white marble with grey veins */
    SB_SCENE_OUTDOOR,        /* soft natural bokeh: sky on top, foliage below, warm discs of sun */
    SB_SCENE_TRANSPARENT,    /* no background: the pipeline writes alpha */
    SB_SCENE_CUSTOM,         /* from a prompt (sb_scene_prompt_parse) */
    SB_SCENE__COUNT
} sb_scene_preset;

typedef enum {
    SB_SCENE_MATERIAL_NONE, /* a plain seamless surface */
    SB_SCENE_MATERIAL_WOOD,
    SB_SCENE_MATERIAL_MARBLE,
    SB_SCENE_MATERIAL_CONCRETE,
    SB_SCENE_MATERIAL_LINEN,
    SB_SCENE_MATERIAL_SAND,
    SB_SCENE_MATERIAL_SLATE,
    SB_SCENE_MATERIAL_PAPER,
    SB_SCENE_MATERIAL__COUNT
} sb_scene_material;

typedef enum {
    SB_SCENE_LIGHT_NEUTRAL,
    SB_SCENE_LIGHT_CANDLELIGHT, /* warm orange, falling off from a pool */
    SB_SCENE_LIGHT_DAYLIGHT,    /* neutral to slightly cool */
    SB_SCENE_LIGHT_NEON,        /* magenta from the left, cyan from the right */
    SB_SCENE_LIGHT_GOLDEN_HOUR, /* warm gold, low from the upper right */
    SB_SCENE_LIGHT__COUNT
} sb_scene_light;

enum { SB_SCENE_BOKEH = 1, SB_SCENE_GRADIENT = 2, SB_SCENE_VIGNETTE = 4 };

typedef struct {
    sb_scene_material material;
    int has_colour;   /* 0: the material's own colour */
    float colour[3];  /* sRGB 0..1, when has_colour */
    sb_scene_light light;
    unsigned effects; /* SB_SCENE_BOKEH | SB_SCENE_GRADIENT | SB_SCENE_VIGNETTE */
} sb_scene_spec_t;

/* Preset from its name: "white-studio", "gradient-light", "marble", "outdoor", "transparent",
 * "custom". SB_ERR_USAGE with field "preset" and the valid names in the message otherwise (NULL
 * included). */
sb_err sb_scene_preset_parse(const char *name, sb_scene_preset *out, sb_error_t *e);

/* The name of a preset ("white-studio"); "unknown" out of range. Static storage. */
const char *sb_scene_preset_name(sb_scene_preset p);

/* Parse `prompt` (see the vocabulary above) into `out` (zeroed first: no material, no colour, neutral
 * light, no effects), words read as util/words.h reads them. On success *ignored is a malloc'd array of
 * *n_ignored malloc'd lower-case words the parser did not know, each listed once, in the order of their
 * first use (NULL and 0 when none); free it with sb_scene_ignored_free. `ignored` may be NULL to not
 * collect them. SB_ERR_USAGE, field "background_prompt", for a NULL prompt, one without words, one over
 * 500 characters or one that is not valid UTF-8; SB_ERR_NOMEM. On failure nothing is left to free. */
sb_err sb_scene_prompt_parse(const char *prompt, sb_scene_spec_t *out, char ***ignored, int *n_ignored,
                             sb_error_t *e);

/* Free what sb_scene_prompt_parse reported as ignored. NULL-safe. */
void sb_scene_ignored_free(char **ignored, int n);

/* The factors (sRGB, about 0.9..1.1) by which a product placed in preset `p` (for custom, the scene `spec`)
 * is tinted so it looks lit by the scene's light: 35% of the light's colour at unit luminance (golden hour
 * about 1.05, 0.99, 0.92; candlelight warmer; daylight a little cool). 1, 1, 1 for neutral light, neon (its
 * colours change across the frame) and every preset but custom. */
void sb_scene_product_tint(sb_scene_preset p, const sb_scene_spec_t *spec, float rgb[3]);

/* Tint the 8-bit RGBA product layer `rgba` in place by sb_scene_product_tint's factors (alpha untouched;
 * nothing to do, and no pass, when they are all 1). */
void sb_scene_tint_layer(sb_scene_preset p, const sb_scene_spec_t *spec, sb_image_t *rgba);

/* Whether preset `p` paints one exact colour everywhere, without texture or dither (white studio): then
 * `rgb` is that colour (sRGB 0..1) and sb_scene_render would give nothing else, so a caller may fill only
 * what it needs with it. 0 for every other preset (rgb untouched). */
int sb_scene_flat(sb_scene_preset p, float rgb[3]);

/* Paint preset `p` (for SB_SCENE_CUSTOM, the scene `custom`) into `out` (allocated: width x height x 3,
 * sRGB 0..1; on failure nothing is left to free). `seed` picks the texture, the discs and the dither.
 * White studio is exactly 1.0 and is not dithered; everything else is dithered with
 * sb_backdrop_dither(seed). SB_ERR_USAGE, field "preset", for TRANSPARENT (the pipeline writes alpha),
 * CUSTOM without a spec, or sizes under 1; SB_ERR_NOMEM. */
sb_err sb_scene_render(sb_scene_preset p, const sb_scene_spec_t *custom, uint64_t seed, int width, int height,
                       sb_fimage_t *out, sb_error_t *e);

/* Where the product stands in the frame, so the scene can match it. */
typedef struct {
    /* The direction its shadow falls (0 to the right, 90 straight down, y down, as sb_shadow_overrides_t's
     * angle; sb_shadow_angle): the key light comes from the opposite side, so the textured presets are
     * brighter there (golden hour's sun and the candle's pool move to that side). NaN: light from above. */
    float shadow_deg;
    /* The canvas row its base stands on: outdoor puts a table top there (out of focus, its far edge a little
     * above the base), so the product stands on something and its shadow falls on it. NaN: no table. */
    float floor_y;
    /* The product is seen from above (a flat lay, sb_ground_read's SB_GROUND_ABOVE): outdoor paints the table
     * top seen from above over the whole frame, in the dappled light under the trees, with no horizon. */
    int from_above;
} sb_scene_frame_t;

/* sb_scene_render for a product placed as `frame` says (NULL: light from above and no table, which is what
 * sb_scene_render paints). White studio and gradient-light do not depend on it. Same errors. */
sb_err sb_scene_render_lit(sb_scene_preset p, const sb_scene_spec_t *custom, uint64_t seed, int width, int height,
                           const sb_scene_frame_t *frame, sb_fimage_t *out, sb_error_t *e);

/* A scene painted row by row, so a caller never holds a whole float canvas: the preset's layout, texture and
 * light are worked out once on a coarse grid by sb_scene_open, and each sb_scene_row gives one row, the same
 * values sb_scene_render_lit writes. Opaque; one painter may be read by several threads (rows are pure). */
typedef struct sb_scene_painter sb_scene_painter_t;

/* Start painting preset `p` at width x height for `frame` (may be NULL), as sb_scene_render_lit. *out is the
 * painter (free with sb_scene_close), NULL on failure. The errors of sb_scene_render_lit. */
sb_err sb_scene_open(sb_scene_preset p, const sb_scene_spec_t *custom, uint64_t seed, int width, int height,
                     const sb_scene_frame_t *frame, sb_scene_painter_t **out, sb_error_t *e);

/* Row y (0..height - 1) of the scene into `row` (width x 3 floats, sRGB 0..1 with the dither). */
void sb_scene_row(const sb_scene_painter_t *sp, int y, float *row);

/* Free a painter. NULL-safe. */
void sb_scene_close(sb_scene_painter_t *sp);

#endif
