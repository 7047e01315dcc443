/* test_product_labels.c - object-mask IoU of the product photo's subject mask (sb_product with mask_only)
 * against masks drawn by hand (tests/data/product_labels, tests/labels.h) for photos of
 * ../shared/testdata/products, and against the PASCAL VOC object masks of ../shared/testdata/matting
 * (voc_*: 255 object, 0 background, 128 the void band, not counted). Issue 14's targets are IoU 0.95 or
 * more on the hand-drawn labels (their mean) and 0.97 or more on voc_*: both are asserted, with a floor
 * under which one label has got worse; the IoUs are logged (docs/QUALITY.md, the "Issue 14" sections on
 * masks, have the numbers and how the labels were drawn and corrected). Photos and their masks stay in
 * ../shared; only the traced outlines are in the repository. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>

#include "labels.h"
#include "strobe.h"
#include "testutil.h"
#include "studio_fixture.h"

#define LABEL_DIR "tests/data/product_labels"
/* A floor for each photo, and issue 14's targets (measured 2026-12-06: 0.76 to 0.97, mean 0.90; 2026-12-07
 * with the cast shadow cleared (vision/cast_shadow.h): 0.93 to 0.97, mean 0.948; voc 0.962, 0.995 and, with
 * the holes the guided filter dug filled (vision/salient.c), 0.973, 0.995; then with the goblet's and the
 * perfume's labels corrected, the purse and the white mug labelled, and the edge snapped to the colour edge
 * (vision/matte_snap.h): six labels 0.94 to 0.98, mean 0.968). */
#define LABEL_IOU_MIN 0.93
#define LABEL_MEAN_MIN 0.95
#define VOC_IOU_MIN 0.97


TestSuite(product_labels, .init = setup, .fini = teardown, .timeout = 300);

/* The product photo's subject mask of the shared photo `rel` (at the upright input size), 8-bit, w x h;
 * malloc'd. */
static uint8_t *subject_mask(const char *rel, int *w, int *h)
{
    char path[4096];
    size_t len;
    snprintf(path, sizeof path, "%s/%s", tu_shared_dir(), rel);
    uint8_t *photo = tu_read(path, &len);
    sb_product_opts_t o = SB_PRODUCT_OPTS_DEFAULT;
    o.mask_only = true;
    sb_product_result_t r;
    sb_error_t e = {0};
    sb_err err = sb_product(studio, photo, len, &o, &r, &e);
    cr_assert_eq(err, SB_OK, "%s: %s", rel, e.message);
    VipsImage *img = vips_image_new_from_buffer(r.output, r.output_len, "", NULL);
    cr_assert_not_null(img, "%s: the mask does not decode", rel);
    cr_assert_eq(vips_image_get_bands(img), 1);
    *w = vips_image_get_width(img), *h = vips_image_get_height(img);
    size_t n;
    uint8_t *m = vips_image_write_to_memory(img, &n);
    cr_assert(m && n == (size_t)*w * *h);
    g_object_unref(img);
    sb_product_result_free(&r);
    free(photo);
    return m;
}

/* IoU of mask >= 128 against truth (set: object; `ignore` set in truth's values: not counted). */
static double iou(const uint8_t *mask, const uint8_t *truth, size_t n, uint8_t object, int ignore)
{
    size_t both = 0, either = 0;
    for (size_t i = 0; i < n; i++) {
        if (ignore >= 0 && truth[i] == ignore)
            continue;
        int a = mask[i] >= 128, b = truth[i] == object;
        both += a && b, either += a || b;
    }
    return either ? (double)both / either : 1;
}

Test(product_labels, hand_drawn_labels)
{
    char probe[4096];
    TU_SHARED_PATH_OR_SKIP(probe, "testdata/products");
    DIR *d = opendir(LABEL_DIR);
    cr_assert_not_null(d, "run from the checkout's root (%s)", LABEL_DIR);
    struct dirent *de;
    int n = 0;
    double sum = 0;
    while ((de = readdir(d))) {
        size_t l = strlen(de->d_name);
        if (l < 5 || strcmp(de->d_name + l - 4, ".txt"))
            continue;
        char label[4096], rel[4096];
        int lw, lh, w, h;
        snprintf(label, sizeof label, "%s/%s", LABEL_DIR, de->d_name);
        uint8_t *truth = label_load(label, &lw, &lh);
        /* The photo is the label's name with .jpg, or .png. */
        snprintf(rel, sizeof rel, "%s/testdata/products/%.*s.jpg", tu_shared_dir(), (int)(l - 4), de->d_name);
        struct stat st;
        const char *ext = stat(rel, &st) == 0 ? "jpg" : "png";
        snprintf(rel, sizeof rel, "testdata/products/%.*s.%s", (int)(l - 4), de->d_name, ext);
        uint8_t *mask = subject_mask(rel, &w, &h);
        cr_assert(w == lw && h == lh, "%s: the label is %dx%d, the photo %dx%d", de->d_name, lw, lh, w, h);
        double v = iou(mask, truth, (size_t)w * h, 1, -1);
        cr_log_info("label %s: IoU %.4f", de->d_name, v);
        cr_expect_geq(v, LABEL_IOU_MIN, "%s: IoU %.4f under %.2f", de->d_name, v, LABEL_IOU_MIN);
        sum += v, n++;
        free(mask);
        free(truth);
    }
    closedir(d);
    cr_assert_geq(n, 6, "at least 6 labels");
    cr_log_info("hand-drawn labels: %d, mean IoU %.4f", n, sum / n);
    cr_assert_geq(sum / n, LABEL_MEAN_MIN, "mean IoU %.4f under %.2f", sum / n, LABEL_MEAN_MIN);
}

