/* test_portrait_api.c - POST /api/generate-portrait (contract S2) and the template library
 * (/v1/templates) through the real `./strobe serve` on loopback, with the real models and photos of
 * ../shared: data URIs in and out, the seed drawn and returned, byte-identical reruns, the two ways to
 * send the key, every validation error of the contract, credits (one per image, none on failure),
 * templates per key (isolation, built-ins read-only) applied to portraits and to avatars. Outputs are
 * small (512 px) and few, to keep the run to a couple of minutes on 2 cores. */
#include "server_harness.h"

TestSuite(portrait_api, .fini = cleanup, .timeout = 180);

/* A photo this wide keeps the requests small and the tests quick. */
#define KEYLESS_WIDTH 400

/* The reference photo as a data URI (malloc'd): the file itself, or (width > 0) made that wide as a
 * JPEG of quality 80. */
static char *face_data_uri(int width)
{
    size_t len;
    uint8_t *img = load_shared(FACE, &len);
    if (width > 0) {
        VipsImage *t = NULL;
        void *small = NULL;
        cr_assert_eq(vips_thumbnail_buffer(img, len, &t, width, NULL), 0, "%s", vips_error_buffer());
        cr_assert_eq(vips_jpegsave_buffer(t, &small, &len, "Q", 80, NULL), 0, "%s", vips_error_buffer());
        g_object_unref(t);
        free(img);
        img = malloc(len);
        memcpy(img, small, len);
        g_free(small);
    }
    char *b64 = base64(img, len);
    free(img);
    char *uri = malloc(strlen(b64) + 32);
    cr_assert_not_null(uri);
    sprintf(uri, "data:image/jpeg;base64,%s", b64);
    free(b64);
    return uri;
}

/* A portrait request body: the face as the one input image, 512x512, one sample, `prompt` and `seed`;
 * the caller adds or removes fields. New reference. */
static json_t *request(const char *face, const char *prompt, json_int_t seed)
{
    json_t *b = json_pack("{s:[s], s:i, s:i, s:i}", "inputImages", face, "outputImageWidth", 512,
                          "outputImageHeight", 512, "sampleNumber", 1);
    if (prompt)
        json_object_set_new(b, "prompt", json_string(prompt));
    if (seed)
        json_object_set_new(b, "seed", json_integer(seed));
    return b;
}

/* POST `body` (stolen) to `path` as JSON, with `key` as Bearer when not NULL. */
static resp_t post_to(const char *path, const char *key, json_t *body)
{
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    resp_t r = http(&(req_t){.path = path, .key = key, .content_type = "application/json", .body = text,
                             .len = strlen(text), .timeout_ms = 120000});
    free(text);
    return r;
}

static resp_t portrait(const char *key, json_t *body)
{
    return post_to("/api/generate-portrait", key, body);
}

static resp_t del(const char *path, const char *key)
{
    return http(&(req_t){.method = "DELETE", .path = path, .key = key});
}

static long long credits_of(const char *key)
{
    json_t *a = account(key);
    long long c = jint(a, "credits");
    json_decref(a);
    return c;
}

/* Decode a "data:image/jpeg;base64,..." output: a JPEG of w x h. */
static void expect_jpeg_uri(const char *uri, int w, int h, const char *what)
{
    const char *prefix = "data:image/jpeg;base64,";
    cr_assert(uri && !strncmp(uri, prefix, strlen(prefix)), "%s: not a JPEG data URI: %.60s", what, nz(uri));
    const char *b64 = uri + strlen(prefix);
    size_t n = strlen(b64);
    uint8_t *bytes = malloc(n / 4 * 3 + 3);
    int len = EVP_DecodeBlock(bytes, (const unsigned char *)b64, (int)n);
    cr_assert_gt(len, 3, "%s: bad base64", what);
    cr_assert(bytes[0] == 0xff && bytes[1] == 0xd8 && bytes[2] == 0xff, "%s: no JPEG signature", what);
    VipsImage *img = vips_image_new_from_buffer(bytes, (size_t)len, "", NULL);
    cr_assert_not_null(img, "%s: libvips cannot decode it: %s", what, vips_error_buffer());
    cr_assert_eq(vips_image_get_width(img), w, "%s: width %d", what, vips_image_get_width(img));
    cr_assert_eq(vips_image_get_height(img), h, "%s: height %d", what, vips_image_get_height(img));
    g_object_unref(img);
    free(bytes);
}

