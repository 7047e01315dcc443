/* server.h - the HTTP transport: libmicrohttpd, request bodies held in memory under a cap, multipart
 * parsed as it streams, deadlines for slow clients, and suspend/resume so that CPU work runs on worker
 * threads and never on the HTTP threads.
 *
 * The transport knows nothing of routes, keys or images: it gathers one request (head, body or
 * multipart parts) and hands it to a single handler. The handler either answers at once with
 * sb_http_respond(), or calls sb_http_defer() and answers later from any thread with sb_http_respond()
 * followed by sb_http_resume(). */
#ifndef SB_HTTP_SERVER_H
#define SB_HTTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

typedef struct sb_http_server sb_http_server_t;
typedef struct sb_http_req sb_http_req_t;

/* One multipart/form-data part that was not a file, or the file part named by the handler. */
typedef struct {
    char name[64];
    char *value;            /* malloc'd, NUL-terminated (files may contain NULs: use len) */
    size_t len;
    char content_type[96];  /* as the client sent it, "" when none */
} sb_http_part_t;

/* A batch sends up to 100 images as parts, a custom style up to 200, plus their options. Each part
 * costs ~180 bytes in the request (40 KB for 224) and, once it has data, a buffer of at least 4 KB:
 * 224 parts add at most ~0.9 MB to a body's own bytes. */
#define SB_HTTP_MAX_PARTS 224

/* Query arguments a request target may carry (the API reads two, on signed file URLs). More is 414
 * uri_too_long: MHD 0.9.75 keeps each argument in the connection's 64 KB pool and, once that runs out
 * (~900 arguments), neither answers nor closes the connection. */
#define SB_HTTP_MAX_QUERY_ARGS 64

struct sb_http_req {
    /* request head */
    char method[16];             /* a token; longer or other bytes are refused (400) */
    char path[512];              /* percent-decoded path, without the query */
    char request_id[24];         /* random hex, also sent back as X-Request-Id */
    int64_t t_start_us;          /* monotonic, when the head was complete */
    struct MHD_Connection *conn; /* for header and query lookups: use the accessors below */
    /* body: either raw bytes (any content type but multipart) or parts */
    uint8_t *body;
    size_t body_len;
    bool multipart;
    sb_http_part_t *parts;       /* n_parts of them; SB_HTTP_MAX_PARTS slots, allocated with the first part
                                  * (a request answered from its head never has any: ~40 KB saved) */
    int n_parts;
    sb_err body_err;             /* set when the body broke a limit or could not be parsed */
    sb_error_t body_error;
    /* set by the handler for the access log and metrics */
    char route[64];              /* the route pattern, e.g. "/v1/image/{id}" */
    char key_id[40];             /* the authenticated key's public id, "" when none */
    char err_code[40];           /* the error code of an error response, "" otherwise */
    /* set by the head hook */
    size_t body_limit;           /* the cap for this request's body (starts at the server's body_cap) */
    bool form_urlencoded;        /* parse an application/x-www-form-urlencoded body into parts too, as
                                  * multipart (req->multipart is then true); other bodies stay raw */
    void *app;                   /* the application's per-request state; freed with app_free if still set */
    /* private to src/http (internal.h) */
    struct sb_http_conn_priv *priv;
};

/* The handler: called on an HTTP thread once the whole request has arrived (or its body broke a
 * limit: then body_err is set). It must call sb_http_respond() or sb_http_defer() before returning. */
typedef void (*sb_http_handler_fn)(sb_http_req_t *req, void *ctx);

/* Called on an HTTP thread as soon as the request head is complete, before any of the body is read:
 * it may answer with sb_http_respond(), lower req->body_limit, and keep state in req->app. Its answer
 * goes at once (the body is never read, the connection closes after it) when the declared
 * Content-Length is over req->body_limit or the transport refused the head; otherwise once the body
 * has been read and discarded. When req->body_err is already set on entry, the transport refused the
 * head (a method that is no token, broken framing, too many query arguments, too many requests in
 * flight from the client's address: see limits.h) and the hook must answer that error. */
typedef void (*sb_http_head_fn)(sb_http_req_t *req, void *ctx);

/* Called after each response was sent (or the connection died): for the access log and metrics.
 * `status` is 0 when no response could be sent. Runs on an HTTP thread. */
