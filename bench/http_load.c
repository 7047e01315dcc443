/* http_load - closed-loop HTTP load generator for POST /api/v1/ai-headshot (make bench-http).
 *
 * usage: http_load --url URL --key KEY --file IMAGE --clients N --seconds S [--json]
 * Reads IMAGE once into memory, then runs N client threads for S seconds. Each thread owns one curl easy
 * handle (so its connection is kept alive and reused) and loops: POST the image as the multipart part
 * "image" (from memory, no disk I/O; no "Expect: 100-continue" round trip), record the status and the
 * latency. A 429 or 503 is counted as throttled and its Retry-After honoured, capped at 1 s (100 ms when
 * absent or 0); a transport failure is counted and followed by a 100 ms pause. Requests in flight at the
 * deadline are finished and counted; the elapsed time runs until the last one is answered.
 * Prints a one-line summary; with --json the summary goes to stderr and stdout gets one JSON object:
 * clients, seconds, elapsed_s, completed (200s with an output_url), throughput_per_s (completed /
 * elapsed_s), latency_ms p50/p90/p99/max of those (nearest rank), status (counts by HTTP status),
 * throttled, bad_200 (200s without output_url), transport_errors (with the first error's text), failed
 * (every request neither completed nor throttled: transport errors, bad 200s, any other status),
 * connections (new ones opened), bytes_sent (request headers and bodies) and image_bytes. */
#include <curl/curl.h>
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "benchutil.h"

#define MAX_CLIENTS 1024
#define MAX_STATUS 600
#define BODY_KEEP 65536 /* response bytes kept to look for "output_url"; the rest is read and dropped */

typedef struct {
    const char *url, *key, *file;
    const uint8_t *image;
    size_t image_len;
    double deadline; /* monotonic seconds; set before the start barrier */
} load_config_t;

typedef struct {
    char data[BODY_KEEP + 1];
    size_t len;
} body_t;

typedef struct {
    const load_config_t *cfg;
    pthread_barrier_t *start;
    int setup_failed;
    long status[MAX_STATUS];
    long completed, throttled, bad_200, transport_errors, connections;
    curl_off_t bytes_sent;
    double *lat_ms; /* latencies of completed requests */
    size_t n_lat, cap_lat;
    char first_error[CURL_ERROR_SIZE];
} client_t;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
}

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    body_t *b = userdata;
    size_t n = size * nmemb, room = BODY_KEEP - b->len, keep = n < room ? n : room;
    memcpy(b->data + b->len, ptr, keep);
    b->len += keep;
    b->data[b->len] = 0;
    return n;
}

static void add_latency(client_t *c, double ms)
{
    if (c->n_lat == c->cap_lat) {
        size_t cap = c->cap_lat ? c->cap_lat * 2 : 256;
        double *v = realloc(c->lat_ms, cap * sizeof *v);
        if (!v) {
            fprintf(stderr, "http_load: out of memory\n");
            exit(1);
        }
        c->lat_ms = v;
        c->cap_lat = cap;
    }
    c->lat_ms[c->n_lat++] = ms;
}

/* One request's outcome into the client's counters; returns how long to pause before the next one. */
static long record(client_t *c, CURL *h, CURLcode rc, const char *errbuf, const body_t *body, double ms)
{
    curl_off_t up = 0;
    long hdr = 0, conns = 0, status = 0;
    curl_easy_getinfo(h, CURLINFO_SIZE_UPLOAD_T, &up);
    curl_easy_getinfo(h, CURLINFO_REQUEST_SIZE, &hdr);
    curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &conns);
    c->bytes_sent += up + hdr;
    c->connections += conns;
    if (rc != CURLE_OK) {
        if (!c->transport_errors++)
            snprintf(c->first_error, sizeof c->first_error, "%s", *errbuf ? errbuf : curl_easy_strerror(rc));
        return 100;
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    c->status[status > 0 && status < MAX_STATUS ? status : 0]++;
    if (status == 200) {
        if (!strstr(body->data, "\"output_url\"")) {
            c->bad_200++;
        } else {
            c->completed++;
            add_latency(c, ms);
        }
    } else if (status == 429 || status == 503) {
        curl_off_t retry = 0;
        c->throttled++;
        curl_easy_getinfo(h, CURLINFO_RETRY_AFTER, &retry);
        return retry >= 1 ? 1000 : 100;
    }
    return 0;
}

