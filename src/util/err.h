/* err.h - the one error enum of strobe and the per-call error context.
 *
 * Every fallible function returns an sb_err (SB_OK == 0) and, on failure, fills the caller's
 * sb_error_t with a specific message and, where it applies, the offending field. There is no global
 * error state: each call carries its own context, so threads never share one. */
#ifndef SB_ERR_H
#define SB_ERR_H

#include <stddef.h>

typedef enum {
    SB_OK = 0,
    SB_ERR_USAGE,              /* bad arguments or options */
    SB_ERR_IO,                 /* a file could not be read or written */
    SB_ERR_UNSUPPORTED_FORMAT, /* not JPEG, PNG, WebP or HEIC */
    SB_ERR_CORRUPT_IMAGE,      /* a supported format, but truncated or damaged */
    SB_ERR_IMAGE_TOO_LARGE,    /* over the pixel or byte limit */
    SB_ERR_IMAGE_TOO_SMALL,    /* under the minimum size (200x200) */
    SB_ERR_NO_FACE,            /* no face found */
    SB_ERR_FACE_TOO_SMALL,     /* the subject's face is under 15% of the frame */
    SB_ERR_MODEL_MISSING,      /* a model file is absent */
    SB_ERR_MODEL_INVALID,      /* a model file fails its sha256 check or will not load */
    SB_ERR_NOMEM,              /* an allocation failed or a buffer cap was reached */
    SB_ERR_INTERNAL,           /* a bug or an unexpected library failure */
    /* The service's own errors (HTTP API, store, URL fetching). */
    SB_ERR_UNAUTHORIZED,       /* no API key, or an unknown or revoked one */
    SB_ERR_NO_CREDITS,         /* the key has no credits left */
    SB_ERR_FORBIDDEN,          /* a signed URL that was tampered with or has expired; a read-only record */
    SB_ERR_NOT_FOUND,          /* no such route, job, file or id (or it belongs to another key) */
    SB_ERR_METHOD_NOT_ALLOWED, /* the route exists, the method does not */
    SB_ERR_CONFLICT,           /* an Idempotency-Key reused with another body */
    SB_ERR_BODY_TOO_LARGE,     /* the request body or a fetched URL is over the byte cap */
    SB_ERR_RATE_LIMITED,       /* the key's token bucket is empty */
    SB_ERR_OVERLOADED,         /* the work queue or the pixel budget is full: retry later */
    SB_ERR_TIMEOUT,            /* a deadline passed before the work could finish */
    SB_ERR_URL_BLOCKED,        /* a URL that is not http(s) or points at a private or reserved address */
    SB_ERR_FETCH_FAILED,       /* a URL could not be fetched (DNS, connect, HTTP status, timeout) */
    SB_ERR_STORE,              /* the metadata or blob store failed */
    SB_ERR_INPUT_LOST,         /* an uploaded input held in memory was lost when the server restarted */
    SB_ERR_UNSAFE_CONTENT,     /* the content-safety classifier flagged an input or an output */
    SB_ERR_NO_SUBJECT,         /* no product or other salient subject found (an empty subject mask) */
    SB_ERR_EXISTS,             /* the name is taken (a portrait template named like a built-in) */
    SB_ERR_JOB_CRASHED,        /* the server died while running the job as many times as a job may be tried */
    SB_ERR_URI_TOO_LONG,       /* a request target with too many query arguments */
    SB_ERR_LENGTH_REQUIRED,    /* a request body without Content-Length (Transfer-Encoding) */
    SB_ERR_STORE_DOWN,         /* a store's server cannot be reached now (PostgreSQL, S3): retry later */
    SB_ERR_CUTOUT_FAILED,      /* every cut-out strategy failed its check (a photo edge, another person, ...) */
    SB_ERR_FACE_OUT_OF_FOCUS,  /* the subject's face is far out of focus (the photo is focused elsewhere) */
    SB_ERR__COUNT
} sb_err;

typedef struct {
    sb_err code;
    char message[256];
    char field[64];            /* "" when no single field is at fault */
} sb_error_t;

/* Record an error in `e` (which may be NULL) and return `code`, so callers can write
 * `return sb_error_set(e, SB_ERR_X, "field", "fmt", ...);`. Thread-safe: touches only `e`. */
sb_err sb_error_set(sb_error_t *e, sb_err code, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Stable snake_case name of an error code ("no_face"), as used in JSON error objects. Never NULL. */
const char *sb_err_name(sb_err code);

/* The code whose name is `name` (the inverse of sb_err_name); SB_ERR_INTERNAL for an unknown name. */
sb_err sb_err_from_name(const char *name);

/* HTTP status that an error code maps to (400, 413, 415, 422, 500, 503 ...). */
int sb_err_http_status(sb_err code);

/* Process exit status for the CLI, one per class: 1 internal, 2 usage, 3 unreadable, unsupported or
 * unsafe input, 4 too large or too small, 5 no face, face too small or no subject, 6 model missing or invalid. */
int sb_err_exit_code(sb_err code);

#endif
