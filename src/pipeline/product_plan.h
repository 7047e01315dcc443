/* product_plan.h - the product photo's options checked and their defaults resolved into a plan (pipeline/
 * product.c's helper, not part of the library's API). Any thread. */
#ifndef SB_PIPELINE_PRODUCT_PLAN_H
#define SB_PIPELINE_PRODUCT_PLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "render/glass.h"
#include "render/scene.h"
#include "render/shadow.h"
#include "strobe.h"

/* The options as the pipeline runs them: every default resolved, every value checked. */
typedef struct {
    sb_scene_preset preset;
    sb_scene_spec_t spec;
    sb_shadow_kind shadow;
    sb_shadow_overrides_t ov;
    int width, height;
    float padding;
    sb_format_t format;
    int quality;
    bool mask_only;
    uint64_t seed;
    bool cutout, margin_pct, hand_remove;
    sb_glass_mode glass;
    double margin;
} sb_product_plan_t;

/* Check `in` (NULL: the defaults) and resolve it into `p`; a custom prompt's unknown words go to res->
 * ignored_terms (the caller frees them with the result). SB_ERR_USAGE naming the option, SB_ERR_NOMEM. */
sb_err sb_product_plan(const sb_product_opts_t *in, sb_product_plan_t *p, sb_product_result_t *res, sb_error_t *e);

#endif
