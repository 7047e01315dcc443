/* input.c - request bodies to image bytes and options. */
#include "api/input.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "util/random.h"

/* Strict base64 (RFC 4648 alphabet, line breaks allowed) through OpenSSL's streaming decoder. */
static sb_err base64_decode(const char *text, size_t n, const char *field, uint8_t **out, size_t *len, sb_error_t *e)
{
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

/* "data:image/jpeg;base64,AAAA" or bare base64. */
static sb_err decode_inline_image(const char *s, const char *field, uint8_t **out, size_t *len, sb_error_t *e)
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

static sb_err parse_json(sb_api_ctx_t *c, bool cache_ok, sb_api_input_t *in, sb_error_t *e)
{
    sb_http_req_t *r = c->req;
    if (!r->body_len)
        return sb_error_set(e, SB_ERR_USAGE, "body", "the request has no body; send JSON with image_url or image");
    json_error_t je;
    in->body = json_loadb((const char *)r->body, r->body_len, JSON_REJECT_DUPLICATES, &je);
    if (!in->body)
        return sb_error_set(e, SB_ERR_USAGE, "body", "invalid JSON at line %d, column %d: %s", je.line, je.column,
                            je.text);
    if (!json_is_object(in->body))
        return sb_error_set(e, SB_ERR_USAGE, "body", "the JSON body must be an object");
    json_t *url = json_object_get(in->body, "image_url");
    json_t *img = json_object_get(in->body, "image");
    json_t *img64 = json_object_get(in->body, "image_base64");
    json_t *cache = cache_ok ? json_object_get(in->body, "cache_id") : NULL;
    if (img && img64)
        return sb_error_set(e, SB_ERR_USAGE, "image_base64", "send either image or image_base64, not both");
    if (!img)
        img = img64;
    if (url && !json_is_string(url))
        return sb_error_set(e, SB_ERR_USAGE, "image_url", "image_url must be a string");
    if (img && !json_is_string(img))
        return sb_error_set(e, SB_ERR_USAGE, "image", "image must be a string (a data URI or base64)");
    if (cache && !json_is_string(cache))
        return sb_error_set(e, SB_ERR_USAGE, "cache_id", "cache_id must be a string");
    if (url && img)
        return sb_error_set(e, SB_ERR_USAGE, "image", "send either image_url or image, not both");
    if (cache && (url || img))
        return sb_error_set(e, SB_ERR_USAGE, "cache_id", BOTH_CACHE_AND_IMAGE);
    if (cache) {
        in->cache_id = json_string_value(cache);
        return *in->cache_id ? SB_OK : sb_error_set(e, SB_ERR_USAGE, "cache_id", "cache_id is empty");
    }
    if (!url && !img)
        return sb_error_set(e, SB_ERR_USAGE, "image_url", "image_url is required (or image as a data URI or base64%s)",
                            cache_ok ? ", or cache_id" : "");
    if (url) {
        in->image_url = json_string_value(url);
        if (!*in->image_url)
            return sb_error_set(e, SB_ERR_USAGE, "image_url", "image_url is empty");
        return SB_OK;
    }
    return decode_inline_image(json_string_value(img), "image", &in->image, &in->image_len, e);
}

static sb_err parse_multipart(sb_api_ctx_t *c, bool cache_ok, sb_api_input_t *in, sb_error_t *e)
{
    const sb_http_part_t *img = sb_http_part(c->req, "image");
    const sb_http_part_t *url = sb_http_part(c->req, "image_url");
    const sb_http_part_t *cache = cache_ok ? sb_http_part(c->req, "cache_id") : NULL;
    if (img && url)
        return sb_error_set(e, SB_ERR_USAGE, "image", "send either an image file or image_url, not both");
    if (cache && (img || url))
        return sb_error_set(e, SB_ERR_USAGE, "cache_id", BOTH_CACHE_AND_IMAGE);
    if (cache) {
        if (!cache->len || strlen(cache->value) != cache->len)
            return sb_error_set(e, SB_ERR_USAGE, "cache_id", "cache_id is empty or not text");
        in->cache_id = cache->value;
        return SB_OK;
    }
    if (url) {
        if (!url->len || strlen(url->value) != url->len)
            return sb_error_set(e, SB_ERR_USAGE, "image_url", "image_url is empty or not text");
        in->image_url = url->value;
        return SB_OK;
    }
    if (!img || !img->len)
        return sb_error_set(e, SB_ERR_USAGE, "image", "the multipart body has no 'image' file%s",
                            cache_ok ? " (or cache_id field)" : "");
    in->image = malloc(img->len);
    if (!in->image)
        return sb_error_set(e, SB_ERR_NOMEM, "image", "out of memory");
    memcpy(in->image, img->value, img->len);
    in->image_len = img->len;
    return SB_OK;
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

sb_err sb_api_input_parse(sb_api_ctx_t *c, bool cache_ok, sb_api_input_t *in, sb_error_t *e)
{
    memset(in, 0, sizeof *in);
    fingerprint(c, in);
    if (c->req->multipart)
        return parse_multipart(c, cache_ok, in, e);
    const char *ct = sb_http_header(c->req, "Content-Type");
    if (ct && strncasecmp(ct, "application/json", 16) != 0)
        return sb_error_set(e, SB_ERR_UNSUPPORTED_FORMAT, "Content-Type",
                            "Content-Type must be application/json or multipart/form-data, not '%.100s'", ct);
    return parse_json(c, cache_ok, in, e);
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
    if (p && strlen(p->value) != p->len)
        return sb_error_set(e, SB_ERR_USAGE, name, "%s must be text", name);
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
        char *end;
        v = strtol(p->value, &end, 10);
        if (!p->len || *end)
            return sb_error_set(e, SB_ERR_USAGE, name, "%s must be an integer", name);
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
        char *end;
        v = strtod(p->value, &end);
        if (!p->len || *end)
            return sb_error_set(e, SB_ERR_USAGE, name, "%s must be a number", name);
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
    if (!strcmp(p->value, "true") || !strcmp(p->value, "1"))
        *out = true;
    else if (!strcmp(p->value, "false") || !strcmp(p->value, "0"))
        *out = false;
    else
        return sb_error_set(e, SB_ERR_USAGE, name, "%s must be true or false", name);
    return SB_OK;
}

void sb_api_input_free(sb_api_input_t *in)
{
    if (!in)
        return;
    json_decref(in->body);
    free(in->image);
    memset(in, 0, sizeof *in);
}
