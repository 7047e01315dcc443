/* ratelimit.c - token buckets in a small chained hash table keyed by key id. Buckets are never
 * dropped: there is one per API key, and keys are few. */
#include "api/ratelimit.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

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
