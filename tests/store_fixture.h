/* store_fixture.h - what the store unit tests share (test_store, test_store_jobs, test_store_charges,
 * test_store_blob): a fresh temp directory per test, the metadata store opened on a real SQLite file there,
 * or with STROBE_TEST_PG set on a fresh PostgreSQL database made from that URL and dropped after
 * (meta_setup / teardown); OK and FAILS around store calls; SQL through a second connection; keys, jobs
 * and completions made in one call; the webhooks due. Everything is static: a test file uses what it
 * needs. */
#ifndef STROBE_TESTS_STORE_FIXTURE_H
#define STROBE_TESTS_STORE_FIXTURE_H

#pragma GCC diagnostic ignored "-Wunused-function"

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"
#include "testutil.h"

static char dir[PATH_MAX];
static char db_path[PATH_MAX + 16];
static sb_meta_t *meta;
static sb_error_t e;

/* Assert a call succeeds, or fails with a given code; both print the store's message. */
#define OK(call) cr_assert_eq((call), SB_OK, "%s: %s", #call, e.message)
#define FAILS(call, code)                                                                                    \
    do {                                                                                                     \
        sb_err got_ = (call);                                                                                \
        cr_assert_eq(got_, (code), "%s: want %s, got %s (%s)", #call, sb_err_name(code), sb_err_name(got_),  \
                     e.message);                                                                             \
    } while (0)

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove(path);
}

static void make_temp_dir(void)
{
    snprintf(dir, sizeof dir, "%s/strobe-store-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    cr_assert_not_null(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
}

/* PostgreSQL mode: the admin URL from the environment (NULL for SQLite), and this test's database. */
static const char *pg_admin;
static char pg_db[64];
static char pg_url[512];

static void meta_location(char *loc, size_t size)
{
    if (pg_admin)
        snprintf(loc, size, "%s", pg_url);
    else
        snprintf(loc, size, "sqlite:%s", db_path);
}

static void open_meta(void)
{
    char loc[PATH_MAX + 32];
    meta_location(loc, sizeof loc);
    OK(sb_meta_open(loc, &meta, &e));
}

/* Run one statement on the admin database (CREATE / DROP DATABASE). */
static void pg_admin_sql(const char *sql)
{
    PGconn *c = PQconnectdb(pg_admin);
    cr_assert_eq(PQstatus(c), CONNECTION_OK, "%s", PQerrorMessage(c));
    PGresult *r = PQexec(c, sql);
    cr_assert_eq(PQresultStatus(r), PGRES_COMMAND_OK, "%s: %s", sql, PQresultErrorMessage(r));
    PQclear(r);
    PQfinish(c);
}

static void meta_setup(void)
{
    make_temp_dir();
    snprintf(db_path, sizeof db_path, "%s/strobe.db", dir);
    pg_admin = getenv("STROBE_TEST_PG");
    if (pg_admin && !*pg_admin)
        pg_admin = NULL;
    if (pg_admin) {
        /* A fresh database per test: the URL's path (the admin database) is replaced by it. */
        static int n;
        snprintf(pg_db, sizeof pg_db, "t_%d_%d", (int)getpid(), n++);
        char sql[128];
        snprintf(sql, sizeof sql, "CREATE DATABASE %s", pg_db);
        pg_admin_sql(sql);
        const char *slash = strrchr(pg_admin, '/');
        cr_assert(slash && slash > strstr(pg_admin, "://") + 2, "STROBE_TEST_PG needs a database: %s", pg_admin);
        snprintf(pg_url, sizeof pg_url, "%.*s/%s", (int)(slash - pg_admin), pg_admin, pg_db);
    }
    open_meta();
}

static void teardown(void)
{
    sb_meta_close(meta);
    meta = NULL;
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    if (pg_admin) {
        char sql[128];
        snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", pg_db);
        pg_admin_sql(sql);
    }
}

/* The tests of SQLite's own file, locking and migrations. */
#define SQLITE_ONLY()                                                                                        \
    do {                                                                                                     \
        if (pg_admin)                                                                                        \
            cr_skip_test("SQLite's own file and schema");                                                    \
    } while (0)
#define PG_ONLY()                                                                                            \
    do {                                                                                                     \
        if (!pg_admin)                                                                                       \
            cr_skip_test("PostgreSQL's schema (set STROBE_TEST_PG, or see test_shared_stores)");                  \
    } while (0)

static int64_t now_s(void)
{
    return (int64_t)time(NULL);
}

/* Run SQL on the store through a second connection, to see or age what the store wrote. */
static void raw_sql(const char *sql)
{
    if (pg_admin) {
        PGconn *c = PQconnectdb(pg_url);
        cr_assert_eq(PQstatus(c), CONNECTION_OK, "%s", PQerrorMessage(c));
        PGresult *r = PQexec(c, sql);
        cr_assert_eq(PQresultStatus(r), PGRES_COMMAND_OK, "%s: %s", sql, PQresultErrorMessage(r));
        PQclear(r);
        PQfinish(c);
        return;
    }
    sqlite3 *db;
    cr_assert_eq(sqlite3_open(db_path, &db), SQLITE_OK);
    char *msg = NULL;
    cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, &msg), SQLITE_OK, "%s: %s", sql, msg);
    sqlite3_close(db);
}

