/* router.c - the route table, authentication and rate limiting in front of every endpoint, the
 * access log line and the request metrics after it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/product.h"
#include "util/clock.h"
#include "util/hmac.h"
#include "util/utf8.h"
#include "util/log.h"

/* Every route once: method, pattern, handler, whether it needs a key (SB_API_AUTH_*). The table the router
 * walks and the "METHOD PATTERN" list the OpenAPI test checks are both made from it. /v1/files needs no
 * key: the signature is the credential. /api/generate-portrait takes its key from the Bearer header or
 * from the body's apiKey (the seed's contract), at most SB_API_KEYLESS_UPLOADS_MAX such bodies read at once. */
#define ROUTES(X)                                                                                              \
    X("GET", "/healthz", sb_api_healthz, false)                                                               \
    X("GET", "/readyz", sb_api_readyz, false)                                                                 \
    X("GET", "/metrics", sb_api_metrics, false)                                                               \
    X("GET", "/openapi.json", sb_api_openapi, false)                                                          \
    X("GET", "/v1/files/{file}", sb_api_file_get, false)                                                      \
    X("GET", "/v1/account", sb_api_account, true)                                                             \
    X("POST", "/api/v1/ai-headshot", sb_api_headshot, true)                                                   \
    X("POST", "/v1/avatar/generate", sb_api_avatar_generate, true)                                            \
    X("GET", "/v1/image/{id}", sb_api_image_get, true)                                                        \
    X("POST", "/v1/avatar/batch", sb_api_avatar_batch, true)                                                  \
    X("GET", "/v1/avatar/batch/{id}", sb_api_batch_get, true)                                                 \
    X("POST", "/v1/styles", sb_api_style_create, true)                                                        \
    X("GET", "/v1/styles/{token}", sb_api_style_get, true)                                                    \
    X("POST", "/v1/image/product-photo", sb_api_product_photo, true)                                          \
    X("POST", "/api/generate-portrait", sb_api_generate_portrait, SB_API_AUTH_BODY)                           \
    X("POST", "/v1/templates", sb_api_template_create, true)                                                  \
    X("GET", "/v1/templates", sb_api_template_list, true)                                                     \
    X("GET", "/v1/templates/{name}", sb_api_template_get, true)                                               \
    X("DELETE", "/v1/templates/{name}", sb_api_template_delete, true)                                        \
    X("POST", "/v1.0/removebg", sb_api_removebg, SB_API_AUTH_REMOVEBG)

/* The demo page (web.c): routed like the API (HEAD, 405, metrics, the access log) but no part of the API
 * document, so not in sb_api_route_list. */
#define PAGES(X)                                                                                               \
    X("GET", "/", sb_api_web_page, false)                                                                     \
    X("GET", "/demo/{file}", sb_api_web_file, false)

#define ROUTE_ROW(method, pattern, fn, auth) {method, pattern, fn, auth},
#define ROUTE_NAME(method, pattern, fn, auth) method " " pattern,

static const sb_api_route_t routes[] = {ROUTES(ROUTE_ROW) PAGES(ROUTE_ROW)};
#define N_ROUTES (sizeof routes / sizeof routes[0])

const char *const sb_api_route_list[] = {ROUTES(ROUTE_NAME) NULL};

/* Match `path` against `pattern`; the {param} segment goes to param. */
static bool match(const char *pattern, const char *path, char *param, size_t param_size)
{
    while (*pattern && *path) {
        if (*pattern == '{') {
            const char *pend = strchr(pattern, '}');
            const char *seg_end = strchr(path, '/');
            size_t n = seg_end ? (size_t)(seg_end - path) : strlen(path);
            if (!pend || n == 0 || n >= param_size)
                return false;
            memcpy(param, path, n);
            param[n] = '\0';
            pattern = pend + 1;
            path += n;
            continue;
        }
        if (*pattern++ != *path++)
            return false;
    }
    return !*pattern && !*path;
}

/* Give back what the request holds while its body is read: a keyless upload slot, a place in the queue. */
static void release_body_holds(sb_api_ctx_t *c)
{
    if (c->keyless_slot) {
        atomic_fetch_sub(&c->svc->keyless_uploads, 1);
        c->keyless_slot = false;
    }
    if (c->body_slot) {
        sb_jobs_body_done(c->svc->jobs);
        c->body_slot = false;
    }
}

void sb_api_ctx_free(sb_api_ctx_t *c)
{
    if (c)
        release_body_holds(c);
    free(c);
}

