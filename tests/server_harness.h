/* server_harness.h - what the end-to-end HTTP tests share: start the real `./strobe serve` on a random
 * loopback port with its own data directory (mkdtemp under /tmp) and stop it, make API keys, talk to it
 * with libcurl (get, post_json, post_image, ...: harness_client.h), and a small HTTP server in a thread
 * (the "origin", on 127.0.0.1 and ::1: harness_origin.h) that serves canned images, slow answers and
 * redirects for image_url inputs and records webhook POSTs. Only loopback is ever connected to. Include
 * it once per test file, then declare the file's suite with `.fini = cleanup`. Everything is static: a test file uses what it needs.
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

typedef struct {
    const uint8_t *chunks[3];
    int files;
    char found[1200];
} scan_t;

/* Walks `dir` and its subfolders: counts the regular files in s->files and names in s->found the last one
 * holding any of the three 64-byte chunks (the uploaded bytes a test looks for). */
static void scan_dir(const char *dir, scan_t *s)
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "%s", dir);
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        struct stat st;
        if (lstat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            scan_dir(path, s);
            continue;
        }
        if (!S_ISREG(st.st_mode))
            continue;
        s->files++;
        FILE *f = fopen(path, "rb");
        cr_assert_not_null(f, "%s", path);
        uint8_t *buf = malloc((size_t)st.st_size + 1);
        size_t n = fread(buf, 1, (size_t)st.st_size, f);
        fclose(f);
        for (int i = 0; i < 3; i++)
            if (memmem(buf, n, s->chunks[i], 64))
                snprintf(s->found, sizeof s->found, "%s (chunk %d)", path, i);
        free(buf);
    }
    closedir(d);
}

#include "harness_origin.h"
#include "harness_client.h"

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
