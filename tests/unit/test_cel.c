/* Cel shading (render/cel.c, cel_ink.c) on synthetic pictures: flat regions come out in few colours with no
 * blotches of the net's colour, edges get ink, isolated dots do not. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "image/resample.h"
#include "render/cel.h"
#include "testutil.h"

#define S 200

/* A deterministic noise in -1..1. */
static float noise(unsigned i)
{
    i = i * 2654435761u ^ (i >> 13);
    i *= 2246822519u;
    return ((i >> 8) & 0xffff) / 32767.5f - 1.0f;
}

static void put(sb_image_t *img, int x, int y, float r, float g, float b)
{
    uint8_t *p = img->data + 3 * ((size_t)y * img->width + x);
    const float c[3] = {r, g, b};
    for (int k = 0; k < 3; k++)
        p[k] = (uint8_t)lroundf(fminf(1, fmaxf(0, c[k])) * 255);
}

static float lum_at(const sb_image_t *img, int x, int y)
{
    const uint8_t *p = img->data + 3 * ((size_t)y * img->width + x);
    return (0.299f * p[0] + 0.587f * p[1] + 0.114f * p[2]) / 255.0f;
}

/* The face's landmarks for a face centred at (100, 90) with eyes 50 px apart. */
static const sb_cel_face_t face = {1, {{75, 80}, {125, 80}, {100, 105}, {82, 128}, {118, 128}}};

/* How many of the most frequent colours it takes to cover `share` of the rectangle's pixels. */
static int colours_to_cover(const sb_image_t *img, int x0, int y0, int x1, int y1, double share)
{
    int n = 0, cap = (x1 - x0) * (y1 - y0);
    uint32_t *c = malloc((size_t)cap * sizeof *c);
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++) {
            const uint8_t *p = img->data + 3 * ((size_t)y * img->width + x);
            c[n++] = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
        }
    /* counts of each distinct colour, largest first */
    int *counts = calloc((size_t)n, sizeof *counts), distinct = 0;
    for (int i = 0; i < n; i++) {
        int j = 0;
        while (j < i && c[j] != c[i])
            j++;
        counts[j]++;
        distinct += j == i;
    }
    int k = 0, covered = 0;
    while (covered < share * n) {
        int best = 0;
        for (int i = 1; i < n; i++)
            if (counts[i] > counts[best])
                best = i;
        covered += counts[best];
        counts[best] = 0;
        k++;
    }
    free(counts);
    free(c);
    return k;
}

/* A skin-coloured face-shaped area (lit from the left, with pore noise) on a blue shirt below, and the
 * net's version of it with green and yellow blotches on the forehead; `k` times S a side (the picture's
 * coordinates below are for k = 1). */
static void portrait(int k, sb_image_t *photo, sb_image_t *net)
{
    sb_image_alloc(photo, k * S, k * S, 3, NULL);
    sb_image_alloc(net, k * S, k * S, 3, NULL);
    for (int y = 0; y < k * S; y++)
        for (int x = 0; x < k * S; x++) {
            unsigned i = (unsigned)(y * k * S + x);
            float nz = 0.02f * noise(i), light = 1.0f - 0.15f * x / (k * S);
            bool shirt = y >= 150 * k;
            float r = shirt ? 0.20f : 0.90f * light, g = shirt ? 0.30f : 0.70f * light, b = shirt ? 0.65f : 0.58f * light;
            put(photo, x, y, r + nz, g + nz, b + nz);
            bool blotch = !shirt && hypotf(x - 90.0f * k, y - 40.0f * k) < 12 * k;
            put(net, x, y, blotch ? 0.55f : r, blotch ? 0.85f : g, blotch ? 0.35f : b);
        }
}

