/* The avatar generator on the real photos of ../shared/testdata: sb_avatar in process (the three styles
 * and the platform defaults, determinism, likeness on the identity sets, the QA retry loop, intensity,
 * backgrounds and palettes, the input gates and option errors) and `strobe avatar --json` end to end.
 * CartoonGAN costs ~2 s per anime avatar on a 2-core machine, so few anime avatars are made: the platform
 * default, three hard faces for the first attempt, two at a small net side. Runs from the repository root (the CLI test needs ./strobe). */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vips/vips.h>

#include "pipeline/studio.h"
#include "render/grade.h"
#include "strobe.h"
#include "testutil.h"

static const uint8_t png_signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

/* A frontal, well-lit single-face photo: every style makes its avatar from it. */
#define FRONTAL "testdata/faces/u2net_young_man.jpg"
#define SMALL_NET_SIDE 128
/* The likeness thresholds of the contract: professional, consumer and gaming platforms. */
#define PROFESSIONAL 0.85f
#define CONSUMER 0.75f
#define GAMING 0.60f

static sb_studio_t *studio;
static char tmpdir[256]; /* made by the CLI test (after its skip check: a skipped test runs no fini) */

static void setup(void)
{
    sb_error_t e = {0};
    cr_assert_eq(sb_io_init(NULL, &e), SB_OK, "%s", e.message);
    cr_assert_eq(sb_studio_open(&studio, &e), SB_OK);
}

static void teardown(void)
{
    if (tmpdir[0]) {
        char cmd[512];
        snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
        cr_expect_eq(system(cmd), 0);
    }
    sb_studio_close(studio);
}

TestSuite(avatar, .init = setup, .fini = teardown, .timeout = 180);

/* Options as a caller who chooses nothing: zero means "0", not "default", for these two. */
static sb_avatar_opts_t no_opts(void)
{
    return SB_AVATAR_OPTS_DEFAULT;
}

/* Read tu_shared_dir()/rel, skipping the test when ../shared is missing. */
/* The avatar of one shared photo; the test fails when sb_avatar does. */
static void make_avatar(const char *rel, const sb_avatar_opts_t *o, sb_avatar_result_t *r)
{
    size_t len;
    uint8_t *buf = tu_read_shared(rel, &len);
    sb_error_t e = {0};
    sb_err err = sb_avatar(studio, buf, len, o, r, &e);
    free(buf);
    cr_assert_eq(err, SB_OK, "%s: %s (%s)", rel, sb_err_name(err), e.message);
    cr_log_info("%s: %s on %s/%s likeness %.4f (min %.2f), %d attempt(s) at intensity %.2f, warnings 0x%x", rel,
                r->style, r->background, r->palette, r->likeness, r->likeness_min, r->attempts, r->intensity,
                r->warnings);
}

/* The error sb_avatar gives for `o` on a shared photo; the result must be left empty. */
static sb_err avatar_error(const char *rel, const sb_avatar_opts_t *o, sb_error_t *e)
{
    size_t len;
    uint8_t *buf = tu_read_shared(rel, &len);
    sb_avatar_result_t r;
    sb_err err = sb_avatar(studio, buf, len, o, &r, e);
    free(buf);
    cr_assert_null(r.avatar, "no avatar on error %s", sb_err_name(err));
    cr_assert_null(r.thumbnail);
    return err;
}

/* A PNG (signature and probe) of side x side; returns whether it has an alpha channel. */
static int assert_png(const uint8_t *buf, size_t len, int side, const char *what)
{
    cr_assert_gt(len, sizeof png_signature, "%s: empty", what);
    cr_assert(memcmp(buf, png_signature, sizeof png_signature) == 0, "%s: PNG signature", what);
    sb_image_info_t info;
    sb_error_t e = {0};
    cr_assert_eq(sb_io_probe(buf, len, &info, &e), SB_OK, "%s: %s", what, e.message);
    cr_assert_eq(info.format, SB_FMT_PNG, "%s", what);
    cr_assert_eq(info.width, side, "%s: width %d", what, info.width);
    cr_assert_eq(info.height, side, "%s: height %d", what, info.height);
    return info.has_alpha;
}

