/* test_cast_shadow.c - a cast shadow cleared from a product's matte (vision/cast_shadow.c) on drawn photos:
 * the shadow goes, a dark rim of the product behind its lit edge stays, and a black product's highlights do
 * not make shadows of its parts. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "strobe.h"
#include "vision/cast_shadow.h"

#define W 300
#define H 240
/* The product: a disc at (CX, CY); blue to R_BLUE, a metal rim to R_RIM (black in its own shade on the
 * lower half, grey above), a lit edge to R_EDGE. */
#define CX 120
#define CY 100
#define R_BLUE 75.0
#define R_RIM 81.0
#define R_EDGE 82.5
/* The shadow: the product's outline moved this far right and down. */
#define OFF 36

static double dist(int x, int y, double cx, double cy)
{
    return hypot(x + 0.5 - cx, y + 0.5 - cy);
}

static void put(sb_image_t *rgb, int x, int y, uint8_t r, uint8_t g, uint8_t b)
{
    uint8_t *c = rgb->data + ((size_t)y * W + x) * 3;
    c[0] = r, c[1] = g, c[2] = b;
}

/* A white sheet (235) with the tin-like product on it and its shadow (40, a soft edge 12 px wide) cast to the
 * lower right (a disc of R_EDGE at (CX + OFF, CY + OFF)); the matte covers product and shadow, as the
 * salient net's did. */
static void draw_tin(sb_image_t *rgb, sb_fimage_t *alpha)
{
    cr_assert_eq(sb_image_alloc(rgb, W, H, 3, NULL), SB_OK);
    cr_assert_eq(sb_fimage_alloc(alpha, W, H, 1, NULL), SB_OK);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            double d = dist(x, y, CX, CY), s = dist(x, y, CX + OFF, CY + OFF);
            if (d < R_BLUE)
                put(rgb, x, y, 15, 35, 120);
            else if (d < R_RIM && x + y < CX + CY + OFF)
                put(rgb, x, y, 120, 125, 135);
            else if (d < R_RIM)
                put(rgb, x, y, 8, 8, 12);
            else if (d < R_EDGE)
                put(rgb, x, y, 140, 138, 135);
            else {
                /* The shadow's penumbra: from 40 inside R_EDGE - 6 to the sheet's 235 at R_EDGE + 6. */
                double t = (s - (R_EDGE - 6)) / 12;
                uint8_t v = (uint8_t)lround(40 + 195 * (t < 0 ? 0 : t > 1 ? 1 : t));
                put(rgb, x, y, v, v, v);
            }
            alpha->data[(size_t)y * W + x] = d < R_EDGE || s < R_EDGE + 6;
        }
}

/* The pixels of the ring r0 <= d < r1 around the product's centre on its lower right (x and y past the
 * centre by OFF or more, where the shadow lies), and how many of them `alpha` keeps (>= 0.5). */
static int lower_right_ring(const sb_fimage_t *alpha, double r0, double r1, int *kept)
{
    int n = 0;
    *kept = 0;
    for (int y = CY + OFF; y < H; y++)
        for (int x = CX + OFF; x < W; x++) {
            double d = dist(x, y, CX, CY);
            if (d >= r0 && d < r1)
                n++, *kept += alpha->data[(size_t)y * W + x] >= 0.5f;
        }
    return n;
}

Test(cast_shadow, the_shadow_goes_and_the_rim_behind_the_lit_edge_stays)
{
    sb_image_t rgb;
    sb_fimage_t alpha;
    draw_tin(&rgb, &alpha);
    long removed = 0;
    sb_error_t e = {0};
    cr_assert_eq(sb_cast_shadow_remove(&rgb, &alpha, &removed, &e), SB_OK, "%s", e.message);
    cr_assert_gt(removed, 0, "no shadow found");
    int kept, n = lower_right_ring(&alpha, R_BLUE + 1, R_RIM - 1, &kept);
    cr_expect_eq(kept, n, "the black rim beside the shadow: %d of %d pixels kept", kept, n);
    /* The shadow itself, clear of the product's edge by 3 pixels (the cut's clean-up may keep a pixel). */
    int shadow = 0, left = 0;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            if (dist(x, y, CX, CY) >= R_EDGE + 3 && dist(x, y, CX + OFF, CY + OFF) < R_EDGE - 6)
                shadow++, left += alpha.data[(size_t)y * W + x] >= 0.5f;
    cr_expect_gt(shadow, 1000);
    cr_expect_eq(left, 0, "%d of the shadow's %d pixels left in the matte", left, shadow);
    sb_image_free(&rgb);
    sb_fimage_free(&alpha);
}

