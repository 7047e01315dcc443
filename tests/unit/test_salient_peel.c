/* The net's strong part hidden for its second look (vision/salient_peel.h), on a drawn net input: a red
 * label on a grey pot. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "vision/salient_peel.h"

#define N 64

/* A grey pot (a left-to-right ramp, 80..143) with a red label over x, y 20..39; the map is 255 on the label
 * and 60 (faint, not strong) elsewhere. */
static void draw(sb_image_t *img, uint8_t *map)
{
    sb_error_t e = {0};
    cr_assert_eq(sb_image_alloc(img, N, N, 3, &e), SB_OK, "%s", e.message);
    for (int y = 0; y < N; y++)
        for (int x = 0; x < N; x++) {
            uint8_t *p = img->data + ((size_t)y * N + x) * 3;
            bool label = x >= 20 && x < 40 && y >= 20 && y < 40;
            p[0] = label ? 220 : (uint8_t)(80 + x);
            p[1] = label ? 30 : (uint8_t)(80 + x);
            p[2] = label ? 30 : (uint8_t)(80 + x);
            map[y * N + x] = label ? 255 : 60;
        }
}

Test(salient_peel, the_label_is_filled_from_the_pot_around_it)
{
    sb_image_t img = {0}, out = {0};
    uint8_t map[N * N];
    sb_error_t e = {0};
    draw(&img, map);
    cr_assert_eq(sb_salient_peel_image(&img, map, N, &out, &e), SB_OK, "%s", e.message);
    cr_assert(out.width == N && out.height == N && out.bands == 3);
    for (int y = 0; y < N; y++)
        for (int x = 0; x < N; x++) {
            const uint8_t *p = out.data + ((size_t)y * N + x) * 3, *q = img.data + ((size_t)y * N + x) * 3;
            bool hidden = x >= 20 - SB_PEEL_RING && x < 40 + SB_PEEL_RING && y >= 20 - SB_PEEL_RING &&
                          y < 40 + SB_PEEL_RING;
            if (!hidden) {
                cr_assert(!memcmp(p, q, 3), "(%d, %d) outside the label and its ring is kept", x, y);
                continue;
            }
            /* Grey as the pot around it, within the pot's own range of greys. */
            cr_assert(abs(p[0] - p[1]) <= 2 && abs(p[1] - p[2]) <= 2, "(%d, %d) is grey: %d %d %d", x, y, p[0],
                      p[1], p[2]);
            cr_assert(p[0] >= 80 && p[0] <= 143, "(%d, %d) is the pot's grey: %d", x, y, p[0]);
        }
    sb_image_free(&out);
    sb_image_free(&img);
}

Test(salient_peel, sizes_that_do_not_match_are_refused)
{
    sb_image_t img = {0}, out = {0};
    uint8_t map[N * N];
    sb_error_t e = {0};
    draw(&img, map);
    cr_assert_eq(sb_salient_peel_image(&img, map, N / 2, &out, &e), SB_ERR_INTERNAL);
    cr_assert_null(out.data);
    sb_image_free(&img);
}