static void start(void)
{
    begin();
    cr_assert_eq(VIPS_INIT("test_portrait_api"), 0);
    server_start(NULL, NULL);
}

Test(portrait_api, a_data_uri_makes_samples_with_a_drawn_seed_and_reruns_byte_identical)
{
    start();
    char key[64], id[64];
    make_key("portraits", 20, key, id);
    char *face = face_data_uri(KEYLESS_WIDTH);

    /* The key in the body, no Authorization header; seed -1 is drawn by the server. */
    json_t *b = request(face, "studio light, blue background, warm", -1);
    json_object_set_new(b, "apiKey", json_string(key));
    json_object_set_new(b, "sampleNumber", json_integer(2));
    json_object_set_new(b, "outputImageHeight", json_integer(640));
    resp_t r = portrait(NULL, b);
    EXPECT_STATUS(r, 200, "portrait, key in the body");
    json_t *images = json_object_get(r.json, "outputImages");
    cr_assert_eq(json_array_size(images), 2, "%s", r.body);
    for (size_t i = 0; i < 2; i++)
        expect_jpeg_uri(json_string_value(json_array_get(images, i)), 512, 640, "sample");
    cr_assert_str_neq(json_string_value(json_array_get(images, 0)), json_string_value(json_array_get(images, 1)),
                      "the two samples are the same image");
    json_int_t seed = json_integer_value(json_object_get(r.json, "seed"));
    cr_assert(seed >= 1 && seed <= 4294967295LL, "seed %lld", (long long)seed);
    json_t *seeds = json_object_get(r.json, "seeds");
    cr_assert_eq(json_array_size(seeds), 2);
    cr_assert_eq(json_integer_value(json_array_get(seeds, 0)), seed);
    cr_assert_eq(json_integer_value(json_array_get(seeds, 1)), seed + 1);
    json_t *likeness = json_object_get(r.json, "likenessScores");
    cr_assert_eq(json_array_size(likeness), 2, "%s", r.body);
    for (size_t i = 0; i < 2; i++) {
        double l = json_number_value(json_array_get(likeness, i));
        cr_assert(l > 0.3 && l <= 1.0, "likeness %f: the person is kept at identityScale 0.8", l);
    }
    cr_assert(json_is_array(json_object_get(r.json, "ignoredTerms")), "%s", r.body);
    cr_assert_eq(json_array_size(json_object_get(r.json, "ignoredTerms")), 0, "%s", r.body);
    cr_assert(json_is_object(json_object_get(r.json, "style")));
    cr_assert_eq(credits_of(key), 18, "two images cost two credits");
    char *first = strdup(json_string_value(json_array_get(images, 0)));
    resp_free(&r);

    /* The same request with that seed and the Bearer header: the first image again, byte for byte. */
    b = request(face, "studio light, blue background, warm", seed);
    json_object_set_new(b, "outputImageHeight", json_integer(640));
    r = portrait(key, b);
    EXPECT_STATUS(r, 200, "portrait, Bearer key");
    images = json_object_get(r.json, "outputImages");
    cr_assert_eq(json_array_size(images), 1);
    cr_assert_str_eq(json_string_value(json_array_get(images, 0)), first, "a rerun is not byte-identical");
    cr_assert_eq(json_integer_value(json_object_get(r.json, "seed")), seed);
    cr_assert_eq(credits_of(key), 17);
    resp_free(&r);

    /* Both, naming the same key, is fine; unknown words come back in ignoredTerms. */
    b = request(face, "warm, flibbertigibbet", 7);
    json_object_set_new(b, "apiKey", json_string(key));
    r = portrait(key, b);
    EXPECT_STATUS(r, 200, "portrait, Bearer and the same apiKey");
    json_t *ignored = json_object_get(r.json, "ignoredTerms");
    cr_assert_eq(json_array_size(ignored), 1, "%s", r.body);
    cr_assert_str_eq(json_string_value(json_array_get(ignored, 0)), "flibbertigibbet");
    resp_free(&r);
    free(first);
    free(face);
}

