/* test_matte_seam.c - where a product's outline runs through the product (vision/matte_seam.c): drawn photos
 * and masks whose outline follows the product's edge, or stops short of it. */
#include <criterion/criterion.h>
#include <string.h>

#include "strobe.h"
#include "vision/matte_seam.h"

#define W 120
#define H 100

/* A grey photo (90) with a dark red rectangle x 20-99, y 20-79 (the product). */
static void draw_photo(sb_image_t *rgb)
{
    cr_assert_eq(sb_image_alloc(rgb, W, H, 3, NULL), SB_OK);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            uint8_t *c = rgb->data + ((size_t)y * W + x) * 3;
            bool in = x >= 20 && x < 100 && y >= 20 && y < 80;
            c[0] = in ? 150 : 90, c[1] = in ? 30 : 90, c[2] = in ? 30 : 90;
        }
}

/* A mask of 1 over x0..x1-1, y0..y1-1, 0 elsewhere. */
static void draw_mask(sb_fimage_t *a, int x0, int y0, int x1, int y1)
{
    cr_assert_eq(sb_fimage_alloc(a, W, H, 1, NULL), SB_OK);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            a->data[(size_t)y * W + x] = x >= x0 && x < x1 && y >= y0 && y < y1;
}

static float seam_of(const sb_image_t *rgb, int x0, int y0, int x1, int y1)
{
    sb_fimage_t a;
    draw_mask(&a, x0, y0, x1, y1);
    float share = -1;
    sb_error_t e = {0};
    cr_assert_eq(sb_matte_seam(rgb, &a, &share, &e), SB_OK, "%s", e.message);
    sb_fimage_free(&a);
    return share;
}

Test(matte_seam, an_outline_on_the_products_edge_is_no_seam)
{
    sb_image_t rgb;
    draw_photo(&rgb);
    cr_expect_eq(seam_of(&rgb, 20, 20, 100, 80), 0.0f);
    sb_image_free(&rgb);
}

/* The mask stops 30 px short of the product's right end: its right side (60 of the outline's ~230 px) runs
 * across the red surface, the photo the same on both sides. */
Test(matte_seam, a_mask_stopping_short_of_the_product_is_a_seam)
{
    sb_image_t rgb;
    draw_photo(&rgb);
    float share = seam_of(&rgb, 20, 20, 70, 80);
    cr_expect(share > 0.2f && share < 0.35f, "share %.3f", share);
    cr_expect_geq(share, SB_PRODUCT_UNSEEN_WARN);
    sb_image_free(&rgb);
}

Test(matte_seam, an_empty_mask_measures_nothing)
{
    sb_image_t rgb;
    draw_photo(&rgb);
    cr_expect_eq(seam_of(&rgb, 0, 0, 0, 0), 0.0f);
    sb_image_free(&rgb);
}
