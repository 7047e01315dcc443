/* server_harness.h - what the end-to-end HTTP tests share: start the real `./strobe serve` on a random
 * loopback port with its own data directory (mkdtemp under /tmp) and stop it, make API keys, talk to it
 * with libcurl (get, post_json, post_image, ...), and a small HTTP server in a thread (the "origin", on
 * 127.0.0.1 and ::1) that serves canned images, slow answers and redirects for image_url inputs and
 * records webhook POSTs. Only loopback is ever connected to. Include it once per test file, then declare
 * the file's suite with `.fini = cleanup`. Everything is static: a test file uses what it needs.
 *
 * With STROBE_TEST_PG set to a PostgreSQL URL (an admin database), every test gets a fresh database
 * there, the server and `strobe keys` use it (STROBE_META), and it is dropped after: the same tests then
 * run on PostgreSQL. With STROBE_TEST_S3 set to an S3 endpoint (credentials in AWS_*), the output files
 * go to its bucket "strobe-test" under a fresh prefix per test (STROBE_BLOBS); blob_read() reads them
 * back either way. tests/integration/test_shared_stores.c starts both servers and runs the suites so. */
#ifndef STROBE_TESTS_SERVER_HARNESS_H
#define STROBE_TESTS_SERVER_HARNESS_H

#pragma GCC diagnostic ignored "-Wunused-function"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <math.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <vips/vips.h>

#include "loopback.h"
#include "store/store.h"
#include "testutil.h"

extern char **environ;

#define FACE "testdata/faces/u2net_young_man.jpg"   /* 1000x1500, one face, ~200 KB */
#define FACE_BIG "testdata/faces/fnp_paul_rudd.jpg" /* 1638x2048, one face, ~1 MB */
#define NOFACE "testdata/noface/dlib_dog.jpg"

/* ================================================================================================
 * small utilities
 * ================================================================================================ */

static long long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
    struct timespec t = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    while (nanosleep(&t, &t) != 0 && errno == EINTR) {
    }
}

static const char *nz(const char *s)
{
    return s ? s : "(null)";
}

static const char *jstr(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static long long jint(const json_t *o, const char *k)
{
    return (long long)json_integer_value(json_object_get(o, k));
}

/* A shared file (skips the test when ../shared is missing); caller frees. */
static uint8_t *load_shared(const char *rel, size_t *len)
{
    char path[1024];
    TU_SHARED_PATH_OR_SKIP(path, rel);
    return tu_read(path, len);
}

static char *base64(const uint8_t *data, size_t len)
{
    char *out = malloc(4 * ((len + 2) / 3) + 1);
    cr_assert_not_null(out);
    EVP_EncodeBlock((unsigned char *)out, data, (int)len);
    return out;
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Width and height from a PNG's signature and IHDR; false when it is not a PNG. */
static bool png_size(const uint8_t *b, size_t len, uint32_t *w, uint32_t *h)
{
    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (len < 24 || memcmp(b, sig, 8) || memcmp(b + 12, "IHDR", 4))
        return false;
    *w = be32(b + 16);
    *h = be32(b + 20);
    return true;
}

static uint32_t crc32_png(const uint8_t *p, size_t n)
{
    static uint32_t table[256];
    static bool ready;
    if (!ready) {
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++)
                c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        ready = true;
    }
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++)
        c = table[(c ^ p[i]) & 0xff] ^ (c >> 8);
    return c ^ 0xffffffffu;
}

static size_t png_chunk(uint8_t *out, const char *type, const uint8_t *data, uint32_t len)
{
    out[0] = (uint8_t)(len >> 24);
    out[1] = (uint8_t)(len >> 16);
    out[2] = (uint8_t)(len >> 8);
    out[3] = (uint8_t)len;
    memcpy(out + 4, type, 4);
    if (len)
        memcpy(out + 8, data, len);
    uint32_t crc = crc32_png(out + 4, 4 + (size_t)len);
    uint8_t *c = out + 8 + len;
    c[0] = (uint8_t)(crc >> 24);
    c[1] = (uint8_t)(crc >> 16);
    c[2] = (uint8_t)(crc >> 8);
    c[3] = (uint8_t)crc;
    return 12 + (size_t)len;
}

/* A tiny PNG whose header claims w x h 8-bit RGB, with an empty zlib stream as its only IDAT. */
static size_t make_header_only_png(uint8_t out[128], uint32_t w, uint32_t h)
{
    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    static const uint8_t idat[] = {0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01};
    uint8_t ihdr[13] = {(uint8_t)(w >> 24), (uint8_t)(w >> 16), (uint8_t)(w >> 8), (uint8_t)w,
                        (uint8_t)(h >> 24), (uint8_t)(h >> 16), (uint8_t)(h >> 8), (uint8_t)h,
                        8, 2, 0, 0, 0};
    size_t n = 0;
    memcpy(out, sig, 8);
    n += 8;
    n += png_chunk(out + n, "IHDR", ihdr, 13);
    n += png_chunk(out + n, "IDAT", idat, sizeof idat);
    n += png_chunk(out + n, "IEND", NULL, 0);
    return n;
}

static void hmac_hex(const char *key, const char *msg, size_t len, char out[65])
{
    unsigned char mac[32];
    unsigned n = 0;
    cr_assert_not_null(HMAC(EVP_sha256(), key, (int)strlen(key), (const unsigned char *)msg, len, mac, &n));
    cr_assert_eq(n, 32);
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", mac[i]);
}

