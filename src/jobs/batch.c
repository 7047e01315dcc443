/* batch.c - a batch job on its worker (SB_JOB_PIPELINE_AVATAR_BATCH): its item rows, and the
 * sb_job_items_t through which the pipeline's run_items asks for each item's bytes and records each
 * item (pipelines.h). The pipeline table never calls the job service: it calls back through that struct. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobs/internal.h"
#include "jobs/packed.h"
#include "util/clock.h"
#include "util/metrics.h"

/* The job service's side of an sb_job_items_t (which comes first, so the callbacks can cast back). */
typedef struct {
    sb_job_items_t items;
    work_t *w;
    const json_t *spec_items; /* the spec's "items" */
    bool *finished;           /* by an earlier run of the job */
    int64_t t0_us;            /* when the current item's input was asked for */
} batch_t;

/* What the client sent as a batch item: its URL, or "upload #k". */
static const char *item_input(const json_t *item, char buf[32])
{
    const char *url = json_string_value(json_object_get(item, "image_url"));
    if (url)
        return url;
    snprintf(buf, 32, "upload #%lld", (long long)json_integer_value(json_object_get(item, "upload")));
    return buf;
}

/* The item rows of a batch job; nothing when it has them already. */
sb_err sb_jobs_batch_create_items(sb_jobs_t *j, const char *id, const json_t *items, sb_error_t *e)
{
    int n = (int)json_array_size(items);
    const char **inputs = calloc((size_t)(n ? n : 1), sizeof *inputs);
    char (*bufs)[32] = calloc((size_t)(n ? n : 1), sizeof *bufs);
    sb_err err = inputs && bufs ? SB_OK : sb_error_set(e, SB_ERR_NOMEM, "", "out of memory");
    for (int i = 0; !err && i < n; i++)
        inputs[i] = item_input(json_array_get(items, (size_t)i), bufs[i]);
    if (!err)
        err = sb_meta_batch_items_create(j->meta, id, n, inputs, e);
    free(inputs);
    free(bufs);
    return err;
}

static bool mark_finished(const sb_batch_item_t *it, void *ctx)
{
    batch_t *b = ctx;
    if (it->idx >= 0 && it->idx < b->items.n)
        b->finished[it->idx] = it->state != SB_JOB_QUEUED;
    return true;
}

typedef struct {
    int total, completed, failed;
} batch_counts_t;

static bool count_item(const sb_batch_item_t *it, void *ctx)
{
    batch_counts_t *c = ctx;
    c->total++;
    c->completed += it->state == SB_JOB_COMPLETED;
    c->failed += it->state == SB_JOB_FAILED;
    return true;
}

/* sb_job_items_t.input */
static sb_err item_input_bytes(sb_job_items_t *items, int i, uint8_t **buf, size_t *len, sb_error_t *e)
{
    batch_t *b = (batch_t *)items;
    work_t *w = b->w;
    sb_jobs_t *j = w->j;
    char field[32];
    snprintf(field, sizeof field, "images[%d]", i);
    *buf = NULL;
    *len = 0;
    b->t0_us = sb_clock_us();
    /* A batch outlives one lease: each item renews it. */
    sb_err err = sb_meta_job_renew(j->meta, w->id, j->owner, j->cfg.lease_s, e);
    if (err)
        return err;
    const json_t *item = json_array_get(b->spec_items, (size_t)i);
    const char *url = json_string_value(json_object_get(item, "image_url"));
    const uint8_t *data;
    size_t n;
    if (url)
        err = sb_fetch_get(url, &j->cfg.fetch, field, buf, len, e);
    else if (!w->input)
        return sb_error_set(e, SB_ERR_INPUT_LOST, field,
                            "the server restarted before this image was made; uploaded images are held in memory "
                            "only, so please submit it again");
    else if (!sb_jobs_packed_upload(w->input, w->len, json_integer_value(json_object_get(item, "upload")), &data, &n))
        return sb_error_set(e, SB_ERR_INTERNAL, field, "batch item %d has no upload", i);
    else if (!(*buf = malloc(n ? n : 1)))
        return sb_error_set(e, SB_ERR_NOMEM, field, "out of memory");
    else {
        memcpy(*buf, data, n);
        *len = n;
    }
    int64_t pixels;
    if (!err)
        err = sb_jobs_probe_pixels(j, *buf, *len, field, &pixels, e);
    if (err) {
        free(*buf);
        *buf = NULL;
        *len = 0;
    }
    return err;
}

/* sb_job_items_t.done */
static sb_err item_done(sb_job_items_t *items, int i, sb_pipeline_out_t *out, double ms, sb_error_t *e)
{
    batch_t *b = (batch_t *)items;
    work_t *w = b->w;
    sb_err err = sb_jobs_deliver(w, i, out, ms, e);
    if (w->j->metrics)
        sb_metrics_pipeline(w->j->metrics, w->def->name, &out->stages, ms, err ? "failed" : "completed");
    if (!err)
        sb_jobs_record_latency(w->j, w->def, ms);
    b->t0_us = 0;
    return err;
}

/* sb_job_items_t.failed */
static sb_err item_failed(sb_job_items_t *items, int i, const sb_error_t *err, sb_error_t *e)
{
    batch_t *b = (batch_t *)items;
    work_t *w = b->w;
    char *ej = sb_jobs_error_json(err);
    sb_err rc = sb_meta_batch_item_fail(w->j->meta, w->id, i, ej ? ej : "{}", e);
    free(ej);
    /* An item refused before its input was asked for (no credits left) did no work to time. */
    if (w->j->metrics && b->t0_us)
        sb_metrics_pipeline(w->j->metrics, w->def->name, NULL, (double)(sb_clock_us() - b->t0_us) / 1000.0,
                            "failed");
    b->t0_us = 0;
    return rc;
}

/* A batch on the worker: its item rows (made at submission; again here after a crash in between), the
 * items an earlier run finished, the runner, then the job completed with its counts. */
sb_err sb_jobs_batch_run(work_t *w, sb_studio_t *studio, sb_error_t *e)
{
    sb_jobs_t *j = w->j;
    batch_t b = {.items = {.input = item_input_bytes, .done = item_done, .failed = item_failed},
                 .w = w,
                 .spec_items = json_object_get(w->spec, "items")};
    b.items.n = (int)json_array_size(b.spec_items);
    b.finished = calloc((size_t)(b.items.n ? b.items.n : 1), sizeof *b.finished);
    b.items.finished = b.finished;
    sb_err err = b.finished ? sb_jobs_batch_create_items(j, w->id, b.spec_items, e)
                            : sb_error_set(e, SB_ERR_NOMEM, "", "out of memory");
    if (!err)
        err = sb_meta_batch_items_list(j->meta, w->id, mark_finished, &b, e);
    if (!err)
        err = w->def->run_items(studio, w->spec, &b.items, e);
    free(b.finished);
    free(w->input);
    w->input = NULL;
    batch_counts_t c = {0};
    if (!err)
        err = sb_meta_batch_items_list(j->meta, w->id, count_item, &c, e);
    char result[96];
    snprintf(result, sizeof result, "{\"total\":%d,\"completed\":%d,\"failed\":%d}", c.total, c.completed, c.failed);
    if (!err)
        err = sb_meta_job_complete(j->meta, w->id, j->owner, NULL, 0, 0, result, e);
    return err;
}
