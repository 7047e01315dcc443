/* test_product_outputs_api.c - what the product photo's answer reports, through the real `./strobe serve`
 * on loopback with real product photos and the real u2netp net: the marketplace report and framing, the
 * cut-out and mask in one call, the net's second look on the coffeepot's mask, a small input warned and a
 * hand removed, transparency, and the warnings for a torn cut-out, a close glass call and ragged sides. */
#include <criterion/criterion.h>

#include "product_harness.h"

TestSuite(product_outputs_api, .fini = cleanup, .timeout = 180);

Test(product_outputs_api, marketplace_amazon_main)
{
    begin();
    size_t len;
    uint8_t *jpg = load_shared(CARTON, &len);
    char key[64];
    start(NULL, 4, key);
    const char *const wait[] = {"Prefer: wait=30", NULL};

    const char *const small[] = {"size", "800x800", NULL};
    resp_t r = post_product(key, jpg, len, small, wait);
    EXPECT_STATUS(r, 200, "an 800x800 white studio");
    const json_t *white = json_object_get(json_object_get(r.json, "check"), "white");
    cr_assert(json_is_boolean(json_object_get(white, "pass")), "check.white in %s", r.body);
    const json_t *am = json_object_get(json_object_get(r.json, "marketplace"), "amazon_main");
    cr_assert(json_is_false(json_object_get(am, "pass")), "an 800 px canvas fails: %s", r.body);
    const json_t *reasons = json_object_get(am, "reasons");
    int side = 0;
    for (size_t i = 0; i < json_array_size(reasons); i++)
        side |= !strcmp(nz(json_string_value(json_array_get(reasons, i))), "long_side_800");
    cr_assert(side, "reason long_side_800 in %s", r.body);
    cr_assert_eq(jint(am, "long_side"), 800, "%s", r.body);
    resp_free(&r);

    const char *const framed[] = {"size", "1000x1000", "frame_for", "amazon_main", NULL};
    r = post_product(key, jpg, len, framed, wait);
    EXPECT_STATUS(r, 200, "frame_for amazon_main");
    white = json_object_get(json_object_get(r.json, "check"), "white");
    cr_assert(json_is_true(json_object_get(white, "pass")), "the white check passes: %s", r.body);
    am = json_object_get(json_object_get(r.json, "marketplace"), "amazon_main");
    cr_assert(json_is_true(json_object_get(am, "pass")), "framed for Amazon, it passes: %s", r.body);
    cr_assert_eq(json_array_size(json_object_get(am, "reasons")), 0, "%s", r.body);
    cr_assert_geq(json_number_value(json_object_get(am, "fill")), 0.85, "%s", r.body);
    resp_free(&r);
    cr_assert_eq(credits_of(key), 2);

    /* Misuses, named before anything is queued. */
    const char *const *bad[] = {(const char *const[]){"frame_for", "ebay_main", NULL},
                                (const char *const[]){"frame_for", "amazon_main", "preset", "marble", NULL},
                                (const char *const[]){"frame_for", "amazon_main", "padding", "0.1", NULL}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r = post_product(key, jpg, len, bad[i], wait);
        EXPECT_ERROR(r, 400, "bad_request", "frame_for", bad[i][1]);
        resp_free(&r);
    }
    const char *const tiny[] = {"frame_for", "amazon_main", "size", "800x800", NULL};
    r = post_product(key, jpg, len, tiny, wait);
    EXPECT_ERROR(r, 400, "bad_request", "size", "frame_for on an 800 px canvas");
    resp_free(&r);
    cr_assert_eq(credits_of(key), 2);
    free(jpg);
    expect_healthy("marketplace");
}

/* Decode an output's bytes into a VipsImage (the caller unrefs it). */
static VipsImage *decode_output(const resp_t *r, const char *what)
{
    VipsImage *img = vips_image_new_from_buffer(r->body, r->len, "", NULL);
    cr_assert_not_null(img, "%s: does not decode (%zu bytes): %s", what, r->len, vips_error_buffer());
    return img;
}

