/* Portrait generation (sb_generate_portrait, contract S2) on the real photos and nets of ../shared:
 * byte-identical reruns, the same style for two people, samples that differ, identity giving the face
 * back against the anime style while the light shows at every identity, every light kind and every
 * vocabulary group doing what it says, output sizes, validation and the no-face error. Most portraits
 * are made at 512 x 640 to keep the binary's runtime short; CartoonGAN runs four times. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/studio.h"
#include "pipeline/templates.h"
#include "strobe.h"
#include "testutil.h"

/* Two different people, frontal and well lit. */
#define PERSON_A "testdata/faces/u2net_young_man.jpg"
#define PERSON_B "testdata/faces/u2net_img_1588.png"
#define PERSON_STUDIO "testdata/identity/deepface_img1.jpg"
#define W 512
#define H 640
#define SEED 4242

#include "studio_fixture.h"

TestSuite(portrait, .init = setup, .fini = teardown, .timeout = 240);

static sb_generate_opts_t opts_for(const char *prompt, int64_t seed, float identity)
{
    sb_generate_opts_t o = SB_GENERATE_OPTS_DEFAULT;
    o.prompt = prompt;
    o.seed = seed;
    o.identity = identity;
    o.width = W;
    o.height = H;
    return o;
}

/* Portraits of one shared photo; the test fails when sb_generate_portrait does. */
static void generate(const char *rel, const sb_generate_opts_t *o, sb_generate_result_t *r)
{
    size_t len;
    uint8_t *buf = tu_read_shared(rel, &len);
    sb_error_t e = {0};
    sb_err err = sb_generate_portrait(studio, buf, len, o, r, &e);
    free(buf);
    cr_assert_eq(err, SB_OK, "%s '%s': %s (%s, field %s)", rel, o->prompt, sb_err_name(err), e.message, e.field);
    cr_assert_eq(r->n_images, o->samples ? o->samples : 1);
    for (int i = 0; i < r->n_images; i++)
        cr_log_info("%s '%s' seed %lld identity %.2f: %zu bytes, likeness %.4f", rel, o->prompt,
                    (long long)r->images[i].seed, o->identity, r->images[i].len, r->images[i].likeness);
}

static void decode(const sb_generate_image_t *g, sb_image_t *img)
{
    sb_error_t e = {0};
    cr_assert_eq(sb_io_decode(g->data, g->len, NULL, img, NULL, &e), SB_OK, "%s", e.message);
    cr_assert_eq(img->bands, 3);
}

/* The first image of a portrait of `rel`, decoded. */
static void portrait_image(const char *rel, const char *prompt, float identity, sb_image_t *img)
{
    sb_generate_opts_t o = opts_for(prompt, SEED, identity);
    sb_generate_result_t r;
    generate(rel, &o, &r);
    decode(&r.images[0], img);
    sb_generate_result_free(&r);
}

/* Mean of each band over the rectangle (x, y, w, h), in 0..255. */
static void mean_rect(const sb_image_t *img, int x0, int y0, int w, int h, double out[3])
{
    double s[3] = {0};
    for (int y = y0; y < y0 + h; y++)
        for (int x = x0; x < x0 + w; x++)
            for (int c = 0; c < 3; c++)
                s[c] += img->data[((size_t)y * img->width + x) * 3 + c];
    for (int c = 0; c < 3; c++)
        out[c] = s[c] / ((double)w * h);
}

/* The two top corners (patches of 1/10 of the width), averaged: background, never the person. */
static void top_corners(const sb_image_t *img, double out[3])
{
    int p = img->width / 10;
    double l[3], r[3];
    mean_rect(img, 0, 0, p, p, l);
    mean_rect(img, img->width - p, 0, p, p, r);
    for (int c = 0; c < 3; c++)
        out[c] = (l[c] + r[c]) / 2;
}

static double luma(const double rgb[3])
{
    return 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2];
}