static bool authenticate(sb_api_ctx_t *c)
{
    const char *api_key = c->route->auth == SB_API_AUTH_REMOVEBG ? sb_http_header(c->req, "X-Api-Key") : NULL;
    if (api_key) {
        if (!*api_key) {
            sb_api_fail(c, SB_ERR_UNAUTHORIZED, "X-Api-Key", "the X-Api-Key header is empty");
            return false;
        }
        return sb_api_authenticate(c, api_key, "X-Api-Key");
    }
    const char *h = sb_http_header(c->req, "Authorization");
    if (c->route->auth == SB_API_AUTH_REMOVEBG && !h) {
        sb_api_fail(c, SB_ERR_UNAUTHORIZED, "X-Api-Key", "send your API key as the X-Api-Key header");
        return false;
    }
    if (!h || strncasecmp(h, "Bearer ", 7) != 0 || !h[7]) {
        sb_api_fail(c, SB_ERR_UNAUTHORIZED, "Authorization", "send your API key as 'Authorization: Bearer <key>'");
        return false;
    }
    const char *key = h + 7;
    while (*key == ' ')
        key++;
    return sb_api_authenticate(c, key, "Authorization");
}

bool sb_api_authenticate(sb_api_ctx_t *c, const char *secret, const char *field)
{
    char hash[65];
    sb_sha256_hex(secret, strlen(secret), hash);
    sb_error_t e = {0};
    sb_err err = sb_meta_key_by_hash(c->svc->meta, hash, &c->key, &e);
    if (err == SB_ERR_NOT_FOUND || (!err && c->key.revoked)) {
        sb_api_fail(c, SB_ERR_UNAUTHORIZED, field, "the API key is not valid");
        return false;
    }
    if (err) {
        sb_api_send_error(c, &e);
        return false;
    }
    c->authed = true;
    snprintf(c->req->key_id, sizeof c->req->key_id, "%s", c->key.id);
    c->rate = sb_ratelimit_take(c->svc->rl, c->key.id, sb_clock_us());
    c->has_rate = true;
    if (!c->rate.allowed) {
        sb_api_fail(c, SB_ERR_RATE_LIMITED, "", "rate limit reached: %d requests per burst; retry in %d s",
                    c->rate.limit, c->rate.retry_after_s);
        return false;
    }
    return true;
}

/* "GET, HEAD" or "POST": the methods that `path` allows, for the Allow header of a 405. */
static void allowed_methods(const char *path, char *out, size_t size)
{
    out[0] = '\0';
    for (size_t i = 0; i < N_ROUTES; i++) {
        char param[128];
        if (!match(routes[i].pattern, path, param, sizeof param))
            continue;
        size_t n = strlen(out);
        snprintf(out + n, size - n, "%s%s%s", n ? ", " : "", routes[i].method,
                 !strcmp(routes[i].method, "GET") ? ", HEAD" : "");
    }
}

/* The head of a request is in, its body is not: route it, and refuse what can be refused before
 * reading (and holding) up to body_cap bytes: unknown routes, missing or bad keys, rate limits, a
 * full queue. Routes that take no body get a body limit of 0; a body-key route without a key header takes
 * one of SB_API_KEYLESS_UPLOADS_MAX slots until its body is read, or is 503 at once when none is free. */
