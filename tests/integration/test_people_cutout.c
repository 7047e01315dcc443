/* Issue 13 on the avatar and portrait pipelines, on real photos of ../shared/testdata (skipped without it):
 * the photos whose editorial avatars showed photo-edge "cards" before are delivered with a passing
 * cut-out check and exactly one face found again on the PNG (or refused with a specific code); tight,
 * clean photos make a headshot rather than a refusal; a portrait's samples all carry a passing check;
 * a neighbour's shoulder, white top, neck and lapel are cleared from a transparent avatar, and a hand
 * raised over a neighbour below the crop is kept; a subject far out of focus is refused in every style
 * (face_out_of_focus), and so is a face under 64 px (face_too_small); a neighbour kept against the
 * subject's cheek, or a face cheek to cheek with the subject's, is refused with cutout_failed naming
 * another person, and a faint ghost of a person behind
 * is refused or gone, and so is a patch of a car's ceiling the edge solve made opaque above the hair. In
 * process. */
#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>

#include "pipeline/cutout_ghost.h"
#include "pipeline/cutout_qa.h"
#include "pipeline/studio.h"
#include "strobe.h"
#include "testutil.h"

#include "studio_fixture.h"

TestSuite(people_cutout, .init = setup, .fini = teardown, .timeout = 1800);

/* Faces YuNet finds on an encoded output. */
static int faces_on(const uint8_t *png, size_t len)
{
    sb_image_t img = {0};
    sb_decode_opts_t o = {0};
    sb_error_t e = {0};
    sb_face_detector_t *det;
    sb_face_list_t faces = {0};
    cr_assert_eq(sb_io_decode(png, len, &o, &img, NULL, &e), SB_OK, "%s", e.message);
    cr_assert_eq(sb_studio_detector(studio, &det, &e), SB_OK, "%s", e.message);
    cr_assert_eq(sb_face_detect(det, &img, &faces, &e), SB_OK, "%s", e.message);
    int n = faces.count;
    sb_face_list_free(&faces);
    sb_image_free(&img);
    return n;
}

/* The photos whose editorial avatars showed a tilted photo edge or a floating bust before issue 13's
 * strategies reached the avatar: each is delivered clean in both styles, or refused with cutout_failed. */
Test(people_cutout, card_photos_make_clean_avatars_or_are_refused)
{
    static const char *const photos[] = {"testdata/faces/prnet_1.jpg", "testdata/faces/inspireface_pose_roll_right.png",
                                         "testdata/faces/gfpgan_adele_crop.png", "testdata/faces/dlib_tom_cruise.jpg",
                                         "testdata/faces/fnp_paul_rudd.jpg"};
    static const char *const styles[] = {"editorial", "anime"};
    int delivered = 0;
    for (size_t i = 0; i < sizeof photos / sizeof photos[0]; i++)
        for (size_t s = 0; s < 2; s++) {
            size_t len;
            uint8_t *buf = tu_read_shared(photos[i], &len);
            sb_avatar_opts_t o = SB_AVATAR_OPTS_DEFAULT;
            o.style = styles[s];
            sb_avatar_result_t r;
            sb_error_t e = {0};
            sb_err err = sb_avatar(studio, buf, len, &o, &r, &e);
            free(buf);
            if (err) {
                cr_expect_eq(err, SB_ERR_CUTOUT_FAILED, "%s %s: refused with %s (%s)", photos[i], styles[s],
                             sb_err_name(err), e.message);
                continue;
            }
            delivered++;
            cr_expect(r.cutout.pass, "%s %s: delivered without passing its check", photos[i], styles[s]);
            cr_expect(!r.cutout.photo_edge_visible, "%s %s: photo edge (run %.3f)", photos[i], styles[s],
                      r.cutout.edge.run);
            cr_expect(r.cutout.attempts >= 1 && r.cutout.attempts <= SB_HEADSHOT_STRATEGIES + 1);
            cr_expect_eq(faces_on(r.avatar, r.avatar_len), 1, "%s %s: not one face on the avatar", photos[i],
                         styles[s]);
            sb_avatar_result_free(&r);
        }
    /* Only prnet_1 (227 px, head rolled 22 degrees) and inspireface_pose_roll_right (the blurred trees
     * kept beside her hair and neck: halo 0.024-0.027 on every framing, looked at) may be refused. */
    cr_expect_geq(delivered, 6, "%d of 10 delivered", delivered);
}

