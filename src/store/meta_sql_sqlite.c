/* meta_sql_sqlite.c - the SQLite driver of the metadata store (the embedded default, "sqlite:PATH"):
 * opening the file, its schema migrations, and running one statement (meta_sql.h). */
#include "store/meta_sql.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#define BUSY_TIMEOUT_MS 5000

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
    /* 4: the shared queue (jobs.queue = 1: any node's worker may claim it; not_before: a retry's backoff;
     * retries: runs given back because a dependency was down; input_key: the AES-256-GCM key of the job's
     * staged input, hex, until the staged blob is gone), the shared settings (the URL-signing secret) and
     * the shared rate-limit state (one GCRA theoretical arrival time per key, microseconds). */
    "ALTER TABLE jobs ADD COLUMN queue INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE jobs ADD COLUMN not_before INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE jobs ADD COLUMN retries INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE jobs ADD COLUMN input_key TEXT;"
    "CREATE INDEX jobs_queue ON jobs(queue, state, created_at);"
    "CREATE INDEX jobs_staged ON jobs(state) WHERE input_key IS NOT NULL;"
    "CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE rate_limits (key_id TEXT PRIMARY KEY, tat INTEGER NOT NULL) WITHOUT ROWID;"
    "PRAGMA user_version = 4;",
};
#define SCHEMA_VERSION ((int)(sizeof migrations / sizeof migrations[0]))

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
static sb_err vprepare(sb_meta_t *m, sqlite3_stmt **st, sb_error_t *e, const char *sql, const char *types, va_list ap)
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

sb_err sb_sql_sqlite_run(sb_meta_t *m, sb_error_t *e, const char *sql, const char *types, va_list ap, each_fn each,
                         void *state)
{
    sqlite3_stmt *st;
    m->changes = 0;
    sb_err err = vprepare(m, &st, e, sql, types, ap);
    if (err)
        return err;
    sb_sql_row_t row = {.st = st};
    int rc = SQLITE_DONE;
    while (!err && (rc = sqlite3_step(st)) == SQLITE_ROW)
        err = each ? each(&row, state, e) : SB_OK;
    if (!err && rc != SQLITE_DONE && rc != SQLITE_ROW)
        err = step_error(m, rc, e);
    if (!err)
        m->changes = sqlite3_changes(m->db);
    sqlite3_finalize(st);
    return err;
}

static sb_err migrate(sb_meta_t *m, sb_error_t *e)
{
    int64_t version = 0;
    sb_err err = sb_sql_begin(m, e);
    /* Read the version inside the write transaction: two processes opening a new file at once
     * must not both create the tables. */
    if (!err)
        err = sb_sql_one_row(m, sb_sql_read_int64, &version, e, "PRAGMA user_version", "");
    if (!err && version > SCHEMA_VERSION)
        err = sb_error_set(e, SB_ERR_STORE, "store", "the database has schema version %lld, newer than this build's %d",
                           (long long)version, SCHEMA_VERSION);
    for (int64_t v = version; !err && v < SCHEMA_VERSION; v++)
        if (sqlite3_exec(m->db, migrations[v], NULL, NULL, NULL) != SQLITE_OK)
            err = db_error(m, e, "migration");
    if (!err)
        err = sb_sql_commit(m, e);
    return err;
}

sb_err sb_sql_sqlite_open(sb_meta_t *m, const char *path, sb_error_t *e)
{
    /* Create the file ourselves so that it is 0600: it holds key hashes and balances, and SQLite gives
     * its -wal and -shm files the mode of the database file. */
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return sb_error_set(e, SB_ERR_STORE, "store", "cannot open '%s': %s", path, strerror(errno));
    close(fd);
    if (sqlite3_open_v2(path, &m->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL) !=
        SQLITE_OK)
        return sb_error_set(e, SB_ERR_STORE, "store", "cannot open '%s': %s", path,
                            m->db ? sqlite3_errmsg(m->db) : "out of memory");
    sqlite3_extended_result_codes(m->db, 1);
    sqlite3_busy_timeout(m->db, BUSY_TIMEOUT_MS);
    /* WAL lets readers go on while one writer commits; NORMAL syncs at checkpoints only, which in WAL
     * mode can lose the last commits on power loss but never corrupts the file. */
    if (sqlite3_exec(m->db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;", NULL,
                     NULL, NULL) != SQLITE_OK)
        return db_error(m, e, "pragma");
    return migrate(m, e);
}