/* ================================================================================================
 * the strobe server under test
 * ================================================================================================ */

static struct {
    char tmp[256];  /* the test's temp root */
    char data[300]; /* the data directory: tmp/data */
    char meta[400]; /* the metadata store: sqlite:DATA/strobe.db, or the test's PostgreSQL database */
    char meta_env[420]; /* "STROBE_META=<meta>" for the server, when PostgreSQL */
    char pg_admin[256]; /* STROBE_TEST_PG, or "" */
    char pg_db[64];
    char blobs[300];    /* the blob store: file:DATA/files, or the test's S3 prefix */
    char blobs_env[320]; /* "STROBE_BLOBS=<blobs>" for the server, when S3 */
    char blob_dir[400];  /* where the blobs are on this disk: DATA/files, or s3rver's folder for the prefix
                          * (STROBE_TEST_S3_DIR/strobe-test/PREFIX; "" when not given) */
    char log[320];  /* stderr of the latest start */
    char base[64];  /* http://127.0.0.1:PORT */
    pid_t pid;
    int port;
    int starts;
} S;

static void need_shared(void)
{
    char p[1024];
    TU_SHARED_PATH_OR_SKIP(p, "models");
    TU_SHARED_PATH_OR_SKIP(p, FACE);
    cr_assert_eq(access("./strobe", X_OK), 0, "run from the repository root after make");
}

/* Run one statement on the PostgreSQL admin database (CREATE / DROP DATABASE). */
static void pg_admin_sql(const char *sql)
{
    PGconn *c = PQconnectdb(S.pg_admin);
    cr_assert_eq(PQstatus(c), CONNECTION_OK, "%s", PQerrorMessage(c));
    PGresult *r = PQexec(c, sql);
    cr_assert_eq(PQresultStatus(r), PGRES_COMMAND_OK, "%s: %s", sql, PQresultErrorMessage(r));
    PQclear(r);
    PQfinish(c);
}

/* A blob of the server's store (an output file, a kept input) by name, read through the library's own
 * blob store; NULL when absent. Caller frees. */
static uint8_t *blob_read(const char *name, size_t *len)
{
    sb_blob_t *b;
    sb_error_t e = {0};
    cr_assert_eq(sb_blob_open(S.blobs, &b, &e), SB_OK, "%s", e.message);
    uint8_t *data = NULL;
    sb_err err = sb_blob_get(b, name, &data, len, &e);
    sb_blob_close(b);
    cr_assert(err == SB_OK || err == SB_ERR_NOT_FOUND, "blob %s: %s", name, e.message);
    return err ? NULL : data;
}

/* Every test starts here: the shared data (or skip), a temp dir, curl, the stores' locations. */
static void begin(void)
{
    need_shared();
    signal(SIGPIPE, SIG_IGN);
    cr_assert_eq(curl_global_init(CURL_GLOBAL_ALL), CURLE_OK);
    snprintf(S.tmp, sizeof S.tmp, "/tmp/strobe-srv-XXXXXX");
    cr_assert_not_null(mkdtemp(S.tmp));
    snprintf(S.data, sizeof S.data, "%s/data", S.tmp);
    snprintf(S.blobs, sizeof S.blobs, "file:%.280s/files", S.data);
    snprintf(S.blob_dir, sizeof S.blob_dir, "%s/files", S.data);
    const char *s3 = getenv("STROBE_TEST_S3"), *s3_dir = getenv("STROBE_TEST_S3_DIR");
    if (s3 && *s3) {
        static int k;
        char prefix[64];
        snprintf(prefix, sizeof prefix, "s_%d_%d", (int)getpid(), k++);
        snprintf(S.blobs, sizeof S.blobs, "s3://strobe-test/%s?endpoint=%.200s", prefix, s3);
        snprintf(S.blobs_env, sizeof S.blobs_env, "STROBE_BLOBS=%s", S.blobs);
        snprintf(S.blob_dir, sizeof S.blob_dir, "%.300s/strobe-test/%s", s3_dir ? s3_dir : "", prefix);
        if (!s3_dir || !*s3_dir)
            S.blob_dir[0] = '\0';
    }
    const char *admin = getenv("STROBE_TEST_PG");
    snprintf(S.pg_admin, sizeof S.pg_admin, "%s", admin ? admin : "");
    if (!S.pg_admin[0]) {
        snprintf(S.meta, sizeof S.meta, "sqlite:%s/strobe.db", S.data);
        return;
    }
    static int n;
    snprintf(S.pg_db, sizeof S.pg_db, "s_%d_%d", (int)getpid(), n++);
    char sql[128];
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", S.pg_db);
    pg_admin_sql(sql);
    const char *slash = strrchr(S.pg_admin, '/');
    cr_assert(slash && strstr(S.pg_admin, "://") && slash > strstr(S.pg_admin, "://") + 2,
              "STROBE_TEST_PG needs a database: %s", S.pg_admin);
    snprintf(S.meta, sizeof S.meta, "%.*s/%s", (int)(slash - S.pg_admin), S.pg_admin, S.pg_db);
    snprintf(S.meta_env, sizeof S.meta_env, "STROBE_META=%s", S.meta);
}

/* A whole file into a malloc'd buffer (NUL-terminated too), its length into *len (may be NULL); "" when it
 * cannot be read. Caller frees. */
