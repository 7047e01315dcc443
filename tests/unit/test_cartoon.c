/* The anime style (CartoonGAN) on a real face, at small net sides so the suite runs in seconds. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "image/io.h"
#include "image/resample.h"
#include "render/cartoon.h"
#include "testutil.h"

#define SIDE 128

/* Floors on the mean absolute difference per sample (0..255), about half of what this face measures at
 * SIDE (photo vs hosoda 43.3, hosoda vs hayao 40.0) and far above what a mere resampling or a mild
 * filter changes (a few levels). */
#define FLOOR_STYLE 20.0
#define FLOOR_VARIANTS 15.0

static double mean_abs_diff(const sb_image_t *a, const sb_image_t *b)
{
    cr_assert(a->width == b->width && a->height == b->height && a->bands == b->bands);
    size_t n = (size_t)a->width * a->height * a->bands;
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += abs((int)a->data[i] - (int)b->data[i]);
    return s / n;
}

/* A real face (the Obama identity photo, longest side 256, not square) and an open cartoonizer, or skip. */
static void setup(sb_cartoon_variant v, sb_image_t *face, sb_cartoon_t **c)
{
    char path[1024];
    TU_SHARED_PATH_OR_SKIP(path, "models/anime_style/cartoongan_hosoda.onnx");
    TU_SHARED_PATH_OR_SKIP(path, "testdata/identity/fr_obama.jpg");
    sb_error_t e = {0};
    cr_assert_eq(sb_io_init(NULL, &e), SB_OK, "%s", e.message);
    size_t len;
    uint8_t *buf = tu_read(path, &len);
    sb_decode_opts_t o = {.max_side = 256};
    cr_assert_eq(sb_io_decode(buf, len, &o, face, NULL, &e), SB_OK, "%s", e.message);
    free(buf);
    cr_assert_eq(sb_cartoon_open(v, c, &e), SB_OK, "%s", e.message);
}

/* The face cut to a centred square of `n` pixels: the aligned crop's shape. */
static void square(const sb_image_t *face, int n, sb_image_t *out)
{
    cr_assert_eq(sb_image_resize(face, n, n, out, NULL), SB_OK);
}

Test(cartoon, same_size_and_deterministic)
{
    sb_image_t face, sq, a, b;
    sb_cartoon_t *c;
    sb_error_t e = {0};
    setup(SB_CARTOON_HOSODA, &face, &c);
    square(&face, 200, &sq);
    cr_assert_eq(sb_cartoon_apply(c, &sq, SIDE, 1.0f, &a, &e), SB_OK, "%s", e.message);
    cr_assert_eq(sb_cartoon_apply(c, &sq, SIDE, 1.0f, &b, &e), SB_OK, "%s", e.message);
    cr_assert(a.width == 200 && a.height == 200 && a.bands == 3, "%dx%dx%d", a.width, a.height, a.bands);
    cr_assert(!memcmp(a.data, b.data, (size_t)200 * 200 * 3), "two runs differ");
    sb_image_free(&a);
    sb_image_free(&b);
    sb_image_free(&sq);
    sb_image_free(&face);
    sb_cartoon_close(c);
}

Test(cartoon, intensity_moves_from_the_photo_to_the_style)
{
    sb_image_t face, sq, zero, half, full;
    sb_cartoon_t *c;
    sb_error_t e = {0};
    setup(SB_CARTOON_HOSODA, &face, &c);
    square(&face, 200, &sq);
    cr_assert_eq(sb_cartoon_apply(c, &sq, SIDE, 0.0f, &zero, &e), SB_OK, "%s", e.message);
    cr_assert_eq(sb_cartoon_apply(c, &sq, SIDE, 0.5f, &half, &e), SB_OK, "%s", e.message);
    cr_assert_eq(sb_cartoon_apply(c, &sq, SIDE, 1.0f, &full, &e), SB_OK, "%s", e.message);
    cr_assert(!memcmp(zero.data, sq.data, (size_t)200 * 200 * 3), "intensity 0 must return the photo");
    double d_full = mean_abs_diff(&sq, &full), d_half = mean_abs_diff(&sq, &half);
    cr_log_info("photo vs style: %.2f at 1, %.2f at 0.5", d_full, d_half);
    cr_assert_gt(d_full, FLOOR_STYLE, "intensity 1 is too close to the photo: %.2f", d_full);
    cr_assert(d_half > 0.4 * d_full && d_half < 0.6 * d_full, "half intensity: %.2f of %.2f", d_half, d_full);
    sb_image_free(&zero);
    sb_image_free(&half);
    sb_image_free(&full);
    sb_image_free(&sq);
    sb_image_free(&face);
    sb_cartoon_close(c);
}

