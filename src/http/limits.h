/* limits.h - what the transport refuses from a request head alone (a method that is no token,
 * repeated Content-Length, Transfer-Encoding, too many query arguments) and the count of requests in
 * flight per client address. Private to src/http: server.c calls these on MHD's threads. */
#ifndef SB_HTTP_LIMITS_H
#define SB_HTTP_LIMITS_H

#include <arpa/inet.h>
#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

/* MHD_OPTION_URI_LOG_CALLBACK (cls unused). MHD 0.9.75 keeps every query argument in the connection's
 * 64 KB memory pool and hangs the connection (no answer, no close) when the pool runs out (~900
 * arguments). This hook sees the raw request target before MHD parses its query: over
 * SB_HTTP_MAX_QUERY_ARGS it ends the query right after its '?' (the target is MHD's own writable,
 * NUL-terminated read buffer), so MHD parses none, and returns a mark that becomes the request's
 * context; sb_http_query_was_cut() tells it from a real one. NULL otherwise. */
void *sb_http_uri_hook(void *cls, const char *uri, struct MHD_Connection *c);

/* True when `con_cls` is the mark sb_http_uri_hook left. */
bool sb_http_query_was_cut(const void *con_cls);

/* The refusal the head of a request earns before any route sees it, checked in this order: a method
 * that is no HTTP token or is `method_max` bytes or longer (SB_ERR_USAGE), a query that was cut
 * (SB_ERR_URI_TOO_LONG), more than one Content-Length (SB_ERR_USAGE), Transfer-Encoding with
 * Content-Length (SB_ERR_USAGE) or alone (SB_ERR_LENGTH_REQUIRED: MHD decodes chunks itself and never
 * tells the application a chunk's announced size, so a chunked body cannot be held to a limit before
 * it is read). SB_OK when none applies. Any thread; reads only `c`'s headers. */
sb_err sb_http_check_head(struct MHD_Connection *c, const char *method, size_t method_max, bool query_was_cut,
                          sb_error_t *e);

/* The client's address as text ("127.0.0.1", "::1"), "" when MHD does not know it. */
void sb_http_client_addr(struct MHD_Connection *c, char out[INET6_ADDRSTRLEN]);

/* Requests in flight per client address, at most `max` each (0: no cap). Thread-safe (one mutex). */
typedef struct sb_http_clients sb_http_clients_t;
typedef struct sb_http_client sb_http_client_t;

/* A new, empty count, or NULL when out of memory. */
sb_http_clients_t *sb_http_clients_new(int max);

/* Free the count (NULL-safe); every entered request must have left. */
void sb_http_clients_free(sb_http_clients_t *t);

/* Count one request from `addr`: false (nothing counted) when the address already has `max` in
 * flight. On true, *entry is what sb_http_clients_leave takes (NULL when nothing was counted: no cap,
 * no address, or no memory for a new entry, which admits the request uncounted). */
bool sb_http_clients_enter(sb_http_clients_t *t, const char *addr, sb_http_client_t **entry);

/* The request counted as `entry` is over (NULL-safe). */
void sb_http_clients_leave(sb_http_clients_t *t, sb_http_client_t *entry);

#endif
