/* jobs.c - the job service (jobs.h): start and stop, admission and submission, estimates. The pools'
 * tasks are in run.c, batches in batch.c, results in deliver.c, crash recovery in recover.c; webhooks
 * have their own threads (webhook.c) and the purge its own (maintenance.c). */
#include "jobs/jobs.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobs/internal.h"
#include "jobs/packed.h"
#include "jobs/pipelines.h"
#include "jobs/pool.h"
#include "jobs/staged.h"
#include "nn/nn.h"
#include "util/clock.h"
#include "util/random.h"

/* Pixels reserved for an input before its size is known (a URL not fetched yet, an upload whose body is
 * still being read): a typical 12 MP phone photo. */
#define NOMINAL_PIXELS 12000000LL

/* Admission (docs/internals/jobs.md, "Admission"). A job reserves its input's pixels (commit); a body
 * reserves NOMINAL_PIXELS and a queue place from its head until it is read (body), since each body
 * becomes a job and is held in memory meanwhile. Over the budget means over it with what is already
 * reserved; nothing reserved admits anything, so one input as large as max_pixels always runs.
 * Submission counts admitted jobs only (the bodies were admitted against them already), a head counts
 * the bodies being read as well: so no more bodies are read at once than the budget could take as jobs. */
static sb_err reserve(sb_jobs_t *j, int64_t pixels, bool commit, bool body, sb_error_t *e)
{
    int waiting = sb_pool_waiting(j->work) + sb_pool_waiting(j->fetch);
    pthread_mutex_lock(&j->mu);
    int64_t held = j->pixels + (body ? j->body_pixels : 0);
    bool over_budget = held > 0 && held + pixels > j->cfg.pixel_budget;
    /* Bodies being read count as waiting jobs: each will be one, and each is held in memory meanwhile. */
    waiting += j->bodies;
    bool over_queue = waiting >= j->cfg.queue_max;
    if (!over_budget && !over_queue && commit)
        j->pixels += pixels;
    if (!over_budget && !over_queue && body) {
        j->bodies++;
        j->body_pixels += pixels;
    }
    int64_t in_flight = j->pixels + j->body_pixels;
    pthread_mutex_unlock(&j->mu);
    if (over_queue)
        return sb_error_set(e, SB_ERR_OVERLOADED, "", "the server is busy: %d jobs are waiting; retry later", waiting);
    if (over_budget)
        return sb_error_set(e, SB_ERR_OVERLOADED, "", "the server is busy: %lld input pixels are in flight; retry later",
                            (long long)in_flight);
    return SB_OK;
}

/* Probe a batch's uploads (a bad one refuses the batch, field "images[i]") and reserve for its largest
 * item: the items are made one at a time. A URL item counts the nominal size (it is probed when fetched). */
static sb_err batch_pixels(const sb_jobs_t *j, const sb_job_request_t *req, int64_t *pixels, sb_error_t *e)
{
    *pixels = 0;
    size_t i;
    const json_t *item;
    json_array_foreach(json_object_get(req->spec, "items"), i, item)
    {
        int64_t p = NOMINAL_PIXELS;
        const uint8_t *data;
        size_t n;
        char field[32];
        snprintf(field, sizeof field, "images[%zu]", i);
        if (!json_object_get(item, "image_url")) {
            if (!sb_jobs_packed_upload(req->input, req->input_len, json_integer_value(json_object_get(item, "upload")),
                                       &data, &n))
                return sb_error_set(e, SB_ERR_INTERNAL, field, "batch item %zu has no upload", i);
            sb_err err = sb_jobs_probe_pixels(j, data, n, field, &p, e);
            if (err)
                return err;
        }
        if (p > *pixels)
            *pixels = p;
    }
    return *pixels ? SB_OK : sb_error_set(e, SB_ERR_INTERNAL, "images", "a batch without items");
}

/* Probe every upload of a packed input (a bad one refuses the job, field "images[i]") and reserve for
 * the largest: a packed pipeline decodes its uploads one at a time. */
