/* clock.h - the two clocks the service needs. Thread-safe, no state. */
#ifndef SB_CLOCK_H
#define SB_CLOCK_H

#include <pthread.h>
#include <stdint.h>

/* Monotonic microseconds, for durations and deadlines (never goes back). */
int64_t sb_clock_us(void);

/* Wall-clock Unix seconds, for stored times and expiries. */
int64_t sb_clock_unix(void);

/* pthread_cond_timedwait on `cv` (with `mu` held, as it requires) for at most `ms` milliseconds from now;
 * returns its result (0, or ETIMEDOUT). */
int sb_clock_cond_wait_ms(pthread_cond_t *cv, pthread_mutex_t *mu, int ms);

#endif
