/* The tiles of a collage (vision/collage.c) on real photos of ../shared/testdata (skipped without it):
 * every tile of groups/ulfd_masked_grid (a grid of ten portraits with white gutters) is found where it is;
 * strips and grids assembled here from real photos of faces/, with white and with black gutters, are cut
 * where they were put together; and no other photo there, nor a person composited on a plain backdrop, is
 * taken for a collage. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "vision/collage.h"

static void io_init(void)
{
    sb_error_t e = {0};
    cr_assert_eq(sb_io_init(NULL, &e), SB_OK, "%s", e.message);
}

TestSuite(collage, .init = io_init, .timeout = 120);

static void load(const char *rel, sb_image_t *img)
{
    if (!tu_load_shared(rel, img))
        cr_skip_test("needs %s/%s (../shared is missing)", tu_shared_dir(), rel);
}

/* Whether any point of a 3 x 3 lattice over `img` is said to be in a collage's tile. */
static int any_tile(const sb_image_t *img, int r[4])
{
    for (int j = 1; j <= 3; j++)
        for (int i = 1; i <= 3; i++)
            if (sb_collage_find_tile(img, (float)img->width * i / 4, (float)img->height * j / 4, r))
                return 1;
    return 0;
}

Test(collage, every_tile_of_the_masked_grid_is_found)
{
    /* The tiles' columns and rows, read off the photo by eye (x0, x1 and y0, y1; exclusive ends): white
     * margins left and right, gutters of 14-17 px. */
    static const int cols[5][2] = {{32, 206}, {221, 395}, {411, 585}, {600, 771}, {788, 963}};
    static const int rows[2][2] = {{0, 217}, {231, 448}};
    sb_image_t img = {0};
    load("testdata/groups/ulfd_masked_grid.jpg", &img);
    for (int j = 0; j < 2; j++)
        for (int i = 0; i < 5; i++) {
            int r[4], want[4] = {cols[i][0], rows[j][0], cols[i][1], rows[j][1]};
            float cx = (want[0] + want[2]) / 2.0f, cy = (want[1] + want[3]) / 2.0f;
            cr_assert_eq(sb_collage_find_tile(&img, cx, cy, r), 1, "tile %d,%d not found", i, j);
            for (int k = 0; k < 4; k++)
                cr_expect(abs(r[k] - want[k]) <= 2, "tile %d,%d side %d at %d, expected about %d", i, j, k, r[k],
                          want[k]);
        }
    /* A point on a gutter is in no tile. */
    int r[4];
    cr_expect_eq(sb_collage_find_tile(&img, 213, 100, r), 0);
    sb_image_free(&img);
}

/* The centre w x h of each photo, laid out `across` a row in a grid with gutters and an outer margin of
 * grey level v; placed[i] gets where photo i went. */
static void assemble(const char *const *rel, int n, int across, int w, int h, int gutter, int margin, uint8_t v,
                     sb_image_t *out, int placed[][4])
{
    int down = (n + across - 1) / across;
    int W = 2 * margin + across * w + (across - 1) * gutter, H = 2 * margin + down * h + (down - 1) * gutter;
    cr_assert_eq(sb_image_alloc(out, W, H, 3, NULL), SB_OK);
    memset(out->data, v, (size_t)W * H * 3);
    for (int i = 0; i < n; i++) {
        sb_image_t img = {0};
        load(rel[i], &img);
        cr_assert(img.width >= w && img.height >= h && img.bands >= 3, "%s is too small", rel[i]);
        int x0 = margin + (i % across) * (w + gutter), y0 = margin + (i / across) * (h + gutter);
        int sx = (img.width - w) / 2, sy = (img.height - h) / 2;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                memcpy(out->data + ((size_t)(y0 + y) * W + x0 + x) * 3,
                       img.data + ((size_t)(sy + y) * img.width + sx + x) * img.bands, 3);
        placed[i][0] = x0, placed[i][1] = y0, placed[i][2] = x0 + w, placed[i][3] = y0 + h;
        sb_image_free(&img);
    }
}

static void expect_tiles(const sb_image_t *img, int n, int placed[][4], const char *what)
{
    for (int i = 0; i < n; i++) {
        int r[4];
        float cx = (placed[i][0] + placed[i][2]) / 2.0f, cy = (placed[i][1] + placed[i][3]) / 2.0f;
        cr_assert_eq(sb_collage_find_tile(img, cx, cy, r), 1, "%s: tile %d not found", what, i);
        for (int k = 0; k < 4; k++)
            cr_expect(abs(r[k] - placed[i][k]) <= 2, "%s: tile %d side %d at %d, put at %d", what, i, k, r[k],
                      placed[i][k]);
    }
}