static int64_t raw_int(const char *sql)
{
    if (pg_admin) {
        PGconn *c = PQconnectdb(pg_url);
        cr_assert_eq(PQstatus(c), CONNECTION_OK, "%s", PQerrorMessage(c));
        PGresult *r = PQexec(c, sql);
        cr_assert_eq(PQresultStatus(r), PGRES_TUPLES_OK, "%s: %s", sql, PQresultErrorMessage(r));
        cr_assert_eq(PQntuples(r), 1, "%s", sql);
        int64_t v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        PQclear(r);
        PQfinish(c);
        return v;
    }
    sqlite3 *db;
    sqlite3_stmt *st;
    cr_assert_eq(sqlite3_open(db_path, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW, "%s", sql);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static void make_key(const char *id, int64_t credits)
{
    char hash[64];
    snprintf(hash, sizeof hash, "hash-%s", id);
    OK(sb_meta_key_create(meta, id, "test key", credits, hash, &e));
}

static sb_key_t get_key(const char *id)
{
    sb_key_t k;
    OK(sb_meta_key_get(meta, id, &k, &e));
    return k;
}

static sb_job_new_t job_new(const char *id, const char *key_id)
{
    return (sb_job_new_t){.id = id, .key_id = key_id, .pipeline = "headshot", .spec = "{\"size\":800}", .shared = true};
}

static void make_job(const char *id, const char *key_id, const char *callback_url)
{
    sb_job_new_t n = job_new(id, key_id);
    n.callback_url = callback_url;
    OK(sb_meta_job_create(meta, &n, NULL, NULL, &e));
}

static sb_job_t get_job(const char *id)
{
    sb_job_t j = {0};
    OK(sb_meta_job_get(meta, id, NULL, &j, &e));
    return j;
}

/* The job's fixed-size fields only: its strings are freed. */
static sb_job_t job_fields(const char *id)
{
    sb_job_t j = get_job(id);
    sb_job_clear(&j);
    return j;
}

static sb_job_state job_state(const char *id)
{
    return job_fields(id).state;
}

static sb_err complete_simple(const char *id, const char *owner, const char *file_id, int64_t credits)
{
    sb_output_t out = {file_id, "png", 1234, now_s() + 3600};
    return sb_meta_job_complete(meta, id, owner, &out, 1, credits, "{\"ok\":true}", &e);
}

/* sb_meta_hook_due's callback: appends "ID " to the string ctx. */
static bool collect_job_ids(const sb_job_t *j, void *ctx)
{
    strcat(ctx, j->id);
    strcat(ctx, " ");
    return true;
}

/* The jobs whose webhooks are due at `now`, as "ID ID ", equal `want`. */
static void assert_due(int64_t now, const char *want)
{
    char ids[256] = "";
    OK(sb_meta_hook_due(meta, now, collect_job_ids, ids, &e));
    cr_assert_str_eq(ids, want, "due at %lld", (long long)now);
}

#endif
