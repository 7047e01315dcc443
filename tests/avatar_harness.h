/* avatar_harness.h - what the end-to-end avatar tests share (test_avatar_api, test_avatar_cache,
 * test_avatar_batch, test_custom_styles), on top of tests/server_harness.h: the avatar and batch routes'
 * requests, the checks on a completed avatar job and on a batch, the difference of two PNG answers.
 * Everything is static: a test file uses what it needs. */
#ifndef STROBE_TESTS_AVATAR_HARNESS_H
#define STROBE_TESTS_AVATAR_HARNESS_H

#include "server_harness.h"
#include "strobe.h"

#define AVATAR "/v1/avatar/generate"
#define FACE_QA_FAILS "testdata/faces/prnet_1.jpg" /* 227x227, head tilted: its avatar fails the likeness QA */

static resp_t avatar_json(const char *key, const char *json, const char *const *headers)
{
    return http(&(req_t){.path = AVATAR, .key = key, .content_type = "application/json", .body = json,
                         .len = strlen(json), .headers = headers});
}

/* Multipart to the avatar route (see post_multipart). */
static resp_t avatar_image(const char *key, const void *img, size_t len, const char *const *fields,
                           const char *const *headers)
{
    return post_multipart(AVATAR, key, img, len, fields, headers);
}

/* {"image":"<b64>"} plus `extra` members ("\"style\":\"editorial\"", or ""); caller frees. */
static char *avatar_body(const char *b64, const char *extra)
{
    size_t n = strlen(b64) + strlen(extra) + 32;
    char *json = malloc(n);
    cr_assert_not_null(json);
    snprintf(json, n, "{\"image\":\"%s\"%s%s}", b64, *extra ? "," : "", extra);
    return json;
}

static void expect_png_side(const resp_t *r, uint32_t side, const char *what)
{
    uint32_t w = 0, h = 0;
    cr_assert(png_size((const uint8_t *)r->body, r->len, &w, &h), "%s: not a PNG (%zu bytes)", what, r->len);
    cr_assert_eq(w, side, "%s: width %u, want %u", what, w, side);
    cr_assert_eq(h, side, "%s: height %u, want %u", what, h, side);
}

static double jnum(const json_t *o, const char *k)
{
    return json_number_value(json_object_get(o, k));
}

/* A completed avatar job as JSON (the sync answer or GET /v1/image/{id}): every result field, the two
 * outputs, and both files fetched (side x side PNG and the 100x100 thumbnail). `threshold` is the
 * platform's likeness threshold (0.85 professional, 0.75 consumer), which the likeness must reach. */
