/* fetch.h - outbound HTTP for user-supplied URLs (an `image_url` to fetch, a `callback_url` to POST
 * webhooks to), behind an SSRF guard.
 *
 * Only http and https are accepted, for the first URL and for every redirect. The guard checks the
 * address curl is about to connect to, from inside curl's socket-open callback, for every hop: the
 * address checked is the address connected to (no second DNS lookup that could answer differently)
 * and nothing is sent before the check. Refused: loopback, private (RFC 1918, ULA), shared CGNAT,
 * link-local (cloud metadata at 169.254.169.254), multicast, documentation, benchmarking and other
 * reserved IPv4 and IPv6 ranges, and IPv6 forms that embed such an IPv4 address (mapped, NAT64,
 * 6to4). Environment proxies are ignored. Nothing is written to disk.
 *
 * Threads: after sb_fetch_global_init, every function may be called from any thread; each call uses
 * its own curl handle and shares nothing. */
#ifndef SB_FETCH_H
#define SB_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "util/err.h"

#define SB_FETCH_MAX_URL 2048

typedef struct {
    size_t max_bytes;        /* cap on the response body (GET: kept; POST: read and discarded) */
    long timeout_ms;         /* whole transfer, redirects included */
    long connect_timeout_ms; /* each connect */
    int max_redirects;       /* GET only; 0 refuses any redirect */
    /* Allow LOOPBACK addresses only (127.0.0.0/8, ::1 and their IPv4-mapped form), so tests and local
     * development can fetch from a server on this machine (the server's --allow-private-urls). It
     * never opens private LAN ranges, link-local, metadata or any other refused range. */
    bool allow_private;
} sb_fetch_opts_t;

/* The defaults: max_bytes 25 MB, timeout 15 s, connect timeout 5 s, 3 redirects, allow_private
 * false. Callers start from these and change what they need. */
sb_fetch_opts_t sb_fetch_opts_default(void);

/* Initialise libcurl once per process (curl_global_init; idempotent, thread-safe). main calls it
 * before starting threads; sb_fetch_get and sb_fetch_post also call it, so forgetting it is safe. */
void sb_fetch_global_init(void);

/* GET `url`, following at most o->max_redirects redirects, into a malloc'd *body of *len bytes that
 * the caller frees (non-NULL on success, even when empty; NULL on failure). `o` may be NULL for the
 * defaults. `field` names the input in messages and in e->field (e.g. "image_url").
 * Errors: SB_ERR_URL_BLOCKED (not http(s), no host, userinfo, over SB_FETCH_MAX_URL characters, or
 * the address of any hop is refused by the guard), SB_ERR_BODY_TOO_LARGE (Content-Length or the
 * streamed body over o->max_bytes), SB_ERR_FETCH_FAILED (DNS, connect, TLS, timeout, too many
 * redirects, a final status other than 2xx, named in the message), SB_ERR_NOMEM, SB_ERR_INTERNAL. */
sb_err sb_fetch_get(const char *url, const sb_fetch_opts_t *o, const char *field, uint8_t **body,
                    size_t *len, sb_error_t *e);

/* POST `len` bytes of `body` (may be NULL when len is 0) as `content_type` to `url`, with the
 * NULL-terminated "Name: value" lines of `extra_headers` (may be NULL), and store the response status
 * in *http_status. Redirects are not followed: a 3xx is returned as the status. Any status counts as
 * success (the caller decides what to retry); the response body is read and discarded, and a body
 * over o->max_bytes is cut short once the status is known. `o` may be NULL for the defaults.
 * Errors: SB_ERR_USAGE (a header or content type holding CR or LF), SB_ERR_URL_BLOCKED and
 * SB_ERR_FETCH_FAILED as sb_fetch_get (without the status case), SB_ERR_NOMEM, SB_ERR_INTERNAL. */
sb_err sb_fetch_post(const char *url, const sb_fetch_opts_t *o, const char *field, const char *content_type,
                     const uint8_t *body, size_t len, const char *const *extra_headers, long *http_status,
                     sb_error_t *e);

/* Whether the guard lets a connection to `sa` through when loopback is not allowed: true only for an
 * AF_INET or AF_INET6 address outside every refused range. Pure; any thread. */
bool sb_net_addr_is_public(const struct sockaddr *sa);

#endif
