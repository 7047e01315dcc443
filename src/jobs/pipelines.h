/* pipelines.h - the table of pipelines a job can run: how a job's spec (JSON options) becomes a call of
 * the library, and what the result looks like. Adding a capability to the service is one row here. */
#ifndef SB_JOBS_PIPELINES_H
#define SB_JOBS_PIPELINES_H

#include <jansson.h>

#include "strobe.h"

/* The role of an output that is a kept input (the avatar's cache_input), not a result: the API gives it
 * no URL and hands out its file id as the cache_id of a later request. */
#define SB_JOB_ROLE_CACHE "cache"

/* The pipeline of an avatar batch: one job whose items (sb_meta_batch_items_*) are made one after the
 * other by one worker with the same options, each charged on its own. Its spec has the avatar options
 * and "items": [{"image_url": URL} | {"upload": k}, ...], upload k being the k-th image packed into the
 * request's input by sb_jobs_pack_uploads. Always asynchronous. On a restart a batch resumes: its
 * finished items are kept, its URL items are fetched again, and its unfinished uploads fail with
 * "input_lost" (uploads are held in memory only). The job itself completes with
 * {"total","completed","failed"}, never failed because items failed. */
#define SB_JOB_PIPELINE_AVATAR_BATCH "avatar_batch"

/* The pipeline of a custom style: a look (render/look.h) learned from example photos uploaded together
 * (packed by sb_jobs_pack_uploads). No outputs, no charge; the result is {"examples": photos received,
 * "used": photos that decoded, "look": the look as sb_look_to_json writes it}. Uploads only, so after a
 * restart a queued one fails with "input_lost" like any upload. */
#define SB_JOB_PIPELINE_STYLE "style"

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

/* The items of a batch job as its runner sees them. A batch is one job run by one worker, item after
 * item: each item's bytes are produced only when asked for (an upload from the job's packed input, or
 * fetched from its URL), and each item is recorded (and charged) on its own. The job service fills one
 * in (jobs/batch.c) and passes it to run_items; the runner calls back through it with the wrappers
 * below, so this table never calls the job service by name. Only from the worker thread running the
 * batch. */
typedef struct sb_job_items sb_job_items_t;
struct sb_job_items {
    int n;                /* number of items */
    const bool *finished; /* [n]: finished by an earlier run of this job (skip it: it is recorded already) */
    /* The bytes of item i, malloc'd for the caller to free: an upload, or fetched from its URL (the job
     * service's fetch options and SSRF guard), then probed (format, pixel cap). Renews the job's lease.
     * Errors: the fetch and probe errors (field "images[i]"), SB_ERR_INPUT_LOST for an upload after a
     * restart (uploads are held in memory only). */
    sb_err (*input)(sb_job_items_t *items, int i, uint8_t **buf, size_t *len, sb_error_t *e);
    /* Item i succeeded: store its outputs as blobs, then record the item and charge the pipeline's
     * credits in one store transaction. On failure nothing is kept (the blobs are deleted):
     * SB_ERR_NO_CREDITS when the key is short, SB_ERR_CONFLICT when the lease was lost, SB_ERR_STORE.
     * `ms` is the item's latency. */
    sb_err (*done)(sb_job_items_t *items, int i, sb_pipeline_out_t *out, double ms, sb_error_t *e);
    /* Item i failed with `err` (no charge). Errors: SB_ERR_STORE. */
    sb_err (*failed)(sb_job_items_t *items, int i, const sb_error_t *err, sb_error_t *e);
};

/* Number of items. */
static inline int sb_job_items_count(const sb_job_items_t *items)
{
    return items->n;
}
/* Whether item i was finished by an earlier run of this job. */
static inline bool sb_job_items_finished(const sb_job_items_t *items, int i)
{
    return i >= 0 && i < items->n && items->finished[i];
}
/* items->input, ->done, ->failed (see above). */
static inline sb_err sb_job_items_input(sb_job_items_t *items, int i, uint8_t **buf, size_t *len, sb_error_t *e)
{
    return items->input(items, i, buf, len, e);
}
static inline sb_err sb_job_items_done(sb_job_items_t *items, int i, sb_pipeline_out_t *out, double ms,
                                       sb_error_t *e)
{
    return items->done(items, i, out, ms, e);
}
static inline sb_err sb_job_items_failed(sb_job_items_t *items, int i, const sb_error_t *err, sb_error_t *e)
{
    return items->failed(items, i, err, e);
}

typedef struct {
    const char *name;
    /* Run on a worker thread with that worker's studio. `spec` is the job's spec: its pipeline's options in
     * their JSON form (pipeline/opts.h, read with the type's from_json: a spec that does not load fails
     * the job with SB_ERR_USAGE naming the member) beside the job's own "image_url", "items", "stages". */
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
