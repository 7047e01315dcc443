/* input.c - request bodies to image bytes and options. */
#include "api/input.h"

#include <limits.h>
#include <math.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/parse.h"
#include "util/random.h"
#include "util/utf8.h"

/* Whether text[0..n) is base64 of the RFC 4648 alphabet: padding only at the end, line breaks, spaces and
 * tabs anywhere. OpenSSL's decoder cannot be left to judge: it takes '-' as the end of the data (PEM's
 * "-----END") and returns what came before it, a truncated image. */
static bool base64_alphabet(const char *text, size_t n)
{
    size_t pad = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = text[i];
        if (ch == '\r' || ch == '\n' || ch == ' ' || ch == '\t')
            continue;
        if (ch == '=')
            pad++;
        else if (pad || !((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
                          ch == '+' || ch == '/'))
            return false;
    }
    return pad <= 2;
}

/* Strict base64 (RFC 4648 alphabet, line breaks allowed) through OpenSSL's streaming decoder. */
static sb_err base64_decode(const char *text, size_t n, const char *field, uint8_t **out, size_t *len, sb_error_t *e)
{
    if (!base64_alphabet(text, n))
        return sb_error_set(e, SB_ERR_USAGE, field, "'%s' is not valid base64 (RFC 4648 alphabet: A-Z a-z 0-9 + /)",
                            field);
    uint8_t *buf = malloc(n / 4 * 3 + 4);
    EVP_ENCODE_CTX *ctx = EVP_ENCODE_CTX_new();
    if (!buf || !ctx) {
        free(buf);
        EVP_ENCODE_CTX_free(ctx);
        return sb_error_set(e, SB_ERR_NOMEM, field, "out of memory decoding base64");
    }
    int got = 0, tail = 0;
    EVP_DecodeInit(ctx);
    int rc = EVP_DecodeUpdate(ctx, buf, &got, (const unsigned char *)text, (int)n);
    if (rc >= 0)
        rc = EVP_DecodeFinal(ctx, buf + got, &tail);
    EVP_ENCODE_CTX_free(ctx);
    if (rc < 0 || got + tail == 0) {
        free(buf);
        return sb_error_set(e, SB_ERR_USAGE, field, "'%s' is not valid base64", field);
    }
    *out = buf;
    *len = (size_t)(got + tail);
    return SB_OK;
}

sb_err sb_api_input_decode_image(const char *s, const char *field, uint8_t **out, size_t *len, sb_error_t *e)
{
    if (!strncmp(s, "data:", 5)) {
        const char *comma = strchr(s, ',');
        if (!comma || !memmem(s, (size_t)(comma - s), ";base64", 7))
            return sb_error_set(e, SB_ERR_USAGE, field, "a data URI in '%s' must be 'data:<type>;base64,<data>'", field);
        s = comma + 1;
    }
    return base64_decode(s, strlen(s), field, out, len, e);
}

#define BOTH_CACHE_AND_IMAGE "send either cache_id or an image (image or image_url), not both"

/* The JSON object of the body into in->body; `wanted` names the image members for the message. */
static sb_err load_json(sb_api_ctx_t *c, const char *wanted, sb_api_input_t *in, sb_error_t *e)
{
    sb_http_req_t *r = c->req;
    if (!r->body_len)
        return sb_error_set(e, SB_ERR_USAGE, "body", "the request has no body; send JSON with %s", wanted);
    json_error_t je;
    in->body = json_loadb((const char *)r->body, r->body_len, JSON_REJECT_DUPLICATES, &je);
    if (!in->body)
        return sb_error_set(e, SB_ERR_USAGE, "body", "invalid JSON at line %d, column %d: %s", je.line, je.column,
                            je.text);
    if (!json_is_object(in->body))
        return sb_error_set(e, SB_ERR_USAGE, "body", "the JSON body must be an object");
    return SB_OK;
}

/* The names an endpoint's image fields go by: the house's, unless an endpoint passes its own. */
static const sb_api_image_fields_t house_fields = {.file = "image", .url = "image_url", .inline_ = "image",
                                                    .inline_alt = "image_base64"};

