/* test_io_refusals.c - inputs the decoder refuses, and how: PNG bombs and huge or thin images from their
 * headers, max_pixels and min_side, truncated files, wrong formats by name or content, HEIF boxes read
 * safely. On images the tests make themselves. */
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <vips/vips.h>

#include "image/heif.h"
#include "image/io.h"
#include "image_fixture.h"
#include "testutil.h"

static void setup(void)
{
    sb_error_t e = {0};
    cr_assert_eq(sb_io_init("test_io_refusals", &e), SB_OK, "%s", e.message);
}

TestSuite(io, .init = setup);

Test(io, png_bomb_header_refused_before_decoding)
{
    uint8_t png[128], ihdr[13] = {0};
    static const uint8_t empty_zlib[] = {0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01};
    memcpy(png, "\x89PNG\r\n\x1a\n", 8);
    put32(ihdr, 30000), put32(ihdr + 4, 30000);
    ihdr[8] = 8, ihdr[9] = 2; /* 8-bit RGB: 2.7 GB once decoded */
    size_t n = 8;
    n += png_chunk(png + n, "IHDR", ihdr, sizeof ihdr);
    n += png_chunk(png + n, "IDAT", empty_zlib, sizeof empty_zlib);
    n += png_chunk(png + n, "IEND", NULL, 0);

    sb_error_t e = {0};
    sb_image_info_t info;
    cr_assert_eq(sb_io_probe(png, n, &info, &e), SB_OK, "%s", e.message);
    cr_assert_eq(info.format, SB_FMT_PNG);
    cr_assert_eq(info.width, 30000);
    cr_assert_eq(info.height, 30000);
    assert_refused(png, n, SB_ERR_IMAGE_TOO_LARGE, "30000x30000");
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    cr_assert_lt(ru.ru_maxrss, 400L * 1024, "peak RSS %ld KB", ru.ru_maxrss);
}

Test(io, max_pixels_option_refuses_with_both_numbers)
{
    VipsImage *im = marker(100, 60);
    size_t len;
    uint8_t *png = save(im, ".png", &len);
    sb_decode_opts_t opts = {.max_pixels = 5999};
    sb_error_t e = {0};
    sb_image_t img = {0};
    cr_assert_eq(sb_io_decode(png, len, &opts, &img, NULL, &e), SB_ERR_IMAGE_TOO_LARGE);
    cr_assert_not_null(strstr(e.message, "6000"), "%s", e.message);
    cr_assert_not_null(strstr(e.message, "5999"), "%s", e.message);
    opts.max_pixels = 6000;
    cr_assert_eq(sb_io_decode(png, len, &opts, &img, NULL, &e), SB_OK, "%s", e.message);
    sb_image_free(&img);
    g_free(png);
    g_object_unref(im);
}

Test(io, truncated_files_are_corrupt)
{
    VipsImage *noise = NULL, *u8 = NULL;
    cr_assert_eq(vips_gaussnoise(&noise, 256, 256, "mean", 128.0, "sigma", 50.0, NULL), 0);
    cr_assert_eq(vips_cast_uchar(noise, &u8, NULL), 0);
    const char *suffixes[] = {".jpg[Q=90]", ".png", ".webp"};
    for (int i = 0; i < 3; i++) {
        size_t len;
        uint8_t *buf = save(u8, suffixes[i], &len);
        sb_error_t e = {0};
        sb_image_t img = {0};
        cr_assert_eq(decode(buf, len, 0, &img, NULL, &e), SB_OK, "%s whole: %s", suffixes[i], e.message);
        sb_image_free(&img);
        assert_refused(buf, len / 2, SB_ERR_CORRUPT_IMAGE, NULL);
        g_free(buf);
    }
    g_object_unref(u8), g_object_unref(noise);
}

Test(io, text_file_named_jpg_is_unsupported)
{
    char dir[] = "/tmp/sb_test_io_XXXXXX", path[64];
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/photo.jpg", dir);
    FILE *f = fopen(path, "w");
    fputs("this is not a photo\n", f);
    fclose(f);
    uint8_t *buf;
    size_t len;
    sb_error_t e = {0};
    cr_assert_eq(sb_io_read_file(path, 1 << 20, &buf, &len, &e), SB_OK, "%s", e.message);
    assert_refused(buf, len, SB_ERR_UNSUPPORTED_FORMAT, "JPEG, PNG, WebP or HEIC");
    assert_refused(buf, 0, SB_ERR_UNSUPPORTED_FORMAT, NULL);
    free(buf);
    unlink(path);
    rmdir(dir);
}

