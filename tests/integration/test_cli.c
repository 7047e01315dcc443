/* The strobe binary end to end: reports, outputs, error JSON and exit codes. Runs ./strobe from the
 * repository root (make test builds it first). */
#include <jansson.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vips/vips.h>

#include "strobe.h"
#include "testutil.h"

static char tmpdir[256];

static void setup(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/strobe-cli-XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
    cr_assert_eq(access("./strobe", X_OK), 0, "run from the repository root after make");
    sb_error_t e = {0};
    cr_assert_eq(sb_io_init(NULL, &e), SB_OK);
}

static void teardown(void)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    cr_expect_eq(system(cmd), 0);
}

TestSuite(cli, .init = setup, .fini = teardown, .timeout = 120);

typedef struct {
    int status;
    json_t *out; /* stdout parsed as JSON, or NULL */
    json_t *err; /* stderr parsed as JSON, or NULL */
} run_t;

static json_t *load_json(const char *path)
{
    return json_load_file(path, JSON_DISABLE_EOF_CHECK, NULL);
}

/* Run `./strobe ARGS` (a shell fragment) with optional environment prefix `env`. */
static run_t run(const char *env, const char *args)
{
    char cmd[8192], out[300], err[300];
    snprintf(out, sizeof out, "%s/stdout", tmpdir);
    snprintf(err, sizeof err, "%s/stderr", tmpdir);
    char cwd[4096];
    cr_assert_not_null(getcwd(cwd, sizeof cwd));
    int n = snprintf(cmd, sizeof cmd, "%s %s/strobe %s >%s 2>%s", env ? env : "", cwd, args, out, err);
    cr_assert(n > 0 && (size_t)n < sizeof cmd, "the command line is too long");
    int st = system(cmd);
    run_t r = {.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1, .out = load_json(out), .err = load_json(err)};
    return r;
}

static void run_free(run_t *r)
{
    json_decref(r->out);
    json_decref(r->err);
}

static const char *err_code(const run_t *r)
{
    return r->err ? json_string_value(json_object_get(json_object_get(r->err, "error"), "code")) : NULL;
}

static void write_bytes(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(data, 1, len, f), len);
    fclose(f);
}

Test(cli, headshot_json_report_and_output)
{
    char in[4096], args[8192];
    TU_SHARED_PATH_OR_SKIP(in, "testdata/faces/u2net_young_man.jpg");
    snprintf(args, sizeof args, "headshot %s -o %s/out.png --json", in, tmpdir);
    run_t r = run(NULL, args);
    cr_assert_eq(r.status, 0, "exit %d, error %s", r.status, err_code(&r));
    cr_assert_not_null(r.out, "stdout is one JSON object");
    json_t *input = json_object_get(r.out, "input");
    cr_assert_eq(json_integer_value(json_object_get(input, "width")), 1000);
    cr_assert_eq(json_integer_value(json_object_get(input, "height")), 1500);
    cr_assert_str_eq(json_string_value(json_object_get(input, "format")), "jpeg");
    cr_assert_not_null(json_object_get(input, "orientation"));
    cr_assert_not_null(json_object_get(input, "icc"));
    cr_assert(json_is_true(json_object_get(r.out, "face_detected")));
    cr_assert_geq(json_integer_value(json_object_get(r.out, "face_count")), 1);
    json_t *subject = json_object_get(r.out, "subject");
    cr_assert_gt(json_real_value(json_object_get(json_object_get(subject, "box"), "width")), 100);
    cr_assert_eq(json_array_size(json_object_get(json_object_get(subject, "landmarks"), "left_eye")), 2);
    cr_assert(json_is_number(json_object_get(subject, "roll_deg")));
    cr_assert_gt(json_real_value(json_object_get(subject, "score")), 0.6);
    json_t *output = json_object_get(r.out, "output");
    cr_assert_eq(json_integer_value(json_object_get(output, "width")), 800);
    cr_assert_eq(json_integer_value(json_object_get(output, "height")), 800);
    cr_assert_str_eq(json_string_value(json_object_get(output, "format")), "png");
    json_t *t = json_object_get(r.out, "timings_ms");
    const char *stages[] = {"decode", "detect", "align", "matte", "composite", "encode", "total"};
    for (size_t i = 0; i < sizeof stages / sizeof *stages; i++)
        cr_assert(json_is_number(json_object_get(t, stages[i])), "timings_ms.%s", stages[i]);
    json_t *models = json_object_get(r.out, "models");
    cr_assert_geq(json_array_size(models), 2);
    cr_assert_eq(strlen(json_string_value(json_object_get(json_array_get(models, 0), "sha256"))), 64);
    cr_assert_not_null(json_object_get(json_array_get(models, 0), "license"));

    char out[512];
    snprintf(out, sizeof out, "%s/out.png", tmpdir);
    size_t len;
    uint8_t *buf = tu_read(out, &len);
    cr_assert_eq((json_int_t)len, json_integer_value(json_object_get(output, "bytes")));
    sb_image_info_t info;
    cr_assert_eq(sb_io_probe(buf, len, &info, NULL), SB_OK);
    cr_assert_eq(info.width, 800);
    cr_assert_eq(info.format, SB_FMT_PNG);
    free(buf);
    run_free(&r);
}