static const char *const photos[] = {"testdata/faces/inspireface_attr_2963.jpg", "testdata/faces/u2net_img_1695.png",
                                     "testdata/faces/u2net_img_1585.png", "testdata/faces/u2net_img_1859.png"};

Test(collage, strips_and_grids_of_real_photos_are_cut_where_they_were_put)
{
    sb_image_t img = {0};
    int placed[4][4];
    /* Three photos side by side with white gutters and a white margin (under 4% of the height: a deeper
     * one round the whole is a frame, trimmed first by photo_frame.c): a strip, one way only. */
    assemble(photos, 3, 3, 360, 440, 12, 16, 255, &img, placed);
    expect_tiles(&img, 3, placed, "white strip");
    sb_image_free(&img);
    /* Two by two with black gutters and no margin: a grid. */
    assemble(photos, 4, 2, 360, 440, 10, 0, 0, &img, placed);
    expect_tiles(&img, 4, placed, "black grid");
    sb_image_free(&img);
}

/* A gutter of 2 lines (BAND_MIN, the thinnest) is found wherever it lies: collage.c rules a photo out by
 * looking at one line in two first. Tiles 360 and 361 wide put the gutter on an even and an odd column. */
Test(collage, the_thinnest_gutters_are_found_on_even_and_odd_lines)
{
    for (int w = 360; w <= 361; w++) {
        sb_image_t img = {0};
        int placed[2][4];
        assemble(photos, 2, 2, w, 440, 2, 0, 255, &img, placed);
        expect_tiles(&img, 2, placed, w == 360 ? "gutter on columns 360-361" : "gutter on columns 361-362");
        sb_image_free(&img);
        assemble(photos + 2, 2, 1, 360, w + 80, 2, 0, 0, &img, placed);
        expect_tiles(&img, 2, placed, w == 360 ? "gutter on rows 440-441" : "gutter on rows 441-442");
        sb_image_free(&img);
    }
}

Test(collage, two_unequal_pictures_side_by_side_are_no_strip)
{
    /* One gutter between a wide and a narrow picture: not evenly sized tiles one way, no grid. */
    sb_image_t a = {0}, img = {0};
    int placed[2][4];
    assemble(photos, 2, 2, 360, 440, 12, 0, 255, &a, placed);
    cr_assert_eq(sb_image_alloc(&img, a.width - 180, a.height, 3, NULL), SB_OK);
    for (int y = 0; y < a.height; y++)
        memcpy(img.data + (size_t)y * img.width * 3, a.data + (size_t)y * a.width * 3, (size_t)img.width * 3);
    int r[4];
    cr_expect_eq(any_tile(&img, r), 0, "tile %d %d %d %d", r[0], r[1], r[2], r[3]);
    sb_image_free(&a);
    sb_image_free(&img);
}

static void expect_no_tile_on_flat(const sb_image_t *flat, const char *rel, int backdrop, void *ctx)
{
    int r[4];
    cr_expect_eq(any_tile(flat, r), 0, "%s on flat %d: tile %d %d %d %d", rel, backdrop, r[0], r[1], r[2], r[3]);
}

Test(collage, people_on_a_plain_backdrop_are_no_collage)
{
    int tried = tu_each_person_on_flat_backdrop(expect_no_tile_on_flat, NULL);
    cr_assert_geq(tried, 30, "only %d composites made", tried);
}

static void expect_no_tile(const sb_image_t *img, const char *rel, void *ctx)
{
    int r[4];
    cr_expect_eq(any_tile(img, r), 0, "%s: tile %d %d %d %d", rel, r[0], r[1], r[2], r[3]);
}

Test(collage, no_other_testdata_photo_is_a_collage)
{
    static const char *const dirs[] = {"testdata/faces", "testdata/groups", "testdata/noface", "testdata/identity",
                                       "testdata/products"};
    static const char *const skip[] = {"ulfd_masked_grid.jpg", NULL};
    int looked = tu_each_shared_image(dirs, sizeof dirs / sizeof *dirs, skip, expect_no_tile, NULL);
    cr_assert_geq(looked, 140, "only %d photos looked at", looked);
}
