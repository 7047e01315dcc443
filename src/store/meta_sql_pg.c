/* meta_sql_pg.c - the PostgreSQL driver of the metadata store ("postgres://..." or "postgresql://...",
 * libpq): connecting (and reconnecting after the server dropped the connection), the schema migrations,
 * and running one statement (meta_sql.h). The domain files' SQL is shared with SQLite: ?N placeholders
 * become $N here, arguments are sent typed (text, int4, int8) so `?2 IS NULL` has a type. Tables that
 * the domain files order by insertion carry an explicit `rowid` (SQLite's is implicit). Text columns
 * that are sorted use the "C" collation, so the order is bytewise as in SQLite. */
#include "store/meta_sql.h"

#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PARAMS 16
/* pg_type OIDs of the argument types (catalog/pg_type.h, stable since 7.x). */
#define OID_INT8 20
#define OID_INT4 23
#define OID_TEXT 25
/* Held while migrating, so two nodes starting at once do not both create the tables: "strobe" in ASCII. */
#define MIGRATION_LOCK 0x7374726f6265LL

/* One migration per schema version: migrations[v] takes a database from version v to v + 1 (the row of
 * strobe_schema). Version 1 is the whole schema of SQLite's version 3. */
static const char *const migrations[] = {
    "CREATE TABLE keys ("
    "  rowid BIGSERIAL UNIQUE,"
    "  id TEXT PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  secret_hash TEXT NOT NULL UNIQUE,"
    "  credits BIGINT NOT NULL CHECK (credits >= 0),"
    "  used BIGINT NOT NULL DEFAULT 0,"
    "  created_at BIGINT NOT NULL,"
    "  revoked INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE usage ("
    "  key_id TEXT NOT NULL REFERENCES keys(id),"
    "  pipeline TEXT COLLATE \"C\" NOT NULL,"
    "  outputs BIGINT NOT NULL DEFAULT 0,"
    "  credits BIGINT NOT NULL DEFAULT 0,"
    "  PRIMARY KEY (key_id, pipeline));"
    "CREATE TABLE jobs ("
    "  rowid BIGSERIAL UNIQUE,"
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
    "  lease_until BIGINT NOT NULL DEFAULT 0,"
    "  created_at BIGINT NOT NULL,"
    "  started_at BIGINT NOT NULL DEFAULT 0,"
    "  finished_at BIGINT NOT NULL DEFAULT 0,"
    "  hook_state INTEGER NOT NULL DEFAULT 0,"
    "  hook_attempts INTEGER NOT NULL DEFAULT 0,"
    "  hook_next_at BIGINT NOT NULL DEFAULT 0,"
    "  idem_key TEXT,"
    "  request_hash TEXT);"
    "CREATE INDEX jobs_state ON jobs(state, created_at);"
    "CREATE INDEX jobs_hook ON jobs(hook_state, hook_next_at);"
    "CREATE TABLE idempotency ("
    "  key_id TEXT NOT NULL REFERENCES keys(id),"
    "  idem_key TEXT NOT NULL,"
    "  request_hash TEXT NOT NULL,"
    "  job_id TEXT NOT NULL REFERENCES jobs(id),"
    "  created_at BIGINT NOT NULL,"
    "  PRIMARY KEY (key_id, idem_key));"
    "CREATE INDEX idempotency_created ON idempotency(created_at);"
    "CREATE TABLE files ("
    "  rowid BIGSERIAL UNIQUE,"
    "  id TEXT PRIMARY KEY,"
    "  key_id TEXT NOT NULL REFERENCES keys(id),"
    "  job_id TEXT NOT NULL REFERENCES jobs(id),"
    "  ext TEXT NOT NULL,"
    "  size BIGINT NOT NULL,"
    "  created_at BIGINT NOT NULL,"
    "  expires_at BIGINT NOT NULL);"
    "CREATE INDEX files_expires ON files(expires_at);"
    "CREATE TABLE health (id INTEGER PRIMARY KEY CHECK (id = 1), checked_at BIGINT NOT NULL);"
    "CREATE TABLE batch_items ("
    "  job_id TEXT NOT NULL REFERENCES jobs(id),"
    "  idx INTEGER NOT NULL,"
    "  input TEXT NOT NULL,"
    "  state INTEGER NOT NULL DEFAULT 0,"
    "  result TEXT,"
    "  error TEXT,"
    "  PRIMARY KEY (job_id, idx));"
    "CREATE TABLE templates ("
    "  key_id TEXT NOT NULL REFERENCES keys(id),"
    "  name TEXT COLLATE \"C\" NOT NULL,"
    "  prompt TEXT NOT NULL,"
    "  seed BIGINT NOT NULL,"
    "  description TEXT NOT NULL DEFAULT '',"
    "  created_at BIGINT NOT NULL,"
    "  updated_at BIGINT NOT NULL,"
    "  PRIMARY KEY (key_id, name));",
    /* 2: the shared queue, settings and rate limits (as SQLite's version 4; see meta_sql_sqlite.c). */
    "ALTER TABLE jobs ADD COLUMN queue INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE jobs ADD COLUMN not_before BIGINT NOT NULL DEFAULT 0;"
    "ALTER TABLE jobs ADD COLUMN retries INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE jobs ADD COLUMN input_key TEXT;"
    "CREATE INDEX jobs_queue ON jobs(queue, state, created_at);"
    "CREATE INDEX jobs_staged ON jobs(state) WHERE input_key IS NOT NULL;"
    "CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE rate_limits (key_id TEXT PRIMARY KEY, tat BIGINT NOT NULL);"
    /* The async jobs a version-1 node left unfinished join the shared queue (URL inputs and batches run;
     * an upload, held in that node's memory, fails with input_lost when claimed). */
    "UPDATE jobs SET queue = 1 WHERE sync = 0 AND state IN (0, 1);",
};
#define SCHEMA_VERSION ((int)(sizeof migrations / sizeof migrations[0]))