Test(cli, headshot_size_and_format_options)
{
    char in[4096], args[8192];
    TU_SHARED_PATH_OR_SKIP(in, "testdata/faces/u2net_img_1585.png");
    snprintf(args, sizeof args, "headshot %s -o %s/o.webp --size 400 --format webp --json", in, tmpdir);
    run_t r = run(NULL, args);
    cr_assert_eq(r.status, 0, "exit %d %s", r.status, err_code(&r));
    json_t *output = json_object_get(r.out, "output");
    cr_assert_eq(json_integer_value(json_object_get(output, "width")), 400);
    cr_assert_str_eq(json_string_value(json_object_get(output, "format")), "webp");
    run_free(&r);
}

Test(cli, detect_lists_every_face_of_a_group)
{
    char in[4096], args[8192];
    TU_SHARED_PATH_OR_SKIP(in, "testdata/groups/fr_two_people.jpg");
    snprintf(args, sizeof args, "detect %s --json", in);
    run_t r = run(NULL, args);
    cr_assert_eq(r.status, 0);
    cr_assert_geq(json_integer_value(json_object_get(r.out, "face_count")), 2);
    cr_assert_eq(json_array_size(json_object_get(r.out, "faces")),
                 (size_t)json_integer_value(json_object_get(r.out, "face_count")));
    cr_assert_geq(json_integer_value(json_object_get(r.out, "subject")), 0);
    run_free(&r);
}

Test(cli, matte_writes_a_one_band_png_of_the_input_size)
{
    char in[4096], args[8192], out[512];
    TU_SHARED_PATH_OR_SKIP(in, "testdata/faces/u2net_woman_1080p.jpg");
    snprintf(out, sizeof out, "%s/mask.png", tmpdir);
    snprintf(args, sizeof args, "matte %s -o %s", in, out);
    run_t r = run(NULL, args);
    cr_assert_eq(r.status, 0, "%s", err_code(&r));
    size_t len;
    uint8_t *buf = tu_read(out, &len);
    sb_image_t mask;
    cr_assert_eq(sb_io_decode(buf, len, NULL, &mask, NULL, NULL), SB_OK);
    cr_assert_eq(mask.width, 1920);
    cr_assert_eq(mask.height, 1080);
    /* The person is in the middle of this photo, not in the top-left corner. */
    long centre = 0, corner = 0;
    for (int y = 0; y < 40; y++)
        for (int x = 0; x < 40; x++) {
            corner += mask.data[((size_t)y * mask.width + x) * 3];
            centre += mask.data[((size_t)(540 + y) * mask.width + 960 + x) * 3];
        }
    cr_assert_gt(centre, corner + 40 * 40 * 100, "person in the centre, background in the corner");
    sb_image_free(&mask);
    free(buf);
    run_free(&r);
}

