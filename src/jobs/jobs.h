/* jobs.h - every piece of work is a job: a row in the metadata store (queued -> processing ->
 * completed | failed) and, while it waits, a task in memory holding its input bytes.
 *
 * A synchronous request is a job whose caller waits; an asynchronous one answers with the job at once
 * and is polled or reported by webhook. Either way a worker claims it with a lease, runs its pipeline
 * with the worker's own studio, stores the outputs as blobs and, in one store transaction, records
 * the result and charges the credits. Admission control lives here: a bounded queue and a budget of
 * input pixels in flight; beyond either, submission fails with SB_ERR_OVERLOADED (503 + Retry-After).
 *
 * Inputs never touch the disk, unless the client asks: an avatar with "cache_input" keeps its
 * normalized input (re-encoded by the pipeline, never the bytes received) as an output of role
 * SB_JOB_ROLE_CACHE, which expires and is purged like any output. A job whose input is a URL keeps the
 * URL in its spec, so after a crash it is fetched again and completed once; a job whose input was
 * uploaded cannot be resumed after a crash and is failed with code "input_lost" on restart
 * (resubmitting is the client's move).
 *
 * Threads: every function may be called from any thread once sb_jobs_start returned. */
#ifndef SB_JOBS_H
#define SB_JOBS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "jobs/packed.h"
#include "jobs/pipelines.h"
#include "jobs/webhook.h"
#include "net/fetch.h"
#include "store/store.h"

typedef struct sb_jobs sb_jobs_t;
typedef struct sb_metrics sb_metrics_t;

typedef struct {
    int workers;              /* CPU worker threads; they share the process's nets (models.h) */
    int nn_threads;           /* threads inside one forward pass (sb_nn_set_threads), set before the nets open */
    int fetchers;             /* threads fetching input URLs */
    int queue_max;            /* jobs waiting for a worker, at most */
    int64_t pixel_budget;     /* input pixels admitted and not finished, and bodies being read, at most */
    int64_t max_pixels;       /* one input's pixel cap */
    int lease_s;              /* a claim's lease; renewed every lease_s / 3 while the job runs */
    bool take_queue;          /* with a shared store: this process's workers also run shared-queue jobs */
    int shared_queue_max;     /* with a shared store: shared jobs waiting, at most (else SB_ERR_OVERLOADED) */
    int file_ttl_s;           /* outputs expire after this */
    int deadline_ms;          /* a synchronous job not started within this fails with deadline_exceeded */
    int purge_interval_s;     /* how often expired files are purged */
    int hook_max_attempts;    /* webhook deliveries before giving up */
    int hook_backoff_ms;      /* first retry delay; doubles each time */
    int hook_concurrency;     /* webhook deliveries in flight at most (see webhook.h) */
    int hook_queue_max;       /* webhook deliveries waiting for a thread at most */
    int hook_per_target;      /* webhook deliveries in flight or waiting per receiver at most */
    sb_fetch_opts_t fetch;    /* for input URLs and webhooks */
    const uint8_t *hook_key;  /* server secret for webhook signatures (see sb_webhook_secret) */
    size_t hook_key_len;
    sb_job_render_fn render;
    void *render_ctx;
} sb_jobs_config_t;

/* Called once when a job reaches completed or failed (from a worker or fetch thread). `job` is only
 * valid during the call. Used by synchronous requests to answer their connection. */
typedef void (*sb_job_done_fn)(const sb_job_t *job, void *ctx);

typedef struct {
    const char *key_id;
    const char *pipeline;     /* "headshot", ... */
    json_t *spec;             /* the pipeline's options and, for URL inputs, "image_url"; borrowed */
    uint8_t *input;           /* uploaded bytes, or NULL when spec has image_url (a batch: its packed
                               * uploads, NULL when it has none); taken on success */
    size_t input_len;
    bool sync;
    const char *callback_url; /* NULL for none */
    const char *idem_key;     /* NULL for none */
    const char *request_hash; /* with idem_key */
    sb_job_done_fn done;      /* may be NULL; not called when the job already existed */
    void *done_ctx;
} sb_job_request_t;

