/* queue.c - the claimer of the shared queue (internal.h): takes shared jobs (sb_meta_job_claim_next) while
 * a worker is idle, woken by the store's notifications or polling, and hands them to the pools; reaps the
 * jobs of dead holders (after SB_JOBS_MAX_ATTEMPTS claims) and sweeps the staged inputs of ended jobs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobs/internal.h"
#include "jobs/staged.h"
#include "util/clock.h"
#include "util/log.h"

/* The claimer's longest sleep: a notification missed (or a job's backoff ending) is found this late. */
#define POLL_MS 500
/* Staged inputs of ended jobs deleted per sweep. */
#define SWEEP_BATCH 64

/* ---- reaper and sweep ---- */

static void reap(sb_jobs_t *j)
{
    char *cj = sb_jobs_crashed_json();
    sb_error_t le = {0};
    sb_error_set(&le, SB_ERR_JOB_CRASHED, "",
                 "the server that took this request stopped before it finished; nothing was charged, please "
                 "submit it again");
    char *lj = sb_jobs_error_json(&le);
    int crashed = 0, lost = 0;
    sb_error_t e;
    if (cj && lj && sb_meta_job_reap(j->meta, SB_JOBS_MAX_ATTEMPTS, cj, lj, &crashed, &lost, &e) == SB_OK &&
        (crashed || lost))
        sb_log(SB_LOG_WARN, "reaped jobs of dead holders",
               json_pack("{s:i, s:i}", "failed_job_crashed", crashed, "failed_holder_gone", lost));
    free(cj);
    free(lj);
}

typedef struct {
    char (*ids)[SB_ID_MAX];
    int n;
} ended_t;

static bool collect_ended(const sb_job_t *job, void *ctx)
{
    ended_t *v = ctx;
    if (v->n < SWEEP_BATCH)
        snprintf(v->ids[v->n++], SB_ID_MAX, "%s", job->id);
    return true;
}

/* Staged inputs of jobs that ended without deleting theirs (their holder died, or the blob store was down). */
static void sweep_staged(sb_jobs_t *j)
{
    char ids[SWEEP_BATCH][SB_ID_MAX];
    ended_t v = {.ids = ids};
    sb_error_t e;
    if (sb_meta_job_staged_ended(j->meta, SWEEP_BATCH, collect_ended, &v, &e) == SB_OK)
        for (int i = 0; i < v.n; i++)
            sb_staged_delete(j->meta, j->blob, ids[i]);
}

/* ---- claimer ---- */

/* Whether a worker is idle: no task waiting, fewer running than workers. */
static bool idle_worker(sb_jobs_t *j)
{
    return sb_pool_waiting(j->work) == 0 && sb_pool_running(j->work) < j->cfg.workers &&
           j->queue_running < j->cfg.workers;
}

/* Hand a claimed shared job to the pools (a URL to the fetchers, the rest to the workers). One this build
 * cannot run is failed; one the stopping pools refuse is given back to the queue at once. */
static void start_claimed(sb_jobs_t *j, sb_job_t *job)
{
    const sb_pipeline_def_t *def = sb_pipeline_find(job->pipeline);
    json_t *spec = job->spec ? json_loads(job->spec, 0, NULL) : NULL;
    sb_error_t e = {0};
    if (!def || !spec) {
        sb_error_set(&e, SB_ERR_INTERNAL, "", !def ? "this server does not know the pipeline '%s'"
                                                   : "the stored options of this '%s' job are damaged", job->pipeline);
        char *ej = sb_jobs_error_json(&e);
        sb_meta_job_fail(j->meta, job->id, j->owner, ej ? ej : "{}", &e);
        free(ej);
        json_decref(spec);
        if (job->input_key[0])
            sb_staged_delete(j->meta, j->blob, job->id);
        return;
    }
    bool url = !def->run_items && json_string_value(json_object_get(spec, "image_url"));
    if (!url && !def->run_items && !job->input_key[0]) {
        /* Queued before the shared queue (schema migration): its upload was in a dead node's memory. */
        sb_error_set(&e, SB_ERR_INPUT_LOST, "image",
                     "the server restarted before this job ran; its upload was held in memory only, so please "
                     "submit it again");
        char *ej = sb_jobs_error_json(&e);
        sb_meta_job_fail(j->meta, job->id, j->owner, ej ? ej : "{}", &e);
        free(ej);
        json_decref(spec);
        return;
    }
    work_t *w = sb_jobs_work_new(j, job->id, job->key_id, def, spec);
    json_decref(spec);
    if (!w)
        return; /* out of memory: the lease runs out and another claim takes it */
    w->claimed = true;
    w->from_queue = true;
    w->retries = job->retries;
    snprintf(w->input_key, sizeof w->input_key, "%s", job->input_key);
    sb_jobs_hold(j, job->id);
    pthread_mutex_lock(&j->mu);
    j->queue_running++;
    pthread_mutex_unlock(&j->mu);
    if (sb_pool_submit(url ? j->fetch : j->work, url ? sb_jobs_fetch_task : sb_jobs_work_task, w, &e) != SB_OK) {
        /* The pools are stopping: give the job back at once for another node. */
        sb_meta_job_retry_later(j->meta, job->id, j->owner, 0, &e);
        sb_jobs_unhold(j, job->id);
        sb_jobs_work_free(w);
        sb_jobs_queue_slot_free(j);
    }
}

static void *claimer_main(void *arg)
{
    sb_jobs_t *j = arg;
    pthread_setname_np(pthread_self(), "queue-claim");
    int64_t next_reap = 0;
    int reap_every_us = j->cfg.lease_s * 1000000 / 2;
    for (;;) {
        pthread_mutex_lock(&j->mu);
        while (!j->claimer.stopping && !idle_worker(j))
            sb_clock_cond_wait_ms(&j->cv, &j->mu, POLL_MS);
        bool stop = j->claimer.stopping;
        pthread_mutex_unlock(&j->mu);
        if (stop)
            break;
        if (sb_clock_us() >= next_reap) {
            reap(j);
            sweep_staged(j);
            next_reap = sb_clock_us() + reap_every_us;
        }
        sb_job_t job = {0};
        sb_error_t e;
        sb_err err = sb_meta_job_claim_next(j->meta, j->owner, j->cfg.lease_s, SB_JOBS_MAX_ATTEMPTS, &job, &e);
        if (!err) {
            start_claimed(j, &job);
            sb_job_clear(&job);
            continue;
        }
        if (err != SB_ERR_NOT_FOUND)
            sb_log(SB_LOG_WARN, "cannot claim a job",
                   json_pack("{s:s, s:o}", "code", sb_err_name(err), "error", sb_log_str(e.message)));
        sb_meta_wait_jobs(j->meta, POLL_MS); /* woken by a new job, else polls */
    }
    return NULL;
}

sb_err sb_jobs_claimer_start(sb_jobs_t *j, sb_error_t *e)
{
    return j->shared && j->cfg.take_queue ? sb_jobs_thread_start(j, &j->claimer, claimer_main, "queue claimer", e)
                                          : SB_OK;
}

void sb_jobs_claimer_stop(sb_jobs_t *j)
{
    sb_jobs_thread_stop(j, &j->claimer);
}
