/* test_pool.c - jobs/pool.c with trim_when_idle: a pool that has just gone idle waits (TRIM_IDLE_MS, 2 s)
 * before it gives the heap back; meanwhile a new task runs at once and a stop does not wait for the trim. */
#include <criterion/criterion.h>
#include <stdatomic.h>
#include <unistd.h>

#include "jobs/pool.h"
#include "util/clock.h"

static void count(void *arg, void *tctx)
{
    (void)tctx;
    atomic_fetch_add((atomic_int *)arg, 1);
}

/* Wait up to 5 s for *n to reach `want`; the microseconds it took. */
static int64_t wait_for(atomic_int *n, int want)
{
    int64_t t0 = sb_clock_us();
    while (atomic_load(n) < want && sb_clock_us() - t0 < 5000000)
        usleep(1000);
    cr_assert_eq(atomic_load(n), want, "%d of %d tasks ran within 5 s", atomic_load(n), want);
    return sb_clock_us() - t0;
}

static sb_pool_t *start(void)
{
    sb_pool_config_t cfg = {.name = "test", .threads = 2, .queue_max = 8, .trim_when_idle = true};
    sb_pool_t *p = NULL;
    sb_error_t e = {0};
    cr_assert_eq(sb_pool_start(&cfg, &p, &e), SB_OK, "%s", e.message);
    return p;
}

Test(pool, a_task_submitted_while_a_trim_is_due_runs_at_once)
{
    static atomic_int n;
    sb_pool_t *p = start();
    sb_error_t e = {0};
    cr_assert_eq(sb_pool_submit(p, count, &n, &e), SB_OK);
    wait_for(&n, 1);
    usleep(100000); /* idle: the trim is due in about 1.9 s */
    cr_assert_eq(sb_pool_submit(p, count, &n, &e), SB_OK);
    int64_t us = wait_for(&n, 2);
    cr_assert_lt(us, 1000000, "the task waited %lld us behind the pending trim", (long long)us);
    sb_pool_stop(p);
}

Test(pool, stops_without_waiting_for_a_pending_trim)
{
    static atomic_int n;
    sb_pool_t *p = start();
    sb_error_t e = {0};
    cr_assert_eq(sb_pool_submit(p, count, &n, &e), SB_OK);
    wait_for(&n, 1);
    int64_t t0 = sb_clock_us();
    sb_pool_stop(p);
    int64_t us = sb_clock_us() - t0;
    cr_assert_lt(us, 1000000, "the stop took %lld us", (long long)us);
}

Test(pool, stays_usable_after_the_idle_trim)
{
    static atomic_int n;
    sb_pool_t *p = start();
    sb_error_t e = {0};
    cr_assert_eq(sb_pool_submit(p, count, &n, &e), SB_OK);
    wait_for(&n, 1);
    usleep(2300000); /* past the trim */
    for (int i = 0; i < 4; i++)
        cr_assert_eq(sb_pool_submit(p, count, &n, &e), SB_OK);
    wait_for(&n, 5);
    cr_assert_eq(sb_pool_running(p) + sb_pool_waiting(p), 0);
    sb_pool_stop(p);
}
