/* test_io.c - decoding to upright sRGB: EXIF orientations, Adobe RGB, CMYK and greyscale with their
 * profiles, ICC descriptions, the common sRGB profile taken as is. On images the tests make themselves
 * (refusals: test_io_refusals.c; encoding and formats: test_io_encode.c; resampling: test_resample.c). */
#include <math.h>
#include <string.h>
#include <vips/vips.h>

#include "image/icc.h"
#include "image/io.h"
#include "image_fixture.h"
#include "testutil.h"

static void setup(void)
{
    sb_error_t e = {0};
    cr_assert_eq(sb_io_init("test_io", &e), SB_OK, "%s", e.message);
}

TestSuite(io, .init = setup);

/* ---- helpers ---- */

static void put_xyz(uint8_t *p, double x, double y, double z)
{
    memcpy(p, "XYZ \0\0\0\0", 8);
    put32(p + 8, (uint32_t)(int32_t)lround(x * 65536.0));
    put32(p + 12, (uint32_t)(int32_t)lround(y * 65536.0));
    put32(p + 16, (uint32_t)(int32_t)lround(z * 65536.0));
}

/* A matrix/TRC RGB display profile with Adobe RGB (1998) primaries (D50-adapted colorants, gamma
 * 563/256), built by hand so the test needs no profile files. `v4` stores the description as 'mluc'
 * (UTF-16BE) instead of the v2 textDescriptionType. Returns the size written into `out` (>= 512). */
static size_t adobe_rgb_profile(uint8_t *out, int v4, const char *desc)
{
    static const char *const sigs[] = {"desc", "wtpt", "rXYZ", "gXYZ", "bXYZ", "rTRC", "gTRC", "bTRC"};
    size_t n = strlen(desc), at = 132 + 8 * 12, offs[8], sizes[8];
    memset(out, 0, 512);
    offs[0] = at;
    if (v4) {
        memcpy(out + at, "mluc", 4);
        put32(out + at + 8, 1);
        put32(out + at + 12, 12);
        memcpy(out + at + 16, "enUS", 4);
        put32(out + at + 20, (uint32_t)(2 * n));
        put32(out + at + 24, 28);
        for (size_t i = 0; i < n; i++)
            out[at + 28 + 2 * i + 1] = (uint8_t)desc[i];
        sizes[0] = 28 + 2 * n;
    } else {
        memcpy(out + at, "desc", 4);
        put32(out + at + 8, (uint32_t)(n + 1));
        memcpy(out + at + 12, desc, n);
        sizes[0] = 12 + n + 1 + 8 + 3 + 67; /* ASCII, empty Unicode and ScriptCode parts */
    }
    at += (sizes[0] + 3) & ~(size_t)3;
    static const double xyz[4][3] = {
        {0.9642, 1.0, 0.8249}, {0.6097, 0.3111, 0.0195}, {0.2053, 0.6257, 0.0609}, {0.1492, 0.0632, 0.7446}};
    for (int i = 0; i < 4; i++, at += 20) {
        put_xyz(out + at, xyz[i][0], xyz[i][1], xyz[i][2]);
        offs[1 + i] = at, sizes[1 + i] = 20;
    }
    memcpy(out + at, "curv\0\0\0\0\0\0\0\1\x02\x33", 14);
    for (int i = 5; i < 8; i++)
        offs[i] = at, sizes[i] = 14;
    at += 16;

    put32(out, (uint32_t)at);
    put32(out + 8, v4 ? 0x04300000 : 0x02100000);
    memcpy(out + 12, "mntrRGB XYZ ", 12);
    memcpy(out + 36, "acsp", 4);
    put32(out + 68, 63190), put32(out + 72, 65536), put32(out + 76, 54061); /* D50 */
    put32(out + 128, 8);
    for (int i = 0; i < 8; i++) {
        memcpy(out + 132 + 12 * i, sigs[i], 4);
        put32(out + 136 + 12 * i, (uint32_t)offs[i]);
        put32(out + 140 + 12 * i, (uint32_t)sizes[i]);
    }
    return at;
}

/* ---- orientation ---- */