Test(io, svg_tiff_gif_bmp_avif_are_unsupported)
{
    static const char svg[] = "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"40\" "
                              "height=\"40\"><rect width=\"40\" height=\"40\" fill=\"red\"/></svg>\n";
    assert_refused(svg, sizeof svg - 1, SB_ERR_UNSUPPORTED_FORMAT, "SVG");
    VipsImage *im = marker(40, 30);
    size_t len;
    uint8_t *tif = save(im, ".tif", &len);
    assert_refused(tif, len, SB_ERR_UNSUPPORTED_FORMAT, "TIFF is not supported");
    /* Blocked process-wide, not only refused by sb_io_decode. */
    cr_assert_null(vips_image_new_from_buffer(tif, len, "", NULL));
    cr_assert_not_null(strstr(vips_error_buffer(), "blocked"), "%s", vips_error_buffer());
    vips_error_clear();
    g_free(tif);
    uint8_t *gif = save(im, ".gif", &len);
    assert_refused(gif, len, SB_ERR_UNSUPPORTED_FORMAT, "GIF");
    g_free(gif);
    /* BMP is only known to the ImageMagick loader, which must stay blocked too. */
    uint8_t bmp[70] = {'B', 'M', 70, 0, 0, 0, 0, 0, 0, 0, 54, 0, 0, 0, 40, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 1, 0, 24};
    bmp[34] = 16;
    assert_refused(bmp, sizeof bmp, SB_ERR_UNSUPPORTED_FORMAT, "JPEG, PNG, WebP or HEIC");
    cr_assert_null(vips_image_new_from_buffer(bmp, sizeof bmp, "", NULL));
    vips_error_clear();
    void *avif = NULL;
    if (vips_heifsave_buffer(im, &avif, &len, "compression", VIPS_FOREIGN_HEIF_COMPRESSION_AV1, NULL) == 0) {
        assert_refused(avif, len, SB_ERR_UNSUPPORTED_FORMAT, "AVIF");
        g_free(avif);
    } else {
        vips_error_clear();
    }
    g_object_unref(im);
}

/* A PNG that is only a header (no pixel data a decoder could use): whatever it is refused with, it was
 * refused before decoding; a decode would fail as corrupt. */
static size_t header_only_png(uint8_t png[128], uint32_t w, uint32_t h)
{
    uint8_t ihdr[13] = {0};
    static const uint8_t empty_zlib[] = {0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01};
    memcpy(png, "\x89PNG\r\n\x1a\n", 8);
    put32(ihdr, w), put32(ihdr + 4, h);
    ihdr[8] = 8, ihdr[9] = 2;
    size_t n = 8;
    n += png_chunk(png + n, "IHDR", ihdr, sizeof ihdr);
    n += png_chunk(png + n, "IDAT", empty_zlib, sizeof empty_zlib);
    n += png_chunk(png + n, "IEND", NULL, 0);
    return n;
}

/* Issue 12: a 4000x1 JPEG was shrunk on load by a factor chosen from its long side, its short side
 * became 0 and libvips aborted the process (SIGABRT). Every thin size is now refused from the header,
 * as JPEG and as PNG, whatever the working size. */
Test(io, thin_images_are_refused_from_the_header_without_abort)
{
    static const int sizes[][2] = {{4000, 1}, {65000, 1}, {1, 8000}, {65000, 2}, {40000, 3}, {3, 40000}, {1001, 10}};
    const char *suffixes[] = {".jpg", ".png"};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        for (size_t k = 0; k < 2; k++) {
            VipsImage *black = NULL;
            cr_assert_eq(vips_black(&black, sizes[i][0], sizes[i][1], "bands", 3, NULL), 0);
            size_t len;
            uint8_t *buf = save(black, suffixes[k], &len);
            char size[32];
            snprintf(size, sizeof size, "%dx%d", sizes[i][0], sizes[i][1]);
            sb_image_info_t info;
            sb_error_t e = {0};
            cr_assert_eq(sb_io_probe(buf, len, &info, &e), SB_OK, "%s %s: %s", size, suffixes[k], e.message);
            cr_assert_eq(sb_io_check(&info, NULL, &e), SB_ERR_IMAGE_TOO_SMALL, "%s %s", size, suffixes[k]);
            cr_assert_str_eq(e.field, "image");
            cr_assert_not_null(strstr(e.message, size), "%s", e.message);
            const int sides[] = {0, 1024, 256, 16};
            for (size_t s = 0; s < sizeof sides / sizeof sides[0]; s++) {
                sb_image_t img = {0};
                cr_assert_eq(decode(buf, len, sides[s], &img, NULL, &e), SB_ERR_IMAGE_TOO_SMALL, "%s %s max_side %d",
                             size, suffixes[k], sides[s]);
                cr_assert_null(img.data);
            }
            g_free(buf);
            g_object_unref(black);
        }
    /* From the header alone: this PNG has no pixels to decode. */
    uint8_t png[128];
    size_t n = header_only_png(png, 65000, 2);
    assert_refused(png, n, SB_ERR_IMAGE_TOO_SMALL, "65000x2");
}

