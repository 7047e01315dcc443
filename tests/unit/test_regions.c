/* Square dilation and erosion of a binary mask (vision/regions.c) against a brute-force window search, on
 * random masks of every density, sizes down to one row or column, radii past the mask's sides and set
 * values other than 1. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "vision/regions.h"

/* 1 where any value of `in` within Chebyshev distance r is non-zero, else 0 (erode: where all are set). */
static void brute(const uint8_t *in, int w, int h, int r, int erode, uint8_t *out)
{
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            int any = 0, all = 1;
            for (int v = y - r; v <= y + r; v++)
                for (int u = x - r; u <= x + r; u++) {
                    /* Outside the mask counts as unset for dilation and as set for erosion (its complement
                     * dilated). */
                    int set = u < 0 || v < 0 || u >= w || v >= h ? erode : in[v * w + u] != 0;
                    any |= set, all &= set;
                }
            out[y * w + x] = (uint8_t)(erode ? all : any);
        }
}

static void random_mask(uint8_t *m, int n, int density)
{
    for (int i = 0; i < n; i++)
        m[i] = rand() % 100 < density ? (uint8_t)(1 + rand() % 3) : 0;
}

Test(regions, dilate_and_erode_match_a_brute_force_window)
{
    static const int sizes[][2] = {{1, 1}, {1, 17}, {23, 1}, {7, 5}, {40, 31}, {64, 9}};
    static const int radii[] = {1, 2, 3, 6, 40};
    static const int densities[] = {0, 2, 15, 50, 92, 100};
    srand(13);
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
        for (size_t k = 0; k < sizeof radii / sizeof radii[0]; k++)
            for (size_t d = 0; d < sizeof densities / sizeof densities[0]; d++)
                for (int erode = 0; erode <= 1; erode++) {
                    int w = sizes[s][0], h = sizes[s][1], r = radii[k], n = w * h;
                    uint8_t *m = malloc(n), *want = malloc(n);
                    random_mask(m, n, densities[d]);
                    brute(m, w, h, r, erode, want);
                    sb_err err = erode ? sb_regions_erode(m, w, h, r, NULL) : sb_regions_dilate(m, w, h, r, NULL);
                    cr_assert_eq(err, SB_OK);
                    int bad = -1;
                    for (int i = 0; i < n && bad < 0; i++)
                        bad = m[i] != want[i] ? i : -1;
                    cr_expect_eq(bad, -1, "%s %dx%d r %d density %d: pixel (%d, %d) is %d, want %d",
                                 erode ? "erode" : "dilate", w, h, r, densities[d], bad % w, bad / w,
                                 bad >= 0 ? m[bad] : 0, bad >= 0 ? want[bad] : 0);
                    free(m), free(want);
                }
}

Test(regions, radius_zero_leaves_the_mask)
{
    uint8_t m[6] = {0, 2, 0, 1, 0, 0}, was[6];
    memcpy(was, m, sizeof m);
    cr_assert_eq(sb_regions_dilate(m, 3, 2, 0, NULL), SB_OK);
    cr_expect_arr_eq(m, was, sizeof m);
}