static sb_err parse_json(sb_api_ctx_t *c, bool cache_ok, const sb_api_image_fields_t *f, sb_api_input_t *in,
                         sb_error_t *e)
{
    char wanted[96];
    snprintf(wanted, sizeof wanted, "%s or %s", f->url, f->inline_);
    sb_err err = load_json(c, wanted, in, e);
    if (err)
        return err;
    json_t *url = json_object_get(in->body, f->url);
    json_t *img = json_object_get(in->body, f->inline_);
    json_t *img64 = f->inline_alt ? json_object_get(in->body, f->inline_alt) : NULL;
    json_t *cache = cache_ok ? json_object_get(in->body, "cache_id") : NULL;
    if (img && img64)
        return sb_error_set(e, SB_ERR_USAGE, f->inline_alt, "send either %s or %s, not both", f->inline_,
                            f->inline_alt);
    if (!img)
        img = img64;
    if (url && !json_is_string(url))
        return sb_error_set(e, SB_ERR_USAGE, f->url, "%s must be a string", f->url);
    if (img && !json_is_string(img))
        return sb_error_set(e, SB_ERR_USAGE, f->inline_, "%s must be a string (a data URI or base64)", f->inline_);
    if (cache && !json_is_string(cache))
        return sb_error_set(e, SB_ERR_USAGE, "cache_id", "cache_id must be a string");
    if (url && img)
        return sb_error_set(e, SB_ERR_USAGE, f->inline_, "send either %s or %s, not both", f->url, f->inline_);
    if (cache && (url || img))
        return sb_error_set(e, SB_ERR_USAGE, "cache_id", BOTH_CACHE_AND_IMAGE);
    if (cache) {
        in->cache_id = json_string_value(cache);
        return *in->cache_id ? SB_OK : sb_error_set(e, SB_ERR_USAGE, "cache_id", "cache_id is empty");
    }
    if (!url && !img)
        return sb_error_set(e, SB_ERR_USAGE, f->url, "%s is required (or %s as a data URI or base64%s)", f->url,
                            f->inline_, cache_ok ? ", or cache_id" : "");
    if (url) {
        in->image_url = json_string_value(url);
        if (!*in->image_url)
            return sb_error_set(e, SB_ERR_USAGE, f->url, "%s is empty", f->url);
        return SB_OK;
    }
    return sb_api_input_decode_image(json_string_value(img), f->inline_, &in->image, &in->image_len, e);
}

/* A multipart field that is text: no NUL inside, well-formed UTF-8 (it may end up in JSON, which
 * takes nothing else). */
static bool part_is_text(const sb_http_part_t *p)
{
    return strlen(p->value) == p->len && sb_utf8_valid(p->value, p->len);
}

static sb_err parse_multipart(sb_api_ctx_t *c, bool cache_ok, const sb_api_image_fields_t *f, sb_api_input_t *in,
                              sb_error_t *e)
{
    const sb_http_part_t *img = sb_http_part(c->req, f->file);
    const sb_http_part_t *url = sb_http_part(c->req, f->url);
    /* A text field of base64, where the endpoint names one apart from its file part. */
    const sb_http_part_t *b64 = strcmp(f->inline_, f->file) ? sb_http_part(c->req, f->inline_) : NULL;
    const sb_http_part_t *cache = cache_ok ? sb_http_part(c->req, "cache_id") : NULL;
    if ((img != NULL) + (url != NULL) + (b64 != NULL) > 1)
        return strcmp(f->inline_, f->file)
                   ? sb_error_set(e, SB_ERR_USAGE, f->file, "send one of %s (a file), %s or %s, not two", f->file,
                                  f->inline_, f->url)
                   : sb_error_set(e, SB_ERR_USAGE, f->file, "send either an image file or %s, not both", f->url);
    if (cache && (img || url || b64))
        return sb_error_set(e, SB_ERR_USAGE, "cache_id", BOTH_CACHE_AND_IMAGE);
    if (cache) {
        if (!cache->len || !part_is_text(cache))
            return sb_error_set(e, SB_ERR_USAGE, "cache_id", "cache_id is empty or not UTF-8 text");
        in->cache_id = cache->value;
        return SB_OK;
    }
    if (url) {
        if (!url->len || !part_is_text(url))
            return sb_error_set(e, SB_ERR_USAGE, f->url, "%s is empty or not UTF-8 text", f->url);
        in->image_url = url->value;
        return SB_OK;
    }
    if (b64) {
        if (!b64->len || !part_is_text(b64))
            return sb_error_set(e, SB_ERR_USAGE, f->inline_, "%s is empty or not text", f->inline_);
        return sb_api_input_decode_image(b64->value, f->inline_, &in->image, &in->image_len, e);
    }
    if (!img || !img->len)
        return sb_error_set(e, SB_ERR_USAGE, f->file, "the multipart body has no '%s' file%s", f->file,
                            cache_ok ? " (or cache_id field)" : "");
    /* Taken, not copied: the request keeps its parts until it is answered, which for a synchronous job
     * is after the job ran (the fingerprint has been made already). */
    in->image = sb_http_part_take(c->req, f->file, &in->image_len);
    return in->image ? SB_OK : sb_error_set(e, SB_ERR_NOMEM, f->file, "out of memory");
}

