/* test_fetch.c - real fetches against a tiny HTTP server on loopback (127.0.0.1 and ::1, one ephemeral
 * port) started inside each test: loopback and private addresses refused without a connection, redirects,
 * caps, timeouts, POST bodies and headers, threads (the address rules and URL checks: test_net_addr.c). */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "net/fetch.h"
#include "loopback.h"
#include "testutil.h"

#define CAP (64 * 1024) /* max_bytes in the server tests */
#define IMG_LEN 5000

/* ---- a canned HTTP server on loopback ---- */

static struct {
    int lfd[2];
    int nl;
    bool has_v6;
    int port;
    int wake[2];
    pthread_t thread;
    atomic_int accepted;
    pthread_mutex_t lock;
    char *last; /* the last request as received, head and body */
    size_t last_len;
} srv = {.lock = PTHREAD_MUTEX_INITIALIZER};

static uint8_t img[IMG_LEN];

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

/* Send a status line and headers; content_length < 0 sends none (the body ends at close). */
static void send_head(int fd, const char *status, long long content_length, const char *extra)
{
    char h[1024];
    int n = snprintf(h, sizeof h, "HTTP/1.1 %s\r\nConnection: close\r\n%s", status, extra ? extra : "");
    if (content_length >= 0)
        n += snprintf(h + n, sizeof h - (size_t)n, "Content-Length: %lld\r\n", content_length);
    n += snprintf(h + n, sizeof h - (size_t)n, "\r\n");
    send_all(fd, h, (size_t)n);
}

static void send_filler(int fd, size_t n)
{
    char block[4096];
    memset(block, 'x', sizeof block);
    while (n > 0) {
        size_t k = n < sizeof block ? n : sizeof block;
        send_all(fd, block, k);
        n -= k;
    }
}

static void respond(int fd, const char *path)
{
    char loc[256];
    if (!strcmp(path, "/img")) {
        send_head(fd, "200 OK", IMG_LEN, "Content-Type: image/png\r\n");
        send_all(fd, img, IMG_LEN);
    } else if (!strcmp(path, "/empty")) {
        send_head(fd, "200 OK", 0, NULL);
    } else if (!strcmp(path, "/img-stream")) {
        send_head(fd, "200 OK", -1, NULL);
        send_all(fd, img, IMG_LEN);
    } else if (!strcmp(path, "/exact")) {
        send_head(fd, "200 OK", CAP, NULL);
        send_filler(fd, CAP);
    } else if (!strcmp(path, "/big")) {
        send_head(fd, "200 OK", 4 * CAP, NULL);
        send_filler(fd, 4 * CAP);
    } else if (!strcmp(path, "/big-stream")) {
        send_head(fd, "200 OK", -1, NULL);
        send_filler(fd, 4 * CAP);
    } else if (!strcmp(path, "/redirect-ok")) {
        send_head(fd, "302 Found", 0, "Location: /img\r\n");
    } else if (!strcmp(path, "/redirect-to-blocked")) {
        send_head(fd, "302 Found", 0, "Location: http://10.0.0.1/x\r\n");
    } else if (!strcmp(path, "/redirect-to-metadata")) {
        send_head(fd, "301 Moved Permanently", 0, "Location: http://169.254.169.254/latest/meta-data/\r\n");
    } else if (!strcmp(path, "/redirect-to-ftp")) {
        snprintf(loc, sizeof loc, "Location: ftp://127.0.0.1:%d/x\r\n", srv.port);
        send_head(fd, "302 Found", 0, loc);
    } else if (!strcmp(path, "/redirect-loop")) {
        send_head(fd, "302 Found", 0, "Location: /redirect-loop\r\n");
    } else if (!strcmp(path, "/hook")) {
        send_head(fd, "202 Accepted", 8, NULL);
        send_all(fd, "accepted", 8);
    } else if (!strcmp(path, "/slow")) {
        /* Wait up to 3 s, but stop as soon as the client hangs up, so the server is free again. */
        struct pollfd p = {.fd = fd, .events = POLLIN};
        poll(&p, 1, 3000);
        send_head(fd, "200 OK", IMG_LEN, NULL);
        send_all(fd, img, IMG_LEN);
    } else {
        send_head(fd, "404 Not Found", 9, NULL);
        send_all(fd, "not found", 9);
    }
}

static size_t content_length(char *req, size_t head)
{
    char saved = req[head];
    req[head] = '\0';
    const char *h = strcasestr(req, "\r\nContent-Length:");
    size_t n = h ? strtoull(h + 17, NULL, 10) : 0;
    req[head] = saved;
    return n;
}

