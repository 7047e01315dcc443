/* maintenance.c - one thread that purges expired output files and old idempotency records
 * (maintenance.h). */
#include "jobs/maintenance.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/clock.h"
#include "util/log.h"

#define TICK_MS 250
#define PURGE_BATCH 500
#define IDEMPOTENCY_TTL_S 86400

struct sb_maintenance {
    sb_maintenance_config_t cfg;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stopping;
};

typedef struct {
    char (*ids)[SB_ID_MAX];
    int n, cap;
} id_vec_t;

static bool collect_id(id_vec_t *v, const char *id)
{
    if (v->n == v->cap) {
        int cap = v->cap ? v->cap * 2 : 32;
        char(*ni)[SB_ID_MAX] = realloc(v->ids, (size_t)cap * sizeof *ni);
        if (!ni)
            return false;
        v->ids = ni;
        v->cap = cap;
    }
    snprintf(v->ids[v->n++], SB_ID_MAX, "%s", id);
    return true;
}

typedef struct {
    id_vec_t ids;
    char (*names)[SB_ID_MAX * 2];
} file_vec_t;

static bool collect_file(const sb_file_t *f, void *ctx)
{
    file_vec_t *v = ctx;
    if (!collect_id(&v->ids, f->id))
        return false;
    char(*nn)[SB_ID_MAX * 2] = realloc(v->names, (size_t)v->ids.cap * sizeof *nn);
    if (!nn)
        return false;
    v->names = nn;
    snprintf(v->names[v->ids.n - 1], sizeof v->names[0], "%s.%s", f->id, f->ext);
    return true;
}

static void purge(sb_maintenance_t *j)
{
    file_vec_t v = {0};
    sb_error_t e;
    int64_t now = sb_clock_unix();
    if (sb_meta_file_expired(j->cfg.meta, now, PURGE_BATCH, collect_file, &v, &e) == SB_OK) {
        for (int i = 0; i < v.ids.n; i++) {
            /* Blob first: a row without a blob is harmless (the URL 404s), a blob without a row leaks. */
            if (sb_blob_delete(j->cfg.blob, v.names[i], &e) == SB_OK)
                sb_meta_file_delete(j->cfg.meta, v.ids.ids[i], &e);
        }
        if (v.ids.n)
            sb_log(SB_LOG_INFO, "purged expired files", json_pack("{s:i}", "count", v.ids.n));
    }
    free(v.ids.ids);
    free(v.names);
    sb_meta_idem_purge(j->cfg.meta, now - IDEMPOTENCY_TTL_S, &e);
}

static void *maintenance_main(void *arg)
{
    sb_maintenance_t *j = arg;
    int64_t next_purge_us = 0;
    pthread_mutex_lock(&j->mu);
    while (!j->stopping) {
        pthread_mutex_unlock(&j->mu);
        if (sb_clock_us() >= next_purge_us) {
            purge(j);
            next_purge_us = sb_clock_us() + (int64_t)j->cfg.purge_interval_s * 1000000;
        }
        pthread_mutex_lock(&j->mu);
        if (j->stopping)
            break;
        sb_clock_cond_wait_ms(&j->cv, &j->mu, TICK_MS);
    }
    pthread_mutex_unlock(&j->mu);
    return NULL;
}

sb_err sb_maintenance_start(const sb_maintenance_config_t *cfg, sb_maintenance_t **out, sb_error_t *e)
{
    *out = NULL;
    sb_maintenance_t *m = calloc(1, sizeof *m);
    if (!m)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory");
    m->cfg = *cfg;
    pthread_mutex_init(&m->mu, NULL);
    pthread_cond_init(&m->cv, NULL);
    if (pthread_create(&m->thread, NULL, maintenance_main, m) != 0) {
        pthread_mutex_destroy(&m->mu);
        pthread_cond_destroy(&m->cv);
        free(m);
        return sb_error_set(e, SB_ERR_INTERNAL, "", "cannot start the maintenance thread");
    }
    *out = m;
    return SB_OK;
}

void sb_maintenance_stop(sb_maintenance_t *m)
{
    if (!m)
        return;
    pthread_mutex_lock(&m->mu);
    m->stopping = true;
    pthread_cond_signal(&m->cv);
    pthread_mutex_unlock(&m->mu);
    pthread_join(m->thread, NULL);
    pthread_mutex_destroy(&m->mu);
    pthread_cond_destroy(&m->cv);
    free(m);
}
