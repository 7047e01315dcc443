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

/* ================================================================================================
 * 8. credits
 * ================================================================================================ */

static json_t *usage_of(json_t *acct, const char *pipeline)
{
    size_t i;
    json_t *u;
    json_array_foreach(json_object_get(acct, "usage"), i, u) if (!strcmp(nz(jstr(u, "pipeline")), pipeline)) return u;
    return NULL;
}

Test(server, credits_are_charged_for_successes_only)
{
    begin();
    size_t jlen, nlen;
    uint8_t *jpeg = load_shared(FACE, &jlen);
    uint8_t *dog = load_shared(NOFACE, &nlen);
    char key[64], id[64];
    make_key("two", 2, key, id);
    server_start(NULL, NULL);

    resp_t r = post_image(key, jpeg, jlen, NULL, NULL);
    expect_headshot_ok(&r, "first success");
    cr_assert_eq(header_long(&r, "X-Credits-Remaining"), 1, "%s", r.head);
    resp_free(&r);
    json_t *acct = account(key);
    cr_assert_str_eq(nz(jstr(acct, "key_id")), id);
    cr_assert_eq(jint(acct, "credits"), 1);
    cr_assert_eq(jint(acct, "credits_used"), 1);
    json_t *u = usage_of(acct, "headshot");
    cr_assert_not_null(u, "usage: %s", json_dumps(acct, 0));
    cr_assert_eq(jint(u, "outputs"), 1);
    cr_assert_eq(jint(u, "credits"), 1);
    json_decref(acct);

    /* A failure (no face) costs nothing. */
    r = post_image(key, dog, nlen, NULL, NULL);
    EXPECT_ERROR(r, 422, "no_face", NULL, "no-face photo");
    cr_assert_eq(header_long(&r, "X-Credits-Remaining"), 1, "%s", r.head);
    resp_free(&r);
    acct = account(key);
    cr_assert_eq(jint(acct, "credits"), 1);
    cr_assert_eq(jint(acct, "credits_used"), 1);
    json_decref(acct);

    r = post_image(key, jpeg, jlen, NULL, NULL);
    expect_headshot_ok(&r, "second success");
    cr_assert_eq(header_long(&r, "X-Credits-Remaining"), 0, "%s", r.head);
    resp_free(&r);

    r = post_image(key, jpeg, jlen, NULL, NULL);
    EXPECT_ERROR(r, 402, "insufficient_credits", NULL, "no credits left");
    resp_free(&r);
    acct = account(key);
    cr_assert_eq(jint(acct, "credits"), 0);
    cr_assert_eq(jint(acct, "credits_used"), 2);
    u = usage_of(acct, "headshot");
    cr_assert_not_null(u);
    cr_assert_eq(jint(u, "outputs"), 2);
    json_decref(acct);
    free(jpeg);
    free(dog);
}

/* ================================================================================================
 * 9. rate limit
 * ================================================================================================ */

Test(server, rate_limit_429_with_headers)
{
    begin();
    char key[64], other[64];
    make_key("t", 10, key, NULL);
    make_key("other", 10, other, NULL);
    const char *const env[] = {"STROBE_RATE_LIMIT=1", "STROBE_RATE_BURST=3", NULL};
    server_start(env, NULL);

    long status[6];
    int n429 = 0;
    for (int i = 0; i < 6; i++) {
        resp_t r = get("/v1/account", key);
        cr_assert_eq(r.cc, CURLE_OK);
        status[i] = r.status;
        cr_assert_eq(header_long(&r, "RateLimit-Limit"), 3, "request %d: %s", i, r.head);
        long remaining = header_long(&r, "RateLimit-Remaining");
        cr_assert(remaining >= 0 && remaining <= 2, "request %d: RateLimit-Remaining %ld", i, remaining);
        cr_assert_neq(header_long(&r, "RateLimit-Reset"), -999, "request %d: RateLimit-Reset", i);
        if (i < 3) {
            cr_assert_eq(r.status, 200, "request %d of the burst: %ld %s", i, r.status, r.body);
            cr_assert_eq(remaining, 2 - i, "request %d: RateLimit-Remaining %ld", i, remaining);
        }
        if (r.status == 429) {
            n429++;
            EXPECT_ERROR(r, 429, "rate_limited", NULL, "over the burst");
            cr_assert_geq(header_long(&r, "Retry-After"), 1, "%s", r.head);
            cr_assert_eq(remaining, 0);
        } else {
            cr_assert_eq(r.status, 200, "request %d: %ld", i, r.status);
        }
        resp_free(&r);
    }
    cr_assert_geq(n429, 1, "statuses %ld %ld %ld %ld %ld %ld", status[0], status[1], status[2], status[3], status[4],
                  status[5]);
    /* Buckets are per key, and unauthenticated routes are not limited. */
    resp_t r = get("/v1/account", other);
    EXPECT_STATUS(r, 200, "another key");
    resp_free(&r);
    for (int i = 0; i < 5; i++)
        expect_healthy("rate limiting");
    /* The bucket refills at 1/s. */
    sleep_ms(1200);
    r = get("/v1/account", key);
    EXPECT_STATUS(r, 200, "after a refill");
    resp_free(&r);
}

/* ================================================================================================
 * 10. crash recovery
 * ================================================================================================ */

Test(server, crash_recovery_completes_a_url_job_once)
{
    begin();
    size_t jlen;
    uint8_t *jpeg = load_shared(FACE, &jlen);
    origin_start(jpeg, jlen, 2000);
    char key[64];
    make_key("t", 10, key, NULL);
    const char *const args[] = {"--workers", "1", "--allow-private-urls", NULL};
    const char *const env[] = {"STROBE_LEASE_S=3", NULL}; /* a shared store takes the job over after it */
    server_start(env, args);

    char url[256], json[512];
    origin_url(url, sizeof url, "127.0.0.1", "/slow");
    snprintf(json, sizeof json, "{\"image_url\":\"%s\"}", url);
    const char *const async[] = {"Prefer: respond-async", NULL};
    resp_t r = post_json(key, json, async);
    EXPECT_STATUS(r, 202, "async submit");
    const char *jid = jstr(r.json, "id");
    cr_assert(jid && !strncmp(jid, "job_", 4), "%s", r.body);
    char id[64], loc[128], want[128];
    snprintf(id, sizeof id, "%s", jid);
    cr_assert(resp_header(&r, "Location", loc, sizeof loc), "%s", r.head);
    snprintf(want, sizeof want, "/v1/image/%s", id);
    cr_assert_str_eq(loc, want);
    cr_assert(!strcmp(nz(jstr(r.json, "status")), "queued") || !strcmp(nz(jstr(r.json, "status")), "processing"),
              "%s", r.body);
    resp_free(&r);

    json_t *j = poll_job(key, id, "processing", 10000, 20);
    cr_assert_eq(jint(j, "attempts"), 1);
    json_decref(j);
    cr_assert_eq(origin_wait("/slow", 1, 3000), 1, "the input fetch is in flight");
    server_kill9();

    server_start(env, args);
    j = poll_job(key, id, "completed", 30000, 100);
    cr_assert_eq(jint(j, "attempts"), 2, "%s", json_dumps(j, 0));
    cr_assert(json_is_true(json_object_get(j, "face_detected")));
    resp_t f = fetch_output(jstr(j, "output_url"), "image/png");
    expect_png_800(&f, "recovered output");
    resp_free(&f);
    json_decref(j);
    cr_assert_eq(origin_count("/slow"), 2, "fetched once per attempt");
    json_t *acct = account(key);
    cr_assert_eq(jint(acct, "credits_used"), 1, "charged once: %s", json_dumps(acct, 0));
    cr_assert_eq(jint(acct, "credits"), 9);
    json_decref(acct);
    cr_assert_eq(WEXITSTATUS(server_stop(30000)), 0);
    free(jpeg);
}

/* ================================================================================================
 * 11. webhooks
 * ================================================================================================ */

/* The hit carries a valid Strobe-Signature for `secret`; returns its body parsed. */
static json_t *check_signed_hook(const hit_t *h, const char *secret)
{
    cr_assert_str_eq(h->method, "POST");
    char sighdr[256], ct[128];
    cr_assert(hit_header(h, "Strobe-Signature", sighdr, sizeof sighdr), "no Strobe-Signature in %s", h->head);
    cr_assert(hit_header(h, "Content-Type", ct, sizeof ct) && !strncmp(ct, "application/json", 16), "%s", h->head);
    long long t = 0;
    char v1[128] = "";
    cr_assert_eq(sscanf(sighdr, "t=%lld,v1=%127[0-9a-f]", &t, v1), 2, "Strobe-Signature '%s'", sighdr);
    cr_assert_lt(llabs((long long)time(NULL) - t), 120, "t=%lld", t);
    size_t mlen = h->body_len + 32;
    char *msg = malloc(mlen);
    int n = snprintf(msg, mlen, "%lld.", t);
    memcpy(msg + n, h->body, h->body_len);
    char want[65];
    hmac_hex(secret, msg, (size_t)n + h->body_len, want);
    free(msg);
    cr_assert_str_eq(v1, want, "signature of %s", h->body);
    json_t *body = json_loadb(h->body, h->body_len, 0, NULL);
    cr_assert_not_null(body, "hook body is not JSON: %s", h->body);
    return body;
}

Test(server, webhooks_signed_and_retried)
{
    begin();
    size_t jlen;
    uint8_t *jpeg = load_shared(FACE, &jlen);
    origin_start(jpeg, jlen, 0);
    char key[64];
    make_key("t", 10, key, NULL);
    const char *const env[] = {"STROBE_WEBHOOK_BACKOFF_MS=200", NULL};
    const char *const args[] = {"--allow-private-urls", NULL};
    server_start(env, args);
    json_t *acct = account(key);
    char secret[128];
    snprintf(secret, sizeof secret, "%s", nz(jstr(acct, "webhook_secret")));
    cr_assert_eq(strlen(secret), 64, "webhook_secret %s", secret);
    json_decref(acct);

    /* A multipart upload with a callback_url: 202 now, a signed POST later. */
    char hook[256], flaky[256];
    origin_url(hook, sizeof hook, "127.0.0.1", "/hook");
    origin_url(flaky, sizeof flaky, "127.0.0.1", "/hook-flaky");
    const char *const f1[] = {"callback_url", hook, NULL};
    resp_t r = post_image(key, jpeg, jlen, f1, NULL);
    EXPECT_STATUS(r, 202, "upload with callback_url");
    char id1[64];
    snprintf(id1, sizeof id1, "%s", nz(jstr(r.json, "id")));
    resp_free(&r);
    /* And an image_url job whose hook fails once. */
    char img[256], json[1024];
    origin_url(img, sizeof img, "127.0.0.1", "/img");
    snprintf(json, sizeof json, "{\"image_url\":\"%s\",\"callback_url\":\"%s\"}", img, flaky);
    r = post_json(key, json, NULL);
    EXPECT_STATUS(r, 202, "image_url with callback_url");
    char id2[64];
    snprintf(id2, sizeof id2, "%s", nz(jstr(r.json, "id")));
    resp_free(&r);

    cr_assert_eq(origin_wait("/hook", 1, 30000), 1, "no webhook within 30 s; log: %s", log_tail());
    hit_t h = origin_hit("/hook", 0);
    json_t *body = check_signed_hook(&h, secret);
    cr_assert_str_eq(nz(jstr(body, "id")), id1);
    cr_assert_str_eq(nz(jstr(body, "status")), "completed", "%s", h.body);
    cr_assert(jstr(body, "output_url") && !strncmp(jstr(body, "output_url"), S.base, strlen(S.base)), "%s", h.body);
    char ev[64];
    cr_assert(hit_header(&h, "Strobe-Event", ev, sizeof ev));
    cr_assert_str_eq(ev, "job.completed");
    /* The output in the hook is fetchable. */
    resp_t f = fetch_output(jstr(body, "output_url"), "image/png");
    expect_png_800(&f, "webhook output");
    resp_free(&f);
    json_decref(body);
    hit_free(&h);

    /* Retry: the first delivery got 500, the second (after the backoff) a 200; both signed. */
    cr_assert_eq(origin_wait("/hook-flaky", 2, 20000), 2, "no retry within 20 s; log: %s", log_tail());
    char d1[128], d2[128];
    for (int i = 0; i < 2; i++) {
        h = origin_hit("/hook-flaky", i);
        body = check_signed_hook(&h, secret);
        cr_assert_str_eq(nz(jstr(body, "id")), id2);
        cr_assert_str_eq(nz(jstr(body, "status")), "completed");
        cr_assert(hit_header(&h, "Strobe-Delivery", i ? d2 : d1, sizeof d1), "%s", h.head);
        json_decref(body);
        hit_free(&h);
    }
    cr_assert_str_neq(d1, d2, "each delivery has its own id");
    /* Delivered: no third try, and no second delivery of the first hook. */
    sleep_ms(1500);
    cr_assert_eq(origin_count("/hook-flaky"), 2);
    cr_assert_eq(origin_count("/hook"), 1);
    /* A wrong secret would not verify (the check above can fail). */
    char other[65];
    hmac_hex("not-the-secret", "x", 1, other);
    cr_assert_str_neq(other, secret);
    free(jpeg);
}

/* ================================================================================================
 * 12. idempotency
 * ================================================================================================ */

