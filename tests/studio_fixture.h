/* studio_fixture.h - the in-process tests' shared fixture: one sb_studio_t (every net loaded once) per
 * test process, opened by `setup` and closed by `teardown`; declare the suite with
 * `TestSuite(name, .init = setup, .fini = teardown)`. Include once per test file. */
#ifndef SB_TESTS_STUDIO_FIXTURE_H
#define SB_TESTS_STUDIO_FIXTURE_H

#include <criterion/criterion.h>

#include "image/io.h"
#include "pipeline/studio.h"

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

#endif
