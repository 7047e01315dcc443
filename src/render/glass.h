/* glass.h - transparent products (glasses, bottles, clear jars): how much of the photo's old background
 * shows through each pixel of the product, so the compositor can swap it for the new scene's.
 *
 * The model: inside the product a pixel is I = t B + (1 - t) G, B the old background behind it, G the glass's
 * own light (reflections, tint, a label) and t its transmission. B is estimated by filling the product's hole
 * in the photo from around it (push-pull, image/fill.h); t from how close I is to B (the matte says where the
 * product is, the colour difference how much of it is the background). A layer pixel (F, a) then becomes
 * a' = a (1 - t), F' = (F - t B) / (1 - t): composited over a new background N it gives a (I - t B + t N) +
 * (1 - a) N, the photo with the old background's share replaced by the new one's.
 *
 * Judging: the product counts as transparent when the mean of t / SB_GLASS_T_MAX over its interior (alpha >=
 * 0.95; `score`, 0..1) reaches SB_GLASS_SURE_SCORE; from SB_GLASS_MIN_SCORE up to it the call is close and
 * the product stays opaque (sb_glass_uncertain). On ../shared/testdata/products the beer glass scores 0.66;
 * the perfume (a clear glass, 0.49) and the chrome coffeepot reflecting its beige room (0.44) are close
 * calls, better opaque than see-through (docs/QUALITY.md, h14-silent); opaque products that resemble their
 * background score up to 0.37 (a coffee cup on a pale table, a brown purse on brown), the glass jars (0.26)
 * stay under. A white label on a bottle shot against a white wall reads as see-through too.
 * Deterministic; any thread. */
#ifndef SB_GLASS_H
#define SB_GLASS_H

#include <stdbool.h>

#include "image/image.h"

/* Transmission never exceeds this: real glass keeps some reflection, and the product stays visible. */
#define SB_GLASS_T_MAX 0.85f
/* The score from which a product may be glass: under it, opaque for sure. */
#define SB_GLASS_MIN_SCORE 0.43f
/* The score from which `auto` treats a product as transparent; from SB_GLASS_MIN_SCORE to under this it is a
 * close call (sb_glass_uncertain), kept opaque: the perfume (0.49) and the chrome coffeepot (0.44) lie there,
 * the beer glass (0.66) over. */
#define SB_GLASS_SURE_SCORE 0.60f

/* Who decides whether the product is treated as transparent: the score (auto), or the caller, who knows
 * the product (on: a glass the score misses, such as jars filled with sweets; off: a polished metal or a
 * label the score takes for glass). */
typedef enum { SB_GLASS_AUTO = 0, SB_GLASS_OFF, SB_GLASS_ON } sb_glass_mode;

typedef struct {
    float score;     /* 0..1, see above (from every third pixel each way) */
    sb_image_t map;  /* when score >= the estimate's min_score: the crop's size, 4 bands 8-bit, the old
                      * background B (sRGB) and t x 255; else empty (data NULL): an opaque product costs no map */
} sb_glass_t;

/* Estimate on the photo `rgb` (8-bit, 3 bands) with the product's matte `alpha` (1 band, same size, 0..1) for
 * the crop r = {x0, y0, x1, y1} (x1, y1 exclusive) into `out` (free with sb_glass_free); the map is made when
 * the score reaches `min_score` (sb_glass_min_score(SB_GLASS_AUTO) to judge; 0 always; over 1 never). Pixels with alpha 0
 * get t = 0. SB_ERR_INTERNAL for mismatched sizes or an empty crop; SB_ERR_NOMEM. On failure nothing is left
 * to free. */
sb_err sb_glass_estimate(const sb_image_t *rgb, const sb_fimage_t *alpha, const int r[4], float min_score,
                         sb_glass_t *out, sb_error_t *e);

/* Apply a glass map (resized to the layer's size, any resampling) to `layer` (8-bit RGBA: F and a) in place,
 * as in the header comment. SB_ERR_INTERNAL when the sizes or bands do not match. */
sb_err sb_glass_apply(sb_image_t *layer, const sb_image_t *map, sb_error_t *e);

/* The score from which `mode` treats a product as transparent: SB_GLASS_SURE_SCORE (auto), 0 (on: always),
 * 2 (off: never), as `min_score` for sb_glass_estimate. Pure. */
float sb_glass_min_score(sb_glass_mode mode);

/* Whether `mode` auto kept a product of this score opaque on a close call (SB_GLASS_MIN_SCORE to under
 * SB_GLASS_SURE_SCORE): a clear glass and polished metal reflecting a room like its own both score there,
 * and nothing in the photo tells them apart (docs/QUALITY.md), so the caller is told (transparency on makes
 * it see-through). Pure. */
bool sb_glass_uncertain(sb_glass_mode mode, float score);

/* The whole step for a product pipeline: estimate on `rgb` and `alpha` for the crop r (sb_glass_estimate) and,
 * when the product is treated as transparent (`mode` auto: its score is SB_GLASS_SURE_SCORE or more; on:
 * always; off: never), resize the map to `layer` (the crop's placed RGBA, any size) and apply it; an opaque
 * product's layer is left as it is. *score gets the estimate's score whatever the mode, *applied whether the
 * map was applied. The errors of both and of sb_image_resize. */
sb_err sb_glass_see_through(const sb_image_t *rgb, const sb_fimage_t *alpha, const int r[4], sb_glass_mode mode,
                            sb_image_t *layer, float *score, bool *applied, sb_error_t *e);

/* Free out->map. NULL-safe. */
void sb_glass_free(sb_glass_t *g);

#endif
