/* test_resample.c - resizing, shrinking and warping (image/resample.c), on images the tests make themselves. */
#include <math.h>
#include <string.h>
#include <vips/vips.h>

#include "image/io.h"
#include "image/resample.h"
#include "image_fixture.h"
#include "testutil.h"

static void setup(void)
{
    sb_error_t e = {0};
    cr_assert_eq(sb_io_init("test_resample", &e), SB_OK, "%s", e.message);
}

TestSuite(resample, .init = setup);

Test(resample, resize_hits_exact_sizes)
{
    static const int from[][2] = {{7, 5}, {100, 60}, {640, 480}, {333, 1000}};
    static const int to[][2] = {{1, 1}, {3, 9}, {50, 50}, {99, 61}, {101, 59}, {333, 200}, {800, 800}, {1000, 3}};
    for (size_t i = 0; i < sizeof from / sizeof from[0]; i++) {
        sb_image_t src = {0};
        sb_error_t e = {0};
        cr_assert_eq(sb_image_alloc(&src, from[i][0], from[i][1], 3, &e), SB_OK);
        for (size_t k = 0; k < (size_t)src.width * src.height; k++)
            src.data[3 * k] = 200, src.data[3 * k + 1] = 100, src.data[3 * k + 2] = 50;
        for (size_t j = 0; j < sizeof to / sizeof to[0]; j++) {
            sb_image_t dst = {0};
            cr_assert_eq(sb_image_resize(&src, to[j][0], to[j][1], &dst, &e), SB_OK, "%s", e.message);
            cr_assert(dst.width == to[j][0] && dst.height == to[j][1] && dst.bands == 3, "%dx%d -> %dx%d gave %dx%d",
                      src.width, src.height, to[j][0], to[j][1], dst.width, dst.height);
            for (size_t k = 0; k < (size_t)dst.width * dst.height; k++)
                cr_assert(abs(dst.data[3 * k] - 200) <= 1 && abs(dst.data[3 * k + 2] - 50) <= 1,
                          "flat colour changed at %zu", k);
            sb_image_free(&dst);
        }
        sb_image_free(&src);
    }
}

Test(resample, resize_keeps_the_picture)
{
    sb_image_t src = {0}, dst = {0};
    sb_error_t e = {0};
    marker_pixels(&src, 200, 100);
    int sizes[][2] = {{50, 25}, {400, 37}, {31, 300}};
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(sb_image_resize(&src, sizes[i][0], sizes[i][1], &dst, &e), SB_OK, "%s", e.message);
        int w = dst.width, h = dst.height;
        cr_assert(is_red(px(&dst, w / 4, h / 4)));
        cr_assert(!is_red(px(&dst, 3 * w / 4, h / 4)));
        cr_assert(!is_red(px(&dst, w / 4, 3 * h / 4)));
        sb_image_free(&dst);
    }
    sb_image_free(&src);
}

Test(resample, identity_warp_returns_the_input)
{
    sb_image_t src = {0}, dst = {0}, mask = {0};
    sb_error_t e = {0};
    gradient(&src, 90, 70, 3);
    const double id[6] = {1, 0, 0, 0, 1, 0};
    cr_assert_eq(sb_image_warp_affine(&src, id, 90, 70, &dst, &mask, &e), SB_OK, "%s", e.message);
    cr_assert_arr_eq(dst.data, src.data, (size_t)90 * 70 * 3);
    for (int i = 0; i < 90 * 70; i++)
        cr_assert_eq(mask.data[i], 0, "mask set at %d", i);
    sb_image_free(&dst), sb_image_free(&mask), sb_image_free(&src);
}

Test(resample, translation_moves_pixels_exactly)
{
    sb_image_t src = {0}, dst = {0}, mask = {0};
    sb_error_t e = {0};
    cr_assert_eq(sb_image_alloc(&src, 60, 40, 3, &e), SB_OK);
    for (int i = 0; i < 60 * 40 * 3; i++)
        src.data[i] = (uint8_t)(i % 3 == 0 ? (i / 3) % 60 : 100);
    uint8_t *dot = src.data + (15 * 60 + 20) * 3;
    dot[0] = 255, dot[1] = 0, dot[2] = 255;
    const double m[6] = {1, 0, 10, 0, 1, 5};
    cr_assert_eq(sb_image_warp_affine(&src, m, 60, 40, &dst, &mask, &e), SB_OK, "%s", e.message);
    const uint8_t *p = px(&dst, 30, 20);
    cr_assert(p[0] == 255 && p[1] == 0 && p[2] == 255, "marker not at (30,20): %d %d %d", p[0], p[1], p[2]);
    for (int y = 5; y < 40; y++)
        for (int x = 10; x < 60; x++) {
            cr_assert_arr_eq(px(&dst, x, y), px(&src, x - 10, y - 5), 3, "(%d,%d)", x, y);
            cr_assert_eq(mask.data[y * 60 + x], 0, "mask at (%d,%d)", x, y);
        }
    /* Left and top of the shifted photo: edge pixels repeated, marked outside. */
    for (int y = 0; y < 40; y++)
        for (int x = 0; x < 10; x++) {
            cr_assert_arr_eq(px(&dst, x, y), px(&src, 0, y < 5 ? 0 : y - 5), 3, "(%d,%d)", x, y);
            cr_assert_eq(mask.data[y * 60 + x], 255, "mask at (%d,%d)", x, y);
        }
    for (int x = 0; x < 60; x++)
        cr_assert_eq(mask.data[2 * 60 + x], 255);
    sb_image_free(&dst), sb_image_free(&mask), sb_image_free(&src);
}

