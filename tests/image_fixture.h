/* image_fixture.h - what the image unit tests share (test_io, test_io_refusals, test_io_encode,
 * test_resample): pictures they make themselves (a marker with a red top-left quadrant, a smooth gradient with
 * a dark disc, the stored form of an EXIF orientation), PNG chunks written by hand, decode and refusal
 * checks, pixel access. Static inline: a test file uses what it needs. */
#ifndef STROBE_TESTS_IMAGE_FIXTURE_H
#define STROBE_TESTS_IMAGE_FIXTURE_H

#include <string.h>
#include <vips/vips.h>

#include "image/image.h"
#include "image/io.h"
#include "testutil.h"

/* An upright w x h image: grey, with a red block filling the top-left quadrant. */
static inline void marker_pixels(sb_image_t *img, int w, int h)
{
    sb_error_t e = {0};
    cr_assert_eq(sb_image_alloc(img, w, h, 3, &e), SB_OK);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            uint8_t *p = img->data + ((size_t)y * w + x) * 3;
            int red = x < w / 2 && y < h / 2;
            p[0] = red ? 230 : 128, p[1] = red ? 20 : 128, p[2] = red ? 20 : 128;
        }
}

/* A smooth colour gradient with a dark disc: easy for lossy codecs, asymmetric enough to catch flips. */
static inline void gradient(sb_image_t *img, int w, int h, int bands)
{
    sb_error_t e = {0};
    cr_assert_eq(sb_image_alloc(img, w, h, bands, &e), SB_OK);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            uint8_t *p = img->data + ((size_t)y * w + x) * bands;
            int disc = (x - w / 3) * (x - w / 3) + (y - h / 3) * (y - h / 3) < (h / 5) * (h / 5);
            p[0] = disc ? 30 : (uint8_t)(255 * x / w);
            if (bands >= 3) {
                p[1] = disc ? 30 : (uint8_t)(255 * y / h);
                p[2] = disc ? 60 : 160;
            }
            if (bands == 4)
                p[3] = 255;
        }
}

/* The pixel at (x, y) of an 8-bit image: a pointer into its data. */
static inline const uint8_t *px(const sb_image_t *img, int x, int y)
{
    return img->data + ((size_t)y * img->width + x) * img->bands;
}

/* Whether an RGB pixel is the marker's red. */
static inline int is_red(const uint8_t *p)
{
    return p[0] > 180 && p[1] < 80 && p[2] < 80;
}

static inline VipsImage *from_pixels(const uint8_t *px, int w, int h, int bands)
{
    VipsImage *im = vips_image_new_from_memory_copy(px, (size_t)w * h * bands, w, h, bands, VIPS_FORMAT_UCHAR);
    cr_assert_not_null(im, "%s", vips_error_buffer());
    return im;
}

static inline VipsImage *marker(int w, int h)
{
    sb_image_t img = {0};
    marker_pixels(&img, w, h);
    VipsImage *im = from_pixels(img.data, w, h, 3);
    sb_image_free(&img);
    return im;
}

static inline uint8_t *save(VipsImage *im, const char *suffix, size_t *len)
{
    void *buf = NULL;
    cr_assert_eq(vips_image_write_to_buffer(im, suffix, &buf, len, NULL), 0, "%s", vips_error_buffer());
    return buf;
}

static inline sb_err decode(const void *buf, size_t len, int max_side, sb_image_t *out, sb_image_info_t *info,
                     sb_error_t *e)
{
    sb_decode_opts_t opts = {.max_side = max_side};
    return sb_io_decode(buf, len, &opts, out, info, e);
}

static inline void assert_refused(const void *buf, size_t len, sb_err want, const char *needle)
{
    sb_error_t e = {0};
    sb_image_t img = {0};
    cr_assert_eq(decode(buf, len, 0, &img, NULL, &e), want, "got %s: %s", sb_err_name(e.code), e.message);
    cr_assert_null(img.data);
    if (needle)
        cr_assert_not_null(strstr(e.message, needle), "message '%s' lacks '%s'", e.message, needle);
}

static inline void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

static inline uint32_t crc32_of(const uint8_t *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = c & 1 ? (c >> 1) ^ 0xEDB88320u : c >> 1;
    }
    return ~c;
}

static inline size_t png_chunk(uint8_t *out, const char *type, const uint8_t *data, uint32_t len)
{
    put32(out, len);
    memcpy(out + 4, type, 4);
    if (len)
        memcpy(out + 8, data, len);
    put32(out + 8 + len, crc32_of(out + 4, 4 + len));
    return 12 + len;
}

/* The stored image whose display after EXIF orientation n is `up`: the inverse of each transform. */
static inline VipsImage *stored_for(VipsImage *up, int n)
{
    VipsImage *a = NULL, *b = NULL;
    switch (n) {
    case 1: vips_copy(up, &b, NULL); break;
    case 2: vips_flip(up, &b, VIPS_DIRECTION_HORIZONTAL, NULL); break;
    case 3: vips_rot(up, &b, VIPS_ANGLE_D180, NULL); break;
    case 4: vips_flip(up, &b, VIPS_DIRECTION_VERTICAL, NULL); break;
    case 5: vips_rot(up, &a, VIPS_ANGLE_D90, NULL), vips_flip(a, &b, VIPS_DIRECTION_HORIZONTAL, NULL); break;
    case 6: vips_rot(up, &b, VIPS_ANGLE_D270, NULL); break;
    case 7: vips_rot(up, &a, VIPS_ANGLE_D90, NULL), vips_flip(a, &b, VIPS_DIRECTION_VERTICAL, NULL); break;
    case 8: vips_rot(up, &b, VIPS_ANGLE_D90, NULL); break;
    }
    if (a)
        g_object_unref(a);
    VipsImage *c = NULL;
    cr_assert_eq(vips_copy(b, &c, NULL), 0);
    g_object_unref(b);
    vips_image_set_int(c, VIPS_META_ORIENTATION, n);
    return c;
}

#endif
