/* Avatar looks: palettes, backgrounds, lens blur, grades, directional light. */
#include <math.h>
#include <string.h>

#include "image/colour.h"
#include "render/backdrop.h"
#include "render/background.h"
#include "render/bokeh.h"
#include "render/grade.h"
#include "render/light.h"
#include "render/palette.h"
#include "testutil.h"

static float mean_luma(const sb_fimage_t *img)
{
    double sum = 0;
    for (int i = 0; i < img->width * img->height; i++)
        sum += sb_luma(img->data + i * 3);
    return (float)(sum / (img->width * img->height));
}

static float *px(const sb_fimage_t *img, int x, int y)
{
    return img->data + ((size_t)y * img->width + x) * img->bands;
}

Test(palette, every_name_parses_light_over_base_over_dark)
{
    const char *const *names = sb_palette_names();
    int n = 0;
    for (; names[n]; n++) {
        sb_palette_t p;
        sb_error_t e = {0};
        cr_assert_eq(sb_palette_parse(names[n], &p, &e), SB_OK, "%s: %s", names[n], e.message);
        cr_assert_str_eq(p.name, names[n]);
        cr_assert_gt(sb_luma(p.light), sb_luma(p.base), "%s", names[n]);
        cr_assert_gt(sb_luma(p.base), sb_luma(p.dark), "%s", names[n]);
    }
    cr_assert_geq(n, 8);
    const char *required[] = {"neutral_grey", "warm_beige", "cool_blue", "charcoal",
                              "forest_green", "sunset",     "pastel_pink", "navy"};
    for (size_t i = 0; i < sizeof required / sizeof *required; i++) {
        sb_palette_t p;
        cr_assert_eq(sb_palette_parse(required[i], &p, NULL), SB_OK, "%s", required[i]);
    }
}

Test(palette, hex_colours_derive_a_palette)
{
    sb_palette_t p;
    sb_error_t e = {0};
    cr_assert_eq(sb_palette_parse("#3366CC", &p, &e), SB_OK, "%s", e.message);
    cr_assert_str_eq(p.name, "#3366cc");
    cr_assert_float_eq(p.base[0], 0x33 / 255.0f, 1e-6);
    cr_assert_float_eq(p.base[1], 0x66 / 255.0f, 1e-6);
    cr_assert_float_eq(p.base[2], 0xcc / 255.0f, 1e-6);
    cr_assert_gt(sb_luma(p.light), sb_luma(p.base));
    cr_assert_lt(sb_luma(p.dark), sb_luma(p.base));
    cr_assert_gt(p.light[2], p.light[0], "the light tint keeps the hue");
    float mx = fmaxf(p.accent[0], fmaxf(p.accent[1], p.accent[2]));
    float mn = fminf(p.accent[0], fminf(p.accent[1], p.accent[2]));
    cr_assert_gt(mx - mn, 0.5f, "the accent is saturated");
    cr_assert_eq(sb_palette_parse("#a0b0c0", &p, NULL), SB_OK);
    cr_assert_eq(sb_palette_parse("#808080", &p, NULL), SB_OK, "a grey still gets a coloured accent");
    cr_assert_gt(p.accent[2] - p.accent[0], 0.3f);
}

Test(palette, bad_names_and_hex_are_usage_errors_naming_the_field)
{
    const char *bad[] = {"purple", "Navy", "", "#12345", "#1234567", "#12345g", "3366cc", "#GG0000"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        sb_palette_t p;
        sb_error_t e = {0};
        cr_assert_eq(sb_palette_parse(bad[i], &p, &e), SB_ERR_USAGE, "\"%s\"", bad[i]);
        cr_assert_str_eq(e.field, "palette");
        cr_assert(strstr(e.message, "neutral_grey") && strstr(e.message, "navy") && strstr(e.message, "#RRGGBB"),
                  "%s", e.message);
    }
    sb_palette_t p;
    cr_assert_eq(sb_palette_parse(NULL, &p, NULL), SB_ERR_USAGE);
}