/* A tight, clean photo (the person reaches the photo's edges) becomes a close-up with the photo's cuts on
 * the frame's edges, not a refusal. */
Test(people_cutout, tight_clean_photos_make_a_headshot)
{
    static const char *const photos[] = {"testdata/faces/dlib_tom_cruise.jpg", "testdata/faces/fr_32bit.png"};
    for (size_t i = 0; i < 2; i++) {
        size_t len;
        uint8_t *buf = tu_read_shared(photos[i], &len);
        sb_headshot_result_t r;
        sb_error_t e = {0};
        sb_headshot_opts_t o = {0};
        sb_err err = sb_headshot(studio, buf, len, &o, &r, &e);
        free(buf);
        cr_assert_eq(err, SB_OK, "%s refused: %s (%s)", photos[i], sb_err_name(err), e.message);
        cr_expect(r.cutout.pass && !r.cutout.photo_edge_visible);
        cr_expect_eq(faces_on(r.output, r.output_len), 1, "%s", photos[i]);
        sb_headshot_result_free(&r);
    }
}

/* Every portrait sample carries its check, and a delivered portrait's samples all pass it. (Was
 * gfpgan_adele_crop, whose portrait on this dark backdrop showed a dark cloud of the blue-grey curtain
 * round the hair: refused by the halo measure since issue 13's halo work, docs/QUALITY.md.) */
Test(people_cutout, portrait_samples_all_pass_their_check)
{
    size_t len;
    uint8_t *buf = tu_read_shared("testdata/faces/u2net_img_1585.png", &len);
    sb_generate_opts_t o = SB_GENERATE_OPTS_DEFAULT;
    o.prompt = "editorial portrait, dramatic light, dark backdrop";
    o.seed = 11;
    o.samples = 2;
    o.width = 512, o.height = 640;
    sb_generate_result_t r;
    sb_error_t e = {0};
    sb_err err = sb_generate_portrait(studio, buf, len, &o, &r, &e);
    free(buf);
    cr_assert_eq(err, SB_OK, "%s: %s", sb_err_name(err), e.message);
    cr_assert_eq(r.n_images, 2);
    for (int i = 0; i < r.n_images; i++) {
        cr_expect(r.images[i].cutout.pass, "sample %d", i);
        cr_expect_eq(r.images[i].cutout.output_face_count, 1, "sample %d", i);
        cr_expect(r.images[i].cutout.attempts >= 1);
        cr_expect_eq(faces_on(r.images[i].data, r.images[i].len), 1, "sample %d", i);
    }
    sb_generate_result_free(&r);
}

/* A transparent corporate avatar of a testdata photo (the caller frees it with sb_avatar_result_free). */
static void transparent_avatar(const char *photo, int enlarge, sb_avatar_result_t *r)
{
    size_t len;
    uint8_t *buf = tu_read_shared(photo, &len);
    if (enlarge > 1) {
        /* A photo whose face is under the gate's 64 px, enlarged (lanczos3) so that the cut-out is made:
         * the split's geometry is the same at any scale. */
        VipsImage *in = vips_image_new_from_buffer(buf, len, "", NULL), *big = NULL;
        cr_assert(in && !vips_resize(in, &big, enlarge, "kernel", VIPS_KERNEL_LANCZOS3, NULL), "%s",
                  vips_error_buffer());
        void *png = NULL;
        cr_assert_eq(vips_image_write_to_buffer(big, ".png", &png, &len, NULL), 0, "%s", vips_error_buffer());
        free(buf); /* after the write: the loader reads the buffer lazily */
        buf = malloc(len);
        memcpy(buf, png, len);
        g_free(png);
        g_object_unref(big), g_object_unref(in);
    }
    sb_avatar_opts_t o = SB_AVATAR_OPTS_DEFAULT;
    o.style = "corporate_headshot";
    o.background = "transparent";
    sb_error_t e = {0};
    sb_err err = sb_avatar(studio, buf, len, &o, r, &e);
    free(buf);
    cr_assert_eq(err, SB_OK, "%s: %s: %s", photo, sb_err_name(err), e.message);
}