Test(resample, scale_and_rotation_follow_the_map)
{
    sb_image_t src = {0}, dst = {0}, mask = {0};
    sb_error_t e = {0};
    gradient(&src, 40, 30, 3);
    /* Source pixel (i, j) lands on (2i, 2j). */
    const double zoom[6] = {2, 0, 0, 0, 2, 0};
    cr_assert_eq(sb_image_warp_affine(&src, zoom, 80, 60, &dst, NULL, &e), SB_OK, "%s", e.message);
    for (int j = 0; j < 30; j += 7)
        for (int i = 0; i < 40; i += 3)
            cr_assert_arr_eq(px(&dst, 2 * i, 2 * j), px(&src, i, j), 3, "(%d,%d)", i, j);
    sb_image_free(&dst);

    /* 90 degrees clockwise: (x, y) -> (29 - y, x) puts the 40x30 source in a 30x40 output. */
    const double rot[6] = {0, -1, 29, 1, 0, 0};
    cr_assert_eq(sb_image_warp_affine(&src, rot, 30, 40, &dst, &mask, &e), SB_OK, "%s", e.message);
    for (int y = 0; y < 30; y += 4)
        for (int x = 0; x < 40; x += 5) {
            cr_assert_arr_eq(px(&dst, 29 - y, x), px(&src, x, y), 3, "(%d,%d)", x, y);
            cr_assert_eq(mask.data[x * 30 + 29 - y], 0);
        }
    sb_image_free(&dst), sb_image_free(&mask);

    /* Half size into a frame twice as wide: the right half of the output is outside. */
    const double half[6] = {0.5, 0, 0, 0, 0.5, 0};
    cr_assert_eq(sb_image_warp_affine(&src, half, 40, 15, &dst, &mask, &e), SB_OK, "%s", e.message);
    cr_assert_eq(mask.data[5 * 40 + 10], 0);
    cr_assert_eq(mask.data[5 * 40 + 30], 255);
    const double singular[6] = {1, 2, 0, 2, 4, 0};
    cr_assert_eq(sb_image_warp_affine(&src, singular, 10, 10, &dst, NULL, &e), SB_ERR_USAGE);
    sb_image_free(&dst), sb_image_free(&mask), sb_image_free(&src);
}

/* The outside mask by its definition, pixel by pixel: 255 x (1 - the share of the bilinear footprint on the
 * photo), the source position stepped along each row as resample.c steps it. */
static uint8_t outside_by_definition(const double m[6], int sw, int sh, int x, int y)
{
    double det = m[0] * m[4] - m[1] * m[3];
    double inv[6] = {m[4] / det, -m[1] / det, 0, -m[3] / det, m[0] / det, 0};
    inv[2] = -(inv[0] * m[2] + inv[1] * m[5]);
    inv[5] = -(inv[3] * m[2] + inv[4] * m[5]);
    double sx = inv[1] * y + inv[2], sy = inv[4] * y + inv[5];
    for (int i = 0; i < x; i++)
        sx += inv[0], sy += inv[3];
    double cx = fmin(sx + 1.0, sw - sx), cy = fmin(sy + 1.0, sh - sy);
    cx = cx <= 0 ? 0 : cx >= 1 ? 1 : cx, cy = cy <= 0 ? 0 : cy >= 1 ? 1 : cy;
    return (uint8_t)lrint(255.0 * (1.0 - cx * cy));
}

/* Frames like the headshot's (turned a few degrees, partly off the photo on any side, or wholly on it):
 * every pixel of the mask is its definition's, including the rows the warp fills without stepping along them. */