Test(background, names_parse_and_bad_ones_list_the_valid)
{
    for (int k = 0; k < SB_BACKGROUND__COUNT; k++) {
        sb_background_kind got;
        cr_assert_eq(sb_background_parse(sb_background_name(k), &got, NULL), SB_OK);
        cr_assert_eq((int)got, k);
    }
    const char *all[] = {"studio_light", "studio_dark", "gradient", "neon_geometric", "bokeh", "original_blur",
                         "transparent"};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) {
        sb_background_kind got;
        cr_assert_eq(sb_background_parse(all[i], &got, NULL), SB_OK, "%s", all[i]);
    }
    sb_background_kind got;
    sb_error_t e = {0};
    cr_assert_eq(sb_background_parse("starfield", &got, &e), SB_ERR_USAGE);
    cr_assert_str_eq(e.field, "background");
    cr_assert(strstr(e.message, "neon_geometric") && strstr(e.message, "transparent"), "%s", e.message);
}

Test(background, photo_kinds_and_bad_sizes_are_not_rendered)
{
    sb_palette_t p;
    sb_palette_parse("navy", &p, NULL);
    sb_fimage_t img;
    sb_error_t e = {0};
    cr_assert_eq(sb_background_render(SB_BACKGROUND_ORIGINAL_BLUR, &p, 1, 32, 32, &img, &e), SB_ERR_USAGE);
    cr_assert_str_eq(e.field, "background");
    cr_assert_eq(sb_background_render(SB_BACKGROUND_TRANSPARENT, &p, 1, 32, 32, &img, NULL), SB_ERR_USAGE);
    cr_assert_eq(sb_background_render(SB_BACKGROUND_GRADIENT, &p, 1, 0, 32, &img, NULL), SB_ERR_USAGE);
    sb_fimage_free(&img);
}

Test(background, every_kind_is_deterministic_and_seeded)
{
    const char *const *names = sb_palette_names();
    for (int i = 0; names[i]; i++) {
        sb_palette_t p;
        sb_palette_parse(names[i], &p, NULL);
        for (int k = SB_BACKGROUND_STUDIO_LIGHT; k <= SB_BACKGROUND_BOKEH; k++) {
            sb_fimage_t a, b, c;
            sb_error_t e = {0};
            cr_assert_eq(sb_background_render(k, &p, 42, 96, 80, &a, &e), SB_OK, "%s", e.message);
            cr_assert_eq(sb_background_render(k, &p, 42, 96, 80, &b, NULL), SB_OK);
            cr_assert_eq(sb_background_render(k, &p, 43, 96, 80, &c, NULL), SB_OK);
            cr_assert(a.width == 96 && a.height == 80 && a.bands == 3);
            size_t bytes = sizeof(float) * 96 * 80 * 3;
            cr_assert(memcmp(a.data, b.data, bytes) == 0, "%s %s: same seed, same pixels", names[i],
                      sb_background_name(k));
            if (k == SB_BACKGROUND_GRADIENT || k == SB_BACKGROUND_NEON_GEOMETRIC || k == SB_BACKGROUND_BOKEH) {
                /* More than the dither: the layout moves. */
                double diff = 0;
                for (size_t j = 0; j < (size_t)96 * 80 * 3; j++)
                    diff += fabsf(a.data[j] - c.data[j]);
                cr_assert_gt(diff / (96 * 80 * 3), 0.005, "%s %s: another seed, another layout", names[i],
                             sb_background_name(k));
            }
            for (size_t j = 0; j < (size_t)96 * 80 * 3; j++)
                cr_assert(a.data[j] > -0.01f && a.data[j] < 1.01f);
            sb_fimage_free(&a);
            sb_fimage_free(&b);
            sb_fimage_free(&c);
        }
    }
}

Test(background, studio_light_in_neutral_grey_is_the_headshot_backdrop)
{
    sb_palette_t p;
    sb_palette_parse("neutral_grey", &p, NULL);
    sb_fimage_t a, b;
    cr_assert_eq(sb_background_render(SB_BACKGROUND_STUDIO_LIGHT, &p, SB_BACKDROP_STUDIO_GREY.seed, 120, 120, &a,
                                      NULL), SB_OK);
    cr_assert_eq(sb_backdrop_render(&SB_BACKDROP_STUDIO_GREY, 120, 120, &b, NULL), SB_OK);
    cr_assert(memcmp(a.data, b.data, sizeof(float) * 120 * 120 * 3) == 0);
    sb_fimage_free(&a);
    sb_fimage_free(&b);
}

