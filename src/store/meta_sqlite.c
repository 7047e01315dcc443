/* meta_sqlite.c - the metadata store on SQLite: opening, the schema and its migrations, and the statement,
 * row and transaction helpers every meta_sqlite_*.c file shares (meta_sqlite.h). The domains are in
 * meta_sqlite_keys.c, _jobs.c, _batch.c, _hooks.c, _files.c and _templates.c. */
#include "store/meta_sqlite.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#define BUSY_TIMEOUT_MS 5000

/* The SQL below writes job and webhook states as these literals. */
_Static_assert(SB_JOB_QUEUED == 0 && SB_JOB_PROCESSING == 1 && SB_JOB_COMPLETED == 2 && SB_JOB_FAILED == 3,
               "job states are stored as 0..3");
_Static_assert(SB_HOOK_NONE == 0 && SB_HOOK_PENDING == 1 && SB_HOOK_DELIVERED == 2 && SB_HOOK_FAILED == 3,
               "webhook states are stored as 0..3");

/* One migration per schema version: migrations[v] takes a database from user_version v to v + 1. */
static const char *const migrations[] = {
    "CREATE TABLE keys ("
    "  id TEXT PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  secret_hash TEXT NOT NULL UNIQUE,"
    "  credits INTEGER NOT NULL CHECK (credits >= 0),"
    "  used INTEGER NOT NULL DEFAULT 0,"
    "  created_at INTEGER NOT NULL,"
    "  revoked INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE usage ("
    "  key_id TEXT NOT NULL REFERENCES keys(id),"
    "  pipeline TEXT NOT NULL,"
    "  outputs INTEGER NOT NULL DEFAULT 0,"
    "  credits INTEGER NOT NULL DEFAULT 0,"
    "  PRIMARY KEY (key_id, pipeline)) WITHOUT ROWID;"
    "CREATE TABLE jobs ("
    "  id TEXT PRIMARY KEY,"
    "  key_id TEXT NOT NULL REFERENCES keys(id),"
    "  pipeline TEXT NOT NULL,"
    "  state INTEGER NOT NULL DEFAULT 0,"
    "  sync INTEGER NOT NULL DEFAULT 0,"
    "  spec TEXT NOT NULL,"
    "  result TEXT,"
    "  error TEXT,"
    "  callback_url TEXT,"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  lease_owner TEXT NOT NULL DEFAULT '',"
    "  lease_until INTEGER NOT NULL DEFAULT 0,"
    "  created_at INTEGER NOT NULL,"
    "  started_at INTEGER NOT NULL DEFAULT 0,"
    "  finished_at INTEGER NOT NULL DEFAULT 0,"
    "  hook_state INTEGER NOT NULL DEFAULT 0,"
    "  hook_attempts INTEGER NOT NULL DEFAULT 0,"
    "  hook_next_at INTEGER NOT NULL DEFAULT 0,"
    "  idem_key TEXT,"
    "  request_hash TEXT);"
    "CREATE INDEX jobs_state ON jobs(state, created_at);"
    "CREATE INDEX jobs_hook ON jobs(hook_state, hook_next_at);"
    "CREATE TABLE idempotency ("
    "  key_id TEXT NOT NULL REFERENCES keys(id),"
    "  idem_key TEXT NOT NULL,"
    "  request_hash TEXT NOT NULL,"
    "  job_id TEXT NOT NULL REFERENCES jobs(id),"
    "  created_at INTEGER NOT NULL,"
    "  PRIMARY KEY (key_id, idem_key)) WITHOUT ROWID;"
    "CREATE INDEX idempotency_created ON idempotency(created_at);"
    "CREATE TABLE files ("
    "  id TEXT PRIMARY KEY,"
    "  key_id TEXT NOT NULL REFERENCES keys(id),"
    "  job_id TEXT NOT NULL REFERENCES jobs(id),"
    "  ext TEXT NOT NULL,"
    "  size INTEGER NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  expires_at INTEGER NOT NULL);"
    "CREATE INDEX files_expires ON files(expires_at);"
    "CREATE TABLE health (id INTEGER PRIMARY KEY CHECK (id = 1), checked_at INTEGER NOT NULL);"
    "PRAGMA user_version = 1;",
    /* 2: the items of batch jobs; state is an sb_job_state (never processing). */
    "CREATE TABLE batch_items ("
    "  job_id TEXT NOT NULL REFERENCES jobs(id),"
    "  idx INTEGER NOT NULL,"
    "  input TEXT NOT NULL,"
    "  state INTEGER NOT NULL DEFAULT 0,"
    "  result TEXT,"
    "  error TEXT,"
    "  PRIMARY KEY (job_id, idx)) WITHOUT ROWID;"
    "PRAGMA user_version = 2;",
    /* 3: the portrait templates of each key (named prompt + seed pairs). */
    "CREATE TABLE templates ("
    "  key_id TEXT NOT NULL REFERENCES keys(id),"
    "  name TEXT NOT NULL,"
    "  prompt TEXT NOT NULL,"
    "  seed INTEGER NOT NULL,"
    "  description TEXT NOT NULL DEFAULT '',"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL,"
    "  PRIMARY KEY (key_id, name)) WITHOUT ROWID;"
    "PRAGMA user_version = 3;",
};
#define SCHEMA_VERSION ((int)(sizeof migrations / sizeof migrations[0]))

