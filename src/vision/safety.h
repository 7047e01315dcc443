/* safety.h - content safety: the nsfwjs MobileNetV2 classifier (Drawing, Hentai, Neutral, Porn, Sexy)
 * and the rule that turns its five probabilities into a refusal. The thresholds and how they were
 * chosen are in docs/internals/vision.md ("Content safety"). A classifier
 * uses the process's shared net (models.h sb_model_session), so it may be used from several threads at once. */
#ifndef SB_SAFETY_H
#define SB_SAFETY_H

#include <stdbool.h>

#include "image/image.h"

/* porn + hentai at or over this is unsafe. Sexy and Drawing never count (bare shoulders, sportswear and
 * anime avatars are fine). Chosen from measurement: ordinary photos reach 0.77, their headshot crops 0.87. */
#define SB_SAFETY_EXPLICIT_MIN 0.95f

typedef struct sb_safety sb_safety_t;

typedef struct {
    float drawing, hentai, neutral, porn, sexy; /* softmax probabilities, summing to 1 */
    bool unsafe;                                /* the rule above, from those five */
} sb_safety_result_t;

/* Resolve, verify and load the nsfwjs model. SB_ERR_MODEL_MISSING/INVALID, SB_ERR_NOMEM. */
sb_err sb_safety_open(sb_safety_t **out, sb_error_t *e);

/* Free a classifier. NULL-safe. */
void sb_safety_close(sb_safety_t *s);

/* Classify `rgb` (3 bands, any size: squashed to 224x224 as nsfwjs does) into `out`. Only reads `rgb`.
 * SB_ERR_USAGE for an empty image or one that is not 3 bands; SB_ERR_INTERNAL when the net's output is
 * not 5 probabilities. Callers refuse an unsafe image with SB_ERR_UNSAFE_CONTENT. */
sb_err sb_safety_classify(sb_safety_t *s, const sb_image_t *rgb, sb_safety_result_t *out, sb_error_t *e);

/* The decision rule alone (porn + hentai >= SB_SAFETY_EXPLICIT_MIN) on the probabilities in `r`
 * (r->unsafe is ignored). Pure: any thread. */
bool sb_safety_is_unsafe(const sb_safety_result_t *r);

/* The same rule at another threshold (an operator's stricter or looser setting): porn + hentai >=
 * explicit_min. Pure. */
bool sb_safety_exceeds(const sb_safety_result_t *r, float explicit_min);

#endif
