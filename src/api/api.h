/* api.h - what the endpoint files share: the service state, the per-request context, the response
 * helpers. Private to src/api. The API layer turns HTTP requests into job specs and store calls and
 * knows nothing of pixels. */
#ifndef SB_API_H
#define SB_API_H

#include <jansson.h>
#include <stdatomic.h>

#include "api/ratelimit.h"
#include "api/service.h"
#include "http/server.h"
#include "jobs/jobs.h"
#include "util/metrics.h"

struct sb_service {
    sb_service_config_t cfg;
    sb_meta_t *meta;
    sb_blob_t *blob;
    sb_jobs_t *jobs;
    sb_metrics_t *metrics;
    sb_ratelimit_t *rl;
    sb_http_server_t *http;
    uint8_t secret[32];        /* signs file URLs; derives webhook secrets */
    int lock_fd;
    _Atomic bool started;      /* jobs are up: before that (and while stopping) requests get 503 */
    atomic_int keyless_uploads; /* SB_API_AUTH_BODY bodies being read without an Authorization header */
};

typedef struct sb_api_ctx sb_api_ctx_t;

/* How a route is authenticated (sb_api_route_t.auth): not at all; by the Bearer header, checked before
 * the body is read; or by the Bearer header when one is sent, else by a key in the body, which the
 * handler checks with sb_api_authenticate once it has parsed the body. */
enum { SB_API_AUTH_NONE = 0, SB_API_AUTH_HEADER = 1, SB_API_AUTH_BODY = 2, SB_API_AUTH_REMOVEBG = 3 };
/* SB_API_AUTH_REMOVEBG: a route that speaks remove.bg's API. Its key comes from the X-Api-Key header (or
 * the Bearer header), checked before the body like HEADER; its errors are remove.bg's JSON
 * {"errors":[{"title","code","detailed"}]} with remove.bg's statuses (a bad key is 403, a bad input 400:
 * sb_api_removebg_status); its answers also carry X-RateLimit-*; and it takes
 * application/x-www-form-urlencoded bodies (as parts, like multipart). */

/* An SB_API_AUTH_BODY request without an Authorization header can only be authenticated once its body is read
 * (the S2 contract's `apiKey`), so the server reads at most this many such bodies at once (each up to the body
 * cap): memory held for clients not yet identified stays under this times STROBE_BODY_CAP_MB. Another one is
 * 503 overloaded with Retry-After from its head, before any of its body is read; a request that sends the key
 * as the Authorization header never waits for these. */
#define SB_API_KEYLESS_UPLOADS_MAX 2

typedef struct {
    const char *method;
    const char *pattern;       /* "/v1/image/{id}": at most one {param}, one whole segment */
    bool (*fn)(sb_api_ctx_t *c); /* true: deferred, the context is no longer ours */
    int auth;                  /* SB_API_AUTH_*; true and false read as HEADER and NONE */
} sb_api_route_t;

/* One request in flight through the API. Freed by sb_api_ctx_free after the answer was handed to the
 * transport (which may be on a worker thread for deferred answers). */
struct sb_api_ctx {
    sb_service_t *svc;
    sb_http_req_t *req;
    const sb_api_route_t *route;
    char param[128];           /* the {id} segment of the route, "" when none */
    bool authed;
    sb_key_t key;
    sb_ratelimit_result_t rate;
    bool has_rate;
    int64_t cost;              /* credits the key needs before sb_api_submit queues the job; 0 = the
                                * pipeline's price per job (sb_pipeline_def_t.credits, 0 for a style) */
    /* The 200 body of a completed synchronous job (new reference; NULL on failure, with e filled); NULL =
     * the job's JSON (sb_api_job_json). Set by an endpoint before sb_api_submit. */
    json_t *(*render)(sb_api_ctx_t *c, const sb_job_t *job, sb_error_t *e);
    /* Answers a completed synchronous job itself, in place of the 200 JSON (the cut-out's image bytes);
     * NULL = the JSON above. Set by an endpoint before sb_api_submit; called on the thread that answers. */
    void (*answer)(sb_api_ctx_t *c, const sb_job_t *job);
    bool keyless_slot;         /* holds one of svc->keyless_uploads until its body is read */
    bool body_slot;            /* holds a place in the job queue (sb_jobs_admit_body) until its body is read */
};

void sb_api_ctx_free(sb_api_ctx_t *c);

/* Authenticate the request with the API key `secret` (from the Authorization header, or a body field
 * named `field`) and take a token from its rate limit. On failure the request has been answered (401
 * naming `field`, 429, or the store's error) and false is returned. HTTP thread of the request. */
bool sb_api_authenticate(sb_api_ctx_t *c, const char *secret, const char *field);

/* Answer with `body` (stolen reference) as JSON and the common headers (X-Credits-Remaining and
 * RateLimit-* for authenticated requests), plus `extra` ("Name: value", NULL-terminated, may be NULL).
 * Does not resume or free: see sb_api_finish for deferred requests. */
void sb_api_send_json(sb_api_ctx_t *c, int status, json_t *body, const char *const *extra);

/* Answer with raw bytes (`body` malloc'd, taken) of `content_type` and the headers of sb_api_send_json,
 * plus `extra`. Does not resume or free. */
void sb_api_send_bytes(sb_api_ctx_t *c, int status, const char *content_type, void *body, size_t len,
                       const char *const *extra);

/* The status remove.bg answers for what strobe answers with `status`: 401 is 403 (remove.bg's "auth
 * failed"), other client errors about the request or its image (404, 409, 411, 413, 414, 415, 422) are
 * 400; 402, 429 and 5xx are kept. */