/* The largest face on an image (asserts one is found). */
static sb_face_t largest_face(const sb_image_t *img)
{
    sb_error_t e = {0};
    sb_face_detector_t *det;
    sb_face_list_t faces = {0};
    cr_assert_eq(sb_studio_detector(studio, &det, &e), SB_OK, "%s", e.message);
    cr_assert_eq(sb_face_detect(det, img, &faces, &e), SB_OK, "%s", e.message);
    cr_assert_gt(faces.count, 0, "a face is found on the portrait");
    int best = 0;
    for (int i = 1; i < faces.count; i++)
        if (faces.faces[i].w * faces.faces[i].h > faces.faces[best].w * faces.faces[best].h)
            best = i;
    sb_face_t f = faces.faces[best];
    sb_face_list_free(&faces);
    return f;
}

/* Mean absolute difference per sample of two images of one size, in levels. */
static double mean_abs_diff(const sb_image_t *a, const sb_image_t *b)
{
    cr_assert(a->width == b->width && a->height == b->height);
    size_t n = (size_t)a->width * a->height * 3;
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += abs((int)a->data[i] - (int)b->data[i]);
    return s / n;
}

Test(portrait, same_prompt_seed_and_image_give_the_same_bytes)
{
    sb_generate_opts_t o = opts_for("bokeh background, rim light, grain, vignette", SEED, -1);
    sb_generate_result_t a, b;
    generate(PERSON_A, &o, &a);
    generate(PERSON_A, &o, &b);
    cr_assert_eq(a.seed, SEED);
    cr_assert_eq(a.images[0].seed, SEED);
    cr_assert_eq(a.images[0].len, b.images[0].len);
    cr_assert(memcmp(a.images[0].data, b.images[0].data, a.images[0].len) == 0, "byte-identical reruns");
    cr_assert_eq(a.images[0].likeness, b.images[0].likeness);
    cr_assert_str_eq(a.style_json, b.style_json);
    cr_assert_eq(a.format, SB_FMT_JPEG);
    cr_assert(a.images[0].data[0] == 0xFF && a.images[0].data[1] == 0xD8, "a JPEG");
    sb_generate_result_free(&a);
    sb_generate_result_free(&b);
}

Test(portrait, samples_use_consecutive_seeds_and_differ)
{
    sb_generate_opts_t o = opts_for("", SEED, -1);
    o.samples = 3;
    sb_generate_result_t r;
    generate(PERSON_A, &o, &r);
    sb_image_t img[3];
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(r.images[i].seed, SEED + i);
        cr_assert_gt(r.images[i].likeness, 0.5f, "sample %d keeps the person", i);
        decode(&r.images[i], &img[i]);
    }
    for (int i = 0; i < 3; i++) {
        double d = mean_abs_diff(&img[i], &img[(i + 1) % 3]);
        cr_log_info("samples %d and %d differ by %.2f levels on average", i, (i + 1) % 3, d);
        cr_assert_gt(d, 3.0, "samples %d and %d differ visibly (%.2f)", i, (i + 1) % 3, d);
    }
    for (int i = 0; i < 3; i++)
        sb_image_free(&img[i]);
    sb_generate_result_free(&r);
}

/* The light's direction on a face: log of the ratio of the mean luma of its right and left thirds. */
static double light_side(const sb_image_t *img)
{
    sb_face_t f = largest_face(img);
    int third = (int)(f.w / 3), y0 = (int)(f.y + f.h * 0.25f), h = (int)(f.h * 0.5f);
    double l[3], r[3];
    mean_rect(img, (int)f.x, y0, third, h, l);
    mean_rect(img, (int)(f.x + f.w) - third, y0, third, h, r);
    return log(luma(r) / luma(l));
}

/* The first image of a portrait of `rel` made with `prompt` and `seed` at identity 0, decoded. */
static void template_image(const char *rel, const char *prompt, int64_t seed, sb_image_t *img)
{
    sb_generate_opts_t o = opts_for(prompt, seed, 0);
    sb_generate_result_t r;
    generate(rel, &o, &r);
    decode(&r.images[0], img);
    sb_generate_result_free(&r);
}

