/* server.c - libmicrohttpd behind sb_http_*: bodies in memory under a cap, multipart parsed while it
 * streams, deadlines for the request head and body, suspend/resume for deferred answers. */
#include "http/server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "http/limits.h"
#include "http/multipart.h"
#include "util/clock.h"
#include "util/parse.h"
#include "util/random.h"

/* One TCP connection, tracked so that the watchdog can cut clients that are too slow to send a request
 * head or body: MHD's own timeout only counts idle time, so a client dribbling one byte a second
 * would otherwise hold a connection forever. */
typedef enum { PHASE_HEAD, PHASE_BODY, PHASE_BUSY } phase_t;

typedef struct track {
    int fd;
    phase_t phase;
    int64_t since_us;
    struct track *prev, *next;
} track_t;

struct sb_http_conn_priv {
    sb_http_server_t *srv;
    track_t *track;
    sb_http_client_t *client;    /* the address this request is counted against; NULL when not counted */
    sb_multipart_t *mp;
    size_t received;
    size_t body_cap_alloc;       /* bytes allocated for body */
    bool dispatched;
    bool early;                  /* answered by the head hook; the body is drained, then the answer sent */
    bool at_once;                /* refused for its framing: answered before any body byte, then closed */
    bool deferred;
    bool suspended;
    bool queued;
    /* the answer; guarded by srv->mu because a worker may write it while an HTTP thread looks */
    bool responded;
    int status;
    char content_type[96];
    void *body;
    size_t len;
    char **headers;
};

struct sb_http_server {
    sb_http_config_t cfg;
    struct MHD_Daemon *daemon;
    int port;
    pthread_mutex_t mu;
    track_t *tracks;
    sb_http_clients_t *clients;  /* requests in flight per client address */
    int deferred;
    int handling;                /* requests inside cfg.handler now */
    bool quiesced;
    bool stopping;
    pthread_t watchdog;
    pthread_cond_t wake;
};

static track_t *conn_track(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

static void set_phase(sb_http_server_t *s, track_t *t, phase_t phase)
{
    if (!t)
        return;
    pthread_mutex_lock(&s->mu);
    t->phase = phase;
    t->since_us = sb_clock_us();
    pthread_mutex_unlock(&s->mu);
}

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    sb_http_server_t *s = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        track_t *t = calloc(1, sizeof *t);
        if (!t)
            return;
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        t->fd = ci ? ci->connect_fd : -1;
        t->phase = PHASE_HEAD;
        t->since_us = sb_clock_us();
        pthread_mutex_lock(&s->mu);
        t->next = s->tracks;
        if (s->tracks)
            s->tracks->prev = t;
        s->tracks = t;
        pthread_mutex_unlock(&s->mu);
        *socket_context = t;
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        track_t *t = *socket_context;
        if (!t)
            return;
        pthread_mutex_lock(&s->mu);
        if (t->prev)
            t->prev->next = t->next;
        else
            s->tracks = t->next;
        if (t->next)
            t->next->prev = t->prev;
        pthread_mutex_unlock(&s->mu);
        free(t);
        *socket_context = NULL;
    }
}

/* Cut connections whose head or body is overdue. shutdown() rather than close(): MHD still owns the
 * descriptor, sees the connection fail on its next read and cleans up as for any broken client. */
