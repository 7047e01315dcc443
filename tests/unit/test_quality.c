/* Input quality (src/vision/quality.c) on real photos of ../shared/testdata, decoded and searched for
 * faces as the pipelines do. The numbers in the comments are what bench/quality measured; the assertions
 * keep a margin from them. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "image/filter.h"
#include "pipeline/studio.h"
#include "strobe.h"
#include "testutil.h"
#include "vision/focus.h"
#include "vision/quality.h"

#include "studio_fixture.h"

TestSuite(quality, .init = setup, .fini = teardown, .timeout = 120);

typedef struct {
    sb_image_t img;
    sb_face_list_t faces;
    int subject;
} photo_t;

/* Decode testdata/<rel> at the pipelines' working size and find its faces; skips without ../shared. */
static void load(const char *rel, photo_t *p)
{
    char path[4096];
    TU_SHARED_PATH_OR_SKIP(path, rel);
    size_t len;
    uint8_t *buf = tu_read(path, &len);
    sb_detect_result_t d = {.subject = -1};
    sb_error_t e = {0};
    *p = (photo_t){0};
    cr_assert_eq(sb_pipeline_decode(buf, len, 1280, 0, &p->img, &d, &e), SB_OK, "%s: %s", rel, e.message);
    cr_assert_eq(sb_pipeline_find_faces(studio, &p->img, &p->faces, NULL, &d, &e), SB_OK, "%s: %s", rel, e.message);
    cr_assert_geq(d.subject, 0, "%s: no face", rel);
    p->subject = d.subject;
    sb_detect_result_free(&d);
    free(buf);
}

static void unload(photo_t *p)
{
    sb_image_free(&p->img);
    sb_face_list_free(&p->faces);
}

static sb_quality_t assess(const photo_t *p)
{
    sb_quality_t q;
    sb_error_t e = {0};
    cr_assert_eq(sb_quality_assess(&p->img, &p->faces, p->subject, -1, &q, &e), SB_OK, "%s", e.message);
    return q;
}

/* Every sample multiplied by k, clamped. */
static void scale_pixels(sb_image_t *img, float k)
{
    size_t n = (size_t)img->width * img->height * img->bands;
    for (size_t i = 0; i < n; i++) {
        float v = img->data[i] * k + 0.5f;
        img->data[i] = v > 255 ? 255 : (uint8_t)v;
    }
}

/* `src` blurred by sb_blur with `sigma` into `dst` (allocated). */
static void blurred(const sb_image_t *src, float sigma, sb_image_t *dst)
{
    sb_fimage_t f = {0};
    cr_assert_eq(sb_image_to_float(src, &f, NULL), SB_OK);
    cr_assert_eq(sb_blur(f.data, f.data, f.width, f.height, 3, sigma, NULL), SB_OK);
    cr_assert_eq(sb_fimage_to_u8(&f, dst, NULL), SB_OK);
    sb_fimage_free(&f);
}

Test(quality, warning_names_round_trip)
{
    const char *want[SB_WARN_COUNT] = {"multiple_faces", "face_too_small", "low_light", "overexposed",
                                       "blurry", "extreme_pose", "occluded", "low_resolution",
                                       "likeness_below_threshold", "output_face_not_found"};
    for (int i = 0; i < SB_WARN_COUNT; i++) {
        const char *name = sb_warning_name(1u << i);
        cr_assert_str_eq(name, want[i]);
        int back = -1;
        for (int j = 0; j < SB_WARN_COUNT; j++)
            if (!strcmp(sb_warning_name(1u << j), name))
                back = j;
        cr_assert_eq(back, i, "%s names one bit only", name);
    }
    cr_assert_eq(SB_WARN_OUTPUT_FACE_NOT_FOUND, 1u << (SB_WARN_COUNT - 1));
    cr_assert_null(sb_warning_name(0));
    cr_assert_null(sb_warning_name(SB_WARN_BLURRY | SB_WARN_LOW_LIGHT));
    cr_assert_null(sb_warning_name(1u << SB_WARN_COUNT));
}

Test(quality, face_too_small_is_the_headshot_gate)
{
    cr_assert_eq(SB_QUALITY_MIN_FACE_FRACTION, SB_MIN_FACE_FRACTION);
    sb_face_t f = {.x = 10, .y = 10, .w = 60, .h = 75};
    cr_assert_float_eq(sb_quality_face_fraction(&f, 800, 500), 75.0f / 500, 1e-6);
}

