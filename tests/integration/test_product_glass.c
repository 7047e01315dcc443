/* Transparent products (issue 14): a clear glass photographed in front of a window lets the new scene show
 * through it, not the old room; an opaque product is left as it was. sb_product in process on real photos of
 * ../shared/testdata/products (skipped without them); four calls of u2netp. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>

#include "strobe.h"
#include "testutil.h"
#include "studio_fixture.h"

/* A clear beer glass in a grey-scale photo, a bright window and a dark room behind it. */
#define GLASS "testdata/products/imagenet_beer_glass.jpg"
/* A wooden goblet: opaque. */
#define GOBLET "testdata/products/imagenet_goblet.jpg"
#define SIDE 500


TestSuite(product_glass, .init = setup, .fini = teardown, .timeout = 120);

/* The product `rel` at SIDE x SIDE on `preset` (with `prompt` for custom), decoded to 8-bit pixels (3 bands, or
 * 4 for transparent); the caller frees. */
static uint8_t *shot(const char *rel, const char *preset, const char *prompt)
{
    char path[4096];
    TU_SHARED_PATH_OR_SKIP(path, rel);
    size_t len;
    uint8_t *photo = tu_read(path, &len);
    sb_product_opts_t o = SB_PRODUCT_OPTS_DEFAULT;
    o.preset = preset, o.background_prompt = prompt, o.width = o.height = SIDE;
    sb_product_result_t r;
    sb_error_t e = {0};
    cr_assert_eq(sb_product(studio, photo, len, &o, &r, &e), SB_OK, "%s: %s", rel, e.message);
    VipsImage *img = vips_image_new_from_buffer(r.output, r.output_len, "", NULL);
    cr_assert_not_null(img);
    size_t size;
    uint8_t *px = vips_image_write_to_memory(img, &size);
    cr_assert_eq(size, (size_t)SIDE * SIDE * vips_image_get_bands(img));
    g_object_unref(img);
    sb_product_result_free(&r);
    free(photo);
    return px;
}

/* The middle half (each way) of the box of the product's alpha >= 128 in a transparent shot: inside the
 * product, away from its rim. */
static void inner_box(const uint8_t *rgba, int box[4])
{
    int x0 = SIDE, y0 = SIDE, x1 = -1, y1 = -1;
    for (int y = 0; y < SIDE; y++)
        for (int x = 0; x < SIDE; x++)
            if (rgba[((size_t)y * SIDE + x) * 4 + 3] >= 128)
                x0 = x < x0 ? x : x0, y0 = y < y0 ? y : y0, x1 = x > x1 ? x : x1, y1 = y > y1 ? y : y1;
    cr_assert_gt(x1, x0 + 20);
    box[0] = x0 + (x1 - x0) / 4, box[2] = x1 - (x1 - x0) / 4, box[1] = y0 + (y1 - y0) / 4, box[3] = y1 - (y1 - y0) / 4;
}

/* Mean redness, R - (G + B) / 2 over 0..255, of an RGB shot in a box, over the pixels where the transparent
 * shot `cut` has alpha at least `min_alpha`. */
static double redness(const uint8_t *rgb, const uint8_t *cut, int min_alpha, const int b[4])
{
    double acc = 0;
    size_t n = 0;
    for (int y = b[1]; y < b[3]; y++)
        for (int x = b[0]; x < b[2]; x++) {
            const uint8_t *p = rgb + ((size_t)y * SIDE + x) * 3;
            if (cut[((size_t)y * SIDE + x) * 4 + 3] < min_alpha)
                continue;
            acc += p[0] - (p[1] + p[2]) / 2.0;
            n++;
        }
    cr_assert_gt(n, 500);
    return acc / (double)n;
}

/* The glass on a red backdrop is red inside (the photo is grey, so the red is the backdrop's, seen through
 * it), and its transparent cut-out is partly see-through there; the goblet's inside does not change with the
 * backdrop. */
