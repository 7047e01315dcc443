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

/* HTTP status that an error code maps to (400, 413, 415, 422, 500, 503 ...). */
int sb_err_http_status(sb_err code);

/* Process exit status for the CLI, one per class: 1 internal, 2 usage, 3 unreadable or unsupported
 * input, 4 too large or too small, 5 no face or face too small, 6 model missing or invalid. */
int sb_err_exit_code(sb_err code);

#endif
