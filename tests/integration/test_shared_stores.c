/* test_shared_stores.c - the store's suite and the HTTP API's suites (server requests, accounts and
 * operations; avatars, their input cache and batches; custom styles; jobs and HTTP hardening; inputs;
 * portrait; product and its outputs; remove.bg; legacy specs; the examples) run again on the scale-out stores: PostgreSQL 15
 * for the metadata instead of SQLite, and an S3 server (s3rver) for the blobs instead of a directory. Each
 * test here starts a throw-away cluster (tests/pg_harness.h) and s3rver (tests/s3_harness.h), runs one test
 * binary with STROBE_TEST_PG and STROBE_TEST_S3 pointing at them (test_store then uses a fresh database and
 * prefix per test; the API suites' harness gives each test's server its own, through STROBE_META and
 * STROBE_BLOBS), and fails on any failing test of that binary. Skips when PostgreSQL's server binaries, node
 * or s3rver are not installed (scripts/bootstrap.sh and scripts/s3rver.sh install them). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_harness.h"
#include "s3_harness.h"
#include "testutil.h"

static tu_pg_t pg;
static tu_s3_t s3;

static void stop(void)
{
    tu_pg_stop(&pg);
    tu_s3_stop(&s3);
}

TestSuite(shared_stores, .fini = stop, .timeout = 1200);

/* Run `binary` (a Criterion test binary) against a fresh cluster and S3 server; assert none of its tests
 * failed, at least `min_ran` ran (not skipped), and at most `max_skipped` skipped. */
static void run_on_shared_stores(const char *binary, int min_ran, int max_skipped)
{
    bool missing;
    char why[512];
    if (!tu_s3_start(&s3, &missing, why, sizeof why) || !tu_pg_start(&pg, &missing, why, sizeof why)) {
        if (missing)
            cr_skip_test("%s", why);
        cr_assert_fail("%s", why);
    }
    char tap[128], cmd[1024];
    snprintf(tap, sizeof tap, "%s/suite.tap", pg.dir);
    /* env -u: BXFI_MAP marks this process as a Criterion worker; the suite must start as a runner. */
    snprintf(cmd, sizeof cmd,
             "env -u BXFI_MAP STROBE_TEST_PG='%s' STROBE_TEST_S3='%s' STROBE_TEST_S3_DIR='%s' "
             "AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER %s --jobs=2 --tap='%s' >/dev/null "
             "2>'%s/suite.err'",
             pg.url, s3.endpoint, s3.dir, binary, tap, pg.dir);
    int rc = system(cmd);
    FILE *f = fopen(tap, "r");
    cr_assert_not_null(f, "no TAP output from %s (exit %d)", binary, rc);
    int ok = 0, skipped = 0, failed = 0;
    char line[1024], failures[4096] = "";
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "not ok", 6) == 0) {
            failed++;
            strncat(failures, line, sizeof failures - strlen(failures) - 1);
        } else if (strncmp(line, "ok", 2) == 0) {
            ok++;
            skipped += strstr(line, "# SKIP") != NULL;
        }
    }
    fclose(f);
    /* The suite's own report (which assertion, with its message) goes with a failure. */
    char err_path[160], err_tail[3000] = "";
    snprintf(err_path, sizeof err_path, "%s/suite.err", pg.dir);
    FILE *ef = fopen(err_path, "r");
    if (ef) {
        char all[65536];
        size_t n = fread(all, 1, sizeof all - 1, ef);
        all[n] = '\0';
        fclose(ef);
        snprintf(err_tail, sizeof err_tail, "%s", all + (n > sizeof err_tail - 1 ? n - (sizeof err_tail - 1) : 0));
    }
    cr_assert_eq(failed, 0, "%d tests of %s failed on PostgreSQL + S3:\n%s\n%s", failed, binary, failures, err_tail);
    cr_assert_eq(rc, 0, "%s exited %d", binary, rc);
    cr_assert_geq(ok - skipped, min_ran, "only %d tests of %s ran on PostgreSQL + S3 (%d skipped)", ok - skipped, binary,
                  skipped);
    cr_assert_leq(skipped, max_skipped, "%d tests of %s skipped on PostgreSQL + S3", skipped, binary);
}

/* The store's suites: only SQLite's own tests (its file, lock and migrations) and the directory driver's
 * skip there. */
Test(shared_stores, store_suite)
{
    run_on_shared_stores("build/tests/unit/test_store", 12, 6);
}

Test(shared_stores, store_jobs_suite)
{
    run_on_shared_stores("build/tests/unit/test_store_jobs", 17, 0);
}

Test(shared_stores, store_charges_suite)
{
    run_on_shared_stores("build/tests/unit/test_store_charges", 13, 0);
}

Test(shared_stores, store_blob_suite)
{
    run_on_shared_stores("build/tests/unit/test_store_blob", 5, 3);
}

/* An API suite: it needs the models, then runs as run_on_shared_stores does. */
static void run_api_suite(const char *binary, int min_ran, int max_skipped)
{
    char models[1024];
    TU_SHARED_PATH_OR_SKIP(models, "models");
    run_on_shared_stores(binary, min_ran, max_skipped);
}

Test(shared_stores, server_suite)
{
    run_api_suite("build/tests/integration/test_server", 7, 0);
}

Test(shared_stores, server_accounts_suite)
{
    run_api_suite("build/tests/integration/test_server_accounts", 4, 0);
}

Test(shared_stores, server_ops_suite)
{
    run_api_suite("build/tests/integration/test_server_ops", 6, 0);
}

Test(shared_stores, avatar_api_suite)
{
    run_api_suite("build/tests/integration/test_avatar_api", 6, 0);
}

Test(shared_stores, avatar_cache_suite)
{
    run_api_suite("build/tests/integration/test_avatar_cache", 4, 0);
}

Test(shared_stores, avatar_batch_suite)
{
    run_api_suite("build/tests/integration/test_avatar_batch", 4, 0);
}

Test(shared_stores, custom_styles_suite)
{
    run_api_suite("build/tests/integration/test_custom_styles", 2, 0);
}

Test(shared_stores, jobs_hardening_suite)
{
    run_api_suite("build/tests/integration/test_jobs_hardening", 3, 0);
}

Test(shared_stores, input_api_suite)
{
    run_api_suite("build/tests/integration/test_input_api", 5, 0);
}

Test(shared_stores, http_hardening_suite)
{
    run_api_suite("build/tests/integration/test_http_hardening", 4, 0);
}

Test(shared_stores, http_limits_suite)
{
    run_api_suite("build/tests/integration/test_http_limits", 3, 0);
}

Test(shared_stores, portrait_api_suite)
{
    run_api_suite("build/tests/integration/test_portrait_api", 5, 0);
}

Test(shared_stores, portrait_templates_suite)
{
    run_api_suite("build/tests/integration/test_portrait_templates", 2, 0);
}

Test(shared_stores, product_api_suite)
{
    run_api_suite("build/tests/integration/test_product_api", 7, 0);
}

Test(shared_stores, product_outputs_api_suite)
{
    run_api_suite("build/tests/integration/test_product_outputs_api", 8, 0);
}

Test(shared_stores, removebg_suite)
{
    run_api_suite("build/tests/integration/test_removebg", 4, 0);
}

Test(shared_stores, legacy_spec_suite)
{
    run_api_suite("build/tests/integration/test_legacy_spec", 1, 0);
}

Test(shared_stores, examples_suite)
{
    run_api_suite("build/tests/integration/test_examples", 1, 2);
}
