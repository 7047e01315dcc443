/* meta_sql.h - private to the metadata store (src/store/meta_*.c): the handle, the column lists, the
 * statement helpers every domain file shares, and the two drivers under them (SQLite, meta_sql_sqlite.c;
 * PostgreSQL, meta_sql_pg.c). The domain files (meta_keys.c, meta_jobs.c, ...) write their SQL once, with
 * ?1, ?2 ... placeholders, in the subset both engines read alike; the PostgreSQL driver rewrites the
 * placeholders to $1, $2. Nothing outside src/store includes it: callers see store.h only.
 *
 * Threads: a public sb_meta_* function calls sb_sql_lock first and returns through sb_sql_unlock;
 * every helper below is called with that lock held, unless it says otherwise.
 * Errors: the helpers return an sb_err with `e` filled in, as the public functions do. */
#ifndef SB_STORE_META_SQL_H
#define SB_STORE_META_SQL_H

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "store/store.h"

/* An idempotency record counts as gone after this long, whether or not idem_purge has run. */
#define IDEM_TTL_S (24 * 3600)

#define KEY_COLS "id, name, credits, used, created_at, revoked"
#define JOB_COLS                                                                                             \
    "id, key_id, pipeline, state, sync, spec, result, error, callback_url, attempts, lease_owner, "          \
    "lease_until, created_at, started_at, finished_at, hook_state, hook_attempts, hook_next_at, queue, "      \
    "not_before, retries, input_key"
/* The start of the UPDATE that fails a job (no charge; its webhook pending when it has a callback_url),
 * shared by fail, recover and reap: `err` and `now` are the placeholders of the error JSON and the time,
 * e.g. FAIL_JOB("?2", "?3") "WHERE ...". */
#define FAIL_JOB(err, now)                                                                                   \
    "UPDATE jobs SET state = 3, error = " err ", finished_at = " now ", lease_owner = '', lease_until = 0, "   \
    "hook_state = CASE WHEN callback_url IS NULL THEN 0 ELSE 1 END, hook_next_at = " now " "
#define FILE_COLS "id, key_id, job_id, ext, size, created_at, expires_at"
#define TEMPLATE_COLS "key_id, name, prompt, seed, description, created_at, updated_at"

struct sb_meta {
    sqlite3 *db;   /* the SQLite connection, or NULL */
    PGconn *pg;    /* the PostgreSQL connection, or NULL */
    char *conninfo; /* PostgreSQL: the URL, for the listening connection (sb_meta_wait_jobs) */
    PGconn *listen; /* PostgreSQL: the connection that LISTENs for new queue jobs, opened on first wait */
    pthread_mutex_t listen_lock; /* guards `listen` */
    int64_t changes; /* rows the last statement changed */
    /* Held for the whole of each public call, so that the statements of one transaction are never
     * interleaved with another thread's on the shared connection. */
    pthread_mutex_t lock;
};

/* One result row, whichever engine it came from: read it with sb_sql_int/int64/text. */
typedef struct {
    sqlite3_stmt *st; /* SQLite: the stepped statement */
    PGresult *res;    /* PostgreSQL: the result and the row number */
    int row;
} sb_sql_row_t;

/* Read the current row into `dst`. */
typedef sb_err (*row_fn)(const sb_sql_row_t *st, void *dst, sb_error_t *e);

/* Column `col` of a row: as an int64 (0 for NULL; PostgreSQL's booleans t/f read as 1/0), an int, or text
 * (NULL for NULL; valid until the next row). */
int64_t sb_sql_int64(const sb_sql_row_t *r, int col);
int sb_sql_int(const sb_sql_row_t *r, int col);
const char *sb_sql_text(const sb_sql_row_t *r, int col);
/* Rows the last statement changed (UPDATE, INSERT, DELETE). */
int64_t sb_sql_changes(const sb_meta_t *m);

/* ---- small things (no lock needed) ---- */

/* Now, in Unix seconds. */
int64_t sb_sql_now(void);
/* Whether s is a non-empty string shorter than max bytes. */
bool sb_sql_fits(const char *s, size_t max);

/* ---- statements (meta_sqlite.c) ---- */

/* Run a statement that returns no rows; sb_sql_changes() tells how many it touched. `types` says how
 * the variadic arguments bind to ?1, ?2 ...: 't' text (NULL binds NULL), 'i' int, 'I' int64_t.
 * Errors: SB_ERR_CONFLICT for a duplicate, SB_ERR_NOT_FOUND for a missing foreign row, SB_ERR_STORE. */
sb_err sb_sql_exec(sb_meta_t *m, sb_error_t *e, const char *sql, const char *types, ...);
/* Read the first row of a query into `out` with `read`; SB_ERR_NOT_FOUND (message "not found", for the
 * caller to replace) when there is none. */
sb_err sb_sql_one_row(sb_meta_t *m, row_fn read, void *out, sb_error_t *e, const char *sql, const char *types,
                         ...);
/* Read every row of a query into a malloc'd array of `size`-byte items (*items, *n). On failure *items
 * still holds the *n rows read whole, for the caller to free. The list functions call their callback
 * on the copies after unlocking, so a callback may call back into the store. */
sb_err sb_sql_all_rows(sb_meta_t *m, size_t size, row_fn read, void **items, size_t *n, sb_error_t *e,
                          const char *sql, const char *types, ...);
/* Row readers: column 0 as an int64_t. */
sb_err sb_sql_read_int64(const sb_sql_row_t *st, void *dst, sb_error_t *e);
/* Column `col` as text into dst (size bytes, cut to fit; "" for NULL). */
void sb_sql_copy_text(char *dst, size_t size, const sb_sql_row_t *st, int col);
/* Column `col` as a malloc'd string into *dst (NULL for NULL). SB_ERR_NOMEM. */
sb_err sb_sql_dup_text(char **dst, const sb_sql_row_t *st, int col, sb_error_t *e);