Test(server, idempotency_key_replays_and_conflicts)
{
    begin();
    size_t jlen;
    uint8_t *jpeg = load_shared(FACE, &jlen);
    char key[64];
    make_key("t", 10, key, NULL);
    server_start(NULL, NULL);

    char *b64 = base64(jpeg, jlen);
    size_t jsz = strlen(b64) + 128;
    char *json = malloc(jsz);
    snprintf(json, jsz, "{\"image\":\"%s\"}", b64);
    const char *const idem[] = {"Idempotency-Key: order-42", NULL};
    resp_t r = post_json(key, json, idem);
    expect_headshot_ok(&r, "first");
    char id[64];
    snprintf(id, sizeof id, "%s", jstr(r.json, "id"));
    resp_free(&r);

    r = post_json(key, json, idem);
    EXPECT_STATUS(r, 200, "replay");
    cr_assert_str_eq(nz(jstr(r.json, "id")), id, "the replay answers the same job: %s", r.body);
    cr_assert_str_eq(nz(jstr(r.json, "status")), "completed");
    cr_assert(jstr(r.json, "output_url"), "%s", r.body);
    resp_free(&r);
    json_t *acct = account(key);
    cr_assert_eq(jint(acct, "credits_used"), 1, "the replay was not charged");
    json_decref(acct);

    /* Same key, another body. */
    char *other = malloc(jsz);
    snprintf(other, jsz, "{\"image\":\"%s\",\"size\":512}", b64);
    r = post_json(key, other, idem);
    EXPECT_ERROR(r, 409, "idempotency_conflict", NULL, "same key, other body");
    resp_free(&r);
    free(other);
    /* The same body under another key string is a new job. */
    const char *const idem2[] = {"Idempotency-Key: order-43", NULL};
    r = post_json(key, json, idem2);
    expect_headshot_ok(&r, "another Idempotency-Key");
    cr_assert_str_neq(nz(jstr(r.json, "id")), id);
    resp_free(&r);
    acct = account(key);
    cr_assert_eq(jint(acct, "credits_used"), 2);
    json_decref(acct);
    free(json);
    free(b64);
    free(jpeg);
}

/* ================================================================================================
 * 13. uploaded bytes never reach the disk
 * ================================================================================================ */

typedef struct {
    const uint8_t *chunks[3];
    int files;
    char found[1200];
} scan_t;

static void scan_dir(const char *dir, scan_t *s)
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "%s", dir);
    struct dirent *de;
    while ((de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        struct stat st;
        if (lstat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            scan_dir(path, s);
            continue;
        }
        if (!S_ISREG(st.st_mode))
            continue;
        s->files++;
        FILE *f = fopen(path, "rb");
        cr_assert_not_null(f, "%s", path);
        uint8_t *buf = malloc((size_t)st.st_size + 1);
        size_t n = fread(buf, 1, (size_t)st.st_size, f);
        fclose(f);
        for (int i = 0; i < 3; i++)
            if (memmem(buf, n, s->chunks[i], 64))
                snprintf(s->found, sizeof s->found, "%s (chunk %d)", path, i);
        free(buf);
    }
    closedir(d);
}

Test(server, uploaded_bytes_never_touch_the_disk)
{
    begin();
    size_t jlen;
    uint8_t *jpeg = load_shared(FACE, &jlen);
    char key[64];
    make_key("t", 10, key, NULL);
    server_start(NULL, NULL);

    resp_t r = post_image(key, jpeg, jlen, NULL, NULL);
    expect_headshot_ok(&r, "upload");
    resp_free(&r);
    scan_t s = {.chunks = {jpeg + jlen / 2 - 4096, jpeg + jlen / 2, jpeg + jlen / 2 + 4096}};
    /* The scan finds a chunk where there is one. */
    char ctl[512];
    snprintf(ctl, sizeof ctl, "%s/control", S.tmp);
    cr_assert_eq(mkdir(ctl, 0700), 0);
    snprintf(ctl + strlen(ctl), sizeof ctl - strlen(ctl), "/copy.bin");
    FILE *f = fopen(ctl, "wb");
    cr_assert_not_null(f);
    fwrite(jpeg + 1000, 1, jlen - 1000, f);
    fclose(f);
    *strrchr(ctl, '/') = '\0';
    scan_dir(ctl, &s);
    cr_assert(s.found[0], "the scan itself works");

    /* While the server runs (WAL and all), and after it stopped. */
    s.found[0] = '\0';
    s.files = 0;
    scan_dir(S.data, &s);
    if (strncmp(S.blob_dir, S.data, strlen(S.data)) != 0)
        scan_dir(S.blob_dir, &s); /* the S3 server's folder: uploaded bytes must not reach it either */
    cr_assert_geq(s.files, 3, "strobe.db, the secret and the output at least");
    cr_assert_eq(s.found[0], '\0', "uploaded bytes found in %s", s.found);
    cr_assert_eq(WEXITSTATUS(server_stop(30000)), 0);
    s.files = 0;
    scan_dir(S.data, &s);
    if (strncmp(S.blob_dir, S.data, strlen(S.data)) != 0)
        scan_dir(S.blob_dir, &s); /* the S3 server's folder: uploaded bytes must not reach it either */
    cr_assert_eq(s.found[0], '\0', "uploaded bytes found in %s after stop", s.found);
    free(jpeg);
}

/* ================================================================================================
 * 14. slow clients
 * ================================================================================================ */

/* Connect to the server and send `first`; then, every dribble_ms (0: never), one more byte of `more`.
 * The milliseconds until the server closed the connection (anything it sends first is read and
 * ignored), or -1 when it was still open after 5 s. */
static long long ms_until_closed(const char *first, const char *more, int dribble_ms)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)S.port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    long long t0 = now_ms();
    cr_assert_eq(send(fd, first, strlen(first), MSG_NOSIGNAL), (ssize_t)strlen(first));
    size_t sent_more = 0;
    long long result = -1;
    while (now_ms() - t0 < 5000) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int n = poll(&p, 1, dribble_ms > 0 ? dribble_ms : 100);
        if (n > 0) {
            char buf[4096];
            ssize_t k = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
            if (k == 0 || (k < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
                result = now_ms() - t0;
                break;
            }
            continue;
        }
        if (dribble_ms > 0 && more && more[sent_more]) {
            if (send(fd, more + sent_more, 1, MSG_NOSIGNAL) != 1) {
                result = now_ms() - t0;
                break;
            }
            sent_more++;
        }
    }
    close(fd);
    return result;
}

Test(server, slow_clients_are_cut)
{
    begin();
    char key[64];
    make_key("t", 10, key, NULL);
    const char *const env[] = {"STROBE_HEADER_DEADLINE_MS=500", "STROBE_BODY_DEADLINE_MS=500", NULL};
    server_start(env, NULL);

    /* A request head that never ends. */
    long long ms = ms_until_closed("POST /api/v1/ai-headshot HTTP/1.1\r\nHost: x\r\n", NULL, 0);
    cr_assert_neq(ms, -1, "an unfinished head was not cut within 5 s");
    cr_assert_lt(ms, 2000, "closed after %lld ms", ms);
    cr_assert_geq(ms, 300, "closed after %lld ms, before the 500 ms deadline", ms);
    expect_healthy("an unfinished head");

    /* A head dribbled one byte every 100 ms: the deadline counts from the start, not from the last byte. */
    static const char dribble[] = "X-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
    ms = ms_until_closed("POST /api/v1/ai-headshot HTTP/1.1\r\nHost: x\r\n", dribble, 100);
    cr_assert_neq(ms, -1, "a dribbled head was not cut within 5 s");
    cr_assert_lt(ms, 2000, "closed after %lld ms", ms);
    expect_healthy("a dribbled head");

    /* A whole head (authenticated, so nothing refuses it early) and a body that stops. */
    char head[512];
    snprintf(head, sizeof head,
             "POST /api/v1/ai-headshot HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
             "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"image\":\"AAAA",
             key);
    ms = ms_until_closed(head, NULL, 0);
    cr_assert_neq(ms, -1, "a stalled body was not cut within 5 s");
    cr_assert_lt(ms, 2000, "closed after %lld ms", ms);
    cr_assert_geq(ms, 300, "closed after %lld ms, before the 500 ms deadline", ms);

    /* The server is fine. */
    expect_healthy("cut slow clients");
    json_t *acct = account(key);
    cr_assert_eq(jint(acct, "credits_used"), 0);
    json_decref(acct);
}

/* ================================================================================================
 * 15. admission control
 * ================================================================================================ */

typedef struct {
    const uint8_t *img;
    size_t len;
    const char *key;
    pthread_barrier_t *go;
    resp_t r;
} shot_t;

static void *shot_main(void *arg)
{
    shot_t *s = arg;
    part_t p[] = {{"image", s->img, s->len, "big.jpg", "image/jpeg"}};
    pthread_barrier_wait(s->go);
    s->r = http(&(req_t){.path = "/api/v1/ai-headshot", .key = s->key, .parts = p, .nparts = 1, .timeout_ms = 90000});
    return NULL;
}

/* A ~13 MP JPEG: a face photo scaled up twice. */
static uint8_t *make_big_jpeg(size_t *len)
{
    size_t n;
    uint8_t *src = load_shared(FACE_BIG, &n);
    sb_error_t e = {0};
    cr_assert_eq(sb_io_init(NULL, &e), SB_OK, "%s", e.message);
    VipsImage *in = vips_image_new_from_buffer(src, n, "", NULL);
    cr_assert_not_null(in, "%s", vips_error_buffer());
    VipsImage *big = NULL;
    cr_assert_eq(vips_resize(in, &big, 2.0, NULL), 0, "%s", vips_error_buffer());
    void *out = NULL;
    size_t olen = 0;
    cr_assert_eq(vips_jpegsave_buffer(big, &out, &olen, "Q", 85, NULL), 0, "%s", vips_error_buffer());
    cr_assert_geq((long long)vips_image_get_width(big) * vips_image_get_height(big), 12000000LL);
    uint8_t *copy = malloc(olen);
    memcpy(copy, out, olen);
    g_free(out);
    g_object_unref(big);
    g_object_unref(in);
    free(src);
    *len = olen;
    return copy;
}

Test(server, admission_503_when_the_queue_is_full)
{
    begin();
    size_t len;
    uint8_t *img = make_big_jpeg(&len);
    char key[64];
    make_key("t", 20, key, NULL);
    const char *const env[] = {"STROBE_QUEUE_MAX=1", NULL};
    const char *const args[] = {"--workers", "1", NULL};
    server_start(env, args);

    enum { N = 6 };
    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, N);
    shot_t shots[N];
    pthread_t th[N];
    for (int i = 0; i < N; i++) {
        shots[i] = (shot_t){.img = img, .len = len, .key = key, .go = &go};
        cr_assert_eq(pthread_create(&th[i], NULL, shot_main, &shots[i]), 0);
    }
    for (int i = 0; i < N; i++)
        pthread_join(th[i], NULL);
    pthread_barrier_destroy(&go);
    int ok = 0, busy = 0;
    for (int i = 0; i < N; i++) {
        resp_t *r = &shots[i].r;
        cr_assert_eq(r->cc, CURLE_OK, "request %d: %s", i, r->err);
        if (r->status == 200) {
            ok++;
            expect_headshot_ok(r, "admitted");
        } else {
            cr_assert_eq(r->status, 503, "request %d: %ld %s", i, r->status, r->body);
            EXPECT_ERROR(*r, 503, "overloaded", NULL, "refused");
            cr_assert_geq(header_long(r, "Retry-After"), 1, "request %d: %s", i, r->head);
            busy++;
        }
    }
    for (int i = 0; i < N; i++)
        resp_free(&shots[i].r);
    cr_assert_geq(ok, 1);
    cr_assert_geq(busy, 1);
    /* Only the admitted ones were charged. */
    json_t *acct = account(key);
    cr_assert_eq(jint(acct, "credits_used"), ok);
    json_decref(acct);
    expect_healthy("overload");
    free(img);
}

/* ================================================================================================
 * 16. operations routes
 * ================================================================================================ */