Test(background, studio_dark_is_darker_than_studio_light)
{
    const char *const *names = sb_palette_names();
    for (int i = 0; names[i]; i++) {
        sb_palette_t p;
        sb_palette_parse(names[i], &p, NULL);
        sb_fimage_t l, d;
        sb_background_render(SB_BACKGROUND_STUDIO_LIGHT, &p, 7, 64, 64, &l, NULL);
        sb_background_render(SB_BACKGROUND_STUDIO_DARK, &p, 7, 64, 64, &d, NULL);
        cr_assert_lt(mean_luma(&d), mean_luma(&l) - 0.1f, "%s: dark %.3f light %.3f", names[i], mean_luma(&d),
                     mean_luma(&l));
        sb_fimage_free(&l);
        sb_fimage_free(&d);
    }
}

/* Mean luma over a 5 x 5 patch (the dither averages out). */
static float patch(const sb_fimage_t *img, float fx, float fy)
{
    int cx = (int)fx, cy = (int)fy;
    float sum = 0;
    for (int y = cy - 2; y <= cy + 2; y++)
        for (int x = cx - 2; x <= cx + 2; x++)
            sum += sb_luma(px(img, x, y));
    return sum / 25;
}

Test(background, gradient_varies_monotonically_along_its_axis_light_at_the_top)
{
    sb_palette_t p;
    sb_palette_parse("sunset", &p, NULL);
    int n = 160;
    for (uint64_t seed = 1; seed <= 6; seed++) {
        sb_fimage_t g;
        cr_assert_eq(sb_background_render(SB_BACKGROUND_GRADIENT, &p, seed, n, n, &g, NULL), SB_OK);
        /* The axis is the direction of the least-squares plane through the luma. */
        double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0, sl = 0, sxl = 0, syl = 0, m = (double)n * n;
        for (int y = 0; y < n; y++)
            for (int x = 0; x < n; x++) {
                double l = sb_luma(px(&g, x, y));
                sx += x, sy += y, sxx += (double)x * x, syy += (double)y * y, sxy += (double)x * y;
                sl += l, sxl += x * l, syl += y * l;
            }
        double cxx = sxx - sx * sx / m, cyy = syy - sy * sy / m, cxy = sxy - sx * sy / m;
        double cxl = sxl - sx * sl / m, cyl = syl - sy * sl / m, det = cxx * cyy - cxy * cxy;
        double bx = (cyy * cxl - cxy * cyl) / det, by = (cxx * cyl - cxy * cxl) / det, bl = hypot(bx, by);
        float ux = (float)(bx / bl), uy = (float)(by / bl), prev = -1, first = 0, last = 0;
        for (float t = -70; t <= 70; t += 5) {
            float v = patch(&g, n / 2.0f + t * ux, n / 2.0f + t * uy);
            if (prev >= 0)
                cr_assert_geq(v, prev - 0.002f, "seed %d: monotone along the axis at t=%.0f", (int)seed, t);
            else
                first = v;
            prev = last = v;
        }
        cr_assert_gt(last - first, 0.1f, "seed %d: it varies (%.3f .. %.3f)", (int)seed, first, last);
        cr_assert_lt(uy, -0.3f, "seed %d: brighter upwards, so the light end is at the top", (int)seed);
        sb_fimage_free(&g);
    }
}

Test(background, neon_has_bright_thin_lines_on_a_dark_ground)
{
    sb_palette_t p;
    sb_palette_parse("navy", &p, NULL);
    sb_fimage_t img;
    cr_assert_eq(sb_background_render(SB_BACKGROUND_NEON_GEOMETRIC, &p, 9, 200, 200, &img, NULL), SB_OK);
    int bright = 0, dark = 0;
    for (int i = 0; i < 200 * 200; i++) {
        float l = sb_luma(img.data + i * 3);
        bright += l > 0.7f, dark += l < 0.35f;
    }
    cr_assert_gt(bright, 200, "glowing tubes: %d bright pixels", bright);
    cr_assert_lt(bright, 200 * 200 / 10, "thin lines, not a bright field: %d", bright);
    cr_assert_gt(dark, 200 * 200 / 2, "a dark ground: %d", dark);
    sb_fimage_free(&img);
}

Test(background, bokeh_has_discs_brighter_than_its_ground)
{
    sb_palette_t p;
    sb_palette_parse("charcoal", &p, NULL);
    sb_fimage_t img;
    cr_assert_eq(sb_background_render(SB_BACKGROUND_BOKEH, &p, 5, 200, 200, &img, NULL), SB_OK);
    float lo = 1, hi = 0;
    for (int i = 0; i < 200 * 200; i++) {
        float l = sb_luma(img.data + i * 3);
        lo = fminf(lo, l), hi = fmaxf(hi, l);
    }
    cr_assert_gt(hi - lo, 0.25f, "discs stand out: luma %.3f .. %.3f", lo, hi);
    sb_fimage_free(&img);
}

