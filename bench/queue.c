/* queue.c - the shared queue on PostgreSQL, measured (bench/queue.sh starts the cluster and the workers):
 *   queue claims PG_URL N W...       N empty shared jobs, then W threads (each its own connection, as a
 *                                    worker process has) claim and complete them until none is left; one
 *                                    JSON line per W: claims/s and the p50/p99 of one claim + completion.
 *   queue enqueue PG_URL BLOBS PHOTO N   N shared headshot jobs of PHOTO, staged encrypted in BLOBS as the
 *                                    API does, under a key with N credits; prints the key id.
 *   queue wait PG_URL N TIMEOUT_S    wait until N jobs have finished; prints how many completed and
 *                                    failed (bench/queue.sh times enqueue + wait).
 * Results go to stdout as JSON; docs/BENCHMARKS.md quotes them. */
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "benchutil.h"
#include "jobs/staged.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/random.h"

static void die(const char *what, const sb_error_t *e)
{
    fprintf(stderr, "queue: %s: %s\n", what, e ? e->message : "");
    exit(1);
}

static sb_meta_t *open_meta(const char *url)
{
    sb_meta_t *m;
    sb_error_t e = {0};
    if (sb_meta_open(url, &m, &e))
        die("open", &e);
    return m;
}

/* A key with `credits`, its id into id. */
static void make_key(sb_meta_t *m, int64_t credits, char id[SB_ID_MAX])
{
    char hash[65];
    snprintf(id, SB_ID_MAX, "key_");
    sb_random_hex(id + 4, 8);
    sb_random_hex(hash, 32);
    sb_error_t e = {0};
    if (sb_meta_key_create(m, id, "bench", credits, hash, &e))
        die("key", &e);
}

typedef struct {
    const char *url;
    int claimed;
    double *lat_ms;  /* per claim + completion */
    int cap;
} claimer_t;

static void *claim_loop(void *arg)
{
    claimer_t *c = arg;
    sb_meta_t *m = open_meta(c->url);
    char owner[SB_ID_MAX] = "bench_";
    sb_random_hex(owner + 6, 6);
    for (;;) {
        int64_t t0 = sb_clock_us();
        sb_job_t j = {0};
        sb_error_t e = {0};
        sb_err err = sb_meta_job_claim_next(m, owner, 60, 2, &j, &e);
        if (err == SB_ERR_NOT_FOUND)
            break;
        if (err)
            die("claim", &e);
        if (sb_meta_job_complete(m, j.id, owner, NULL, 0, 0, "{}", &e))
            die("complete", &e);
        sb_job_clear(&j);
        if (c->claimed < c->cap)
            c->lat_ms[c->claimed] = (double)(sb_clock_us() - t0) / 1000.0;
        c->claimed++;
    }
    sb_meta_close(m);
    return NULL;
}

static int claims(const char *url, int n, int argc, char **argv)
{
    sb_meta_t *m = open_meta(url);
    char key[SB_ID_MAX];
    make_key(m, 0, key);
    for (int a = 0; a < argc; a++) {
        int w = atoi(argv[a]);
        if (w < 1 || w > 64)
            die("workers must be 1 to 64", NULL);
        for (int i = 0; i < n; i++) {
            char id[SB_ID_MAX] = "job_";
            sb_random_hex(id + 4, 12);
            sb_error_t e = {0};
            sb_job_new_t jn = {.id = id, .key_id = key, .pipeline = "product", .spec = "{}", .shared = true};
            if (sb_meta_job_create(m, &jn, NULL, NULL, &e))
                die("create", &e);
        }
        claimer_t c[64] = {0};
        pthread_t t[64];
        int64_t t0 = sb_clock_us();
        for (int i = 0; i < w; i++) {
            c[i] = (claimer_t){.url = url, .cap = n, .lat_ms = calloc((size_t)n, sizeof(double))};
            pthread_create(&t[i], NULL, claim_loop, &c[i]);
        }
        int total = 0;
        double *all = calloc((size_t)n, sizeof(double));
        int k = 0;
        for (int i = 0; i < w; i++) {
            pthread_join(t[i], NULL);
            total += c[i].claimed;
            for (int x = 0; x < c[i].claimed && k < n; x++)
                all[k++] = c[i].lat_ms[x];
            free(c[i].lat_ms);
        }
        double s = (double)(sb_clock_us() - t0) / 1e6;
        printf("{\"workers\": %d, \"jobs\": %d, \"seconds\": %.3f, \"claims_per_s\": %.0f, \"claim_complete_p50_ms\": "
               "%.2f, \"claim_complete_p99_ms\": %.2f}\n",
               w, total, s, total / s, bu_pct(all, (size_t)k, 50), bu_pct(all, (size_t)k, 99));
        fflush(stdout);
        free(all);
    }
    sb_meta_close(m);
    return 0;
}

static int enqueue(const char *url, const char *blobs, const char *photo, int n)
{
    sb_meta_t *m = open_meta(url);
    sb_blob_t *b;
    sb_error_t e = {0};
    if (sb_blob_open(blobs, &b, &e))
        die("blobs", &e);
    FILE *f = fopen(photo, "rb");
    if (!f)
        die("cannot read the photo", NULL);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *data = malloc((size_t)len);
    if (fread(data, 1, (size_t)len, f) != (size_t)len)
        die("short read", NULL);
    fclose(f);
    char key[SB_ID_MAX];
    make_key(m, n, key);
    for (int i = 0; i < n; i++) {
        char id[SB_ID_MAX] = "job_", k[65];
        sb_random_hex(id + 4, 12);
        if (sb_staged_put(b, id, data, (size_t)len, k, &e))
            die("stage", &e);
        sb_job_new_t jn = {.id = id, .key_id = key, .pipeline = "headshot", .spec = "{\"output_format\":\"jpeg\",\"size\":800}",
                           .shared = true, .input_key = k};
        if (sb_meta_job_create(m, &jn, NULL, NULL, &e))
            die("create", &e);
    }
    printf("%s\n", key);
    free(data);
    sb_blob_close(b);
    sb_meta_close(m);
    return 0;
}

static int wait_done(const char *url, int n, int timeout_s)
{
    sb_meta_t *m = open_meta(url);
    int64_t deadline = sb_clock_us() + (int64_t)timeout_s * 1000000;
    int64_t counts[SB_JOB__STATES];
    sb_error_t e = {0};
    for (;;) {
        if (sb_meta_job_counts(m, counts, &e))
            die("counts", &e);
        if (counts[SB_JOB_COMPLETED] + counts[SB_JOB_FAILED] >= n || sb_clock_us() > deadline)
            break;
        struct timespec ts = {0, 50 * 1000000L};
        nanosleep(&ts, NULL);
    }
    printf("{\"completed\": %lld, \"failed\": %lld}\n", (long long)counts[SB_JOB_COMPLETED],
           (long long)counts[SB_JOB_FAILED]);
    sb_meta_close(m);
    return counts[SB_JOB_COMPLETED] + counts[SB_JOB_FAILED] >= n ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc >= 5 && !strcmp(argv[1], "claims"))
        return claims(argv[2], atoi(argv[3]), argc - 4, argv + 4);
    if (argc == 6 && !strcmp(argv[1], "enqueue"))
        return enqueue(argv[2], argv[3], argv[4], atoi(argv[5]));
    if (argc == 5 && !strcmp(argv[1], "wait"))
        return wait_done(argv[2], atoi(argv[3]), atoi(argv[4]));
    fprintf(stderr, "usage: queue claims PG_URL N W... | enqueue PG_URL BLOBS PHOTO N | wait PG_URL N TIMEOUT_S\n");
    return 2;
}
