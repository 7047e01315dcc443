/* test_on_postgres.c - the metadata store's suite and the HTTP API's suites (server, jobs and HTTP
 * hardening, inputs, portrait, product), run again against a real
 * PostgreSQL 15 instead of SQLite: each test here starts a throw-away cluster (tests/pg_harness.h), runs
 * one test binary with STROBE_TEST_PG pointing at it (test_store then opens a fresh database per test;
 * the API suites' harness gives each test's server one, through STROBE_META), and fails on any failing
 * test of that binary. Skips when PostgreSQL's server binaries are not installed. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_harness.h"
#include "testutil.h"

static tu_pg_t pg;

static void stop(void)
{
    tu_pg_stop(&pg);
}

TestSuite(on_postgres, .fini = stop, .timeout = 1200);

/* Run `binary` (a Criterion test binary) against a fresh cluster; assert none of its tests failed, at
 * least `min_ran` ran (not skipped), and at most `max_skipped` skipped. */
static void run_on_postgres(const char *binary, int min_ran, int max_skipped)
{
    bool missing;
    char why[512];
    if (!tu_pg_start(&pg, &missing, why, sizeof why)) {
        if (missing)
            cr_skip_test("%s", why);
        cr_assert_fail("%s", why);
    }
    char tap[128], cmd[1024];
    snprintf(tap, sizeof tap, "%s/suite.tap", pg.dir);
    /* env -u: BXFI_MAP marks this process as a Criterion worker; the suite must start as a runner. */
    snprintf(cmd, sizeof cmd, "env -u BXFI_MAP STROBE_TEST_PG='%s' %s --jobs=2 --tap='%s' >/dev/null 2>'%s/suite.err'",
             pg.url, binary, tap, pg.dir);
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
    cr_assert_eq(failed, 0, "%d tests of %s failed on PostgreSQL:\n%s", failed, binary, failures);
    cr_assert_eq(rc, 0, "%s exited %d", binary, rc);
    cr_assert_geq(ok - skipped, min_ran, "only %d tests of %s ran on PostgreSQL (%d skipped)", ok - skipped, binary,
                  skipped);
    cr_assert_leq(skipped, max_skipped, "%d tests of %s skipped on PostgreSQL", skipped, binary);
}

/* Only SQLite's own tests skip there (its file, lock and migrations). */
Test(on_postgres, store_suite)
{
    run_on_postgres("build/tests/unit/test_store", 40, 5);
}

Test(on_postgres, server_suite)
{
    char models[1024];
    TU_SHARED_PATH_OR_SKIP(models, "models");
    run_on_postgres("build/tests/integration/test_server", 30, 0);
}

Test(on_postgres, jobs_hardening_suite)
{
    char models[1024];
    TU_SHARED_PATH_OR_SKIP(models, "models");
    run_on_postgres("build/tests/integration/test_jobs_hardening", 3, 0);
}

Test(on_postgres, input_api_suite)
{
    char models[1024];
    TU_SHARED_PATH_OR_SKIP(models, "models");
    run_on_postgres("build/tests/integration/test_input_api", 5, 0);
}

Test(on_postgres, http_hardening_suite)
{
    char models[1024];
    TU_SHARED_PATH_OR_SKIP(models, "models");
    run_on_postgres("build/tests/integration/test_http_hardening", 6, 0);
}

Test(on_postgres, portrait_api_suite)
{
    char models[1024];
    TU_SHARED_PATH_OR_SKIP(models, "models");
    run_on_postgres("build/tests/integration/test_portrait_api", 7, 0);
}

Test(on_postgres, product_api_suite)
{
    char models[1024];
    TU_SHARED_PATH_OR_SKIP(models, "models");
    run_on_postgres("build/tests/integration/test_product_api", 7, 0);
}
