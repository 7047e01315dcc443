/* sb_matte_snap (vision/matte_snap.h): a matte whose edge lies a few pixels off a clear colour edge is moved
 * onto it, outward and inward; where the two sides have the same colour (glass) or a pixel is a third
 * colour, nothing changes; mismatched sizes fail. Synthetic images: a light disc on a darker, noisy ground. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "image/image.h"
#include "vision/matte_snap.h"

#define W 160
#define H 120
#define CX 80.0
#define CY 60.0
#define R 36.0

/* The photo: a disc of colour `in` (radius R) on a ground of colour `out`, both with +-6 levels of noise
 * (a fixed generator), and a ring of colour `ring` (when non-NULL) 1.5 px wide just outside the disc. */
static void photo(sb_image_t *img, const uint8_t in[3], const uint8_t out[3], const uint8_t *ring)
{
    sb_error_t e = {0};
    cr_assert_eq(sb_image_alloc(img, W, H, 3, &e), SB_OK);
    unsigned seed = 7;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            double d = hypot(x + 0.5 - CX, y + 0.5 - CY);
            const uint8_t *c = d <= R ? in : ring && d <= R + 1.5 ? ring : out;
            for (int k = 0; k < 3; k++) {
                seed = seed * 1103515245u + 12345u;
                int v = c[k] + (int)((seed >> 16) % 13) - 6;
                img->data[((size_t)y * W + x) * 3 + k] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
            }
        }
}

/* A matte of the disc with radius r and a 3-pixel linear ramp (0.5 at r), as the guided filter leaves it. */
static void matte(sb_fimage_t *a, double r)
{
    sb_error_t e = {0};
    cr_assert_eq(sb_fimage_alloc(a, W, H, 1, &e), SB_OK);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            double v = 0.5 - (hypot(x + 0.5 - CX, y + 0.5 - CY) - r) / 3.0;
            a->data[(size_t)y * W + x] = (float)(v < 0 ? 0 : v > 1 ? 1 : v);
        }
}

/* IoU of alpha >= 0.5 against the true disc. */
static double disc_iou(const sb_fimage_t *a)
{
    long both = 0, either = 0;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            int m = a->data[(size_t)y * W + x] >= 0.5f, t = hypot(x + 0.5 - CX, y + 0.5 - CY) <= R;
            both += m && t, either += m || t;
        }
    return (double)both / (double)either;
}

static const uint8_t WHITE[3] = {225, 222, 230}, BROWN[3] = {70, 45, 35};

Test(matte_snap, a_fat_matte_shrinks_onto_the_edge)
{
    sb_image_t img = {0};
    sb_fimage_t a = {0};
    sb_error_t e = {0};
    photo(&img, WHITE, BROWN, NULL);
    matte(&a, R + 2.5);
    double before = disc_iou(&a);
    long changed = 0;
    cr_assert_eq(sb_matte_snap(&img, &a, 4, &changed, &e), SB_OK, "%s", e.message);
    double after = disc_iou(&a);
    cr_expect_gt(changed, 0);
    cr_expect_lt(before, 0.9, "the test's matte is off the edge (IoU %.4f)", before);
    cr_expect_geq(after, 0.98, "snapped IoU %.4f (before %.4f)", after, before);
    for (size_t i = 0; i < (size_t)W * H; i++)
        cr_assert(a.data[i] >= 0 && a.data[i] <= 1);
    sb_image_free(&img);
    sb_fimage_free(&a);
}

Test(matte_snap, a_thin_matte_grows_onto_the_edge)
{
    sb_image_t img = {0};
    sb_fimage_t a = {0};
    sb_error_t e = {0};
    photo(&img, BROWN, WHITE, NULL);
    matte(&a, R - 2.5);
    double before = disc_iou(&a);
    long changed = 0;
    cr_assert_eq(sb_matte_snap(&img, &a, 4, &changed, &e), SB_OK, "%s", e.message);
    cr_expect_geq(disc_iou(&a), 0.98, "snapped IoU %.4f (before %.4f)", disc_iou(&a), before);
    sb_image_free(&img);
    sb_fimage_free(&a);
}

/* Glass: the disc has the ground's colour, so the colour says nothing and the matte stays as it was. */
Test(matte_snap, no_colour_edge_leaves_the_matte)
{
    sb_image_t img = {0};
    sb_fimage_t a = {0}, b = {0};
    sb_error_t e = {0};
    photo(&img, WHITE, WHITE, NULL);
    matte(&a, R + 2.5);
    matte(&b, R + 2.5);
    long changed = 1;
    cr_assert_eq(sb_matte_snap(&img, &a, 4, &changed, &e), SB_OK, "%s", e.message);
    cr_expect_eq(changed, 0);
    cr_expect_eq(memcmp(a.data, b.data, sizeof(float) * W * H), 0);
    sb_image_free(&img);
    sb_fimage_free(&a);
    sb_fimage_free(&b);
}

/* A dark ring (a contact shadow, a dark rim) between a light disc and a light ground is neither side's colour:
 * its pixels keep their alpha. */
Test(matte_snap, a_third_colour_is_kept)
{
    static const uint8_t grey[3] = {150, 150, 150}, black[3] = {10, 10, 10};
    sb_image_t img = {0};
    sb_fimage_t a = {0}, b = {0};
    sb_error_t e = {0};
    photo(&img, WHITE, grey, black);
    matte(&a, R + 1.5);
    matte(&b, R + 1.5);
    long changed = 0;
    cr_assert_eq(sb_matte_snap(&img, &a, 4, &changed, &e), SB_OK, "%s", e.message);
    long ring = 0, kept = 0;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            double d = hypot(x + 0.5 - CX, y + 0.5 - CY);
            size_t i = (size_t)y * W + x;
            if (d > R + 0.3 && d <= R + 1.2)
                ring++, kept += a.data[i] == b.data[i];
        }
    cr_assert_gt(ring, 0);
    cr_expect_eq(kept, ring, "%ld of the ring's %ld pixels changed", ring - kept, ring);
    sb_image_free(&img);
    sb_fimage_free(&a);
    sb_fimage_free(&b);
}

Test(matte_snap, sizes_must_match)
{
    sb_image_t img = {0};
    sb_fimage_t a = {0};
    sb_error_t e = {0};
    photo(&img, WHITE, BROWN, NULL);
    cr_assert_eq(sb_fimage_alloc(&a, W - 1, H, 1, &e), SB_OK);
    long changed;
    cr_expect_eq(sb_matte_snap(&img, &a, 4, &changed, &e), SB_ERR_INTERNAL);
    sb_image_free(&img);
    sb_fimage_free(&a);
}