Test(portrait, two_people_with_the_same_template_get_the_same_style)
{
    /* Tolerances measured: the corners (background, grade and finish, none of which depends on the
     * person) agree to within 0.5 of a level; the split light's side agrees in sign and its strength to
     * within 0.25 of a log ratio (skin, hair and the photos' own light differ). Identity 0, so both
     * faces get the template's soft skin in full. */
    const sb_template_t *t = sb_template_builtin("editorial-noir");
    cr_assert_not_null(t);
    const char *split = strstr(t->prompt, "split lighting");
    cr_assert_not_null(split, "editorial-noir has split lighting: '%s'", t->prompt);
    char soft[512];
    snprintf(soft, sizeof soft, "%.*ssoft light%s", (int)(split - t->prompt), t->prompt,
             split + strlen("split lighting"));
    sb_image_t a, b, a_soft, b_soft;
    template_image(PERSON_A, t->prompt, t->seed, &a);
    template_image(PERSON_B, t->prompt, t->seed, &b);
    template_image(PERSON_A, soft, t->seed, &a_soft);
    template_image(PERSON_B, soft, t->seed, &b_soft);
    double ca[3], cb[3];
    top_corners(&a, ca);
    top_corners(&b, cb);
    for (int c = 0; c < 3; c++)
        cr_assert_lt(fabs(ca[c] - cb[c]), 1.5, "corner band %d: %.2f vs %.2f", c, ca[c], cb[c]);
    /* The split light's effect: its side ratio against the same portrait in soft light. */
    double sa = light_side(&a) - light_side(&a_soft), sb = light_side(&b) - light_side(&b_soft);
    cr_log_info("corners A %.1f %.1f %.1f, B %.1f %.1f %.1f; split light: A %.3f, B %.3f", ca[0], ca[1], ca[2], cb[0],
                cb[1], cb[2], sa, sb);
    cr_assert_gt(fabs(sa), 0.15, "the split light shows on A (%.3f)", sa);
    cr_assert_gt(sa * sb, 0, "the light comes from the same side (%.3f, %.3f)", sa, sb);
    cr_assert_lt(fabs(sa - sb), 0.25, "and is as strong (%.3f, %.3f)", sa, sb);
    sb_image_free(&a);
    sb_image_free(&b);
    sb_image_free(&a_soft);
    sb_image_free(&b_soft);
}

/* Mean absolute difference of two portraits inside the middle of a face box. */
static double face_diff(const sb_image_t *a, const sb_image_t *b, const sb_face_t *f)
{
    double s = 0;
    int n = 0;
    for (int y = (int)(f->y + f->h * 0.25f); y < (int)(f->y + f->h * 0.75f); y++)
        for (int x = (int)(f->x + f->w * 0.25f); x < (int)(f->x + f->w * 0.75f); x++, n++)
            for (int c = 0; c < 3; c++)
                s += abs((int)a->data[((size_t)y * a->width + x) * 3 + c] -
                         (int)b->data[((size_t)y * b->width + x) * 3 + c]);
    return s / (3.0 * n);
}

Test(portrait, identity_gives_the_face_back_against_anime)
{
    /* CartoonGAN redraws the face: the identity region gives it back, so likeness rises with identity and
     * the anime portrait's face comes close to the photo portrait's (same seed: same light, background and
     * grade). The light is the person's at every identity, so both faces are relit alike; what is left at
     * identity 1 is the photo style's finish (sharpening, soft skin at the region's edge). A studio photo:
     * the faces are compared in place, so both styles must take the same cut-out strategy, and on the
     * young man's curls the anime and photo styles do not since the halo check (2026-12-07: the anime
     * one goes to the close-up). */
    const float ids[3] = {0, 0.5f, 1};
    float like[3];
    double d[3];
    for (int i = 0; i < 3; i++) {
        sb_generate_opts_t o = opts_for("anime, grey studio background", SEED, ids[i]);
        sb_generate_result_t r;
        sb_image_t anime, photo;
        generate(PERSON_STUDIO, &o, &r);
        like[i] = r.images[0].likeness;
        decode(&r.images[0], &anime);
        sb_generate_result_free(&r);
        portrait_image(PERSON_STUDIO, "photo, grey studio background, no vignette", ids[i], &photo);
        sb_face_t f = largest_face(&photo);
        d[i] = face_diff(&anime, &photo, &f);
        sb_image_free(&anime);
        sb_image_free(&photo);
    }
    cr_log_info("anime: likeness %.4f, %.4f, %.4f; face against the photo style %.2f, %.2f, %.2f levels at "
                "identity 0, 0.5, 1",
                like[0], like[1], like[2], d[0], d[1], d[2]);
    cr_assert_lt(like[0], like[1], "identity 0 -> 0.5");
    cr_assert_lt(like[1], like[2], "identity 0.5 -> 1");
    cr_assert_lt(like[0] + 0.05f, like[2], "identity 1 keeps clearly more of the face");
    cr_assert_gt(d[0], d[1] + 2, "the face nears the photo's: identity 0 -> 0.5");
    cr_assert_gt(d[1], d[2] + 2, "identity 0.5 -> 1");
    cr_assert_lt(d[2], 6, "identity 1: the face's own pixels, relit");
}

