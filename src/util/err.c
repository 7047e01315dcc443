/* err.c - error names, HTTP statuses and CLI exit codes: one table, one place. */
#include "util/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    int http;
    int exit_code;
} table[SB_ERR__COUNT] = {
    [SB_OK]                     = {"ok", 200, 0},
    [SB_ERR_USAGE]              = {"bad_request", 400, 2},
    [SB_ERR_IO]                 = {"unreadable_input", 400, 3},
    [SB_ERR_UNSUPPORTED_FORMAT] = {"unsupported_format", 415, 3},
    [SB_ERR_CORRUPT_IMAGE]      = {"corrupt_image", 422, 3},
    [SB_ERR_IMAGE_TOO_LARGE]    = {"image_too_large", 413, 4},
    [SB_ERR_IMAGE_TOO_SMALL]    = {"image_too_small", 422, 4},
    [SB_ERR_NO_FACE]            = {"no_face", 422, 5},
    [SB_ERR_FACE_TOO_SMALL]     = {"face_too_small", 422, 5},
    [SB_ERR_MODEL_MISSING]      = {"model_missing", 503, 6},
    [SB_ERR_MODEL_INVALID]      = {"model_invalid", 503, 6},
    [SB_ERR_NOMEM]              = {"out_of_memory", 503, 1},
    [SB_ERR_INTERNAL]           = {"internal", 500, 1},
    [SB_ERR_UNAUTHORIZED]       = {"unauthorized", 401, 2},
    [SB_ERR_NO_CREDITS]         = {"insufficient_credits", 402, 2},
    [SB_ERR_FORBIDDEN]          = {"forbidden", 403, 2},
    [SB_ERR_NOT_FOUND]          = {"not_found", 404, 2},
    [SB_ERR_METHOD_NOT_ALLOWED] = {"method_not_allowed", 405, 2},
    [SB_ERR_CONFLICT]           = {"idempotency_conflict", 409, 2},
    [SB_ERR_BODY_TOO_LARGE]     = {"body_too_large", 413, 4},
    [SB_ERR_RATE_LIMITED]       = {"rate_limited", 429, 1},
    [SB_ERR_OVERLOADED]         = {"overloaded", 503, 1},
    [SB_ERR_TIMEOUT]            = {"deadline_exceeded", 503, 1},
    [SB_ERR_URL_BLOCKED]        = {"url_blocked", 400, 3},
    [SB_ERR_FETCH_FAILED]       = {"fetch_failed", 422, 3},
    [SB_ERR_STORE]              = {"store_error", 500, 1},
    [SB_ERR_INPUT_LOST]         = {"input_lost", 503, 1},
    [SB_ERR_UNSAFE_CONTENT]     = {"unsafe_content", 422, 3},
    [SB_ERR_NO_SUBJECT]         = {"no_subject", 422, 5},
    [SB_ERR_EXISTS]             = {"already_exists", 409, 2},
    [SB_ERR_JOB_CRASHED]        = {"job_crashed", 500, 1},
    [SB_ERR_URI_TOO_LONG]       = {"uri_too_long", 414, 2},
    [SB_ERR_LENGTH_REQUIRED]    = {"length_required", 411, 2},
    [SB_ERR_STORE_DOWN]         = {"store_unavailable", 503, 1},
    [SB_ERR_CUTOUT_FAILED]      = {"cutout_failed", 422, 5},
    [SB_ERR_FACE_OUT_OF_FOCUS]  = {"face_out_of_focus", 422, 5},
};

sb_err sb_error_set(sb_error_t *e, sb_err code, const char *field, const char *fmt, ...)
{
    if (!e)
        return code;
    e->code = code;
    snprintf(e->field, sizeof e->field, "%s", field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    return code;
}

const char *sb_err_name(sb_err code)
{
    return (code >= 0 && code < SB_ERR__COUNT) ? table[code].name : "internal";
}

sb_err sb_err_from_name(const char *name)
{
    for (int i = 0; name && i < SB_ERR__COUNT; i++)
        if (!strcmp(table[i].name, name))
            return (sb_err)i;
    return SB_ERR_INTERNAL;
}

int sb_err_http_status(sb_err code)
{
    return (code >= 0 && code < SB_ERR__COUNT) ? table[code].http : 500;
}

int sb_err_exit_code(sb_err code)
{
    return (code >= 0 && code < SB_ERR__COUNT) ? table[code].exit_code : 1;
}
