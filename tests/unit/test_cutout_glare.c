/* The cut-out check's glare measure (pipeline/cutout_glare.c) on a drawn scene: a head and a dark suit on a
 * light grey wall, a blown-out glare beside the shoulder and a blown-out white shirt front; the matte takes
 * the glare with the shoulder, or leaves it out. */
#include <stdlib.h>

#include "pipeline/cutout_glare.h"
#include "pipeline/cutout_qa.h"
#include "testutil.h"

#define N 400

static const sb_face_t FACE = {.x = 140, .y = 60, .w = 120, .h = 150,
                               .lmk = {{170, 110}, {230, 110}, {200, 140}, {178, 170}, {222, 170}}};

/* The body: the head's ellipse and the suit, a trapezoid from the neck (y 200) to the frame's bottom. */
static int body(int x, int y)
{
    float dx = (x + 0.5f - 200) / 60, dy = (y + 0.5f - 135) / 75;
    int half = y < 200 ? 0 : 40 + (y - 200) * 2 / 3;
    return dx * dx + dy * dy <= 1 || (y >= 200 && abs(x - 200) <= half);
}

/* The glare: a disc of radius 40 centred at (70, 235), beside the left shoulder, clear of the suit. */
static int glare(int x, int y)
{
    return (x - 70) * (x - 70) + (y - 235) * (y - 235) <= 40 * 40;
}

/* The shirt front: a blown-out white strip inside the suit, from the neck down. */
static int shirt(int x, int y)
{
    return y >= 210 && abs(x - 200) <= 20;
}

/* The photo (8 bits): grey wall 0.75, skin head, dark suit, a white shirt front (255) and the glare of a warm
 * lamp (red and green clipped, blue at 212). */
static void photo(sb_image_t *u)
{
    sb_error_t e = {0};
    cr_assert_eq(sb_image_alloc(u, N, N, 3, &e), SB_OK);
    for (int y = 0; y < N; y++)
        for (int x = 0; x < N; x++) {
            uint8_t *p = u->data + ((size_t)y * N + x) * 3;
            const uint8_t wall[3] = {190, 190, 190}, skin[3] = {200, 150, 120}, suit[3] = {30, 32, 45};
            const uint8_t white[3] = {255, 255, 255}, lamp[3] = {255, 246, 212};
            const uint8_t *c = glare(x, y)   ? lamp
                               : shirt(x, y) ? white
                               : !body(x, y) ? wall
                               : y < 200     ? skin
                                             : suit;
            p[0] = c[0], p[1] = c[1], p[2] = c[2];
        }
}

/* The matte: the body, with the glare taken where `with_glare`. */
static void matte(sb_fimage_t *a, int with_glare)
{
    sb_error_t e = {0};
    cr_assert_eq(sb_fimage_alloc(a, N, N, 1, &e), SB_OK);
    for (int y = 0; y < N; y++)
        for (int x = 0; x < N; x++)
            a->data[(size_t)y * N + x] = body(x, y) || (with_glare && glare(x, y) && x >= 60) ? 1.0f : 0.0f;
}

Test(cutout_glare, a_glare_taken_with_the_shoulder_is_measured_a_shirt_is_not)
{
    sb_image_t u = {0};
    sb_fimage_t with = {0}, without = {0};
    sb_error_t e = {0};
    photo(&u);
    matte(&with, 1);
    matte(&without, 0);
    float g_with, g_without;
    cr_assert_eq(sb_cutout_glare(&u, NULL, &with, &FACE, &g_with, &e), SB_OK, "%s", e.message);
    cr_assert_eq(sb_cutout_glare(&u, NULL, &without, &FACE, &g_without, &e), SB_OK, "%s", e.message);
    cr_log_info("glare kept %.4f, left out %.4f", g_with, g_without);
    /* The kept half of the disc outside the suit: several times the limit. */
    cr_expect_gt(g_with, 2 * SB_CUTOUT_GLARE_MAX, "the glare kept beside the shoulder: %.4f", g_with);
    /* The blown-out shirt front, kept inside the matte, never reaches the wall. */
    cr_expect_eq(g_without, 0.0f, "the white shirt front counted: %.4f", g_without);
    /* Without a face nothing is counted; a photo of another size is a usage error. */
    cr_expect_eq(sb_cutout_glare(&u, NULL, &with, NULL, &g_with, &e), SB_OK);
    cr_expect_eq(g_with, 0.0f);
    sb_image_t small = {0};
    cr_assert_eq(sb_image_alloc(&small, N / 2, N / 2, 3, &e), SB_OK);
    cr_expect_eq(sb_cutout_glare(&small, NULL, &with, &FACE, &g_with, &e), SB_ERR_USAGE);
    sb_image_free(&small);
    sb_image_free(&u);
    sb_fimage_free(&with);
    sb_fimage_free(&without);
}
