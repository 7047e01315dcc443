/* The people matte's islands (vision/matte_islands.c), on a drawn matte 200x200: a subject joined to its
 * face box stays whole with a speck near it, faint or opaque parts apart from it are cleared, haze under the
 * level is left. */
#include "vision/matte_islands.h"
#include "testutil.h"

#define N 200

Test(matte_islands, parts_apart_from_the_face_are_cleared_the_subject_stays)
{
    static float px[N * N];
    sb_fimage_t a = {.width = N, .height = N, .bands = 1, .data = px};
    /* The subject: a head over [80, 120) x [40, 90) and a body below it; a faint strand of 0.1 joins a
     * hand at the right to the body; a faint patch (a curtain, 0.2) and an opaque scrap at the left are
     * apart from everything, 25 px from the body; a speck of frizz 5 px from the body (within 4% of 200 px); a
     * haze of 0.03 fills the rest. */
    for (int y = 0; y < N; y++)
        for (int x = 0; x < N; x++) {
            float v = 0.03f;
            if ((x >= 80 && x < 120 && y >= 40 && y < 90) || (x >= 50 && x < 150 && y >= 90))
                v = 1;
            else if (y == 120 && x >= 150 && x < 170)
                v = 0.1f;
            else if (x >= 170 && x < 190 && y >= 110 && y < 130)
                v = 1;
            else if (x >= 5 && x < 25 && y >= 20 && y < 120)
                v = x < 15 ? 0.2f : 1;
            else if (x >= 43 && x < 45 && y >= 150 && y < 152)
                v = 0.2f;
            px[y * N + x] = v;
        }
    sb_face_t face = {.x = 85, .y = 45, .w = 30, .h = 40};
    sb_error_t e = {0};
    cr_assert_eq(sb_matte_drop_islands(&a, &face, NULL, &e), SB_OK, "%s", e.message);
    cr_expect_eq(px[100 * N + 100], 1.0f, "the head");
    cr_expect_eq(px[150 * N + 60], 1.0f, "the body");
    cr_expect_eq(px[120 * N + 160], 0.1f, "the faint strand joined to the body");
    cr_expect_eq(px[120 * N + 180], 1.0f, "the hand joined by the strand");
    cr_expect_eq(px[150 * N + 44], 0.2f, "the speck within the reach of the body");
    double left = 0;
    for (int y = 20; y < 120; y++)
        for (int x = 5; x < 25; x++)
            left += px[y * N + x];
    cr_expect_eq(left, 0.0, "the patch and scrap apart from the face keep %f", left);
    cr_expect_eq(px[10 * N + 150], 0.03f, "the haze under the level is left as it was");
}
