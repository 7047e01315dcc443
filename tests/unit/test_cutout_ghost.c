/* The cut-out check's remains away from the subject (pipeline/cutout_ghost.c), on drawn mattes 400x400: an
 * opaque subject whose own soft edge reads nothing, a faint blob far from it and a part cut loose from it
 * that read their area. */
#include <stdlib.h>

#include "pipeline/cutout_ghost.h"
#include "testutil.h"

#define N 400

/* The subject: opaque over [100, 300) x [100, 400), with a soft rim of alpha 0.3 ten pixels wide round it
 * (its own edge, within the 16 pixels of reach), drawn into `a` (N x N); `subject` is set on the opaque
 * part (sb_cutout_ghost dilates it, so each measure draws it again). */
static void draw_subject(float *a, uint8_t *subject)
{
    for (int y = 0; y < N; y++)
        for (int x = 0; x < N; x++) {
            bool core = x >= 100 && x < 300 && y >= 100, rim = x >= 90 && x < 310 && y >= 90;
            a[y * N + x] = core ? 1.0f : rim ? 0.3f : 0;
            subject[y * N + x] = core;
        }
}

/* Fill [x0, x0 + 40) x [10, 50) of `a` with v. */
static void blob(float *a, int x0, float v)
{
    for (int y = 10; y < 50; y++)
        for (int x = x0; x < x0 + 40; x++)
            a[y * N + x] = v;
}

Test(cutout_ghost, the_subjects_own_edge_reads_nothing_remains_read_their_area)
{
    static float px[N * N];
    static uint8_t subject[N * N];
    sb_fimage_t a = {.width = N, .height = N, .bands = 1, .data = px};
    sb_error_t e = {0};
    float g = -1;
    draw_subject(px, subject);
    cr_assert_eq(sb_cutout_ghost(&a, subject, &g, &e), SB_OK, "%s", e.message);
    cr_expect_eq(g, 0.0f, "the subject's own rim read %f", g);

    /* A faint ghost (alpha 0.2) of 40x40 at the upper left, far from the subject: 1600 of 160000 pixels. */
    draw_subject(px, subject);
    blob(px, 10, 0.2f);
    cr_assert_eq(sb_cutout_ghost(&a, subject, &g, &e), SB_OK);
    cr_expect_float_eq(g, 0.01f, 1e-6f, "faint blob: %f", g);

    /* An opaque part not connected to the subject (not set in `subject`) counts the same; a haze under 0.08
     * does not (invisible on the backdrop). */
    draw_subject(px, subject);
    blob(px, 10, 1.0f);
    blob(px, 350, 0.05f);
    cr_assert_eq(sb_cutout_ghost(&a, subject, &g, &e), SB_OK);
    cr_expect_float_eq(g, 0.01f, 1e-6f, "loose opaque part: %f", g);

    /* The same blob within the reach of the subject (4% of 400 = 16 px from its opaque part) is its edge. */
    draw_subject(px, subject);
    for (int y = 150; y < 190; y++)
        for (int x = 310; x < 315; x++)
            px[y * N + x] = 0.2f;
    cr_assert_eq(sb_cutout_ghost(&a, subject, &g, &e), SB_OK);
    cr_expect_eq(g, 0.0f, "a strand beside the subject read %f", g);
}
