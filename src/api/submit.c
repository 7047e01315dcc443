/* submit.c - what every image endpoint does once it has an input and a job spec: answer a replay of
 * its Idempotency-Key, check credits, run the job synchronously (the connection waits) or
 * asynchronously (202 with the job, or with "Prefer: wait=N" the result when it is ready within N
 * seconds), and answer. Endpoints only parse their options. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/submit.h"
#include "jobs/pipelines.h"
#include "util/clock.h"
#include "util/parse.h"

/* 202 with the job (a batch: the batch; a style: the style) and where to poll it. */
static void answer_async(sb_api_ctx_t *c, const sb_job_t *job)
{
    bool batch = !strcmp(job->pipeline, SB_JOB_PIPELINE_AVATAR_BATCH);
    json_t *body = sb_api_job_json(c->svc, job);
    if (job->state == SB_JOB_QUEUED) {
        /* A batch's items run one after the other on one worker. */
        json_int_t items = batch ? json_integer_value(json_object_get(body, "total")) : 1;
        json_t *stages = json_object_get(body, "pipeline"); /* an array where the endpoint named stages */
        json_object_set_new(body, "credits_used", json_integer(0));
        json_object_set_new(body, "pipeline_stages",
                            json_is_array(stages) ? json_incref(stages) : json_pack("[s]", job->pipeline));
        json_object_set_new(body, "estimated_seconds",
                            json_real(sb_jobs_estimate_ms(c->svc->jobs, job->pipeline) * (double)items / 1000.0));
    }
    char loc[96];
    if (!strcmp(job->pipeline, SB_JOB_PIPELINE_STYLE)) {
        char token[SB_API_TOKEN_MAX];
        sb_api_style_token(job->id, token);
        snprintf(loc, sizeof loc, "Location: /v1/styles/%s", token);
    } else {
        snprintf(loc, sizeof loc, "Location: %s/%s", batch ? "/v1/avatar/batch" : "/v1/image", job->id);
    }
    const char *extra[] = {loc, NULL};
    sb_api_send_json(c, 202, body, extra);
}

/* Answer with a job as a synchronous caller sees it: the result (200, as the endpoint renders it), the
 * job's error with its status, or the job still on its way (202). */
static void answer_sync(sb_api_ctx_t *c, const sb_job_t *job)
{
    if (job->state == SB_JOB_COMPLETED && c->answer) {
        c->answer(c, job);
    } else if (job->state == SB_JOB_COMPLETED) {
        sb_error_t re = {0};
        json_t *body = c->render ? c->render(c, job, &re) : sb_api_job_json(c->svc, job);
        if (!body) {
            sb_api_send_error(c, &re);
            return;
        }
        json_object_set_new(body, "latency_ms",
                            json_integer((json_int_t)((sb_clock_us() - c->req->t_start_us) / 1000)));
        sb_api_send_json(c, 200, body, NULL);
    } else if (job->state == SB_JOB_FAILED) {
        json_t *err = job->error ? json_loads(job->error, 0, NULL) : NULL;
        sb_error_t e = {.code = sb_err_from_name(json_string_value(json_object_get(err, "code")))};
        snprintf(e.message, sizeof e.message, "%s", json_string_value(json_object_get(err, "message")) ?: "failed");
        snprintf(e.field, sizeof e.field, "%s", json_string_value(json_object_get(err, "field")) ?: "");
        json_decref(err);
        sb_api_send_error(c, &e);
    } else {
        answer_async(c, job);
    }
}

/* ---- Prefer: wait=N: asynchronous jobs whose request waits up to N seconds for the result ----
 *
 * The request is answered once, by whichever comes first: the job's completion (on_wait_done, on a
 * worker thread: the result like a synchronous request's) or the timer thread at the deadline
 * (wait_main: the job as it stands, 202 while it goes on). The completion always comes for a queued
 * job and frees the waiter; it first waits until the submitting thread has registered the waiter and
 * until an answer the timer is writing is written, so once the job service has stopped (every
 * completion called) no answer is in flight. One timer thread per process, started on first use. */

