/* test_avatar_options.c - the avatar generator's options and refusals on the real photos of ../shared/testdata,
 * sb_avatar in process: the transparent cut-out, custom looks, backgrounds and palettes, photos without a
 * usable face, a group photo, option errors naming their field, and `strobe avatar --json` end to end. Runs
 * from the repository root (the CLI test needs ./strobe). */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vips/vips.h>

#include "avatar_fixture.h"
#include "render/grade.h"

static char tmpdir[256]; /* made by the CLI test (after its skip check: a skipped test runs no fini) */

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