static void fingerprint(sb_api_ctx_t *c, sb_api_input_t *in)
{
    sb_http_req_t *r = c->req;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    uint8_t digest[32];
    unsigned n = 0;
    EVP_DigestInit_ex(md, EVP_sha256(), NULL);
    EVP_DigestUpdate(md, r->method, strlen(r->method));
    EVP_DigestUpdate(md, " ", 1);
    EVP_DigestUpdate(md, r->path, strlen(r->path));
    EVP_DigestUpdate(md, "\n", 1);
    if (r->multipart) {
        for (int i = 0; i < r->n_parts; i++) {
            EVP_DigestUpdate(md, r->parts[i].name, strlen(r->parts[i].name) + 1);
            EVP_DigestUpdate(md, r->parts[i].value, r->parts[i].len);
            EVP_DigestUpdate(md, "\0", 1);
        }
    } else if (r->body_len) {
        EVP_DigestUpdate(md, r->body, r->body_len);
    }
    EVP_DigestFinal_ex(md, digest, &n);
    EVP_MD_CTX_free(md);
    sb_hex_encode(digest, 32, in->hash);
}

/* What every parse starts with: the fingerprint, and a Content-Type that is JSON (or none) unless the
 * body is multipart. */
static sb_err parse_start(sb_api_ctx_t *c, sb_api_input_t *in, sb_error_t *e)
{
    memset(in, 0, sizeof *in);
    fingerprint(c, in);
    const char *ct = sb_http_header(c->req, "Content-Type");
    if (!c->req->multipart && ct && strncasecmp(ct, "application/json", 16) != 0)
        return sb_error_set(e, SB_ERR_UNSUPPORTED_FORMAT, "Content-Type",
                            "Content-Type must be application/json or multipart/form-data%s, not '%.100s'",
                            c->req->form_urlencoded ? " (or application/x-www-form-urlencoded)" : "", ct);
    return SB_OK;
}

sb_err sb_api_input_parse(sb_api_ctx_t *c, bool cache_ok, sb_api_input_t *in, sb_error_t *e)
{
    return sb_api_input_parse_fields(c, cache_ok, &house_fields, in, e);
}

sb_err sb_api_input_parse_fields(sb_api_ctx_t *c, bool cache_ok, const sb_api_image_fields_t *fields,
                                 sb_api_input_t *in, sb_error_t *e)
{
    sb_err err = parse_start(c, in, e);
    if (err)
        return err;
    return c->req->multipart ? parse_multipart(c, cache_ok, fields, in, e) : parse_json(c, cache_ok, fields, in, e);
}

sb_err sb_api_input_parse_json(sb_api_ctx_t *c, const char *wanted, sb_api_input_t *in, sb_error_t *e)
{
    sb_err err = parse_start(c, in, e);
    if (!err && c->req->multipart)
        err = sb_error_set(e, SB_ERR_UNSUPPORTED_FORMAT, "Content-Type",
                           "this endpoint takes application/json, not multipart/form-data");
    return err ? err : load_json(c, wanted, in, e);
}

/* One image of a batch from JSON: an http(s) URL, or a data URI or bare base64 (decoded). */
static sb_err json_image(const json_t *v, const char *field, sb_api_image_t *img, sb_error_t *e)
{
    const char *s = json_string_value(v);
    if (!s)
        return sb_error_set(e, SB_ERR_USAGE, field, "%s must be a string (a URL, a data URI or base64)", field);
    if (!*s)
        return sb_error_set(e, SB_ERR_USAGE, field, "%s is empty", field);
    if (!strncmp(s, "http://", 7) || !strncmp(s, "https://", 8)) {
        img->url = s;
        return SB_OK;
    }
    return sb_api_input_decode_image(s, field, &img->data, &img->len, e);
}

