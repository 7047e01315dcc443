/* recover.c - at start, the jobs a previous process left behind (see sb_jobs_start in jobs.h): those it
 * died running go back to the queue, or fail with job_crashed at SB_JOBS_MAX_ATTEMPTS; then queued URL
 * jobs and batches are run again and queued upload jobs fail with input_lost. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobs/internal.h"
#include "util/log.h"

/* Jobs a previous process left behind. Collected first, acted on after: the store's callbacks must not
 * call back into the store. */
typedef struct {
    sb_job_t *jobs;
    int n, cap;
} job_vec_t;

static bool collect(const sb_job_t *job, void *ctx)
{
    job_vec_t *v = ctx;
    if (v->n == v->cap) {
        int cap = v->cap ? v->cap * 2 : 16;
        sb_job_t *nj = realloc(v->jobs, (size_t)cap * sizeof *nj);
        if (!nj)
            return false;
        v->jobs = nj;
        v->cap = cap;
    }
    sb_job_t *c = &v->jobs[v->n++];
    *c = *job;
    c->spec = job->spec ? strdup(job->spec) : NULL;
    c->result = c->error = NULL;
    c->callback_url = NULL;
    return true;
}

sb_err sb_jobs_recover(sb_jobs_t *j, sb_error_t *e)
{
    int requeued = 0, crashed = 0;
    char *cj = sb_jobs_crashed_json();
    sb_err err = cj ? sb_meta_job_recover(j->meta, SB_JOBS_MAX_ATTEMPTS, cj, &requeued, &crashed, e)
                    : sb_error_set(e, SB_ERR_NOMEM, "", "out of memory");
    free(cj);
    if (err)
        return err;
    job_vec_t v = {0};
    err = sb_meta_job_list_queued(j->meta, collect, &v, e);
    int resumed = 0, lost = 0;
    for (int i = 0; !err && i < v.n; i++) {
        sb_job_t *job = &v.jobs[i];
        json_t *spec = json_loads(job->spec ? job->spec : "{}", 0, NULL);
        const sb_pipeline_def_t *def = sb_pipeline_find(job->pipeline);
        sb_error_t je = {0};
        /* A batch resumes on a worker: its URL items are fetched again, its uploads are lost item by item. */
        if (def && (def->run_items || json_string_value(json_object_get(spec, "image_url")))) {
            work_t *w = sb_jobs_work_new(j, job->id, job->key_id, def, spec);
            if (w && sb_pool_submit(def->run_items ? j->work : j->fetch,
                                    def->run_items ? sb_jobs_work_task : sb_jobs_fetch_task, w, &je) == SB_OK) {
                resumed++;
                json_decref(spec);
                continue;
            }
            sb_jobs_work_free(w);
        } else {
            sb_error_set(&je, SB_ERR_INPUT_LOST, "image",
                         "the server restarted before this job ran; uploaded images are held in memory only, "
                         "so please submit it again");
        }
        json_decref(spec);
        char *ej = sb_jobs_error_json(&je);
        sb_error_t ignore;
        sb_meta_job_fail(j->meta, job->id, NULL, ej ? ej : "{}", &ignore);
        free(ej);
        lost++;
    }
    for (int i = 0; i < v.n; i++)
        sb_job_clear(&v.jobs[i]);
    free(v.jobs);
    if (requeued || crashed || resumed || lost)
        sb_log(SB_LOG_INFO, "recovered jobs",
               json_pack("{s:i, s:i, s:i, s:i}", "requeued", requeued, "failed_job_crashed", crashed, "resumed",
                         resumed, "failed_input_lost", lost));
    return err;
}