/* Mean alpha (0..1) of an RGBA PNG over the box [x0, x1) x [y0, y1), in hundredths of its width and height. */
static double mean_alpha(const uint8_t *png, size_t len, int x0, int y0, int x1, int y1)
{
    /* sb_io_decode flattens alpha: read the PNG with libvips as it is. */
    VipsImage *im = vips_image_new_from_buffer(png, len, "", NULL);
    cr_assert_not_null(im, "%s", vips_error_buffer());
    int w = vips_image_get_width(im), h = vips_image_get_height(im);
    cr_assert_eq(vips_image_get_bands(im), 4);
    size_t size;
    uint8_t *px = vips_image_write_to_memory(im, &size);
    cr_assert_not_null(px);
    double sum = 0;
    int n = 0;
    for (int y = h * y0 / 100; y < h * y1 / 100; y++)
        for (int x = w * x0 / 100; x < w * x1 / 100; x++, n++)
            sum += px[((size_t)y * w + x) * 4 + 3] / 255.0;
    g_free(px);
    g_object_unref(im);
    return n ? sum / n : 0;
}

/* The transparent avatar of `photo` passes its check, and its mean alpha over the box (x0, y0)-(x1, y1), in
 * percent of the width and height, is under `limit`: what stood there (`what`) is cleared. */
static void expect_cleared(const char *photo, int enlarge, int x0, int y0, int x1, int y1, double limit,
                           const char *what)
{
    sb_avatar_result_t r;
    transparent_avatar(photo, enlarge, &r);
    double a = mean_alpha(r.avatar, r.avatar_len, x0, y0, x1, y1);
    cr_expect_lt(a, limit, "%s: alpha %.3f where %s", photo, a, what);
    cr_expect(r.cutout.pass, "%s: the check failed", photo);
    sb_avatar_result_free(&r);
}

/* groups/fr_obama_and_biden: Biden's shoulder came into the lower left of Obama's avatar before the
 * subject split seeded each person's neck and chest; on a transparent avatar that corner is now clear. */
Test(people_cutout, a_neighbours_shoulder_is_cleared)
{
    /* The lower-left corner: the left 8%, the lower 35%. */
    expect_cleared("testdata/groups/fr_obama_and_biden.jpg", 1, 0, 65, 8, 100, 0.15, "the neighbour's shoulder was");
}

/* groups/dlib_2008_002079: the woman's white top, against the man's neck below her face, stayed in his
 * avatar while the neighbour's column was kept out of the whole width under his head (mean alpha 0.98
 * there on main at 39ff078); her column now reaches his own (issue 13, h13-subject). The photo is enlarged
 * 2x here and below: his own face, 62 px, is under the gate's 64. */
Test(people_cutout, a_neighbours_white_top_is_cleared)
{
    /* Where her top was: 44-56% of the width, the lower 30% (his jacket starts at about 60%). */
    expect_cleared("testdata/groups/dlib_2008_002079.jpg", 2, 44, 70, 56, 100, 0.10, "the neighbour's white top was");
}

