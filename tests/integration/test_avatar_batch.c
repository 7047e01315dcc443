/* test_avatar_batch.c - POST /v1/avatar/batch and GET /v1/avatar/batch/{id} end to end with the real
 * `./strobe serve` (tests/server_harness.h, tests/avatar_harness.h): uploads sharing one look, URLs and
 * multipart, refusals, a batch resumed after `kill -9`.
 *
 * Runs from the repository root (./strobe); needs ../shared (models, test photos) or skips. */
#include "avatar_harness.h"

TestSuite(avatar_batch, .fini = cleanup, .timeout = 180);

/* ================================================================================================
 * 20. avatar batches: POST /v1/avatar/batch, GET /v1/avatar/batch/{id}
 * ================================================================================================ */

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

Test(avatar_batch, avatar_batch_of_uploads_shares_one_look)
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

Test(avatar_batch, avatar_batch_from_urls_and_multipart)
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

Test(avatar_batch, avatar_batch_refusals)
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
Test(avatar_batch, avatar_batch_resumes_after_a_crash)
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
