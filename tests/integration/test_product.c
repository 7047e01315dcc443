/* The product photo on a real product from ../shared/testdata/products: sb_product in process, every
 * preset and every shadow type (sizes, aspects and formats), pure white in the white studio, a shadow
 * under the product where asked and none for `none`, RGBA for transparent, determinism, the mask alone,
 * custom prompts' ignored terms, and option errors. u2netp costs ~0.5 s per call on a 2-core machine, so
 * each call checks several things (9 calls with a mask; option errors stop before decoding). */
#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>

#include "strobe.h"
#include "testutil.h"

#define PRODUCT "testdata/products/imagenet_coffee_mugs.jpg"
/* The perfume bottle whose cut-out kept a grey strip of the old background (issue 14): 122184 pixels of
 * product outside the band around the bottle before the matte trim. */
#define PERFUME "testdata/products/imagenet_perfume.jpg"

static sb_studio_t *studio;
static uint8_t *photo;
static size_t photo_len;

static void setup(void)
{
    sb_error_t e = {0};
    cr_assert_eq(sb_io_init(NULL, &e), SB_OK, "%s", e.message);
    cr_assert_eq(sb_studio_open(&studio, &e), SB_OK);
}

static void teardown(void)
{
    free(photo);
    photo = NULL;
    sb_studio_close(studio);
}

TestSuite(product, .init = setup, .fini = teardown, .timeout = 120);

/* Read a product photo into `photo`, skipping the test when ../shared is missing. */
static void load(const char *rel)
{
    char path[4096];
    TU_SHARED_PATH_OR_SKIP(path, rel);
    photo = tu_read(path, &photo_len);
}

static void load_photo(void)
{
    load(PRODUCT);
}

static void make(const sb_product_opts_t *o, sb_product_result_t *r)
{
    sb_error_t e = {0};
    sb_err err = sb_product(studio, photo, photo_len, o, r, &e);
    cr_assert_eq(err, SB_OK, "%s (%s: %s)", sb_err_name(err), e.field, e.message);
    cr_log_info("%s/%s %dx%d %s: %zu bytes in %.0f ms", r->preset, r->shadow_type, r->width, r->height,
                sb_format_name(r->format), r->output_len, sb_stages_total_ms(&r->detect.stages));
}

/* The output's pixels, 8-bit, as stored (bands as encoded); the caller frees. */
static uint8_t *pixels(const sb_product_result_t *r, int *bands)
{
    VipsImage *img = vips_image_new_from_buffer(r->output, r->output_len, "", NULL);
    cr_assert_not_null(img, "%s", vips_error_buffer());
    cr_assert_eq(vips_image_get_width(img), r->width);
    cr_assert_eq(vips_image_get_height(img), r->height);
    *bands = vips_image_get_bands(img);
    size_t size;
    uint8_t *px = vips_image_write_to_memory(img, &size);
    g_object_unref(img);
    cr_assert_not_null(px);
    return px;
}

static const uint8_t *at(const uint8_t *px, const sb_product_result_t *r, int bands, int x, int y)
{
    return px + ((size_t)y * r->width + x) * bands;
}

/* Check the encoded format, size and alpha of a result. */
static void expect_output(const sb_product_result_t *r, sb_format_t fmt, int w, int h, int alpha)
{
    sb_image_info_t info;
    sb_error_t e = {0};
    cr_assert_eq(sb_io_probe(r->output, r->output_len, &info, &e), SB_OK, "%s", e.message);
    cr_expect_eq(info.format, fmt, "format %s, want %s", sb_format_name(info.format), sb_format_name(fmt));
    cr_expect_eq(r->format, fmt);
    cr_expect(info.width == w && info.height == h, "%dx%d, want %dx%d", info.width, info.height, w, h);
    cr_expect_eq(!!info.has_alpha, alpha);
    cr_expect_eq(r->has_alpha, alpha);
}

/* The pixel a little under the product's base: the floor line is `padding` above the bottom, and 4% of
 * the height below it is clear of the product's soft edge but inside a soft shadow. */
static int under_product_y(int height)
{
    return height - height / 10 + height * 4 / 100;
}

