/* test_input_api.c - request inputs the HTTP API must refuse cleanly (issue 12), end to end against the
 * real `./strobe serve` (tests/server_harness.h): images too thin to decode, numbers that are not the
 * whole field, base64 outside its alphabet, a callback_url with CR or LF. Each answer is checked for
 * status, code and field, and the server for being alive afterwards. Images are made here with libvips.
 *
 * Runs from the repository root (./strobe); needs ../shared (models) or skips. */
#include "server_harness.h"

#define PRODUCT_PATH "/v1/image/product-photo"
#define HEADSHOT_PATH "/api/v1/ai-headshot"

TestSuite(input_api, .fini = cleanup, .timeout = 120);

/* A w x h black JPEG (malloc'd, *len bytes). */
static uint8_t *black_jpeg(int w, int h, size_t *len)
{
    cr_assert_eq(VIPS_INIT("test_input_api"), 0);
    VipsImage *im = NULL;
    void *buf = NULL;
    cr_assert_eq(vips_black(&im, w, h, "bands", 3, NULL), 0);
    cr_assert_eq(vips_jpegsave_buffer(im, &buf, len, NULL), 0, "%s", vips_error_buffer());
    g_object_unref(im);
    uint8_t *out = malloc(*len);
    memcpy(out, buf, *len);
    g_free(buf);
    return out;
}

static resp_t post_json_to(const char *path, const char *key, const char *json)
{
    return http(&(req_t){.path = path, .key = key, .content_type = "application/json", .body = json,
                         .len = strlen(json)});
}

/* A 4000x1 JPEG made a worker abort (SIGABRT in libvips): the server died. Every thin size is refused
 * at the door, 422 image_too_small, on the headshot and the product routes, multipart and JSON. */
Test(input_api, thin_images_are_refused_and_the_server_lives)
{
    begin();
    char key[64];
    make_key("t", 10, key, NULL);
    server_start(NULL, NULL);
    static const int sizes[][2] = {{4000, 1}, {65000, 1}, {1, 8000}, {65000, 2}, {40000, 3}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        size_t len;
        uint8_t *jpg = black_jpeg(sizes[i][0], sizes[i][1], &len);
        char what[96];
        const char *paths[] = {HEADSHOT_PATH, PRODUCT_PATH};
        for (int k = 0; k < 2; k++) {
            snprintf(what, sizeof what, "%dx%d to %s (multipart)", sizes[i][0], sizes[i][1], paths[k]);
            resp_t r = post_multipart(paths[k], key, jpg, len, NULL, NULL);
            EXPECT_ERROR(r, 422, "image_too_small", "image", what);
            resp_free(&r);
            expect_healthy(what);
        }
        char *b64 = base64(jpg, len);
        char *json = malloc(strlen(b64) + 64);
        sprintf(json, "{\"image\":\"%s\"}", b64);
        snprintf(what, sizeof what, "%dx%d to the headshot (JSON)", sizes[i][0], sizes[i][1]);
        resp_t r = post_json_to(HEADSHOT_PATH, key, json);
        EXPECT_ERROR(r, 422, "image_too_small", "image", what);
        resp_free(&r);
        expect_healthy(what);
        free(json);
        free(b64);
        free(jpg);
    }
    /* Under the headshot's 200x200 minimum: refused from the header too. */
    size_t len;
    uint8_t *small = black_jpeg(150, 150, &len);
    resp_t r = post_image(key, small, len, NULL, NULL);
    EXPECT_ERROR(r, 422, "image_too_small", "image", "a 150x150 headshot");
    resp_free(&r);
    free(small);
    json_t *a = account(key);
    cr_assert_eq(jint(a, "credits"), 10, "nothing was charged");
    json_decref(a);
    cr_assert_eq(WEXITSTATUS(server_stop(30000)), 0);
}

/* Product size: sscanf took " 128x128", wrapped "4294967424x128" to 128x128 and read "0x0" as the
 * default 2000x2000. */
Test(input_api, product_size_is_two_whole_numbers)
{
    begin();
    char key[64];
    make_key("t", 10, key, NULL);
    server_start(NULL, NULL);
    size_t len;
    uint8_t *jpg = black_jpeg(300, 300, &len);
    const char *sizes[] = {"0x0", "4294967424x128", " 128x128", "128x128 ", "+128x128", "128x0", "127x128"};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        char what[96], json[160];
        const char *fields[] = {"size", sizes[i], NULL};
        snprintf(what, sizeof what, "size '%s' (multipart)", sizes[i]);
        resp_t r = post_multipart(PRODUCT_PATH, key, jpg, len, fields, NULL);
        EXPECT_ERROR(r, 400, "bad_request", "size", what);
        resp_free(&r);
        snprintf(what, sizeof what, "size '%s' (JSON)", sizes[i]);
        snprintf(json, sizeof json, "{\"image_url\":\"http://127.0.0.1:1/x.jpg\",\"size\":\"%s\"}", sizes[i]);
        r = post_json_to(PRODUCT_PATH, key, json);
        EXPECT_ERROR(r, 400, "bad_request", "size", what);
        resp_free(&r);
    }
    free(jpg);
    expect_healthy("sizes");
    cr_assert_eq(WEXITSTATUS(server_stop(30000)), 0);
}