/* The portrait at k times S, cel-shaded: few colours per flat region, no blotch, deterministic. */
static void check_flat(int k)
{
    sb_image_t photo, net, out;
    sb_error_t e = {0};
    portrait(k, &photo, &net);
    sb_cel_face_t f = face;
    for (int i = 0; i < 5; i++)
        f.lmk[i][0] *= k, f.lmk[i][1] *= k;
    cr_assert_eq(sb_cel_shade(&photo, &net, NULL, &f, &out, &e), SB_OK, "%s", e.message);
    cr_assert(out.width == k * S && out.height == k * S && out.bands == 3);
    /* Skin below the eyes, and the shirt, away from borders: a flat tone or two, where the photo had
     * hundreds of colours. */
    int skin = colours_to_cover(&out, 20 * k, 110 * k, 180 * k, 140 * k, 0.95);
    int shirt = colours_to_cover(&out, 20 * k, 160 * k, 180 * k, 190 * k, 0.95);
    int photo_skin = colours_to_cover(&photo, 20 * k, 110 * k, 180 * k, 140 * k, 0.95);
    cr_assert_leq(skin, 3, "skin takes %d colours for 95%% (photo %d)", skin, photo_skin);
    cr_assert_leq(shirt, 3, "shirt takes %d colours for 95%%", shirt);
    cr_assert_gt(photo_skin, 20, "the test photo should be noisy (%d colours)", photo_skin);
    /* The net's green-yellow blotch on the forehead is gone: no pixel there is greener than red. */
    for (int y = 30 * k; y < 50 * k; y++)
        for (int x = 80 * k; x < 100 * k; x++) {
            const uint8_t *p = out.data + 3 * ((size_t)y * out.width + x);
            cr_assert_gt(p[0], p[1], "greenish pixel (%d,%d,%d) at %d,%d", p[0], p[1], p[2], x, y);
        }
    sb_image_t again;
    cr_assert_eq(sb_cel_shade(&photo, &net, NULL, &f, &again, &e), SB_OK);
    cr_assert(memcmp(out.data, again.data, (size_t)out.width * out.height * 3) == 0, "not deterministic");
    sb_image_free(&again);
    sb_image_free(&out);
    sb_image_free(&photo);
    sb_image_free(&net);
}

Test(cel, flat_regions_have_few_colours_and_no_blotches)
{
    check_flat(1);
}

/* Above 360 px a side the regions are worked out on a reduced copy and scaled back. */
Test(cel, flat_regions_when_worked_out_smaller)
{
    check_flat(3);
}

/* The net's output at the net's own size (the avatar does not scale it to the photo's first): the photo's
 * size comes out, and the same picture as from the net scaled to the photo's size, within half a level on
 * average (the regions are worked out at the same size either way), above the working size (k = 3: the net
 * read at 360) and at or under it (k = 1: the net scaled to the photo's 200). */
static void check_net_size(int k, int net_side)
{
    sb_image_t photo, net, small, big, a, b;
    sb_error_t e = {0};
    portrait(k, &photo, &net);
    sb_cel_face_t f = face;
    for (int i = 0; i < 5; i++)
        f.lmk[i][0] *= k, f.lmk[i][1] *= k;
    cr_assert_eq(sb_image_resize(&net, net_side, net_side, &small, &e), SB_OK, "%s", e.message);
    cr_assert_eq(sb_image_resize(&small, k * S, k * S, &big, &e), SB_OK, "%s", e.message);
    cr_assert_eq(sb_cel_shade(&photo, &small, NULL, &f, &a, &e), SB_OK, "%s", e.message);
    cr_assert_eq(sb_cel_shade(&photo, &big, NULL, &f, &b, &e), SB_OK, "%s", e.message);
    cr_assert(a.width == k * S && a.height == k * S && a.bands == 3);
    double sum = 0;
    size_t n = (size_t)a.width * a.height * 3;
    for (size_t i = 0; i < n; i++)
        sum += abs(a.data[i] - b.data[i]);
    cr_assert_lt(sum / n, 0.5, "k %d: mean difference %.2f levels", k, sum / n);
    sb_image_free(&a);
    sb_image_free(&b);
    sb_image_free(&small);
    sb_image_free(&big);
    sb_image_free(&photo);
    sb_image_free(&net);
}

Test(cel, reads_the_net_at_its_own_size)
{
    check_net_size(3, 256);
    check_net_size(1, 128);
}

