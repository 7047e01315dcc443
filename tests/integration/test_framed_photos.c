/* Photos inside a flat border (vision/photo_frame.c) through the headshot pipeline, on real photos of
 * ../shared/testdata (skipped without it): a clean photo given a black surround makes the same headshot
 * as the photo alone, with its faces reported in the framed file's pixels and the frame in the result;
 * the framed photo that was delivered as a "card" (its inner picture's dark background kept as a
 * rectangle, docs/QUALITY.md) is not delivered that way any more. In process. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "strobe.h"
#include "testutil.h"

#include "studio_fixture.h"

TestSuite(framed_photos, .init = setup, .fini = teardown, .timeout = 600);

#define BORDER 48

/* The shared photo `rel` inside a black border BORDER pixels wide, encoded as PNG (lossless, so the
 * picture inside is the photo's own pixels). */
static uint8_t *framed_png(const char *rel, size_t *len)
{
    sb_image_t img = {0}, out = {0};
    if (!tu_load_shared(rel, &img))
        cr_skip_test("needs %s/%s (../shared is missing)", tu_shared_dir(), rel);
    cr_assert_eq(img.bands, 3, "%s: an RGB photo expected", rel);
    int w = img.width + 2 * BORDER, h = img.height + 2 * BORDER;
    cr_assert_eq(sb_image_alloc(&out, w, h, 3, NULL), SB_OK);
    memset(out.data, 0, (size_t)w * h * 3);
    for (int y = 0; y < img.height; y++)
        memcpy(out.data + ((size_t)(y + BORDER) * w + BORDER) * 3, img.data + (size_t)y * img.width * 3,
               (size_t)img.width * 3);
    uint8_t *png = NULL;
    sb_error_t e = {0};
    cr_assert_eq(sb_io_encode(&out, SB_FMT_PNG, 90, &png, len, &e), SB_OK, "%s", e.message);
    sb_image_free(&img);
    sb_image_free(&out);
    return png;
}

static void headshot(const uint8_t *buf, size_t len, sb_headshot_result_t *r, const char *what)
{
    sb_headshot_opts_t o = {.size = 512};
    sb_error_t e = {0};
    sb_err err = sb_headshot(studio, buf, len, &o, r, &e);
    cr_assert_eq(err, SB_OK, "%s refused: %s (%s)", what, sb_err_name(err), e.message);
}

Test(framed_photos, a_framed_photo_makes_the_headshot_of_the_photo_inside)
{
    const char *rel = "testdata/faces/inspireface_anger.png";
    size_t plain_len, framed_len;
    uint8_t *plain = tu_read_shared(rel, &plain_len), *framed = framed_png(rel, &framed_len);
    sb_headshot_result_t a, b;
    headshot(plain, plain_len, &a, "the photo");
    headshot(framed, framed_len, &b, "the framed photo");
    const int *fr = b.detect.frame;
    cr_expect(fr[0] == BORDER && fr[1] == BORDER && fr[2] == BORDER + a.detect.upright_width &&
                  fr[3] == BORDER + a.detect.upright_height,
              "frame %d %d %d %d", fr[0], fr[1], fr[2], fr[3]);
    cr_expect_eq(a.detect.frame[2], 0, "the photo alone has no frame");
    const sb_face_t *fa = &a.detect.faces.faces[a.detect.subject], *fb = &b.detect.faces.faces[b.detect.subject];
    cr_expect(fabsf(fb->x - fa->x - BORDER) < 1 && fabsf(fb->y - fa->y - BORDER) < 1 && fabsf(fb->w - fa->w) < 1,
              "subject at %.1f,%.1f (%.1f) framed, %.1f,%.1f (%.1f) alone", fb->x, fb->y, fb->w, fa->x, fa->y, fa->w);
    cr_expect(b.cutout.pass && !b.cutout.photo_edge_visible);
    double diff = tu_encoded_mean_abs_diff(a.output, a.output_len, b.output, b.output_len);
    cr_expect_lt(diff, 1.0, "the headshots differ by %.2f levels on average", diff);
    sb_headshot_result_free(&a);
    sb_headshot_result_free(&b);
    free(plain);
    free(framed);
}

/* fa_aflw-test is a picture inside a black surround; before the frame was found, its dark inner background
 * was kept as a rectangle round her raised arm, its top and left edges showing on the backdrop, and the
 * check passed it. Now its inner picture's edge is the photo's edge: refused, or delivered clean. */
Test(framed_photos, the_card_photo_is_not_delivered_as_a_card)
{
    size_t len;
    uint8_t *buf = tu_read_shared("testdata/faces/fa_aflw-test.jpg", &len);
    sb_headshot_opts_t o = {.size = 560};
    sb_headshot_result_t r;
    sb_error_t e = {0};
    sb_err err = sb_headshot(studio, buf, len, &o, &r, &e);
    free(buf);
    if (err) {
        cr_expect_eq(err, SB_ERR_CUTOUT_FAILED, "refused with %s (%s)", sb_err_name(err), e.message);
        return;
    }
    cr_expect(r.detect.frame[2] > r.detect.frame[0], "delivered without finding the frame");
    cr_expect(r.cutout.pass && !r.cutout.photo_edge_visible);
    sb_headshot_result_free(&r);
}