/* --kind object: the product's subject mask (u2netp), 1 band at the input size, 0 in the corners and 255 in
 * the middle of a tin on a plain background; a kind that does not exist is a usage error. */
Test(cli, matte_kind_object_masks_a_product)
{
    char in[4096], args[8192], out[512];
    TU_SHARED_PATH_OR_SKIP(in, "testdata/products/imagenet_lotion_tin.jpg");
    snprintf(out, sizeof out, "%s/object.png", tmpdir);
    snprintf(args, sizeof args, "matte %s --kind object -o %s --json", in, out);
    run_t r = run(NULL, args);
    cr_assert_eq(r.status, 0, "%s", err_code(&r));
    cr_assert_str_eq(json_string_value(json_object_get(r.out, "kind")), "object");
    size_t len;
    uint8_t *buf = tu_read(out, &len);
    sb_image_t mask;
    /* PNG IHDR: bit depth at byte 24, colour type at 25 (0 = greyscale: one band, no alpha). */
    cr_assert(len > 26 && !memcmp(buf + 12, "IHDR", 4) && buf[24] == 8 && buf[25] == 0, "not an 8-bit grey PNG");
    cr_assert_eq(sb_io_decode(buf, len, NULL, &mask, NULL, NULL), SB_OK);
    cr_assert(mask.width == 500 && mask.height == 360, "%dx%d", mask.width, mask.height);
    int corners[4][2] = {{0, 0}, {490, 0}, {0, 350}, {490, 350}};
    for (int i = 0; i < 4; i++)
        for (int y = 0; y < 10; y++)
            for (int x = 0; x < 10; x++)
                cr_assert_eq(mask.data[((size_t)(corners[i][1] + y) * mask.width + corners[i][0] + x) * mask.bands], 0,
                             "corner %d", i);
    for (int y = 170; y < 190; y++)
        for (int x = 240; x < 260; x++)
            cr_assert_eq(mask.data[((size_t)y * mask.width + x) * mask.bands], 255, "middle %d,%d", x, y);
    sb_image_free(&mask);
    free(buf);
    run_free(&r);
    snprintf(args, sizeof args, "matte %s --kind thing -o %s", in, out);
    r = run(NULL, args);
    cr_assert_eq(r.status, 2);
    cr_assert_str_eq(err_code(&r), "bad_request");
    run_free(&r);
}

Test(cli, errors_are_json_with_a_class_exit_code)
{
    char args[8192], p[512];
    /* unreadable */
    snprintf(args, sizeof args, "headshot %s/missing.jpg", tmpdir);
    run_t r = run(NULL, args);
    cr_assert_eq(r.status, 3);
    cr_assert_str_eq(err_code(&r), "unreadable_input");
    cr_assert_null(r.out, "nothing on stdout on failure");
    run_free(&r);
    /* a text file named .jpg */
    snprintf(p, sizeof p, "%s/notes.jpg", tmpdir);
    write_bytes(p, "hello, this is not a photo\n", 27);
    snprintf(args, sizeof args, "headshot %s", p);
    r = run(NULL, args);
    cr_assert_eq(r.status, 3);
    cr_assert_str_eq(err_code(&r), "unsupported_format");
    run_free(&r);
    /* usage */
    r = run(NULL, "headshot");
    cr_assert_eq(r.status, 2);
    cr_assert_str_eq(err_code(&r), "bad_request");
    run_free(&r);
    r = run(NULL, "frobnicate x");
    cr_assert_eq(r.status, 2);
    run_free(&r);
    /* the product's options are listed in full by --help (exit 0), and a wrong call points there */
    r = run(NULL, "product --help");
    cr_assert_eq(r.status, 0);
    run_free(&r);
    char help[300];
    snprintf(help, sizeof help, "%s/stdout", tmpdir);
    FILE *f = fopen(help, "r");
    cr_assert_not_null(f);
    char text[2048] = {0};
    size_t got = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    cr_assert_gt(got, 0);
    cr_assert(strstr(text, "--shadow-distance") && strstr(text, "--mask"), "product --help: %s", text);
    r = run(NULL, "product --frobnicate");
    cr_assert_eq(r.status, 2);
    cr_assert(strstr(json_string_value(json_object_get(json_object_get(r.err, "error"), "message")), "--help"));
    run_free(&r);
    snprintf(args, sizeof args, "headshot %s --size abc", p);
    r = run(NULL, args);
    cr_assert_eq(r.status, 2);
    run_free(&r);
    snprintf(args, sizeof args, "headshot %s --format gif", p);
    r = run(NULL, args);
    cr_assert_eq(r.status, 2);
    run_free(&r);
}