/* cutout: the product alone and its mask in one call, through the real server. The cut-out is an RGBA PNG
 * cropped to the product's box plus crop_margin, the mask a 1-band PNG of the same crop equal to its
 * alpha; the margin around the box is transparent where the photo goes on (the pot stands clear of the
 * photo's left and right edges). The misuses are 400s naming their field, uncharged. */
Test(product_outputs_api, cutout_and_mask_in_one_call)
{
    begin();
    size_t len;
    uint8_t *jpg = load_shared(POT, &len);
    char key[64];
    start(NULL, 3, key);
    const char *const wait[] = {"Prefer: wait=30", NULL};
    const char *const f[] = {"cutout", "true", "crop_margin", "12px", NULL};
    resp_t r = post_product(key, jpg, len, f, wait);
    EXPECT_STATUS(r, 200, "cutout with Prefer: wait=30");
    const json_t *p = json_object_get(r.json, "pipeline");
    cr_assert(json_is_array(p) && json_array_size(p) == 1, "pipeline %s", r.body);
    cr_assert(json_is_true(json_object_get(r.json, "has_alpha")), "%s", r.body);
    cr_assert_eq(json_array_size(json_object_get(r.json, "outputs")), 2, "cut-out and mask: %s", r.body);
    cr_assert_str_eq(nz(jstr(r.json, "cutout_url")), nz(jstr(r.json, "output_url")), "%s", r.body);
    cr_assert(jstr(r.json, "mask_url") && strcmp(jstr(r.json, "mask_url"), jstr(r.json, "cutout_url")), "%s", r.body);
    const json_t *sub = json_object_get(r.json, "subject");
    long sw = (long)jint(sub, "width"), sx = (long)jint(sub, "x");
    resp_t cut = fetch_output(jstr(r.json, "cutout_url"), "image/png");
    resp_t mask = fetch_output(jstr(r.json, "mask_url"), "image/png");
    VipsImage *ci = decode_output(&cut, "the cut-out"), *mi = decode_output(&mask, "the mask");
    int w = vips_image_get_width(ci), h = vips_image_get_height(ci);
    cr_assert_eq(vips_image_get_bands(ci), 4, "the cut-out is RGBA");
    cr_assert_eq(vips_image_get_bands(mi), 1, "the mask is one band");
    cr_assert(vips_image_get_width(mi) == w && vips_image_get_height(mi) == h, "the mask is the cut-out's crop");
    cr_assert_eq(jint(r.json, "width"), w, "%s", r.body);
    /* The crop is the box and 12 px each side, within the photo (the pot's box is clear of its left edge; since
     * the net's second look its right end, the handle's top joint, is 9 px from the right edge). */
    long right = sx + sw + 12 < 375 ? sx + sw + 12 : 375;
    cr_assert(sx >= 12, "the pot's box %ld+%ld", sx, sw);
    cr_assert(labs(w - (right - (sx - 12))) <= 2, "width %d: the box %ld+%ld and 12 px each side in the photo", w, sx,
              sw);
    /* The mask is the cut-out's alpha, and the margin columns are transparent. */
    VipsImage *alpha = NULL, *diff = NULL, *edge = NULL;
    double dmax = 1, emax = 1;
    cr_assert_eq(vips_extract_band(ci, &alpha, 3, NULL), 0);
    cr_assert_eq(vips_subtract(alpha, mi, &diff, NULL), 0);
    cr_assert_eq(vips_abs(diff, &edge, NULL), 0);
    cr_assert_eq(vips_max(edge, &dmax, NULL), 0);
    cr_assert_eq(dmax, 0, "the mask equals the cut-out's alpha (max difference %g)", dmax);
    g_object_unref(edge);
    cr_assert_eq(vips_extract_area(mi, &edge, 0, 0, 4, h, NULL), 0);
    cr_assert_eq(vips_max(edge, &emax, NULL), 0);
    cr_assert_eq(emax, 0, "the left margin is transparent (max alpha %g)", emax);
    double mmax = 0;
    cr_assert_eq(vips_max(mi, &mmax, NULL), 0);
    cr_assert_geq(mmax, 250, "the mask has the product");
    g_object_unref(edge);
    g_object_unref(diff);
    g_object_unref(alpha);
    g_object_unref(ci);
    g_object_unref(mi);
    resp_free(&cut);
    resp_free(&mask);
    resp_free(&r);
    cr_assert_eq(credits_of(key), 2, "one credit for the cut-out and its mask");

    const char *const *bad[] = {(const char *const[]){"crop_margin", "10px", NULL},
                                (const char *const[]){"cutout", "true", "mask", "true", NULL},
                                (const char *const[]){"hand", "cut", NULL},
                                (const char *const[]){"cutout", "true", "crop_margin", "600px", NULL},
                                (const char *const[]){"cutout", "true", "output_format", "jpeg", NULL}};
    const char *const field[] = {"crop_margin", "cutout", "hand", "crop_margin", "output_format"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r = post_product(key, jpg, len, bad[i], wait);
        EXPECT_ERROR(r, 400, "bad_request", field[i], field[i]);
        resp_free(&r);
    }
    cr_assert_eq(credits_of(key), 2);
    free(jpg);
    expect_healthy("cutout");
}

