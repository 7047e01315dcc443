/* jobs.c - admission, the fetch and work pools, the job lifecycle, crash recovery. Webhook delivery
 * and the purge run on the maintenance thread in maintenance.c. */
#include "jobs/jobs.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobs/internal.h"
#include "jobs/pipelines.h"
#include "jobs/pool.h"
#include "nn/nn.h"
#include "util/clock.h"
#include "util/hmac.h"
#include "util/metrics.h"
#include "util/random.h"

/* Pixels reserved for a URL input before its size is known: a typical 12 MP phone photo. */
#define URL_NOMINAL_PIXELS 12000000LL

typedef struct {
    sb_jobs_t *j;
    char id[SB_ID_MAX];
    char key_id[SB_ID_MAX];
    const sb_pipeline_def_t *def;
    json_t *spec;
    uint8_t *input;
    size_t len;
    int64_t pixels;       /* reserved from the budget */
    bool claimed;
    bool sync;
    int64_t deadline_us;  /* sync only; 0 = none */
    sb_job_done_fn done;
    void *done_ctx;
} work_t;

typedef struct {
    sb_studio_t *studio;
} worker_t;

static char *error_json(const sb_error_t *e)
{
    json_t *o = json_pack("{s:s, s:s, s:s}", "code", sb_err_name(e->code), "message", e->message, "field", e->field);
    char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    return s;
}

static void release_pixels(sb_jobs_t *j, int64_t pixels)
{
    pthread_mutex_lock(&j->mu);
    j->pixels -= pixels;
    pthread_mutex_unlock(&j->mu);
}

static void work_free(work_t *w)
{
    if (!w)
        return;
    if (w->pixels)
        release_pixels(w->j, w->pixels);
    json_decref(w->spec);
    free(w->input);
    free(w);
}

/* The end of every job path: give back the budget, then tell the waiting caller (if any) the job's
 * state (final, unless another worker took it over), then free. The budget goes first so that a client
 * that sends its next request the moment it is answered finds it free. */
static void finish(work_t *w)
{
    if (w->pixels) {
        release_pixels(w->j, w->pixels);
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
            lost.error = error_json(&e);
            w->done(&lost, w->done_ctx);
            free(lost.error);
        }
    }
    work_free(w);
}

static void fail(work_t *w, const sb_error_t *err)
{
    char *ej = error_json(err);
    sb_error_t e;
    if (sb_meta_job_fail(w->j->meta, w->id, w->claimed ? w->j->owner : NULL, ej ? ej : "{}", &e))
        fprintf(stderr, "{\"level\":\"error\",\"msg\":\"cannot mark job failed\",\"job\":\"%s\",\"error\":\"%s\"}\n",
                w->id, e.message);
    free(ej);
    finish(w);
}

static bool claim(work_t *w)
{
    if (w->claimed)
        return true;
    sb_error_t e;
    if (sb_meta_job_claim(w->j->meta, w->id, w->j->owner, w->j->cfg.lease_s, &e) != SB_OK)
        return false;
    w->claimed = true;
    return true;
}

static double ewma(double avg, double ms)
{
    return avg > 0 ? 0.8 * avg + 0.2 * ms : ms;
}

/* A completed job's latency, into the recent latency of all jobs and of its pipeline. */
static void record_latency(sb_jobs_t *j, const sb_pipeline_def_t *def, double ms)
{
    int k = sb_pipeline_index(def);
    pthread_mutex_lock(&j->mu);
    j->ewma_ms = ewma(j->ewma_ms, ms);
    j->pipeline_ms[k] = ewma(j->pipeline_ms[k], ms);
    pthread_mutex_unlock(&j->mu);
}

/* Store the outputs as blobs, then record the result and charge in one transaction: of the job, or with
 * item >= 0 of that item of a batch job. */