Test(portrait_api, the_key_comes_from_the_header_or_the_body_and_credits_are_checked_first)
{
    start();
    char key[64], other[64], poor[64], id[64];
    make_key("a", 5, key, id);
    make_key("b", 5, other, id);
    make_key("poor", 1, poor, id);
    char *face = face_data_uri(KEYLESS_WIDTH);

    resp_t r = portrait(NULL, request(face, "warm", 3));
    EXPECT_ERROR(r, 401, "unauthorized", "apiKey", "no key at all");
    resp_free(&r);
    json_t *b = request(face, "warm", 3);
    json_object_set_new(b, "apiKey", json_string("sb_0000000000000000000000000000000000000000"));
    r = portrait(NULL, b);
    EXPECT_ERROR(r, 401, "unauthorized", "apiKey", "an unknown apiKey");
    resp_free(&r);
    r = portrait("sb_0000000000000000000000000000000000000000", request(face, "warm", 3));
    EXPECT_ERROR(r, 401, "unauthorized", "Authorization", "an unknown Bearer key");
    resp_free(&r);
    b = request(face, "warm", 3);
    json_object_set_new(b, "apiKey", json_string(other));
    r = portrait(key, b);
    EXPECT_ERROR(r, 400, "bad_request", "apiKey", "a Bearer key and a different apiKey");
    resp_free(&r);
    b = request(face, "warm", 3);
    json_object_set_new(b, "apiKey", json_integer(5));
    r = portrait(NULL, b);
    EXPECT_ERROR(r, 400, "bad_request", "apiKey", "apiKey not a string");
    resp_free(&r);
    /* The S2 contract as written: the whole photo and apiKey in one body, no key header. */
    char *big = face_data_uri(0);
    cr_assert_gt(strlen(big), 256 * 1024, "the photo is meant to be a real, large one");
    b = request(big, "warm", 3);
    json_object_set_new(b, "apiKey", json_string(other));
    r = portrait(NULL, b);
    EXPECT_STATUS(r, 200, "apiKey in a body with a full-size photo");
    resp_free(&r);
    cr_assert_eq(credits_of(other), 4, "one image, one credit");
    free(big);

    /* 1 credit, 2 samples: refused before any work, nothing charged. */
    b = request(face, "warm", 3);
    json_object_set_new(b, "apiKey", json_string(poor));
    json_object_set_new(b, "sampleNumber", json_integer(2));
    r = portrait(NULL, b);
    EXPECT_ERROR(r, 402, "insufficient_credits", NULL, "2 samples on 1 credit");
    resp_free(&r);
    cr_assert_eq(credits_of(poor), 1);
    cr_assert_eq(credits_of(key), 5);
    cr_assert_eq(credits_of(other), 4);
    free(face);
}

