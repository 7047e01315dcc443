/* blob_s3.c - the blob store's S3 driver ("s3://BUCKET/PREFIX?endpoint=...&region=...&addressing=..."):
 * one object per blob under PREFIX, through libcurl with its SigV4 signing (CURLOPT_AWS_SIGV4). Works
 * with AWS S3 and S3-compatible servers (MinIO, s3rver, ...): path-style addressing by default when an
 * endpoint is given, virtual-host style for AWS. Credentials come from the environment
 * (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN) and are never logged or put in messages.
 * An unreachable server or a 5xx answer is SB_ERR_STORE_DOWN (503 + Retry-After to API clients); other
 * refusals (403: wrong credentials, 400) are SB_ERR_STORE naming S3's error code. */
#include "store/blob_driver.h"

#include <curl/curl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/hmac.h"

#define CONNECT_TIMEOUT_MS 5000
#define REQUEST_TIMEOUT_MS 60000
#define MAX_OBJECT_BYTES ((size_t)1 << 30)
#define HEALTH_OBJECT "strobe-health-check"

struct sb_blob_s3 {
    char base[1024];      /* URL up to the object name: ".../BUCKET/PREFIX/" or "https://BUCKET.host/PREFIX/" */
    char where[300];      /* s3://BUCKET/PREFIX, for messages */
    char sigv4[96];       /* "aws:amz:REGION:s3" */
    char userpwd[300];    /* "ACCESS_KEY:SECRET" (never printed) */
    char token[2200];     /* "x-amz-security-token: ..." or "" */
};

static bool bucket_ok(const char *s, size_t n)
{
    if (n < 3 || n > 63)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '.'))
            return false;
    return true;
}

static bool prefix_ok(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
              s[i] == '-' || s[i] == '.' || s[i] == '_' || s[i] == '/'))
            return false;
    return n < 200 && !(n >= 2 && memmem(s, n, "..", 2));
}

/* The value of `key` in a query string "a=1&b=2" into out (empty when absent). */
static void query_value(const char *query, const char *key, char *out, size_t size)
{
    out[0] = '\0';
    size_t klen = strlen(key);
    for (const char *p = query; p && *p; p = strchr(p, '&') ? strchr(p, '&') + 1 : NULL) {
        if (strncmp(p, key, klen) == 0 && p[klen] == '=') {
            size_t n = strcspn(p + klen + 1, "&");
            snprintf(out, size, "%.*s", (int)n, p + klen + 1);
            return;
        }
    }
}