static char *read_file(const char *path, size_t *len)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *m = open_memstream(&buf, &n);
    FILE *f = fopen(path, "rb");
    char block[4096];
    size_t k;
    while (f && (k = fread(block, 1, sizeof block, f)) > 0)
        fwrite(block, 1, k, m);
    if (f)
        fclose(f);
    fclose(m);
    if (len)
        *len = n;
    return buf;
}

static char *read_text_file(const char *path)
{
    return read_file(path, NULL);
}

/* The last ~1500 characters of the server's log, for failure messages (static buffer). */
static const char *log_tail(void)
{
    static char out[1600];
    char *all = read_text_file(S.log);
    size_t n = strlen(all);
    snprintf(out, sizeof out, "%s", all + (n > 1500 ? n - 1500 : 0));
    free(all);
    return out;
}

/* `./strobe keys create` into the data directory: the secret into key, the public id into id. */
static void make_key(const char *name, long credits, char key[64], char id[64])
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "./strobe keys create --name '%s' --credits %ld --json --data '%s' --meta '%s' 2>&1", name,
             credits, S.data, S.meta_env[0] ? S.meta : "");
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    char line[1024] = "";
    char *got = fgets(line, sizeof line, p);
    int st = pclose(p);
    cr_assert(got && WIFEXITED(st) && WEXITSTATUS(st) == 0, "keys create failed: %s", line);
    json_t *j = json_loads(line, 0, NULL);
    cr_assert_not_null(j, "keys create printed no JSON: %s", line);
    cr_assert(jstr(j, "key") && jstr(j, "id"), "keys create JSON: %s", line);
    cr_assert_eq(jint(j, "credits"), credits);
    snprintf(key, 64, "%s", jstr(j, "key"));
    if (id)
        snprintf(id, 64, "%s", jstr(j, "id"));
    json_decref(j);
}

static bool env_named(const char *entry, const char *const *list)
{
    size_t n = strcspn(entry, "=");
    for (int i = 0; list && list[i]; i++)
        if (!strncmp(list[i], entry, n) && list[i][n] == '=')
            return true;
    return false;
}

/* Fork and exec `./strobe ARGS...` with the environment `env` ("NAME=value", NULL-terminated) over a
 * cleaned copy of ours (no inherited STROBE_* settings but STROBE_MODELS; rate limiting off unless `env`
 * sets it; the test's STROBE_META / STROBE_BLOBS when it has them), stdout and stderr into `log`. The
 * child dies with this process (PR_SET_PDEATHSIG), so a crashed test leaves nothing behind. */
static pid_t strobe_spawn(const char *const *args, const char *const *env, const char *log)
{
    int logfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    cr_assert_geq(logfd, 0);
    /* Everything the child needs is built before fork: after it, only async-signal-safe calls. */
    char cwd[2048], exe[2100], models[1200];
    cr_assert_not_null(getcwd(cwd, sizeof cwd));
    snprintf(exe, sizeof exe, "%s/strobe", cwd);
    const char *argv[32];
    int argc = 0;
    argv[argc++] = exe;
    for (int i = 0; args && args[i] && argc < 31; i++)
        argv[argc++] = args[i];
    argv[argc] = NULL;

    const char *envp[512];
    int n = 0;
    bool have_models = false;
    for (char **e = environ; *e && n < 480; e++) {
        if (!strncmp(*e, "STROBE_", 7) && strncmp(*e, "STROBE_MODELS=", 14))
            continue;
        if (env_named(*e, env))
            continue;
        if (!strncmp(*e, "STROBE_MODELS=", 14))
            have_models = true;
        envp[n++] = *e;
    }
    if (!have_models && !env_named("STROBE_MODELS=", env)) {
        snprintf(models, sizeof models, "STROBE_MODELS=%s/models", tu_shared_dir());
        envp[n++] = models;
    }
    if (!env_named("STROBE_RATE_LIMIT=", env))
        envp[n++] = "STROBE_RATE_LIMIT=0";
    if (S.meta_env[0] && !env_named("STROBE_META=", env))
        envp[n++] = S.meta_env;
    if (S.blobs_env[0] && !env_named("STROBE_BLOBS=", env))
        envp[n++] = S.blobs_env;
    for (int i = 0; env && env[i] && n < 510; i++)
        envp[n++] = env[i];
    envp[n] = NULL;

    pid_t parent = getpid();
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        int devnull = open("/dev/null", O_RDWR);
        dup2(devnull, 0);
        dup2(logfd, 1);
        dup2(logfd, 2);
        for (int fd = 3; fd < 4096; fd++)
            close(fd);
        execve(exe, (char *const *)argv, (char *const *)envp);
        _exit(127);
    }
    close(logfd);
    return pid;
}

/* Wait up to timeout_ms for the JSON log line "msg":"<msg>" of process *pid in `log`: its "port" field, or
 * 0 when the line has none. Fails the test when the process exits first (*pid is then 0) or the line does
 * not come. */