/* One image of a batch from a multipart part: an "image" file (copied) or an "image_url" text field. */
static sb_err part_image(const sb_http_part_t *p, const char *field, sb_api_image_t *img, sb_error_t *e)
{
    if (!p->len)
        return sb_error_set(e, SB_ERR_USAGE, field, "%s (a multipart '%s' part) is empty", field, p->name);
    if (!strcmp(p->name, "image_url")) {
        if (!part_is_text(p))
            return sb_error_set(e, SB_ERR_USAGE, field, "%s (an image_url field) is not UTF-8 text", field);
        img->url = p->value;
        return SB_OK;
    }
    if (!(img->data = malloc(p->len)))
        return sb_error_set(e, SB_ERR_NOMEM, field, "out of memory");
    memcpy(img->data, p->value, p->len);
    img->len = p->len;
    return SB_OK;
}

static bool is_image_part(const sb_http_part_t *p)
{
    return !strcmp(p->name, "image") || !strcmp(p->name, "image_url");
}

sb_err sb_api_input_parse_images(sb_api_ctx_t *c, int min, int max, sb_api_input_t *in, sb_api_image_t **images,
                                 int *n, sb_error_t *e)
{
    *images = NULL;
    *n = 0;
    sb_err err = parse_start(c, in, e);
    if (!err && !c->req->multipart)
        err = load_json(c, "images", in, e);
    if (err)
        return err;
    sb_http_req_t *r = c->req;
    json_t *list = in->body ? json_object_get(in->body, "images") : NULL;
    int count = 0;
    if (in->body) {
        if (!list)
            return sb_error_set(e, SB_ERR_USAGE, "images", "images is required: an array of %d to %d images", min, max);
        if (!json_is_array(list))
            return sb_error_set(e, SB_ERR_USAGE, "images",
                                "images must be an array of image URLs, data URIs or base64 strings");
        count = (int)json_array_size(list) > max ? max + 1 : (int)json_array_size(list);
    } else {
        for (int i = 0; i < r->n_parts; i++)
            count += is_image_part(&r->parts[i]);
    }
    /* The count first: too many or too few are refused before anything is decoded. */
    if (count < min || count > max)
        return sb_error_set(e, SB_ERR_USAGE, "images", "images must be %d to %d images, not %s%d", min, max,
                            count > max ? "over " : "", count > max ? max : count);
    sb_api_image_t *out = calloc((size_t)count, sizeof *out);
    if (!out)
        return sb_error_set(e, SB_ERR_NOMEM, "images", "out of memory");
    for (int i = 0, p = 0; !err && i < count; i++) {
        char field[32];
        snprintf(field, sizeof field, "images[%d]", i);
        if (list) {
            err = json_image(json_array_get(list, (size_t)i), field, &out[i], e);
        } else {
            while (!is_image_part(&r->parts[p]))
                p++;
            err = part_image(&r->parts[p++], field, &out[i], e);
        }
    }
    if (err) {
        sb_api_images_free(out, count);
        return err;
    }
    *images = out;
    *n = count;
    return SB_OK;
}

void sb_api_images_free(sb_api_image_t *images, int n)
{
    for (int i = 0; images && i < n; i++)
        free(images[i].data);
    free(images);
}

sb_err sb_api_input_string(sb_api_ctx_t *c, const sb_api_input_t *in, const char *name, const char **out,
                           sb_error_t *e)
{
    *out = NULL;
    if (in->body) {
        json_t *v = json_object_get(in->body, name);
        if (v && !json_is_string(v))
            return sb_error_set(e, SB_ERR_USAGE, name, "%s must be a string", name);
        *out = json_string_value(v);
        return SB_OK;
    }
    const sb_http_part_t *p = sb_http_part(c->req, name);
    if (p && !part_is_text(p))
        return sb_error_set(e, SB_ERR_USAGE, name, "%s must be UTF-8 text", name);
    *out = p ? p->value : NULL;
    return SB_OK;
}

sb_err sb_api_input_int(sb_api_ctx_t *c, const sb_api_input_t *in, const char *name, long min, long max, long *out,
                        sb_error_t *e)
{
    long v;
    if (in->body) {
        json_t *j = json_object_get(in->body, name);
        if (!j)
            return SB_OK;
        if (!json_is_integer(j))
            return sb_error_set(e, SB_ERR_USAGE, name, "%s must be an integer", name);
        v = (long)json_integer_value(j);
    } else {
        const sb_http_part_t *p = sb_http_part(c->req, name);
        if (!p)
            return SB_OK;
        long long n;
        sb_err err = sb_parse_int(p->value, p->len, min, max, &n, name, e);
        if (err)
            return err;
        v = (long)n;
    }
    if (v < min || v > max)
        return sb_error_set(e, SB_ERR_USAGE, name, "%s must be between %ld and %ld, got %ld", name, min, max, v);
    *out = v;
    return SB_OK;
}