static sb_err packed_pixels(const sb_jobs_t *j, const sb_job_request_t *req, int64_t *pixels, sb_error_t *e)
{
    const uint8_t **bufs = NULL;
    size_t *lens = NULL;
    int n = 0;
    sb_err err = sb_jobs_unpack_uploads(req->input, req->input_len, &bufs, &lens, &n, e);
    *pixels = 0;
    for (int i = 0; !err && i < n; i++) {
        char field[32];
        int64_t p;
        snprintf(field, sizeof field, "images[%d]", i);
        err = sb_jobs_probe_pixels(j, bufs[i], lens[i], field, &p, e);
        if (!err && p > *pixels)
            *pixels = p;
    }
    free(bufs);
    free(lens);
    if (!err && !*pixels)
        err = sb_error_set(e, SB_ERR_INTERNAL, "images", "a packed input without uploads");
    return err;
}

/* Create the job's row: in the shared queue for an async job on a shared store, its upload staged first
 * (encrypted, staged.h) so that no worker ever claims a job whose input is not there yet. */
static sb_err create_row(sb_jobs_t *j, const sb_job_request_t *req, const sb_pipeline_def_t *def, const char *id,
                         bool shared, sb_job_t *out, bool *existed, sb_error_t *e)
{
    char key[65] = "";
    sb_err err = shared && req->input ? sb_staged_put(j->blob, id, req->input, req->input_len, key, e) : SB_OK;
    if (err)
        return err;
    char *spec = json_dumps(req->spec, JSON_COMPACT | JSON_SORT_KEYS);
    sb_job_new_t n = {.id = id, .key_id = req->key_id, .pipeline = def->name, .sync = req->sync, .spec = spec,
                      .callback_url = req->callback_url, .idem_key = req->idem_key, .request_hash = req->request_hash,
                      .shared = shared, .input_key = key[0] ? key : NULL};
    err = spec ? sb_meta_job_create(j->meta, &n, out, existed, e) : sb_error_set(e, SB_ERR_NOMEM, "", "out of memory");
    free(spec);
    if (key[0] && (err || *existed))
        sb_staged_delete(j->meta, j->blob, id);
    return err;
}

/* Admit an async job to the shared queue: its depth is the fleet's, bounded by shared_queue_max. */
static sb_err admit_shared(sb_jobs_t *j, sb_error_t *e)
{
    int64_t depth = 0;
    sb_err err = sb_meta_job_queue_depth(j->meta, &depth, e);
    if (!err && depth >= j->cfg.shared_queue_max)
        err = sb_error_set(e, SB_ERR_OVERLOADED, "", "the service is busy: %lld jobs are waiting; retry later",
                           (long long)depth);
    return err;
}

sb_err sb_jobs_submit(sb_jobs_t *j, sb_job_request_t *req, sb_job_t *out, bool *existed, sb_error_t *e)
{
    *existed = false;
    const sb_pipeline_def_t *def = sb_pipeline_find(req->pipeline);
    if (!def)
        return sb_error_set(e, SB_ERR_INTERNAL, "", "unknown pipeline '%s'", req->pipeline);
    int64_t pixels = NOMINAL_PIXELS;
    sb_err err = SB_OK;
    if (def->run_items)
        err = batch_pixels(j, req, &pixels, e);
    else if (def->packed)
        err = packed_pixels(j, req, &pixels, e);
    else if (req->input)
        err = sb_jobs_probe_pixels(j, req->input, req->input_len, "image", &pixels, e);
    if (err)
        return err;
    /* On a shared store an async job goes to the shared queue, where any node's worker takes it. */
    bool shared = j->shared && !req->sync;
    if ((err = shared ? admit_shared(j, e) : reserve(j, pixels, true, false, e)))
        return err;

    char id[SB_ID_MAX] = "job_";
    sb_random_hex(id + 4, 12);
    err = create_row(j, req, def, id, shared, out, existed, e);
    if (shared || err || *existed) {
        if (!shared)
            sb_jobs_release_pixels(j, pixels);
        if (!err && !*existed && def->run_items) {
            sb_error_t ignore; /* a failure here leaves the rows to the worker, which makes them again */
            sb_jobs_batch_create_items(j, id, json_object_get(req->spec, "items"), &ignore);
        }
        /* Whichever node runs it, the caller's completion comes from the store. */
        if (!err && !*existed && req->done && (err = sb_jobs_watch(j, id, req->done, req->done_ctx, e)))
            sb_job_clear(out);
        return err;
    }
    /* A failure here leaves the rows to the worker, which makes them again. */
    sb_error_t ignore;
    if (def->run_items)
        sb_jobs_batch_create_items(j, id, json_object_get(req->spec, "items"), &ignore);
    work_t *w = sb_jobs_work_new(j, id, req->key_id, def, req->spec);
    if (!w) {
        sb_jobs_release_pixels(j, pixels);
        sb_job_clear(out);
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory");
    }
    w->pixels = pixels;
    w->sync = req->sync;
    w->deadline_us = req->sync && j->cfg.deadline_ms > 0 ? sb_clock_us() + (int64_t)j->cfg.deadline_ms * 1000 : 0;
    w->done = req->done;
    w->done_ctx = req->done_ctx;
    /* On a shared store a sync job is claimed at once: its lease (renewed by the heartbeat) tells the
     * fleet's reaper when this node died with it. */
    if (j->shared) {
        sb_error_t ce;
        if (sb_meta_job_claim(j->meta, id, j->owner, j->cfg.lease_s, &ce) == SB_OK) {
            w->claimed = true;
            sb_jobs_hold(j, id);
        }
    }
    bool url = req->input == NULL && !def->run_items; /* a batch fetches its URL items on the worker */
    w->input = req->input;
    w->len = req->input_len;
    err = sb_pool_submit(url ? j->fetch : j->work, url ? sb_jobs_fetch_task : sb_jobs_work_task, w, e);
    if (err) {
        /* The row exists: close it as failed so a poll tells the truth, but answer the caller now. */
        w->input = NULL;
        w->done = NULL;
        char *ej = sb_jobs_error_json(e);
        sb_meta_job_fail(j->meta, id, NULL, ej ? ej : "{}", &ignore);
        free(ej);
        sb_jobs_work_free(w);
        sb_job_clear(out);
        return err;
    }
    req->input = NULL; /* taken */
    return SB_OK;
}

