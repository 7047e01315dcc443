/* Box mean and blur: exactness against brute force, constants stay constant, blur spreads. */
#include <math.h>
#include <stdlib.h>

#include "image/filter.h"
#include "testutil.h"

static float brute_mean(const float *src, int w, int h, int bands, int b, int x, int y, int r)
{
    double s = 0;
    int n = 0;
    for (int yy = y - r; yy <= y + r; yy++)
        for (int xx = x - r; xx <= x + r; xx++)
            if (xx >= 0 && yy >= 0 && xx < w && yy < h)
                s += src[(yy * w + xx) * bands + b], n++;
    return (float)(s / n);
}

Test(filter, box_mean_matches_brute_force)
{
    int w = 37, h = 23, bands = 3;
    float *src = malloc(sizeof(float) * w * h * bands), *dst = malloc(sizeof(float) * w * h * bands);
    srand(7);
    for (int i = 0; i < w * h * bands; i++)
        src[i] = (float)rand() / (float)RAND_MAX;
    int radii[] = {0, 1, 4, 30};
    for (int k = 0; k < 4; k++) {
        cr_assert_eq(sb_box_mean(src, dst, w, h, bands, radii[k], NULL), SB_OK);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                for (int b = 0; b < bands; b++)
                    cr_assert_float_eq(dst[(y * w + x) * bands + b], brute_mean(src, w, h, bands, b, x, y, radii[k]),
                                       1e-4, "r=%d at %d,%d", radii[k], x, y);
    }
    free(src);
    free(dst);
}

Test(filter, constant_stays_constant_and_in_place_works)
{
    int w = 50, h = 40;
    float *img = malloc(sizeof(float) * w * h);
    for (int i = 0; i < w * h; i++)
        img[i] = 0.3f;
    cr_assert_eq(sb_blur(img, img, w, h, 1, 6.0f, NULL), SB_OK);
    for (int i = 0; i < w * h; i++)
        cr_assert_float_eq(img[i], 0.3f, 1e-5);
    free(img);
}

Test(filter, blur_spreads_an_impulse_with_the_requested_sigma)
{
    int w = 101, h = 101;
    float *img = calloc((size_t)w * h, sizeof(float));
    img[50 * w + 50] = 1;
    cr_assert_eq(sb_blur(img, img, w, h, 1, 5.0f, NULL), SB_OK);
    double sum = 0, var = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            sum += img[y * w + x];
            var += img[y * w + x] * (x - 50) * (x - 50);
        }
    cr_assert_float_eq(sum, 1.0, 1e-3, "blur keeps energy");
    cr_assert(fabs(sqrt(var / sum) - 5.0) < 0.6, "sigma %.2f", sqrt(var / sum));
    free(img);
}

Test(filter, rejects_bad_band_counts)
{
    float v = 0;
    sb_error_t e = {0};
    cr_assert_eq(sb_box_mean(&v, &v, 1, 1, 17, 1, &e), SB_ERR_INTERNAL);
}

/* The horizontal pass runs 4 rows (1 band) or 2 rows (3, 4 bands) at once and the rest one at a time:
 * every band count, with heights that leave each kind of remainder, against brute force. */
Test(filter, box_mean_row_groups_and_remainders_match_brute_force)
{
    int bands_list[] = {1, 2, 3, 4, 7}, heights[] = {1, 2, 3, 5, 6, 9}, widths[] = {1, 6, 19}, radii[] = {0, 2, 10};
    srand(11);
    for (int bi = 0; bi < 5; bi++)
        for (int hi = 0; hi < 6; hi++)
            for (int wi = 0; wi < 3; wi++)
                for (int ri = 0; ri < 3; ri++) {
                    int w = widths[wi], h = heights[hi], bands = bands_list[bi], r = radii[ri];
                    size_t n = (size_t)w * h * bands;
                    float *src = malloc(sizeof(float) * n), *dst = malloc(sizeof(float) * n);
                    for (size_t i = 0; i < n; i++)
                        src[i] = (float)rand() / (float)RAND_MAX;
                    cr_assert_eq(sb_box_mean(src, dst, w, h, bands, r, NULL), SB_OK);
                    for (int y = 0; y < h; y++)
                        for (int x = 0; x < w; x++)
                            for (int b = 0; b < bands; b++)
                                cr_assert_float_eq(dst[(y * w + x) * bands + b],
                                                   brute_mean(src, w, h, bands, b, x, y, r), 1e-4,
                                                   "%dx%dx%d r=%d at %d,%d band %d", w, h, bands, r, x, y, b);
                    free(src);
                    free(dst);
                }
}

/* The pooled sampler against the definition written out here (the grid read at ((x + 0.5) / s - 0.5,
 * (y + 0.5) / s - 0.5), clamped, lerped across then down): bit for bit, for cell sizes whose weights
 * repeat exactly (2, 4, 8) and ones whose weights do not (3, 5, 7), rows narrower than a cell and rows
 * that end mid-cell, 1 to 8 bands. */
static float sampled(const float *grid, int gw, int gh, int bands, int s, int x, int y, int k)
{
    float fx = (x + 0.5f) / s - 0.5f, fy = (y + 0.5f) / s - 0.5f;
    fx = fx < 0 ? 0 : fx > gw - 1 ? gw - 1 : fx;
    fy = fy < 0 ? 0 : fy > gh - 1 ? gh - 1 : fy;
    int x0 = (int)fx, x1 = x0 + 1 < gw ? x0 + 1 : x0, y0 = (int)fy, y1 = y0 + 1 < gh ? y0 + 1 : y0;
    float tx = fx - x0, ty = fy - y0;
    float a = grid[((size_t)y0 * gw + x0) * bands + k] * (1 - tx) + grid[((size_t)y0 * gw + x1) * bands + k] * tx;
    float b = grid[((size_t)y1 * gw + x0) * bands + k] * (1 - tx) + grid[((size_t)y1 * gw + x1) * bands + k] * tx;
    return a * (1 - ty) + b * ty;
}

Test(filter, pooled_sampler_matches_its_definition_bit_for_bit)
{
    int cells[] = {1, 2, 3, 4, 5, 7, 8}, widths[] = {1, 3, 17, 64, 101};
    srand(11);
    for (size_t ci = 0; ci < sizeof cells / sizeof *cells; ci++)
        for (size_t wi = 0; wi < sizeof widths / sizeof *widths; wi++)
            for (int bands = 1; bands <= 8; bands += 3) {
                int s = cells[ci], w = widths[wi], h = 2 * s + 3, gw = (w + s - 1) / s, gh = (h + s - 1) / s;
                float *grid = malloc(sizeof(float) * gw * gh * bands), *row = malloc(sizeof(float) * w * bands);
                for (int i = 0; i < gw * gh * bands; i++)
                    grid[i] = (float)rand() / (float)RAND_MAX;
                sb_pooled_sampler_t ps;
                cr_assert_eq(sb_pooled_sampler_init(&ps, grid, gw, gh, bands, s, w, NULL), SB_OK);
                int bad = 0;
                for (int y = 0; y < h; y++) {
                    sb_pooled_sampler_row(&ps, y, row);
                    for (int k = 0; k < bands; k++)
                        for (int x = 0; x < w; x++)
                            bad += row[(size_t)k * w + x] != sampled(grid, gw, gh, bands, s, x, y, k);
                }
                cr_expect_eq(bad, 0, "cell %d, width %d, %d bands: %d samples differ", s, w, bands, bad);
                sb_pooled_sampler_free(&ps);
                free(grid);
                free(row);
            }
}