Test(product_glass, the_new_backdrop_shows_through_glass_only)
{
    int box[4];
    uint8_t *cut = shot(GLASS, "transparent", NULL);
    inner_box(cut, box);
    double alpha = 0;
    for (int y = box[1]; y < box[3]; y++)
        for (int x = box[0]; x < box[2]; x++)
            alpha += cut[((size_t)y * SIDE + x) * 4 + 3];
    alpha /= (double)(box[2] - box[0]) * (box[3] - box[1]) * 255;
    cr_assert_lt(alpha, 0.7, "the glass's cut-out is see-through: mean alpha %.2f inside", alpha);
    uint8_t *red = shot(GLASS, "custom", "red"), *grey = shot(GLASS, "custom", "grey");
    double r_red = redness(red, cut, 0, box), r_grey = redness(grey, cut, 0, box);
    cr_assert_gt(r_red, 25, "the glass on red: redness %.1f inside", r_red);
    cr_assert_gt(r_red, r_grey + 25, "red %.1f, grey %.1f", r_red, r_grey);
    free(cut);
    free(red);
    free(grey);

    cut = shot(GOBLET, "transparent", NULL);
    inner_box(cut, box);
    red = shot(GOBLET, "custom", "red"), grey = shot(GOBLET, "custom", "grey");
    /* Its opaque pixels (the inner box takes in the room beside the stem). */
    r_red = redness(red, cut, 255, box), r_grey = redness(grey, cut, 255, box);
    cr_assert_lt(fabs(r_red - r_grey), 1.5, "the opaque goblet: redness %.1f on red, %.1f on grey", r_red, r_grey);
    free(cut);
    free(red);
    free(grey);
}

/* The verdict on every product photo of products/ whose verdict is right today: the clear beer glass is
 * treated as glass, the opaque products are not (the nearest ones score 0.35-0.37 against the 0.43 lower end
 * of a close call: skimage_coffee, the purse, the eco milk, the face powder), and the two close calls (the
 * perfume, a clear glass, 0.49; the chrome coffeepot, 0.44 since the net's second look) are kept opaque and
 * flagged uncertain. Left out: the vase's glass jars (missed, 0.26: docs/QUALITY.md "Issue 14: glass against
 * chrome and jars") and insightface_mask_white (no subject). The verdict is made on the working photo, so a
 * small transparent canvas is enough. */
Test(product_glass, every_product_judged, .timeout = 900)
{
    static const char *const glass[] = {"imagenet_beer_glass.jpg"};
    static const char *const opaque[] = {"imagenet_perfume.jpg", "imagenet_coffeepot.jpg",
        "grocery_alpro_soy.jpg",        "grocery_arla_eco_milk.jpg",     "grocery_arla_yoghurt.jpg",
        "grocery_bravo_orange_juice.jpg", "grocery_godmorgon_apple_juice.jpg", "grocery_oatly_oatghurt.jpg",
        "grocery_valio_yoghurt.jpg",    "imagenet_beer_bottles.jpg",     "imagenet_coffee_mugs.jpg",
        "imagenet_cowboy_boots.jpg",    "imagenet_face_powder.jpg",      "imagenet_goblet.jpg",
        "imagenet_ipod.jpg",            "imagenet_lotion_tin.jpg",       "imagenet_necklace.jpg",
        "imagenet_purse.jpg",           "imagenet_running_shoes.jpg",    "imagenet_tshirt.jpg",
        "sam_groceries.jpg",            "skimage_coffee.png",            "u2net_desk_lamp.jpg"};
    for (size_t i = 0; i < sizeof glass / sizeof *glass + sizeof opaque / sizeof *opaque; i++) {
        bool is_glass = i < sizeof glass / sizeof *glass;
        const char *name = is_glass ? glass[i] : opaque[i - sizeof glass / sizeof *glass];
        char rel[256];
        snprintf(rel, sizeof rel, "testdata/products/%s", name);
        size_t len;
        uint8_t *photo = tu_read_shared(rel, &len);
        sb_product_opts_t o = SB_PRODUCT_OPTS_DEFAULT;
        o.preset = "transparent", o.width = o.height = 256;
        sb_product_result_t r;
        sb_error_t e = {0};
        cr_assert_eq(sb_product(studio, photo, len, &o, &r, &e), SB_OK, "%s: %s", name, e.message);
        cr_assert(r.transparency.done, "%s: a canvas output is judged", name);
        cr_assert_eq(r.transparency.applied, is_glass, "%s: %s (score %.3f)", name,
                     is_glass ? "a clear glass not treated as glass" : "an opaque product treated as glass",
                     r.transparency.score);
        bool close = !strcmp(name, "imagenet_perfume.jpg") || !strcmp(name, "imagenet_coffeepot.jpg");
        cr_assert_eq(r.transparency.uncertain, close, "%s: close call flagged %d (score %.3f)", name,
                     r.transparency.uncertain, r.transparency.score);
        sb_product_result_free(&r);
        free(photo);
    }
}
