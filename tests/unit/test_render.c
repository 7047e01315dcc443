/* Render stages: backdrop, light, detail, composite, colour transfer. */
#include <math.h>
#include <string.h>

#include "image/colour.h"
#include "render/backdrop.h"
#include "render/composite.h"
#include "render/detail.h"
#include "render/light.h"
#include "testutil.h"

Test(colour, transfer_round_trips)
{
    sb_fimage_t img;
    sb_fimage_alloc(&img, 256, 1, 1, NULL);
    for (int i = 0; i < 256; i++)
        img.data[i] = i / 255.0f;
    sb_fimage_srgb_to_linear(&img);
    cr_assert_float_eq(img.data[128], sb_srgb_to_linear(128 / 255.0f), 1e-5);
    sb_fimage_linear_to_srgb(&img);
    for (int i = 0; i < 256; i++)
        cr_assert_float_eq(img.data[i], i / 255.0f, 2e-4, "value %d", i);
    sb_fimage_free(&img);
}

/* A 256 x 2 RGB image holding every byte value in each band, in a scrambled order (so a table's reads
 * follow the samples in place). */
static void every_byte_image(sb_image_t *px)
{
    sb_error_t e = {0};
    cr_assert_eq(sb_image_alloc(px, 256, 2, 3, &e), SB_OK);
    for (int i = 0; i < 256 * 2 * 3; i++)
        px->data[i] = (uint8_t)(i * 7 + i / 256);
}

Test(colour, bytes_to_linear_match_the_float_path_bit_for_bit)
{
    /* Every byte value in each of 3 bands, so the table's reads follow the samples in place. */
    sb_image_t px;
    sb_fimage_t want, got;
    sb_error_t e = {0};
    every_byte_image(&px);
    cr_assert_eq(sb_image_to_float(&px, &want, &e), SB_OK);
    sb_fimage_srgb_to_linear(&want);
    cr_assert_eq(sb_image_to_linear(&px, &got, &e), SB_OK, "%s", e.message);
    cr_assert_eq(got.width * got.height * got.bands, 256 * 2 * 3);
    cr_expect_eq(memcmp(got.data, want.data, sizeof(float) * 256 * 2 * 3), 0, "the same floats as the two steps");
    sb_fimage_free(&want);
    sb_fimage_free(&got);
    sb_image_free(&px);
}

/* The light from the byte table against the steps it stands for, written out: the linear floats, each
 * times its gain under the shoulder (identity to 0.8, then an exponential approach to 1), back to sRGB by
 * the table: bit for bit, for every byte value, with gains that dim, lift and clip, and unit gains. */
static float shoulder_ref(float v)
{
    const float knee = 0.8f;
    return v <= knee ? v : knee + (1 - knee) * (1 - expf(-(v - knee) / (1 - knee)));
}

Test(light, relit_from_bytes_matches_the_steps_bit_for_bit)
{
    sb_image_t px;
    sb_fimage_t lin, got;
    sb_error_t e = {0};
    every_byte_image(&px);
    const sb_light_t lights[] = {{.gain = {0.7f, 1.3f, 2.2f}}, {.gain = {1, 1, 1}}, {.gain = {1.6f, 1.6f, 0.6f}}};
    for (size_t k = 0; k < sizeof lights / sizeof *lights; k++) {
        cr_assert_eq(sb_image_to_linear(&px, &lin, &e), SB_OK);
        cr_assert_eq(sb_fimage_alloc(&got, 256, 2, 3, &e), SB_OK);
        cr_assert_eq(sb_light_apply_srgb(&px, &lights[k], &got, &e), SB_OK, "%s", e.message);
        int unit = lights[k].gain[0] == 1 && lights[k].gain[1] == 1 && lights[k].gain[2] == 1, bad = 0;
        for (int i = 0; i < 256 * 2 * 3; i++) {
            float v = unit ? lin.data[i] : shoulder_ref(lin.data[i] * lights[k].gain[i % 3]);
            lin.data[i] = v;
        }
        sb_fimage_linear_to_srgb(&lin);
        for (int i = 0; i < 256 * 2 * 3; i++)
            bad += memcmp(&got.data[i], &lin.data[i], sizeof(float)) != 0;
        cr_expect_eq(bad, 0, "light %zu: %d samples differ from the steps", k, bad);
        sb_fimage_free(&lin);
        sb_fimage_free(&got);
    }
    sb_fimage_t small;
    cr_assert_eq(sb_fimage_alloc(&small, 255, 2, 3, &e), SB_OK);
    cr_expect_eq(sb_light_apply_srgb(&px, &lights[0], &small, &e), SB_ERR_INTERNAL, "a mismatched size is refused");
    sb_fimage_free(&small);
    sb_image_free(&px);
}

