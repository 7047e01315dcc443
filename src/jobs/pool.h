/* pool.h - a fixed pool of threads with a bounded task queue. Each thread owns a context made by
 * thread_init (a worker's studio: its handles on the process's shared nets). A full queue refuses new tasks
 * instead of growing: that is the service's admission control. */
#ifndef SB_JOBS_POOL_H
#define SB_JOBS_POOL_H

#include <stdbool.h>

#include "util/err.h"

typedef struct sb_pool sb_pool_t;

/* Run one task on a pool thread; `tctx` is that thread's context. The task owns `arg`. */
typedef void (*sb_task_fn)(void *arg, void *tctx);

typedef struct {
    const char *name;          /* for thread names: "work", "fetch" */
    int threads;
    int queue_max;             /* tasks waiting (not running) at most */
    void *(*thread_init)(int index, void *ctx); /* may be NULL; its result is tctx */
    void (*thread_fini)(void *tctx, void *ctx); /* may be NULL */
    void *ctx;
    bool trim_when_idle;       /* malloc_trim(0) when the pool has been idle (none running or waiting) for 2 s */
} sb_pool_config_t;

/* Start the threads. Errors: SB_ERR_USAGE (threads < 1), SB_ERR_NOMEM, SB_ERR_INTERNAL. */
sb_err sb_pool_start(const sb_pool_config_t *cfg, sb_pool_t **out, sb_error_t *e);

/* Queue a task. Any thread. SB_ERR_OVERLOADED when queue_max tasks are already waiting or the pool is
 * stopping; the caller keeps `arg` then. */
sb_err sb_pool_submit(sb_pool_t *p, sb_task_fn fn, void *arg, sb_error_t *e);

/* Tasks waiting, and tasks running now. Any thread. */
int sb_pool_waiting(sb_pool_t *p);
int sb_pool_running(sb_pool_t *p);

/* Refuse new tasks, run every task already queued, join the threads and free the pool. NULL-safe. */
void sb_pool_stop(sb_pool_t *p);

#endif
