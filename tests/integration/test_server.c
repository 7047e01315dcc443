/* test_server.c - the HTTP API end to end: each test starts the real `./strobe serve` on a random
 * loopback port with its own data directory, talks to it with libcurl, and checks statuses, headers,
 * JSON bodies, files on disk and the server's exit (the harness: tests/server_harness.h). The SSRF
 * cases use addresses the server's guard refuses before opening a socket.
 *
 * Runs from the repository root (./strobe); needs ../shared (models, test photos) or skips. */
#include "server_harness.h"
#include "strobe.h"

TestSuite(server, .fini = cleanup, .timeout = 120);

/* ================================================================================================
 * 1, 2. authentication and bad requests
 * ================================================================================================ */

Test(server, auth_and_bad_requests)
{
    begin();
    char key[64];
    make_key("t", 10, key, NULL);
    server_start(NULL, NULL);

    /* 401: no key, a wrong key, malformed Authorization headers; on both authenticated routes. */
    const char *const paths[] = {"/api/v1/ai-headshot", "/v1/account"};
    for (int i = 0; i < 2; i++) {
        const char *method = i == 0 ? "POST" : "GET";
        const char *body = i == 0 ? "{\"image_url\":\"http://example.com/a.jpg\"}" : NULL;
        const char *const bad_auth[][2] = {
            {NULL, "no key"},
            {"Authorization: Bearer sb_0000000000000000000000000000000000000000", "wrong key"},
            {"Authorization: Basic dXNlcjpwYXNz", "Basic scheme"},
            {"Authorization: Bearer", "Bearer without a key"},
            {"Authorization: Bearer    ", "Bearer with blanks"},
            {"Authorization: sb_garbage", "no scheme"},
        };
        for (size_t k = 0; k < sizeof bad_auth / sizeof bad_auth[0]; k++) {
            const char *hdrs[] = {bad_auth[k][0], NULL};
            char what[128];
            snprintf(what, sizeof what, "%s %s, %s", method, paths[i], bad_auth[k][1]);
            resp_t r = http(&(req_t){.method = method, .path = paths[i], .headers = hdrs,
                                     .content_type = body ? "application/json" : NULL, .body = body,
                                     .len = body ? strlen(body) : 0});
            EXPECT_ERROR(r, 401, "unauthorized", "Authorization", what);
            char v[64];
            cr_assert(resp_header(&r, "WWW-Authenticate", v, sizeof v), "%s: WWW-Authenticate", what);
            cr_assert(!resp_header(&r, "X-Credits-Remaining", v, sizeof v), "%s: credits leaked to an unauthenticated client", what);
            resp_free(&r);
        }
    }
    expect_healthy("401s");
    /* The key works, so the 401s above were about the key. */
    json_t *acct = account(key);
    cr_assert_eq(jint(acct, "credits"), 10);
    json_decref(acct);

    /* 400 with the field named. */
    const char *const cases[][3] = {
        {"{\"image_url\": ", "body", "truncated JSON"},
        {"not json at all", "body", "not JSON"},
        {"[1,2,3]", "body", "a JSON array"},
        {"{}", "image_url", "no image_url"},
        {"{\"image_url\":\"http://example.com/a.jpg\",\"size\":5}", "size", "size 5"},
        {"{\"image_url\":\"http://example.com/a.jpg\",\"size\":\"big\"}", "size", "size as text"},
        {"{\"image_url\":\"http://example.com/a.jpg\",\"output_format\":\"gif\"}", "output_format", "gif"},
        {"{\"image_url\":\"http://example.com/a.jpg\",\"image\":\"data:image/jpeg;base64,/9j/\"}", "image",
         "image and image_url"},
        {"{\"image_url\":42}", "image_url", "image_url not a string"},
        {"{\"image\":\"!!!not base64!!!\"}", "image", "bad base64"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        resp_t r = post_json(key, cases[i][0], NULL);
        EXPECT_ERROR(r, 400, "bad_request", cases[i][1], cases[i][2]);
        resp_free(&r);
        expect_healthy(cases[i][2]);
    }
    /* The same in multipart: both an image file and image_url. */
    static const uint8_t jpeg_start[] = {0xff, 0xd8, 0xff, 0xe0};
    const char *const both[] = {"image_url", "http://example.com/a.jpg", NULL};
    resp_t r = post_image(key, jpeg_start, sizeof jpeg_start, both, NULL);
    EXPECT_ERROR(r, 400, "bad_request", "image", "multipart image and image_url");
    resp_free(&r);
    /* A multipart body without any image. */
    const char *const only_size[] = {"size", "800", NULL};
    r = post_image(key, NULL, 0, only_size, NULL);
    EXPECT_ERROR(r, 400, "bad_request", "image", "multipart without image");
    resp_free(&r);
    /* Empty option fields (once a crash: an empty part had no value at all). */
    const char *const empty_size[] = {"image_url", "http://example.com/a.jpg", "size", "", NULL};
    r = post_image(key, NULL, 0, empty_size, NULL);
    EXPECT_ERROR(r, 400, "bad_request", "size", "multipart with an empty size");
    resp_free(&r);
    const char *const empty_format[] = {"image_url", "http://example.com/a.jpg", "output_format", "", NULL};
    r = post_image(key, NULL, 0, empty_format, NULL);
    EXPECT_ERROR(r, 400, "bad_request", "output_format", "multipart with an empty output_format");
    resp_free(&r);
    const char *const empty_url[] = {"image_url", "", NULL};
    r = post_image(key, NULL, 0, empty_url, NULL);
    EXPECT_ERROR(r, 400, "bad_request", "image_url", "multipart with an empty image_url");
    resp_free(&r);
    expect_healthy("multipart 400s");

    /* None of this cost a credit. */
    acct = account(key);
    cr_assert_eq(jint(acct, "credits"), 10);
    cr_assert_eq(jint(acct, "credits_used"), 0);
    json_decref(acct);
    cr_assert_eq(WEXITSTATUS(server_stop(30000)), 0);
}

/* ================================================================================================
 * 3, 4. unsupported, corrupt and too large inputs
 * ================================================================================================ */

Test(server, unsupported_corrupt_and_too_large)
{
    begin();
    size_t jlen;
    uint8_t *jpeg = load_shared(FACE, &jlen);
    char key[64];
    make_key("t", 10, key, NULL);
    const char *const env[] = {"STROBE_BODY_CAP_MB=1", NULL};
    server_start(env, NULL);

    /* 415: a text file as the image. */
    static const char text[] = "this is a plain text file, not a photo\n";
    part_t txt[] = {{"image", text, sizeof text - 1, "notes.txt", "text/plain"}};
    resp_t r = http(&(req_t){.path = "/api/v1/ai-headshot", .key = key, .parts = txt, .nparts = 1});
    EXPECT_ERROR(r, 415, "unsupported_format", "image", "text file as image");
    resp_free(&r);
    expect_healthy("text file");

    /* 415: a Content-Type that is neither JSON nor multipart. */
    r = http(&(req_t){.path = "/api/v1/ai-headshot", .key = key, .content_type = "text/plain", .body = "hello",
                      .len = 5});
    EXPECT_ERROR(r, 415, "unsupported_format", "Content-Type", "Content-Type text/plain");
    resp_free(&r);
    expect_healthy("text/plain");

    /* 422: a truncated JPEG (its first half). */
    r = post_image(key, jpeg, jlen / 2, NULL, NULL);
    EXPECT_ERROR(r, 422, "corrupt_image", NULL, "truncated JPEG");
    resp_free(&r);
    expect_healthy("truncated JPEG");

    /* 413 image_too_large: a tiny PNG whose header says 30000x30000 (900 MP), multipart and base64. */
    uint8_t png[128];
    size_t plen = make_header_only_png(png, 30000, 30000);
    cr_assert_lt(plen, 100);
    part_t big[] = {{"image", png, plen, "huge.png", "image/png"}};
    r = http(&(req_t){.path = "/api/v1/ai-headshot", .key = key, .parts = big, .nparts = 1});
    EXPECT_ERROR(r, 413, "image_too_large", "image", "30000x30000 PNG (multipart)");
    resp_free(&r);
    char *b64 = base64(png, plen);
    char json[512];
    snprintf(json, sizeof json, "{\"image\":\"data:image/png;base64,%s\"}", b64);
    free(b64);
    r = post_json(key, json, NULL);
    EXPECT_ERROR(r, 413, "image_too_large", "image", "30000x30000 PNG (data URI)");
    resp_free(&r);
    expect_healthy("huge PNG");

    /* 413 body_too_large: 2 MB over a 1 MB cap, as multipart, JSON, and JSON without Content-Length. */
    size_t blen = 2u << 20;
    char *blob = malloc(blen + 1);
    memset(blob, 'A', blen);
    blob[blen] = '\0';
    r = post_image(key, blob, blen, NULL, NULL);
    EXPECT_ERROR(r, 413, "body_too_large", NULL, "2 MB multipart");
    expect_limit_named(&r, "2 MB multipart");
    resp_free(&r);
    expect_healthy("2 MB multipart");
    memcpy(blob, "{\"image\":\"", 10);
    memcpy(blob + blen - 2, "\"}", 2);
    r = post_json(key, blob, NULL);
    EXPECT_ERROR(r, 413, "body_too_large", NULL, "2 MB JSON");
    expect_limit_named(&r, "2 MB JSON");
    resp_free(&r);
    expect_healthy("2 MB JSON");
    const char *const no_expect[] = {"Expect:", NULL}; /* the body follows the head at once */
    r = post_json(key, blob, no_expect);
    EXPECT_ERROR(r, 413, "body_too_large", NULL, "2 MB JSON without Expect: 100-continue");
    expect_limit_named(&r, "2 MB JSON without Expect: 100-continue");
    resp_free(&r);
    expect_healthy("2 MB JSON without Expect");
    /* A chunked body is refused from its head (411: bodies need Content-Length), see test_http_hardening.c. */
    r = http(&(req_t){.path = "/api/v1/ai-headshot", .key = key, .content_type = "application/json", .body = blob,
                      .len = blen, .chunked = true});
    EXPECT_ERROR(r, 411, "length_required", NULL, "2 MB chunked JSON");
    resp_free(&r);
    expect_healthy("2 MB chunked JSON");
    free(blob);

    /* Under the cap the same server still works end to end, and only that success was charged. */
    r = post_image(key, jpeg, jlen, NULL, NULL);
    expect_headshot_ok(&r, "a real photo after the errors");
    resp_free(&r);
    json_t *acct = account(key);
    cr_assert_eq(jint(acct, "credits_used"), 1);
    json_decref(acct);
    free(jpeg);
}

/* ================================================================================================
 * 5. SSRF
 * ================================================================================================ */

Test(server, ssrf_refused_without_allow_private_urls)
{
    begin();
    size_t jlen;
    uint8_t *jpeg = load_shared(FACE, &jlen);
    origin_start(jpeg, jlen, 0);
    char key[64];
    make_key("t", 10, key, NULL);
    server_start(NULL, NULL);

    char urls[8][256];
    int n = 0;
    origin_url(urls[n++], 256, "127.0.0.1", "/img");
    snprintf(urls[n++], 256, "http://10.0.0.1/x");
    snprintf(urls[n++], 256, "http://169.254.169.254/latest/meta-data/");
    origin_url(urls[n++], 256, "[::1]", "/img"); /* refused before connecting, listener or not */
    origin_url(urls[n++], 256, "localhost", "/img");
    origin_url(urls[n++], 256, "127.1", "/img");
    for (int i = 0; i < n; i++) {
        char json[4096];
        snprintf(json, sizeof json, "{\"image_url\":\"%s\"}", urls[i]);
        resp_t r = post_json(key, json, NULL);
        EXPECT_ERROR(r, 400, "url_blocked", "image_url", urls[i]);
        resp_free(&r);
    }
    /* Other schemes. */
    char ftp[256];
    snprintf(ftp, sizeof ftp, "ftp://127.0.0.1:%d/x", O.port);
    const char *const schemes[] = {"file:///etc/passwd", ftp, "gopher://127.0.0.1/x"};
    for (int i = 0; i < 3; i++) {
        char json[512];
        snprintf(json, sizeof json, "{\"image_url\":\"%s\"}", schemes[i]);
        resp_t r = post_json(key, json, NULL);
        EXPECT_ERROR(r, 400, "url_blocked", "image_url", schemes[i]);
        resp_free(&r);
    }
    /* A refused callback_url scheme is a 400 too. */
    resp_t r = post_json(key, "{\"image_url\":\"http://10.0.0.1/x\",\"callback_url\":\"file:///etc/passwd\"}", NULL);
    EXPECT_ERROR(r, 400, "url_blocked", "callback_url", "file:// callback_url");
    resp_free(&r);
    expect_healthy("SSRF attempts");
    sleep_ms(200);
    cr_assert_eq(atomic_load(&O.accepted), 0, "the origin saw %d connections", atomic_load(&O.accepted));
    json_t *acct = account(key);
    cr_assert_eq(jint(acct, "credits_used"), 0);
    cr_assert_eq(jint(acct, "credits"), 10);
    json_decref(acct);
    free(jpeg);
}

Test(server, ssrf_redirect_refused_and_loopback_allowed_with_allow_private_urls)
{
    begin();
    size_t jlen;
    uint8_t *jpeg = load_shared(FACE, &jlen);
    origin_start(jpeg, jlen, 0);
    char key[64];
    make_key("t", 10, key, NULL);
    const char *const args[] = {"--allow-private-urls", NULL};
    server_start(NULL, args);

    char url[256], json[512];
    /* A loopback URL that redirects to a private address: refused at the second hop. */
    origin_url(url, sizeof url, "127.0.0.1", "/redirect-private");
    snprintf(json, sizeof json, "{\"image_url\":\"%s\"}", url);
    resp_t r = post_json(key, json, NULL);
    EXPECT_ERROR(r, 400, "url_blocked", "image_url", "302 to http://10.0.0.1/x");
    resp_free(&r);
    cr_assert_eq(origin_count("/redirect-private"), 1, "the first hop was fetched");
    /* Still no private LAN, metadata or other spellings even with --allow-private-urls. */
    const char *const refused[] = {"http://10.0.0.1/x", "http://169.254.169.254/latest/meta-data/"};
    for (int i = 0; i < 2; i++) {
        snprintf(json, sizeof json, "{\"image_url\":\"%s\"}", refused[i]);
        r = post_json(key, json, NULL);
        EXPECT_ERROR(r, 400, "url_blocked", "image_url", refused[i]);
        resp_free(&r);
    }
    /* A good loopback URL works, and so does a loopback redirect to it. */
    origin_url(url, sizeof url, "127.0.0.1", "/img");
    snprintf(json, sizeof json, "{\"image_url\":\"%s\"}", url);
    r = post_json(key, json, NULL);
    expect_headshot_ok(&r, "loopback image_url");
    resp_t f = fetch_output(jstr(r.json, "output_url"), "image/png");
    expect_png_800(&f, "loopback image_url output");
    resp_free(&f);
    resp_free(&r);
    cr_assert_eq(origin_count("/img"), 1);
    origin_url(url, sizeof url, "127.0.0.1", "/redirect-img");
    snprintf(json, sizeof json, "{\"image_url\":\"%s\"}", url);
    r = post_json(key, json, NULL);
    expect_headshot_ok(&r, "loopback redirect to /img");
    resp_free(&r);
    cr_assert_eq(origin_count("/img"), 2);
    json_t *acct = account(key);
    cr_assert_eq(jint(acct, "credits_used"), 2);
    json_decref(acct);
    free(jpeg);
}

/* ================================================================================================
 * 6. success paths
 * ================================================================================================ */

Test(server, headshot_success_paths)
{
    begin();
    size_t jlen;
    uint8_t *jpeg = load_shared(FACE, &jlen);
    char key[64];
    make_key("t", 10, key, NULL);
    server_start(NULL, NULL);

    /* Multipart upload. */
    resp_t r = post_image(key, jpeg, jlen, NULL, NULL);
    expect_headshot_ok(&r, "multipart");
    cr_assert_eq(header_long(&r, "X-Credits-Remaining"), 9, "%s", r.head);
    cr_assert_str_eq(nz(jstr(r.json, "pipeline")), "headshot");
    cr_assert_eq(jint(r.json, "attempts"), 1);
    cr_assert_eq(json_array_size(json_object_get(r.json, "outputs")), 1);
    char ct[64];
    cr_assert(resp_header(&r, "Content-Type", ct, sizeof ct) && !strncmp(ct, "application/json", 16));
    resp_t f = fetch_output(jstr(r.json, "output_url"), "image/png");
    expect_png_800(&f, "multipart output");
    resp_free(&f);
    resp_free(&r);

    /* JSON with bare base64, and with a data URI. */
    char *b64 = base64(jpeg, jlen);
    size_t jsz = strlen(b64) + 128;
    char *json = malloc(jsz);
    snprintf(json, jsz, "{\"image\":\"%s\"}", b64);
    r = post_json(key, json, NULL);
    expect_headshot_ok(&r, "JSON base64");
    resp_free(&r);
    snprintf(json, jsz, "{\"image\":\"data:image/jpeg;base64,%s\",\"output_format\":\"jpeg\",\"size\":512}", b64);
    r = post_json(key, json, NULL);
    EXPECT_STATUS(r, 200, "JSON data URI, jpeg 512");
    cr_assert_eq(jint(r.json, "width"), 512, "%s", r.body);
    f = fetch_output(jstr(r.json, "output_url"), "image/jpeg");
    cr_assert(f.len > 3 && !memcmp(f.body, "\xff\xd8\xff", 3), "not a JPEG");
    sb_image_info_t info;
    sb_error_t e = {0};
    cr_assert_eq(sb_io_init(NULL, &e), SB_OK);
    cr_assert_eq(sb_io_probe(f.body, f.len, &info, &e), SB_OK, "%s", e.message);
    cr_assert_eq(info.format, SB_FMT_JPEG);
    cr_assert_eq(info.width, 512);
    cr_assert_eq(info.height, 512);
    resp_free(&f);
    resp_free(&r);

    /* output_format jpeg as a multipart field, default size. */
    const char *const fields[] = {"output_format", "jpeg", NULL};
    r = post_image(key, jpeg, jlen, fields, NULL);
    expect_headshot_ok(&r, "multipart jpeg");
    f = fetch_output(jstr(r.json, "output_url"), "image/jpeg");
    cr_assert(f.len > 3 && !memcmp(f.body, "\xff\xd8\xff", 3), "not a JPEG");
    cr_assert_eq(sb_io_probe(f.body, f.len, &info, &e), SB_OK, "%s", e.message);
    cr_assert_eq(info.width, 800);
    cr_assert_eq(info.height, 800);
    resp_free(&f);
    resp_free(&r);

    json_t *acct = account(key);
    cr_assert_eq(jint(acct, "credits"), 6);
    cr_assert_eq(jint(acct, "credits_used"), 4);
    json_decref(acct);
    free(json);
    free(b64);
    free(jpeg);
}

/* ================================================================================================
 * 7. signed URLs and the purge
 * ================================================================================================ */

static void replace_query(const char *url, const char *exp, const char *sig, char *out, size_t n)
{
    const char *q = strchr(url, '?');
    cr_assert_not_null(q);
    int k = snprintf(out, n, "%.*s?", (int)(q - url), url);
    if (exp)
        k += snprintf(out + k, n - (size_t)k, "exp=%s", exp);
    if (sig)
        snprintf(out + k, n - (size_t)k, "%ssig=%s", exp ? "&" : "", sig);
}

/* STROBE_SECRET signs the file URLs (so every node of a fleet verifies any node's URL): no secret file
 * is made, a URL signed under one secret fails under another and works again under the first, and a
 * malformed secret stops the server at start with an error naming it. */
Test(server, the_signing_secret_can_come_from_the_environment)
{
    begin();
    size_t jlen;
    uint8_t *jpeg = load_shared(FACE, &jlen);
    char key[64];
    make_key("t", 10, key, NULL);
    const char *const env_a[] = {"STROBE_SECRET=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", NULL};
    const char *const env_b[] = {"STROBE_SECRET=ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100", NULL};
    server_start(env_a, NULL);
    resp_t r = post_image(key, jpeg, jlen, NULL, NULL);
    expect_headshot_ok(&r, "headshot");
    const char *path = strstr(nz(jstr(r.json, "output_url")), "/v1/files/");
    cr_assert_not_null(path, "%s", r.body);
    char url[2048], secret_file[400];
    snprintf(url, sizeof url, "%s%s", S.base, path);
    resp_t f = fetch_output(url, "image/png");
    resp_free(&f);
    snprintf(secret_file, sizeof secret_file, "%s/secret", S.data);
    cr_assert_neq(access(secret_file, F_OK), 0, "%s was written although STROBE_SECRET is set", secret_file);
    cr_assert_eq(WEXITSTATUS(server_stop(30000)), 0);

    server_start(env_b, NULL); /* another port: the same path under the new base */
    snprintf(url, sizeof url, "%s%s", S.base, path);
    resp_t t = get(url, NULL);
    EXPECT_ERROR(t, 403, "forbidden", "sig", "a URL signed under another secret");
    resp_free(&t);
    cr_assert_eq(WEXITSTATUS(server_stop(30000)), 0);

    server_start(env_a, NULL);
    snprintf(url, sizeof url, "%s%s", S.base, path);
    f = fetch_output(url, "image/png");
    resp_free(&f);
    cr_assert_eq(WEXITSTATUS(server_stop(30000)), 0);
    resp_free(&r);

    char cmd[2048], errlog[400];
    snprintf(errlog, sizeof errlog, "%s/bad-secret.log", S.tmp);
    snprintf(cmd, sizeof cmd,
             "STROBE_SECRET=not-hex STROBE_MODELS='%s/models' timeout 30 ./strobe serve --listen 127.0.0.1:0 "
             "--data '%s' --workers 1 2>'%s' >/dev/null",
             tu_shared_dir(), S.data, errlog);
    int st = system(cmd);
    char *text = read_text_file(errlog);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) != 0 && WEXITSTATUS(st) != 124, "status %d, stderr %s", st, text);
    cr_assert(strstr(text, "STROBE_SECRET") && strstr(text, "64 hex digits"), "stderr %s", text);
    cr_assert_null(strstr(text, "not-hex"), "the secret is echoed: %s", text);
    free(text);
    free(jpeg);
}