typedef enum { WAIT_PENDING, WAIT_TIMER_ANSWERING, WAIT_ANSWERED } wait_state;

typedef struct waiter {
    sb_api_ctx_t *c;
    char job_id[SB_ID_MAX];
    int64_t deadline_us;      /* sb_clock_us */
    wait_state state;
    bool registered;          /* the submitting thread is done with it */
    struct waiter *next;      /* in W.list while registered and pending */
} waiter_t;

static struct {
    pthread_once_t once;
    pthread_mutex_t mu;
    pthread_cond_t timer;     /* the list changed: the timer thread looks again (monotonic clock) */
    pthread_cond_t changed;   /* a waiter was registered or the timer finished an answer */
    waiter_t *list;
    bool running;             /* the timer thread started */
} W = {.once = PTHREAD_ONCE_INIT, .mu = PTHREAD_MUTEX_INITIALIZER, .changed = PTHREAD_COND_INITIALIZER};

/* Answer with the job `id` as it stands now: its result (200) or error once finished, else 202. */
static void answer_job(sb_api_ctx_t *c, const char *id)
{
    sb_job_t job;
    sb_error_t e = {0};
    if (sb_meta_job_get(c->svc->meta, id, c->key.id, &job, &e)) {
        sb_api_send_error(c, &e);
        return;
    }
    answer_sync(c, &job);
    sb_job_clear(&job);
}

static void *wait_main(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&W.mu);
    for (;;) {
        int64_t now = sb_clock_us(), next = 0;
        waiter_t *due = NULL;
        for (waiter_t **pp = &W.list; *pp; pp = &(*pp)->next) {
            if ((*pp)->deadline_us <= now) {
                due = *pp;
                *pp = due->next;
                break;
            }
            if (!next || (*pp)->deadline_us < next)
                next = (*pp)->deadline_us;
        }
        if (due) {
            due->state = WAIT_TIMER_ANSWERING;
            pthread_mutex_unlock(&W.mu);
            answer_job(due->c, due->job_id);
            sb_api_finish(due->c);
            pthread_mutex_lock(&W.mu);
            due->state = WAIT_ANSWERED;
            pthread_cond_broadcast(&W.changed);
        } else if (next) {
            struct timespec ts = {.tv_sec = next / 1000000, .tv_nsec = (next % 1000000) * 1000};
            pthread_cond_timedwait(&W.timer, &W.mu, &ts);
        } else {
            pthread_cond_wait(&W.timer, &W.mu);
        }
    }
    return NULL;
}

static void wait_start(void)
{
    pthread_condattr_t a;
    pthread_condattr_init(&a);
    pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
    pthread_cond_init(&W.timer, &a);
    pthread_condattr_destroy(&a);
    pthread_t t;
    W.running = pthread_create(&t, NULL, wait_main, NULL) == 0 && pthread_detach(t) == 0;
}

/* A waiting request's job finished (worker thread): answer it unless the timer did. */
static void on_wait_done(const sb_job_t *job, void *ctx)
{
    waiter_t *w = ctx;
    pthread_mutex_lock(&W.mu);
    while (!w->registered || w->state == WAIT_TIMER_ANSWERING)
        pthread_cond_wait(&W.changed, &W.mu);
    bool ours = w->state == WAIT_PENDING;
    if (ours) {
        for (waiter_t **pp = &W.list; *pp; pp = &(*pp)->next)
            if (*pp == w) {
                *pp = w->next;
                break;
            }
        w->state = WAIT_ANSWERED;
        pthread_cond_signal(&W.timer);
    }
    pthread_mutex_unlock(&W.mu);
    if (ours) {
        answer_sync(w->c, job);
        sb_api_finish(w->c);
    }
    free(w);
}

/* The "wait" preference of the Prefer header (RFC 7240): whole seconds 0..SB_API_WAIT_MAX_S into
 * *wait_s, -1 when there is none. Anything else is SB_ERR_USAGE on field "Prefer". */