static void fill(sb_fimage_t *img, int w, int h, int bands, float v)
{
    sb_fimage_alloc(img, w, h, bands, NULL);
    for (int i = 0; i < w * h * bands; i++)
        img->data[i] = v;
}

Test(bokeh, a_bright_point_becomes_a_flat_disc_of_the_radius)
{
    int n = 200;
    float radius = 16;
    sb_fimage_t src, out;
    fill(&src, n, n, 3, 0);
    for (int y = 100; y < 102; y++)
        for (int x = 100; x < 102; x++)
            for (int c = 0; c < 3; c++)
                px(&src, x, y)[c] = 1;
    sb_error_t e = {0};
    cr_assert_eq(sb_bokeh_blur(&src, NULL, radius, &out, &e), SB_OK, "%s", e.message);
    cr_assert(out.width == n && out.height == n && out.bands == 3);
    /* Linear light, averaged over the four directions from the point. */
    float prof[40];
    for (int d = 0; d < 40; d++) {
        float s = 0;
        s += sb_srgb_to_linear(px(&out, 101 + d, 101)[1]) + sb_srgb_to_linear(px(&out, 100 - d, 100)[1]);
        s += sb_srgb_to_linear(px(&out, 101, 101 + d)[1]) + sb_srgb_to_linear(px(&out, 100, 100 - d)[1]);
        prof[d] = s / 4;
    }
    float c0 = prof[0];
    /* Highlights are expanded before the blur: the disc holds far more light than 4 white pixels. */
    cr_assert_gt(c0, 3 * 4 / (float)(M_PI * radius * radius), "centre %.4f", c0);
    for (int d = 0; d <= (int)(0.6f * radius); d++)
        cr_assert_gt(prof[d], 0.9f * c0, "flat top: %.4f at %d vs %.4f", prof[d], d, c0);
    for (int d = (int)(1.25f * radius); d < 40; d++)
        cr_assert_lt(prof[d], 0.1f * c0, "sharp rim: %.4f at %d vs %.4f", prof[d], d, c0);
    int half = 0;
    while (half < 39 && prof[half] > 0.5f * c0)
        half++;
    cr_assert(half >= 0.8f * radius && half <= 1.2f * radius, "half maximum at %d px for radius %.0f", half, radius);
    sb_fimage_t again;
    sb_bokeh_blur(&src, NULL, radius, &again, NULL);
    cr_assert(memcmp(out.data, again.data, sizeof(float) * n * n * 3) == 0, "deterministic");
    sb_fimage_free(&src);
    sb_fimage_free(&out);
    sb_fimage_free(&again);
}

Test(bokeh, the_person_does_not_bleed_into_the_blurred_background)
{
    int n = 200;
    sb_fimage_t src, alpha, out, plain;
    fill(&alpha, n, n, 1, 0);
    sb_fimage_alloc(&src, n, n, 3, NULL);
    for (int y = 0; y < n; y++)
        for (int x = 0; x < n; x++) {
            int person = x >= 70 && x < 130 && y >= 60;
            float *p = px(&src, x, y);
            p[0] = person ? 0.9f : 0.1f, p[1] = person ? 0.1f : 0.2f, p[2] = person ? 0.1f : 0.8f;
            px(&alpha, x, y)[0] = person ? 1.0f : 0.0f;
        }
    cr_assert_eq(sb_bokeh_blur(&src, &alpha, 20, &out, NULL), SB_OK);
    cr_assert_eq(sb_bokeh_blur(&src, NULL, 20, &plain, NULL), SB_OK);
    int probes[][2] = {{64, 120}, {136, 120}, {100, 54}, {66, 190}};
    for (size_t i = 0; i < sizeof probes / sizeof *probes; i++) {
        const float *o = px(&out, probes[i][0], probes[i][1]), *q = px(&plain, probes[i][0], probes[i][1]);
        cr_assert_lt(fabsf(o[0] - 0.1f), 0.03f, "(%d,%d) red %.3f", probes[i][0], probes[i][1], o[0]);
        cr_assert_lt(fabsf(o[2] - 0.8f), 0.03f, "(%d,%d) blue %.3f", probes[i][0], probes[i][1], o[2]);
        cr_assert_gt(q[0], o[0] + 0.1f, "without the alpha the person bleeds: red %.3f", q[0]);
    }
    sb_fimage_free(&src);
    sb_fimage_free(&alpha);
    sb_fimage_free(&out);
    sb_fimage_free(&plain);
}

