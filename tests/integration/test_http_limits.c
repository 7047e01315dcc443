/* test_http_limits.c - one client cannot take the server's capacity (issue 12): the real `./strobe serve`
 * (tests/server_harness.h) over raw loopback sockets (tests/raw_client.h; 127.0.0.2 is a second client
 * address): idle connections and requests in flight capped per address while another address is served,
 * and the pixel budget counting the bodies still being read. Runs from the repository root; needs
 * ../shared. */
#include "raw_client.h"

TestSuite(http_limits, .fini = cleanup, .timeout = 120);

/* ================================================================================================
 * 4. one client address cannot take every connection or request
 * ================================================================================================ */

/* GET /healthz on a new connection from `src`: the raw answer (5 s at most). */
static raw_t healthz_from(const char *src)
{
    int fd = raw_connect(src);
    cr_assert_geq(fd, 0, "connect from %s: %s", src, strerror(errno));
    long long t0 = now_ms();
    static const char req[] = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    send(fd, req, sizeof req - 1, MSG_NOSIGNAL);
    raw_t r = raw_read(fd, t0, 5000);
    close(fd);
    return r;
}

/* /healthz from `src` answers 200 within `ms` (retried while the server notices closed sockets). */
static void expect_healthz_from(const char *src, long long ms, const char *what)
{
    long long t0 = now_ms();
    raw_t r = healthz_from(src);
    while (r.status != 200 && now_ms() - t0 < 3000) {
        raw_free(&r);
        sleep_ms(50);
        r = healthz_from(src);
    }
    cr_assert_eq(r.status, 200, "%s: /healthz from %s: status %d after %lld ms: %.300s", what, src, r.status,
                 now_ms() - t0, r.data);
    cr_assert_lt(r.ms, ms, "%s: /healthz from %s took %lld ms", what, src, r.ms);
    raw_free(&r);
}

Test(http_limits, idle_connections_from_one_address_leave_room_for_others)
{
    begin();
    /* Small caps (all test clients are loopback): 8 connections in all, 4 per address. */
    const char *const env[] = {"STROBE_MAX_CONNECTIONS=8", "STROBE_MAX_CONNECTIONS_PER_IP=4", NULL};
    server_start(env, NULL);

    /* 20 idle connections from 127.0.0.1 (never a byte sent). Before the per-address cap they took all
     * 8 slots and every other client waited for the 10 s head deadline to free one. */
    enum { IDLE = 20 };
    int idle[IDLE];
    for (int i = 0; i < IDLE; i++) {
        idle[i] = raw_connect("127.0.0.1");
        cr_assert_geq(idle[i], 0);
    }
    sleep_ms(300);
    /* Another address is served at once. */
    expect_healthz_from("127.0.0.2", 1000, "20 idle connections from 127.0.0.1");
    /* The connections over the cap were closed by the server, promptly. */
    int closed = 0;
    for (int i = 0; i < IDLE; i++) {
        struct pollfd p = {.fd = idle[i], .events = POLLIN};
        if (poll(&p, 1, 0) > 0) {
            char b;
            ssize_t k = recv(idle[i], &b, 1, MSG_DONTWAIT);
            closed += k == 0 || (k < 0 && errno == ECONNRESET);
        }
    }
    cr_assert_geq(closed, IDLE - 4, "only %d of %d idle connections over the cap of 4 were closed", closed, IDLE);
    /* A new connection from the capped address is refused (closed without an answer)... */
    raw_t r = healthz_from("127.0.0.1");
    cr_assert(r.closed && r.status == 0, "a 5th connection from 127.0.0.1 was served: %.300s", r.data);
    raw_free(&r);
    /* ...until its idle connections go. */
    for (int i = 0; i < IDLE; i++)
        close(idle[i]);
    expect_healthz_from("127.0.0.1", 1000, "the idle connections closed");
}

Test(http_limits, requests_in_flight_are_capped_per_address)
{
    begin();
    char key[64];
    make_key("t", 10, key, NULL);
    const char *const env[] = {"STROBE_MAX_REQUESTS_PER_IP=2", NULL};
    server_start(env, NULL);

    /* Two requests from 127.0.0.1 whose bodies never come: both are in flight. */
    int slow[2];
    char head[512];
    snprintf(head, sizeof head,
             "POST /api/v1/ai-headshot HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
             "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{",
             key);
    for (int i = 0; i < 2; i++) {
        slow[i] = raw_connect("127.0.0.1");
        cr_assert_geq(slow[i], 0);
        send(slow[i], head, strlen(head), MSG_NOSIGNAL);
    }
    sleep_ms(300);
    /* A third from the same address: 429 with Retry-After, at once. Another address is served. */
    raw_t r = healthz_from("127.0.0.1");
    EXPECT_RAW_ERROR(r, 429, "rate_limited", "a 3rd request in flight from 127.0.0.1");
    cr_assert_lt(r.ms, 1000, "answered after %lld ms", r.ms);
    const char *ra = strcasestr(r.data, "\r\nRetry-After: ");
    cr_assert(ra && atoi(ra + 15) >= 1, "429 without Retry-After: %.400s", r.data);
    raw_free(&r);
    expect_healthz_from("127.0.0.2", 1000, "2 requests in flight from 127.0.0.1");
    /* When they end, the address may send again. */
    for (int i = 0; i < 2; i++)
        close(slow[i]);
    expect_healthz_from("127.0.0.1", 1000, "the requests in flight ended");
}