static int strobe_wait_line(pid_t *pid, const char *log, const char *msg, int timeout_ms)
{
    char want[96];
    snprintf(want, sizeof want, "\"msg\":\"%s\"", msg);
    long long deadline = now_ms() + timeout_ms;
    while (now_ms() < deadline) {
        char *text = read_text_file(log);
        const char *line = strstr(text, want);
        const char *port = line ? strstr(line, "\"port\":") : NULL;
        int found = line ? (port ? atoi(port + 7) : 0) : -1;
        free(text);
        if (found >= 0)
            return found;
        int st;
        if (waitpid(*pid, &st, WNOHANG) == *pid) {
            *pid = 0;
            char *all = read_text_file(log);
            size_t n = strlen(all);
            cr_assert_fail("%s exited during startup (status %d): %s", log, st, all + (n > 1500 ? n - 1500 : 0));
        }
        sleep_ms(30);
    }
    cr_assert_fail("no '%s' line in %s within %d ms", msg, log, timeout_ms);
    return -1;
}

/* Start `./strobe serve --listen 127.0.0.1:0 --data DATA --workers 1 ARGS...` (strobe_spawn, with `env`)
 * and wait for its "listening" line. */
static void server_start(const char *const *env, const char *const *args)
{
    cr_assert_eq(S.pid, 0, "a server is already running");
    S.starts++;
    snprintf(S.log, sizeof S.log, "%s/server-%d.log", S.tmp, S.starts);
    const char *argv[32];
    int argc = 0;
    argv[argc++] = "serve";
    argv[argc++] = "--listen";
    argv[argc++] = "127.0.0.1:0";
    argv[argc++] = "--data";
    argv[argc++] = S.data;
    argv[argc++] = "--workers"; /* a later --workers in args wins */
    argv[argc++] = "1";
    for (int i = 0; args && args[i] && argc < 31; i++)
        argv[argc++] = args[i];
    argv[argc] = NULL;
    S.pid = strobe_spawn(argv, env, S.log);
    S.port = strobe_wait_line(&S.pid, S.log, "listening", 30000);
    cr_assert_gt(S.port, 0, "no port in the 'listening' line: %s", log_tail());
    snprintf(S.base, sizeof S.base, "http://127.0.0.1:%d", S.port);
}

/* Wait up to timeout_ms for the server to exit; its wait status, or -1 when it did not. */
static int server_wait(int timeout_ms)
{
    long long deadline = now_ms() + timeout_ms;
    for (;;) {
        int st;
        pid_t r = waitpid(S.pid, &st, WNOHANG);
        if (r == S.pid) {
            S.pid = 0;
            return st;
        }
        if (now_ms() > deadline)
            return -1;
        sleep_ms(20);
    }
}

/* SIGTERM and wait: the wait status, or -1 when it did not exit in time (then it is killed). */
static int server_stop(int timeout_ms)
{
    if (!S.pid)
        return -1;
    kill(S.pid, SIGTERM);
    int st = server_wait(timeout_ms);
    if (st == -1) {
        kill(S.pid, SIGKILL);
        server_wait(5000);
    }
    return st;
}

static void server_kill9(void)
{
    cr_assert_neq(S.pid, 0);
    kill(S.pid, SIGKILL);
    int st = server_wait(10000);
    cr_assert(st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "kill -9 did not end the server");
}

/* ================================================================================================
 * the origin: a loopback HTTP server in a thread for image_url inputs and webhooks
 * ================================================================================================ */

typedef struct {
    char method[16];
    char path[256];
    char *head; /* request line and headers */
    char *body;
    size_t body_len;
} hit_t;

#define MAX_HITS 128

static struct {
    bool running;
    int lfd[2];
    int nl;
    int port;
    bool has_v6;
    int wake[2];
    pthread_t thread;
    atomic_int accepted;
    atomic_int active;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    hit_t hits[MAX_HITS];
    int nhits;
    const uint8_t *img;
    size_t img_len;
    int slow_ms;
} O = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static void send_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n > 0) {
        ssize_t k = send(fd, c, n, MSG_NOSIGNAL);
        if (k <= 0)
            return;
        c += k;
        n -= (size_t)k;
    }
}

static void send_answer(int fd, const char *status, const char *extra, const void *body, size_t len)
{
    char h[1024];
    int n = snprintf(h, sizeof h, "HTTP/1.1 %s\r\nConnection: close\r\nContent-Length: %zu\r\n%s\r\n", status, len,
                     extra ? extra : "");
    send_all(fd, h, (size_t)n);
    if (len)
        send_all(fd, body, len);
}

static int count_hits_locked(const char *path)
{
    int n = 0;
    for (int i = 0; i < O.nhits; i++)
        if (!strcmp(O.hits[i].path, path))
            n++;
    return n;
}

