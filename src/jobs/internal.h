/* internal.h - the job service's state, shared by jobs.c and maintenance.c only. */
#ifndef SB_JOBS_INTERNAL_H
#define SB_JOBS_INTERNAL_H

#include <pthread.h>

#include "jobs/jobs.h"
#include "jobs/pipelines.h"
#include "jobs/pool.h"

struct sb_jobs {
    sb_jobs_config_t cfg;
    sb_meta_t *meta;
    sb_blob_t *blob;
    sb_metrics_t *metrics;
    sb_pool_t *work, *fetch;
    char owner[SB_ID_MAX];      /* this process's lease owner id */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int64_t pixels;             /* admitted input pixels not yet finished */
    double ewma_ms;             /* recent latency of every job */
    double pipeline_ms[SB_PIPELINES_MAX]; /* recent latency of each pipeline's jobs (sb_pipeline_index), 0 = none yet */
    int workers_started;
    sb_error_t ready_err;       /* the first worker start failure */
    /* maintenance thread */
    pthread_t maint;
    bool maint_running;
    bool stopping;
    pthread_cond_t maint_cv;
};

/* Start / stop the thread that delivers due webhooks and purges expired files. */
sb_err sb_jobs_maintenance_start(sb_jobs_t *j, sb_error_t *e);
void sb_jobs_maintenance_stop(sb_jobs_t *j);

#endif