Test(server, ops_routes_and_not_found)
{
    begin();
    size_t jlen;
    uint8_t *jpeg = load_shared(FACE, &jlen);
    char key[64], other[64];
    make_key("a", 10, key, NULL);
    make_key("b", 10, other, NULL);
    server_start(NULL, NULL);

    resp_t r = get("/healthz", NULL);
    EXPECT_STATUS(r, 200, "/healthz");
    cr_assert_str_eq(nz(jstr(r.json, "status")), "ok");
    resp_free(&r);
    r = get("/readyz", NULL);
    EXPECT_STATUS(r, 200, "/readyz");
    cr_assert_str_eq(nz(jstr(r.json, "status")), "ready", "%s", r.body);
    resp_free(&r);
    r = get("/openapi.json", NULL);
    EXPECT_STATUS(r, 200, "/openapi.json");
    cr_assert(json_is_object(r.json), "/openapi.json does not parse");
    cr_assert_str_eq(nz(jstr(r.json, "openapi")), "3.1.0");
    cr_assert(json_is_object(json_object_get(r.json, "paths")));
    resp_free(&r);

    /* A headshot, then the metrics show it. */
    r = post_image(key, jpeg, jlen, NULL, NULL);
    expect_headshot_ok(&r, "headshot");
    char id[64];
    snprintf(id, sizeof id, "%s", jstr(r.json, "id"));
    resp_free(&r);
    bool seen = false;
    for (int i = 0; i < 20 && !seen; i++) {
        r = get("/metrics", NULL);
        EXPECT_STATUS(r, 200, "/metrics");
        cr_assert(strstr(r.body, "strobe_http_requests_total"), "%.500s", r.body);
        cr_assert(strstr(r.body, "strobe_pipeline_duration_seconds"), "%.500s", r.body);
        cr_assert(strstr(r.body, "\nstrobe_build_info{version=\"" SB_VERSION "\",onnxruntime=\""), "%.3000s", r.body);
        cr_assert(strstr(r.body, "\nprocess_resident_memory_bytes "), "%.3000s", r.body);
        cr_assert(strstr(r.body, "\nprocess_cpu_seconds_total "), "%.3000s", r.body);
        cr_assert(strstr(r.body, "\nprocess_start_time_seconds "), "%.3000s", r.body);
        cr_assert(strstr(r.body, "strobe_pipeline_duration_seconds_count{pipeline=\"headshot\"} 1"),
                  "no headshot run in the metrics: %.3000s", r.body);
        seen = strstr(r.body, "strobe_http_requests_total{route=\"/api/v1/ai-headshot\",method=\"POST\",status=\"200\"} 1");
        char ct[128];
        cr_assert(resp_header(&r, "Content-Type", ct, sizeof ct) && !strncmp(ct, "text/plain", 10));
        resp_free(&r);
        if (!seen)
            sleep_ms(50);
    }
    cr_assert(seen, "the headshot request is not counted in strobe_http_requests_total");

    /* The job: its owner sees it, another key gets 404, an unknown id is 404. */
    char path[128];
    snprintf(path, sizeof path, "/v1/image/%s", id);
    r = get(path, key);
    EXPECT_STATUS(r, 200, "own job");
    cr_assert_str_eq(nz(jstr(r.json, "id")), id);
    cr_assert_str_eq(nz(jstr(r.json, "status")), "completed");
    resp_free(&r);
    r = get(path, other);
    EXPECT_ERROR(r, 404, "not_found", NULL, "another key's job");
    cr_assert(!strstr(r.body, "output_url"), "%s", r.body);
    resp_free(&r);
    r = get("/v1/image/job_000000000000000000000000", key);
    EXPECT_ERROR(r, 404, "not_found", NULL, "unknown job");
    resp_free(&r);

    /* Unknown routes and methods. */
    r = get("/v1/nothing-here", key);
    EXPECT_ERROR(r, 404, "not_found", NULL, "unknown route");
    resp_free(&r);
    r = get("/", NULL); /* the demo page (tests/integration/test_web.c checks it further) */
    EXPECT_STATUS(r, 200, "/");
    char page_ct[128];
    cr_assert(resp_header(&r, "Content-Type", page_ct, sizeof page_ct) && !strncmp(page_ct, "text/html", 9),
              "/ is not text/html: %s", r.head);
    resp_free(&r);
    r = get("/demo/nothing-here.js", NULL);
    EXPECT_ERROR(r, 404, "not_found", NULL, "unknown demo file");
    resp_free(&r);
    r = http(&(req_t){.method = "DELETE", .path = "/v1/account", .key = key});
    EXPECT_ERROR(r, 405, "method_not_allowed", NULL, "DELETE /v1/account");
    char allow[64];
    cr_assert(resp_header(&r, "Allow", allow, sizeof allow), "405 without Allow: %s", r.head);
    resp_free(&r);
    r = http(&(req_t){.method = "GET", .path = "/api/v1/ai-headshot", .key = key});
    EXPECT_ERROR(r, 405, "method_not_allowed", NULL, "GET /api/v1/ai-headshot");
    resp_free(&r);
    r = http(&(req_t){.method = "PUT", .path = "/healthz"});
    EXPECT_ERROR(r, 405, "method_not_allowed", NULL, "PUT /healthz");
    resp_free(&r);
    expect_healthy("404s and 405s");

    /* A second server on the same data directory is refused (and this one keeps serving). */
    char cmd[1024], errlog[400];
    snprintf(errlog, sizeof errlog, "%s/second.log", S.tmp);
    snprintf(cmd, sizeof cmd, "timeout 20 ./strobe serve --listen 127.0.0.1:0 --data '%s' --workers 1 2>'%s' >/dev/null",
             S.data, errlog);
    int st = system(cmd);
    char *text = read_text_file(errlog);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 2, "second server: status %d, stderr %s", st, text);
    cr_assert(strstr(text, "\"code\":\"bad_request\"") && strstr(text, "another strobe server"), "%s", text);
    free(text);
    expect_healthy("a refused second server");
    free(jpeg);
}

/* ================================================================================================
 * 17. graceful shutdown
 * ================================================================================================ */

typedef struct {
    const uint8_t *img;
    size_t len;
    const char *key;
    atomic_int sent;
    resp_t r;
} inflight_t;

static void *inflight_main(void *arg)
{
    inflight_t *s = arg;
    part_t p[] = {{"image", s->img, s->len, "photo.jpg", "image/jpeg"}};
    s->r = http(&(req_t){.path = "/api/v1/ai-headshot", .key = s->key, .parts = p, .nparts = 1, .sent = &s->sent,
                         .timeout_ms = 60000});
    atomic_store(&s->sent, 1);
    return NULL;
}

Test(server, sigterm_finishes_the_request_in_flight)
{
    begin();
    size_t len;
    uint8_t *img = load_shared(FACE_BIG, &len);
    char key[64];
    make_key("t", 10, key, NULL);
    server_start(NULL, NULL);

    inflight_t s = {.img = img, .len = len, .key = key};
    pthread_t th;
    cr_assert_eq(pthread_create(&th, NULL, inflight_main, &s), 0);
    long long deadline = now_ms() + 20000;
    while (!atomic_load(&s.sent) && now_ms() < deadline)
        sleep_ms(5);
    cr_assert(atomic_load(&s.sent), "the upload did not finish");
    sleep_ms(100);
    long long t0 = now_ms();
    cr_assert_eq(kill(S.pid, SIGTERM), 0);
    pthread_join(th, NULL);
    int st = server_wait(30000);
    long long ms = now_ms() - t0;
    cr_assert_eq(s.r.cc, CURLE_OK, "the request in flight failed: %s (log: %s)", s.r.err, log_tail());
    expect_headshot_ok(&s.r, "request in flight at SIGTERM");
    resp_free(&s.r);
    cr_assert_neq(st, -1, "the server did not exit within 30 s of SIGTERM");
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "exit status %d; log: %s", st, log_tail());
    cr_assert_lt(ms, 30000);
    /* The request was really in flight: the server logged "stopping" before the headshot's access line. */
    char *log = read_text_file(S.log);
    const char *stopping = strstr(log, "\"msg\":\"stopping\"");
    const char *access = strstr(log, "\"route\":\"/api/v1/ai-headshot\",\"status\":200");
    cr_assert(stopping && access, "%s", log_tail());
    cr_assert_lt(stopping, access, "the headshot was answered before SIGTERM: %s", log_tail());
    cr_assert(strstr(log, "\"msg\":\"stopped\""), "%s", log_tail());
    free(log);
    free(img);
}

/* ================================================================================================
 * 18. avatars: POST /v1/avatar/generate (no anime here: CartoonGAN is slow)
 * ================================================================================================ */

#define AVATAR "/v1/avatar/generate"
#define FACE_QA_FAILS "testdata/faces/prnet_1.jpg" /* 227x227, head tilted: its avatar fails the likeness QA */

static resp_t avatar_json(const char *key, const char *json, const char *const *headers)
{
    return http(&(req_t){.path = AVATAR, .key = key, .content_type = "application/json", .body = json,
                         .len = strlen(json), .headers = headers});
}

/* Multipart to the avatar route (see post_multipart). */
static resp_t avatar_image(const char *key, const void *img, size_t len, const char *const *fields,
                           const char *const *headers)
{
    return post_multipart(AVATAR, key, img, len, fields, headers);
}

/* {"image":"<b64>"} plus `extra` members ("\"style\":\"editorial\"", or ""); caller frees. */
static char *avatar_body(const char *b64, const char *extra)
{
    size_t n = strlen(b64) + strlen(extra) + 32;
    char *json = malloc(n);
    cr_assert_not_null(json);
    snprintf(json, n, "{\"image\":\"%s\"%s%s}", b64, *extra ? "," : "", extra);
    return json;
}

static void expect_png_side(const resp_t *r, uint32_t side, const char *what)
{
    uint32_t w = 0, h = 0;
    cr_assert(png_size((const uint8_t *)r->body, r->len, &w, &h), "%s: not a PNG (%zu bytes)", what, r->len);
    cr_assert_eq(w, side, "%s: width %u, want %u", what, w, side);
    cr_assert_eq(h, side, "%s: height %u, want %u", what, h, side);
}

static double jnum(const json_t *o, const char *k)
{
    return json_number_value(json_object_get(o, k));
}

/* A completed avatar job as JSON (the sync answer or GET /v1/image/{id}): every result field, the two
 * outputs, and both files fetched (side x side PNG and the 100x100 thumbnail). `threshold` is the
 * platform's likeness threshold (0.85 professional, 0.75 consumer), which the likeness must reach. */
static void expect_avatar_job(const json_t *j, const char *style, const char *platform, const char *background,
                              int side, double threshold, const char *what)
{
    char *dump = json_dumps(j, JSON_COMPACT);
    char body[3000];
    snprintf(body, sizeof body, "%.2990s", nz(dump));
    free(dump);
    cr_assert_str_eq(nz(jstr(j, "status")), "completed", "%s: %s", what, body);
    cr_assert_str_eq(nz(jstr(j, "pipeline")), "avatar", "%s: %s", what, body);
    cr_assert(jstr(j, "id") && !strncmp(jstr(j, "id"), "job_", 4), "%s: id in %s", what, body);

    /* The URLs: avatar, thumbnail, and output_url is the avatar's. */
    const char *avatar = jstr(j, "avatar_url"), *thumb = jstr(j, "thumbnail_url"), *out = jstr(j, "output_url");
    cr_assert(avatar && *avatar, "%s: avatar_url in %s", what, body);
    cr_assert(thumb && *thumb, "%s: thumbnail_url in %s", what, body);
    cr_assert(out && *out, "%s: output_url in %s", what, body);
    cr_assert_str_eq(out, avatar, "%s: output_url is not avatar_url", what);
    cr_assert_str_neq(avatar, thumb, "%s: the avatar and the thumbnail are one URL", what);
    cr_assert_eq(jint(j, "width"), side, "%s: %s", what, body);
    cr_assert_eq(jint(j, "height"), side, "%s: %s", what, body);
    json_t *outputs = json_object_get(j, "outputs");
    cr_assert_eq(json_array_size(outputs), 2, "%s: outputs in %s", what, body);
    json_t *o0 = json_array_get(outputs, 0), *o1 = json_array_get(outputs, 1);
    cr_assert_str_eq(nz(jstr(o0, "role")), "avatar", "%s: %s", what, body);
    cr_assert_str_eq(nz(jstr(o0, "url")), avatar, "%s: %s", what, body);
    cr_assert_eq(jint(o0, "width"), side, "%s: %s", what, body);
    cr_assert_str_eq(nz(jstr(o1, "role")), "thumbnail", "%s: %s", what, body);
    cr_assert_str_eq(nz(jstr(o1, "url")), thumb, "%s: %s", what, body);
    cr_assert_eq(jint(o1, "width"), 100, "%s: %s", what, body);
    cr_assert_eq(jint(o1, "height"), 100, "%s: %s", what, body);

    /* Detection, likeness QA, input quality. */
    cr_assert(json_is_true(json_object_get(j, "face_detected")), "%s: face_detected in %s", what, body);
    cr_assert_geq(jint(j, "face_count"), 1, "%s: %s", what, body);
    cr_assert(json_is_number(json_object_get(j, "likeness_score")), "%s: likeness_score in %s", what, body);
    cr_assert_geq(jnum(j, "likeness_score"), threshold, "%s: %s", what, body);
    cr_assert_leq(jnum(j, "likeness_score"), 1.0, "%s: %s", what, body);
    cr_assert(json_is_number(json_object_get(j, "likeness_threshold")), "%s: likeness_threshold in %s", what, body);
    cr_assert_lt(fabs(jnum(j, "likeness_threshold") - threshold), 1e-4, "%s: %s", what, body);
    json_t *q = json_object_get(j, "input_quality_score");
    cr_assert(json_is_number(q), "%s: input_quality_score in %s", what, body);
    cr_assert(json_number_value(q) >= 0 && json_number_value(q) <= 1, "%s: input_quality_score %g", what,
              json_number_value(q));
    json_t *warn = json_object_get(j, "validation_warnings");
    cr_assert(json_is_array(warn), "%s: validation_warnings in %s", what, body);
    size_t i;
    json_t *w;
    json_array_foreach(warn, i, w) cr_assert(json_is_string(w), "%s: a warning that is not a string: %s", what, body);
    cr_assert_str_eq(nz(jstr(j, "style")), style, "%s: %s", what, body);
    cr_assert_str_eq(nz(jstr(j, "platform")), platform, "%s: %s", what, body);
    cr_assert(json_is_integer(json_object_get(j, "attempts")), "%s: attempts in %s", what, body);
    cr_assert_geq(jint(j, "attempts"), 1, "%s: %s", what, body);

    /* Provenance: the models with their licenses, and the parameters used. */
    json_t *prov = json_object_get(j, "provenance");
    json_t *models = json_object_get(prov, "models");
    cr_assert(json_is_array(models) && json_array_size(models) > 0, "%s: provenance.models in %s", what, body);
    json_t *m;
    json_array_foreach(models, i, m)
    {
        cr_assert(jstr(m, "name") && *jstr(m, "name"), "%s: model %zu without a name: %s", what, i, body);
        cr_assert(jstr(m, "license") && *jstr(m, "license"), "%s: model %zu without a license: %s", what, i, body);
    }
    json_t *params = json_object_get(prov, "parameters");
    cr_assert(json_is_object(params), "%s: provenance.parameters in %s", what, body);
    cr_assert_str_eq(nz(jstr(params, "background")), background, "%s: %s", what, body);
    cr_assert_str_eq(nz(jstr(params, "style")), style, "%s: %s", what, body);
    cr_assert_str_eq(nz(jstr(params, "platform")), platform, "%s: %s", what, body);
    cr_assert(json_is_boolean(json_object_get(params, "hires")), "%s: parameters.hires in %s", what, body);
    cr_assert_eq(json_is_true(json_object_get(params, "hires")), side == 1200, "%s: %s", what, body);

    /* The files. */
    resp_t f = fetch_output(avatar, "image/png");
    char label[160];
    snprintf(label, sizeof label, "%s: avatar_url", what);
    expect_png_side(&f, (uint32_t)side, label);
    resp_free(&f);
    f = fetch_output(thumb, "image/png");
    snprintf(label, sizeof label, "%s: thumbnail_url", what);
    expect_png_side(&f, 100, label);
    resp_free(&f);
}