/* Embedding of the largest face in an encoded image (asserts that one is found). */
static void embed_largest(const uint8_t *buf, size_t len, float out[SB_EMBED_DIM], const char *what)
{
    sb_error_t e = {0};
    sb_image_t img;
    sb_face_list_t faces = {0};
    sb_face_detector_t *det;
    sb_face_embedder_t *em;
    cr_assert_eq(sb_io_decode(buf, len, NULL, &img, NULL, &e), SB_OK, "%s: %s", what, e.message);
    cr_assert_eq(sb_studio_detector(studio, &det, &e), SB_OK, "%s", e.message);
    cr_assert_eq(sb_face_detect(det, &img, &faces, &e), SB_OK, "%s", e.message);
    cr_assert_gt(faces.count, 0, "%s: a face is found", what);
    int best = 0;
    for (int i = 1; i < faces.count; i++)
        if (faces.faces[i].w * faces.faces[i].h > faces.faces[best].w * faces.faces[best].h)
            best = i;
    cr_assert_eq(sb_studio_embedder(studio, &em, &e), SB_OK, "%s", e.message);
    cr_assert_eq(sb_face_embed(em, &img, &faces.faces[best], out, &e), SB_OK, "%s: %s", what, e.message);
    sb_face_list_free(&faces);
    sb_image_free(&img);
}

static float likeness_between(const float *a, const float *b)
{
    return sb_likeness_from_cosine(sb_embed_cosine(a, b));
}

static int has_model(const sb_avatar_result_t *r, sb_model_id id)
{
    for (int i = 0; i < r->detect.n_models; i++)
        if (r->detect.models[i] == id)
            return 1;
    return 0;
}

/* What every delivered avatar must be: a side x side PNG without alpha, a 100x100 thumbnail, the face
 * found again on it with the likeness reported (checked here with an independent re-detection) at or
 * over `likeness_min`, and the platform's names resolved. */
static void assert_avatar(const char *rel, const sb_avatar_result_t *r, int side, float likeness_min,
                          const char *style, const char *platform, const char *background, const char *palette)
{
    cr_assert_eq(r->size, side);
    cr_assert_not(assert_png(r->avatar, r->avatar_len, side, "avatar"), "an opaque avatar has no alpha");
    assert_png(r->thumbnail, r->thumbnail_len, SB_AVATAR_THUMB_SIDE, "thumbnail");
    cr_assert_not(r->warnings & SB_WARN_OUTPUT_FACE_NOT_FOUND, "the face is found on the avatar");
    cr_assert_not(r->warnings & SB_WARN_LIKENESS_BELOW_THRESHOLD, "warnings 0x%x", r->warnings);
    cr_assert_float_eq(r->likeness_min, likeness_min, 1e-6, "threshold %.3f", r->likeness_min);
    cr_assert_geq(r->likeness, likeness_min, "likeness %.4f", r->likeness);
    cr_assert_leq(r->likeness, 1.0f);
    cr_assert_geq(r->attempts, 1);
    cr_assert_leq(r->attempts, SB_AVATAR_MAX_ATTEMPTS);
    cr_assert_str_eq(r->style, style);
    cr_assert_str_eq(r->platform, platform);
    cr_assert_str_eq(r->background, background);
    cr_assert_str_eq(r->palette, palette);
    cr_assert_eq(r->detect.faces.count, 1, "one face in %s", rel);
    cr_assert_eq(r->detect.subject, 0);
    cr_assert(has_model(r, SB_MODEL_YUNET) && has_model(r, SB_MODEL_MOBILEFACENET) && has_model(r, SB_MODEL_NSFW),
              "provenance lists the detector, the embedder and the safety net");

    size_t len;
    uint8_t *buf = tu_read_shared(rel, &len);
    float in[SB_EMBED_DIM], out[SB_EMBED_DIM];
    embed_largest(buf, len, in, rel);
    embed_largest(r->avatar, r->avatar_len, out, "avatar");
    float mine = likeness_between(in, out);
    cr_log_info("%s: likeness reported %.4f, re-measured on the full-size input %.4f", rel, r->likeness, mine);
    cr_assert_lt(fabsf(mine - r->likeness), 0.06f, "reported %.4f, re-measured %.4f", r->likeness, mine);
    free(buf);
}

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
 * structure (issue 11/13, main at 39ff078: identity 0.153, 0.733 and 0.604, each delivered only as a mix
 * with the photo at the second attempt): a side-lit face in glasses, a bald head looking up, an evenly lit
 * face. Measured after: 0.98, 0.99 and 0.86-0.95, each on the first attempt. */
