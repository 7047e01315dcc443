/* test_http_hardening.c - no client can take the server down (issue 12): each test starts the real
 * `./strobe serve` (tests/server_harness.h) and attacks it over raw loopback sockets the way a broken
 * or hostile client would: an exclusive listen address, bytes that are not UTF-8, broken framing,
 * big keyless bodies (per-address limits and the pixel budget: test_http_limits.c). Every answer must be prompt, valid JSON with
 * the right status, and the server must stay healthy and small.
 *
 * A second client address is 127.0.0.2 (all of 127/8 is loopback on Linux): the socket is bound to it
 * before connecting to the server on 127.0.0.1. Runs from the repository root; needs ../shared. */
#include "raw_client.h"

TestSuite(http_hardening, .fini = cleanup, .timeout = 120);

/* ================================================================================================
 * 6. the listen address is exclusive
 * ================================================================================================ */

Test(http_hardening, second_server_on_the_same_address_exits)
{
    begin();
    server_start(NULL, NULL);
    char cmd[2048], errlog[400], data2[400];
    snprintf(errlog, sizeof errlog, "%s/second.log", S.tmp);
    snprintf(data2, sizeof data2, "%s/data2", S.tmp);
    snprintf(cmd, sizeof cmd,
             "STROBE_MODELS='%s/models' timeout 30 ./strobe serve --listen 127.0.0.1:%d --data '%s' --workers 1 "
             "2>'%s' >/dev/null",
             tu_shared_dir(), S.port, data2, errlog);
    long long t0 = now_ms();
    int st = system(cmd);
    char *text = read_text_file(errlog);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) != 0 && WEXITSTATUS(st) != 124,
              "a second server on 127.0.0.1:%d: status %d after %lld ms (it served), stderr %s", S.port, st,
              now_ms() - t0, text);
    /* One JSON error line that names the address. */
    json_t *j = json_loads(text, JSON_DISABLE_EOF_CHECK, NULL);
    cr_assert(json_is_object(j), "stderr is not a JSON error: %s", text);
    char addr[64];
    snprintf(addr, sizeof addr, "127.0.0.1:%d", S.port);
    cr_assert(strstr(text, addr) && strstr(text, "in use"), "the error does not name %s: %s", addr, text);
    json_decref(j);
    free(text);
    expect_healthy("a refused second server");
}

/* ================================================================================================
 * 7. bytes that are not UTF-8
 * ================================================================================================ */

/* A raw request whose answer must be `status` with error `code`, and whose head names no other. */
static void expect_raw(const char *what, const void *req, size_t len, int status, const char *code)
{
    raw_t r = raw_request(req, len, 5000);
    EXPECT_RAW_ERROR(r, status, code, what);
    raw_free(&r);
}

Test(http_hardening, invalid_utf8_gets_json_errors_and_clean_metrics)
{
    begin();
    char key[64];
    make_key("t", 10, key, NULL);
    server_start(NULL, NULL);
    char req[4096];

    /* In the path, raw and percent-encoded: 404, whatever the bytes. */
    static const char raw_path[] = "GET /heal\xffthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    expect_raw("raw 0xff in the path", raw_path, sizeof raw_path - 1, 404, "not_found");
    static const char pct_path[] = "GET /v1/%FF%C3%28 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    expect_raw("%FF in the path", pct_path, sizeof pct_path - 1, 404, "not_found");
    /* A long path of two-byte characters: the message quoting it is cut mid-character. */
    char path[600] = "/";
    for (int i = 0; i < 140; i++)
        strcat(path, "\xc3\xa9");
    snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", path);
    expect_raw("a path of 140 x U+00E9", req, strlen(req), 404, "not_found");

    /* In the method: not a method at all. */
    static const char raw_method[] = "G\xffT /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    expect_raw("0xff in the method", raw_method, sizeof raw_method - 1, 400, "bad_request");
    static const char long_method[] = "GETGETGETGETGETGETGET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    expect_raw("a 21-character method", long_method, sizeof long_method - 1, 400, "bad_request");

    /* In a JSON string: a stray byte, and a character cut by the end of the body. */
    static const char *const bodies[] = {"{\"image_url\":\"http://x/\xff\"}", "{\"image_url\":\"http://x/\xe2\x82\"}",
                                         "{\"image_url\":\"\xc3"};
    for (int i = 0; i < 3; i++) {
        snprintf(req, sizeof req,
                 "POST /api/v1/ai-headshot HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer %s\r\n"
                 "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
                 key, strlen(bodies[i]), bodies[i]);
        expect_raw(bodies[i], req, strlen(req), 400, "bad_request");
    }

    /* In a multipart text field, and in a multipart field name. */
    static const char *const parts[] = {"Content-Disposition: form-data; name=\"image_url\"\r\n\r\nhttp://x/\xff\xfe",
                                        "Content-Disposition: form-data; name=\"\xff\xfe\"\r\n\r\nx"};
    for (int i = 0; i < 2; i++) {
        char body[512];
        snprintf(body, sizeof body, "--BB\r\n%s\r\n--BB--\r\n", parts[i]);
        snprintf(req, sizeof req,
                 "POST /api/v1/ai-headshot HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer %s\r\n"
                 "Content-Type: multipart/form-data; boundary=BB\r\nContent-Length: %zu\r\n\r\n%s",
                 key, strlen(body), body);
        expect_raw(parts[i], req, strlen(req), 400, "bad_request");
    }

    /* /metrics is UTF-8, and made-up methods are one "other" label. */
    resp_t m = get("/metrics", NULL);
    EXPECT_STATUS(m, 200, "/metrics");
    cr_assert(sb_utf8_valid(m.body, m.len), "/metrics is not UTF-8");
    for (const char *l = strstr(m.body, "method=\""); l; l = strstr(l + 1, "method=\"")) {
        const char *v = l + 8;
        bool ok = false;
        static const char *const labels[] = {"GET\"", "POST\"", "other\""};
        for (int i = 0; i < 3; i++)
            ok = ok || !strncmp(v, labels[i], strlen(labels[i]));
        cr_assert(ok, "a method label that is not a method: %.40s", l);
    }
    cr_assert(strstr(m.body, "method=\"other\""), "the bad methods are not counted as \"other\": %.2000s", m.body);
    resp_free(&m);
    expect_healthy("bytes that are not UTF-8");
}