static void expect_avatar_job(const json_t *j, const char *style, const char *platform, const char *background,
                              int side, double threshold, const char *what)
{
    char *dump = json_dumps(j, JSON_COMPACT);
    char body[3000];
    snprintf(body, sizeof body, "%.2990s", nz(dump));
    free(dump);
    cr_assert_str_eq(nz(jstr(j, "status")), "completed", "%s: %s", what, body);
    cr_assert_str_eq(nz(jstr(j, "pipeline")), "avatar", "%s: %s", what, body);
    cr_assert(jstr(j, "id") && !strncmp(jstr(j, "id"), "job_", 4), "%s: id in %s", what, body);

    /* The URLs: avatar, thumbnail, and output_url is the avatar's. */
    const char *avatar = jstr(j, "avatar_url"), *thumb = jstr(j, "thumbnail_url"), *out = jstr(j, "output_url");
    cr_assert(avatar && *avatar, "%s: avatar_url in %s", what, body);
    cr_assert(thumb && *thumb, "%s: thumbnail_url in %s", what, body);
    cr_assert(out && *out, "%s: output_url in %s", what, body);
    cr_assert_str_eq(out, avatar, "%s: output_url is not avatar_url", what);
    cr_assert_str_neq(avatar, thumb, "%s: the avatar and the thumbnail are one URL", what);
    cr_assert_eq(jint(j, "width"), side, "%s: %s", what, body);
    cr_assert_eq(jint(j, "height"), side, "%s: %s", what, body);
    json_t *outputs = json_object_get(j, "outputs");
    cr_assert_eq(json_array_size(outputs), 2, "%s: outputs in %s", what, body);
    json_t *o0 = json_array_get(outputs, 0), *o1 = json_array_get(outputs, 1);
    cr_assert_str_eq(nz(jstr(o0, "role")), "avatar", "%s: %s", what, body);
    cr_assert_str_eq(nz(jstr(o0, "url")), avatar, "%s: %s", what, body);
    cr_assert_eq(jint(o0, "width"), side, "%s: %s", what, body);
    cr_assert_str_eq(nz(jstr(o1, "role")), "thumbnail", "%s: %s", what, body);
    cr_assert_str_eq(nz(jstr(o1, "url")), thumb, "%s: %s", what, body);
    cr_assert_eq(jint(o1, "width"), 100, "%s: %s", what, body);
    cr_assert_eq(jint(o1, "height"), 100, "%s: %s", what, body);

    /* Detection, likeness QA, input quality. */
    cr_assert(json_is_true(json_object_get(j, "face_detected")), "%s: face_detected in %s", what, body);
    cr_assert_geq(jint(j, "face_count"), 1, "%s: %s", what, body);
    cr_assert(json_is_number(json_object_get(j, "likeness_score")), "%s: likeness_score in %s", what, body);
    cr_assert_geq(jnum(j, "likeness_score"), threshold, "%s: %s", what, body);
    cr_assert_leq(jnum(j, "likeness_score"), 1.0, "%s: %s", what, body);
    cr_assert(json_is_number(json_object_get(j, "likeness_threshold")), "%s: likeness_threshold in %s", what, body);
    cr_assert_lt(fabs(jnum(j, "likeness_threshold") - threshold), 1e-4, "%s: %s", what, body);
    json_t *q = json_object_get(j, "input_quality_score");
    cr_assert(json_is_number(q), "%s: input_quality_score in %s", what, body);
    cr_assert(json_number_value(q) >= 0 && json_number_value(q) <= 1, "%s: input_quality_score %g", what,
              json_number_value(q));
    json_t *warn = json_object_get(j, "validation_warnings");
    cr_assert(json_is_array(warn), "%s: validation_warnings in %s", what, body);
    size_t i;
    json_t *w;
    json_array_foreach(warn, i, w) cr_assert(json_is_string(w), "%s: a warning that is not a string: %s", what, body);
    cr_assert_str_eq(nz(jstr(j, "style")), style, "%s: %s", what, body);
    cr_assert_str_eq(nz(jstr(j, "platform")), platform, "%s: %s", what, body);
    cr_assert(json_is_integer(json_object_get(j, "attempts")), "%s: attempts in %s", what, body);
    cr_assert_geq(jint(j, "attempts"), 1, "%s: %s", what, body);

    /* Provenance: the models with their licenses, and the parameters used. */
    json_t *prov = json_object_get(j, "provenance");
    json_t *models = json_object_get(prov, "models");
    cr_assert(json_is_array(models) && json_array_size(models) > 0, "%s: provenance.models in %s", what, body);
    json_t *m;
    json_array_foreach(models, i, m)
    {
        cr_assert(jstr(m, "name") && *jstr(m, "name"), "%s: model %zu without a name: %s", what, i, body);
        cr_assert(jstr(m, "license") && *jstr(m, "license"), "%s: model %zu without a license: %s", what, i, body);
    }
    json_t *params = json_object_get(prov, "parameters");
    cr_assert(json_is_object(params), "%s: provenance.parameters in %s", what, body);
    cr_assert_str_eq(nz(jstr(params, "background")), background, "%s: %s", what, body);
    cr_assert_str_eq(nz(jstr(params, "style")), style, "%s: %s", what, body);
    cr_assert_str_eq(nz(jstr(params, "platform")), platform, "%s: %s", what, body);
    cr_assert(json_is_boolean(json_object_get(params, "hires")), "%s: parameters.hires in %s", what, body);
    cr_assert_eq(json_is_true(json_object_get(params, "hires")), side == 1200, "%s: %s", what, body);

    /* The files. */
    resp_t f = fetch_output(avatar, "image/png");
    char label[160];
    snprintf(label, sizeof label, "%s: avatar_url", what);
    expect_png_side(&f, (uint32_t)side, label);
    resp_free(&f);
    f = fetch_output(thumb, "image/png");
    snprintf(label, sizeof label, "%s: thumbnail_url", what);
    expect_png_side(&f, 100, label);
    resp_free(&f);
}