static void *client_run(void *arg)
{
    client_t *c = arg;
    const load_config_t *cfg = c->cfg;
    char auth[512], errbuf[CURL_ERROR_SIZE];
    body_t *body = malloc(sizeof *body);
    CURL *h = curl_easy_init();
    curl_mime *mime = h ? curl_mime_init(h) : NULL;
    curl_mimepart *part = mime ? curl_mime_addpart(mime) : NULL;
    struct curl_slist *hdrs = NULL;
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", cfg->key);
    const char *slash = strrchr(cfg->file, '/');
    if (!body || !part || curl_mime_name(part, "image") ||
        curl_mime_data(part, (const char *)cfg->image, cfg->image_len) ||
        curl_mime_filename(part, slash ? slash + 1 : cfg->file) || !(hdrs = curl_slist_append(NULL, auth)) ||
        !curl_slist_append(hdrs, "Expect:"))
        c->setup_failed = 1;
    if (!c->setup_failed) {
        curl_easy_setopt(h, CURLOPT_URL, cfg->url);
        curl_easy_setopt(h, CURLOPT_MIMEPOST, mime);
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, body);
        curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
        curl_easy_setopt(h, CURLOPT_TIMEOUT, 120L);
    }
    pthread_barrier_wait(c->start);
    while (!c->setup_failed && now_s() < cfg->deadline) {
        body->len = 0;
        body->data[0] = 0;
        errbuf[0] = 0;
        double t0 = now_s();
        CURLcode rc = curl_easy_perform(h);
        long pause = record(c, h, rc, errbuf, body, (now_s() - t0) * 1000.0);
        if (pause)
            sleep_ms(pause);
    }
    curl_slist_free_all(hdrs);
    curl_mime_free(mime);
    curl_easy_cleanup(h);
    free(body);
    return NULL;
}

static int read_file(const char *path, uint8_t **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    uint8_t *buf = NULL;
    long size = fseek(f, 0, SEEK_END) ? -1 : ftell(f);
    if (size > 0 && !fseek(f, 0, SEEK_SET) && (buf = malloc((size_t)size)) &&
        fread(buf, 1, (size_t)size, f) == (size_t)size) {
        fclose(f);
        *out = buf;
        *len = (size_t)size;
        return 0;
    }
    free(buf);
    fclose(f);
    return -1;
}

static const char usage[] = "usage: http_load --url URL --key KEY --file IMAGE --clients N --seconds S [--json]\n";

