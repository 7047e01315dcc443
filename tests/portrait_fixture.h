/* portrait_fixture.h - what the portrait API tests share (test_portrait_api, test_portrait_templates): the
 * reference photo as a data URI, a portrait request body, POST/DELETE helpers on the real server, a key's
 * credits, a JPEG data URI's check, and the suite's start (a server on loopback). Everything is static: a
 * test file uses what it needs. */
#ifndef STROBE_TESTS_PORTRAIT_FIXTURE_H
#define STROBE_TESTS_PORTRAIT_FIXTURE_H

#pragma GCC diagnostic ignored "-Wunused-function"

#include "server_harness.h"

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

#endif