/* White studio with the default soft shadow at the default size: pure white corners, a shadow under the
 * product, the same bytes twice, the subject found with its box and coverage. */
Test(product, white_studio_soft_default_deterministic)
{
    load_photo();
    sb_product_result_t a, b;
    make(NULL, &a);
    expect_output(&a, SB_FMT_PNG, 2000, 2000, 0);
    cr_expect_str_eq(a.preset, "white-studio");
    cr_expect_str_eq(a.shadow_type, "soft");
    cr_expect(a.coverage > 0.05f && a.coverage < 0.9f, "coverage %.3f", a.coverage);
    cr_expect(a.subject_w > 100 && a.subject_h > 100, "subject %dx%d", a.subject_w, a.subject_h);
    /* u2netp for the subject; the selfie net too when the subject reaches the photo's border (a hand may
     * hold it: pipeline/product_cut.h). */
    cr_expect(a.detect.n_models == 1 || (a.detect.n_models == 2 && a.detect.models[1] == SB_MODEL_SELFIE_SEG),
              "%d models", a.detect.n_models);
    cr_expect_eq(a.detect.models[0], SB_MODEL_U2NETP);
    int bands;
    uint8_t *px = pixels(&a, &bands);
    cr_assert_eq(bands, 3);
    int corners[4][2] = {{0, 0}, {1999, 0}, {0, 1999}, {1999, 1999}};
    for (int i = 0; i < 4; i++) {
        const uint8_t *p = at(px, &a, bands, corners[i][0], corners[i][1]);
        cr_expect(p[0] == 255 && p[1] == 255 && p[2] == 255, "corner %d is %d,%d,%d", i, p[0], p[1], p[2]);
    }
    /* The whole top row and the side columns, away from product and shadow, are exactly white. */
    for (int x = 0; x < 2000; x++)
        cr_expect_eq(at(px, &a, bands, x, 0)[1], 255, "top row x=%d", x);
    const uint8_t *under = at(px, &a, bands, 1000, under_product_y(2000));
    cr_expect(under[0] < 250 && under[1] < 250 && under[2] < 250, "no shadow under the product: %d,%d,%d", under[0],
              under[1], under[2]);
    free(px);

    make(NULL, &b);
    cr_expect(a.output_len == b.output_len && !memcmp(a.output, b.output, a.output_len), "not deterministic");
    sb_product_result_free(&a);
    sb_product_result_free(&b);
}

/* No shadow: the floor under the product stays exactly white. */
Test(product, white_studio_no_shadow)
{
    load_photo();
    sb_product_opts_t o = SB_PRODUCT_OPTS_DEFAULT;
    o.shadow_type = "none", o.width = 600, o.height = 600;
    sb_product_result_t r;
    make(&o, &r);
    expect_output(&r, SB_FMT_PNG, 600, 600, 0);
    int bands;
    uint8_t *px = pixels(&r, &bands);
    int y = under_product_y(600);
    for (int x = 0; x < 600; x++) {
        const uint8_t *p = at(px, &r, bands, x, y);
        cr_expect(p[0] == 255 && p[1] == 255 && p[2] == 255, "(%d,%d) is %d,%d,%d", x, y, p[0], p[1], p[2]);
    }
    free(px);
    sb_product_result_free(&r);
}

/* The other presets with the other shadows, aspects and formats. */
Test(product, presets_shadows_aspects_formats)
{
    load_photo();
    static const struct {
        const char *preset, *shadow, *aspect;
        sb_format_t fmt;
        int w, h;
    } cases[] = {
        {"gradient-light", "hard", "4:5", SB_FMT_JPEG, 1600, 2000},
        {"marble", "natural", "16:9", SB_FMT_WEBP, 2000, 1125},
        {"outdoor", "floating", NULL, SB_FMT_PNG, 640, 480},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sb_product_opts_t o = SB_PRODUCT_OPTS_DEFAULT;
        o.preset = cases[i].preset, o.shadow_type = cases[i].shadow, o.aspect = cases[i].aspect;
        o.format = cases[i].fmt;
        if (!o.aspect)
            o.width = cases[i].w, o.height = cases[i].h;
        sb_product_result_t r;
        make(&o, &r);
        cr_expect_str_eq(r.preset, cases[i].preset);
        cr_expect_str_eq(r.shadow_type, cases[i].shadow);
        expect_output(&r, cases[i].fmt, cases[i].w, cases[i].h, 0);
        sb_product_result_free(&r);
    }
}