static sb_err deliver(work_t *w, int item, sb_pipeline_out_t *po, double total_ms, sb_error_t *e)
{
    sb_jobs_t *j = w->j;
    sb_output_t outs[SB_JOB_OUTPUTS_MAX];
    char ids[SB_JOB_OUTPUTS_MAX][SB_ID_MAX];
    char names[SB_JOB_OUTPUTS_MAX][SB_ID_MAX * 2];
    int64_t expires = sb_clock_unix() + j->cfg.file_ttl_s;
    json_t *files = json_array();
    sb_err err = SB_OK;
    int stored = 0;
    for (int i = 0; i < po->n_outputs; i++) {
        const sb_job_output_t *o = &po->outputs[i];
        sb_random_hex(ids[i], 16);
        snprintf(names[i], sizeof names[i], "%.39s.%.7s", ids[i], sb_format_ext(o->format));
        err = sb_blob_put(j->blob, names[i], o->data, o->len, e);
        if (err)
            goto fail;
        stored++;
        outs[i] = (sb_output_t){.file_id = ids[i], .ext = sb_format_ext(o->format), .size = (int64_t)o->len, .expires_at = expires};
        json_array_append_new(files, json_pack("{s:s, s:s, s:s, s:s, s:i, s:i, s:I}", "file", names[i], "role",
                                               o->role ? o->role : "output", "ext", sb_format_ext(o->format),
                                               "format", sb_format_name(o->format), "width", o->width, "height",
                                               o->height, "expires_at", (json_int_t)expires));
    }
    json_t *result = po->fields ? json_deep_copy(po->fields) : json_object();
    json_object_set_new(result, "files", files);
    files = NULL;
    json_object_set_new(result, "latency_ms", json_integer((json_int_t)(total_ms + 0.5)));
    char *rs = json_dumps(result, JSON_COMPACT);
    json_decref(result);
    int64_t credits = sb_pipeline_credits(w->def, po);
    err = item < 0 ? sb_meta_job_complete(j->meta, w->id, j->owner, outs, po->n_outputs, credits, rs ? rs : "{}", e)
                   : sb_meta_batch_item_complete(j->meta, w->id, item, j->owner, outs, po->n_outputs, credits,
                                                 rs ? rs : "{}", e);
    free(rs);
    if (err)
        goto fail;
    return SB_OK;
fail:
    json_decref(files);
    for (int i = 0; i < stored; i++) {
        sb_error_t ignore;
        sb_blob_delete(j->blob, names[i], &ignore);
    }
    return err;
}

static sb_err probe_pixels(const sb_jobs_t *j, const uint8_t *buf, size_t len, const char *field, int64_t *pixels,
                           sb_error_t *e)
{
    sb_image_info_t info;
    sb_decode_opts_t limits = {.max_pixels = j->cfg.max_pixels};
    sb_err err = sb_io_probe(buf, len, &info, e);
    if (!err)
        err = sb_io_check(&info, &limits, e);
    if (err) {
        snprintf(e->field, sizeof e->field, "%s", field);
        return err;
    }
    *pixels = (int64_t)info.width * info.height;
    return SB_OK;
}

/* ---- batch jobs ---- */

struct sb_job_items {
    work_t *w;
    const json_t *items;  /* the spec's "items" */
    int n;
    bool *finished;       /* by an earlier run of the job */
    int64_t t0_us;        /* when the current item's input was asked for */
};

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* Upload k of a packed input (see sb_jobs_pack_uploads); false when the buffer has no such upload. */
static bool unpack_upload(const uint8_t *in, size_t len, int64_t k, const uint8_t **data, size_t *n)
{
    if (!in || len < 4)
        return false;
    uint64_t count = be32(in);
    if (k < 0 || (uint64_t)k >= count || len < 4 + 4 * count)
        return false;
    uint64_t at = 4 + 4 * count;
    for (int64_t i = 0; i < k; i++)
        at += be32(in + 4 + 4 * i);
    uint64_t size = be32(in + 4 + 4 * k);
    if (at + size > len)
        return false;
    *data = in + at;
    *n = (size_t)size;
    return true;
}

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
static sb_err create_items(sb_jobs_t *j, const char *id, const json_t *items, sb_error_t *e)
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
    sb_job_items_t *items = ctx;
    if (it->idx >= 0 && it->idx < items->n)
        items->finished[it->idx] = it->state != SB_JOB_QUEUED;
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

int sb_job_items_count(const sb_job_items_t *items)
{
    return items->n;
}

bool sb_job_items_finished(const sb_job_items_t *items, int i)
{
    return i >= 0 && i < items->n && items->finished[i];
}