/* u2net_img_1859: frontal, studio, 512x512; every signal 1.00 (kept 0.209, p95 0.910, yaw -2.3). */
Test(quality, clean_frontal_portrait_scores_high)
{
    photo_t p;
    load("testdata/faces/u2net_img_1859.png", &p);
    sb_quality_t q = assess(&p);
    cr_assert_eq(q.warnings, 0, "warnings 0x%x", q.warnings);
    cr_assert_geq(q.score, 0.95f, "score %.3f", q.score);
    cr_assert_lt(fabsf(q.yaw_deg), 10, "yaw %.1f", q.yaw_deg);
    cr_assert_lt(fabsf(q.pitch_deg), 12, "pitch %.1f", q.pitch_deg);
    cr_assert(q.face_fraction > 0.5f && q.face_px > 300, "fraction %.2f, %.0f px", q.face_fraction, q.face_px);
    unload(&p);
}

/* The same photo blurred harder and harder: the kept share rises (0.21, 0.38, 0.54, 0.65, 0.73, 0.83 at
 * the sigmas below), sharpness never rises, and from sigma 2.5 on (kept over 0.50) it is `blurry`. */
Test(quality, blur_lowers_sharpness_monotonically)
{
    photo_t p;
    load("testdata/faces/u2net_img_1859.png", &p);
    const float sigma[] = {0, 1.5f, 2.5f, 3.5f, 4.5f, 6};
    float last_kept = 0, last_sharp = 2;
    for (int i = 0; i < 6; i++) {
        photo_t b = p;
        blurred(&p.img, sigma[i], &b.img);
        sb_quality_t q = assess(&b);
        cr_assert_gt(q.raw.detail_kept, last_kept + 0.03f, "sigma %.1f: kept %.3f after %.3f", sigma[i],
                     q.raw.detail_kept, last_kept);
        cr_assert_leq(q.sharpness, last_sharp, "sigma %.1f", sigma[i]);
        cr_assert_eq(!!(q.warnings & SB_WARN_BLURRY), sigma[i] >= 2.5f, "sigma %.1f: kept %.3f", sigma[i],
                     q.raw.detail_kept);
        if (sigma[i] >= 2.5f)
            cr_assert_lt(q.sharpness, 0.5f);
        last_kept = q.raw.detail_kept, last_sharp = q.sharpness;
        sb_image_free(&b.img);
    }
    unload(&p);
}

/* The edge blur (vision/focus.c) follows a blur laid on the photo: u2net_img_1859's face (about 340 px, read
 * at 128) rises with every sigma, stays under the blurry limit at sigma 2.5 and, blurred by 8 (3 at 128 px),
 * is over the refusal limit. */
Test(quality, edge_blur_rises_with_blur)
{
    photo_t p;
    load("testdata/faces/u2net_img_1859.png", &p);
    const float sigma[] = {0, 2.5f, 5, 8};
    float last = -1;
    for (int i = 0; i < 4; i++) {
        photo_t b = p;
        blurred(&p.img, sigma[i], &b.img);
        sb_quality_t q = assess(&b);
        cr_assert_gt(q.raw.edge_blur, last + 0.1f, "sigma %.1f: edge blur %.2f after %.2f", sigma[i], q.raw.edge_blur,
                     last);
        if (sigma[i] <= 2.5f)
            cr_assert_lt(q.raw.edge_blur, 1.8f, "sigma %.1f: %.2f", sigma[i], q.raw.edge_blur);
        last = q.raw.edge_blur;
        sb_image_free(&b.img);
    }
    cr_assert_gt(last, SB_FOCUS_BLUR_MAX, "sigma 8: edge blur %.2f", last);
    unload(&p);
}

/* groups/imagenet_candle: the girl behind the candle, far out of focus in a dark room. The kept share reads
 * the dark photo's noise as detail (0.33, a sharp face's: not blurry by it); the edge blur is 3.1, over the
 * limit where the people pipelines refuse, so she is blurry. */
Test(quality, defocused_face_in_a_dark_photo_is_blurry)
{
    photo_t p;
    load("testdata/groups/imagenet_candle.jpg", &p);
    sb_quality_t q = assess(&p);
    cr_assert_lt(q.raw.detail_kept, 0.5f, "kept %.3f", q.raw.detail_kept);
    cr_assert_gt(q.raw.edge_blur, SB_FOCUS_BLUR_MAX, "edge blur %.2f", q.raw.edge_blur);
    cr_assert(q.warnings & SB_WARN_BLURRY, "warnings 0x%x", q.warnings);
    cr_assert_lt(q.sharpness, 0.01f, "sharpness %.3f", q.sharpness);
    unload(&p);
}

