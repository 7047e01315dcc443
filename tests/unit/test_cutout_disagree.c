/* The cut-out check's count of what the matte keeps where the salient net sees background
 * (pipeline/cutout_disagree.c), on drawn maps 100x100. */
#include "pipeline/cutout_disagree.h"
#include "testutil.h"

#define N 100

Test(cutout_disagree, opaque_matte_where_the_salient_net_reads_nothing_is_counted)
{
    static float a[N * N], s[N * N];
    sb_fimage_t alpha = {.width = N, .height = N, .bands = 1, .data = a};
    sb_fimage_t salient = {.width = N, .height = N, .bands = 1, .data = s};
    /* The matte is opaque over the left half; the salient net agrees on its top 80 rows, is unsure (0.3)
     * on the next 10 and reads nothing on the last 10: 10 x 50 of the 10000 pixels. */
    for (int y = 0; y < N; y++)
        for (int x = 0; x < N; x++) {
            a[y * N + x] = x < 50 ? 1.0f : x < 55 ? 0.5f : 0;
            s[y * N + x] = x >= 50 ? 0 : y < 80 ? 1.0f : y < 90 ? 0.3f : 0;
        }
    cr_expect_float_eq(sb_cutout_disagree(&alpha, &salient), 0.05f, 1e-6f, "%f", sb_cutout_disagree(&alpha, &salient));
    /* No salient map (the selfie net alone made the matte): nothing to count. */
    sb_fimage_t none = {0};
    cr_expect_eq(sb_cutout_disagree(&alpha, &none), 0.0f);
}
