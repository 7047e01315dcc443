/* pipelines.c - job spec -> library call, one row per pipeline. */
#include "jobs/pipelines.h"

#include <stdlib.h>
#include <string.h>

/* Headshot options: {"format": "png"|"jpeg"|"webp", "size": 128..4096, "quality": 1..100}, all optional.
 * The API validated them; this only maps them. */
static sb_err run_headshot(sb_studio_t *studio, const uint8_t *in, size_t len, const json_t *spec,
                           sb_pipeline_out_t *out, sb_error_t *e)
{
    sb_headshot_opts_t opts = {.format = SB_FMT_PNG};
    const char *fmt = json_string_value(json_object_get(spec, "format"));
    if (fmt)
        opts.format = sb_format_parse(fmt);
    opts.size = (int)json_integer_value(json_object_get(spec, "size"));
    opts.quality = (int)json_integer_value(json_object_get(spec, "quality"));

    sb_headshot_result_t res;
    sb_err err = sb_headshot(studio, in, len, &opts, &res, e);
    if (err)
        return err;
    sb_job_output_t *o = &out->outputs[out->n_outputs++];
    o->data = res.output;
    o->len = res.output_len;
    o->format = res.format;
    o->width = res.width;
    o->height = res.height;
    res.output = NULL;
    out->stages = res.detect.stages;
    out->fields = json_pack("{s:b, s:i}", "face_detected", res.detect.subject >= 0, "face_count",
                            res.detect.faces.count);
    sb_headshot_result_free(&res);
    return SB_OK;
}

static const sb_pipeline_def_t pipelines[] = {
    {"headshot", run_headshot, 1},
};

const sb_pipeline_def_t *sb_pipeline_find(const char *name)
{
    for (size_t i = 0; name && i < sizeof pipelines / sizeof pipelines[0]; i++)
        if (!strcmp(pipelines[i].name, name))
            return &pipelines[i];
    return NULL;
}

void sb_pipeline_out_clear(sb_pipeline_out_t *out)
{
    if (!out)
        return;
    for (int i = 0; i < out->n_outputs; i++)
        free(out->outputs[i].data);
    out->n_outputs = 0;
    json_decref(out->fields);
    out->fields = NULL;
}