int sb_api_removebg_status(int status);

/* Answer {"error":{"code","message","field"}} with the status of e->code (one table in util/err.c).
 * 429 and 503 carry Retry-After. */
void sb_api_send_error(sb_api_ctx_t *c, const sb_error_t *e);

/* The same with extra headers ("Name: value", NULL-terminated). */
void sb_api_send_error_with(sb_api_ctx_t *c, const sb_error_t *e, const char *const *extra);

/* Shorthand: build the error from a code, field and message and send it. */
void sb_api_fail(sb_api_ctx_t *c, sb_err code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* For a deferred request answered from another thread: resume the connection and free the context. */
void sb_api_finish(sb_api_ctx_t *c);

/* The public JSON of a job, output URLs signed (new reference); a batch job's is its batch JSON, a
 * style job's its style JSON. */
json_t *sb_api_job_json(sb_service_t *svc, const sb_job_t *job);

/* Render a completed result (the JSON text a job or a batch item stores) into `o`: the pipeline's
 * fields, "output_url" (the first output), "<role>_url" for named outputs and "outputs" (all, signed);
 * a kept input (role SB_JOB_ROLE_CACHE) gets no URL, only "cache_id" (its file id) and
 * "cache_expires_at". Unparsable text adds "outputs": [] only. */
void sb_api_result_json(sb_service_t *svc, const char *result, json_t *o);

/* The public JSON of a batch job (new reference): batch_id (the job id, also as id), status, total,
 * completed, failed, pending, times and "items" in order, each {index, input, status} plus, completed,
 * its avatar result (signed URLs) or, failed, its error. Reads the items from the store; when that
 * fails, "items_error" {code, message} says so and the counts are of what was read. */
json_t *sb_api_batch_json(sb_service_t *svc, const sb_job_t *job);

/* A style token: "style_" + the random part of its job's id ("job_..."). */
#define SB_API_TOKEN_MAX SB_ID_MAX
void sb_api_style_token(const char *job_id, char out[SB_API_TOKEN_MAX]);

/* The public JSON of a style job (new reference): style_token, id (the job id), status, pipeline,
 * times, attempts and, completed, examples, used, learn_ms and look; failed, error. */
json_t *sb_api_style_json(const sb_job_t *job);

/* The look of the completed style `token` of the request's key, for an avatar's style
 * "custom:<token>" (*look: new reference). Anything else (unknown, another key's, a job that is no
 * style, one still learning or failed) is SB_ERR_NOT_FOUND, field "style", one message for all. */
sb_err sb_api_style_look(sb_api_ctx_t *c, const char *token, json_t **look, sb_error_t *e);

/* The portrait template `name` for the request's key (its own, else a built-in of pipeline/templates.h)
 * copied into *out (key_id "" for a built-in). Anything else is SB_ERR_NOT_FOUND naming `field`
 * ("template", "style"), one message whether the name is unknown or another key's. */
sb_err sb_api_template_find(sb_api_ctx_t *c, const char *name, const char *field, sb_key_template_t *out,
                            sb_error_t *e);

/* Signed URL of an output blob "<id>.<ext>" expiring at `exp` (malloc'd string). */
char *sb_api_file_url(sb_service_t *svc, const char *name, int64_t exp);

/* Endpoints. Each answers the request and returns false, or defers it and returns true: then the
 * context belongs to whoever answers (sb_api_finish) and the caller must not touch it again. */
bool sb_api_healthz(sb_api_ctx_t *c);
bool sb_api_readyz(sb_api_ctx_t *c);
bool sb_api_metrics(sb_api_ctx_t *c);
bool sb_api_openapi(sb_api_ctx_t *c);
bool sb_api_file_get(sb_api_ctx_t *c);
bool sb_api_account(sb_api_ctx_t *c);
bool sb_api_headshot(sb_api_ctx_t *c);
bool sb_api_avatar_generate(sb_api_ctx_t *c);
bool sb_api_image_get(sb_api_ctx_t *c);
bool sb_api_avatar_batch(sb_api_ctx_t *c);
bool sb_api_batch_get(sb_api_ctx_t *c);
bool sb_api_style_create(sb_api_ctx_t *c);
bool sb_api_style_get(sb_api_ctx_t *c);
bool sb_api_generate_portrait(sb_api_ctx_t *c);
bool sb_api_template_create(sb_api_ctx_t *c);
bool sb_api_template_list(sb_api_ctx_t *c);
bool sb_api_template_get(sb_api_ctx_t *c);
bool sb_api_template_delete(sb_api_ctx_t *c);
/* The demo page (web.c): GET / and GET /demo/{file}, from the files web_blob.S built in. */
bool sb_api_web_page(sb_api_ctx_t *c);
bool sb_api_web_file(sb_api_ctx_t *c);
bool sb_api_removebg(sb_api_ctx_t *c);

/* The transport's hooks (router.c): head (route, auth, admission before the body), handler, the
 * context free for requests that never reached the handler, and completion (log line, metrics). */
void sb_api_head(sb_http_req_t *req, void *svc);
void sb_api_handle(sb_http_req_t *req, void *svc);
void sb_api_app_free(void *ctx);
void sb_api_done(const sb_http_req_t *req, int status, size_t bytes_out, double ms, void *svc);

/* Every route as "METHOD PATTERN", NULL-terminated: the OpenAPI test checks the document against it. */
extern const char *const sb_api_route_list[];

#endif