Test(portrait, light_shows_on_the_face_at_every_identity)
{
    /* Identity keeps the face from the stylization, not from the light: two strong, different lights
     * differ on the face as much at identity 1 as at 0 (only the photo style's soft skin, which identity
     * does undo, moves the numbers a little). */
    const float ids[3] = {0, 0.8f, 1};
    double d[3];
    for (int i = 0; i < 3; i++) {
        sb_image_t neon, split;
        portrait_image(PERSON_A, "neon lighting", ids[i], &neon);
        portrait_image(PERSON_A, "dramatic split lighting", ids[i], &split);
        sb_face_t f = largest_face(&split);
        d[i] = face_diff(&neon, &split, &f);
        sb_image_free(&neon);
        sb_image_free(&split);
    }
    cr_log_info("neon vs split on the face: %.2f, %.2f, %.2f levels at identity 0, 0.8, 1", d[0], d[1], d[2]);
    for (int i = 0; i < 3; i++)
        cr_assert_gt(d[i], 12, "the lights differ on the face at identity %.1f (%.2f)", ids[i], d[i]);
    cr_assert_gt(d[2], 0.8 * d[0], "identity 1 keeps the light (%.2f vs %.2f at identity 0)", d[2], d[0]);
}

/* How magenta (R and B over G) and how cyan (G and B over R) a rectangle is, in levels. */
static void magenta_cyan(const sb_image_t *img, int x, int y, int w, int h, double *magenta, double *cyan)
{
    double m[3];
    mean_rect(img, x, y, w, h, m);
    *magenta = (m[0] + m[2]) / 2 - m[1];
    *cyan = (m[1] + m[2]) / 2 - m[0];
}

Test(portrait, neon_lights_the_face_magenta_left_and_cyan_right)
{
    /* At the default identity, against soft light: the face's left third turns magenta, its right third
     * cyan, and its middle keeps most of its own colour. */
    sb_image_t neon, soft;
    portrait_image(PERSON_A, "neon lighting, grey studio background", -1, &neon);
    portrait_image(PERSON_A, "soft lighting, grey studio background", -1, &soft);
    sb_face_t f = largest_face(&soft);
    int third = (int)(f.w / 3), y0 = (int)(f.y + f.h * 0.25f), h = (int)(f.h * 0.5f);
    const int xs[3] = {(int)f.x, (int)f.x + third, (int)(f.x + f.w) - third};
    double mn[3], cn[3], ms[3], cs[3];
    for (int i = 0; i < 3; i++) {
        magenta_cyan(&neon, xs[i], y0, third, h, &mn[i], &cn[i]);
        magenta_cyan(&soft, xs[i], y0, third, h, &ms[i], &cs[i]);
    }
    cr_log_info("magenta neon / soft: left %.1f / %.1f, middle %.1f / %.1f, right %.1f / %.1f; cyan: left %.1f / "
                "%.1f, middle %.1f / %.1f, right %.1f / %.1f",
                mn[0], ms[0], mn[1], ms[1], mn[2], ms[2], cn[0], cs[0], cn[1], cs[1], cn[2], cs[2]);
    cr_assert_gt(mn[0], ms[0] + 15, "the left is magenta (%.1f vs %.1f)", mn[0], ms[0]);
    cr_assert_gt(cn[2], cs[2] + 15, "the right is cyan (%.1f vs %.1f)", cn[2], cs[2]);
    cr_assert_gt(mn[0], mn[2] + 15, "more magenta left than right");
    cr_assert_gt(cn[2], cn[0] + 15, "more cyan right than left");
    sb_image_free(&neon);
    sb_image_free(&soft);
}