/* Mean absolute difference of two same-sized PNGs, per 8-bit sample. */
static double mean_abs_diff(const resp_t *a, const resp_t *b)
{
    sb_image_t x = {0}, y = {0};
    sb_error_t e = {0};
    cr_assert_eq(sb_io_init(NULL, &e), SB_OK, "%s", e.message);
    cr_assert_eq(sb_io_decode(a->body, a->len, NULL, &x, NULL, &e), SB_OK, "%s", e.message);
    cr_assert_eq(sb_io_decode(b->body, b->len, NULL, &y, NULL, &e), SB_OK, "%s", e.message);
    cr_assert(x.width == y.width && x.height == y.height && x.bands == y.bands);
    size_t n = (size_t)x.width * x.height * x.bands;
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += abs((int)x.data[i] - (int)y.data[i]);
    sb_image_free(&x);
    sb_image_free(&y);
    return sum / (double)n;
}

#define BATCH "/v1/avatar/batch"

static resp_t batch_json(const char *key, const char *json, const char *const *headers)
{
    return http(&(req_t){.path = BATCH, .key = key, .content_type = "application/json", .body = json,
                         .len = strlen(json), .headers = headers});
}

/* {"images":[<items, already quoted>], <extra>} ; caller frees. */
static char *batch_body(const char *const *items, int n, const char *extra)
{
    size_t len = strlen(extra) + 64;
    for (int i = 0; i < n; i++)
        len += strlen(items[i]) + 4;
    char *json = malloc(len);
    cr_assert_not_null(json);
    size_t at = (size_t)snprintf(json, len, "{\"images\":[");
    for (int i = 0; i < n; i++)
        at += (size_t)snprintf(json + at, len - at, "%s%s", i ? "," : "", items[i]);
    snprintf(json + at, len - at, "]%s%s}", *extra ? "," : "", extra);
    return json;
}

/* A 202 for a batch of `total`: batch_id, Location, status queued, counts. The id into id. */
static void expect_batch_accepted(const resp_t *r, int total, char id[64], const char *what)
{
    EXPECT_STATUS(*r, 202, what);
    const char *bid = jstr(r->json, "batch_id");
    cr_assert(bid && !strncmp(bid, "job_", 4), "%s: batch_id in %s", what, r->body);
    snprintf(id, 64, "%s", bid);
    char loc[128], want[128];
    cr_assert(resp_header(r, "Location", loc, sizeof loc), "%s: no Location: %s", what, r->head);
    snprintf(want, sizeof want, BATCH "/%s", id);
    cr_assert_str_eq(loc, want, "%s", what);
    cr_assert_eq(jint(r->json, "total"), total, "%s: %s", what, r->body);
    cr_assert(json_is_number(json_object_get(r->json, "estimated_seconds")), "%s: %s", what, r->body);
    cr_assert_eq(json_array_size(json_object_get(r->json, "items")), (size_t)total, "%s: %s", what, r->body);
    cr_assert_eq(jint(r->json, "completed") + jint(r->json, "failed") + jint(r->json, "pending"), total, "%s: %s",
                 what, r->body);
}

/* Poll GET /v1/avatar/batch/{id} until it is completed; the batch JSON (caller decrefs). */
static json_t *poll_batch(const char *key, const char *id, int timeout_ms)
{
    char path[128];
    snprintf(path, sizeof path, BATCH "/%s", id);
    long long deadline = now_ms() + timeout_ms;
    for (;;) {
        resp_t r = get(path, key);
        EXPECT_STATUS(r, 200, "GET the batch");
        const char *st = nz(jstr(r.json, "status"));
        cr_assert(strcmp(st, "failed"), "batch %s failed: %s", id, r.body);
        cr_assert_eq(jint(r.json, "completed") + jint(r.json, "failed") + jint(r.json, "pending"),
                     jint(r.json, "total"), "%s", r.body);
        if (!strcmp(st, "completed")) {
            json_t *j = json_incref(r.json);
            resp_free(&r);
            return j;
        }
        if (now_ms() > deadline)
            cr_assert_fail("batch %s not completed within %d ms: %s; log: %s", id, timeout_ms, r.body, log_tail());
        resp_free(&r);
        sleep_ms(100);
    }
}

static json_t *batch_item(const json_t *batch, int i)
{
    json_t *it = json_array_get(json_object_get(batch, "items"), (size_t)i);
    cr_assert_not_null(it);
    cr_assert_eq(jint(it, "index"), i);
    return it;
}

#endif
