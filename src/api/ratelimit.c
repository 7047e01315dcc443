/* ratelimit.c - token buckets in a small chained hash table keyed by key id (buckets are never dropped:
 * there is one per API key, and keys are few), or, for a fleet, each key's GCRA state in the shared store
 * (sb_meta_rate_take). */
#include "api/ratelimit.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BUCKETS 256

typedef struct bucket {
    char key[48];
    double tokens;
    int64_t t_us;
    struct bucket *next;
} bucket_t;

struct sb_ratelimit {
    double rate;
    int burst;
    sb_meta_t *shared;  /* the fleet's store, or NULL for this process's buckets */
    pthread_mutex_t mu;
    bucket_t *table[BUCKETS];
};

sb_ratelimit_t *sb_ratelimit_new(double rate_per_s, int burst)
{
    sb_ratelimit_t *rl = calloc(1, sizeof *rl);
    if (!rl)
        return NULL;
    rl->rate = rate_per_s;
    rl->burst = burst < 1 ? 1 : burst;
    pthread_mutex_init(&rl->mu, NULL);
    return rl;
}

void sb_ratelimit_free(sb_ratelimit_t *rl)
{
    if (!rl)
        return;
    for (int i = 0; i < BUCKETS; i++)
        for (bucket_t *b = rl->table[i], *n; b; b = n) {
            n = b->next;
            free(b);
        }
    pthread_mutex_destroy(&rl->mu);
    free(rl);
}

sb_ratelimit_t *sb_ratelimit_new_shared(sb_meta_t *meta, double rate_per_s, int burst)
{
    sb_ratelimit_t *rl = sb_ratelimit_new(rate_per_s, burst);
    if (rl)
        rl->shared = meta;
    return rl;
}

/* The shared limit: one atomic statement on the store, on the wall clock (the one every node shares).
 * A store that cannot answer lets the request through: the limit protects the fleet, and a store that
 * is down fails the request soon enough with its own 503. */
static sb_ratelimit_result_t take_shared(sb_ratelimit_t *rl, const char *key_id)
{
    sb_ratelimit_result_t r = {.allowed = true, .limit = rl->burst, .remaining = rl->burst};
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t now = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
    int64_t interval = (int64_t)(1e6 / rl->rate + 0.5), tat = now;
    if (interval < 1)
        interval = 1;
    sb_error_t e;
    if (sb_meta_rate_take(rl->shared, key_id, now, interval, rl->burst, &r.allowed, &tat, &e) != SB_OK) {
        r.allowed = true;
        return r;
    }
    double ahead = (double)(tat - now); /* microseconds of tokens in use */
    r.remaining = (int)floor(((double)rl->burst * (double)interval - ahead) / (double)interval);
    if (r.remaining < 0)
        r.remaining = 0;
    r.reset_s = (int)ceil(ahead / 1e6);
    if (!r.allowed) {
        r.retry_after_s = (int)ceil((ahead + (double)interval - (double)rl->burst * (double)interval) / 1e6);
        if (r.retry_after_s < 1)
            r.retry_after_s = 1;
    }
    return r;
}

static unsigned hash(const char *s)
{
    unsigned h = 2166136261u;
    while (*s)
        h = (h ^ (unsigned char)*s++) * 16777619u;
    return h % BUCKETS;
}

sb_ratelimit_result_t sb_ratelimit_take(sb_ratelimit_t *rl, const char *key_id, int64_t now_us)
{
    sb_ratelimit_result_t r = {.allowed = true, .limit = rl->burst, .remaining = rl->burst};
    if (rl->rate <= 0)
        return r;
    if (rl->shared)
        return take_shared(rl, key_id);
    pthread_mutex_lock(&rl->mu);
    unsigned h = hash(key_id);
    bucket_t *b = rl->table[h];
    while (b && strcmp(b->key, key_id))
        b = b->next;
    if (!b && (b = calloc(1, sizeof *b))) {
        strncpy(b->key, key_id, sizeof b->key - 1);
        b->tokens = rl->burst;
        b->t_us = now_us;
        b->next = rl->table[h];
        rl->table[h] = b;
    }
    if (b) {
        b->tokens = fmin(rl->burst, b->tokens + (double)(now_us - b->t_us) / 1e6 * rl->rate);
        b->t_us = now_us;
        r.allowed = b->tokens >= 1.0;
        if (r.allowed)
            b->tokens -= 1.0;
        r.remaining = (int)floor(b->tokens);
        r.reset_s = (int)ceil((rl->burst - b->tokens) / rl->rate);
        r.retry_after_s = r.allowed ? 0 : (int)ceil((1.0 - b->tokens) / rl->rate);
        if (!r.allowed && r.retry_after_s < 1)
            r.retry_after_s = 1;
    }
    pthread_mutex_unlock(&rl->mu);
    return r;
}
