/* The matte's soft edge solved from local colours (vision/matte_edge.c) and the cut-out check's edge
 * measures (pipeline/cutout_halo.c), on drawn scenes: a subject disc on a black wall whose matte is too
 * soft, composited on a grey backdrop. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/cutout_halo.h"
#include "pipeline/cutout_qa.h"
#include "testutil.h"
#include "vision/matte_edge.h"

#define N 400
#define R 100.0f

/* 1 inside the disc of radius R at the frame's centre, 0 outside, antialiased over one pixel. */
static float disc(int x, int y)
{
    float d = hypotf(x + 0.5f - N / 2.0f, y + 0.5f - N / 2.0f) - R;
    return d < -0.5f ? 1 : d > 0.5f ? 0 : 0.5f - d;
}

/* The disc's alpha spread over a ramp `soft` pixels wide outside it (a net's soft band), or crisp. */
static float soft_alpha(int x, int y, float soft)
{
    float d = hypotf(x + 0.5f - N / 2.0f, y + 0.5f - N / 2.0f) - R;
    if (soft <= 0)
        return disc(x, y);
    return d <= 0 ? 1 : d >= soft ? 0 : 1 - d / soft;
}

/* The photo: a disc of `fg` on `bg` (0..1 RGB), as floats and as 8 bits. */
static void photo(const float fg[3], const float bg[3], sb_fimage_t *f, sb_image_t *u)
{
    sb_error_t e = {0};
    cr_assert_eq(sb_fimage_alloc(f, N, N, 3, &e), SB_OK);
    cr_assert_eq(sb_image_alloc(u, N, N, 3, &e), SB_OK);
    for (int y = 0; y < N; y++)
        for (int x = 0; x < N; x++) {
            float a = disc(x, y);
            for (int k = 0; k < 3; k++) {
                float v = a * fg[k] + (1 - a) * bg[k];
                f->data[((size_t)y * N + x) * 3 + k] = v;
                u->data[((size_t)y * N + x) * 3 + k] = (uint8_t)(v * 255 + 0.5f);
            }
        }
}

static void alpha_of(sb_fimage_t *a, float soft)
{
    sb_error_t e = {0};
    cr_assert_eq(sb_fimage_alloc(a, N, N, 1, &e), SB_OK);
    for (int y = 0; y < N; y++)
        for (int x = 0; x < N; x++)
            a->data[(size_t)y * N + x] = soft_alpha(x, y, soft);
}

/* Mean |alpha - the disc| over the pixels within `soft` of the disc's edge. */
static double edge_error(const sb_fimage_t *a, float soft)
{
    double sum = 0;
    size_t n = 0;
    for (int y = 0; y < N; y++)
        for (int x = 0; x < N; x++) {
            float d = hypotf(x + 0.5f - N / 2.0f, y + 0.5f - N / 2.0f) - R;
            if (d < -2 || d > soft)
                continue;
            sum += fabsf(a->data[(size_t)y * N + x] - disc(x, y));
            n++;
        }
    return sum / (double)n;
}

Test(matte_edge, a_soft_band_over_a_distinct_wall_is_solved_from_colour)
{
    const float brown[3] = {0.45f, 0.30f, 0.20f}, white[3] = {0.95f, 0.95f, 0.93f};
    sb_fimage_t img = {0}, a = {0};
    sb_image_t u = {0};
    sb_error_t e = {0};
    photo(brown, white, &img, &u);
    alpha_of(&a, 20);
    double before = edge_error(&a, 20);
    cr_assert_eq(sb_matte_edge_refine(&img, &a, NULL, &e), SB_OK, "%s", e.message);
    double after = edge_error(&a, 20);
    cr_log_info("edge error %.4f -> %.4f", before, after);
    cr_expect_lt(after, before * 0.25, "the wall kept in the band: %.4f -> %.4f", before, after);
    /* Sure pixels are never changed. */
    cr_expect_eq(a.data[(size_t)(N / 2) * N + N / 2], 1.0f);
    cr_expect_eq(a.data[0], 0.0f);
    sb_fimage_free(&img), sb_fimage_free(&a), sb_image_free(&u);
}

