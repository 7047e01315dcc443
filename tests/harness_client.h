/* harness_client.h - part of tests/server_harness.h (included by it, never on its own): the HTTP client
 * the end-to-end tests talk to the server under test with (libcurl: get, post_json, post_multipart,
 * post_image, their answers parsed) and the checks on error answers (EXPECT_ERROR, EXPECT_STATUS). */
#ifndef STROBE_TESTS_HARNESS_CLIENT_H
#define STROBE_TESTS_HARNESS_CLIENT_H

typedef struct {
    const char *name;
    const void *data;
    size_t len;
    const char *filename; /* NULL: a plain field */
    const char *type;
} part_t;

typedef struct {
    const char *method;          /* default GET, or POST with a body or parts */
    const char *path;            /* relative to the server, or an absolute http:// URL */
    const char *key;             /* sent as "Authorization: Bearer <key>" */
    const char *const *headers;  /* extra "Name: value", NULL-terminated */
    const char *content_type;
    const void *body;
    size_t len;
    const part_t *parts;
    int nparts;
    bool chunked;                /* send the body without Content-Length */
    atomic_int *sent;            /* set to 1 once the whole body was handed to the socket */
    long timeout_ms;             /* default 60 s */
} req_t;

typedef struct {
    CURLcode cc;
    long status;
    char *head;
    size_t head_len;
    char *body;
    size_t len;
    json_t *json; /* the body parsed as JSON, or NULL */
    char err[CURL_ERROR_SIZE];
} resp_t;

typedef struct {
    char *buf;
    size_t len, cap;
} grow_t;

static void grow_add(grow_t *g, const void *p, size_t n)
{
    if (g->len + n + 1 > g->cap) {
        size_t cap = g->cap ? g->cap : 4096;
        while (cap < g->len + n + 1)
            cap *= 2;
        g->buf = realloc(g->buf, cap);
        g->cap = cap;
    }
    memcpy(g->buf + g->len, p, n);
    g->len += n;
    g->buf[g->len] = '\0';
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    grow_add(ud, p, size * n);
    return size * n;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    grow_t *g = ud;
    if (size * n >= 5 && !strncmp(p, "HTTP/", 5))
        g->len = 0; /* a new response (after 100 Continue or a redirect): keep only the last head */
    grow_add(g, p, size * n);
    return size * n;
}

typedef struct {
    const uint8_t *p;
    size_t left;
} reader_t;

static size_t on_read(char *buf, size_t size, size_t n, void *ud)
{
    reader_t *r = ud;
    size_t k = size * n < r->left ? size * n : r->left;
    if (k > 16384)
        k = 16384; /* several chunks */
    memcpy(buf, r->p, k);
    r->p += k;
    r->left -= k;
    return k;
}

static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
    (void)dltotal;
    (void)dlnow;
    if (ultotal > 0 && ulnow >= ultotal)
        atomic_store((atomic_int *)ud, 1);
    return 0;
}

/* One request; never asserts (safe from any thread). */
static resp_t http(const req_t *r)
{
    resp_t out = {0};
    grow_t body = {0}, head = {0};
    CURL *h = curl_easy_init();
    char url[4096], auth[256];
    if (!strncmp(r->path, "http://", 7) || !strncmp(r->path, "https://", 8))
        snprintf(url, sizeof url, "%s", r->path);
    else
        snprintf(url, sizeof url, "%s%s", S.base, r->path);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, r->timeout_ms ? r->timeout_ms : 60000L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &head);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, out.err);
    struct curl_slist *hl = NULL;
    if (r->key) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", r->key);
        hl = curl_slist_append(hl, auth);
    }
    for (int i = 0; r->headers && r->headers[i]; i++)
        hl = curl_slist_append(hl, r->headers[i]);
    char ct[256];
    if (r->content_type) {
        snprintf(ct, sizeof ct, "Content-Type: %s", r->content_type);
        hl = curl_slist_append(hl, ct);
    }
    curl_mime *mime = NULL;
    reader_t rd = {r->body, r->len};
    if (r->parts) {
        mime = curl_mime_init(h);
        for (int i = 0; i < r->nparts; i++) {
            curl_mimepart *p = curl_mime_addpart(mime);
            curl_mime_name(p, r->parts[i].name);
            curl_mime_data(p, r->parts[i].data, r->parts[i].len);
            if (r->parts[i].filename)
                curl_mime_filename(p, r->parts[i].filename);
            if (r->parts[i].type)
                curl_mime_type(p, r->parts[i].type);
        }
        curl_easy_setopt(h, CURLOPT_MIMEPOST, mime);
    } else if (r->chunked) {
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
        curl_easy_setopt(h, CURLOPT_READDATA, &rd);
        hl = curl_slist_append(hl, "Transfer-Encoding: chunked");
    } else if (r->body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, r->body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->len);
    }
    if (r->method)
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, r->method);
    if (r->sent) {
        curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(h, CURLOPT_XFERINFODATA, r->sent);
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    out.cc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out.status);
    curl_easy_cleanup(h);
    curl_mime_free(mime);
    curl_slist_free_all(hl);
    out.body = body.buf ? body.buf : strdup("");
    out.len = body.len;
    out.head = head.buf ? head.buf : strdup("");
    out.head_len = head.len;
    out.json = json_loadb(out.body, out.len, 0, NULL);
    return out;
}

