/* test_store.c - the metadata store on a real SQLite file and the blob store on a real directory, each in
 * a fresh temp directory per test.
 *
 * With STROBE_TEST_PG set to a PostgreSQL URL (an admin database of a running server), the same meta
 * tests run against PostgreSQL instead, each in a fresh database made from that URL and dropped after;
 * the tests of SQLite's own file, locking and migrations skip, and PostgreSQL's schema tests run.
 * With STROBE_TEST_S3 set to an S3 endpoint URL (s3rver's, credentials in AWS_ACCESS_KEY_ID and
 * AWS_SECRET_ACCESS_KEY), the blob tests run against its bucket "strobe-test", under a fresh prefix per
 * test; the tests of the directory's own files skip. tests/integration/test_shared_stores.c starts both
 * servers and runs this binary so. */
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

TestSuite(meta, .init = meta_setup, .fini = teardown);

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

/* ---- opening and schema ---- */

Test(meta, open_makes_a_private_wal_database_at_schema_4)
{
    SQLITE_ONLY();
    struct stat st;
    cr_assert_eq(stat(db_path, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0600, "mode %o", st.st_mode & 0777);
    cr_assert_eq(raw_int("PRAGMA user_version"), 4);
    cr_assert_eq(raw_int("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                         "('keys', 'usage', 'jobs', 'idempotency', 'files', 'batch_items', 'templates')"),
                 7);
    cr_assert_eq(raw_int("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN "
                         "('jobs_state', 'files_expires')"),
                 2);
    cr_assert_eq(raw_int("SELECT journal_mode = 'wal' FROM pragma_journal_mode"), 1);
    OK(sb_meta_check_writable(meta, &e));
}

Test(meta, a_write_lock_held_elsewhere_fails_after_the_busy_timeout)
{
    SQLITE_ONLY();
    sqlite3 *other;
    cr_assert_eq(sqlite3_open(db_path, &other), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    FAILS(sb_meta_check_writable(meta, &e), SB_ERR_STORE);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double waited = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    cr_assert(waited > 4.0 && waited < 10.0, "waited %.2f s", waited);
    /* reads go on beside a writer (WAL) */
    int64_t n = -1;
    OK(sb_meta_key_count(meta, &n, &e));
    cr_assert_eq(n, 0);
    cr_assert_eq(sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(other);
    OK(sb_meta_check_writable(meta, &e));
}

Test(meta, reopen_keeps_the_data)
{
    make_key("key_a", 5);
    sb_meta_close(meta);
    meta = NULL;
    open_meta();
    cr_assert_eq(get_key("key_a").credits, 5);
    cr_assert_eq(raw_int(pg_admin ? "SELECT max(version) FROM strobe_schema" : "PRAGMA user_version"), pg_admin ? 2 : 4);
}

Test(meta, postgres_schema_version_2_with_every_table)
{
    PG_ONLY();
    cr_assert_eq(raw_int("SELECT max(version) FROM strobe_schema"), 2);
    cr_assert_eq(raw_int("SELECT count(*) FROM strobe_schema"), 1);
    cr_assert_eq(raw_int("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename IN "
                         "('keys', 'usage', 'jobs', 'idempotency', 'files', 'batch_items', 'templates', 'health', "
                         "'settings', 'rate_limits')"),
                 10);
    cr_assert_eq(raw_int("SELECT count(*) FROM pg_indexes WHERE indexname IN ('jobs_state', 'files_expires', "
                         "'jobs_queue', 'jobs_staged')"),
                 4);
    OK(sb_meta_check_writable(meta, &e));
    OK(sb_meta_check_writable(meta, &e));
    cr_assert_eq(raw_int("SELECT count(*) FROM health"), 1);
}

Test(meta, postgres_version_1_database_puts_its_async_jobs_in_the_shared_queue)
{
    PG_ONLY();
    make_key("key_a", 5);
    make_job("job_async", "key_a", NULL);
    sb_job_new_t n = job_new("job_sync", "key_a");
    n.sync = true;
    n.shared = false;
    OK(sb_meta_job_create(meta, &n, NULL, NULL, &e));
    sb_meta_close(meta);
    meta = NULL;
    raw_sql("DROP TABLE settings; DROP TABLE rate_limits; DROP INDEX jobs_queue; DROP INDEX jobs_staged; "
            "ALTER TABLE jobs DROP COLUMN queue, DROP COLUMN not_before, DROP COLUMN retries, "
            "DROP COLUMN input_key; UPDATE strobe_schema SET version = 1");
    open_meta();
    cr_assert_eq(raw_int("SELECT max(version) FROM strobe_schema"), 2);
    sb_job_t j = get_job("job_async");
    cr_assert(j.shared, "an async job of version 1 joins the shared queue");
    sb_job_clear(&j);
    j = get_job("job_sync");
    cr_assert_not(j.shared, "a sync job stays with its node");
    sb_job_clear(&j);
}

Test(meta, postgres_newer_schema_is_refused)
{
    PG_ONLY();
    sb_meta_close(meta);
    meta = NULL;
    raw_sql("UPDATE strobe_schema SET version = 99");
    FAILS(sb_meta_open(pg_url, &meta, &e), SB_ERR_STORE);
    cr_assert_null(meta);
    cr_assert(strstr(e.message, "99"), "%s", e.message);
}

Test(meta, postgres_reconnects_after_its_connection_is_killed)
{
    PG_ONLY();
    make_key("key_a", 5);
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '%s' AND pid <> "
             "pg_backend_pid()",
             pg_db);
    cr_assert_geq(raw_int(sql), 1);
    /* The first call after the kill may fail with a clear store error; the next one reconnects. */
    sb_key_t k;
    sb_err first = sb_meta_key_get(meta, "key_a", &k, &e);
    cr_assert(first == SB_OK || first == SB_ERR_STORE_DOWN, "%s: %s", sb_err_name(first), e.message);
    OK(sb_meta_key_get(meta, "key_a", &k, &e));
    cr_assert_eq(k.credits, 5);
}

/* What version 4 added (the shared queue's columns, settings, rate limits), taken away again. */
#define UNDO_V4                                                                                              \
    "DROP TABLE settings; DROP TABLE rate_limits; DROP INDEX jobs_queue; DROP INDEX jobs_staged; "          \
    "ALTER TABLE jobs DROP COLUMN queue; ALTER TABLE jobs DROP COLUMN not_before; "                          \
    "ALTER TABLE jobs DROP COLUMN retries; ALTER TABLE jobs DROP COLUMN input_key; "

Test(meta, a_version_1_file_migrates_to_4_keeping_its_data)
{
    SQLITE_ONLY();
    make_key("key_a", 5);
    sb_meta_close(meta);
    meta = NULL;
    raw_sql(UNDO_V4 "DROP TABLE templates; DROP TABLE batch_items; PRAGMA user_version = 1");
    open_meta();
    cr_assert_eq(raw_int("PRAGMA user_version"), 4);
    cr_assert_eq(get_key("key_a").credits, 5);
    cr_assert_eq(raw_int("SELECT count(*) FROM batch_items"), 0);
    cr_assert_eq(raw_int("SELECT count(*) FROM templates"), 0);
}

Test(meta, a_version_2_file_migrates_to_4_keeping_its_data)
{
    SQLITE_ONLY();
    make_key("key_a", 5);
    make_job("job_1", "key_a", NULL);
    sb_meta_close(meta);
    meta = NULL;
    raw_sql(UNDO_V4 "DROP TABLE templates; PRAGMA user_version = 2");
    open_meta();
    cr_assert_eq(raw_int("PRAGMA user_version"), 4);
    cr_assert_eq(job_state("job_1"), SB_JOB_QUEUED);
    cr_assert_eq(raw_int("SELECT count(*) FROM templates"), 0);
}

Test(meta, a_version_3_file_migrates_to_4_and_its_jobs_stay_local)
{
    SQLITE_ONLY();
    make_key("key_a", 5);
    make_job("job_1", "key_a", NULL);
    sb_meta_close(meta);
    meta = NULL;
    raw_sql(UNDO_V4 "PRAGMA user_version = 3");
    open_meta();
    cr_assert_eq(raw_int("PRAGMA user_version"), 4);
    sb_job_t j = get_job("job_1");
    cr_assert_eq(j.state, SB_JOB_QUEUED);
    cr_assert_not(j.shared, "a job made before the shared queue is not in it");
    cr_assert_str_eq(j.input_key, "");
    sb_job_clear(&j);
    cr_assert_eq(raw_int("SELECT count(*) FROM settings"), 0);
}

Test(meta, a_newer_schema_is_refused)
{
    SQLITE_ONLY();
    sb_meta_close(meta);
    meta = NULL;
    raw_sql("PRAGMA user_version = 99");
    char loc[PATH_MAX + 32];
    snprintf(loc, sizeof loc, "sqlite:%s", db_path);
    FAILS(sb_meta_open(loc, &meta, &e), SB_ERR_STORE);
    cr_assert_null(meta);
    cr_assert(strstr(e.message, "99"), "%s", e.message);
}

Test(meta, bad_locations)
{
    sb_meta_t *m = (sb_meta_t *)1;
    FAILS(sb_meta_open("mysql://localhost/strobe", &m, &e), SB_ERR_USAGE);
    cr_assert_null(m);
    /* Nothing listens on port 1: a clear store error, and the password is not in it. */
    FAILS(sb_meta_open("postgres://strobe:s3cret-pw@127.0.0.1:1/strobe", &m, &e), SB_ERR_STORE);
    cr_assert_null(m);
    cr_assert(strstr(e.message, "cannot connect to PostgreSQL"), "%s", e.message);
    cr_assert_null(strstr(e.message, "s3cret-pw"), "%s", e.message);
    FAILS(sb_meta_open("sqlite:", &m, &e), SB_ERR_USAGE);
    char loc[PATH_MAX + 32];
    snprintf(loc, sizeof loc, "sqlite:%s/no/such/dir/strobe.db", dir);
    FAILS(sb_meta_open(loc, &m, &e), SB_ERR_STORE);
    cr_assert_null(m);
    sb_meta_close(NULL);
}

/* ---- keys ---- */

static bool collect_key_ids(const sb_key_t *k, void *ctx)
{
    char *ids = ctx;
    strcat(ids, k->id);
    strcat(ids, " ");
    return strcmp(k->id, "key_b") != 0; /* stop after key_b */
}

Test(meta, keys)
{
    int64_t n = -1;
    OK(sb_meta_key_count(meta, &n, &e));
    cr_assert_eq(n, 0);
    make_key("key_a", 10);
    make_key("key_b", 0);
    make_key("key_c", 3);
    OK(sb_meta_key_count(meta, &n, &e));
    cr_assert_eq(n, 3);

    FAILS(sb_meta_key_create(meta, "key_a", "dup id", 1, "other-hash", &e), SB_ERR_CONFLICT);
    FAILS(sb_meta_key_create(meta, "key_d", "dup hash", 1, "hash-key_a", &e), SB_ERR_CONFLICT);
    FAILS(sb_meta_key_create(meta, "", "x", 1, "h1", &e), SB_ERR_USAGE);
    FAILS(sb_meta_key_create(meta, "key_0123456789012345678901234567890123456789", "x", 1, "h2", &e),
          SB_ERR_USAGE);
    FAILS(sb_meta_key_create(meta, "key_e", "x", -1, "h3", &e), SB_ERR_USAGE);
    OK(sb_meta_key_count(meta, &n, &e));
    cr_assert_eq(n, 3);

    sb_key_t k;
    OK(sb_meta_key_by_hash(meta, "hash-key_c", &k, &e));
    cr_assert_str_eq(k.id, "key_c");
    cr_assert_str_eq(k.name, "test key");
    cr_assert_eq(k.credits, 3);
    cr_assert_eq(k.used, 0);
    cr_assert_not(k.revoked);
    cr_assert(k.created_at >= now_s() - 5 && k.created_at <= now_s());
    FAILS(sb_meta_key_by_hash(meta, "hash-nobody", &k, &e), SB_ERR_NOT_FOUND);
    FAILS(sb_meta_key_get(meta, "key_zzz", &k, &e), SB_ERR_NOT_FOUND);

    char ids[256] = "";
    OK(sb_meta_key_list(meta, collect_key_ids, ids, &e));
    cr_assert_str_eq(ids, "key_a key_b ");

    OK(sb_meta_key_add_credits(meta, "key_a", 5, &e));
    cr_assert_eq(get_key("key_a").credits, 15);
    OK(sb_meta_key_add_credits(meta, "key_a", -4, &e));
    cr_assert_eq(get_key("key_a").credits, 11);
    OK(sb_meta_key_add_credits(meta, "key_a", -100, &e));
    cr_assert_eq(get_key("key_a").credits, 0, "the balance never goes under 0");
    OK(sb_meta_key_add_credits(meta, "key_c", INT64_MAX - 3, &e));
    cr_assert_eq(get_key("key_c").credits, INT64_MAX);
    FAILS(sb_meta_key_add_credits(meta, "key_c", 1, &e), SB_ERR_USAGE);
    cr_assert_eq(get_key("key_c").credits, INT64_MAX);
    FAILS(sb_meta_key_add_credits(meta, "key_zzz", 1, &e), SB_ERR_NOT_FOUND);

    OK(sb_meta_key_revoke(meta, "key_b", &e));
    cr_assert(get_key("key_b").revoked);
    OK(sb_meta_key_by_hash(meta, "hash-key_b", &k, &e));
    cr_assert(k.revoked, "a revoked key is still found, marked revoked");
    cr_assert_not(get_key("key_a").revoked);
    FAILS(sb_meta_key_revoke(meta, "key_zzz", &e), SB_ERR_NOT_FOUND);
}

static void *add_one_credit_250_times(void *arg)
{
    sb_error_t te = {0};
    for (int i = 0; i < 250; i++)
        if (sb_meta_key_add_credits(meta, "key_a", 1, &te))
            return strdup(te.message);
    return NULL;
}

Test(meta, concurrent_credit_adds_are_all_counted)
{
    make_key("key_a", 0);
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        cr_assert_eq(pthread_create(&t[i], NULL, add_one_credit_250_times, NULL), 0);
    for (int i = 0; i < 4; i++) {
        void *msg;
        pthread_join(t[i], &msg);
        cr_assert_null(msg, "thread %d: %s", i, (char *)msg);
    }
    cr_assert_eq(get_key("key_a").credits, 1000);
}

/* ---- jobs: create, idempotency, get ---- */

Test(meta, job_create_and_get)
{
    make_key("key_a", 10);
    make_key("key_b", 10);
    sb_job_new_t n = job_new("job_1", "key_a");
    n.sync = true;
    n.callback_url = "https://example.com/hook";
    sb_job_t j = {0};
    bool existed = true;
    OK(sb_meta_job_create(meta, &n, &j, &existed, &e));
    cr_assert_not(existed);
    cr_assert_str_eq(j.id, "job_1");
    cr_assert_str_eq(j.key_id, "key_a");
    cr_assert_str_eq(j.pipeline, "headshot");
    cr_assert_eq(j.state, SB_JOB_QUEUED);
    cr_assert(j.sync);
    cr_assert_str_eq(j.spec, "{\"size\":800}");
    cr_assert_null(j.result);
    cr_assert_null(j.error);
    cr_assert_str_eq(j.callback_url, "https://example.com/hook");
    cr_assert_eq(j.attempts, 0);
    cr_assert_str_eq(j.lease_owner, "");
    cr_assert(j.created_at >= now_s() - 5 && j.created_at <= now_s());
    cr_assert_eq(j.started_at, 0);
    cr_assert_eq(j.finished_at, 0);
    cr_assert_eq(j.hook_state, SB_HOOK_NONE);
    sb_job_clear(&j);
    sb_job_clear(&j); /* safe twice */
    cr_assert_null(j.spec);

    OK(sb_meta_job_get(meta, "job_1", "key_a", &j, &e));
    cr_assert_str_eq(j.spec, "{\"size\":800}");
    sb_job_clear(&j);
    FAILS(sb_meta_job_get(meta, "job_1", "key_b", &j, &e), SB_ERR_NOT_FOUND);
    FAILS(sb_meta_job_get(meta, "job_nope", NULL, &j, &e), SB_ERR_NOT_FOUND);

    FAILS(sb_meta_job_create(meta, &n, NULL, NULL, &e), SB_ERR_CONFLICT);
    cr_assert_str_eq(e.field, "id");
    n = job_new("job_2", "key_nobody");
    FAILS(sb_meta_job_create(meta, &n, NULL, NULL, &e), SB_ERR_NOT_FOUND);
    n = job_new("job_3", "key_a");
    n.spec = NULL;
    FAILS(sb_meta_job_create(meta, &n, NULL, NULL, &e), SB_ERR_USAGE);
    n = job_new("job_3", "key_a");
    n.pipeline = "a-pipeline-name-that-is-far-too-long";
    FAILS(sb_meta_job_create(meta, &n, NULL, NULL, &e), SB_ERR_USAGE);
    n = job_new("job_3", "key_a");
    n.idem_key = "idem";
    FAILS(sb_meta_job_create(meta, &n, NULL, NULL, &e), SB_ERR_USAGE); /* an idem_key needs a request_hash */
}

Test(meta, idempotency_key_replays_or_conflicts)
{
    make_key("key_a", 10);
    make_key("key_b", 10);
    sb_job_new_t n = job_new("job_1", "key_a");
    n.idem_key = "idem-1";
    n.request_hash = "aaaa";
    bool existed;
    OK(sb_meta_job_create(meta, &n, NULL, &existed, &e));
    cr_assert_not(existed);

    /* the same request again, with a fresh job id: the first job comes back, nothing is made */
    n.id = "job_2";
    sb_job_t j = {0};
    OK(sb_meta_job_create(meta, &n, &j, &existed, &e));
    cr_assert(existed);
    cr_assert_str_eq(j.id, "job_1");
    cr_assert_str_eq(j.spec, "{\"size\":800}");
    sb_job_clear(&j);
    FAILS(sb_meta_job_get(meta, "job_2", NULL, &j, &e), SB_ERR_NOT_FOUND);

    /* another body under the same key */
    n.request_hash = "bbbb";
    existed = true;
    FAILS(sb_meta_job_create(meta, &n, &j, &existed, &e), SB_ERR_CONFLICT);
    cr_assert_str_eq(e.field, "Idempotency-Key");
    cr_assert_not(existed);
    FAILS(sb_meta_job_get(meta, "job_2", NULL, &j, &e), SB_ERR_NOT_FOUND);

    /* the same Idempotency-Key from another API key is another record */
    n.key_id = "key_b";
    OK(sb_meta_job_create(meta, &n, NULL, &existed, &e));
    cr_assert_not(existed);
    cr_assert_eq(raw_int("SELECT count(*) FROM jobs"), 2);
    cr_assert_eq(raw_int("SELECT count(*) FROM jobs WHERE id = 'job_1' AND idem_key = 'idem-1' AND "
                         "request_hash = 'aaaa'"),
                 1);
}

Test(meta, idempotency_records_expire_after_24h_and_are_purged)
{
    make_key("key_a", 10);
    sb_job_new_t n = job_new("job_1", "key_a");
    n.idem_key = "idem-1";
    n.request_hash = "aaaa";
    bool existed;
    OK(sb_meta_job_create(meta, &n, NULL, &existed, &e));

    /* 25 hours old: gone, even with another body, and the record now points at the new job */
    raw_sql("UPDATE idempotency SET created_at = created_at - 25 * 3600");
    n.id = "job_2";
    n.request_hash = "bbbb";
    OK(sb_meta_job_create(meta, &n, NULL, &existed, &e));
    cr_assert_not(existed);
    n.id = "job_3";
    sb_job_t j = {0};
    OK(sb_meta_job_create(meta, &n, &j, &existed, &e));
    cr_assert(existed);
    cr_assert_str_eq(j.id, "job_2");
    sb_job_clear(&j);

    /* 23 hours old: still live */
    raw_sql("UPDATE idempotency SET created_at = created_at - 23 * 3600");
    OK(sb_meta_job_create(meta, &n, NULL, &existed, &e));
    cr_assert(existed);

    OK(sb_meta_idem_purge(meta, now_s() - 24 * 3600, &e));
    cr_assert_eq(raw_int("SELECT count(*) FROM idempotency"), 1, "a record under 24 h old stays");
    OK(sb_meta_idem_purge(meta, now_s() + 1, &e));
    cr_assert_eq(raw_int("SELECT count(*) FROM idempotency"), 0);
    cr_assert_eq(raw_int("SELECT count(*) FROM jobs"), 2, "the jobs stay");
    OK(sb_meta_job_create(meta, &n, NULL, &existed, &e));
    cr_assert_not(existed);
    cr_assert_eq(job_state("job_3"), SB_JOB_QUEUED);
}

/* ---- jobs: leases ---- */

Test(meta, claim_leases_a_queued_job_once)
{
    make_key("key_a", 10);
    make_job("job_1", "key_a", NULL);
    OK(sb_meta_job_claim(meta, "job_1", "w1", 30, &e));
    sb_job_t j = get_job("job_1");
    cr_assert_eq(j.state, SB_JOB_PROCESSING);
    cr_assert_eq(j.attempts, 1);
    cr_assert_str_eq(j.lease_owner, "w1");
    cr_assert(j.lease_until >= now_s() + 25 && j.lease_until <= now_s() + 30, "%lld",
              (long long)j.lease_until);
    cr_assert(j.started_at >= now_s() - 5 && j.started_at <= now_s());
    sb_job_clear(&j);

    FAILS(sb_meta_job_claim(meta, "job_1", "w2", 30, &e), SB_ERR_CONFLICT);
    cr_assert(strstr(e.message, "w1"), "%s", e.message);
    FAILS(sb_meta_job_claim(meta, "job_1", "w1", 30, &e), SB_ERR_CONFLICT);
    FAILS(sb_meta_job_claim(meta, "job_nope", "w1", 30, &e), SB_ERR_NOT_FOUND);
    FAILS(sb_meta_job_claim(meta, "job_1", "w1", 0, &e), SB_ERR_USAGE);
    FAILS(sb_meta_job_claim(meta, "job_1", "", 30, &e), SB_ERR_USAGE);
    cr_assert_eq(get_key("key_a").credits, 10);

    OK(complete_simple("job_1", "w1", "f_1", 1));
    FAILS(sb_meta_job_claim(meta, "job_1", "w2", 30, &e),
          SB_ERR_CONFLICT); /* a finished job is not claimable */
    j = get_job("job_1");
    cr_assert_eq(j.attempts, 1);
    sb_job_clear(&j);
}

Test(meta, an_expired_lease_can_be_taken_over)
{
    make_key("key_a", 10);
    make_job("job_1", "key_a", NULL);
    OK(sb_meta_job_claim(meta, "job_1", "w1", 1, &e));
    int64_t started = job_fields("job_1").started_at;
    sb_job_t j = {0};
    FAILS(sb_meta_job_claim_next(meta, "w2", 30, 5, &j, &e), SB_ERR_NOT_FOUND); /* the lease is live */
    sleep(2);

    OK(sb_meta_job_claim_next(meta, "w2", 30, 5, &j, &e));
    cr_assert_str_eq(j.id, "job_1");
    cr_assert_eq(j.attempts, 2);
    cr_assert_str_eq(j.lease_owner, "w2");
    cr_assert_eq(j.started_at, started, "started_at is set by the first claim only");
    sb_job_clear(&j);

    FAILS(sb_meta_job_renew(meta, "job_1", "w1", 30, &e), SB_ERR_CONFLICT);
    FAILS(complete_simple("job_1", "w1", "f_1", 1), SB_ERR_CONFLICT);
    FAILS(sb_meta_job_fail(meta, "job_1", "w1", "{}", &e), SB_ERR_CONFLICT);
    cr_assert_eq(get_key("key_a").credits, 10);
    OK(complete_simple("job_1", "w2", "f_1", 1));
    cr_assert_eq(get_key("key_a").credits, 9);
}

Test(meta, claim_next_takes_the_oldest_first)
{
    make_key("key_a", 10);
    sb_job_t j = {0};
    FAILS(sb_meta_job_claim_next(meta, "w1", 30, 5, &j, &e), SB_ERR_NOT_FOUND);
    make_job("job_c", "key_a", NULL);
    make_job("job_a", "key_a", NULL);
    make_job("job_b", "key_a", NULL);
    /* an older job, made after the others */
    make_job("job_old", "key_a", NULL);
    raw_sql("UPDATE jobs SET created_at = created_at - 100 WHERE id = 'job_old'");
    const char *order[] = {"job_old", "job_c", "job_a", "job_b"};
    for (int i = 0; i < 4; i++) {
        OK(sb_meta_job_claim_next(meta, "w1", 30, 5, &j, &e));
        cr_assert_str_eq(j.id, order[i]);
        cr_assert_eq(j.state, SB_JOB_PROCESSING);
        cr_assert_str_eq(j.lease_owner, "w1");
        cr_assert_eq(j.attempts, 1);
        sb_job_clear(&j);
    }
    FAILS(sb_meta_job_claim_next(meta, "w1", 30, 5, &j, &e), SB_ERR_NOT_FOUND);
    FAILS(sb_meta_job_claim_next(meta, "w1", -1, 5, &j, &e), SB_ERR_USAGE);
}

static void assert_due(int64_t now, const char *want);

Test(meta, claim_next_takes_only_shared_due_jobs_under_the_attempt_cap)
{
    make_key("key_a", 10);
    sb_job_new_t n = job_new("job_local", "key_a");
    n.shared = false;
    OK(sb_meta_job_create(meta, &n, NULL, NULL, &e));
    make_job("job_later", "key_a", NULL);
    raw_sql("UPDATE jobs SET not_before = 4000000000 WHERE id = 'job_later'");
    make_job("job_worn", "key_a", NULL);
    raw_sql("UPDATE jobs SET attempts = 2 WHERE id = 'job_worn'");
    sb_job_t j = {0};
    FAILS(sb_meta_job_claim_next(meta, "w1", 30, 2, &j, &e), SB_ERR_NOT_FOUND);
    OK(sb_meta_job_claim_next(meta, "w1", 30, 3, &j, &e));
    cr_assert_str_eq(j.id, "job_worn");
    cr_assert(j.shared);
    sb_job_clear(&j);
    FAILS(sb_meta_job_claim_next(meta, "w1", 30, 0, &j, &e), SB_ERR_USAGE);
    int64_t depth = -1;
    OK(sb_meta_job_queue_depth(meta, &depth, &e));
    cr_assert_eq(depth, 1, "job_later waits in the queue; job_local is not in it; got %lld", (long long)depth);
}

Test(meta, retry_later_gives_the_attempt_back_and_waits)
{
    make_key("key_a", 10);
    make_job("job_1", "key_a", NULL);
    sb_job_t j = {0};
    OK(sb_meta_job_claim_next(meta, "w1", 30, 2, &j, &e));
    sb_job_clear(&j);
    FAILS(sb_meta_job_retry_later(meta, "job_1", "w2", now_s() + 100, &e), SB_ERR_CONFLICT);
    OK(sb_meta_job_retry_later(meta, "job_1", "w1", now_s() + 100, &e));
    j = get_job("job_1");
    cr_assert_eq(j.state, SB_JOB_QUEUED);
    cr_assert_eq(j.attempts, 0);
    cr_assert_eq(j.retries, 1);
    cr_assert_str_eq(j.lease_owner, "");
    sb_job_clear(&j);
    FAILS(sb_meta_job_claim_next(meta, "w2", 30, 2, &j, &e), SB_ERR_NOT_FOUND); /* not before its time */
    raw_sql("UPDATE jobs SET not_before = 0");
    OK(sb_meta_job_claim_next(meta, "w2", 30, 2, &j, &e));
    cr_assert_eq(j.attempts, 1);
    sb_job_clear(&j);
    OK(complete_simple("job_1", "w2", "f_1", 1));
    cr_assert_eq(get_key("key_a").credits, 9);
}

Test(meta, reap_fails_crashed_shared_jobs_and_orphaned_sync_jobs)
{
    make_key("key_a", 10);
    make_job("job_crashed", "key_a", "https://example.com/hook");
    make_job("job_alive", "key_a", NULL);
    make_job("job_fresh", "key_a", NULL);
    sb_job_new_t n = job_new("job_sync", "key_a");
    n.shared = false;
    n.sync = true;
    OK(sb_meta_job_create(meta, &n, NULL, NULL, &e));
    OK(sb_meta_job_claim(meta, "job_crashed", "w1", 30, &e));
    OK(sb_meta_job_claim(meta, "job_alive", "w1", 30, &e));
    OK(sb_meta_job_claim(meta, "job_sync", "w1", 30, &e));
    raw_sql("UPDATE jobs SET lease_until = 1, attempts = 2 WHERE id = 'job_crashed'");
    raw_sql("UPDATE jobs SET lease_until = 1 WHERE id = 'job_sync'");
    int crashed = -1, lost = -1;
    FAILS(sb_meta_job_reap(meta, 0, "{}", "{}", &crashed, &lost, &e), SB_ERR_USAGE);
    OK(sb_meta_job_reap(meta, 2, "{\"code\":\"job_crashed\"}", "{\"code\":\"lost\"}", &crashed, &lost, &e));
    cr_assert_eq(crashed, 1);
    cr_assert_eq(lost, 1);
    sb_job_t j = get_job("job_crashed");
    cr_assert_eq(j.state, SB_JOB_FAILED);
    cr_assert_str_eq(j.error, "{\"code\":\"job_crashed\"}");
    cr_assert_eq(j.hook_state, SB_HOOK_PENDING);
    sb_job_clear(&j);
    j = get_job("job_sync");
    cr_assert_eq(j.state, SB_JOB_FAILED);
    cr_assert_str_eq(j.error, "{\"code\":\"lost\"}");
    sb_job_clear(&j);
    cr_assert_eq(job_state("job_alive"), SB_JOB_PROCESSING);
    cr_assert_eq(job_state("job_fresh"), SB_JOB_QUEUED);
    cr_assert_eq(get_key("key_a").credits, 10);
}

static bool collect_staged(const sb_job_t *j, void *ctx)
{
    strcat(ctx, j->id);
    strcat(ctx, ":");
    strcat(ctx, j->input_key);
    strcat(ctx, " ");
    return true;
}

Test(meta, staged_keys_live_until_unstaged)
{
    make_key("key_a", 10);
    char key[65];
    memset(key, 'a', 64);
    key[64] = '\0';
    sb_job_new_t n = job_new("job_1", "key_a");
    n.input_key = key;
    OK(sb_meta_job_create(meta, &n, NULL, NULL, &e));
    n = job_new("job_bad", "key_a");
    n.input_key = "abc";
    FAILS(sb_meta_job_create(meta, &n, NULL, NULL, &e), SB_ERR_USAGE);
    sb_job_t j = get_job("job_1");
    cr_assert_str_eq(j.input_key, key);
    sb_job_clear(&j);
    char seen[512] = "";
    OK(sb_meta_job_staged_ended(meta, 10, collect_staged, seen, &e));
    cr_assert_str_eq(seen, "", "a queued job's input is still needed");
    OK(sb_meta_job_fail(meta, "job_1", NULL, "{}", &e));
    OK(sb_meta_job_staged_ended(meta, 10, collect_staged, seen, &e));
    cr_assert(strstr(seen, "job_1:aaaa"), "%s", seen);
    OK(sb_meta_job_unstage(meta, "job_1", &e));
    seen[0] = '\0';
    OK(sb_meta_job_staged_ended(meta, 10, collect_staged, seen, &e));
    cr_assert_str_eq(seen, "");
    j = get_job("job_1");
    cr_assert_str_eq(j.input_key, "");
    sb_job_clear(&j);
}

Test(meta, a_setting_is_written_once_and_read_by_all)
{
    char v[80];
    OK(sb_meta_setting_ensure(meta, "url_secret", "first", v, sizeof v, &e));
    cr_assert_str_eq(v, "first");
    OK(sb_meta_setting_ensure(meta, "url_secret", "second", v, sizeof v, &e));
    cr_assert_str_eq(v, "first");
    FAILS(sb_meta_setting_ensure(meta, "", "x", v, sizeof v, &e), SB_ERR_USAGE);
}

Test(meta, the_shared_rate_limit_is_a_token_bucket)
{
    make_key("key_a", 10);
    bool allowed;
    int64_t tat, now = 1000000000000LL, interval = 100000; /* 10 per second, burst 3 */
    for (int i = 0; i < 3; i++) {
        OK(sb_meta_rate_take(meta, "key_a", now, interval, 3, &allowed, &tat, &e));
        cr_assert(allowed, "request %d of the burst", i);
        cr_assert_eq(tat, now + (i + 1) * interval);
    }
    OK(sb_meta_rate_take(meta, "key_a", now, interval, 3, &allowed, &tat, &e));
    cr_assert_not(allowed, "the fourth at once is over the burst");
    cr_assert_eq(tat, now + 3 * interval, "a refusal leaves the state alone");
    OK(sb_meta_rate_take(meta, "key_a", now + interval, interval, 3, &allowed, &tat, &e));
    cr_assert(allowed, "one interval later one token is back");
    OK(sb_meta_rate_take(meta, "key_b", now, interval, 3, &allowed, &tat, &e));
    cr_assert(allowed, "each key has its own bucket");
    OK(sb_meta_rate_take(meta, "key_a", now + 100 * interval, interval, 3, &allowed, &tat, &e));
    cr_assert_eq(tat, now + 101 * interval, "an idle bucket is full again, not over-full");
    FAILS(sb_meta_rate_take(meta, "key_a", now, 0, 3, &allowed, &tat, &e), SB_ERR_USAGE);
}

Test(meta, a_webhook_is_claimed_by_one_node)
{
    make_key("key_a", 10);
    make_job("job_1", "key_a", "https://example.com/1");
    OK(sb_meta_job_fail(meta, "job_1", NULL, "{}", &e));
    int64_t now = now_s();
    OK(sb_meta_hook_claim(meta, "job_1", now, 60, &e));
    FAILS(sb_meta_hook_claim(meta, "job_1", now, 60, &e), SB_ERR_CONFLICT);
    assert_due(now + 10, "");
    OK(sb_meta_hook_claim(meta, "job_1", now + 61, 60, &e)); /* the holder died: after the lease, another may */
    OK(sb_meta_hook_record(meta, "job_1", true, false, 0, &e));
    FAILS(sb_meta_hook_claim(meta, "job_1", now + 200, 60, &e), SB_ERR_CONFLICT);
}

Test(meta, renew_extends_the_owners_lease)
{
    make_key("key_a", 10);
    make_job("job_1", "key_a", NULL);
    FAILS(sb_meta_job_renew(meta, "job_1", "w1", 30, &e),
          SB_ERR_CONFLICT); /* a queued job is held by nobody */
    OK(sb_meta_job_claim(meta, "job_1", "w1", 5, &e));
    int64_t before = job_fields("job_1").lease_until;
    OK(sb_meta_job_renew(meta, "job_1", "w1", 600, &e));
    int64_t after = job_fields("job_1").lease_until;
    cr_assert(after >= before + 590, "%lld -> %lld", (long long)before, (long long)after);
    FAILS(sb_meta_job_renew(meta, "job_1", "w2", 600, &e), SB_ERR_CONFLICT);
    FAILS(sb_meta_job_renew(meta, "job_nope", "w1", 600, &e), SB_ERR_NOT_FOUND);
    cr_assert_eq(job_fields("job_1").lease_until, after);
}

Test(meta, requeue_all_puts_processing_jobs_back)
{
    make_key("key_a", 10);
    make_job("job_1", "key_a", NULL);
    make_job("job_2", "key_a", NULL);
    make_job("job_3", "key_a", NULL);
    make_job("job_4", "key_a", NULL);
    OK(sb_meta_job_claim(meta, "job_1", "w1", 600, &e));
    OK(sb_meta_job_claim(meta, "job_2", "w2", 600, &e));
    OK(sb_meta_job_claim(meta, "job_4", "w2", 600, &e));
    OK(complete_simple("job_4", "w2", "f_4", 1));
    int n = -1;
    OK(sb_meta_job_requeue_all(meta, &n, &e));
    cr_assert_eq(n, 2);
    for (int i = 1; i <= 3; i++) {
        char id[16];
        snprintf(id, sizeof id, "job_%d", i);
        sb_job_t j = get_job(id);
        cr_assert_eq(j.state, SB_JOB_QUEUED, "%s", id);
        cr_assert_str_eq(j.lease_owner, "");
        cr_assert_eq(j.attempts, i < 3 ? 1 : 0, "%s keeps its attempts", id);
        sb_job_clear(&j);
    }
    cr_assert_eq(job_state("job_4"), SB_JOB_COMPLETED);
    OK(sb_meta_job_requeue_all(meta, &n, &e));
    cr_assert_eq(n, 0);
}

/* Start-up recovery with an attempt cap: a processing job claimed max_attempts times is failed with the
 * given error (no charge, its webhook pending), one claimed fewer times is queued again, and queued and
 * finished jobs are left alone. */
Test(meta, recover_fails_jobs_at_the_attempt_cap_and_requeues_the_rest)
{
    make_key("key_a", 10);
    make_job("job_once", "key_a", NULL);
    make_job("job_twice", "key_a", "http://127.0.0.1:9/hook");
    make_job("job_queued", "key_a", NULL);
    make_job("job_done", "key_a", NULL);
    OK(sb_meta_job_claim(meta, "job_twice", "dead", 600, &e));
    OK(sb_meta_job_requeue_all(meta, NULL, &e));
    OK(sb_meta_job_claim(meta, "job_twice", "dead", 600, &e)); /* its second attempt */
    OK(sb_meta_job_claim(meta, "job_once", "dead", 600, &e));
    OK(sb_meta_job_claim(meta, "job_done", "w", 600, &e));
    OK(complete_simple("job_done", "w", "f_done", 1));
    int requeued = -1, crashed = -1;
    OK(sb_meta_job_recover(meta, 2, "{\"code\":\"job_crashed\"}", &requeued, &crashed, &e));
    cr_assert_eq(requeued, 1);
    cr_assert_eq(crashed, 1);

    sb_job_t j = get_job("job_twice");
    cr_assert_eq(j.state, SB_JOB_FAILED);
    cr_assert_eq(j.attempts, 2);
    cr_assert_str_eq(j.error, "{\"code\":\"job_crashed\"}");
    cr_assert_str_eq(j.lease_owner, "");
    cr_assert_gt(j.finished_at, 0);
    cr_assert_eq(j.hook_state, SB_HOOK_PENDING, "its webhook is told");
    sb_job_clear(&j);
    j = get_job("job_once");
    cr_assert_eq(j.state, SB_JOB_QUEUED);
    cr_assert_eq(j.attempts, 1);
    cr_assert_null(j.error);
    sb_job_clear(&j);
    cr_assert_eq(job_state("job_queued"), SB_JOB_QUEUED);
    cr_assert_eq(job_state("job_done"), SB_JOB_COMPLETED);
    sb_key_t k = get_key("key_a");
    cr_assert_eq(k.credits, 9, "only the completed job was charged");

    OK(sb_meta_job_recover(meta, 2, "{}", &requeued, &crashed, &e));
    cr_assert_eq(requeued, 0);
    cr_assert_eq(crashed, 0);
    FAILS(sb_meta_job_recover(meta, 0, "{}", NULL, NULL, &e), SB_ERR_USAGE);
    FAILS(sb_meta_job_recover(meta, 2, NULL, NULL, NULL, &e), SB_ERR_USAGE);
}

struct queued_ctx {
    char ids[256];
    int calls, stop_after;
};

/* Records the ids and claims each job: the store must allow calls from inside a callback. */
static bool claim_each_queued(const sb_job_t *j, void *ctx)
{
    struct queued_ctx *q = ctx;
    strcat(q->ids, j->id);
    strcat(q->ids, " ");
    sb_error_t ce = {0};
    cr_assert_eq(sb_meta_job_claim(meta, j->id, "w1", 30, &ce), SB_OK, "%s", ce.message);
    return ++q->calls < q->stop_after;
}

Test(meta, list_queued_oldest_first_and_callbacks_may_reenter)
{
    make_key("key_a", 10);
    make_job("job_1", "key_a", NULL);
    make_job("job_2", "key_a", NULL);
    make_job("job_3", "key_a", NULL);
    make_job("job_4", "key_a", NULL);
    OK(sb_meta_job_claim(meta, "job_2", "w1", 30, &e));
    struct queued_ctx q = {.stop_after = 2};
    OK(sb_meta_job_list_queued(meta, claim_each_queued, &q, &e));
    cr_assert_str_eq(q.ids, "job_1 job_3 ");
    q = (struct queued_ctx){.stop_after = 10};
    OK(sb_meta_job_list_queued(meta, claim_each_queued, &q, &e));
    cr_assert_str_eq(q.ids, "job_4 ");
    q = (struct queued_ctx){.stop_after = 10};
    OK(sb_meta_job_list_queued(meta, claim_each_queued, &q, &e));
    cr_assert_eq(q.calls, 0);
}

/* ---- jobs: complete and fail ---- */

static bool collect_usage(const sb_usage_t *u, void *ctx)
{
    char *s = ctx;
    char line[96];
    snprintf(line, sizeof line, "%s:%lld:%lld ", u->pipeline, (long long)u->outputs, (long long)u->credits);
    strcat(s, line);
    return true;
}

Test(meta, complete_charges_records_files_and_usage_in_one_go)
{
    make_key("key_a", 10);
    make_job("job_1", "key_a", "https://example.com/hook");
    make_job("job_2", "key_a", NULL);
    OK(sb_meta_job_claim(meta, "job_1", "w1", 30, &e));
    int64_t exp = now_s() + 86400;
    sb_output_t outs[2] = {{"f_1", "png", 1000, exp}, {"f_2", "webp", 2000, exp + 1}};
    OK(sb_meta_job_complete(meta, "job_1", "w1", outs, 2, 3, "{\"outputs\":2}", &e));

    sb_key_t k = get_key("key_a");
    cr_assert_eq(k.credits, 7);
    cr_assert_eq(k.used, 3);
    sb_job_t j = get_job("job_1");
    cr_assert_eq(j.state, SB_JOB_COMPLETED);
    cr_assert_str_eq(j.result, "{\"outputs\":2}");
    cr_assert_null(j.error);
    cr_assert_str_eq(j.lease_owner, "");
    cr_assert(j.finished_at >= now_s() - 5 && j.finished_at <= now_s());
    cr_assert_eq(j.hook_state, SB_HOOK_PENDING);
    cr_assert(j.hook_next_at <= now_s());
    cr_assert_eq(j.hook_attempts, 0);
    sb_job_clear(&j);

    sb_file_t f;
    OK(sb_meta_file_get(meta, "f_2", &f, &e));
    cr_assert_str_eq(f.id, "f_2");
    cr_assert_str_eq(f.key_id, "key_a");
    cr_assert_str_eq(f.job_id, "job_1");
    cr_assert_str_eq(f.ext, "webp");
    cr_assert_eq(f.size, 2000);
    cr_assert_eq(f.expires_at, exp + 1);
    cr_assert(f.created_at >= now_s() - 5 && f.created_at <= now_s());
    OK(sb_meta_file_get(meta, "f_1", &f, &e));
    cr_assert_eq(f.size, 1000);
    FAILS(sb_meta_file_get(meta, "f_3", &f, &e), SB_ERR_NOT_FOUND);

    OK(sb_meta_job_claim(meta, "job_2", "w1", 30, &e));
    OK(complete_simple("job_2", "w1", "f_3", 2));
    cr_assert_eq(job_state("job_2"), SB_JOB_COMPLETED);
    j = get_job("job_2");
    cr_assert_eq(j.hook_state, SB_HOOK_NONE, "no callback_url, no webhook");
    sb_job_clear(&j);
    char usage[256] = "";
    OK(sb_meta_usage_list(meta, "key_a", collect_usage, usage, &e));
    cr_assert_str_eq(usage, "headshot:3:5 ");
    cr_assert_eq(get_key("key_a").credits, 5);
    cr_assert_eq(get_key("key_a").used, 5);
    FAILS(complete_simple("job_2", "w1", "f_4", 1), SB_ERR_CONFLICT); /* completed twice */
    cr_assert_eq(get_key("key_a").credits, 5);
}

/* Everything the store holds about key_a and job_1, to compare before and after a refused complete. */
static void assert_nothing_changed(int64_t credits)
{
    sb_key_t k = get_key("key_a");
    cr_assert_eq(k.credits, credits);
    cr_assert_eq(k.used, 0);
    sb_job_t j = get_job("job_1");
    cr_assert_eq(j.state, SB_JOB_PROCESSING);
    cr_assert_str_eq(j.lease_owner, "w1");
    cr_assert_null(j.result);
    cr_assert_eq(j.finished_at, 0);
    cr_assert_eq(j.hook_state, SB_HOOK_NONE);
    sb_job_clear(&j);
    sb_file_t f;
    FAILS(sb_meta_file_get(meta, "f_1", &f, &e), SB_ERR_NOT_FOUND);
    cr_assert_eq(raw_int("SELECT count(*) FROM files"), 0);
    cr_assert_eq(raw_int("SELECT count(*) FROM usage"), 0);
}

Test(meta, complete_with_too_few_credits_changes_nothing)
{
    make_key("key_a", 2);
    make_job("job_1", "key_a", "https://example.com/hook");
    OK(sb_meta_job_claim(meta, "job_1", "w1", 30, &e));
    sb_output_t outs[2] = {{"f_1", "png", 10, now_s() + 60}, {"f_2", "png", 10, now_s() + 60}};
    FAILS(sb_meta_job_complete(meta, "job_1", "w1", outs, 2, 3, "{}", &e), SB_ERR_NO_CREDITS);
    assert_nothing_changed(2);
    /* still held, so it can still be finished */
    OK(sb_meta_job_complete(meta, "job_1", "w1", outs, 2, 2, "{}", &e));
    cr_assert_eq(get_key("key_a").credits, 0);
    cr_assert_eq(get_key("key_a").used, 2);
}

Test(meta, complete_that_fails_late_rolls_back_the_charge)
{
    make_key("key_a", 10);
    make_job("job_1", "key_a", NULL);
    OK(sb_meta_job_claim(meta, "job_1", "w1", 30, &e));
    /* the second output's id repeats the first: the insert fails after the key was charged */
    sb_output_t outs[2] = {{"f_1", "png", 10, now_s() + 60}, {"f_1", "png", 10, now_s() + 60}};
    FAILS(sb_meta_job_complete(meta, "job_1", "w1", outs, 2, 4, "{}", &e), SB_ERR_CONFLICT);
    cr_assert_str_eq(e.field, "file_id");
    assert_nothing_changed(10);
}

Test(meta, complete_by_another_owner_is_a_conflict)
{
    make_key("key_a", 10);
    make_job("job_1", "key_a", NULL);
    make_job("job_2", "key_a", NULL);
    FAILS(complete_simple("job_1", "w1", "f_1", 1), SB_ERR_CONFLICT); /* a queued job */
    OK(sb_meta_job_claim(meta, "job_1", "w1", 30, &e));
    FAILS(complete_simple("job_1", "w2", "f_1", 1), SB_ERR_CONFLICT);
    FAILS(complete_simple("job_nope", "w1", "f_1", 1), SB_ERR_NOT_FOUND);
    FAILS(sb_meta_job_complete(meta, "job_1", "w1", NULL, 1, 1, "{}", &e), SB_ERR_USAGE);
    FAILS(sb_meta_job_complete(meta, "job_1", "w1", NULL, 0, -1, "{}", &e), SB_ERR_USAGE);
    assert_nothing_changed(10);
    /* no outputs and no charge is a valid completion */
    OK(sb_meta_job_complete(meta, "job_1", "w1", NULL, 0, 0, "{}", &e));
    cr_assert_eq(job_state("job_1"), SB_JOB_COMPLETED);
}

Test(meta, fail_records_the_error_without_a_charge)
{
    make_key("key_a", 10);
    make_job("job_1", "key_a", "https://example.com/hook");
    make_job("job_2", "key_a", NULL);
    make_job("job_3", "key_a", NULL);
    OK(sb_meta_job_claim(meta, "job_1", "w1", 30, &e));
    FAILS(sb_meta_job_fail(meta, "job_1", "w2", "{}", &e), SB_ERR_CONFLICT);
    const char *err_json = "{\"code\":\"no_face\",\"message\":\"no face found\",\"field\":\"image\"}";
    OK(sb_meta_job_fail(meta, "job_1", "w1", err_json, &e));
    sb_job_t j = get_job("job_1");
    cr_assert_eq(j.state, SB_JOB_FAILED);
    cr_assert_str_eq(j.error, err_json);
    cr_assert_null(j.result);
    cr_assert_str_eq(j.lease_owner, "");
    cr_assert(j.finished_at >= now_s() - 5);
    cr_assert_eq(j.hook_state, SB_HOOK_PENDING);
    sb_job_clear(&j);
    FAILS(sb_meta_job_fail(meta, "job_1", "w1", "{}", &e), SB_ERR_CONFLICT); /* failed twice */
    FAILS(sb_meta_job_fail(meta, "job_1", NULL, "{}", &e), SB_ERR_CONFLICT); /* a finished job */

    /* owner NULL: recovery fails a queued or a processing job, whoever holds it */
    OK(sb_meta_job_fail(meta, "job_2", NULL, "{}", &e));
    OK(sb_meta_job_claim(meta, "job_3", "w9", 30, &e));
    OK(sb_meta_job_fail(meta, "job_3", NULL, "{}", &e));
    cr_assert_eq(job_state("job_2"), SB_JOB_FAILED);
    cr_assert_eq(job_state("job_3"), SB_JOB_FAILED);
    j = get_job("job_3");
    cr_assert_eq(j.hook_state, SB_HOOK_NONE);
    sb_job_clear(&j);
    FAILS(sb_meta_job_fail(meta, "job_nope", NULL, "{}", &e), SB_ERR_NOT_FOUND);
    sb_key_t k = get_key("key_a");
    cr_assert_eq(k.credits, 10);
    cr_assert_eq(k.used, 0);
}

Test(meta, counts_by_state)
{
    int64_t c[SB_JOB__STATES] = {-1, -1, -1, -1};
    OK(sb_meta_job_counts(meta, c, &e));
    cr_assert(c[0] == 0 && c[1] == 0 && c[2] == 0 && c[3] == 0);
    make_key("key_a", 10);
    for (int i = 0; i < 6; i++) {
        char id[16];
        snprintf(id, sizeof id, "job_%d", i);
        make_job(id, "key_a", NULL);
    }
    OK(sb_meta_job_claim(meta, "job_1", "w", 30, &e));
    OK(sb_meta_job_claim(meta, "job_2", "w", 30, &e));
    OK(complete_simple("job_2", "w", "f_2", 1));
    OK(sb_meta_job_fail(meta, "job_3", NULL, "{}", &e));
    OK(sb_meta_job_fail(meta, "job_4", NULL, "{}", &e));
    OK(sb_meta_job_counts(meta, c, &e));
    cr_assert_eq(c[SB_JOB_QUEUED], 2);
    cr_assert_eq(c[SB_JOB_PROCESSING], 1);
    cr_assert_eq(c[SB_JOB_COMPLETED], 1);
    cr_assert_eq(c[SB_JOB_FAILED], 2);
    cr_assert_str_eq(sb_job_state_name(SB_JOB_QUEUED), "queued");
    cr_assert_str_eq(sb_job_state_name(SB_JOB_PROCESSING), "processing");
    cr_assert_str_eq(sb_job_state_name(SB_JOB_COMPLETED), "completed");
    cr_assert_str_eq(sb_job_state_name(SB_JOB_FAILED), "failed");
    cr_assert_str_eq(sb_job_state_name(SB_JOB__STATES), "unknown");
}

/* ---- webhooks ---- */

static bool collect_job_ids(const sb_job_t *j, void *ctx)
{
    strcat(ctx, j->id);
    strcat(ctx, " ");
    return true;
}

static void assert_due(int64_t now, const char *want)
{
    char ids[256] = "";
    OK(sb_meta_hook_due(meta, now, collect_job_ids, ids, &e));
    cr_assert_str_eq(ids, want, "due at %lld", (long long)now);
}

Test(meta, webhooks_are_due_until_delivered_or_given_up)
{
    make_key("key_a", 10);
    make_job("job_1", "key_a", "https://example.com/1");
    make_job("job_2", "key_a", "https://example.com/2");
    make_job("job_3", "key_a", "https://example.com/3");
    make_job("job_4", "key_a", NULL);
    int64_t now = now_s();
    assert_due(now + 10, "");
    OK(sb_meta_job_claim(meta, "job_1", "w", 30, &e));
    OK(complete_simple("job_1", "w", "f_1", 1));
    OK(sb_meta_job_fail(meta, "job_2", NULL, "{}", &e));
    OK(sb_meta_job_fail(meta, "job_3", NULL, "{}", &e));
    OK(sb_meta_job_fail(meta, "job_4", NULL, "{}", &e));
    assert_due(now - 100, "");
    assert_due(now + 10, "job_1 job_2 job_3 ");

    OK(sb_meta_hook_record(meta, "job_1", true, false, 0, &e));
    OK(sb_meta_hook_record(meta, "job_2", false, false, now + 60, &e));
    OK(sb_meta_hook_record(meta, "job_3", false, true, 0, &e));
    assert_due(now + 10, "");
    assert_due(now + 60, "job_2 ");

    sb_job_t j = get_job("job_1");
    cr_assert_eq(j.hook_state, SB_HOOK_DELIVERED);
    cr_assert_eq(j.hook_attempts, 1);
    sb_job_clear(&j);
    j = get_job("job_2");
    cr_assert_eq(j.hook_state, SB_HOOK_PENDING);
    cr_assert_eq(j.hook_attempts, 1);
    cr_assert_eq(j.hook_next_at, now + 60);
    sb_job_clear(&j);
    j = get_job("job_3");
    cr_assert_eq(j.hook_state, SB_HOOK_FAILED);
    cr_assert_eq(j.hook_attempts, 1);
    cr_assert_eq(j.state, SB_JOB_FAILED, "the job's own state is untouched");
    sb_job_clear(&j);

    OK(sb_meta_hook_record(meta, "job_2", true, false, 0, &e));
    j = get_job("job_2");
    cr_assert_eq(j.hook_state, SB_HOOK_DELIVERED);
    cr_assert_eq(j.hook_attempts, 2);
    sb_job_clear(&j);
    assert_due(now + 1000, "");
    FAILS(sb_meta_hook_record(meta, "job_1", true, false, 0, &e), SB_ERR_CONFLICT); /* already delivered */
    FAILS(sb_meta_hook_record(meta, "job_4", true, false, 0, &e), SB_ERR_CONFLICT); /* no callback_url */
    FAILS(sb_meta_hook_record(meta, "job_nope", true, false, 0, &e), SB_ERR_NOT_FOUND);
}

/* ---- output files ---- */

struct expired_ctx {
    char ids[256];
    bool delete, just_one;
};

static bool on_expired(const sb_file_t *f, void *ctx)
{
    struct expired_ctx *x = ctx;
    strcat(x->ids, f->id);
    strcat(x->ids, " ");
    if (x->delete) {
        sb_error_t de = {0};
        cr_assert_eq(sb_meta_file_delete(meta, f->id, &de), SB_OK, "%s", de.message);
    }
    return !x->just_one;
}

Test(meta, expired_files_are_listed_and_deleted)
{
    make_key("key_a", 10);
    make_job("job_1", "key_a", NULL);
    OK(sb_meta_job_claim(meta, "job_1", "w", 30, &e));
    int64_t now = now_s();
    sb_output_t outs[3] = {
        {"f_new", "png", 1, now + 100}, {"f_old", "png", 1, now - 10}, {"f_mid", "jpg", 1, now - 5}};
    OK(sb_meta_job_complete(meta, "job_1", "w", outs, 3, 1, "{}", &e));

    struct expired_ctx x = {0};
    OK(sb_meta_file_expired(meta, now, 10, on_expired, &x, &e));
    cr_assert_str_eq(x.ids, "f_old f_mid ");
    x = (struct expired_ctx){0};
    OK(sb_meta_file_expired(meta, now, 1, on_expired, &x, &e));
    cr_assert_str_eq(x.ids, "f_old ");
    x = (struct expired_ctx){.just_one = true};
    OK(sb_meta_file_expired(meta, now, 10, on_expired, &x, &e));
    cr_assert_str_eq(x.ids, "f_old ");
    FAILS(sb_meta_file_expired(meta, now, 0, on_expired, &x, &e), SB_ERR_USAGE);

    /* the purge deletes from inside the callback */
    x = (struct expired_ctx){.delete = true};
    OK(sb_meta_file_expired(meta, now, 10, on_expired, &x, &e));
    cr_assert_str_eq(x.ids, "f_old f_mid ");
    x = (struct expired_ctx){0};
    OK(sb_meta_file_expired(meta, now, 10, on_expired, &x, &e));
    cr_assert_str_eq(x.ids, "");
    sb_file_t f;
    FAILS(sb_meta_file_get(meta, "f_old", &f, &e), SB_ERR_NOT_FOUND);
    OK(sb_meta_file_get(meta, "f_new", &f, &e));
    FAILS(sb_meta_file_delete(meta, "f_old", &e), SB_ERR_NOT_FOUND);
}

/* ---- batch items ---- */

typedef struct {
    char text[512];
    int n;
} item_log_t;

/* "idx:state:input:result-or-error " for each item. */
static bool log_item(const sb_batch_item_t *it, void *ctx)
{
    item_log_t *l = ctx;
    size_t n = strlen(l->text);
    snprintf(l->text + n, sizeof l->text - n, "%d:%d:%s:%s ", it->idx, (int)it->state, it->input,
             it->result ? it->result : it->error ? it->error : "-");
    l->n++;
    return true;
}

static const char *items_of(const char *job_id)
{
    static item_log_t l;
    memset(&l, 0, sizeof l);
    OK(sb_meta_batch_items_list(meta, job_id, log_item, &l, &e));
    return l.text;
}

static void make_batch(const char *id, const char *key_id, int n)
{
    sb_job_new_t j = job_new(id, key_id);
    j.pipeline = "avatar_batch";
    OK(sb_meta_job_create(meta, &j, NULL, NULL, &e));
    const char *inputs[] = {"https://example.com/a.jpg", "upload #0", "upload #1", "https://example.com/b.jpg"};
    cr_assert_leq(n, 4);
    OK(sb_meta_batch_items_create(meta, id, n, inputs, &e));
}

static sb_err complete_item(const char *job_id, int idx, const char *owner, const char *file_id, int64_t credits)
{
    sb_output_t out[2] = {{file_id, "png", 100, now_s() + 3600}, {"", "png", 10, now_s() + 3600}};
    char thumb[SB_ID_MAX];
    snprintf(thumb, sizeof thumb, "%s_t", file_id);
    out[1].file_id = thumb;
    return sb_meta_batch_item_complete(meta, job_id, idx, owner, out, 2, credits, "{\"ok\":1}", &e);
}

Test(meta, batch_items_are_created_once_and_listed_in_order)
{
    make_key("key_a", 10);
    make_batch("job_b", "key_a", 3);
    cr_assert_str_eq(items_of("job_b"),
                     "0:0:https://example.com/a.jpg:- 1:0:upload #0:- 2:0:upload #1:- ");
    /* again (a restarted batch): nothing changes, finished items stay finished */
    OK(sb_meta_batch_item_fail(meta, "job_b", 1, "{\"code\":\"no_face\"}", &e));
    const char *other[] = {"x", "y", "z", "w"};
    OK(sb_meta_batch_items_create(meta, "job_b", 4, other, &e));
    cr_assert_str_eq(items_of("job_b"),
                     "0:0:https://example.com/a.jpg:- 1:3:upload #0:{\"code\":\"no_face\"} 2:0:upload #1:- ");
    /* a job without items lists nothing; bad arguments and unknown jobs */
    make_job("job_1", "key_a", NULL);
    cr_assert_str_eq(items_of("job_1"), "");
    FAILS(sb_meta_batch_items_create(meta, "job_b", 0, other, &e), SB_ERR_USAGE);
    FAILS(sb_meta_batch_items_create(meta, "job_nope", 2, other, &e), SB_ERR_NOT_FOUND);
    FAILS(sb_meta_batch_item_fail(meta, "job_b", 7, "{}", &e), SB_ERR_NOT_FOUND);
    FAILS(sb_meta_batch_item_fail(meta, "job_b", 1, "{}", &e), SB_ERR_CONFLICT); /* failed already */
}

Test(meta, a_completed_batch_item_is_charged_exactly_once)
{
    make_key("key_a", 10);
    make_batch("job_b", "key_a", 3);
    FAILS(complete_item("job_b", 0, "w1", "f_0", 1), SB_ERR_CONFLICT); /* the job is not leased */
    OK(sb_meta_job_claim(meta, "job_b", "w1", 30, &e));
    FAILS(complete_item("job_b", 0, "w2", "f_0", 1), SB_ERR_CONFLICT); /* another owner */
    OK(complete_item("job_b", 0, "w1", "f_0", 1));
    OK(complete_item("job_b", 2, "w1", "f_2", 1));
    FAILS(complete_item("job_b", 0, "w1", "f_9", 1), SB_ERR_CONFLICT); /* completed twice: no charge */
    FAILS(complete_item("job_b", 5, "w1", "f_5", 1), SB_ERR_NOT_FOUND);
    OK(sb_meta_batch_item_fail(meta, "job_b", 1, "{}", &e));
    FAILS(complete_item("job_b", 1, "w1", "f_1", 1), SB_ERR_CONFLICT); /* failed: never charged */

    sb_key_t k = get_key("key_a");
    cr_assert_eq(k.credits, 8);
    cr_assert_eq(k.used, 2);
    char usage[256] = "";
    OK(sb_meta_usage_list(meta, "key_a", collect_usage, usage, &e));
    cr_assert_str_eq(usage, "avatar_batch:4:2 ");
    sb_file_t f;
    OK(sb_meta_file_get(meta, "f_2_t", &f, &e));
    cr_assert_str_eq(f.job_id, "job_b");
    cr_assert_str_eq(f.key_id, "key_a");
    cr_assert_eq(raw_int("SELECT count(*) FROM files"), 4);
    cr_assert_str_eq(items_of("job_b"), "0:2:https://example.com/a.jpg:{\"ok\":1} 1:3:upload #0:{} "
                                        "2:2:upload #1:{\"ok\":1} ");
    /* the job itself is still processing, and completes with no outputs and no charge */
    cr_assert_eq(job_state("job_b"), SB_JOB_PROCESSING);
    OK(sb_meta_job_complete(meta, "job_b", "w1", NULL, 0, 0, "{\"total\":3}", &e));
    cr_assert_eq(get_key("key_a").credits, 8);
}

Test(meta, a_batch_item_short_of_credits_changes_nothing)
{
    make_key("key_a", 1);
    make_batch("job_b", "key_a", 2);
    OK(sb_meta_job_claim(meta, "job_b", "w1", 30, &e));
    OK(complete_item("job_b", 0, "w1", "f_0", 1));
    FAILS(complete_item("job_b", 1, "w1", "f_1", 1), SB_ERR_NO_CREDITS);
    cr_assert_eq(get_key("key_a").credits, 0);
    cr_assert_eq(get_key("key_a").used, 1);
    cr_assert_eq(raw_int("SELECT count(*) FROM files"), 2);
    cr_assert_eq(raw_int("SELECT count(*) FROM files WHERE id = 'f_1'"), 0);
    cr_assert_str_eq(items_of("job_b"), "0:2:https://example.com/a.jpg:{\"ok\":1} 1:0:upload #0:- ");
    char usage[256] = "";
    OK(sb_meta_usage_list(meta, "key_a", collect_usage, usage, &e));
    cr_assert_str_eq(usage, "avatar_batch:2:1 ");
    /* still queued, so it can still be failed (or completed once the key has credits) */
    OK(sb_meta_key_add_credits(meta, "key_a", 1, &e));
    OK(complete_item("job_b", 1, "w1", "f_1", 1));
    cr_assert_eq(get_key("key_a").used, 2);
}

/* ---- many threads on one handle ---- */

struct worker {
    char owner[16];
    int64_t charge;
    int completed, failed;
    char error[300];
};

/* Claim and complete jobs until none is left; when credits run out, fail the job instead. */
static void *work(void *arg)
{
    struct worker *w = arg;
    sb_error_t we = {0};
    for (;;) {
        sb_job_t j = {0};
        sb_err err = sb_meta_job_claim_next(meta, w->owner, 60, 5, &j, &we);
        if (err == SB_ERR_NOT_FOUND)
            return NULL;
        if (err)
            goto fail;
        char file_id[SB_ID_MAX + 2];
        snprintf(file_id, sizeof file_id, "f%s", j.id);
        sb_output_t out = {file_id, "png", 100, now_s() + 60};
        err = sb_meta_job_complete(meta, j.id, w->owner, &out, 1, w->charge, "{}", &we);
        if (!err) {
            w->completed++;
        } else if (err == SB_ERR_NO_CREDITS) {
            err = sb_meta_job_fail(meta, j.id, w->owner, "{\"code\":\"insufficient_credits\"}", &we);
            w->failed += !err;
        }
        sb_job_clear(&j);
        if (err)
            goto fail;
    }
fail:
    snprintf(w->error, sizeof w->error, "%s: %s", sb_err_name(we.code), we.message);
    return NULL;
}

static void run_workers(int n_jobs, int64_t charge, struct worker w[4])
{
    for (int i = 0; i < n_jobs; i++) {
        char id[16];
        snprintf(id, sizeof id, "job_%03d", i);
        make_job(id, "key_a", NULL);
    }
    pthread_t t[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (struct worker){.charge = charge};
        snprintf(w[i].owner, sizeof w[i].owner, "w%d", i);
        cr_assert_eq(pthread_create(&t[i], NULL, work, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        cr_assert_str_eq(w[i].error, "", "%s: %s", w[i].owner, w[i].error);
    }
}

Test(meta, four_workers_claim_each_job_once_and_charge_exactly)
{
    make_key("key_a", 1000);
    struct worker w[4];
    run_workers(60, 2, w);
    int done = 0;
    for (int i = 0; i < 4; i++)
        done += w[i].completed;
    cr_assert_eq(done, 60);
    sb_key_t k = get_key("key_a");
    cr_assert_eq(k.credits, 1000 - 120);
    cr_assert_eq(k.used, 120);
    char usage[256] = "";
    OK(sb_meta_usage_list(meta, "key_a", collect_usage, usage, &e));
    cr_assert_str_eq(usage, "headshot:60:120 ");
    int64_t c[SB_JOB__STATES];
    OK(sb_meta_job_counts(meta, c, &e));
    cr_assert_eq(c[SB_JOB_COMPLETED], 60);
    cr_assert_eq(raw_int("SELECT max(attempts) FROM jobs"), 1, "no job was claimed twice");
    cr_assert_eq(raw_int("SELECT count(*) FROM files"), 60);
}

Test(meta, four_workers_never_overspend_a_balance)
{
    make_key("key_a", 10);
    struct worker w[4];
    run_workers(30, 1, w);
    int done = 0, failed = 0;
    for (int i = 0; i < 4; i++) {
        done += w[i].completed;
        failed += w[i].failed;
    }
    cr_assert_eq(done, 10);
    cr_assert_eq(failed, 20);
    sb_key_t k = get_key("key_a");
    cr_assert_eq(k.credits, 0);
    cr_assert_eq(k.used, 10);
    int64_t c[SB_JOB__STATES];
    OK(sb_meta_job_counts(meta, c, &e));
    cr_assert_eq(c[SB_JOB_COMPLETED], 10);
    cr_assert_eq(c[SB_JOB_FAILED], 20);
    cr_assert_eq(raw_int("SELECT count(*) FROM files"), 10, "failed jobs left no file rows");
}

/* ---- blobs ---- */

static sb_blob_t *blob;
static char blob_dir[PATH_MAX + 16];
static const char *s3_endpoint; /* STROBE_TEST_S3, or NULL for the directory */

static void blob_setup(void)
{
    make_temp_dir();
    snprintf(blob_dir, sizeof blob_dir, "%s/files/sub", dir);
    s3_endpoint = getenv("STROBE_TEST_S3");
    if (s3_endpoint && !*s3_endpoint)
        s3_endpoint = NULL;
    char loc[PATH_MAX + 32];
    if (s3_endpoint) {
        static int n;
        snprintf(loc, sizeof loc, "s3://strobe-test/t_%d_%d?endpoint=%s", (int)getpid(), n++, s3_endpoint);
    } else {
        snprintf(loc, sizeof loc, "file:%s", blob_dir);
    }
    OK(sb_blob_open(loc, &blob, &e));
}

/* The tests of the directory driver's own files. */
#define FS_ONLY()                                                                                            \
    do {                                                                                                     \
        if (s3_endpoint)                                                                                     \
            cr_skip_test("the directory driver's own files");                                                \
    } while (0)

static void blob_teardown(void)
{
    sb_blob_close(blob);
    blob = NULL;
    teardown();
}

TestSuite(blob, .init = blob_setup, .fini = blob_teardown);

/* Names in the blob directory that start with a dot: temp files that were left behind. */
static int hidden_files(void)
{
    if (s3_endpoint)
        return 0;
    DIR *d = opendir(blob_dir);
    cr_assert_not_null(d);
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)))
        n += de->d_name[0] == '.' && strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
    closedir(d);
    return n;
}

Test(blob, open_makes_the_directory_private)
{
    FS_ONLY();
    struct stat st;
    cr_assert_eq(stat(blob_dir, &st), 0);
    cr_assert(S_ISDIR(st.st_mode));
    cr_assert_eq(st.st_mode & 0777, 0700, "mode %o", st.st_mode & 0777);
    OK(sb_blob_check_writable(blob, &e));
    cr_assert_eq(hidden_files(), 0, "the probe file is removed");

    sb_blob_t *b = (sb_blob_t *)1;
    FAILS(sb_blob_open("ftp://bucket/prefix", &b, &e), SB_ERR_USAGE);
    cr_assert_null(b);
    FAILS(sb_blob_open("file:", &b, &e), SB_ERR_USAGE);
    char loc[PATH_MAX + 64];
    snprintf(loc, sizeof loc, "file:%s/afile", blob_dir);
    OK(sb_blob_put(blob, "afile", (const uint8_t *)"x", 1, &e));
    FAILS(sb_blob_open(loc, &b, &e), SB_ERR_STORE); /* a file where the directory should be */
    cr_assert_null(b);
    sb_blob_close(NULL);
}

Test(blob, put_get_delete_round_trip)
{
    uint8_t data[5000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 7 + 3);
    OK(sb_blob_put(blob, "f_1.png", data, sizeof data, &e));
    uint8_t *got = NULL;
    size_t len = 0;
    OK(sb_blob_get(blob, "f_1.png", &got, &len, &e));
    cr_assert_eq(len, sizeof data);
    cr_assert_arr_eq(got, data, sizeof data);
    free(got);

    if (!s3_endpoint) {
        struct stat st;
        char path[PATH_MAX * 2];
        snprintf(path, sizeof path, "%s/f_1.png", blob_dir);
        cr_assert_eq(stat(path, &st), 0);
        cr_assert_eq(st.st_mode & 0777, 0600);
    }

    OK(sb_blob_put(blob, "empty", NULL, 0, &e));
    OK(sb_blob_get(blob, "empty", &got, &len, &e));
    cr_assert_eq(len, 0);
    free(got);

    OK(sb_blob_delete(blob, "f_1.png", &e));
    FAILS(sb_blob_get(blob, "f_1.png", &got, &len, &e), SB_ERR_NOT_FOUND);
    cr_assert_null(got);
    cr_assert_eq(len, 0);
    OK(sb_blob_delete(blob, "f_1.png", &e));
    FAILS(sb_blob_get(blob, "never", &got, &len, &e), SB_ERR_NOT_FOUND);
    cr_assert_eq(hidden_files(), 0);
}

Test(blob, put_replaces)
{
    OK(sb_blob_put(blob, "f_1.jpg", (const uint8_t *)"first version", 13, &e));
    OK(sb_blob_put(blob, "f_1.jpg", (const uint8_t *)"second", 6, &e));
    uint8_t *got;
    size_t len;
    OK(sb_blob_get(blob, "f_1.jpg", &got, &len, &e));
    cr_assert_eq(len, 6);
    cr_assert_arr_eq(got, "second", 6);
    free(got);
    cr_assert_eq(hidden_files(), 0);
}

Test(blob, bad_names_are_refused)
{
    const char *bad[] = {
        "",     ".hidden", ".",         "..",
        "a..b", "a/b",     "../x",      "a b",
        "a\\b", "ü.png",   "f_1.png\n", "0123456789012345678901234567890123456789012345678901234567890123x"};
    uint8_t *got;
    size_t len;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        cr_assert_eq(sb_blob_put(blob, bad[i], (const uint8_t *)"x", 1, &e), SB_ERR_USAGE, "put '%s'",
                     bad[i]);
        cr_assert_eq(sb_blob_get(blob, bad[i], &got, &len, &e), SB_ERR_USAGE, "get '%s'", bad[i]);
        cr_assert_eq(sb_blob_delete(blob, bad[i], &e), SB_ERR_USAGE, "delete '%s'", bad[i]);
    }
    FAILS(sb_blob_put(blob, NULL, (const uint8_t *)"x", 1, &e), SB_ERR_USAGE);
    const char *name64 = "0123456789012345678901234567890123456789012345678901234567890123";
    OK(sb_blob_put(blob, name64, (const uint8_t *)"x", 1, &e));
    OK(sb_blob_put(blob, "A-z_0.9", (const uint8_t *)"x", 1, &e));
    OK(sb_blob_get(blob, name64, &got, &len, &e));
    free(got);
}

Test(blob, a_vanished_directory_is_a_store_error)
{
    FS_ONLY();
    OK(sb_blob_put(blob, "f_1.png", (const uint8_t *)"x", 1, &e));
    char path[PATH_MAX * 2];
    snprintf(path, sizeof path, "%s/f_1.png", blob_dir);
    cr_assert_eq(unlink(path), 0);
    cr_assert_eq(rmdir(blob_dir), 0);
    FAILS(sb_blob_check_writable(blob, &e), SB_ERR_STORE);
    FAILS(sb_blob_put(blob, "f_2.png", (const uint8_t *)"x", 1, &e), SB_ERR_STORE);
    uint8_t *got;
    size_t len;
    FAILS(sb_blob_get(blob, "f_1.png", &got, &len, &e), SB_ERR_NOT_FOUND);
}

/* The S3 driver without a server: locations and credentials are checked at open, nothing is sent until
 * a call, and an unreachable endpoint is "store down" (503 + Retry-After to clients), not a failure. */
Test(blob, s3_locations_credentials_and_an_unreachable_endpoint)
{
    sb_blob_t *b = (sb_blob_t *)1;
    cr_assert_eq(setenv("AWS_ACCESS_KEY_ID", "AKIDTEST", 1), 0);
    cr_assert_eq(setenv("AWS_SECRET_ACCESS_KEY", "s3cret-key-never-shown", 1), 0);
    FAILS(sb_blob_open("s3://Bad_Bucket/x", &b, &e), SB_ERR_USAGE);
    cr_assert(strstr(e.message, "bucket"), "%s", e.message);
    FAILS(sb_blob_open("s3://bucket/../x", &b, &e), SB_ERR_USAGE);
    FAILS(sb_blob_open("s3://bucket/x?endpoint=ftp://127.0.0.1:1", &b, &e), SB_ERR_USAGE);
    FAILS(sb_blob_open("s3://bucket/x?endpoint=http://127.0.0.1:1&addressing=sideways", &b, &e), SB_ERR_USAGE);
    OK(sb_blob_open("s3://bucket/x/?endpoint=http://127.0.0.1:1&region=eu-west-1", &b, &e));
    FAILS(sb_blob_put(b, "f_1.png", (const uint8_t *)"x", 1, &e), SB_ERR_STORE_DOWN);
    cr_assert(strstr(e.message, "s3://bucket/x/f_1.png"), "%s", e.message);
    cr_assert_null(strstr(e.message, "s3cret"), "%s", e.message);
    uint8_t *got;
    size_t len;
    FAILS(sb_blob_get(b, "f_1.png", &got, &len, &e), SB_ERR_STORE_DOWN);
    FAILS(sb_blob_check_writable(b, &e), SB_ERR_STORE_DOWN);
    FAILS(sb_blob_put(b, "../x", (const uint8_t *)"x", 1, &e), SB_ERR_USAGE);
    sb_blob_close(b);
    cr_assert_eq(unsetenv("AWS_SECRET_ACCESS_KEY"), 0);
    b = (sb_blob_t *)1;
    FAILS(sb_blob_open("s3://bucket/x?endpoint=http://127.0.0.1:1", &b, &e), SB_ERR_USAGE);
    cr_assert(strstr(e.message, "AWS_SECRET_ACCESS_KEY"), "%s", e.message);
    cr_assert_null(b);
}

/* Against the real S3 server: an access key it does not know is refused with S3's code in the message. */
Test(blob, s3_an_unknown_access_key_is_refused)
{
    if (!s3_endpoint)
        cr_skip_test("needs STROBE_TEST_S3 (see test_shared_stores)");
    char saved[128];
    snprintf(saved, sizeof saved, "%s", getenv("AWS_ACCESS_KEY_ID") ? getenv("AWS_ACCESS_KEY_ID") : "");
    cr_assert_eq(setenv("AWS_ACCESS_KEY_ID", "NOT-A-KNOWN-KEY", 1), 0);
    char loc[256];
    snprintf(loc, sizeof loc, "s3://strobe-test/wrong?endpoint=%s", s3_endpoint);
    sb_blob_t *b;
    OK(sb_blob_open(loc, &b, &e));
    FAILS(sb_blob_put(b, "f_1.png", (const uint8_t *)"x", 1, &e), SB_ERR_STORE);
    cr_assert(strstr(e.message, "InvalidAccessKeyId"), "%s", e.message);
    sb_blob_close(b);
    cr_assert_eq(setenv("AWS_ACCESS_KEY_ID", saved, 1), 0);
}

#define BIG (256 * 1024)

/* Writers put all-'A' or all-'B' versions of one blob; readers must only ever see one whole version. */
static void *blob_writer(void *arg)
{
    uint8_t *buf = malloc(BIG);
    sb_error_t we = {0};
    for (int i = 0; i < 40; i++) {
        memset(buf, (i + (int)(intptr_t)arg) % 2 ? 'A' : 'B', BIG);
        if (sb_blob_put(blob, "shared.png", buf, BIG, &we)) {
            free(buf);
            return strdup(we.message);
        }
    }
    free(buf);
    return NULL;
}

static void *blob_reader(void *arg)
{
    sb_error_t re = {0};
    for (int i = 0; i < 80; i++) {
        uint8_t *got;
        size_t len;
        if (sb_blob_get(blob, "shared.png", &got, &len, &re))
            return strdup(re.message);
        bool whole = len == BIG && (got[0] == 'A' || got[0] == 'B');
        for (size_t k = 1; whole && k < len; k++)
            whole = got[k] == got[0];
        free(got);
        if (!whole)
            return strdup("saw a torn blob");
    }
    return NULL;
}

Test(blob, readers_never_see_a_partial_put)
{
    /* S3 itself makes a PUT visible whole; s3rver writes the object in place, so a reader racing a
     * writer can get a cut body there (seen: "Transferred a partial file"). The property is tested on the
     * directory driver, whose rename provides it. */
    FS_ONLY();
    uint8_t *buf = calloc(1, BIG);
    memset(buf, 'A', BIG);
    OK(sb_blob_put(blob, "shared.png", buf, BIG, &e));
    free(buf);
    pthread_t t[4];
    for (intptr_t i = 0; i < 4; i++)
        cr_assert_eq(pthread_create(&t[i], NULL, i < 2 ? blob_writer : blob_reader, (void *)i), 0);
    for (int i = 0; i < 4; i++) {
        void *msg;
        pthread_join(t[i], &msg);
        cr_assert_null(msg, "thread %d: %s", i, (char *)msg);
    }
    cr_assert_eq(hidden_files(), 0);
}

/* ---- portrait templates ---- */

static sb_key_template_t template_of(const char *key_id, const char *name, const char *prompt, int64_t seed)
{
    sb_key_template_t t = {.seed = seed};
    snprintf(t.key_id, sizeof t.key_id, "%s", key_id);
    snprintf(t.name, sizeof t.name, "%s", name);
    snprintf(t.prompt, sizeof t.prompt, "%s", prompt);
    return t;
}

typedef struct {
    char names[8][SB_TEMPLATE_NAME_MAX];
    int n, stop_after;
} template_names_t;

static bool collect_template(const sb_key_template_t *t, void *ctx)
{
    template_names_t *c = ctx;
    snprintf(c->names[c->n++], sizeof c->names[0], "%s", t->name);
    return c->n != c->stop_after;
}

Test(meta, templates_round_trip_replace_and_delete)
{
    make_key("key_a", 0);
    sb_key_template_t t = template_of("key_a", "team-blue", "studio light, blue background", 42);
    snprintf(t.description, sizeof t.description, "the team page");
    bool replaced = true;
    int64_t before = now_s();
    OK(sb_meta_template_put(meta, &t, 500, &replaced, &e));
    cr_assert_not(replaced);
    sb_key_template_t got;
    OK(sb_meta_template_get(meta, "key_a", "team-blue", &got, &e));
    cr_assert_str_eq(got.prompt, "studio light, blue background");
    cr_assert_str_eq(got.description, "the team page");
    cr_assert_eq(got.seed, 42);
    cr_assert(got.created_at >= before && got.updated_at == got.created_at);

    /* the same name again replaces it */
    t = template_of("key_a", "team-blue", "anime, neon", 4294967295LL);
    OK(sb_meta_template_put(meta, &t, 500, &replaced, &e));
    cr_assert(replaced);
    OK(sb_meta_template_get(meta, "key_a", "team-blue", &got, &e));
    cr_assert_str_eq(got.prompt, "anime, neon");
    cr_assert_str_eq(got.description, "");
    cr_assert_eq(got.seed, 4294967295LL);
    cr_assert_eq(raw_int("SELECT count(*) FROM templates"), 1);

    OK(sb_meta_template_delete(meta, "key_a", "team-blue", &e));
    FAILS(sb_meta_template_get(meta, "key_a", "team-blue", &got, &e), SB_ERR_NOT_FOUND);
    FAILS(sb_meta_template_delete(meta, "key_a", "team-blue", &e), SB_ERR_NOT_FOUND);
}

Test(meta, templates_of_one_key_are_invisible_to_another)
{
    make_key("key_a", 0);
    make_key("key_b", 0);
    sb_key_template_t t = template_of("key_a", "mine", "warm", 7);
    OK(sb_meta_template_put(meta, &t, 500, NULL, &e));
    sb_key_template_t got;
    FAILS(sb_meta_template_get(meta, "key_b", "mine", &got, &e), SB_ERR_NOT_FOUND);
    FAILS(sb_meta_template_delete(meta, "key_b", "mine", &e), SB_ERR_NOT_FOUND);
    template_names_t names = {0};
    OK(sb_meta_template_list(meta, "key_b", collect_template, &names, &e));
    cr_assert_eq(names.n, 0);
    /* key_b may use the same name for its own */
    t = template_of("key_b", "mine", "cool", 8);
    OK(sb_meta_template_put(meta, &t, 500, NULL, &e));
    OK(sb_meta_template_get(meta, "key_a", "mine", &got, &e));
    cr_assert_str_eq(got.prompt, "warm");
    t = template_of("key_nobody", "x", "warm", 1);
    FAILS(sb_meta_template_put(meta, &t, 500, NULL, &e), SB_ERR_NOT_FOUND);
}

Test(meta, templates_list_by_name_and_stop_early)
{
    make_key("key_a", 0);
    const char *order[] = {"charlie", "alpha", "bravo"};
    for (int i = 0; i < 3; i++) {
        sb_key_template_t t = template_of("key_a", order[i], "", i + 1);
        OK(sb_meta_template_put(meta, &t, 500, NULL, &e));
    }
    template_names_t names = {0};
    OK(sb_meta_template_list(meta, "key_a", collect_template, &names, &e));
    cr_assert_eq(names.n, 3);
    cr_assert_str_eq(names.names[0], "alpha");
    cr_assert_str_eq(names.names[1], "bravo");
    cr_assert_str_eq(names.names[2], "charlie");
    template_names_t first = {.stop_after = 1};
    OK(sb_meta_template_list(meta, "key_a", collect_template, &first, &e));
    cr_assert_eq(first.n, 1);
}

Test(meta, templates_are_capped_per_key_and_checked)
{
    make_key("key_a", 0);
    make_key("key_b", 0);
    for (int i = 0; i < 3; i++) {
        char name[16];
        snprintf(name, sizeof name, "t%d", i);
        sb_key_template_t t = template_of("key_a", name, "warm", 1);
        OK(sb_meta_template_put(meta, &t, 3, NULL, &e));
    }
    sb_key_template_t t = template_of("key_a", "t3", "warm", 1);
    FAILS(sb_meta_template_put(meta, &t, 3, NULL, &e), SB_ERR_USAGE);
    cr_assert_str_eq(e.field, "name");
    cr_assert(strstr(e.message, "3 templates"), "%s", e.message);
    /* replacing one at the cap is fine; another key has its own cap */
    t = template_of("key_a", "t1", "cool", 2);
    OK(sb_meta_template_put(meta, &t, 3, NULL, &e));
    t = template_of("key_b", "t3", "warm", 1);
    OK(sb_meta_template_put(meta, &t, 3, NULL, &e));

    t = template_of("key_a", "", "warm", 1);
    FAILS(sb_meta_template_put(meta, &t, 500, NULL, &e), SB_ERR_USAGE);
    cr_assert_str_eq(e.field, "name");
    t = template_of("key_a", "zero-seed", "warm", 0);
    FAILS(sb_meta_template_put(meta, &t, 500, NULL, &e), SB_ERR_USAGE);
    cr_assert_str_eq(e.field, "seed");
    cr_assert_eq(raw_int("SELECT count(*) FROM templates WHERE key_id = 'key_a'"), 3);
}