sb_err sb_job_items_input(sb_job_items_t *items, int i, uint8_t **buf, size_t *len, sb_error_t *e)
{
    work_t *w = items->w;
    sb_jobs_t *j = w->j;
    char field[32];
    snprintf(field, sizeof field, "images[%d]", i);
    *buf = NULL;
    *len = 0;
    items->t0_us = sb_clock_us();
    /* A batch outlives one lease: each item renews it. */
    sb_err err = sb_meta_job_renew(j->meta, w->id, j->owner, j->cfg.lease_s, e);
    if (err)
        return err;
    const json_t *item = json_array_get(items->items, (size_t)i);
    const char *url = json_string_value(json_object_get(item, "image_url"));
    const uint8_t *data;
    size_t n;
    if (url)
        err = sb_fetch_get(url, &j->cfg.fetch, field, buf, len, e);
    else if (!w->input)
        return sb_error_set(e, SB_ERR_INPUT_LOST, field,
                            "the server restarted before this image was made; uploaded images are held in memory "
                            "only, so please submit it again");
    else if (!unpack_upload(w->input, w->len, json_integer_value(json_object_get(item, "upload")), &data, &n))
        return sb_error_set(e, SB_ERR_INTERNAL, field, "batch item %d has no upload", i);
    else if (!(*buf = malloc(n ? n : 1)))
        return sb_error_set(e, SB_ERR_NOMEM, field, "out of memory");
    else {
        memcpy(*buf, data, n);
        *len = n;
    }
    int64_t pixels;
    if (!err)
        err = probe_pixels(j, *buf, *len, field, &pixels, e);
    if (err) {
        free(*buf);
        *buf = NULL;
        *len = 0;
    }
    return err;
}

sb_err sb_job_items_done(sb_job_items_t *items, int i, sb_pipeline_out_t *out, double ms, sb_error_t *e)
{
    work_t *w = items->w;
    sb_err err = deliver(w, i, out, ms, e);
    if (w->j->metrics)
        sb_metrics_pipeline(w->j->metrics, w->def->name, &out->stages, ms, err ? "failed" : "completed");
    if (!err)
        record_latency(w->j, w->def, ms);
    items->t0_us = 0;
    return err;
}

sb_err sb_job_items_failed(sb_job_items_t *items, int i, const sb_error_t *err, sb_error_t *e)
{
    work_t *w = items->w;
    char *ej = error_json(err);
    sb_err rc = sb_meta_batch_item_fail(w->j->meta, w->id, i, ej ? ej : "{}", e);
    free(ej);
    /* An item refused before its input was asked for (no credits left) did no work to time. */
    if (w->j->metrics && items->t0_us)
        sb_metrics_pipeline(w->j->metrics, w->def->name, NULL, (double)(sb_clock_us() - items->t0_us) / 1000.0,
                            "failed");
    items->t0_us = 0;
    return rc;
}

/* A batch on the worker: its item rows (made at submission; again here after a crash in between), the
 * items an earlier run finished, the runner, then the job completed with its counts. */
static void run_batch(work_t *w, worker_t *wk)
{
    sb_jobs_t *j = w->j;
    sb_error_t e = {0};
    sb_job_items_t items = {.w = w, .items = json_object_get(w->spec, "items")};
    items.n = (int)json_array_size(items.items);
    items.finished = calloc((size_t)(items.n ? items.n : 1), sizeof *items.finished);
    sb_err err = items.finished ? create_items(j, w->id, items.items, &e)
                                : sb_error_set(&e, SB_ERR_NOMEM, "", "out of memory");
    if (!err)
        err = sb_meta_batch_items_list(j->meta, w->id, mark_finished, &items, &e);
    if (!err)
        err = w->def->run_items(wk->studio, w->spec, &items, &e);
    free(items.finished);
    free(w->input);
    w->input = NULL;
    batch_counts_t c = {0};
    if (!err)
        err = sb_meta_batch_items_list(j->meta, w->id, count_item, &c, &e);
    char result[96];
    snprintf(result, sizeof result, "{\"total\":%d,\"completed\":%d,\"failed\":%d}", c.total, c.completed, c.failed);
    if (!err)
        err = sb_meta_job_complete(j->meta, w->id, j->owner, NULL, 0, 0, result, &e);
    if (err && err != SB_ERR_CONFLICT)
        fail(w, &e);
    else
        finish(w); /* done, or the lease was lost to another worker: report the state as it stands */
}

static void work_task(void *arg, void *tctx)
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
    if (w->def->run_items) {
        run_batch(w, wk);
        return;
    }
    int64_t t0 = sb_clock_us();
    sb_pipeline_out_t po = {0};
    sb_err err = w->def->run(wk->studio, w->input, w->len, w->spec, &po, &e);
    /* The input is not needed any more: drop it before storing outputs. */
    free(w->input);
    w->input = NULL;
    double ms = (double)(sb_clock_us() - t0) / 1000.0;
    if (!err)
        err = deliver(w, -1, &po, ms, &e);
    if (j->metrics)
        sb_metrics_pipeline(j->metrics, w->def->name, &po.stages, ms, err ? "failed" : "completed");
    sb_pipeline_out_clear(&po);
    if (err == SB_ERR_CONFLICT) {
        finish(w); /* the lease was lost to another worker: report the state as it stands */
        return;
    }
    if (err) {
        fail(w, &e);
        return;
    }
    record_latency(j, w->def, ms);
    finish(w);
}

