/* test_portrait_api.c - POST /api/generate-portrait (contract S2) through the real `./strobe serve` on
 * loopback, with the real models and photos of ../shared: data URIs in and out, the seed drawn and returned,
 * byte-identical reruns, the two ways to send the key, every validation error of the contract, credits (one
 * per image, none on failure), replays and asynchronous polls, one style on two people. The template library
 * is test_portrait_templates.c. Outputs are small (512 px) and few, to keep the run to a couple of minutes
 * on 2 cores. */
#include "portrait_fixture.h"

TestSuite(portrait_api, .fini = cleanup, .timeout = 180);

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