static sb_err prefer_wait(sb_api_ctx_t *c, long *wait_s, sb_error_t *e)
{
    *wait_s = -1;
    const char *h = sb_http_header(c->req, "Prefer");
    for (const char *p = h; p && *p;) {
        p += strspn(p, " \t,");
        size_t n = strcspn(p, ",");
        size_t name = strcspn(p, "=;,");
        while (name && (p[name - 1] == ' ' || p[name - 1] == '\t'))
            name--;
        if (name == 4 && !strncasecmp(p, "wait", 4)) {
            const char *v = p + strcspn(p, "=;,"), *end = NULL;
            long long s = -1;
            sb_error_t pe;
            if (*v == '=') {
                v += strspn(v + 1, " \t") + 1;
                size_t digits = strspn(v, "0123456789");
                if (!sb_parse_int(v, digits, 0, SB_API_WAIT_MAX_S, &s, "Prefer", &pe))
                    end = v + digits + strspn(v + digits, " \t");
            }
            if (!end || (*end && *end != ',' && *end != ';'))
                return sb_error_set(e, SB_ERR_USAGE, "Prefer",
                                    "Prefer: wait must be whole seconds from 0 to %d, got '%.*s'", SB_API_WAIT_MAX_S,
                                    (int)(n < 40 ? n : 40), p);
            *wait_s = (long)s;
        }
        p += n;
    }
    return SB_OK;
}

/* A request that waits up to wait_s (> 0) seconds for its job: the waiter its completion takes (jr->done),
 * or NULL when out of memory (the request is then answered). */
static waiter_t *wait_prepare(sb_api_ctx_t *c, sb_job_request_t *jr, long wait_s)
{
    waiter_t *w = calloc(1, sizeof *w);
    if (!w) {
        sb_api_fail(c, SB_ERR_NOMEM, "", "out of memory");
        return NULL;
    }
    w->c = c;
    w->deadline_us = sb_clock_us() + (int64_t)wait_s * 1000000;
    jr->done = on_wait_done;
    jr->done_ctx = w;
    return w;
}

/* The job `id` of the waiter `w` is queued: hand it to the timer, and let its completion go on. */
static void wait_register(waiter_t *w, const char *id)
{
    pthread_mutex_lock(&W.mu);
    snprintf(w->job_id, sizeof w->job_id, "%s", id);
    w->next = W.list;
    W.list = w;
    w->registered = true;
    pthread_cond_broadcast(&W.changed);
    pthread_cond_signal(&W.timer);
    pthread_mutex_unlock(&W.mu);
}

/* A synchronous job finished (worker thread): answer the waiting connection. */
static void on_done(const sb_job_t *job, void *ctx)
{
    sb_api_ctx_t *c = ctx;
    answer_sync(c, job);
    sb_api_finish(c);
}

sb_err sb_api_read_callback(sb_api_ctx_t *c, const sb_api_input_t *in, const char **callback, sb_error_t *e)
{
    sb_err err = sb_api_input_string(c, in, "callback_url", callback, e);
    if (err || !*callback)
        return err;
    if (strncmp(*callback, "http://", 7) && strncmp(*callback, "https://", 8))
        return sb_error_set(e, SB_ERR_URL_BLOCKED, "callback_url", "callback_url must be an http or https URL");
    if (strlen(*callback) > SB_FETCH_MAX_URL)
        return sb_error_set(e, SB_ERR_URL_BLOCKED, "callback_url", "callback_url is over %d characters", SB_FETCH_MAX_URL);
    /* A URL holds no spaces or control characters; a CR or LF would end up in the webhook's request line
     * and headers (header injection), and in every log line that shows the URL. */
    for (const unsigned char *p = (const unsigned char *)*callback; *p; p++)
        if (*p <= 0x20 || *p == 0x7f)
            return sb_error_set(e, SB_ERR_USAGE, "callback_url",
                                "callback_url must not contain spaces or control characters (CR, LF, tab ...)");
    return SB_OK;
}