sb_err sb_blob_s3_open(const char *location, sb_blob_s3_t **out, sb_error_t *e)
{
    *out = NULL;
    const char *query = strchr(location, '?');
    size_t path_len = query ? (size_t)(query - location) : strlen(location);
    size_t bucket_len = strcspn(location, "/?");
    const char *prefix = location + bucket_len;
    size_t prefix_len = path_len - bucket_len;
    while (prefix_len && *prefix == '/')
        prefix++, prefix_len--;
    while (prefix_len && prefix[prefix_len - 1] == '/')
        prefix_len--;
    if (!bucket_ok(location, bucket_len))
        return sb_error_set(e, SB_ERR_USAGE, "store", "bad S3 bucket name in 's3://%.*s' (want [a-z0-9.-]{3,63})",
                            (int)(bucket_len < 80 ? bucket_len : 80), location);
    if (!prefix_ok(prefix, prefix_len))
        return sb_error_set(e, SB_ERR_USAGE, "store", "bad S3 prefix '%.*s' (want [A-Za-z0-9._/-], no '..')",
                            (int)(prefix_len < 80 ? prefix_len : 80), prefix);
    char endpoint[512], region[64], addressing[16];
    query_value(query ? query + 1 : NULL, "endpoint", endpoint, sizeof endpoint);
    query_value(query ? query + 1 : NULL, "region", region, sizeof region);
    query_value(query ? query + 1 : NULL, "addressing", addressing, sizeof addressing);
    if (!region[0]) {
        const char *r = getenv("AWS_REGION");
        if (!r || !*r)
            r = getenv("AWS_DEFAULT_REGION");
        snprintf(region, sizeof region, "%s", r && *r ? r : "us-east-1");
    }
    for (const char *c = region; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-'))
            return sb_error_set(e, SB_ERR_USAGE, "store", "bad S3 region '%.40s'", region);
    if (endpoint[0] && strncmp(endpoint, "http://", 7) != 0 && strncmp(endpoint, "https://", 8) != 0)
        return sb_error_set(e, SB_ERR_USAGE, "store", "the S3 endpoint must be an http:// or https:// URL, not '%.80s'",
                            endpoint);
    bool path_style = endpoint[0] ? strcmp(addressing, "virtual") != 0 : strcmp(addressing, "path") == 0;
    if (addressing[0] && strcmp(addressing, "path") != 0 && strcmp(addressing, "virtual") != 0)
        return sb_error_set(e, SB_ERR_USAGE, "store", "S3 addressing must be path or virtual, not '%.20s'", addressing);
    const char *ak = getenv("AWS_ACCESS_KEY_ID"), *sk = getenv("AWS_SECRET_ACCESS_KEY");
    if (!ak || !*ak || !sk || !*sk)
        return sb_error_set(e, SB_ERR_USAGE, "store",
                            "an s3:// blob store needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment");
    sb_blob_s3_t *b = calloc(1, sizeof *b);
    if (!b)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory opening the blob store");
    char host_url[600];
    if (endpoint[0]) {
        size_t n = strlen(endpoint);
        while (n && endpoint[n - 1] == '/')
            endpoint[--n] = '\0';
        snprintf(host_url, sizeof host_url, "%s", endpoint);
    } else {
        snprintf(host_url, sizeof host_url, "https://s3.%s.amazonaws.com", region);
    }
    const char *slash = prefix_len ? "/" : "";
    if (path_style) {
        snprintf(b->base, sizeof b->base, "%s/%.*s/%.*s%s", host_url, (int)bucket_len, location, (int)prefix_len,
                 prefix, slash);
    } else {
        const char *scheme_end = strstr(host_url, "://") + 3;
        snprintf(b->base, sizeof b->base, "%.*s%.*s.%s/%.*s%s", (int)(scheme_end - host_url), host_url,
                 (int)bucket_len, location, scheme_end, (int)prefix_len, prefix, slash);
    }
    snprintf(b->where, sizeof b->where, "s3://%.*s/%.*s", (int)bucket_len, location, (int)prefix_len, prefix);
    snprintf(b->sigv4, sizeof b->sigv4, "aws:amz:%s:s3", region);
    snprintf(b->userpwd, sizeof b->userpwd, "%s:%s", ak, sk);
    const char *token = getenv("AWS_SESSION_TOKEN");
    if (token && *token)
        snprintf(b->token, sizeof b->token, "x-amz-security-token: %s", token);
    *out = b;
    return SB_OK;
}

void sb_blob_s3_close(sb_blob_s3_t *b)
{
    if (!b)
        return;
    /* The secret does not outlive the handle in freed memory. */
    volatile char *p = b->userpwd;
    for (size_t i = 0; i < sizeof b->userpwd; i++)
        p[i] = 0;
    free(b);
}

typedef struct {
    uint8_t *data;
    size_t len, cap;
    bool too_big;
} body_t;

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    body_t *body = userdata;
    size_t n = size * nmemb;
    if (body->len + n > MAX_OBJECT_BYTES) {
        body->too_big = true;
        return 0;
    }
    if (body->len + n + 1 > body->cap) {
        size_t cap = body->cap ? body->cap : 65536;
        while (cap < body->len + n + 1)
            cap *= 2;
        uint8_t *grown = realloc(body->data, cap);
        if (!grown)
            return 0;
        body->data = grown;
        body->cap = cap;
    }
    memcpy(body->data + body->len, ptr, n);
    body->len += n;
    body->data[body->len] = 0;
    return n;
}

/* S3's <Code> from an XML error body, into out ("" when none). */
static void s3_error_code(const body_t *body, char *out, size_t size)
{
    out[0] = '\0';
    const char *start = body->data ? strstr((const char *)body->data, "<Code>") : NULL;
    const char *end = start ? strstr(start, "</Code>") : NULL;
    if (start && end)
        snprintf(out, size, "%.*s", (int)(end - start - 6 < 64 ? end - start - 6 : 64), start + 6);
}

/* One signed request for object `name` (method GET, PUT with `data`, or DELETE). *status gets the HTTP
 * status; `body` (may be NULL) the answer's body. SB_ERR_STORE_DOWN when the server was not reached. */