static void fetch_task(void *arg, void *tctx)
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
        err = probe_pixels(j, w->input, w->len, "image_url", &pixels, &e);
    if (err) {
        fail(w, &e);
        return;
    }
    /* Replace the nominal reservation with the real size. */
    pthread_mutex_lock(&j->mu);
    j->pixels += pixels - w->pixels;
    pthread_mutex_unlock(&j->mu);
    w->pixels = pixels;
    err = sb_pool_submit(j->work, work_task, w, &e);
    if (err)
        fail(w, &e);
}

static void *worker_init(int index, void *ctx)
{
    sb_jobs_t *j = ctx;
    worker_t *wk = calloc(1, sizeof *wk);
    sb_error_t e = {0};
    sb_err err = wk ? sb_studio_open(&wk->studio, &e) : sb_error_set(&e, SB_ERR_NOMEM, "", "out of memory");
    if (!err)
        err = sb_studio_preload(wk->studio, &e);
    pthread_mutex_lock(&j->mu);
    if (err && !j->ready_err.code)
        j->ready_err = e;
    j->workers_started++;
    pthread_cond_broadcast(&j->cv);
    pthread_mutex_unlock(&j->mu);
    return wk;
}

static void worker_fini(void *tctx, void *ctx)
{
    worker_t *wk = tctx;
    if (wk)
        sb_studio_close(wk->studio);
    free(wk);
}

static work_t *work_new(sb_jobs_t *j, const char *id, const char *key_id, const sb_pipeline_def_t *def, json_t *spec)
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

/* Reserve `pixels` of the budget and a queue place; with commit false only check. */
static sb_err reserve(sb_jobs_t *j, int64_t pixels, bool commit, sb_error_t *e)
{
    int waiting = sb_pool_waiting(j->work) + sb_pool_waiting(j->fetch);
    pthread_mutex_lock(&j->mu);
    bool over_budget = j->pixels > 0 && j->pixels + pixels > j->cfg.pixel_budget;
    bool over_queue = waiting >= j->cfg.queue_max;
    if (!over_budget && !over_queue && commit)
        j->pixels += pixels;
    int64_t in_flight = j->pixels;
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
        int64_t p = URL_NOMINAL_PIXELS;
        const uint8_t *data;
        size_t n;
        char field[32];
        snprintf(field, sizeof field, "images[%zu]", i);
        if (!json_object_get(item, "image_url")) {
            if (!unpack_upload(req->input, req->input_len, json_integer_value(json_object_get(item, "upload")),
                               &data, &n))
                return sb_error_set(e, SB_ERR_INTERNAL, field, "batch item %zu has no upload", i);
            sb_err err = probe_pixels(j, data, n, field, &p, e);
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
        err = probe_pixels(j, bufs[i], lens[i], field, &p, e);
        if (!err && p > *pixels)
            *pixels = p;
    }
    free(bufs);
    free(lens);
    if (!err && !*pixels)
        err = sb_error_set(e, SB_ERR_INTERNAL, "images", "a packed input without uploads");
    return err;
}

