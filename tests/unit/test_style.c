/* test_style.c - the portrait prompt vocabulary (render/style.c), the shared word reader (util/words.c),
 * the built-in templates (pipeline/templates.c) and the studio paper a prompt's colour paints
 * (render/portrait_bg.c). */
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/templates.h"
#include "render/palette.h"
#include "render/portrait_bg.h"
#include "render/style.h"
#include "util/words.h"

/* Parse `prompt` with `seed`, asserting success; the ignored words are freed unless asked for. */
static sb_style_t style_of(const char *prompt, uint64_t seed, int *n_ignored)
{
    sb_style_t s;
    char **ign;
    int n;
    sb_error_t e = {0};
    cr_assert_eq(sb_style_from_prompt(prompt, seed, &s, &ign, &n, &e), SB_OK, "\"%s\": %s", prompt, e.message);
    if (n_ignored)
        *n_ignored = n;
    sb_style_ignored_free(ign, n);
    return s;
}

static float max_channel_diff(const float a[3], const float b[3])
{
    float d = 0;
    for (int c = 0; c < 3; c++)
        d = fmaxf(d, fabsf(a[c] - b[c]));
    return d;
}

enum { MODE, LIGHT, BACKGROUND, GRADE, FRAMING };

static const struct {
    const char *prompt;
    int group, value;
} groups[] = {
    {"realistic", MODE, SB_STYLE_MODE_PHOTO},
    {"anime", MODE, SB_STYLE_MODE_ANIME_HOSODA},
    {"cartoon", MODE, SB_STYLE_MODE_ANIME_HOSODA},
    {"ghibli", MODE, SB_STYLE_MODE_ANIME_HAYAO},
    {"watercolour anime", MODE, SB_STYLE_MODE_ANIME_HAYAO},
    {"black and white", MODE, SB_STYLE_MODE_MONO},
    {"B&W", MODE, SB_STYLE_MODE_MONO},
    {"monochrome", MODE, SB_STYLE_MODE_MONO},
    {"film", MODE, SB_STYLE_MODE_FILM},
    {"vintage", MODE, SB_STYLE_MODE_FILM},
    {"soft light", LIGHT, SB_STYLE_LIGHT_SOFT},
    {"studio lighting", LIGHT, SB_STYLE_LIGHT_STUDIO},
    {"rim light", LIGHT, SB_STYLE_LIGHT_RIM},
    {"split lighting", LIGHT, SB_STYLE_LIGHT_SPLIT},
    {"butterfly", LIGHT, SB_STYLE_LIGHT_BUTTERFLY},
    {"dramatic", LIGHT, SB_STYLE_LIGHT_DRAMATIC},
    {"low-key", LIGHT, SB_STYLE_LIGHT_DRAMATIC},
    {"golden hour", LIGHT, SB_STYLE_LIGHT_GOLDEN},
    {"neon", LIGHT, SB_STYLE_LIGHT_NEON},
    {"studio background", BACKGROUND, SB_STYLE_BG_STUDIO},
    {"gradient", BACKGROUND, SB_STYLE_BG_GRADIENT},
    {"bokeh", BACKGROUND, SB_STYLE_BG_BOKEH},
    {"office", BACKGROUND, SB_STYLE_BG_OFFICE},
    {"outdoors", BACKGROUND, SB_STYLE_BG_OUTDOOR},
    {"neon geometric", BACKGROUND, SB_STYLE_BG_NEON},
    {"cyberpunk", BACKGROUND, SB_STYLE_BG_NEON},
    {"warm", GRADE, SB_STYLE_GRADE_WARM},
    {"cool", GRADE, SB_STYLE_GRADE_COOL},
    {"teal-orange", GRADE, SB_STYLE_GRADE_TEAL_ORANGE},
    {"teal and orange", GRADE, SB_STYLE_GRADE_TEAL_ORANGE},
    {"muted", GRADE, SB_STYLE_GRADE_MUTED},
    {"vivid", GRADE, SB_STYLE_GRADE_VIVID},
    {"close-up", FRAMING, SB_STYLE_FRAME_CLOSE_UP},
    {"close up", FRAMING, SB_STYLE_FRAME_CLOSE_UP},
    {"head and shoulders", FRAMING, SB_STYLE_FRAME_HEAD_SHOULDERS},
    {"half body", FRAMING, SB_STYLE_FRAME_HALF_BODY},
};

