/* Collages through the headshot pipeline, on real photos of ../shared/testdata (skipped without it): the
 * grid of ten portraits (groups/ulfd_masked_grid, delivered before with its gutter as a bar across the
 * neck and the tile below under the chin) is made from the subject's own tile; strips and grids assembled
 * here from real photos, with white and with black gutters, make the headshot their subject's photo makes
 * alone; a grid of thumbnails is refused as too small. In process. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "image/resample.h"
#include "strobe.h"
#include "testutil.h"

#include "studio_fixture.h"

TestSuite(collages, .init = setup, .fini = teardown, .timeout = 600);

static sb_err headshot(const uint8_t *buf, size_t len, sb_headshot_result_t *r, sb_error_t *e)
{
    sb_headshot_opts_t o = {.size = 512};
    return sb_headshot(studio, buf, len, &o, r, e);
}

static uint8_t *png(const sb_image_t *img, size_t *len)
{
    uint8_t *out = NULL;
    sb_error_t e = {0};
    cr_assert_eq(sb_io_encode(img, SB_FMT_PNG, 90, &out, len, &e), SB_OK, "%s", e.message);
    return out;
}

Test(collages, the_masked_grid_is_made_from_the_subjects_tile)
{
    static const int cols[5][2] = {{32, 206}, {221, 395}, {411, 585}, {600, 771}, {788, 963}};
    static const int rows[2][2] = {{0, 217}, {231, 448}};
    size_t len;
    uint8_t *buf = tu_read_shared("testdata/groups/ulfd_masked_grid.jpg", &len);
    sb_headshot_result_t r;
    sb_error_t e = {0};
    sb_err err = headshot(buf, len, &r, &e);
    free(buf);
    cr_assert_eq(err, SB_OK, "refused: %s (%s)", sb_err_name(err), e.message);
    const int *fr = r.detect.frame;
    cr_expect_eq(r.detect.collage, 1, "the grid was not taken for a collage");
    int tile = -1;
    for (int j = 0; j < 2; j++)
        for (int i = 0; i < 5; i++)
            if (abs(fr[0] - cols[i][0]) <= 2 && abs(fr[2] - cols[i][1]) <= 2 && abs(fr[1] - rows[j][0]) <= 2 &&
                abs(fr[3] - rows[j][1]) <= 2)
                tile = j * 5 + i;
    cr_expect_geq(tile, 0, "worked on %d %d %d %d, no tile of the grid", fr[0], fr[1], fr[2], fr[3]);
    /* Only the tile's face is reported, and it lies in the tile. */
    cr_expect_eq(r.detect.faces.count, 1, "%d faces", r.detect.faces.count);
    const sb_face_t *f = &r.detect.faces.faces[r.detect.subject];
    cr_expect(f->x >= fr[0] - 2 && f->x + f->w <= fr[2] + 2 && f->y >= fr[1] - 2 && f->y + f->h <= fr[3] + 2,
              "subject %.0f,%.0f %.0fx%.0f outside the tile", f->x, f->y, f->w, f->h);
    cr_expect(r.cutout.pass && !r.cutout.photo_edge_visible);
    sb_headshot_result_free(&r);
}

/* The centre w x h of each photo laid out `across` a row with gutters of grey level v (no margin). */
static void assemble(const char *const *rel, int n, int across, int w, int h, int gutter, uint8_t v, sb_image_t *out)
{
    int down = (n + across - 1) / across;
    int W = across * w + (across - 1) * gutter, H = down * h + (down - 1) * gutter;
    cr_assert_eq(sb_image_alloc(out, W, H, 3, NULL), SB_OK);
    memset(out->data, v, (size_t)W * H * 3);
    for (int i = 0; i < n; i++) {
        sb_image_t img = {0};
        if (!tu_load_shared(rel[i], &img))
            cr_skip_test("needs %s/%s (../shared is missing)", tu_shared_dir(), rel[i]);
        cr_assert(img.width >= w && img.height >= h && img.bands >= 3, "%s is too small", rel[i]);
        int x0 = (i % across) * (w + gutter), y0 = (i / across) * (h + gutter);
        int sx = (img.width - w) / 2, sy = (img.height - h) / 2;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                memcpy(out->data + ((size_t)(y0 + y) * W + x0 + x) * 3,
                       img.data + ((size_t)(sy + y) * img.width + sx + x) * img.bands, 3);
        sb_image_free(&img);
    }
}

