/* service.c - configuration, the data directory (lock, secret, stores), and starting and stopping the
 * pieces in order. */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/api.h"
#include "vision/safety.h"
#include "util/hmac.h"
#include "util/parse.h"
#include "util/random.h"

void sb_service_config_default(sb_service_config_t *c)
{
    memset(c, 0, sizeof *c);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    snprintf(c->listen, sizeof c->listen, "127.0.0.1:8080");
    snprintf(c->data_dir, sizeof c->data_dir, "strobe-data");
    c->workers = cores > 0 ? (int)cores : 1;
    c->nn_threads = 1;
    c->fetchers = 4;
    c->http_threads = 2;
    c->body_cap = 25u * 1024 * 1024;
    c->max_pixels = 50000000;
    c->pixel_budget = 64000000LL * c->workers;
    c->queue_max = 16 * c->workers;
    c->header_deadline_ms = 10000;
    c->body_deadline_ms = 60000;
    c->request_deadline_ms = 30000;
    c->max_connections = 256;
    c->max_connections_per_ip = 64;
    c->max_requests_per_ip = 32;
    c->rate_per_s = 10;
    c->rate_burst = 20;
    c->file_ttl_s = 86400;
    c->purge_interval_s = 600;
    c->hook_max_attempts = 6;
    c->hook_backoff_ms = 2000;
    c->hook_concurrency = 8;
    c->hook_queue_max = 256;
    c->hook_per_target = 2;
    c->safety_threshold = SB_SAFETY_EXPLICIT_MIN;
    c->lease_s = 30;
    c->take_queue = true;
    c->shared_queue_max = 10000;
}

static sb_err env_long(const char *name, long min, long max, long *out, sb_error_t *e)
{
    const char *v = getenv(name);
    if (!v || !*v)
        return SB_OK;
    long long n;
    sb_err err = sb_parse_int(v, strlen(v), min, max, &n, name, e);
    if (!err)
        *out = (long)n;
    return err;
}

#define ENV_INT(name, min, max, field)                                                                                 \
    do {                                                                                                               \
        long v_ = (long)(field);                                                                                       \
        if ((err = env_long(name, min, max, &v_, e)))                                                                  \
            return err;                                                                                                \
        (field) = v_;                                                                                                  \
    } while (0)

