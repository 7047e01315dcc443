/* webhook.c - webhook delivery (webhook.h): a dispatcher thread hands the due webhooks to a pool of
 * delivery threads, at most per_target at a time for one target; each delivery signs, POSTs and records
 * the attempt (retried with backoff). */
#include "jobs/webhook.h"

#include <ctype.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobs/pool.h"
#include "util/clock.h"
#include "util/hmac.h"
#include "util/metrics.h"
#include "util/log.h"

/* How long one node holds a webhook's delivery (sb_meta_hook_claim): longer than a delivery can take. */
#define HOOK_LEASE_S 120

/* POST the job's JSON to its callback_url with
 *   Strobe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(key's webhook secret, "<t>.<body>")>
 * A 2xx answer is a delivery; anything else is retried after hook_backoff_ms * 2^attempts. */
static void deliver_hook(const sb_webhook_config_t *cfg, const char *job_id)
{
    sb_job_t job;
    sb_error_t e;
    /* Taken first: on a shared store every node's dispatcher sees the same due webhooks, and only the
     * node whose claim lands delivers (the lease outlasts one delivery's timeouts). */
    if (sb_meta_hook_claim(cfg->meta, job_id, sb_clock_unix(), HOOK_LEASE_S, &e) != SB_OK)
        return;
    if (sb_meta_job_get(cfg->meta, job_id, NULL, &job, &e) != SB_OK)
        return;
    char *body = cfg->render(&job, cfg->render_ctx);
    bool delivered = false;
    long status = 0;
    if (body && job.callback_url) {
        char secret[65], sig[65];
        sb_webhook_secret(cfg->key, cfg->key_len, job.key_id, secret);
        int64_t ts = sb_clock_unix();
        size_t blen = strlen(body);
        size_t mlen = blen + 32;
        char *msg = malloc(mlen);
        if (msg) {
            int n = snprintf(msg, mlen, "%lld.%s", (long long)ts, body);
            sb_hmac_sha256_hex((const uint8_t *)secret, strlen(secret), msg, (size_t)n, sig);
            free(msg);
            char h_sig[128], h_event[64], h_id[80];
            snprintf(h_sig, sizeof h_sig, "Strobe-Signature: t=%lld,v1=%s", (long long)ts, sig);
            snprintf(h_event, sizeof h_event, "Strobe-Event: job.%s", sb_job_state_name(job.state));
            snprintf(h_id, sizeof h_id, "Strobe-Delivery: %s-%d", job.id, job.hook_attempts + 1);
            const char *headers[] = {h_sig, h_event, h_id, NULL};
            sb_fetch_opts_t fo = cfg->fetch;
            fo.max_bytes = 64 * 1024;
            if (sb_fetch_post(job.callback_url, &fo, "callback_url", "application/json", (const uint8_t *)body, blen,
                              headers, &status, &e) == SB_OK)
                delivered = status >= 200 && status < 300;
        }
    }
    int attempts = job.hook_attempts + 1;
    bool give_up = !delivered && attempts >= cfg->max_attempts;
    int64_t delay_ms = (int64_t)cfg->backoff_ms << (attempts - 1 < 20 ? attempts - 1 : 20);
    int64_t next_at = sb_clock_unix() + (delay_ms + 999) / 1000;
    if (sb_meta_hook_record(cfg->meta, job.id, delivered, give_up, next_at, &e) != SB_OK)
        sb_log(SB_LOG_ERROR, "cannot record webhook attempt",
               json_pack("{s:s, s:o}", "job", job.id, "error", sb_log_str(e.message)));
    json_t *fields = json_pack("{s:s, s:i, s:I, s:b}", "job", job.id, "attempt", attempts, "status", (json_int_t)status,
                               "delivered", delivered);
    if (fields && give_up)
        json_object_set_new(fields, "gave_up", json_true());
    sb_log(SB_LOG_INFO, "webhook", fields);
    if (cfg->metrics)
        sb_metrics_webhook(cfg->metrics, delivered);
    free(body);
    sb_job_clear(&job);
}

/* ---- dispatch: concurrent, bounded, isolated per target ---- */

#define TICK_MS 250
#define TARGET_MAX 256

/* A delivery queued or in flight: its job, and its target. */
typedef struct {
    bool used;
    char job_id[SB_ID_MAX];
    char target[TARGET_MAX];
} slot_t;

struct sb_webhooks {
    sb_webhook_config_t cfg;
    sb_pool_t *pool;          /* the delivery threads */
    pthread_t dispatcher;
    bool dispatching;         /* the dispatcher thread was started */
    pthread_mutex_t mu;       /* guards what follows */
    pthread_cond_t cv;
    bool stopping;
    slot_t *slots;            /* concurrency + queue_max */
    int n_slots;
};

typedef struct {
    sb_webhooks_t *w;
    int slot;
} task_t;

/* The target of a callback URL: its scheme, host and port, lowercased ("http://127.0.0.1:8080"). A
 * receiver is isolated from the others by this: its own deliveries are the ones it delays. */
static void url_target(const char *url, char out[TARGET_MAX])
{
    const char *p = url ? strstr(url, "://") : NULL;
    size_t n = p ? (size_t)(p - url) + 3 + strcspn(p + 3, "/?#") : (url ? strlen(url) : 0);
    if (n >= TARGET_MAX)
        n = TARGET_MAX - 1;
    for (size_t i = 0; i < n; i++)
        out[i] = (char)tolower((unsigned char)url[i]);
    out[n] = '\0';
}

