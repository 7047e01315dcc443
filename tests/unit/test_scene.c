/* Product scenes: presets, the background_prompt vocabulary, procedural rendering. */
#include <math.h>
#include <string.h>

#include "render/scene.h"
#include "testutil.h"

static void region_mean(const sb_fimage_t *img, int y0, int y1, double m[3])
{
    m[0] = m[1] = m[2] = 0;
    for (int y = y0; y < y1; y++)
        for (int x = 0; x < img->width; x++)
            for (int c = 0; c < 3; c++)
                m[c] += img->data[((size_t)y * img->width + x) * 3 + c];
    for (int c = 0; c < 3; c++)
        m[c] /= (double)(y1 - y0) * img->width;
}

static sb_fimage_t render(sb_scene_preset p, const sb_scene_spec_t *spec, uint64_t seed, int w, int h)
{
    sb_fimage_t img;
    sb_error_t e = {0};
    cr_assert_eq(sb_scene_render(p, spec, seed, w, h, &img, &e), SB_OK, "%s", e.message);
    return img;
}

static int same(const sb_fimage_t *a, const sb_fimage_t *b)
{
    return memcmp(a->data, b->data, sizeof(float) * a->width * a->height * 3) == 0;
}

Test(scene, preset_names_round_trip)
{
    for (int p = 0; p < SB_SCENE__COUNT; p++) {
        sb_scene_preset got;
        cr_assert_eq(sb_scene_preset_parse(sb_scene_preset_name((sb_scene_preset)p), &got, NULL), SB_OK);
        cr_assert_eq((int)got, p);
    }
    sb_scene_preset got;
    sb_error_t e = {0};
    cr_assert_eq(sb_scene_preset_parse("studio", &got, &e), SB_ERR_USAGE);
    cr_assert_str_eq(e.field, "preset");
    cr_assert(strstr(e.message, "white-studio"));
    cr_assert_eq(sb_scene_preset_parse(NULL, &got, NULL), SB_ERR_USAGE);
}

Test(scene, transparent_and_bad_sizes_are_usage_errors)
{
    sb_fimage_t img;
    sb_error_t e = {0};
    cr_assert_eq(sb_scene_render(SB_SCENE_TRANSPARENT, NULL, 1, 10, 10, &img, &e), SB_ERR_USAGE);
    cr_assert_str_eq(e.field, "preset");
    cr_assert_eq(sb_scene_render(SB_SCENE_CUSTOM, NULL, 1, 10, 10, &img, NULL), SB_ERR_USAGE);
    cr_assert_eq(sb_scene_render(SB_SCENE_MARBLE, NULL, 1, 0, 10, &img, NULL), SB_ERR_USAGE);
}

Test(scene, white_studio_is_exact_white)
{
    sb_fimage_t img = render(SB_SCENE_WHITE_STUDIO, NULL, 7, 300, 200);
    for (size_t i = 0; i < 300 * 200 * 3; i++)
        cr_assert_eq(img.data[i], 1.0f);
    sb_image_t u8;
    cr_assert_eq(sb_fimage_to_u8(&img, &u8, NULL), SB_OK);
    for (size_t i = 0; i < 300 * 200 * 3; i++)
        cr_assert_eq(u8.data[i], 255, "sample %zu is %d", i, u8.data[i]);
    sb_image_free(&u8);
    sb_fimage_free(&img);
}

/* sb_scene_flat lets the pipeline skip painting: it must say flat only for a preset whose every pixel is
 * that colour, and not for the textured, graded or unpainted ones. */
Test(scene, only_white_studio_is_flat_and_its_colour_is_what_render_paints)
{
    float rgb[3] = {-1, -1, -1};
    cr_assert(sb_scene_flat(SB_SCENE_WHITE_STUDIO, rgb));
    sb_fimage_t img = render(SB_SCENE_WHITE_STUDIO, NULL, 3, 64, 48);
    for (size_t i = 0; i < 64 * 48 * 3; i++)
        cr_assert_eq(img.data[i], rgb[i % 3], "sample %zu", i);
    sb_fimage_free(&img);
    const sb_scene_preset others[] = {SB_SCENE_GRADIENT_LIGHT, SB_SCENE_MARBLE, SB_SCENE_OUTDOOR,
                                      SB_SCENE_TRANSPARENT, SB_SCENE_CUSTOM};
    for (size_t k = 0; k < sizeof others / sizeof others[0]; k++) {
        float untouched[3] = {-1, -1, -1};
        cr_assert_not(sb_scene_flat(others[k], untouched), "%s", sb_scene_preset_name(others[k]));
        cr_assert_eq(untouched[0], -1.0f);
    }
}

