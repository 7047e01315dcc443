/* test_custom_styles.c - POST /v1/styles, GET /v1/styles/{token} and the style "custom:<token>" end to
 * end with the real `./strobe serve` (tests/server_harness.h, tests/avatar_harness.h): a look learned from
 * examples and applied, learning free of credits.
 *
 * Runs from the repository root (./strobe); needs ../shared (models, test photos) or skips. */
#include "avatar_harness.h"

TestSuite(custom_styles, .fini = cleanup, .timeout = 180);

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

Test(custom_styles, custom_style_learned_and_applied)
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
Test(custom_styles, custom_style_needs_no_credits)
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