Test(style_vocabulary, every_group_maps_as_documented)
{
    static const unsigned bit[] = {SB_STYLE_SET_MODE, SB_STYLE_SET_LIGHT, SB_STYLE_SET_BACKGROUND,
                                   SB_STYLE_SET_GRADE, SB_STYLE_SET_FRAMING};
    for (size_t i = 0; i < sizeof groups / sizeof *groups; i++) {
        int n;
        sb_style_t s = style_of(groups[i].prompt, 7, &n);
        int got = groups[i].group == MODE        ? (int)s.mode
                  : groups[i].group == LIGHT      ? (int)s.light.kind
                  : groups[i].group == BACKGROUND ? (int)s.background.kind
                  : groups[i].group == GRADE      ? (int)s.grade
                                                  : (int)s.framing;
        cr_expect_eq(got, groups[i].value, "\"%s\" gave %d, want %d", groups[i].prompt, got, groups[i].value);
        cr_expect_eq(n, 0, "\"%s\" left %d words ignored", groups[i].prompt, n);
        cr_expect(s.from_prompt & bit[groups[i].group], "\"%s\" not marked as set", groups[i].prompt);
    }
}

Test(style_vocabulary, finishes_turn_on_and_off)
{
    sb_style_t plain = style_of("realistic", 5, NULL), s = style_of("grain vignette soft skin sharp", 5, NULL);
    cr_assert_eq(plain.grain, 0.0f);
    cr_assert(s.grain >= 0.02f && s.grain <= 0.04f, "grain %.3f", s.grain);
    cr_assert(s.vignette >= 0.25f, "vignette %.3f", s.vignette);
    cr_assert(s.soft_skin >= 0.5f, "soft skin %.3f", s.soft_skin);
    cr_assert(s.sharpen >= 0.5f, "sharpen %.3f", s.sharpen);
    cr_assert(s.from_prompt & SB_STYLE_SET_FINISH);
    cr_assert_eq(s.light.kind, SB_STYLE_LIGHT_STUDIO, "\"soft skin\" is not soft light");
    /* Film has grain of its own; "no grain" takes it away, and anime gets grain when asked for. */
    cr_assert_gt(style_of("film", 5, NULL).grain, 0.0f);
    cr_assert_eq(style_of("film, no grain, no vignette", 5, NULL).grain, 0.0f);
    cr_assert_eq(style_of("film, no grain, no vignette", 5, NULL).vignette, 0.0f);
    cr_assert_eq(style_of("anime", 5, NULL).grain, 0.0f);
    cr_assert_gt(style_of("anime grainy", 5, NULL).grain, 0.0f);
}

Test(style_vocabulary, phrases_beat_their_words)
{
    int n;
    sb_style_t s = style_of("Golden Hour", 3, &n);
    cr_assert_eq(s.light.kind, SB_STYLE_LIGHT_GOLDEN);
    cr_assert_eq(n, 0, "\"hour\" is part of the phrase");
    cr_assert_gt(s.light.warmth, 0.5f);

    s = style_of("black and white", 3, &n);
    cr_assert_eq(s.mode, SB_STYLE_MODE_MONO);
    cr_assert_eq(s.from_prompt & SB_STYLE_SET_COLOUR, 0u, "black and white are not background colours here");

    s = style_of("teal-orange", 3, NULL);
    cr_assert_eq(s.grade, SB_STYLE_GRADE_TEAL_ORANGE);
    cr_assert_eq(s.from_prompt & SB_STYLE_SET_COLOUR, 0u, "teal is not a colour inside the phrase");
    s = style_of("teal", 3, NULL);
    cr_assert_eq(s.grade, SB_STYLE_GRADE_NONE);
    cr_assert(s.from_prompt & SB_STYLE_SET_COLOUR, "teal alone is a colour");

    s = style_of("neon geometric", 3, NULL);
    cr_assert_eq(s.background.kind, SB_STYLE_BG_NEON);
    cr_assert_eq(s.light.kind, SB_STYLE_LIGHT_STUDIO, "the phrase does not also set neon light");
    s = style_of("neon", 3, NULL);
    cr_assert_eq(s.light.kind, SB_STYLE_LIGHT_NEON);
    cr_assert_eq(s.background.kind, SB_STYLE_BG_STUDIO);

    s = style_of("soft skin", 3, NULL);
    cr_assert_eq(s.from_prompt & SB_STYLE_SET_LIGHT, 0u);
    /* Contradictions in one group: the last word wins. */
    cr_assert_eq(style_of("warm, then cool", 3, NULL).grade, SB_STYLE_GRADE_COOL);
    cr_assert_eq(style_of("anime film", 3, NULL).mode, SB_STYLE_MODE_FILM);
}