Test(bokeh, bad_arguments)
{
    sb_fimage_t src, alpha, out;
    fill(&src, 32, 32, 3, 0.5f);
    fill(&alpha, 16, 16, 1, 0);
    sb_error_t e = {0};
    cr_assert_eq(sb_bokeh_blur(&src, NULL, 0.5f, &out, &e), SB_ERR_USAGE);
    cr_assert_str_eq(e.field, "radius");
    cr_assert_eq(sb_bokeh_blur(&src, &alpha, 4, &out, NULL), SB_ERR_INTERNAL);
    cr_assert_eq(out.data, NULL);
    sb_fimage_free(&src);
    sb_fimage_free(&alpha);
}

/* A 4-pixel image: dark neutral, skin, mid grey, near white. */
static void swatches(sb_fimage_t *img)
{
    static const float v[4][3] = {{0.15f, 0.15f, 0.15f}, {0.80f, 0.60f, 0.50f}, {0.5f, 0.5f, 0.5f}, {0.9f, 0.9f, 0.9f}};
    sb_fimage_alloc(img, 4, 1, 3, NULL);
    memcpy(img->data, v, sizeof v);
}

Test(grade, intensity_zero_and_none_are_the_identity)
{
    for (int k = 0; k < SB_GRADE__COUNT; k++) {
        sb_fimage_t img, ref;
        swatches(&img);
        swatches(&ref);
        cr_assert_eq(sb_grade_apply(&img, k, 0, NULL), SB_OK);
        cr_assert(memcmp(img.data, ref.data, sizeof(float) * 12) == 0, "%s", sb_grade_name(k));
        sb_fimage_free(&img);
        sb_fimage_free(&ref);
    }
    sb_fimage_t img, ref;
    swatches(&img);
    swatches(&ref);
    sb_grade_apply(&img, SB_GRADE_NONE, 1, NULL);
    cr_assert(memcmp(img.data, ref.data, sizeof(float) * 12) == 0);
    sb_fimage_free(&img);
    sb_fimage_free(&ref);
}

Test(grade, teal_orange_cools_shadows_and_warms_skin)
{
    sb_fimage_t img;
    swatches(&img);
    cr_assert_eq(sb_grade_apply(&img, SB_GRADE_TEAL_ORANGE, 1, NULL), SB_OK);
    const float *dark = img.data, *skin = img.data + 3;
    cr_assert_gt(dark[2], dark[0] + 0.03f, "shadow: blue over red %.3f %.3f %.3f", dark[0], dark[1], dark[2]);
    cr_assert_gt(dark[1], dark[0] + 0.03f, "shadow: green over red");
    cr_assert_gt(skin[0] - skin[2], 0.30f + 0.05f, "skin moves to orange: %.3f %.3f %.3f", skin[0], skin[1], skin[2]);
    cr_assert(skin[0] > skin[1] && skin[1] > skin[2], "still a skin hue");
    cr_assert_lt(skin[0] - skin[2], 0.65f, "and not a cartoon one");
    cr_assert_lt(fabsf(sb_luma(skin) - sb_luma((float[]){0.8f, 0.6f, 0.5f})), 0.04f, "same brightness");
    /* Half the intensity moves half as far. */
    sb_fimage_t half;
    swatches(&half);
    sb_grade_apply(&half, SB_GRADE_TEAL_ORANGE, 0.5f, NULL);
    cr_assert_float_eq(half.data[3] - 0.8f, (skin[0] - 0.8f) / 2, 1e-5);
    sb_fimage_free(&img);
    sb_fimage_free(&half);
}

Test(grade, warm_film_warms_and_lifts_blacks_mono_is_grey)
{
    sb_fimage_t img;
    swatches(&img);
    cr_assert_eq(sb_grade_apply(&img, SB_GRADE_WARM_FILM, 1, NULL), SB_OK);
    const float *grey = img.data + 6, *white = img.data + 9;
    cr_assert_gt(grey[0], grey[2] + 0.05f, "warm: R %.3f over B %.3f", grey[0], grey[2]);
    cr_assert_lt(white[1], 0.9f, "faded highlights");
    sb_fimage_t black;
    fill(&black, 1, 1, 3, 0);
    sb_grade_apply(&black, SB_GRADE_WARM_FILM, 1, NULL);
    cr_assert_gt(black.data[0], 0.04f, "lifted blacks");
    cr_assert_gt(black.data[0], black.data[2], "warm blacks");
    sb_fimage_t mono;
    swatches(&mono);
    sb_grade_apply(&mono, SB_GRADE_MONO, 1, NULL);
    cr_assert(mono.data[3] == mono.data[4] && mono.data[4] == mono.data[5]);
    sb_fimage_free(&img);
    sb_fimage_free(&black);
    sb_fimage_free(&mono);
}