/* Transparent: an RGBA PNG, fully transparent in the corners, opaque on the product. */
Test(product, transparent_rgba)
{
    load_photo();
    sb_product_opts_t o = SB_PRODUCT_OPTS_DEFAULT;
    o.preset = "transparent", o.width = o.height = 500;
    sb_product_result_t r;
    make(&o, &r);
    expect_output(&r, SB_FMT_PNG, 500, 500, 1);
    int bands;
    uint8_t *px = pixels(&r, &bands);
    cr_assert_eq(bands, 4);
    cr_expect_eq(at(px, &r, bands, 0, 0)[3], 0);
    cr_expect_eq(at(px, &r, bands, 499, 0)[3], 0);
    cr_expect_eq(at(px, &r, bands, 250, 250)[3], 255, "the product's centre is not opaque");
    free(px);
    sb_product_result_free(&r);

    o.format = SB_FMT_JPEG;
    sb_error_t e = {0};
    cr_expect_eq(sb_product(studio, photo, photo_len, &o, &r, &e), SB_ERR_USAGE);
    cr_expect_str_eq(e.field, "format");
}

/* Custom: a prompt's unknown words come back, the known ones make the scene. */
Test(product, custom_prompt_ignored_terms)
{
    load_photo();
    sb_product_opts_t o = SB_PRODUCT_OPTS_DEFAULT;
    o.preset = "custom", o.background_prompt = "golden hour on walnut wood table", o.aspect = "3:4";
    o.format = SB_FMT_JPEG;
    sb_product_result_t r;
    make(&o, &r);
    expect_output(&r, SB_FMT_JPEG, 1500, 2000, 0);
    cr_assert_eq(r.n_ignored, 2);
    cr_expect_str_eq(r.ignored_terms[0], "walnut");
    cr_expect_str_eq(r.ignored_terms[1], "table");
    sb_product_result_free(&r);
}

/* The mask alone: a 1-band PNG at the photo's size. */
Test(product, mask_only)
{
    load_photo();
    sb_product_opts_t o = SB_PRODUCT_OPTS_DEFAULT;
    o.mask_only = true, o.format = SB_FMT_JPEG;
    sb_product_result_t r;
    make(&o, &r);
    expect_output(&r, SB_FMT_PNG, r.detect.upright_width, r.detect.upright_height, 0);
    cr_expect(r.width == 900 && r.height == 687, "mask %dx%d", r.width, r.height);
    int bands;
    uint8_t *px = pixels(&r, &bands);
    cr_expect_eq(bands, 1);
    int cx = r.subject_x + r.subject_w / 2, cy = r.subject_y + r.subject_h / 2;
    cr_expect_gt(at(px, &r, bands, cx, cy)[0], 127, "the subject's centre is not in the mask");
    free(px);
    sb_product_result_free(&r);
}