Test(scene, gradient_light_is_white_on_top_and_stays_light)
{
    sb_fimage_t img = render(SB_SCENE_GRADIENT_LIGHT, NULL, 3, 200, 300);
    double top[3], bottom[3];
    region_mean(&img, 0, 20, top);
    region_mean(&img, 280, 300, bottom);
    cr_assert_gt(top[1], bottom[1] + 0.05, "top %.3f bottom %.3f", top[1], bottom[1]);
    cr_assert_gt(top[1], 0.99);
    for (size_t i = 0; i < 200 * 300 * 3; i++)
        cr_assert_geq(img.data[i], 0.85f);
    sb_fimage_free(&img);
}

static void stats(const sb_fimage_t *img, double *mean, double *sd)
{
    double s = 0, s2 = 0;
    size_t n = (size_t)img->width * img->height;
    for (size_t i = 0; i < n; i++) {
        double v = img->data[i * 3 + 1];
        s += v, s2 += v * v;
    }
    *mean = s / n;
    *sd = sqrt(s2 / n - *mean * *mean);
}

Test(scene, marble_is_light_with_darker_veins_and_seeded)
{
    sb_fimage_t a = render(SB_SCENE_MARBLE, NULL, 11, 400, 400), b = render(SB_SCENE_MARBLE, NULL, 11, 400, 400);
    sb_fimage_t c = render(SB_SCENE_MARBLE, NULL, 12, 400, 400);
    cr_assert(same(&a, &b));
    cr_assert(!same(&a, &c));
    double mean, sd;
    stats(&a, &mean, &sd);
    cr_assert_gt(mean, 0.82, "mean %.3f", mean);
    cr_assert(sd > 0.02 && sd < 0.12, "sd %.3f", sd);
    /* Veins: a few percent of the pixels are clearly darker than the stone. */
    size_t dark = 0;
    for (size_t i = 0; i < 400 * 400; i++)
        dark += a.data[i * 3 + 1] < mean - 0.12;
    cr_assert(dark > 400 * 4 && dark < 400 * 400 / 4, "dark %zu", dark);
    sb_fimage_free(&a);
    sb_fimage_free(&b);
    sb_fimage_free(&c);
}

Test(scene, outdoor_has_sky_above_foliage)
{
    sb_fimage_t img = render(SB_SCENE_OUTDOOR, NULL, 5, 300, 300);
    double top[3], low[3];
    region_mean(&img, 0, 30, top);
    region_mean(&img, 150, 300, low);
    cr_assert_gt(low[1], low[0], "lower half R %.3f G %.3f", low[0], low[1]);
    cr_assert_gt(top[2], 0.7, "top B %.3f", top[2]);
    cr_assert_gt(top[2], top[0]);
    sb_fimage_free(&img);
}

/* A flat lay on outdoor: the table top seen from above fills the frame, no sky and no horizon. Every band of rows
 * is the table's warm wood (red over blue, no green foliage), where the standing product's garden has sky at the
 * top; the boards' seams run across it; the leaves' dappled light makes it uneven within a row. */
Test(scene, outdoor_from_above_is_a_table_top_without_a_horizon)
{
    sb_fimage_t above, standing;
    sb_scene_frame_t fa = {45, 250, 1}, fs = {45, 250, 0};
    cr_assert_eq(sb_scene_render_lit(SB_SCENE_OUTDOOR, NULL, 5, 300, 300, &fa, &above, NULL), SB_OK);
    cr_assert_eq(sb_scene_render_lit(SB_SCENE_OUTDOOR, NULL, 5, 300, 300, &fs, &standing, NULL), SB_OK);
    for (int y = 0; y < 300; y += 30) {
        double m[3];
        region_mean(&above, y, y + 30, m);
        cr_assert(m[0] > m[2] + 0.05 && m[0] >= m[1], "rows %d..%d: R %.3f G %.3f B %.3f", y, y + 30, m[0], m[1], m[2]);
    }
    double top[3];
    region_mean(&standing, 0, 30, top);
    cr_assert_gt(top[2], top[0], "the standing product's garden still has sky");
    /* Dappled: the middle row's brightest and darkest red differ by over a fifth. */
    float lo = 1, hi = 0;
    for (int x = 0; x < 300; x++) {
        const float *px = above.data + ((size_t)150 * 300 + x) * 3;
        lo = fminf(lo, px[0]), hi = fmaxf(hi, px[0]);
    }
    cr_assert_gt(hi - lo, 0.2f * hi, "dapple: %.3f..%.3f", lo, hi);
    sb_fimage_free(&above);
    sb_fimage_free(&standing);
}

