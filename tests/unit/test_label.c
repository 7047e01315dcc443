/* The connected parts of a mask (image/label.c), 8- and 4-connected, against a plain flood fill written
 * here, on random masks of every density and on shapes that join only at a corner, a spiral and one-pixel
 * rows and columns: the same label for every pixel, the same ids in scan order, the same areas. */
#include <stdlib.h>

#include "image/label.h"
#include "testutil.h"

/* The reference: ids by a depth-first fill from each unlabelled set pixel in scan order. */
static int flood(const unsigned char *m, int w, int h, int diagonal, int *label, size_t *area)
{
    int count = 0, *stack = malloc((size_t)w * h * sizeof *stack);
    for (int i = 0; i < w * h; i++)
        label[i] = 0;
    for (int s = 0; s < w * h; s++) {
        if (!m[s] || label[s])
            continue;
        int top = 0;
        label[s] = ++count, area[count - 1] = 0, stack[top++] = s;
        while (top) {
            int p = stack[--top], x = p % w, y = p / w;
            area[count - 1]++;
            for (int qy = y - 1; qy <= y + 1; qy++)
                for (int qx = x - 1; qx <= x + 1; qx++)
                    if (qx >= 0 && qx < w && qy >= 0 && qy < h && (diagonal || qx == x || qy == y) &&
                        m[qy * w + qx] && !label[qy * w + qx])
                        label[qy * w + qx] = count, stack[top++] = qy * w + qx;
        }
    }
    free(stack);
    return count;
}

static void expect_same_as(const unsigned char *m, int w, int h, int diagonal, const char *what)
{
    int *label = malloc((size_t)(w * h + 1) * sizeof *label);
    size_t *area = malloc((size_t)(w * h + 1) * sizeof *area);
    int count = flood(m, w, h, diagonal, label, area);
    sb_parts_t parts;
    sb_error_t e = {0};
    cr_assert_eq((diagonal ? sb_parts_label : sb_parts_label4)(w, h, m, &parts, &e), SB_OK, "%s", e.message);
    cr_expect_eq(parts.count, count, "%s %dx%d: %d parts, the fill finds %d", what, w, h, parts.count, count);
    int bad = -1;
    for (int i = 0; i < w * h && bad < 0; i++)
        if (parts.label[i] != label[i])
            bad = i;
    cr_expect_eq(bad, -1, "%s %dx%d: pixel %d labelled %d, the fill %d", what, w, h, bad,
                 bad < 0 ? 0 : parts.label[bad], bad < 0 ? 0 : label[bad]);
    for (int k = 0; k < count && k < parts.count; k++)
        cr_expect_eq(parts.area[k], area[k], "%s %dx%d: part %d", what, w, h, k + 1);
    sb_parts_free(&parts);
    free(label);
    free(area);
}

static void expect_same(const unsigned char *m, int w, int h, const char *what)
{
    expect_same_as(m, w, h, 1, what);
    expect_same_as(m, w, h, 0, what);
}

Test(label, random_masks_match_a_flood_fill)
{
    srand(11);
    const int sizes[][2] = {{1, 1}, {1, 37}, {37, 1}, {2, 2}, {7, 5}, {64, 64}, {201, 99}};
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++)
        for (int density = 5; density <= 95; density += 15) {
            int w = sizes[s][0], h = sizes[s][1];
            unsigned char *m = malloc((size_t)w * h);
            for (int i = 0; i < w * h; i++)
                m[i] = rand() % 100 < density;
            expect_same(m, w, h, "random");
            /* Any non-zero byte is set (the scan reads eight at a time where it can). */
            for (int i = 0; i < w * h; i++)
                m[i] = m[i] ? (unsigned char)(1 + rand() % 255) : 0;
            expect_same(m, w, h, "random bytes");
            free(m);
        }
}

/* Long clear and set stretches, ending at every offset of an 8-byte step and at the row's end. */
Test(label, long_stretches_match_a_flood_fill)
{
    int w = 83, h = 40;
    unsigned char *m = malloc((size_t)w * h);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            m[y * w + x] = (x + y) % (9 + y % 17) < 4 + y % 11 ? 0 : (unsigned char)(0x80 + y);
    expect_same(m, w, h, "stretches");
    free(m);
}

Test(label, corners_spirals_and_combs)
{
    enum { W = 41, H = 41 };
    static unsigned char m[W * H];
    /* A diagonal chain of pixels touching only at corners, both ways. */
    for (int i = 0; i < W * H; i++)
        m[i] = 0;
    for (int i = 0; i < 20; i++)
        m[i * W + i] = 1, m[(i + 20) * W + 40 - i] = 1;
    expect_same(m, W, H, "diagonals");
    /* A square spiral: one part whose rows are joined late (a U opening upwards, a comb). */
    for (int i = 0; i < W * H; i++)
        m[i] = 0;
    int x0 = 0, y0 = 0, x1 = W - 1, y1 = H - 1;
    while (x0 <= x1 && y0 <= y1) {
        for (int x = x0; x <= x1; x++)
            m[y0 * W + x] = 1;
        for (int y = y0; y <= y1; y++)
            m[y * W + x1] = 1;
        for (int x = x0; x <= x1; x++)
            m[y1 * W + x] = 1;
        for (int y = y0 + 2; y <= y1; y++)
            m[y * W + x0] = 1;
        x0 += 2, y0 += 2, x1 -= 2, y1 -= 2;
        if (x0 <= x1)
            m[y0 * W + x0 - 1] = 1;
    }
    expect_same(m, W, H, "spiral");
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            m[y * W + x] = (x % 2 == 0 && y < H - 1) || (y == H - 1 && x > W / 2);
    expect_same(m, W, H, "comb");
}
