/* watch.c - completions of shared jobs (internal.h). A request that waits for an async job (Prefer: wait)
 * passes a `done` callback; on a shared store its job may run on any node, so no local worker calls it.
 * Such jobs are watched instead: a thread reads their state from the store every WATCH_MS and calls `done`
 * once a job is completed or failed. At stop every watch still open is called with the job as it stands,
 * so a caller's completion always comes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobs/internal.h"
#include "util/clock.h"

#define WATCH_MS 150

typedef struct watch {
    char id[SB_ID_MAX];
    sb_job_done_fn done;
    void *ctx;
    struct watch *next;
} watch_t;

/* Call w's completion with the job as the store has it (or, when the store cannot say, as failed). */
static void call_done(sb_jobs_t *j, watch_t *w, const sb_job_t *job)
{
    if (job) {
        w->done(job, w->ctx);
        return;
    }
    sb_job_t lost = {.state = SB_JOB_QUEUED};
    snprintf(lost.id, sizeof lost.id, "%s", w->id);
    w->done(&lost, w->ctx);
}

sb_err sb_jobs_watch(sb_jobs_t *j, const char *id, sb_job_done_fn done, void *ctx, sb_error_t *e)
{
    watch_t *w = calloc(1, sizeof *w);
    if (!w)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory");
    snprintf(w->id, sizeof w->id, "%s", id);
    w->done = done;
    w->ctx = ctx;
    pthread_mutex_lock(&j->mu);
    w->next = j->watches;
    j->watches = w;
    pthread_cond_broadcast(&j->cv);
    pthread_mutex_unlock(&j->mu);
    return SB_OK;
}

/* One round: every watched job that has finished is taken off the list and its completion called. */
static void check_all(sb_jobs_t *j)
{
    pthread_mutex_lock(&j->mu);
    watch_t *list = j->watches;
    j->watches = NULL;
    pthread_mutex_unlock(&j->mu);
    watch_t *keep = NULL;
    while (list) {
        watch_t *w = list;
        list = w->next;
        sb_job_t job;
        sb_error_t e;
        bool final = false;
        if (sb_meta_job_get(j->meta, w->id, NULL, &job, &e) == SB_OK) {
            final = job.state == SB_JOB_COMPLETED || job.state == SB_JOB_FAILED;
            if (final)
                call_done(j, w, &job);
            sb_job_clear(&job);
        }
        if (final) {
            free(w);
        } else {
            w->next = keep;
            keep = w;
        }
    }
    pthread_mutex_lock(&j->mu);
    while (keep) { /* back on the list, after any added meanwhile */
        watch_t *w = keep;
        keep = w->next;
        w->next = j->watches;
        j->watches = w;
    }
    pthread_mutex_unlock(&j->mu);
}

static void *watch_main(void *arg)
{
    sb_jobs_t *j = arg;
    pthread_setname_np(pthread_self(), "job-watch");
    pthread_mutex_lock(&j->mu);
    while (!j->watcher.stopping) {
        if (!j->watches)
            pthread_cond_wait(&j->cv, &j->mu);
        else
            sb_clock_cond_wait_ms(&j->cv, &j->mu, WATCH_MS);
        if (j->watcher.stopping)
            break;
        pthread_mutex_unlock(&j->mu);
        check_all(j);
        pthread_mutex_lock(&j->mu);
    }
    pthread_mutex_unlock(&j->mu);
    return NULL;
}

sb_err sb_jobs_watch_start(sb_jobs_t *j, sb_error_t *e)
{
    return sb_jobs_thread_start(j, &j->watcher, watch_main, "job watcher", e);
}

void sb_jobs_watch_stop(sb_jobs_t *j)
{
    sb_jobs_thread_stop(j, &j->watcher);
    check_all(j); /* the last finished ones, then the rest as they stand */
    watch_t *list = j->watches;
    j->watches = NULL;
    while (list) {
        watch_t *w = list;
        list = w->next;
        sb_job_t job;
        sb_error_t e;
        bool got = sb_meta_job_get(j->meta, w->id, NULL, &job, &e) == SB_OK;
        call_done(j, w, got ? &job : NULL);
        if (got)
            sb_job_clear(&job);
        free(w);
    }
}