static void parse_ok(const char *prompt, sb_scene_spec_t *spec, char ***ign, int *n)
{
    sb_error_t e = {0};
    cr_assert_eq(sb_scene_prompt_parse(prompt, spec, ign, n, &e), SB_OK, "%s", e.message);
}

Test(scene_prompt, wood_with_bokeh_reports_unknown_words)
{
    sb_scene_spec_t s;
    char **ign;
    int n;
    parse_ok("warm walnut wood table with bokeh", &s, &ign, &n);
    cr_assert_eq(s.material, SB_SCENE_MATERIAL_WOOD);
    cr_assert_eq(s.light, SB_SCENE_LIGHT_CANDLELIGHT);
    cr_assert_eq(s.effects, SB_SCENE_BOKEH);
    cr_assert_eq(s.has_colour, 0);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(ign[0], "walnut");
    cr_assert_str_eq(ign[1], "table");
    sb_scene_ignored_free(ign, n);
}

Test(scene_prompt, golden_hour_on_white_marble)
{
    sb_scene_spec_t s;
    char **ign;
    int n;
    parse_ok("Golden Hour on WHITE marble", &s, &ign, &n);
    cr_assert_eq(s.material, SB_SCENE_MATERIAL_MARBLE);
    cr_assert_eq(s.light, SB_SCENE_LIGHT_GOLDEN_HOUR);
    cr_assert(s.has_colour);
    cr_assert_float_eq(s.colour[0], 1.0f, 1e-6);
    cr_assert_float_eq(s.colour[2], 1.0f, 1e-6);
    cr_assert_eq(n, 0);
    cr_assert_null(ign);
}

Test(scene_prompt, hex_colour_linen_vignette)
{
    sb_scene_spec_t s;
    char **ign;
    int n;
    parse_ok("#336699 linen, vignette", &s, &ign, &n);
    cr_assert_eq(s.material, SB_SCENE_MATERIAL_LINEN);
    cr_assert_eq(s.effects, SB_SCENE_VIGNETTE);
    cr_assert(s.has_colour);
    cr_assert_float_eq(s.colour[0], 0x33 / 255.0f, 1e-6);
    cr_assert_float_eq(s.colour[1], 0x66 / 255.0f, 1e-6);
    cr_assert_float_eq(s.colour[2], 0x99 / 255.0f, 1e-6);
    cr_assert_eq(n, 0);
}

Test(scene_prompt, palette_names_phrases_and_order_of_unknowns)
{
    sb_scene_spec_t s;
    char **ign;
    int n;
    parse_ok("a rustic forest green slate counter, soft gradient and neon glow", &s, &ign, &n);
    cr_assert_eq(s.material, SB_SCENE_MATERIAL_SLATE);
    cr_assert_eq(s.light, SB_SCENE_LIGHT_NEON);
    cr_assert_eq(s.effects, SB_SCENE_GRADIENT);
    cr_assert(s.has_colour);
    cr_assert_float_eq(s.colour[0], 0.18f, 1e-6); /* forest_green's base */
    const char *want[] = {"rustic", "counter", "soft", "glow"};
    cr_assert_eq(n, 4);
    for (int i = 0; i < 4; i++)
        cr_assert_str_eq(ign[i], want[i]);
    sb_scene_ignored_free(ign, n);
    parse_ok("navy paper, warm candlelight", &s, NULL, NULL);
    cr_assert_eq(s.material, SB_SCENE_MATERIAL_PAPER);
    cr_assert_eq(s.light, SB_SCENE_LIGHT_CANDLELIGHT);
    cr_assert_float_eq(s.colour[2], 0.31f, 1e-6);
}