/* A 348 px photo on a 1000 px canvas is enlarged about 2.6 times: validation_warnings says so
 * (input_upscaled_<f>x, first; then edge_ragged, the bite along the carton's right side); hand remove on the carton held in a hand reports the hand found and removed. */
Test(product_outputs_api, small_input_warned_and_hand_removed)
{
    begin();
    size_t len;
    uint8_t *jpg = load_shared(CARTON, &len);
    char key[64];
    start(NULL, 3, key);
    const char *const wait[] = {"Prefer: wait=30", NULL};
    const char *const f[] = {"size", "1000x1000", NULL};
    resp_t r = post_product(key, jpg, len, f, wait);
    EXPECT_STATUS(r, 200, "a 348 px photo on 1000x1000");
    const json_t *w = json_object_get(r.json, "validation_warnings");
    cr_assert(json_is_array(w) && json_array_size(w) == 2, "two warnings: %s", r.body);
    cr_assert_str_eq(nz(json_string_value(json_array_get(w, 1))), "edge_ragged", "%s", r.body);
    const char *s = nz(json_string_value(json_array_get(w, 0)));
    double f_up = 0;
    cr_assert(sscanf(s, "input_upscaled_%lfx", &f_up) == 1 && f_up >= 1.2 && f_up <= 1000.0 / 348 + 0.05,
              "input_upscaled_<f>x, f at most 1000/348: %s", s);
    const json_t *hand = json_object_get(r.json, "hand");
    cr_assert(json_is_true(json_object_get(hand, "found")) && json_is_false(json_object_get(hand, "removed")),
              "the hand is found and kept by default: %s", r.body);
    resp_free(&r);

    const char *const small[] = {"size", "256x256", "hand", "remove", NULL};
    r = post_product(key, jpg, len, small, wait);
    EXPECT_STATUS(r, 200, "256x256, hand remove");
    w = json_object_get(r.json, "validation_warnings");
    for (size_t i = 0; i < json_array_size(w); i++)
        cr_assert(strncmp(nz(json_string_value(json_array_get(w, i))), "input_upscaled_", 15), "not enlarged: %s",
                  r.body);
    hand = json_object_get(r.json, "hand");
    cr_assert(json_is_true(json_object_get(hand, "removed")), "the hand is removed: %s", r.body);
    resp_free(&r);
    cr_assert_eq(credits_of(key), 1);
    free(jpg);
    expect_healthy("hand");
}

/* POST the photo `img` with the form fields `fields` (with Prefer: wait=30), expect a 200 whose
 * `transparency` says `applied` and return its score; the response in *out when out is not NULL (else freed). */
static double transparency_of(const char *key, const uint8_t *img, size_t len, const char *const *fields, bool applied,
                              const char *what, resp_t *out)
{
    const char *const wait[] = {"Prefer: wait=30", NULL};
    resp_t r = post_product(key, img, len, fields, wait);
    EXPECT_STATUS(r, 200, what);
    const json_t *t = json_object_get(r.json, "transparency");
    cr_assert(json_is_boolean(json_object_get(t, "applied")) && json_is_number(json_object_get(t, "score")),
              "%s: transparency judged: %s", what, r.body);
    cr_assert_eq(json_is_true(json_object_get(t, "applied")), applied, "%s: applied should be %d: %s", what, applied,
                 r.body);
    double score = json_number_value(json_object_get(t, "score"));
    cr_assert(score >= 0 && score <= 1, "%s: %s", what, r.body);
    if (out)
        *out = r;
    else
        resp_free(&r);
    return score;
}