Test(matte_edge, colours_that_cannot_tell_leave_alpha_alone)
{
    const float dark[3] = {0.04f, 0.04f, 0.05f}, black[3] = {0.0f, 0.0f, 0.0f};
    sb_fimage_t img = {0}, a = {0}, b = {0};
    sb_image_t u = {0};
    sb_error_t e = {0};
    photo(dark, black, &img, &u);
    alpha_of(&a, 20);
    alpha_of(&b, 20);
    cr_assert_eq(sb_matte_edge_refine(&img, &a, NULL, &e), SB_OK, "%s", e.message);
    cr_expect_eq(memcmp(a.data, b.data, sizeof(float) * N * N), 0, "alpha moved where fg and bg look alike");
    sb_fimage_free(&img), sb_fimage_free(&a), sb_fimage_free(&b), sb_image_free(&u);
}

/* The delivered frame: the photo over a grey backdrop through `a`. */
static void composite(const sb_image_t *u, const sb_fimage_t *a, sb_image_t *out)
{
    sb_error_t e = {0};
    cr_assert_eq(sb_image_alloc(out, N, N, 3, &e), SB_OK);
    for (size_t i = 0; i < (size_t)N * N; i++)
        for (int k = 0; k < 3; k++)
            out->data[i * 3 + k] = (uint8_t)(a->data[i] * u->data[i * 3 + k] + (1 - a->data[i]) * 190 + 0.5f);
}

Test(cutout_halo, a_wide_rim_of_the_black_wall_fails_and_a_clean_edge_passes)
{
    const float skin[3] = {0.85f, 0.75f, 0.70f}, black[3] = {0, 0, 0};
    sb_fimage_t img = {0}, crisp = {0}, cloud = {0};
    sb_image_t u = {0}, out = {0};
    sb_error_t e = {0};
    float halo, holes, wall;
    photo(skin, black, &img, &u);
    alpha_of(&crisp, 0);
    composite(&u, &crisp, &out);
    cr_assert_eq(sb_cutout_halo(&out, &u, &crisp, NULL, &halo, &holes, &wall, &e), SB_OK, "%s", e.message);
    cr_log_info("crisp: halo %.4f holes %.4f", halo, holes);
    cr_expect_leq(halo, SB_CUTOUT_HALO_MAX * 0.2f, "a clean edge measured a halo of %.4f", halo);
    cr_expect_eq(holes, 0);
    sb_image_free(&out);
    /* The matte holds a 40 px ramp of the black wall round the disc: a grey-black cloud on the backdrop. */
    alpha_of(&cloud, 40);
    composite(&u, &cloud, &out);
    cr_assert_eq(sb_cutout_halo(&out, &u, &cloud, NULL, &halo, &holes, &wall, &e), SB_OK, "%s", e.message);
    cr_log_info("cloud: halo %.4f", halo);
    cr_expect_gt(halo, SB_CUTOUT_HALO_MAX * 2, "a 40 px rim of the old wall measured %.4f", halo);
    sb_image_free(&out);
    sb_fimage_free(&img), sb_fimage_free(&crisp), sb_fimage_free(&cloud), sb_image_free(&u);
}

Test(cutout_halo, a_hole_in_the_subject_is_measured_and_strand_gaps_are_not)
{
    const float skin[3] = {0.85f, 0.75f, 0.70f}, grey[3] = {0.5f, 0.5f, 0.5f};
    sb_fimage_t img = {0}, a = {0};
    sb_image_t u = {0}, out = {0};
    sb_error_t e = {0};
    float halo, holes, wall;
    photo(skin, grey, &img, &u);
    alpha_of(&a, 0);
    /* Ten 3 x 3 gaps (like the backdrop between strands), then one 30 x 30 hole. */
    for (int k = 0; k < 10; k++)
        for (int y = 0; y < 3; y++)
            for (int x = 0; x < 3; x++)
                a.data[(size_t)(130 + y) * N + 150 + 10 * k + x] = 0;
    composite(&u, &a, &out);
    cr_assert_eq(sb_cutout_halo(&out, &u, &a, NULL, &halo, &holes, &wall, &e), SB_OK, "%s", e.message);
    cr_expect_eq(holes, 0, "gaps of 9 pixels counted as holes: %.5f", holes);
    for (int y = 0; y < 30; y++)
        for (int x = 0; x < 30; x++)
            a.data[(size_t)(200 + y) * N + 180 + x] = 0;
    sb_image_free(&out);
    composite(&u, &a, &out);
    cr_assert_eq(sb_cutout_halo(&out, &u, &a, NULL, &halo, &holes, &wall, &e), SB_OK, "%s", e.message);
    cr_expect_float_eq(holes, 900.0f / (N * N), 1e-6, "holes %.5f", holes);
    cr_expect_gt(holes, SB_CUTOUT_HOLES_MAX);
    sb_image_free(&out);
    sb_fimage_free(&img), sb_fimage_free(&a), sb_image_free(&u);
}

