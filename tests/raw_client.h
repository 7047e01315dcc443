/* raw_client.h - raw loopback sockets to the real server for the hardening tests (test_http_hardening,
 * test_http_limits): a connection from a chosen client address (127.0.0.2 is a second one: all of 127/8 is
 * loopback on Linux), an answer read with a deadline, a request sent whole, and the check that an answer is
 * a given status with a JSON error, valid UTF-8 throughout. Everything is static: a test file uses what it
 * needs. */
#ifndef STROBE_TESTS_RAW_CLIENT_H
#define STROBE_TESTS_RAW_CLIENT_H

#pragma GCC diagnostic ignored "-Wunused-function"

#include "server_harness.h"
#include "util/utf8.h"

/* A TCP connection to the server from `src` ("127.0.0.1", "127.0.0.2"; NULL: any), or -1. */
static int raw_connect(const char *src)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    cr_assert_geq(fd, 0);
    if (src) {
        struct sockaddr_in b = {.sin_family = AF_INET};
        cr_assert_eq(inet_pton(AF_INET, src, &b.sin_addr), 1);
        cr_assert_eq(bind(fd, (struct sockaddr *)&b, sizeof b), 0, "bind %s: %s", src, strerror(errno));
    }
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)S.port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

typedef struct {
    char *data;      /* everything the server sent, NUL-terminated */
    size_t len;
    int status;      /* of the first answer, 0 when none */
    char *body;      /* into data: the first answer's body, "" when none */
    json_t *json;    /* the body parsed, or NULL */
    bool closed;     /* the server closed (or reset) the connection */
    long long ms;    /* from the first byte sent until the answer was complete or the connection closed */
} raw_t;

static void raw_free(raw_t *r)
{
    free(r->data);
    json_decref(r->json);
    memset(r, 0, sizeof *r);
}

/* The first answer is complete once its head and Content-Length bytes are in. */
static bool answer_complete(raw_t *r)
{
    char *end = strstr(r->data, "\r\n\r\n");
    if (!end)
        return false;
    const char *cl = strcasestr(r->data, "\r\nContent-Length:");
    if (!cl || cl > end)
        return r->closed;
    size_t want = strtoul(cl + 17, NULL, 10);
    return r->len - (size_t)(end + 4 - r->data) >= want;
}

/* Read an answer on `fd` for up to timeout_ms (the socket stays open). */
static raw_t raw_read(int fd, long long t0, int timeout_ms)
{
    raw_t r = {0};
    r.data = calloc(1, 1);
    long long deadline = t0 + timeout_ms;
    while (now_ms() < deadline && !answer_complete(&r)) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 50) <= 0)
            continue;
        char buf[65536];
        ssize_t k = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (k == 0 || (k < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
            r.closed = true;
            break;
        }
        if (k < 0)
            continue;
        r.data = realloc(r.data, r.len + (size_t)k + 1);
        memcpy(r.data + r.len, buf, (size_t)k);
        r.len += (size_t)k;
        r.data[r.len] = '\0';
    }
    r.ms = now_ms() - t0;
    if (r.len >= 12 && !strncmp(r.data, "HTTP/1.", 7))
        r.status = atoi(r.data + 9);
    char *end = strstr(r.data, "\r\n\r\n");
    r.body = end ? end + 4 : r.data + r.len;
    r.json = json_loads(r.body, 0, NULL);
    return r;
}

/* Send `len` bytes of `req` on a new connection from 127.0.0.1 and read the answer (timeout_ms). */
static raw_t raw_request(const void *req, size_t len, int timeout_ms)
{
    int fd = raw_connect(NULL);
    cr_assert_geq(fd, 0, "connect: %s", strerror(errno));
    long long t0 = now_ms();
    send(fd, req, len, MSG_NOSIGNAL);
    raw_t r = raw_read(fd, t0, timeout_ms);
    close(fd);
    return r;
}

static raw_t raw_text(const char *req, int timeout_ms)
{
    return raw_request(req, strlen(req), timeout_ms);
}

/* The answer is `status` with a JSON error {"error":{"code":`code`,...}}, valid UTF-8 throughout. */
#define EXPECT_RAW_ERROR(r, st, code, what)                                                                       \
    do {                                                                                                          \
        const raw_t *r_ = &(r);                                                                                   \
        cr_assert_eq(r_->status, (st), "%s: status %d after %lld ms: %.600s", (what), r_->status, r_->ms,        \
                     r_->data);                                                                                   \
        json_t *e_ = json_object_get(r_->json, "error");                                                          \
        cr_assert(json_is_object(e_), "%s: no JSON error in %.600s", (what), r_->data);                           \
        cr_assert_str_eq(nz(jstr(e_, "code")), (code), "%s: %.600s", (what), r_->body);                          \
        cr_assert(jstr(e_, "message") && *jstr(e_, "message"), "%s: no message in %.600s", (what), r_->body);     \
    } while (0)

#endif