sb_err sb_service_config_env(sb_service_config_t *c, sb_error_t *e)
{
    sb_err err;
    const char *s;
    if ((s = getenv("STROBE_LISTEN")) && *s)
        snprintf(c->listen, sizeof c->listen, "%s", s);
    if ((s = getenv("STROBE_DATA")) && *s)
        snprintf(c->data_dir, sizeof c->data_dir, "%s", s);
    if ((s = getenv("STROBE_META")) && *s)
        snprintf(c->meta, sizeof c->meta, "%s", s);
    if ((s = getenv("STROBE_BLOBS")) && *s)
        snprintf(c->blobs, sizeof c->blobs, "%s", s);
    if ((s = getenv("STROBE_SECRET")) && *s)
        snprintf(c->secret_hex, sizeof c->secret_hex, "%.64s%s", s, strlen(s) > 64 ? "x" : "");
    if ((s = getenv("STROBE_PUBLIC_URL")) && *s)
        snprintf(c->public_url, sizeof c->public_url, "%s", s);
    ENV_INT("STROBE_WORKERS", 1, 256, c->workers);
    ENV_INT("STROBE_NN_THREADS", 1, 64, c->nn_threads);
    ENV_INT("STROBE_FETCHERS", 1, 256, c->fetchers);
    ENV_INT("STROBE_HTTP_THREADS", 1, 64, c->http_threads);
    long mb = (long)(c->body_cap >> 20);
    ENV_INT("STROBE_BODY_CAP_MB", 1, 1024, mb);
    c->body_cap = (size_t)mb << 20;
    ENV_INT("STROBE_MAX_PIXELS", 1, 1000000000L, c->max_pixels);
    ENV_INT("STROBE_PIXEL_BUDGET", 1, 100000000000L, c->pixel_budget);
    ENV_INT("STROBE_QUEUE_MAX", 1, 100000, c->queue_max);
    ENV_INT("STROBE_HEADER_DEADLINE_MS", 100, 600000, c->header_deadline_ms);
    ENV_INT("STROBE_BODY_DEADLINE_MS", 100, 3600000, c->body_deadline_ms);
    ENV_INT("STROBE_REQUEST_DEADLINE_MS", 100, 3600000, c->request_deadline_ms);
    ENV_INT("STROBE_MAX_CONNECTIONS", 1, 100000, c->max_connections);
    ENV_INT("STROBE_MAX_CONNECTIONS_PER_IP", 0, 100000, c->max_connections_per_ip);
    ENV_INT("STROBE_MAX_REQUESTS_PER_IP", 0, 100000, c->max_requests_per_ip);
    long rate = (long)c->rate_per_s;
    ENV_INT("STROBE_RATE_LIMIT", 0, 1000000, rate);
    c->rate_per_s = (double)rate;
    ENV_INT("STROBE_RATE_BURST", 1, 1000000, c->rate_burst);
    ENV_INT("STROBE_FILE_TTL", 1, 365 * 86400, c->file_ttl_s);
    ENV_INT("STROBE_PURGE_INTERVAL", 1, 86400, c->purge_interval_s);
    ENV_INT("STROBE_WEBHOOK_ATTEMPTS", 1, 50, c->hook_max_attempts);
    ENV_INT("STROBE_WEBHOOK_BACKOFF_MS", 1, 3600000, c->hook_backoff_ms);
    ENV_INT("STROBE_WEBHOOK_CONCURRENCY", 1, 256, c->hook_concurrency);
    ENV_INT("STROBE_WEBHOOK_QUEUE", 1, 100000, c->hook_queue_max);
    ENV_INT("STROBE_WEBHOOK_PER_TARGET", 1, 256, c->hook_per_target);
    if ((s = getenv("STROBE_SAFETY_THRESHOLD")) && *s) {
        double v = 0;
        if (sb_parse_double(s, strlen(s), 0, 1, &v, "STROBE_SAFETY_THRESHOLD", e) || v == 0)
            return sb_error_set(e, SB_ERR_USAGE, "STROBE_SAFETY_THRESHOLD",
                                "STROBE_SAFETY_THRESHOLD must be a number above 0 and at most 1, got '%.40s'", s);
        c->safety_threshold = v;
    }
    if ((s = getenv("STROBE_ALLOW_PRIVATE_URLS")) && *s)
        c->allow_private_urls = !strcmp(s, "1") || !strcmp(s, "true");
    ENV_INT("STROBE_LEASE_S", 2, 3600, c->lease_s);
    ENV_INT("STROBE_SHARED_QUEUE_MAX", 1, 10000000, c->shared_queue_max);
    if ((s = getenv("STROBE_QUEUE_JOBS")) && *s)
        c->take_queue = !(!strcmp(s, "0") || !strcmp(s, "false"));
    return SB_OK;
}

/* Every variable sb_service_config_env reads, plus STROBE_MODELS (nn/models.c) and the S3 blob store's AWS_*
 * (store/blob_s3.c): the names a --config file may set. */