/* The share of the rectangle's pixels within 2 levels of `rgb` in every band. */
static double share_of(const sb_image_t *img, int x0, int y0, int x1, int y1, const uint8_t rgb[3])
{
    int n = 0;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++) {
            const uint8_t *p = img->data + 3 * ((size_t)y * img->width + x);
            n += abs(p[0] - rgb[0]) <= 2 && abs(p[1] - rgb[1]) <= 2 && abs(p[2] - rgb[2]) <= 2;
        }
    return (double)n / ((x1 - x0) * (y1 - y0));
}

/* The face's modelling follows the photo's shading on the skin only: the chin's soft shadow on the shirt
 * (25% darker, inside the modelling's zone, the face's oval x 1.2, which reaches y ~190 here) leaves the
 * shirt in the flat colour it has outside the zone, at the working size and when worked out smaller. */
Test(cel, the_modelling_leaves_the_shirt_under_the_chin_flat)
{
    for (int k = 1; k <= 3; k += 2) {
        sb_image_t photo, net, out;
        sb_error_t e = {0};
        portrait(k, &photo, &net);
        for (int y = 150 * k; y < S * k; y++)
            for (int x = 0; x < S * k; x++) {
                float dx = (x - 100.0f * k) / (25.0f * k), dy = (y - 160.0f * k) / (12.0f * k);
                float shade = 1 - 0.25f * expf(-0.5f * (dx * dx + dy * dy));
                for (int c = 0; c < 3; c++) {
                    size_t i = 3 * ((size_t)y * photo.width + x) + c;
                    photo.data[i] = (uint8_t)lroundf(photo.data[i] * shade);
                    net.data[i] = photo.data[i];
                }
            }
        sb_cel_face_t f = face;
        for (int i = 0; i < 5; i++)
            f.lmk[i][0] *= k, f.lmk[i][1] *= k;
        cr_assert_eq(sb_cel_shade(&photo, &net, NULL, &f, &out, &e), SB_OK, "%s", e.message);
        /* the shirt's colour outside the zone (bottom left corner), then its share under the chin */
        const uint8_t *ref = out.data + 3 * ((size_t)(175 * k) * out.width + 5 * k);
        double outside = share_of(&out, 2 * k, 160 * k, 20 * k, 190 * k, ref);
        double in = share_of(&out, 45 * k, 158 * k, 155 * k, 190 * k, ref);
        cr_log_info("k %d: shirt (%d, %d, %d): %.3f of the corner, %.3f under the chin", k, ref[0], ref[1], ref[2],
                    outside, in);
        cr_assert_gt(outside, 0.95, "k %d: the shirt outside the face's zone is not flat (%.3f)", k, outside);
        cr_assert_gt(in, 0.95, "k %d: the shirt under the chin is modelled (%.3f of it keeps the shirt's colour)", k, in);
        sb_image_free(&out);
        sb_image_free(&photo);
        sb_image_free(&net);
    }
}

/* A dark disc on a light ground, and sparse single dark dots on the ground. */
static void disc_and_dots(sb_image_t *img)
{
    sb_image_alloc(img, S, S, 3, NULL);
    for (int y = 0; y < S; y++)
        for (int x = 0; x < S; x++) {
            bool in = hypotf(x - 70.0f, y - 100.0f) < 40;
            bool dot = x > 130 && x < 190 && y > 20 && y < 180 && x % 11 == 0 && y % 13 == 0;
            float v = in ? 0.35f : dot ? 0.30f : 0.85f;
            put(img, x, y, v, v * 0.95f, v * 0.9f);
        }
}

Test(cel, outlines_on_edges_and_no_isolated_specks)
{
    sb_image_t img, out;
    sb_error_t e = {0};
    disc_and_dots(&img);
    sb_cel_face_t none = {0};
    cr_assert_eq(sb_cel_shade(&img, &img, NULL, &none, &out, &e), SB_OK, "%s", e.message);
    /* Along the disc's rim, every direction finds ink darker than the disc's flat fill. */
    float fill = lum_at(&out, 70, 100);
    for (int a = 0; a < 360; a += 15) {
        float darkest = 1;
        for (float rad = 34; rad <= 46; rad += 0.5f) {
            int x = (int)lroundf(70 + rad * cosf(a * (float)M_PI / 180)), y = (int)lroundf(100 + rad * sinf(a * (float)M_PI / 180));
            darkest = fminf(darkest, lum_at(&out, x, y));
        }
        cr_assert_lt(darkest, fill - 0.1f, "no outline at %d degrees (darkest %.2f, fill %.2f)", a, darkest, fill);
    }
    /* The dots' field is flat: no speck of ink is left where the single dark pixels were. */
    float ground = lum_at(&out, 120, 10);
    for (int y = 25; y < 175; y++)
        for (int x = 135; x < 185; x++)
            cr_assert_gt(lum_at(&out, x, y), ground - 0.08f, "speck at %d,%d (%.2f, ground %.2f)", x, y,
                         lum_at(&out, x, y), ground);
    sb_image_free(&out);
    sb_image_free(&img);
}

