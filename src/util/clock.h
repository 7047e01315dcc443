/* clock.h - the two clocks the service needs. Thread-safe, no state. */
#ifndef SB_CLOCK_H
#define SB_CLOCK_H

#include <stdint.h>

/* Monotonic microseconds, for durations and deadlines (never goes back). */
int64_t sb_clock_us(void);

/* Wall-clock Unix seconds, for stored times and expiries. */
int64_t sb_clock_unix(void);

#endif