/* A failed statement: a duplicate is a conflict, a reference to a missing row is not found, a lost
 * connection or a server shutting down is the store being down (retry later), the rest the store failing. */
static sb_err result_error(sb_meta_t *m, PGresult *res, sb_error_t *e)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(m->pg);
    size_t len = strcspn(msg, "\n");
    if (state && strcmp(state, "23505") == 0)
        return sb_error_set(e, SB_ERR_CONFLICT, "", "%.*s", (int)len, msg);
    if (state && strcmp(state, "23503") == 0)
        return sb_error_set(e, SB_ERR_NOT_FOUND, "", "%.*s", (int)len, msg);
    if (PQstatus(m->pg) != CONNECTION_OK || (state && (strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0)))
        return sb_error_set(e, SB_ERR_STORE_DOWN, "", "postgres unavailable: %.*s", (int)len, msg);
    return sb_error_set(e, SB_ERR_STORE, "", "postgres: %.*s", (int)len, msg);
}

/* `sql` with ?N rewritten to $N, into a malloc'd string (NULL when out of memory). */
static char *dollar_placeholders(const char *sql)
{
    char *out = strdup(sql);
    if (out)
        for (char *p = out; *p; p++)
            if (*p == '?' && p[1] >= '1' && p[1] <= '9')
                *p = '$';
    return out;
}

sb_err sb_sql_pg_run(sb_meta_t *m, sb_error_t *e, const char *sql, const char *types, va_list ap, each_fn each,
                     void *state)
{
    m->changes = 0;
    int n = (int)strlen(types);
    if (n > MAX_PARAMS)
        return sb_error_set(e, SB_ERR_INTERNAL, "", "postgres: %d arguments, at most %d", n, MAX_PARAMS);
    Oid oids[MAX_PARAMS];
    const char *values[MAX_PARAMS];
    char numbers[MAX_PARAMS][24];
    for (int i = 0; i < n; i++) {
        switch (types[i]) {
        case 't':
            oids[i] = OID_TEXT;
            values[i] = va_arg(ap, const char *);
            break;
        case 'i':
            oids[i] = OID_INT4;
            snprintf(numbers[i], sizeof numbers[i], "%d", va_arg(ap, int));
            values[i] = numbers[i];
            break;
        case 'I':
            oids[i] = OID_INT8;
            snprintf(numbers[i], sizeof numbers[i], "%" PRId64, va_arg(ap, int64_t));
            values[i] = numbers[i];
            break;
        default:
            return sb_error_set(e, SB_ERR_INTERNAL, "", "postgres bind: unknown type '%c' in \"%s\"", types[i], types);
        }
    }
    char *text = dollar_placeholders(sql);
    if (!text)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory preparing a statement");
    /* A connection the server dropped while it was idle (a restart, a killed backend) shows only when a
     * statement fails on it. Outside a transaction nothing was lost: reconnect and run it once more. Inside
     * one, the transaction died with the connection and the caller gets SB_ERR_STORE_DOWN. */
    bool idle = PQtransactionStatus(m->pg) == PQTRANS_IDLE;
    PGresult *res = PQexecParams(m->pg, text, n, oids, values, NULL, NULL, 0);
    if (idle && PQstatus(m->pg) == CONNECTION_BAD) {
        PQclear(res);
        PQreset(m->pg);
        res = PQstatus(m->pg) == CONNECTION_OK ? PQexecParams(m->pg, text, n, oids, values, NULL, NULL, 0) : NULL;
    }
    free(text);
    ExecStatusType status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    sb_err err = SB_OK;
    if (status == PGRES_TUPLES_OK) {
        sb_sql_row_t row = {.res = res};
        for (row.row = 0; !err && each && row.row < PQntuples(res); row.row++)
            err = each(&row, state, e);
    } else if (status == PGRES_COMMAND_OK) {
        m->changes = strtoll(PQcmdTuples(res), NULL, 10);
    } else {
        err = result_error(m, res, e);
    }
    PQclear(res);
    return err;
}

bool sb_sql_pg_in_transaction(sb_meta_t *m)
{
    PGTransactionStatusType t = PQtransactionStatus(m->pg);
    return t == PQTRANS_INTRANS || t == PQTRANS_INERROR;
}

