/* internal.h - the job service's state and the functions its files share (jobs.c, recover.c, run.c,
 * batch.c, deliver.c); nothing outside src/jobs includes it. Within the service the calls go one way:
 * jobs.c -> recover.c -> run.c -> batch.c -> deliver.c -> pipelines.c -> packed.c.
 * Threads: sb_jobs_t's counters are under `mu`; a work_t belongs to the one thread running it. */
#ifndef SB_JOBS_INTERNAL_H
#define SB_JOBS_INTERNAL_H

#include <pthread.h>

#include "jobs/jobs.h"
#include "jobs/maintenance.h"
#include "jobs/pipelines.h"
#include "jobs/pool.h"

/* One of the service's own threads (the claimer, the heartbeat, the watcher): its loop waits on the
 * service's cv under mu and ends once `stopping` is set (under mu). */
typedef struct {
    pthread_t t;
    bool started, stopping;
} sb_jobs_thread_t;

struct sb_jobs {
    sb_jobs_config_t cfg;
    sb_meta_t *meta;
    sb_blob_t *blob;
    sb_metrics_t *metrics;
    sb_pool_t *work, *fetch;
    sb_pool_t *store;           /* a pipeline's outputs into the store and its answer, off the workers (run.c) */
    char owner[SB_ID_MAX];      /* this process's lease owner id */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int64_t pixels;             /* admitted input pixels not yet finished */
    int bodies;                 /* request bodies admitted from their head and still being read */
    int64_t body_pixels;        /* the pixel budget those bodies hold: NOMINAL_PIXELS each */
    double ewma_ms;             /* recent latency of every job */
    double pipeline_ms[SB_PIPELINES_MAX]; /* recent latency of each pipeline's jobs (sb_pipeline_index), 0 = none yet */
    int workers_started;
    sb_error_t ready_err;       /* the first worker start failure */
    sb_webhooks_t *hooks;       /* webhook delivery */
    sb_maintenance_t *maint;    /* the purge */
    bool shared;                /* the store is shared (sb_meta_shared): async jobs go through the shared queue */
    /* The leases this process holds (queue.c renews them): job ids, under mu. */
    char (*held)[SB_ID_MAX];
    int n_held, cap_held;
    int queue_running;          /* shared-queue jobs this process claimed and has not finished, under mu */
    sb_jobs_thread_t claimer, heartbeat, watcher; /* queue.c, leases.c, watch.c */
    struct watch *watches;      /* shared jobs whose completion a caller waits for (watch.c), under mu */
};

/* One job on its way through the pools. */
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
    bool from_queue;      /* claimed from the shared queue (queue.c): counted in queue_running */
    int retries;          /* times it was given back (sb_meta_job_retry_later) */
    char input_key[65];   /* its staged input's key (staged.h); "" when it has none */
    int64_t deadline_us;  /* sync only; 0 = none */
    sb_job_done_fn done;
    void *done_ctx;
} work_t;

/* A work pool thread's context. */
typedef struct {
    sb_studio_t *studio;
} worker_t;

/* ---- run.c: the tasks of the pools ---- */

/* A work_t for job `id` (spec gets a reference); NULL when out of memory. */
work_t *sb_jobs_work_new(sb_jobs_t *j, const char *id, const char *key_id, const sb_pipeline_def_t *def, json_t *spec);
/* Give back its pixels, free its spec, input and itself. NULL-safe. */
void sb_jobs_work_free(work_t *w);
/* Give `pixels` back to the budget. */
void sb_jobs_release_pixels(sb_jobs_t *j, int64_t pixels);
/* The pool tasks (sb_task_fn): claim, then run the pipeline and hand its outputs to the store pool, which
 * stores them and ends the job (work), or fetch the input URL and hand the job to the work pool (fetch).
 * Each owns its work_t until it ends it or hands it on. */
void sb_jobs_work_task(void *arg, void *tctx);
void sb_jobs_fetch_task(void *arg, void *tctx);
/* The work pool's thread_init / thread_fini: a worker_t with its own studio (nets loaded). */
void *sb_jobs_worker_init(int index, void *ctx);
void sb_jobs_worker_fini(void *tctx, void *ctx);

/* ---- queue.c: the shared queue's claimer ---- */

/* A shared job given back after a dependency was down is tried again at most this many times. */
#define SB_JOBS_MAX_RETRIES 8

/* Start the claimer when the store is shared and cfg.take_queue: it claims shared jobs while this process
 * has an idle worker, reaps the jobs of dead holders and deletes the staged inputs of ended jobs. No-op
 * otherwise. Errors: SB_ERR_INTERNAL (no thread). */
