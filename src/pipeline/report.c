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