sb_err sb_jobs_submit(sb_jobs_t *j, sb_job_request_t *req, sb_job_t *out, bool *existed, sb_error_t *e)
{
    *existed = false;
    const sb_pipeline_def_t *def = sb_pipeline_find(req->pipeline);
    if (!def)
        return sb_error_set(e, SB_ERR_INTERNAL, "", "unknown pipeline '%s'", req->pipeline);
    int64_t pixels = URL_NOMINAL_PIXELS;
    sb_err err = SB_OK;
    if (def->run_items)
        err = batch_pixels(j, req, &pixels, e);
    else if (def->packed)
        err = packed_pixels(j, req, &pixels, e);
    else if (req->input)
        err = probe_pixels(j, req->input, req->input_len, "image", &pixels, e);
    if (err)
        return err;
    if ((err = reserve(j, pixels, true, e)))
        return err;

    char id[SB_ID_MAX] = "job_";
    sb_random_hex(id + 4, 12);
    char *spec = json_dumps(req->spec, JSON_COMPACT | JSON_SORT_KEYS);
    sb_job_new_t n = {.id = id, .key_id = req->key_id, .pipeline = def->name, .sync = req->sync, .spec = spec,
                      .callback_url = req->callback_url, .idem_key = req->idem_key, .request_hash = req->request_hash};
    err = spec ? sb_meta_job_create(j->meta, &n, out, existed, e) : sb_error_set(e, SB_ERR_NOMEM, "", "out of memory");
    free(spec);
    if (err || *existed) {
        release_pixels(j, pixels);
        return err;
    }
    /* A failure here leaves the rows to the worker, which makes them again. */
    sb_error_t ignore;
    if (def->run_items)
        create_items(j, id, json_object_get(req->spec, "items"), &ignore);
    work_t *w = work_new(j, id, req->key_id, def, req->spec);
    if (!w) {
        release_pixels(j, pixels);
        sb_job_clear(out);
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory");
    }
    w->pixels = pixels;
    w->sync = req->sync;
    w->deadline_us = req->sync && j->cfg.deadline_ms > 0 ? sb_clock_us() + (int64_t)j->cfg.deadline_ms * 1000 : 0;
    w->done = req->done;
    w->done_ctx = req->done_ctx;
    bool url = req->input == NULL && !def->run_items; /* a batch fetches its URL items on the worker */
    w->input = req->input;
    w->len = req->input_len;
    err = sb_pool_submit(url ? j->fetch : j->work, url ? fetch_task : work_task, w, e);
    if (err) {
        /* The row exists: close it as failed so a poll tells the truth, but answer the caller now. */
        w->input = NULL;
        w->done = NULL;
        char *ej = error_json(e);
        sb_meta_job_fail(j->meta, id, NULL, ej ? ej : "{}", &ignore);
        free(ej);
        work_free(w);
        sb_job_clear(out);
        return err;
    }
    req->input = NULL; /* taken */
    return SB_OK;
}

sb_err sb_jobs_pack_uploads(const uint8_t *const *bufs, const size_t *lens, int n, uint8_t **out, size_t *len,
                            sb_error_t *e)
{
    if (n < 0)
        return sb_error_set(e, SB_ERR_USAGE, "images", "a negative number of uploads");
    size_t total = 4 + 4 * (size_t)n;
    for (int i = 0; i < n; i++) {
        if (lens[i] > UINT32_MAX)
            return sb_error_set(e, SB_ERR_USAGE, "images", "upload %d is over 4 GB", i);
        total += lens[i];
    }
    uint8_t *p = malloc(total);
    if (!p)
        return sb_error_set(e, SB_ERR_NOMEM, "images", "out of memory packing %d uploads", n);
    put_be32(p, (uint32_t)n);
    size_t at = 4 + 4 * (size_t)n;
    for (int i = 0; i < n; i++) {
        put_be32(p + 4 + 4 * i, (uint32_t)lens[i]);
        memcpy(p + at, bufs[i], lens[i]);
        at += lens[i];
    }
    *out = p;
    *len = total;
    return SB_OK;
}

sb_err sb_jobs_unpack_uploads(const uint8_t *in, size_t len, const uint8_t ***bufs, size_t **lens, int *n,
                              sb_error_t *e)
{
    *bufs = NULL;
    *lens = NULL;
    *n = 0;
    if (!in || len < 4)
        return sb_error_set(e, SB_ERR_USAGE, "images", "the input holds no packed uploads");
    uint32_t count = be32(in);
    if (count > (len - 4) / 4)
        return sb_error_set(e, SB_ERR_USAGE, "images", "the packed input is shorter than its %u lengths", count);
    const uint8_t **b = calloc(count ? count : 1, sizeof *b);
    size_t *l = calloc(count ? count : 1, sizeof *l);
    if (!b || !l) {
        free(b);
        free(l);
        return sb_error_set(e, SB_ERR_NOMEM, "images", "out of memory");
    }
    for (uint32_t k = 0; k < count; k++)
        if (!unpack_upload(in, len, k, &b[k], &l[k])) {
            free(b);
            free(l);
            return sb_error_set(e, SB_ERR_USAGE, "images", "upload %u is cut short in the packed input", k);
        }
    *bufs = b;
    *lens = l;
    *n = (int)count;
    return SB_OK;
}

bool sb_jobs_can_admit(sb_jobs_t *j, sb_error_t *e)
{
    return reserve(j, 1, false, e) == SB_OK;
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
    *running = sb_pool_running(j->work) + sb_pool_running(j->fetch);
}

