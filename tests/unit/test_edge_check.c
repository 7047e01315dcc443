/* The photo-edge detector (vision/edge_check.c) and the fitted framing (vision/align_fit.c) on synthetic
 * frames: a person cut along a tilted photo border, a border strip, and clean frames. */
#include <math.h>
#include <stdlib.h>

#include "testutil.h"
#include "vision/align_fit.h"
#include "vision/edge_check.h"

#define SIDE 400

/* The photo's corners: a square of 520 px turned by 8 degrees about (200, 40 + dy). */
static void tilted_quad(float dy, sb_point_t q[4])
{
    const float a = 8.0f * (float)M_PI / 180.0f, c = cosf(a), s = sinf(a), h = 260;
    const float corners[4][2] = {{-h, -h}, {h, -h}, {h, h}, {-h, h}};
    for (int i = 0; i < 4; i++)
        q[i] = (sb_point_t){200 + c * corners[i][0] - s * corners[i][1], 40 + dy + s * corners[i][0] + c * corners[i][1]};
}

/* Signed distance of (x, y) inside the quad (positive inside, in pixels). */
static float inside_by(const sb_point_t q[4], float x, float y)
{
    float d = INFINITY;
    for (int i = 0; i < 4; i++) {
        sb_point_t a = q[i], b = q[(i + 1) % 4];
        float dx = b.x - a.x, dy = b.y - a.y, len = sqrtf(dx * dx + dy * dy);
        d = fminf(d, ((x - a.x) * dy - (y - a.y) * dx) / len * -1.0f);
    }
    return d;
}

typedef enum { CUT_PERSON, CLEAN_PERSON, BORDER_STRIP } scene_t;

/* A grey studio backdrop (a soft vertical gradient) with, inside the photo, a dark bust from y = 250 down
 * (CUT_PERSON: it reaches the photo's border and ends on it; CLEAN_PERSON: it ends 60 px before it), or a
 * white strip 12 px wide along the photo's border (BORDER_STRIP). */
static void render(sb_image_t *img, const sb_point_t q[4], scene_t scene)
{
    cr_assert_eq(sb_image_alloc(img, SIDE, SIDE, 3, NULL), SB_OK);
    for (int y = 0; y < SIDE; y++)
        for (int x = 0; x < SIDE; x++) {
            float v = 0.70f - 0.1f * y / SIDE, in = inside_by(q, x + 0.5f, y + 0.5f);
            if (scene == BORDER_STRIP && in > 0 && in < 12)
                v = 0.97f;
            else if (scene != BORDER_STRIP && y > 250 && x > 80 && x < 320 && in > (scene == CLEAN_PERSON ? 60 : 0))
                v = 0.18f;
            for (int c = 0; c < 3; c++)
                img->data[((size_t)y * SIDE + x) * 3 + c] = (uint8_t)lrintf(v * 255);
        }
}

Test(edge_check, a_bust_cut_along_a_tilted_border_fires)
{
    sb_point_t q[4];
    sb_image_t img = {0};
    sb_edge_report_t r;
    tilted_quad(0, q); /* the bottom side crosses the frame between y ~ 250 and ~ 320 */
    render(&img, q, CUT_PERSON);
    cr_assert_eq(sb_edge_check(&img, q, &r, NULL), SB_OK);
    cr_expect(r.visible, "run %.3f contrast %.3f side %d", r.run, r.contrast, r.side);
    cr_expect_eq(r.side, 2, "the bottom side, got %d", r.side);
    cr_expect_gt(r.contrast, 0.3f);
    sb_image_free(&img);
}

Test(edge_check, a_border_strip_fires)
{
    sb_point_t q[4];
    sb_image_t img = {0};
    sb_edge_report_t r;
    tilted_quad(0, q);
    render(&img, q, BORDER_STRIP);
    cr_assert_eq(sb_edge_check(&img, q, &r, NULL), SB_OK);
    cr_expect(r.visible, "run %.3f contrast %.3f", r.run, r.contrast);
    sb_image_free(&img);
}

Test(edge_check, clean_frames_do_not_fire)
{
    sb_point_t q[4];
    sb_image_t img = {0};
    sb_edge_report_t r;
    /* The person ends well inside the photo: only backdrop on both sides of the border. */
    tilted_quad(0, q);
    render(&img, q, CLEAN_PERSON);
    cr_assert_eq(sb_edge_check(&img, q, &r, NULL), SB_OK);
    cr_expect(!r.visible, "run %.3f contrast %.3f side %d", r.run, r.contrast, r.side);
    sb_image_free(&img);
    /* The photo reaches past the frame's bottom: the bust ends on the frame's edge. */
    tilted_quad(200, q);
    render(&img, q, CUT_PERSON);
    cr_assert_eq(sb_edge_check(&img, q, &r, NULL), SB_OK);
    cr_expect(!r.visible, "run %.3f contrast %.3f side %d", r.run, r.contrast, r.side);
    cr_expect_lt(r.run, 0.02f);
    sb_image_free(&img);
}