typedef void (*sb_http_done_fn)(const sb_http_req_t *req, int status, size_t bytes_out, double latency_ms,
                                void *ctx);

typedef struct {
    const char *listen;          /* "127.0.0.1:8080", "[::1]:0", "0.0.0.0:8080" */
    size_t body_cap;             /* bytes; bigger bodies get 413 */
    int header_deadline_ms;      /* a client must send a whole request head within this */
    int body_deadline_ms;        /* and its body within this after the head */
    int max_connections;
    int max_connections_per_ip;  /* from one client address; more are closed when accepted; 0 = no cap */
    int max_requests_per_ip;     /* in flight (head in, answer not yet sent) from one client address; more
                                  * are refused before routing with SB_ERR_RATE_LIMITED (429); 0 = no cap */
    int threads;                 /* HTTP threads (they only parse and copy) */
    sb_http_head_fn head;        /* may be NULL */
    sb_http_handler_fn handler;
    sb_http_done_fn done;
    void (*app_free)(void *app); /* frees req->app left by the head hook when the handler never ran */
    void *ctx;
} sb_http_config_t;

/* Start serving. On success *out is running and sb_http_port() tells the bound port (useful with
 * port 0). Errors: SB_ERR_USAGE for a bad listen string, SB_ERR_IO when the socket cannot be bound. */
sb_err sb_http_start(const sb_http_config_t *cfg, sb_http_server_t **out, sb_error_t *e);

/* The TCP port the server listens on. */
int sb_http_port(const sb_http_server_t *s);

/* Stop accepting new connections; requests already accepted go on. Idempotent. */
void sb_http_quiesce(sb_http_server_t *s);

/* Wait up to timeout_ms until no request is between its head and the handler's return (its body still
 * arriving, or the handler running), so that every request begun before the stop has been answered,
 * refused or deferred (queued) before the jobs stop. Polls every 5 ms; true when none is left. Any
 * thread but a handler's. */
bool sb_http_wait_requests(sb_http_server_t *s, int timeout_ms);

/* Wait up to timeout_ms until every request handed to the handler has been sent its answer and its
 * connection completed (or closed by the client): after the jobs have drained, an answer a worker just
 * gave (sb_http_resume) is still to be queued and written by the daemon's thread, and stopping the
 * daemon first closed the connection with no reply. Polls every 5 ms; true when none is left. Any thread
 * but a handler's. */
bool sb_http_wait_answers(sb_http_server_t *s, int timeout_ms);

/* Number of requests deferred and not yet resumed. */
int sb_http_deferred(const sb_http_server_t *s);

/* Stop and free the server. Every deferred request must have been resumed first. NULL-safe. */
void sb_http_stop(sb_http_server_t *s);

/* Header `name` (case-insensitive) or NULL. Only from the handler, on its thread. */
const char *sb_http_header(sb_http_req_t *req, const char *name);
/* Query argument `name` or NULL. Only from the handler, on its thread. */
const char *sb_http_query(sb_http_req_t *req, const char *name);
/* The first multipart part `name`, or NULL. A repeated name gives one part each, in order (see
 * req->parts). */
const sb_http_part_t *sb_http_part(const sb_http_req_t *req, const char *name);

/* Move the value of the first part `name` out of the request: the caller owns (and frees) the returned
 * buffer of *len bytes (NUL-terminated after them), and the part is left empty (""). So that an upload is
 * not held twice, as the part and as a job's input, while its job waits. NULL when there is no such part
 * or no memory for the empty value (the part is then unchanged). The handling thread only. */
uint8_t *sb_http_part_take(sb_http_req_t *req, const char *name, size_t *len);

/* Answer the request: `status`, content type, and a body this call takes ownership of (malloc'd,
 * freed by the server; may be NULL with len 0). Extra headers as "Name: value" strings, NULL-terminated,
 * copied. Call at most once per request; thread-safe with respect to the HTTP threads. */
void sb_http_respond(sb_http_req_t *req, int status, const char *content_type, void *body, size_t len,
                     const char *const *headers);

/* Keep the connection open without an answer: the handler will answer from another thread. */
void sb_http_defer(sb_http_req_t *req);

/* After sb_http_respond() on a deferred request: wake the connection so the answer is sent. Any thread.
 * The request must not be touched after this call. */
void sb_http_resume(sb_http_req_t *req);

#endif