Test(scene_prompt, empty_and_long_prompts_are_rejected)
{
    sb_scene_spec_t s;
    char **ign;
    int n;
    sb_error_t e = {0};
    cr_assert_eq(sb_scene_prompt_parse("", &s, &ign, &n, &e), SB_ERR_USAGE);
    cr_assert_str_eq(e.field, "background_prompt");
    cr_assert_eq(sb_scene_prompt_parse("  ,. ", &s, &ign, &n, NULL), SB_ERR_USAGE);
    cr_assert_eq(sb_scene_prompt_parse(NULL, &s, &ign, &n, NULL), SB_ERR_USAGE);
    char longp[502];
    memset(longp, 'a', 501);
    longp[501] = '\0';
    cr_assert_eq(sb_scene_prompt_parse(longp, &s, &ign, &n, &e), SB_ERR_USAGE);
    cr_assert_str_eq(e.field, "background_prompt");
}

Test(scene_custom, materials_and_lights_differ_and_are_deterministic)
{
    sb_scene_spec_t wood = {.material = SB_SCENE_MATERIAL_WOOD}, concrete = {.material = SB_SCENE_MATERIAL_CONCRETE};
    sb_fimage_t a = render(SB_SCENE_CUSTOM, &wood, 9, 256, 256), b = render(SB_SCENE_CUSTOM, &wood, 9, 256, 256);
    sb_fimage_t c = render(SB_SCENE_CUSTOM, &concrete, 9, 256, 256);
    cr_assert(same(&a, &b));
    cr_assert(!same(&a, &c));
    sb_fimage_free(&a);
    sb_fimage_free(&b);
    sb_fimage_free(&c);

    sb_scene_spec_t candle = {.material = SB_SCENE_MATERIAL_LINEN, .has_colour = 1, .colour = {0.9f, 0.9f, 0.9f},
                              .light = SB_SCENE_LIGHT_CANDLELIGHT};
    sb_scene_spec_t day = candle;
    day.light = SB_SCENE_LIGHT_DAYLIGHT;
    sb_fimage_t warm = render(SB_SCENE_CUSTOM, &candle, 9, 256, 256), cool = render(SB_SCENE_CUSTOM, &day, 9, 256, 256);
    double mw[3], mc[3];
    region_mean(&warm, 0, 256, mw);
    region_mean(&cool, 0, 256, mc);
    cr_assert_gt(mw[0] - mw[2], mc[0] - mc[2] + 0.2, "candle R-B %.3f daylight R-B %.3f", mw[0] - mw[2],
                 mc[0] - mc[2]);
    sb_fimage_free(&warm);
    sb_fimage_free(&cool);
}

Test(scene_custom, every_material_light_and_effect_renders)
{
    for (int m = 0; m < SB_SCENE_MATERIAL__COUNT; m++)
        for (int l = 0; l < SB_SCENE_LIGHT__COUNT; l++) {
            sb_scene_spec_t s = {.material = (sb_scene_material)m, .light = (sb_scene_light)l,
                                 .effects = SB_SCENE_BOKEH | SB_SCENE_GRADIENT | SB_SCENE_VIGNETTE};
            sb_fimage_t img = render(SB_SCENE_CUSTOM, &s, (uint64_t)(m * 8 + l), 97, 61);
            for (size_t i = 0; i < 97 * 61 * 3; i++)
                cr_assert(img.data[i] > -0.01f && img.data[i] < 1.01f, "m %d l %d value %f", m, l, img.data[i]);
            sb_fimage_free(&img);
        }
}

Test(scene_custom, effects_change_the_picture)
{
    sb_scene_spec_t plain = {.material = SB_SCENE_MATERIAL_PAPER}, vig = plain, bok = plain;
    vig.effects = SB_SCENE_VIGNETTE;
    bok.effects = SB_SCENE_BOKEH;
    sb_fimage_t a = render(SB_SCENE_CUSTOM, &plain, 4, 200, 200), b = render(SB_SCENE_CUSTOM, &vig, 4, 200, 200);
    sb_fimage_t c = render(SB_SCENE_CUSTOM, &bok, 4, 200, 200);
    /* The vignette darkens the corners, not the centre. */
    size_t corner = 2 * 3, centre = (100 * 200 + 100) * 3;
    cr_assert_lt(b.data[corner], a.data[corner] - 0.05f);
    cr_assert_float_eq(b.data[centre], a.data[centre], 0.02f);
    cr_assert(!same(&a, &c));
    sb_fimage_free(&a);
    sb_fimage_free(&b);
    sb_fimage_free(&c);
}