Test(backdrop, deterministic_with_a_light_pool_and_vignette)
{
    sb_fimage_t a, b;
    cr_assert_eq(sb_backdrop_render(&SB_BACKDROP_STUDIO_GREY, 200, 200, &a, NULL), SB_OK);
    cr_assert_eq(sb_backdrop_render(&SB_BACKDROP_STUDIO_GREY, 200, 200, &b, NULL), SB_OK);
    cr_assert(memcmp(a.data, b.data, sizeof(float) * 200 * 200 * 3) == 0);
    float centre = a.data[(76 * 200 + 100) * 3 + 1], corner = a.data[(199 * 200 + 0) * 3 + 1];
    cr_assert_gt(centre, corner + 0.15f, "centre %.3f corner %.3f", centre, corner);
    /* Neutral: no channel differs much from another. */
    cr_assert_lt(fabsf(a.data[(76 * 200 + 100) * 3] - a.data[(76 * 200 + 100) * 3 + 2]), 0.03f);
    sb_fimage_free(&a);
    sb_fimage_free(&b);
}

static void fill(sb_fimage_t *img, int w, int h, float r, float g, float b)
{
    sb_fimage_alloc(img, w, h, 3, NULL);
    for (int i = 0; i < w * h; i++)
        img->data[i * 3] = r, img->data[i * 3 + 1] = g, img->data[i * 3 + 2] = b;
}

Test(light, brightens_a_dark_face_and_removes_a_cast_but_keeps_a_good_one)
{
    sb_ellipse_t region = {32, 32, 20, 24};
    sb_fimage_t dark;
    fill(&dark, 64, 64, 0.03f, 0.02f, 0.015f); /* underexposed skin, linear */
    sb_light_t l = sb_light_measure(&dark, NULL, region);
    cr_assert_gt(l.gain[1], 1.5f, "dark face gets brighter: gain %.2f", l.gain[1]);
    /* The photo of it (sRGB bytes) relit: brighter than its own sRGB value. */
    sb_image_t photo;
    cr_assert_eq(sb_image_alloc(&photo, 64, 64, 3, NULL), SB_OK);
    for (int i = 0; i < 64 * 64 * 3; i++)
        photo.data[i] = (uint8_t)lroundf(sb_linear_to_srgb(dark.data[i]) * 255);
    cr_assert_eq(sb_light_apply_srgb(&photo, &l, &dark, NULL), SB_OK);
    cr_assert_gt(dark.data[32 * 64 * 3 + 1], photo.data[32 * 64 * 3 + 1] / 255.0f + 0.05f);
    sb_image_free(&photo);

    sb_fimage_t blue;
    fill(&blue, 64, 64, 0.20f, 0.20f, 0.30f); /* a skin patch under a strong blue cast */
    l = sb_light_measure(&blue, NULL, region);
    cr_assert_gt(l.gain[0], l.gain[2] * 1.3f, "red up relative to blue: %.2f vs %.2f", l.gain[0], l.gain[2]);

    sb_fimage_t good;
    fill(&good, 64, 64, 0.30f, 0.20f, 0.14f); /* well exposed, natural skin */
    l = sb_light_measure(&good, NULL, region);
    for (int c = 0; c < 3; c++)
        cr_assert_float_eq(l.gain[c], 1.0f, 1e-4, "a good face is left alone");
    sb_fimage_free(&dark);
    sb_fimage_free(&blue);
    sb_fimage_free(&good);
}