Test(portrait_api, every_bad_field_is_a_400_naming_it_and_costs_nothing)
{
    start();
    char key[64], id[64];
    make_key("v", 10, key, id);
    char *face = face_data_uri(0);
    static const struct {
        const char *field, *json; /* the field's value as JSON; NULL json removes the field */
        int status;
        const char *code;
    } cases[] = {
        {"sampleNumber", "0", 400, "bad_request"},        {"sampleNumber", "9", 400, "bad_request"},
        {"sampleNumber", "2.5", 400, "bad_request"},      {"identityScale", "1.5", 400, "bad_request"},
        {"identityScale", "-0.1", 400, "bad_request"},    {"identityScale", "\"0.5\"", 400, "bad_request"},
        {"outputImageWidth", "300", 400, "bad_request"},  {"outputImageWidth", "2025", 400, "bad_request"},
        {"outputImageHeight", "511", 400, "bad_request"}, {"seed", "0", 400, "bad_request"},
        {"seed", "2.5", 400, "bad_request"},              {"seed", "\"7\"", 400, "bad_request"},
        {"seed", "-2", 400, "bad_request"},               {"seed", "4294967296", 400, "bad_request"},
        {"prompt", "5", 400, "bad_request"},              {"inputImages", "[]", 400, "bad_request"},
        {"inputImages", "null", 400, "bad_request"},      {"inputImages", "\"abc\"", 400, "bad_request"},
        {"inputImages", "[42]", 400, "bad_request"},      {"inputImages", "[\"!!notbase64!!\"]", 400, "bad_request"},
        {"inputImages", "[\"http://127.0.0.1/x.jpg\"]", 400, "bad_request"},
        {"template", "\"no-such-template\"", 404, "not_found"},
        {"template", "7", 400, "bad_request"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *b = request(face, "warm", 3);
        json_object_set_new(b, cases[i].field, json_loads(cases[i].json, JSON_DECODE_ANY, NULL));
        char what[160];
        snprintf(what, sizeof what, "%s = %s", cases[i].field, cases[i].json);
        resp_t r = portrait(key, b);
        EXPECT_ERROR(r, cases[i].status, cases[i].code, cases[i].field, what);
        resp_free(&r);
    }
    /* Two reference images. */
    json_t *b = request(face, "warm", 3);
    json_array_append_new(json_object_get(b, "inputImages"), json_string(face));
    resp_t r = portrait(key, b);
    EXPECT_ERROR(r, 400, "bad_request", "inputImages", "two input images");
    resp_free(&r);
    /* No inputImages at all, and a body that is not JSON. */
    b = request(face, "warm", 3);
    json_object_del(b, "inputImages");
    r = portrait(key, b);
    EXPECT_ERROR(r, 400, "bad_request", "inputImages", "no inputImages");
    resp_free(&r);
    r = http(&(req_t){.path = "/api/generate-portrait", .key = key, .content_type = "application/json",
                      .body = "{\"prompt\":", .len = 10});
    EXPECT_ERROR(r, 400, "bad_request", "body", "truncated JSON");
    resp_free(&r);

    /* What the worker finds: bytes that are no image, and a photo without a face. */
    char *text = base64((const uint8_t *)"plain text, not an image at all", 31);
    b = request(text, "warm", 3);
    r = portrait(key, b);
    EXPECT_ERROR(r, 415, "unsupported_format", NULL, "text as an image");
    resp_free(&r);
    free(text);
    size_t len;
    uint8_t *dog = load_shared(NOFACE, &len);
    char *dog64 = base64(dog, len);
    r = portrait(key, request(dog64, "warm", 3));
    EXPECT_ERROR(r, 422, "no_face", NULL, "a photo without a face");
    resp_free(&r);
    free(dog64);
    free(dog);
    cr_assert_eq(credits_of(key), 10, "a failed request costs nothing");
    free(face);
}

Test(portrait_api, templates_are_per_key_and_the_builtins_read_only)
{
    start();
    char a[64], b[64], id[64];
    make_key("a", 5, a, id);
    make_key("b", 5, b, id);

    /* The built-ins, for every key. */
    resp_t r = get("/v1/templates", a);
    EXPECT_STATUS(r, 200, "GET /v1/templates");
    json_t *list = json_object_get(r.json, "templates");
    static const char *const builtins[] = {"corporate-headshot", "linkedin-profile", "anime-gamer", "editorial-noir",
                                           "warm-portfolio"};
    for (size_t k = 0; k < 5; k++) {
        bool found = false;
        size_t i;
        json_t *t;
        json_array_foreach(list, i, t)
        {
            if (!strcmp(nz(jstr(t, "name")), builtins[k]))
                found = json_is_true(json_object_get(t, "builtin")) && jint(t, "seed") >= 1 && jstr(t, "prompt");
        }
        cr_assert(found, "built-in %s missing or incomplete in %s", builtins[k], r.body);
    }
    size_t n_builtin = json_array_size(list);
    resp_free(&r);

    /* Create, read, replace. */
    r = post_to("/v1/templates", a,
                json_pack("{s:s, s:s, s:i, s:s}", "name", "team-blue", "prompt", "studio light, blue background",
                          "seed", 42, "description", "the team page"));
    EXPECT_STATUS(r, 201, "POST /v1/templates");
    cr_assert_str_eq(nz(jstr(r.json, "name")), "team-blue");
    cr_assert_eq(jint(r.json, "seed"), 42);
    cr_assert(json_is_false(json_object_get(r.json, "builtin")));
    cr_assert_eq(json_array_size(json_object_get(r.json, "ignored_terms")), 0, "%s", r.body);
    cr_assert(json_is_object(json_object_get(r.json, "style")), "%s", r.body);
    resp_free(&r);
    r = post_to("/v1/templates", a,
                json_pack("{s:s, s:s, s:i}", "name", "team-blue", "prompt", "studio light, navy zorblat", "seed", 43));
    EXPECT_STATUS(r, 200, "POST /v1/templates again: replaced");
    cr_assert(json_is_true(json_object_get(r.json, "replaced")));
    cr_assert_eq(json_array_size(json_object_get(r.json, "ignored_terms")), 1, "%s", r.body);
    cr_assert_str_eq(json_string_value(json_array_get(json_object_get(r.json, "ignored_terms"), 0)), "zorblat");
    resp_free(&r);
    r = get("/v1/templates/team-blue", a);
    EXPECT_STATUS(r, 200, "GET /v1/templates/team-blue");
    cr_assert_eq(jint(r.json, "seed"), 43);
    cr_assert_str_eq(nz(jstr(r.json, "description")), "");
    resp_free(&r);
    r = get("/v1/templates", a);
    cr_assert_eq(json_array_size(json_object_get(r.json, "templates")), n_builtin + 1);
    resp_free(&r);

    /* Key b sees none of it. */
    r = get("/v1/templates/team-blue", b);
    EXPECT_ERROR(r, 404, "not_found", "name", "another key's template");
    resp_free(&r);
    r = get("/v1/templates", b);
    cr_assert_eq(json_array_size(json_object_get(r.json, "templates")), n_builtin, "%s", r.body);
    resp_free(&r);
    r = del("/v1/templates/team-blue", b);
    EXPECT_ERROR(r, 404, "not_found", "name", "deleting another key's template");
    resp_free(&r);

    /* Bad templates. */
    static const struct {
        const char *json, *field;
        int status;
    } bad[] = {
        {"{\"name\":\"Team Blue\",\"prompt\":\"warm\",\"seed\":1}", "name", 400},
        {"{\"name\":\"\",\"prompt\":\"warm\",\"seed\":1}", "name", 400},
        {"{\"prompt\":\"warm\",\"seed\":1}", "name", 400},
        {"{\"name\":\"x\",\"seed\":1}", "prompt", 400},
        {"{\"name\":\"x\",\"prompt\":5,\"seed\":1}", "prompt", 400},
        {"{\"name\":\"x\",\"prompt\":\"warm\"}", "seed", 400},
        {"{\"name\":\"x\",\"prompt\":\"warm\",\"seed\":0}", "seed", 400},
        {"{\"name\":\"x\",\"prompt\":\"warm\",\"seed\":2.5}", "seed", 400},
        {"{\"name\":\"x\",\"prompt\":\"warm\",\"seed\":4294967296}", "seed", 400},
        {"{\"name\":\"corporate-headshot\",\"prompt\":\"warm\",\"seed\":1}", "name", 409},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r = post_to("/v1/templates", a, json_loads(bad[i].json, 0, NULL));
        cr_assert_eq(r.status, bad[i].status, "%s: %ld %s", bad[i].json, r.status, r.body);
        cr_assert_str_eq(err_field(&r), bad[i].field, "%s: %s", bad[i].json, r.body);
        cr_assert_str_eq(err_code(&r), bad[i].status == 409 ? "already_exists" : "bad_request", "%s", r.body);
        resp_free(&r);
    }
    r = del("/v1/templates/corporate-headshot", a);
    EXPECT_ERROR(r, 403, "forbidden", "name", "deleting a built-in");
    resp_free(&r);
    r = get("/v1/templates/corporate-headshot", b);
    EXPECT_STATUS(r, 200, "GET a built-in");
    cr_assert(json_is_true(json_object_get(r.json, "builtin")));
    cr_assert_eq(json_array_size(json_object_get(r.json, "ignored_terms")), 0, "a built-in uses the vocabulary only");
    resp_free(&r);
    r = get("/v1/templates", NULL);
    EXPECT_ERROR(r, 401, "unauthorized", "Authorization", "templates without a key");
    resp_free(&r);

    r = del("/v1/templates/team-blue", a);
    EXPECT_STATUS(r, 200, "DELETE /v1/templates/team-blue");
    resp_free(&r);
    r = get("/v1/templates/team-blue", a);
    EXPECT_ERROR(r, 404, "not_found", "name", "a deleted template");
    resp_free(&r);
    cr_assert_eq(credits_of(a), 5, "templates cost nothing");
}

Test(portrait_api, a_template_applies_to_portraits_and_avatars)
{
    start();
    char a[64], b[64], id[64];
    make_key("a", 20, a, id);
    make_key("b", 20, b, id);
    char *face = face_data_uri(0);
    resp_t r = post_to("/v1/templates", a,
                       json_pack("{s:s, s:s, s:i}", "name", "mine", "prompt", "rim light, green background, cool",
                                 "seed", 77));
    EXPECT_STATUS(r, 201, "POST /v1/templates");
    resp_free(&r);

    /* By template, and by the same prompt and seed spelled out: the same bytes. */
    json_t *body = request(face, NULL, 0);
    json_object_set_new(body, "template", json_string("mine"));
    r = portrait(a, body);
    EXPECT_STATUS(r, 200, "portrait by template");
    cr_assert_eq(jint(r.json, "seed"), 77);
    cr_assert_str_eq(nz(jstr(r.json, "template")), "mine");
    char *by_template = strdup(json_string_value(json_array_get(json_object_get(r.json, "outputImages"), 0)));
    resp_free(&r);
    r = portrait(a, request(face, "rim light, green background, cool", 77));
    EXPECT_STATUS(r, 200, "portrait spelled out");
    cr_assert_str_eq(json_string_value(json_array_get(json_object_get(r.json, "outputImages"), 0)), by_template,
                     "the template is not its prompt and seed");
    resp_free(&r);

    /* An explicit seed overrides the template's. */
    body = request(face, NULL, 78);
    json_object_set_new(body, "template", json_string("mine"));
    r = portrait(a, body);
    EXPECT_STATUS(r, 200, "portrait by template, own seed");
    cr_assert_eq(jint(r.json, "seed"), 78);
    resp_free(&r);

    /* Another key cannot use it; a built-in works for anyone. */
    body = request(face, NULL, 0);
    json_object_set_new(body, "template", json_string("mine"));
    r = portrait(b, body);
    EXPECT_ERROR(r, 404, "not_found", "template", "another key's template");
    resp_free(&r);
    body = request(face, NULL, 0);
    json_object_set_new(body, "template", json_string("editorial-noir"));
    r = portrait(b, body);
    EXPECT_STATUS(r, 200, "portrait by a built-in");
    cr_assert_str_eq(nz(jstr(r.json, "template")), "editorial-noir");
    resp_free(&r);
    cr_assert_eq(credits_of(a), 17);
    cr_assert_eq(credits_of(b), 19);

    /* The avatar API: style "template:<name>". */
    r = post_to("/v1/avatar/generate", a, json_pack("{s:s, s:s}", "image", face, "style", "template:mine"));
    EXPECT_STATUS(r, 200, "avatar by template");
    cr_assert_str_eq(nz(jstr(r.json, "style")), "template:mine", "%s", r.body);
    cr_assert(json_is_true(json_object_get(r.json, "face_detected")), "%s", r.body);
    double likeness = json_number_value(json_object_get(r.json, "likeness_score"));
    cr_assert(likeness > 0.3 && likeness <= 1, "likeness %f", likeness);
    resp_t img = fetch_output(jstr(r.json, "avatar_url"), "image/png");
    expect_png_800(&img, "template avatar");
    resp_free(&img);
    img = fetch_output(jstr(r.json, "thumbnail_url"), "image/png");
    uint32_t w = 0, h = 0;
    cr_assert(png_size((const uint8_t *)img.body, img.len, &w, &h));
    cr_assert(w == 100 && h == 100, "thumbnail %ux%u", w, h);
    resp_free(&img);
    resp_free(&r);
    r = post_to("/v1/avatar/generate", b, json_pack("{s:s, s:s}", "image", face, "style", "template:mine"));
    EXPECT_ERROR(r, 404, "not_found", "style", "an avatar with another key's template");
    resp_free(&r);
    cr_assert_eq(credits_of(a), 16, "an avatar costs one credit");
    free(by_template);
    free(face);
}

Test(portrait_api, a_replay_answers_the_same_images_once_charged_and_async_polls)
{
    start();
    char key[64], id[64];
    make_key("r", 10, key, id);
    char *face = face_data_uri(0);
    char *text = NULL;
    json_t *b = request(face, "soft light, grey background", 11);
    text = json_dumps(b, JSON_COMPACT);
    json_decref(b);
    const char *idem[] = {"Idempotency-Key: portrait-1", NULL};
    resp_t first = http(&(req_t){.path = "/api/generate-portrait", .key = key, .content_type = "application/json",
                                 .body = text, .len = strlen(text), .headers = idem});
    EXPECT_STATUS(first, 200, "portrait with an Idempotency-Key");
    resp_t again = http(&(req_t){.path = "/api/generate-portrait", .key = key, .content_type = "application/json",
                                 .body = text, .len = strlen(text), .headers = idem});
    EXPECT_STATUS(again, 200, "its replay");
    cr_assert_str_eq(nz(jstr(again.json, "id")), nz(jstr(first.json, "id")));
    cr_assert(json_equal(json_object_get(again.json, "outputImages"), json_object_get(first.json, "outputImages")),
              "the replay answers other images");
    cr_assert_eq(credits_of(key), 9, "a replay is not charged again");
    resp_free(&first);
    resp_free(&again);
    free(text);

    /* Asynchronous: 202, then the job with both images at signed URLs, charged 2. */
    b = request(face, "soft light, grey background", 11);
    json_object_set_new(b, "sampleNumber", json_integer(2));
    text = json_dumps(b, JSON_COMPACT);
    json_decref(b);
    const char *prefer[] = {"Prefer: respond-async", NULL};
    resp_t r = http(&(req_t){.path = "/api/generate-portrait", .key = key, .content_type = "application/json",
                             .body = text, .len = strlen(text), .headers = prefer});
    EXPECT_STATUS(r, 202, "portrait, Prefer: respond-async");
    json_t *job = poll_job(key, jstr(r.json, "id"), "completed", 60000, 100);
    cr_assert_eq(json_array_size(json_object_get(job, "outputs")), 2, "%s", json_dumps(job, 0));
    cr_assert_eq(json_array_size(json_object_get(job, "likenessScores")), 2);
    resp_t img = fetch_output(jstr(json_array_get(json_object_get(job, "outputs"), 1), "url"), "image/jpeg");
    resp_free(&img);
    cr_assert_eq(credits_of(key), 7);
    json_decref(job);
    resp_free(&r);
    free(text);

    /* An avatar with a template keeps no input. */
    r = post_to("/v1/avatar/generate", key,
                json_pack("{s:s, s:s, s:b}", "image", face, "style", "template:warm-portfolio", "cache_input", 1));
    EXPECT_ERROR(r, 400, "bad_request", "cache_input", "cache_input with a template style");
    resp_free(&r);
    cr_assert_eq(credits_of(key), 7);
    free(face);
}

/* Decode a JPEG data URI into 8-bit RGB pixels (malloc'd, *w x *h x 3). */
static uint8_t *uri_pixels(const char *uri, int *w, int *h)
{
    const char *b64 = strchr(nz(uri), ',');
    cr_assert_not_null(b64, "a data URI: %.60s", nz(uri));
    size_t n = strlen(++b64);
    uint8_t *bytes = malloc(n / 4 * 3 + 3);
    int len = EVP_DecodeBlock(bytes, (const unsigned char *)b64, (int)n);
    VipsImage *img = vips_image_new_from_buffer(bytes, (size_t)len, "", NULL);
    cr_assert_not_null(img, "libvips decodes it: %s", vips_error_buffer());
    cr_assert_eq(vips_image_get_bands(img), 3);
    size_t size;
    uint8_t *px = vips_image_write_to_memory(img, &size);
    *w = vips_image_get_width(img), *h = vips_image_get_height(img);
    g_object_unref(img);
    free(bytes);
    return px;
}

/* The one image of a portrait answer, decoded; asserts 200. */
static uint8_t *portrait_pixels(const char *key, json_t *body, int *w, int *h)
{
    resp_t r = portrait(key, body);
    EXPECT_STATUS(r, 200, "POST /api/generate-portrait");
    uint8_t *px = uri_pixels(json_string_value(json_array_get(json_object_get(r.json, "outputImages"), 0)), w, h);
    resp_free(&r);
    return px;
}

/* Mean R, G, B of the top right corner patch (1/10 of the width: background, never the person; the
 * top left one can hold hair when a cut-out check sends the portrait to its close-up framing, as the
 * young man's curls since the halo check). */
static void corners(const uint8_t *px, int w, double out[3])
{
    int p = w / 10;
    out[0] = out[1] = out[2] = 0;
    for (int y = 0; y < p; y++)
        for (int x = 0; x < p; x++)
            for (int c = 0; c < 3; c++)
                out[c] += px[((size_t)y * w + w - 1 - x) * 3 + c];
    for (int c = 0; c < 3; c++)
        out[c] /= (double)p * p;
}

/* Through the server, as a client sees it: a template gives two different people the same background
 * and grade (the corners agree within 1.5 levels, as the library test measures), "black and white" is
 * grey everywhere, and "warm" raises red against blue over "cool". */
Test(portrait_api, the_style_is_the_same_for_two_people_and_the_words_do_what_they_say)
{
    start();
    char key[64];
    make_key("style", 10, key, NULL);
    char *a = face_data_uri(0);
    size_t blen;
    uint8_t *img = load_shared(FACE_BIG, &blen);
    char *b64 = base64(img, blen);
    free(img);
    char *b = malloc(strlen(b64) + 32);
    sprintf(b, "data:image/jpeg;base64,%s", b64);
    free(b64);

    int w, h;
    json_t *ra = request(a, NULL, 0), *rb = request(b, NULL, 0);
    json_object_set_new(ra, "template", json_string("warm-portfolio"));
    json_object_set_new(rb, "template", json_string("warm-portfolio"));
    uint8_t *pa = portrait_pixels(key, ra, &w, &h), *pb = portrait_pixels(key, rb, &w, &h);
    double ca[3], cb[3];
    corners(pa, w, ca);
    corners(pb, w, cb);
    cr_log_info("warm-portfolio corners: %.1f %.1f %.1f vs %.1f %.1f %.1f", ca[0], ca[1], ca[2], cb[0], cb[1], cb[2]);
    for (int c = 0; c < 3; c++)
        cr_assert_lt(fabs(ca[c] - cb[c]), 1.5, "corner band %d: %.2f vs %.2f", c, ca[c], cb[c]);
    free(pa);
    free(pb);

    uint8_t *mono = portrait_pixels(key, request(b, "black and white", 9), &w, &h);
    int spread = 0;
    for (size_t i = 0; i < (size_t)w * h; i++) {
        const uint8_t *p = mono + i * 3;
        int hi = p[0] > p[1] ? p[0] : p[1], lo = p[0] < p[1] ? p[0] : p[1];
        hi = p[2] > hi ? p[2] : hi, lo = p[2] < lo ? p[2] : lo;
        spread = hi - lo > spread ? hi - lo : spread;
    }
    cr_assert_leq(spread, 3, "black and white: R, G and B differ by %d levels somewhere", spread);
    free(mono);

    double rb_ratio[2];
    const char *const temps[] = {"warm", "cool"};
    for (int k = 0; k < 2; k++) {
        uint8_t *px = portrait_pixels(key, request(a, temps[k], 9), &w, &h);
        double r = 0, bl = 0;
        for (size_t i = 0; i < (size_t)w * h; i++)
            r += px[i * 3], bl += px[i * 3 + 2];
        rb_ratio[k] = r / (bl > 0 ? bl : 1);
        free(px);
    }
    cr_log_info("mean R/B: warm %.3f, cool %.3f", rb_ratio[0], rb_ratio[1]);
    cr_assert_gt(rb_ratio[0], rb_ratio[1] + 0.1, "warm R/B %.3f vs cool %.3f", rb_ratio[0], rb_ratio[1]);
    free(a);
    free(b);
    expect_healthy("portrait styles");
}
