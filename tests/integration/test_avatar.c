/* test_avatar.c - the avatar generator on the real photos of ../shared/testdata, sb_avatar in process: the
 * three styles and their platform defaults, determinism, likeness on the identity sets, the QA retry loop,
 * style intensity (backgrounds, palettes, gates, options and the CLI: test_avatar_options.c). CartoonGAN
 * costs ~2 s per anime avatar on a 2-core machine, so few anime avatars are made: the platform default, three
 * hard faces for the first attempt, two at a small net side. */
#include <math.h>
#include <stdlib.h>

#include "avatar_fixture.h"

TestSuite(avatar, .init = setup, .fini = close_studio, .timeout = 180);

/* ---- 1. each style on a frontal photo, with its platform's defaults ---- */

/* Measured on FRONTAL: corporate 0.9976, editorial 0.9972, anime (net side 256) 0.8002, each in one
 * attempt; re-measured on the full-size input the anime one is 0.8339, the others within 0.0003. */
/* The corporate avatar was once byte-identical to the headshot; since issue 13 the headshot frames by
 * fitting (align_fit.c: zoomed and shifted so the photo's border stays off the person, up to three
 * strategies) while the avatar keeps the fixed framing its likeness QA and kept inputs rely on, so the
 * two share the look (same backdrop, light and size) but not the crop. */
Test(avatar, corporate_on_linkedin_uses_the_platform_defaults)
{
    sb_avatar_opts_t o = no_opts();
    o.platform = "linkedin";
    sb_avatar_result_t r;
    make_avatar(FRONTAL, &o, &r);
    assert_avatar(FRONTAL, &r, 800, PROFESSIONAL, "corporate_headshot", "linkedin", "studio_light",
                  "neutral_grey");
    cr_assert_null(r.variant, "no anime variant on a corporate avatar");
    cr_assert_float_eq(r.intensity, 1.0f, 1e-6, "the first attempt passes at full intensity");
    cr_assert_not(has_model(&r, SB_MODEL_CARTOON_HOSODA) || has_model(&r, SB_MODEL_CARTOON_HAYAO));
    sb_avatar_result_free(&r);
}

/* No options at all: the generic platform, whose threshold is the consumer one. */
Test(avatar, null_options_mean_the_generic_platform)
{
    size_t len;
    uint8_t *buf = tu_read_shared(FRONTAL, &len);
    sb_avatar_result_t r;
    sb_error_t e = {0};
    cr_assert_eq(sb_avatar(studio, buf, len, NULL, &r, &e), SB_OK, "%s", e.message);
    free(buf);
    cr_assert_str_eq(r.platform, "generic");
    cr_assert_str_eq(r.style, "corporate_headshot");
    cr_assert_str_eq(r.background, "studio_light");
    cr_assert_str_eq(r.palette, "neutral_grey");
    cr_assert_float_eq(r.likeness_min, CONSUMER, 1e-6);
    cr_assert_float_eq(r.intensity, 1.0f, 1e-6);
    cr_assert_geq(r.likeness, CONSUMER);
    assert_png(r.avatar, r.avatar_len, 800, "avatar");
    sb_avatar_result_free(&r);
}

Test(avatar, editorial_on_twitter_hires_is_1200)
{
    sb_avatar_opts_t o = no_opts();
    o.platform = "twitter";
    o.style = "editorial";
    o.hires = true;
    sb_avatar_result_t r;
    make_avatar(FRONTAL, &o, &r);
    assert_avatar(FRONTAL, &r, 1200, CONSUMER, "editorial", "twitter", "bokeh", "sunset");
    sb_avatar_result_free(&r);
}

/* The share of pixels in the central 40% of an encoded image equal to their right neighbour in every band:
 * measured 0.44-0.73 on first-attempt anime avatars (flat cel regions), 0.19-0.22 on QA retries mixed 40% with
 * the photo, and a photo's noise leaves almost none. */
