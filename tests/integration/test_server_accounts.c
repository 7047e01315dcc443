/* test_server_accounts.c - what a client is charged and allowed, end to end with the real `./strobe serve`
 * (tests/server_harness.h): credits charged for delivered outputs only, the rate limit's 429 and headers,
 * signed webhooks and their retries, idempotency keys replayed and in conflict.
 *
 * Runs from the repository root (./strobe); needs ../shared (models, test photos) or skips. */
#include "server_harness.h"

TestSuite(accounts, .fini = cleanup, .timeout = 120);

/* ================================================================================================
 * 8. credits
 * ================================================================================================ */

Test(accounts, credits_are_charged_for_successes_only)
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

Test(accounts, rate_limit_429_with_headers)
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

Test(accounts, webhooks_signed_and_retried)
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

Test(accounts, idempotency_key_replays_and_conflicts)
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