int64_t sb_sqlite_now(void)
{
    return (int64_t)time(NULL);
}

bool sb_sqlite_fits(const char *s, size_t max)
{
    return s && *s && strlen(s) < max;
}

/* ---- statements ---- */

static sb_err db_error(sb_meta_t *m, sb_error_t *e, const char *what)
{
    return sb_error_set(e, SB_ERR_STORE, "", "sqlite %s: %s", what, sqlite3_errmsg(m->db));
}

/* A failed step: a duplicate is a conflict, a reference to a missing row is not found. */
static sb_err step_error(sb_meta_t *m, int rc, sb_error_t *e)
{
    const char *msg = sqlite3_errmsg(m->db);
    if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE)
        return sb_error_set(e, SB_ERR_CONFLICT, "", "%s", msg);
    if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
        return sb_error_set(e, SB_ERR_NOT_FOUND, "", "%s", msg);
    return sb_error_set(e, SB_ERR_STORE, "", "sqlite: %s", msg);
}

/* Prepare `sql` and bind the arguments to ?1, ?2, ... as `types` says: 't' text (NULL binds NULL),
 * 'i' int, 'I' int64_t. */
static sb_err vprepare(sb_meta_t *m, sqlite3_stmt **st, sb_error_t *e, const char *sql, const char *types,
                       va_list ap)
{
    if (sqlite3_prepare_v2(m->db, sql, -1, st, NULL) != SQLITE_OK)
        return db_error(m, e, "prepare");
    int rc = SQLITE_OK;
    for (int i = 0; types[i] && rc == SQLITE_OK; i++) {
        const char *s;
        switch (types[i]) {
        case 't':
            s = va_arg(ap, const char *);
            rc = s ? sqlite3_bind_text(*st, i + 1, s, -1, SQLITE_STATIC) : sqlite3_bind_null(*st, i + 1);
            break;
        case 'i':
            rc = sqlite3_bind_int(*st, i + 1, va_arg(ap, int));
            break;
        case 'I':
            rc = sqlite3_bind_int64(*st, i + 1, va_arg(ap, int64_t));
            break;
        default:
            rc = SQLITE_MISUSE;
        }
    }
    if (rc == SQLITE_OK)
        return SB_OK;
    sb_err err = sb_error_set(e, SB_ERR_INTERNAL, "", "sqlite bind (%s): %s", types, sqlite3_errstr(rc));
    sqlite3_finalize(*st);
    *st = NULL;
    return err;
}

