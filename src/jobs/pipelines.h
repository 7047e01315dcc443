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

/* The items of a batch job as its runner sees them (implemented in jobs.c). A batch is one job run by
 * one worker, item after item: each item's bytes are produced only when asked for (an upload from the
 * job's packed input, or fetched from its URL), and each item is recorded (and charged) on its own.
 * Only from the worker thread running the batch. */
typedef struct sb_job_items sb_job_items_t;

/* Number of items. */
int sb_job_items_count(const sb_job_items_t *items);
/* Whether item i was finished by an earlier run of this job (skip it: it is recorded already). */
bool sb_job_items_finished(const sb_job_items_t *items, int i);
/* The bytes of item i, malloc'd for the caller to free: an upload, or fetched from its URL (the job
 * service's fetch options and SSRF guard), then probed (format, pixel cap). Renews the job's lease.
 * Errors: the fetch and probe errors (field "images[i]"), SB_ERR_INPUT_LOST for an upload after a
 * restart (uploads are held in memory only). */
sb_err sb_job_items_input(sb_job_items_t *items, int i, uint8_t **buf, size_t *len, sb_error_t *e);
/* Item i succeeded: store its outputs as blobs, then record the item and charge the pipeline's credits
 * in one store transaction. On failure nothing is kept (the blobs are deleted): SB_ERR_NO_CREDITS when
 * the key is short, SB_ERR_CONFLICT when the lease was lost, SB_ERR_STORE. `ms` is the item's latency. */
sb_err sb_job_items_done(sb_job_items_t *items, int i, sb_pipeline_out_t *out, double ms, sb_error_t *e);
/* Item i failed with `err` (no charge). Errors: SB_ERR_STORE. */
sb_err sb_job_items_failed(sb_job_items_t *items, int i, const sb_error_t *err, sb_error_t *e);

typedef struct {
    const char *name;
    /* Run on a worker thread with that worker's studio. `spec` is the job's options. */
    sb_err (*run)(sb_studio_t *studio, const uint8_t *in, size_t len, const json_t *spec, sb_pipeline_out_t *out,
                  sb_error_t *e);
    /* A batch pipeline has this instead of run: every item with the same options `spec`, each finished
     * through `items`. An item's failure is recorded, not returned; an error returned (a lost lease, the
     * store) stops the batch. */
    sb_err (*run_items)(sb_studio_t *studio, const json_t *spec, sb_job_items_t *items, sb_error_t *e);
    int credits;         /* charged once per delivered job (per delivered item for a batch), whatever its
                          * number of outputs, unless per_output; may be 0 */
    bool packed;         /* run's input is several uploads packed by sb_jobs_pack_uploads (each probed at
                          * submission, field "images[i]"), never a URL */
    int cold_ms;         /* the estimate of one job before any of this pipeline completed in this process
                          * (measured on the reference machine); 0 = use the recent latency of all jobs */
    bool per_output;     /* credits are charged per output (the portrait: one per image made) */
} sb_pipeline_def_t;

/* Pipelines in the table, at most (sb_pipeline_index is below it). */
#define SB_PIPELINES_MAX 16

/* The credits a delivered run costs: def->credits, times out->n_outputs when def->per_output. */
int64_t sb_pipeline_credits(const sb_pipeline_def_t *def, const sb_pipeline_out_t *out);

/* The pipeline called `name`, or NULL. */
const sb_pipeline_def_t *sb_pipeline_find(const char *name);

/* The row number of `def` (a row of the table, from sb_pipeline_find): 0..SB_PIPELINES_MAX-1. */
int sb_pipeline_index(const sb_pipeline_def_t *def);

/* Free the outputs and fields of a run. NULL-safe; safe twice. */
void sb_pipeline_out_clear(sb_pipeline_out_t *out);

#endif