/* Read one request (head, and a Content-Length body), record it, answer by path. */
static void origin_serve(int fd)
{
    size_t cap = 1 << 16, len = 0, want = 0;
    char *req = malloc(cap + 1);
    char *end = NULL;
    for (;;) {
        if (!end && (end = memmem(req, len, "\r\n\r\n", 4))) {
            size_t head = (size_t)(end + 4 - req);
            char saved = req[head];
            req[head] = '\0';
            const char *cl = strcasestr(req, "\r\nContent-Length:");
            req[head] = saved;
            want = head + (cl ? strtoull(cl + 17, NULL, 10) : 0);
        }
        if (end && len >= want)
            break;
        if (len == cap)
            req = realloc(req, (cap *= 2) + 1);
        ssize_t k = recv(fd, req + len, cap - len, 0);
        if (k <= 0) {
            free(req);
            return;
        }
        len += (size_t)k;
        req[len] = '\0';
    }
    size_t head = (size_t)(end + 4 - req);
    hit_t h = {0};
    sscanf(req, "%15s %255s", h.method, h.path);
    h.path[strcspn(h.path, "?")] = '\0';
    h.head = strndup(req, head);
    h.body_len = len - head;
    h.body = malloc(h.body_len + 1);
    memcpy(h.body, req + head, h.body_len);
    h.body[h.body_len] = '\0';
    free(req);

    pthread_mutex_lock(&O.mu);
    int seen = count_hits_locked(h.path); /* requests to this path before this one */
    if (O.nhits < MAX_HITS)
        O.hits[O.nhits++] = h;
    else {
        free(h.head);
        free(h.body);
    }
    pthread_cond_broadcast(&O.cv);
    pthread_mutex_unlock(&O.mu);

    char loc[256];
    if (!strcmp(h.path, "/img")) {
        send_answer(fd, "200 OK", "Content-Type: image/jpeg\r\n", O.img, O.img_len);
    } else if (!strcmp(h.path, "/slow")) {
        /* Hold the answer (stop early when the client hangs up), then the image. */
        struct pollfd p = {.fd = fd, .events = POLLIN};
        poll(&p, 1, O.slow_ms);
        send_answer(fd, "200 OK", "Content-Type: image/jpeg\r\n", O.img, O.img_len);
    } else if (!strcmp(h.path, "/redirect-private")) {
        send_answer(fd, "302 Found", "Location: http://10.0.0.1/x\r\n", NULL, 0);
    } else if (!strcmp(h.path, "/redirect-img")) {
        snprintf(loc, sizeof loc, "Location: http://127.0.0.1:%d/img\r\n", O.port);
        send_answer(fd, "302 Found", loc, NULL, 0);
    } else if (!strcmp(h.path, "/hook")) {
        send_answer(fd, "200 OK", NULL, "ok", 2);
    } else if (!strcmp(h.path, "/hook-flaky")) {
        if (seen == 0)
            send_answer(fd, "500 Internal Server Error", NULL, "try again", 9);
        else
            send_answer(fd, "200 OK", NULL, "ok", 2);
    } else {
        send_answer(fd, "404 Not Found", NULL, "not found", 9);
    }
}

static void *origin_conn_main(void *arg)
{
    int fd = (int)(intptr_t)arg;
    struct timeval tv = {.tv_sec = 10};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    origin_serve(fd);
    close(fd);
    atomic_fetch_sub(&O.active, 1);
    return NULL;
}

static void *origin_main(void *arg)
{
    (void)arg;
    for (;;) {
        struct pollfd p[3] = {{.fd = O.wake[0], .events = POLLIN}};
        for (int i = 0; i < O.nl; i++)
            p[1 + i] = (struct pollfd){.fd = O.lfd[i], .events = POLLIN};
        if (poll(p, (nfds_t)(1 + O.nl), -1) < 0) {
            if (errno == EINTR)
                continue;
            return NULL;
        }
        if (p[0].revents)
            return NULL;
        for (int i = 1; i <= O.nl; i++) {
            if (!(p[i].revents & POLLIN))
                continue;
            int c = accept4(p[i].fd, NULL, NULL, SOCK_CLOEXEC);
            if (c < 0)
                continue;
            atomic_fetch_add(&O.accepted, 1);
            atomic_fetch_add(&O.active, 1);
            pthread_t t;
            pthread_attr_t a;
            pthread_attr_init(&a);
            pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
            if (pthread_create(&t, &a, origin_conn_main, (void *)(intptr_t)c) != 0) {
                close(c);
                atomic_fetch_sub(&O.active, 1);
            }
            pthread_attr_destroy(&a);
        }
    }
}

/* Listen on 127.0.0.1 and, where IPv6 loopback works, on ::1 with the same port; serve `img` at /img
 * and /slow (after slow_ms). */
static void origin_start(const uint8_t *img, size_t len, int slow_ms)
{
    O.img = img;
    O.img_len = len;
    O.slow_ms = slow_ms;
    O.port = tu_listen_loopback(O.lfd, &O.nl, &O.has_v6);
    cr_assert_eq(pipe2(O.wake, O_CLOEXEC), 0);
    cr_assert_eq(pthread_create(&O.thread, NULL, origin_main, NULL), 0);
    O.running = true;
}

static void origin_stop(void)
{
    if (!O.running)
        return;
    O.running = false;
    if (write(O.wake[1], "x", 1) != 1)
        return;
    pthread_join(O.thread, NULL);
    for (int i = 0; i < O.nl; i++)
        close(O.lfd[i]);
    close(O.wake[0]);
    close(O.wake[1]);
    long long deadline = now_ms() + 3000;
    while (atomic_load(&O.active) > 0 && now_ms() < deadline)
        sleep_ms(10);
    if (atomic_load(&O.active) > 0)
        return; /* a connection thread is still out: leave the hits to the process exit */
    for (int i = 0; i < O.nhits; i++) {
        free(O.hits[i].head);
        free(O.hits[i].body);
    }
    O.nhits = 0;
}

static void origin_url(char *out, size_t n, const char *host, const char *path)
{
    snprintf(out, n, "http://%s:%d%s", host, O.port, path);
}

static int origin_count(const char *path)
{
    pthread_mutex_lock(&O.mu);
    int n = count_hits_locked(path);
    pthread_mutex_unlock(&O.mu);
    return n;
}

