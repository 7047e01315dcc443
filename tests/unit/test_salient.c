/* Salient-object mask (u2netp + guided filter + island removal): shape, range, determinism, accuracy on the
 * matting set (floors measured with build/bench/salient), a product photo, and bad input. */
#include <stdlib.h>
#include <string.h>

#include "image/io.h"
#include "testutil.h"
#include "vision/salient.h"

/* Measured with build/bench/salient on the 17 ground truths of shared/testdata/matting (threshold 0.5,
 * voc void ignored): mean IoU net 0.7903, sb_salient_mask (refined around the subject) 0.7914. The three
 * dim_* crops (wine glass, fur, lace close-ups with no object in frame) score ~0 with the net alone:
 * without them (12 hseg_ + 2 voc_) the mean is 0.9607. Floors are those minus ~0.02. */
#define MEAN_IOU_FLOOR 0.77
#define OBJECT_IOU_FLOOR 0.94
/* Refinement changed the mean by +0.0001; it may not cost more than this. */
#define REFINE_LOSS_MAX 0.005

static sb_salient_t *open_or_skip(void)
{
    char path[1024];
    TU_SHARED_PATH_OR_SKIP(path, "models/salient_object/u2netp_320.onnx");
    sb_error_t e = {0};
    cr_assert_eq(sb_io_init(NULL, &e), SB_OK, "%s", e.message);
    sb_salient_t *s = NULL;
    cr_assert_eq(sb_salient_open(&s, &e), SB_OK, "%s", e.message);
    return s;
}

static void check_shape(const sb_fimage_t *a, const sb_image_t *img, const char *name)
{
    cr_assert_eq(a->width, img->width, "%s", name);
    cr_assert_eq(a->height, img->height, "%s", name);
    cr_assert_eq(a->bands, 1, "%s", name);
    for (size_t i = 0; i < (size_t)a->width * a->height; i++)
        cr_assert(a->data[i] >= 0.0f && a->data[i] <= 1.0f, "%s: alpha[%zu] = %g", name, i, a->data[i]);
}

Test(salient, matting_set_iou_and_refinement, .timeout = 300)
{
    sb_salient_t *s = open_or_skip();
    char dir[1024];
    TU_SHARED_PATH_OR_SKIP(dir, "testdata/matting/gt");
    char **names;
    int n = tu_list_images(dir, &names), counted = 0, objects = 0;
    double sum_net = 0, sum_ref = 0, sum_obj = 0;
    for (int i = 0; i < n; i++) {
        char stem[256], rel[512];
        snprintf(stem, sizeof stem, "%.*s", (int)(strrchr(names[i], '.') - names[i]), names[i]);
        sb_image_t img = {0}, gt = {0};
        snprintf(rel, sizeof rel, "testdata/matting/%s.jpg", stem);
        if (!tu_load_shared(rel, &img)) {
            snprintf(rel, sizeof rel, "testdata/matting/%s.png", stem);
            if (!tu_load_shared(rel, &img))
                continue;
        }
        snprintf(rel, sizeof rel, "testdata/matting/gt/%s", names[i]);
        cr_assert(tu_load_shared(rel, &gt));
        sb_error_t e = {0};
        sb_fimage_t net = {0}, refined = {0};
        cr_assert_eq(sb_salient_net_mask(s, &img, &net, &e), SB_OK, "%s: %s", stem, e.message);
        cr_assert_eq(sb_salient_mask(s, &img, &refined, &e), SB_OK, "%s: %s", stem, e.message);
        check_shape(&refined, &img, stem);
        int void128 = !strncmp(stem, "voc_", 4);
        double r = sb_mask_iou(&refined, &gt, void128);
        sum_net += sb_mask_iou(&net, &gt, void128);
        sum_ref += r;
        counted++;
        if (strncmp(stem, "dim_", 4)) {
            sum_obj += r;
            objects++;
        }
        sb_fimage_free(&net);
        sb_fimage_free(&refined);
        sb_image_free(&img);
        sb_image_free(&gt);
    }
    tu_free_list(names, n);
    sb_salient_close(s);
    cr_assert_geq(counted, 10, "only %d ground truths with an input", counted);
    double mean_net = sum_net / counted, mean_ref = sum_ref / counted, mean_obj = sum_obj / objects;
    cr_log_info("salient: %d images, mean IoU net %.4f refined %.4f, without dim_ %.4f", counted, mean_net,
                mean_ref, mean_obj);
    cr_expect_geq(mean_ref, MEAN_IOU_FLOOR, "mean IoU %.4f", mean_ref);
    cr_expect_geq(mean_obj, OBJECT_IOU_FLOOR, "mean IoU without dim_ %.4f", mean_obj);
    cr_expect_geq(mean_ref, mean_net - REFINE_LOSS_MAX, "refined %.4f vs net %.4f", mean_ref, mean_net);
}