/* Bad options are refused before any work, naming the field; the result is left empty. */
Test(product, option_errors)
{
    load_photo();
    static const struct {
        const char *field;
        sb_product_opts_t o;
    } cases[] = {
        {"preset", {.preset = "velvet", .padding = -1, .shadow = {-1, -1, -1, -1}}},
        {"shadow_type", {.shadow_type = "blurry", .padding = -1, .shadow = {-1, -1, -1, -1}}},
        {"shadow_opacity", {.padding = -1, .shadow = {2, -1, -1, -1}}},
        {"background_prompt", {.background_prompt = "wood", .padding = -1, .shadow = {-1, -1, -1, -1}}},
        {"background_prompt", {.preset = "custom", .padding = -1, .shadow = {-1, -1, -1, -1}}},
        {"width", {.width = 50, .height = 500, .padding = -1, .shadow = {-1, -1, -1, -1}}},
        {"height", {.width = 500, .height = 5000, .padding = -1, .shadow = {-1, -1, -1, -1}}},
        {"aspect", {.aspect = "2:1", .padding = -1, .shadow = {-1, -1, -1, -1}}},
        {"aspect", {.aspect = "1:1", .width = 500, .height = 500, .padding = -1, .shadow = {-1, -1, -1, -1}}},
        {"padding", {.padding = 0.6f, .shadow = {-1, -1, -1, -1}}},
        {"format", {.format = SB_FMT_HEIC, .padding = -1, .shadow = {-1, -1, -1, -1}}},
        {"quality", {.quality = 101, .padding = -1, .shadow = {-1, -1, -1, -1}}},
        {"format",
         {.preset = "transparent", .format = SB_FMT_JPEG, .padding = -1, .shadow = {-1, -1, -1, -1}}},
        {"background_prompt",
         {.preset = "custom", .background_prompt = "oak \xff table", .padding = -1, .shadow = {-1, -1, -1, -1}}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sb_product_result_t r;
        sb_error_t e = {0}, checked = {0};
        cr_expect_eq(sb_product(studio, photo, photo_len, &cases[i].o, &r, &e), SB_ERR_USAGE, "case %zu", i);
        cr_expect_str_eq(e.field, cases[i].field, "case %zu: field '%s', want '%s' (%s)", i, e.field, cases[i].field,
                         e.message);
        cr_expect_null(r.output);
        cr_expect_eq(r.n_ignored, 0);
        /* sb_product_check (what the API calls before queueing) gives the same verdict without a photo. */
        cr_expect_eq(sb_product_check(&cases[i].o, &checked), SB_ERR_USAGE, "case %zu: check", i);
        cr_expect_str_eq(checked.field, e.field, "case %zu: check", i);
        cr_expect_str_eq(checked.message, e.message, "case %zu: check", i);
    }
    /* Good options pass the check: the defaults, a custom prompt with unknown words, every aspect, a
     * transparent mask (the format is not used for the mask). */
    sb_error_t ok = {0};
    sb_product_opts_t o = SB_PRODUCT_OPTS_DEFAULT;
    cr_expect_eq(sb_product_check(NULL, &ok), SB_OK, "%s", ok.message);
    o.preset = "custom", o.background_prompt = "walnut table, golden hour";
    cr_expect_eq(sb_product_check(&o, &ok), SB_OK, "%s", ok.message);
    o = SB_PRODUCT_OPTS_DEFAULT;
    for (const char *const *a = (const char *const[]){"1:1", "4:5", "3:4", "16:9", NULL}; *a; a++) {
        o.aspect = *a;
        cr_expect_eq(sb_product_check(&o, &ok), SB_OK, "%s: %s", *a, ok.message);
    }
    o = SB_PRODUCT_OPTS_DEFAULT;
    o.width = 128, o.height = 4096, o.preset = "transparent", o.format = SB_FMT_JPEG, o.mask_only = true;
    cr_expect_eq(sb_product_check(&o, &ok), SB_OK, "%s", ok.message);
    /* A damaged photo is the decoder's error. */
    sb_product_result_t r;
    sb_error_t e = {0};
    cr_expect_eq(sb_product(studio, photo, photo_len / 3, NULL, &r, &e), SB_ERR_CORRUPT_IMAGE, "%s", e.message);
}

/* sb_studio_preload loads u2netp too, so a server reports a broken product model at startup: with every
 * other model in place and u2netp damaged it fails naming u2netp; with the real file it succeeds. */
Test(product, preload_checks_the_product_model)
{
    char shared[4096], dir[] = "/tmp/strobe-models-XXXXXX", path[8192], cmd[16384];
    TU_SHARED_PATH_OR_SKIP(shared, "models/salient_object/u2netp_320.onnx");
    cr_assert_not_null(mkdtemp(dir));
    snprintf(cmd, sizeof cmd,
             "for d in %s/models/*/; do n=$(basename \"$d\"); [ \"$n\" = salient_object ] || ln -s \"$d\" %s/\"$n\"; "
             "done && mkdir %s/salient_object && cp %s %s/salient_object/ && chmod u+w %s/salient_object/*",
             tu_shared_dir(), dir, dir, shared, dir, dir);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
    snprintf(path, sizeof path, "%s/salient_object/u2netp_320.onnx", dir);
    FILE *f = fopen(path, "r+b");
    cr_assert_not_null(f);
    cr_assert_eq(fseek(f, 100000, SEEK_SET), 0);
    int c = fgetc(f);
    cr_assert_eq(fseek(f, 100000, SEEK_SET), 0);
    fputc(c ^ 0xff, f);
    fclose(f);
    cr_assert_eq(setenv("STROBE_MODELS", dir, 1), 0);

    sb_error_t e = {0};
    cr_expect_eq(sb_studio_preload(studio, &e), SB_ERR_MODEL_INVALID, "%s", e.message);
    cr_expect_str_eq(e.field, "u2netp", "%s", e.message);
    cr_assert_eq(unsetenv("STROBE_MODELS"), 0);
    e = (sb_error_t){0};
    cr_expect_eq(sb_studio_preload(studio, &e), SB_OK, "%s", e.message);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_expect_eq(system(cmd), 0);
}

/* The perfume bottle on white: the white check ran and passes (no strip of old background, pure white
 * away from the shadow); the bottle, cut by the photo's bottom edge, stands on the canvas's bottom edge; the
 * Amazon report agrees with the check. Transparent runs no check. */
Test(product, perfume_white_check_passes)
{
    load(PERFUME);
    sb_product_result_t r;
    make(NULL, &r);
    cr_assert(r.white.done);
    cr_expect(r.white.pass, "white check: %ld off-white, %ld stray", r.white.off_white, r.white.stray);
    cr_expect_eq(r.white.off_white, 0);
    cr_expect_leq(r.white.stray, 40);
    cr_assert(r.amazon.done);
    cr_expect_eq(r.amazon.long_side, 2000);
    cr_expect_eq(!(r.amazon.reasons & SB_AMAZON_NOT_WHITE), r.white.pass);
    int bands;
    uint8_t *px = pixels(&r, &bands);
    /* the bottom row under the bottle is the bottle, not white */
    const uint8_t *p = at(px, &r, bands, 1000, 1999);
    cr_expect(p[0] < 250 || p[1] < 250 || p[2] < 250, "the bottle reaches the bottom edge: %d,%d,%d", p[0], p[1],
              p[2]);
    free(px);
    sb_product_result_free(&r);

    sb_product_opts_t o = SB_PRODUCT_OPTS_DEFAULT;
    o.preset = "transparent";
    o.width = o.height = 512;
    make(&o, &r);
    cr_expect_not(r.white.done);
    cr_expect_not(r.amazon.done);
    sb_product_result_free(&r);
}

/* sam_groceries on outdoor: four bags side by side in a car's boot, each standing, their bases at different
 * depths. Read as a flat lay (render/ground.c), the outdoor table top filled the frame with planks behind the
 * bags; they stand on the table with the bokeh behind them: the canvas's top rows are the blue sky's, not the
 * table's brown wood. */
Test(product, bags_side_by_side_stand_outdoors)
{
    load("testdata/products/sam_groceries.jpg");
    sb_product_opts_t o = SB_PRODUCT_OPTS_DEFAULT;
    o.preset = "outdoor", o.shadow_type = "hard";
    o.width = o.height = 800;
    sb_product_result_t r;
    make(&o, &r);
    int bands;
    uint8_t *px = pixels(&r, &bands);
    double sum[3] = {0, 0, 0};
    for (int y = 0; y < 40; y++)
        for (int x = 0; x < r.width; x++)
            for (int k = 0; k < 3; k++)
                sum[k] += at(px, &r, bands, x, y)[k];
    cr_expect_gt(sum[2], sum[0], "the top rows are sky (blue over red), not table: mean R %.0f, B %.0f",
                 sum[0] / (40.0 * r.width), sum[2] / (40.0 * r.width));
    free(px);
    sb_product_result_free(&r);
}