static sb_err request(sb_blob_s3_t *b, const char *method, const char *name, const uint8_t *data, size_t len,
                      long *status, body_t *body, sb_error_t *e)
{
    CURL *c = curl_easy_init();
    if (!c)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory starting an S3 request");
    char url[1200], hash[65], hash_header[96];
    snprintf(url, sizeof url, "%s%s", b->base, name);
    /* S3 wants the payload's SHA-256 in a header; libcurl signs it (it does not add it itself). */
    sb_sha256_hex(data ? (const void *)data : "", data ? len : 0, hash);
    snprintf(hash_header, sizeof hash_header, "x-amz-content-sha256: %s", hash);
    struct curl_slist *headers = curl_slist_append(NULL, hash_header);
    if (b->token[0])
        headers = curl_slist_append(headers, b->token);
    if (data)
        headers = curl_slist_append(headers, "Content-Type: application/octet-stream");
    body_t sink = {0};
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)CONNECT_TIMEOUT_MS);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)REQUEST_TIMEOUT_MS);
    curl_easy_setopt(c, CURLOPT_AWS_SIGV4, b->sigv4);
    curl_easy_setopt(c, CURLOPT_USERPWD, b->userpwd);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (data) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, (const char *)data);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    }
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, body ? body : &sink);
    CURLcode cc = curl_easy_perform(c);
    *status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    curl_easy_cleanup(c);
    curl_slist_free_all(headers);
    free(sink.data);
    if (body && body->too_big)
        return sb_error_set(e, SB_ERR_STORE, "", "%s/%s is larger than %zu bytes", b->where, name, MAX_OBJECT_BYTES);
    if (cc != CURLE_OK)
        return sb_error_set(e, SB_ERR_STORE_DOWN, "", "S3 unreachable (%s %s/%s): %s", method, b->where, name,
                            curl_easy_strerror(cc));
    return SB_OK;
}

/* An answer other than the ones the caller accepts: 5xx is the server being down, the rest a refusal. */
static sb_err refused(sb_blob_s3_t *b, const char *method, const char *name, long status, const body_t *body,
                      sb_error_t *e)
{
    char code[80];
    s3_error_code(body, code, sizeof code);
    return sb_error_set(e, status >= 500 ? SB_ERR_STORE_DOWN : SB_ERR_STORE, "", "S3 %s %s/%s: HTTP %ld %s", method,
                        b->where, name, status, code[0] ? code : "");
}

sb_err sb_blob_s3_put(sb_blob_s3_t *b, const char *name, const uint8_t *data, size_t len, sb_error_t *e)
{
    long status;
    body_t body = {0};
    static const uint8_t empty[1];
    sb_err err = request(b, "PUT", name, data ? data : empty, len, &status, &body, e);
    if (!err && status != 200)
        err = refused(b, "PUT", name, status, &body, e);
    free(body.data);
    return err;
}

sb_err sb_blob_s3_get(sb_blob_s3_t *b, const char *name, uint8_t **data, size_t *len, sb_error_t *e)
{
    long status;
    body_t body = {0};
    sb_err err = request(b, "GET", name, NULL, 0, &status, &body, e);
    if (!err && status == 404)
        err = sb_error_set(e, SB_ERR_NOT_FOUND, "", "no blob '%s'", name);
    else if (!err && status != 200)
        err = refused(b, "GET", name, status, &body, e);
    if (err) {
        free(body.data);
        return err;
    }
    *data = body.data ? body.data : calloc(1, 1);
    *len = body.len;
    return *data ? SB_OK : sb_error_set(e, SB_ERR_NOMEM, "", "out of memory reading blob '%s'", name);
}

sb_err sb_blob_s3_delete(sb_blob_s3_t *b, const char *name, sb_error_t *e)
{
    long status;
    body_t body = {0};
    sb_err err = request(b, "DELETE", name, NULL, 0, &status, &body, e);
    /* S3 answers 204 whether or not the object was there; some servers 404 for an absent one. */
    if (!err && status != 204 && status != 200 && status != 404)
        err = refused(b, "DELETE", name, status, &body, e);
    free(body.data);
    return err;
}

sb_err sb_blob_s3_check_writable(sb_blob_s3_t *b, sb_error_t *e)
{
    static const uint8_t probe[] = "ok";
    sb_err err = sb_blob_s3_put(b, HEALTH_OBJECT, probe, sizeof probe - 1, e);
    if (!err)
        err = sb_blob_s3_delete(b, HEALTH_OBJECT, e);
    return err;
}