Test(portrait, every_light_changes_the_face_at_the_default_identity)
{
    /* Each light kind against soft light (broad and low in contrast: the nearest to none), on the face at
     * identity 0.8. */
    static const char *const lights[] = {"soft lighting",      "studio lighting",   "rim light",   "split lighting",
                                         "butterfly lighting", "dramatic lighting", "golden hour", "neon lighting"};
    sb_image_t img[8];
    for (int i = 0; i < 8; i++) {
        char prompt[96];
        snprintf(prompt, sizeof prompt, "%s, grey studio background", lights[i]);
        portrait_image(PERSON_A, prompt, -1, &img[i]);
    }
    sb_face_t f = largest_face(&img[0]);
    for (int i = 1; i < 8; i++) {
        double d = face_diff(&img[i], &img[0], &f);
        cr_log_info("%s vs soft on the face: %.2f levels", lights[i], d);
        cr_assert_gt(d, 3, "%s changes the face (%.2f levels)", lights[i], d);
    }
    for (int i = 0; i < 8; i++)
        sb_image_free(&img[i]);
}

Test(portrait, black_and_white_is_grey_everywhere)
{
    sb_image_t img;
    portrait_image(PERSON_A, "black and white, bokeh background, grain, vignette", -1, &img);
    int worst = 0;
    size_t n = (size_t)img.width * img.height;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *p = img.data + 3 * i;
        int d = abs(p[0] - p[1]) > abs(p[1] - p[2]) ? abs(p[0] - p[1]) : abs(p[1] - p[2]);
        worst = d > worst ? d : worst;
    }
    cr_log_info("black and white: largest band difference %d levels", worst);
    cr_assert_leq(worst, 2, "R = G = B within 2 levels (JPEG), got %d", worst);
    sb_image_free(&img);
}

Test(portrait, warm_raises_red_against_blue_over_cool)
{
    sb_image_t warm, cool;
    portrait_image(PERSON_A, "warm", -1, &warm);
    portrait_image(PERSON_A, "cool", -1, &cool);
    double w[3], c[3];
    mean_rect(&warm, 0, 0, warm.width, warm.height, w);
    mean_rect(&cool, 0, 0, cool.width, cool.height, c);
    cr_log_info("mean R/B: warm %.3f, cool %.3f", w[0] / w[2], c[0] / c[2]);
    cr_assert_gt(w[0] / w[2], 1.1 * (c[0] / c[2]), "warm R/B %.3f vs cool %.3f", w[0] / w[2], c[0] / c[2]);
    sb_image_free(&warm);
    sb_image_free(&cool);
}

Test(portrait, close_up_makes_the_face_larger_than_half_body)
{
    sb_image_t close, half;
    portrait_image(PERSON_A, "close-up", -1, &close);
    portrait_image(PERSON_A, "half body", -1, &half);
    sb_face_t fc = largest_face(&close), fh = largest_face(&half);
    cr_log_info("face width: close-up %.0f px, half body %.0f px", fc.w, fh.w);
    cr_assert_gt(fc.w, 1.8f * fh.w, "close-up %.0f vs half body %.0f", fc.w, fh.w);
    sb_image_free(&close);
    sb_image_free(&half);
}

Test(portrait, navy_background_gives_a_dark_blue_corner)
{
    sb_image_t img;
    portrait_image(PERSON_B, "navy background", -1, &img);
    double c[3];
    top_corners(&img, c);
    cr_log_info("navy corners: %.1f %.1f %.1f", c[0], c[1], c[2]);
    cr_assert_gt(c[2], c[0] + 15, "blue over red");
    cr_assert_gt(c[2], c[1] + 5, "blue over green");
    cr_assert_lt(luma(c), 90, "dark");
    sb_image_free(&img);
}

Test(portrait, vignette_darkens_the_corners)
{
    sb_image_t with, without;
    portrait_image(PERSON_A, "grey studio background, vignette", -1, &with);
    portrait_image(PERSON_A, "grey studio background, no vignette", -1, &without);
    double a[3], b[3];
    top_corners(&with, a);
    top_corners(&without, b);
    cr_log_info("corner luma: vignette %.1f, none %.1f", luma(a), luma(b));
    cr_assert_lt(luma(a), luma(b) - 8, "vignette %.1f vs none %.1f", luma(a), luma(b));
    sb_image_free(&with);
    sb_image_free(&without);
}

/* Mean absolute difference of horizontally adjacent pixels' green over the top band (background: the
 * tests frame a half body, so the head stays below it). */
