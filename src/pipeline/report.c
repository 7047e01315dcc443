/* report.c - results as JSON: warnings, model provenance, the cut-out check, the product checks. */
#include "pipeline/report.h"

#include <math.h>
#include <stdio.h>

json_t *sb_report_warnings(uint32_t warnings)
{
    json_t *a = json_array();
    for (int i = 0; i < SB_WARN_COUNT; i++)
        if (warnings & (1u << i))
            json_array_append_new(a, json_string(sb_warning_name((sb_warning)(1u << i))));
    return a;
}

json_t *sb_report_models(const sb_detect_result_t *d)
{
    json_t *a = json_array();
    for (int i = 0; i < d->n_models; i++) {
        const sb_model_info_t *m = sb_model_info(d->models[i]);
        json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s}", "name", m->name, "file", m->relpath, "sha256",
                                           m->sha256, "license", m->license));
    }
    return a;
}

json_t *sb_report_cutout(const sb_cutout_check_t *c)
{
    return json_pack("{s:b, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:b, s:b, s:i, s:i}", "pass", c->pass,
                     "matte_confidence", (double)c->matte_confidence, "background_left", (double)c->background_left,
                     "other_person", (double)c->other_person, "halo", (double)c->halo, "holes", (double)c->holes,
                     "wall", (double)c->wall, "ghost", (double)c->ghost, "glare", (double)c->glare,
                     "disagree", (double)c->disagree, "raised", (double)c->raised,
                     "other_person_left", c->other_person_left, "photo_edge_visible", c->photo_edge_visible,
                     "output_face_count",
                     c->output_face_count, "attempts", c->attempts);
}

/* ["background_not_white", "fill_ratio_0.62", "long_side_800"]: the fill floored to two decimals, so a
 * failing fill never reads as 0.85. */
static json_t *amazon_reasons(const sb_product_amazon_t *a)
{
    json_t *r = json_array();
    char s[48];
    if (a->reasons & SB_AMAZON_NOT_WHITE)
        json_array_append_new(r, json_string("background_not_white"));
    if (a->reasons & SB_AMAZON_FILL) {
        snprintf(s, sizeof s, "fill_ratio_%.2f", floor(a->fill * 100) / 100);
        json_array_append_new(r, json_string(s));
    }
    if (a->reasons & SB_AMAZON_SIDE) {
        snprintf(s, sizeof s, "long_side_%d", a->long_side);
        json_array_append_new(r, json_string(s));
    }
    return r;
}

void sb_report_product_checks(const sb_product_result_t *r, json_t *obj)
{
    json_t *warnings = json_array();
    char s[48];
    if (r->upscale >= SB_PRODUCT_UPSCALE_WARN) {
        snprintf(s, sizeof s, "input_upscaled_%.1fx", r->upscale);
        json_array_append_new(warnings, json_string(s));
    }
    if (r->inner)
        json_array_append_new(warnings, json_string("subject_inside_scene"));
    if (r->holes_open >= SB_PRODUCT_HOLES_WARN)
        json_array_append_new(warnings, json_string("cutout_holes"));
    if (r->edge_ragged >= SB_PRODUCT_RAGGED_WARN)
        json_array_append_new(warnings, json_string("edge_ragged"));
    if (r->edge_unseen >= SB_PRODUCT_UNSEEN_WARN && !r->transparency.applied)
        json_array_append_new(warnings, json_string("edge_unseen"));
    if (r->transparency.uncertain)
        json_array_append_new(warnings, json_string("transparency_uncertain"));
    json_object_set_new(obj, "validation_warnings", warnings);
    json_object_set_new(obj, "hand", json_pack("{s:b, s:b}", "found", r->hand.hand > 0, "removed", r->hand.removed > 0));
    if (r->transparency.done)
        json_object_set_new(obj, "transparency", json_pack("{s:b, s:f}", "applied", r->transparency.applied, "score",
                                                           round(r->transparency.score * 1000) / 1000));
    if (r->white.done)
        json_object_set_new(obj, "check",
                            json_pack("{s:{s:b, s:I, s:I}}", "white", "pass", r->white.pass, "off_white",
                                      (json_int_t)r->white.off_white, "stray", (json_int_t)r->white.stray));
    if (r->amazon.done)
        json_object_set_new(obj, "marketplace",
                            json_pack("{s:{s:b, s:o, s:f, s:i}}", "amazon_main", "pass", r->amazon.pass, "reasons",
                                      amazon_reasons(&r->amazon), "fill", round(r->amazon.fill * 1000) / 1000,
                                      "long_side", r->amazon.long_side));
}