void sb_api_head(sb_http_req_t *req, void *svc)
{
    sb_api_ctx_t *c = calloc(1, sizeof *c);
    if (!c) {
        sb_http_respond(req, 503, NULL, NULL, 0, NULL); /* no memory for even an error body */
        return;
    }
    c->svc = svc;
    c->req = req;
    req->app = c;
    /* The transport refused the head (a method that is no token, broken framing, too many requests
     * from one address): answer that before anything else. */
    if (req->body_err) {
        sb_api_send_error(c, &req->body_error);
        return;
    }
    bool path_known = false;
    for (size_t i = 0; i < N_ROUTES; i++) {
        char param[sizeof c->param];
        if (!match(routes[i].pattern, req->path, param, sizeof param))
            continue;
        path_known = true;
        snprintf(req->route, sizeof req->route, "%s", routes[i].pattern);
        if (!strcmp(routes[i].method, req->method) ||
            (!strcmp(req->method, "HEAD") && !strcmp(routes[i].method, "GET"))) {
            c->route = &routes[i];
            memcpy(c->param, param, sizeof param);
            break;
        }
    }
    if (!c->route) {
        if (!path_known)
            snprintf(req->route, sizeof req->route, "unmatched");
        if (path_known) {
            char allow[64], hdr[80];
            allowed_methods(req->path, allow, sizeof allow);
            snprintf(hdr, sizeof hdr, "Allow: %s", allow);
            sb_error_t e;
            sb_error_set(&e, SB_ERR_METHOD_NOT_ALLOWED, "", "%s is not allowed on %s (allowed: %s)", req->method,
                         req->path, allow);
            const char *extra[] = {hdr, NULL};
            sb_api_send_error_with(c, &e, extra);
        } else {
            sb_api_fail(c, SB_ERR_NOT_FOUND, "", "no route %s %s", req->method, req->path);
        }
        return;
    }
    snprintf(req->route, sizeof req->route, "%s", c->route->pattern);
    /* Liveness answers even while starting or draining; everything else needs the jobs up. */
    if (c->route->fn != sb_api_healthz && !atomic_load(&c->svc->started)) {
        sb_api_fail(c, SB_ERR_OVERLOADED, "", "the server is starting or stopping; retry shortly");
        return;
    }
    if (strcmp(c->route->method, "POST") != 0)
        req->body_limit = 0;
    /* A body-key route is checked here too when it sends the header: a bad key costs no upload. */
    req->form_urlencoded = c->route->auth == SB_API_AUTH_REMOVEBG;
    bool header = c->route->auth == SB_API_AUTH_HEADER || c->route->auth == SB_API_AUTH_REMOVEBG ||
                  (c->route->auth == SB_API_AUTH_BODY && sb_http_header(req, "Authorization"));
    if (header && !authenticate(c))
        return;
    if (c->route->auth == SB_API_AUTH_BODY && !header) {
        if (atomic_fetch_add(&c->svc->keyless_uploads, 1) >= SB_API_KEYLESS_UPLOADS_MAX) {
            atomic_fetch_sub(&c->svc->keyless_uploads, 1);
            req->body_limit = 0; /* answered at once: a body the server will not read is not drained either */
            sb_api_fail(c, SB_ERR_OVERLOADED, "Authorization",
                        "the server is already reading %d requests whose apiKey is in the body: retry, or send the "
                        "key as 'Authorization: Bearer <key>' (never kept waiting by these)",
                        SB_API_KEYLESS_UPLOADS_MAX);
            return;
        }
        c->keyless_slot = true;
    }
    if (!strcmp(c->route->method, "POST")) {
        sb_error_t e = {0};
        if (sb_jobs_admit_body(c->svc->jobs, &e))
            c->body_slot = true;
        else
            sb_api_send_error(c, &e);
    }
}

void sb_api_handle(sb_http_req_t *req, void *svc)
{
    sb_api_ctx_t *c = req->app;
    req->app = NULL; /* ours now */
    release_body_holds(c); /* the body is read: what it holds is checked next, on this thread */
    if (req->body_err) {
        sb_api_send_error(c, &req->body_error);
        sb_api_ctx_free(c);
        return;
    }
    if (!c->route->fn(c))
        sb_api_ctx_free(c);
}

void sb_api_app_free(void *c)
{
    sb_api_ctx_free(c);
}

/* The method as a metrics label: the methods of HTTP itself, "other" for anything a client made up,
 * so that clients cannot add series (or bytes) to /metrics. */
static const char *method_label(const char *method)
{
    static const char *const known[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE"};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (!strcmp(method, known[i]))
            return known[i];
    return "other";
}

void sb_api_done(const sb_http_req_t *req, int status, size_t bytes_out, double ms, void *svc)
{
    sb_service_t *s = svc;
    const char *route = req->route[0] ? req->route : "unmatched";
    if (s->metrics)
        sb_metrics_request(s->metrics, route, method_label(req->method), status, ms);
    char method[sizeof req->method * 3];
    sb_utf8_repair(method, sizeof method, req->method);
    /* One line per request: no bodies, no keys (the public key id only), no query strings (signatures). */
    json_t *line = json_pack("{s:s, s:s, s:s, s:i, s:f, s:I}", "request_id", req->request_id, "method", method,
                             "route", route, "status", status, "latency_ms", (double)(long)(ms * 10 + 0.5) / 10.0,
                             "bytes_out", (json_int_t)bytes_out);
    if (line && req->key_id[0])
        json_object_set_new(line, "key_id", json_string(req->key_id));
    if (line && req->err_code[0])
        json_object_set_new(line, "error", json_string(req->err_code));
    sb_log(SB_LOG_INFO, "request", line);
}
