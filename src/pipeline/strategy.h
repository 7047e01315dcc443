/* strategy.h - the cut-out strategies every people pipeline (headshot, avatar, portrait, and so the batch)
 * tries before it delivers (issue 13): a framing fitted so the photo's border stays off the person, then
 * closer ones; the first cut-out uses the selfie net's matte, a cut-out made again the matte of both nets.
 * Each attempt is made and checked by the pipeline (sb_cutout_check); the first that passes is kept, and
 * when none passes the call fails with SB_ERR_CUTOUT_FAILED. Not thread-safe per studio. */
#ifndef SB_STRATEGY_H
#define SB_STRATEGY_H

#include "pipeline/cutout_qa.h"
#include "pipeline/portrait.h"

typedef struct {
    sb_fit_limits_t fit; /* the framing's limits, scaled to the pipeline's framing */
    float fade;          /* where the photo ends inside the frame, fade the person out over this share of it */
    int index;           /* 0..SB_HEADSHOT_STRATEGIES-1 */
} sb_cutout_strategy_t;

/* Make and check one attempt from `p`, placed and cut out (p->alpha faded by the strategy): the pipeline's
 * own stages after the cut-out, ending with *check filled by sb_cutout_check on what it would deliver,
 * kept in `ctx` until the next attempt. An error stops the strategies and is returned as it is. */
typedef sb_err (*sb_cutout_attempt_fn)(void *ctx, sb_studio_t *studio, sb_portrait_t *p,
                                       const sb_cutout_strategy_t *st, sb_cutout_check_t *check, sb_error_t *e);

/* Place the prepared portrait `p` (sb_portrait_prepare) after `framing` with each strategy in turn, cut
 * it out and call `attempt` until its check passes. No strategy grows the face past `cap` of the width
 * (0: 0.90, the tightest close-up; a portrait passes its framing's own limit, so a half body stays
 * wider than a close-up), but when the cap holds the tightest one back, its uncapped close-up is tried
 * last, before a refusal. Strategies whose framing keeps the photo's border off
 * the bust (sb_portrait_fits) are tried first, in order, then the others (their check may still pass where
 * the person does not reach the photo's border). A first cut-out that fails on a fitted framing is made
 * again with the matte of both nets before the next strategy. *check gets the last attempt's check, its
 * `attempts` the number of attempts made. When none passes: SB_ERR_CUTOUT_FAILED, saying why the last
 * failed; also, before any attempt, when the photo's edge cuts through the subject's face (its box, inset
 * by 10%, reaches past the photo: no framing makes a whole face of it). Stages: those of sb_portrait_place and sb_portrait_cutout, and the attempt's. */
sb_err sb_portrait_checked(sb_studio_t *studio, sb_portrait_t *p, const sb_framing_t *framing, float cap,
                           sb_cutout_attempt_fn attempt, void *ctx, sb_cutout_check_t *check,
                           sb_detect_result_t *d, sb_error_t *e);

#endif
