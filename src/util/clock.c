/* clock.c - monotonic microseconds and Unix seconds. */
#include "util/clock.h"

#include <time.h>

int64_t sb_clock_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t sb_clock_unix(void)
{
    return (int64_t)time(NULL);
}