static void resp_free(resp_t *r)
{
    free(r->body);
    free(r->head);
    json_decref(r->json);
    memset(r, 0, sizeof *r);
}

/* Response header `name` (case-insensitive, trimmed) into out; false when absent. */
static bool resp_header(const resp_t *r, const char *name, char *out, size_t n)
{
    size_t nl = strlen(name);
    for (const char *line = r->head; line && *line;) {
        const char *eol = strstr(line, "\r\n");
        size_t ll = eol ? (size_t)(eol - line) : strlen(line);
        if (ll > nl && !strncasecmp(line, name, nl) && line[nl] == ':') {
            const char *v = line + nl + 1;
            while (*v == ' ')
                v++;
            snprintf(out, n, "%.*s", (int)(ll - (size_t)(v - line)), v);
            return true;
        }
        line = eol ? eol + 2 : line + ll;
    }
    return false;
}

static long header_long(const resp_t *r, const char *name)
{
    char v[64];
    return resp_header(r, name, v, sizeof v) ? strtol(v, NULL, 10) : -999;
}

static resp_t get(const char *path, const char *key)
{
    return http(&(req_t){.path = path, .key = key});
}

static resp_t post_json(const char *key, const char *json, const char *const *headers)
{
    return http(&(req_t){.path = "/api/v1/ai-headshot", .key = key, .content_type = "application/json",
                         .body = json, .len = strlen(json), .headers = headers});
}

/* Multipart POST to `path`: the image as file part "image" (when img) plus text fields as name, value
 * pairs (at most 23). */
static resp_t post_multipart(const char *path, const char *key, const void *img, size_t len,
                             const char *const *fields, const char *const *headers)
{
    part_t parts[24];
    int n = 0;
    if (img)
        parts[n++] = (part_t){"image", img, len, "photo.jpg", "image/jpeg"};
    for (int i = 0; fields && fields[i] && fields[i + 1] && n < 24; i += 2)
        parts[n++] = (part_t){fields[i], fields[i + 1], strlen(fields[i + 1]), NULL, NULL};
    return http(&(req_t){.path = path, .key = key, .parts = parts, .nparts = n, .headers = headers});
}

/* Multipart to the headshot route (see post_multipart). */
static resp_t post_image(const char *key, const void *img, size_t len, const char *const *fields,
                         const char *const *headers)
{
    return post_multipart("/api/v1/ai-headshot", key, img, len, fields, headers);
}

static const char *err_code(const resp_t *r)
{
    return nz(jstr(json_object_get(r->json, "error"), "code"));
}

static const char *err_field(const resp_t *r)
{
    return nz(jstr(json_object_get(r->json, "error"), "field"));
}

/* The answer is `status` with {"error":{"code","message","field"}}; field checked when not NULL. */
#define EXPECT_ERROR(r, st, code, field, what)                                                                    \
    do {                                                                                                          \
        const resp_t *r_ = &(r);                                                                                  \
        cr_assert_eq(r_->cc, CURLE_OK, "%s: transfer failed: %s", (what), r_->err);                               \
        cr_assert_eq(r_->status, (st), "%s: status %ld, body %s", (what), r_->status, r_->body);                  \
        json_t *e_ = json_object_get(r_->json, "error");                                                          \
        cr_assert(json_is_object(e_), "%s: no error object in %s", (what), r_->body);                             \
        cr_assert_str_eq(err_code(r_), (code), "%s: body %s", (what), r_->body);                                  \
        cr_assert(json_is_string(json_object_get(e_, "message")) && *jstr(e_, "message"), "%s: message in %s",    \
                  (what), r_->body);                                                                              \
        cr_assert(json_is_string(json_object_get(e_, "field")), "%s: field in %s", (what), r_->body);             \
        if ((field) != NULL)                                                                                      \
            cr_assert_str_eq(err_field(r_), (const char *)(field), "%s: body %s", (what), r_->body);              \
    } while (0)

#define EXPECT_STATUS(r, st, what)                                                                                \
    do {                                                                                                          \
        cr_assert_eq((r).cc, CURLE_OK, "%s: transfer failed: %s", (what), (r).err);                               \
        cr_assert_eq((r).status, (st), "%s: status %ld, body %.600s", (what), (r).status, (r).body);              \
    } while (0)

/* A body_too_large answer that tells the client the limit (1 MB in these tests). */
static void expect_limit_named(const resp_t *r, const char *what)
{
    const char *msg = nz(jstr(json_object_get(r->json, "error"), "message"));
    cr_assert(strstr(msg, "1048576") || strstr(msg, "1 MB") || strstr(msg, "1 MiB") || strstr(msg, "1MB"),
              "%s: the message does not name the 1 MB limit: %s", what, msg);
}

