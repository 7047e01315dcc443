/* test_avatar_api.c - POST /v1/avatar/generate end to end with the real `./strobe serve`
 * (tests/server_harness.h, tests/avatar_harness.h): sync and async answers with every result field, bad
 * options named, failures cost nothing, the likeness QA's retries reported, unsafe content refused.
 *
 * Runs from the repository root (./strobe); needs ../shared (models, test photos) or skips. */
#include "avatar_harness.h"

TestSuite(avatar_api, .fini = cleanup, .timeout = 180);

/* ================================================================================================
 * 18. avatars: POST /v1/avatar/generate (no anime here: CartoonGAN is slow)
 * ================================================================================================ */

Test(avatar_api, avatar_generate_sync)
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

Test(avatar_api, avatar_bad_options)
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

Test(avatar_api, avatar_failures_cost_nothing)
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

Test(avatar_api, avatar_async)
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
Test(avatar_api, avatar_qa_retries_are_reported)
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

/* ---- 21. content safety through the server ---- */

/* No unsafe test image exists (and none may be fetched), so the refusal path is driven by the
 * operator's STROBE_SAFETY_THRESHOLD set so strict that an ordinary portrait exceeds it: the avatar is
 * refused with 422 unsafe_content and nothing is charged, and the default server records its threshold
 * (0.95) in the provenance of a normal avatar. */
Test(avatar_api, avatar_unsafe_content_is_refused_without_charge)
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