/* Run a statement that returns no rows; sqlite3_changes() tells how many it touched. */
sb_err sb_sqlite_exec(sb_meta_t *m, sb_error_t *e, const char *sql, const char *types, ...)
{
    sqlite3_stmt *st;
    va_list ap;
    va_start(ap, types);
    sb_err err = vprepare(m, &st, e, sql, types, ap);
    va_end(ap);
    if (err)
        return err;
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        err = step_error(m, rc, e);
    sqlite3_finalize(st);
    return err;
}

/* Read the first row of a query into `out`; SB_ERR_NOT_FOUND (message for the caller to set) when none. */
sb_err sb_sqlite_one_row(sb_meta_t *m, row_fn read, void *out, sb_error_t *e, const char *sql, const char *types, ...)
{
    sqlite3_stmt *st;
    va_list ap;
    va_start(ap, types);
    sb_err err = vprepare(m, &st, e, sql, types, ap);
    va_end(ap);
    if (err)
        return err;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        err = read(st, out, e);
    else if (rc == SQLITE_DONE)
        err = sb_error_set(e, SB_ERR_NOT_FOUND, "", "not found");
    else
        err = step_error(m, rc, e);
    sqlite3_finalize(st);
    return err;
}

/* Read every row of a query into a malloc'd array of `size`-byte items. The list functions call their
 * callback on the copy after the lock is released, so a callback may call back into the store. On
 * failure *items still holds the *n rows read whole, for the caller to free. */
sb_err sb_sqlite_all_rows(sb_meta_t *m, size_t size, row_fn read, void **items, size_t *n, sb_error_t *e,
                          const char *sql, const char *types, ...)
{
    *items = NULL;
    *n = 0;
    sqlite3_stmt *st;
    va_list ap;
    va_start(ap, types);
    sb_err err = vprepare(m, &st, e, sql, types, ap);
    va_end(ap);
    if (err)
        return err;
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? 2 * cap : 16;
            void *grown = realloc(*items, cap * size);
            if (!grown) {
                err = sb_error_set(e, SB_ERR_NOMEM, "", "out of memory listing %zu rows", *n);
                break;
            }
            *items = grown;
        }
        err = read(st, (char *)*items + *n * size, e);
        if (err)
            break;
        (*n)++;
    }
    if (!err && rc != SQLITE_DONE)
        err = step_error(m, rc, e);
    sqlite3_finalize(st);
    return err;
}

sb_err sb_sqlite_read_int64(sqlite3_stmt *st, void *dst, sb_error_t *e)
{
    *(int64_t *)dst = sqlite3_column_int64(st, 0);
    return SB_OK;
}

void sb_sqlite_copy_text(char *dst, size_t size, sqlite3_stmt *st, int col)
{
    const unsigned char *s = sqlite3_column_text(st, col);
    snprintf(dst, size, "%s", s ? (const char *)s : "");
}

sb_err sb_sqlite_dup_text(char **dst, sqlite3_stmt *st, int col, sb_error_t *e)
{
    const unsigned char *s = sqlite3_column_text(st, col);
    *dst = s ? strdup((const char *)s) : NULL;
    if (s && !*dst)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory reading a job");
    return SB_OK;
}

/* ---- locking and transactions ---- */

void sb_sqlite_lock(sb_meta_t *m)
{
    pthread_mutex_lock(&m->lock);
}

/* End a public call: roll back whatever transaction a failure left open, then let the next one in. */
sb_err sb_sqlite_unlock(sb_meta_t *m, sb_err err)
{
    if (!sqlite3_get_autocommit(m->db))
        sqlite3_exec(m->db, "ROLLBACK", NULL, NULL, NULL);
    pthread_mutex_unlock(&m->lock);
    return err;
}

/* IMMEDIATE takes the write lock up front: a read-modify-write that began DEFERRED could fail with
 * SQLITE_BUSY at its first write, when another process wrote in between, and would have to restart. */