/* ---- locking and transactions (meta_sqlite.c) ---- */

/* Start a public call: take the handle's mutex. */
void sb_sql_lock(sb_meta_t *m);
/* End a public call: roll back whatever transaction a failure left open, release the mutex, return err. */
sb_err sb_sql_unlock(sb_meta_t *m, sb_err err);
/* Start a transaction. SQLite: BEGIN IMMEDIATE, which takes the write lock up front, so a
 * read-modify-write never fails with SQLITE_BUSY at its first write. PostgreSQL: BEGIN (read committed;
 * every read-modify-write is a single conditional UPDATE or locks its rows with FOR UPDATE). */
sb_err sb_sql_begin(sb_meta_t *m, sb_error_t *e);
sb_err sb_sql_commit(sb_meta_t *m, sb_error_t *e);

/* ---- the drivers (meta_sql_sqlite.c, meta_sql_pg.c), called with the lock held ---- */

/* Run `sql` with the arguments bound as `types` says (as for sb_sql_exec), call `each` on
 * every result row, and set m->changes. `each` returns SB_OK to go on; its error stops the statement.
 * Errors: SB_ERR_CONFLICT for a duplicate, SB_ERR_NOT_FOUND for a missing foreign row, SB_ERR_STORE. */
typedef sb_err (*each_fn)(const sb_sql_row_t *row, void *state, sb_error_t *e);
sb_err sb_sql_sqlite_run(sb_meta_t *m, sb_error_t *e, const char *sql, const char *types, va_list ap, each_fn each,
                         void *state);
sb_err sb_sql_pg_run(sb_meta_t *m, sb_error_t *e, const char *sql, const char *types, va_list ap, each_fn each,
                     void *state);
/* Open the connection of `m` ("sqlite:PATH" / "postgres://..." or "postgresql://...") and migrate the
 * schema to this build's version (SB_ERR_STORE for a newer one). On failure m is left for sb_meta_close. */
sb_err sb_sql_sqlite_open(sb_meta_t *m, const char *path, sb_error_t *e);
sb_err sb_sql_pg_open(sb_meta_t *m, const char *conninfo, sb_error_t *e);
/* Whether the connection is inside a transaction (so unlock rolls it back). */
bool sb_sql_pg_in_transaction(sb_meta_t *m);
/* Wait up to timeout_ms for a NOTIFY on strobe_jobs on the listening connection (opened and LISTENing on
 * first use, reopened after a failure; without one it sleeps, i.e. polls). Whether one came. Takes
 * listen_lock, not the handle's lock. */
bool sb_sql_pg_wait(sb_meta_t *m, int timeout_ms);
/* Reconnect when the server dropped the connection (a restart, a killed backend); no-op otherwise. */
void sb_sql_pg_revive(sb_meta_t *m);

/* ---- jobs, shared with the batch and webhook files (meta_sqlite_jobs.c) ---- */

/* Row reader for JOB_COLS into an sb_job_t (its strings malloc'd; cleared on failure). */
sb_err sb_sql_read_job(const sb_sql_row_t *st, void *dst, sb_error_t *e);
/* Job `id` into `out`; SB_ERR_NOT_FOUND naming it. */
sb_err sb_sql_load_job(sb_meta_t *m, const char *id, sb_job_t *out, sb_error_t *e);
/* Why job `id` cannot be claimed, renewed or finished: SB_ERR_NOT_FOUND, or SB_ERR_CONFLICT saying what
 * holds it. */
sb_err sb_sql_job_conflict(sb_meta_t *m, const char *id, sb_error_t *e);
/* Check a lease's owner (1 to SB_ID_MAX - 1 bytes) and length (>= 1 s). SB_ERR_USAGE. No lock needed. */
sb_err sb_sql_check_lease(const char *owner, int lease_s, sb_error_t *e);
/* Lease job `id` for `owner` until now + lease_s when it is claimable (queued, or processing with an
 * expired lease): the one definition of claimable, shared by sb_meta_job_claim and claim_next.
 * SB_ERR_CONFLICT / SB_ERR_NOT_FOUND as sb_sql_job_conflict says. */
sb_err sb_sql_claim(sb_meta_t *m, const char *id, const char *owner, int lease_s, int64_t now, sb_error_t *e);
/* Read job `id` inside the open transaction, then commit: `out` (when not NULL) gets the job only when
 * the commit succeeded. */
sb_err sb_sql_finish_with_job(sb_meta_t *m, const char *id, sb_job_t *out, sb_error_t *e);
/* Call fn on each of the n jobs in `items` until it returns false, then clear and free them all; returns
 * err (the listing's). No lock needed: called after unlocking. */
sb_err sb_sql_each_job(bool (*fn)(const sb_job_t *j, void *ctx), void *ctx, sb_err err, void *items, size_t n);
/* Check the arguments of a completion (owner, credits >= 0, result, outputs). SB_ERR_USAGE. No lock needed. */
sb_err sb_sql_check_complete(const char *owner, int64_t credits, const char *result, const sb_output_t *outputs,
                                int n_outputs, sb_error_t *e);
/* The part of a completion a job and a batch item share, inside the caller's transaction: check that
 * `owner` holds job `id`, charge the key (SB_ERR_NO_CREDITS when short), add to usage, record the
 * outputs as files of the job (SB_ERR_CONFLICT, field "file_id", for a taken id). */
sb_err sb_sql_charge_and_record(sb_meta_t *m, const char *id, const char *owner, const sb_output_t *outputs,
                                   int n_outputs, int64_t credits, int64_t now, sb_error_t *e);

#endif