/* Issue 12: a 4000x1 JPEG aborted the process (SIGABRT in libvips, exit 134) in every command that
 * decodes: the shrink-on-load factor was chosen from the long side and the short side became 0. Now
 * each is refused from the header: image_too_small, exit 4. look learn skips such a sliver and learns
 * from the other example. */
Test(cli, thin_images_are_refused_not_aborted)
{
    static const int sizes[][2] = {{4000, 1}, {1, 8000}, {65000, 2}, {40000, 3}};
    char dir[512], good[600], p[600], args[8192], look[600];
    snprintf(dir, sizeof dir, "%s/looks", tmpdir);
    cr_assert_eq(mkdir(dir, 0755), 0);
    VipsImage *grey = NULL;
    cr_assert_eq(vips_black(&grey, 64, 64, "bands", 3, NULL), 0);
    snprintf(good, sizeof good, "%s/a_grey.jpg", dir);
    cr_assert_eq(vips_jpegsave(grey, good, NULL), 0, "%s", vips_error_buffer());
    g_object_unref(grey);
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        VipsImage *thin = NULL;
        cr_assert_eq(vips_black(&thin, sizes[i][0], sizes[i][1], "bands", 3, NULL), 0);
        snprintf(p, sizeof p, "%s/b_thin.jpg", dir);
        cr_assert_eq(vips_jpegsave(thin, p, NULL), 0, "%s", vips_error_buffer());
        g_object_unref(thin);
        const char *cmds[] = {"headshot %s -o %s/o.jpg", "avatar %s -o %s/o.png", "product %s -o %s/o.png",
                              "matte %s -o %s/o.png"};
        for (size_t k = 0; k < sizeof cmds / sizeof cmds[0]; k++) {
            snprintf(args, sizeof args, cmds[k], p, tmpdir);
            run_t r = run(NULL, args);
            cr_assert_eq(r.status, 4, "%dx%d: strobe %s: exit %d", sizes[i][0], sizes[i][1], args, r.status);
            cr_assert_str_eq(err_code(&r), "image_too_small", "%dx%d: strobe %s", sizes[i][0], sizes[i][1], args);
            run_free(&r);
        }
        snprintf(look, sizeof look, "%s/look.json", tmpdir);
        snprintf(args, sizeof args, "look learn %s -o %s", dir, look);
        run_t r = run(NULL, args);
        cr_assert_eq(r.status, 0, "%dx%d: strobe %s: exit %d", sizes[i][0], sizes[i][1], args, r.status);
        run_free(&r);
    }
}

Test(cli, truncated_and_faceless_inputs)
{
    char in[4096], args[8192], p[512];
    TU_SHARED_PATH_OR_SKIP(in, "testdata/faces/u2net_young_man.jpg");
    size_t len;
    uint8_t *buf = tu_read(in, &len);
    snprintf(p, sizeof p, "%s/cut.jpg", tmpdir);
    write_bytes(p, buf, len / 2);
    free(buf);
    snprintf(args, sizeof args, "headshot %s", p);
    run_t r = run(NULL, args);
    cr_assert_eq(r.status, 3);
    cr_assert_str_eq(err_code(&r), "corrupt_image");
    run_free(&r);

    TU_SHARED_PATH_OR_SKIP(in, "testdata/noface/u2net_boat.jpg");
    snprintf(args, sizeof args, "headshot %s -o %s/x.png", in, tmpdir);
    r = run(NULL, args);
    cr_assert_eq(r.status, 5);
    cr_assert_str_eq(err_code(&r), "no_face");
    run_free(&r);

    TU_SHARED_PATH_OR_SKIP(in, "testdata/groups/dsfd_meeting_176.jpg");
    snprintf(args, sizeof args, "headshot %s -o %s/x.png", in, tmpdir);
    r = run(NULL, args);
    cr_assert_eq(r.status, 5);
    cr_assert_str_eq(err_code(&r), "face_too_small");
    run_free(&r);

    TU_SHARED_PATH_OR_SKIP(in, "testdata/faces/u2net_fur_hat.jpg");
    snprintf(args, sizeof args, "headshot %s -o %s/x.png", in, tmpdir);
    r = run(NULL, args);
    cr_assert_eq(r.status, 4);
    cr_assert_str_eq(err_code(&r), "image_too_small");
    run_free(&r);
}

