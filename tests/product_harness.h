/* product_harness.h - what the product photo's end-to-end tests share (test_product_api,
 * test_product_outputs_api), on top of tests/server_harness.h: the photos, the route's requests, a server
 * started with a key of N credits, the checks on a queued and a completed job and on an output image.
 * Everything is static: a test file uses what it needs. */
#ifndef STROBE_TESTS_PRODUCT_HARNESS_H
#define STROBE_TESTS_PRODUCT_HARNESS_H

#include "server_harness.h"

#define CARTON "testdata/products/grocery_bravo_orange_juice.jpg" /* 348x348, carton held in hand */
#define POT "testdata/products/imagenet_coffeepot.jpg"              /* 375x500, metal pot */
#define PRODUCT_PATH "/v1/image/product-photo"

/* A multipart product request (see post_multipart). */
static resp_t post_product(const char *key, const void *img, size_t len, const char *const *fields,
                           const char *const *headers)
{
    return post_multipart(PRODUCT_PATH, key, img, len, fields, headers);
}

static resp_t post_product_json(const char *key, const char *json, const char *const *headers)
{
    return http(&(req_t){.path = PRODUCT_PATH, .key = key, .content_type = "application/json", .body = json,
                         .len = strlen(json), .headers = headers});
}

/* The server with a key of `credits` (into key) and loopback URLs allowed (origin images, webhooks). */
static void start(const char *const *env, long credits, char key[64])
{
    make_key("product", credits, key, NULL);
    const char *const args[] = {"--allow-private-urls", NULL};
    server_start(env, args);
}

static long long credits_of(const char *key)
{
    json_t *a = account(key);
    long long n = jint(a, "credits");
    json_decref(a);
    return n;
}

/* The 202 of a queued product job, as the contract has it; its generation_id into id. */
static void expect_queued(const resp_t *r, const char *const *want_stages, char id[64], const char *what)
{
    EXPECT_STATUS(*r, 202, what);
    const json_t *j = r->json;
    cr_assert_not_null(j, "%s: not JSON: %s", what, r->body);
    const char *gid = jstr(j, "generation_id");
    cr_assert(gid && !strncmp(gid, "job_", 4), "%s: generation_id in %s", what, r->body);
    cr_assert_str_eq(nz(jstr(j, "id")), gid, "%s: id and generation_id differ: %s", what, r->body);
    cr_assert_str_eq(nz(jstr(j, "status")), "queued", "%s: %s", what, r->body);
    cr_assert(json_is_integer(json_object_get(j, "credits_used")), "%s: credits_used in %s", what, r->body);
    cr_assert_eq(jint(j, "credits_used"), 0, "%s: credits are charged on completion: %s", what, r->body);
    const json_t *est = json_object_get(j, "estimated_seconds");
    cr_assert(json_is_number(est) && json_number_value(est) > 0, "%s: estimated_seconds in %s", what, r->body);
    const json_t *p = json_object_get(j, "pipeline");
    size_t n = 0;
    while (want_stages[n])
        n++;
    cr_assert(json_is_array(p) && json_array_size(p) == n, "%s: pipeline in %s", what, r->body);
    for (size_t i = 0; i < n; i++)
        cr_assert_str_eq(nz(json_string_value(json_array_get(p, i))), want_stages[i], "%s: %s", what, r->body);
    char loc[128], want[128];
    snprintf(want, sizeof want, "/v1/image/%s", gid);
    cr_assert(resp_header(r, "Location", loc, sizeof loc), "%s: no Location", what);
    cr_assert_str_eq(loc, want, "%s", what);
    snprintf(id, 64, "%s", gid);
}

static const char *const ALL_STAGES[] = {"remove-background", "replace-background", "add-shadow", NULL};

/* Decode an output's bytes: its width, height and bands must be these. */
static void expect_image(const resp_t *r, int w, int h, int bands, const char *what)
{
    VipsImage *img = vips_image_new_from_buffer(r->body, r->len, "", NULL);
    cr_assert_not_null(img, "%s: does not decode (%zu bytes): %s", what, r->len, vips_error_buffer());
    int iw = vips_image_get_width(img), ih = vips_image_get_height(img), ib = vips_image_get_bands(img);
    g_object_unref(img);
    cr_assert(iw == w && ih == h && ib == bands, "%s: %dx%d with %d bands, want %dx%d with %d", what, iw, ih, ib, w,
              h, bands);
}

/* A completed product job's JSON: output_url fetched and decoded as `format` at w x h. */
static void expect_completed(const json_t *j, const char *format, const char *content_type, int w, int h,
                             const char *what)
{
    char *dump = json_dumps(j, JSON_COMPACT);
    cr_assert_str_eq(nz(jstr(j, "status")), "completed", "%s: %s", what, dump);
    cr_assert_eq(jint(j, "width"), w, "%s: %s", what, dump);
    cr_assert_eq(jint(j, "height"), h, "%s: %s", what, dump);
    cr_assert_str_eq(nz(jstr(j, "format")), format, "%s: %s", what, dump);
    const json_t *subject = json_object_get(j, "subject");
    cr_assert(jint(subject, "width") > 0 && jint(subject, "height") > 0, "%s: subject box in %s", what, dump);
    cr_assert(json_is_array(json_object_get(j, "ignored_terms")), "%s: ignored_terms in %s", what, dump);
    resp_t out = fetch_output(jstr(j, "output_url"), content_type);
    expect_image(&out, w, h, 3, what);
    resp_free(&out);
    free(dump);
}

#endif