Test(product_labels, voc_object_masks)
{
    char dir[4096];
    TU_SHARED_PATH_OR_SKIP(dir, "testdata/matting");
    char **names;
    int count = tu_list_images(dir, &names), n = 0;
    for (int i = 0; i < count; i++) {
        if (strncmp(names[i], "voc_", 4))
            continue;
        char rel[4096], gt[8192];
        int w, h;
        snprintf(rel, sizeof rel, "testdata/matting/%s", names[i]);
        snprintf(gt, sizeof gt, "%s/gt/%s", dir, names[i]);
        uint8_t *mask = subject_mask(rel, &w, &h);
        VipsImage *g = vips_image_new_from_file(gt, NULL), *g1 = NULL;
        cr_assert_not_null(g, "%s", gt);
        cr_assert_eq(vips_extract_band(g, &g1, 0, NULL), 0);
        cr_assert(vips_image_get_width(g1) == w && vips_image_get_height(g1) == h, "%s: size", names[i]);
        size_t len;
        uint8_t *truth = vips_image_write_to_memory(g1, &len);
        double v = iou(mask, truth, (size_t)w * h, 255, 128);
        cr_log_info("voc %s: IoU %.4f", names[i], v);
        cr_expect_geq(v, VOC_IOU_MIN, "%s: IoU %.4f under %.2f", names[i], v, VOC_IOU_MIN);
        n++;
        g_free(truth);
        g_object_unref(g1);
        g_object_unref(g);
        free(mask);
    }
    for (int i = 0; i < count; i++)
        free(names[i]);
    free(names);
    cr_assert_geq(n, 1, "no voc_* in %s", dir);
}

/* sam_groceries: u2netp's subject is the car (79% of the photo); the product is what lies in the middle of
 * it (pipeline/product_cut.h sb_product_inner): the shopping bags, a box within the boot's opening (photo
 * 800x534; the boot's opening spans about x 130..650, y 170..400, the bags x 365..645, y 145..345). All
 * four bags: the first look alone (the boot's middle at 320x320) saw three, the third ragged, and lost the
 * fourth (x 580..642): the closer looks find it, so the box reaches x 620. */
Test(product_labels, scene_subject_is_the_bags)
{
    char path[4096];
    TU_SHARED_PATH_OR_SKIP(path, "testdata/products/sam_groceries.jpg");
    size_t len;
    uint8_t *photo = tu_read(path, &len);
    sb_product_opts_t o = SB_PRODUCT_OPTS_DEFAULT;
    o.mask_only = true;
    sb_product_result_t r;
    sb_error_t e = {0};
    cr_assert_eq(sb_product(studio, photo, len, &o, &r, &e), SB_OK, "%s", e.message);
    cr_log_info("sam_groceries: inner %d, subject %d,%d %dx%d, coverage %.3f", r.inner, r.subject_x, r.subject_y,
                r.subject_w, r.subject_h, r.coverage);
    cr_assert(r.inner, "the subject filling the photo is looked into");
    cr_assert(r.subject_x >= 300 && r.subject_y >= 100 && r.subject_x + r.subject_w <= 680 &&
                  r.subject_y + r.subject_h <= 420,
              "the subject box %d,%d %dx%d is within the boot's opening", r.subject_x, r.subject_y, r.subject_w,
              r.subject_h);
    cr_assert(r.coverage < 0.25f, "coverage %.3f: the bags, not the car", r.coverage);
    cr_assert(r.subject_x + r.subject_w >= 620, "the subject box %d,%d %dx%d ends at x %d: the fourth bag (to x 642) "
              "is missing", r.subject_x, r.subject_y, r.subject_w, r.subject_h, r.subject_x + r.subject_w);
    sb_product_result_free(&r);
    free(photo);
}