static float flat_share(const uint8_t *buf, size_t len)
{
    sb_image_t img;
    sb_error_t e = {0};
    cr_assert_eq(sb_io_decode(buf, len, NULL, &img, NULL, &e), SB_OK, "%s", e.message);
    int w = img.width, h = img.height, same = 0, total = 0;
    for (int y = h * 3 / 10; y < h * 7 / 10; y++)
        for (int x = w * 3 / 10; x < w * 7 / 10; x++) {
            const uint8_t *p = img.data + ((size_t)y * w + x) * img.bands;
            same += memcmp(p, p + img.bands, (size_t)img.bands) == 0;
            total++;
        }
    sb_image_free(&img);
    return (float)same / (float)total;
}

/* The one anime avatar at the default net side (the slow one). */
Test(avatar, anime_on_discord_is_the_platform_default)
{
    sb_avatar_opts_t o = no_opts();
    o.platform = "discord";
    sb_avatar_result_t r;
    make_avatar(FRONTAL, &o, &r);
    assert_avatar(FRONTAL, &r, 800, GAMING, "anime", "discord", "neon_geometric", "navy");
    cr_assert_str_eq(r.variant, "hosoda");
    cr_assert_eq(r.cartoon_side, SB_CARTOON_SIDE_DEFAULT);
    cr_assert(has_model(&r, SB_MODEL_CARTOON_HOSODA), "provenance lists the CartoonGAN weights");
    /* Since the cel stage keeps the face's structure the embedder no longer tells the drawing from the photo
     * (0.9935 here), so the change is measured on the pixels: flat cel regions. */
    float flat = flat_share(r.avatar, r.avatar_len);
    cr_log_info("anime: %.3f of neighbouring pixels equal in the centre", flat);
    cr_assert_geq(flat, 0.35f, "the anime style visibly changes the face: flat regions (%.3f of neighbours equal)",
                  flat);
    sb_avatar_result_free(&r);
}

/* Photos whose first anime attempt failed the consumer threshold before the cel stage kept the face's
 * structure (issue 11/13, main at 39ff078: identity 0.733 and 0.604, each delivered only as a mix with the
 * photo at the second attempt): a bald head looking up, an evenly lit face. Measured after: 0.99 and
 * 0.86-0.95, each on the first attempt. (The side-lit face in glasses, faces/prnet_aflw_04331, was the
 * third; its cut-out is now refused in every style for the patches of the car the edge solve made opaque:
 * test_people_cutout, a_patch_the_edge_solve_made_opaque_is_refused.) */
Test(avatar, anime_keeps_hard_faces_on_the_first_attempt)
{
    static const char *const hard[] = {"testdata/faces/prnet_aflw_00514.jpg", "testdata/faces/u2net_woman_1080p.jpg"};
    for (size_t i = 0; i < sizeof hard / sizeof *hard; i++) {
        sb_avatar_opts_t o = no_opts();
        o.style = "anime";
        sb_avatar_result_t r;
        make_avatar(hard[i], &o, &r);
        cr_assert_float_eq(r.likeness_min, CONSUMER, 1e-6);
        cr_assert_eq(r.attempts, 1, "%s: %d attempts (likeness %.4f)", hard[i], r.attempts, r.likeness);
        cr_assert_float_eq(r.intensity, 1.0f, 1e-6, "%s: delivered at intensity 1, not mixed with the photo", hard[i]);
        cr_assert_geq(r.likeness, CONSUMER, "%s: likeness %.4f", hard[i], r.likeness);
        sb_avatar_result_free(&r);
    }
}

/* The spread of the colour around its mean tone in the central 60% of an encoded image: the RMS over
 * pixels and channels of (channel - luma) minus its mean, 0..1 units. */