sb_err sb_jobs_claimer_start(sb_jobs_t *j, sb_error_t *e);
/* Stop and join it: first at stop, so nothing new is claimed while the pools drain. Safe when never
 * started. */
void sb_jobs_claimer_stop(sb_jobs_t *j);

/* ---- leases.c: the leases this process holds ---- */

/* Remember that this process holds job `id`'s lease (the heartbeat renews it) / forget it. Take j->mu. */
void sb_jobs_hold(sb_jobs_t *j, const char *id);
void sb_jobs_unhold(sb_jobs_t *j, const char *id);
/* The end of a shared job's run here: one fewer running, wake the claimer. Takes j->mu. */
void sb_jobs_queue_slot_free(sb_jobs_t *j);
/* Start `th` running main(j); `what` names it in the error. Errors: SB_ERR_INTERNAL (no thread). */
sb_err sb_jobs_thread_start(sb_jobs_t *j, sb_jobs_thread_t *th, void *(*main)(void *), const char *what,
                            sb_error_t *e);
/* Set th->stopping (under mu), wake the service's threads, join `th`. Safe when it never started. */
void sb_jobs_thread_stop(sb_jobs_t *j, sb_jobs_thread_t *th);
/* Start the heartbeat thread (renews every held lease each lease_s / 3). Errors: SB_ERR_INTERNAL. */
sb_err sb_jobs_heartbeat_start(sb_jobs_t *j, sb_error_t *e);
/* Stop and join it: after the pools drained, so running jobs keep their leases. Safe when never started. */
void sb_jobs_heartbeat_stop(sb_jobs_t *j);

/* ---- watch.c: completions of shared jobs that run on any node ---- */

/* Call done(job) once shared job `id` is completed or failed, as the store says (read every 150 ms by
 * the watcher thread), or at stop as it stands. Errors: SB_ERR_NOMEM. */
sb_err sb_jobs_watch(sb_jobs_t *j, const char *id, sb_job_done_fn done, void *ctx, sb_error_t *e);
/* Start the watcher thread. Errors: SB_ERR_INTERNAL. */
sb_err sb_jobs_watch_start(sb_jobs_t *j, sb_error_t *e);
/* Stop it, then call every open watch's completion with its job as it stands. Safe when never started. */
void sb_jobs_watch_stop(sb_jobs_t *j);

/* ---- recover.c ---- */

/* Jobs a previous process left behind (see sb_jobs_start). Errors: SB_ERR_STORE. */
sb_err sb_jobs_recover(sb_jobs_t *j, sb_error_t *e);

/* ---- batch.c ---- */

/* Run a batch job (w->def->run_items) on the worker with `studio`: item rows, the runner through an
 * sb_job_items_t, then the job completed with its counts. Returns the error that stopped it
 * (SB_ERR_CONFLICT: the lease was lost; the caller fails the job on any other). Frees w->input. */
sb_err sb_jobs_batch_run(work_t *w, sb_studio_t *studio, sb_error_t *e);
/* The item rows of batch job `id` from its spec's "items"; nothing when it has them already.
 * Errors: SB_ERR_NOMEM, the store's. */
sb_err sb_jobs_batch_create_items(sb_jobs_t *j, const char *id, const json_t *items, sb_error_t *e);

/* ---- deliver.c: results into the store ---- */

/* {"code","message","field"} of an error, malloc'd (NULL when out of memory). */
char *sb_jobs_error_json(const sb_error_t *e);
/* Store the outputs as blobs, then record the result and charge in one transaction: of the job, or with
 * item >= 0 of that item of a batch job. On failure the blobs are deleted. Errors: SB_ERR_NO_CREDITS,
 * SB_ERR_CONFLICT (lease lost), SB_ERR_STORE. */
sb_err sb_jobs_deliver(work_t *w, int item, sb_pipeline_out_t *po, double total_ms, sb_error_t *e);
/* The {"code","message","field"} JSON of a job whose runs crashed SB_JOBS_MAX_ATTEMPTS times (malloc'd,
 * NULL when out of memory). */
char *sb_jobs_crashed_json(void);
/* Probe an encoded image's size into *pixels: the probe's errors, or SB_ERR_IMAGE_TOO_LARGE over the
 * pixel cap, on `field`. */
sb_err sb_jobs_probe_pixels(const sb_jobs_t *j, const uint8_t *buf, size_t len, const char *field, int64_t *pixels,
                            sb_error_t *e);
/* A completed job's latency, into the recent latency of all jobs and of its pipeline. Takes j->mu. */
void sb_jobs_record_latency(sb_jobs_t *j, const sb_pipeline_def_t *def, double ms);

#endif
