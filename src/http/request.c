/* request.c - one request gathered: the head checked (limits.c) and counted per client, the body held in
 * memory under its cap or parsed as multipart while it streams (multipart.c), then handed to the
 * handler; the early answer of the head hook sent once the body is drained. */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/internal.h"
#include "util/clock.h"
#include "util/parse.h"
#include "util/random.h"

static void req_free(sb_http_req_t *req)
{
    if (!req)
        return;
    struct sb_http_conn_priv *p = req->priv;
    if (req->app && p && p->srv->cfg.app_free)
        p->srv->cfg.app_free(req->app);
    if (p) {
        sb_multipart_free(p->mp);
        sb_http_answer_free(p);
        free(p);
    }
    free(req->body);
    for (int i = 0; i < req->n_parts; i++)
        free(req->parts[i].value);
    free(req->parts);
    free(req);
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

/* The Content-Length the request declares: -1 when none, LLONG_MAX when it is too long to be a number
 * (MHD has refused a malformed one already). */
static long long declared_length(struct MHD_Connection *c)
{
    const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    long long n;
    sb_error_t pe;
    if (!cl)
        return -1;
    return sb_parse_int(cl, strlen(cl), 0, LLONG_MAX, &n, "Content-Length", &pe) ? LLONG_MAX : n;
}

/* Whether the request declares a Content-Length over `cap`. */
static bool declared_over(struct MHD_Connection *c, size_t cap)
{
    long long n = declared_length(c);
    return n >= 0 && (unsigned long long)n > cap;
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
        /* MHD reads exactly the declared length: a 1.3 MB body takes 1.3 MB, not the next power of two. */
        if (p->declared > 0 && cap > p->declared)
            cap = need > p->declared ? need : p->declared;
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
    p->track = sb_http_conn_track(c);
    req->conn = c;
    req->t_start_us = sb_clock_us();
    snprintf(req->method, sizeof req->method, "%s", method);
    snprintf(req->path, sizeof req->path, "%s", url);
    sb_random_hex(req->request_id, 8);
    req->body_limit = s->cfg.body_cap;
    sb_http_set_phase(s, p->track, SB_HTTP_PHASE_BODY);
    check_head(s, c, req, method, query_was_cut);
    if (s->cfg.head) {
        s->cfg.head(req, s->cfg.ctx);
        if (p->responded)
            return req;
    }

    if (declared_over(c, req->body_limit))
        body_too_large(req);
    long long declared = declared_length(c);
    p->declared = declared > 0 && (unsigned long long)declared <= req->body_limit ? (size_t)declared : 0;
    const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    bool form = ct && (!strncasecmp(ct, "multipart/form-data", 19) ||
                       (req->form_urlencoded && !strncasecmp(ct, "application/x-www-form-urlencoded", 33)));
    if (!req->body_err && req->body_limit > 0 && form) {
        req->multipart = true;
        sb_err err = sb_multipart_open(c, req, req->body_limit, p->declared, &p->mp, &req->body_error);
        if (err)
            req->body_err = err;
    }
    return req;
}

enum MHD_Result sb_http_on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
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
            return sb_http_answer_queue(c, req);
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
        pthread_mutex_lock(&s->mu);
        s->unsent++;
        pthread_mutex_unlock(&s->mu);
        if (p->early)
            return sb_http_answer_queue(c, req);
        if (p->mp && !req->body_err) {
            sb_err err = sb_multipart_finish(p->mp, &req->body_error);
            if (err)
                req->body_err = err;
        }
        sb_http_set_phase(s, p->track, SB_HTTP_PHASE_BUSY);
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
            return sb_http_answer_queue(c, req);
        return p->deferred ? MHD_YES : MHD_NO; /* MHD_NO: a handler bug, neither answered nor deferred */
    }

    /* Called again after sb_http_resume(). */
    pthread_mutex_lock(&s->mu);
    bool ready = p->responded && !p->queued;
    pthread_mutex_unlock(&s->mu);
    return ready ? sb_http_answer_queue(c, req) : MHD_YES;
}

void sb_http_on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    sb_http_server_t *s = cls;
    sb_http_req_t *req = *con_cls;
    if (!req || sb_http_query_was_cut(req)) { /* the head never completed */
        *con_cls = NULL;
        return;
    }
    struct sb_http_conn_priv *p = req->priv;
    if (p->dispatched) {
        pthread_mutex_lock(&s->mu);
        s->unsent--;
        pthread_mutex_unlock(&s->mu);
    }
    if (s->cfg.done) {
        int status = (p->queued && toe == MHD_REQUEST_TERMINATED_COMPLETED_OK) ? p->status : 0;
        double ms = (double)(sb_clock_us() - req->t_start_us) / 1000.0;
        s->cfg.done(req, status, p->queued ? p->len : 0, ms, s->cfg.ctx);
    }
    if (toe == MHD_REQUEST_TERMINATED_COMPLETED_OK)
        sb_http_set_phase(s, p->track, SB_HTTP_PHASE_HEAD); /* keep-alive: the next head has its own deadline */
    sb_http_clients_leave(s->clients, p->client);
    req_free(req);
    *con_cls = NULL;
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

uint8_t *sb_http_part_take(sb_http_req_t *req, const char *name, size_t *len)
{
    sb_http_part_t *p = (sb_http_part_t *)sb_http_part(req, name);
    char *empty = p ? calloc(1, 1) : NULL;
    if (!empty)
        return NULL;
    uint8_t *v = (uint8_t *)p->value;
    *len = p->len;
    p->value = empty;
    p->len = 0;
    return v;
}
