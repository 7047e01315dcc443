/* run.c - the tasks of the fetch, work and store pools: claim a job (its lease), fetch its input URL, run
 * its pipeline on a worker's studio, then (on the store pool) store its outputs, complete or fail it and
 * answer whoever waits (internal.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobs/internal.h"
#include "jobs/staged.h"
#include "util/heap.h"
#include "util/clock.h"
#include "util/metrics.h"
#include "util/log.h"

void sb_jobs_release_pixels(sb_jobs_t *j, int64_t pixels)
{
    pthread_mutex_lock(&j->mu);
    j->pixels -= pixels;
    pthread_mutex_unlock(&j->mu);
}

void sb_jobs_work_free(work_t *w)
{
    if (!w)
        return;
    if (w->pixels)
        sb_jobs_release_pixels(w->j, w->pixels);
    json_decref(w->spec);
    free(w->input);
    free(w);
}

/* The end of every job path: give back the budget, then tell the waiting caller (if any) the job's
 * state (final, unless another worker took it over), then free. The budget goes first so that a client
 * that sends its next request the moment it is answered finds it free. */
static void finish(work_t *w)
{
    if (w->claimed)
        sb_jobs_unhold(w->j, w->id);
    if (w->pixels) {
        sb_jobs_release_pixels(w->j, w->pixels);
        w->pixels = 0;
    }
    free(w->input);
    w->input = NULL;
    if (w->done) {
        sb_job_t job;
        sb_error_t e = {0};
        if (sb_meta_job_get(w->j->meta, w->id, NULL, &job, &e) == SB_OK) {
            w->done(&job, w->done_ctx);
            sb_job_clear(&job);
        } else {
            /* The store failed under us: answer from what we know so the connection is not left hanging. */
            sb_job_t lost = {.state = SB_JOB_FAILED};
            snprintf(lost.id, sizeof lost.id, "%s", w->id);
            snprintf(lost.key_id, sizeof lost.key_id, "%s", w->key_id);
            snprintf(lost.pipeline, sizeof lost.pipeline, "%s", w->def->name);
            lost.error = sb_jobs_error_json(&e);
            w->done(&lost, w->done_ctx);
            free(lost.error);
        }
    }
    sb_jobs_t *j = w->j;
    bool from_queue = w->from_queue;
    sb_jobs_work_free(w);
    if (from_queue)
        sb_jobs_queue_slot_free(j);
}

/* A job that ended for good (completed or failed) deletes its staged input (staged.h). */
static void unstage(work_t *w)
{
    if (w->input_key[0])
        sb_staged_delete(w->j->meta, w->j->blob, w->id);
}

static void fail(work_t *w, const sb_error_t *err)
{
    char *ej = sb_jobs_error_json(err);
    sb_error_t e;
    sb_err ferr = sb_meta_job_fail(w->j->meta, w->id, w->claimed ? w->j->owner : NULL, ej ? ej : "{}", &e);
    if (ferr)
        sb_log(SB_LOG_ERROR, "cannot mark job failed", json_pack("{s:s, s:o}", "job", w->id, "error", sb_log_str(e.message)));
    else
        unstage(w);
    free(ej);
    finish(w);
}

/* A shared job whose run met a store that is down (SB_ERR_STORE_DOWN: PostgreSQL or S3) goes back to the
 * queue, to be tried again after 1, 2, 4 ... 30 s by whichever node claims it, up to SB_JOBS_MAX_RETRIES
 * times; true when it was handled so (finished here). When even that fails, the lease runs out and the
 * job is taken over. Any other job, or error, is the caller's to fail. */
static bool retry_later(work_t *w, const sb_error_t *err)
{
    if (!w->from_queue || err->code != SB_ERR_STORE_DOWN || w->retries >= SB_JOBS_MAX_RETRIES)
        return false;
    int delay = w->retries < 5 ? 1 << w->retries : 30;
    sb_error_t e;
    sb_err rerr = sb_meta_job_retry_later(w->j->meta, w->id, w->j->owner, sb_clock_unix() + delay, &e);
    sb_log(SB_LOG_WARN, "job given back: a store is down",
           json_pack("{s:s, s:i, s:i, s:o, s:b}", "job", w->id, "retry", w->retries + 1, "after_s", delay, "error",
                     sb_log_str(err->message), "queued", rerr == SB_OK));
    finish(w);
    return true;
}

/* A shared job's staged input, decrypted into w->input; false when the job was finished here instead. */
static bool load_staged(work_t *w)
{
    if (!w->input_key[0] || w->input)
        return true;
    sb_error_t e = {0};
    if (sb_staged_get(w->j->blob, w->id, w->input_key, &w->input, &w->len, &e) == SB_OK)
        return true;
    if (!retry_later(w, &e))
        fail(w, &e);
    return false;
}

static bool claim(work_t *w)
{
    if (w->claimed)
        return true;
    sb_error_t e;
    if (sb_meta_job_claim(w->j->meta, w->id, w->j->owner, w->j->cfg.lease_s, &e) != SB_OK)
        return false;
    w->claimed = true;
    sb_jobs_hold(w->j, w->id);
    return true;
}

/* A job whose pipeline ran, handed from its worker to the store pool with its outputs. */
typedef struct {
    work_t *w;
    sb_pipeline_out_t po;
    double ms;
} stored_t;

/* A pipeline's run ends here: with `err` == SB_OK its outputs are stored (blobs written and synced, then
 * the result and charge committed: sb_jobs_deliver), then the job is completed or failed and its waiter
 * answered; so an answer always follows the blobs being synced and the completion committed. Owns w and
 * clears po. Runs on the worker (an error, or the store pool refused) or on the store pool (store_task). */