/* Whether `name` ("<id>.<ext>") is listed in the job's result as a kept input. */
static bool is_kept_input(const sb_job_t *job, const char *name)
{
    json_t *r = job->result ? json_loads(job->result, 0, NULL) : NULL;
    size_t i;
    json_t *f;
    bool kept = false;
    json_array_foreach(json_object_get(r, "files"), i, f)
    {
        const char *file = json_string_value(json_object_get(f, "file"));
        const char *role = json_string_value(json_object_get(f, "role"));
        if (file && role && !strcmp(file, name)) {
            kept = !strcmp(role, SB_JOB_ROLE_CACHE);
            break;
        }
    }
    json_decref(r);
    return kept;
}

/* The input an earlier job of this key kept (cache_input) becomes this request's upload. Anything but
 * a live kept input of this key (unknown, expired or purged, another key's, a regular output) is
 * SB_ERR_NOT_FOUND with one message, so an id tells nothing about other keys' files. */
static sb_err load_kept_input(sb_api_ctx_t *c, sb_api_input_t *in, sb_error_t *e)
{
    sb_file_t f;
    sb_job_t job = {0};
    char name[SB_ID_MAX + sizeof f.ext + 1] = "";
    sb_err err = sb_meta_file_get(c->svc->meta, in->cache_id, &f, e);
    if (!err && (strcmp(f.key_id, c->key.id) || f.expires_at <= sb_clock_unix()))
        err = SB_ERR_NOT_FOUND;
    if (!err)
        err = sb_meta_job_get(c->svc->meta, f.job_id, c->key.id, &job, e);
    if (!err) {
        snprintf(name, sizeof name, "%s.%s", f.id, f.ext);
        if (!is_kept_input(&job, name))
            err = SB_ERR_NOT_FOUND;
    }
    if (!err)
        err = sb_blob_get(c->svc->blob, name, &in->image, &in->image_len, e);
    sb_job_clear(&job);
    if (err == SB_ERR_NOT_FOUND)
        return sb_error_set(e, SB_ERR_NOT_FOUND, "cache_id",
                            "no cached input '%.40s' for this API key (one is kept as long as the outputs, "
                            "24 h by default)", in->cache_id);
    return err;
}

/* Check the Idempotency-Key header into *idem (NULL when absent) and answer a replay of it. A replay
 * is answered before the credit check and the job queue (only a full queue, checked at the head before
 * the body is read, can refuse it: 503, retry). True when the request has been answered. */
static bool answered_replay(sb_api_ctx_t *c, const char *hash, const char **idem)
{
    sb_error_t e = {0};
    *idem = sb_http_header(c->req, "Idempotency-Key");
    bool printable = *idem != NULL;
    for (const char *p = *idem; p && *p; p++)
        printable = printable && *p >= 0x20 && *p < 0x7f;
    if (*idem && (!**idem || strlen(*idem) > 255 || !printable)) {
        sb_api_fail(c, SB_ERR_USAGE, "Idempotency-Key",
                    "Idempotency-Key must be 1 to 255 printable ASCII characters");
        return true;
    }
    if (!*idem)
        return false;
    sb_job_t prev = {0};
    sb_err err = sb_meta_idem_find(c->svc->meta, c->key.id, *idem, hash, &prev, &e);
    if (err == SB_ERR_NOT_FOUND)
        return false;
    if (err)
        sb_api_send_error(c, &e);
    else if (prev.sync)
        answer_sync(c, &prev);
    else
        answer_async(c, &prev);
    sb_job_clear(&prev);
    return true;
}

/* Submit the job and answer: a sync job when it finishes; an asynchronous one at once, or with wait_s > 0
 * (the timer thread running) when it finishes within wait_s seconds or at the deadline. Its input is
 * taken when the job is queued: jr->input is then NULL. True when the request was deferred. */
static bool run(sb_api_ctx_t *c, sb_job_request_t *jr, long wait_s)
{
    sb_error_t e = {0};
    waiter_t *w = NULL;
    if (jr->sync) {
        jr->done = on_done;
        jr->done_ctx = c;
    } else if (wait_s > 0 && !(w = wait_prepare(c, jr, wait_s))) {
        return false;
    }
    if (jr->done)
        sb_http_defer(c->req); /* before submitting: a fast worker may answer before this returns */
    sb_job_t job = {0};
    bool existed = false;
    sb_err err = sb_jobs_submit(c->svc->jobs, jr, &job, &existed, &e);
    /* A job queued with a completion: `c` now belongs to it, which may already have run. */
    bool deferred = jr->done && !err && !existed;
    if (err)
        sb_api_send_error(c, &e);
    else if (existed && job.sync)
        answer_sync(c, &job); /* a replay that raced with the first request */
    else if (!deferred)
        answer_async(c, &job);
    if (deferred && w)
        wait_register(w, job.id);
    else
        free(w); /* no completion will come */
    sb_job_clear(&job);
    return deferred;
}

