/* The glass map (render/glass.c) on a synthetic photo: every pixel of the map holds the background
 * estimate, the background's own pixels included. The map is resized to the placed layer, so the
 * product's edge pixels mix in their neighbours' values: bytes left unset there made glass products'
 * outputs differ from run to run (the perfume and the beer glass gave three different PNGs in three
 * runs). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "render/glass.h"
#include "testutil.h"

#define SIDE 120

Test(glass, the_map_holds_the_background_estimate_everywhere)
{
    sb_image_t rgb = {0};
    sb_fimage_t alpha = {0};
    cr_assert_eq(sb_image_alloc(&rgb, SIDE, SIDE, 3, NULL), SB_OK);
    cr_assert_eq(sb_fimage_alloc(&alpha, SIDE, SIDE, 1, NULL), SB_OK);
    /* A grey wall and a clear disc in front of it showing the wall through (a shade lighter). */
    for (int y = 0; y < SIDE; y++)
        for (int x = 0; x < SIDE; x++) {
            int in = hypotf(x - 60.0f, y - 60.0f) < 35;
            memset(rgb.data + ((size_t)y * SIDE + x) * 3, in ? 134 : 128, 3);
            alpha.data[y * SIDE + x] = in ? 1.0f : 0.0f;
        }
    const int r[4] = {10, 10, 110, 110};
    sb_glass_t g;
    sb_error_t e = {0};
    cr_assert_eq(sb_glass_estimate(&rgb, &alpha, r, 0, &g, &e), SB_OK, "%s", e.message);
    cr_assert_not_null(g.map.data);
    cr_expect_gt(g.score, 0.5f, "a clear disc scored %.3f", g.score);
    int bad = 0;
    for (int y = 0; y < g.map.height; y++)
        for (int x = 0; x < g.map.width; x++) {
            const uint8_t *m = g.map.data + ((size_t)y * g.map.width + x) * 4;
            int bg = alpha.data[(y + r[1]) * SIDE + x + r[0]] == 0;
            for (int c = 0; c < 3; c++)
                bad += abs(m[c] - 128) > 4;
            if (bg)
                bad += m[3] != 0;
        }
    cr_expect_eq(bad, 0, "%d map values are not the wall's estimate (or a background pixel transmits)", bad);
    sb_glass_free(&g);
    sb_image_free(&rgb);
    sb_fimage_free(&alpha);
}
