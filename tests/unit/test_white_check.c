/* The white-studio check, the matte trim and the region helpers they share, on synthetic canvases. */
#include <string.h>

#include "testutil.h"
#include "vision/matte_trim.h"
#include "vision/regions.h"
#include "vision/white_check.h"

/* A 400 x 400 white canvas with a mid-grey 100 x 200 product at x 150..249, y 100..299 (alpha 255 there). */
#define W 400
#define H 400

typedef struct {
    sb_image_t rgb, alpha;
} canvas_t;

static canvas_t clean(void)
{
    canvas_t c;
    cr_assert_eq(sb_image_alloc(&c.rgb, W, H, 3, NULL), SB_OK);
    cr_assert_eq(sb_image_alloc(&c.alpha, W, H, 1, NULL), SB_OK);
    memset(c.rgb.data, 255, (size_t)W * H * 3);
    memset(c.alpha.data, 0, (size_t)W * H);
    for (int y = 100; y < 300; y++)
        for (int x = 150; x < 250; x++) {
            memset(c.rgb.data + ((size_t)y * W + x) * 3, 128, 3);
            c.alpha.data[(size_t)y * W + x] = 255;
        }
    return c;
}

/* Paint the rectangle x0..x1-1, y0..y1-1 grey `v` with product alpha `a`. */
static void paint(canvas_t *c, int x0, int y0, int x1, int y1, uint8_t v, uint8_t a)
{
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++) {
            memset(c->rgb.data + ((size_t)y * W + x) * 3, v, 3);
            c->alpha.data[(size_t)y * W + x] = a;
        }
}

static sb_white_check_t check(canvas_t *c, const sb_fimage_t *shadow)
{
    sb_white_check_t r;
    sb_error_t e = {0};
    cr_assert_eq(sb_white_check(&c->rgb, &c->alpha, shadow, &r, &e), SB_OK, "%s", e.message);
    sb_image_free(&c->rgb);
    sb_image_free(&c->alpha);
    return r;
}

Test(white_check, clean_canvas_passes)
{
    canvas_t c = clean();
    /* a soft edge inside the band: 1 pixel of alpha 100 around the product */
    paint(&c, 149, 100, 150, 300, 200, 100);
    sb_white_check_t r = check(&c, NULL);
    cr_assert(r.pass);
    cr_assert_eq(r.off_white, 0);
    cr_assert_eq(r.stray, 0);
    cr_assert_eq(r.band, 2); /* 0.6% of 400 */
}

Test(white_check, grey_strip_of_old_background_fails)
{
    canvas_t c = clean();
    /* a 20 px strip of faint old background hugging the product's left side (alpha 60) */
    paint(&c, 130, 100, 150, 300, 230, 60);
    sb_white_check_t r = check(&c, NULL);
    cr_assert_not(r.pass);
    /* the strip minus the band's 2 columns */
    cr_assert_eq(r.stray, 18 * 200);
}

Test(white_check, specks_fail)
{
    canvas_t c = clean();
    /* three opaque 6 x 6 specks far from the product: parts under 5% of it */
    paint(&c, 20, 20, 26, 26, 40, 255);
    paint(&c, 350, 40, 356, 46, 40, 255);
    paint(&c, 30, 360, 36, 366, 40, 255);
    sb_white_check_t r = check(&c, NULL);
    cr_assert_not(r.pass);
    cr_assert_eq(r.stray, 3 * 36);
}

Test(white_check, off_white_background_fails_but_shadow_does_not)
{
    canvas_t c = clean();
    sb_fimage_t shadow;
    cr_assert_eq(sb_fimage_alloc(&shadow, W, H, 1, NULL), SB_OK);
    memset(shadow.data, 0, sizeof(float) * W * H);
    /* a shadow under the product: grey, but shadowed */
    for (int y = 300; y < 320; y++)
        for (int x = 150; x < 250; x++) {
            shadow.data[y * W + x] = 0.3f;
            memset(c.rgb.data + ((size_t)y * W + x) * 3, 200, 3);
        }
    /* and a background of 254 in one corner (no product, no shadow) */
    for (int y = 0; y < 10; y++)
        for (int x = 0; x < 10; x++)
            c.rgb.data[((size_t)y * W + x) * 3 + 1] = 254;
    sb_white_check_t r = check(&c, &shadow);
    sb_fimage_free(&shadow);
    cr_assert_not(r.pass);
    cr_assert_eq(r.off_white, 100);
    cr_assert_eq(r.stray, 0);
}

Test(white_check, two_products_are_both_main_parts)
{
    canvas_t c = clean();
    paint(&c, 300, 100, 350, 300, 90, 255); /* half the first one's area */
    sb_white_check_t r = check(&c, NULL);
    cr_assert(r.pass);
}

Test(regions, parts_and_dilation)
{
    uint8_t bin[8 * 5] = {0};
    bin[0] = bin[1] = bin[9] = 1; /* one part of 3 (8-connected) */
    bin[6 * 1 + 8 * 3] = 1;       /* one of 1 at (6, 3) */
    sb_regions_t r;
    cr_assert_eq(sb_regions_find(bin, 8, 5, &r, NULL), SB_OK);
    cr_assert_eq(r.n, 2);
    cr_assert_eq(r.part[0].area, 3);
    cr_assert_eq(r.part[1].area, 1);
    cr_assert_eq(r.part[1].box[0], 6);
    cr_assert_eq(r.part[1].box[3], 4);
    sb_regions_free(&r);
    cr_assert_eq(sb_regions_dilate(bin, 8, 5, 1, NULL), SB_OK);
    int set = 0;
    for (int i = 0; i < 40; i++)
        set += bin[i];
    /* the 3-part grows to x 0..2, y 0..2 (9); the single pixel to x 5..7, y 2..4 (9) */
    cr_assert_eq(set, 18);
    cr_assert_eq(bin[8 * 2 + 2], 1);
    cr_assert_eq(bin[8 * 4 + 0], 0);
}

Test(matte_trim, keeps_the_central_part_clears_specks_and_halo)
{
    sb_fimage_t a;
    cr_assert_eq(sb_fimage_alloc(&a, W, H, 1, NULL), SB_OK);
    memset(a.data, 0, sizeof(float) * W * H);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            float *v = &a.data[y * W + x];
            if (x >= 150 && x < 250 && y >= 100 && y < 300)
                *v = 1;
            else if (x >= 120 && x < 150 && y >= 100 && y < 300)
                *v = 0.3f; /* a faint halo 30 px wide */
            else if (x >= 10 && x < 14 && y >= 10 && y < 14)
                *v = 1; /* a speck */
        }
    cr_assert_eq(sb_matte_trim(&a, NULL), SB_OK);
    cr_assert_float_eq(a.data[200 * W + 200], 1, 1e-6);
    cr_assert_float_eq(a.data[12 * W + 12], 0, 1e-6);
    /* the band is 1 pixel (0.3% of 200): the halo next to the product steepened, beyond it cleared */
    cr_assert_float_eq(a.data[200 * W + 149], 0.1f, 1e-6);
    cr_assert_float_eq(a.data[200 * W + 140], 0, 1e-6);
    sb_fimage_free(&a);
}
