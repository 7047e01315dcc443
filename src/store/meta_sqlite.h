/* meta_sqlite.h - private to the SQLite metadata store (src/store/meta_sqlite*.c): the handle, the column
 * lists, and the helpers every domain file shares. Nothing outside src/store includes it: callers see
 * store.h only.
 *
 * Threads: a public sb_meta_* function calls sb_sqlite_lock first and returns through sb_sqlite_unlock;
 * every helper below is called with that lock held, unless it says otherwise.
 * Errors: the helpers return an sb_err with `e` filled in, as the public functions do. */
#ifndef SB_STORE_META_SQLITE_H
#define SB_STORE_META_SQLITE_H

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include <sqlite3.h>

#include "store/store.h"

/* An idempotency record counts as gone after this long, whether or not idem_purge has run. */
#define IDEM_TTL_S (24 * 3600)

#define KEY_COLS "id, name, credits, used, created_at, revoked"
#define JOB_COLS                                                                                             \
    "id, key_id, pipeline, state, sync, spec, result, error, callback_url, attempts, lease_owner, "          \
    "lease_until, created_at, started_at, finished_at, hook_state, hook_attempts, hook_next_at"
#define FILE_COLS "id, key_id, job_id, ext, size, created_at, expires_at"
#define TEMPLATE_COLS "key_id, name, prompt, seed, description, created_at, updated_at"

struct sb_meta {
    sqlite3 *db;
    /* Held for the whole of each public call, so that the statements of one transaction are never
     * interleaved with another thread's on the shared connection. */
    pthread_mutex_t lock;
};

/* Read the current row of `st` into `dst`. */
typedef sb_err (*row_fn)(sqlite3_stmt *st, void *dst, sb_error_t *e);

/* ---- small things (no lock needed) ---- */

/* Now, in Unix seconds. */
int64_t sb_sqlite_now(void);
/* Whether s is a non-empty string shorter than max bytes. */
bool sb_sqlite_fits(const char *s, size_t max);

/* ---- statements (meta_sqlite.c) ---- */

/* Run a statement that returns no rows; sqlite3_changes() tells how many it touched. `types` says how
 * the variadic arguments bind to ?1, ?2 ...: 't' text (NULL binds NULL), 'i' int, 'I' int64_t.
 * Errors: SB_ERR_CONFLICT for a duplicate, SB_ERR_NOT_FOUND for a missing foreign row, SB_ERR_STORE. */
sb_err sb_sqlite_exec(sb_meta_t *m, sb_error_t *e, const char *sql, const char *types, ...);
/* Read the first row of a query into `out` with `read`; SB_ERR_NOT_FOUND (message "not found", for the
 * caller to replace) when there is none. */
sb_err sb_sqlite_one_row(sb_meta_t *m, row_fn read, void *out, sb_error_t *e, const char *sql, const char *types,
                         ...);
/* Read every row of a query into a malloc'd array of `size`-byte items (*items, *n). On failure *items
 * still holds the *n rows read whole, for the caller to free. The list functions call their callback
 * on the copies after unlocking, so a callback may call back into the store. */
sb_err sb_sqlite_all_rows(sb_meta_t *m, size_t size, row_fn read, void **items, size_t *n, sb_error_t *e,
                          const char *sql, const char *types, ...);
/* Row readers: column 0 as an int64_t. */
sb_err sb_sqlite_read_int64(sqlite3_stmt *st, void *dst, sb_error_t *e);
/* Column `col` as text into dst (size bytes, cut to fit; "" for NULL). */
void sb_sqlite_copy_text(char *dst, size_t size, sqlite3_stmt *st, int col);
/* Column `col` as a malloc'd string into *dst (NULL for NULL). SB_ERR_NOMEM. */
sb_err sb_sqlite_dup_text(char **dst, sqlite3_stmt *st, int col, sb_error_t *e);

/* ---- locking and transactions (meta_sqlite.c) ---- */

/* Start a public call: take the handle's mutex. */
void sb_sqlite_lock(sb_meta_t *m);
/* End a public call: roll back whatever transaction a failure left open, release the mutex, return err. */
sb_err sb_sqlite_unlock(sb_meta_t *m, sb_err err);
/* BEGIN IMMEDIATE: takes the write lock up front, so a read-modify-write never fails with SQLITE_BUSY
 * at its first write. */
sb_err sb_sqlite_begin(sb_meta_t *m, sb_error_t *e);
sb_err sb_sqlite_commit(sb_meta_t *m, sb_error_t *e);

/* ---- jobs, shared with the batch and webhook files (meta_sqlite_jobs.c) ---- */

/* Row reader for JOB_COLS into an sb_job_t (its strings malloc'd; cleared on failure). */
sb_err sb_sqlite_read_job(sqlite3_stmt *st, void *dst, sb_error_t *e);
/* Job `id` into `out`; SB_ERR_NOT_FOUND naming it. */
sb_err sb_sqlite_load_job(sb_meta_t *m, const char *id, sb_job_t *out, sb_error_t *e);
/* Why job `id` cannot be claimed, renewed or finished: SB_ERR_NOT_FOUND, or SB_ERR_CONFLICT saying what
 * holds it. */
sb_err sb_sqlite_job_conflict(sb_meta_t *m, const char *id, sb_error_t *e);
/* Call fn on each of the n jobs in `items` until it returns false, then clear and free them all; returns
 * err (the listing's). No lock needed: called after unlocking. */
sb_err sb_sqlite_each_job(bool (*fn)(const sb_job_t *j, void *ctx), void *ctx, sb_err err, void *items, size_t n);
/* Check the arguments of a completion (owner, credits >= 0, result, outputs). SB_ERR_USAGE. No lock needed. */
sb_err sb_sqlite_check_complete(const char *owner, int64_t credits, const char *result, const sb_output_t *outputs,
                                int n_outputs, sb_error_t *e);
/* The part of a completion a job and a batch item share, inside the caller's transaction: check that
 * `owner` holds job `id`, charge the key (SB_ERR_NO_CREDITS when short), add to usage, record the
 * outputs as files of the job (SB_ERR_CONFLICT, field "file_id", for a taken id). */
sb_err sb_sqlite_charge_and_record(sb_meta_t *m, const char *id, const char *owner, const sb_output_t *outputs,
                                   int n_outputs, int64_t credits, int64_t now, sb_error_t *e);

#endif
