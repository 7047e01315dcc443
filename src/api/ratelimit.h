/* ratelimit.h - a token bucket per API key: `burst` tokens, refilled at `rate` per second; each
 * request takes one. In memory, per process; or, when the metadata store is shared by a fleet, in that
 * store (GCRA, sb_meta_rate_take: one atomic statement per request), so a key's limit is the fleet's,
 * whichever node a request reaches. Thread-safe. */
#ifndef SB_API_RATELIMIT_H
#define SB_API_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

typedef struct sb_ratelimit sb_ratelimit_t;

typedef struct {
    bool allowed;
    int limit;          /* the burst size: RateLimit-Limit */
    int remaining;      /* whole tokens left after this request: RateLimit-Remaining */
    int reset_s;        /* seconds until the bucket is full again: RateLimit-Reset */
    int retry_after_s;  /* when refused: seconds until one token is back */
} sb_ratelimit_result_t;

/* A new limiter, or NULL when out of memory. rate_per_s <= 0 disables limiting (always allowed). */
sb_ratelimit_t *sb_ratelimit_new(double rate_per_s, int burst);
/* A limiter whose buckets live in the shared store `meta` (borrowed: it must outlive the limiter), or
 * NULL when out of memory. The times passed to sb_ratelimit_take are then ignored for the wall clock. */
sb_ratelimit_t *sb_ratelimit_new_shared(sb_meta_t *meta, double rate_per_s, int burst);
void sb_ratelimit_free(sb_ratelimit_t *rl); /* NULL-safe */

/* Take one token from `key_id`'s bucket at monotonic time `now_us`. */
sb_ratelimit_result_t sb_ratelimit_take(sb_ratelimit_t *rl, const char *key_id, int64_t now_us);

#endif
