/* respond.c - JSON answers with the headers every authenticated answer carries, and the error
 * body {"error":{"code","message","field"}} with the status from the one table in util/err.c. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "util/utf8.h"

#define MAX_HEADERS 12

void sb_api_send_json(sb_api_ctx_t *c, int status, json_t *body, const char *const *extra)
{
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    char hdr[MAX_HEADERS][96];
    const char *h[MAX_HEADERS + 1];
    int n = 0;
    if (c->authed) {
        /* The balance as of this answer: re-read, since this request may just have been charged. */
        sb_key_t k;
        sb_error_t e;
        int64_t credits = sb_meta_key_get(c->svc->meta, c->key.id, &k, &e) == SB_OK ? k.credits : c->key.credits;
        snprintf(hdr[n++], sizeof hdr[0], "X-Credits-Remaining: %lld", (long long)credits);
    }
    if (c->has_rate) {
        snprintf(hdr[n++], sizeof hdr[0], "RateLimit-Limit: %d", c->rate.limit);
        snprintf(hdr[n++], sizeof hdr[0], "RateLimit-Remaining: %d", c->rate.remaining);
        snprintf(hdr[n++], sizeof hdr[0], "RateLimit-Reset: %d", c->rate.reset_s);
    }
    for (int i = 0; i < n; i++)
        h[i] = hdr[i];
    for (int i = 0; extra && extra[i] && n < MAX_HEADERS; i++)
        h[n++] = extra[i];
    h[n] = NULL;
    if (!text) {
        static const char oom[] = "{\"error\":{\"code\":\"out_of_memory\",\"message\":\"out of memory\",\"field\":\"\"}}";
        text = strdup(oom);
        status = 503;
    }
    sb_http_respond(c->req, status, "application/json", text, text ? strlen(text) : 0, h);
}

void sb_api_send_error_with(sb_api_ctx_t *c, const sb_error_t *e, const char *const *extra)
{
    int status = sb_err_http_status(e->code);
    snprintf(c->req->err_code, sizeof c->req->err_code, "%s", sb_err_name(e->code));
    /* Messages quote what the client sent (a path, a field name, a value) and may be cut mid-character
     * by the message buffer: jansson refuses strings that are not UTF-8, so repair them first. */
    char message[sizeof e->message * 3], field[sizeof e->field * 3];
    sb_utf8_repair(message, sizeof message, e->message);
    sb_utf8_repair(field, sizeof field, e->field);
    json_t *body = json_pack("{s:{s:s, s:s, s:s}}", "error", "code", sb_err_name(e->code), "message", message,
                             "field", field);
    char retry[48];
    const char *h[MAX_HEADERS + 1] = {NULL};
    int n = 0;
    /* Every 429 and 503 says when to come back. */
    if (status == 429 || status == 503) {
        int after = e->code == SB_ERR_RATE_LIMITED ? (c->has_rate ? c->rate.retry_after_s : 1)
                    : atomic_load(&c->svc->started) ? sb_jobs_retry_after(c->svc->jobs)
                                                    : 1;
        snprintf(retry, sizeof retry, "Retry-After: %d", after);
        h[n++] = retry;
    }
    if (e->code == SB_ERR_UNAUTHORIZED)
        h[n++] = "WWW-Authenticate: Bearer";
    for (int i = 0; extra && extra[i] && n < MAX_HEADERS; i++)
        h[n++] = extra[i];
    sb_api_send_json(c, status, body, h);
}

void sb_api_send_error(sb_api_ctx_t *c, const sb_error_t *e)
{
    sb_api_send_error_with(c, e, NULL);
}

void sb_api_fail(sb_api_ctx_t *c, sb_err code, const char *field, const char *fmt, ...)
{
    sb_error_t e = {.code = code};
    snprintf(e.field, sizeof e.field, "%s", field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e.message, sizeof e.message, fmt, ap);
    va_end(ap);
    sb_api_send_error(c, &e);
}

void sb_api_finish(sb_api_ctx_t *c)
{
    sb_http_resume(c->req);
    sb_api_ctx_free(c);
}