/* Wait until `path` was requested at least `n` times or timeout_ms passed; the count. */
static int origin_wait(const char *path, int n, int timeout_ms)
{
    long long deadline = now_ms() + timeout_ms;
    pthread_mutex_lock(&O.mu);
    int got;
    while ((got = count_hits_locked(path)) < n && now_ms() < deadline) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 50 * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&O.cv, &O.mu, &ts);
    }
    pthread_mutex_unlock(&O.mu);
    return got;
}

/* A copy of the idx-th request to `path` (free head and body). */
static hit_t origin_hit(const char *path, int idx)
{
    hit_t out = {0};
    pthread_mutex_lock(&O.mu);
    for (int i = 0, k = 0; i < O.nhits; i++) {
        if (strcmp(O.hits[i].path, path))
            continue;
        if (k++ == idx) {
            out = O.hits[i];
            out.head = strdup(O.hits[i].head);
            out.body = malloc(out.body_len + 1);
            memcpy(out.body, O.hits[i].body, out.body_len + 1);
            break;
        }
    }
    pthread_mutex_unlock(&O.mu);
    cr_assert_not_null(out.head, "no request %d to %s on the origin", idx, path);
    return out;
}

static void hit_free(hit_t *h)
{
    free(h->head);
    free(h->body);
    memset(h, 0, sizeof *h);
}

/* Header `name` of a recorded request into out (trimmed); false when absent. */
static bool hit_header(const hit_t *h, const char *name, char *out, size_t n)
{
    char pat[128];
    snprintf(pat, sizeof pat, "\r\n%s:", name);
    const char *p = strcasestr(h->head, pat);
    if (!p)
        return false;
    p += strlen(pat);
    while (*p == ' ')
        p++;
    size_t k = strcspn(p, "\r\n");
    snprintf(out, n, "%.*s", (int)k, p);
    return true;
}

/* ================================================================================================
 * the HTTP client (libcurl)
 * ================================================================================================ */

typedef struct {
    const char *name;
    const void *data;
    size_t len;
    const char *filename; /* NULL: a plain field */
    const char *type;
} part_t;

typedef struct {
    const char *method;          /* default GET, or POST with a body or parts */
    const char *path;            /* relative to the server, or an absolute http:// URL */
    const char *key;             /* sent as "Authorization: Bearer <key>" */
    const char *const *headers;  /* extra "Name: value", NULL-terminated */
    const char *content_type;
    const void *body;
    size_t len;
    const part_t *parts;
    int nparts;
    bool chunked;                /* send the body without Content-Length */
    atomic_int *sent;            /* set to 1 once the whole body was handed to the socket */
    long timeout_ms;             /* default 60 s */
} req_t;

typedef struct {
    CURLcode cc;
    long status;
    char *head;
    size_t head_len;
    char *body;
    size_t len;
    json_t *json; /* the body parsed as JSON, or NULL */
    char err[CURL_ERROR_SIZE];
} resp_t;

typedef struct {
    char *buf;
    size_t len, cap;
} grow_t;

static void grow_add(grow_t *g, const void *p, size_t n)
{
    if (g->len + n + 1 > g->cap) {
        size_t cap = g->cap ? g->cap : 4096;
        while (cap < g->len + n + 1)
            cap *= 2;
        g->buf = realloc(g->buf, cap);
        g->cap = cap;
    }
    memcpy(g->buf + g->len, p, n);
    g->len += n;
    g->buf[g->len] = '\0';
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    grow_add(ud, p, size * n);
    return size * n;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    grow_t *g = ud;
    if (size * n >= 5 && !strncmp(p, "HTTP/", 5))
        g->len = 0; /* a new response (after 100 Continue or a redirect): keep only the last head */
    grow_add(g, p, size * n);
    return size * n;
}

typedef struct {
    const uint8_t *p;
    size_t left;
} reader_t;

static size_t on_read(char *buf, size_t size, size_t n, void *ud)
{
    reader_t *r = ud;
    size_t k = size * n < r->left ? size * n : r->left;
    if (k > 16384)
        k = 16384; /* several chunks */
    memcpy(buf, r->p, k);
    r->p += k;
    r->left -= k;
    return k;
}

static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
    (void)dltotal;
    (void)dlnow;
    if (ultotal > 0 && ulnow >= ultotal)
        atomic_store((atomic_int *)ud, 1);
    return 0;
}