/* A thin image that is still allowed (100:1) shrinks to a short side of at least 1 pixel, never 0, on
 * the JPEG path (libjpeg shrink plus resize) and the others. 700x7 into 64 px: the target's short side is
 * 1, ceil(7 / 8) = 1 allowed a shrink of 8, and libvips' floor(7 / 8) = 0 aborted the process (fuzz_image). */
Test(io, shrinking_a_thin_image_keeps_each_side_at_least_one)
{
    static const struct {
        int w, h, max_side, want_w, want_h;
    } cases[] = {{1000, 10, 16, 16, 1}, {10, 1000, 16, 1, 16}, {2000, 20, 256, 256, 3}, {1000, 10, 1024, 1000, 10},
                 {2000, 20, 1, 1, 1}, {700, 7, 64, 64, 1}, {7, 700, 64, 1, 64}};
    const char *suffixes[] = {".jpg", ".png", ".webp"};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        for (size_t k = 0; k < 3; k++) {
            VipsImage *black = NULL;
            cr_assert_eq(vips_black(&black, cases[i].w, cases[i].h, "bands", 3, NULL), 0);
            size_t len;
            uint8_t *buf = save(black, suffixes[k], &len);
            sb_error_t e = {0};
            sb_image_t img = {0};
            cr_assert_eq(decode(buf, len, cases[i].max_side, &img, NULL, &e), SB_OK, "%dx%d%s: %s", cases[i].w,
                         cases[i].h, suffixes[k], e.message);
            cr_assert_eq(img.width, cases[i].want_w, "%dx%d%s to %d: width %d", cases[i].w, cases[i].h, suffixes[k],
                         cases[i].max_side, img.width);
            cr_assert_eq(img.height, cases[i].want_h, "%dx%d%s to %d: height %d", cases[i].w, cases[i].h,
                         suffixes[k], cases[i].max_side, img.height);
            sb_image_free(&img);
            g_free(buf);
            g_object_unref(black);
        }
}

/* The minimum side is a header rule too: refused before any pixel is decoded, named with its size. */
Test(io, min_side_is_checked_from_the_header)
{
    uint8_t png[128];
    size_t n = header_only_png(png, 150, 180);
    sb_decode_opts_t opts = {.min_side = 200};
    sb_error_t e = {0};
    sb_image_t img = {0};
    cr_assert_eq(sb_io_decode(png, n, &opts, &img, NULL, &e), SB_ERR_IMAGE_TOO_SMALL);
    cr_assert_not_null(strstr(e.message, "150x180"), "%s", e.message);
    cr_assert_not_null(strstr(e.message, "200x200"), "%s", e.message);
    /* Under the minimum it would have been decoded (and found to have no pixels). */
    opts.min_side = 150;
    cr_assert_eq(sb_io_decode(png, n, &opts, &img, NULL, &e), SB_ERR_CORRUPT_IMAGE, "%s", e.message);
    /* The upright size is the one named: stored 300x150 with orientation 6 is 150x300. */
    VipsImage *up = marker(150, 300), *st = stored_for(up, 6);
    size_t len;
    uint8_t *jpg = save(st, ".jpg", &len);
    opts.min_side = 200;
    cr_assert_eq(sb_io_decode(jpg, len, &opts, &img, NULL, &e), SB_ERR_IMAGE_TOO_SMALL);
    cr_assert_not_null(strstr(e.message, "150x300"), "%s", e.message);
    g_free(jpg);
    g_object_unref(st), g_object_unref(up);
}

/* Replace every `from` four-character code in the ftyp box (the first box) of a HEIF file by `to`. */
static void patch_brands(uint8_t *buf, size_t len, const char *from, const char *to)
{
    size_t ftyp = (size_t)buf[0] << 24 | (size_t)buf[1] << 16 | (size_t)buf[2] << 8 | buf[3];
    cr_assert(len >= ftyp && ftyp >= 16 && !memcmp(buf + 4, "ftyp", 4));
    for (size_t i = 8; i + 4 <= ftyp; i += 4)
        if (!memcmp(buf + i, from, 4))
            memcpy(buf + i, to, 4);
}

/* Issue 12: an AVIF file whose brands say "heic" reached the AV1 decoder (libvips names the
 * compression from the brand). It is refused by its content, its av01 items. */