Test(edge_check, refuses_bad_arguments)
{
    sb_image_t grey = {0};
    sb_point_t q[4] = {{0, 0}, {1, 0}, {1, 1}, {0, 1}};
    sb_edge_report_t r;
    sb_error_t e = {0};
    cr_assert_eq(sb_image_alloc(&grey, 8, 8, 1, NULL), SB_OK);
    cr_expect_eq(sb_edge_check(&grey, q, &r, &e), SB_ERR_USAGE);
    cr_expect_eq(sb_edge_check(NULL, q, &r, &e), SB_ERR_USAGE);
    sb_image_free(&grey);
}

/* A face low in a photo: the plain framing would show the photo's bottom inside the frame; the fit zooms
 * or shifts until the frame's lower corners are on the photo, and says when it cannot. */
Test(align_fit, keeps_the_bust_on_the_photo)
{
    sb_face_t f = {.x = 300, .y = 500, .w = 200, .h = 240, .score = 0.9f};
    f.lmk[SB_LMK_RIGHT_EYE] = (sb_point_t){350, 590};
    f.lmk[SB_LMK_LEFT_EYE] = (sb_point_t){450, 590};
    f.lmk[SB_LMK_NOSE] = (sb_point_t){400, 640};
    f.lmk[SB_LMK_MOUTH_RIGHT] = (sb_point_t){360, 690};
    f.lmk[SB_LMK_MOUTH_LEFT] = (sb_point_t){440, 690};
    double plain[6], m[6];
    sb_align_face(&f, &SB_FRAMING_HEADSHOT, 800, 800, plain);
    sb_point_t bottom = sb_align_unmap(plain, (sb_point_t){0, 800});
    int src_h = 900;
    cr_assert_gt(bottom.y, src_h, "the plain framing must reach below the photo for this test (%.0f)", bottom.y);
    cr_expect_eq(sb_align_face_fit(&f, &SB_FRAMING_HEADSHOT, &SB_FIT_HEADSHOT, 800, src_h, 800, 800, m), 1);
    for (int i = 0; i < 2; i++) {
        sb_point_t p = sb_align_unmap(m, (sb_point_t){i * 800.0f, 800});
        cr_expect(p.y <= src_h + 0.5f && p.x >= -0.5f && p.x <= 800.5f, "corner %d at %.1f, %.1f", i, p.x, p.y);
    }
    /* The eye line stays level. */
    sb_point_t r = sb_align_point(m, f.lmk[SB_LMK_RIGHT_EYE]), l = sb_align_point(m, f.lmk[SB_LMK_LEFT_EYE]);
    cr_expect_lt(fabsf(r.y - l.y), 0.01f);
    /* A photo that ends at the chin cannot be fitted without the head rule's limits: 0, the widest zoom. */
    cr_expect_eq(sb_align_face_fit(&f, &SB_FRAMING_HEADSHOT, &SB_FIT_HEADSHOT, 800, 700, 800, 800, m), 0);
}

/* A tight photo (dlib_tom_cruise's geometry: the face 73% of the photo's width, the hair cut by its top,
 * the shoulders by its sides and bottom): no headshot framing fits, but with `whole` the tightest limits
 * frame it wholly on the photo, every corner of the frame inside it, so each cut falls on the frame's edge. */
Test(align_fit, a_tight_photo_is_framed_wholly_on_it)
{
    const int sw = 565, sh = 800;
    sb_face_t f = {.x = 80.5f, .y = 172.6f, .w = 411.9f, .h = 556.7f,
                   .lmk = {{179.2f, 387.6f}, {377.4f, 389.8f}, {278.0f, 503.9f}, {185.5f, 570.1f}, {368.4f, 571.9f}}};
    double m[6];
    cr_expect_eq(sb_align_face_fit(&f, &SB_FRAMING_HEADSHOT, &SB_FIT_CLOSEUP, sw, sh, 800, 800, m), 0);
    sb_fit_limits_t tight = {.face_frac_max = 0.90f, .shift_x = 0.15f, .shift_up = 0.15f, .shift_down = 0.15f,
                             .head = 1, .whole = 1};
    cr_assert_eq(sb_align_face_fit(&f, &SB_FRAMING_HEADSHOT, &tight, sw, sh, 800, 800, m), 1);
    for (int i = 0; i < 4; i++) {
        sb_point_t p = sb_align_unmap(m, (sb_point_t){(i & 1) * 800.0f, (i >> 1) * 800.0f});
        cr_expect(p.x >= -0.5f && p.y >= -0.5f && p.x <= sw + 0.5f && p.y <= sh + 0.5f, "corner %d at %.1f, %.1f", i,
                  p.x, p.y);
    }
}