/* One request; never asserts (safe from any thread). */
static resp_t http(const req_t *r)
{
    resp_t out = {0};
    grow_t body = {0}, head = {0};
    CURL *h = curl_easy_init();
    char url[4096], auth[256];
    if (!strncmp(r->path, "http://", 7) || !strncmp(r->path, "https://", 8))
        snprintf(url, sizeof url, "%s", r->path);
    else
        snprintf(url, sizeof url, "%s%s", S.base, r->path);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, r->timeout_ms ? r->timeout_ms : 60000L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &head);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, out.err);
    struct curl_slist *hl = NULL;
    if (r->key) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", r->key);
        hl = curl_slist_append(hl, auth);
    }
    for (int i = 0; r->headers && r->headers[i]; i++)
        hl = curl_slist_append(hl, r->headers[i]);
    char ct[256];
    if (r->content_type) {
        snprintf(ct, sizeof ct, "Content-Type: %s", r->content_type);
        hl = curl_slist_append(hl, ct);
    }
    curl_mime *mime = NULL;
    reader_t rd = {r->body, r->len};
    if (r->parts) {
        mime = curl_mime_init(h);
        for (int i = 0; i < r->nparts; i++) {
            curl_mimepart *p = curl_mime_addpart(mime);
            curl_mime_name(p, r->parts[i].name);
            curl_mime_data(p, r->parts[i].data, r->parts[i].len);
            if (r->parts[i].filename)
                curl_mime_filename(p, r->parts[i].filename);
            if (r->parts[i].type)
                curl_mime_type(p, r->parts[i].type);
        }
        curl_easy_setopt(h, CURLOPT_MIMEPOST, mime);
    } else if (r->chunked) {
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
        curl_easy_setopt(h, CURLOPT_READDATA, &rd);
        hl = curl_slist_append(hl, "Transfer-Encoding: chunked");
    } else if (r->body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, r->body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->len);
    }
    if (r->method)
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, r->method);
    if (r->sent) {
        curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(h, CURLOPT_XFERINFODATA, r->sent);
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    out.cc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out.status);
    curl_easy_cleanup(h);
    curl_mime_free(mime);
    curl_slist_free_all(hl);
    out.body = body.buf ? body.buf : strdup("");
    out.len = body.len;
    out.head = head.buf ? head.buf : strdup("");
    out.head_len = head.len;
    out.json = json_loadb(out.body, out.len, 0, NULL);
    return out;
}

static void resp_free(resp_t *r)
{
    free(r->body);
    free(r->head);
    json_decref(r->json);
    memset(r, 0, sizeof *r);
}

/* Response header `name` (case-insensitive, trimmed) into out; false when absent. */
static bool resp_header(const resp_t *r, const char *name, char *out, size_t n)
{
    size_t nl = strlen(name);
    for (const char *line = r->head; line && *line;) {
        const char *eol = strstr(line, "\r\n");
        size_t ll = eol ? (size_t)(eol - line) : strlen(line);
        if (ll > nl && !strncasecmp(line, name, nl) && line[nl] == ':') {
            const char *v = line + nl + 1;
            while (*v == ' ')
                v++;
            snprintf(out, n, "%.*s", (int)(ll - (size_t)(v - line)), v);
            return true;
        }
        line = eol ? eol + 2 : line + ll;
    }
    return false;
}

static long header_long(const resp_t *r, const char *name)
{
    char v[64];
    return resp_header(r, name, v, sizeof v) ? strtol(v, NULL, 10) : -999;
}

static resp_t get(const char *path, const char *key)
{
    return http(&(req_t){.path = path, .key = key});
}

static resp_t post_json(const char *key, const char *json, const char *const *headers)
{
    return http(&(req_t){.path = "/api/v1/ai-headshot", .key = key, .content_type = "application/json",
                         .body = json, .len = strlen(json), .headers = headers});
}

/* Multipart POST to `path`: the image as file part "image" (when img) plus text fields as name, value
 * pairs (at most 23). */
static resp_t post_multipart(const char *path, const char *key, const void *img, size_t len,
                             const char *const *fields, const char *const *headers)
{
    part_t parts[24];
    int n = 0;
    if (img)
        parts[n++] = (part_t){"image", img, len, "photo.jpg", "image/jpeg"};
    for (int i = 0; fields && fields[i] && fields[i + 1] && n < 24; i += 2)
        parts[n++] = (part_t){fields[i], fields[i + 1], strlen(fields[i + 1]), NULL, NULL};
    return http(&(req_t){.path = path, .key = key, .parts = parts, .nparts = n, .headers = headers});
}

/* Multipart to the headshot route (see post_multipart). */
static resp_t post_image(const char *key, const void *img, size_t len, const char *const *fields,
                         const char *const *headers)
{
    return post_multipart("/api/v1/ai-headshot", key, img, len, fields, headers);
}

static const char *err_code(const resp_t *r)
{
    return nz(jstr(json_object_get(r->json, "error"), "code"));
}

static const char *err_field(const resp_t *r)
{
    return nz(jstr(json_object_get(r->json, "error"), "field"));
}

/* The answer is `status` with {"error":{"code","message","field"}}; field checked when not NULL. */
#define EXPECT_ERROR(r, st, code, field, what)                                                                    \
    do {                                                                                                          \
        const resp_t *r_ = &(r);                                                                                  \
        cr_assert_eq(r_->cc, CURLE_OK, "%s: transfer failed: %s", (what), r_->err);                               \
        cr_assert_eq(r_->status, (st), "%s: status %ld, body %s", (what), r_->status, r_->body);                  \
        json_t *e_ = json_object_get(r_->json, "error");                                                          \
        cr_assert(json_is_object(e_), "%s: no error object in %s", (what), r_->body);                             \
        cr_assert_str_eq(err_code(r_), (code), "%s: body %s", (what), r_->body);                                  \
        cr_assert(json_is_string(json_object_get(e_, "message")) && *jstr(e_, "message"), "%s: message in %s",    \
                  (what), r_->body);                                                                              \
        cr_assert(json_is_string(json_object_get(e_, "field")), "%s: field in %s", (what), r_->body);             \
        if ((field) != NULL)                                                                                      \
            cr_assert_str_eq(err_field(r_), (const char *)(field), "%s: body %s", (what), r_->body);              \
    } while (0)

#define EXPECT_STATUS(r, st, what)                                                                                \
    do {                                                                                                          \
        cr_assert_eq((r).cc, CURLE_OK, "%s: transfer failed: %s", (what), (r).err);                               \
        cr_assert_eq((r).status, (st), "%s: status %ld, body %.600s", (what), (r).status, (r).body);              \
    } while (0)