Test(server, avatar_generate_sync)
{
    begin();
    size_t jlen;
    uint8_t *jpeg = load_shared(FACE, &jlen);
    char key[64];
    make_key("t", 10, key, NULL);
    server_start(NULL, NULL);

    /* Multipart, platform linkedin: the corporate look on the light studio background, 800x800. */
    const char *const fields[] = {"platform", "linkedin", NULL};
    resp_t r = avatar_image(key, jpeg, jlen, fields, NULL);
    EXPECT_STATUS(r, 200, "multipart linkedin avatar");
    cr_assert_not_null(r.json, "not JSON: %s", r.body);
    char ct[64];
    cr_assert(resp_header(&r, "Content-Type", ct, sizeof ct) && !strncmp(ct, "application/json", 16), "%s", r.head);
    expect_avatar_job(r.json, "corporate_headshot", "linkedin", "studio_light", 800, 0.85, "multipart linkedin");
    cr_assert(json_is_integer(json_object_get(r.json, "latency_ms")), "latency_ms in %s", r.body);
    /* Exactly one credit, whatever the number of files. */
    cr_assert_eq(header_long(&r, "X-Credits-Remaining"), 9, "%s", r.head);
    char id[64], avatar[1024];
    snprintf(id, sizeof id, "%s", jstr(r.json, "id"));
    snprintf(avatar, sizeof avatar, "%s", jstr(r.json, "avatar_url"));
    resp_free(&r);
    json_t *acct = account(key);
    cr_assert_eq(jint(acct, "credits"), 9, "%s", json_dumps(acct, 0));
    cr_assert_eq(jint(acct, "credits_used"), 1, "%s", json_dumps(acct, 0));
    json_t *u = usage_of(acct, "avatar");
    cr_assert_not_null(u, "no avatar usage: %s", json_dumps(acct, 0));
    cr_assert_eq(jint(u, "credits"), 1, "%s", json_dumps(acct, 0));
    cr_assert_null(usage_of(acct, "headshot"), "an avatar booked as a headshot: %s", json_dumps(acct, 0));
    json_decref(acct);

    /* The job reads back the same from GET /v1/image/{id}. */
    char path[128];
    snprintf(path, sizeof path, "/v1/image/%s", id);
    r = get(path, key);
    EXPECT_STATUS(r, 200, "GET the avatar job");
    expect_avatar_job(r.json, "corporate_headshot", "linkedin", "studio_light", 800, 0.85, "GET /v1/image/{id}");
    cr_assert_str_eq(nz(jstr(r.json, "avatar_url")), avatar);
    resp_free(&r);

    /* JSON with base64, editorial, hires: 1200x1200 (no platform: generic, studio_light). */
    char *b64 = base64(jpeg, jlen);
    char *json = avatar_body(b64, "\"style\":\"editorial\",\"hires\":true");
    r = avatar_json(key, json, NULL);
    EXPECT_STATUS(r, 200, "JSON editorial hires avatar");
    expect_avatar_job(r.json, "editorial", "generic", "studio_light", 1200, 0.75, "JSON editorial hires");
    cr_assert_eq(header_long(&r, "X-Credits-Remaining"), 8, "%s", r.head);
    resp_free(&r);
    acct = account(key);
    cr_assert_eq(jint(acct, "credits"), 8);
    cr_assert_eq(jint(acct, "credits_used"), 2);
    u = usage_of(acct, "avatar");
    cr_assert_not_null(u);
    cr_assert_eq(jint(u, "credits"), 2, "%s", json_dumps(acct, 0));
    json_decref(acct);
    free(json);
    free(b64);
    free(jpeg);
}

Test(server, avatar_bad_options)
{
    begin();
    size_t jlen;
    uint8_t *jpeg = load_shared(FACE, &jlen);
    char *b64 = base64(jpeg, jlen);
    char key[64];
    make_key("t", 10, key, NULL);
    server_start(NULL, NULL);

    /* Every case carries a good photo: only the option is wrong. {name, value, field, in the message} */
    const char *const multipart[][4] = {
        {"style", "nope", "style", "nope"},
        {"platform", "myspace", "platform", "myspace"},
        {"background", "plaid", "background", "plaid"},
        {"palette", "mauve", "palette", "mauve"},
        {"variant", "ghibli", "variant", "ghibli"},
        {"style_intensity", "1.5", "style_intensity", "1.5"},
        {"style_intensity", "x", "style_intensity", NULL},
        {"style_intensity", "-0.1", "style_intensity", NULL},
        {"hires", "maybe", "hires", NULL},
    };
    for (size_t i = 0; i < sizeof multipart / sizeof multipart[0]; i++) {
        const char *const f[] = {multipart[i][0], multipart[i][1], NULL};
        char what[128];
        snprintf(what, sizeof what, "multipart %s=%s", multipart[i][0], multipart[i][1]);
        resp_t r = avatar_image(key, jpeg, jlen, f, NULL);
        EXPECT_ERROR(r, 400, "bad_request", multipart[i][2], what);
        const char *msg = nz(jstr(json_object_get(r.json, "error"), "message"));
        if (multipart[i][3])
            cr_assert(strstr(msg, multipart[i][3]), "%s: the message does not name '%s': %s", what, multipart[i][3],
                      msg);
        cr_assert_eq(header_long(&r, "X-Credits-Remaining"), 10, "%s: %s", what, r.head);
        resp_free(&r);
        expect_healthy(what);
    }
    const char *const json_cases[][3] = {
        {"\"style\":\"nope\"", "style", "nope"},
        {"\"platform\":\"myspace\"", "platform", "myspace"},
        {"\"background\":\"plaid\"", "background", "plaid"},
        {"\"palette\":\"mauve\"", "palette", "mauve"},
        {"\"variant\":\"ghibli\"", "variant", "ghibli"},
        {"\"style\":42", "style", NULL},
        {"\"style_intensity\":1.5", "style_intensity", "1.5"},
        {"\"style_intensity\":\"0.5\"", "style_intensity", NULL},
        {"\"hires\":3", "hires", NULL},
        {"\"hires\":\"true\"", "hires", NULL},
    };
    for (size_t i = 0; i < sizeof json_cases / sizeof json_cases[0]; i++) {
        char *json = avatar_body(b64, json_cases[i][0]);
        char what[128];
        snprintf(what, sizeof what, "JSON %s", json_cases[i][0]);
        resp_t r = avatar_json(key, json, NULL);
        free(json);
        EXPECT_ERROR(r, 400, "bad_request", json_cases[i][1], what);
        const char *msg = nz(jstr(json_object_get(r.json, "error"), "message"));
        if (json_cases[i][2])
            cr_assert(strstr(msg, json_cases[i][2]), "%s: the message does not name '%s': %s", what,
                      json_cases[i][2], msg);
        resp_free(&r);
        expect_healthy(what);
    }

    /* None of it cost a credit or made a job the usage shows. */
    json_t *acct = account(key);
    cr_assert_eq(jint(acct, "credits"), 10, "%s", json_dumps(acct, 0));
    cr_assert_eq(jint(acct, "credits_used"), 0, "%s", json_dumps(acct, 0));
    cr_assert_null(usage_of(acct, "avatar"), "%s", json_dumps(acct, 0));
    json_decref(acct);

    /* The same server then makes an avatar from the same photo with good options (multipart, all set). */
    const char *const good[] = {"platform", "twitter", "style", "editorial", "background", "gradient", "palette",
                                "#336699", "style_intensity", "0.5", "hires", "false", NULL};
    resp_t r = avatar_image(key, jpeg, jlen, good, NULL);
    EXPECT_STATUS(r, 200, "good options after the 400s");
    expect_avatar_job(r.json, "editorial", "twitter", "gradient", 800, 0.75, "good options");
    json_t *params = json_object_get(json_object_get(r.json, "provenance"), "parameters");
    cr_assert_lt(fabs(jnum(params, "style_intensity") - 0.5), 1e-6, "%s", r.body);
    cr_assert_str_eq(nz(jstr(params, "palette")), "#336699", "%s", r.body);
    resp_free(&r);
    acct = account(key);
    cr_assert_eq(jint(acct, "credits_used"), 1);
    json_decref(acct);
    cr_assert_eq(WEXITSTATUS(server_stop(30000)), 0);
    free(b64);
    free(jpeg);
}

Test(server, avatar_failures_cost_nothing)
{
    begin();
    size_t jlen, nlen;
    uint8_t *jpeg = load_shared(FACE, &jlen);
    uint8_t *dog = load_shared(NOFACE, &nlen);
    char key[64];
    make_key("t", 10, key, NULL);
    server_start(NULL, NULL);

    /* No face: multipart and JSON. */
    const char *const fields[] = {"platform", "linkedin", NULL};
    resp_t r = avatar_image(key, dog, nlen, fields, NULL);
    EXPECT_ERROR(r, 422, "no_face", NULL, "no-face photo (multipart)");
    cr_assert_eq(header_long(&r, "X-Credits-Remaining"), 10, "%s", r.head);
    cr_assert(!strstr(r.body, "avatar_url"), "%s", r.body);
    resp_free(&r);
    char *b64 = base64(dog, nlen);
    char *json = avatar_body(b64, "\"style\":\"editorial\"");
    r = avatar_json(key, json, NULL);
    EXPECT_ERROR(r, 422, "no_face", NULL, "no-face photo (JSON)");
    resp_free(&r);
    free(json);
    free(b64);
    expect_healthy("no face");

    /* A truncated JPEG (its first half): multipart and JSON. */
    r = avatar_image(key, jpeg, jlen / 2, fields, NULL);
    EXPECT_ERROR(r, 422, "corrupt_image", NULL, "truncated JPEG (multipart)");
    cr_assert_eq(header_long(&r, "X-Credits-Remaining"), 10, "%s", r.head);
    resp_free(&r);
    b64 = base64(jpeg, jlen / 2);
    json = avatar_body(b64, "");
    r = avatar_json(key, json, NULL);
    EXPECT_ERROR(r, 422, "corrupt_image", NULL, "truncated JPEG (JSON)");
    resp_free(&r);
    free(json);
    free(b64);
    expect_healthy("truncated JPEG");

    json_t *acct = account(key);
    cr_assert_eq(jint(acct, "credits"), 10, "%s", json_dumps(acct, 0));
    cr_assert_eq(jint(acct, "credits_used"), 0, "%s", json_dumps(acct, 0));
    json_t *u = usage_of(acct, "avatar");
    cr_assert(!u || jint(u, "credits") == 0, "failures booked: %s", json_dumps(acct, 0));
    json_decref(acct);
    free(dog);
    free(jpeg);
}

Test(server, avatar_async)
{
    begin();
    size_t jlen;
    uint8_t *jpeg = load_shared(FACE, &jlen);
    char key[64];
    make_key("t", 10, key, NULL);
    server_start(NULL, NULL);

    const char *const async[] = {"Prefer: respond-async", NULL};
    const char *const fields[] = {"platform", "linkedin", NULL};
    resp_t r = avatar_image(key, jpeg, jlen, fields, async);
    EXPECT_STATUS(r, 202, "async avatar");
    const char *jid = jstr(r.json, "id");
    cr_assert(jid && !strncmp(jid, "job_", 4), "%s", r.body);
    char id[64], loc[128], want[128];
    snprintf(id, sizeof id, "%s", jid);
    cr_assert(resp_header(&r, "Location", loc, sizeof loc), "no Location: %s", r.head);
    snprintf(want, sizeof want, "/v1/image/%s", id);
    cr_assert_str_eq(loc, want);
    cr_assert_str_eq(nz(jstr(r.json, "pipeline")), "avatar", "%s", r.body);
    const char *st = nz(jstr(r.json, "status"));
    cr_assert(!strcmp(st, "queued") || !strcmp(st, "processing") || !strcmp(st, "completed"), "%s", r.body);
    resp_free(&r);

    json_t *j = poll_job(key, id, "completed", 60000, 50);
    expect_avatar_job(j, "corporate_headshot", "linkedin", "studio_light", 800, 0.85, "async avatar");
    json_decref(j);
    json_t *acct = account(key);
    cr_assert_eq(jint(acct, "credits_used"), 1, "%s", json_dumps(acct, 0));
    cr_assert_eq(jint(acct, "credits"), 9);
    json_decref(acct);
    cr_assert_eq(WEXITSTATUS(server_stop(30000)), 0);
    free(jpeg);
}

/* A face the likeness QA cannot pass (a 227 px photo of a tilted head; inspireface_pose_roll_left was
 * this photo until the quarter-turn search made its avatar pass): the avatar is made three times (at
 * 100%, 60% and 30% intensity), the best is delivered with likeness_below_threshold, and "attempts" says how many
 * were made, as `strobe avatar` does. */
