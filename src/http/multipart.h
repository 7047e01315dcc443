/* multipart.h - multipart/form-data bodies parsed as they stream in (MHD_PostProcessor), every part
 * kept in memory in the request's parts[] under the body cap. Nothing is written to disk.
 * Used by request.c on the HTTP thread that owns the request. */
#ifndef SB_HTTP_MULTIPART_H
#define SB_HTTP_MULTIPART_H

#include <stddef.h>

#include "http/server.h"

typedef struct sb_multipart sb_multipart_t;

/* Start parsing the body of `req` (whose Content-Type is multipart/form-data) into req->parts, at most
 * `cap` bytes of values in all. `body_len` is the body's declared length (0: unknown): no part's buffer
 * is made larger than it. Errors: SB_ERR_USAGE when the boundary is missing or malformed. */
sb_err sb_multipart_open(struct MHD_Connection *conn, sb_http_req_t *req, size_t cap, size_t body_len,
                         sb_multipart_t **out, sb_error_t *e);

/* Feed the next chunk. Errors: SB_ERR_USAGE (malformed body, more than SB_HTTP_MAX_PARTS parts, a
 * field name over 63 bytes), SB_ERR_BODY_TOO_LARGE, SB_ERR_NOMEM. */
sb_err sb_multipart_feed(sb_multipart_t *mp, const char *data, size_t len, sb_error_t *e);

/* The body is complete: check it ended properly. */
sb_err sb_multipart_finish(sb_multipart_t *mp, sb_error_t *e);

/* NULL-safe. The parts stay with the request. */
void sb_multipart_free(sb_multipart_t *mp);

#endif