/* The delivery thread's task: one attempt, then its slot is free again. */
static void deliver_task(void *arg, void *tctx)
{
    task_t *t = arg;
    sb_webhooks_t *w = t->w;
    slot_t *s = &w->slots[t->slot];
    pthread_mutex_lock(&w->mu);
    bool stopping = w->stopping;
    pthread_mutex_unlock(&w->mu);
    /* Stopping: a delivery that has not started stays pending in the store, for the next start. */
    if (!stopping)
        deliver_hook(&w->cfg, s->job_id);
    pthread_mutex_lock(&w->mu);
    s->used = false;
    pthread_mutex_unlock(&w->mu);
    free(t);
}

/* Hand one due webhook to the delivery threads, unless it is already queued or in flight, its target
 * has per_target deliveries queued or in flight, or every slot is taken. False stops the round. */
static bool dispatch_one(const sb_job_t *job, void *ctx)
{
    sb_webhooks_t *w = ctx;
    char target[TARGET_MAX];
    url_target(job->callback_url, target);
    int free_slot = -1, same_target = 0;
    pthread_mutex_lock(&w->mu);
    if (w->stopping) {
        pthread_mutex_unlock(&w->mu);
        return false;
    }
    for (int i = 0; i < w->n_slots; i++) {
        slot_t *s = &w->slots[i];
        if (!s->used) {
            if (free_slot < 0)
                free_slot = i;
            continue;
        }
        if (!strcmp(s->job_id, job->id)) {
            pthread_mutex_unlock(&w->mu);
            return true; /* on its way already */
        }
        same_target += !strcmp(s->target, target);
    }
    if (free_slot < 0 || same_target >= w->cfg.per_target) {
        pthread_mutex_unlock(&w->mu);
        return free_slot >= 0; /* a busy target waits; no slot at all ends the round */
    }
    slot_t *s = &w->slots[free_slot];
    s->used = true;
    snprintf(s->job_id, sizeof s->job_id, "%s", job->id);
    snprintf(s->target, sizeof s->target, "%s", target);
    pthread_mutex_unlock(&w->mu);
    task_t *t = malloc(sizeof *t);
    sb_error_t e;
    if (t) {
        *t = (task_t){.w = w, .slot = free_slot};
        if (sb_pool_submit(w->pool, deliver_task, t, &e) == SB_OK)
            return true;
        free(t);
    }
    pthread_mutex_lock(&w->mu);
    s->used = false;
    pthread_mutex_unlock(&w->mu);
    return false;
}

/* Every TICK_MS: what the store says is due, handed out (the store calls dispatch_one on copies after
 * releasing itself). */
static void *dispatcher_main(void *arg)
{
    sb_webhooks_t *w = arg;
    pthread_setname_np(pthread_self(), "hook-dispatch");
    pthread_mutex_lock(&w->mu);
    while (!w->stopping) {
        pthread_mutex_unlock(&w->mu);
        sb_error_t e;
        sb_meta_hook_due(w->cfg.meta, sb_clock_unix(), dispatch_one, w, &e);
        pthread_mutex_lock(&w->mu);
        if (w->stopping)
            break;
        sb_clock_cond_wait_ms(&w->cv, &w->mu, TICK_MS);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

sb_err sb_webhooks_start(const sb_webhook_config_t *cfg, sb_webhooks_t **out, sb_error_t *e)
{
    *out = NULL;
    if (cfg->concurrency < 1 || cfg->queue_max < 1 || cfg->per_target < 1)
        return sb_error_set(e, SB_ERR_USAGE, "webhooks",
                            "webhook concurrency (%d), queue (%d) and per-target limit (%d) must be >= 1",
                            cfg->concurrency, cfg->queue_max, cfg->per_target);
    sb_webhooks_t *w = calloc(1, sizeof *w);
    if (!w)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory");
    w->cfg = *cfg;
    w->n_slots = cfg->concurrency + cfg->queue_max;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    sb_err err = (w->slots = calloc((size_t)w->n_slots, sizeof *w->slots))
                     ? SB_OK
                     : sb_error_set(e, SB_ERR_NOMEM, "", "out of memory");
    sb_pool_config_t pc = {.name = "hook", .threads = cfg->concurrency, .queue_max = cfg->queue_max};
    if (!err)
        err = sb_pool_start(&pc, &w->pool, e);
    if (!err && pthread_create(&w->dispatcher, NULL, dispatcher_main, w) != 0)
        err = sb_error_set(e, SB_ERR_INTERNAL, "", "cannot start the webhook dispatcher");
    if (err) {
        sb_webhooks_stop(w);
        return err;
    }
    w->dispatching = true;
    *out = w;
    return SB_OK;
}

void sb_webhooks_stop(sb_webhooks_t *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    w->stopping = true;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    if (w->dispatching)
        pthread_join(w->dispatcher, NULL);
    sb_pool_stop(w->pool); /* in-flight deliveries finish; waiting ones skip (see deliver_task) */
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    free(w->slots);
    free(w);
}

void sb_webhook_secret(const uint8_t *server_key, size_t len, const char *key_id, char out[65])
{
    char msg[SB_ID_MAX + 16];
    int n = snprintf(msg, sizeof msg, "webhook:%s", key_id);
    sb_hmac_sha256_hex(server_key, len, msg, (size_t)n, out);
}
