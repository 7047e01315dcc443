/* Torn product cut-outs (issue 14): holes and bites the mask cut out of the product's own surface are
 * restored (vision/product_holes.h), real holes stay open, and what is left undecided is reported. sb_product
 * in process with the subject mask (mask_only) on real photos of ../shared/testdata/products (skipped
 * without them); one u2netp call a photo, and the selfie net for the held carton. */
#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>

#include "strobe.h"
#include "testutil.h"
#include "studio_fixture.h"
#include "vision/regions.h"

TestSuite(product_holes, .init = setup, .fini = teardown, .timeout = 300);

typedef struct {
    uint8_t *set; /* mask >= 128, 1 byte a pixel */
    int w, h;
    long area;    /* set pixels */
    long hole;    /* the largest part of the unset pixels that does not reach the border */
    float open;   /* res.holes_open */
    long filled;  /* res.holes_filled */
    float ragged; /* res.edge_ragged */
    float unseen; /* res.edge_unseen */
    bool glass;   /* res.transparency.applied */
} mask_t;

/* The product photo's subject mask of the shared photo `rel`, thresholded, with its largest enclosed hole. */
static mask_t subject(const char *rel)
{
    size_t len;
    uint8_t *photo = tu_read_shared(rel, &len);
    sb_product_opts_t o = SB_PRODUCT_OPTS_DEFAULT;
    o.mask_only = true;
    sb_product_result_t r;
    sb_error_t e = {0};
    cr_assert_eq(sb_product(studio, photo, len, &o, &r, &e), SB_OK, "%s: %s", rel, e.message);
    VipsImage *img = vips_image_new_from_buffer(r.output, r.output_len, "", NULL);
    cr_assert_not_null(img);
    mask_t m = {.w = vips_image_get_width(img), .h = vips_image_get_height(img), .open = r.holes_open,
                .filled = r.holes_filled, .ragged = r.edge_ragged, .unseen = r.edge_unseen,
                .glass = r.transparency.applied};
    size_t n;
    m.set = vips_image_write_to_memory(img, &n);
    cr_assert(m.set && n == (size_t)m.w * m.h);
    g_object_unref(img);
    uint8_t *unset = malloc(n);
    cr_assert_not_null(unset);
    for (size_t i = 0; i < n; i++)
        m.set[i] = m.set[i] >= 128, m.area += m.set[i], unset[i] = !m.set[i];
    sb_regions_t parts = {0};
    cr_assert_eq(sb_regions_find(unset, m.w, m.h, &parts, &e), SB_OK);
    for (int i = 0; i < parts.n; i++) {
        const sb_region_t *p = &parts.part[i];
        if (p->box[0] > 0 && p->box[1] > 0 && p->box[2] < m.w && p->box[3] < m.h && (long)p->area > m.hole)
            m.hole = (long)p->area;
    }
    cr_log_info("%s: mask %ld px, largest enclosed hole %ld px (%.4f), %ld restored, open %.4f, ragged %.4f, "
                "unseen %.4f", rel, m.area, m.hole, (double)m.hole / m.area, m.filled, m.open, m.ragged, m.unseen);
    sb_regions_free(&parts);
    free(unset);
    sb_product_result_free(&r);
    free(photo);
    return m;
}

/* The share of the box (x0, y0, x1, y1) of m that the mask covers. */
static double covered(const mask_t *m, int x0, int y0, int x1, int y1)
{
    long in = 0;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++)
            in += m->set[(size_t)y * m->w + x];
    return (double)in / ((double)(x1 - x0) * (y1 - y0));
}

/* The GodMorgon carton's pale printed glass of juice was cut out as background: a white hole of 5% of the
 * carton in the delivered shot (main on 2026-12-07). It is the carton's print, not a window: filled. */
Test(product_holes, pale_print_hole_filled)
{
    mask_t m = subject("testdata/products/grocery_godmorgon_apple_juice.jpg");
    cr_assert_gt(m.filled, 0);
    cr_assert_lt((double)m.hole, 0.01 * m.area, "an enclosed hole of %ld px in a mask of %ld", m.hole, m.area);
    free(m.set);
}

/* The Oatly carton held in a hand lost its white top-left panel (the letters "OAT") and had white dots of
 * holes in "LY!": the bite is restored and the dots filled; what is still open is reported. */
Test(product_holes, torn_carton_restored_and_reported)
{
    mask_t m = subject("testdata/products/grocery_oatly_oatghurt.jpg");
    /* The panel between the thumb and "LY!" (348 x 348 photo): 0.05 covered on main on 2026-12-07. */
    double oat = covered(&m, 110, 60, 170, 100);
    cr_assert_geq(oat, 0.7, "the OAT panel is %.2f covered", oat);
    cr_assert_geq(m.open, SB_PRODUCT_HOLES_WARN, "open %.4f: the carton's remaining holes not reported", m.open);
    free(m.set);
}

