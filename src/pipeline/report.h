/* report.h - JSON pieces of pipeline results that the CLI and the service print the same way
 * (jansson values; the caller owns the new reference). Any thread. */
#ifndef SB_REPORT_H
#define SB_REPORT_H

#include <jansson.h>

#include "strobe.h"

/* ["multiple_faces", "blurry", ...]: the names of the sb_warning bits set in `warnings`. */
json_t *sb_report_warnings(uint32_t warnings);

/* [{"name", "file", "sha256", "license"}, ...]: the models that took part in a result (provenance). */
json_t *sb_report_models(const sb_detect_result_t *d);

/* {"pass", "matte_confidence", "background_left", "other_person", "halo", "holes", "wall", "ghost", "glare",
 * "disagree", "raised", "other_person_left",
 * "photo_edge_visible",
 * "output_face_count", "attempts"}: the API's CutoutCheck. */
json_t *sb_report_cutout(const sb_cutout_check_t *c);

/* A product result's checks into `obj`: always "validation_warnings" (["input_upscaled_3.4x"] when the
 * product was enlarged SB_PRODUCT_UPSCALE_WARN times or more, then "subject_inside_scene" when the product
 * was taken from the middle of a scene (res->inner), then "cutout_holes" when holes that look partly like
 * the product are still open in its mask (res->holes_open, SB_PRODUCT_HOLES_WARN or more), then
 * "edge_ragged" when its outline wanders inside its straight sides (res->edge_ragged, SB_PRODUCT_RAGGED_WARN
 * or more), then "edge_unseen" when its outline runs where the photo shows no edge (res->edge_unseen,
 * SB_PRODUCT_UNSEEN_WARN or more, on a product not made see-through), then "transparency_uncertain" when it was kept opaque on a close call (res->transparency.uncertain), else []); "hand": {"found", "removed"}
 * when a hand was taken out; "transparency": {"applied", "score"} when it was judged (every output: the
 * product was treated as glass, render/glass.h); white-studio only: "check": {"white": {"pass", "off_white", "stray"}} and
 * "marketplace": {"amazon_main": {"pass", "reasons": ["background_not_white", "fill_ratio_0.62",
 * "long_side_800"], "fill", "long_side"}}. */
void sb_report_product_checks(const sb_product_result_t *r, json_t *obj);

#endif