Test(io, exif_orientation_1_to_8_decodes_upright)
{
    VipsImage *up = marker(64, 48);
    for (int n = 1; n <= 8; n++) {
        VipsImage *st = stored_for(up, n);
        size_t len;
        uint8_t *jpg = save(st, ".jpg[Q=95]", &len);
        sb_error_t e = {0};
        sb_image_t img = {0};
        sb_image_info_t info;
        cr_assert_eq(decode(jpg, len, 0, &img, &info, &e), SB_OK, "orientation %d: %s", n, e.message);
        cr_assert_eq(info.orientation, n);
        cr_assert_eq(info.width, n >= 5 ? 48 : 64, "orientation %d stored width %d", n, info.width);
        cr_assert_eq(img.width, 64, "orientation %d: %dx%d", n, img.width, img.height);
        cr_assert_eq(img.height, 48);
        cr_assert_eq(img.bands, 3);
        cr_assert(is_red(px(&img, 16, 12)), "orientation %d: top-left not red", n);
        cr_assert(!is_red(px(&img, 48, 12)), "orientation %d: top-right red", n);
        cr_assert(!is_red(px(&img, 16, 36)), "orientation %d: bottom-left red", n);
        cr_assert(!is_red(px(&img, 48, 36)), "orientation %d: bottom-right red", n);
        sb_image_free(&img);
        g_free(jpg);
        g_object_unref(st);
    }
    g_object_unref(up);
}

/* ---- colour ---- */

static uint8_t *green_png(const uint8_t *profile, size_t profile_len, size_t *len)
{
    uint8_t px3[16 * 16 * 3];
    for (size_t i = 0; i < sizeof px3; i += 3)
        px3[i] = 40, px3[i + 1] = 200, px3[i + 2] = 40;
    VipsImage *im = from_pixels(px3, 16, 16, 3);
    if (profile)
        vips_image_set_blob_copy(im, VIPS_META_ICC_NAME, profile, profile_len);
    uint8_t *png = save(im, ".png", len);
    g_object_unref(im);
    return png;
}

Test(io, adobe_rgb_converts_to_srgb)
{
    uint8_t profile[512];
    size_t plen = adobe_rgb_profile(profile, 0, "Adobe RGB (1998) compatible");
    size_t tagged_len, plain_len;
    uint8_t *tagged = green_png(profile, plen, &tagged_len), *plain = green_png(NULL, 0, &plain_len);
    sb_error_t e = {0};
    sb_image_t a = {0}, b = {0};
    sb_image_info_t ia, ib;
    cr_assert_eq(decode(tagged, tagged_len, 0, &a, &ia, &e), SB_OK, "%s", e.message);
    cr_assert_eq(decode(plain, plain_len, 0, &b, &ib, &e), SB_OK, "%s", e.message);
    cr_assert_str_eq(ia.icc, "Adobe RGB (1998) compatible");
    cr_assert_str_eq(ib.icc, "");
    const uint8_t *pa = px(&a, 8, 8), *pb = px(&b, 8, 8);
    cr_assert(pb[0] == 40 && pb[1] == 200 && pb[2] == 40, "untagged changed: %d %d %d", pb[0], pb[1], pb[2]);
    /* Adobe RGB (40,200,40) lies outside sRGB: red and blue go to about 0 once converted. */
    cr_assert(pa[0] < 20 && pa[2] < 20 && abs(pa[1] - 200) < 12, "Adobe RGB gave %d %d %d", pa[0], pa[1], pa[2]);
    sb_image_free(&a), sb_image_free(&b);
    g_free(tagged), g_free(plain);
}

static uint8_t *cmyk_red_jpeg(int tagged, size_t *len)
{
    uint8_t px4[32 * 32 * 4];
    for (size_t i = 0; i < sizeof px4; i += 4)
        px4[i] = 0, px4[i + 1] = 230, px4[i + 2] = 230, px4[i + 3] = 0;
    VipsImage *raw = from_pixels(px4, 32, 32, 4), *cmyk = NULL;
    cr_assert_eq(vips_copy(raw, &cmyk, "interpretation", VIPS_INTERPRETATION_CMYK, NULL), 0);
    if (tagged) {
        VipsBlob *blob = NULL;
        cr_assert_eq(vips_profile_load("cmyk", &blob, NULL), 0);
        vips_image_set_blob_copy(cmyk, VIPS_META_ICC_NAME, VIPS_AREA(blob)->data, VIPS_AREA(blob)->length);
        vips_area_unref(VIPS_AREA(blob));
    }
    uint8_t *jpg = save(cmyk, ".jpg[Q=95]", len);
    g_object_unref(cmyk), g_object_unref(raw);
    return jpg;
}