/* A job is started at most this many times. Each start is a claim, which adds 1 to the job's attempts
 * in the store and commits before the job runs (sb_meta_job_claim). A job still processing when the
 * server starts was running when the process died: it is run again only while it has had fewer
 * attempts than this, else it fails with "job_crashed" (no charge, its webhook told), so an input that
 * kills the process (a poison job) cannot keep the server from starting. */
#define SB_JOBS_MAX_ATTEMPTS 2

/* Start the pools, webhook delivery (webhook.h) and the purge thread, after recovering the jobs a
 * previous process left: processing ones are queued again (or failed with "job_crashed" at
 * SB_JOBS_MAX_ATTEMPTS), queued URL jobs are resubmitted, queued upload jobs are failed with
 * "input_lost"; batch jobs resume (see SB_JOB_PIPELINE_AVATAR_BATCH). Errors: SB_ERR_STORE,
 * SB_ERR_INTERNAL, SB_ERR_USAGE (a webhook bound < 1), SB_ERR_MODEL_*. */
sb_err sb_jobs_start(const sb_jobs_config_t *cfg, sb_meta_t *meta, sb_blob_t *blob, sb_metrics_t *metrics,
                     sb_jobs_t **out, sb_error_t *e);

/* Admit and enqueue a job. Uploaded inputs are probed first: SB_ERR_UNSUPPORTED_FORMAT,
 * SB_ERR_CORRUPT_IMAGE, SB_ERR_IMAGE_TOO_LARGE without creating a job (a batch's uploads each, field
 * "images[i]"; a batch reserves the pixels of its largest item, since its items are made one at a
 * time, and its item rows are made with the job). Then SB_ERR_OVERLOADED when the
 * queue or the pixel budget is full, SB_ERR_CONFLICT for an Idempotency-Key reused with another body.
 * On success *out is the new job (queued), or with *existed the earlier job of the same idempotency key
 * (nothing enqueued, `done` never called). `out` is cleared with sb_job_clear by the caller. */
sb_err sb_jobs_submit(sb_jobs_t *j, sb_job_request_t *req, sb_job_t *out, bool *existed, sb_error_t *e);

/* Admit a request's body from its head: whether a job could be admitted now (queue and pixel budget), and if
 * so one place in the queue and a nominal 12 MP of the pixel budget are held for the body while it is read
 * (each body becomes a job, and is held in memory meanwhile): bodies being read count against the budget
 * like admitted jobs, so no more are read at once than could be admitted, and a request the budget cannot
 * take is refused from its head, its body unread. Nothing held admits anything (one photo of max_pixels
 * always runs alone). Lets the server refuse with 503 before reading a body.
 * True: the caller must call sb_jobs_body_done once the body is read (or the request dies). False: e is
 * SB_ERR_OVERLOADED and nothing is held. Any thread. */
bool sb_jobs_admit_body(sb_jobs_t *j, sb_error_t *e);
void sb_jobs_body_done(sb_jobs_t *j);

/* Seconds a client should wait before retrying after SB_ERR_OVERLOADED, from the queue and recent
 * latencies. */
int sb_jobs_retry_after(sb_jobs_t *j);

/* Milliseconds a job of `pipeline` submitted now should take: the recent latency of that pipeline's
 * completed jobs (an EWMA; before the first, the row's cold_ms, else the recent latency of all jobs),
 * plus the jobs waiting ahead of it at the recent latency of all jobs, shared by the workers. 0 when
 * nothing is known yet. */
double sb_jobs_estimate_ms(sb_jobs_t *j, const char *pipeline);

/* Jobs waiting for a worker or a fetcher, and jobs running (their pipeline, or storing its outputs). */
void sb_jobs_depth(sb_jobs_t *j, int *waiting, int *running);

/* Input pixels admitted and not yet finished, and the nominal 12 MP of each body being read. */
int64_t sb_jobs_pixels_in_flight(sb_jobs_t *j);

/* Whether every worker loaded its nets (readiness); fills e with the first failure. */
bool sb_jobs_ready(sb_jobs_t *j, sb_error_t *e);

/* Graceful stop: no new jobs, let queued and running ones finish, stop webhook delivery (in-flight
 * deliveries finish, waiting ones stay pending in the store), stop the threads, free. NULL-safe. */
void sb_jobs_stop(sb_jobs_t *j);

#endif