sb_err sb_sqlite_begin(sb_meta_t *m, sb_error_t *e)
{
    return sb_sqlite_exec(m, e, "BEGIN IMMEDIATE", "");
}

sb_err sb_sqlite_commit(sb_meta_t *m, sb_error_t *e)
{
    return sb_sqlite_exec(m, e, "COMMIT", "");
}

/* ---- opening ---- */

static sb_err migrate(sb_meta_t *m, sb_error_t *e)
{
    int64_t version = 0;
    sb_err err = sb_sqlite_begin(m, e);
    /* Read the version inside the write transaction: two processes opening a new file at once
     * must not both create the tables. */
    if (!err)
        err = sb_sqlite_one_row(m, sb_sqlite_read_int64, &version, e, "PRAGMA user_version", "");
    if (!err && version > SCHEMA_VERSION)
        err = sb_error_set(e, SB_ERR_STORE, "store",
                           "the database has schema version %lld, newer than this build's %d",
                           (long long)version, SCHEMA_VERSION);
    for (int64_t v = version; !err && v < SCHEMA_VERSION; v++)
        if (sqlite3_exec(m->db, migrations[v], NULL, NULL, NULL) != SQLITE_OK)
            err = db_error(m, e, "migration");
    if (!err)
        err = sb_sqlite_commit(m, e);
    return err;
}

sb_err sb_meta_open(const char *location, sb_meta_t **out, sb_error_t *e)
{
    *out = NULL;
    if (!location || strncmp(location, "sqlite:", 7) != 0 || !location[7])
        return sb_error_set(e, SB_ERR_USAGE, "store", "unknown metadata store '%s' (expected sqlite:PATH)",
                            location ? location : "");
    const char *path = location + 7;

    /* Create the file ourselves so that it is 0600: it holds key hashes and balances, and SQLite gives
     * its -wal and -shm files the mode of the database file. */
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return sb_error_set(e, SB_ERR_STORE, "store", "cannot open '%s': %s", path, strerror(errno));
    close(fd);

    sb_meta_t *m = calloc(1, sizeof *m);
    if (!m)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory opening '%s'", path);
    pthread_mutex_init(&m->lock, NULL);
    sb_err err = SB_OK;
    if (sqlite3_open_v2(path, &m->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                        NULL) != SQLITE_OK) {
        err = sb_error_set(e, SB_ERR_STORE, "store", "cannot open '%s': %s", path,
                           m->db ? sqlite3_errmsg(m->db) : "out of memory");
        goto fail;
    }
    sqlite3_extended_result_codes(m->db, 1);
    sqlite3_busy_timeout(m->db, BUSY_TIMEOUT_MS);
    /* WAL lets readers go on while one writer commits; NORMAL syncs at checkpoints only, which in WAL
     * mode can lose the last commits on power loss but never corrupts the file. */
    if (sqlite3_exec(m->db,
                     "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;",
                     NULL, NULL, NULL) != SQLITE_OK) {
        err = db_error(m, e, "pragma");
        goto fail;
    }
    err = migrate(m, e);
    if (err)
        goto fail;
    *out = m;
    return SB_OK;
fail:
    sb_meta_close(m);
    return err;
}

void sb_meta_close(sb_meta_t *m)
{
    if (!m)
        return;
    sqlite3_close(m->db);
    pthread_mutex_destroy(&m->lock);
    free(m);
}

sb_err sb_meta_check_writable(sb_meta_t *m, sb_error_t *e)
{
    sb_sqlite_lock(m);
    /* A committed one-row write, unlike a rolled-back one, reaches the WAL: a full disk shows here. */
    sb_err err =
        sb_sqlite_exec(m, e, "INSERT OR REPLACE INTO health (id, checked_at) VALUES (1, ?1)", "I", sb_sqlite_now());
    return sb_sqlite_unlock(m, err);
}