Test(io, cmyk_jpeg_converts_to_rgb)
{
    for (int tagged = 0; tagged <= 1; tagged++) {
        size_t len;
        uint8_t *jpg = cmyk_red_jpeg(tagged, &len);
        sb_error_t e = {0};
        sb_image_t img = {0};
        sb_image_info_t info;
        cr_assert_eq(decode(jpg, len, 0, &img, &info, &e), SB_OK, "%s", e.message);
        cr_assert_eq(img.bands, 3);
        cr_assert_eq(info.icc[0] != '\0', tagged, "icc '%s'", info.icc);
        const uint8_t *p = px(&img, 16, 16);
        cr_assert(is_red(p), "%s CMYK red gave %d %d %d", tagged ? "tagged" : "untagged", p[0], p[1], p[2]);
        sb_image_free(&img);
        g_free(jpg);
    }
}

Test(io, icc_description_v2_v4_and_damaged)
{
    uint8_t profile[512];
    char out[128];
    size_t len = adobe_rgb_profile(profile, 0, "Adobe RGB (1998)");
    sb_icc_description(profile, len, out, sizeof out);
    cr_assert_str_eq(out, "Adobe RGB (1998)");
    len = adobe_rgb_profile(profile, 1, "Display P3");
    sb_icc_description(profile, len, out, sizeof out);
    cr_assert_str_eq(out, "Display P3");
    char small[6];
    sb_icc_description(profile, len, small, sizeof small);
    cr_assert_str_eq(small, "Displ");
    /* Cut inside the tag, a tag offset past the end, a huge tag count: never read outside, say "". */
    sb_icc_description(profile, 240, out, sizeof out);
    cr_assert_str_eq(out, "");
    put32(profile + 136, 100000);
    sb_icc_description(profile, len, out, sizeof out);
    cr_assert_str_eq(out, "");
    put32(profile + 128, 0xFFFFFFFFu);
    sb_icc_description(profile, len, out, sizeof out);
    cr_assert_str_eq(out, "");
    sb_icc_description(profile, 20, out, sizeof out);
    cr_assert_str_eq(out, "");
    VipsBlob *srgb = NULL;
    cr_assert_eq(vips_profile_load("srgb", &srgb, NULL), 0);
    sb_icc_description(VIPS_AREA(srgb)->data, VIPS_AREA(srgb)->length, out, sizeof out);
    cr_assert_str_eq(out, "sRGB");
    vips_area_unref(VIPS_AREA(srgb));
}

/* ---- greyscale with an RGB profile ---- */

/* Issue 13: a greyscale JPEG that carries an RGB ICC profile (seen from some scanners and editors) was
 * refused as corrupt_image because libvips cannot convert 1 band through an RGB profile. It decodes,
 * the profile ignored, the grey taken as sRGB. */
