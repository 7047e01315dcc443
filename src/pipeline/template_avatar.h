/* template_avatar.h - an avatar in the look of a portrait template (a named prompt + seed): the avatar
 * API's style "template:<name>". The portrait generator (sb_generate_portrait) makes one sample at the
 * avatar's square side; this adds what an avatar delivers besides: a PNG, the 100x100 thumbnail, the
 * platform's likeness threshold and the content-safety screen of the output. */
#ifndef SB_PIPELINE_TEMPLATE_AVATAR_H
#define SB_PIPELINE_TEMPLATE_AVATAR_H

#include "strobe.h"

typedef struct {
    const char *prompt;      /* the template's prompt (render/style.h vocabulary); NULL = none */
    int64_t seed;            /* the template's seed, 1..SB_GENERATE_SEED_MAX */
    const char *platform;    /* NULL = "generic": its side and likeness threshold */
    bool hires;              /* 1200x1200 instead of the platform's side */
    float safety_max;        /* refuse an output with porn + hentai >= this; 0 = SB_SAFETY_EXPLICIT_MIN */
} sb_template_avatar_opts_t;

/* The avatar of the main face in `buf` in the template's look, one sample at identityScale 0.8, as an
 * sb_avatar_result_t (free with sb_avatar_result_free): avatar (PNG), thumbnail, size, likeness and the
 * platform's likeness_min, seed, detect, attempts 1; style and background "template", platform the
 * resolved name; no quality score, palette or variant. The output is screened for unsafe content (the input is
 * not screened separately: the output carries its person). Deterministic. Errors: those of
 * sb_generate_portrait, SB_ERR_USAGE (field "platform"), SB_ERR_UNSAFE_CONTENT. Any thread, with a studio
 * of its own. */
sb_err sb_template_avatar(sb_studio_t *studio, const uint8_t *buf, size_t len, const sb_template_avatar_opts_t *o,
                          sb_avatar_result_t *res, sb_error_t *e);

#endif
