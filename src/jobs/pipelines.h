/* pipelines.h - the table of pipelines a job can run: how a job's spec (JSON options) becomes a call of
 * the library, and what the result looks like. Adding a capability to the service is one row here. */
#ifndef SB_JOBS_PIPELINES_H
#define SB_JOBS_PIPELINES_H

#include <jansson.h>

#include "strobe.h"

#define SB_JOB_OUTPUTS_MAX 8

typedef struct {
    uint8_t *data;       /* encoded image, malloc'd */
    size_t len;
    sb_format_t format;  /* PNG, JPEG or WebP */
    int width, height;
    const char *role;    /* what it is for the client: "output", "avatar", "thumbnail", SB_JOB_ROLE_CACHE
                          * (static) */
} sb_job_output_t;

typedef struct {
    sb_job_output_t outputs[SB_JOB_OUTPUTS_MAX];
    int n_outputs;
    json_t *fields;      /* pipeline-specific result fields (face_detected, ...), a new object */
    sb_stages_t stages;
} sb_pipeline_out_t;

typedef struct {
    const char *name;
    /* Run on a worker thread with that worker's studio. `spec` is the job's options. */
    sb_err (*run)(sb_studio_t *studio, const uint8_t *in, size_t len, const json_t *spec, sb_pipeline_out_t *out,
                  sb_error_t *e);
    int credits;         /* charged once per delivered job, whatever its number of outputs */
} sb_pipeline_def_t;

/* The pipeline called `name`, or NULL. */
const sb_pipeline_def_t *sb_pipeline_find(const char *name);

/* Free the outputs and fields of a run. NULL-safe; safe twice. */
void sb_pipeline_out_clear(sb_pipeline_out_t *out);

#endif