static double high_frequency(const sb_image_t *img)
{
    double s = 0;
    int rows = img->height / 8;
    for (int y = 0; y < rows; y++)
        for (int x = 1; x < img->width; x++)
            s += abs((int)img->data[((size_t)y * img->width + x) * 3 + 1] -
                     (int)img->data[((size_t)y * img->width + x - 1) * 3 + 1]);
    return s / ((double)rows * (img->width - 1));
}

Test(portrait, grain_raises_high_frequency_noise)
{
    sb_image_t with, without;
    portrait_image(PERSON_A, "grey studio background, half body, grain", -1, &with);
    portrait_image(PERSON_A, "grey studio background, half body, no grain", -1, &without);
    double a = high_frequency(&with), b = high_frequency(&without);
    cr_log_info("neighbour difference: grain %.2f, none %.2f levels", a, b);
    cr_assert_gt(a, 2 * b + 1, "grain %.2f vs none %.2f", a, b);
    sb_image_free(&with);
    sb_image_free(&without);
}

Test(portrait, anime_differs_from_photo)
{
    sb_image_t anime, photo;
    portrait_image(PERSON_A, "anime, grey studio background", 0.5f, &anime);
    portrait_image(PERSON_A, "photo, grey studio background", 0.5f, &photo);
    double d = mean_abs_diff(&anime, &photo);
    cr_log_info("anime vs photo: %.2f levels", d);
    cr_assert_gt(d, 5.0, "anime differs from photo (%.2f)", d);
    sb_image_free(&anime);
    sb_image_free(&photo);
}

Test(portrait, output_size_follows_width_and_height_and_seed_minus_one_is_random)
{
    const int sizes[3][2] = {{512, 512}, {1024, 768}, {0, 0}};
    for (int i = 0; i < 3; i++) {
        sb_generate_opts_t o = opts_for("studio", -1, -1);
        o.width = sizes[i][0];
        o.height = sizes[i][1];
        sb_generate_result_t r;
        generate(PERSON_B, &o, &r);
        sb_image_info_t info;
        sb_error_t e = {0};
        cr_assert_eq(sb_io_probe(r.images[0].data, r.images[0].len, &info, &e), SB_OK, "%s", e.message);
        int w = sizes[i][0] ? sizes[i][0] : 768, h = sizes[i][1] ? sizes[i][1] : 1024;
        cr_assert_eq(info.width, w, "width %d", info.width);
        cr_assert_eq(info.height, h, "height %d", info.height);
        cr_assert_eq(r.width, w);
        cr_assert_eq(r.height, h);
        cr_assert(r.seed >= 1 && r.seed <= 2147483647, "random seed %lld", (long long)r.seed);
        cr_assert_eq(r.images[0].seed, r.seed);
        sb_generate_result_free(&r);
    }
}

Test(portrait, ignored_terms_and_style_json)
{
    sb_generate_opts_t o = opts_for("warm office background with a purple unicorn", SEED, -1);
    sb_generate_result_t r;
    generate(PERSON_B, &o, &r);
    cr_assert_geq(r.n_ignored, 1, "unicorn ignored");
    int unicorn = 0;
    for (int i = 0; i < r.n_ignored; i++)
        unicorn |= strcmp(r.ignored_terms[i], "unicorn") == 0;
    cr_assert(unicorn, "'unicorn' is listed back");
    cr_assert_not_null(strstr(r.style_json, "office"), "%s", r.style_json);
    sb_generate_result_free(&r);
}

/* The mean |second difference| of luma between horizontal neighbours over the rectangle (x, y, w, h),
 * counting only pixels with their two neighbours lighter than 100 levels (the backdrop and what lies on
 * it, not a dark suit): thin vertical strokes on a smooth backdrop raise it. */
static double backdrop_roughness(const sb_image_t *img, int x0, int y0, int w, int h)
{
    double sum = 0;
    long n = 0;
    for (int y = y0; y < y0 + h; y++)
        for (int x = x0; x < x0 + w; x++) {
            double l[3];
            for (int d = -1; d <= 1; d++) {
                const uint8_t *p = img->data + ((size_t)y * img->width + x + d) * 3;
                l[d + 1] = 0.2126 * p[0] + 0.7152 * p[1] + 0.0722 * p[2];
            }
            if (l[0] <= 100 || l[1] <= 100 || l[2] <= 100)
                continue;
            sum += fabs(2 * l[1] - l[0] - l[2]);
            n++;
        }
    return n ? sum / (double)n : 0;
}