Test(avatar, anime_keeps_hard_faces_on_the_first_attempt)
{
    static const char *const hard[] = {"testdata/faces/prnet_aflw_04331.jpg", "testdata/faces/prnet_aflw_00514.jpg",
                                       "testdata/faces/u2net_woman_1080p.jpg"};
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

/* ---- 6. transparent background ---- */

/* Decode a PNG with its alpha channel kept (sb_io_decode flattens it): malloc'd pixels, bands in *bands. */
static uint8_t *decode_keep_alpha(const uint8_t *buf, size_t len, int *width, int *height, int *bands)
{
    VipsImage *im = vips_image_new_from_buffer(buf, len, "", NULL);
    cr_assert_not_null(im, "%s", vips_error_buffer());
    *width = vips_image_get_width(im);
    *height = vips_image_get_height(im);
    *bands = vips_image_get_bands(im);
    cr_assert_eq(vips_image_get_format(im), VIPS_FORMAT_UCHAR);
    size_t n;
    void *px = vips_image_write_to_memory(im, &n);
    cr_assert_not_null(px);
    cr_assert_eq(n, (size_t)*width * *height * *bands);
    g_object_unref(im);
    return px;
}

/* Alpha at the top corners must be 0 and at the face centre 255 (the bottom corners may hold the bust:
 * since issue 13 the framing ends a bust that reaches the photo's bottom on the frame's bottom edge). */
static void assert_cut_out(const uint8_t *png, size_t len, int side, const sb_face_t *face, const char *what)
{
    int w, h, bands;
    uint8_t *px = decode_keep_alpha(png, len, &w, &h, &bands);
    cr_assert_eq(w, side);
    cr_assert_eq(bands, 4, "%s: RGBA", what);
    const int corners[2][2] = {{0, 0}, {w - 1, 0}};
    for (int c = 0; c < 2; c++) {
        size_t i = ((size_t)corners[c][1] * w + corners[c][0]) * 4 + 3;
        cr_assert_eq(px[i], 0, "%s: corner (%d,%d) alpha %d", what, corners[c][0], corners[c][1], px[i]);
    }
    if (face) {
        int cx = (int)(face->x + face->w / 2), cy = (int)(face->y + face->h / 2);
        cr_assert_eq(px[((size_t)cy * w + cx) * 4 + 3], 255, "%s: the face is opaque", what);
    }
    g_free(px);
}

Test(avatar, transparent_background_gives_an_rgba_cut_out)
{
    sb_avatar_opts_t o = no_opts();
    o.platform = "linkedin";
    o.background = "transparent";
    sb_avatar_result_t r;
    make_avatar(FRONTAL, &o, &r);
    cr_assert_str_eq(r.background, "transparent");
    cr_assert_not(r.warnings & (SB_WARN_OUTPUT_FACE_NOT_FOUND | SB_WARN_LIKENESS_BELOW_THRESHOLD));
    cr_assert_geq(r.likeness, PROFESSIONAL);
    cr_assert(assert_png(r.avatar, r.avatar_len, 800, "avatar"), "sb_io_probe reports alpha");
    cr_assert_eq(r.avatar[25], 6, "IHDR colour type %d, 6 is RGBA", r.avatar[25]);

    /* The face, found on the avatar flattened over white (sb_io_decode), must be opaque. */
    sb_image_t flat;
    sb_face_list_t faces = {0};
    sb_face_detector_t *det;
    sb_error_t e = {0};
    cr_assert_eq(sb_io_decode(r.avatar, r.avatar_len, NULL, &flat, NULL, &e), SB_OK, "%s", e.message);
    cr_assert_eq(sb_studio_detector(studio, &det, &e), SB_OK);
    cr_assert_eq(sb_face_detect(det, &flat, &faces, &e), SB_OK);
    cr_assert_gt(faces.count, 0, "a face on the flattened avatar");
    assert_cut_out(r.avatar, r.avatar_len, 800, &faces.faces[0], "avatar");
    assert_cut_out(r.thumbnail, r.thumbnail_len, SB_AVATAR_THUMB_SIDE, NULL, "thumbnail");
    sb_face_list_free(&faces);
    sb_image_free(&flat);
    sb_avatar_result_free(&r);
}

/* ---- 7. backgrounds and palettes ---- */

/* Mean colour of a size x size square at the top left corner of an opaque avatar, 0..255. */
static void corner_mean(const sb_avatar_result_t *r, int size, float rgb[3])
{
    sb_image_t img;
    sb_error_t e = {0};
    cr_assert_eq(sb_io_decode(r->avatar, r->avatar_len, NULL, &img, NULL, &e), SB_OK, "%s", e.message);
    double sum[3] = {0};
    for (int y = 0; y < size; y++)
        for (int x = 0; x < size; x++)
            for (int c = 0; c < 3; c++)
                sum[c] += img.data[((size_t)y * img.width + x) * 3 + c];
    for (int c = 0; c < 3; c++)
        rgb[c] = (float)(sum[c] / ((double)size * size));
    sb_image_free(&img);
}

/* A custom look learned from warm-graded photos makes the avatar warmer (R up against B on the
 * background), keeps the person (likeness) and stays deterministic. */
Test(avatar, a_custom_look_moves_the_avatar_toward_it)
{
    static const char *const examples[] = {"testdata/identity/deepface_img1.jpg", "testdata/identity/deepface_img8.jpg",
                                           "testdata/identity/deepface_img16.jpg", "testdata/identity/deepface_img20.jpg"};
    enum { N = sizeof examples / sizeof examples[0] };
    uint8_t *bufs[N];
    size_t lens[N];
    sb_error_t e = {0};
    /* Warm each example with the warm-film grade, re-encode, and learn from those. */
    for (int i = 0; i < N; i++) {
        size_t len;
        uint8_t *raw = tu_read_shared(examples[i], &len);
        sb_image_t img = {0}, out8 = {0};
        sb_fimage_t f = {0};
        sb_decode_opts_t d = {.max_side = 512};
        cr_assert_eq(sb_io_decode(raw, len, &d, &img, NULL, &e), SB_OK, "%s", e.message);
        cr_assert_eq(sb_image_to_float(&img, &f, &e), SB_OK);
        cr_assert_eq(sb_grade_apply(&f, SB_GRADE_WARM_FILM, 1.0f, &e), SB_OK, "%s", e.message);
        cr_assert_eq(sb_fimage_to_u8(&f, &out8, &e), SB_OK);
        cr_assert_eq(sb_io_encode(&out8, SB_FMT_PNG, 0, &bufs[i], &lens[i], &e), SB_OK);
        sb_image_free(&img);
        sb_image_free(&out8);
        sb_fimage_free(&f);
        free(raw);
    }
    sb_look_t look;
    int used = 0;
    cr_assert_eq(sb_look_learn((const uint8_t *const *)bufs, lens, N, &look, &used, &e), SB_OK, "%s", e.message);
    cr_assert_eq(used, N);

    sb_avatar_opts_t o = no_opts();
    o.platform = "linkedin";
    sb_avatar_result_t plain, looked, again;
    make_avatar("testdata/faces/u2net_young_man.jpg", &o, &plain);
    o.look = &look;
    make_avatar("testdata/faces/u2net_young_man.jpg", &o, &looked);
    make_avatar("testdata/faces/u2net_young_man.jpg", &o, &again);
    cr_assert(looked.avatar_len == again.avatar_len && !memcmp(looked.avatar, again.avatar, looked.avatar_len),
              "a look must not make the avatar nondeterministic");
    cr_assert_geq(looked.likeness, 0.85f, "the look cost the likeness: %.4f", looked.likeness);
    float a[3], b[3];
    corner_mean(&plain, 40, a);
    corner_mean(&looked, 40, b);
    cr_assert_gt(b[0] - b[2], a[0] - a[2] + 3.0f, "not warmer: R-B %.1f -> %.1f", a[0] - a[2], b[0] - b[2]);
    sb_avatar_result_free(&plain);
    sb_avatar_result_free(&looked);
    sb_avatar_result_free(&again);
    for (int i = 0; i < N; i++)
        free(bufs[i]);
}

Test(avatar, every_background_and_a_hex_palette_make_an_avatar)
{
    static const char *const kinds[] = {"original_blur", "bokeh", "gradient", "studio_dark"};
    const size_t n = sizeof kinds / sizeof *kinds;
    sb_avatar_result_t r[sizeof kinds / sizeof *kinds];
    for (size_t i = 0; i < n; i++) {
        sb_avatar_opts_t o = no_opts();
        o.platform = "linkedin";
        o.background = kinds[i];
        make_avatar(FRONTAL, &o, &r[i]);
        cr_assert_str_eq(r[i].background, kinds[i]);
        cr_assert_str_eq(r[i].style, "corporate_headshot");
        cr_assert_str_eq(r[i].palette, "neutral_grey");
        cr_assert_not(assert_png(r[i].avatar, r[i].avatar_len, 800, kinds[i]));
        cr_assert_not(r[i].warnings & (SB_WARN_OUTPUT_FACE_NOT_FOUND | SB_WARN_LIKENESS_BELOW_THRESHOLD),
                      "%s: warnings 0x%x", kinds[i], r[i].warnings);
        for (size_t j = 0; j < i; j++)
            cr_assert(r[i].avatar_len != r[j].avatar_len || memcmp(r[i].avatar, r[j].avatar, r[i].avatar_len),
                      "%s and %s give the same avatar", kinds[i], kinds[j]);
    }
    for (size_t i = 0; i < n; i++)
        sb_avatar_result_free(&r[i]);

    /* "#336699" (upper or lower case) is a palette: a studio paper in that blue, the name kept in lower case. */
    sb_avatar_opts_t o = no_opts();
    o.platform = "linkedin";
    o.palette = "#336699";
    sb_avatar_result_t hex, grey;
    make_avatar(FRONTAL, &o, &hex);
    cr_assert_str_eq(hex.palette, "#336699");
    cr_assert_str_eq(hex.background, "studio_light");
    o.palette = "#33AA99";
    sb_avatar_result_t upper;
    make_avatar(FRONTAL, &o, &upper);
    cr_assert_str_eq(upper.palette, "#33aa99");
    sb_avatar_result_free(&upper);
    o.palette = NULL;
    make_avatar(FRONTAL, &o, &grey);
    float blue[3], neutral[3];
    corner_mean(&hex, 40, blue);
    corner_mean(&grey, 40, neutral);
    cr_log_info("corner of #336699: %.1f %.1f %.1f; of neutral_grey: %.1f %.1f %.1f", blue[0], blue[1], blue[2],
                neutral[0], neutral[1], neutral[2]);
    cr_assert_gt(blue[2] - blue[0], 30.0f, "a #336699 paper is blue: %.1f %.1f %.1f", blue[0], blue[1], blue[2]);
    cr_assert_lt(fabsf(neutral[2] - neutral[0]), 10.0f, "neutral_grey is grey");
    sb_avatar_result_free(&hex);
    sb_avatar_result_free(&grey);
}

/* ---- 8. input gates and option errors ---- */

Test(avatar, photos_without_a_usable_face_are_refused)
{
    sb_error_t e = {0};
    sb_avatar_opts_t o = no_opts();
    sb_err err = avatar_error("testdata/noface/dlib_dog.jpg", &o, &e);
    cr_assert_eq(err, SB_ERR_NO_FACE, "got %s (%s)", sb_err_name(err), e.message);
    err = avatar_error("testdata/groups/gfpgan_00.jpg", &o, &e); /* its largest face is 14% of the frame */
    cr_assert_eq(err, SB_ERR_FACE_TOO_SMALL, "got %s (%s)", sb_err_name(err), e.message);

    /* A 150x150 photo, made here. */
    sb_image_t tiny;
    cr_assert_eq(sb_image_alloc(&tiny, 150, 150, 3, &e), SB_OK);
    for (size_t i = 0; i < (size_t)150 * 150 * 3; i++)
        tiny.data[i] = (uint8_t)(i * 7);
    uint8_t *png;
    size_t len;
    cr_assert_eq(sb_io_encode(&tiny, SB_FMT_PNG, 0, &png, &len, &e), SB_OK);
    sb_avatar_result_t r;
    err = sb_avatar(studio, png, len, &o, &r, &e);
    cr_assert_eq(err, SB_ERR_IMAGE_TOO_SMALL, "got %s (%s)", sb_err_name(err), e.message);
    cr_assert_null(r.avatar);
    free(png);
    sb_image_free(&tiny);
}

/* Measured on fr_two_people.jpg (Obama and Biden): 2 faces, likeness 0.9983 on linkedin; the avatar
 * against the subject face of the photo 0.9983, against the other face 0.0657. */
Test(avatar, a_group_photo_uses_the_dominant_face_and_warns)
{
    const char *rel = "testdata/groups/fr_two_people.jpg";
    sb_avatar_opts_t o = no_opts();
    o.platform = "linkedin";
    sb_avatar_result_t r;
    make_avatar(rel, &o, &r);
    const sb_face_list_t *faces = &r.detect.faces;
    int subject = r.detect.subject;
    cr_assert_eq(faces->count, 2);
    cr_assert(subject == 0 || subject == 1);
    cr_assert(r.warnings & SB_WARN_MULTIPLE_FACES, "warnings 0x%x", r.warnings);
    cr_assert_not(r.warnings & (SB_WARN_OUTPUT_FACE_NOT_FOUND | SB_WARN_LIKENESS_BELOW_THRESHOLD));
    cr_assert_geq(r.likeness, PROFESSIONAL);
    assert_png(r.avatar, r.avatar_len, 800, "avatar");
    const sb_face_t *s = &faces->faces[subject], *other = &faces->faces[1 - subject];
    cr_assert_gt(s->w * s->h, other->w * other->h, "the subject is the larger face");

    /* The avatar is the subject's face, not the other person's (faces are in upright input pixels). */
    size_t len;
    uint8_t *buf = tu_read_shared(rel, &len);
    sb_image_t img;
    sb_face_embedder_t *em;
    sb_error_t e = {0};
    float avatar[SB_EMBED_DIM], subj[SB_EMBED_DIM], oth[SB_EMBED_DIM];
    cr_assert_eq(sb_io_decode(buf, len, NULL, &img, NULL, &e), SB_OK, "%s", e.message);
    cr_assert_eq(sb_studio_embedder(studio, &em, &e), SB_OK);
    cr_assert_eq(sb_face_embed(em, &img, s, subj, &e), SB_OK, "%s", e.message);
    cr_assert_eq(sb_face_embed(em, &img, other, oth, &e), SB_OK, "%s", e.message);
    embed_largest(r.avatar, r.avatar_len, avatar, "avatar");
    float ls = likeness_between(avatar, subj), lo = likeness_between(avatar, oth);
    cr_log_info("group avatar vs subject %.4f, vs the other face %.4f", ls, lo);
    cr_assert_geq(ls, PROFESSIONAL, "avatar vs subject %.4f", ls);
    cr_assert_lt(lo, 0.5f, "avatar vs the other person %.4f", lo);
    sb_image_free(&img);
    free(buf);
    sb_avatar_result_free(&r);
}

Test(avatar, bad_options_are_usage_errors_naming_the_field)
{
    static const struct {
        const char *platform, *style, *background, *palette, *variant;
        float intensity, likeness_min;
        const char *field;
    } cases[] = {
        {NULL, "nope", NULL, NULL, NULL, -1, -1, "style"},
        {NULL, "Anime", NULL, NULL, NULL, -1, -1, "style"},
        {"myspace", NULL, NULL, NULL, NULL, -1, -1, "platform"},
        {NULL, NULL, "plaid", NULL, NULL, -1, -1, "background"},
        {NULL, NULL, NULL, "mauve", NULL, -1, -1, "palette"},
        {NULL, NULL, NULL, "#12345", NULL, -1, -1, "palette"},
        {NULL, NULL, NULL, "#12345g", NULL, -1, -1, "palette"},
        {NULL, "anime", NULL, NULL, "ghibli", -1, -1, "variant"},
        {NULL, NULL, NULL, NULL, NULL, 1.5f, -1, "style_intensity"},
        {NULL, NULL, NULL, NULL, NULL, NAN, -1, "style_intensity"},
        {NULL, NULL, NULL, NULL, NULL, -1, 1.5f, "likeness_min"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        sb_avatar_opts_t o = {.platform = cases[i].platform,
                              .style = cases[i].style,
                              .background = cases[i].background,
                              .palette = cases[i].palette,
                              .variant = cases[i].variant,
                              .intensity = cases[i].intensity,
                              .likeness_min = cases[i].likeness_min};
        sb_error_t e = {0};
        sb_err err = avatar_error(FRONTAL, &o, &e);
        cr_assert_eq(err, SB_ERR_USAGE, "case %zu (%s): got %s", i, cases[i].field, sb_err_name(err));
        cr_assert_str_eq(e.field, cases[i].field, "case %zu: %s", i, e.message);
        cr_assert_gt(strlen(e.message), 0);
    }
}

/* cartoon_side is an option of sb_avatar: a bad one is a usage error naming it, as the other options are. */
Test(avatar, a_bad_cartoon_side_is_a_usage_error_naming_the_option)
{
    sb_avatar_opts_t o = no_opts();
    o.platform = "discord";
    o.cartoon_side = 130; /* not a multiple of 4 */
    sb_error_t e = {0};
    sb_err err = avatar_error(FRONTAL, &o, &e);
    cr_assert_eq(err, SB_ERR_USAGE, "got %s (%s)", sb_err_name(err), e.message);
    cr_assert_str_eq(e.field, "cartoon_side", "field '%s': %s", e.field, e.message);
}

/* ---- 9. the CLI ---- */

typedef struct {
    int status;
    json_t *out; /* stdout parsed as JSON, or NULL */
    json_t *err; /* stderr parsed as JSON, or NULL */
} run_t;

/* Run `./strobe ARGS` (a shell fragment), capturing stdout and stderr as JSON. */
static run_t run_cli(const char *args)
{
    char cmd[8192], out[300], err[300], cwd[4096];
    snprintf(out, sizeof out, "%s/stdout", tmpdir);
    snprintf(err, sizeof err, "%s/stderr", tmpdir);
    cr_assert_not_null(getcwd(cwd, sizeof cwd));
    cr_assert_eq(access("./strobe", X_OK), 0, "run from the repository root after make");
    snprintf(cmd, sizeof cmd, "%s/strobe %s >%s 2>%s", cwd, args, out, err);
    int st = system(cmd);
    return (run_t){.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1,
                   .out = json_load_file(out, JSON_DISABLE_EOF_CHECK, NULL),
                   .err = json_load_file(err, JSON_DISABLE_EOF_CHECK, NULL)};
}

static void run_free(run_t *r)
{
    json_decref(r->out);
    json_decref(r->err);
}

Test(avatar, cli_json_report_and_files)
{
    char in[4096], args[8192], out[512], thumb[512];
    TU_SHARED_PATH_OR_SKIP(in, FRONTAL);
    snprintf(tmpdir, sizeof tmpdir, "/tmp/strobe-avatar-XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
    snprintf(out, sizeof out, "%s/me.png", tmpdir);
    snprintf(thumb, sizeof thumb, "%s/me.thumb.png", tmpdir);
    snprintf(args, sizeof args, "avatar %s --platform linkedin -o %s --json", in, out);
    run_t r = run_cli(args);
    cr_assert_eq(r.status, 0, "exit %d", r.status);
    cr_assert_not_null(r.out, "stdout is one JSON object");
    json_t *j = r.out;
    cr_assert_str_eq(json_string_value(json_object_get(j, "avatar")), out);
    cr_assert_str_eq(json_string_value(json_object_get(j, "thumbnail")), thumb);
    cr_assert(json_is_true(json_object_get(j, "face_detected")));
    cr_assert_eq(json_integer_value(json_object_get(j, "face_count")), 1);
    double likeness = json_number_value(json_object_get(j, "likeness_score"));
    cr_assert(likeness >= 0.85 && likeness <= 1, "likeness_score %.4f", likeness);
    double q = json_number_value(json_object_get(j, "input_quality_score"));
    cr_assert(json_is_number(json_object_get(j, "input_quality_score")) && q > 0 && q <= 1, "quality %.3f", q);
    json_t *warnings = json_object_get(j, "validation_warnings");
    cr_assert(json_is_array(warnings));
    cr_assert_eq(json_array_size(warnings), 0, "a clean frontal photo has no warnings");
    cr_assert(json_is_number(json_object_get(j, "latency_ms")));
    cr_assert_gt(json_number_value(json_object_get(j, "latency_ms")), 0);
    cr_assert_str_eq(json_string_value(json_object_get(j, "style")), "corporate_headshot");
    cr_assert_str_eq(json_string_value(json_object_get(j, "platform")), "linkedin");
    cr_assert_geq(json_integer_value(json_object_get(j, "attempts")), 1);
    json_t *prov = json_object_get(j, "provenance");
    json_t *models = json_object_get(prov, "models");
    cr_assert_geq(json_array_size(models), 3, "detector, matte, embedder, safety...");
    for (size_t i = 0; i < json_array_size(models); i++) {
        json_t *m = json_array_get(models, i);
        const char *license = json_string_value(json_object_get(m, "license"));
        cr_assert(license && *license, "model %zu has a license", i);
        cr_assert_eq(strlen(json_string_value(json_object_get(m, "sha256"))), 64);
    }
    json_t *params = json_object_get(prov, "parameters");
    cr_assert(json_is_object(params));
    cr_assert_str_eq(json_string_value(json_object_get(params, "background")), "studio_light");
    cr_assert_str_eq(json_string_value(json_object_get(params, "palette")), "neutral_grey");
    cr_assert_float_eq(json_number_value(json_object_get(params, "style_intensity")), 1.0, 1e-9);
    cr_assert_float_eq(json_number_value(json_object_get(params, "likeness_min")), 0.85, 1e-6);

    size_t len;
    uint8_t *buf = tu_read(out, &len);
    assert_png(buf, len, 800, out);
    free(buf);
    buf = tu_read(thumb, &len);
    assert_png(buf, len, SB_AVATAR_THUMB_SIDE, thumb);
    free(buf);
    run_free(&r);

    snprintf(args, sizeof args, "avatar %s --style nope -o %s/no.png --json", in, tmpdir);
    r = run_cli(args);
    cr_assert_eq(r.status, 2);
    cr_assert_null(r.out, "nothing on stdout on failure");
    json_t *err = json_object_get(r.err, "error");
    cr_assert_str_eq(json_string_value(json_object_get(err, "code")), "bad_request");
    cr_assert_str_eq(json_string_value(json_object_get(err, "field")), "style");
    snprintf(out, sizeof out, "%s/no.png", tmpdir);
    cr_assert_neq(access(out, F_OK), 0, "no file written on failure");
    run_free(&r);
}
