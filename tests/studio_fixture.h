/* studio_fixture.h - the in-process tests' shared fixture: one sb_studio_t (every net loaded once) per
 * test process, opened by `setup` and closed by `teardown`; declare the suite with
 * `TestSuite(name, .init = setup, .fini = teardown)`. Include once per test file. */
#ifndef SB_TESTS_STUDIO_FIXTURE_H
#define SB_TESTS_STUDIO_FIXTURE_H

#include <criterion/criterion.h>

#include "image/io.h"
#include "pipeline/studio.h"
#include "strobe.h"
#include "testutil.h"

static sb_studio_t *studio;

static void setup(void)
{
    sb_error_t e = {0};
    cr_assert_eq(sb_io_init(NULL, &e), SB_OK, "%s", e.message);
    cr_assert_eq(sb_studio_open(&studio, &e), SB_OK, "%s", e.message);
}

static void teardown(void)
{
    sb_studio_close(studio);
}

/* The default headshot of the shared photo `rel` (skipping the test without ../shared) into *r (freed by
 * the caller on SB_OK); its error. */
static inline sb_err headshot_of(const char *rel, sb_headshot_result_t *r, sb_error_t *e)
{
    size_t len;
    uint8_t *buf = tu_read_shared(rel, &len);
    sb_headshot_opts_t o = {0};
    sb_err err = sb_headshot(studio, buf, len, &o, r, e);
    free(buf);
    return err;
}

#endif