/* Issue 13: Biden's dark suit in front of the blue curtain's folds. The selfie net's band is a wide blur
 * there, and the edge solve drew the dark folds as grey strokes above both shoulders (delivered, every
 * check 0). The strips above the shoulders must be about as smooth as the backdrop far from him. */
Test(portrait, no_strokes_above_the_suit_in_front_of_a_curtain)
{
    sb_generate_opts_t o = opts_for("grey background", 7, -1);
    sb_generate_result_t r;
    sb_image_t img;
    generate("testdata/groups/fr_two_people.jpg", &o, &r);
    decode(&r.images[0], &img);
    cr_assert_eq(img.width, W);
    cr_assert_eq(img.height, H);
    double backdrop = backdrop_roughness(&img, 20, 100, 100, 50);
    double right = backdrop_roughness(&img, 330, 390, 150, 50), left = backdrop_roughness(&img, 60, 380, 140, 70);
    double ratio = (right + left) / 2 / backdrop;
    cr_log_info("roughness: backdrop %.3f, above the right shoulder %.3f, the left %.3f: %.2fx", backdrop, right,
                left, ratio);
    /* main (6ffcfc6): 3.24x (right 1.80, left 2.08, backdrop 0.60); with the texture rule 2.22x (1.12, 1.54). */
    cr_expect_lt(ratio, 2.75, "strokes above the shoulders: %.2fx the backdrop's roughness", ratio);
    sb_image_free(&img);
    sb_generate_result_free(&r);
}

/* The error for options `o` (on a photo that would otherwise work); the result must be left empty. */
static void assert_usage(sb_generate_opts_t o, const char *field)
{
    size_t len;
    uint8_t *buf = tu_read_shared(PERSON_A, &len);
    sb_generate_result_t r;
    sb_error_t e = {0};
    sb_err err = sb_generate_portrait(studio, buf, len, &o, &r, &e);
    free(buf);
    cr_assert_eq(err, SB_ERR_USAGE, "%s: %s", field, sb_err_name(err));
    cr_assert_str_eq(e.field, field, "field %s for: %s", e.field, e.message);
    cr_assert_eq(r.n_images, 0);
    cr_assert_null(r.images[0].data);
}

Test(portrait, validation_errors_name_the_field)
{
    sb_generate_opts_t o = opts_for("studio", SEED, -1);
    sb_generate_opts_t bad;
    bad = o, bad.seed = 0, assert_usage(bad, "seed");
    bad = o, bad.seed = -2, assert_usage(bad, "seed");
    bad = o, bad.seed = SB_GENERATE_SEED_MAX + 1, assert_usage(bad, "seed");
    bad = o, bad.samples = 9, assert_usage(bad, "samples");
    bad = o, bad.samples = -1, assert_usage(bad, "samples");
    bad = o, bad.identity = NAN, assert_usage(bad, "identity");
    bad = o, bad.identity = 1.5f, assert_usage(bad, "identity");
    bad = o, bad.width = 300, assert_usage(bad, "width");
    bad = o, bad.width = 0, assert_usage(bad, "width");
    bad = o, bad.height = 2025, assert_usage(bad, "height");
    bad = o, bad.format = (sb_format_t)99, assert_usage(bad, "format");
    bad = o, bad.quality = 101, assert_usage(bad, "quality");
    char long_prompt[1200];
    memset(long_prompt, 'a', sizeof long_prompt - 1);
    long_prompt[sizeof long_prompt - 1] = '\0';
    bad = o, bad.prompt = long_prompt, assert_usage(bad, "prompt");
}

Test(portrait, no_face_is_refused)
{
    size_t len;
    uint8_t *buf = tu_read_shared("testdata/noface/dlib_dog.jpg", &len);
    sb_generate_opts_t o = opts_for("studio", SEED, -1);
    sb_generate_result_t r;
    sb_error_t e = {0};
    sb_err err = sb_generate_portrait(studio, buf, len, &o, &r, &e);
    free(buf);
    cr_assert_eq(err, SB_ERR_NO_FACE, "%s: %s", sb_err_name(err), e.message);
    cr_assert_null(r.images[0].data);
}