Test(style_vocabulary, hex_palette_and_plain_colours)
{
    sb_style_t s = style_of("#336699 backdrop", 11, NULL);
    const float hex[3] = {0x33 / 255.0f, 0x66 / 255.0f, 0x99 / 255.0f};
    cr_assert_lt(max_channel_diff(s.background.colour, hex), 0.03f);
    cr_assert(s.from_prompt & SB_STYLE_SET_COLOUR);

    sb_palette_t forest;
    cr_assert_eq(sb_palette_parse("forest_green", &forest, NULL), SB_OK);
    int n;
    s = style_of("Forest Green", 11, &n);
    cr_assert_eq(n, 0);
    cr_assert_lt(max_channel_diff(s.background.colour, forest.base), 0.03f);
    s = style_of("forest_green", 11, NULL);
    cr_assert_lt(max_channel_diff(s.background.colour, forest.base), 0.03f);

    float red[3];
    cr_assert(sb_style_colour_word("red", red));
    cr_assert(red[0] > 0.6f && red[1] < 0.3f && red[2] < 0.3f);
    cr_assert(sb_style_colour_word("light grey", red));
    cr_assert_not(sb_style_colour_word("walnut", red));
    cr_assert_not(sb_style_colour_word("#12345", red));

    /* Two colours: the first is the main one, the second the gradient's far end. */
    s = style_of("navy and white gradient", 11, NULL);
    cr_assert_eq(s.background.kind, SB_STYLE_BG_GRADIENT);
    cr_assert_gt(s.background.colour[2], s.background.colour[0] + 0.1f);
    cr_assert_gt(s.background.colour2[0], 0.9f);
    cr_assert(s.from_prompt & SB_STYLE_SET_COLOUR2);
}

/* "dark background" was ignored and gave the light house backdrop; a shade word now darkens or lightens the
 * colour after it, and "window light" is the soft light it names. */
Test(style_vocabulary, shade_words_and_window_light)
{
    int n;
    sb_style_t s = style_of("editorial, window light, dark background", 7, &n);
    cr_assert_eq(n, 0, "nothing ignored");
    cr_assert(s.from_prompt & SB_STYLE_SET_COLOUR);
    cr_assert_lt(s.background.colour[0] + s.background.colour[1] + s.background.colour[2], 0.6f);
    cr_assert_eq(s.light.kind, SB_STYLE_LIGHT_SOFT);

    float blue[3], dark[3], light[3], pale[3];
    cr_assert(sb_style_colour_word("blue", blue));
    cr_assert(sb_style_colour_word("dark blue", dark));
    cr_assert(sb_style_colour_word("light blue", light));
    cr_assert(sb_style_colour_word("pale forest green", pale));
    for (int c = 0; c < 3; c++) {
        cr_assert_lt(dark[c], blue[c] + 1e-6f);
        cr_assert_gt(light[c], blue[c]);
    }
    cr_assert_gt(dark[2], dark[0] + 0.05f, "dark blue is still blue");
    cr_assert_gt(light[2], light[0] + 0.05f, "light blue is still blue");
    cr_assert_gt(pale[1], pale[0], "pale forest green is still green");
    cr_assert_not(sb_style_colour_word("dark walnut", dark));
    cr_assert_not(sb_style_colour_word("darkblue", dark));
}

Test(style_vocabulary, ignored_terms_in_order_without_fillers_or_duplicates)
{
    sb_style_t s;
    char **ign;
    int n;
    sb_error_t e = {0};
    cr_assert_eq(sb_style_from_prompt("A portrait of the WIZARD, with a tall hat; wizard in golden hour light, café",
                                      1, &s, &ign, &n, &e),
                 SB_OK, "%s", e.message);
    const char *want[] = {"wizard", "tall", "hat", "café"};
    cr_assert_eq(n, 4, "%d ignored", n);
    for (int i = 0; i < 4; i++)
        cr_assert_str_eq(ign[i], want[i]);
    cr_assert_eq(s.light.kind, SB_STYLE_LIGHT_GOLDEN);
    sb_style_ignored_free(ign, n);

    cr_assert_eq(sb_style_from_prompt("a headshot photo with the studio look and style", 1, &s, &ign, &n, &e), SB_OK);
    cr_assert_eq(n, 0);
    cr_assert_null(ign);
    /* ignored may be NULL when the caller does not want the list. */
    cr_assert_eq(sb_style_from_prompt("unknown words", 1, &s, NULL, NULL, &e), SB_OK);
}