static void *watchdog_main(void *arg)
{
    sb_http_server_t *s = arg;
    pthread_mutex_lock(&s->mu);
    while (!s->stopping) {
        sb_clock_cond_wait_ms(&s->wake, &s->mu, 200);
        int64_t now = sb_clock_us();
        for (track_t *t = s->tracks; t; t = t->next) {
            int64_t limit_ms = t->phase == PHASE_HEAD   ? s->cfg.header_deadline_ms
                               : t->phase == PHASE_BODY ? s->cfg.body_deadline_ms
                                                        : 0;
            if (limit_ms > 0 && t->fd >= 0 && now - t->since_us > limit_ms * 1000) {
                shutdown(t->fd, SHUT_RDWR);
                t->fd = -1;
            }
        }
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

static void free_answer(struct sb_http_conn_priv *p)
{
    free(p->body);
    p->body = NULL;
    if (p->headers) {
        for (char **h = p->headers; *h; h++)
            free(*h);
        free(p->headers);
        p->headers = NULL;
    }
}

static void req_free(sb_http_req_t *req)
{
    if (!req)
        return;
    struct sb_http_conn_priv *p = req->priv;
    if (req->app && p && p->srv->cfg.app_free)
        p->srv->cfg.app_free(req->app);
    if (p) {
        sb_multipart_free(p->mp);
        free_answer(p);
        free(p);
    }
    free(req->body);
    for (int i = 0; i < req->n_parts; i++)
        free(req->parts[i].value);
    free(req);
}

static enum MHD_Result queue_answer(struct MHD_Connection *c, sb_http_req_t *req)
{
    struct sb_http_conn_priv *p = req->priv;
    struct MHD_Response *r =
        MHD_create_response_from_buffer_with_free_callback(p->len, p->body ? p->body : (void *)"", p->body ? free : NULL);
    if (!r)
        return MHD_NO;
    p->body = NULL; /* the response owns it now */
    if (p->content_type[0])
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, p->content_type);
    MHD_add_response_header(r, "X-Request-Id", req->request_id);
    for (char **h = p->headers; h && *h; h++) {
        char *colon = strchr(*h, ':');
        if (!colon)
            continue;
        *colon = '\0';
        const char *v = colon + 1;
        while (*v == ' ')
            v++;
        MHD_add_response_header(r, *h, v);
        *colon = ':';
    }
    enum MHD_Result ok = MHD_queue_response(c, (unsigned)p->status, r);
    MHD_destroy_response(r);
    p->queued = ok == MHD_YES;
    return ok;
}

static void __attribute__((format(printf, 3, 4))) body_fail(sb_http_req_t *req, sb_err code, const char *fmt, ...)
{
    if (req->body_err)
        return;
    req->body_err = code;
    req->body_error.code = code;
    req->body_error.field[0] = '\0';
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(req->body_error.message, sizeof req->body_error.message, fmt, ap);
    va_end(ap);
    free(req->body);
    req->body = NULL;
    req->body_len = 0;
}

/* Whether the request declares a Content-Length over `cap`. MHD has refused a malformed one already;
 * one too long to be a number is over any cap. */
static bool declared_over(struct MHD_Connection *c, size_t cap)
{
    const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    long long n;
    sb_error_t pe;
    return cl && (sb_parse_int(cl, strlen(cl), 0, LLONG_MAX, &n, "Content-Length", &pe) || (unsigned long long)n > cap);
}

static void body_too_large(sb_http_req_t *req)
{
    if (req->body_limit == 0)
        body_fail(req, SB_ERR_BODY_TOO_LARGE, "%s takes no request body", req->path);
    else
        body_fail(req, SB_ERR_BODY_TOO_LARGE, "the request body is over the %zu byte limit", req->body_limit);
}

static void append_body(sb_http_req_t *req, const char *data, size_t size)
{
    struct sb_http_conn_priv *p = req->priv;
    size_t need = req->body_len + size;
    if (need > p->body_cap_alloc) {
        size_t cap = p->body_cap_alloc ? p->body_cap_alloc : 16384;
        while (cap < need)
            cap *= 2;
        if (cap > req->body_limit)
            cap = req->body_limit;
        uint8_t *nb = realloc(req->body, cap + 1);
        if (!nb) {
            body_fail(req, SB_ERR_NOMEM, "out of memory receiving a body of %zu bytes", need);
            return;
        }
        req->body = nb;
        p->body_cap_alloc = cap;
    }
    memcpy(req->body + req->body_len, data, size);
    req->body_len = need;
    req->body[need] = 0;
}

/* Refuse what the transport can tell is broken from the head alone (limits.h), then count the request
 * against its client address (over max_requests_per_ip: 429; the connection cap per address is
 * MHD_OPTION_PER_IP_CONNECTION_LIMIT, which closes extra connections when they are accepted). The
 * head hook answers the error (req->body_err); the answer goes at once and the connection closes,
 * since the body's framing cannot be trusted (or the client is over its share). */
static void check_head(sb_http_server_t *s, struct MHD_Connection *c, sb_http_req_t *req, const char *method,
                       bool query_was_cut)
{
    sb_error_t e = {0};
    sb_err err = sb_http_check_head(c, method, sizeof req->method, query_was_cut, &e);
    if (!err) {
        char addr[INET6_ADDRSTRLEN];
        sb_http_client_addr(c, addr);
        if (!sb_http_clients_enter(s->clients, addr, &req->priv->client))
            err = sb_error_set(&e, SB_ERR_RATE_LIMITED, "",
                               "%s has %d requests in flight already, the most one client address may have; retry "
                               "when one is answered",
                               addr, s->cfg.max_requests_per_ip);
    }
    if (err) {
        free(req->body);
        req->body = NULL;
        req->body_err = err;
        req->body_error = e;
        req->priv->at_once = true;
    }
}

static sb_http_req_t *req_begin(sb_http_server_t *s, struct MHD_Connection *c, const char *url, const char *method,
                                bool query_was_cut)
{
    sb_http_req_t *req = calloc(1, sizeof *req);
    struct sb_http_conn_priv *p = calloc(1, sizeof *p);
    if (!req || !p) {
        free(req);
        free(p);
        return NULL;
    }
    req->priv = p;
    p->srv = s;
    p->track = conn_track(c);
    req->conn = c;
    req->t_start_us = sb_clock_us();
    snprintf(req->method, sizeof req->method, "%s", method);
    snprintf(req->path, sizeof req->path, "%s", url);
    sb_random_hex(req->request_id, 8);
    req->body_limit = s->cfg.body_cap;
    set_phase(s, p->track, PHASE_BODY);
    check_head(s, c, req, method, query_was_cut);
    if (s->cfg.head) {
        s->cfg.head(req, s->cfg.ctx);
        if (p->responded)
            return req;
    }

    if (declared_over(c, req->body_limit))
        body_too_large(req);
    const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    bool form = ct && (!strncasecmp(ct, "multipart/form-data", 19) ||
                       (req->form_urlencoded && !strncasecmp(ct, "application/x-www-form-urlencoded", 33)));
    if (!req->body_err && req->body_limit > 0 && form) {
        req->multipart = true;
        sb_err err = sb_multipart_open(c, req, req->body_limit, &p->mp, &req->body_error);
        if (err)
            req->body_err = err;
    }
    return req;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    sb_http_server_t *s = cls;
    sb_http_req_t *req = *con_cls;
    if (!req || sb_http_query_was_cut(req)) {
        req = req_begin(s, c, url, method, req != NULL);
        if (!req)
            return MHD_NO;
        *con_cls = req;
        struct sb_http_conn_priv *p = req->priv;
        /* Answered from the head alone (refused route, key, or admission). The body is read and
         * discarded (nothing is kept) before the answer goes out: a server that answers and closes
         * while the client is still sending makes the client's socket see a reset instead of the
         * answer. Only a body declared over the request's limit is not worth reading, and a head
         * refused for its framing has no body to trust: that answer goes at once. */
        if (p->responded) {
            if (!p->at_once && !declared_over(c, req->body_limit)) {
                p->early = true;
                return MHD_YES;
            }
            p->dispatched = true;
            return queue_answer(c, req);
        }
        /* A body known to be too large is refused before it is read: MHD then closes the connection. */
        if (req->body_err != SB_ERR_BODY_TOO_LARGE)
            return MHD_YES;
    }
    struct sb_http_conn_priv *p = req->priv;

    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        p->received += n;
        /* Drain and discard: the answer is already decided. A client that keeps sending past twice
         * the cap is cut off instead. */
        if (req->body_err || p->early)
            return p->received > 2 * s->cfg.body_cap ? MHD_NO : MHD_YES;
        if (p->received > req->body_limit) {
            body_too_large(req);
            return MHD_YES;
        }
        if (p->mp) {
            sb_err err = sb_multipart_feed(p->mp, upload_data, n, &req->body_error);
            if (err)
                req->body_err = err;
        } else {
            append_body(req, upload_data, n);
        }
        return MHD_YES;
    }

    if (!p->dispatched) {
        p->dispatched = true;
        if (p->early)
            return queue_answer(c, req);
        if (p->mp && !req->body_err) {
            sb_err err = sb_multipart_finish(p->mp, &req->body_error);
            if (err)
                req->body_err = err;
        }
        set_phase(s, p->track, PHASE_BUSY);
        pthread_mutex_lock(&s->mu);
        s->handling++;
        pthread_mutex_unlock(&s->mu);
        s->cfg.handler(req, s->cfg.ctx);
        /* A deferred answer may already be here (a fast worker): then send it without suspending.
         * Otherwise suspend under the lock, so that sb_http_resume() either sees the suspension or
         * leaves the answer for this thread. */
        pthread_mutex_lock(&s->mu);
        s->handling--;
        bool ready = p->responded;
        if (!ready && p->deferred) {
            MHD_suspend_connection(c);
            p->suspended = true;
            s->deferred++;
        }
        pthread_mutex_unlock(&s->mu);
        if (ready)
            return queue_answer(c, req);
        return p->deferred ? MHD_YES : MHD_NO; /* MHD_NO: a handler bug, neither answered nor deferred */
    }

    /* Called again after sb_http_resume(). */
    pthread_mutex_lock(&s->mu);
    bool ready = p->responded && !p->queued;
    pthread_mutex_unlock(&s->mu);
    return ready ? queue_answer(c, req) : MHD_YES;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    sb_http_server_t *s = cls;
    sb_http_req_t *req = *con_cls;
    if (!req || sb_http_query_was_cut(req)) { /* the head never completed */
        *con_cls = NULL;
        return;
    }
    struct sb_http_conn_priv *p = req->priv;
    if (s->cfg.done) {
        int status = (p->queued && toe == MHD_REQUEST_TERMINATED_COMPLETED_OK) ? p->status : 0;
        double ms = (double)(sb_clock_us() - req->t_start_us) / 1000.0;
        s->cfg.done(req, status, p->queued ? p->len : 0, ms, s->cfg.ctx);
    }
    if (toe == MHD_REQUEST_TERMINATED_COMPLETED_OK)
        set_phase(s, p->track, PHASE_HEAD); /* keep-alive: the next head has its own deadline */
    sb_http_clients_leave(s->clients, p->client);
    req_free(req);
    *con_cls = NULL;
}

