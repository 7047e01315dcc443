/* input.h - the image and options of a request, from a JSON body ({"image_url"} or {"image": data URI
 * or base64}) or a multipart/form-data upload (an "image" file part, or an "image_url" field); where the
 * endpoint allows it, a "cache_id" (an input kept by an earlier request) instead of either. Bytes stay
 * in memory. Private to src/api; on the HTTP thread of the request. */
#ifndef SB_API_INPUT_H
#define SB_API_INPUT_H

#include <jansson.h>

#include "api/api.h"
#include "pipeline/opts.h"

typedef struct {
    json_t *body;          /* the parsed JSON object, or NULL for multipart */
    uint8_t *image;        /* decoded image bytes (malloc'd), or NULL when image_url is used */
    size_t image_len;
    const char *image_url; /* borrowed from body or the request's parts, NULL when none */
    const char *cache_id;  /* borrowed likewise; when set, no image and no image_url (sb_api_submit loads it) */
    char hash[65];         /* SHA-256 of method, path and body: the Idempotency-Key fingerprint */
} sb_api_input_t;

/* Parse the request's body: exactly one image source, image or image_url, or with `cache_ok` also
 * cache_id (otherwise a cache_id field is ignored like any unknown one). Errors: SB_ERR_USAGE (bad JSON
 * with line and column, a field of the wrong type, no image or two, bad base64; field named),
 * SB_ERR_UNSUPPORTED_FORMAT (a Content-Type that is neither JSON nor multipart; field "Content-Type"). */
sb_err sb_api_input_parse(sb_api_ctx_t *c, bool cache_ok, sb_api_input_t *in, sb_error_t *e);

/* The names of an endpoint's image fields: the file part of a multipart (or form) body, the URL field,
 * the inline image (a data URI or base64: a JSON member, or a text field of a multipart or form body when
 * it is named apart from the file part) and an alias of it in JSON (may be NULL). The house's are
 * image / image_url / image / image_base64; remove.bg's are image_file / image_url / image_file_b64. */
typedef struct {
    const char *file, *url, *inline_, *inline_alt;
} sb_api_image_fields_t;

/* sb_api_input_parse with the endpoint's own field names (errors name them). */
sb_err sb_api_input_parse_fields(sb_api_ctx_t *c, bool cache_ok, const sb_api_image_fields_t *fields,
                                 sb_api_input_t *in, sb_error_t *e);

/* One image of a batch: a URL or an upload. */
typedef struct {
    const char *url;       /* borrowed from the body or the request's parts; NULL for an upload */
    uint8_t *data;         /* an upload's bytes (decoded from base64 for JSON), malloc'd */
    size_t len;
} sb_api_image_t;

/* Parse a batch request's body: JSON {"images": [...]} whose items are http(s) URLs, data URIs or
 * bare base64, or multipart with "image" file parts and "image_url" fields (repeated, in the order
 * sent). `in` gets the body and the fingerprint, for the options. On success *images is a malloc'd
 * array of *n (min..max, min >= 1) images to free with sb_api_images_free. The count is checked before
 * anything is decoded. Errors: SB_ERR_USAGE (bad JSON, images missing, not an array, under min or over
 * max: field "images"; an item that is not a non-empty string or bad base64: field "images[i]"),
 * SB_ERR_UNSUPPORTED_FORMAT (Content-Type), SB_ERR_NOMEM. */
sb_err sb_api_input_parse_images(sb_api_ctx_t *c, int min, int max, sb_api_input_t *in, sb_api_image_t **images,
                                 int *n, sb_error_t *e);

void sb_api_images_free(sb_api_image_t *images, int n); /* NULL-safe */

/* A text option: from the JSON body (must be a string) or a multipart field. *out NULL when absent. */
sb_err sb_api_input_string(sb_api_ctx_t *c, const sb_api_input_t *in, const char *name, const char **out,
                           sb_error_t *e);

/* An integer option in [min, max]; *out untouched when absent. JSON integers or multipart decimal text. */
sb_err sb_api_input_int(sb_api_ctx_t *c, const sb_api_input_t *in, const char *name, long min, long max, long *out,
                        sb_error_t *e);

/* A number option in [min, max]; *out untouched when absent. JSON numbers or multipart decimal text. */
sb_err sb_api_input_number(sb_api_ctx_t *c, const sb_api_input_t *in, const char *name, double min, double max,
                           double *out, sb_error_t *e);

/* A boolean option; *out untouched when absent. JSON true/false or multipart "true"/"false"/"1"/"0". */
sb_err sb_api_input_bool(sb_api_ctx_t *c, const sb_api_input_t *in, const char *name, bool *out, sb_error_t *e);

/* Every request field of an options type's table (pipeline/opts.h; not those flagged SB_OPT_ENDPOINT) into
 * `opts`, in the table's order, each with the reader of its kind above (a range for numbers; a format png,
 * jpeg, jpg or webp; an enum one of its names). A field absent leaves `opts` as it is. Errors: SB_ERR_USAGE
 * naming the field. */
sb_err sb_api_input_opts(sb_api_ctx_t *c, const sb_api_input_t *in, const sb_opts_table_t *t, void *opts,
                         sb_error_t *e);

/* Parse a JSON body that carries no image the generic way (an endpoint reads its own fields from
 * in->body): the fingerprint, then the object. `wanted` names what the body should hold, for the message
 * when there is none. Errors: SB_ERR_USAGE (no body, bad JSON with line and column, not an object),
 * SB_ERR_UNSUPPORTED_FORMAT (a Content-Type other than JSON, multipart included; field "Content-Type"). */
sb_err sb_api_input_parse_json(sb_api_ctx_t *c, const char *wanted, sb_api_input_t *in, sb_error_t *e);

/* Decode an inline image, "data:<type>;base64,<data>" or bare base64, into *out (malloc'd, *len bytes).
 * Errors: SB_ERR_USAGE naming `field` (a data URI without ";base64,", bad base64), SB_ERR_NOMEM. */
sb_err sb_api_input_decode_image(const char *s, const char *field, uint8_t **out, size_t *len, sb_error_t *e);

void sb_api_input_free(sb_api_input_t *in); /* NULL-safe */

#endif