Test(resample, outside_mask_matches_its_definition_bit_for_bit)
{
    sb_image_t src = {0};
    sb_error_t e = {0};
    gradient(&src, 283, 424, 3);
    const double maps[][6] = {
        {0.9945, 0.1045, 22.46, -0.1045, 0.9945, 12.83},  /* turned 6 degrees, off the photo's top and left */
        {1.7, -0.05, -374.3, 0.05, 1.7, -612.7},          /* enlarged, off the bottom and the right */
        {0.5, 0, 10.5, 0, 0.5, 5.5},                      /* wholly on the photo, with a margin of surround */
        {0.2, 0, 0, 0, 0.2, 0},                           /* the whole photo, beside a wide surround */
        {1, 0, -0.0005, 0, 1, -0.0005},                   /* a hair off the photo's top and left edges */
        {1, 0, 2.5, 0, 1, 1.25},                          /* a strip of surround a few pixels wide */
    };
    for (size_t k = 0; k < sizeof maps / sizeof maps[0]; k++) {
        sb_image_t dst = {0}, mask = {0};
        cr_assert_eq(sb_image_warp_affine(&src, maps[k], 160, 150, &dst, &mask, &e), SB_OK, "%s", e.message);
        int zero = 0;
        for (int y = 0; y < 150; y++)
            for (int x = 0; x < 160; x++) {
                uint8_t want = outside_by_definition(maps[k], 283, 424, x, y);
                cr_assert_eq(mask.data[y * 160 + x], want, "map %zu (%d,%d): %d, not %d", k, x, y,
                             mask.data[y * 160 + x], want);
                zero += !want;
            }
        cr_assert(zero > 0 && (zero < 160 * 150 || k == 4), "map %zu: %d pixels on the photo", k, zero);
        sb_image_free(&dst), sb_image_free(&mask);
    }
    sb_image_free(&src);
}

/* The face mesh's source (pipeline/portrait.c) maps its pixel i back to (i + 0.5) f - 0.5 of the input, f the
 * shrink: on a ramp whose value is the pixel's x (or y), each shrunk pixel away from the edges holds that
 * point's value, for whole and fractional shrinks over and under 2x (linear and lanczos3), of the whole
 * image or an area; exact sizes; an enlargement or an area off the image is refused. */
Test(resample, shrink_area_centres_its_pixels)
{
    static const int to[][2] = {{50, 60}, {48, 61}, {35, 41}, {20, 13}, {150, 170}, {199, 100}};
    sb_image_t src = {0}, dst = {0};
    sb_error_t e = {0};
    cr_assert_eq(sb_image_alloc(&src, 200, 240, 3, &e), SB_OK);
    for (int y = 0; y < 240; y++)
        for (int x = 0; x < 200; x++) {
            uint8_t *p = src.data + ((size_t)y * 200 + x) * 3;
            p[0] = (uint8_t)x, p[1] = (uint8_t)y, p[2] = 77;
        }
    for (size_t j = 0; j < sizeof to / sizeof to[0]; j++) {
        cr_assert_eq(sb_image_shrink_area(&src, NULL, to[j][0], to[j][1], &dst, &e), SB_OK, "%s", e.message);
        cr_assert(dst.width == to[j][0] && dst.height == to[j][1] && dst.bands == 3);
        double fx = 200.0 / dst.width, fy = 240.0 / dst.height;
        for (int y = 2; y < dst.height - 2; y++)
            for (int x = 2; x < dst.width - 2; x++) {
                const uint8_t *p = px(&dst, x, y);
                cr_assert(fabs(p[0] - ((x + 0.5) * fx - 0.5)) <= 1.0 && fabs(p[1] - ((y + 0.5) * fy - 0.5)) <= 1.0 &&
                              p[2] == 77,
                          "to %dx%d: (%d,%d) holds %d,%d,%d", dst.width, dst.height, x, y, p[0], p[1], p[2]);
            }
        sb_image_free(&dst);
    }
    cr_assert_eq(sb_image_shrink_area(&src, NULL, 201, 100, &dst, &e), SB_ERR_USAGE);
    /* An area is read in place: its own ramp, offset by its corner. */
    const int area[4] = {40, 30, 160, 230}, outside[4] = {-1, 0, 100, 100};
    cr_assert_eq(sb_image_shrink_area(&src, area, 30, 40, &dst, &e), SB_OK, "%s", e.message);
    for (int y = 2; y < 38; y++)
        for (int x = 2; x < 28; x++) {
            const uint8_t *p = px(&dst, x, y);
            cr_assert(fabs(p[0] - (40 + (x + 0.5) * 4 - 0.5)) <= 1.0 && fabs(p[1] - (30 + (y + 0.5) * 5 - 0.5)) <= 1.0,
                      "area: (%d,%d) holds %d,%d", x, y, p[0], p[1]);
        }
    sb_image_free(&dst);
    cr_assert_eq(sb_image_shrink_area(&src, outside, 10, 10, &dst, &e), SB_ERR_USAGE);
    sb_image_free(&src);
}