/* transparency through the real server: the beer glass (the window seen through it) is treated as glass
 * and says so, the carton is not, on a canvas, in a cut-out and in a mask alike. The option `transparency`
 * overrides the verdict: off keeps the glass opaque (same score, other pixels), also in its cut-out, on
 * makes the carton see-through; a bad value is a 400 on its field, not charged. */
Test(product_outputs_api, transparency_reported)
{
    begin();
    size_t glass_len, carton_len;
    uint8_t *glass = load_shared("testdata/products/imagenet_beer_glass.jpg", &glass_len);
    uint8_t *carton = load_shared(CARTON, &carton_len);
    char key[64];
    start(NULL, 8, key);
    resp_t r, o;
    const char *const f[] = {"size", "256x256", "preset", "marble", NULL};
    double glass_score = transparency_of(key, glass, glass_len, f, true, "the beer glass on marble", &r);
    cr_assert_geq(glass_score, 0.43);
    resp_t auto_png = fetch_output(jstr(r.json, "output_url"), "image/png");
    const char *const off[] = {"size", "256x256", "preset", "marble", "transparency", "off", NULL};
    /* (Criterion's assertions evaluate their arguments more than once: each POST is made first.) */
    double off_score = transparency_of(key, glass, glass_len, off, false, "the beer glass, transparency off", &o);
    cr_assert_float_eq(off_score, glass_score, 1e-6, "off: the same score");
    resp_t off_png = fetch_output(jstr(o.json, "output_url"), "image/png");
    cr_assert(auto_png.len && off_png.len &&
                  (auto_png.len != off_png.len || memcmp(auto_png.body, off_png.body, off_png.len)),
              "off changes the delivered image");
    resp_free(&auto_png);
    resp_free(&off_png);
    resp_free(&o);
    resp_free(&r);

    const char *const on[] = {"size", "256x256", "transparency", "on", NULL};
    double on_score = transparency_of(key, carton, carton_len, on, true, "the carton, transparency on", NULL);
    cr_assert_lt(on_score, 0.43, "on makes it see-through whatever its score");

    const char *const wait[] = {"Prefer: wait=30", NULL};
    const char *const bad[] = {"transparency", "sideways", NULL};
    r = post_product(key, carton, carton_len, bad, wait);
    EXPECT_ERROR(r, 400, "bad_request", "transparency", "transparency");
    resp_free(&r);

    const char *const cut_auto[] = {"cutout", "true", NULL};
    const char *const cut_off[] = {"cutout", "true", "transparency", "off", NULL};
    double cut_score = transparency_of(key, glass, glass_len, cut_auto, true, "the beer glass's cut-out", NULL);
    cr_assert_geq(cut_score, 0.43);
    double cut_off_score = transparency_of(key, glass, glass_len, cut_off, false, "its cut-out, off", NULL);
    cr_assert_float_eq(cut_off_score, cut_score, 1e-6, "off keeps the cut-out opaque with the same score");

    const char *const white[] = {"size", "256x256", NULL}, *const mask[] = {"mask", "true", NULL};
    double score = transparency_of(key, carton, carton_len, white, false, "the carton", NULL);
    cr_assert_lt(score, 0.43);
    double mask_score = transparency_of(key, carton, carton_len, mask, false, "the carton's mask", NULL);
    cr_assert_float_eq(mask_score, score, 1e-6, "the mask is judged as the canvas");
    cr_assert_eq(credits_of(key), 1, "four canvases, two cut-outs and the mask charged, the refusal not");
    free(glass);
    free(carton);
    expect_healthy("transparency");
}

/* cutout_holes through the real server: the Oatly carton, torn by its mask where its white panel meets a
 * white fridge, is delivered with what could be restored and says the rest is undecided (a warning, charged
 * as any shot); the orange-juice carton carries no such warning. */