int64_t sb_jobs_pixels_in_flight(sb_jobs_t *j)
{
    pthread_mutex_lock(&j->mu);
    int64_t p = j->pixels;
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

void sb_jobs_hook_secret(const uint8_t *server_key, size_t len, const char *key_id, char out[65])
{
    char msg[SB_ID_MAX + 16];
    int n = snprintf(msg, sizeof msg, "webhook:%s", key_id);
    sb_hmac_sha256_hex(server_key, len, msg, (size_t)n, out);
}

/* Jobs a previous process left behind. Collected first, acted on after: the store's callbacks must not
 * call back into the store. */
typedef struct {
    sb_job_t *jobs;
    int n, cap;
} job_vec_t;

static bool collect(const sb_job_t *job, void *ctx)
{
    job_vec_t *v = ctx;
    if (v->n == v->cap) {
        int cap = v->cap ? v->cap * 2 : 16;
        sb_job_t *nj = realloc(v->jobs, (size_t)cap * sizeof *nj);
        if (!nj)
            return false;
        v->jobs = nj;
        v->cap = cap;
    }
    sb_job_t *c = &v->jobs[v->n++];
    *c = *job;
    c->spec = job->spec ? strdup(job->spec) : NULL;
    c->result = c->error = NULL;
    c->callback_url = NULL;
    return true;
}

static sb_err recover(sb_jobs_t *j, sb_error_t *e)
{
    int requeued = 0;
    sb_err err = sb_meta_job_requeue_all(j->meta, &requeued, e);
    if (err)
        return err;
    job_vec_t v = {0};
    err = sb_meta_job_list_queued(j->meta, collect, &v, e);
    int resumed = 0, lost = 0;
    for (int i = 0; !err && i < v.n; i++) {
        sb_job_t *job = &v.jobs[i];
        json_t *spec = json_loads(job->spec ? job->spec : "{}", 0, NULL);
        const sb_pipeline_def_t *def = sb_pipeline_find(job->pipeline);
        sb_error_t je = {0};
        /* A batch resumes on a worker: its URL items are fetched again, its uploads are lost item by item. */
        if (def && (def->run_items || json_string_value(json_object_get(spec, "image_url")))) {
            work_t *w = work_new(j, job->id, job->key_id, def, spec);
            if (w && sb_pool_submit(def->run_items ? j->work : j->fetch, def->run_items ? work_task : fetch_task, w,
                                    &je) == SB_OK) {
                resumed++;
                json_decref(spec);
                continue;
            }
            work_free(w);
        } else {
            sb_error_set(&je, SB_ERR_INPUT_LOST, "image",
                         "the server restarted before this job ran; uploaded images are held in memory only, "
                         "so please submit it again");
        }
        json_decref(spec);
        char *ej = error_json(&je);
        sb_error_t ignore;
        sb_meta_job_fail(j->meta, job->id, NULL, ej ? ej : "{}", &ignore);
        free(ej);
        lost++;
    }
    for (int i = 0; i < v.n; i++)
        sb_job_clear(&v.jobs[i]);
    free(v.jobs);
    if (requeued || resumed || lost)
        fprintf(stderr,
                "{\"level\":\"info\",\"msg\":\"recovered jobs\",\"requeued\":%d,\"resumed\":%d,\"failed_input_lost\":%d}\n",
                requeued, resumed, lost);
    return err;
}

sb_err sb_jobs_start(const sb_jobs_config_t *cfg, sb_meta_t *meta, sb_blob_t *blob, sb_metrics_t *metrics,
                     sb_jobs_t **out, sb_error_t *e)
{
    sb_jobs_t *j = calloc(1, sizeof *j);
    if (!j)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory");
    j->cfg = *cfg;
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
                           .thread_init = worker_init, .thread_fini = worker_fini, .ctx = j};
    sb_pool_config_t fc = {.name = "fetch", .threads = cfg->fetchers, .queue_max = cfg->queue_max};
    sb_err err = sb_pool_start(&wc, &j->work, e);
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
    if (!err)
        err = recover(j, e);
    if (!err)
        err = sb_jobs_maintenance_start(j, e);
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
    sb_pool_stop(j->fetch); /* first: fetched jobs are handed to the work pool */
    sb_pool_stop(j->work);
    sb_jobs_maintenance_stop(j); /* last: webhooks of the jobs just drained get their first try */
    pthread_mutex_destroy(&j->mu);
    pthread_cond_destroy(&j->cv);
    free(j);
}