Test(style_seed, same_prompt_and_seed_give_the_same_style)
{
    const char *prompts[] = {"", "anime neon geometric", "navy gradient warm", "film grain half body", "#aa3300"};
    for (int p = 0; p < 5; p++)
        for (uint64_t seed = 1; seed < 200; seed += 37) {
            sb_style_t a = style_of(prompts[p], seed, NULL), b = style_of(prompts[p], seed, NULL);
            cr_assert_eq(memcmp(&a, &b, sizeof a), 0, "\"%s\" seed %llu", prompts[p], (unsigned long long)seed);
        }
}

Test(style_seed, seeds_42_and_43_differ_in_open_choices)
{
    sb_style_t a = style_of("", 42, NULL), b = style_of("", 43, NULL);
    float d = max_channel_diff(a.background.colour, b.background.colour);
    cr_assert_gt(d, 0.08f, "background colours differ by %.3f", d);
    cr_assert_gt(fabsf(a.light.angle_deg - b.light.angle_deg), 30.0f, "%.1f vs %.1f", a.light.angle_deg,
                 b.light.angle_deg);
    cr_assert_lt(cosf(a.light.angle_deg * (float)M_PI / 180) * cosf(b.light.angle_deg * (float)M_PI / 180), 0.0f,
                 "the key changes sides");
    cr_assert_neq(a.background.texture_seed, b.background.texture_seed);
    cr_assert_neq(a.grain_seed, b.grain_seed);
    /* Not only 42 and 43: every pair of consecutive seeds (samples) differs in colour and key side. */
    for (uint64_t seed = 1; seed <= 2000; seed++) {
        sb_style_t x = style_of("", seed, NULL), y = style_of("", seed + 1, NULL);
        cr_assert_gt(max_channel_diff(x.background.colour, y.background.colour), 0.08f, "seed %llu",
                     (unsigned long long)seed);
        cr_assert_lt(cosf(x.light.angle_deg * (float)M_PI / 180) * cosf(y.light.angle_deg * (float)M_PI / 180),
                     0.0f, "seed %llu", (unsigned long long)seed);
    }
}

Test(style_seed, prompt_choices_stay_fixed_across_seeds)
{
    sb_palette_t navy;
    cr_assert_eq(sb_palette_parse("navy", &navy, NULL), SB_OK);
    for (uint64_t seed = 100; seed < 120; seed++) {
        sb_style_t w = style_of("warm", seed, NULL);
        cr_assert_eq(w.grade, SB_STYLE_GRADE_WARM);
        cr_assert(w.grade_strength >= 0.55f && w.grade_strength <= 0.85f);
        cr_assert_gt(w.light.warmth, 0.2f, "a warm prompt keeps a warm key");

        sb_style_t n = style_of("navy", seed, NULL);
        cr_assert_lt(max_channel_diff(n.background.colour, navy.base), 0.04f, "seed %llu",
                     (unsigned long long)seed);
        cr_assert_gt(n.background.colour[2], n.background.colour[0] + 0.1f, "still blue");

        sb_style_t k = style_of("anime, split light, half body, bokeh", seed, NULL);
        cr_assert_eq(k.mode, SB_STYLE_MODE_ANIME_HOSODA);
        cr_assert_eq(k.light.kind, SB_STYLE_LIGHT_SPLIT);
        cr_assert(fabsf(cosf(k.light.angle_deg * (float)M_PI / 180)) > 0.98f, "split: key from the side");
        cr_assert_eq(k.framing, SB_STYLE_FRAME_HALF_BODY);
        cr_assert_eq(k.background.kind, SB_STYLE_BG_BOKEH);
    }
}