/* A body_too_large answer that tells the client the limit (1 MB in these tests). */
static void expect_limit_named(const resp_t *r, const char *what)
{
    const char *msg = nz(jstr(json_object_get(r->json, "error"), "message"));
    cr_assert(strstr(msg, "1048576") || strstr(msg, "1 MB") || strstr(msg, "1 MiB") || strstr(msg, "1MB"),
              "%s: the message does not name the 1 MB limit: %s", what, msg);
}

/* GET /healthz answers 200: the server survived what came before. */
static void expect_healthy(const char *after)
{
    resp_t r = get("/healthz", NULL);
    cr_assert_eq(r.cc, CURLE_OK, "/healthz after %s: %s (log: %s)", after, r.err, log_tail());
    cr_assert_eq(r.status, 200, "/healthz after %s: %ld", after, r.status);
    resp_free(&r);
}

static json_t *account(const char *key)
{
    resp_t r = get("/v1/account", key);
    EXPECT_STATUS(r, 200, "GET /v1/account");
    json_t *j = json_incref(r.json);
    cr_assert_not_null(j);
    resp_free(&r);
    return j;
}

/* Poll GET /v1/image/{id} until its status is `want` (fails on another final status or timeout). */
static json_t *poll_job(const char *key, const char *id, const char *want, int timeout_ms, int every_ms)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/image/%s", id);
    long long deadline = now_ms() + timeout_ms;
    char last[2048] = "";
    for (;;) {
        resp_t r = get(path, key);
        if (r.cc == CURLE_OK && r.status == 200) {
            const char *st = jstr(r.json, "status");
            snprintf(last, sizeof last, "%.2000s", r.body);
            if (st && !strcmp(st, want)) {
                json_t *j = json_incref(r.json);
                resp_free(&r);
                return j;
            }
            if (st && (!strcmp(st, "completed") || !strcmp(st, "failed")))
                cr_assert_fail("job %s ended %s while waiting for %s: %s", id, st, want, r.body);
        } else {
            snprintf(last, sizeof last, "status %ld cc %d: %.1900s", r.status, r.cc, r.body);
        }
        resp_free(&r);
        if (now_ms() > deadline)
            cr_assert_fail("job %s not %s within %d ms; last: %s; log: %s", id, want, timeout_ms, last, log_tail());
        sleep_ms(every_ms);
    }
}

/* GET an output_url: 200 with the content type and bytes; returns the bytes (caller frees the resp). */
static resp_t fetch_output(const char *url, const char *content_type)
{
    cr_assert(url && !strncmp(url, "http://127.0.0.1:", 17), "output_url %s", nz(url));
    resp_t r = get(url, NULL);
    EXPECT_STATUS(r, 200, "GET output_url");
    char ct[128];
    cr_assert(resp_header(&r, "Content-Type", ct, sizeof ct), "no Content-Type");
    cr_assert_str_eq(ct, content_type);
    return r;
}

static void expect_png_800(const resp_t *r, const char *what)
{
    uint32_t w = 0, h = 0;
    cr_assert(png_size((const uint8_t *)r->body, r->len, &w, &h), "%s: not a PNG (%zu bytes)", what, r->len);
    cr_assert_eq(w, 800, "%s: width %u", what, w);
    cr_assert_eq(h, 800, "%s: height %u", what, h);
}

/* A successful sync headshot answer: 200, face found, 800x800 output. */
static void expect_headshot_ok(const resp_t *r, const char *what)
{
    EXPECT_STATUS(*r, 200, what);
    cr_assert_not_null(r->json, "%s: not JSON: %s", what, r->body);
    cr_assert_str_eq(nz(jstr(r->json, "status")), "completed", "%s: %s", what, r->body);
    cr_assert(json_is_true(json_object_get(r->json, "face_detected")), "%s: %s", what, r->body);
    cr_assert_geq(jint(r->json, "face_count"), 1, "%s: %s", what, r->body);
    cr_assert_eq(jint(r->json, "width"), 800, "%s: %s", what, r->body);
    cr_assert_eq(jint(r->json, "height"), 800, "%s: %s", what, r->body);
    cr_assert(json_is_integer(json_object_get(r->json, "latency_ms")), "%s: latency_ms in %s", what, r->body);
    cr_assert_geq(jint(r->json, "latency_ms"), 0);
    cr_assert(jstr(r->json, "output_url") && *jstr(r->json, "output_url"), "%s: output_url in %s", what, r->body);
    cr_assert(jstr(r->json, "id") && !strncmp(jstr(r->json, "id"), "job_", 4), "%s: id in %s", what, r->body);
}

/* ================================================================================================
 * cleanup after every test (also after a failed assertion)
 * ================================================================================================ */

static void cleanup(void)
{
    if (S.pid > 0) {
        kill(S.pid, SIGKILL);
        waitpid(S.pid, NULL, 0);
        S.pid = 0;
    }
    origin_stop();
    if (S.pg_db[0]) {
        char sql[128];
        snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", S.pg_db);
        pg_admin_sql(sql);
        S.pg_db[0] = '\0';
    }
    if (S.tmp[0] && !strncmp(S.tmp, "/tmp/strobe-srv-", 16)) {
        char cmd[400];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", S.tmp);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", S.tmp);
    }
}

#endif