/* groups/dlib_2008_002079 again: her neck, between her chin and his jaw (cheek to cheek, their face boxes
 * overlap), stayed as a pale patch beside his jaw (mean alpha 0.36 over the box below on main at 61b7997):
 * her column was kept out of his face box grown for ears and hair, which covered her whole neck. Cheek to
 * cheek it now stops at his box (vision/subject.c; issue 13, h13-groups). */
Test(people_cutout, a_neighbours_neck_beside_his_jaw_is_cleared)
{
    /* Where the patch was: 46-52% of the width, 48-58% of the height (his jaw starts at about 53%). */
    expect_cleared("testdata/groups/dlib_2008_002079.jpg", 2, 46, 48, 52, 58, 0.10, "the neighbour's neck was");
}

/* groups/dlib_2008_002079 as it is: his face is 49 x 62 px, 16.5% of the photo's shorter side (it passes the
 * 15% share), and its headshot was blown up about 9x, soft, the top of his hair cut by the frame and the
 * split's stair-steps at his cheek, with an input quality score of 0. Faces under 64 px are refused in every
 * style, naming both numbers (issue 13). */
Test(people_cutout, a_face_under_64_pixels_is_refused_in_every_style)
{
    size_t len;
    uint8_t *buf = tu_read_shared("testdata/groups/dlib_2008_002079.jpg", &len);
    static const char *const styles[] = {"corporate_headshot", "anime", "editorial"};
    for (int i = 0; i < 3; i++) {
        sb_avatar_opts_t o = SB_AVATAR_OPTS_DEFAULT;
        o.style = styles[i];
        sb_avatar_result_t r;
        sb_error_t e = {0};
        sb_err err = sb_avatar(studio, buf, len, &o, &r, &e);
        cr_expect_eq(err, SB_ERR_FACE_TOO_SMALL, "%s: %s (%s)", styles[i], sb_err_name(err), e.message);
        cr_expect(strstr(e.message, "62 pixels") && strstr(e.message, "64"), "%s: %s", styles[i], e.message);
        if (!err)
            sb_avatar_result_free(&r);
    }
    free(buf);
}

/* groups/imagenet_candle: the subject is the girl behind the candle, far out of focus (the photographer
 * focused on the child in profile in front); main at df61882 delivered her blown up 3x, soft and noisy, with
 * the lit candle kept opaque beside her. Every style now refuses the photo before any cut-out (issue 13,
 * h13-candle). (Her neighbour in profile, a weak face the split keeps apart, was this test's subject before:
 * sb_matte_holds_other's weak faces stay tested in test_matte and on 3ddfa_emma_collage below.) */
Test(people_cutout, a_subject_out_of_focus_is_refused_in_every_style)
{
    size_t len;
    uint8_t *buf = tu_read_shared("testdata/groups/imagenet_candle.jpg", &len);
    static const char *const styles[] = {"corporate_headshot", "anime", "editorial"};
    for (int i = 0; i < 3; i++) {
        sb_avatar_opts_t o = SB_AVATAR_OPTS_DEFAULT;
        o.style = styles[i];
        o.background = i == 0 ? "transparent" : NULL;
        sb_avatar_result_t r;
        sb_error_t e = {0};
        sb_err err = sb_avatar(studio, buf, len, &o, &r, &e);
        cr_expect_eq(err, SB_ERR_FACE_OUT_OF_FOCUS, "%s: %s (%s)", styles[i], sb_err_name(err), e.message);
        cr_expect(strstr(e.message, "out of focus") != NULL, "%s: %s", styles[i], e.message);
        if (!err)
            sb_avatar_result_free(&r);
    }
    free(buf);
}

/* groups/deepface_couple: she is the subject, and his black lapel beside her bare neck filled the lower
 * right of her avatar (mean alpha 0.93 over the box below on main at aef5550): the split reached it from
 * her neck first. It is one colour, meets him with no colour step, and the other side of her body (bare
 * skin) lacks its colour, so it is his (vision/subject.c, lone regions; issue 13, h13-whole). */
