/* pool.c - threads, a bounded FIFO of tasks, a condition variable. */
#include "jobs/pool.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "util/clock.h"
#include "util/heap.h"

/* How long the pool stays idle before it gives the C heap's free pages back (trim_when_idle). Trimmed after
 * every job, one client sending headshots one after the other paid for the whole working set again each
 * time: ~20,000 page faults and about twice the CPU of a headshot in a busy pool (docs/BENCHMARKS.md,
 * "Issue 11: the server's CPU per headshot, at 1 client"). A pause this long is the end of a burst. */
#define TRIM_IDLE_MS 2000

typedef struct task {
    sb_task_fn fn;
    void *arg;
    struct task *next;
} task_t;

struct sb_pool {
    sb_pool_config_t cfg;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    task_t *head, *tail;
    int waiting, running;
    int64_t trim_at_us;  /* sb_clock_us at which an idle pool trims the heap; 0: no trim due */
    bool stopping;
    int n_threads;
    pthread_t *threads;
};

typedef struct {
    sb_pool_t *pool;
    int index;
} start_t;

static void *thread_main(void *arg)
{
    start_t st = *(start_t *)arg;
    free(arg);
    sb_pool_t *p = st.pool;
    char name[16];
    snprintf(name, sizeof name, "%s-%d", p->cfg.name ? p->cfg.name : "pool", st.index);
    pthread_setname_np(pthread_self(), name);
    void *tctx = p->cfg.thread_init ? p->cfg.thread_init(st.index, p->cfg.ctx) : NULL;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->head && !p->stopping) {
            int64_t left_us = p->trim_at_us ? p->trim_at_us - sb_clock_us() : 0;
            if (!p->trim_at_us) {
                pthread_cond_wait(&p->cv, &p->mu);
            } else if (left_us > 0) {
                sb_clock_cond_wait_ms(&p->cv, &p->mu, (int)(left_us / 1000) + 1);
            } else {
                /* Idle for TRIM_IDLE_MS: give the C heap's free pages back to the system, so the memory a
                 * burst needed does not stay with the process (sb_heap_keep_freed keeps it while work goes
                 * on). A few milliseconds; one thread does it. */
                p->trim_at_us = 0;
                pthread_mutex_unlock(&p->mu);
                sb_heap_release();
                pthread_mutex_lock(&p->mu);
            }
        }
        task_t *t = p->head;
        if (!t)
            break; /* stopping and drained */
        p->trim_at_us = 0;
        p->head = t->next;
        if (!p->head)
            p->tail = NULL;
        p->waiting--;
        p->running++;
        pthread_mutex_unlock(&p->mu);
        t->fn(t->arg, tctx);
        free(t);
        pthread_mutex_lock(&p->mu);
        p->running--;
        if (p->cfg.trim_when_idle && !p->head && p->running == 0)
            p->trim_at_us = sb_clock_us() + TRIM_IDLE_MS * 1000LL; /* the last task of a burst, unless one comes */
    }
    pthread_mutex_unlock(&p->mu);
    if (p->cfg.thread_fini)
        p->cfg.thread_fini(tctx, p->cfg.ctx);
    return NULL;
}

sb_err sb_pool_start(const sb_pool_config_t *cfg, sb_pool_t **out, sb_error_t *e)
{
    if (cfg->threads < 1 || cfg->queue_max < 0)
        return sb_error_set(e, SB_ERR_USAGE, "workers", "a pool needs at least one thread (got %d)", cfg->threads);
    sb_pool_t *p = calloc(1, sizeof *p);
    if (!p || !(p->threads = calloc((size_t)cfg->threads, sizeof *p->threads))) {
        free(p);
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory");
    }
    p->cfg = *cfg;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    for (int i = 0; i < cfg->threads; i++) {
        start_t *st = malloc(sizeof *st);
        if (st) {
            st->pool = p;
            st->index = i;
        }
        if (!st || pthread_create(&p->threads[i], NULL, thread_main, st) != 0) {
            free(st);
            sb_pool_stop(p);
            return sb_error_set(e, SB_ERR_INTERNAL, "", "cannot start pool thread %d", i);
        }
        p->n_threads++;
    }
    *out = p;
    return SB_OK;
}

sb_err sb_pool_submit(sb_pool_t *p, sb_task_fn fn, void *arg, sb_error_t *e)
{
    task_t *t = malloc(sizeof *t);
    if (!t)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory");
    t->fn = fn;
    t->arg = arg;
    t->next = NULL;
    pthread_mutex_lock(&p->mu);
    if (p->stopping || p->waiting >= p->cfg.queue_max) {
        bool stopping = p->stopping;
        pthread_mutex_unlock(&p->mu);
        free(t);
        return sb_error_set(e, SB_ERR_OVERLOADED, "", stopping ? "the server is shutting down"
                                                               : "the work queue is full (%d waiting)", p->cfg.queue_max);
    }
    if (p->tail)
        p->tail->next = t;
    else
        p->head = t;
    p->tail = t;
    p->waiting++;
    pthread_cond_signal(&p->cv);
    pthread_mutex_unlock(&p->mu);
    return SB_OK;
}

int sb_pool_waiting(sb_pool_t *p)
{
    pthread_mutex_lock(&p->mu);
    int n = p->waiting;
    pthread_mutex_unlock(&p->mu);
    return n;
}

int sb_pool_running(sb_pool_t *p)
{
    pthread_mutex_lock(&p->mu);
    int n = p->running;
    pthread_mutex_unlock(&p->mu);
    return n;
}

void sb_pool_stop(sb_pool_t *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stopping = true;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < p->n_threads; i++)
        pthread_join(p->threads[i], NULL);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p->threads);
    free(p);
}
