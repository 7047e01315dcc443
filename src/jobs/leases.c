/* leases.c - the leases this process holds (internal.h): which jobs, how many shared-queue jobs run here,
 * and the heartbeat thread that renews every held lease each lease_s / 3, so that a job outliving its
 * lease is never taken over while its process lives. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobs/internal.h"
#include "util/clock.h"
#include "util/log.h"

void sb_jobs_hold(sb_jobs_t *j, const char *id)
{
    pthread_mutex_lock(&j->mu);
    if (j->n_held == j->cap_held) {
        int cap = j->cap_held ? 2 * j->cap_held : 16;
        void *grown = realloc(j->held, (size_t)cap * sizeof *j->held);
        if (grown) {
            j->held = grown;
            j->cap_held = cap;
        }
    }
    /* Out of memory: the lease is not renewed, and a job longer than it may be taken over (and charged
     * once all the same). */
    if (j->n_held < j->cap_held)
        snprintf(j->held[j->n_held++], SB_ID_MAX, "%s", id);
    pthread_mutex_unlock(&j->mu);
}

void sb_jobs_unhold(sb_jobs_t *j, const char *id)
{
    pthread_mutex_lock(&j->mu);
    for (int i = 0; i < j->n_held; i++)
        if (!strcmp(j->held[i], id)) {
            memmove(j->held[i], j->held[j->n_held - 1], SB_ID_MAX);
            j->n_held--;
            break;
        }
    pthread_mutex_unlock(&j->mu);
}

void sb_jobs_queue_slot_free(sb_jobs_t *j)
{
    pthread_mutex_lock(&j->mu);
    j->queue_running--;
    pthread_cond_broadcast(&j->cv);
    pthread_mutex_unlock(&j->mu);
}

/* ---- heartbeat ---- */

static void renew_held(sb_jobs_t *j)
{
    pthread_mutex_lock(&j->mu);
    int n = j->n_held;
    char (*ids)[SB_ID_MAX] = n ? malloc((size_t)n * SB_ID_MAX) : NULL;
    if (ids)
        memcpy(ids, j->held, (size_t)n * SB_ID_MAX);
    pthread_mutex_unlock(&j->mu);
    for (int i = 0; ids && i < n; i++) {
        sb_error_t e;
        sb_err err = sb_meta_job_renew(j->meta, ids[i], j->owner, j->cfg.lease_s, &e);
        /* Lost (taken over after a stall, or finished meanwhile): the run's completion will find out. */
        if (err && err != SB_ERR_CONFLICT)
            sb_log(SB_LOG_WARN, "cannot renew a lease",
                   json_pack("{s:s, s:s, s:o}", "job", ids[i], "code", sb_err_name(err), "error", sb_log_str(e.message)));
    }
    free(ids);
}

static void *heartbeat_main(void *arg)
{
    sb_jobs_t *j = arg;
    pthread_setname_np(pthread_self(), "lease-beat");
    int every_ms = j->cfg.lease_s * 1000 / 3;
    if (every_ms < 200)
        every_ms = 200;
    int64_t next = sb_clock_us() + (int64_t)every_ms * 1000;
    pthread_mutex_lock(&j->mu);
    while (!j->heartbeat.stopping) {
        int64_t wait_us = next - sb_clock_us();
        if (wait_us > 0) { /* the condition is shared: a wake-up before the time is not a beat */
            sb_clock_cond_wait_ms(&j->cv, &j->mu, (int)(wait_us / 1000) + 1);
            continue;
        }
        pthread_mutex_unlock(&j->mu);
        renew_held(j);
        next = sb_clock_us() + (int64_t)every_ms * 1000;
        pthread_mutex_lock(&j->mu);
    }
    pthread_mutex_unlock(&j->mu);
    return NULL;
}

sb_err sb_jobs_thread_start(sb_jobs_t *j, sb_jobs_thread_t *th, void *(*main)(void *), const char *what,
                            sb_error_t *e)
{
    if (pthread_create(&th->t, NULL, main, j) != 0)
        return sb_error_set(e, SB_ERR_INTERNAL, "", "cannot start the %s thread", what);
    th->started = true;
    return SB_OK;
}

void sb_jobs_thread_stop(sb_jobs_t *j, sb_jobs_thread_t *th)
{
    pthread_mutex_lock(&j->mu);
    th->stopping = true;
    pthread_cond_broadcast(&j->cv);
    pthread_mutex_unlock(&j->mu);
    if (th->started)
        pthread_join(th->t, NULL);
    th->started = false;
}

sb_err sb_jobs_heartbeat_start(sb_jobs_t *j, sb_error_t *e)
{
    return sb_jobs_thread_start(j, &j->heartbeat, heartbeat_main, "lease heartbeat", e);
}

void sb_jobs_heartbeat_stop(sb_jobs_t *j)
{
    sb_jobs_thread_stop(j, &j->heartbeat);
}