/* A multipart field is its whole length: "300\0garbage" is not 300 (strtol stopped at the NUL). */
Test(input_api, multipart_numbers_are_the_whole_field)
{
    begin();
    char key[64];
    make_key("t", 10, key, NULL);
    server_start(NULL, NULL);
    size_t len;
    uint8_t *jpg = black_jpeg(300, 300, &len);
    static const struct {
        const char *path, *name, *value;
        size_t len;
    } cases[] = {
        {HEADSHOT_PATH, "size", "300\0garbage", 11},  {HEADSHOT_PATH, "quality", "90\0", 3},
        {HEADSHOT_PATH, "size", " 300", 4},           {HEADSHOT_PATH, "size", "+300", 4},
        {PRODUCT_PATH, "quality", "90\0x", 4},        {PRODUCT_PATH, "seed", "99999999999999999999", 20},
        {PRODUCT_PATH, "padding", "0.1\0x", 5},       {PRODUCT_PATH, "padding", "nan", 3},
        {PRODUCT_PATH, "shadow_angle", "0x10", 4},    {PRODUCT_PATH, "mask", "true\0x", 6},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        part_t parts[] = {{"image", jpg, len, "photo.jpg", "image/jpeg"},
                          {cases[i].name, cases[i].value, cases[i].len, NULL, NULL}};
        char what[96];
        snprintf(what, sizeof what, "%s %s='%s'+%zu bytes", cases[i].path, cases[i].name, cases[i].value,
                 cases[i].len - strlen(cases[i].value));
        resp_t r = http(&(req_t){.path = cases[i].path, .key = key, .parts = parts, .nparts = 2});
        EXPECT_ERROR(r, 400, "bad_request", cases[i].name, what);
        resp_free(&r);
    }
    free(jpg);
    expect_healthy("numbers");
    cr_assert_eq(WEXITSTATUS(server_stop(30000)), 0);
}

/* OpenSSL's decoder takes '-' as the end of the data: the image was cut there and refused as a corrupt
 * image (422). It is invalid base64, 400 naming the field. */
Test(input_api, base64_outside_its_alphabet_is_a_bad_request)
{
    begin();
    char key[64];
    make_key("t", 10, key, NULL);
    server_start(NULL, NULL);
    size_t len;
    uint8_t *jpg = black_jpeg(300, 300, &len);
    char *b64 = base64(jpg, len);
    size_t n = strlen(b64);
    char *json = malloc(n + 128);
    const char *bad[] = {"-", "_", "!", "=A"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        /* The character in the middle of the data. */
        sprintf(json, "{\"image\":\"%.*s%s%s\"}", (int)(n / 2), b64, bad[i], b64 + n / 2);
        char what[64];
        snprintf(what, sizeof what, "base64 with '%s' inside", bad[i]);
        resp_t r = post_json_to(HEADSHOT_PATH, key, json);
        EXPECT_ERROR(r, 400, "bad_request", "image", what);
        resp_free(&r);
        sprintf(json, "{\"image\":\"data:image/jpeg;base64,%.*s%s%s\"}", (int)(n / 2), b64, bad[i], b64 + n / 2);
        r = post_json_to(PRODUCT_PATH, key, json);
        EXPECT_ERROR(r, 400, "bad_request", "image", what);
        resp_free(&r);
    }
    /* Line breaks stay allowed. */
    sprintf(json, "{\"image\":\"%.*s\\r\\n%s\",\"mask\":true}", (int)(n / 2 / 4 * 4), b64, b64 + n / 2 / 4 * 4);
    resp_t r = post_json_to(PRODUCT_PATH, key, json);
    EXPECT_STATUS(r, 202, "base64 with a line break");
    resp_free(&r);
    free(json);
    free(b64);
    free(jpg);
    expect_healthy("base64");
    cr_assert_eq(WEXITSTATUS(server_stop(30000)), 0);
}

/* A callback_url with CR or LF would carry headers into the webhook request: 400 naming the field. */
Test(input_api, callback_url_with_cr_or_lf_is_refused)
{
    begin();
    char key[64];
    make_key("t", 10, key, NULL);
    server_start(NULL, NULL);
    size_t len;
    uint8_t *jpg = black_jpeg(300, 300, &len);
    const char *urls[] = {"http://127.0.0.1:1/hook\r\nX-Injected: 1", "http://127.0.0.1:1/hook\nX", "http://h/a\rb",
                          "http://h/a b", "http://h/a\tb"};
    for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
        char what[64];
        snprintf(what, sizeof what, "callback_url #%zu", i);
        const char *fields[] = {"callback_url", urls[i], NULL};
        resp_t r = post_multipart(PRODUCT_PATH, key, jpg, len, fields, NULL);
        EXPECT_ERROR(r, 400, "bad_request", "callback_url", what);
        resp_free(&r);
        r = post_image(key, jpg, len, fields, NULL);
        EXPECT_ERROR(r, 400, "bad_request", "callback_url", what);
        resp_free(&r);
        json_t *body = json_pack("{s:s, s:s}", "image_url", "http://127.0.0.1:1/x.jpg", "callback_url", urls[i]);
        char *text = json_dumps(body, 0);
        r = post_json_to(PRODUCT_PATH, key, text);
        EXPECT_ERROR(r, 400, "bad_request", "callback_url", what);
        resp_free(&r);
        free(text);
        json_decref(body);
    }
    free(jpg);
    expect_healthy("callback_url");
    json_t *a = account(key);
    cr_assert_eq(jint(a, "credits"), 10, "nothing was charged");
    json_decref(a);
    cr_assert_eq(WEXITSTATUS(server_stop(30000)), 0);
}