Test(cartoon, hosoda_and_hayao_differ)
{
    sb_image_t face, sq, a, b;
    sb_cartoon_t *ho, *ha;
    sb_error_t e = {0};
    setup(SB_CARTOON_HOSODA, &face, &ho);
    cr_assert_eq(sb_cartoon_open(SB_CARTOON_HAYAO, &ha, &e), SB_OK, "%s", e.message);
    square(&face, 200, &sq);
    cr_assert_eq(sb_cartoon_apply(ho, &sq, SIDE, 1.0f, &a, &e), SB_OK, "%s", e.message);
    cr_assert_eq(sb_cartoon_apply(ha, &sq, SIDE, 1.0f, &b, &e), SB_OK, "%s", e.message);
    double d = mean_abs_diff(&a, &b);
    cr_log_info("hosoda vs hayao: %.2f", d);
    cr_assert_gt(d, FLOOR_VARIANTS, "the two variants look alike: %.2f", d);
    cr_assert_str_eq(sb_cartoon_variant_name(SB_CARTOON_HOSODA), "hosoda");
    cr_assert_str_eq(sb_cartoon_variant_name(SB_CARTOON_HAYAO), "hayao");
    sb_image_free(&a);
    sb_image_free(&b);
    sb_image_free(&sq);
    sb_image_free(&face);
    sb_cartoon_close(ho);
    sb_cartoon_close(ha);
}

/* A non-square photo keeps its size; and after a run at another net size the result is the one a fresh
 * cartoonizer gives (the shared session must not keep the first run's shapes). */
Test(cartoon, non_square_and_size_changes)
{
    sb_image_t face, sq, warm, a, b;
    sb_cartoon_t *c, *fresh;
    sb_error_t e = {0};
    setup(SB_CARTOON_HOSODA, &face, &c);
    cr_assert_neq(face.width, face.height, "the test needs a non-square photo");
    square(&face, 160, &sq);
    cr_assert_eq(sb_cartoon_apply(c, &sq, 96, 1.0f, &warm, &e), SB_OK, "%s", e.message);
    cr_assert_eq(sb_cartoon_apply(c, &face, SIDE, 1.0f, &a, &e), SB_OK, "%s", e.message);
    cr_assert(a.width == face.width && a.height == face.height, "%dx%d for %dx%d", a.width, a.height, face.width,
              face.height);
    cr_assert_eq(sb_cartoon_open(SB_CARTOON_HOSODA, &fresh, &e), SB_OK, "%s", e.message);
    cr_assert_eq(sb_cartoon_apply(fresh, &face, SIDE, 1.0f, &b, &e), SB_OK, "%s", e.message);
    cr_assert(!memcmp(a.data, b.data, (size_t)a.width * a.height * 3), "a reused net differs from a fresh one");
    cr_assert_gt(mean_abs_diff(&face, &a), FLOOR_STYLE);
    sb_image_free(&warm);
    sb_image_free(&a);
    sb_image_free(&b);
    sb_image_free(&sq);
    sb_image_free(&face);
    sb_cartoon_close(c);
    sb_cartoon_close(fresh);
}

Test(cartoon, bad_arguments_are_usage_errors)
{
    sb_image_t face, out = {0};
    sb_cartoon_t *c;
    setup(SB_CARTOON_HOSODA, &face, &c);
    const int sides[] = {130, 126, SB_CARTOON_SIDE_MIN - 4, SB_CARTOON_SIDE_MAX + 4, 0, -128};
    for (size_t i = 0; i < sizeof sides / sizeof *sides; i++) {
        sb_error_t e = {0};
        cr_assert_eq(sb_cartoon_apply(c, &face, sides[i], 1.0f, &out, &e), SB_ERR_USAGE, "net side %d", sides[i]);
        cr_assert_str_eq(e.field, "net_side");
        cr_assert_null(out.data);
    }
    const float bad[] = {-0.1f, 1.01f, NAN};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        sb_error_t e = {0};
        cr_assert_eq(sb_cartoon_apply(c, &face, SIDE, bad[i], &out, &e), SB_ERR_USAGE, "intensity %g", bad[i]);
        cr_assert_str_eq(e.field, "intensity");
    }
    sb_image_t grey = {.width = 8, .height = 8, .bands = 1, .data = face.data};
    sb_error_t e = {0};
    cr_assert_eq(sb_cartoon_apply(c, &grey, SIDE, 1.0f, &out, &e), SB_ERR_USAGE);
    cr_assert_str_eq(e.field, "image");
    sb_cartoon_t *none;
    cr_assert_eq(sb_cartoon_open((sb_cartoon_variant)7, &none, &e), SB_ERR_USAGE);
    cr_assert_null(none);
    cr_assert_str_eq(e.field, "variant");
    sb_image_free(&face);
    sb_cartoon_close(c);
}