static const char *const setting_names[] = {
    "STROBE_LISTEN", "STROBE_DATA", "STROBE_META", "STROBE_BLOBS", "STROBE_SECRET", "STROBE_PUBLIC_URL",
    "STROBE_WORKERS",
    "STROBE_NN_THREADS", "STROBE_FETCHERS", "STROBE_HTTP_THREADS", "STROBE_BODY_CAP_MB", "STROBE_MAX_PIXELS",
    "STROBE_PIXEL_BUDGET", "STROBE_QUEUE_MAX", "STROBE_HEADER_DEADLINE_MS", "STROBE_BODY_DEADLINE_MS",
    "STROBE_REQUEST_DEADLINE_MS", "STROBE_MAX_CONNECTIONS", "STROBE_MAX_CONNECTIONS_PER_IP",
    "STROBE_MAX_REQUESTS_PER_IP", "STROBE_RATE_LIMIT", "STROBE_RATE_BURST", "STROBE_FILE_TTL",
    "STROBE_PURGE_INTERVAL", "STROBE_WEBHOOK_ATTEMPTS", "STROBE_WEBHOOK_BACKOFF_MS", "STROBE_WEBHOOK_CONCURRENCY",
    "STROBE_WEBHOOK_QUEUE", "STROBE_WEBHOOK_PER_TARGET", "STROBE_SAFETY_THRESHOLD", "STROBE_ALLOW_PRIVATE_URLS",
    "STROBE_LEASE_S", "STROBE_QUEUE_JOBS", "STROBE_SHARED_QUEUE_MAX",
    "STROBE_MODELS", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN", NULL};

static bool setting_known(const char *name)
{
    for (int i = 0; setting_names[i]; i++)
        if (!strcmp(setting_names[i], name))
            return true;
    return false;
}

/* `s` without the blanks around it (in place). */
static char *trim(char *s)
{
    s += strspn(s, " \t");
    size_t n = strlen(s);
    while (n && strchr(" \t\r\n", s[n - 1]))
        s[--n] = '\0';
    return s;
}

sb_err sb_service_config_file(const char *path, sb_error_t *e)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return sb_error_set(e, SB_ERR_IO, "--config", "cannot read the config file %s: %s", path, strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    sb_err err = SB_OK;
    for (int no = 1; !err && getline(&line, &cap, f) >= 0; no++) {
        char *l = trim(line);
        if (!*l || *l == '#')
            continue;
        char *eq = strchr(l, '=');
        if (!eq) {
            err = sb_error_set(e, SB_ERR_USAGE, "--config", "%s:%d: expected NAME=value, got '%.60s'", path, no, l);
            break;
        }
        *eq = '\0';
        char *name = trim(l), *value = trim(eq + 1);
        size_t n = strlen(value);
        if (n >= 2 && (value[0] == '"' || value[0] == '\'') && value[n - 1] == value[0]) {
            value[n - 1] = '\0';
            value++;
        }
        if (!setting_known(name))
            err = sb_error_set(e, SB_ERR_USAGE, "--config",
                               "%s:%d: unknown setting '%.60s' (the names are the STROBE_* environment variables of "
                               "docs/internals/cli.md)", path, no, name);
        else if (setenv(name, value, 0) != 0)
            err = sb_error_set(e, SB_ERR_NOMEM, "--config", "out of memory");
    }
    free(line);
    fclose(f);
    return err;
}

sb_err sb_service_config_check(const sb_service_config_t *c, sb_error_t *e)
{
    if (c->workers < 1 || c->workers > 256)
        return sb_error_set(e, SB_ERR_USAGE, "workers", "workers must be 1 to 256, got %d", c->workers);
    if (c->nn_threads < 1 || c->nn_threads > 64)
        return sb_error_set(e, SB_ERR_USAGE, "nn_threads", "nn_threads must be 1 to 64, got %d", c->nn_threads);
    if (!c->data_dir[0] && !c->worker_only)
        return sb_error_set(e, SB_ERR_USAGE, "data", "the data directory is empty");
    if (c->lease_s < 2)
        return sb_error_set(e, SB_ERR_USAGE, "lease_s", "a lease must last at least 2 s, got %d", c->lease_s);
    if (c->body_cap < 1024)
        return sb_error_set(e, SB_ERR_USAGE, "body_cap", "the body cap is too small");
    return SB_OK;
}

static sb_err ensure_dir(const char *dir, sb_error_t *e)
{
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return sb_error_set(e, SB_ERR_IO, "data", "cannot create the data directory %s: %s", dir, strerror(errno));
    return SB_OK;
}

sb_err sb_service_open_meta(const char *data_dir, const char *meta, sb_meta_t **out, sb_error_t *e)
{
    sb_err err = ensure_dir(data_dir, e);
    if (err)
        return err;
    if (meta && *meta)
        return sb_meta_open(meta, out, e);
    char loc[600];
    snprintf(loc, sizeof loc, "sqlite:%s/strobe.db", data_dir);
    return sb_meta_open(loc, out, e);
}

/* 64 hex digits into the 32-byte secret; `what` names the source in the error. */
static sb_err parse_secret(const char *hex, const char *what, uint8_t secret[32], sb_error_t *e)
{
    if (strlen(hex) != 64 || strspn(hex, "0123456789abcdefABCDEF") != 64)
        return sb_error_set(e, SB_ERR_USAGE, "secret", "the server secret (%s) must be 64 hex digits", what);
    for (int i = 0; i < 32; i++) {
        unsigned v;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1)
            return sb_error_set(e, SB_ERR_USAGE, "secret", "the server secret (%s) must be 64 hex digits", what);
        secret[i] = (uint8_t)v;
    }
    return SB_OK;
}