/* The same photo 3 times larger (each pixel a 3 x 3 block): its crop is searched shrunk (over 640 px), the
 * bright lines read at full size. The rim is kept there too. */
Test(cast_shadow, the_rim_stays_on_a_crop_searched_shrunk)
{
    enum { K = 3 };
    sb_image_t rgb, big;
    sb_fimage_t alpha, big_alpha;
    draw_tin(&rgb, &alpha);
    cr_assert_eq(sb_image_alloc(&big, W * K, H * K, 3, NULL), SB_OK);
    cr_assert_eq(sb_fimage_alloc(&big_alpha, W * K, H * K, 1, NULL), SB_OK);
    for (int y = 0; y < H * K; y++)
        for (int x = 0; x < W * K; x++) {
            size_t i = (size_t)y * W * K + x, j = (size_t)(y / K) * W + x / K;
            memcpy(big.data + i * 3, rgb.data + j * 3, 3);
            big_alpha.data[i] = alpha.data[j];
        }
    long removed = 0;
    sb_error_t e = {0};
    cr_assert_eq(sb_cast_shadow_remove(&big, &big_alpha, &removed, &e), SB_OK, "%s", e.message);
    cr_assert_gt(removed, 0, "no shadow found");
    int n = 0, kept = 0, shadow = 0, left = 0;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            double d = dist(x, y, CX, CY);
            bool in = big_alpha.data[(size_t)(y * K + 1) * W * K + x * K + 1] >= 0.5f;
            if (x >= CX + OFF && y >= CY + OFF && d >= R_BLUE + 1 && d < R_RIM - 1)
                n++, kept += in;
            if (d >= R_EDGE + 3 && dist(x, y, CX + OFF, CY + OFF) < R_EDGE - 6)
                shadow++, left += in;
        }
    cr_expect_eq(kept, n, "the black rim beside the shadow: %d of %d pixels kept", kept, n);
    cr_expect_eq(left, 0, "%d of the shadow's %d pixels left in the matte", left, shadow);
    sb_image_free(&rgb);
    sb_image_free(&big);
    sb_fimage_free(&alpha);
    sb_fimage_free(&big_alpha);
}

/* A black glossy product alone (a lamp's shade): two lit bands across it cut its dark body into a cap, a
 * middle and a foot, each as smooth and as dark as a shadow and touching the background; none of it is one. */
Test(cast_shadow, a_black_products_highlights_make_no_shadow)
{
    sb_image_t rgb;
    sb_fimage_t alpha;
    cr_assert_eq(sb_image_alloc(&rgb, W, H, 3, NULL), SB_OK);
    cr_assert_eq(sb_fimage_alloc(&alpha, W, H, 1, NULL), SB_OK);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            bool in = dist(x, y, CX, CY) < R_EDGE, lit = abs(y - (CY - 40)) <= 1 || abs(y - (CY + 40)) <= 1;
            uint8_t v = !in ? 235 : lit ? 200 : 18;
            put(&rgb, x, y, v, v, v);
            alpha.data[(size_t)y * W + x] = in;
        }
    long removed = -1;
    sb_error_t e = {0};
    cr_assert_eq(sb_cast_shadow_remove(&rgb, &alpha, &removed, &e), SB_OK, "%s", e.message);
    cr_expect_eq(removed, 0, "%ld pixels of the black product cleared as a shadow", removed);
    sb_image_free(&rgb);
    sb_fimage_free(&alpha);
}