/* ================================================================================================
 * 11. framing: chunk sizes, query arguments, Content-Length
 * ================================================================================================ */

Test(http_hardening, broken_framing_is_refused_at_once)
{
    begin();
    char key[64];
    make_key("t", 10, key, NULL);
    server_start(NULL, NULL);
    char req[16384];

    /* A chunk announced at 2^64-1 bytes, with a few of them sent: refused from the head, at once (no
     * waiting for the body deadline), and the connection is closed. */
    snprintf(req, sizeof req,
             "POST /api/v1/ai-headshot HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
             "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n{\"image\":",
             key);
    raw_t r = raw_text(req, 5000);
    EXPECT_RAW_ERROR(r, 411, "length_required", "a chunk of 2^64-1 bytes");
    cr_assert_lt(r.ms, 1000, "answered after %lld ms", r.ms);
    raw_free(&r);
    /* Both Transfer-Encoding and Content-Length (request smuggling). */
    static const char both[] = "POST /api/v1/ai-headshot HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                               "Content-Length: 5\r\n\r\n0\r\n\r\n";
    r = raw_text(both, 5000);
    EXPECT_RAW_ERROR(r, 400, "bad_request", "Transfer-Encoding and Content-Length");
    raw_free(&r);

    /* Two Content-Length headers, different or not. */
    snprintf(req, sizeof req,
             "POST /api/v1/ai-headshot HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
             "Content-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 40\r\n\r\n{}",
             key);
    r = raw_text(req, 5000);
    EXPECT_RAW_ERROR(r, 400, "bad_request", "Content-Length 2 and 40");
    cr_assert(strstr(nz(jstr(json_object_get(r.json, "error"), "message")), "Content-Length"), "%s", r.body);
    cr_assert_lt(r.ms, 1000, "answered after %lld ms", r.ms);
    raw_free(&r);
    static const char same[] = "GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nContent-Length: 0\r\n\r\n";
    r = raw_text(same, 5000);
    EXPECT_RAW_ERROR(r, 400, "bad_request", "Content-Length 0 twice");
    raw_free(&r);

    /* ~1000 query arguments: 414 with a JSON error, at once; 64 are still fine. */
    static const int too_many[] = {1000, 200, 65};
    for (int k = 0; k < 3; k++) {
        char *p = req + snprintf(req, sizeof req, "GET /healthz?");
        for (int i = 0; i < too_many[k]; i++)
            p += snprintf(p, 16, "%sa%d=%d", i ? "&" : "", i % 100, i % 10);
        snprintf(p, 64, " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        r = raw_text(req, 5000);
        char what[64];
        snprintf(what, sizeof what, "%d query arguments", too_many[k]);
        EXPECT_RAW_ERROR(r, 414, "uri_too_long", what);
        cr_assert_lt(r.ms, 1000, "%s: answered after %lld ms", what, r.ms);
        raw_free(&r);
    }
    char *p = req + snprintf(req, sizeof req, "GET /healthz?");
    for (int i = 0; i < 64; i++)
        p += snprintf(p, 16, "%sa%d=1", i ? "&" : "", i);
    snprintf(p, 64, " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    r = raw_text(req, 5000);
    cr_assert_eq(r.status, 200, "64 query arguments: %.300s", r.data);
    raw_free(&r);
    expect_healthy("broken framing");
}

/* ================================================================================================
 * 3. no body is read before the key is known
 * ================================================================================================ */

/* The server's peak resident memory so far (VmHWM), in bytes. */
static long long server_peak_rss(void)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/status", (int)S.pid);
    char *text = read_text_file(path);
    const char *l = strstr(text, "VmHWM:");
    long long kb = l ? atoll(l + 6) : -1;
    free(text);
    cr_assert_gt(kb, 0, "no VmHWM in %s", path);
    return kb * 1024;
}

#define KEYLESS_CONNS 16
#define KEYLESS_BODY (20LL << 20)

Test(http_hardening, keyless_big_bodies_are_read_at_most_two_at_a_time)
{
    begin();
    char key[64];
    make_key("t", 10, key, NULL);
    server_start(NULL, NULL);
    expect_healthy("start");
    long long peak0 = server_peak_rss();

    /* 16 clients each announce a 20 MB portrait request without a key header and start sending it (the
     * body must be read into memory before its apiKey can be checked). At most SB_API_KEYLESS_UPLOADS_MAX (2)
     * are read; every other one gets 503 with Retry-After at once, its body unread, so the server's peak
     * memory grows by about two bodies, not sixteen. */
    static char block[65536];
    memset(block, ' ', sizeof block);
    int fd[KEYLESS_CONNS];
    long long sent[KEYLESS_CONNS] = {0};
    raw_t ans[KEYLESS_CONNS];
    bool done[KEYLESS_CONNS] = {0};
    char head[256];
    snprintf(head, sizeof head,
             "POST /api/generate-portrait HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
             "Content-Length: %lld\r\n\r\n{\"prompt\":\"",
             KEYLESS_BODY);
    long long t0 = now_ms();
    for (int i = 0; i < KEYLESS_CONNS; i++) {
        fd[i] = raw_connect(NULL);
        cr_assert_geq(fd[i], 0);
        send(fd[i], head, strlen(head), MSG_NOSIGNAL);
    }
    sleep_ms(200); /* answers decided from the head are in by now: read them before sending more */
    int left = KEYLESS_CONNS;
    while (left > 0 && now_ms() - t0 < 20000) {
        for (int i = 0; i < KEYLESS_CONNS; i++) {
            if (done[i])
                continue;
            struct pollfd p = {.fd = fd[i], .events = POLLIN | (sent[i] < KEYLESS_BODY ? POLLOUT : 0)};
            if (poll(&p, 1, 0) <= 0)
                continue;
            if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
                ans[i] = raw_read(fd[i], now_ms(), 5000);
                ans[i].ms = now_ms() - t0;
                done[i] = true;
                left--;
                close(fd[i]);
            } else if (p.revents & POLLOUT) {
                ssize_t k = send(fd[i], block, sizeof block, MSG_NOSIGNAL | MSG_DONTWAIT);
                if (k > 0)
                    sent[i] += k;
            }
        }
    }
    cr_assert_eq(left, 0, "%d of %d clients got no answer in 20 s", left, KEYLESS_CONNS);
    long long peak = server_peak_rss();
    int refused = 0;
    for (int i = 0; i < KEYLESS_CONNS; i++) {
        if (ans[i].status == 503) {
            EXPECT_RAW_ERROR(ans[i], 503, "overloaded", "a keyless 20 MB portrait request over the slots");
            cr_assert_not_null(strcasestr(ans[i].data, "Retry-After:"), "no Retry-After: %.300s", ans[i].data);
            cr_assert_lt(ans[i].ms, 2000, "client %d answered after %lld ms", i, ans[i].ms);
            cr_assert_lt(sent[i], KEYLESS_BODY / 4, "client %d could send %lld bytes before its 503", i, sent[i]);
            refused++;
        } else {
            /* read whole, then refused for what it holds (no apiKey, and not even valid JSON) */
            cr_assert(ans[i].status == 400 || ans[i].status == 401, "client %d: %.300s", i, ans[i].data);
        }
        raw_free(&ans[i]);
    }
    cr_assert_geq(refused, KEYLESS_CONNS - 2, "only %d of %d keyless uploads were refused at once", refused,
                  KEYLESS_CONNS);
    /* Two bodies, each held as its buffer (doubled while it grows) and the JSON parser's copy: about 3 x 20 MB
     * each at the worst moment; sixteen would be over 900 MB. */
    cr_assert_lt(peak - peak0, 8 * KEYLESS_BODY, "the server's peak memory grew by %lld MB (from %lld MB)",
                 (peak - peak0) >> 20, peak0 >> 20);

    /* A small keyless body still authenticates with apiKey (here: then refused for its missing image);
     * a small body with an unknown apiKey is 401 on apiKey. */
    char body[256];
    snprintf(body, sizeof body, "{\"apiKey\":\"%s\",\"prompt\":\"warm\"}", key);
    resp_t r = http(&(req_t){.path = "/api/generate-portrait", .content_type = "application/json", .body = body,
                             .len = strlen(body)});
    EXPECT_ERROR(r, 400, "bad_request", "inputImages", "a small keyless body with apiKey");
    resp_free(&r);
    snprintf(body, sizeof body, "{\"apiKey\":\"sb_0000000000000000000000000000000000000000\",\"prompt\":\"warm\"}");
    r = http(&(req_t){.path = "/api/generate-portrait", .content_type = "application/json", .body = body,
                      .len = strlen(body)});
    EXPECT_ERROR(r, 401, "unauthorized", "apiKey", "a small body with an unknown apiKey");
    resp_free(&r);
    expect_healthy("keyless big bodies");
}
