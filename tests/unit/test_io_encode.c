/* test_io_encode.c - encoding and the decode of every format strobe takes: round trips without metadata,
 * grey and RGBA, alpha flattened, 16-bit PNG, HEIC, lossless WebP, max_side, files, format names. On
 * images the tests make themselves. */
#include <dirent.h>
#include <math.h>
#include <string.h>
#include <unistd.h>
#include <vips/vips.h>

#include "image/io.h"
#include "image_fixture.h"
#include "testutil.h"

static void setup(void)
{
    sb_error_t e = {0};
    cr_assert_eq(sb_io_init("test_io_encode", &e), SB_OK, "%s", e.message);
}

TestSuite(io, .init = setup);

static void assert_close(const sb_image_t *a, const sb_image_t *b, double max_mean, int max_abs)
{
    cr_assert_eq(a->width, b->width);
    cr_assert_eq(a->height, b->height);
    cr_assert_eq(a->bands, 3);
    cr_assert_eq(b->bands, 3);
    size_t n = (size_t)a->width * a->height * 3;
    double sum = 0;
    int worst = 0;
    for (size_t i = 0; i < n; i++) {
        int d = abs(a->data[i] - b->data[i]);
        sum += d;
        worst = d > worst ? d : worst;
    }
    cr_assert_leq(sum / n, max_mean, "mean difference %.2f", sum / n);
    cr_assert_leq(worst, max_abs, "max difference %d", worst);
}

/* No EXIF, XMP or IPTC; an sRGB ICC profile. */
static void assert_clean_metadata(const uint8_t *buf, size_t len)
{
    VipsImage *im = vips_image_new_from_buffer(buf, len, "", NULL);
    cr_assert_not_null(im, "%s", vips_error_buffer());
    cr_assert_eq(vips_image_get_typeof(im, VIPS_META_EXIF_NAME), 0, "has EXIF");
    cr_assert_eq(vips_image_get_typeof(im, VIPS_META_XMP_NAME), 0, "has XMP");
    cr_assert_eq(vips_image_get_typeof(im, VIPS_META_IPTC_NAME), 0, "has IPTC");
    cr_assert_neq(vips_image_get_typeof(im, VIPS_META_ICC_NAME), 0, "no ICC profile");
    g_object_unref(im);
    sb_image_info_t info;
    sb_error_t e = {0};
    cr_assert_eq(sb_io_probe(buf, len, &info, &e), SB_OK, "%s", e.message);
    cr_assert_str_eq(info.icc, "sRGB");
}

Test(io, encode_decode_round_trips)
{
    static const struct {
        sb_format_t fmt;
        double mean;
        int max;
    } cases[] = {{SB_FMT_PNG, 0.0, 0}, {SB_FMT_JPEG, 2.5, 60}, {SB_FMT_WEBP, 3.0, 80}};
    sb_image_t src = {0};
    gradient(&src, 120, 80, 3);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t *buf;
        size_t len;
        sb_error_t e = {0};
        cr_assert_eq(sb_io_encode(&src, cases[i].fmt, 0, &buf, &len, &e), SB_OK, "%s", e.message);
        assert_clean_metadata(buf, len);
        sb_image_t back = {0};
        sb_image_info_t info;
        cr_assert_eq(decode(buf, len, 0, &back, &info, &e), SB_OK, "%s: %s", sb_format_name(cases[i].fmt),
                     e.message);
        cr_assert_eq(info.format, cases[i].fmt);
        assert_close(&src, &back, cases[i].mean, cases[i].max);
        sb_image_free(&back);
        free(buf);
    }
    sb_image_free(&src);
}

Test(io, encode_grey_rgba_and_refusals)
{
    sb_image_t grey = {0}, rgba = {0}, back = {0};
    sb_error_t e = {0};
    uint8_t *buf;
    size_t len;
    gradient(&grey, 50, 40, 1);
    cr_assert_eq(sb_io_encode(&grey, SB_FMT_PNG, 0, &buf, &len, &e), SB_OK, "%s", e.message);
    cr_assert_eq(decode(buf, len, 0, &back, NULL, &e), SB_OK, "%s", e.message);
    cr_assert_eq(back.bands, 3);
    const uint8_t *p = px(&back, 45, 5);
    cr_assert(p[0] == grey.data[5 * 50 + 45] && p[1] == p[0] && p[2] == p[0]);
    sb_image_free(&back);
    free(buf);

    /* RGBA: PNG keeps the alpha (decode flattens it onto white); JPEG flattens when encoding. */
    gradient(&rgba, 50, 40, 4);
    for (int y = 0; y < 40; y++)
        for (int x = 25; x < 50; x++)
            rgba.data[(y * 50 + x) * 4 + 3] = 0;
    sb_format_t fmts[] = {SB_FMT_PNG, SB_FMT_WEBP, SB_FMT_JPEG};
    for (int i = 0; i < 3; i++) {
        cr_assert_eq(sb_io_encode(&rgba, fmts[i], 95, &buf, &len, &e), SB_OK, "%s", e.message);
        cr_assert_eq(decode(buf, len, 0, &back, NULL, &e), SB_OK, "%s", e.message);
        p = px(&back, 40, 20);
        cr_assert(p[0] > 245 && p[1] > 245 && p[2] > 245, "%s: transparent gave %d %d %d", sb_format_name(fmts[i]),
                  p[0], p[1], p[2]);
        sb_image_free(&back);
        free(buf);
    }

    cr_assert_eq(sb_io_encode(&rgba, SB_FMT_HEIC, 0, &buf, &len, &e), SB_ERR_USAGE);
    cr_assert_eq(sb_io_encode(&rgba, SB_FMT_PNG, 101, &buf, &len, &e), SB_ERR_USAGE);
    cr_assert_null(buf);
    rgba.bands = 2;
    cr_assert_eq(sb_io_encode(&rgba, SB_FMT_PNG, 0, &buf, &len, &e), SB_ERR_USAGE);
    rgba.bands = 4;
    sb_image_free(&grey), sb_image_free(&rgba);
}