/* Darkened to a quarter (p95 0.91 -> about 0.23): low_light; brightened 1.8x: clipped highlights. */
Test(quality, exposure_warnings)
{
    photo_t p;
    load("testdata/faces/u2net_img_1859.png", &p);
    sb_quality_t before = assess(&p);
    photo_t dark = p, bright = p;
    dark.img = (sb_image_t){0}, bright.img = (sb_image_t){0};
    cr_assert_eq(sb_image_alloc(&dark.img, p.img.width, p.img.height, 3, NULL), SB_OK);
    cr_assert_eq(sb_image_alloc(&bright.img, p.img.width, p.img.height, 3, NULL), SB_OK);
    memcpy(dark.img.data, p.img.data, (size_t)p.img.width * p.img.height * 3);
    memcpy(bright.img.data, p.img.data, (size_t)p.img.width * p.img.height * 3);
    scale_pixels(&dark.img, 0.25f);
    scale_pixels(&bright.img, 1.8f);
    sb_quality_t d = assess(&dark), b = assess(&bright);
    cr_assert(d.warnings & SB_WARN_LOW_LIGHT, "p95 %.3f", d.raw.luma_p95);
    cr_assert_lt(d.exposure, before.exposure);
    cr_assert_lt(d.face_luma, before.face_luma / 3);
    cr_assert(b.warnings & SB_WARN_OVEREXPOSED, "clipped %.3f", b.raw.clipped);
    cr_assert_not(b.warnings & SB_WARN_LOW_LIGHT);
    cr_assert_lt(b.exposure, before.exposure);
    sb_image_free(&dark.img);
    sb_image_free(&bright.img);
    unload(&p);
}

/* Dark skin in good light is not low light: inspireface_attr_1423 has face Y' median 0.22, p95 0.39. */
Test(quality, dark_skin_is_not_low_light)
{
    photo_t p;
    load("testdata/faces/inspireface_attr_1423.jpg", &p);
    sb_quality_t q = assess(&p);
    cr_assert_not(q.warnings & SB_WARN_LOW_LIGHT, "p95 %.3f", q.raw.luma_p95);
    unload(&p);
}

/* fr_two_people: the other face is as large as the subject's (ratio 1.01). */
Test(quality, group_photo_warns_multiple_faces)
{
    photo_t p;
    load("testdata/groups/fr_two_people.jpg", &p);
    cr_assert_eq(p.faces.count, 2);
    sb_quality_t q = assess(&p);
    cr_assert(q.warnings & SB_WARN_MULTIPLE_FACES, "other face ratio %.2f", q.raw.other_face);
    unload(&p);
}

/* A face a quarter of the subject's size (a passer-by far behind) does not warn; half its size does. */
Test(quality, small_background_faces_do_not_warn)
{
    photo_t p;
    load("testdata/faces/u2net_img_1859.png", &p);
    cr_assert_eq(p.faces.count, 1);
    const sb_face_t *s = &p.faces.faces[0];
    sb_face_t two[2] = {*s, *s};
    sb_face_list_t list = {2, two};
    photo_t q2 = p;
    q2.faces = list, q2.subject = 0;
    for (int k = 0; k < 2; k++) {
        float ratio = k ? 0.5f : 0.25f;
        two[1].w = s->w * ratio, two[1].h = s->h * ratio, two[1].x = 5, two[1].y = 5;
        sb_quality_t q = assess(&q2);
        cr_assert_eq(!!(q.warnings & SB_WARN_MULTIPLE_FACES), k, "ratio %.2f", ratio);
        cr_assert_float_eq(q.raw.other_face, ratio, 1e-3);
    }
    unload(&p);
}

/* inspireface_pose_left (labelled yaw ~60) measures -51 degrees, prnet_aflw_00251 (~45, other side) +47;
 * the frontal portrait -2. */
Test(quality, turned_faces_have_large_yaw)
{
    photo_t f, l, r;
    load("testdata/faces/u2net_img_1859.png", &f);
    load("testdata/faces/inspireface_pose_left.jpg", &l);
    load("testdata/faces/prnet_aflw_00251.jpg", &r);
    sb_quality_t qf = assess(&f), ql = assess(&l), qr = assess(&r);
    cr_assert_lt(ql.yaw_deg, -40, "yaw %.1f", ql.yaw_deg);
    cr_assert_gt(qr.yaw_deg, 40, "yaw %.1f", qr.yaw_deg);
    cr_assert_gt(fabsf(ql.yaw_deg), fabsf(qf.yaw_deg) + 30);
    cr_assert(ql.warnings & SB_WARN_EXTREME_POSE);
    cr_assert(qr.warnings & SB_WARN_EXTREME_POSE);
    cr_assert_lt(ql.pose, qf.pose);
    cr_assert_lt(ql.score, qf.score);
    unload(&f);
    unload(&l);
    unload(&r);
}

/* prnet_1 (head bowed) measures pitch -30: extreme; the frontal portrait +7. */
Test(quality, bowed_head_has_negative_pitch)
{
    photo_t p;
    load("testdata/faces/prnet_1.jpg", &p);
    sb_quality_t q = assess(&p);
    cr_assert_lt(q.pitch_deg, -25, "pitch %.1f", q.pitch_deg);
    cr_assert(q.warnings & SB_WARN_EXTREME_POSE);
    unload(&p);
}