Test(detail, sharpens_edges_only_where_weighted)
{
    int w = 64, h = 16;
    sb_fimage_t img, wt;
    sb_fimage_alloc(&img, w, h, 3, NULL);
    sb_fimage_alloc(&wt, w, h, 1, NULL);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            for (int c = 0; c < 3; c++)
                img.data[(y * w + x) * 3 + c] = x < 32 ? 0.3f : 0.6f;
            wt.data[y * w + x] = y < 8 ? 1.0f : 0.0f;
        }
    cr_assert_eq(sb_detail_enhance(&img, &wt, &SB_DETAIL_HEADSHOT, NULL), SB_OK);
    cr_assert_gt(img.data[(2 * w + 32) * 3], 0.6f + 0.01f, "overshoot on the bright side of the edge");
    cr_assert_lt(img.data[(2 * w + 31) * 3], 0.3f - 0.01f, "undershoot on the dark side");
    cr_assert_float_eq(img.data[(12 * w + 32) * 3], 0.6f, 1e-6, "weight 0 leaves pixels alone");
    sb_fimage_free(&img);
    sb_fimage_free(&wt);
}

Test(composite, blends_by_alpha)
{
    sb_fimage_t fg, bg, a;
    fill(&fg, 4, 1, 1, 0, 0);
    fill(&bg, 4, 1, 0, 0, 1);
    sb_fimage_alloc(&a, 4, 1, 1, NULL);
    float al[4] = {0, 0.25f, 0.5f, 1};
    memcpy(a.data, al, sizeof al);
    cr_assert_eq(sb_composite_over(&fg, &a, &bg, NULL), SB_OK);
    for (int i = 0; i < 4; i++) {
        cr_assert_float_eq(bg.data[i * 3], al[i], 1e-6);
        cr_assert_float_eq(bg.data[i * 3 + 2], 1 - al[i], 1e-6);
    }
    sb_fimage_t small;
    fill(&small, 2, 1, 0, 0, 0);
    cr_assert_eq(sb_composite_over(&small, &a, &bg, NULL), SB_ERR_INTERNAL);
    sb_fimage_free(&fg);
    sb_fimage_free(&bg);
    sb_fimage_free(&a);
    sb_fimage_free(&small);
}

/* An 8-bit RGBA layer placed partly off a 6 x 3 background: the float blend of its values where it lands,
 * its exact colour where opaque, the background untouched elsewhere (and where the layer is clear). */
Test(composite, rgba8_layer_at_offset)
{
    sb_fimage_t bg;
    fill(&bg, 6, 3, 0, 0, 1);
    sb_image_t layer;
    sb_image_alloc(&layer, 3, 2, 4, NULL);
    const uint8_t px[6][4] = {{255, 0, 0, 0}, {255, 0, 0, 64}, {255, 0, 0, 255},
                              {10, 20, 30, 128}, {200, 100, 0, 255}, {0, 0, 0, 0}};
    memcpy(layer.data, px, sizeof px);
    /* Top-left at (-1, 1): column 0 of the layer falls off the left edge. */
    cr_assert_eq(sb_composite_rgba8_over_at(&layer, -1, 1, &bg, NULL), SB_OK);
    for (int y = 0; y < 3; y++)
        for (int x = 0; x < 6; x++) {
            int lx = x + 1, ly = y - 1, in = ly >= 0 && ly < 2 && lx < 3;
            const uint8_t *l = in ? px[ly * 3 + lx] : NULL;
            float a = in ? l[3] / 255.0f : 0;
            for (int c = 0; c < 3; c++) {
                float want = (in ? a * (l[c] / 255.0f) : 0) + (1 - a) * (c == 2 ? 1.0f : 0.0f);
                cr_assert_float_eq(bg.data[(y * 6 + x) * 3 + c], want, 1e-6, "(%d, %d) band %d", x, y, c);
            }
        }
    cr_assert_eq(bg.data[(2 * 6 + 0) * 3], 200 * (1.0f / 255.0f), "opaque: the layer's value exactly");
    sb_image_t rgb = {3, 2, 3, layer.data};
    cr_assert_eq(sb_composite_rgba8_over_at(&rgb, 0, 0, &bg, NULL), SB_ERR_INTERNAL);
    sb_image_free(&layer);
    sb_fimage_free(&bg);
}