void sb_sql_pg_revive(sb_meta_t *m)
{
    if (PQstatus(m->pg) != CONNECTION_OK)
        PQreset(m->pg);
}

/* Server notices ("relation already exists, skipping") are not ours to print. */
static void quiet(void *arg, const char *message)
{
}

static sb_err migrate(sb_meta_t *m, sb_error_t *e)
{
    int64_t version = 0;
    sb_err err = sb_sql_begin(m, e);
    if (!err)
        err = sb_sql_exec(m, e, "SELECT pg_advisory_xact_lock(?1)", "I", (int64_t)MIGRATION_LOCK);
    if (!err)
        err = sb_sql_exec(m, e, "CREATE TABLE IF NOT EXISTS strobe_schema (version INTEGER NOT NULL)", "");
    if (!err)
        err = sb_sql_one_row(m, sb_sql_read_int64, &version, e, "SELECT coalesce(max(version), 0) FROM strobe_schema",
                             "");
    if (!err && version > SCHEMA_VERSION)
        err = sb_error_set(e, SB_ERR_STORE, "store", "the database has schema version %lld, newer than this build's %d",
                           (long long)version, SCHEMA_VERSION);
    for (int64_t v = version; !err && v < SCHEMA_VERSION; v++) {
        PGresult *res = PQexec(m->pg, migrations[v]); /* several statements: no parameters */
        if (PQresultStatus(res) != PGRES_COMMAND_OK)
            err = result_error(m, res, e);
        PQclear(res);
    }
    if (!err && version < SCHEMA_VERSION)
        err = sb_sql_exec(m, e, "DELETE FROM strobe_schema", "");
    if (!err && version < SCHEMA_VERSION)
        err = sb_sql_exec(m, e, "INSERT INTO strobe_schema (version) VALUES (?1)", "i", SCHEMA_VERSION);
    if (!err)
        err = sb_sql_commit(m, e);
    if (err && sb_sql_pg_in_transaction(m)) {
        sb_error_t ignored;
        sb_sql_exec(m, &ignored, "ROLLBACK", "");
    }
    return err;
}

/* A new connection to `conninfo` (NULL when out of memory; check PQstatus). The URL comes last so that its
 * own connect_timeout or application_name win over these. */
static PGconn *connect_to(const char *conninfo)
{
    const char *keys[] = {"connect_timeout", "application_name", "dbname", NULL};
    const char *values[] = {"5", "strobe", conninfo, NULL};
    PGconn *c = PQconnectdbParams(keys, values, 1);
    if (c)
        PQsetNoticeProcessor(c, quiet, NULL);
    return c;
}

/* The listening connection, connected and LISTENing, or false (then closed: the next wait tries again). */
static bool listening(sb_meta_t *m)
{
    if (m->listen && PQstatus(m->listen) == CONNECTION_OK)
        return true;
    PQfinish(m->listen);
    m->listen = connect_to(m->conninfo);
    PGresult *res = m->listen && PQstatus(m->listen) == CONNECTION_OK ? PQexec(m->listen, "LISTEN strobe_jobs") : NULL;
    bool ok = res && PQresultStatus(res) == PGRES_COMMAND_OK;
    PQclear(res);
    if (!ok) {
        PQfinish(m->listen);
        m->listen = NULL;
    }
    return ok;
}

/* Take every notification that arrived; whether there was one. */
static bool drain(PGconn *c)
{
    bool any = false;
    PGnotify *n;
    while ((n = PQnotifies(c))) {
        any = true;
        PQfreemem(n);
    }
    return any;
}

bool sb_sql_pg_wait(sb_meta_t *m, int timeout_ms)
{
    pthread_mutex_lock(&m->listen_lock);
    bool ok = listening(m);
    bool woken = false;
    if (ok) {
        PQconsumeInput(m->listen);
        woken = drain(m->listen);
    }
    if (ok && !woken) {
        struct pollfd pfd = {.fd = PQsocket(m->listen), .events = POLLIN};
        if (poll(&pfd, 1, timeout_ms) > 0) {
            if (!PQconsumeInput(m->listen)) { /* the server went away: reconnect on the next wait */
                PQfinish(m->listen);
                m->listen = NULL;
            } else {
                woken = drain(m->listen);
            }
        }
    }
    pthread_mutex_unlock(&m->listen_lock);
    if (!ok) /* no listening connection: fall back to polling */
        poll(NULL, 0, timeout_ms);
    return woken;
}

sb_err sb_sql_pg_open(sb_meta_t *m, const char *conninfo, sb_error_t *e)
{
    m->conninfo = strdup(conninfo);
    if (!m->conninfo)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory connecting to PostgreSQL");
    m->pg = connect_to(conninfo);
    if (!m->pg)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory connecting to PostgreSQL");
    if (PQstatus(m->pg) != CONNECTION_OK) {
        /* libpq's message names host and port, never the password. */
        const char *msg = PQerrorMessage(m->pg);
        return sb_error_set(e, SB_ERR_STORE, "store", "cannot connect to PostgreSQL: %.*s", (int)strcspn(msg, "\n"),
                            msg);
    }
    return migrate(m, e);
}
