/* webhook.h - delivering the webhooks of finished jobs: a signed POST of the job's JSON to its
 * callback_url, retried with backoff. What is due is in the store (sb_meta_hook_due), so pending
 * deliveries survive restarts. */
#ifndef SB_JOBS_WEBHOOK_H
#define SB_JOBS_WEBHOOK_H

#include <stddef.h>
#include <stdint.h>

#include "net/fetch.h"
#include "store/store.h"

typedef struct sb_metrics sb_metrics_t;

/* Render the public JSON of a job (for webhooks); malloc'd string. Provided by the API layer, which
 * knows how to sign output URLs. */
typedef char *(*sb_job_render_fn)(const sb_job_t *job, void *ctx);

typedef struct {
    sb_meta_t *meta;
    sb_metrics_t *metrics;    /* may be NULL */
    sb_fetch_opts_t fetch;    /* SSRF guard and timeouts of the POST */
    const uint8_t *key;       /* server secret for the signatures (see sb_webhook_secret) */
    size_t key_len;
    int max_attempts;         /* deliveries before giving up */
    int backoff_ms;           /* first retry delay; doubles each time */
    sb_job_render_fn render;
    void *render_ctx;
} sb_webhook_config_t;

/* Deliver every webhook due now, one after the other, and record each attempt in the store. Called from
 * the maintenance thread. Errors are logged, not returned. */
void sb_webhook_deliver_due(const sb_webhook_config_t *cfg);

/* The webhook signing secret of a key: hex HMAC of "webhook:<key id>" under the server secret. out[65].
 * Any thread. */
void sb_webhook_secret(const uint8_t *server_key, size_t len, const char *key_id, char out[65]);

#endif
