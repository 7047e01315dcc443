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

/* {"pass", "matte_confidence", "background_left", "other_person_left", "photo_edge_visible",
 * "output_face_count", "attempts"}: the API's CutoutCheck. */
json_t *sb_report_cutout(const sb_cutout_check_t *c);

#endif
