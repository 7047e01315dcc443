/* The cut-out check's count of what the edge solve raised above the nets' matte (pipeline/cutout_raised.c),
 * on drawn maps 100x100. */
#include "pipeline/cutout_raised.h"
#include "testutil.h"

#define N 100

Test(cutout_raised, alpha_raised_over_half_above_the_nets_is_counted)
{
    static float a[N * N], b[N * N];
    sb_fimage_t alpha = {.width = N, .height = N, .bands = 1, .data = a};
    sb_fimage_t nets = {.width = N, .height = N, .bands = 1, .data = b};
    /* The nets: opaque over the left half, a faint patch (0.3) over [60, 80) x [0, 20) and a soft edge
     * (0.6) over [50, 55) x all. The solve: the patch made 0.9 on its top 10 rows (raised 0.6: counted,
     * 200 px) and 0.7 below (raised 0.4: not), the soft edge made 1 (raised 0.4: not), the body lowered
     * nowhere. */
    for (int y = 0; y < N; y++)
        for (int x = 0; x < N; x++) {
            bool patch = x >= 60 && x < 80 && y < 20;
            b[y * N + x] = x < 50 ? 1.0f : x < 55 ? 0.6f : patch ? 0.3f : 0;
            a[y * N + x] = x < 55 ? 1.0f : patch ? (y < 10 ? 0.9f : 0.7f) : 0;
        }
    cr_expect_float_eq(sb_cutout_raised(&alpha, &nets), 0.02f, 1e-6f, "%f", sb_cutout_raised(&alpha, &nets));
    /* The same maps the other way round (the solve lowered alpha): nothing. */
    cr_expect_eq(sb_cutout_raised(&nets, &alpha), 0.0f);
    /* No nets' matte kept: nothing to count. */
    sb_fimage_t none = {0};
    cr_expect_eq(sb_cutout_raised(&alpha, &none), 0.0f);
}