/* A soft, evenly lit face (a mouth line only 8% darker than the skin, blurred over ~3 px) beside dark hair
 * strands of strong contrast, which set the whole picture's line threshold. */
static void soft_face(sb_image_t *img)
{
    sb_image_alloc(img, S, S, 3, NULL);
    for (int y = 0; y < S; y++)
        for (int x = 0; x < S; x++) {
            float r = 0.85f, g = 0.68f, b = 0.58f, k = 1.0f;
            if (x < 40) /* hair: dark strands on brown, 4 px apart */
                r = g = b = x % 4 < 2 ? 0.10f : 0.45f;
            else /* the mouth line at y = 128, x 82..118, a Gaussian dip of sigma 1.5 px */
                k = 1.0f - (x >= 82 && x <= 118 ? 0.08f * expf(-0.5f * (y - 128) * (y - 128) / 2.25f) : 0.0f);
            put(img, x, y, r * k, g * k, b * k);
        }
}

/* The face's lines come from the face's own contrast: the faint mouth is inked with the face's landmarks,
 * and without them (the picture's threshold, set by the hair) it is not. */
Test(cel, a_soft_face_gets_its_own_lines)
{
    sb_image_t img, with, without;
    sb_error_t e = {0};
    soft_face(&img);
    sb_cel_face_t none = {0};
    cr_assert_eq(sb_cel_shade(&img, &img, NULL, &face, &with, &e), SB_OK, "%s", e.message);
    cr_assert_eq(sb_cel_shade(&img, &img, NULL, &none, &without, &e), SB_OK, "%s", e.message);
    float dark_with = 1, dark_without = 1;
    for (int y = 124; y <= 134; y++)
        for (int x = 90; x <= 110; x++) {
            dark_with = fminf(dark_with, lum_at(&with, x, y));
            dark_without = fminf(dark_without, lum_at(&without, x, y));
        }
    float skin = lum_at(&with, 100, 145);
    cr_log_info("mouth line: darkest %.3f with the face, %.3f without, skin %.3f", dark_with, dark_without, skin);
    cr_assert_lt(dark_with, skin - 0.10f, "the mouth is inked with the face (darkest %.3f, skin %.3f)", dark_with,
                 skin);
    cr_assert_gt(dark_without, lum_at(&without, 100, 145) - 0.05f,
                 "without the face the picture's threshold leaves the faint mouth unlined (darkest %.3f)", dark_without);
    sb_image_free(&with);
    sb_image_free(&without);
    sb_image_free(&img);
}

Test(cel, refuses_mismatched_inputs)
{
    sb_image_t a, b, out;
    sb_error_t e = {0};
    sb_image_alloc(&a, 40, 40, 3, NULL);
    sb_image_alloc(&b, 40, 30, 3, NULL);
    memset(a.data, 128, 40 * 40 * 3);
    memset(b.data, 128, 40 * 30 * 3);
    cr_assert_eq(sb_cel_shade(&a, &b, NULL, NULL, &out, &e), SB_ERR_USAGE);
    cr_assert_str_eq(e.field, "image");
    cr_assert_null(out.data);
    sb_fimage_t alpha;
    sb_fimage_alloc(&alpha, 20, 20, 1, NULL);
    cr_assert_eq(sb_cel_shade(&a, &a, &alpha, NULL, &out, &e), SB_ERR_USAGE);
    sb_fimage_free(&alpha);
    sb_image_free(&a);
    sb_image_free(&b);
}