/* sb_image_shrink_linear under 2x: exact sizes, each pixel on its centre's ramp value, and softer than
 * lanczos3 (a one-pixel line keeps less of its peak and rings nowhere below its background); an
 * enlargement is refused. */
Test(resample, shrink_linear_under_2x)
{
    sb_image_t src = {0}, lin = {0}, lz = {0};
    sb_error_t e = {0};
    cr_assert_eq(sb_image_alloc(&src, 200, 160, 3, &e), SB_OK);
    for (int y = 0; y < 160; y++)
        for (int x = 0; x < 200; x++) {
            uint8_t *p = src.data + ((size_t)y * 200 + x) * 3;
            p[0] = (uint8_t)x, p[1] = (uint8_t)y, p[2] = 77;
        }
    cr_assert_eq(sb_image_shrink_linear(&src, 160, 128, &lin, &e), SB_OK, "%s", e.message);
    cr_assert(lin.width == 160 && lin.height == 128 && lin.bands == 3);
    for (int y = 2; y < 126; y++)
        for (int x = 2; x < 158; x++) {
            const uint8_t *p = px(&lin, x, y);
            cr_assert(fabs(p[0] - ((x + 0.5) * 1.25 - 0.5)) <= 1.0 && fabs(p[1] - ((y + 0.5) * 1.25 - 0.5)) <= 1.0 &&
                          p[2] == 77,
                      "(%d,%d) holds %d,%d,%d", x, y, p[0], p[1], p[2]);
        }
    sb_image_free(&lin);
    /* A bright vertical line one pixel wide on grey. */
    memset(src.data, 100, (size_t)200 * 160 * 3);
    for (int y = 0; y < 160; y++)
        memset(src.data + ((size_t)y * 200 + 101) * 3, 250, 3);
    cr_assert_eq(sb_image_shrink_linear(&src, 160, 128, &lin, &e), SB_OK, "%s", e.message);
    cr_assert_eq(sb_image_resize(&src, 160, 128, &lz, &e), SB_OK, "%s", e.message);
    int peak_lin = 0, peak_lz = 0, low_lin = 255, low_lz = 255;
    for (int x = 0; x < 160; x++) {
        int a = px(&lin, x, 64)[1], b = px(&lz, x, 64)[1];
        peak_lin = a > peak_lin ? a : peak_lin, peak_lz = b > peak_lz ? b : peak_lz;
        low_lin = a < low_lin ? a : low_lin, low_lz = b < low_lz ? b : low_lz;
    }
    cr_assert(peak_lin > 100 && peak_lin < peak_lz, "peaks: linear %d, lanczos3 %d", peak_lin, peak_lz);
    cr_assert(low_lin >= 100 && low_lz < 100, "lows: linear %d, lanczos3 %d", low_lin, low_lz);
    sb_image_free(&lin);
    sb_image_free(&lz);
    cr_assert_eq(sb_image_shrink_linear(&src, 201, 100, &lin, &e), SB_ERR_USAGE);
    sb_image_free(&src);
}

Test(resample, zoom_repeats_each_pixel_and_cuts_to_size)
{
    sb_image_t src = {0}, big = {0};
    sb_error_t e = {0};
    cr_assert_eq(sb_image_alloc(&src, 5, 3, 2, &e), SB_OK);
    for (int i = 0; i < 5 * 3 * 2; i++)
        src.data[i] = (uint8_t)(i * 9 + 1);
    /* 5 x 4 = 20 wide cut to 18 (the last block partly), 3 x 4 = 12 high cut to 9. */
    cr_assert_eq(sb_image_zoom(&src, 4, 18, 9, &big, &e), SB_OK, "%s", e.message);
    cr_assert(big.width == 18 && big.height == 9 && big.bands == 2);
    for (int y = 0; y < 9; y++)
        for (int x = 0; x < 18; x++)
            for (int b = 0; b < 2; b++)
                cr_assert_eq(big.data[((size_t)y * 18 + x) * 2 + b], src.data[((size_t)(y / 4) * 5 + x / 4) * 2 + b],
                             "(%d,%d) band %d", x, y, b);
    sb_image_free(&big);
    /* A size that needs no pixel of the last block, or more than the blocks hold, is refused. */
    cr_expect_eq(sb_image_zoom(&src, 4, 16, 9, &big, &e), SB_ERR_USAGE);
    cr_expect_eq(sb_image_zoom(&src, 4, 18, 13, &big, &e), SB_ERR_USAGE);
    cr_expect_null(big.data);
    sb_image_free(&src);
}