Test(style_seed, the_default_is_the_house_style)
{
    sb_style_t s;
    cr_assert_eq(sb_style_from_prompt(NULL, 9, &s, NULL, NULL, NULL), SB_OK);
    for (uint64_t seed = 1; seed <= 100; seed++) {
        s = style_of("", seed, NULL);
        cr_assert_eq(s.mode, SB_STYLE_MODE_PHOTO);
        cr_assert_eq(s.light.kind, SB_STYLE_LIGHT_STUDIO);
        cr_assert_eq(s.background.kind, SB_STYLE_BG_STUDIO);
        cr_assert_eq(s.framing, SB_STYLE_FRAME_HEAD_SHOULDERS);
        cr_assert_eq(s.grade, SB_STYLE_GRADE_NONE);
        cr_assert_eq(s.from_prompt, 0u);
        cr_assert_eq(s.grain, 0.0f);
        /* Tasteful paper: muted (channels within 0.25 of each other) and neither black nor white. */
        const float *c = s.background.colour;
        float hi = fmaxf(c[0], fmaxf(c[1], c[2])), lo = fminf(c[0], fminf(c[1], c[2]));
        cr_assert_lt(hi - lo, 0.25f, "seed %llu", (unsigned long long)seed);
        cr_assert(lo > 0.15f && hi < 0.85f, "seed %llu: %.2f..%.2f", (unsigned long long)seed, lo, hi);
        cr_assert(s.light.angle_deg >= 25 && s.light.angle_deg <= 155, "key above the horizon");
    }
}

Test(style_errors, long_and_invalid_prompts)
{
    sb_style_t s;
    sb_error_t e = {0};
    char text[2002];
    memset(text, 'a', 1001);
    text[1001] = '\0';
    cr_assert_eq(sb_style_from_prompt(text, 1, &s, NULL, NULL, &e), SB_ERR_USAGE);
    cr_assert_str_eq(e.field, "prompt");
    cr_assert(strstr(e.message, "1000"), "%s", e.message);
    text[1000] = '\0';
    cr_assert_eq(sb_style_from_prompt(text, 1, &s, NULL, NULL, &e), SB_OK);
    /* Characters, not bytes: 1000 two-byte characters are allowed. */
    for (int i = 0; i < 1000; i++)
        memcpy(text + 2 * i, "\xc3\xa9", 2);
    text[2000] = '\0';
    cr_assert_eq(sb_style_from_prompt(text, 1, &s, NULL, NULL, &e), SB_OK, "%s", e.message);
    e = (sb_error_t){0};
    cr_assert_eq(sb_style_from_prompt("warm \xff\xfe", 1, &s, NULL, NULL, &e), SB_ERR_USAGE);
    cr_assert_str_eq(e.field, "prompt");
    cr_assert(strstr(e.message, "UTF-8"), "%s", e.message);
}

Test(style_templates, builtins_parse_with_no_ignored_words)
{
    int n;
    const sb_template_t *t = sb_template_builtins(&n);
    cr_assert_geq(n, 5);
    const char *required[] = {"corporate-headshot", "linkedin-profile", "anime-gamer", "editorial-noir",
                              "warm-portfolio"};
    for (int i = 0; i < 5; i++)
        cr_assert_not_null(sb_template_builtin(required[i]), "%s", required[i]);
    cr_assert_null(sb_template_builtin("no-such-template"));
    cr_assert_null(sb_template_builtin(NULL));
    for (int i = 0; i < n; i++) {
        cr_assert_eq(strspn(t[i].name, "abcdefghijklmnopqrstuvwxyz0123456789-"), strlen(t[i].name), "%s", t[i].name);
        cr_assert(t[i].seed >= 1 && t[i].seed <= 4294967295LL, "%s", t[i].name);
        cr_assert_gt(strlen(t[i].description), 10);
        cr_assert_eq(sb_template_builtin(t[i].name), &t[i], "names are unique");
        int ignored;
        sb_style_t s = style_of(t[i].prompt, (uint64_t)t[i].seed, &ignored);
        cr_assert_eq(ignored, 0, "%s: \"%s\"", t[i].name, t[i].prompt);
        cr_assert_neq(s.from_prompt, 0u);
    }
    cr_assert_eq(style_of(sb_template_builtin("anime-gamer")->prompt, 1, NULL).mode, SB_STYLE_MODE_ANIME_HOSODA);
    cr_assert_eq(style_of(sb_template_builtin("editorial-noir")->prompt, 1, NULL).mode, SB_STYLE_MODE_MONO);
    cr_assert_eq(style_of(sb_template_builtin("warm-portfolio")->prompt, 1, NULL).grade, SB_STYLE_GRADE_WARM);
}