static void complete(work_t *w, sb_pipeline_out_t *po, double ms, sb_err err, sb_error_t *e)
{
    sb_jobs_t *j = w->j;
    if (!err)
        err = sb_jobs_deliver(w, -1, po, ms, e);
    if (j->metrics)
        sb_metrics_pipeline(j->metrics, w->def->name, &po->stages, ms, err ? "failed" : "completed");
    sb_pipeline_out_clear(po);
    if (err == SB_ERR_CONFLICT) {
        finish(w); /* the lease was lost to another worker: report the state as it stands */
        return;
    }
    if (err) {
        if (!retry_later(w, e))
            fail(w, e);
        return;
    }
    unstage(w);
    sb_jobs_record_latency(j, w->def, ms);
    finish(w);
}

/* The store pool's task (sb_task_fn): a stored_t to complete(). */
static void store_task(void *arg, void *tctx)
{
    stored_t *s = arg;
    sb_error_t e = {0};
    complete(s->w, &s->po, s->ms, SB_OK, &e);
    free(s);
}

void sb_jobs_work_task(void *arg, void *tctx)
{
    work_t *w = arg;
    worker_t *wk = tctx;
    sb_jobs_t *j = w->j;
    sb_error_t e = {0};
    if (!claim(w)) {
        finish(w); /* finished or taken by another worker: report the state as it stands */
        return;
    }
    if (w->deadline_us && sb_clock_us() > w->deadline_us) {
        sb_error_set(&e, SB_ERR_TIMEOUT, "", "the request waited longer than its %d ms deadline for a worker",
                     j->cfg.deadline_ms);
        fail(w, &e);
        return;
    }
    if (!wk || !wk->studio) {
        sb_error_set(&e, SB_ERR_INTERNAL, "", "this worker has no studio");
        fail(w, &e);
        return;
    }
    if (!load_staged(w))
        return;
    if (w->def->run_items) {
        sb_err err = sb_jobs_batch_run(w, wk->studio, &e);
        if (!err)
            unstage(w);
        if (err && err != SB_ERR_CONFLICT && !retry_later(w, &e))
            fail(w, &e);
        else if (!err || err == SB_ERR_CONFLICT)
            finish(w); /* done, or the lease was lost to another worker: report the state as it stands */
        return;
    }
    int64_t t0 = sb_clock_us();
    sb_pipeline_out_t po = {0};
    sb_err err = w->def->run(wk->studio, w->input, w->len, w->spec, &po, &e);
    /* The input is not needed any more: drop it before storing outputs. */
    free(w->input);
    w->input = NULL;
    double ms = (double)(sb_clock_us() - t0) / 1000.0;
    if (!err) {
        /* The outputs go to the store pool, and this worker to its next job while they are written and
         * synced; inline when that pool cannot take them (stopping, out of memory). */
        stored_t *s = malloc(sizeof *s);
        if (s) {
            *s = (stored_t){.w = w, .po = po, .ms = ms};
            if (sb_pool_submit(j->store, store_task, s, &e) == SB_OK)
                return;
            free(s);
        }
    }
    complete(w, &po, ms, err, &e);
}

void sb_jobs_fetch_task(void *arg, void *tctx)
{
    work_t *w = arg;
    sb_jobs_t *j = w->j;
    sb_error_t e = {0};
    if (!claim(w)) {
        finish(w);
        return;
    }
    const char *url = json_string_value(json_object_get(w->spec, "image_url"));
    sb_err err = sb_fetch_get(url, &j->cfg.fetch, "image_url", &w->input, &w->len, &e);
    int64_t pixels = 0;
    if (!err)
        err = sb_jobs_probe_pixels(j, w->input, w->len, "image_url", &pixels, &e);
    if (err) {
        fail(w, &e);
        return;
    }
    /* Replace the nominal reservation with the real size. */
    pthread_mutex_lock(&j->mu);
    j->pixels += pixels - w->pixels;
    pthread_mutex_unlock(&j->mu);
    w->pixels = pixels;
    err = sb_pool_submit(j->work, sb_jobs_work_task, w, &e);
    if (err)
        fail(w, &e);
}

void *sb_jobs_worker_init(int index, void *ctx)
{
    sb_jobs_t *j = ctx;
    worker_t *wk = calloc(1, sizeof *wk);
    sb_error_t e = {0};
    sb_err err = wk ? sb_studio_open(&wk->studio, &e) : sb_error_set(&e, SB_ERR_NOMEM, "", "out of memory");
    if (!err)
        err = sb_studio_preload(wk->studio, &e);
    /* Creating the sessions parsed and copied every model file; the heap keeps those freed buffers
     * (sb_heap_keep_freed) unless told: about 30 MB of the idle server's RSS. */
    sb_heap_release();
    pthread_mutex_lock(&j->mu);
    if (err && !j->ready_err.code)
        j->ready_err = e;
    j->workers_started++;
    pthread_cond_broadcast(&j->cv);
    pthread_mutex_unlock(&j->mu);
    return wk;
}

void sb_jobs_worker_fini(void *tctx, void *ctx)
{
    worker_t *wk = tctx;
    if (wk)
        sb_studio_close(wk->studio);
    free(wk);
}

work_t *sb_jobs_work_new(sb_jobs_t *j, const char *id, const char *key_id, const sb_pipeline_def_t *def, json_t *spec)
{
    work_t *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->j = j;
    snprintf(w->id, sizeof w->id, "%s", id);
    snprintf(w->key_id, sizeof w->key_id, "%s", key_id);
    w->def = def;
    w->spec = json_incref(spec);
    return w;
}
