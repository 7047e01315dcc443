/* test_server_ops.c - the server as an operator runs it, end to end with the real `./strobe serve`
 * (tests/server_harness.h): `kill -9` mid-job then a restart completes the job once, uploaded bytes never
 * reach the disk, slow clients are cut, 503 when the queue is full, the operations routes, SIGTERM
 * finishing the request in flight.
 *
 * Runs from the repository root (./strobe); needs ../shared (models, test photos) or skips. */
#include "server_harness.h"
#include "strobe.h"

TestSuite(ops, .fini = cleanup, .timeout = 120);

/* ================================================================================================
 * 10. crash recovery
 * ================================================================================================ */

Test(ops, crash_recovery_completes_a_url_job_once)
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
 * 13. uploaded bytes never reach the disk
 * ================================================================================================ */

Test(ops, uploaded_bytes_never_touch_the_disk)
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

Test(ops, slow_clients_are_cut)
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

Test(ops, admission_503_when_the_queue_is_full)
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

Test(ops, ops_routes_and_not_found)
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

Test(ops, sigterm_finishes_the_request_in_flight)
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
