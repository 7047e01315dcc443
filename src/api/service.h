/* service.h - the HTTP API service: configuration, the stores it opens in its data directory, the
 * job service, and the HTTP server. `strobe serve` is sb_service_start + wait for SIGTERM +
 * sb_service_stop.
 *
 * Data directory layout: strobe.db (SQLite metadata), files/ (output blobs), secret (the server's
 * HMAC key for signed URLs and webhook secrets, made on first start, mode 0600), lock (one server per
 * directory). */
#ifndef SB_API_SERVICE_H
#define SB_API_SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"
#include "util/err.h"

typedef struct {
    char listen[128];          /* STROBE_LISTEN, --listen; default 127.0.0.1:8080 */
    char data_dir[512];        /* STROBE_DATA, --data; default ./strobe-data */
    char meta[512];            /* STROBE_META, --meta; the metadata store: "" = sqlite:DATA/strobe.db, or
                                * postgres://USER:PASSWORD@HOST:PORT/DB (never logged) */
    char secret_hex[66];       /* STROBE_SECRET: the URL-signing secret as 64 hex digits, the same on every
                                * node; "" = DATA/secret, made on first start (never logged) */
    char blobs[512];           /* STROBE_BLOBS, --blobs; the output files: "" = file:DATA/files, or
                                * s3://BUCKET/PREFIX?endpoint=URL&region=R&addressing=path|virtual
                                * (credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY) */
    char public_url[256];      /* STROBE_PUBLIC_URL; base of signed URLs; default http://<listen> */
    int workers;               /* STROBE_WORKERS, --workers; default = CPU cores */
    int nn_threads;            /* STROBE_NN_THREADS, --nn-threads; threads inside one forward pass; default 1
                                * (the workers already fill the cores; see docs/BENCHMARKS.md) */
    int fetchers;              /* STROBE_FETCHERS; URL-fetching threads; default 4 */
    int http_threads;          /* STROBE_HTTP_THREADS; default 2 */
    size_t body_cap;           /* STROBE_BODY_CAP_MB; default 25 MB */
    int64_t max_pixels;        /* STROBE_MAX_PIXELS; default 50 MP */
    int64_t pixel_budget;      /* STROBE_PIXEL_BUDGET; input pixels in flight, 12 MP per body being read
                                * (jobs.h, sb_jobs_admit_body); default 64 MP per worker */
    int queue_max;             /* STROBE_QUEUE_MAX; jobs waiting; default 16 per worker */
    int header_deadline_ms;    /* STROBE_HEADER_DEADLINE_MS; default 10000 */
    int body_deadline_ms;      /* STROBE_BODY_DEADLINE_MS; default 60000 */
    int request_deadline_ms;   /* STROBE_REQUEST_DEADLINE_MS; a sync job must start within it; 30000 */
    int max_connections;       /* STROBE_MAX_CONNECTIONS; default 256 */
    int max_connections_per_ip;/* STROBE_MAX_CONNECTIONS_PER_IP; open connections from one client address
                                * (more are closed on accept); default 64; 0 = no cap */
    int max_requests_per_ip;   /* STROBE_MAX_REQUESTS_PER_IP; requests in flight from one client address
                                * (more get 429); default 32; 0 = no cap */
    double rate_per_s;         /* STROBE_RATE_LIMIT; requests per second per key; default 10 */
    int rate_burst;            /* STROBE_RATE_BURST; default 20 */
    int file_ttl_s;            /* STROBE_FILE_TTL; output lifetime; default 86400 */
    int purge_interval_s;      /* STROBE_PURGE_INTERVAL; default 600 */
    int hook_max_attempts;     /* STROBE_WEBHOOK_ATTEMPTS; default 6 */
    int hook_backoff_ms;       /* STROBE_WEBHOOK_BACKOFF_MS; first retry delay; default 2000 */
    int hook_concurrency;      /* STROBE_WEBHOOK_CONCURRENCY; deliveries in flight at most; default 8 */
    int hook_queue_max;        /* STROBE_WEBHOOK_QUEUE; deliveries waiting for a thread at most; default 256 */
    int hook_per_target;       /* STROBE_WEBHOOK_PER_TARGET; deliveries at once to one receiver; default 2 */
    bool allow_private_urls;   /* STROBE_ALLOW_PRIVATE_URLS=1, --allow-private-urls: loopback URLs only */
    int lease_s;               /* STROBE_LEASE_S; a running job's lease, renewed every third of it; a job
                                * whose process died is taken over this long after its last renewal;
                                * default 30 */
    bool take_queue;           /* STROBE_QUEUE_JOBS=0, serve --no-queue-jobs: with a shared store, this
                                * process's workers do not take shared-queue jobs (sync requests only);
                                * default on */
    int shared_queue_max;      /* STROBE_SHARED_QUEUE_MAX; shared jobs waiting in the fleet; default 10000 */
    bool worker_only;          /* `strobe worker`: no HTTP, no data directory; runs shared-queue jobs */
    double safety_threshold;   /* STROBE_SAFETY_THRESHOLD; avatars refuse porn + hentai >= this (0..1];
                                * default 0.95 (SB_SAFETY_EXPLICIT_MIN, see docs/internals/vision.md) */
} sb_service_config_t;