/* GET /healthz answers 200: the server survived what came before. */
static void expect_healthy(const char *after)
{
    resp_t r = get("/healthz", NULL);
    cr_assert_eq(r.cc, CURLE_OK, "/healthz after %s: %s (log: %s)", after, r.err, log_tail());
    cr_assert_eq(r.status, 200, "/healthz after %s: %ld", after, r.status);
    resp_free(&r);
}

static json_t *account(const char *key)
{
    resp_t r = get("/v1/account", key);
    EXPECT_STATUS(r, 200, "GET /v1/account");
    json_t *j = json_incref(r.json);
    cr_assert_not_null(j);
    resp_free(&r);
    return j;
}

/* The account's usage entry for `pipeline` (borrowed from acct), or NULL. */
static json_t *usage_of(json_t *acct, const char *pipeline)
{
    size_t i;
    json_t *u;
    json_array_foreach(json_object_get(acct, "usage"), i, u) if (!strcmp(nz(jstr(u, "pipeline")), pipeline)) return u;
    return NULL;
}

/* The file id in a signed file URL: ".../v1/files/<id>.<ext>?...". */
static void url_file_id(const char *url, char *out, size_t n)
{
    const char *p = strstr(nz(url), "/v1/files/");
    cr_assert_not_null(p, "not a file URL: %s", nz(url));
    p += 10;
    snprintf(out, n, "%.*s", (int)strcspn(p, ".?"), p);
}

/* Poll GET /v1/image/{id} until its status is `want` (fails on another final status or timeout). */
static json_t *poll_job(const char *key, const char *id, const char *want, int timeout_ms, int every_ms)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/image/%s", id);
    long long deadline = now_ms() + timeout_ms;
    char last[2048] = "";
    for (;;) {
        resp_t r = get(path, key);
        if (r.cc == CURLE_OK && r.status == 200) {
            const char *st = jstr(r.json, "status");
            snprintf(last, sizeof last, "%.2000s", r.body);
            if (st && !strcmp(st, want)) {
                json_t *j = json_incref(r.json);
                resp_free(&r);
                return j;
            }
            if (st && (!strcmp(st, "completed") || !strcmp(st, "failed")))
                cr_assert_fail("job %s ended %s while waiting for %s: %s", id, st, want, r.body);
        } else {
            snprintf(last, sizeof last, "status %ld cc %d: %.1900s", r.status, r.cc, r.body);
        }
        resp_free(&r);
        if (now_ms() > deadline)
            cr_assert_fail("job %s not %s within %d ms; last: %s; log: %s", id, want, timeout_ms, last, log_tail());
        sleep_ms(every_ms);
    }
}

/* GET an output_url: 200 with the content type and bytes; returns the bytes (caller frees the resp). */
static resp_t fetch_output(const char *url, const char *content_type)
{
    cr_assert(url && !strncmp(url, "http://127.0.0.1:", 17), "output_url %s", nz(url));
    resp_t r = get(url, NULL);
    EXPECT_STATUS(r, 200, "GET output_url");
    char ct[128];
    cr_assert(resp_header(&r, "Content-Type", ct, sizeof ct), "no Content-Type");
    cr_assert_str_eq(ct, content_type);
    return r;
}

static void expect_png_800(const resp_t *r, const char *what)
{
    uint32_t w = 0, h = 0;
    cr_assert(png_size((const uint8_t *)r->body, r->len, &w, &h), "%s: not a PNG (%zu bytes)", what, r->len);
    cr_assert_eq(w, 800, "%s: width %u", what, w);
    cr_assert_eq(h, 800, "%s: height %u", what, h);
}

/* A successful sync headshot answer: 200, face found, 800x800 output. */
static void expect_headshot_ok(const resp_t *r, const char *what)
{
    EXPECT_STATUS(*r, 200, what);
    cr_assert_not_null(r->json, "%s: not JSON: %s", what, r->body);
    cr_assert_str_eq(nz(jstr(r->json, "status")), "completed", "%s: %s", what, r->body);
    cr_assert(json_is_true(json_object_get(r->json, "face_detected")), "%s: %s", what, r->body);
    cr_assert_geq(jint(r->json, "face_count"), 1, "%s: %s", what, r->body);
    cr_assert_eq(jint(r->json, "width"), 800, "%s: %s", what, r->body);
    cr_assert_eq(jint(r->json, "height"), 800, "%s: %s", what, r->body);
    cr_assert(json_is_integer(json_object_get(r->json, "latency_ms")), "%s: latency_ms in %s", what, r->body);
    cr_assert_geq(jint(r->json, "latency_ms"), 0);
    cr_assert(jstr(r->json, "output_url") && *jstr(r->json, "output_url"), "%s: output_url in %s", what, r->body);
    cr_assert(jstr(r->json, "id") && !strncmp(jstr(r->json, "id"), "job_", 4), "%s: id in %s", what, r->body);
}

#endif
