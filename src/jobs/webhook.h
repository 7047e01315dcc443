/* webhook.h - delivering the webhooks of finished jobs: a signed POST of the job's JSON to its
 * callback_url, retried with backoff. What is due is in the store (sb_meta_hook_due), so pending
 * deliveries survive restarts.
 *
 * Deliveries run concurrently on their own threads, isolated per target (a callback URL's scheme, host
 * and port): a receiver that never answers holds at most `per_target` deliveries, each for at most the
 * fetch timeout, and delays only its own; the others go on. Bounded: `concurrency` deliveries in
 * flight, `queue_max` waiting for a thread; a due webhook that does not fit waits in the store for a
 * later round (every 250 ms). */
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
    int concurrency;          /* deliveries in flight at most (threads), >= 1 */
    int queue_max;            /* deliveries waiting for a thread at most, >= 1 */
    int per_target;           /* deliveries in flight or waiting per target at most, >= 1 */
    sb_job_render_fn render;
    void *render_ctx;
} sb_webhook_config_t;

typedef struct sb_webhooks sb_webhooks_t;

/* Start the delivery threads and the dispatcher that hands them what is due (cfg is copied; meta and
 * the render context must outlive the handle). Each attempt is recorded in the store: a 2xx is a
 * delivery, anything else is retried after backoff_ms * 2^(attempt - 1), up to max_attempts.
 * Errors: SB_ERR_USAGE for a bound < 1, SB_ERR_NOMEM, SB_ERR_INTERNAL (no thread). */
sb_err sb_webhooks_start(const sb_webhook_config_t *cfg, sb_webhooks_t **out, sb_error_t *e);

/* Stop dispatching, let the deliveries in flight finish (each within the fetch timeout), drop the ones
 * still waiting for a thread (they stay pending in the store and go out after the next start), join
 * and free. NULL-safe. */
void sb_webhooks_stop(sb_webhooks_t *w);

/* The webhook signing secret of a key: hex HMAC of "webhook:<key id>" under the server secret. out[65].
 * Any thread. */
void sb_webhook_secret(const uint8_t *server_key, size_t len, const char *key_id, char out[65]);

#endif