Test(people_cutout, a_neighbours_lapel_beside_her_neck_is_cleared)
{
    /* Where the lapel was: 62-78% of the width, the lower 16%; her neck ends at about 55%. */
    expect_cleared("testdata/groups/deepface_couple.jpg", 1, 62, 84, 78, 100, 0.10, "the neighbour's lapel was");
}

/* groups/dlib_2009_004587: the selfie net left a faint patch (alpha 0.1-0.25) on the white curtain at the
 * photo's left, apart from the man, and the soft-edge solve made a scrap of it opaque; main (df61882)
 * delivered the avatar at its 4th cut-out with the strip (mean alpha 0.091 over the box below, up to
 * 0.89). Parts of the matte apart from the subject's face, out of its edge's reach, are now cleared from
 * the delivered image (vision/matte_islands.c). */
Test(people_cutout, a_curtain_patch_apart_from_the_subject_is_cleared)
{
    /* Where the strip was: the left 8% of the width, 20-55% of the height (his shoulder starts lower). */
    expect_cleared("testdata/groups/dlib_2009_004587.jpg", 1, 0, 20, 8, 55, 0.02, "the curtain's patch was");
}

/* groups/dlib_2009_004587: a tall man with his hand raised over the short woman's head. Her face lies below
 * his avatar's crop, and it seeded the crop's bottom edge, where his hand is: the split gave the hand to
 * her and his arm ended in a hard cut (mean alpha 0.00 over the box below on main at 61b7997). A face
 * below the crop now competes only when its hair can reach in (vision/subject.c, issue 13, h13-groups). */
Test(people_cutout, a_hand_raised_over_a_shorter_neighbour_is_kept)
{
    sb_avatar_result_t r;
    transparent_avatar("testdata/groups/dlib_2009_004587.jpg", 1, &r);
    /* Where his hand is: 86-96% of the width, the lower 12%. */
    double a = mean_alpha(r.avatar, r.avatar_len, 86, 88, 96, 100);
    cr_expect_gt(a, 0.6, "alpha %.3f over his hand", a);
    cr_expect(r.cutout.pass, "the check failed");
    sb_avatar_result_free(&r);
}

/* The shared photo's headshot (560 px) and its avatar in each of `styles` are all refused `cutout_failed`
 * with a message containing `named`; `fault` says what a delivery would have shown. */
static void expect_refused_in_styles(const char *photo, const char *const *styles, size_t n_styles,
                                     const char *named, const char *fault)
{
    size_t len;
    uint8_t *buf = tu_read_shared(photo, &len);
    sb_headshot_result_t r;
    sb_error_t e = {0};
    sb_headshot_opts_t o = {.size = 560};
    sb_err err = sb_headshot(studio, buf, len, &o, &r, &e);
    if (!err) {
        cr_expect_fail("%s: headshot delivered (attempt %d, other_person %.5f, raised %.6f) %s", photo,
                       r.cutout.attempts, r.cutout.other_person, r.cutout.raised, fault);
        sb_headshot_result_free(&r);
    } else {
        cr_expect_eq(err, SB_ERR_CUTOUT_FAILED, "%s: headshot: %s: %s", photo, sb_err_name(err), e.message);
        cr_expect(strstr(e.message, named) != NULL, "%s: headshot: \"%s\" not named: %s", photo, named, e.message);
    }
    for (size_t s = 0; s < n_styles; s++) {
        sb_avatar_opts_t ao = SB_AVATAR_OPTS_DEFAULT;
        ao.style = styles[s];
        sb_avatar_result_t ar;
        e = (sb_error_t){0};
        err = sb_avatar(studio, buf, len, &ao, &ar, &e);
        if (!err) {
            cr_expect_fail("%s: %s avatar delivered (attempt %d, likeness %.4f, raised %.6f) %s", photo, styles[s],
                           ar.cutout.attempts, ar.likeness, ar.cutout.raised, fault);
            sb_avatar_result_free(&ar);
            continue;
        }
        cr_expect_eq(err, SB_ERR_CUTOUT_FAILED, "%s: %s: %s: %s", photo, styles[s], sb_err_name(err), e.message);
        cr_expect(strstr(e.message, named) != NULL, "%s: %s: \"%s\" not named: %s", photo, styles[s], named,
                  e.message);
    }
    free(buf);
}