Test(io, greyscale_jpeg_with_an_rgb_profile_decodes)
{
    VipsImage *black = NULL, *grey = NULL, *bw = NULL;
    cr_assert_eq(vips_black(&black, 64, 48, NULL), 0);
    cr_assert_eq(vips_linear1(black, &grey, 1.0, 90.0, "uchar", TRUE, NULL), 0);
    cr_assert_eq(vips_copy(grey, &bw, "interpretation", VIPS_INTERPRETATION_B_W, NULL), 0);
    size_t jlen;
    uint8_t *jpg = save(bw, ".jpg[Q=95]", &jlen);
    /* libvips will not write an RGB profile into a 1-band JPEG, so the APP2 ICC_PROFILE segment is put
     * in by hand, after SOI. */
    VipsBlob *srgb = NULL;
    cr_assert_eq(vips_profile_load("srgb", &srgb, NULL), 0);
    size_t plen = VIPS_AREA(srgb)->length, seg = 2 + 14 + plen;
    cr_assert_lt(seg, 65535);
    uint8_t *file = malloc(jlen + 2 + seg);
    memcpy(file, jpg, 2);
    uint8_t *p = file + 2;
    *p++ = 0xFF, *p++ = 0xE2, *p++ = (uint8_t)(seg >> 8), *p++ = (uint8_t)seg;
    memcpy(p, "ICC_PROFILE\0\1\1", 14);
    memcpy(p + 14, VIPS_AREA(srgb)->data, plen);
    memcpy(p + 14 + plen, jpg + 2, jlen - 2);
    size_t len = jlen + 2 + seg;

    sb_image_info_t info;
    sb_error_t e = {0};
    sb_image_t img = {0};
    cr_assert_eq(sb_io_probe(file, len, &info, &e), SB_OK, "%s", e.message);
    cr_assert_str_eq(info.icc, "sRGB", "the profile is there");
    cr_assert_eq(sb_io_decode(file, len, NULL, &img, &info, &e), SB_OK, "%s", e.message);
    cr_assert_eq(info.icc_ignored, 1);
    cr_assert_eq(img.width, 64);
    cr_assert_eq(img.height, 48);
    const uint8_t *c = px(&img, 32, 24);
    cr_assert(abs(c[0] - 90) <= 2 && c[0] == c[1] && c[1] == c[2], "grey 90 stays grey: %d %d %d", c[0], c[1], c[2]);
    sb_image_free(&img);
    free(file);
    vips_area_unref(VIPS_AREA(srgb));
    g_free(jpg);
    g_object_unref(bw), g_object_unref(grey), g_object_unref(black);
}

/* ---- the common sRGB profile ---- */

/* The common sRGB IEC61966-2.1 profile (HP and Microsoft's, carried by the shared test photo) is taken
 * as it is, without a conversion: a PNG tagged with it decodes to exactly its pixels; the same profile
 * with one byte changed is converted like any other. */
Test(io, standard_srgb_profile_is_taken_as_is)
{
    char path[512];
    TU_SHARED_PATH_OR_SKIP(path, "testdata/faces/u2net_young_man.jpg");
    VipsImage *photo = vips_image_new_from_file(path, NULL);
    cr_assert(photo);
    const void *icc = NULL;
    size_t icc_len = 0;
    cr_assert_eq(vips_image_get_blob(photo, VIPS_META_ICC_NAME, &icc, &icc_len), 0);
    cr_assert(sb_icc_is_plain_srgb(icc, icc_len));
    uint8_t *changed = g_memdup2(icc, icc_len);
    changed[icc_len / 2] ^= 1;
    cr_assert_not(sb_icc_is_plain_srgb(changed, icc_len));
    cr_assert_not(sb_icc_is_plain_srgb(icc, icc_len - 1));
    VipsBlob *srgb = NULL;
    cr_assert_eq(vips_profile_load("srgb", &srgb, NULL), 0);
    cr_assert_not(sb_icc_is_plain_srgb(VIPS_AREA(srgb)->data, VIPS_AREA(srgb)->length));
    vips_area_unref(VIPS_AREA(srgb));

    uint8_t px3[16 * 16 * 3];
    for (size_t i = 0; i < sizeof px3; i++)
        px3[i] = (uint8_t)(i * 37 % 256);
    /* A colour the conversion to libvips' sRGB profile moves (to 0, 208, 0). */
    px3[0] = 1, px3[1] = 208, px3[2] = 0;
    VipsImage *im = from_pixels(px3, 16, 16, 3);
    vips_image_set_blob_copy(im, VIPS_META_ICC_NAME, icc, icc_len);
    size_t len;
    uint8_t *png = save(im, ".png", &len);
    sb_error_t e = {0};
    sb_image_t out = {0};
    sb_image_info_t info;
    cr_assert_eq(decode(png, len, 0, &out, &info, &e), SB_OK, "%s", e.message);
    cr_assert_str_eq(info.icc, "sRGB IEC61966-2.1");
    cr_assert_eq(memcmp(out.data, px3, sizeof px3), 0);
    sb_image_free(&out);
    g_free(png), g_free(changed);
    g_object_unref(im), g_object_unref(photo);
}