static float tone_spread(const uint8_t *buf, size_t len)
{
    sb_image_t img;
    sb_error_t e = {0};
    cr_assert_eq(sb_io_decode(buf, len, NULL, &img, NULL, &e), SB_OK, "%s", e.message);
    int w = img.width, h = img.height;
    double s[3] = {0}, s2 = 0, n = 0;
    for (int y = h / 5; y < h * 4 / 5; y++)
        for (int x = w / 5; x < w * 4 / 5; x++) {
            const uint8_t *p = img.data + ((size_t)y * w + x) * img.bands;
            double l = (0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2]) / 255;
            for (int c = 0; c < 3; c++) {
                double d = p[c] / 255.0 - l;
                s[c] += d;
                s2 += d * d;
            }
            n++;
        }
    sb_image_free(&img);
    double var = s2 / n;
    for (int c = 0; c < 3; c++)
        var -= (s[c] / n) * (s[c] / n);
    return (float)sqrt(var > 0 ? var / 3 : 0);
}

/* A black-and-white photo's anime avatar is drawn in the photo's one tone (issue 13, h13-avatars): the
 * skin's rosier shadows, the net's pastel colours and the palette's clusters painted the grey face of
 * gfpgan_julia_crop in mauve and pink patches (spread 0.0101 on main at 51874e3, 0.0012 after). */
Test(avatar, anime_of_a_black_and_white_photo_stays_in_its_tone)
{
    sb_avatar_opts_t o = no_opts();
    o.style = "anime";
    sb_avatar_result_t r;
    make_avatar("testdata/faces/gfpgan_julia_crop.png", &o, &r);
    float spread = tone_spread(r.avatar, r.avatar_len), flat = flat_share(r.avatar, r.avatar_len);
    cr_log_info("julia anime: tone spread %.4f, %.3f of neighbours equal, likeness %.4f", spread, flat, r.likeness);
    cr_assert_lt(spread, 0.004f, "the drawing keeps the photo's tone (colour spread %.4f)", spread);
    cr_assert_geq(flat, 0.35f, "still a cel drawing: flat regions (%.3f of neighbours equal)", flat);
    cr_assert_eq(r.attempts, 1, "%d attempts (likeness %.4f)", r.attempts, r.likeness);
    cr_assert_geq(r.likeness, CONSUMER, "likeness %.4f", r.likeness);
    sb_avatar_result_free(&r);
}

/* ---- 2. determinism ---- */

static void assert_same_twice(const char *rel, const sb_avatar_opts_t *o)
{
    sb_avatar_result_t a, b;
    make_avatar(rel, o, &a);
    make_avatar(rel, o, &b);
    cr_assert_eq(a.avatar_len, b.avatar_len, "%s: same size twice", a.style);
    cr_assert(memcmp(a.avatar, b.avatar, a.avatar_len) == 0, "%s: byte-identical avatars", a.style);
    cr_assert_eq(a.thumbnail_len, b.thumbnail_len);
    cr_assert(memcmp(a.thumbnail, b.thumbnail, a.thumbnail_len) == 0, "%s: byte-identical thumbnails", a.style);
    cr_assert_eq(a.likeness, b.likeness);
    sb_avatar_result_free(&a);
    sb_avatar_result_free(&b);
}

Test(avatar, same_input_and_options_give_the_same_bytes)
{
    sb_avatar_opts_t o = no_opts();
    o.platform = "linkedin";
    assert_same_twice(FRONTAL, &o);
    o.platform = "twitter"; /* editorial on generated bokeh */
    assert_same_twice(FRONTAL, &o);
    o.platform = "behance"; /* editorial on the photo's own background, blurred */
    assert_same_twice("testdata/faces/u2net_img_1695.png", &o);
}

/* The seed picks the procedural background's layout: another seed, other pixels. */
Test(avatar, the_seed_changes_a_generated_background)
{
    sb_avatar_opts_t o = no_opts();
    o.platform = "twitter";
    sb_avatar_result_t a, b;
    make_avatar(FRONTAL, &o, &a);
    o.seed = 7;
    make_avatar(FRONTAL, &o, &b);
    cr_assert_eq(b.seed, 7);
    cr_assert_neq(a.seed, 7);
    cr_assert(a.avatar_len != b.avatar_len || memcmp(a.avatar, b.avatar, a.avatar_len) != 0,
              "seed 7 and the default seed give the same bokeh");
    sb_avatar_result_free(&a);
    sb_avatar_result_free(&b);
}

