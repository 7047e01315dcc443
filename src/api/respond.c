/* respond.c - JSON answers with the headers every authenticated answer carries, and the error
 * body {"error":{"code","message","field"}} with the status from the one table in util/err.c. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "util/utf8.h"

#define MAX_HEADERS 12

static bool removebg(const sb_api_ctx_t *c)
{
    return c->route && c->route->auth == SB_API_AUTH_REMOVEBG;
}

/* The headers of every answer to an authenticated request, then `extra`, into h (NULL-terminated). */
static void common_headers(sb_api_ctx_t *c, char hdr[][96], const char *h[MAX_HEADERS + 1], const char *const *extra)
{
    int n = 0;
    if (c->authed) {
        /* The balance as of this answer: re-read, since this request may just have been charged. */
        sb_key_t k;
        sb_error_t e;
        int64_t credits = sb_meta_key_get(c->svc->meta, c->key.id, &k, &e) == SB_OK ? k.credits : c->key.credits;
        snprintf(hdr[n++], 96, "X-Credits-Remaining: %lld", (long long)credits);
    }
    if (c->has_rate) {
        /* remove.bg's clients read X-RateLimit-*; the rest of the API sends the IETF draft's names. */
        const char *pre = removebg(c) ? "X-RateLimit" : "RateLimit";
        snprintf(hdr[n++], 96, "%s-Limit: %d", pre, c->rate.limit);
        snprintf(hdr[n++], 96, "%s-Remaining: %d", pre, c->rate.remaining);
        snprintf(hdr[n++], 96, "%s-Reset: %d", pre, c->rate.reset_s);
    }
    for (int i = 0; i < n; i++)
        h[i] = hdr[i];
    for (int i = 0; extra && extra[i] && n < MAX_HEADERS; i++)
        h[n++] = extra[i];
    h[n] = NULL;
}

void sb_api_send_bytes(sb_api_ctx_t *c, int status, const char *content_type, void *body, size_t len,
                       const char *const *extra)
{
    char hdr[4][96];
    const char *h[MAX_HEADERS + 1];
    common_headers(c, hdr, h, extra);
    sb_http_respond(c->req, status, content_type, body, len, h);
}

void sb_api_send_json(sb_api_ctx_t *c, int status, json_t *body, const char *const *extra)
{
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    if (!text) {
        static const char oom[] = "{\"error\":{\"code\":\"out_of_memory\",\"message\":\"out of memory\",\"field\":\"\"}}";
        text = strdup(oom);
        status = 503;
    }
    sb_api_send_bytes(c, status, "application/json", text, text ? strlen(text) : 0, extra);
}

int sb_api_removebg_status(int status)
{
    if (status == 401)
        return 403;
    if (status == 404 || status == 409 || status == 411 || status == 413 || status == 414 || status == 415 ||
        status == 422)
        return 400;
    return status;
}

/* remove.bg's error body: {"errors":[{"title","code","detailed"}]}; the title is remove.bg's wording for
 * its own classes, else strobe's message, and "detailed" names the field when there is one. */
static json_t *removebg_error(const sb_error_t *e, const char *message, const char *field)
{
    static const struct {
        sb_err code;
        const char *title, *name;
    } titles[] = {{SB_ERR_UNAUTHORIZED, "API Key invalid", "auth_failed"},
                  {SB_ERR_NO_CREDITS, "Insufficient credits", "insufficient_credits"},
                  {SB_ERR_RATE_LIMITED, "Rate limit exceeded", "rate_limit_exceeded"},
                  {SB_ERR_NO_SUBJECT, "Could not identify foreground in image", "unknown_foreground"},
                  {SB_ERR_BODY_TOO_LARGE, "File too large", "file_too_large"},
                  {SB_ERR_IMAGE_TOO_LARGE, "File too large", "file_too_large"}};
    const char *title = message, *name = sb_err_name(e->code);
    for (size_t i = 0; i < sizeof titles / sizeof titles[0]; i++)
        if (titles[i].code == e->code)
            title = titles[i].title, name = titles[i].name;
    json_t *item = json_pack("{s:s, s:s, s:s}", "title", title, "code", name, "detailed", message);
    if (item && *field)
        json_object_set_new(item, "field", json_string(field));
    return json_pack("{s:[o]}", "errors", item);
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
    json_t *body = removebg(c) ? removebg_error(e, message, field)
                               : json_pack("{s:{s:s, s:s, s:s}}", "error", "code", sb_err_name(e->code), "message",
                                           message, "field", field);
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
    if (e->code == SB_ERR_UNAUTHORIZED && !removebg(c))
        h[n++] = "WWW-Authenticate: Bearer";
    for (int i = 0; extra && extra[i] && n < MAX_HEADERS; i++)
        h[n++] = extra[i];
    sb_api_send_json(c, removebg(c) ? sb_api_removebg_status(status) : status, body, h);
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