static sb_err parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *sl, bool *v6, sb_error_t *e)
{
    char host[128];
    const char *colon;
    memset(ss, 0, sizeof *ss);
    if (listen[0] == '[') {
        const char *end = strchr(listen, ']');
        if (!end || end[1] != ':' || (size_t)(end - listen - 1) >= sizeof host)
            return sb_error_set(e, SB_ERR_USAGE, "listen", "listen address '%s' is not [IPv6]:PORT", listen);
        memcpy(host, listen + 1, (size_t)(end - listen - 1));
        host[end - listen - 1] = '\0';
        colon = end + 1;
    } else {
        colon = strrchr(listen, ':');
        if (!colon || (size_t)(colon - listen) >= sizeof host)
            return sb_error_set(e, SB_ERR_USAGE, "listen", "listen address '%s' is not HOST:PORT", listen);
        memcpy(host, listen, (size_t)(colon - listen));
        host[colon - listen] = '\0';
    }
    long long port;
    sb_error_t pe;
    if (sb_parse_int(colon + 1, strlen(colon + 1), 0, 65535, &port, "listen", &pe))
        return sb_error_set(e, SB_ERR_USAGE, "listen", "bad port in listen address '%s'", listen);
    struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)port);
        *sl = sizeof *a4;
        *v6 = false;
    } else if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        *sl = sizeof *a6;
        *v6 = true;
    } else {
        return sb_error_set(e, SB_ERR_USAGE, "listen", "listen host '%s' is not a numeric IPv4 or IPv6 address", host);
    }
    return SB_OK;
}