bool sb_jobs_admit_body(sb_jobs_t *j, sb_error_t *e)
{
    return reserve(j, NOMINAL_PIXELS, false, true, e) == SB_OK;
}

void sb_jobs_body_done(sb_jobs_t *j)
{
    pthread_mutex_lock(&j->mu);
    j->bodies--;
    j->body_pixels -= NOMINAL_PIXELS;
    pthread_mutex_unlock(&j->mu);
}

int sb_jobs_retry_after(sb_jobs_t *j)
{
    int waiting, running;
    sb_jobs_depth(j, &waiting, &running);
    pthread_mutex_lock(&j->mu);
    double ms = j->ewma_ms > 0 ? j->ewma_ms : 1000;
    pthread_mutex_unlock(&j->mu);
    int s = (int)((waiting + 1) * ms / (1000.0 * (j->cfg.workers > 0 ? j->cfg.workers : 1)) + 0.999);
    return s < 1 ? 1 : s > 60 ? 60 : s;
}

double sb_jobs_estimate_ms(sb_jobs_t *j, const char *pipeline)
{
    const sb_pipeline_def_t *def = sb_pipeline_find(pipeline);
    int waiting, running;
    sb_jobs_depth(j, &waiting, &running);
    pthread_mutex_lock(&j->mu);
    double all = j->ewma_ms, own = def ? j->pipeline_ms[sb_pipeline_index(def)] : 0;
    pthread_mutex_unlock(&j->mu);
    if (own <= 0)
        own = def && def->cold_ms > 0 ? def->cold_ms : all;
    /* The jobs ahead are of any pipeline: they take the recent latency of all jobs. */
    return own + (all > 0 ? all : own) * (double)waiting / (j->cfg.workers > 0 ? j->cfg.workers : 1);
}

void sb_jobs_depth(sb_jobs_t *j, int *waiting, int *running)
{
    *waiting = sb_pool_waiting(j->work) + sb_pool_waiting(j->fetch);
    *running = sb_pool_running(j->work) + sb_pool_running(j->fetch) + sb_pool_running(j->store) +
               sb_pool_waiting(j->store);
}

int64_t sb_jobs_pixels_in_flight(sb_jobs_t *j)
{
    pthread_mutex_lock(&j->mu);
    int64_t p = j->pixels + j->body_pixels;
    pthread_mutex_unlock(&j->mu);
    return p;
}

bool sb_jobs_ready(sb_jobs_t *j, sb_error_t *e)
{
    pthread_mutex_lock(&j->mu);
    bool ok = j->workers_started == j->cfg.workers && !j->ready_err.code;
    if (!ok && e)
        *e = j->ready_err.code ? j->ready_err : (sb_error_t){.code = SB_ERR_OVERLOADED, .message = "workers are starting"};
    pthread_mutex_unlock(&j->mu);
    return ok;
}