Test(server, avatar_qa_retries_are_reported)
{
    begin();
    size_t len;
    uint8_t *img = load_shared(FACE_QA_FAILS, &len);
    char key[64];
    make_key("t", 10, key, NULL);
    server_start(NULL, NULL);

    const char *const fields[] = {"platform", "linkedin", NULL};
    resp_t r = avatar_image(key, img, len, fields, NULL);
    EXPECT_STATUS(r, 200, "rolled face");
    cr_assert_lt(jnum(r.json, "likeness_score"), 0.85, "this photo is meant to fail the QA: %s", r.body);
    bool below = false;
    size_t i;
    json_t *w;
    json_array_foreach(json_object_get(r.json, "validation_warnings"), i, w) below |=
        !strcmp(nz(json_string_value(w)), "likeness_below_threshold");
    cr_assert(below, "no likeness_below_threshold warning: %s", r.body);
    /* The best of the three is delivered: which one depends on the nets' last digits (OpenCV delivered the
     * 30% attempt, ONNX Runtime the 100% one), so only its being one of the three is asserted. */
    json_t *params = json_object_get(json_object_get(r.json, "provenance"), "parameters");
    double delivered = jnum(params, "intensity_delivered");
    cr_assert(fabs(delivered - 1.0) < 1e-6 || fabs(delivered - 0.6) < 1e-6 || fabs(delivered - 0.3) < 1e-6,
              "intensity_delivered %g is none of the three attempts: %s", delivered, r.body);
    cr_assert_eq(jint(r.json, "attempts"), 3,
                 "the QA made 3 attempts (intensity_delivered %g) but the answer says attempts %lld: %s",
                 jnum(params, "intensity_delivered"), jint(r.json, "attempts"), r.body);
    resp_free(&r);
    free(img);
}

/* ================================================================================================
 * 19. the avatar's input cache: cache_input keeps the normalized input, cache_id restyles it
 * ================================================================================================ */

/* Entries in the blob store (DATA/files). */
/* Blobs in the server's store, counted where they lie on this disk (the files folder, or s3rver's
 * folder for the test's prefix, where each object is NAME._S3rver_object beside its metadata). */
static int count_blobs(void)
{
    cr_assert(S.blob_dir[0], "the blobs' folder is unknown (STROBE_TEST_S3 without STROBE_TEST_S3_DIR)");
    DIR *d = opendir(S.blob_dir);
    if (!d)
        return 0;
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        const char *tag = strstr(de->d_name, "._S3rver_");
        n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..") && (!tag || !strcmp(tag, "._S3rver_object"));
    }
    closedir(d);
    return n;
}

/* The file id in a signed file URL: ".../v1/files/<id>.<ext>?...". */
static void url_file_id(const char *url, char *out, size_t n)
{
    const char *p = strstr(nz(url), "/v1/files/");
    cr_assert_not_null(p, "not a file URL: %s", nz(url));
    p += 10;
    snprintf(out, n, "%.*s", (int)strcspn(p, ".?"), p);
}

/* A cache_id as the API hands it out: a file id, 32 lower-case hex digits. */
static void expect_cache_id(const json_t *j, const char *what)
{
    const char *id = jstr(j, "cache_id");
    cr_assert(id && strlen(id) == 32 && strspn(id, "0123456789abcdef") == 32, "%s: cache_id in %s", what,
              json_dumps(j, JSON_COMPACT));
    cr_assert(json_is_integer(json_object_get(j, "cache_expires_at")), "%s: cache_expires_at", what);
    cr_assert_eq(jint(j, "cache_expires_at"), jint(j, "expires_at"), "%s: the kept input expires with the outputs",
                 what);
    cr_assert_null(json_object_get(j, "cache_url"), "%s: a kept input has no URL", what);
}

/* Whether any 64-byte piece of `orig`, taken every 512 bytes from its first JPEG scan (SOS) on, occurs
 * in `buf`: the pixels' bytes (the headers before the scan may share standard tables with any JPEG). */
static bool shares_scan_bytes(const uint8_t *buf, size_t n, const uint8_t *orig, size_t olen)
{
    const uint8_t *sos = memmem(orig, olen, "\xff\xda", 2);
    cr_assert_not_null(sos, "the upload has no JPEG scan");
    for (size_t at = (size_t)(sos - orig) + 64; at + 64 <= olen; at += 512)
        if (memmem(buf, n, orig + at, 64))
            return true;
    return false;
}

/* Mean absolute difference of two same-sized PNGs, per 8-bit sample. */
static double mean_abs_diff(const resp_t *a, const resp_t *b)
{
    sb_image_t x = {0}, y = {0};
    sb_error_t e = {0};
    cr_assert_eq(sb_io_init(NULL, &e), SB_OK, "%s", e.message);
    cr_assert_eq(sb_io_decode(a->body, a->len, NULL, &x, NULL, &e), SB_OK, "%s", e.message);
    cr_assert_eq(sb_io_decode(b->body, b->len, NULL, &y, NULL, &e), SB_OK, "%s", e.message);
    cr_assert(x.width == y.width && x.height == y.height && x.bands == y.bands);
    size_t n = (size_t)x.width * x.height * x.bands;
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += abs((int)x.data[i] - (int)y.data[i]);
    sb_image_free(&x);
    sb_image_free(&y);
    return sum / (double)n;
}

Test(server, avatar_cache_input_restyles_without_upload)
{
    begin();
    size_t jlen;
    uint8_t *jpeg = load_shared(FACE, &jlen);
    char key[64];
    make_key("t", 10, key, NULL);
    server_start(NULL, NULL);

    /* Multipart with cache_input: the avatar as usual, plus a cache_id that is no output and has no URL. */
    const char *const first[] = {"platform", "linkedin", "cache_input", "true", NULL};
    resp_t r = avatar_image(key, jpeg, jlen, first, NULL);
    EXPECT_STATUS(r, 200, "avatar with cache_input");
    expect_avatar_job(r.json, "corporate_headshot", "linkedin", "studio_light", 800, 0.85, "cache_input");
    expect_cache_id(r.json, "cache_input");
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(r.json, "outputs"), i, o)
        cr_assert_str_neq(nz(jstr(o, "role")), "cache", "the kept input is listed as an output: %s", r.body);
    cr_assert_null(strstr(r.body, ".jpg"), "no URL of the kept input (a JPEG) in %s", r.body);
    char cache_id[64], job[64], avatar1[2048];
    snprintf(cache_id, sizeof cache_id, "%s", jstr(r.json, "cache_id"));
    snprintf(job, sizeof job, "%s", jstr(r.json, "id"));
    snprintf(avatar1, sizeof avatar1, "%s", jstr(r.json, "avatar_url"));
    cr_assert_eq(header_long(&r, "X-Credits-Remaining"), 9, "one credit, kept input or not: %s", r.head);
    resp_free(&r);

    /* The job reads back with the same cache_id. */
    char path[600];
    snprintf(path, sizeof path, "/v1/image/%s", job);
    r = get(path, key);
    EXPECT_STATUS(r, 200, "GET the job");
    expect_cache_id(r.json, "GET /v1/image/{id}");
    cr_assert_str_eq(nz(jstr(r.json, "cache_id")), cache_id);
    cr_assert_eq(json_array_size(json_object_get(r.json, "outputs")), 2, "%s", r.body);
    resp_free(&r);

    /* In the store: a JPEG of the upright, decoded photo, re-encoded, so none of the upload's bytes. */
    snprintf(path, sizeof path, "%s.jpg", cache_id);
    size_t clen;
    uint8_t *kept = blob_read(path, &clen);
    cr_assert_not_null(kept, "no kept input %s", path);
    sb_image_info_t info;
    sb_error_t e = {0};
    cr_assert_eq(sb_io_init(NULL, &e), SB_OK, "%s", e.message);
    cr_assert_eq(sb_io_probe(kept, clen, &info, &e), SB_OK, "%s", e.message);
    cr_assert_eq(info.format, SB_FMT_JPEG, "the kept input is not a JPEG");
    cr_assert(info.width == 1000 && info.height == 1500, "kept at %dx%d, not the photo's 1000x1500", info.width,
              info.height);
    cr_assert_eq(info.orientation, 1);
    cr_assert(shares_scan_bytes(jpeg, jlen, jpeg, jlen), "the check finds the upload where it is");
    cr_assert(!shares_scan_bytes(kept, clen, jpeg, jlen), "the kept input holds bytes of the upload");
    scan_t s = {.chunks = {jpeg + jlen / 2 - 4096, jpeg + jlen / 2, jpeg + jlen / 2 + 4096}};
    scan_dir(S.data, &s);
    if (strncmp(S.blob_dir, S.data, strlen(S.data)) != 0)
        scan_dir(S.blob_dir, &s); /* the S3 server's folder: uploaded bytes must not reach it either */
    cr_assert_eq(s.found[0], '\0', "uploaded bytes found in %s", s.found);
    free(kept);

    /* Another style from the cache_id alone: a JSON body of a few bytes, no image. */
    char json[256];
    snprintf(json, sizeof json, "{\"cache_id\":\"%s\",\"style\":\"editorial\"}", cache_id);
    r = avatar_json(key, json, NULL);
    EXPECT_STATUS(r, 200, "editorial from cache_id");
    expect_avatar_job(r.json, "editorial", "generic", "studio_light", 800, 0.75, "editorial from cache_id");
    cr_assert_geq(jnum(r.json, "likeness_score"), 0.85, "the same person: %s", r.body);
    cr_assert_null(json_object_get(r.json, "cache_id"), "nothing kept without cache_input: %s", r.body);
    cr_assert_eq(header_long(&r, "X-Credits-Remaining"), 8, "%s", r.head);
    resp_free(&r);

    /* The first look again from the cache_id (multipart, no image part): the first avatar, near enough
     * (the kept input is a JPEG at quality 95 of what the first request decoded). Measured: 3.8 per
     * sample from the first avatar until the fitted framing of issue 13, 13.9 since (the re-encoded input
     * moves the framing by a few pixels: the same look, scaled ~2%); another person's linkedin avatar is
     * 36-48 away. */
    const char *const again[] = {"cache_id", cache_id, "platform", "linkedin", NULL};
    r = avatar_image(key, NULL, 0, again, NULL);
    EXPECT_STATUS(r, 200, "linkedin again from cache_id");
    expect_avatar_job(r.json, "corporate_headshot", "linkedin", "studio_light", 800, 0.85, "linkedin from cache_id");
    resp_t a = fetch_output(avatar1, "image/png"), b = fetch_output(jstr(r.json, "avatar_url"), "image/png");
    double diff = mean_abs_diff(&a, &b);
    cr_assert_lt(diff, 20.0, "the avatar from the kept input differs from the first by %.2f per sample", diff);
    resp_free(&a);
    resp_free(&b);
    resp_free(&r);

    json_t *acct = account(key);
    cr_assert_eq(jint(acct, "credits_used"), 3, "%s", json_dumps(acct, 0));
    json_decref(acct);
    cr_assert_eq(WEXITSTATUS(server_stop(30000)), 0);
    free(jpeg);
}

Test(server, avatar_without_cache_input_keeps_nothing)
{
    begin();
    size_t jlen;
    uint8_t *jpeg = load_shared(FACE, &jlen);
    char *b64 = base64(jpeg, jlen);
    char key[64];
    make_key("t", 10, key, NULL);
    server_start(NULL, NULL);
    scan_t s = {.chunks = {jpeg + jlen / 2 - 4096, jpeg + jlen / 2, jpeg + jlen / 2 + 4096}};

    /* Left out (multipart) and false (JSON): the avatar and its thumbnail, nothing else. */
    int before = count_blobs();
    const char *const fields[] = {"platform", "linkedin", NULL};
    resp_t r = avatar_image(key, jpeg, jlen, fields, NULL);
    EXPECT_STATUS(r, 200, "avatar without cache_input");
    cr_assert_null(json_object_get(r.json, "cache_id"), "%s", r.body);
    cr_assert_null(json_object_get(r.json, "cache_expires_at"), "%s", r.body);
    resp_free(&r);
    cr_assert_eq(count_blobs(), before + 2, "files: %d before, %d after", before, count_blobs());
    char *json = avatar_body(b64, "\"cache_input\":false");
    r = avatar_json(key, json, NULL);
    free(json);
    EXPECT_STATUS(r, 200, "avatar with cache_input false");
    cr_assert_null(json_object_get(r.json, "cache_id"), "%s", r.body);
    resp_free(&r);
    cr_assert_eq(count_blobs(), before + 4, "files: %d before, %d after", before, count_blobs());
    scan_dir(S.data, &s);
    if (strncmp(S.blob_dir, S.data, strlen(S.data)) != 0)
        scan_dir(S.blob_dir, &s); /* the S3 server's folder: uploaded bytes must not reach it either */
    cr_assert_eq(s.found[0], '\0', "uploaded bytes found in %s", s.found);

    /* The count sees a kept input: with cache_input (multipart "1") there is a third file. */
    const char *const keep[] = {"platform", "linkedin", "cache_input", "1", NULL};
    r = avatar_image(key, jpeg, jlen, keep, NULL);
    EXPECT_STATUS(r, 200, "avatar with cache_input 1");
    expect_cache_id(r.json, "cache_input 1");
    resp_free(&r);
    cr_assert_eq(count_blobs(), before + 7, "files: %d before, %d after", before, count_blobs());
    cr_assert_eq(WEXITSTATUS(server_stop(30000)), 0);
    s.found[0] = '\0';
    scan_dir(S.data, &s);
    if (strncmp(S.blob_dir, S.data, strlen(S.data)) != 0)
        scan_dir(S.blob_dir, &s); /* the S3 server's folder: uploaded bytes must not reach it either */
    cr_assert_eq(s.found[0], '\0', "uploaded bytes found in %s after stop", s.found);
    free(b64);
    free(jpeg);
}