/* A head on a white wall: brown hair (a disc of 2 px strands, light and dark) round a skin face (the
 * ellipse of `face`'s box), the net's matte opaque over both. Patches of the wall are drawn opaque: four
 * of 16 x 16 enclosed in the hair (the wall the net kept between curls), one of 32 x 32 against the top of
 * the face's ellipse (the colour of skin that continues the face's, as a temple or an ear would). */
static const int GAPS[4][2] = {{82, 112}, {127, 72}, {257, 72}, {302, 112}};
static const sb_face_t HEAD = {.x = 140, .y = 170, .w = 120, .h = 160,
                               .lmk = {{170, 230}, {230, 230}, {200, 260}, {180, 290}, {220, 290}}};
static void head(sb_fimage_t *img, sb_image_t *u, sb_fimage_t *a)
{
    const float hair[2][3] = {{0.55f, 0.38f, 0.26f}, {0.35f, 0.22f, 0.14f}}, skin[3] = {0.85f, 0.65f, 0.55f}, wall[3] = {0.95f, 0.94f, 0.92f};
    sb_error_t e = {0};
    cr_assert_eq(sb_fimage_alloc(img, N, N, 3, &e), SB_OK);
    cr_assert_eq(sb_image_alloc(u, N, N, 3, &e), SB_OK);
    cr_assert_eq(sb_fimage_alloc(a, N, N, 1, &e), SB_OK);
    for (int y = 0; y < N; y++)
        for (int x = 0; x < N; x++) {
            float dx = (x + 0.5f - 200) / 60, dy = (y + 0.5f - 250) / 80;
            int in_face = dx * dx + dy * dy <= 1, in_hair = hypotf(x + 0.5f - 200, y + 0.5f - 190) <= 150;
            int patch = x >= 184 && x < 216 && y >= 142 && y < 174;
            for (int g = 0; g < 4; g++)
                patch |= x >= GAPS[g][0] && x < GAPS[g][0] + 16 && y >= GAPS[g][1] && y < GAPS[g][1] + 16;
            const float *c = patch ? wall : in_face ? skin : in_hair ? hair[x / 2 % 2] : wall;
            size_t i = (size_t)y * N + x;
            a->data[i] = in_face || in_hair || (y >= 320 && x >= 120 && x < 280) ? 1.0f : 0.0f;
            for (int k = 0; k < 3; k++)
                img->data[i * 3 + k] = c[k], u->data[i * 3 + k] = (uint8_t)(c[k] * 255 + 0.5f);
        }
}

static float mean_alpha(const sb_fimage_t *a, int x0, int y0, int side)
{
    double sum = 0;
    for (int y = y0; y < y0 + side; y++)
        for (int x = x0; x < x0 + side; x++)
            sum += a->data[(size_t)y * N + x];
    return (float)(sum / (side * side));
}