/* The server secret (it signs file URLs): STROBE_SECRET when set (64 hex digits; every node of a fleet
 * sets the same one, so any node verifies any URL), else 32 random bytes kept as hex in DATA/secret
 * (0600), made on first start. */
static sb_err load_secret(const char *dir, const char *from_env, uint8_t secret[32], sb_error_t *e)
{
    if (from_env[0])
        return parse_secret(from_env, "STROBE_SECRET", secret, e);
    char path[600], hex[65] = {0};
    snprintf(path, sizeof path, "%s/secret", dir);
    int fd = open(path, O_RDONLY);
    if (fd < 0 && errno == ENOENT) {
        sb_random_bytes(secret, 32);
        sb_hex_encode(secret, 32, hex);
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
        if (fd < 0 || write(fd, hex, 64) != 64 || fsync(fd) != 0) {
            if (fd >= 0)
                close(fd);
            return sb_error_set(e, SB_ERR_IO, "data", "cannot write %s: %s", path, strerror(errno));
        }
        close(fd);
        return SB_OK;
    }
    if (fd < 0 || read(fd, hex, 64) != 64) {
        if (fd >= 0)
            close(fd);
        return sb_error_set(e, SB_ERR_IO, "data", "cannot read the server secret %s", path);
    }
    close(fd);
    if (parse_secret(hex, path, secret, e))
        return sb_error_set(e, SB_ERR_IO, "data", "the server secret %s is damaged", path);
    return SB_OK;
}

