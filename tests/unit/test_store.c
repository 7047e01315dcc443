/* test_store.c - the metadata store on a real SQLite file, a fresh temp directory per test: opening,
 * locking, the schema and its migrations (SQLite's own tests skip on PostgreSQL, PostgreSQL's schema
 * tests run there only), API keys and credits, portrait templates.
 *
 * With STROBE_TEST_PG set (a PostgreSQL admin URL) the same tests run on PostgreSQL, each in a fresh
 * database (tests/store_fixture.h); tests/integration/test_shared_stores.c runs this binary so. */
#include "store_fixture.h"

TestSuite(meta, .init = meta_setup, .fini = teardown);

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
