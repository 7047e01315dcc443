/* harness_origin.h - part of tests/server_harness.h (included by it, never on its own): the "origin", a
 * small HTTP server in a thread on 127.0.0.1 and ::1 that serves canned images, slow answers and redirects
 * for image_url inputs and records the webhook POSTs it receives. Uses the harness's small utilities. */
#ifndef STROBE_TESTS_HARNESS_ORIGIN_H
#define STROBE_TESTS_HARNESS_ORIGIN_H

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

#endif
