/* Content safety (nsfwjs): the error code, the rule, and the classifier on the shared test photos.
 * No explicit image is used anywhere: only that ordinary photos stay safe, with the measured margin. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "image/io.h"
#include "testutil.h"
#include "util/err.h"
#include "vision/safety.h"

/* Ordinary photos of faces/, noface/ and products/ measure porn + hentai <= 0.751 (faces/prnet_aflw_00251,
 * a close grayscale portrait with a bare arm): at least 0.199 under SB_SAFETY_EXPLICIT_MIN. */
#define MARGIN 0.15f

static sb_safety_t *open_or_skip(void)
{
    char path[1024];
    TU_SHARED_PATH_OR_SKIP(path, "models/safety/nsfwjs_mobilenetv2_224_cv46.onnx");
    sb_error_t e = {0};
    cr_assert_eq(sb_io_init(NULL, &e), SB_OK, "%s", e.message);
    sb_safety_t *s = NULL;
    cr_assert_eq(sb_safety_open(&s, &e), SB_OK, "%s", e.message);
    return s;
}

/* Decode a shared test image (long side at most 1024, as bench/safety does) or skip. */
static void load(const char *rel, sb_image_t *img)
{
    char path[1024];
    TU_SHARED_PATH_OR_SKIP(path, rel);
    sb_error_t e = {0};
    size_t len;
    uint8_t *buf = tu_read(path, &len);
    const sb_decode_opts_t o = {.max_side = 1024};
    cr_assert_eq(sb_io_decode(buf, len, &o, img, NULL, &e), SB_OK, "%s: %s", rel, e.message);
    free(buf);
}

static float sum(const sb_safety_result_t *r)
{
    return r->drawing + r->hentai + r->neutral + r->porn + r->sexy;
}

Test(safety, error_code_is_unsafe_content_422)
{
    cr_assert_str_eq(sb_err_name(SB_ERR_UNSAFE_CONTENT), "unsafe_content");
    cr_assert_eq(sb_err_http_status(SB_ERR_UNSAFE_CONTENT), 422);
    cr_assert_eq(sb_err_exit_code(SB_ERR_UNSAFE_CONTENT), 3);
    cr_assert_eq(sb_err_from_name("unsafe_content"), SB_ERR_UNSAFE_CONTENT);
}

Test(safety, rule_counts_porn_and_hentai_only)
{
    const sb_safety_result_t cases[] = {
        {.neutral = 1.0f},
        {.drawing = 0.998f, .neutral = 0.002f},            /* an anime drawing */
        {.sexy = 0.93f, .neutral = 0.07f},                 /* the figure skater's outfit */
        {.porn = 0.756f, .neutral = 0.244f},               /* the highest ordinary photo */
        {.porn = 0.853f, .hentai = 0.013f, .neutral = 0.134f}, /* the highest headshot crop */
        {.porn = 0.96f, .neutral = 0.04f},
        {.hentai = 0.97f, .drawing = 0.03f},
        {.porn = 0.5f, .hentai = 0.45f, .neutral = 0.05f},
    };
    const bool want[] = {false, false, false, false, false, true, true, true};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        cr_expect_eq(sb_safety_is_unsafe(&cases[i]), want[i], "case %zu", i);
}

Test(safety, probabilities_sum_to_one_and_repeat)
{
    sb_safety_t *s = open_or_skip();
    sb_image_t img = {0};
    load("testdata/faces/u2net_young_man.jpg", &img);
    sb_safety_result_t a, b;
    sb_error_t e = {0};
    cr_assert_eq(sb_safety_classify(s, &img, &a, &e), SB_OK, "%s", e.message);
    cr_assert_eq(sb_safety_classify(s, &img, &b, &e), SB_OK, "%s", e.message);
    cr_expect_float_eq(sum(&a), 1.0f, 1e-4f);
    cr_expect(a.drawing >= 0 && a.hentai >= 0 && a.neutral >= 0 && a.porn >= 0 && a.sexy >= 0);
    /* Field by field: memcmp would also compare the struct's padding after `unsafe`, which no assignment
     * is bound to set (it differed under ASan). */
    cr_expect(a.drawing == b.drawing && a.hentai == b.hentai && a.neutral == b.neutral && a.porn == b.porn &&
                  a.sexy == b.sexy && a.unsafe == b.unsafe,
              "two runs on the same image differ");
    cr_expect_gt(a.neutral, 0.5f, "an ordinary portrait: neutral %.3f", a.neutral);
    cr_expect(!a.unsafe);
    sb_image_free(&img);
    sb_safety_close(s);
}

