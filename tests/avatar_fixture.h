/* avatar_fixture.h - what the in-process avatar tests share (test_avatar, test_avatar_options): one studio
 * per test (setup / close_studio), the photos and likeness thresholds of the contract, an avatar made from a
 * shared photo, PNG and likeness checks. Everything is static: a test file uses what it needs. */
#ifndef STROBE_TESTS_AVATAR_FIXTURE_H
#define STROBE_TESTS_AVATAR_FIXTURE_H

#pragma GCC diagnostic ignored "-Wunused-function"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <vips/vips.h>

#include "pipeline/studio.h"
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

static void setup(void)
{
    sb_error_t e = {0};
    cr_assert_eq(sb_io_init(NULL, &e), SB_OK, "%s", e.message);
    cr_assert_eq(sb_studio_open(&studio, &e), SB_OK);
}

/* The fini of a suite that only needs the studio closed. */
static void close_studio(void)
{
    sb_studio_close(studio);
}

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

#endif