/* ---- 3. likeness on the identity sets ---- */

/* Two photos of each of three people (identity/IDENTITIES.csv): the avatar is made from the first and
 * compared with the second photo of the same person and with the second photos of the others. */
static const struct {
    const char *avatar_from, *other_photo;
} people[] = {
    {"testdata/identity/fr_obama.jpg", "testdata/identity/fr_obama2.jpg"},
    {"testdata/identity/fr_kit_harington_john1.jpg", "testdata/identity/fr_kit_harington_john2.jpg"},
    {"testdata/identity/deepface_img1.jpg", "testdata/identity/deepface_img4.jpg"}, /* deepface_p01 */
};
#define N_PEOPLE (sizeof people / sizeof *people)

/* Measured: the avatar against its own input, corporate 0.9972/0.9983/0.9983 and editorial
 * 0.9970/0.9979/0.9980 (0.9951-0.9984 corporate over all 44 identity/ photos that pass the gates). The
 * floors are those minus a margin; the platform thresholds are 0.85 (corporate) and 0.75 (editorial).
 * The avatars against the second photos: same person 0.9640-0.9807 (corporate) and 0.9591-0.9744
 * (editorial), different people at most 0.0730 and 0.0733. The floor for the same person is that minus a
 * margin; different people must stay under 0.5, as the likeness calibration promises (vision/embed.h). */
Test(avatar, identity_photos_keep_their_likeness_and_stay_apart_from_others)
{
    static const struct {
        const char *platform, *style;
        float floor;
    } styles[] = {{"linkedin", "corporate_headshot", 0.95f}, {"twitter", "editorial", 0.95f}};
    float ref[N_PEOPLE][SB_EMBED_DIM];
    for (size_t i = 0; i < N_PEOPLE; i++) {
        size_t len;
        uint8_t *buf = tu_read_shared(people[i].other_photo, &len);
        embed_largest(buf, len, ref[i], people[i].other_photo);
        free(buf);
    }
    for (size_t s = 0; s < sizeof styles / sizeof *styles; s++) {
        float same_min = 1, diff_max = 0;
        for (size_t i = 0; i < N_PEOPLE; i++) {
            sb_avatar_opts_t o = no_opts();
            o.platform = styles[s].platform;
            sb_avatar_result_t r;
            make_avatar(people[i].avatar_from, &o, &r);
            cr_assert_str_eq(r.style, styles[s].style);
            cr_assert_not(r.warnings & (SB_WARN_OUTPUT_FACE_NOT_FOUND | SB_WARN_LIKENESS_BELOW_THRESHOLD));
            cr_assert_geq(r.likeness, styles[s].floor, "%s %s: likeness %.4f", styles[s].style,
                          people[i].avatar_from, r.likeness);
            float emb[SB_EMBED_DIM];
            embed_largest(r.avatar, r.avatar_len, emb, "avatar");
            for (size_t j = 0; j < N_PEOPLE; j++) {
                float l = likeness_between(emb, ref[j]);
                cr_log_info("%s avatar of %s vs %s: %.4f", styles[s].style, people[i].avatar_from,
                            people[j].other_photo, l);
                if (i == j)
                    same_min = fminf(same_min, l);
                else
                    diff_max = fmaxf(diff_max, l);
            }
            sb_avatar_result_free(&r);
        }
        fprintf(stderr, "%s: same person >= %.4f, different people <= %.4f\n", styles[s].style, same_min, diff_max);
        cr_assert_geq(same_min, 0.90f, "%s: same person down to %.4f", styles[s].style, same_min);
        cr_assert_lt(diff_max, 0.50f, "%s: different people up to %.4f", styles[s].style, diff_max);
    }
}

/* ---- 4. the QA retry loop ---- */

/* No avatar reaches likeness 1: all three attempts are made, at 100%, 60% and 30% of the requested
 * intensity, and the best is delivered with the warning. The best is checked against the three
 * attempts made one by one (threshold 0: one attempt each). */