sb_err sb_http_start(const sb_http_config_t *cfg, sb_http_server_t **out, sb_error_t *e)
{
    struct sockaddr_storage ss;
    socklen_t sl = 0;
    bool v6 = false;
    sb_err err = parse_listen(cfg->listen, &ss, &sl, &v6, e);
    if (err)
        return err;
    sb_http_server_t *s = calloc(1, sizeof *s);
    if (!s)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory");
    s->cfg = *cfg;
    if (!(s->clients = sb_http_clients_new(cfg->max_requests_per_ip))) {
        free(s);
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory");
    }
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->wake, NULL);
    /* No MHD_OPTION_LISTENING_ADDRESS_REUSE: it sets SO_REUSEPORT, which lets a second server bind the
     * same address and silently take half the connections. MHD's default (SO_REUSEADDR) still allows a
     * restart while old connections sit in TIME_WAIT, but never two listeners. */
    unsigned per_ip = cfg->max_connections_per_ip > 0 ? (unsigned)cfg->max_connections_per_ip : 0; /* 0: none */
    unsigned flags =
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | (v6 ? MHD_USE_IPv6 : 0);
    s->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
        MHD_OPTION_URI_LOG_CALLBACK, sb_http_uri_hook, s,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->max_connections, MHD_OPTION_CONNECTION_TIMEOUT, 120u,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(cfg->threads > 0 ? cfg->threads : 1),
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)65536, MHD_OPTION_END);
    if (!s->daemon) {
        pthread_mutex_destroy(&s->mu);
        pthread_cond_destroy(&s->wake);
        sb_http_clients_free(s->clients);
        free(s);
        return sb_error_set(e, SB_ERR_IO, "listen",
                            "cannot listen on %s: the address is in use (another server?) or not an address of this "
                            "host",
                            cfg->listen);
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di ? di->port : 0;
    pthread_create(&s->watchdog, NULL, watchdog_main, s);
    *out = s;
    return SB_OK;
}