Test(matte_edge, the_wall_kept_opaque_between_curls_is_opened_and_measured)
{
    sb_fimage_t img = {0}, a = {0};
    sb_image_t u = {0}, out = {0};
    sb_error_t e = {0};
    float halo, holes, wall;
    head(&img, &u, &a);
    composite(&u, &a, &out);
    cr_assert_eq(sb_cutout_halo(&out, &u, &a, &HEAD, &halo, &holes, &wall, &e), SB_OK, "%s", e.message);
    cr_log_info("before: wall %.5f", wall);
    cr_expect_gt(wall, 0.9f * 1024 / (N * N), "4 x 256 px of white wall kept in the hair measured %.5f", wall);
    sb_image_free(&out);
    cr_assert_eq(sb_matte_edge_refine(&img, &a, &HEAD, &e), SB_OK, "%s", e.message);
    float gap = 0, temple = mean_alpha(&a, 186, 144, 28);
    for (int g = 0; g < 4; g++)
        gap += mean_alpha(&a, GAPS[g][0] + 1, GAPS[g][1] + 1, 14) / 4;
    cr_log_info("gap alpha %.3f, patch against the face %.3f", gap, temple);
    cr_expect_lt(gap, 0.1f, "the wall between the curls kept alpha %.3f", gap);
    cr_expect_eq(temple, 1.0f, "a patch continuing the face's skin was opened to %.3f", temple);
    cr_expect_eq(mean_alpha(&a, 150, 60, 20), 1.0f, "the hair itself was opened");
    cr_expect_eq(mean_alpha(&a, 180, 340, 20), 1.0f, "the body under the chin was touched");
    composite(&u, &a, &out);
    cr_assert_eq(sb_cutout_halo(&out, &u, &a, &HEAD, &halo, &holes, &wall, &e), SB_OK, "%s", e.message);
    cr_log_info("after: wall %.5f", wall);
    cr_expect_lt(wall, 0.1f * 1024 / (N * N), "the opened gap still measured %.5f", wall);
    sb_image_free(&out);
    sb_fimage_free(&img), sb_fimage_free(&a), sb_image_free(&u);
}

/* A dark suit (rows from EDGE down) under a blue curtain whose folds are 4 px stripes, light and dark; the
 * net's matte is opaque over the suit and a ramp over the curtain above it, from 0.45 at the suit down to 0
 * RAMP rows up (the selfie net's wide blur; no face, so every row is below the chin). */
#define EDGE 200
#define RAMP 24
static void curtain(sb_fimage_t *img, sb_fimage_t *a)
{
    const float suit[3] = {0.08f, 0.08f, 0.09f}, fold[2][3] = {{0.20f, 0.35f, 0.70f}, {0.08f, 0.12f, 0.30f}};
    sb_error_t e = {0};
    cr_assert_eq(sb_fimage_alloc(img, N, N, 3, &e), SB_OK);
    cr_assert_eq(sb_fimage_alloc(a, N, N, 1, &e), SB_OK);
    for (int y = 0; y < N; y++)
        for (int x = 0; x < N; x++) {
            size_t i = (size_t)y * N + x;
            const float *c = y >= EDGE ? suit : fold[x / 4 % 2];
            a->data[i] = y >= EDGE ? 1.0f : y >= EDGE - RAMP ? 0.45f * (float)(y - (EDGE - RAMP)) / RAMP : 0.0f;
            for (int k = 0; k < 3; k++)
                img->data[i * 3 + k] = c[k];
        }
}

/* Mean |alpha step| between horizontal neighbours over the ramp's rows: 0 for an edge along the rows. */
static double across_steps(const sb_fimage_t *a)
{
    double sum = 0;
    for (int y = EDGE - RAMP; y < EDGE; y++)
        for (int x = 1; x < N; x++)
            sum += fabsf(a->data[(size_t)y * N + x] - a->data[(size_t)y * N + x - 1]);
    return sum / ((double)RAMP * (N - 1));
}

Test(matte_edge, a_curtains_folds_over_the_nets_blur_are_not_drawn_as_strokes)
{
    sb_fimage_t img = {0}, a = {0};
    sb_error_t e = {0};
    curtain(&img, &a);
    cr_assert_eq(sb_matte_edge_refine(&img, &a, NULL, &e), SB_OK, "%s", e.message);
    /* Before the texture rule the dark folds read as the suit: mean step 0.058, alpha up to 0.50. */
    double steps = across_steps(&a), peak = 0;
    for (int x = 0; x < N; x++)
        peak = fmax(peak, a.data[(size_t)(EDGE - 2) * N + x]);
    cr_log_info("alpha steps along the ramp's rows %.4f, peak 2 rows above the suit %.3f", steps, peak);
    cr_expect_lt(steps, 0.01, "strokes drawn across the net's blur: mean step %.4f", steps);
    cr_expect_leq(peak, 0.45f, "the curtain raised above the net's alpha: %.3f", peak);
    sb_fimage_free(&img), sb_fimage_free(&a);
}