Test(server, signed_urls_expire_and_are_purged)
{
    begin();
    size_t jlen;
    uint8_t *jpeg = load_shared(FACE, &jlen);
    char key[64];
    make_key("t", 10, key, NULL);
    const char *const env[] = {"STROBE_FILE_TTL=1", "STROBE_PURGE_INTERVAL=1", NULL};
    server_start(env, NULL);

    resp_t r = post_image(key, jpeg, jlen, NULL, NULL);
    expect_headshot_ok(&r, "headshot");
    const char *url = jstr(r.json, "output_url");

    char exp[32], sig[80], name[128];
    const char *pe = strstr(url, "exp="), *ps = strstr(url, "sig=");
    cr_assert(pe && ps, "%s", url);
    snprintf(exp, sizeof exp, "%.*s", (int)strcspn(pe + 4, "&"), pe + 4);
    snprintf(sig, sizeof sig, "%.*s", (int)strcspn(ps + 4, "&"), ps + 4);
    cr_assert_eq(strlen(sig), 64, "sig %s", sig);
    const char *pn = strstr(url, "/v1/files/");
    cr_assert_not_null(pn);
    snprintf(name, sizeof name, "%.*s", (int)strcspn(pn + 10, "?"), pn + 10);
    cr_assert_eq(jint(r.json, "expires_at"), atoll(exp));
    /* The output is in the configured blob store, and the genuine URL works (both at once: the file
     * lives about a second). */
    size_t blen;
    uint8_t *stored = blob_read(name, &blen);
    resp_t f = fetch_output(url, "image/png");
    cr_assert_not_null(stored, "the output %s is in the blob store %s", name, S.blobs);
    free(stored);
    expect_png_800(&f, "output");
    resp_free(&f);

    /* Tampered: one hex digit of sig, exp moved, sig missing, exp missing. Each 403 on the signature. */
    char bad[4096], s2[80], e2[32];
    snprintf(s2, sizeof s2, "%s", sig);
    s2[10] = s2[10] == '0' ? '1' : '0';
    replace_query(url, exp, s2, bad, sizeof bad);
    resp_t t = get(bad, NULL);
    EXPECT_ERROR(t, 403, "forbidden", "sig", "one sig digit changed");
    resp_free(&t);
    snprintf(e2, sizeof e2, "%lld", atoll(exp) + 3600);
    replace_query(url, e2, sig, bad, sizeof bad);
    t = get(bad, NULL);
    EXPECT_ERROR(t, 403, "forbidden", "sig", "exp moved an hour on");
    resp_free(&t);
    replace_query(url, exp, NULL, bad, sizeof bad);
    t = get(bad, NULL);
    EXPECT_ERROR(t, 403, "forbidden", "sig", "no sig");
    resp_free(&t);
    replace_query(url, NULL, sig, bad, sizeof bad);
    t = get(bad, NULL);
    EXPECT_ERROR(t, 403, "forbidden", "sig", "no exp");
    resp_free(&t);
    /* Another file's name under this signature. */
    snprintf(bad, sizeof bad, "%s/v1/files/%s", S.base, "0123456789abcdef0123456789abcdef.png");
    snprintf(bad + strlen(bad), sizeof bad - strlen(bad), "?exp=%s&sig=%s", exp, sig);
    t = get(bad, NULL);
    EXPECT_ERROR(t, 403, "forbidden", "sig", "another file name");
    resp_free(&t);

    /* Expired: once the clock is past exp, the genuine URL is 403 on exp. */
    while ((long long)time(NULL) <= atoll(exp))
        sleep_ms(100);
    sleep_ms(200);
    t = get(url, NULL);
    EXPECT_ERROR(t, 403, "forbidden", "exp", "expired URL");
    resp_free(&t);

    /* And the purge (every second) removes the blob. */
    long long deadline = now_ms() + 6000;
    uint8_t *left;
    while ((left = blob_read(name, &blen)) && now_ms() < deadline) {
        free(left);
        sleep_ms(100);
    }
    cr_assert_null(left, "%s still exists 6 s after expiry; log: %s", name, log_tail());
    resp_free(&r);
    free(jpeg);
}