int main(int argc, char **argv)
{
    static const struct option longopts[] = {{"url", required_argument, 0, 'u'},
                                             {"key", required_argument, 0, 'k'},
                                             {"file", required_argument, 0, 'f'},
                                             {"clients", required_argument, 0, 'c'},
                                             {"seconds", required_argument, 0, 's'},
                                             {"json", no_argument, 0, 'j'},
                                             {0, 0, 0, 0}};
    load_config_t cfg = {0};
    int clients = 0, seconds = 0, as_json = 0, opt;
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (opt) {
        case 'u': cfg.url = optarg; break;
        case 'k': cfg.key = optarg; break;
        case 'f': cfg.file = optarg; break;
        case 'c': clients = atoi(optarg); break;
        case 's': seconds = atoi(optarg); break;
        case 'j': as_json = 1; break;
        default: fputs(usage, stderr); return 2;
        }
    }
    if (optind != argc || !cfg.url || !cfg.key || !cfg.file || clients < 1 || clients > MAX_CLIENTS || seconds < 1) {
        fputs(usage, stderr);
        return 2;
    }
    uint8_t *image;
    if (read_file(cfg.file, &image, &cfg.image_len)) {
        fprintf(stderr, "http_load: cannot read %s\n", cfg.file);
        return 1;
    }
    cfg.image = image;
    if (curl_global_init(CURL_GLOBAL_DEFAULT)) {
        fprintf(stderr, "http_load: curl_global_init failed\n");
        return 1;
    }

    client_t *cl = calloc((size_t)clients, sizeof *cl);
    pthread_t *tid = calloc((size_t)clients, sizeof *tid);
    pthread_barrier_t start;
    if (!cl || !tid || pthread_barrier_init(&start, NULL, (unsigned)clients + 1)) {
        fprintf(stderr, "http_load: out of memory\n");
        return 1;
    }
    for (int i = 0; i < clients; i++) {
        cl[i] = (client_t){.cfg = &cfg, .start = &start};
        if (pthread_create(&tid[i], NULL, client_run, &cl[i])) {
            fprintf(stderr, "http_load: cannot start client thread %d\n", i);
            return 1;
        }
    }
    double t0 = now_s();
    cfg.deadline = t0 + seconds; /* published to the clients by the barrier */
    pthread_barrier_wait(&start);

    client_t sum = {0};
    size_t n_lat = 0;
    for (int i = 0; i < clients; i++) {
        pthread_join(tid[i], NULL);
        n_lat += cl[i].n_lat;
    }
    double elapsed = now_s() - t0;
    double *lat = malloc((n_lat ? n_lat : 1) * sizeof *lat);
    if (!lat) {
        fprintf(stderr, "http_load: out of memory\n");
        return 1;
    }
    for (int i = 0; i < clients; i++) {
        const client_t *c = &cl[i];
        if (c->setup_failed) {
            fprintf(stderr, "http_load: client %d could not set up its curl handle\n", i);
            return 1;
        }
        for (int s = 0; s < MAX_STATUS; s++)
            sum.status[s] += c->status[s];
        sum.completed += c->completed;
        sum.throttled += c->throttled;
        sum.bad_200 += c->bad_200;
        sum.connections += c->connections;
        sum.bytes_sent += c->bytes_sent;
        if (c->transport_errors && !sum.transport_errors)
            memcpy(sum.first_error, c->first_error, sizeof sum.first_error);
        sum.transport_errors += c->transport_errors;
        memcpy(lat + sum.n_lat, c->lat_ms, c->n_lat * sizeof *lat);
        sum.n_lat += c->n_lat;
        free(c->lat_ms);
    }
    double p50 = bu_pct(lat, n_lat, 50), p90 = bu_pct(lat, n_lat, 90), p99 = bu_pct(lat, n_lat, 99);
    double max = bu_pct(lat, n_lat, 100), rate = (double)sum.completed / elapsed;

    char codes[512] = "";
    json_t *status = json_object();
    long failed = sum.transport_errors - sum.completed - sum.throttled;
    for (int s = 0, o = 0; s < MAX_STATUS; s++) {
        failed += sum.status[s];
        if (!sum.status[s])
            continue;
        char name[8];
        snprintf(name, sizeof name, "%d", s);
        json_object_set_new(status, name, json_integer(sum.status[s]));
        if (o < (int)sizeof codes)
            o += snprintf(codes + o, sizeof codes - (size_t)o, "%s%d:%ld", o ? " " : "", s, sum.status[s]);
    }
    fprintf(as_json ? stderr : stdout,
            "%d clients, %.1f s: %ld done, %.2f/s, p50 %.0f ms, p99 %.0f ms, status {%s}, transport errors %ld, "
            "failed %ld, %ld connections\n",
            clients, elapsed, sum.completed, rate, p50, p99, codes, sum.transport_errors, failed, sum.connections);
    if (as_json) {
        json_t *out = json_pack("{s:i, s:i, s:f, s:I, s:f, s:{s:f, s:f, s:f, s:f}, s:o, s:I, s:I, s:I, s:s, s:I, "
                                "s:I, s:I, s:I}",
                                "clients", clients, "seconds", seconds, "elapsed_s", elapsed,
                                "completed", (json_int_t)sum.completed, "throughput_per_s", rate,
                                "latency_ms", "p50", p50, "p90", p90, "p99", p99, "max", max,
                                "status", status, "throttled", (json_int_t)sum.throttled,
                                "bad_200", (json_int_t)sum.bad_200,
                                "transport_errors", (json_int_t)sum.transport_errors,
                                "first_transport_error", sum.first_error, "failed", (json_int_t)failed,
                                "connections", (json_int_t)sum.connections,
                                "bytes_sent", (json_int_t)sum.bytes_sent, "image_bytes", (json_int_t)cfg.image_len);
        if (!out || json_dumpf(out, stdout, JSON_INDENT(2)) || putchar('\n') == EOF) {
            fprintf(stderr, "http_load: cannot write the JSON result\n");
            return 1;
        }
        json_decref(out);
    } else {
        json_decref(status);
    }
    pthread_barrier_destroy(&start);
    free(lat);
    free(tid);
    free(cl);
    free(image);
    curl_global_cleanup();
    return 0;
}