Test(io, alpha_is_flattened_to_white)
{
    uint8_t rgba[20 * 10 * 4];
    for (int i = 0; i < 200; i++) {
        uint8_t *q = rgba + 4 * i;
        q[0] = 10, q[1] = 20, q[2] = 200, q[3] = i % 20 < 10 ? 255 : 0;
    }
    VipsImage *im = from_pixels(rgba, 20, 10, 4);
    const char *suffixes[] = {".png", ".webp[lossless]"};
    for (int i = 0; i < 2; i++) {
        size_t len;
        uint8_t *buf = save(im, suffixes[i], &len);
        sb_error_t e = {0};
        sb_image_t img = {0};
        sb_image_info_t info;
        cr_assert_eq(decode(buf, len, 0, &img, &info, &e), SB_OK, "%s", e.message);
        cr_assert(info.has_alpha);
        cr_assert_eq(img.bands, 3);
        const uint8_t *opaque = px(&img, 3, 5), *clear = px(&img, 15, 5);
        cr_assert(opaque[0] == 10 && opaque[1] == 20 && opaque[2] == 200);
        cr_assert(clear[0] == 255 && clear[1] == 255 && clear[2] == 255, "%d %d %d", clear[0], clear[1], clear[2]);
        sb_image_free(&img);
        g_free(buf);
    }
    g_object_unref(im);
}

Test(io, sixteen_bit_png_decodes_to_8_bit)
{
    VipsImage *im = marker(30, 20), *scaled = NULL, *u16 = NULL, *rgb16 = NULL;
    cr_assert_eq(vips_linear1(im, &scaled, 257.0, 0.0, NULL), 0);
    cr_assert_eq(vips_cast_ushort(scaled, &u16, NULL), 0);
    cr_assert_eq(vips_copy(u16, &rgb16, "interpretation", VIPS_INTERPRETATION_RGB16, NULL), 0);
    size_t len;
    uint8_t *png = save(rgb16, ".png", &len);
    VipsImage *check = vips_image_new_from_buffer(png, len, "", NULL);
    cr_assert_eq(check->BandFmt, VIPS_FORMAT_USHORT, "the test PNG is not 16-bit");
    g_object_unref(check);
    sb_error_t e = {0};
    sb_image_t img = {0};
    cr_assert_eq(decode(png, len, 0, &img, NULL, &e), SB_OK, "%s", e.message);
    const uint8_t *p = px(&img, 2, 2);
    cr_assert(p[0] == 230 && p[1] == 20 && p[2] == 20, "%d %d %d", p[0], p[1], p[2]);
    sb_image_free(&img);
    g_free(png);
    g_object_unref(rgb16), g_object_unref(u16), g_object_unref(scaled), g_object_unref(im);
}

Test(io, heic_decodes)
{
    sb_image_t src = {0};
    gradient(&src, 128, 96, 3);
    VipsImage *im = from_pixels(src.data, 128, 96, 3);
    void *heic = NULL;
    size_t len;
    if (vips_heifsave_buffer(im, &heic, &len, "compression", VIPS_FOREIGN_HEIF_COMPRESSION_HEVC, "Q", 90, NULL)) {
        vips_error_clear();
        g_object_unref(im);
        sb_image_free(&src);
        cr_skip_test("libheif here has no HEVC encoder (heifsave failed), so no HEIC to decode");
    }
    sb_error_t e = {0};
    sb_image_t img = {0};
    sb_image_info_t info;
    cr_assert_eq(decode(heic, len, 0, &img, &info, &e), SB_OK, "%s", e.message);
    cr_assert_eq(info.format, SB_FMT_HEIC);
    assert_close(&src, &img, 4.0, 90);
    sb_image_free(&img);
    g_free(heic);
    g_object_unref(im);
    sb_image_free(&src);
}