Test(grade, names_and_bad_arguments)
{
    for (int k = 0; k < SB_GRADE__COUNT; k++) {
        sb_grade_kind got;
        cr_assert_eq(sb_grade_parse(sb_grade_name(k), &got, NULL), SB_OK);
        cr_assert_eq((int)got, k);
    }
    sb_grade_kind got;
    sb_error_t e = {0};
    cr_assert_eq(sb_grade_parse("bleach", &got, &e), SB_ERR_USAGE);
    cr_assert_str_eq(e.field, "grade");
    cr_assert(strstr(e.message, "teal_orange"), "%s", e.message);
    sb_fimage_t img;
    swatches(&img);
    cr_assert_eq(sb_grade_apply(&img, SB_GRADE_WARM_FILM, 1.5f, &e), SB_ERR_USAGE);
    cr_assert_str_eq(e.field, "intensity");
    cr_assert_eq(sb_grade_apply(&img, SB_GRADE_WARM_FILM, NAN, NULL), SB_ERR_USAGE);
    sb_fimage_free(&img);
}

Test(light, directional_brightens_the_near_side_and_darkens_the_far_one)
{
    int n = 120;
    const float box[4] = {40, 30, 40, 50};
    sb_fimage_t lin, alpha;
    fill(&lin, n, n, 3, 0.2f);
    fill(&alpha, n, n, 1, 1);
    for (int y = 0; y < n; y++)
        for (int x = 0; x < 10; x++)
            px(&alpha, x, y)[0] = 0; /* background at the left edge */
    cr_assert_eq(sb_light_directional(&lin, &alpha, -1, -0.2f, 1, box, NULL), SB_OK); /* light from the left */
    float near = px(&lin, 42, 55)[1], far = px(&lin, 78, 55)[1], mid = px(&lin, 60, 55)[1];
    cr_assert_gt(near, 0.2f * 1.25f, "near side %.3f", near);
    cr_assert_lt(far, 0.2f * 0.6f, "far side %.3f", far);
    cr_assert(near > mid && mid > far, "a smooth ramp: %.3f %.3f %.3f", near, mid, far);
    cr_assert_float_eq(px(&lin, 5, 55)[1], 0.2f, 1e-6, "not the background");
    float gentle = px(&lin, 78, 119)[1];
    cr_assert_gt(gentle, far, "the effect fades away from the face: %.3f vs %.3f", gentle, far);
    /* Colour is kept: all three bands move together. */
    cr_assert_float_eq(px(&lin, 42, 55)[0], near, 1e-6);
    sb_fimage_free(&lin);
    sb_fimage_free(&alpha);
}

Test(light, directional_strength_zero_and_bad_arguments)
{
    const float box[4] = {10, 10, 20, 20}, empty[4] = {10, 10, 0, 20};
    sb_fimage_t lin, ref;
    fill(&lin, 40, 40, 3, 0.3f);
    fill(&ref, 40, 40, 3, 0.3f);
    cr_assert_eq(sb_light_directional(&lin, NULL, 1, 0, 0, box, NULL), SB_OK);
    cr_assert(memcmp(lin.data, ref.data, sizeof(float) * 40 * 40 * 3) == 0);
    sb_error_t e = {0};
    cr_assert_eq(sb_light_directional(&lin, NULL, 0, 0, 1, box, &e), SB_ERR_USAGE);
    cr_assert_str_eq(e.field, "light");
    cr_assert_eq(sb_light_directional(&lin, NULL, 1, 0, -1, box, &e), SB_ERR_USAGE);
    cr_assert_str_eq(e.field, "strength");
    cr_assert_eq(sb_light_directional(&lin, NULL, 1, 0, 1, empty, &e), SB_ERR_USAGE);
    cr_assert_str_eq(e.field, "face_box");
    sb_fimage_free(&lin);
    sb_fimage_free(&ref);
}
