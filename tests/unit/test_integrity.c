/* vision/integrity.c on synthetic aligned face crops: a skin-coloured oval with eyes, brows and a mouth
 * where the ArcFace template puts them. The same face scores 1; each damage moves its own measure past
 * its bound; bad crops are refused. The seam measure on a smooth synthetic frame: whole, with one straight
 * edge across it, and scrambled in 4x4 blocks (tests/damage.h). (tests/integration/test_likeness.c runs
 * them on real outputs.) */
#include <math.h>
#include <string.h>

#include "../damage.h"
#include "testutil.h"
#include "vision/embed.h"
#include "vision/integrity.h"

#define N SB_FACE_CROP

static void paint(sb_image_t *img, int x, int y, const uint8_t c[3])
{
    memcpy(img->data + ((size_t)y * N + x) * 3, c, 3);
}

/* The synthetic face: grey background, skin oval, dark eyes and brows, red mouth, a shaded nose side. */
static void make_face(sb_image_t *img)
{
    static const uint8_t bg[3] = {120, 120, 120}, skin[3] = {214, 168, 138}, eye[3] = {40, 30, 30},
                         mouth[3] = {170, 70, 70}, shade[3] = {170, 128, 104};
    sb_error_t e = {0};
    cr_assert_eq(sb_image_alloc(img, N, N, 3, &e), SB_OK);
    for (int y = 0; y < N; y++)
        for (int x = 0; x < N; x++) {
            float dx = (x - 56) / 38.0f, dy = (y - 64) / 48.0f;
            const uint8_t *c = dx * dx + dy * dy <= 1 ? skin : bg;
            for (int s = 0; s < 2; s++) {
                float ex = (x - (s ? 73.5f : 38.3f)) / 7.0f, ey = (y - 51.6f) / 3.5f;
                if (ex * ex + ey * ey <= 1)
                    c = eye;
                if (fabsf(x - (s ? 73.5f : 38.3f)) < 9 && y >= 41 && y < 44)
                    c = eye;
            }
            if (x >= 44 && x < 68 && y >= 89 && y < 95)
                c = mouth;
            if (x >= 50 && x < 55 && y >= 58 && y < 76)
                c = shade;
            paint(img, x, y, c);
        }
}

static sb_integrity_t score(const sb_image_t *ref, const sb_image_t *out)
{
    sb_integrity_t r;
    sb_error_t e = {0};
    cr_assert_eq(sb_face_integrity(ref, out, &r, &e), SB_OK, "%s", e.message);
    cr_log_info("layout %.3f dark %.3f hue %.1f detail %.3f -> %.3f", r.layout, r.dark, r.hue, r.detail, r.score);
    return r;
}

Test(integrity, the_same_face_is_whole)
{
    sb_image_t a = {0}, b = {0};
    make_face(&a);
    make_face(&b);
    sb_integrity_t r = score(&a, &b);
    cr_assert_float_eq(r.layout, 1.0f, 1e-4);
    cr_assert_eq(r.dark, 0.0f);
    cr_assert_eq(r.hue, 0.0f);
    cr_assert_float_eq(r.detail, 1.0f, 1e-4);
    cr_assert_eq(r.score, 1.0f);
    sb_image_free(&a);
    sb_image_free(&b);
}

Test(integrity, a_brighter_face_is_still_whole)
{
    sb_image_t a = {0}, b = {0};
    make_face(&a);
    make_face(&b);
    for (size_t i = 0; i < (size_t)N * N * 3; i++)
        b.data[i] = (uint8_t)(b.data[i] * 0.8f + 40);
    cr_assert_eq(score(&a, &b).score, 1.0f);
    sb_image_free(&a);
    sb_image_free(&b);
}

Test(integrity, a_recoloured_face_is_not)
{
    sb_image_t a = {0}, b = {0};
    make_face(&a);
    make_face(&b);
    for (size_t i = 0; i < (size_t)N * N; i++) {
        uint8_t *p = b.data + 3 * i, r = p[0];
        p[0] = p[2], p[2] = p[1], p[1] = r;
    }
    sb_integrity_t r = score(&a, &b);
    cr_assert_gt(r.hue, 80.0f);
    cr_assert_eq(r.score, 0.0f);
    sb_image_free(&a);
    sb_image_free(&b);
}