Test(io, webp_decodes_exactly_when_lossless)
{
    sb_image_t src = {0};
    gradient(&src, 64, 48, 3);
    VipsImage *im = from_pixels(src.data, 64, 48, 3);
    size_t len;
    uint8_t *webp = save(im, ".webp[lossless]", &len);
    sb_error_t e = {0};
    sb_image_t img = {0};
    sb_image_info_t info;
    cr_assert_eq(decode(webp, len, 0, &img, &info, &e), SB_OK, "%s", e.message);
    cr_assert_eq(info.format, SB_FMT_WEBP);
    assert_close(&src, &img, 0.0, 0);
    sb_image_free(&img);
    g_free(webp);
    g_object_unref(im);
    sb_image_free(&src);
}

Test(io, max_side_shrinks_never_enlarges)
{
    VipsImage *im = marker(3000, 2000);
    size_t len;
    uint8_t *jpg = save(im, ".jpg", &len);
    sb_error_t e = {0};
    sb_image_t img = {0};
    cr_assert_eq(decode(jpg, len, 1500, &img, NULL, &e), SB_OK, "%s", e.message);
    cr_assert_eq(img.width, 1500);
    cr_assert_eq(img.height, 1000);
    cr_assert(is_red(px(&img, 100, 100)));
    sb_image_free(&img);
    cr_assert_eq(decode(jpg, len, 5000, &img, NULL, &e), SB_OK, "%s", e.message);
    cr_assert_eq(img.width, 3000);
    cr_assert_eq(img.height, 2000);
    sb_image_free(&img);
    g_free(jpg);
    g_object_unref(im);

    /* The limit applies to the upright image: stored 300x200 with orientation 6 is 200x300. */
    VipsImage *up = marker(200, 300), *st = stored_for(up, 6);
    jpg = save(st, ".jpg", &len);
    cr_assert_eq(decode(jpg, len, 150, &img, NULL, &e), SB_OK, "%s", e.message);
    cr_assert_eq(img.width, 100);
    cr_assert_eq(img.height, 150);
    cr_assert(is_red(px(&img, 20, 20)));
    sb_image_free(&img);
    g_free(jpg);
    g_object_unref(st), g_object_unref(up);
}

Test(io, read_and_write_files)
{
    char dir[] = "/tmp/sb_test_io_XXXXXX", path[64];
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/out.bin", dir);
    uint8_t data[1000];
    for (int i = 0; i < 1000; i++)
        data[i] = (uint8_t)(i * 7);
    sb_error_t e = {0};
    cr_assert_eq(sb_io_write_file(path, data, sizeof data, &e), SB_OK, "%s", e.message);
    cr_assert_eq(sb_io_write_file(path, data, sizeof data, &e), SB_OK, "overwrite: %s", e.message);
    uint8_t *back;
    size_t len;
    cr_assert_eq(sb_io_read_file(path, sizeof data, &back, &len, &e), SB_OK, "%s", e.message);
    cr_assert_eq(len, sizeof data);
    cr_assert_arr_eq(back, data, sizeof data);
    free(back);
    cr_assert_eq(sb_io_read_file(path, sizeof data - 1, &back, &len, &e), SB_ERR_IMAGE_TOO_LARGE);
    cr_assert_null(back);

    DIR *d = opendir(dir);
    int entries = 0;
    for (struct dirent *de; (de = readdir(d));)
        entries += de->d_name[0] != '.';
    closedir(d);
    cr_assert_eq(entries, 1, "temporary files left behind");

    cr_assert_eq(sb_io_read_file("/nonexistent/x.jpg", 100, &back, &len, &e), SB_ERR_IO);
    cr_assert_eq(sb_io_write_file("/nonexistent/dir/x.jpg", data, 10, &e), SB_ERR_IO);
    unlink(path);
    rmdir(dir);
}

Test(io, format_names)
{
    cr_assert_str_eq(sb_format_name(SB_FMT_JPEG), "jpeg");
    cr_assert_str_eq(sb_format_name(SB_FMT_PNG), "png");
    cr_assert_str_eq(sb_format_name(SB_FMT_WEBP), "webp");
    cr_assert_str_eq(sb_format_name(SB_FMT_HEIC), "heic");
    cr_assert_eq(sb_format_parse("jpeg"), SB_FMT_JPEG);
    cr_assert_eq(sb_format_parse("jpg"), SB_FMT_JPEG);
    cr_assert_eq(sb_format_parse("png"), SB_FMT_PNG);
    cr_assert_eq(sb_format_parse("webp"), SB_FMT_WEBP);
    cr_assert_eq(sb_format_parse("heic"), SB_FMT_HEIC);
    cr_assert_eq(sb_format_parse("gif"), SB_FMT_UNKNOWN);
    cr_assert_eq(sb_format_parse(""), SB_FMT_UNKNOWN);
}