/* Whether the key is short of what the request costs: c->cost when the endpoint set it, else the
 * pipeline's price per job (jobs/pipelines.h), so a free pipeline (a custom style) never answers 402. */
static bool has_no_credits(sb_api_ctx_t *c, const char *pipeline)
{
    const sb_pipeline_def_t *def = sb_pipeline_find(pipeline);
    int64_t need = c->cost > 0 ? c->cost : def ? def->credits : 1;
    if (c->key.credits >= need)
        return false;
    if (need == 1)
        sb_api_fail(c, SB_ERR_NO_CREDITS, "", "this API key has no credits left");
    else
        sb_api_fail(c, SB_ERR_NO_CREDITS, "", "this request costs %lld credits and this API key has %lld",
                    (long long)need, (long long)c->key.credits);
    return true;
}

/* Replay, credits, kept input, then the job: synchronous (`sync`), or asynchronous answered at once
 * (wait_s <= 0) or when done within wait_s seconds. */
static bool submit(sb_api_ctx_t *c, sb_api_input_t *in, const char *pipeline, json_t *spec, const char *callback,
                   bool sync, long wait_s)
{
    sb_error_t e = {0};
    if (in->image_url)
        json_object_set_new(spec, "image_url", json_string(in->image_url));
    const char *idem;
    if (answered_replay(c, in->hash, &idem) || has_no_credits(c, pipeline))
        return false;
    if (in->cache_id && load_kept_input(c, in, &e)) {
        sb_api_send_error(c, &e);
        return false;
    }
    sb_job_request_t jr = {.key_id = c->key.id, .pipeline = pipeline, .spec = spec, .input = in->image,
                           .input_len = in->image_len, .sync = sync, .callback_url = callback, .idem_key = idem,
                           .request_hash = in->hash};
    if (!sync && wait_s > 0) {
        pthread_once(&W.once, wait_start);
        wait_s = W.running ? wait_s : 0;
    }
    bool deferred = run(c, &jr, wait_s);
    in->image = jr.input; /* NULL when the job took it */
    return deferred;
}

bool sb_api_submit(sb_api_ctx_t *c, sb_api_input_t *in, const char *pipeline, json_t *spec, const char *callback)
{
    const char *prefer = sb_http_header(c->req, "Prefer");
    bool async = callback || (prefer && strcasestr(prefer, "respond-async"));
    return submit(c, in, pipeline, spec, callback, !async, 0);
}

bool sb_api_submit_queued(sb_api_ctx_t *c, sb_api_input_t *in, const char *pipeline, json_t *spec,
                          const char *callback)
{
    sb_error_t e = {0};
    long wait_s;
    if (prefer_wait(c, &wait_s, &e)) {
        sb_api_send_error(c, &e);
        return false;
    }
    return submit(c, in, pipeline, spec, callback, false, wait_s);
}

bool sb_api_submit_batch(sb_api_ctx_t *c, const sb_api_input_t *in, json_t *spec, uint8_t **input, size_t len,
                         const char *callback)
{
    const char *idem;
    if (answered_replay(c, in->hash, &idem) || has_no_credits(c, SB_JOB_PIPELINE_AVATAR_BATCH))
        return false;
    sb_job_request_t jr = {.key_id = c->key.id, .pipeline = SB_JOB_PIPELINE_AVATAR_BATCH, .spec = spec,
                           .input = *input, .input_len = len, .callback_url = callback, .idem_key = idem,
                           .request_hash = in->hash};
    bool deferred = run(c, &jr, 0);
    *input = jr.input;
    return deferred;
}
