/* report.c - warnings and model provenance as JSON. */
#include "pipeline/report.h"

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
    return json_pack("{s:b, s:f, s:f, s:b, s:b, s:i, s:i}", "pass", c->pass, "matte_confidence",
                     (double)c->matte_confidence, "background_left", (double)c->background_left, "other_person_left",
                     c->other_person_left, "photo_edge_visible", c->photo_edge_visible, "output_face_count",
                     c->output_face_count, "attempts", c->attempts);
}