/* ================================================================================================
 * the pixel budget counts the bodies being read (docs/internals/jobs.md, "Admission")
 * ================================================================================================ */

/* strobe_pixels_in_flight from /metrics. */
static long long pixels_in_flight(void)
{
    resp_t m = get("/metrics", NULL);
    EXPECT_STATUS(m, 200, "/metrics");
    const char *v = strstr(m.body, "\nstrobe_pixels_in_flight ");
    cr_assert_not_null(v, "no strobe_pixels_in_flight in /metrics");
    long long n = atoll(v + 25);
    resp_free(&m);
    return n;
}

/* Wait (up to 10 s) until strobe_pixels_in_flight is `want`: a synchronisation with the server's threads,
 * not a timing assertion. */
static void expect_pixels_in_flight(long long want, const char *what)
{
    long long t0 = now_ms(), n;
    while ((n = pixels_in_flight()) != want && now_ms() - t0 < 10000)
        sleep_ms(20);
    cr_assert_eq(n, want, "%s: strobe_pixels_in_flight %lld, expected %lld", what, n, want);
}

Test(http_limits, pixel_budget_counts_bodies_being_read)
{
    begin();
    char key[64];
    make_key("t", 10, key, NULL);
    size_t len;
    uint8_t *img = load_shared(FACE, &len); /* 1000x1500: 1.5 MP */
    /* A budget under one photo: a photo alone is always admitted, a second is not while the first holds any. */
    const char *const env[] = {"STROBE_PIXEL_BUDGET=1000000", NULL};
    const char *const args[] = {"--workers", "1", NULL};
    server_start(env, args);
    expect_pixels_in_flight(0, "idle");

    /* A: a headshot whose body is half sent. From its head it holds the nominal 12 MP of an upload. */
    const char *boundary = "strobe-budget-test";
    char part_head[256], head[512];
    int ph = snprintf(part_head, sizeof part_head,
                      "--%s\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.jpg\"\r\n"
                      "Content-Type: image/jpeg\r\n\r\n",
                      boundary);
    char tail[64];
    int tl = snprintf(tail, sizeof tail, "\r\n--%s--\r\n", boundary);
    snprintf(head, sizeof head,
             "POST /api/v1/ai-headshot HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"
             "Content-Type: multipart/form-data; boundary=%s\r\nContent-Length: %zu\r\n\r\n",
             key, boundary, (size_t)ph + len + (size_t)tl);
    int a = raw_connect(NULL);
    cr_assert_geq(a, 0);
    send_all(a, head, strlen(head));
    send_all(a, part_head, (size_t)ph);
    send_all(a, img, len / 2);
    expect_pixels_in_flight(12000000, "a body being read");

    /* B, the same request whole, while A's body is read: 503 with Retry-After, decided from its head. */
    resp_t b = post_image(key, img, len, NULL, NULL);
    EXPECT_ERROR(b, 503, "overloaded", NULL, "a second upload while one is read");
    cr_assert_geq(header_long(&b, "Retry-After"), 1, "503 without Retry-After: %s", b.head);
    resp_free(&b);

    /* A's body completes: its 1.5 MP job (over the 1 MP budget, but alone) runs and is answered. */
    long long t0 = now_ms();
    send_all(a, img + len / 2, len - len / 2);
    send_all(a, tail, (size_t)tl);
    raw_t ra = raw_read(a, t0, 60000);
    close(a);
    cr_assert_eq(ra.status, 200, "the first upload: %.600s", ra.data);
    cr_assert_str_eq(nz(jstr(ra.json, "status")), "completed", "%s", ra.body);
    raw_free(&ra);
    expect_pixels_in_flight(0, "after the first upload was answered");

    /* Then B is served. Only the two that ran were charged. */
    resp_t b2 = post_image(key, img, len, NULL, NULL);
    expect_headshot_ok(&b2, "the second upload, retried");
    resp_free(&b2);
    json_t *acct = account(key);
    cr_assert_eq(jint(acct, "credits_used"), 2);
    json_decref(acct);
    free(img);
}