/* Read one request (head and Content-Length body), record it, answer by path. */
static void serve(int fd)
{
    size_t cap = 1 << 16, len = 0, want = 0;
    char *req = malloc(cap + 1);
    char *end = NULL;
    for (;;) {
        if (!end && (end = memmem(req, len, "\r\n\r\n", 4)))
            want = (size_t)(end + 4 - req) + content_length(req, (size_t)(end + 4 - req));
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
    pthread_mutex_lock(&srv.lock);
    free(srv.last);
    srv.last = req;
    srv.last_len = len;
    pthread_mutex_unlock(&srv.lock);

    char path[4096] = "";
    sscanf(req, "%*s %4095s", path);
    path[strcspn(path, "?")] = '\0';
    respond(fd, path);
}

static void *server_main(void *arg)
{
    (void)arg;
    for (;;) {
        struct pollfd p[3] = {{.fd = srv.wake[0], .events = POLLIN}};
        for (int i = 0; i < srv.nl; i++)
            p[1 + i] = (struct pollfd){.fd = srv.lfd[i], .events = POLLIN};
        if (poll(p, (nfds_t)(1 + srv.nl), -1) < 0) {
            if (errno == EINTR)
                continue;
            return NULL;
        }
        if (p[0].revents)
            return NULL;
        for (int i = 1; i <= srv.nl; i++) {
            if (!(p[i].revents & POLLIN))
                continue;
            int c = accept4(p[i].fd, NULL, NULL, SOCK_CLOEXEC);
            if (c < 0)
                continue;
            atomic_fetch_add(&srv.accepted, 1);
            struct timeval tv = {.tv_sec = 5};
            setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
            serve(c);
            close(c);
        }
    }
}

/* Listen on 127.0.0.1 and, where IPv6 works, on ::1 with the same ephemeral port. */
static void server_start(void)
{
    for (size_t i = 0; i < IMG_LEN; i++)
        img[i] = (uint8_t)(i * 131 + (i >> 7));
    srv.port = tu_listen_loopback(srv.lfd, &srv.nl, &srv.has_v6);
    cr_assert_eq(pipe2(srv.wake, O_CLOEXEC), 0);
    cr_assert_eq(pthread_create(&srv.thread, NULL, server_main, NULL), 0);
}

static void server_stop(void)
{
    cr_assert_eq(write(srv.wake[1], "x", 1), 1);
    pthread_join(srv.thread, NULL);
    for (int i = 0; i < srv.nl; i++)
        close(srv.lfd[i]);
    close(srv.wake[0]);
    close(srv.wake[1]);
    free(srv.last);
    srv.last = NULL;
}

TestSuite(fetch, .init = server_start, .fini = server_stop);

static char url_buf[4200];

static const char *at(const char *host, const char *path)
{
    snprintf(url_buf, sizeof url_buf, "http://%s:%d%s", host, srv.port, path);
    return url_buf;
}

static const char *local(const char *path)
{
    return at("127.0.0.1", path);
}

static sb_fetch_opts_t opts(bool allow_private)
{
    sb_fetch_opts_t o = sb_fetch_opts_default();
    o.max_bytes = CAP;
    o.timeout_ms = 5000;
    o.connect_timeout_ms = 2000;
    o.allow_private = allow_private;
    return o;
}

static long long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Connections the server accepted, once any connection still in flight has had time to arrive. */
static int connections(void)
{
    usleep(100 * 1000);
    return atomic_load(&srv.accepted);
}

/* GET that must fail with `code` and a message containing `needle`; returns the time it took. */
static long long expect_get_error(const char *url, const sb_fetch_opts_t *o, sb_err code, const char *needle)
{
    uint8_t *body = NULL;
    size_t len = 0;
    sb_error_t e = {0};
    long long t0 = now_ms();
    sb_err err = sb_fetch_get(url, o, "image_url", &body, &len, &e);
    long long ms = now_ms() - t0;
    cr_assert_eq(err, code, "%s: expected %s, got %s: %s", url, sb_err_name(code), sb_err_name(err), e.message);
    cr_assert_null(body);
    cr_assert_str_eq(e.field, "image_url");
    if (needle)
        cr_assert(strstr(e.message, needle), "%s: message '%s' lacks '%s'", url, e.message, needle);
    return ms;
}

static void expect_get_img(const char *url, const sb_fetch_opts_t *o)
{
    uint8_t *body = NULL;
    size_t len = 0;
    sb_error_t e = {0};
    cr_assert_eq(sb_fetch_get(url, o, "image_url", &body, &len, &e), SB_OK, "%s: %s", url, e.message);
    cr_assert_eq(len, IMG_LEN);
    cr_assert_arr_eq(body, img, IMG_LEN);
    free(body);
}

Test(fetch, loopback_is_refused_by_default_and_never_reached)
{
    sb_fetch_opts_t o = opts(false);
    expect_get_error(local("/img"), &o, SB_ERR_URL_BLOCKED, "127.0.0.1 (loopback address)");
    expect_get_error(at("[::1]", "/img"), &o, SB_ERR_URL_BLOCKED, "::1 (loopback address)");
    expect_get_error(at("localhost", "/img"), &o, SB_ERR_URL_BLOCKED, "loopback");
    expect_get_error(at("LOCALHOST", "/img"), &o, SB_ERR_URL_BLOCKED, "loopback");
    /* Other spellings of loopback: short, decimal, hex, IPv4-mapped, 0.0.0.0. */
    expect_get_error(at("127.1", "/img"), &o, SB_ERR_URL_BLOCKED, "127.0.0.1");
    expect_get_error(at("2130706433", "/img"), &o, SB_ERR_URL_BLOCKED, "127.0.0.1");
    expect_get_error(at("0x7f000001", "/img"), &o, SB_ERR_URL_BLOCKED, "127.0.0.1");
    expect_get_error(at("[::ffff:127.0.0.1]", "/img"), &o, SB_ERR_URL_BLOCKED, "loopback");
    expect_get_error(at("0.0.0.0", "/img"), &o, SB_ERR_URL_BLOCKED, "unspecified");
    cr_assert_eq(connections(), 0);
}

Test(fetch, private_and_metadata_addresses_are_refused_even_with_allow_private)
{
    for (int allow = 0; allow <= 1; allow++) {
        sb_fetch_opts_t o = opts(allow);
        long long ms = expect_get_error("http://10.0.0.1/", &o, SB_ERR_URL_BLOCKED, "10.0.0.1 (private address)");
        cr_assert_lt(ms, 1000, "refused before connecting, took %lld ms", ms);
        ms = expect_get_error("http://169.254.169.254/latest/meta-data/", &o, SB_ERR_URL_BLOCKED,
                              "169.254.169.254 (link-local address)");
        cr_assert_lt(ms, 1000, "refused before connecting, took %lld ms", ms);
        expect_get_error("http://192.168.1.1:8080/x", &o, SB_ERR_URL_BLOCKED, "private");
        expect_get_error("http://100.64.0.1/", &o, SB_ERR_URL_BLOCKED, "CGNAT");
        expect_get_error("https://[fd00::1]/", &o, SB_ERR_URL_BLOCKED, "unique local");
        expect_get_error("http://[fe80::1]/", &o, SB_ERR_URL_BLOCKED, "link-local");
        expect_get_error("http://[::ffff:10.0.0.1]/", &o, SB_ERR_URL_BLOCKED, "private");
        expect_get_error("http://[64:ff9b::a9fe:a9fe]/", &o, SB_ERR_URL_BLOCKED, "link-local");
    }
    cr_assert_eq(connections(), 0);
}

Test(fetch, allow_private_fetches_from_loopback_byte_exactly)
{
    sb_fetch_opts_t o = opts(true);
    expect_get_img(local("/img"), &o);
    expect_get_img(local("/img-stream"), &o);
    expect_get_img(at("localhost", "/img"), &o);
    if (srv.has_v6)
        expect_get_img(at("[::1]", "/img"), &o);

    uint8_t *body = NULL;
    size_t len = 1;
    sb_error_t e = {0};
    cr_assert_eq(sb_fetch_get(local("/empty"), &o, "image_url", &body, &len, &e), SB_OK, "%s", e.message);
    cr_assert_not_null(body);
    cr_assert_eq(len, 0);
    free(body);

    cr_assert_eq(sb_fetch_get(local("/exact"), &o, "image_url", &body, &len, &e), SB_OK, "%s", e.message);
    cr_assert_eq(len, CAP);
    free(body);
}

Test(fetch, a_url_of_exactly_2048_characters_is_accepted)
{
    sb_fetch_opts_t o = opts(true);
    char url[SB_FETCH_MAX_URL + 1];
    int n = snprintf(url, sizeof url, "%s?pad=", local("/img"));
    memset(url + n, 'a', sizeof url - 1 - (size_t)n);
    url[sizeof url - 1] = '\0';
    expect_get_img(url, &o);
}

Test(fetch, redirects_are_followed_within_the_limit)
{
    sb_fetch_opts_t o = opts(true);
    expect_get_img(local("/redirect-ok"), &o);
    cr_assert_eq(connections(), 2);
    o.max_redirects = 0;
    expect_get_error(local("/redirect-ok"), &o, SB_ERR_FETCH_FAILED, "limit of 0 redirects");
}

Test(fetch, a_redirect_to_a_refused_address_is_refused_before_connecting)
{
    sb_fetch_opts_t o = opts(true);
    long long ms = expect_get_error(local("/redirect-to-blocked"), &o, SB_ERR_URL_BLOCKED,
                                    "image_url redirects to 10.0.0.1 (private address)");
    cr_assert_lt(ms, 1000, "took %lld ms", ms);
    expect_get_error(local("/redirect-to-metadata"), &o, SB_ERR_URL_BLOCKED, "169.254.169.254");
    cr_assert_eq(connections(), 2, "only the two first hops reach the loopback server");
}

Test(fetch, a_redirect_to_another_scheme_is_refused)
{
    sb_fetch_opts_t o = opts(true);
    expect_get_error(local("/redirect-to-ftp"), &o, SB_ERR_URL_BLOCKED, "not http or https");
    cr_assert_eq(connections(), 1);
}

Test(fetch, a_redirect_loop_stops_at_the_limit)
{
    sb_fetch_opts_t o = opts(true);
    expect_get_error(local("/redirect-loop"), &o, SB_ERR_FETCH_FAILED, "limit of 3 redirects");
    cr_assert_eq(connections(), 4);
}

Test(fetch, http_errors_name_the_status)
{
    sb_fetch_opts_t o = opts(true);
    expect_get_error(local("/404"), &o, SB_ERR_FETCH_FAILED, "image_url answered HTTP 404");
}

Test(fetch, bodies_over_the_cap_are_refused)
{
    sb_fetch_opts_t o = opts(true);
    expect_get_error(local("/big"), &o, SB_ERR_BODY_TOO_LARGE, "65536 bytes");
    expect_get_error(local("/big-stream"), &o, SB_ERR_BODY_TOO_LARGE, "65536 bytes");
    o.max_bytes = IMG_LEN - 1;
    expect_get_error(local("/img"), &o, SB_ERR_BODY_TOO_LARGE, NULL);
    expect_get_error(local("/img-stream"), &o, SB_ERR_BODY_TOO_LARGE, NULL);
}

Test(fetch, a_slow_server_times_out)
{
    sb_fetch_opts_t o = opts(true);
    o.timeout_ms = 300;
    long long ms = expect_get_error(local("/slow"), &o, SB_ERR_FETCH_FAILED, "timed out after");
    cr_assert_lt(ms, 2000, "took %lld ms", ms);
}

/* The last request the server received, NUL-terminated (caller frees). */
static char *last_request(size_t *len)
{
    pthread_mutex_lock(&srv.lock);
    char *copy = malloc(srv.last_len + 1);
    memcpy(copy, srv.last, srv.last_len);
    copy[srv.last_len] = '\0';
    *len = srv.last_len;
    pthread_mutex_unlock(&srv.lock);
    return copy;
}

Test(fetch, post_delivers_the_exact_body_and_headers)
{
    sb_fetch_opts_t o = opts(true);
    size_t n = 1536 * 1024; /* over 1 MB, where curl would otherwise send Expect: 100-continue */
    uint8_t *body = malloc(n);
    for (size_t i = 0; i < n; i++)
        body[i] = (uint8_t)(i * 7 + (i >> 9));
    const char *const headers[] = {"X-Strobe-Event: job.completed", "X-Strobe-Signature: t=1,v1=abc", NULL};
    long status = 0;
    sb_error_t e = {0};
    cr_assert_eq(sb_fetch_post(local("/hook"), &o, "callback_url", "application/json", body, n, headers,
                               &status, &e),
                 SB_OK, "%s", e.message);
    cr_assert_eq(status, 202);

    size_t len;
    char *req = last_request(&len);
    char *end = strstr(req, "\r\n\r\n");
    cr_assert_not_null(end);
    *end = '\0';
    cr_assert(!strncmp(req, "POST /hook HTTP/1.1\r\n", 21), "%s", req);
    cr_assert(strstr(req, "\r\nContent-Type: application/json\r\n"), "%s", req);
    cr_assert(strstr(req, "\r\nX-Strobe-Event: job.completed\r\n"), "%s", req);
    cr_assert(strstr(req, "\r\nX-Strobe-Signature: t=1,v1=abc\r\n"), "%s", req);
    cr_assert(strstr(req, "\r\nUser-Agent: strobe/0.1\r\n"), "%s", req);
    cr_assert(!strcasestr(req, "Expect:"), "%s", req);
    size_t head = (size_t)(end - req) + 4;
    cr_assert_eq(len - head, n);
    cr_assert_arr_eq(req + head, body, n);
    free(req);
    free(body);
}

Test(fetch, post_returns_any_status_and_follows_no_redirect)
{
    sb_fetch_opts_t o = opts(true);
    long status = 0;
    sb_error_t e = {0};
    cr_assert_eq(sb_fetch_post(local("/404"), &o, "callback_url", "text/plain", (const uint8_t *)"x", 1, NULL,
                               &status, &e),
                 SB_OK, "%s", e.message);
    cr_assert_eq(status, 404);
    cr_assert_eq(sb_fetch_post(local("/redirect-to-blocked"), &o, "callback_url", "text/plain", NULL, 0, NULL,
                               &status, &e),
                 SB_OK, "%s", e.message);
    cr_assert_eq(status, 302);
    /* A reply over the cap is cut short; the status still counts. */
    cr_assert_eq(sb_fetch_post(local("/big-stream"), &o, "callback_url", "text/plain", NULL, 0, NULL, &status,
                               &e),
                 SB_OK, "%s", e.message);
    cr_assert_eq(status, 200);
    cr_assert_eq(connections(), 3);
}

Test(fetch, post_is_guarded_and_checks_its_headers)
{
    sb_fetch_opts_t o = opts(false);
    long status = -1;
    sb_error_t e = {0};
    cr_assert_eq(sb_fetch_post(local("/hook"), &o, "callback_url", "application/json", (const uint8_t *)"{}", 2,
                               NULL, &status, &e),
                 SB_ERR_URL_BLOCKED);
    cr_assert_eq(status, 0);
    cr_assert_str_eq(e.field, "callback_url");
    cr_assert(strstr(e.message, "callback_url resolves to 127.0.0.1"), "%s", e.message);
    cr_assert_eq(sb_fetch_post("file:///etc/passwd", &o, "callback_url", "text/plain", NULL, 0, NULL, &status, &e),
                 SB_ERR_URL_BLOCKED);

    o.allow_private = true;
    const char *const injected[] = {"X-A: b\r\nX-Evil: 1", NULL};
    cr_assert_eq(sb_fetch_post(local("/hook"), &o, "callback_url", "text/plain", NULL, 0, injected, &status, &e),
                 SB_ERR_USAGE);
    const char *const no_colon[] = {"X-A", NULL};
    cr_assert_eq(sb_fetch_post(local("/hook"), &o, "callback_url", "text/plain", NULL, 0, no_colon, &status, &e),
                 SB_ERR_USAGE);
    cr_assert_eq(sb_fetch_post(local("/hook"), &o, "callback_url", "text/plain\r\nX-Evil: 1", NULL, 0, NULL,
                               &status, &e),
                 SB_ERR_USAGE);
    cr_assert_eq(connections(), 0);
}

/* Calls on several threads at once share nothing. */
static void *fetch_many(void *arg)
{
    const sb_fetch_opts_t *o = arg;
    for (int i = 0; i < 5; i++) {
        uint8_t *body = NULL;
        size_t len = 0;
        sb_error_t e = {0};
        if (sb_fetch_get(url_buf, o, "image_url", &body, &len, &e) != SB_OK || len != IMG_LEN ||
            memcmp(body, img, IMG_LEN) != 0) {
            free(body);
            return (void *)1;
        }
        free(body);
    }
    return NULL;
}

Test(fetch, threads_fetch_at_once)
{
    sb_fetch_global_init();
    sb_fetch_opts_t o = opts(true);
    local("/img");
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        cr_assert_eq(pthread_create(&t[i], NULL, fetch_many, &o), 0);
    for (int i = 0; i < 4; i++) {
        void *r;
        pthread_join(t[i], &r);
        cr_assert_null(r, "thread %d failed", i);
    }
    cr_assert_eq(connections(), 20);
}