int sb_http_port(const sb_http_server_t *s)
{
    return s->port;
}

void sb_http_quiesce(sb_http_server_t *s)
{
    pthread_mutex_lock(&s->mu);
    bool first = !s->quiesced;
    s->quiesced = true;
    pthread_mutex_unlock(&s->mu);
    if (first) {
        MHD_socket fd = MHD_quiesce_daemon(s->daemon);
        if (fd != MHD_INVALID_SOCKET)
            close(fd);
    }
}

bool sb_http_wait_requests(sb_http_server_t *s, int timeout_ms)
{
    int64_t deadline = sb_clock_us() + (int64_t)timeout_ms * 1000;
    for (;;) {
        pthread_mutex_lock(&s->mu);
        int n = s->handling;
        for (const track_t *t = s->tracks; t; t = t->next)
            n += t->phase == PHASE_BODY;
        pthread_mutex_unlock(&s->mu);
        if (n == 0)
            return true;
        if (sb_clock_us() >= deadline)
            return false;
        struct timespec t = {.tv_sec = 0, .tv_nsec = 5 * 1000000L};
        nanosleep(&t, NULL);
    }
}

int sb_http_deferred(const sb_http_server_t *s)
{
    sb_http_server_t *m = (sb_http_server_t *)s;
    pthread_mutex_lock(&m->mu);
    int n = m->deferred;
    pthread_mutex_unlock(&m->mu);
    return n;
}

void sb_http_stop(sb_http_server_t *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    s->stopping = true;
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->watchdog, NULL);
    MHD_stop_daemon(s->daemon);
    sb_http_clients_free(s->clients);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->wake);
    free(s);
}

const char *sb_http_header(sb_http_req_t *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *sb_http_query(sb_http_req_t *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

const sb_http_part_t *sb_http_part(const sb_http_req_t *req, const char *name)
{
    for (int i = 0; i < req->n_parts; i++)
        if (!strcmp(req->parts[i].name, name))
            return &req->parts[i];
    return NULL;
}

void sb_http_respond(sb_http_req_t *req, int status, const char *content_type, void *body, size_t len,
                     const char *const *headers)
{
    struct sb_http_conn_priv *p = req->priv;
    int n = 0;
    while (headers && headers[n])
        n++;
    char **copy = calloc((size_t)n + 1, sizeof *copy);
    for (int i = 0; copy && i < n; i++)
        copy[i] = strdup(headers[i]);
    pthread_mutex_lock(&p->srv->mu);
    free_answer(p);
    p->status = status;
    snprintf(p->content_type, sizeof p->content_type, "%s", content_type ? content_type : "");
    p->body = body;
    p->len = body ? len : 0;
    p->headers = copy;
    p->responded = true;
    pthread_mutex_unlock(&p->srv->mu);
}

void sb_http_defer(sb_http_req_t *req)
{
    req->priv->deferred = true;
}

void sb_http_resume(sb_http_req_t *req)
{
    struct sb_http_conn_priv *p = req->priv;
    sb_http_server_t *s = p->srv;
    pthread_mutex_lock(&s->mu);
    if (p->suspended) {
        p->suspended = false;
        s->deferred--;
        MHD_resume_connection(req->conn);
    }
    pthread_mutex_unlock(&s->mu);
}