sb_err sb_jobs_start(const sb_jobs_config_t *cfg, sb_meta_t *meta, sb_blob_t *blob, sb_metrics_t *metrics,
                     sb_jobs_t **out, sb_error_t *e)
{
    sb_jobs_t *j = calloc(1, sizeof *j);
    if (!j)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory");
    j->cfg = *cfg;
    j->shared = sb_meta_shared(meta);
    j->meta = meta;
    j->blob = blob;
    j->metrics = metrics;
    snprintf(j->owner, sizeof j->owner, "srv_");
    sb_random_hex(j->owner + 4, 8);
    pthread_mutex_init(&j->mu, NULL);
    pthread_cond_init(&j->cv, NULL);
    /* Before any net opens: a session's thread count is fixed when it is created. */
    sb_nn_set_threads(cfg->nn_threads);
    sb_pool_config_t wc = {.name = "work", .threads = cfg->workers, .queue_max = cfg->queue_max,
                           .thread_init = sb_jobs_worker_init, .thread_fini = sb_jobs_worker_fini, .ctx = j,
                           .trim_when_idle = true};
    sb_pool_config_t fc = {.name = "fetch", .threads = cfg->fetchers, .queue_max = cfg->queue_max};
    /* One store thread per worker, so that no worker's outputs wait behind another's sync; unbounded,
     * as every task in it is a job already admitted (docs/internals/jobs.md, "Storing the outputs"). */
    sb_pool_config_t sc = {.name = "store", .threads = cfg->workers, .queue_max = INT_MAX};
    sb_err err = sb_pool_start(&sc, &j->store, e);
    if (!err)
        err = sb_pool_start(&wc, &j->work, e);
    if (!err)
        err = sb_pool_start(&fc, &j->fetch, e);
    if (!err) {
        /* Wait for the workers to load their nets, so a missing model is an error at startup. */
        pthread_mutex_lock(&j->mu);
        while (j->workers_started < cfg->workers)
            pthread_cond_wait(&j->cv, &j->mu);
        if (j->ready_err.code) {
            *e = j->ready_err;
            err = e->code;
        }
        pthread_mutex_unlock(&j->mu);
    }
    /* On a shared store the other nodes' work is not ours to recover: the reaper and expired leases
     * (queue.c) handle whatever a dead process left. */
    if (!err && !j->shared)
        err = sb_jobs_recover(j, e);
    if (!err)
        err = sb_webhooks_start(&(sb_webhook_config_t){.meta = meta, .metrics = metrics, .fetch = cfg->fetch,
                                                       .key = cfg->hook_key, .key_len = cfg->hook_key_len,
                                                       .max_attempts = cfg->hook_max_attempts,
                                                       .backoff_ms = cfg->hook_backoff_ms,
                                                       .concurrency = cfg->hook_concurrency,
                                                       .queue_max = cfg->hook_queue_max,
                                                       .per_target = cfg->hook_per_target,
                                                       .render = cfg->render, .render_ctx = cfg->render_ctx},
                                &j->hooks, e);
    if (!err)
        err = sb_maintenance_start(&(sb_maintenance_config_t){.meta = meta, .blob = blob,
                                                              .purge_interval_s = cfg->purge_interval_s},
                                   &j->maint, e);
    if (!err)
        err = sb_jobs_heartbeat_start(j, e);
    if (!err)
        err = sb_jobs_claimer_start(j, e);
    if (!err && j->shared)
        err = sb_jobs_watch_start(j, e);
    if (err) {
        sb_jobs_stop(j);
        return err;
    }
    *out = j;
    return SB_OK;
}

void sb_jobs_stop(sb_jobs_t *j)
{
    if (!j)
        return;
    sb_jobs_claimer_stop(j); /* first: nothing new is claimed while the pools drain */
    sb_pool_stop(j->fetch); /* then: fetched jobs are handed to the work pool */
    sb_pool_stop(j->work);
    sb_pool_stop(j->store); /* then: the outputs the workers handed over are stored and answered */
    sb_jobs_heartbeat_stop(j); /* after the drain: running jobs keep their leases */
    sb_jobs_watch_stop(j);     /* every waiting caller gets its completion */
    sb_webhooks_stop(j->hooks); /* after the drain: in-flight deliveries finish, waiting ones stay pending */
    sb_maintenance_stop(j->maint);
    pthread_mutex_destroy(&j->mu);
    pthread_cond_destroy(&j->cv);
    free(j->held);
    free(j);
}