Test(product_outputs_api, torn_cutout_warned)
{
    begin();
    size_t len, carton_len;
    uint8_t *torn = load_shared("testdata/products/grocery_oatly_oatghurt.jpg", &len);
    uint8_t *carton = load_shared(CARTON, &carton_len);
    char key[64];
    start(NULL, 3, key);
    const char *const wait[] = {"Prefer: wait=30", NULL};
    const char *const f[] = {"size", "256x256", NULL};
    resp_t r = post_product(key, torn, len, f, wait);
    EXPECT_STATUS(r, 200, "the Oatly carton");
    const json_t *w = json_object_get(r.json, "validation_warnings");
    int found = 0;
    for (size_t i = 0; i < json_array_size(w); i++)
        found |= !strcmp(nz(json_string_value(json_array_get(w, i))), "cutout_holes");
    cr_assert(found, "cutout_holes: %s", r.body);
    resp_free(&r);
    r = post_product(key, carton, carton_len, f, wait);
    EXPECT_STATUS(r, 200, "the orange-juice carton");
    w = json_object_get(r.json, "validation_warnings");
    for (size_t i = 0; i < json_array_size(w); i++)
        cr_assert_str_neq(nz(json_string_value(json_array_get(w, i))), "cutout_holes", "%s", r.body);
    resp_free(&r);
    cr_assert_eq(credits_of(key), 1, "both shots charged");
    free(torn);
    free(carton);
    expect_healthy("torn");
}

/* Whether the answer's validation_warnings carry `name`. */
static bool warned(const json_t *answer, const char *name)
{
    const json_t *w = json_object_get(answer, "validation_warnings");
    for (size_t i = 0; i < json_array_size(w); i++)
        if (!strcmp(nz(json_string_value(json_array_get(w, i))), name))
            return true;
    return false;
}

/* transparency_uncertain through the real server: the chrome coffeepot, reflecting its beige room, scores
 * as a close call (under 0.6) and `auto` keeps it opaque (see-through it was a blotchy ghost), saying so.
 * With transparency on (what the warning points to for a glass) it is see-through and not warned; the beer
 * glass, clearly glass (0.66), is see-through by default and not warned either. */
Test(product_outputs_api, close_glass_call_warned)
{
    begin();
    size_t pot_len, glass_len;
    uint8_t *pot = load_shared(POT, &pot_len);
    uint8_t *glass = load_shared("testdata/products/imagenet_beer_glass.jpg", &glass_len);
    char key[64];
    start(NULL, 3, key);
    resp_t r;
    const char *const f[] = {"size", "256x256", NULL};
    const char *const on[] = {"size", "256x256", "transparency", "on", NULL};
    double score = transparency_of(key, pot, pot_len, f, false, "the coffeepot, kept opaque", &r);
    cr_assert(score >= 0.43 && score < 0.6, "the pot's score %.3f is a close call", score);
    cr_assert(warned(r.json, "transparency_uncertain"), "the close call is reported: %s", r.body);
    cr_assert(warned(r.json, "edge_unseen"), "the spout and handle left out are reported: %s", r.body);
    resp_free(&r);
    transparency_of(key, pot, pot_len, on, true, "the coffeepot, transparency on", &r);
    cr_assert(!warned(r.json, "transparency_uncertain"), "on decides, no warning: %s", r.body);
    cr_assert(!warned(r.json, "edge_unseen"), "see-through, its outline need not show: %s", r.body);
    resp_free(&r);
    score = transparency_of(key, glass, glass_len, f, true, "the beer glass", &r);
    cr_assert_geq(score, 0.6, "the beer glass is clearly glass");
    cr_assert(!warned(r.json, "transparency_uncertain"), "%s", r.body);
    resp_free(&r);
    cr_assert_eq(credits_of(key), 0, "three shots charged");
    free(pot);
    free(glass);
    expect_healthy("close glass call");
}

/* edge_ragged through the real server: the GodMorgon carton, whose mask cuts 5-8 working pixels into its
 * black left side (against the dark gap between shelves) and wanders along the thumb, and the Bravo
 * carton, bitten along its right side beside the printed oranges (4.8% and 2.2% of their masks, the
 * warning from 2%), say so (a warning, charged as any shot). The Alpro carton, clean, is not warned. */