sb_err sb_api_input_number(sb_api_ctx_t *c, const sb_api_input_t *in, const char *name, double min, double max,
                           double *out, sb_error_t *e)
{
    double v;
    if (in->body) {
        json_t *j = json_object_get(in->body, name);
        if (!j)
            return SB_OK;
        if (!json_is_number(j))
            return sb_error_set(e, SB_ERR_USAGE, name, "%s must be a number", name);
        v = json_number_value(j);
    } else {
        const sb_http_part_t *p = sb_http_part(c->req, name);
        if (!p)
            return SB_OK;
        return sb_parse_double(p->value, p->len, min, max, out, name, e);
    }
    if (!(v >= min && v <= max))
        return sb_error_set(e, SB_ERR_USAGE, name, "%s must be between %g and %g, got %g", name, min, max, v);
    *out = v;
    return SB_OK;
}

sb_err sb_api_input_bool(sb_api_ctx_t *c, const sb_api_input_t *in, const char *name, bool *out, sb_error_t *e)
{
    if (in->body) {
        json_t *j = json_object_get(in->body, name);
        if (!j)
            return SB_OK;
        if (!json_is_boolean(j))
            return sb_error_set(e, SB_ERR_USAGE, name, "%s must be true or false", name);
        *out = json_is_true(j);
        return SB_OK;
    }
    const sb_http_part_t *p = sb_http_part(c->req, name);
    if (!p)
        return SB_OK;
    /* By length: "true\0junk" is not "true". */
    if (p->len == strlen(p->value) && (!strcmp(p->value, "true") || !strcmp(p->value, "1")))
        *out = true;
    else if (p->len == strlen(p->value) && (!strcmp(p->value, "false") || !strcmp(p->value, "0")))
        *out = false;
    else
        return sb_error_set(e, SB_ERR_USAGE, name, "%s must be true or false", name);
    return SB_OK;
}

/* One field of an options table from the request into opts. */
static sb_err input_field(sb_api_ctx_t *c, const sb_api_input_t *in, const sb_opt_field_t *f, void *opts,
                          sb_error_t *e)
{
    char *p = (char *)opts + f->offset;
    sb_err err = SB_OK;
    switch (f->kind) {
    case SB_OPT_INT:
    case SB_OPT_INT64: {
        long v = LONG_MIN;
        if ((err = sb_api_input_int(c, in, f->name, (long)f->min, (long)f->max, &v, e)) || v == LONG_MIN)
            return err;
        if (f->kind == SB_OPT_INT64) {
            int64_t x = v;
            memcpy(p, &x, sizeof x);
        } else {
            int x = (int)v;
            memcpy(p, &x, sizeof x);
        }
        return SB_OK;
    }
    case SB_OPT_FLOAT: {
        double v = NAN;
        if (!(err = sb_api_input_number(c, in, f->name, f->min, f->max, &v, e)) && !isnan(v)) {
            float x = (float)v;
            memcpy(p, &x, sizeof x);
        }
        return err;
    }
    case SB_OPT_BOOL: return sb_api_input_bool(c, in, f->name, (bool *)p, e);
    case SB_OPT_STRING: {
        const char *v;
        if (!(err = sb_api_input_string(c, in, f->name, &v, e)) && v)
            memcpy(p, &v, sizeof v);
        return err;
    }
    case SB_OPT_FORMAT:
    case SB_OPT_ENUM: {
        const char *v;
        if ((err = sb_api_input_string(c, in, f->name, &v, e)) || !v)
            return err;
        return sb_opt_read_name(f, v, opts, e);
    }
    }
    return sb_error_set(e, SB_ERR_INTERNAL, f->name, "unknown option kind");
}

sb_err sb_api_input_opts(sb_api_ctx_t *c, const sb_api_input_t *in, const sb_opts_table_t *t, void *opts,
                         sb_error_t *e)
{
    sb_err err = SB_OK;
    for (size_t i = 0; !err && i < t->n; i++)
        if (!(t->fields[i].flags & SB_OPT_ENDPOINT))
            err = input_field(c, in, &t->fields[i], opts, e);
    return err;
}

void sb_api_input_free(sb_api_input_t *in)
{
    if (!in)
        return;
    json_decref(in->body);
    free(in->image);
    memset(in, 0, sizeof *in);
}