Test(cli, missing_model_is_named)
{
    char in[4096], args[8192], env[1024];
    TU_SHARED_PATH_OR_SKIP(in, "testdata/faces/u2net_young_man.jpg");
    char abs_in[4096];
    cr_assert_not_null(realpath(in, abs_in));
    /* An empty models dir, and a working directory with no ./models or ../shared beside it. */
    snprintf(env, sizeof env, "mkdir -p %s/empty/a && cd %s/empty/a && STROBE_MODELS=%s/empty", tmpdir, tmpdir, tmpdir);
    snprintf(args, sizeof args, "headshot %s -o %s/x.png", abs_in, tmpdir);
    run_t r = run(env, args);
    cr_assert_eq(r.status, 6);
    cr_assert_str_eq(err_code(&r), "model_missing");
    const char *msg = json_string_value(json_object_get(json_object_get(r.err, "error"), "message"));
    cr_assert(strstr(msg, "yunet"), "message names the model: %s", msg);
    run_free(&r);
}

/* A folder in, a folder out: every photo with the same look (the corners, pure background, match
 * between people), failures reported per photo without stopping the batch. */
Test(cli, avatar_batch_makes_a_consistent_team_page)
{
    char a[512], b[512], noface[512];
    TU_SHARED_PATH_OR_SKIP(a, "testdata/identity/deepface_img1.jpg");
    TU_SHARED_PATH_OR_SKIP(b, "testdata/identity/deepface_img8.jpg");
    TU_SHARED_PATH_OR_SKIP(noface, "testdata/noface/dlib_dog.jpg");
    char in[300], out[300], cmd[4096];
    snprintf(in, sizeof in, "%s/in", tmpdir);
    snprintf(out, sizeof out, "%s/out", tmpdir);
    snprintf(cmd, sizeof cmd, "mkdir -p %s && cp %s %s %s %s/ && echo text > %s/notes.jpg", in, a, b, noface, in, in);
    cr_assert_eq(system(cmd), 0);

    char args[1024];
    snprintf(args, sizeof args, "avatar --batch %s --out %s --platform slack --json", in, out);
    run_t r = run(NULL, args);
    cr_assert_eq(r.status, 5, "exit %d: the first failure (dlib_dog.jpg, in name order) has no face", r.status);
    cr_assert_not_null(r.out);
    cr_assert_eq(json_integer_value(json_object_get(r.out, "total")), 4);
    cr_assert_eq(json_integer_value(json_object_get(r.out, "succeeded")), 2);
    cr_assert_eq(json_integer_value(json_object_get(r.out, "failed")), 2);
    json_t *items = json_object_get(r.out, "items");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(json_array_get(items, 2), "error"), "code")),
                     "no_face");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(json_array_get(items, 3), "error"), "code")),
                     "unsupported_format");

    sb_image_t img[2];
    const char *stems[2] = {"deepface_img1", "deepface_img8"};
    for (int i = 0; i < 2; i++) {
        char path[600];
        snprintf(path, sizeof path, "%s/%s.png", out, stems[i]);
        size_t len;
        uint8_t *buf = tu_read(path, &len);
        sb_error_t e = {0};
        cr_assert_eq(sb_io_decode(buf, len, NULL, &img[i], NULL, &e), SB_OK, "%s", e.message);
        cr_assert_eq(img[i].width, 800);
        free(buf);
        snprintf(path, sizeof path, "%s/%s.thumb.png", out, stems[i]);
        buf = tu_read(path, &len);
        sb_image_info_t info;
        cr_assert_eq(sb_io_probe(buf, len, &info, &e), SB_OK);
        cr_assert_eq(info.width, 100);
        free(buf);
    }
    /* Top corners: background only, same palette, light and seed for both people. */
    for (int corner = 0; corner < 2; corner++) {
        long sum[2] = {0, 0};
        for (int i = 0; i < 2; i++)
            for (int y = 0; y < 20; y++)
                for (int x = 0; x < 20; x++) {
                    int px = corner ? 799 - x : x;
                    const uint8_t *p = img[i].data + ((size_t)y * 800 + px) * 3;
                    sum[i] += p[0] + p[1] + p[2];
                }
        cr_assert_leq(labs(sum[0] - sum[1]), 20 * 20 * 3 * 2, "corner %d differs: %ld vs %ld", corner, sum[0], sum[1]);
    }
    sb_image_free(&img[0]);
    sb_image_free(&img[1]);
    run_free(&r);

    r = run(NULL, "avatar --batch /nonexistent-dir --out /tmp/x");
    cr_assert_eq(r.status, 2);
    run_free(&r);
}

