/* maintenance.c - one thread that delivers due webhooks (signed, retried with backoff) and purges
 * expired output files and old idempotency records. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jobs/internal.h"
#include "util/clock.h"
#include "util/hmac.h"
#include "util/metrics.h"

#define TICK_MS 250
#define PURGE_BATCH 500
#define IDEMPOTENCY_TTL_S 86400

typedef struct {
    char (*ids)[SB_ID_MAX];
    int n, cap;
} id_vec_t;

static bool collect_id(id_vec_t *v, const char *id)
{
    if (v->n == v->cap) {
        int cap = v->cap ? v->cap * 2 : 32;
        char(*ni)[SB_ID_MAX] = realloc(v->ids, (size_t)cap * sizeof *ni);
        if (!ni)
            return false;
        v->ids = ni;
        v->cap = cap;
    }
    snprintf(v->ids[v->n++], SB_ID_MAX, "%s", id);
    return true;
}

static bool collect_job(const sb_job_t *job, void *ctx)
{
    return collect_id(ctx, job->id);
}

typedef struct {
    id_vec_t ids;
    char (*names)[SB_ID_MAX * 2];
} file_vec_t;

static bool collect_file(const sb_file_t *f, void *ctx)
{
    file_vec_t *v = ctx;
    if (!collect_id(&v->ids, f->id))
        return false;
    char(*nn)[SB_ID_MAX * 2] = realloc(v->names, (size_t)v->ids.cap * sizeof *nn);
    if (!nn)
        return false;
    v->names = nn;
    snprintf(v->names[v->ids.n - 1], sizeof v->names[0], "%s.%s", f->id, f->ext);
    return true;
}

/* POST the job's JSON to its callback_url with
 *   Strobe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(key's webhook secret, "<t>.<body>")>
 * A 2xx answer is a delivery; anything else is retried after hook_backoff_ms * 2^attempts. */
static void deliver_hook(sb_jobs_t *j, const char *job_id)
{
    sb_job_t job;
    sb_error_t e;
    if (sb_meta_job_get(j->meta, job_id, NULL, &job, &e) != SB_OK)
        return;
    char *body = j->cfg.render(&job, j->cfg.render_ctx);
    bool delivered = false;
    long status = 0;
    if (body && job.callback_url) {
        char secret[65], sig[65];
        sb_jobs_hook_secret(j->cfg.hook_key, j->cfg.hook_key_len, job.key_id, secret);
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
            sb_fetch_opts_t fo = j->cfg.fetch;
            fo.max_bytes = 64 * 1024;
            if (sb_fetch_post(job.callback_url, &fo, "callback_url", "application/json", (const uint8_t *)body, blen,
                              headers, &status, &e) == SB_OK)
                delivered = status >= 200 && status < 300;
        }
    }
    int attempts = job.hook_attempts + 1;
    bool give_up = !delivered && attempts >= j->cfg.hook_max_attempts;
    int64_t delay_ms = (int64_t)j->cfg.hook_backoff_ms << (attempts - 1 < 20 ? attempts - 1 : 20);
    int64_t next_at = sb_clock_unix() + (delay_ms + 999) / 1000;
    if (sb_meta_hook_record(j->meta, job.id, delivered, give_up, next_at, &e) != SB_OK)
        fprintf(stderr, "{\"level\":\"error\",\"msg\":\"cannot record webhook attempt\",\"job\":\"%s\",\"error\":\"%s\"}\n",
                job.id, e.message);
    fprintf(stderr,
            "{\"level\":\"info\",\"msg\":\"webhook\",\"job\":\"%s\",\"attempt\":%d,\"status\":%ld,\"delivered\":%s%s}\n",
            job.id, attempts, status, delivered ? "true" : "false", give_up ? ",\"gave_up\":true" : "");
    if (j->metrics)
        sb_metrics_webhook(j->metrics, delivered);
    free(body);
    sb_job_clear(&job);
}

static void run_hooks(sb_jobs_t *j)
{
    id_vec_t due = {0};
    sb_error_t e;
    sb_meta_hook_due(j->meta, sb_clock_unix(), collect_job, &due, &e);
    for (int i = 0; i < due.n; i++)
        deliver_hook(j, due.ids[i]);
    free(due.ids);
}

static void purge(sb_jobs_t *j)
{
    file_vec_t v = {0};
    sb_error_t e;
    int64_t now = sb_clock_unix();
    if (sb_meta_file_expired(j->meta, now, PURGE_BATCH, collect_file, &v, &e) == SB_OK) {
        for (int i = 0; i < v.ids.n; i++) {
            /* Blob first: a row without a blob is harmless (the URL 404s), a blob without a row leaks. */
            if (sb_blob_delete(j->blob, v.names[i], &e) == SB_OK)
                sb_meta_file_delete(j->meta, v.ids.ids[i], &e);
        }
        if (v.ids.n)
            fprintf(stderr, "{\"level\":\"info\",\"msg\":\"purged expired files\",\"count\":%d}\n", v.ids.n);
    }
    free(v.ids.ids);
    free(v.names);
    sb_meta_idem_purge(j->meta, now - IDEMPOTENCY_TTL_S, &e);
}

static void *maintenance_main(void *arg)
{
    sb_jobs_t *j = arg;
    int64_t next_purge_us = 0;
    pthread_mutex_lock(&j->mu);
    while (!j->stopping) {
        pthread_mutex_unlock(&j->mu);
        run_hooks(j);
        if (sb_clock_us() >= next_purge_us) {
            purge(j);
            next_purge_us = sb_clock_us() + (int64_t)j->cfg.purge_interval_s * 1000000;
        }
        pthread_mutex_lock(&j->mu);
        if (j->stopping)
            break;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += TICK_MS * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&j->maint_cv, &j->mu, &ts);
    }
    pthread_mutex_unlock(&j->mu);
    return NULL;
}

sb_err sb_jobs_maintenance_start(sb_jobs_t *j, sb_error_t *e)
{
    pthread_cond_init(&j->maint_cv, NULL);
    if (pthread_create(&j->maint, NULL, maintenance_main, j) != 0)
        return sb_error_set(e, SB_ERR_INTERNAL, "", "cannot start the maintenance thread");
    j->maint_running = true;
    return SB_OK;
}

void sb_jobs_maintenance_stop(sb_jobs_t *j)
{
    if (!j->maint_running)
        return;
    pthread_mutex_lock(&j->mu);
    j->stopping = true;
    pthread_cond_signal(&j->maint_cv);
    pthread_mutex_unlock(&j->mu);
    pthread_join(j->maint, NULL);
    pthread_cond_destroy(&j->maint_cv);
    j->maint_running = false;
}