Test(safety, ordinary_photos_are_safe_with_margin, .timeout = 120)
{
    static const char *const dirs[] = {"testdata/faces", "testdata/noface", "testdata/products"};
    sb_safety_t *s = open_or_skip();
    float worst = 0;
    char worst_name[512] = "";
    int total = 0;
    for (int d = 0; d < 3; d++) {
        char dir[1024];
        TU_SHARED_PATH_OR_SKIP(dir, dirs[d]);
        char **names;
        int n = tu_list_images(dir, &names);
        cr_assert_gt(n, 0, "no images in %s", dir);
        for (int i = 0; i < n; i++) {
            char rel[512];
            snprintf(rel, sizeof rel, "%s/%s", dirs[d], names[i]);
            sb_image_t img = {0};
            load(rel, &img);
            sb_safety_result_t r;
            sb_error_t e = {0};
            cr_assert_eq(sb_safety_classify(s, &img, &r, &e), SB_OK, "%s: %s", rel, e.message);
            cr_expect(!r.unsafe, "%s flagged: porn %.3f hentai %.3f", rel, r.porn, r.hentai);
            if (r.porn + r.hentai > worst) {
                worst = r.porn + r.hentai;
                snprintf(worst_name, sizeof worst_name, "%s", rel);
            }
            sb_image_free(&img);
            total++;
        }
        tu_free_list(names, n);
    }
    cr_expect_lt(worst, SB_SAFETY_EXPLICIT_MIN - MARGIN, "%s: porn + hentai %.3f, within %.2f of the threshold",
                 worst_name, worst, MARGIN);
    cr_log_info("%d photos, highest porn + hentai %.3f (%s)", total, worst, worst_name);
    sb_safety_close(s);
}

Test(safety, drawings_score_highest_on_drawing)
{
    static const char *const drawings[] = {"testdata/faces/rembg_anime-girl-2.jpg", "testdata/faces/prnet_5_cartoon.jpg"};
    sb_safety_t *s = open_or_skip();
    for (int i = 0; i < 2; i++) {
        sb_image_t img = {0};
        load(drawings[i], &img);
        sb_safety_result_t r;
        sb_error_t e = {0};
        cr_assert_eq(sb_safety_classify(s, &img, &r, &e), SB_OK, "%s", e.message);
        float others[] = {r.hentai, r.neutral, r.porn, r.sexy};
        for (int k = 0; k < 4; k++)
            cr_expect_gt(r.drawing, others[k], "%s: drawing %.3f is not the top class", drawings[i], r.drawing);
        cr_expect(!r.unsafe, "%s", drawings[i]);
        sb_image_free(&img);
    }
    sb_safety_close(s);
}

Test(safety, uniform_grey_classifies)
{
    sb_safety_t *s = open_or_skip();
    sb_image_t grey = {0};
    cr_assert_eq(sb_image_alloc(&grey, 300, 200, 3, NULL), SB_OK);
    memset(grey.data, 128, 300 * 200 * 3);
    sb_safety_result_t r;
    sb_error_t e = {0};
    cr_assert_eq(sb_safety_classify(s, &grey, &r, &e), SB_OK, "%s", e.message);
    cr_expect_float_eq(sum(&r), 1.0f, 1e-4f);
    cr_expect(!r.unsafe, "grey: porn %.3f hentai %.3f", r.porn, r.hentai);
    sb_image_free(&grey);
    sb_safety_close(s);
}

Test(safety, bad_input_is_a_usage_error)
{
    sb_safety_t *s = open_or_skip();
    uint8_t px[4 * 4 * 4] = {0};
    const sb_image_t bad[] = {
        {.width = 4, .height = 4, .bands = 1, .data = px},
        {.width = 4, .height = 4, .bands = 4, .data = px},
        {.width = 0, .height = 4, .bands = 3, .data = px},
        {.width = 4, .height = 4, .bands = 3, .data = NULL},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sb_safety_result_t r;
        sb_error_t e = {0};
        cr_expect_eq(sb_safety_classify(s, &bad[i], &r, &e), SB_ERR_USAGE, "case %zu", i);
        cr_expect_str_eq(e.field, "image");
    }
    sb_error_t e = {0};
    sb_safety_result_t r;
    cr_expect_eq(sb_safety_classify(s, NULL, &r, &e), SB_ERR_USAGE);
    sb_safety_close(s);
}
