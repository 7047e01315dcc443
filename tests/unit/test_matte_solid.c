/* An opaque product's matte made solid inside (vision/matte_solid.c), on synthetic mattes: a soft inside
 * goes to 1 from the depth in, the edge ramp, a real hole and a faint undecided hole keep their values. */
#include <math.h>

#include "testutil.h"
#include "vision/matte_solid.h"

#define SIDE 200

/* A disc of radius 80 at `inside`, a 3-pixel ramp to 0 outside it; with hole > 0 a disc of that radius
 * at `hole_alpha` in its middle. */
static void disc(sb_fimage_t *a, float inside, float hole, float hole_alpha)
{
    cr_assert_eq(sb_fimage_alloc(a, SIDE, SIDE, 1, NULL), SB_OK);
    for (int y = 0; y < SIDE; y++)
        for (int x = 0; x < SIDE; x++) {
            float d = hypotf(x - 100.0f, y - 100.0f), v = d <= 80 ? inside : d < 83 ? inside * (83 - d) / 3 : 0;
            a->data[y * SIDE + x] = hole > 0 && d < hole ? hole_alpha : v;
        }
}

static float at(const sb_fimage_t *a, int x, int y)
{
    return a->data[y * SIDE + x];
}

Test(matte_solid, a_soft_inside_becomes_solid_and_the_edge_keeps_its_ramp)
{
    sb_fimage_t a = {0};
    disc(&a, 0.7f, 0, 0);
    float changed;
    cr_assert_eq(sb_matte_solidify(&a, 10, &changed, NULL), SB_OK);
    cr_expect_float_eq(at(&a, 100, 100), 1.0f, 1e-6, "centre %.3f", at(&a, 100, 100));
    cr_expect_float_eq(at(&a, 100, 35), 1.0f, 1e-6, "15 px in: %.3f", at(&a, 100, 35));
    /* The ramp outside the disc is faint (under SB_SOLID_LOW) and next to the background: unchanged. */
    cr_expect_float_eq(at(&a, 100, 18), 0.7f / 3, 1e-6, "ramp %.3f", at(&a, 100, 18));
    /* Right inside the edge the rise has only begun. */
    cr_expect_lt(at(&a, 100, 21), 0.8f, "1 px in: %.3f", at(&a, 100, 21));
    cr_expect_gt(changed, 0.8f, "changed %.3f", changed);
    sb_fimage_free(&a);
}

Test(matte_solid, holes_and_faint_undecided_holes_stay)
{
    sb_fimage_t a = {0};
    float changed;
    disc(&a, 1.0f, 20, 0.0f); /* a solid product with a real hole (a mug's handle) */
    cr_assert_eq(sb_matte_solidify(&a, 10, &changed, NULL), SB_OK);
    cr_expect_float_eq(at(&a, 100, 100), 0.0f, 1e-6);
    cr_expect_float_eq(changed, 0.0f, 1e-6, "a solid matte changed: %.3f", changed);
    sb_fimage_free(&a);
    disc(&a, 1.0f, 20, 0.2f); /* a faint hole the mask did not decide: left to the holes stage */
    cr_assert_eq(sb_matte_solidify(&a, 10, NULL, NULL), SB_OK);
    cr_expect_float_eq(at(&a, 100, 100), 0.2f, 1e-6, "faint hole %.3f", at(&a, 100, 100));
    sb_fimage_free(&a);
}

Test(matte_solid, bad_arguments_are_usage_errors)
{
    sb_fimage_t a = {0}, rgb = {0};
    sb_error_t e = {0};
    disc(&a, 0.7f, 0, 0);
    cr_expect_eq(sb_matte_solidify(&a, 0, NULL, &e), SB_ERR_USAGE);
    cr_expect_eq(sb_matte_solidify(NULL, 5, NULL, &e), SB_ERR_USAGE);
    cr_assert_eq(sb_fimage_alloc(&rgb, 4, 4, 3, NULL), SB_OK);
    cr_expect_eq(sb_matte_solidify(&rgb, 5, NULL, &e), SB_ERR_USAGE);
    sb_fimage_free(&a);
    sb_fimage_free(&rgb);
}