static void expect_number(json_t *o, const char *key, float want)
{
    json_t *v = json_object_get(o, key);
    cr_assert(json_is_number(v), "%s missing", key);
    cr_assert_float_eq(json_number_value(v), want, 6e-4, "%s: %f vs %f", key, json_number_value(v), want);
}

static void expect_rgb(json_t *o, const char *key, const float want[3])
{
    json_t *a = json_object_get(o, key);
    cr_assert(json_is_array(a) && json_array_size(a) == 3, "%s", key);
    for (int c = 0; c < 3; c++)
        cr_assert_float_eq(json_number_value(json_array_get(a, (size_t)c)), want[c], 6e-4, "%s[%d]", key, c);
}

Test(style_json, every_field_round_trips)
{
    sb_style_t s = style_of("film, rim light, navy and gold bokeh, muted, close-up, vignette", 4242, NULL);
    char *text = sb_style_to_json(&s);
    cr_assert_not_null(text);
    json_error_t je;
    json_t *o = json_loads(text, JSON_REJECT_DUPLICATES, &je);
    cr_assert_not_null(o, "%s: %s", je.text, text);
    cr_assert_eq(json_object_size(o), 12);
    cr_assert_str_eq(json_string_value(json_object_get(o, "mode")), "film");
    cr_assert_str_eq(json_string_value(json_object_get(o, "grade")), "muted");
    cr_assert_str_eq(json_string_value(json_object_get(o, "framing")), "close-up");
    expect_number(o, "gradeStrength", s.grade_strength);
    expect_number(o, "grain", s.grain);
    expect_number(o, "vignette", s.vignette);
    expect_number(o, "softSkin", s.soft_skin);
    expect_number(o, "sharpen", s.sharpen);
    cr_assert_eq((uint64_t)json_integer_value(json_object_get(o, "grainSeed")), s.grain_seed);

    json_t *light = json_object_get(o, "light");
    cr_assert_eq(json_object_size(light), 5);
    cr_assert_str_eq(json_string_value(json_object_get(light, "kind")), "rim");
    expect_number(light, "angleDeg", s.light.angle_deg);
    expect_number(light, "softness", s.light.softness);
    expect_number(light, "strength", s.light.strength);
    expect_number(light, "warmth", s.light.warmth);

    json_t *bg = json_object_get(o, "background");
    cr_assert_eq(json_object_size(bg), 5);
    cr_assert_str_eq(json_string_value(json_object_get(bg, "kind")), "bokeh");
    expect_rgb(bg, "colour", s.background.colour);
    expect_rgb(bg, "colour2", s.background.colour2);
    expect_number(bg, "angleDeg", s.background.angle_deg);
    cr_assert_eq((uint64_t)json_integer_value(json_object_get(bg, "textureSeed")), s.background.texture_seed);

    json_t *set = json_object_get(o, "fromPrompt");
    const char *want[] = {"mode", "light", "background", "colour", "grade", "framing", "finish", "colour2"};
    cr_assert_eq(json_array_size(set), 8);
    for (int i = 0; i < 8; i++)
        cr_assert_str_eq(json_string_value(json_array_get(set, (size_t)i)), want[i]);
    json_decref(o);
    free(text);
}

Test(style_json, enum_names)
{
    for (int m = 0; m < SB_STYLE_MODE__COUNT; m++)
        cr_assert_str_neq(sb_style_mode_name((sb_style_mode)m), "unknown");
    for (int l = 0; l < SB_STYLE_LIGHT__COUNT; l++)
        cr_assert_str_neq(sb_style_light_name((sb_style_light)l), "unknown");
    for (int b = 0; b < SB_STYLE_BG__COUNT; b++)
        cr_assert_str_neq(sb_style_background_name((sb_style_background)b), "unknown");
    for (int g = 0; g < SB_STYLE_GRADE__COUNT; g++)
        cr_assert_str_neq(sb_style_grade_name((sb_style_grade)g), "unknown");
    for (int f = 0; f < SB_STYLE_FRAME__COUNT; f++)
        cr_assert_str_neq(sb_style_framing_name((sb_style_framing)f), "unknown");
    cr_assert_str_eq(sb_style_light_name(SB_STYLE_LIGHT_GOLDEN), "golden-hour");
    cr_assert_str_eq(sb_style_background_name(SB_STYLE_BG_NEON), "neon-geometric");
    cr_assert_str_eq(sb_style_mode_name(SB_STYLE_MODE__COUNT), "unknown");
}