Test(avatar, an_unreachable_threshold_makes_every_attempt_and_delivers_the_best)
{
    const float requested = 0.5f;
    sb_avatar_opts_t o = no_opts();
    o.platform = "linkedin";
    o.intensity = requested;
    o.likeness_min = 1.0f;
    sb_avatar_result_t r;
    make_avatar(FRONTAL, &o, &r);
    cr_assert_eq(r.attempts, SB_AVATAR_MAX_ATTEMPTS);
    cr_assert(r.warnings & SB_WARN_LIKENESS_BELOW_THRESHOLD, "warnings 0x%x", r.warnings);
    cr_assert_not(r.warnings & SB_WARN_OUTPUT_FACE_NOT_FOUND);
    cr_assert_float_eq(r.likeness_min, 1.0f, 1e-6);
    cr_assert_lt(r.likeness, 1.0f);
    assert_png(r.avatar, r.avatar_len, 800, "avatar delivered anyway");
    assert_png(r.thumbnail, r.thumbnail_len, SB_AVATAR_THUMB_SIDE, "thumbnail");

    const float scale[SB_AVATAR_MAX_ATTEMPTS] = {1.0f, 0.6f, 0.3f};
    float best = -1, best_t = -1;
    sb_avatar_result_t best_single = {0};
    for (int k = 0; k < SB_AVATAR_MAX_ATTEMPTS; k++) {
        sb_avatar_opts_t one = o;
        one.intensity = requested * scale[k];
        one.likeness_min = 0;
        sb_avatar_result_t s;
        make_avatar(FRONTAL, &one, &s);
        cr_assert_eq(s.attempts, 1, "threshold 0 passes at once");
        cr_assert_float_eq(s.intensity, one.intensity, 1e-6);
        if (s.likeness > best) {
            best = s.likeness;
            best_t = one.intensity;
            sb_avatar_result_free(&best_single);
            best_single = s;
        } else {
            sb_avatar_result_free(&s);
        }
    }
    cr_assert_float_eq(r.intensity, best_t, 1e-6, "delivered intensity %.3f, best attempt at %.3f", r.intensity,
                       best_t);
    cr_assert_float_eq(r.likeness, best, 1e-6, "delivered likeness %.4f, best %.4f", r.likeness, best);
    cr_assert_eq(r.avatar_len, best_single.avatar_len);
    cr_assert(memcmp(r.avatar, best_single.avatar, r.avatar_len) == 0, "the best attempt's bytes are delivered");
    sb_avatar_result_free(&best_single);
    sb_avatar_result_free(&r);
}

/* ---- 5. style intensity ---- */

/* Anime at intensity 0 is the photo (the net does not run); at 1 it is the net's drawing. Measured at
 * net side 128, threshold 0 (one attempt): 0.9979 at intensity 0, 0.3081 at intensity 1. */
Test(avatar, anime_at_intensity_0_is_at_least_as_like_as_at_1)
{
    sb_avatar_opts_t o = no_opts();
    o.platform = "discord";
    o.cartoon_side = SMALL_NET_SIDE;
    o.likeness_min = 0;
    o.intensity = 0;
    sb_avatar_result_t zero, one;
    make_avatar(FRONTAL, &o, &zero);
    o.intensity = 1;
    make_avatar(FRONTAL, &o, &one);
    cr_assert_eq(zero.attempts, 1);
    cr_assert_eq(one.attempts, 1);
    cr_assert_float_eq(zero.intensity, 0.0f, 1e-6);
    cr_assert_float_eq(one.intensity, 1.0f, 1e-6);
    cr_assert_eq(one.cartoon_side, SMALL_NET_SIDE);
    cr_assert_geq(zero.likeness, one.likeness, "intensity 0: %.4f, intensity 1: %.4f", zero.likeness, one.likeness);
    cr_assert_geq(zero.likeness, 0.95f, "anime at intensity 0 is nearly the photo: %.4f", zero.likeness);
    sb_avatar_result_free(&zero);
    sb_avatar_result_free(&one);
}
