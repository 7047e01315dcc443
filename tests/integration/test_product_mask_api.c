/* test_product_mask_api.c - the product photo's mask through the real `./strobe serve` on loopback, on the
 * real u2netp net: where the net's second look (vision/salient_peel.h) changes the answer. */
#include <criterion/criterion.h>

#include "server_harness.h"

#define POT "testdata/products/imagenet_coffeepot.jpg" /* 375x500, chrome pot with a name tag */

TestSuite(product_mask_api, .fini = cleanup, .timeout = 180);

/* The mean of the 1-band mask PNG `r` over the box x, y, w, h (0..255). */
static double mask_mean(const resp_t *r, int x, int y, int w, int h)
{
    VipsImage *img = vips_image_new_from_buffer(r->body, r->len, "", NULL), *box = NULL;
    double mean = -1;
    cr_assert_not_null(img, "the mask does not decode: %s", vips_error_buffer());
    cr_assert(vips_image_get_width(img) == 375 && vips_image_get_height(img) == 500 && vips_image_get_bands(img) == 1,
              "the mask is the photo's size, one band");
    cr_assert_eq(vips_crop(img, &box, x, y, w, h, NULL), 0, "%s", vips_error_buffer());
    cr_assert_eq(vips_avg(box, &mean, NULL), 0, "%s", vips_error_buffer());
    g_object_unref(box);
    g_object_unref(img);
    return mean;
}

/* The net's second look through the real server: u2netp gives the coffeepot's name tag its whole map and the
 * chrome body 0.1..0.3, and the recovered body had a bite at its lower left (photo x 110-150, y 390-470:
 * mean mask 17 of 255). With the tag hidden the net outlines the body whole; no wall is taken in beside it
 * (x under 100, where the spout the net never sees runs). The answer's box grows with it. */
Test(product_mask_api, pot_body_whole_after_a_second_look)
{
    begin();
    size_t len;
    uint8_t *pot = load_shared(POT, &len);
    char key[64];
    make_key("product", 2, key, NULL);
    server_start(NULL, NULL);
    const char *const f[] = {"mask", "true", NULL};
    const char *const wait[] = {"Prefer: wait=30", NULL};
    resp_t r = post_multipart("/v1/image/product-photo", key, pot, len, f, wait);
    EXPECT_STATUS(r, 200, "the coffeepot's mask");
    const json_t *subject = json_object_get(r.json, "subject");
    cr_assert_lt(jint(subject, "x"), 107, "the box reaches the body's left side: %s", r.body);
    resp_t out = fetch_output(jstr(r.json, "output_url"), "image/png");
    double bite = mask_mean(&out, 110, 390, 40, 80), left = mask_mean(&out, 0, 0, 100, 500);
    cr_assert_geq(bite, 200, "the body's lower left is the pot's: mean %.1f", bite);
    cr_assert_lt(left, 5, "nothing of the wall at the left: mean %.1f", left);
    resp_free(&out);
    resp_free(&r);
    free(pot);
    expect_healthy("second look");
}