/* A vocabulary of "x", "x y" and "x y z" that records what it matched. */
static int record(const char *phrase, void *ctx)
{
    if (strcmp(phrase, "x") && strcmp(phrase, "x y") && strcmp(phrase, "x y z"))
        return 0;
    strcat(ctx, "[");
    strcat(ctx, phrase);
    strcat(ctx, "]");
    return 1;
}

Test(words, longest_phrase_first_and_unknown_words_once)
{
    char seen[256] = "";
    const sb_words_vocab_t v = {"text", 50, 3, record, seen};
    char **ign;
    int n, words;
    sb_error_t e = {0};
    cr_assert_eq(sb_words_read("X-Y-z, x y; Q x #A_1 q", &v, &ign, &n, &words, &e), SB_OK, "%s", e.message);
    cr_assert_str_eq(seen, "[x y z][x y][x]");
    cr_assert_eq(words, 9);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(ign[0], "q");
    cr_assert_str_eq(ign[1], "#a_1");
    sb_words_free(ign, n);

    const sb_words_vocab_t two = {"text", 50, 2, record, seen};
    seen[0] = '\0';
    cr_assert_eq(sb_words_read("x y z", &two, &ign, &n, NULL, &e), SB_OK);
    cr_assert_str_eq(seen, "[x y]", "max_phrase 2 never tries three words");
    cr_assert_eq(n, 1);
    sb_words_free(ign, n);

    cr_assert_eq(sb_words_read(NULL, &v, &ign, &n, &words, &e), SB_OK);
    cr_assert_eq(words, 0);
    cr_assert_null(ign);
    cr_assert_eq(sb_words_read("x x x x x x x x x x x x x x x x x x x x x x x x x x", &v, &ign, &n, NULL, &e),
                 SB_ERR_USAGE);
    cr_assert_str_eq(e.field, "text");
}

/* Mean sRGB of the studio background a prompt paints (96 x 120). */
static void studio_mean(const char *prompt, float mean[3])
{
    sb_style_t s = style_of(prompt, 5, NULL);
    cr_assert_eq(s.background.kind, SB_STYLE_BG_STUDIO, "%s", prompt);
    sb_fimage_t bg;
    sb_error_t e = {0};
    cr_assert_eq(sb_portrait_bg_render(&s, 96, 120, &bg, &e), SB_OK, "%s", e.message);
    double sum[3] = {0};
    for (size_t i = 0; i < (size_t)96 * 120; i++)
        for (int c = 0; c < 3; c++)
            sum[c] += bg.data[i * 3 + c];
    for (int c = 0; c < 3; c++)
        mean[c] = (float)(sum[c] / (96.0 * 120.0));
    sb_fimage_free(&bg);
}

/* "black background" and "navy studio background" painted a pale grey-lavender paper (the light studio's
 * centre is the colour 60% of the way to white); dark colours paint the dark studio now, light ones the
 * light studio as before. */
Test(style_background, dark_colours_paint_dark_paper_and_light_ones_light)
{
    float black[3], navy[3], dark[3], grey[3], blue[3];
    studio_mean("black background", black);
    studio_mean("navy studio background", navy);
    studio_mean("dark background", dark);
    studio_mean("light grey background", grey);
    studio_mean("blue background", blue);
    for (int c = 0; c < 3; c++) {
        cr_expect_lt(black[c], 0.12f, "black, channel %d: %.3f", c, black[c]);
        cr_expect_lt(dark[c], 0.2f, "dark, channel %d: %.3f", c, dark[c]);
        cr_expect_gt(grey[c], 0.7f, "light grey, channel %d: %.3f", c, grey[c]);
    }
    cr_expect_lt(navy[0] + navy[1] + navy[2], 0.75f, "navy %.3f %.3f %.3f", navy[0], navy[1], navy[2]);
    cr_expect_gt(navy[2], navy[0] + 0.08f, "navy is blue: %.3f %.3f %.3f", navy[0], navy[1], navy[2]);
    cr_expect_gt(blue[2], 0.6f, "blue stays a lit blue paper: %.3f", blue[2]);
}