/* Real holes stay open: the wall seen inside a mug's handle, under a purse's ring handle, between a desk
 * lamp's arms (each the largest enclosed hole of its mask, at least this share of the mask). */
Test(product_holes, real_holes_stay_open)
{
    static const struct {
        const char *rel;
        double min_share;
    } photos[] = {{"testdata/products/imagenet_coffee_mugs.jpg", 0.02},
                  {"testdata/products/imagenet_purse.jpg", 0.05},
                  {"testdata/products/u2net_desk_lamp.jpg", 0.02}};
    for (size_t i = 0; i < sizeof photos / sizeof photos[0]; i++) {
        mask_t m = subject(photos[i].rel);
        cr_expect_geq((double)m.hole, photos[i].min_share * m.area, "%s: largest hole %ld px of %ld", photos[i].rel,
                      m.hole, m.area);
        cr_expect_lt(m.open, SB_PRODUCT_HOLES_WARN, "%s: open %.4f", photos[i].rel, m.open);
        free(m.set);
    }
}

/* Products the mask left incomplete, where its outline crosses the product's own surface (issue 14): the
 * chrome coffeepot (its spout and handle never in the net's map; 0.13 of its outline) and the eco-milk
 * carton cut across below the thumb (0.055) are reported edge_unseen; the clean cartons and the face
 * powder (0.027, the highest of the clean products of products/) are not. Main (2026-12-08) delivered
 * both silently or with transparency_uncertain only. */
Test(product_holes, outline_across_the_product_reported)
{
    static const char *const incomplete[] = {"testdata/products/imagenet_coffeepot.jpg",
                                             "testdata/products/grocery_arla_eco_milk.jpg"};
    static const char *const clean[] = {"testdata/products/grocery_alpro_soy.jpg",
                                        "testdata/products/grocery_valio_yoghurt.jpg",
                                        "testdata/products/imagenet_face_powder.jpg",
                                        "testdata/products/imagenet_goblet.jpg"};
    for (size_t i = 0; i < sizeof incomplete / sizeof *incomplete; i++) {
        mask_t m = subject(incomplete[i]);
        cr_expect(!m.glass && m.unseen >= SB_PRODUCT_UNSEEN_WARN, "%s: unseen %.4f", incomplete[i], m.unseen);
        free(m.set);
    }
    for (size_t i = 0; i < sizeof clean / sizeof *clean; i++) {
        mask_t m = subject(clean[i]);
        cr_expect_lt(m.unseen, SB_PRODUCT_UNSEEN_WARN, "%s", clean[i]);
        free(m.set);
    }
}

/* The Bravo carton's bite out of its right side, beside the printed oranges (2.2% of its mask), is
 * reported edge_ragged (main on 2026-12-08: silent, the warning from 3.5%); the clean Arla yoghurt carton
 * (1.3%) is not. */
Test(product_holes, bitten_carton_side_reported)
{
    mask_t m = subject("testdata/products/grocery_bravo_orange_juice.jpg");
    cr_expect_geq(m.ragged, SB_PRODUCT_RAGGED_WARN, "ragged %.4f", m.ragged);
    free(m.set);
    m = subject("testdata/products/grocery_arla_yoghurt.jpg");
    cr_expect_lt(m.ragged, SB_PRODUCT_RAGGED_WARN, "ragged %.4f", m.ragged);
    free(m.set);
}

/* The lotion tin's cast shadow is cleared (vision/cast_shadow.h) but not the tin with it: main
 * (2026-12-08) also cut the lid's dark rim below its lit edge and the tin's navy base between lid and
 * shell, as dark as the shadow (teeth of the rim left along the lid, 0.12 and 0.21 of these boxes of the
 * 500 x 360 photo covered). The cut now stops at the lit rim; the shadow below it stays cleared. A black
 * product's highlights do not make it a shadow: the desk lamp's shade and base stay whole. */
Test(product_holes, shadow_cut_stops_at_the_rim)
{
    mask_t m = subject("testdata/products/imagenet_lotion_tin.jpg");
    double rim = covered(&m, 150, 292, 170, 297), base = covered(&m, 205, 255, 220, 272);
    double shadow = covered(&m, 150, 312, 170, 335), beside = covered(&m, 250, 300, 280, 320);
    cr_expect_geq(rim, 0.95, "the lid's rim is %.2f covered", rim);
    cr_expect_geq(base, 0.95, "the tin's base is %.2f covered", base);
    cr_expect_eq(shadow, 0, "the shadow under the lid is %.2f covered", shadow);
    cr_expect_eq(beside, 0, "the shadow beside the tin is %.2f covered", beside);
    free(m.set);
    m = subject("testdata/products/u2net_desk_lamp.jpg");
    double shade = covered(&m, 320, 120, 400, 160), stand = covered(&m, 160, 455, 270, 465);
    cr_expect_geq(shade, 0.99, "the lamp's shade is %.2f covered", shade);
    cr_expect_geq(stand, 0.99, "the lamp's base is %.2f covered", stand);
    free(m.set);
}
