/* How a placed product meets the ground (render/ground.h): standing products on their bases, round and lying
 * ones seen from above, products cut by the canvas's bottom edge, on drawn silhouettes. */
#include <math.h>
#include <string.h>

#include "render/ground.h"
#include "testutil.h"

#define W 400
#define H 400

typedef int (*shape_fn)(float x, float y);

/* A bottle standing: a body 100 wide, a neck, a flat base at row 349. */
static int bottle(float x, float y)
{
    return (fabsf(x - 200) < 50 && y >= 150 && y < 350) || (fabsf(x - 200) < 15 && y >= 80 && y < 150);
}
/* A goblet: a foot (a flat ellipse) under a thin stem under a wide bowl. */
static int goblet(float x, float y)
{
    float fx = (x - 200) / 80, fy = (y - 340) / 12;
    return fx * fx + fy * fy <= 1 || (fabsf(x - 200) < 12 && y >= 230 && y < 340) ||
           ((x - 200) * (x - 200) / (110.0f * 110.0f) + (y - 170) * (y - 170) / (70.0f * 70.0f) <= 1 && y >= 150);
}
/* A cylinder (a tin) standing, seen from a little above: its base an ellipse with half axes 100 and 20. */
static int tin(float x, float y)
{
    float fx = (x - 200) / 100, fb = (y - 300) / 20, ft = (y - 160) / 20;
    return fabsf(x - 200) <= 100 && ((y >= 160 && y <= 300) || fx * fx + fb * fb <= 1 || fx * fx + ft * ft <= 1);
}
/* Five bottles whose bases stand at different depths (rows 330 to 350). */
static int bottles(float x, float y)
{
    for (int i = 0; i < 5; i++) {
        float cx = 60 + 70 * i, base = 330 + 5 * i;
        if ((fabsf(x - cx) < 22 && y >= base - 150 && y < base) || (fabsf(x - cx) < 7 && y >= base - 200 && y < base))
            return 1;
    }
    return 0;
}
/* Bags side by side in a car's boot, each standing, their bases at different depths (sam_groceries): the
 * lowest bag's base is short, its left neighbour's a plateau 5 rows higher, its right neighbour's corner
 * rounded up to the base of a bag further back, the leftmost bag's base far higher. */
static int bags(float x, float y)
{
    return (x < 60 && y >= 200 && y < 320) || (x >= 60 && x < 130 && y >= 200 && y < 345) ||
           (x >= 130 && x < 160 && y >= 200 && y < 350) || (x >= 160 && y >= 200 && (y < 350 - 2 * (x - 160) || y < 270));
}
/* Seen from above: a saucer (a disc), a lying phone turned 30 degrees, a pendant pointing down. */
static int disc(float x, float y)
{
    return (x - 200) * (x - 200) + (y - 200) * (y - 200) <= 140 * 140;
}
static int phone(float x, float y)
{
    float c = cosf(0.5236f), s = sinf(0.5236f), u = (x - 200) * c + (y - 200) * s, v = -(x - 200) * s + (y - 200) * c;
    return fabsf(u) < 70 && fabsf(v) < 130;
}
static int pendant(float x, float y)
{
    return fabsf(x - 200) < 0.8f * (330 - y) && y >= 130 && y < 330;
}
/* A carton held in a hand, running off the canvas's bottom edge. */
static int held(float x, float y)
{
    return fabsf(x - 200) < 90 && y >= 120;
}

static sb_ground_t read_shape(shape_fn f)
{
    sb_fimage_t a;
    cr_assert_eq(sb_fimage_alloc(&a, W, H, 1, NULL), SB_OK);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            a.data[y * W + x] = (float)f(x + 0.5f, y + 0.5f);
    sb_ground_t g = sb_ground_read(&a, 0, 0, W, H);
    sb_fimage_free(&a);
    return g;
}

Test(ground, standing_products_stand_on_their_base)
{
    static const struct {
        const char *name;
        shape_fn f;
        int base;
    } cases[] = {{"bottle", bottle, 350}, {"goblet", goblet, 352}, {"tin", tin, 320}, {"bottles", bottles, 350}, {"bags", bags, 350}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sb_ground_t g = read_shape(cases[i].f);
        cr_assert_eq(g.kind, SB_GROUND_STANDING, "%s: %s", cases[i].name, sb_ground_name(g.kind));
        cr_assert(abs(g.base - cases[i].base) <= 1, "%s: base %d, want %d", cases[i].name, g.base, cases[i].base);
    }
}

Test(ground, round_and_lying_products_are_seen_from_above)
{
    static const struct {
        const char *name;
        shape_fn f;
    } cases[] = {{"disc", disc}, {"phone", phone}, {"pendant", pendant}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sb_ground_t g = read_shape(cases[i].f);
        cr_assert_eq(g.kind, SB_GROUND_ABOVE, "%s: %s", cases[i].name, sb_ground_name(g.kind));
    }
}

Test(ground, a_base_out_of_the_frame_is_cut_and_nothing_is_none)
{
    sb_ground_t g = read_shape(held);
    cr_assert_eq(g.kind, SB_GROUND_CUT, "%s", sb_ground_name(g.kind));
    cr_assert_eq(g.base, H);
    sb_fimage_t a;
    cr_assert_eq(sb_fimage_alloc(&a, 32, 32, 1, NULL), SB_OK);
    memset(a.data, 0, sizeof(float) * 32 * 32);
    g = sb_ground_read(&a, 0, 0, 32, 32);
    cr_assert_eq(g.kind, SB_GROUND_NONE);
    cr_assert_eq(g.base, -1);
    /* A layer placed wholly off the canvas is nothing too. */
    for (int i = 0; i < 32 * 32; i++)
        a.data[i] = 1;
    g = sb_ground_read(&a, 500, 0, 400, 400);
    cr_assert_eq(g.kind, SB_GROUND_NONE);
    sb_fimage_free(&a);
}

/* A placed layer reads as the same shape at its place: the bottle as a layer of its box at (150, 80). */
Test(ground, a_placed_layer_reads_like_the_canvas)
{
    sb_fimage_t a;
    cr_assert_eq(sb_fimage_alloc(&a, 100, 270, 1, NULL), SB_OK);
    for (int y = 0; y < 270; y++)
        for (int x = 0; x < 100; x++)
            a.data[y * 100 + x] = (float)bottle(x + 150.5f, y + 80.5f);
    sb_ground_t g = sb_ground_read(&a, 150, 80, W, H), c = read_shape(bottle);
    cr_assert(g.kind == c.kind && g.base == c.base && g.x0 == c.x0 && g.x1 == c.x1 && g.y0 == c.y0 && g.y1 == c.y1,
              "layer %s base %d box %d,%d..%d,%d; canvas %s base %d box %d,%d..%d,%d", sb_ground_name(g.kind), g.base,
              g.x0, g.y0, g.x1, g.y1, sb_ground_name(c.kind), c.base, c.x0, c.y0, c.x1, c.y1);
    sb_fimage_free(&a);
}