static sb_err take_lock(const char *dir, int *fd_out, sb_error_t *e)
{
    char path[600];
    snprintf(path, sizeof path, "%s/lock", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return sb_error_set(e, SB_ERR_IO, "data", "cannot open %s: %s", path, strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        close(fd);
        return sb_error_set(e, SB_ERR_USAGE, "data", "another strobe server is using %s", dir);
    }
    *fd_out = fd;
    return SB_OK;
}

static char *render_job(const sb_job_t *job, void *ctx)
{
    json_t *o = sb_api_job_json(ctx, job);
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return s;
}

/* The fleet's secret on a shared store: STROBE_SECRET when set, else the store's "url_secret", which the
 * first node writes (from its data directory's secret, so a single node moved onto PostgreSQL keeps
 * its signed URLs valid; a worker, which has no data directory, offers a random one). */
static sb_err share_secret(sb_service_t *s, sb_error_t *e)
{
    if (s->cfg.secret_hex[0] || !sb_meta_shared(s->meta))
        return SB_OK;
    char mine[65], fleet[66];
    sb_hex_encode(s->secret, sizeof s->secret, mine);
    sb_err err = sb_meta_setting_ensure(s->meta, "url_secret", mine, fleet, sizeof fleet, e);
    return err ? err : parse_secret(fleet, "the shared store's url_secret", s->secret, e);
}

/* The stores, the secret, the metrics and the rate limiter. A worker has no data directory: its secret
 * comes from STROBE_SECRET or the shared store, its blobs from STROBE_BLOBS. */
static sb_err open_stores(sb_service_t *s, sb_error_t *e)
{
    const sb_service_config_t *cfg = &s->cfg;
    char loc[600];
    if (cfg->blobs[0])
        snprintf(loc, sizeof loc, "%s", cfg->blobs);
    else
        snprintf(loc, sizeof loc, "file:%s/files", cfg->data_dir);
    sb_err err;
    if (cfg->worker_only) {
        if (!cfg->meta[0] || !cfg->blobs[0])
            return sb_error_set(e, SB_ERR_USAGE, "meta",
                                "strobe worker needs the fleet's stores: --meta postgres://... and --blobs "
                                "(or STROBE_META and STROBE_BLOBS)");
        if (strncmp(cfg->meta, "postgres://", 11) != 0 && strncmp(cfg->meta, "postgresql://", 13) != 0)
            return sb_error_set(e, SB_ERR_USAGE, "meta",
                                "strobe worker runs jobs from a shared queue: its metadata store must be "
                                "postgres://..., not a SQLite file");
        if ((err = sb_meta_open(cfg->meta, &s->meta, e)))
            return err;
        if (cfg->secret_hex[0])
            err = parse_secret(cfg->secret_hex, "STROBE_SECRET", s->secret, e);
        else
            sb_random_bytes(s->secret, sizeof s->secret);
    } else {
        if ((err = ensure_dir(cfg->data_dir, e)) || (err = take_lock(cfg->data_dir, &s->lock_fd, e)) ||
            (err = load_secret(cfg->data_dir, cfg->secret_hex, s->secret, e)) ||
            (err = sb_service_open_meta(cfg->data_dir, cfg->meta, &s->meta, e)))
            return err;
    }
    if (err || (err = share_secret(s, e)) || (err = sb_blob_open(loc, &s->blob, e)))
        return err;
    s->metrics = sb_metrics_new();
    s->rl = sb_meta_shared(s->meta) ? sb_ratelimit_new_shared(s->meta, cfg->rate_per_s, cfg->rate_burst)
                                    : sb_ratelimit_new(cfg->rate_per_s, cfg->rate_burst);
    if (!s->metrics || !s->rl)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory");
    return SB_OK;
}

sb_err sb_service_start(const sb_service_config_t *cfg, sb_service_t **out, sb_error_t *e)
{
    sb_err err = sb_service_config_check(cfg, e);
    if (err)
        return err;
    sb_service_t *s = calloc(1, sizeof *s);
    if (!s)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory");
    s->cfg = *cfg;
    s->lock_fd = -1;
    if ((err = open_stores(s, e)))
        goto fail;
    sb_fetch_global_init();
    sb_jobs_config_t jc = {.workers = cfg->workers, .nn_threads = cfg->nn_threads, .fetchers = cfg->fetchers,
                           .queue_max = cfg->queue_max,
                           .pixel_budget = cfg->pixel_budget, .max_pixels = cfg->max_pixels, .lease_s = cfg->lease_s,
                           .take_queue = cfg->take_queue || cfg->worker_only,
                           .shared_queue_max = cfg->shared_queue_max,
                           .file_ttl_s = cfg->file_ttl_s, .deadline_ms = cfg->request_deadline_ms,
                           .purge_interval_s = cfg->purge_interval_s, .hook_max_attempts = cfg->hook_max_attempts,
                           .hook_backoff_ms = cfg->hook_backoff_ms, .hook_concurrency = cfg->hook_concurrency,
                           .hook_queue_max = cfg->hook_queue_max, .hook_per_target = cfg->hook_per_target,
                           .fetch = sb_fetch_opts_default(),
                           .hook_key = s->secret, .hook_key_len = sizeof s->secret, .render = render_job,
                           .render_ctx = s};
    jc.fetch.max_bytes = cfg->body_cap;
    jc.fetch.allow_private = cfg->allow_private_urls;
    sb_http_config_t hc = {.listen = cfg->listen, .body_cap = cfg->body_cap,
                           .header_deadline_ms = cfg->header_deadline_ms, .body_deadline_ms = cfg->body_deadline_ms,
                           .max_connections = cfg->max_connections,
                           .max_connections_per_ip = cfg->max_connections_per_ip,
                           .max_requests_per_ip = cfg->max_requests_per_ip, .threads = cfg->http_threads,
                           .head = sb_api_head, .handler = sb_api_handle, .done = sb_api_done,
                           .app_free = sb_api_app_free, .ctx = s};
    /* HTTP first, so the real port is known for the default public URL before any job renders a signed
     * URL; until the jobs are up, the handler answers 503. A worker renders URLs (in webhooks) with
     * STROBE_PUBLIC_URL, the API nodes' address. */
    if (!cfg->worker_only && (err = sb_http_start(&hc, &s->http, e)))
        goto fail;
    if (!s->cfg.public_url[0] && cfg->worker_only) {
        snprintf(s->cfg.public_url, sizeof s->cfg.public_url, "http://%s", cfg->listen);
    } else if (!s->cfg.public_url[0]) {
        char host[128];
        snprintf(host, sizeof host, "%s", cfg->listen);
        char *colon = strrchr(host, ':');
        if (colon)
            *colon = '\0';
        snprintf(s->cfg.public_url, sizeof s->cfg.public_url, "http://%s:%d",
                 !strcmp(host, "0.0.0.0") ? "127.0.0.1" : !strcmp(host, "[::]") ? "[::1]" : host, sb_http_port(s->http));
    }
    if ((err = sb_jobs_start(&jc, s->meta, s->blob, s->metrics, &s->jobs, e)))
        goto fail;
    atomic_store(&s->started, true);
    *out = s;
    return SB_OK;
fail:
    sb_service_stop(s);
    return err;
}

int sb_service_port(const sb_service_t *s)
{
    return s->http ? sb_http_port(s->http) : 0;
}

void sb_service_stop(sb_service_t *s)
{
    if (!s)
        return;
    if (s->http) {
        sb_http_quiesce(s->http);
        /* A request begun before the signal may still be uploading or on its way to the queue (key
         * lookup, input checks): let it get there, so the drain below answers it instead of refusing it. */
        sb_http_wait_requests(s->http, 10000);
    }
    atomic_store(&s->started, false);
    /* Drains the queue: every waiting client gets its answer before the transport stops. */
    sb_jobs_stop(s->jobs);
    /* The drained jobs' answers are resumed, not yet written: let the daemon send them. */
    if (s->http)
        sb_http_wait_answers(s->http, 5000);
    sb_http_stop(s->http);
    sb_ratelimit_free(s->rl);
    sb_metrics_free(s->metrics);
    sb_blob_close(s->blob);
    sb_meta_close(s->meta);
    if (s->lock_fd >= 0)
        close(s->lock_fd);
    free(s);
}

sb_err sb_service_key_create(sb_meta_t *meta, const char *name, int64_t credits, char secret[48], char id[SB_ID_MAX],
                             sb_error_t *e)
{
    char hash[65];
    memcpy(secret, "sb_", 3);
    sb_random_hex(secret + 3, 20);
    memcpy(id, "key_", 4);
    sb_random_hex(id + 4, 8);
    sb_sha256_hex(secret, strlen(secret), hash);
    return sb_meta_key_create(meta, id, name, credits, hash, e);
}