Test(io, avif_relabelled_as_heic_is_refused_by_content)
{
    sb_image_t src = {0};
    gradient(&src, 64, 48, 3);
    VipsImage *im = from_pixels(src.data, 64, 48, 3);
    void *avif = NULL;
    size_t len;
    if (vips_heifsave_buffer(im, &avif, &len, "compression", VIPS_FOREIGN_HEIF_COMPRESSION_AV1, NULL)) {
        vips_error_clear();
        g_object_unref(im);
        sb_image_free(&src);
        cr_skip_test("libheif here has no AV1 encoder");
    }
    patch_brands(avif, len, "avif", "heic");
    cr_assert(!memcmp((uint8_t *)avif + 8, "heic", 4), "the major brand is heic now");
    /* What fooled the old check: libvips believes the brand. */
    VipsImage *hdr = vips_image_new_from_buffer(avif, len, "", NULL);
    if (hdr) {
        const char *compression = NULL;
        if (!vips_image_get_string(hdr, "heif-compression", &compression))
            cr_log_info("libvips calls the relabelled AVIF '%s'", compression);
        g_object_unref(hdr);
    }
    vips_error_clear();
    assert_refused(avif, len, SB_ERR_UNSUPPORTED_FORMAT, "AVIF");
    sb_image_info_t info;
    sb_error_t e = {0};
    cr_assert_eq(sb_io_probe(avif, len, &info, &e), SB_ERR_UNSUPPORTED_FORMAT);
    g_free(avif);

    /* A real HEIC (when libheif here can write HEVC) is not refused by the same check. */
    void *heic = NULL;
    if (vips_heifsave_buffer(im, &heic, &len, "compression", VIPS_FOREIGN_HEIF_COMPRESSION_HEVC, NULL) == 0) {
        sb_image_t img = {0};
        cr_assert_eq(decode(heic, len, 0, &img, &info, &e), SB_OK, "%s", e.message);
        cr_assert_eq(info.format, SB_FMT_HEIC);
        sb_image_free(&img);
        /* Cut inside its meta box: damaged, not decoded. */
        assert_refused(heic, 60, SB_ERR_CORRUPT_IMAGE, NULL);
        g_free(heic);
    } else {
        vips_error_clear();
        cr_log_warn("libheif here has no HEVC encoder: the HEIC half is skipped");
    }
    g_object_unref(im);
    sb_image_free(&src);
}

/* Replace every occurrence of four bytes `from` in buf by `to`; returns how many. */
static int patch_all(uint8_t *buf, size_t len, const char *from, const char *to)
{
    int n = 0;
    for (size_t i = 0; i + 4 <= len; i++)
        if (!memcmp(buf + i, from, 4))
            memcpy(buf + i, to, 4), n++;
    return n;
}

/* heif.c reads untrusted boxes: every prefix of a real file is judged without reading past it, an AV1
 * configuration alone (the items relabelled hvc1) still means AVIF, and another codec is named. */
Test(io, heif_boxes_are_read_safely_and_by_content)
{
    sb_image_t src = {0};
    gradient(&src, 64, 48, 3);
    VipsImage *im = from_pixels(src.data, 64, 48, 3);
    void *avif = NULL;
    size_t len;
    if (vips_heifsave_buffer(im, &avif, &len, "compression", VIPS_FOREIGN_HEIF_COMPRESSION_AV1, NULL)) {
        vips_error_clear();
        g_object_unref(im);
        sb_image_free(&src);
        cr_skip_test("libheif here has no AV1 encoder");
    }
    sb_error_t e = {0};
    for (size_t n = 0; n <= len; n++) {
        uint8_t *prefix = malloc(n ? n : 1); /* exactly n bytes: a read past them is a heap overflow */
        memcpy(prefix, avif, n);
        sb_err err = sb_heif_check_hevc(prefix, n, &e);
        cr_assert(err == SB_ERR_CORRUPT_IMAGE || err == SB_ERR_UNSUPPORTED_FORMAT, "prefix %zu: %d", n, err);
        free(prefix);
    }
    uint8_t *copy = malloc(len);
    memcpy(copy, avif, len);
    cr_assert_gt(patch_all(copy, len, "av01", "hvc1"), 0);
    cr_assert_eq(sb_heif_check_hevc(copy, len, &e), SB_ERR_UNSUPPORTED_FORMAT);
    cr_assert_not_null(strstr(e.message, "AVIF"), "%s", e.message);
    memcpy(copy, avif, len);
    cr_assert_gt(patch_all(copy, len, "av01", "vvc1"), 0);
    cr_assert_gt(patch_all(copy, len, "av1C", "vvcC"), 0);
    cr_assert_eq(sb_heif_check_hevc(copy, len, &e), SB_ERR_UNSUPPORTED_FORMAT);
    cr_assert_not_null(strstr(e.message, "vvc1"), "%s", e.message);
    free(copy);
    g_free(avif);
    g_object_unref(im);
    sb_image_free(&src);
}
