/* submit.h - the common end of the image endpoints (submit.c). Private to src/api; HTTP thread. */
#ifndef SB_API_SUBMIT_H
#define SB_API_SUBMIT_H

#include "api/input.h"

/* The optional `callback_url` option, checked to be an http(s) URL of at most SB_FETCH_MAX_URL
 * characters without spaces or control characters (SB_ERR_USAGE, field callback_url; the SSRF guard
 * checks its address when the webhook is sent). *callback NULL when absent. */
sb_err sb_api_read_callback(sb_api_ctx_t *c, const sb_api_input_t *in, const char **callback, sb_error_t *e);

/* Answer a replay, check credits (c->cost of them, at least 1), load the input `in` names by cache_id (kept by an earlier job of this
 * key; anything else is 404 not_found, field cache_id), and run `pipeline` with `spec` (image_url is
 * added from `in`): synchronously, or asynchronously with a callback_url or "Prefer: respond-async".
 * Takes the input's bytes when the job is queued. Returns true when the request was deferred: `c` then belongs to the
 * job's completion and must not be touched. Otherwise the request has been answered. A completed
 * synchronous job is answered with c->render's body when the endpoint set one. */
bool sb_api_submit(sb_api_ctx_t *c, sb_api_input_t *in, const char *pipeline, json_t *spec, const char *callback);

/* The longest "Prefer: wait=N" honoured, in seconds. */
#define SB_API_WAIT_MAX_S 30

/* The same for an endpoint that is asynchronous by default (the product photo): 202 with the queued
 * job at once, or with "Prefer: wait=N" (whole seconds 0..SB_API_WAIT_MAX_S, RFC 7240; anything else
 * is 400 on field "Prefer", checked first) the finished job as a synchronous request gets it (200 with
 * the result, or its error) when it is done within N seconds, else the 202 with the job as it stands at
 * N seconds while it goes on; wait=0 is the plain 202. Exactly one answer either way. The job is stored
 * as asynchronous: an Idempotency-Key replay answers 202 with the job as it stands. Returns true when
 * the request was deferred. */
bool sb_api_submit_queued(sb_api_ctx_t *c, sb_api_input_t *in, const char *pipeline, json_t *spec,
                          const char *callback);

/* The same for an avatar batch (always asynchronous: 202 with the batch, Location
 * /v1/avatar/batch/{id}): replay, credits (at least 1), then the job of pipeline
 * SB_JOB_PIPELINE_AVATAR_BATCH with `spec` (the options and "items") and the packed uploads `*input`
 * (NULL when none), which it takes when the job is queued (*input is then NULL). Returns false: the
 * request has been answered. */
bool sb_api_submit_batch(sb_api_ctx_t *c, const sb_api_input_t *in, json_t *spec, uint8_t **input, size_t len,
                         const char *callback);

#endif