/* fr_obama_partial_face2: cut by the right edge, 85% of the expected face in the frame; rembg_girl-1:
 * sunglasses, brightness step 1.18 between the nose bridge and the chin. */
Test(quality, cut_and_covered_faces_are_occluded)
{
    photo_t cut, glasses;
    load("testdata/faces/fr_obama_partial_face2.jpg", &cut);
    load("testdata/faces/rembg_girl-1.jpg", &glasses);
    sb_quality_t qc = assess(&cut), qg = assess(&glasses);
    cr_assert(qc.warnings & SB_WARN_OCCLUDED, "in frame %.2f", qc.raw.in_frame);
    cr_assert_lt(qc.raw.in_frame, 0.9f);
    cr_assert(qg.warnings & SB_WARN_OCCLUDED, "step %.2f", qg.raw.step);
    cr_assert_lt(qg.occlusion, 0.5f);
    unload(&cut);
    unload(&glasses);
}

/* rembg_girl-1: a 68 px face in a 600x399 photo (17% of the short side): low resolution but not under
 * the gate. skimage_camera: 75 px, 14.7%: both. */
Test(quality, small_faces)
{
    photo_t a, b;
    load("testdata/faces/rembg_girl-1.jpg", &a);
    load("testdata/faces/skimage_camera.png", &b);
    sb_quality_t qa = assess(&a), qb = assess(&b);
    cr_assert(qa.warnings & SB_WARN_LOW_RESOLUTION);
    cr_assert_not(qa.warnings & SB_WARN_FACE_TOO_SMALL, "fraction %.3f", qa.face_fraction);
    cr_assert(qb.warnings & SB_WARN_LOW_RESOLUTION);
    cr_assert(qb.warnings & SB_WARN_FACE_TOO_SMALL, "fraction %.3f", qb.face_fraction);
    cr_assert_lt(qb.face_size, 0.5f);
    unload(&a);
    unload(&b);
}

Test(quality, bad_inputs_are_refused)
{
    uint8_t px[16 * 16 * 3] = {0};
    sb_image_t img = {16, 16, 3, px}, grey = {16, 16, 1, px}, empty = {0};
    sb_face_t f = {.x = 2, .y = 2, .w = 10, .h = 10, .lmk = {{5, 6}, {10, 6}, {7, 8}, {5, 10}, {10, 10}}};
    sb_face_list_t one = {1, &f}, none = {0};
    sb_quality_t q;
    sb_error_t e = {0};
    cr_assert_eq(sb_quality_assess(NULL, &one, 0, -1, &q, &e), SB_ERR_USAGE);
    cr_assert_str_eq(e.field, "image");
    cr_assert_eq(sb_quality_assess(&empty, &one, 0, -1, &q, &e), SB_ERR_USAGE);
    cr_assert_eq(sb_quality_assess(&grey, &one, 0, -1, &q, &e), SB_ERR_USAGE);
    cr_assert_eq(sb_quality_assess(&img, &one, 0, -1, NULL, &e), SB_ERR_USAGE);
    cr_assert_str_eq(e.field, "out");
    cr_assert_eq(sb_quality_assess(&img, &none, 0, -1, &q, &e), SB_ERR_NO_FACE);
    cr_assert_eq(sb_quality_assess(&img, NULL, 0, -1, &q, &e), SB_ERR_NO_FACE);
    cr_assert_eq(sb_quality_assess(&img, &one, 1, -1, &q, &e), SB_ERR_USAGE);
    cr_assert_str_eq(e.field, "subject");
    cr_assert(strstr(e.message, "subject 1"), "%s", e.message);
    cr_assert_eq(sb_quality_assess(&img, &one, -1, -1, &q, &e), SB_ERR_USAGE);
    cr_assert_str_eq(e.field, "subject");
    sb_face_t outside = f;
    outside.x = 40;
    sb_face_list_t out_list = {1, &outside};
    cr_assert_eq(sb_quality_assess(&img, &out_list, 0, -1, &q, &e), SB_ERR_USAGE);
    cr_assert_str_eq(e.field, "faces");
    sb_face_t same_eyes = f;
    same_eyes.lmk[1] = same_eyes.lmk[0];
    sb_face_list_t eyes_list = {1, &same_eyes};
    cr_assert_eq(sb_quality_assess(&img, &eyes_list, 0, -1, &q, &e), SB_ERR_USAGE);
    cr_assert_eq(sb_quality_assess(&img, &one, 0, -1, &q, &e), SB_OK, "%s", e.message);
    cr_assert(q.score >= 0 && q.score <= 1);
}
