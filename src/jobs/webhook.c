/* webhook.c - webhook delivery (webhook.h): sign, POST, record the attempt, retry with backoff. */
#include "jobs/webhook.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/clock.h"
#include "util/hmac.h"
#include "util/metrics.h"

/* POST the job's JSON to its callback_url with
 *   Strobe-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(key's webhook secret, "<t>.<body>")>
 * A 2xx answer is a delivery; anything else is retried after hook_backoff_ms * 2^attempts. */
static void deliver_hook(const sb_webhook_config_t *cfg, const char *job_id)
{
    sb_job_t job;
    sb_error_t e;
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
        fprintf(stderr, "{\"level\":\"error\",\"msg\":\"cannot record webhook attempt\",\"job\":\"%s\",\"error\":\"%s\"}\n",
                job.id, e.message);
    fprintf(stderr,
            "{\"level\":\"info\",\"msg\":\"webhook\",\"job\":\"%s\",\"attempt\":%d,\"status\":%ld,\"delivered\":%s%s}\n",
            job.id, attempts, status, delivered ? "true" : "false", give_up ? ",\"gave_up\":true" : "");
    if (cfg->metrics)
        sb_metrics_webhook(cfg->metrics, delivered);
    free(body);
    sb_job_clear(&job);
}

/* The store calls this on copies after releasing itself, so delivering from here may call it back. */
static bool deliver_one(const sb_job_t *job, void *ctx)
{
    deliver_hook(ctx, job->id);
    return true;
}

void sb_webhook_deliver_due(const sb_webhook_config_t *cfg)
{
    sb_error_t e;
    sb_meta_hook_due(cfg->meta, sb_clock_unix(), deliver_one, (void *)cfg, &e);
}

void sb_webhook_secret(const uint8_t *server_key, size_t len, const char *key_id, char out[65])
{
    char msg[SB_ID_MAX + 16];
    int n = snprintf(msg, sizeof msg, "webhook:%s", key_id);
    sb_hmac_sha256_hex(server_key, len, msg, (size_t)n, out);
}