Test(server, avatar_cache_id_refusals)
{
    begin();
    size_t jlen;
    uint8_t *jpeg = load_shared(FACE, &jlen);
    char *b64 = base64(jpeg, jlen);
    char key[64], other[64];
    make_key("owner", 10, key, NULL);
    make_key("other", 10, other, NULL);
    server_start(NULL, NULL);

    char *json = avatar_body(b64, "\"platform\":\"linkedin\",\"cache_input\":true");
    resp_t r = avatar_json(key, json, NULL);
    free(json);
    EXPECT_STATUS(r, 200, "avatar with cache_input (JSON)");
    expect_cache_id(r.json, "JSON cache_input");
    char cache_id[64], avatar_id[64], thumb_id[64];
    snprintf(cache_id, sizeof cache_id, "%s", jstr(r.json, "cache_id"));
    url_file_id(jstr(r.json, "avatar_url"), avatar_id, sizeof avatar_id);
    url_file_id(jstr(r.json, "thumbnail_url"), thumb_id, sizeof thumb_id);
    resp_free(&r);

    /* 404 not_found on cache_id, one message whatever the reason: unknown, another key's, an output's. */
    const char *unknown = "0123456789abcdef0123456789abcdef";
    char body[256], msg_unknown[512];
    snprintf(body, sizeof body, "{\"cache_id\":\"%s\",\"style\":\"editorial\"}", unknown);
    r = avatar_json(key, body, NULL);
    EXPECT_ERROR(r, 404, "not_found", "cache_id", "unknown cache_id");
    snprintf(msg_unknown, sizeof msg_unknown, "%s", jstr(json_object_get(r.json, "error"), "message"));
    cr_assert_not_null(strstr(msg_unknown, unknown), "%s", msg_unknown);
    resp_free(&r);
    const struct {
        const char *key, *id, *what;
    } cases[] = {{other, cache_id, "another key's cache_id"},
                 {key, avatar_id, "the avatar's file id"},
                 {key, thumb_id, "the thumbnail's file id"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(body, sizeof body, "{\"cache_id\":\"%s\",\"style\":\"editorial\"}", cases[i].id);
        r = avatar_json(cases[i].key, body, NULL);
        EXPECT_ERROR(r, 404, "not_found", "cache_id", cases[i].what);
        char want[512];
        const char *at = strstr(msg_unknown, unknown);
        snprintf(want, sizeof want, "%.*s%s%s", (int)(at - msg_unknown), msg_unknown, cases[i].id,
                 at + strlen(unknown));
        cr_assert_str_eq(nz(jstr(json_object_get(r.json, "error"), "message")), want,
                         "%s: not the unknown id's message", cases[i].what);
        cr_assert_eq(header_long(&r, "X-Credits-Remaining"), cases[i].key == key ? 9 : 10, "%s: %s", cases[i].what,
                     r.head);
        resp_free(&r);
    }
    /* Multipart too. */
    const char *const mp_other[] = {"cache_id", cache_id, NULL};
    r = avatar_image(other, NULL, 0, mp_other, NULL);
    EXPECT_ERROR(r, 404, "not_found", "cache_id", "another key's cache_id (multipart)");
    resp_free(&r);

    /* 400 on cache_id with another image source, or not a non-empty string. */
    char *both = avatar_body(b64, "");
    size_t n = strlen(both) + 64;
    char *with_image = malloc(n);
    snprintf(with_image, n, "{\"cache_id\":\"%s\",%s", cache_id, both + 1);
    r = avatar_json(key, with_image, NULL);
    EXPECT_ERROR(r, 400, "bad_request", "cache_id", "cache_id and image (JSON)");
    resp_free(&r);
    free(with_image);
    free(both);
    char with_url[256];
    snprintf(with_url, sizeof with_url, "{\"cache_id\":\"%s\",\"image_url\":\"http://127.0.0.1:9/a.jpg\"}", cache_id);
    const char *const bad_json[] = {with_url, "{\"cache_id\":42,\"style\":\"editorial\"}", "{\"cache_id\":\"\"}"};
    for (size_t i = 0; i < sizeof bad_json / sizeof bad_json[0]; i++) {
        r = avatar_json(key, bad_json[i], NULL);
        EXPECT_ERROR(r, 400, "bad_request", "cache_id", bad_json[i]);
        resp_free(&r);
    }
    const char *const mp_image[] = {"cache_id", cache_id, NULL};
    r = avatar_image(key, jpeg, jlen, mp_image, NULL);
    EXPECT_ERROR(r, 400, "bad_request", "cache_id", "cache_id and image (multipart)");
    resp_free(&r);

    /* The headshot takes no cache_id: without an image it is the usual 400. */
    snprintf(body, sizeof body, "{\"cache_id\":\"%s\"}", cache_id);
    r = post_json(key, body, NULL);
    EXPECT_ERROR(r, 400, "bad_request", "image_url", "headshot with cache_id");
    resp_free(&r);

    /* None of that cost anything, and the owner's cache_id still works. */
    json_t *acct = account(other);
    cr_assert_eq(jint(acct, "credits_used"), 0, "%s", json_dumps(acct, 0));
    json_decref(acct);
    snprintf(body, sizeof body, "{\"cache_id\":\"%s\",\"style\":\"editorial\"}", cache_id);
    r = avatar_json(key, body, NULL);
    EXPECT_STATUS(r, 200, "the owner's cache_id");
    cr_assert_eq(header_long(&r, "X-Credits-Remaining"), 8, "%s", r.head);
    resp_free(&r);
    free(b64);
    free(jpeg);
}

Test(server, avatar_cache_id_expires)
{
    begin();
    size_t jlen;
    uint8_t *jpeg = load_shared(FACE, &jlen);
    char key[64];
    make_key("t", 10, key, NULL);
    const char *const env[] = {"STROBE_FILE_TTL=1", NULL};
    server_start(env, NULL);

    const char *const fields[] = {"cache_input", "true", NULL};
    resp_t r = avatar_image(key, jpeg, jlen, fields, NULL);
    EXPECT_STATUS(r, 200, "avatar with cache_input");
    expect_cache_id(r.json, "cache_input, 1 s TTL");
    char cache_id[64];
    snprintf(cache_id, sizeof cache_id, "%s", jstr(r.json, "cache_id"));
    long long exp = jint(r.json, "cache_expires_at");
    resp_free(&r);

    /* Past its expiry, before any purge (every 600 s here): the file is still there, the id is gone. */
    while ((long long)time(NULL) <= exp)
        sleep_ms(100);
    sleep_ms(200);
    char path[512], body[128];
    snprintf(path, sizeof path, "%s.jpg", cache_id);
    size_t klen;
    uint8_t *kept = blob_read(path, &klen);
    cr_assert_not_null(kept, "the kept input %s is not purged yet", path);
    free(kept);
    snprintf(body, sizeof body, "{\"cache_id\":\"%s\",\"style\":\"editorial\"}", cache_id);
    r = avatar_json(key, body, NULL);
    EXPECT_ERROR(r, 404, "not_found", "cache_id", "expired cache_id");
    cr_assert_eq(header_long(&r, "X-Credits-Remaining"), 9, "%s", r.head);
    resp_free(&r);
    free(jpeg);
}

/* ================================================================================================
 * 20. avatar batches: POST /v1/avatar/batch, GET /v1/avatar/batch/{id}
 * ================================================================================================ */

#define BATCH "/v1/avatar/batch"

static resp_t batch_json(const char *key, const char *json, const char *const *headers)
{
    return http(&(req_t){.path = BATCH, .key = key, .content_type = "application/json", .body = json,
                         .len = strlen(json), .headers = headers});
}

/* {"images":[<items, already quoted>], <extra>} ; caller frees. */
static char *batch_body(const char *const *items, int n, const char *extra)
{
    size_t len = strlen(extra) + 64;
    for (int i = 0; i < n; i++)
        len += strlen(items[i]) + 4;
    char *json = malloc(len);
    cr_assert_not_null(json);
    size_t at = (size_t)snprintf(json, len, "{\"images\":[");
    for (int i = 0; i < n; i++)
        at += (size_t)snprintf(json + at, len - at, "%s%s", i ? "," : "", items[i]);
    snprintf(json + at, len - at, "]%s%s}", *extra ? "," : "", extra);
    return json;
}

/* A 202 for a batch of `total`: batch_id, Location, status queued, counts. The id into id. */
static void expect_batch_accepted(const resp_t *r, int total, char id[64], const char *what)
{
    EXPECT_STATUS(*r, 202, what);
    const char *bid = jstr(r->json, "batch_id");
    cr_assert(bid && !strncmp(bid, "job_", 4), "%s: batch_id in %s", what, r->body);
    snprintf(id, 64, "%s", bid);
    char loc[128], want[128];
    cr_assert(resp_header(r, "Location", loc, sizeof loc), "%s: no Location: %s", what, r->head);
    snprintf(want, sizeof want, BATCH "/%s", id);
    cr_assert_str_eq(loc, want, "%s", what);
    cr_assert_eq(jint(r->json, "total"), total, "%s: %s", what, r->body);
    cr_assert(json_is_number(json_object_get(r->json, "estimated_seconds")), "%s: %s", what, r->body);
    cr_assert_eq(json_array_size(json_object_get(r->json, "items")), (size_t)total, "%s: %s", what, r->body);
    cr_assert_eq(jint(r->json, "completed") + jint(r->json, "failed") + jint(r->json, "pending"), total, "%s: %s",
                 what, r->body);
}

/* Poll GET /v1/avatar/batch/{id} until it is completed; the batch JSON (caller decrefs). */
static json_t *poll_batch(const char *key, const char *id, int timeout_ms)
{
    char path[128];
    snprintf(path, sizeof path, BATCH "/%s", id);
    long long deadline = now_ms() + timeout_ms;
    for (;;) {
        resp_t r = get(path, key);
        EXPECT_STATUS(r, 200, "GET the batch");
        const char *st = nz(jstr(r.json, "status"));
        cr_assert(strcmp(st, "failed"), "batch %s failed: %s", id, r.body);
        cr_assert_eq(jint(r.json, "completed") + jint(r.json, "failed") + jint(r.json, "pending"),
                     jint(r.json, "total"), "%s", r.body);
        if (!strcmp(st, "completed")) {
            json_t *j = json_incref(r.json);
            resp_free(&r);
            return j;
        }
        if (now_ms() > deadline)
            cr_assert_fail("batch %s not completed within %d ms: %s; log: %s", id, timeout_ms, r.body, log_tail());
        resp_free(&r);
        sleep_ms(100);
    }
}

static json_t *batch_item(const json_t *batch, int i)
{
    json_t *it = json_array_get(json_object_get(batch, "items"), (size_t)i);
    cr_assert_not_null(it);
    cr_assert_eq(jint(it, "index"), i);
    return it;
}

/* Mean absolute difference of the top-left 24x24 block (background only) of two same-sized PNGs. */
static double corner_diff(const resp_t *a, const resp_t *b)
{
    sb_image_t x = {0}, y = {0};
    sb_error_t e = {0};
    cr_assert_eq(sb_io_init(NULL, &e), SB_OK, "%s", e.message);
    cr_assert_eq(sb_io_decode(a->body, a->len, NULL, &x, NULL, &e), SB_OK, "%s", e.message);
    cr_assert_eq(sb_io_decode(b->body, b->len, NULL, &y, NULL, &e), SB_OK, "%s", e.message);
    cr_assert(x.width == y.width && x.height == y.height && x.bands == y.bands);
    double sum = 0;
    for (int r = 0; r < 24; r++)
        for (int c = 0; c < 24 * x.bands; c++) {
            size_t at = (size_t)r * x.width * x.bands + (size_t)c;
            sum += abs((int)x.data[at] - (int)y.data[at]);
        }
    double n = 24.0 * 24.0 * x.bands;
    sb_image_free(&x);
    sb_image_free(&y);
    return sum / n;
}

Test(server, avatar_batch_of_uploads_shares_one_look)
{
    begin();
    size_t alen, blen, nlen;
    uint8_t *a = load_shared(FACE, &alen);
    uint8_t *b = load_shared(FACE_BIG, &blen);
    uint8_t *dog = load_shared(NOFACE, &nlen);
    char key[64];
    make_key("t", 10, key, NULL);
    server_start(NULL, NULL);

    char *b64[3] = {base64(a, alen), base64(dog, nlen), base64(b, blen)};
    size_t qn = strlen(b64[0]) + 40;
    char *q0 = malloc(qn);
    snprintf(q0, qn, "\"data:image/jpeg;base64,%s\"", b64[0]);
    char *q1 = malloc(strlen(b64[1]) + 4), *q2 = malloc(strlen(b64[2]) + 4);
    sprintf(q1, "\"%s\"", b64[1]);
    sprintf(q2, "\"%s\"", b64[2]);
    const char *items[] = {q0, q1, q2};
    char *json = batch_body(items, 3, "\"platform\":\"linkedin\"");
    resp_t r = batch_json(key, json, NULL);
    char id[64];
    expect_batch_accepted(&r, 3, id, "a batch of 3 uploads");
    cr_assert_str_eq(nz(jstr(json_array_get(json_object_get(r.json, "items"), 1), "input")), "upload #1", "%s",
                     r.body);
    cr_assert_eq(header_long(&r, "X-Credits-Remaining"), 10, "%s", r.head);
    resp_free(&r);

    json_t *bt = poll_batch(key, id, 100000);
    char *dump = json_dumps(bt, JSON_COMPACT);
    cr_assert_eq(jint(bt, "total"), 3, "%s", dump);
    cr_assert_eq(jint(bt, "completed"), 2, "%s", dump);
    cr_assert_eq(jint(bt, "failed"), 1, "%s", dump);
    cr_assert_eq(jint(bt, "pending"), 0, "%s", dump);
    json_t *bad = batch_item(bt, 1);
    cr_assert_str_eq(nz(jstr(bad, "status")), "failed", "%s", dump);
    cr_assert_str_eq(nz(jstr(json_object_get(bad, "error"), "code")), "no_face", "%s", dump);
    cr_assert_null(json_object_get(bad, "avatar_url"), "%s", dump);
    resp_t png[2];
    for (int k = 0; k < 2; k++) {
        json_t *it = batch_item(bt, 2 * k);
        cr_assert_str_eq(nz(jstr(it, "status")), "completed", "%s", dump);
        cr_assert_str_eq(nz(jstr(it, "platform")), "linkedin", "%s", dump);
        cr_assert_geq(jnum(it, "likeness_score"), 0.85, "%s", dump);
        cr_assert_str_eq(nz(jstr(json_object_get(json_object_get(it, "provenance"), "parameters"), "background")),
                         "studio_light", "%s", dump);
        png[k] = fetch_output(jstr(it, "avatar_url"), "image/png");
        expect_png_800(&png[k], "a batch avatar");
        resp_t th = fetch_output(jstr(it, "thumbnail_url"), "image/png");
        expect_png_side(&th, 100, "a batch thumbnail");
        resp_free(&th);
    }
    /* One look: two different photos, the same background behind them. */
    double d = corner_diff(&png[0], &png[1]);
    cr_assert_lt(d, 3.0, "the two avatars' backgrounds differ by %.2f per sample", d);
    resp_free(&png[0]);
    resp_free(&png[1]);
    free(dump);
    json_decref(bt);

    /* Charged exactly once per delivered avatar. */
    json_t *acct = account(key);
    cr_assert_eq(jint(acct, "credits"), 8, "%s", json_dumps(acct, 0));
    cr_assert_eq(jint(acct, "credits_used"), 2, "%s", json_dumps(acct, 0));
    json_t *u = usage_of(acct, "avatar_batch");
    cr_assert(u && jint(u, "credits") == 2, "%s", json_dumps(acct, 0));
    json_decref(acct);

    /* GET /v1/image/{id} of the batch answers the batch too. */
    char path[128];
    snprintf(path, sizeof path, "/v1/image/%s", id);
    r = get(path, key);
    EXPECT_STATUS(r, 200, "GET /v1/image/{batch id}");
    cr_assert_str_eq(nz(jstr(r.json, "batch_id")), id, "%s", r.body);
    resp_free(&r);
    cr_assert_eq(WEXITSTATUS(server_stop(30000)), 0);
    free(json);
    free(q0);
    free(q1);
    free(q2);
    for (int k = 0; k < 3; k++)
        free(b64[k]);
    free(a);
    free(b);
    free(dog);
}

Test(server, avatar_batch_from_urls_and_multipart)
{
    begin();
    size_t len;
    uint8_t *img = load_shared(FACE, &len);
    char key[64];
    make_key("t", 10, key, NULL);
    origin_start(img, len, 0);
    const char *const args[] = {"--allow-private-urls", NULL};
    server_start(NULL, args);

    /* URLs: one photo, one 404. */
    char u1[160], u2[160], q1[170], q2[170];
    origin_url(u1, sizeof u1, "127.0.0.1", "/img");
    origin_url(u2, sizeof u2, "127.0.0.1", "/missing");
    snprintf(q1, sizeof q1, "\"%s\"", u1);
    snprintf(q2, sizeof q2, "\"%s\"", u2);
    const char *items[] = {q1, q2};
    char *json = batch_body(items, 2, "\"style\":\"editorial\",\"background\":\"gradient\"");
    resp_t r = batch_json(key, json, NULL);
    char id[64];
    expect_batch_accepted(&r, 2, id, "a URL batch");
    resp_free(&r);
    json_t *bt = poll_batch(key, id, 60000);
    char *dump = json_dumps(bt, JSON_COMPACT);
    cr_assert_eq(jint(bt, "completed"), 1, "%s", dump);
    cr_assert_eq(jint(bt, "failed"), 1, "%s", dump);
    json_t *ok = batch_item(bt, 0), *bad = batch_item(bt, 1);
    cr_assert_str_eq(nz(jstr(ok, "input")), u1, "%s", dump);
    cr_assert_str_eq(nz(jstr(ok, "style")), "editorial", "%s", dump);
    resp_t png = fetch_output(jstr(ok, "avatar_url"), "image/png");
    expect_png_800(&png, "a URL batch avatar");
    resp_free(&png);
    cr_assert_str_eq(nz(jstr(bad, "input")), u2, "%s", dump);
    cr_assert_str_eq(nz(jstr(json_object_get(bad, "error"), "code")), "fetch_failed", "%s", dump);
    cr_assert_str_eq(nz(jstr(json_object_get(bad, "error"), "field")), "images[1]", "%s", dump);
    cr_assert_eq(origin_count("/img"), 1);
    free(dump);
    json_decref(bt);
    json_t *acct = account(key);
    cr_assert_eq(jint(acct, "credits_used"), 1, "%s", json_dumps(acct, 0));
    json_decref(acct);

    /* Multipart: two `image` parts are two photos (a repeated name is a new part, not more bytes of the
     * first), an `image_url` field a third, in the order sent; the options ride along. */
    part_t parts[] = {{"image", img, len, "a.jpg", "image/jpeg"},
                      {"platform", "github", 6, NULL, NULL},
                      {"image_url", u1, strlen(u1), NULL, NULL},
                      {"image", img, len, "b.jpg", "image/jpeg"}};
    r = http(&(req_t){.path = BATCH, .key = key, .parts = parts, .nparts = 4});
    expect_batch_accepted(&r, 3, id, "a multipart batch");
    json_t *its = json_object_get(r.json, "items");
    cr_assert_str_eq(nz(jstr(json_array_get(its, 0), "input")), "upload #0", "%s", r.body);
    cr_assert_str_eq(nz(jstr(json_array_get(its, 1), "input")), u1, "%s", r.body);
    cr_assert_str_eq(nz(jstr(json_array_get(its, 2), "input")), "upload #1", "%s", r.body);
    resp_free(&r);
    bt = poll_batch(key, id, 100000);
    dump = json_dumps(bt, JSON_COMPACT);
    cr_assert_eq(jint(bt, "completed"), 3, "%s", dump);
    for (int i = 0; i < 3; i++)
        cr_assert_str_eq(nz(jstr(batch_item(bt, i), "platform")), "github", "%s", dump);
    free(dump);
    json_decref(bt);
    acct = account(key);
    cr_assert_eq(jint(acct, "credits_used"), 4, "%s", json_dumps(acct, 0));
    json_decref(acct);
    free(json);
    free(img);
}

Test(server, avatar_batch_refusals)
{
    begin();
    char key[64], other[64], broke[64];
    make_key("t", 10, key, NULL);
    make_key("other", 10, other, NULL);
    make_key("broke", 0, broke, NULL);
    server_start(NULL, NULL);

    /* {body, field}: refused before a job is made. */
    char *many[101];
    for (int i = 0; i < 101; i++)
        many[i] = "\"x\"";
    char *big = batch_body((const char *const *)many, 101, "");
    const char *const cases[][2] = {
        {"{\"images\":[]}", "images"},
        {big, "images"},
        {"{\"images\":\"http://example.com/a.jpg\"}", "images"},
        {"{\"platform\":\"linkedin\"}", "images"},
        {"{\"images\":[\"http://example.com/a.jpg\",42]}", "images[1]"},
        {"{\"images\":[\"!!not base64!!\"]}", "images[0]"},
        {"{\"images\":[\"\"]}", "images[0]"},
        {"{\"images\":[\"http://example.com/a.jpg\"],\"style\":\"nope\"}", "style"},
        {"{\"images\":[\"http://example.com/a.jpg\"],\"palette\":\"mauve\"}", "palette"},
        {"{\"images\":[\"http://example.com/a.jpg\"],\"style_intensity\":2}", "style_intensity"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char what[96];
        snprintf(what, sizeof what, "case %zu (%s)", i, cases[i][1]);
        resp_t r = batch_json(key, cases[i][0], NULL);
        EXPECT_ERROR(r, 400, "bad_request", cases[i][1], what);
        resp_free(&r);
    }
    free(big);
    resp_t r = batch_json(key, "{\"images\":[\"http://example.com/a.jpg\"],\"callback_url\":\"ftp://x\"}", NULL);
    EXPECT_ERROR(r, 400, "url_blocked", "callback_url", "a bad callback_url");
    resp_free(&r);
    const char *ok = "{\"images\":[\"http://127.0.0.1:1/a.jpg\"]}";
    r = batch_json(broke, ok, NULL);
    EXPECT_ERROR(r, 402, "insufficient_credits", NULL, "a key without credits");
    resp_free(&r);

    /* A URL the guard refuses (no --allow-private-urls): the item fails, the batch completes, no charge.
     * The same Idempotency-Key and body answers the same batch. */
    const char *const idem[] = {"Idempotency-Key: batch-1", NULL};
    r = batch_json(key, ok, idem);
    char id[64];
    expect_batch_accepted(&r, 1, id, "a batch with a refused URL");
    resp_free(&r);
    json_t *bt = poll_batch(key, id, 30000);
    cr_assert_eq(jint(bt, "failed"), 1);
    cr_assert_str_eq(nz(jstr(json_object_get(batch_item(bt, 0), "error"), "code")), "url_blocked");
    json_decref(bt);
    r = batch_json(key, ok, idem);
    EXPECT_STATUS(r, 202, "a replay");
    cr_assert_str_eq(nz(jstr(r.json, "batch_id")), id, "%s", r.body);
    cr_assert_str_eq(nz(jstr(r.json, "status")), "completed", "%s", r.body);
    resp_free(&r);
    json_t *acct = account(key);
    cr_assert_eq(jint(acct, "credits"), 10, "%s", json_dumps(acct, 0));
    json_decref(acct);

    /* Another key's batch, an unknown id, and a job that is no batch are 404. */
    char path[128];
    snprintf(path, sizeof path, BATCH "/%s", id);
    r = get(path, other);
    EXPECT_ERROR(r, 404, "not_found", "id", "another key's batch");
    resp_free(&r);
    r = get(BATCH "/job_000000000000000000000000", key);
    EXPECT_ERROR(r, 404, "not_found", "id", "an unknown batch");
    resp_free(&r);
    r = avatar_json(key, "{\"image_url\":\"http://127.0.0.1:1/a.jpg\",\"callback_url\":\"http://127.0.0.1:1/h\"}",
                    NULL);
    EXPECT_STATUS(r, 202, "an async avatar");
    snprintf(path, sizeof path, BATCH "/%s", nz(jstr(r.json, "id")));
    resp_free(&r);
    r = get(path, key);
    EXPECT_ERROR(r, 404, "not_found", "id", "an avatar job is no batch");
    resp_free(&r);
    expect_healthy("batch refusals");
}

/* kill -9 in the middle of a batch: after the restart its finished item is kept (not made or charged
 * again), its URL item is fetched again and made, its upload is lost (input_lost). */
Test(server, avatar_batch_resumes_after_a_crash)
{
    begin();
    size_t len;
    uint8_t *img = load_shared(FACE, &len);
    origin_start(img, len, 3000);
    char key[64];
    make_key("t", 10, key, NULL);
    const char *const args[] = {"--allow-private-urls", NULL};
    const char *const env[] = {"STROBE_LEASE_S=3", NULL}; /* a shared store takes the batch over after it */
    server_start(env, args);

    char u1[160], u2[160];
    origin_url(u1, sizeof u1, "127.0.0.1", "/img");
    origin_url(u2, sizeof u2, "127.0.0.1", "/slow");
    char *b64 = base64(img, len);
    size_t n = strlen(b64) + 512;
    char *json = malloc(n);
    snprintf(json, n, "{\"images\":[\"%s\",\"%s\",\"%s\"]}", u1, u2, b64);
    resp_t r = batch_json(key, json, NULL);
    char id[64], path[128];
    expect_batch_accepted(&r, 3, id, "a batch to interrupt");
    resp_free(&r);
    snprintf(path, sizeof path, BATCH "/%s", id);

    /* Item 0 made, item 1's fetch in flight: kill. */
    char first[1024] = "";
    long long deadline = now_ms() + 60000;
    while (!first[0]) {
        r = get(path, key);
        EXPECT_STATUS(r, 200, "GET the batch");
        if (jint(r.json, "completed") == 1)
            snprintf(first, sizeof first, "%s", nz(jstr(batch_item(r.json, 0), "avatar_url")));
        resp_free(&r);
        cr_assert_lt(now_ms(), deadline, "item 0 not made: %s", log_tail());
        sleep_ms(50);
    }
    cr_assert_eq(origin_wait("/slow", 1, 10000), 1, "item 1's fetch is in flight");
    server_kill9();

    server_start(env, args);
    json_t *bt = poll_batch(key, id, 60000);
    char *dump = json_dumps(bt, JSON_COMPACT);
    /* One node keeps uploads in memory only: item 2's is lost with the process. On a shared store
     * (PostgreSQL) the batch's uploads are staged, encrypted, in the blob store: item 2 is made too. */
    bool staged = S.pg_admin[0] != '\0';
    cr_assert_eq(jint(bt, "completed"), staged ? 3 : 2, "%s", dump);
    cr_assert_eq(jint(bt, "failed"), staged ? 0 : 1, "%s", dump);
    char a[64], b[64];
    url_file_id(first, a, sizeof a);
    url_file_id(jstr(batch_item(bt, 0), "avatar_url"), b, sizeof b);
    cr_assert_str_eq(a, b, "item 0 was made again: %s", dump);
    cr_assert_str_eq(nz(jstr(batch_item(bt, 1), "status")), "completed", "%s", dump);
    if (staged)
        cr_assert_str_eq(nz(jstr(batch_item(bt, 2), "status")), "completed", "%s", dump);
    else
        cr_assert_str_eq(nz(jstr(json_object_get(batch_item(bt, 2), "error"), "code")), "input_lost", "%s", dump);
    cr_assert_eq(origin_count("/img"), 1, "item 0 fetched again");
    cr_assert_eq(origin_count("/slow"), 2, "item 1 fetched once per run");
    free(dump);
    json_decref(bt);
    json_t *acct = account(key);
    cr_assert_eq(jint(acct, "credits_used"), staged ? 3 : 2, "charged once per avatar: %s", json_dumps(acct, 0));
    json_decref(acct);
    cr_assert_eq(WEXITSTATUS(server_stop(30000)), 0);
    free(json);
    free(b64);
    free(img);
}

/* ================================================================================================
 * 20. custom styles: POST /v1/styles, GET /v1/styles/{token}, style "custom:<token>"
 * ================================================================================================ */

#define STYLES "/v1/styles"
#define STYLE_EXAMPLES 50

/* Example i of a made-up warm, faded film look: a seeded random scene (gradients and blocks of grey),
 * then lifted blacks, an orange cast and muted blues, 96x96 PNG. Caller frees. */
static uint8_t *warm_example(int i, size_t *len)
{
    uint64_t s = 0x9e3779b97f4a7c15ULL * (uint64_t)(i + 1);
    float v[6];
    for (int k = 0; k < 6; k++) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        v[k] = (float)(s >> 40) / (float)(1 << 24);
    }
    sb_image_t img = {0};
    sb_error_t e = {0};
    cr_assert_eq(sb_io_init(NULL, &e), SB_OK, "%s", e.message);
    cr_assert_eq(sb_image_alloc(&img, 96, 96, 3, &e), SB_OK, "%s", e.message);
    for (int y = 0; y < 96; y++)
        for (int x = 0; x < 96; x++) {
            float l = v[0] * (float)x / 95.0f + v[1] * (float)y / 95.0f + ((x / 24 + y / 24) % 2 ? v[2] : -v[3]) * 0.3f;
            l = fminf(fmaxf(l, 0.0f), 1.0f) * 0.75f + 0.15f;
            float rgb[3] = {l * 1.05f + 0.08f, l * 0.9f + 0.03f, l * 0.65f + 0.02f + 0.05f * v[4]};
            for (int c = 0; c < 3; c++)
                img.data[(y * 96 + x) * 3 + c] = (uint8_t)lroundf(fminf(fmaxf(rgb[c], 0.0f), 1.0f) * 255.0f);
        }
    uint8_t *png = NULL;
    cr_assert_eq(sb_io_encode(&img, SB_FMT_PNG, 0, &png, len, &e), SB_OK, "%s", e.message);
    sb_image_free(&img);
    return png;
}

/* POST /v1/styles with `n` examples as multipart "image" parts (and `headers`). */
static resp_t post_style(const char *key, uint8_t *const *pngs, const size_t *lens, int n, const char *const *headers)
{
    part_t *parts = calloc((size_t)n, sizeof *parts);
    cr_assert_not_null(parts);
    for (int i = 0; i < n; i++)
        parts[i] = (part_t){"image", pngs[i], lens[i], "example.png", "image/png"};
    resp_t r = http(&(req_t){.path = STYLES, .key = key, .parts = parts, .nparts = n, .headers = headers});
    free(parts);
    return r;
}

/* A completed style: its token, counts and look. */
static void expect_style(const json_t *j, int examples, const char *what)
{
    char *dump = json_dumps(j, JSON_COMPACT);
    const char *token = jstr(j, "style_token");
    cr_assert(token && !strncmp(token, "style_", 6) && strlen(token) > 6, "%s: style_token in %s", what, nz(dump));
    cr_assert_str_eq(nz(jstr(j, "status")), "completed", "%s: %s", what, nz(dump));
    cr_assert_str_eq(nz(jstr(j, "pipeline")), "style", "%s: %s", what, nz(dump));
    cr_assert_eq(jint(j, "examples"), examples, "%s: %s", what, nz(dump));
    cr_assert_eq(jint(j, "used"), examples, "%s: %s", what, nz(dump));
    cr_assert(json_is_integer(json_object_get(j, "learn_ms")), "%s: learn_ms in %s", what, nz(dump));
    json_t *look = json_object_get(j, "look");
    cr_assert_eq(jint(look, "version"), 1, "%s: look in %s", what, nz(dump));
    cr_assert_eq(jint(look, "examples"), examples, "%s: look in %s", what, nz(dump));
    cr_assert_eq(json_array_size(json_object_get(look, "tone")), 17, "%s: look in %s", what, nz(dump));
    free(dump);
}

Test(server, custom_style_learned_and_applied)
{
    begin();
    size_t flen;
    uint8_t *face = load_shared(FACE, &flen);
    char key[64], other[64];
    make_key("t", 10, key, NULL);
    make_key("other", 10, other, NULL);
    server_start(NULL, NULL);
    uint8_t *pngs[STYLE_EXAMPLES];
    size_t lens[STYLE_EXAMPLES];
    for (int i = 0; i < STYLE_EXAMPLES; i++)
        pngs[i] = warm_example(i, &lens[i]);

    /* 49 examples are too few: 400 on images, before anything is learned. */
    resp_t r = post_style(key, pngs, lens, STYLE_EXAMPLES - 1, NULL);
    EXPECT_ERROR(r, 400, "bad_request", "images", "49 examples");
    resp_free(&r);
    /* URLs are refused: the examples must be uploaded. */
    const char *urls[STYLE_EXAMPLES];
    for (int i = 0; i < STYLE_EXAMPLES; i++)
        urls[i] = "\"http://example.com/a.jpg\"";
    char *json = batch_body(urls, STYLE_EXAMPLES, "");
    r = http(&(req_t){.path = STYLES, .key = key, .content_type = "application/json", .body = json,
                      .len = strlen(json)});
    EXPECT_ERROR(r, 400, "bad_request", "images[0]", "URL examples");
    resp_free(&r);
    free(json);

    /* 50 examples: learned synchronously, no charge. */
    r = post_style(key, pngs, lens, STYLE_EXAMPLES, NULL);
    EXPECT_STATUS(r, 200, "50 examples");
    expect_style(r.json, STYLE_EXAMPLES, "POST /v1/styles");
    cr_assert(json_is_integer(json_object_get(r.json, "latency_ms")), "latency_ms in %s", r.body);
    cr_assert_eq(header_long(&r, "X-Credits-Remaining"), 10, "learning is free: %s", r.head);
    char token[64], path[128], custom[96];
    snprintf(token, sizeof token, "%s", jstr(r.json, "style_token"));
    resp_free(&r);

    /* It reads back for its key only. */
    snprintf(path, sizeof path, STYLES "/%s", token);
    r = get(path, key);
    EXPECT_STATUS(r, 200, "GET the style");
    expect_style(r.json, STYLE_EXAMPLES, "GET /v1/styles/{token}");
    cr_assert_str_eq(nz(jstr(r.json, "style_token")), token);
    resp_free(&r);
    r = get(path, other);
    EXPECT_ERROR(r, 404, "not_found", "token", "another key's style");
    resp_free(&r);
    r = get(STYLES "/style_000000000000000000000000", key);
    EXPECT_ERROR(r, 404, "not_found", "token", "an unknown style");
    resp_free(&r);

    /* Applied to an avatar: the corporate headshot with the look over it, still the same person. */
    snprintf(custom, sizeof custom, "custom:%s", token);
    const char *const plain_f[] = {"platform", "linkedin", NULL};
    const char *const custom_f[] = {"platform", "linkedin", "style", custom, NULL};
    resp_t plain = avatar_image(key, face, flen, plain_f, NULL);
    EXPECT_STATUS(plain, 200, "plain corporate avatar");
    r = avatar_image(key, face, flen, custom_f, NULL);
    EXPECT_STATUS(r, 200, "custom style avatar");
    expect_avatar_job(r.json, custom, "linkedin", "studio_light", 800, 0.85, "custom style avatar");
    json_t *params = json_object_get(json_object_get(r.json, "provenance"), "parameters");
    cr_assert_str_eq(nz(jstr(params, "base_style")), "corporate_headshot", "%s", r.body);
    cr_assert_eq(header_long(&r, "X-Credits-Remaining"), 8, "%s", r.head);
    resp_t a = fetch_output(jstr(plain.json, "avatar_url"), "image/png");
    resp_t b = fetch_output(jstr(r.json, "avatar_url"), "image/png");
    double d = mean_abs_diff(&a, &b);
    cr_assert_gt(d, 2.0, "the look changed nothing: %.2f per sample", d);
    resp_free(&a);
    resp_free(&b);
    resp_free(&plain);
    resp_free(&r);

    /* An unknown token and another key's are the same 404 on style, for one avatar and a batch. */
    const char *const unknown_f[] = {"style", "custom:style_000000000000000000000000", NULL};
    r = avatar_image(key, face, flen, unknown_f, NULL);
    EXPECT_ERROR(r, 404, "not_found", "style", "an unknown custom style");
    resp_free(&r);
    r = avatar_image(other, face, flen, custom_f, NULL);
    EXPECT_ERROR(r, 404, "not_found", "style", "another key's custom style");
    resp_free(&r);
    char body[256];
    snprintf(body, sizeof body, "{\"images\":[\"http://127.0.0.1:1/a.jpg\"],\"style\":\"%s\"}", custom);
    r = batch_json(other, body, NULL);
    EXPECT_ERROR(r, 404, "not_found", "style", "another key's custom style in a batch");
    resp_free(&r);
    json_t *acct = account(other);
    cr_assert_eq(jint(acct, "credits"), 10, "refusals are free: %s", json_dumps(acct, 0));
    json_decref(acct);
    expect_healthy("custom styles");

    for (int i = 0; i < STYLE_EXAMPLES; i++)
        free(pngs[i]);
    free(face);
}

/* Learning a style costs 0 credits, so a key with none may learn one (it used to get 402 because the
 * credit check asked every request for at least 1 credit), and is still at 0 afterwards. An avatar, which
 * costs 1, is still refused with 402 for that key. */
Test(server, custom_style_needs_no_credits)
{
    begin();
    char key[64];
    make_key("broke", 0, key, NULL);
    server_start(NULL, NULL);
    uint8_t *pngs[STYLE_EXAMPLES];
    size_t lens[STYLE_EXAMPLES];
    for (int i = 0; i < STYLE_EXAMPLES; i++)
        pngs[i] = warm_example(i, &lens[i]);

    resp_t r = post_style(key, pngs, lens, STYLE_EXAMPLES, NULL);
    EXPECT_STATUS(r, 200, "a style learned by a key with 0 credits");
    expect_style(r.json, STYLE_EXAMPLES, "POST /v1/styles with 0 credits");
    cr_assert_eq(header_long(&r, "X-Credits-Remaining"), 0, "%s", r.head);
    resp_free(&r);
    json_t *acct = account(key);
    cr_assert_eq(jint(acct, "credits"), 0, "%s", json_dumps(acct, 0));
    cr_assert_eq(jint(acct, "credits_used"), 0, "%s", json_dumps(acct, 0));
    json_decref(acct);

    size_t flen;
    uint8_t *face = load_shared(FACE, &flen);
    r = avatar_image(key, face, flen, NULL, NULL);
    EXPECT_ERROR(r, 402, "insufficient_credits", NULL, "an avatar with 0 credits");
    resp_free(&r);
    free(face);
    for (int i = 0; i < STYLE_EXAMPLES; i++)
        free(pngs[i]);
}

/* ---- 21. content safety through the server ---- */

/* No unsafe test image exists (and none may be fetched), so the refusal path is driven by the
 * operator's STROBE_SAFETY_THRESHOLD set so strict that an ordinary portrait exceeds it: the avatar is
 * refused with 422 unsafe_content and nothing is charged, and the default server records its threshold
 * (0.95) in the provenance of a normal avatar. */
Test(server, avatar_unsafe_content_is_refused_without_charge)
{
    begin();
    size_t jlen;
    uint8_t *jpeg = load_shared(FACE, &jlen);
    char key[64];
    make_key("t", 10, key, NULL);
    const char *const strict[] = {"STROBE_SAFETY_THRESHOLD=0.000001", NULL};
    server_start(strict, NULL);
    const char *const fields[] = {"platform", "linkedin", NULL};
    resp_t r = avatar_image(key, jpeg, jlen, fields, NULL);
    EXPECT_ERROR(r, 422, "unsafe_content", "image", "strict threshold");
    cr_assert_eq(header_long(&r, "X-Credits-Remaining"), 10, "%s", r.head);
    cr_assert(!strstr(r.body, "avatar_url"), "%s", r.body);
    resp_free(&r);
    json_t *acct = account(key);
    cr_assert_eq(jint(acct, "credits_used"), 0, "%s", json_dumps(acct, 0));
    json_decref(acct);
    expect_healthy("unsafe content");
    cr_assert_eq(server_stop(30000), 0);

    server_start(NULL, NULL);
    r = avatar_image(key, jpeg, jlen, fields, NULL);
    cr_assert_eq(r.status, 200, "%s", r.body);
    json_t *params = json_object_get(json_object_get(r.json, "provenance"), "parameters");
    cr_assert_float_eq(jnum(params, "safety_threshold"), 0.95, 1e-6, "%s", r.body);
    resp_free(&r);
    free(jpeg);
}
