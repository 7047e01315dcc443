/* The flat border round a photo (vision/photo_frame.c) on real photos of ../shared/testdata (skipped
 * without it): the framed photos there are found with their inside; flat borders added to a real photo
 * are found where they were put; one bordered side is no frame; people composited on flat black, white and
 * grey backdrops (a studio portrait's plain background reaching the photo's edge) are no frame; and no
 * other photo of faces/, groups/ or products/ has one. */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "vision/photo_frame.h"

static void io_init(void)
{
    sb_error_t e = {0};
    cr_assert_eq(sb_io_init(NULL, &e), SB_OK, "%s", e.message);
}

TestSuite(photo_frame, .init = io_init, .timeout = 120);

static void load(const char *rel, sb_image_t *img)
{
    if (!tu_load_shared(rel, img))
        cr_skip_test("needs %s/%s (../shared is missing)", tu_shared_dir(), rel);
}

/* `img` inside a border of colour v: top, bottom, left, right lines (3 bands out). */
static void add_border(const sb_image_t *img, int top, int bottom, int left, int right, uint8_t v, sb_image_t *out)
{
    int w = img->width + left + right, h = img->height + top + bottom;
    cr_assert_eq(sb_image_alloc(out, w, h, 3, NULL), SB_OK);
    memset(out->data, v, (size_t)w * h * 3);
    for (int y = 0; y < img->height; y++)
        for (int x = 0; x < img->width; x++)
            memcpy(out->data + ((size_t)(y + top) * w + x + left) * 3,
                   img->data + ((size_t)y * img->width + x) * img->bands, 3);
}

Test(photo_frame, the_framed_photos_of_the_testdata_are_found)
{
    /* Each photo's inside, read off the photo by eye: {x0, y0, x1, y1}; a side with no border is the
     * photo's own edge. fa_aflw-test's right side is black inside the picture too: no straight step there. */
    static const struct {
        const char *rel;
        int inner[4];
    } framed[] = {
        {"testdata/faces/fa_aflw-test.jpg", {28, 37, 450, 416}},
        {"testdata/faces/prnet_aflw_00516.jpg", {62, 86, 304, 450}},
    };
    for (size_t i = 0; i < sizeof framed / sizeof *framed; i++) {
        sb_image_t img = {0};
        int r[4];
        load(framed[i].rel, &img);
        cr_assert_eq(sb_photo_frame_find(&img, 100, r), 1, "%s: no frame found", framed[i].rel);
        for (int k = 0; k < 4; k++)
            cr_expect(abs(r[k] - framed[i].inner[k]) <= 3, "%s: side %d at %d, expected about %d", framed[i].rel, k,
                      r[k], framed[i].inner[k]);
        sb_image_free(&img);
    }
}

Test(photo_frame, borders_added_to_a_real_photo_are_found_where_they_were_put)
{
    sb_image_t img = {0}, framed = {0};
    int r[4];
    load("testdata/faces/inspireface_anger.png", &img);
    cr_assert_geq(img.bands, 3);
    add_border(&img, 40, 40, 0, 0, 0, &framed); /* a letterbox */
    cr_assert_eq(sb_photo_frame_find(&framed, 100, r), 1);
    cr_expect(r[0] == 0 && r[1] == 40 && r[2] == img.width && r[3] == 40 + img.height, "letterbox: %d %d %d %d", r[0],
              r[1], r[2], r[3]);
    sb_image_free(&framed);
    /* The same white margin round it is no frame: this photo's own background is white, so no edge shows. */
    add_border(&img, 25, 31, 27, 19, 255, &framed);
    cr_expect_eq(sb_photo_frame_find(&framed, 100, r), 0, "white on white: %d %d %d %d", r[0], r[1], r[2], r[3]);
    sb_image_free(&framed);
    add_border(&img, 40, 0, 0, 0, 0, &framed); /* one side only: a dark sky or a ceiling looks like this */
    cr_expect_eq(sb_photo_frame_find(&framed, 100, r), 0, "one bordered side taken for a frame");
    cr_expect(r[0] == 0 && r[1] == 0 && r[2] == framed.width && r[3] == framed.height);
    sb_image_free(&framed);
    sb_image_free(&img);

    load("testdata/faces/u2net_img_1588.png", &img); /* an indoor photo, darker than white at its edges */
    cr_assert_geq(img.bands, 3);
    add_border(&img, 25, 31, 27, 19, 255, &framed); /* a print's white margin */
    cr_assert_eq(sb_photo_frame_find(&framed, 100, r), 1);
    cr_expect(r[0] == 27 && r[1] == 25 && r[2] == 27 + img.width && r[3] == 25 + img.height, "margin: %d %d %d %d",
              r[0], r[1], r[2], r[3]);
    /* An inside under the minimum side is not a frame worth working on. */
    cr_expect_eq(sb_photo_frame_find(&framed, img.height + 1, r), 0);
    sb_image_free(&framed);
    sb_image_free(&img);
}

static void expect_no_frame_on_flat(const sb_image_t *flat, const char *rel, int backdrop, void *ctx)
{
    int r[4];
    cr_expect_eq(sb_photo_frame_find(flat, 100, r), 0, "%s on flat %d: frame %d %d %d %d", rel, backdrop, r[0], r[1],
                 r[2], r[3]);
}

Test(photo_frame, people_on_a_flat_backdrop_are_no_frame)
{
    int tried = tu_each_person_on_flat_backdrop(expect_no_frame_on_flat, NULL);
    cr_assert_geq(tried, 30, "only %d composites made", tried);
}

static void expect_no_frame(const sb_image_t *img, const char *rel, void *ctx)
{
    int r[4];
    cr_expect_eq(sb_photo_frame_find(img, 100, r), 0, "%s: frame %d %d %d %d", rel, r[0], r[1], r[2], r[3]);
}

Test(photo_frame, no_other_testdata_photo_has_a_frame)
{
    static const char *const dirs[] = {"testdata/faces", "testdata/groups", "testdata/products", "testdata/noface"};
    static const char *const skip[] = {"fa_aflw-test.jpg", "prnet_aflw_00516.jpg", NULL};
    int looked = tu_each_shared_image(dirs, sizeof dirs / sizeof *dirs, skip, expect_no_frame, NULL);
    cr_assert_geq(looked, 90, "only %d photos looked at", looked);
}