static const char *const photos[] = {"testdata/faces/inspireface_attr_2963.jpg", "testdata/faces/u2net_img_1695.png",
                                     "testdata/faces/u2net_img_1585.png", "testdata/faces/u2net_img_1859.png"};

#define TILE_W 360
#define TILE_H 440
#define GUTTER 12

/* The collage's headshot is the one its subject's photo makes alone (the same pixels, cut out of the
 * collage where the photo was put); made from the whole collage it would hold the gutters and the
 * neighbouring photos. */
static void expect_own_headshot(int n, int across, uint8_t gutter_level, const char *what)
{
    sb_image_t col = {0}, alone = {0};
    assemble(photos, n, across, TILE_W, TILE_H, GUTTER, gutter_level, &col);
    size_t clen, alen;
    uint8_t *cbuf = png(&col, &clen);
    sb_headshot_result_t a, c;
    sb_error_t e = {0};
    sb_err err = headshot(cbuf, clen, &c, &e);
    cr_assert_eq(err, SB_OK, "%s: refused: %s (%s)", what, sb_err_name(err), e.message);
    const int *fr = c.detect.frame;
    int tile = -1;
    for (int i = 0; i < n; i++) {
        int x0 = (i % across) * (TILE_W + GUTTER), y0 = (i / across) * (TILE_H + GUTTER);
        if (fr[0] == x0 && fr[1] == y0 && fr[2] == x0 + TILE_W && fr[3] == y0 + TILE_H)
            tile = i;
    }
    cr_assert(c.detect.collage && tile >= 0, "%s: worked on %d %d %d %d (collage %d)", what, fr[0], fr[1], fr[2],
              fr[3], c.detect.collage);
    cr_assert_eq(sb_image_crop(&col, fr, &alone, &e), SB_OK, "%s", e.message);
    uint8_t *abuf = png(&alone, &alen);
    err = headshot(abuf, alen, &a, &e);
    cr_assert_eq(err, SB_OK, "%s: %s alone refused: %s (%s)", what, photos[tile], sb_err_name(err), e.message);
    double diff = tu_encoded_mean_abs_diff(a.output, a.output_len, c.output, c.output_len);
    cr_expect_lt(diff, 0.5, "%s: the headshots of %s differ by %.2f levels on average", what, photos[tile], diff);
    sb_headshot_result_free(&a);
    sb_headshot_result_free(&c);
    free(cbuf);
    free(abuf);
    sb_image_free(&col);
    sb_image_free(&alone);
}

Test(collages, a_strip_with_white_gutters_gives_its_subjects_own_headshot)
{
    expect_own_headshot(3, 3, 255, "white strip");
}

Test(collages, a_grid_with_black_gutters_gives_its_subjects_own_headshot)
{
    expect_own_headshot(4, 2, 0, "black grid");
}

Test(collages, a_grid_of_thumbnails_is_refused_as_too_small)
{
    /* Three by three photos shrunk to tiles of 90 x 110 (the image 276 x 336, large enough as a photo): a
     * face there would be blown up eight times. */
    const char *nine[9];
    for (int i = 0; i < 9; i++)
        nine[i] = photos[i % 4];
    sb_image_t col = {0}, small = {0};
    sb_error_t e = {0};
    assemble(nine, 9, 3, TILE_W, TILE_H, 16, 0, &col);
    cr_assert_eq(sb_image_resize(&col, col.width / 4, col.height / 4, &small, &e), SB_OK, "%s", e.message);
    size_t len;
    uint8_t *buf = png(&small, &len);
    sb_headshot_result_t r;
    sb_err err = headshot(buf, len, &r, &e);
    if (!err)
        sb_headshot_result_free(&r);
    cr_expect_eq(err, SB_ERR_IMAGE_TOO_SMALL, "answered %s (%s)", sb_err_name(err), e.message);
    cr_expect(strstr(e.message, "collage"), "%s", e.message);
    free(buf);
    sb_image_free(&col);
    sb_image_free(&small);
}