/* Fill `c` with the defaults above. */
void sb_service_config_default(sb_service_config_t *c);

/* Load a config file of NAME=value lines (the STROBE_* names of sb_service_config_env and STROBE_MODELS;
 * blank lines and # comments skipped, one pair of surrounding quotes stripped) into the environment, under
 * what is already set there: so the environment overrides the file, and flags override both. Call before
 * sb_service_config_env. Errors: SB_ERR_IO (unreadable), SB_ERR_USAGE (a line without '=', an unknown
 * name; with the line number). Not thread-safe (setenv): at start-up only. */
sb_err sb_service_config_file(const char *path, sb_error_t *e);

/* Override `c` from the STROBE_* environment variables. Errors: SB_ERR_USAGE naming the variable. */
sb_err sb_service_config_env(sb_service_config_t *c, sb_error_t *e);

/* Check ranges (workers >= 1, caps > 0, ...). Errors: SB_ERR_USAGE naming the setting. */
sb_err sb_service_config_check(const sb_service_config_t *c, sb_error_t *e);

typedef struct sb_service sb_service_t;

/* Open the data directory's stores, the job service (loading every worker's nets), and listen. With
 * worker_only (`strobe worker`): the stores and the job service only, taking jobs from the shared queue;
 * the metadata store must then be shared (SB_ERR_USAGE otherwise).
 * Errors: SB_ERR_USAGE (another server holds the data directory), SB_ERR_IO (cannot listen or
 * create files), SB_ERR_STORE, SB_ERR_MODEL_MISSING/INVALID. */
sb_err sb_service_start(const sb_service_config_t *cfg, sb_service_t **out, sb_error_t *e);

/* The bound TCP port (for --listen ...:0). */
int sb_service_port(const sb_service_t *s);

/* Graceful stop: stop accepting connections, finish every queued and running job (answering the
 * waiting clients), stop the threads, close the stores. NULL-safe. */
void sb_service_stop(sb_service_t *s);

/* Open the metadata store (for `strobe keys` and the service): `meta` when set ("postgres://..."),
 * else the SQLite file of the data directory, created when absent. The data directory is created either
 * way (the server keeps its lock and secret there). The caller closes *out with sb_meta_close.
 * Errors: SB_ERR_IO for the directory, the store's own (SB_ERR_USAGE, SB_ERR_STORE) for the rest. */
sb_err sb_service_open_meta(const char *data_dir, const char *meta, sb_meta_t **out, sb_error_t *e);

/* Make a new API key: a secret "sb_<40 hex>" written to secret[48], stored as its SHA-256 only, with
 * a public id "key_<16 hex>" in id[SB_ID_MAX]. */
sb_err sb_service_key_create(sb_meta_t *meta, const char *name, int64_t credits, char secret[48],
                             char id[SB_ID_MAX], sb_error_t *e);

#endif