Test(cli, portrait_writes_one_file_per_sample_and_reports_the_seeds)
{
    char in[4096], args[8192], path[512];
    TU_SHARED_PATH_OR_SKIP(in, "testdata/faces/u2net_img_1585.png");
    snprintf(args, sizeof args, "portrait %s --prompt 'warm bokeh background, unicorn' --seed 77 -n 2 --size 512x640 "
             "-o %s/p_%%d.jpg --json", in, tmpdir);
    run_t r = run(NULL, args);
    cr_assert_eq(r.status, 0, "exit %d, error %s", r.status, err_code(&r));
    cr_assert_eq(json_integer_value(json_object_get(r.out, "seed")), 77);
    json_t *seeds = json_object_get(r.out, "seeds");
    cr_assert_eq(json_array_size(seeds), 2);
    cr_assert_eq(json_integer_value(json_array_get(seeds, 0)), 77);
    cr_assert_eq(json_integer_value(json_array_get(seeds, 1)), 78);
    cr_assert_str_eq(json_string_value(json_array_get(json_object_get(r.out, "ignored_terms"), 0)), "unicorn");
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(r.out, "style"), "grade")), "warm");
    for (int i = 1; i <= 2; i++) {
        snprintf(path, sizeof path, "%s/p_%d.jpg", tmpdir, i);
        size_t len;
        uint8_t *buf = tu_read(path, &len);
        sb_image_info_t info;
        cr_assert_eq(sb_io_probe(buf, len, &info, NULL), SB_OK);
        cr_assert_eq(info.format, SB_FMT_JPEG);
        cr_assert(info.width == 512 && info.height == 640, "sample %d is %dx%d", i, info.width, info.height);
        json_t *o = json_array_get(json_object_get(r.out, "outputs"), (size_t)i - 1);
        cr_assert_eq(json_integer_value(json_object_get(o, "bytes")), (json_int_t)len);
        cr_assert_gt(json_real_value(json_object_get(o, "likeness")), 0.5);
        free(buf);
    }
    run_free(&r);

    /* Two samples need %d in -o; seed 0 is refused by the library, naming the field. */
    snprintf(args, sizeof args, "portrait %s --prompt studio -n 2 -o %s/p.jpg", in, tmpdir);
    r = run(NULL, args);
    cr_assert_eq(r.status, 2);
    run_free(&r);
    snprintf(args, sizeof args, "portrait %s --prompt studio --seed 0 -o %s/p.jpg", in, tmpdir);
    r = run(NULL, args);
    cr_assert_eq(r.status, 2);
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(r.err, "error"), "field")), "seed");
    run_free(&r);
}
