/* product_cut.h - the product photo's cut-out (pipeline/product.c's helpers, not part of the library's
 * API): the rectangle of the working photo around the product, cut out with its edge colours cleaned; the
 * product alone with its mask (the `cutout` option); the hand that holds it (the `hand` option). Any
 * thread, with the studio's own rules for sb_product_held. */
#ifndef SB_PIPELINE_PRODUCT_CUT_H
#define SB_PIPELINE_PRODUCT_CUT_H

#include <math.h>
#include <stdint.h>

#include "pipeline/studio.h"
#include "render/glass.h"

/* lrintf(v) as a byte, without the library call for v in [0, 2^23): adding 2^23 leaves no fraction bits,
 * so the sum is rounded to the nearest integer, ties to even, as lrintf rounds in the default mode (the
 * per-pixel call was most of the layer's and the check's alpha loops). Negative or NaN values go to
 * lrintf. */
static inline uint8_t sb_product_round_u8(float v)
{
    return v >= 0 && v < 0x1p23f ? (uint8_t)(int)((v + 0x1p23f) - 0x1p23f) : (uint8_t)lrintf(v);
}

/* An opaque product's matte is made solid from this share of its box's long side in from the background
 * (vision/matte_solid.h). */
#define SB_PRODUCT_SOLID_DEPTH_FRAC 0.02

/* The rectangle r (x0, y0, x1, y1) of the working photo cut out: its colours with the old background
 * taken out of the soft edge (sb_foreground_edge_rgba) and the mask as alpha, 8-bit RGBA into `f`
 * (allocated by the call; marks stage "foreground" in `st`). SB_ERR_NOMEM, SB_ERR_INTERNAL. */
sb_err sb_product_cut(const sb_image_t *work, const sb_fimage_t *mask, const int r[4], sb_image_t *f, sb_stages_t *st,
                      sb_error_t *e);

/* The box (x0, y0, x1, y1) grown by mx, my on each side, within the w x h photo, into r. */
void sb_product_grow_box(const int box[4], int mx, int my, int w, int h, int r[4]);

/* Make the product's matte `alpha` (1 band, 0..1) solid inside (sb_matte_solidify over `depth` pixels, at
 * least 2) and, when `rgba` is not NULL (8-bit RGBA, alpha's size), copy it into its 4th band. SB_ERR_NOMEM. */
sb_err sb_product_solidify(sb_fimage_t *alpha, sb_image_t *rgba, float depth, sb_error_t *e);

/* The product alone: the box grown by the margin (pixels, or with margin_pct a fraction of the box's
 * width and height), cut out at the working resolution and encoded as `format` (PNG or WebP, `quality`)
 * into res->output, its alpha as a 1-band PNG of the same crop into res->mask; res->width, height,
 * mask_width, mask_height, format, has_alpha set (stages "foreground", "encode"). As on a canvas, a
 * product treated as glass (`glass`, render/glass.h; the verdict in res->transparency) lets whatever it is
 * laid on show through where the old background showed, and any other product is made solid inside
 * (sb_product_solidify, SB_PRODUCT_SOLID_DEPTH_FRAC of the box's long side), so neither carries the old
 * scene or a ghost of itself. SB_ERR_NOMEM and the encoder's and glass step's errors. */
sb_err sb_product_cut_out(const sb_image_t *work, const sb_fimage_t *mask, const int box[4], double margin,
                          bool margin_pct, sb_glass_mode glass, sb_format_t format, int quality,
                          sb_product_result_t *res, sb_error_t *e);

/* A product held in a hand (vision/hand.h, with the studio's selfie net; only when the subject reaches the
 * photo's border, since a holding hand comes in from outside the photo): what the hand holds added to
 * `mask` when the salient net missed it, the hand taken out with `remove`, then the mask trimmed again to
 * the product (sb_matte_trim); res->hand says what was found, the selfie net is added to res's models
 * (stage "hand"). SB_ERR_NOMEM, the net's errors (SB_ERR_MODEL_MISSING/INVALID, SB_ERR_INTERNAL). */
sb_err sb_product_held(sb_studio_t *studio, bool remove, const sb_image_t *work, sb_fimage_t *mask,
                       sb_product_result_t *res, sb_error_t *e);

/* A subject filling SB_PRODUCT_SCENE_COVER or more of the photo with no hand holding it is the scene the
 * products are in (a car's boot with the shopping in it), not a product: the salient net looks again at
 * the middle of its box (SB_PRODUCT_INNER_CROP of the box's width and height taken off each side). When
 * the net finds a subject there that covers at most SB_PRODUCT_INNER_MAX of that crop, it replaces `mask`
 * (the crop's mask, trimmed, 0 elsewhere) and *inner is set; otherwise `mask` is left as it is. What it found
 * is then looked at closer (at 320x320 the middle of a scene leaves the products a few net pixels wide): the
 * net runs on the found box grown by SB_PRODUCT_INNER_GROW of its sides each way, and its mask replaces the
 * first look's when it covers at most SB_PRODUCT_INNER_MAX of that crop and keeps SB_PRODUCT_INNER_KEEP of
 * the first look's pixels. Marks stage "inner" when it looked. SB_ERR_NOMEM and the net's errors. */
#define SB_PRODUCT_SCENE_COVER 0.70
#define SB_PRODUCT_INNER_CROP 0.10
#define SB_PRODUCT_INNER_MAX 0.50
#define SB_PRODUCT_INNER_GROWS {0.4, 0.6, 0.8}
#define SB_PRODUCT_INNER_KEEP 0.90
sb_err sb_product_inner(sb_studio_t *studio, const sb_image_t *work, sb_fimage_t *mask, bool *inner,
                        sb_product_result_t *res, sb_error_t *e);

#endif