/* faces/inspireface_pose_roll_left (stored turned 90 degrees): the selfie net keeps a window frame behind
 * her (white bars, a dark pane) opaque and joined to her hair and shoulder, where the salient net reads
 * nothing, and the salient net misses her far side; main (df61882) delivered the headshot at its 2nd
 * cut-out with the window (0.31 of the frame kept opaque where the salient net read background). Such a
 * matte is now refused, naming it (pipeline/cutout_disagree.c). */
Test(people_cutout, a_window_the_salient_net_calls_background_is_refused)
{
    expect_refused_in_styles("testdata/faces/inspireface_pose_roll_left.png", NULL, 0, "two nets disagree",
                             "with the window frame beside her hair");
}

/* A refusal names what its measures saw, not more (issue 13, h13-refused). faces/fa_aflw-test: every
 * cut-out keeps a slab of the dark old background in the hair on the left (halo 0.014-0.016), and on its
 * 2nd, byte-identical to its 1st, the salient net reads her as background (disagree 0.31): main named
 * that "the matte kept what one of its nets saw as background", which nothing on that output shows.
 * faces/prnet_3: the detector reads her ear as a second face on two cut-outs, where main said "the output
 * does not hold exactly one face" of a photo of one person. */
Test(people_cutout, a_refusal_names_what_its_measures_saw)
{
    static const struct {
        const char *photo, *names, *real;
    } cases[] = {
        {"testdata/faces/fa_aflw-test.jpg", "the matte's two nets disagree on what is the person",
         "the old background shows round the person"},
        {"testdata/faces/prnet_3.jpg", "a second face is found on the output", "something is left away from the subject"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len;
        uint8_t *buf = tu_read_shared(cases[i].photo, &len);
        sb_headshot_result_t r;
        sb_error_t e = {0};
        sb_headshot_opts_t o = {.size = 560};
        sb_err err = sb_headshot(studio, buf, len, &o, &r, &e);
        free(buf);
        if (!err) {
            cr_expect_fail("%s: delivered (attempt %d)", cases[i].photo, r.cutout.attempts);
            sb_headshot_result_free(&r);
            continue;
        }
        cr_expect_eq(err, SB_ERR_CUTOUT_FAILED, "%s: %s: %s", cases[i].photo, sb_err_name(err), e.message);
        cr_expect(strstr(e.message, cases[i].names) && strstr(e.message, cases[i].real), "%s: %s", cases[i].photo,
                  e.message);
    }
}

/* The same photo's anime avatar: its first cut-out shows the photo's edge and the window unstyled (the
 * headshot's and the editorial avatar's checks refuse it), but the cartoon redraws both in flat regions
 * and lines, and main (afcb1d1) delivered it at its first attempt, window and all. The anime cut-out is
 * now checked unstyled before it is styled (pipeline/avatar.c), so the photo is refused in every style. */
Test(people_cutout, an_anime_avatar_is_checked_unstyled)
{
    size_t len;
    uint8_t *buf = tu_read_shared("testdata/faces/inspireface_pose_roll_left.png", &len);
    sb_avatar_opts_t o = SB_AVATAR_OPTS_DEFAULT;
    o.style = "anime";
    sb_avatar_result_t r;
    sb_error_t e = {0};
    sb_err err = sb_avatar(studio, buf, len, &o, &r, &e);
    free(buf);
    if (!err) {
        cr_expect_fail("delivered (attempt %d): the window frame beside her hair is kept", r.cutout.attempts);
        sb_avatar_result_free(&r);
        return;
    }
    cr_expect_eq(err, SB_ERR_CUTOUT_FAILED, "%s: %s", sb_err_name(err), e.message);
}

/* Photos whose headshots main (39ff078) delivered with a neighbour's remains against the subject's cheek:
 * groups/deepface_selfie_many (a dark jacket beside Brad Pitt's jaw), dlib_2008_007676 (the right-hand
 * woman's dark hair), ulfd_22_cg (the woman's hair strand beside the man's chin). The check's
 * other_person measure sees them, so each is refused, naming another person, and nothing is delivered. */
Test(people_cutout, a_neighbour_beside_the_cheek_is_refused)
{
    static const char *const photos[] = {"testdata/groups/deepface_selfie_many.jpg", "testdata/groups/dlib_2008_007676.jpg",
                                         "testdata/groups/ulfd_22_cg.jpg"};
    for (size_t i = 0; i < sizeof photos / sizeof photos[0]; i++)
        expect_refused_in_styles(photos[i], NULL, 0, "another person", "with a neighbour beside the cheek");
}

/* groups/inspireface_attr_7242: two women cheek to cheek. Main (51874e3) delivered her headshot and all
 * three avatar styles (other_person 0: the share leaves the head's ellipse alone) with a cut strip of hair
 * along her cheek where the other woman begins. The faces' boxes touch (sb_faces_touch), so each is refused
 * naming another person (issue 13, h13-avatars). */
Test(people_cutout, a_face_cheek_to_cheek_with_another_is_refused)
{
    static const char *const styles[] = {"editorial", "anime"};
    expect_refused_in_styles("testdata/groups/inspireface_attr_7242.jpg", styles, 2, "another person",
                             "cheek to cheek with another face");
}

/* The alpha of an RGBA PNG as a 1-band float image (the caller frees it). */
static void alpha_of(const uint8_t *png, size_t len, sb_fimage_t *a)
{
    VipsImage *im = vips_image_new_from_buffer(png, len, "", NULL);
    cr_assert_not_null(im, "%s", vips_error_buffer());
    cr_assert_eq(vips_image_get_bands(im), 4);
    size_t size;
    uint8_t *px = vips_image_write_to_memory(im, &size);
    cr_assert_not_null(px);
    *a = (sb_fimage_t){.width = vips_image_get_width(im), .height = vips_image_get_height(im), .bands = 1};
    size_t n = (size_t)a->width * a->height;
    a->data = malloc(n * sizeof *a->data);
    cr_assert_not_null(a->data);
    for (size_t i = 0; i < n; i++)
        a->data[i] = px[i * 4 + 3] / 255.0f;
    g_free(px);
    g_object_unref(im);
}

/* groups/3ddfa_emma_collage: the man standing behind her (a weak face the matte barely covers) was kept as
 * a faint ghost at alpha 0.1-0.5 beside her shoulder and hair; main (dc88807) delivered it, the headshot at
 * its first cut-out (ghost 0.055) and the transparent avatar with 0.013 of its frame half-transparent far
 * from her. Each is now refused with cutout_failed naming the ghost, or delivered without one. */
Test(people_cutout, a_faint_ghost_behind_is_refused_or_gone)
{
    size_t len;
    uint8_t *buf = tu_read_shared("testdata/groups/3ddfa_emma_collage.jpg", &len);
    sb_headshot_result_t r;
    sb_error_t e = {0};
    sb_headshot_opts_t o = {.size = 560};
    sb_err err = sb_headshot(studio, buf, len, &o, &r, &e);
    if (err) {
        cr_expect_eq(err, SB_ERR_CUTOUT_FAILED, "headshot: %s: %s", sb_err_name(err), e.message);
        cr_expect(strstr(e.message, "left away from the subject") != NULL, "headshot: the refusal does not name the remains: %s",
                  e.message);
    } else {
        cr_expect(r.cutout.pass && r.cutout.ghost <= SB_CUTOUT_GHOST_MAX, "headshot: delivered with ghost %.4f",
                  r.cutout.ghost);
        sb_headshot_result_free(&r);
    }
    sb_avatar_opts_t ao = SB_AVATAR_OPTS_DEFAULT;
    ao.style = "corporate_headshot";
    ao.background = "transparent";
    sb_avatar_result_t av;
    e = (sb_error_t){0};
    err = sb_avatar(studio, buf, len, &ao, &av, &e);
    free(buf);
    if (err) {
        cr_expect_eq(err, SB_ERR_CUTOUT_FAILED, "avatar: %s: %s", sb_err_name(err), e.message);
        return;
    }
    /* Measured on the delivered PNG's own alpha, not on the check's matte, from every opaque part of it. */
    sb_fimage_t a;
    alpha_of(av.avatar, av.avatar_len, &a);
    size_t n = (size_t)a.width * a.height;
    uint8_t *opaque = malloc(n);
    cr_assert_not_null(opaque);
    for (size_t i = 0; i < n; i++)
        opaque[i] = a.data[i] > 0.5f;
    float ghost;
    cr_assert_eq(sb_cutout_ghost(&a, opaque, &ghost, &e), SB_OK, "%s", e.message);
    cr_expect_leq(ghost, SB_CUTOUT_GHOST_MAX, "avatar: %.4f of the frame kept far from her", ghost);
    free(opaque);
    sb_fimage_free(&a);
    sb_avatar_result_free(&av);
}

/* faces/prnet_aflw_04331, a woman in a car: the selfie net reads the car's ceiling above her hair and the
 * seat beside her neck faintly, and the edge solve makes patches of them mostly opaque, joined to her.
 * main (00a97c8) delivered her first cut-out with a dark smudge above her hair and grey speckles right of
 * her neck; the check's `raised` measure (0.0012 there, 0.00071 on the second attempt) now fails every
 * attempt, so the photo is refused naming the edge solve. */
Test(people_cutout, a_patch_the_edge_solve_made_opaque_is_refused)
{
    size_t len;
    uint8_t *buf = tu_read_shared("testdata/faces/prnet_aflw_04331.jpg", &len);
    sb_headshot_result_t r;
    sb_error_t e = {0};
    sb_headshot_opts_t o = {.size = 560};
    sb_err err = sb_headshot(studio, buf, len, &o, &r, &e);
    free(buf);
    if (!err) {
        cr_expect_fail("delivered (attempt %d, raised %.5f) with the car's ceiling above her hair",
                       r.cutout.attempts, r.cutout.raised);
        sb_headshot_result_free(&r);
        return;
    }
    cr_expect_eq(err, SB_ERR_CUTOUT_FAILED, "%s: %s", sb_err_name(err), e.message);
    cr_expect(strstr(e.message, "edge solve") != NULL, "the refusal does not name the edge solve: %s", e.message);
}

/* groups/fr_kit_with_rose: the nets' matte is a wide blur over the mottled wall beside his curls and along
 * both shoulders of the grey suit, and the edge solve turns it into scratchy grey strokes of the wall, half
 * opaque, that a customer sends back. main (0a5d6ff) delivered the headshot at its first attempt (raised
 * 0.000475; 0.000485 at the second) and the editorial avatar at its first (0.00043; the branch's first
 * limit, 0.0004, delivered its second, 0.000386, strokes and all). Both are refused now, naming the edge
 * solve. */
Test(people_cutout, the_wall_strokes_beside_his_curls_are_refused)
{
    static const char *const styles[] = {"editorial"};
    expect_refused_in_styles("testdata/groups/fr_kit_with_rose.jpg", styles, 1, "edge solve",
                             "with the wall's strokes along his curls and shoulders");
}