Test(product_outputs_api, ragged_edge_warned)
{
    begin();
    size_t len, carton_len, clean_len;
    uint8_t *ragged = load_shared("testdata/products/grocery_godmorgon_apple_juice.jpg", &len);
    uint8_t *carton = load_shared(CARTON, &carton_len);
    uint8_t *clean = load_shared("testdata/products/grocery_alpro_soy.jpg", &clean_len);
    char key[64];
    start(NULL, 4, key);
    const char *const wait[] = {"Prefer: wait=30", NULL};
    const char *const f[] = {"size", "256x256", NULL};
    resp_t r = post_product(key, ragged, len, f, wait);
    EXPECT_STATUS(r, 200, "the GodMorgon carton");
    cr_assert(warned(r.json, "edge_ragged"), "edge_ragged: %s", r.body);
    resp_free(&r);
    r = post_product(key, carton, carton_len, f, wait);
    EXPECT_STATUS(r, 200, "the orange-juice carton");
    cr_assert(warned(r.json, "edge_ragged"), "edge_ragged: %s", r.body);
    resp_free(&r);
    r = post_product(key, clean, clean_len, f, wait);
    EXPECT_STATUS(r, 200, "the soy carton");
    cr_assert(!warned(r.json, "edge_ragged") && !warned(r.json, "edge_unseen"), "%s", r.body);
    resp_free(&r);
    cr_assert_eq(credits_of(key), 1, "three shots charged");
    free(ragged);
    free(carton);
    free(clean);
    expect_healthy("ragged");
}

/* The mean of the 1-band mask PNG `r` over the box x, y, w, h (0..255). */
static double mask_mean(const resp_t *r, int x, int y, int w, int h)
{
    VipsImage *img = vips_image_new_from_buffer(r->body, r->len, "", NULL), *box = NULL;
    double mean = -1;
    cr_assert_not_null(img, "the mask does not decode: %s", vips_error_buffer());
    cr_assert(vips_image_get_width(img) == 375 && vips_image_get_height(img) == 500 && vips_image_get_bands(img) == 1,
              "the mask is the photo's size, one band");
    cr_assert_eq(vips_crop(img, &box, x, y, w, h, NULL), 0, "%s", vips_error_buffer());
    cr_assert_eq(vips_avg(box, &mean, NULL), 0, "%s", vips_error_buffer());
    g_object_unref(box);
    g_object_unref(img);
    return mean;
}

/* The net's second look through the real server: u2netp gives the coffeepot's name tag its whole map and the
 * chrome body 0.1..0.3, and the recovered body had a bite at its lower left (photo x 110-150, y 390-470:
 * mean mask 17 of 255). With the tag hidden the net outlines the body whole; no wall is taken in beside it
 * (x under 100, where the spout the net never sees runs). The answer's box grows with it. */
Test(product_outputs_api, pot_body_whole_after_a_second_look)
{
    begin();
    size_t len;
    uint8_t *pot = load_shared(POT, &len);
    char key[64];
    make_key("product", 2, key, NULL);
    server_start(NULL, NULL);
    const char *const f[] = {"mask", "true", NULL};
    const char *const wait[] = {"Prefer: wait=30", NULL};
    resp_t r = post_multipart("/v1/image/product-photo", key, pot, len, f, wait);
    EXPECT_STATUS(r, 200, "the coffeepot's mask");
    const json_t *subject = json_object_get(r.json, "subject");
    cr_assert_lt(jint(subject, "x"), 107, "the box reaches the body's left side: %s", r.body);
    resp_t out = fetch_output(jstr(r.json, "output_url"), "image/png");
    double bite = mask_mean(&out, 110, 390, 40, 80), left = mask_mean(&out, 0, 0, 100, 500);
    cr_assert_geq(bite, 200, "the body's lower left is the pot's: mean %.1f", bite);
    cr_assert_lt(left, 5, "nothing of the wall at the left: mean %.1f", left);
    resp_free(&out);
    resp_free(&r);
    free(pot);
    expect_healthy("second look");
}
