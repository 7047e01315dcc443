/* meta_sqlite.c - the metadata store on SQLite: keys, credits, usage, jobs, idempotency, files, webhooks. */
#include "store/store.h"

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

#define IDEM_TTL_S (24 * 3600)
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

typedef sb_err (*row_fn)(sqlite3_stmt *st, void *dst, sb_error_t *e);

static int64_t now_s(void)
{
    return (int64_t)time(NULL);
}

static bool fits(const char *s, size_t max)
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
static sb_err exec(sb_meta_t *m, sb_error_t *e, const char *sql, const char *types, ...)
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
static sb_err one_row(sb_meta_t *m, row_fn read, void *out, sb_error_t *e, const char *sql, const char *types,
                      ...)
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
static sb_err all_rows(sb_meta_t *m, size_t size, row_fn read, void **items, size_t *n, sb_error_t *e,
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

static sb_err read_int64(sqlite3_stmt *st, void *dst, sb_error_t *e)
{
    *(int64_t *)dst = sqlite3_column_int64(st, 0);
    return SB_OK;
}

/* ---- locking and transactions ---- */

static void lock(sb_meta_t *m)
{
    pthread_mutex_lock(&m->lock);
}

/* End a public call: roll back whatever transaction a failure left open, then let the next one in. */
static sb_err unlock(sb_meta_t *m, sb_err err)
{
    if (!sqlite3_get_autocommit(m->db))
        sqlite3_exec(m->db, "ROLLBACK", NULL, NULL, NULL);
    pthread_mutex_unlock(&m->lock);
    return err;
}

/* IMMEDIATE takes the write lock up front: a read-modify-write that began DEFERRED could fail with
 * SQLITE_BUSY at its first write, when another process wrote in between, and would have to restart. */
static sb_err begin(sb_meta_t *m, sb_error_t *e)
{
    return exec(m, e, "BEGIN IMMEDIATE", "");
}

static sb_err commit(sb_meta_t *m, sb_error_t *e)
{
    return exec(m, e, "COMMIT", "");
}

/* ---- opening ---- */

static sb_err migrate(sb_meta_t *m, sb_error_t *e)
{
    int64_t version = 0;
    sb_err err = begin(m, e);
    /* Read the version inside the write transaction: two processes opening a new file at once
     * must not both create the tables. */
    if (!err)
        err = one_row(m, read_int64, &version, e, "PRAGMA user_version", "");
    if (!err && version > SCHEMA_VERSION)
        err = sb_error_set(e, SB_ERR_STORE, "store",
                           "the database has schema version %lld, newer than this build's %d",
                           (long long)version, SCHEMA_VERSION);
    for (int64_t v = version; !err && v < SCHEMA_VERSION; v++)
        if (sqlite3_exec(m->db, migrations[v], NULL, NULL, NULL) != SQLITE_OK)
            err = db_error(m, e, "migration");
    if (!err)
        err = commit(m, e);
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
    lock(m);
    /* A committed one-row write, unlike a rolled-back one, reaches the WAL: a full disk shows here. */
    sb_err err = exec(m, e, "INSERT OR REPLACE INTO health (id, checked_at) VALUES (1, ?1)", "I", now_s());
    return unlock(m, err);
}

/* ---- keys ---- */

static void copy_text(char *dst, size_t size, sqlite3_stmt *st, int col)
{
    const unsigned char *s = sqlite3_column_text(st, col);
    snprintf(dst, size, "%s", s ? (const char *)s : "");
}

static sb_err read_key(sqlite3_stmt *st, void *dst, sb_error_t *e)
{
    sb_key_t *k = dst;
    copy_text(k->id, sizeof k->id, st, 0);
    copy_text(k->name, sizeof k->name, st, 1);
    k->credits = sqlite3_column_int64(st, 2);
    k->used = sqlite3_column_int64(st, 3);
    k->created_at = sqlite3_column_int64(st, 4);
    k->revoked = sqlite3_column_int(st, 5) != 0;
    return SB_OK;
}

sb_err sb_meta_key_create(sb_meta_t *m, const char *id, const char *name, int64_t credits,
                          const char *secret_hash, sb_error_t *e)
{
    if (!fits(id, SB_ID_MAX))
        return sb_error_set(e, SB_ERR_USAGE, "id", "a key id must be 1 to %d bytes", SB_ID_MAX - 1);
    if (!name || strlen(name) >= SB_NAME_MAX)
        return sb_error_set(e, SB_ERR_USAGE, "name", "a key name must be under %d bytes", SB_NAME_MAX);
    if (!secret_hash || !*secret_hash)
        return sb_error_set(e, SB_ERR_USAGE, "secret_hash", "a key needs a secret hash");
    if (credits < 0)
        return sb_error_set(e, SB_ERR_USAGE, "credits", "credits must be >= 0, not %lld", (long long)credits);
    lock(m);
    sb_err err = exec(m, e,
                      "INSERT INTO keys (id, name, secret_hash, credits, used, created_at, revoked) "
                      "VALUES (?1, ?2, ?3, ?4, 0, ?5, 0)",
                      "tttII", id, name, secret_hash, credits, now_s());
    if (err == SB_ERR_CONFLICT)
        sb_error_set(e, err, "id", "a key with id '%s' or with this secret already exists", id);
    return unlock(m, err);
}

sb_err sb_meta_key_by_hash(sb_meta_t *m, const char *secret_hash, sb_key_t *out, sb_error_t *e)
{
    lock(m);
    sb_err err = one_row(m, read_key, out, e, "SELECT " KEY_COLS " FROM keys WHERE secret_hash = ?1", "t",
                         secret_hash);
    if (err == SB_ERR_NOT_FOUND)
        sb_error_set(e, err, "", "no key has this secret");
    return unlock(m, err);
}

sb_err sb_meta_key_get(sb_meta_t *m, const char *id, sb_key_t *out, sb_error_t *e)
{
    lock(m);
    sb_err err = one_row(m, read_key, out, e, "SELECT " KEY_COLS " FROM keys WHERE id = ?1", "t", id);
    if (err == SB_ERR_NOT_FOUND)
        sb_error_set(e, err, "", "no key '%s'", id);
    return unlock(m, err);
}

sb_err sb_meta_key_add_credits(sb_meta_t *m, const char *id, int64_t delta, sb_error_t *e)
{
    int64_t credits = 0, sum;
    lock(m);
    sb_err err = begin(m, e);
    if (err)
        goto done;
    err = one_row(m, read_int64, &credits, e, "SELECT credits FROM keys WHERE id = ?1", "t", id);
    if (err == SB_ERR_NOT_FOUND)
        sb_error_set(e, err, "", "no key '%s'", id);
    if (err)
        goto done;
    /* In C, not SQL: SQLite turns an integer overflow into a REAL. */
    if (__builtin_add_overflow(credits, delta, &sum)) {
        err = sb_error_set(e, SB_ERR_USAGE, "credits", "adding %lld credits to key '%s' overflows",
                           (long long)delta, id);
        goto done;
    }
    err = exec(m, e, "UPDATE keys SET credits = ?2 WHERE id = ?1", "tI", id, sum < 0 ? (int64_t)0 : sum);
    if (!err)
        err = commit(m, e);
done:
    return unlock(m, err);
}

sb_err sb_meta_key_revoke(sb_meta_t *m, const char *id, sb_error_t *e)
{
    lock(m);
    sb_err err = exec(m, e, "UPDATE keys SET revoked = 1 WHERE id = ?1", "t", id);
    if (!err && sqlite3_changes(m->db) == 0)
        err = sb_error_set(e, SB_ERR_NOT_FOUND, "", "no key '%s'", id);
    return unlock(m, err);
}

sb_err sb_meta_key_list(sb_meta_t *m, bool (*fn)(const sb_key_t *k, void *ctx), void *ctx, sb_error_t *e)
{
    void *items;
    size_t n;
    lock(m);
    sb_err err = unlock(m, all_rows(m, sizeof(sb_key_t), read_key, &items, &n, e,
                                    "SELECT " KEY_COLS " FROM keys ORDER BY created_at, rowid", ""));
    const sb_key_t *keys = items;
    for (size_t i = 0; !err && i < n && fn(&keys[i], ctx); i++)
        ;
    free(items);
    return err;
}

sb_err sb_meta_key_count(sb_meta_t *m, int64_t *out, sb_error_t *e)
{
    lock(m);
    return unlock(m, one_row(m, read_int64, out, e, "SELECT count(*) FROM keys", ""));
}

static sb_err read_usage(sqlite3_stmt *st, void *dst, sb_error_t *e)
{
    sb_usage_t *u = dst;
    copy_text(u->pipeline, sizeof u->pipeline, st, 0);
    u->outputs = sqlite3_column_int64(st, 1);
    u->credits = sqlite3_column_int64(st, 2);
    return SB_OK;
}

sb_err sb_meta_usage_list(sb_meta_t *m, const char *key_id, bool (*fn)(const sb_usage_t *u, void *ctx),
                          void *ctx, sb_error_t *e)
{
    void *items;
    size_t n;
    lock(m);
    sb_err err = unlock(m, all_rows(m, sizeof(sb_usage_t), read_usage, &items, &n, e,
                                    "SELECT pipeline, outputs, credits FROM usage WHERE key_id = ?1 "
                                    "ORDER BY pipeline",
                                    "t", key_id));
    const sb_usage_t *usage = items;
    for (size_t i = 0; !err && i < n && fn(&usage[i], ctx); i++)
        ;
    free(items);
    return err;
}

/* ---- jobs ---- */

static const char *const state_names[SB_JOB__STATES] = {"queued", "processing", "completed", "failed"};

const char *sb_job_state_name(sb_job_state s)
{
    return ((int)s >= 0 && s < SB_JOB__STATES) ? state_names[s] : "unknown";
}

void sb_job_clear(sb_job_t *j)
{
    if (!j)
        return;
    free(j->spec);
    free(j->result);
    free(j->error);
    free(j->callback_url);
    j->spec = j->result = j->error = j->callback_url = NULL;
}

static sb_err dup_text(char **dst, sqlite3_stmt *st, int col, sb_error_t *e)
{
    const unsigned char *s = sqlite3_column_text(st, col);
    *dst = s ? strdup((const char *)s) : NULL;
    if (s && !*dst)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory reading a job");
    return SB_OK;
}

static sb_err read_job(sqlite3_stmt *st, void *dst, sb_error_t *e)
{
    sb_job_t *j = dst;
    memset(j, 0, sizeof *j);
    copy_text(j->id, sizeof j->id, st, 0);
    copy_text(j->key_id, sizeof j->key_id, st, 1);
    copy_text(j->pipeline, sizeof j->pipeline, st, 2);
    j->state = (sb_job_state)sqlite3_column_int(st, 3);
    j->sync = sqlite3_column_int(st, 4) != 0;
    sb_err err = dup_text(&j->spec, st, 5, e);
    if (!err)
        err = dup_text(&j->result, st, 6, e);
    if (!err)
        err = dup_text(&j->error, st, 7, e);
    if (!err)
        err = dup_text(&j->callback_url, st, 8, e);
    j->attempts = sqlite3_column_int(st, 9);
    copy_text(j->lease_owner, sizeof j->lease_owner, st, 10);
    j->lease_until = sqlite3_column_int64(st, 11);
    j->created_at = sqlite3_column_int64(st, 12);
    j->started_at = sqlite3_column_int64(st, 13);
    j->finished_at = sqlite3_column_int64(st, 14);
    j->hook_state = (sb_hook_state)sqlite3_column_int(st, 15);
    j->hook_attempts = sqlite3_column_int(st, 16);
    j->hook_next_at = sqlite3_column_int64(st, 17);
    if (err)
        sb_job_clear(j);
    return err;
}

static sb_err load_job(sb_meta_t *m, const char *id, sb_job_t *out, sb_error_t *e)
{
    sb_err err = one_row(m, read_job, out, e, "SELECT " JOB_COLS " FROM jobs WHERE id = ?1", "t", id);
    if (err == SB_ERR_NOT_FOUND)
        sb_error_set(e, err, "", "no job '%s'", id);
    return err;
}

/* Read job `id` inside the open transaction, then commit: `out` (when not NULL) gets the job only when
 * the commit succeeded, and is left alone otherwise. */
static sb_err finish_with_job(sb_meta_t *m, const char *id, sb_job_t *out, sb_error_t *e)
{
    sb_job_t j = {0};
    sb_err err = load_job(m, id, &j, e);
    if (!err)
        err = commit(m, e);
    if (!err && out)
        *out = j;
    else
        sb_job_clear(&j);
    return err;
}

/* Why job `id` cannot be claimed, renewed or finished: NOT_FOUND, or CONFLICT saying what holds it. */
static sb_err job_conflict(sb_meta_t *m, const char *id, sb_error_t *e)
{
    sb_job_t j = {0};
    sb_err err = load_job(m, id, &j, e);
    if (err)
        return err;
    if (j.state == SB_JOB_PROCESSING)
        err = sb_error_set(e, SB_ERR_CONFLICT, "", "job '%s' is leased by '%s'", id, j.lease_owner);
    else
        err = sb_error_set(e, SB_ERR_CONFLICT, "", "job '%s' is %s", id, sb_job_state_name(j.state));
    sb_job_clear(&j);
    return err;
}

typedef struct {
    bool same_request;
    char job_id[SB_ID_MAX];
} idem_t;

static sb_err read_idem(sqlite3_stmt *st, void *dst, sb_error_t *e)
{
    idem_t *r = dst;
    r->same_request = sqlite3_column_int(st, 0) != 0;
    copy_text(r->job_id, sizeof r->job_id, st, 1);
    return SB_OK;
}

/* The live job of (key, idempotency key) into `out`; SB_ERR_CONFLICT for another request hash,
 * SB_ERR_NOT_FOUND when there is none. A record older than the TTL counts as gone, whether or not the
 * purge has run. Called with the lock held. */
static sb_err find_idem(sb_meta_t *m, const char *key_id, const char *idem_key, const char *hash, int64_t now,
                        sb_job_t *out, sb_error_t *e)
{
    idem_t prev;
    sb_err err = one_row(m, read_idem, &prev, e,
                         "SELECT request_hash = ?3, job_id FROM idempotency "
                         "WHERE key_id = ?1 AND idem_key = ?2 AND created_at > ?4",
                         "tttI", key_id, idem_key, hash, now - IDEM_TTL_S);
    if (!err && !prev.same_request)
        err = sb_error_set(e, SB_ERR_CONFLICT, "Idempotency-Key",
                           "Idempotency-Key '%s' was already used with another request", idem_key);
    if (!err)
        err = finish_with_job(m, prev.job_id, out, e);
    return err;
}

sb_err sb_meta_idem_find(sb_meta_t *m, const char *key_id, const char *idem_key, const char *request_hash,
                         sb_job_t *out, sb_error_t *e)
{
    lock(m);
    sb_err err = begin(m, e);
    if (!err)
        err = find_idem(m, key_id, idem_key, request_hash, now_s(), out, e);
    return unlock(m, err);
}

sb_err sb_meta_job_create(sb_meta_t *m, const sb_job_new_t *n, sb_job_t *out, bool *existed, sb_error_t *e)
{
    if (existed)
        *existed = false;
    if (!fits(n->id, SB_ID_MAX))
        return sb_error_set(e, SB_ERR_USAGE, "id", "a job id must be 1 to %d bytes", SB_ID_MAX - 1);
    if (!fits(n->key_id, SB_ID_MAX))
        return sb_error_set(e, SB_ERR_USAGE, "key_id", "a key id must be 1 to %d bytes", SB_ID_MAX - 1);
    if (!fits(n->pipeline, sizeof out->pipeline))
        return sb_error_set(e, SB_ERR_USAGE, "pipeline", "a pipeline name must be 1 to %zu bytes",
                            sizeof out->pipeline - 1);
    if (!n->spec)
        return sb_error_set(e, SB_ERR_USAGE, "spec", "a job needs a spec");
    if (n->idem_key && (!*n->idem_key || !n->request_hash || !*n->request_hash))
        return sb_error_set(e, SB_ERR_USAGE, "Idempotency-Key",
                            "an idempotency key must be non-empty and come with a request hash");
    int64_t now = now_s();
    lock(m);
    sb_err err = begin(m, e);
    if (err)
        goto done;
    if (n->idem_key) {
        err = find_idem(m, n->key_id, n->idem_key, n->request_hash, now, out, e);
        if (!err && existed)
            *existed = true;
        if (err != SB_ERR_NOT_FOUND)
            goto done;
    }
    err = exec(m, e,
               "INSERT INTO jobs (id, key_id, pipeline, sync, spec, callback_url, created_at, idem_key, "
               "request_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
               "tttittItt", n->id, n->key_id, n->pipeline, (int)n->sync, n->spec, n->callback_url, now,
               n->idem_key, n->request_hash);
    if (err == SB_ERR_CONFLICT)
        sb_error_set(e, err, "id", "a job with id '%s' already exists", n->id);
    else if (err == SB_ERR_NOT_FOUND)
        sb_error_set(e, err, "key_id", "no key '%s'", n->key_id);
    /* REPLACE: any record still there for this key is past the TTL. */
    if (!err && n->idem_key)
        err = exec(m, e,
                   "INSERT OR REPLACE INTO idempotency (key_id, idem_key, request_hash, job_id, created_at) "
                   "VALUES (?1, ?2, ?3, ?4, ?5)",
                   "ttttI", n->key_id, n->idem_key, n->request_hash, n->id, now);
    if (!err)
        err = finish_with_job(m, n->id, out, e);
done:
    return unlock(m, err);
}

sb_err sb_meta_job_get(sb_meta_t *m, const char *id, const char *key_id, sb_job_t *out, sb_error_t *e)
{
    lock(m);
    sb_err err = one_row(m, read_job, out, e,
                         "SELECT " JOB_COLS " FROM jobs WHERE id = ?1 AND (?2 IS NULL OR key_id = ?2)", "tt",
                         id, key_id);
    if (err == SB_ERR_NOT_FOUND)
        sb_error_set(e, err, "", "no job '%s'", id);
    return unlock(m, err);
}

static sb_err check_lease(const char *owner, int lease_s, sb_error_t *e)
{
    if (!fits(owner, SB_ID_MAX))
        return sb_error_set(e, SB_ERR_USAGE, "owner", "a lease owner must be 1 to %d bytes", SB_ID_MAX - 1);
    if (lease_s <= 0)
        return sb_error_set(e, SB_ERR_USAGE, "lease_s", "a lease must last at least 1 s, not %d", lease_s);
    return SB_OK;
}

/* The one definition of claimable, shared by claim and claim_next. */
static sb_err claim(sb_meta_t *m, const char *id, const char *owner, int lease_s, int64_t now, sb_error_t *e)
{
    sb_err err =
        exec(m, e,
             "UPDATE jobs SET state = 1, attempts = attempts + 1, lease_owner = ?2, lease_until = ?3 + ?4, "
             "started_at = CASE WHEN started_at = 0 THEN ?3 ELSE started_at END "
             "WHERE id = ?1 AND (state = 0 OR (state = 1 AND lease_until < ?3))",
             "ttIi", id, owner, now, lease_s);
    if (!err && sqlite3_changes(m->db) == 0)
        err = job_conflict(m, id, e);
    return err;
}

sb_err sb_meta_job_claim(sb_meta_t *m, const char *id, const char *owner, int lease_s, sb_error_t *e)
{
    sb_err err = check_lease(owner, lease_s, e);
    if (err)
        return err;
    lock(m);
    return unlock(m, claim(m, id, owner, lease_s, now_s(), e));
}

static sb_err read_id(sqlite3_stmt *st, void *dst, sb_error_t *e)
{
    copy_text(dst, SB_ID_MAX, st, 0);
    return SB_OK;
}

sb_err sb_meta_job_claim_next(sb_meta_t *m, const char *owner, int lease_s, sb_job_t *out, sb_error_t *e)
{
    sb_err err = check_lease(owner, lease_s, e);
    if (err)
        return err;
    int64_t now = now_s();
    char id[SB_ID_MAX];
    lock(m);
    err = begin(m, e);
    if (!err)
        err = one_row(m, read_id, id, e,
                      "SELECT id FROM jobs WHERE state = 0 OR (state = 1 AND lease_until < ?1) "
                      "ORDER BY created_at, rowid LIMIT 1",
                      "I", now);
    if (err == SB_ERR_NOT_FOUND)
        sb_error_set(e, err, "", "no job to claim");
    if (!err)
        err = claim(m, id, owner, lease_s, now, e);
    if (!err)
        err = finish_with_job(m, id, out, e);
    return unlock(m, err);
}

sb_err sb_meta_job_renew(sb_meta_t *m, const char *id, const char *owner, int lease_s, sb_error_t *e)
{
    sb_err err = check_lease(owner, lease_s, e);
    if (err)
        return err;
    lock(m);
    /* An expired lease nobody has taken over is still held: renewing it is safe. */
    err = exec(m, e, "UPDATE jobs SET lease_until = ?3 + ?4 WHERE id = ?1 AND state = 1 AND lease_owner = ?2",
               "ttIi", id, owner, now_s(), lease_s);
    if (!err && sqlite3_changes(m->db) == 0)
        err = job_conflict(m, id, e);
    return unlock(m, err);
}

sb_err sb_meta_job_requeue_all(sb_meta_t *m, int *n, sb_error_t *e)
{
    lock(m);
    sb_err err =
        exec(m, e, "UPDATE jobs SET state = 0, lease_owner = '', lease_until = 0 WHERE state = 1", "");
    if (n)
        *n = err ? 0 : sqlite3_changes(m->db);
    return unlock(m, err);
}

/* Call fn on each job until it returns false, then free them all. */
static sb_err each_job(bool (*fn)(const sb_job_t *j, void *ctx), void *ctx, sb_err err, void *items, size_t n)
{
    sb_job_t *jobs = items;
    bool go = !err;
    for (size_t i = 0; i < n; i++) {
        go = go && fn(&jobs[i], ctx);
        sb_job_clear(&jobs[i]);
    }
    free(items);
    return err;
}

sb_err sb_meta_job_list_queued(sb_meta_t *m, bool (*fn)(const sb_job_t *j, void *ctx), void *ctx,
                               sb_error_t *e)
{
    void *items;
    size_t n;
    lock(m);
    sb_err err =
        unlock(m, all_rows(m, sizeof(sb_job_t), read_job, &items, &n, e,
                           "SELECT " JOB_COLS " FROM jobs WHERE state = 0 ORDER BY created_at, rowid", ""));
    return each_job(fn, ctx, err, items, n);
}

typedef struct {
    char key_id[SB_ID_MAX];
    char pipeline[32];
    bool held;
} holder_t;

static sb_err read_holder(sqlite3_stmt *st, void *dst, sb_error_t *e)
{
    holder_t *h = dst;
    copy_text(h->key_id, sizeof h->key_id, st, 0);
    copy_text(h->pipeline, sizeof h->pipeline, st, 1);
    h->held = sqlite3_column_int(st, 2) != 0;
    return SB_OK;
}

static sb_err check_outputs(const sb_output_t *outputs, int n_outputs, sb_error_t *e)
{
    if (n_outputs < 0 || (n_outputs > 0 && !outputs))
        return sb_error_set(e, SB_ERR_USAGE, "outputs", "bad output list (%d outputs)", n_outputs);
    for (int i = 0; i < n_outputs; i++) {
        if (!fits(outputs[i].file_id, SB_ID_MAX))
            return sb_error_set(e, SB_ERR_USAGE, "file_id", "a file id must be 1 to %d bytes", SB_ID_MAX - 1);
        if (!fits(outputs[i].ext, sizeof((sb_file_t *)0)->ext))
            return sb_error_set(e, SB_ERR_USAGE, "ext", "a file extension must be 1 to %zu bytes",
                                sizeof((sb_file_t *)0)->ext - 1);
        if (outputs[i].size < 0)
            return sb_error_set(e, SB_ERR_USAGE, "size", "a file size must be >= 0");
    }
    return SB_OK;
}

static sb_err check_complete(const char *owner, int64_t credits, const char *result, const sb_output_t *outputs,
                             int n_outputs, sb_error_t *e)
{
    if (!owner)
        return sb_error_set(e, SB_ERR_USAGE, "owner", "completing a job needs its lease owner");
    if (credits < 0)
        return sb_error_set(e, SB_ERR_USAGE, "credits", "credits must be >= 0, not %lld", (long long)credits);
    if (!result)
        return sb_error_set(e, SB_ERR_USAGE, "result", "a completed job needs a result");
    return check_outputs(outputs, n_outputs, e);
}

/* The part of a completion a job and a batch item share, inside the caller's transaction: check that
 * `owner` holds job `id`, charge the key, add to usage, record the outputs as files of the job. */
static sb_err charge_and_record(sb_meta_t *m, const char *id, const char *owner, const sb_output_t *outputs,
                                int n_outputs, int64_t credits, int64_t now, sb_error_t *e)
{
    holder_t h;
    sb_err err = one_row(m, read_holder, &h, e,
                         "SELECT key_id, pipeline, state = 1 AND lease_owner = ?2 FROM jobs WHERE id = ?1", "tt",
                         id, owner);
    if (err == SB_ERR_NOT_FOUND)
        sb_error_set(e, err, "", "no job '%s'", id);
    if (!err && !h.held)
        err = job_conflict(m, id, e);
    if (err)
        return err;
    err =
        exec(m, e, "UPDATE keys SET credits = credits - ?2, used = used + ?2 WHERE id = ?1 AND credits >= ?2",
             "tI", h.key_id, credits);
    if (!err && sqlite3_changes(m->db) == 0)
        err =
            sb_error_set(e, SB_ERR_NO_CREDITS, "", "key '%s' has fewer than the %lld credits job '%s' costs",
                         h.key_id, (long long)credits, id);
    if (!err)
        err = exec(m, e,
                   "INSERT INTO usage (key_id, pipeline, outputs, credits) VALUES (?1, ?2, ?3, ?4) "
                   "ON CONFLICT (key_id, pipeline) DO UPDATE SET outputs = outputs + excluded.outputs, "
                   "credits = credits + excluded.credits",
                   "ttiI", h.key_id, h.pipeline, n_outputs, credits);
    for (int i = 0; !err && i < n_outputs; i++) {
        const sb_output_t *o = &outputs[i];
        err = exec(m, e,
                   "INSERT INTO files (id, key_id, job_id, ext, size, created_at, expires_at) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                   "ttttIII", o->file_id, h.key_id, id, o->ext, o->size, now, o->expires_at);
        if (err == SB_ERR_CONFLICT)
            sb_error_set(e, err, "file_id", "a file with id '%s' already exists", o->file_id);
    }
    return err;
}

sb_err sb_meta_job_complete(sb_meta_t *m, const char *id, const char *owner, const sb_output_t *outputs,
                            int n_outputs, int64_t credits, const char *result, sb_error_t *e)
{
    sb_err err = check_complete(owner, credits, result, outputs, n_outputs, e);
    if (err)
        return err;
    int64_t now = now_s();
    lock(m);
    err = begin(m, e);
    if (!err)
        err = charge_and_record(m, id, owner, outputs, n_outputs, credits, now, e);
    if (!err)
        err = exec(
            m, e,
            "UPDATE jobs SET state = 2, result = ?2, finished_at = ?3, lease_owner = '', lease_until = 0, "
            "hook_state = CASE WHEN callback_url IS NULL THEN 0 ELSE 1 END, hook_next_at = ?3 "
            "WHERE id = ?1",
            "ttI", id, result, now);
    if (!err)
        err = commit(m, e);
    return unlock(m, err);
}

sb_err sb_meta_job_fail(sb_meta_t *m, const char *id, const char *owner, const char *error, sb_error_t *e)
{
    if (!error)
        return sb_error_set(e, SB_ERR_USAGE, "error", "a failed job needs an error");
    lock(m);
    /* Without an owner a queued job may be failed too: after requeue_all, recovery finds the jobs of a
     * dead process queued. */
    sb_err err =
        exec(m, e,
             "UPDATE jobs SET state = 3, error = ?2, finished_at = ?4, lease_owner = '', lease_until = 0, "
             "hook_state = CASE WHEN callback_url IS NULL THEN 0 ELSE 1 END, hook_next_at = ?4 "
             "WHERE id = ?1 AND CASE WHEN ?3 IS NULL THEN state IN (0, 1) "
             "ELSE state = 1 AND lease_owner = ?3 END",
             "tttI", id, error, owner, now_s());
    if (!err && sqlite3_changes(m->db) == 0)
        err = job_conflict(m, id, e);
    return unlock(m, err);
}

typedef struct {
    int state;
    int64_t count;
} state_count_t;

static sb_err read_state_count(sqlite3_stmt *st, void *dst, sb_error_t *e)
{
    state_count_t *c = dst;
    c->state = sqlite3_column_int(st, 0);
    c->count = sqlite3_column_int64(st, 1);
    return SB_OK;
}

sb_err sb_meta_job_counts(sb_meta_t *m, int64_t counts[SB_JOB__STATES], sb_error_t *e)
{
    void *items;
    size_t n;
    lock(m);
    sb_err err = unlock(m, all_rows(m, sizeof(state_count_t), read_state_count, &items, &n, e,
                                    "SELECT state, count(*) FROM jobs GROUP BY state", ""));
    const state_count_t *c = items;
    for (int s = 0; s < SB_JOB__STATES; s++)
        counts[s] = 0;
    for (size_t i = 0; !err && i < n; i++)
        if (c[i].state >= 0 && c[i].state < SB_JOB__STATES)
            counts[c[i].state] = c[i].count;
    free(items);
    return err;
}

/* ---- batch items ---- */

void sb_batch_item_clear(sb_batch_item_t *it)
{
    if (!it)
        return;
    free(it->input);
    free(it->result);
    free(it->error);
    it->input = it->result = it->error = NULL;
}

static sb_err read_batch_item(sqlite3_stmt *st, void *dst, sb_error_t *e)
{
    sb_batch_item_t *it = dst;
    memset(it, 0, sizeof *it);
    it->idx = sqlite3_column_int(st, 0);
    it->state = (sb_job_state)sqlite3_column_int(st, 1);
    sb_err err = dup_text(&it->input, st, 2, e);
    if (!err)
        err = dup_text(&it->result, st, 3, e);
    if (!err)
        err = dup_text(&it->error, st, 4, e);
    if (err)
        sb_batch_item_clear(it);
    return err;
}

sb_err sb_meta_batch_items_create(sb_meta_t *m, const char *job_id, int n, const char *const *inputs,
                                  sb_error_t *e)
{
    if (n < 1 || !inputs)
        return sb_error_set(e, SB_ERR_USAGE, "inputs", "a batch needs at least one item, not %d", n);
    for (int i = 0; i < n; i++)
        if (!inputs[i])
            return sb_error_set(e, SB_ERR_USAGE, "inputs", "batch item %d has no input", i);
    int64_t have = 0;
    lock(m);
    sb_err err = begin(m, e);
    if (!err)
        err = one_row(m, read_int64, &have, e, "SELECT count(*) FROM batch_items WHERE job_id = ?1", "t", job_id);
    for (int i = 0; !err && !have && i < n; i++) {
        err = exec(m, e, "INSERT INTO batch_items (job_id, idx, input) VALUES (?1, ?2, ?3)", "tit", job_id, i,
                   inputs[i]);
        if (err == SB_ERR_NOT_FOUND)
            sb_error_set(e, err, "", "no job '%s'", job_id);
    }
    if (!err)
        err = commit(m, e);
    return unlock(m, err);
}

/* Why item `idx` cannot be finished: NOT_FOUND, or CONFLICT naming its state. Called with the lock held. */
static sb_err item_conflict(sb_meta_t *m, const char *job_id, int idx, sb_error_t *e)
{
    int64_t state = 0;
    sb_err err = one_row(m, read_int64, &state, e, "SELECT state FROM batch_items WHERE job_id = ?1 AND idx = ?2",
                         "ti", job_id, idx);
    if (err == SB_ERR_NOT_FOUND)
        return sb_error_set(e, err, "", "job '%s' has no batch item %d", job_id, idx);
    if (!err)
        err = sb_error_set(e, SB_ERR_CONFLICT, "", "batch item %d of job '%s' is already %s", idx, job_id,
                           sb_job_state_name((sb_job_state)state));
    return err;
}

sb_err sb_meta_batch_item_complete(sb_meta_t *m, const char *job_id, int idx, const char *owner,
                                   const sb_output_t *outputs, int n_outputs, int64_t credits, const char *result,
                                   sb_error_t *e)
{
    sb_err err = check_complete(owner, credits, result, outputs, n_outputs, e);
    if (err)
        return err;
    int64_t now = now_s();
    lock(m);
    err = begin(m, e);
    /* The item first: a finished item must not be charged again, whatever else holds. */
    if (!err)
        err = exec(m, e, "UPDATE batch_items SET state = 2, result = ?3 WHERE job_id = ?1 AND idx = ?2 AND state = 0",
                   "tit", job_id, idx, result);
    if (!err && sqlite3_changes(m->db) == 0)
        err = item_conflict(m, job_id, idx, e);
    if (!err)
        err = charge_and_record(m, job_id, owner, outputs, n_outputs, credits, now, e);
    if (!err)
        err = commit(m, e);
    return unlock(m, err);
}

sb_err sb_meta_batch_item_fail(sb_meta_t *m, const char *job_id, int idx, const char *error, sb_error_t *e)
{
    if (!error)
        return sb_error_set(e, SB_ERR_USAGE, "error", "a failed item needs an error");
    lock(m);
    sb_err err = exec(m, e, "UPDATE batch_items SET state = 3, error = ?3 WHERE job_id = ?1 AND idx = ?2 AND state = 0",
                      "tit", job_id, idx, error);
    if (!err && sqlite3_changes(m->db) == 0)
        err = item_conflict(m, job_id, idx, e);
    return unlock(m, err);
}

sb_err sb_meta_batch_items_list(sb_meta_t *m, const char *job_id, bool (*fn)(const sb_batch_item_t *it, void *ctx),
                                void *ctx, sb_error_t *e)
{
    void *items;
    size_t n;
    lock(m);
    sb_err err = unlock(m, all_rows(m, sizeof(sb_batch_item_t), read_batch_item, &items, &n, e,
                                    "SELECT idx, state, input, result, error FROM batch_items "
                                    "WHERE job_id = ?1 ORDER BY idx",
                                    "t", job_id));
    sb_batch_item_t *it = items;
    bool go = !err;
    for (size_t i = 0; i < n; i++) {
        go = go && fn(&it[i], ctx);
        sb_batch_item_clear(&it[i]);
    }
    free(items);
    return err;
}

/* ---- webhooks ---- */

sb_err sb_meta_hook_due(sb_meta_t *m, int64_t now, bool (*fn)(const sb_job_t *j, void *ctx), void *ctx,
                        sb_error_t *e)
{
    void *items;
    size_t n;
    lock(m);
    sb_err err =
        unlock(m, all_rows(m, sizeof(sb_job_t), read_job, &items, &n, e,
                           "SELECT " JOB_COLS " FROM jobs WHERE hook_state = 1 AND hook_next_at <= ?1 "
                           "ORDER BY hook_next_at, rowid",
                           "I", now));
    return each_job(fn, ctx, err, items, n);
}

sb_err sb_meta_hook_record(sb_meta_t *m, const char *job_id, bool delivered, bool give_up, int64_t next_at,
                           sb_error_t *e)
{
    lock(m);
    sb_err err = exec(m, e,
                      "UPDATE jobs SET hook_attempts = hook_attempts + 1, "
                      "hook_state = CASE WHEN ?2 THEN 2 WHEN ?3 THEN 3 ELSE 1 END, "
                      "hook_next_at = CASE WHEN ?2 OR ?3 THEN hook_next_at ELSE ?4 END "
                      "WHERE id = ?1 AND hook_state = 1",
                      "tiiI", job_id, (int)delivered, (int)give_up, next_at);
    if (!err && sqlite3_changes(m->db) == 0) {
        sb_job_t j = {0};
        err = load_job(m, job_id, &j, e);
        if (!err)
            err = sb_error_set(e, SB_ERR_CONFLICT, "", "job '%s' has no pending webhook", job_id);
        sb_job_clear(&j);
    }
    return unlock(m, err);
}

/* ---- output files ---- */

static sb_err read_file(sqlite3_stmt *st, void *dst, sb_error_t *e)
{
    sb_file_t *f = dst;
    copy_text(f->id, sizeof f->id, st, 0);
    copy_text(f->key_id, sizeof f->key_id, st, 1);
    copy_text(f->job_id, sizeof f->job_id, st, 2);
    copy_text(f->ext, sizeof f->ext, st, 3);
    f->size = sqlite3_column_int64(st, 4);
    f->created_at = sqlite3_column_int64(st, 5);
    f->expires_at = sqlite3_column_int64(st, 6);
    return SB_OK;
}

sb_err sb_meta_file_get(sb_meta_t *m, const char *id, sb_file_t *out, sb_error_t *e)
{
    lock(m);
    sb_err err = one_row(m, read_file, out, e, "SELECT " FILE_COLS " FROM files WHERE id = ?1", "t", id);
    if (err == SB_ERR_NOT_FOUND)
        sb_error_set(e, err, "", "no file '%s'", id);
    return unlock(m, err);
}

sb_err sb_meta_file_expired(sb_meta_t *m, int64_t now, int limit, bool (*fn)(const sb_file_t *f, void *ctx),
                            void *ctx, sb_error_t *e)
{
    if (limit <= 0)
        return sb_error_set(e, SB_ERR_USAGE, "limit", "limit must be > 0, not %d", limit);
    void *items;
    size_t n;
    lock(m);
    sb_err err = unlock(m, all_rows(m, sizeof(sb_file_t), read_file, &items, &n, e,
                                    "SELECT " FILE_COLS " FROM files WHERE expires_at <= ?1 "
                                    "ORDER BY expires_at, rowid LIMIT ?2",
                                    "Ii", now, limit));
    const sb_file_t *files = items;
    for (size_t i = 0; !err && i < n && fn(&files[i], ctx); i++)
        ;
    free(items);
    return err;
}

sb_err sb_meta_file_delete(sb_meta_t *m, const char *id, sb_error_t *e)
{
    lock(m);
    sb_err err = exec(m, e, "DELETE FROM files WHERE id = ?1", "t", id);
    if (!err && sqlite3_changes(m->db) == 0)
        err = sb_error_set(e, SB_ERR_NOT_FOUND, "", "no file '%s'", id);
    return unlock(m, err);
}

sb_err sb_meta_idem_purge(sb_meta_t *m, int64_t before, sb_error_t *e)
{
    lock(m);
    return unlock(m, exec(m, e, "DELETE FROM idempotency WHERE created_at < ?1", "I", before));
}

/* ---- portrait templates ---- */

static sb_err read_template(sqlite3_stmt *st, void *dst, sb_error_t *e)
{
    sb_key_template_t *t = dst;
    copy_text(t->key_id, sizeof t->key_id, st, 0);
    copy_text(t->name, sizeof t->name, st, 1);
    copy_text(t->prompt, sizeof t->prompt, st, 2);
    t->seed = sqlite3_column_int64(st, 3);
    copy_text(t->description, sizeof t->description, st, 4);
    t->created_at = sqlite3_column_int64(st, 5);
    t->updated_at = sqlite3_column_int64(st, 6);
    return SB_OK;
}

sb_err sb_meta_template_put(sb_meta_t *m, const sb_key_template_t *t, int max_per_key, bool *replaced,
                            sb_error_t *e)
{
    if (!fits(t->name, SB_TEMPLATE_NAME_MAX))
        return sb_error_set(e, SB_ERR_USAGE, "name", "a template name must be 1 to %d bytes", SB_TEMPLATE_NAME_MAX - 1);
    if (strlen(t->prompt) >= sizeof t->prompt)
        return sb_error_set(e, SB_ERR_USAGE, "prompt", "a template prompt must be under %zu bytes", sizeof t->prompt);
    if (strlen(t->description) >= sizeof t->description)
        return sb_error_set(e, SB_ERR_USAGE, "description", "a template description must be under %zu bytes",
                            sizeof t->description);
    if (t->seed < 1)
        return sb_error_set(e, SB_ERR_USAGE, "seed", "a template seed must be >= 1, not %lld", (long long)t->seed);
    int64_t existing = 0, others = 0, now = now_s();
    lock(m);
    sb_err err = begin(m, e);
    if (!err)
        err = one_row(m, read_int64, &existing, e, "SELECT count(*) FROM templates WHERE key_id = ?1 AND name = ?2",
                      "tt", t->key_id, t->name);
    if (!err)
        err = one_row(m, read_int64, &others, e, "SELECT count(*) FROM templates WHERE key_id = ?1 AND name != ?2",
                      "tt", t->key_id, t->name);
    if (!err && others >= max_per_key)
        err = sb_error_set(e, SB_ERR_USAGE, "name",
                           "this API key has %lld templates, the most it may keep; delete one first",
                           (long long)others);
    if (!err)
        err = exec(m, e,
                   "INSERT INTO templates (key_id, name, prompt, seed, description, created_at, updated_at) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) ON CONFLICT (key_id, name) DO UPDATE SET "
                   "prompt = excluded.prompt, seed = excluded.seed, description = excluded.description, "
                   "updated_at = excluded.updated_at",
                   "tttItI", t->key_id, t->name, t->prompt, t->seed, t->description, now);
    if (err == SB_ERR_NOT_FOUND)
        sb_error_set(e, err, "", "no key '%s'", t->key_id);
    if (!err)
        err = commit(m, e);
    if (!err && replaced)
        *replaced = existing > 0;
    return unlock(m, err);
}

sb_err sb_meta_template_get(sb_meta_t *m, const char *key_id, const char *name, sb_key_template_t *out,
                            sb_error_t *e)
{
    lock(m);
    sb_err err = one_row(m, read_template, out, e,
                         "SELECT " TEMPLATE_COLS " FROM templates WHERE key_id = ?1 AND name = ?2", "tt", key_id,
                         name);
    if (err == SB_ERR_NOT_FOUND)
        sb_error_set(e, err, "", "no template '%.64s'", name);
    return unlock(m, err);
}

sb_err sb_meta_template_delete(sb_meta_t *m, const char *key_id, const char *name, sb_error_t *e)
{
    lock(m);
    sb_err err = exec(m, e, "DELETE FROM templates WHERE key_id = ?1 AND name = ?2", "tt", key_id, name);
    if (!err && sqlite3_changes(m->db) == 0)
        err = sb_error_set(e, SB_ERR_NOT_FOUND, "", "no template '%.64s'", name);
    return unlock(m, err);
}

sb_err sb_meta_template_list(sb_meta_t *m, const char *key_id,
                             bool (*fn)(const sb_key_template_t *t, void *ctx), void *ctx, sb_error_t *e)
{
    void *items;
    size_t n;
    lock(m);
    sb_err err = unlock(m, all_rows(m, sizeof(sb_key_template_t), read_template, &items, &n, e,
                                    "SELECT " TEMPLATE_COLS " FROM templates WHERE key_id = ?1 ORDER BY name",
                                    "t", key_id));
    const sb_key_template_t *list = items;
    for (size_t i = 0; !err && i < n && fn(&list[i], ctx); i++)
        ;
    free(items);
    return err;
}