Test(salient, deterministic)
{
    sb_salient_t *s = open_or_skip();
    sb_image_t img = {0};
    if (!tu_load_shared("testdata/matting/hseg_91.jpg", &img))
        cr_skip_test("needs testdata/matting/hseg_91.jpg");
    sb_error_t e = {0};
    sb_fimage_t a = {0}, b = {0};
    cr_assert_eq(sb_salient_mask(s, &img, &a, &e), SB_OK, "%s", e.message);
    cr_assert_eq(sb_salient_mask(s, &img, &b, &e), SB_OK, "%s", e.message);
    check_shape(&a, &img, "hseg_91");
    cr_assert_eq(memcmp(a.data, b.data, sizeof(float) * a.width * a.height), 0);
    sb_fimage_free(&a);
    sb_fimage_free(&b);
    sb_image_free(&img);
    sb_salient_close(s);
}

Test(salient, product_photo_has_a_central_subject)
{
    sb_salient_t *s = open_or_skip();
    sb_image_t img = {0};
    if (!tu_load_shared("testdata/products/grocery_bravo_orange_juice.jpg", &img))
        cr_skip_test("needs testdata/products/grocery_bravo_orange_juice.jpg");
    sb_error_t e = {0};
    sb_fimage_t a = {0};
    cr_assert_eq(sb_salient_mask(s, &img, &a, &e), SB_OK, "%s", e.message);
    check_shape(&a, &img, "product");
    /* A carton held up in a hand: the mask (carton and hand) covers 0.44 of the frame. */
    size_t fg = 0, n = (size_t)a.width * a.height;
    double cx = 0, cy = 0;
    for (int y = 0; y < a.height; y++)
        for (int x = 0; x < a.width; x++)
            if (a.data[(size_t)y * a.width + x] >= 0.5f) {
                fg++;
                cx += x;
                cy += y;
            }
    cr_assert_gt(fg, 0);
    double cover = (double)fg / n;
    cx /= (double)fg * a.width;
    cy /= (double)fg * a.height;
    cr_log_info("salient: product covers %.3f, centroid (%.3f, %.3f)", cover, cx, cy);
    cr_expect(cover >= 0.05 && cover <= 0.8, "cover %.3f", cover);
    cr_expect(cx >= 0.25 && cx <= 0.75 && cy >= 0.25 && cy <= 0.75, "centroid (%.3f, %.3f)", cx, cy);
    sb_fimage_free(&a);
    sb_image_free(&img);
    sb_salient_close(s);
}

/* sb_salient_mask refines only around the net's parts: it must agree with refining the whole photo
 * (sb_salient_net_mask + sb_salient_refine) and be exactly 0 far from the subject. */
Test(salient, region_refinement_matches_the_whole_photo)
{
    sb_salient_t *s = open_or_skip();
    sb_image_t img = {0};
    if (!tu_load_shared("testdata/products/u2net_desk_lamp.jpg", &img))
        cr_skip_test("needs testdata/products/u2net_desk_lamp.jpg");
    sb_error_t e = {0};
    sb_fimage_t fast = {0}, whole = {0};
    cr_assert_eq(sb_salient_mask(s, &img, &fast, &e), SB_OK, "%s", e.message);
    cr_assert_eq(sb_salient_net_mask(s, &img, &whole, &e), SB_OK, "%s", e.message);
    cr_assert_eq(sb_salient_refine(&img, &whole, &e), SB_OK, "%s", e.message);
    check_shape(&fast, &img, "lamp");
    size_t inter = 0, uni = 0, zero = 0, n = (size_t)img.width * img.height;
    for (size_t i = 0; i < n; i++) {
        int a = fast.data[i] >= 0.5f, b = whole.data[i] >= 0.5f;
        inter += a && b;
        uni += a || b;
        zero += fast.data[i] == 0.0f;
    }
    double agree = (double)inter / (double)uni;
    cr_log_info("salient: region vs whole-photo refinement IoU %.4f, %.3f of the mask exactly 0", agree,
                (double)zero / n);
    cr_expect_geq(agree, 0.98, "IoU %.4f", agree);
    cr_expect_gt(zero, n / 10, "only %zu of %zu pixels are exactly 0", zero, n);
    sb_fimage_free(&fast);
    sb_fimage_free(&whole);
    sb_image_free(&img);
    sb_salient_close(s);
}

Test(salient, bad_input_is_a_usage_error)
{
    sb_error_t e = {0};
    uint8_t px[3 * 4] = {0};
    sb_image_t rgb = {.width = 2, .height = 2, .bands = 3, .data = px}, grey = {.width = 2, .height = 2, .bands = 1, .data = px};
    float v[6] = {0};
    sb_fimage_t wrong = {.width = 3, .height = 2, .bands = 1, .data = v};
    cr_assert_eq(sb_salient_refine(&rgb, &wrong, &e), SB_ERR_USAGE);
    cr_assert_str_eq(e.field, "image");
    cr_assert_eq(sb_salient_refine(&grey, &wrong, &e), SB_ERR_USAGE);

    sb_salient_t *s = open_or_skip();
    sb_fimage_t a = {0};
    sb_image_t empty = {0};
    cr_assert_eq(sb_salient_mask(s, &empty, &a, &e), SB_ERR_USAGE);
    cr_assert_eq(sb_salient_mask(s, &grey, &a, &e), SB_ERR_USAGE);
    cr_assert_eq(sb_salient_mask(s, NULL, &a, &e), SB_ERR_USAGE);
    cr_assert_null(a.data);
    sb_salient_close(s);
}