Test(integrity, dark_patches_on_the_cheeks_are_not)
{
    sb_image_t a = {0}, b = {0};
    make_face(&a);
    make_face(&b);
    static const uint8_t black[3] = {15, 15, 15};
    for (int y = 60; y < 88; y++)
        for (int x = 22; x < 90; x++)
            if (x < 46 || x >= 66)
                paint(&b, x, y, black);
    sb_integrity_t r = score(&a, &b);
    cr_assert_gt(r.dark, 0.16f);
    cr_assert_eq(r.score, 0.0f);
    sb_image_free(&a);
    sb_image_free(&b);
}

Test(integrity, a_face_without_features_is_not)
{
    sb_image_t a = {0}, b = {0};
    static const uint8_t skin[3] = {214, 168, 138};
    make_face(&a);
    make_face(&b);
    for (int y = 36; y < 100; y++)
        for (int x = 24; x < 88; x++)
            paint(&b, x, y, skin);
    sb_integrity_t r = score(&a, &b);
    cr_assert_lt(r.detail, 0.15f);
    cr_assert_eq(r.score, 0.0f);
    sb_image_free(&a);
    sb_image_free(&b);
}

Test(integrity, crops_of_the_wrong_shape_are_refused)
{
    sb_image_t a = {0}, small = {0};
    sb_integrity_t r;
    sb_error_t e = {0};
    make_face(&a);
    cr_assert_eq(sb_image_alloc(&small, 64, 64, 3, &e), SB_OK);
    memset(small.data, 0, 64 * 64 * 3);
    cr_assert_eq(sb_face_integrity(&a, &small, &r, &e), SB_ERR_USAGE);
    cr_assert(strstr(e.message, "aligned face crops"), "%s", e.message);
    cr_assert_eq(sb_face_integrity(&a, NULL, &r, &e), SB_ERR_USAGE);
    sb_image_free(&a);
    sb_image_free(&small);
}

/* A 240 x 240 frame of smooth shading (no edge a pixel wide), its "face" box in the middle. */
#define FRAME 240
static const sb_face_t frame_face = {.x = 60, .y = 60, .w = 120, .h = 120};

static void make_frame(sb_image_t *img)
{
    sb_error_t e = {0};
    cr_assert_eq(sb_image_alloc(img, FRAME, FRAME, 3, &e), SB_OK);
    for (int y = 0; y < FRAME; y++)
        for (int x = 0; x < FRAME; x++) {
            float l = 120 + 40 * sinf(x / 9.0f) + 30 * cosf(y / 13.0f) + 20 * sinf((x + y) / 17.0f);
            uint8_t *p = img->data + ((size_t)y * FRAME + x) * 3;
            p[0] = (uint8_t)lrintf(l + 30), p[1] = (uint8_t)lrintf(l), p[2] = (uint8_t)lrintf(l - 20);
        }
}

Test(integrity, seams_of_a_block_scramble_and_not_of_a_straight_edge)
{
    sb_image_t img = {0};
    sb_error_t e = {0};
    make_frame(&img);
    float whole = sb_face_seams(&img, &frame_face);
    /* One straight step across the whole frame: a fringe or a glasses bar, not a grid of blocks. */
    for (int y = FRAME / 2; y < FRAME; y++)
        for (int x = 0; x < FRAME * 3; x++)
            img.data[(size_t)y * FRAME * 3 + x] = (uint8_t)(img.data[(size_t)y * FRAME * 3 + x] * 3 / 4);
    float edge = sb_face_seams(&img, &frame_face);
    cr_assert_eq(damage_apply(&img, DAMAGE_SCRAMBLE, frame_face.x, frame_face.y, frame_face.w, frame_face.h, &e),
                 SB_OK);
    float scrambled = sb_face_seams(&img, &frame_face);
    cr_log_info("seams: whole %.3f, one straight edge %.3f, scrambled %.3f", whole, edge, scrambled);
    /* Integrity keeps 1 up to 0.12 and is 0 from 0.16 (integrity.c). */
    cr_assert_lt(whole, 0.12f);
    cr_assert_lt(edge, 0.12f);
    cr_assert_gt(scrambled, 0.16f);

    sb_integrity_t r = {.score = 1};
    sb_integrity_add_seams(&r, whole);
    cr_assert_eq(r.score, 1.0f);
    sb_integrity_add_seams(&r, scrambled);
    cr_assert_eq(r.score, 0.0f);
    cr_assert_float_eq(r.seam, scrambled, 1e-6);
    /* Under 16 pixels a side: nothing to read. */
    sb_face_t tiny = {.x = 0, .y = 0, .w = 6, .h = 6};
    cr_assert_eq(sb_face_seams(&img, &tiny), 0.0f);
    sb_image_free(&img);
}
