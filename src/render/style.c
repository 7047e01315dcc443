/* style.c - the portrait prompt vocabulary, and the seeded resolution of every choice a prompt leaves
 * open. The vocabulary is the table below; docs/internals/render.md ("Portrait prompt vocabulary") lists
 * it for users. */
#include "render/style.h"

#include <jansson.h>
#include <math.h>
#include <string.h>

#include "render/palette.h"
#include "util/rng.h"
#include "util/words.h"

#define MAX_PROMPT 1000
#define MAX_PHRASE 3 /* "head and shoulders", "black and white", "teal and orange" */

static const char *const mode_names[SB_STYLE_MODE__COUNT] = {"photo", "anime-hosoda", "anime-hayao", "mono",
                                                             "film"};
static const char *const light_names[SB_STYLE_LIGHT__COUNT] = {"soft",      "studio",   "rim",         "split",
                                                               "butterfly", "dramatic", "golden-hour", "neon"};
static const char *const background_names[SB_STYLE_BG__COUNT] = {"studio", "gradient", "bokeh",
                                                                  "office", "outdoor",  "neon-geometric"};
static const char *const grade_names[SB_STYLE_GRADE__COUNT] = {"none", "warm", "cool", "teal-orange", "muted",
                                                               "vivid"};
static const char *const framing_names[SB_STYLE_FRAME__COUNT] = {"close-up", "head-and-shoulders", "half-body"};

const char *sb_style_mode_name(sb_style_mode m)
{
    return (unsigned)m < SB_STYLE_MODE__COUNT ? mode_names[m] : "unknown";
}

const char *sb_style_light_name(sb_style_light l)
{
    return (unsigned)l < SB_STYLE_LIGHT__COUNT ? light_names[l] : "unknown";
}

const char *sb_style_background_name(sb_style_background b)
{
    return (unsigned)b < SB_STYLE_BG__COUNT ? background_names[b] : "unknown";
}

const char *sb_style_grade_name(sb_style_grade g)
{
    return (unsigned)g < SB_STYLE_GRADE__COUNT ? grade_names[g] : "unknown";
}

const char *sb_style_framing_name(sb_style_framing f)
{
    return (unsigned)f < SB_STYLE_FRAME__COUNT ? framing_names[f] : "unknown";
}

/* ---- the vocabulary ---- */

enum { G_FILLER, G_MODE, G_LIGHT, G_BACKGROUND, G_GRADE, G_FRAMING, G_FINISH };
enum { F_GRAIN, F_VIGNETTE, F_SOFT_SKIN, F_SHARPEN, F__COUNT };
/* A finish term's value: which finish, and whether it turns it on or off. */
#define ON(f) ((f) * 2 + 1)
#define OFF(f) ((f) * 2)

typedef struct {
    const char *phrase; /* lower case, words joined by one space */
    int group, value;
} term_t;

/* A phrase may appear in several rows: each row applies ("studio" sets the light and the background). */
static const term_t terms[] = {
    /* Accepted without meaning, and not reported. */
    {"a", G_FILLER, 0}, {"an", G_FILLER, 0}, {"the", G_FILLER, 0}, {"and", G_FILLER, 0}, {"with", G_FILLER, 0},
    {"of", G_FILLER, 0}, {"in", G_FILLER, 0}, {"on", G_FILLER, 0}, {"portrait", G_FILLER, 0},
    {"photo", G_FILLER, 0}, {"headshot", G_FILLER, 0}, {"style", G_FILLER, 0}, {"look", G_FILLER, 0},
    {"background", G_FILLER, 0}, {"backdrop", G_FILLER, 0}, {"lighting", G_FILLER, 0}, {"light", G_FILLER, 0},

    {"realistic", G_MODE, SB_STYLE_MODE_PHOTO}, {"photorealistic", G_MODE, SB_STYLE_MODE_PHOTO},
    {"photographic", G_MODE, SB_STYLE_MODE_PHOTO},
    {"anime", G_MODE, SB_STYLE_MODE_ANIME_HOSODA}, {"cartoon", G_MODE, SB_STYLE_MODE_ANIME_HOSODA},
    {"hosoda", G_MODE, SB_STYLE_MODE_ANIME_HOSODA}, {"manga", G_MODE, SB_STYLE_MODE_ANIME_HOSODA},
    {"ghibli", G_MODE, SB_STYLE_MODE_ANIME_HAYAO}, {"hayao", G_MODE, SB_STYLE_MODE_ANIME_HAYAO},
    {"watercolor anime", G_MODE, SB_STYLE_MODE_ANIME_HAYAO}, {"watercolour anime", G_MODE, SB_STYLE_MODE_ANIME_HAYAO},
    {"black and white", G_MODE, SB_STYLE_MODE_MONO}, {"black white", G_MODE, SB_STYLE_MODE_MONO},
    {"monochrome", G_MODE, SB_STYLE_MODE_MONO}, {"mono", G_MODE, SB_STYLE_MODE_MONO},
    {"grayscale", G_MODE, SB_STYLE_MODE_MONO}, {"greyscale", G_MODE, SB_STYLE_MODE_MONO},
    {"bw", G_MODE, SB_STYLE_MODE_MONO}, {"b w", G_MODE, SB_STYLE_MODE_MONO}, {"noir", G_MODE, SB_STYLE_MODE_MONO},
    {"film", G_MODE, SB_STYLE_MODE_FILM}, {"analog", G_MODE, SB_STYLE_MODE_FILM},
    {"analogue", G_MODE, SB_STYLE_MODE_FILM}, {"35mm", G_MODE, SB_STYLE_MODE_FILM},
    {"vintage", G_MODE, SB_STYLE_MODE_FILM},

    {"soft", G_LIGHT, SB_STYLE_LIGHT_SOFT}, {"diffused", G_LIGHT, SB_STYLE_LIGHT_SOFT},
    {"softbox", G_LIGHT, SB_STYLE_LIGHT_SOFT}, {"window", G_LIGHT, SB_STYLE_LIGHT_SOFT},
    {"window light", G_LIGHT, SB_STYLE_LIGHT_SOFT}, {"natural light", G_LIGHT, SB_STYLE_LIGHT_SOFT},
    {"studio", G_LIGHT, SB_STYLE_LIGHT_STUDIO}, {"studio", G_BACKGROUND, SB_STYLE_BG_STUDIO},
    {"studio light", G_LIGHT, SB_STYLE_LIGHT_STUDIO}, {"studio lighting", G_LIGHT, SB_STYLE_LIGHT_STUDIO},
    {"rim", G_LIGHT, SB_STYLE_LIGHT_RIM}, {"backlit", G_LIGHT, SB_STYLE_LIGHT_RIM},
    {"backlight", G_LIGHT, SB_STYLE_LIGHT_RIM},
    {"split", G_LIGHT, SB_STYLE_LIGHT_SPLIT}, {"butterfly", G_LIGHT, SB_STYLE_LIGHT_BUTTERFLY},
    {"paramount", G_LIGHT, SB_STYLE_LIGHT_BUTTERFLY}, {"beauty", G_LIGHT, SB_STYLE_LIGHT_BUTTERFLY},
    {"dramatic", G_LIGHT, SB_STYLE_LIGHT_DRAMATIC}, {"moody", G_LIGHT, SB_STYLE_LIGHT_DRAMATIC},
    {"hard", G_LIGHT, SB_STYLE_LIGHT_DRAMATIC}, {"low key", G_LIGHT, SB_STYLE_LIGHT_DRAMATIC},
    {"chiaroscuro", G_LIGHT, SB_STYLE_LIGHT_DRAMATIC},
    {"golden hour", G_LIGHT, SB_STYLE_LIGHT_GOLDEN}, {"golden", G_LIGHT, SB_STYLE_LIGHT_GOLDEN},
    {"sunset", G_LIGHT, SB_STYLE_LIGHT_GOLDEN},
    {"neon", G_LIGHT, SB_STYLE_LIGHT_NEON},
    {"cyberpunk", G_LIGHT, SB_STYLE_LIGHT_NEON}, {"cyberpunk", G_BACKGROUND, SB_STYLE_BG_NEON},

    {"studio background", G_BACKGROUND, SB_STYLE_BG_STUDIO}, {"studio backdrop", G_BACKGROUND, SB_STYLE_BG_STUDIO},
    {"seamless", G_BACKGROUND, SB_STYLE_BG_STUDIO}, {"plain", G_BACKGROUND, SB_STYLE_BG_STUDIO},
    {"gradient", G_BACKGROUND, SB_STYLE_BG_GRADIENT},
    {"bokeh", G_BACKGROUND, SB_STYLE_BG_BOKEH}, {"blurred", G_BACKGROUND, SB_STYLE_BG_BOKEH},
    {"blur", G_BACKGROUND, SB_STYLE_BG_BOKEH},
    {"office", G_BACKGROUND, SB_STYLE_BG_OFFICE}, {"workplace", G_BACKGROUND, SB_STYLE_BG_OFFICE},
    {"outdoor", G_BACKGROUND, SB_STYLE_BG_OUTDOOR}, {"outdoors", G_BACKGROUND, SB_STYLE_BG_OUTDOOR},
    {"outside", G_BACKGROUND, SB_STYLE_BG_OUTDOOR}, {"nature", G_BACKGROUND, SB_STYLE_BG_OUTDOOR},
    {"park", G_BACKGROUND, SB_STYLE_BG_OUTDOOR}, {"garden", G_BACKGROUND, SB_STYLE_BG_OUTDOOR},
    {"neon geometric", G_BACKGROUND, SB_STYLE_BG_NEON}, {"geometric", G_BACKGROUND, SB_STYLE_BG_NEON},
    {"neon background", G_BACKGROUND, SB_STYLE_BG_NEON},

    {"warm", G_GRADE, SB_STYLE_GRADE_WARM}, {"warmer", G_GRADE, SB_STYLE_GRADE_WARM},
    {"cool", G_GRADE, SB_STYLE_GRADE_COOL}, {"cold", G_GRADE, SB_STYLE_GRADE_COOL},
    {"cooler", G_GRADE, SB_STYLE_GRADE_COOL},
    {"teal orange", G_GRADE, SB_STYLE_GRADE_TEAL_ORANGE}, {"teal and orange", G_GRADE, SB_STYLE_GRADE_TEAL_ORANGE},
    {"cinematic", G_GRADE, SB_STYLE_GRADE_TEAL_ORANGE}, {"editorial", G_GRADE, SB_STYLE_GRADE_TEAL_ORANGE},
    {"muted", G_GRADE, SB_STYLE_GRADE_MUTED}, {"desaturated", G_GRADE, SB_STYLE_GRADE_MUTED},
    {"faded", G_GRADE, SB_STYLE_GRADE_MUTED},
    {"vivid", G_GRADE, SB_STYLE_GRADE_VIVID}, {"vibrant", G_GRADE, SB_STYLE_GRADE_VIVID},
    {"saturated", G_GRADE, SB_STYLE_GRADE_VIVID}, {"colorful", G_GRADE, SB_STYLE_GRADE_VIVID},
    {"colourful", G_GRADE, SB_STYLE_GRADE_VIVID},
    {"neutral", G_GRADE, SB_STYLE_GRADE_NONE}, {"natural", G_GRADE, SB_STYLE_GRADE_NONE},

    {"close up", G_FRAMING, SB_STYLE_FRAME_CLOSE_UP}, {"closeup", G_FRAMING, SB_STYLE_FRAME_CLOSE_UP},
    {"tight", G_FRAMING, SB_STYLE_FRAME_CLOSE_UP},
    {"head and shoulders", G_FRAMING, SB_STYLE_FRAME_HEAD_SHOULDERS},
    {"head shoulders", G_FRAMING, SB_STYLE_FRAME_HEAD_SHOULDERS}, {"bust", G_FRAMING, SB_STYLE_FRAME_HEAD_SHOULDERS},
    {"half body", G_FRAMING, SB_STYLE_FRAME_HALF_BODY}, {"waist up", G_FRAMING, SB_STYLE_FRAME_HALF_BODY},
    {"medium shot", G_FRAMING, SB_STYLE_FRAME_HALF_BODY},

    {"grain", G_FINISH, ON(F_GRAIN)}, {"grainy", G_FINISH, ON(F_GRAIN)}, {"film grain", G_FINISH, ON(F_GRAIN)},
    {"no grain", G_FINISH, OFF(F_GRAIN)},
    {"vignette", G_FINISH, ON(F_VIGNETTE)}, {"no vignette", G_FINISH, OFF(F_VIGNETTE)},
    {"soft skin", G_FINISH, ON(F_SOFT_SKIN)}, {"smooth skin", G_FINISH, ON(F_SOFT_SKIN)},
    {"airbrushed", G_FINISH, ON(F_SOFT_SKIN)}, {"retouched", G_FINISH, ON(F_SOFT_SKIN)},
    {"sharp", G_FINISH, ON(F_SHARPEN)}, {"crisp", G_FINISH, ON(F_SHARPEN)}, {"detailed", G_FINISH, ON(F_SHARPEN)},
};

#define N_TERMS (sizeof terms / sizeof *terms)

/* Plain colour words and phrases, sRGB (the palette names and "#rrggbb" are read by sb_palette_parse). */
static const struct {
    const char *phrase;
    float rgb[3];
} colour_words[] = {
    {"light grey", {0.80f, 0.80f, 0.81f}}, {"light gray", {0.80f, 0.80f, 0.81f}},
    {"dark grey", {0.28f, 0.28f, 0.30f}},  {"dark gray", {0.28f, 0.28f, 0.30f}},
    {"off white", {0.95f, 0.94f, 0.91f}},  {"sky blue", {0.53f, 0.75f, 0.92f}},
    {"white", {1.00f, 1.00f, 1.00f}},      {"black", {0.06f, 0.06f, 0.07f}},
    {"grey", {0.55f, 0.55f, 0.56f}},       {"gray", {0.55f, 0.55f, 0.56f}},
    {"beige", {0.85f, 0.78f, 0.66f}},      {"cream", {0.96f, 0.93f, 0.84f}},
    {"ivory", {0.98f, 0.96f, 0.89f}},      {"blue", {0.20f, 0.38f, 0.72f}},
    {"green", {0.24f, 0.52f, 0.30f}},      {"red", {0.72f, 0.15f, 0.15f}},
    {"pink", {0.94f, 0.66f, 0.74f}},       {"orange", {0.93f, 0.52f, 0.18f}},
    {"yellow", {0.95f, 0.85f, 0.30f}},     {"purple", {0.45f, 0.27f, 0.62f}},
    {"brown", {0.45f, 0.30f, 0.19f}},      {"tan", {0.82f, 0.71f, 0.55f}},
    {"gold", {0.83f, 0.69f, 0.22f}},       {"teal", {0.10f, 0.50f, 0.50f}},
    {"sage", {0.62f, 0.70f, 0.56f}},       {"mint", {0.70f, 0.90f, 0.80f}},
    {"lavender", {0.78f, 0.72f, 0.90f}},   {"peach", {0.98f, 0.78f, 0.64f}},
    {"terracotta", {0.80f, 0.42f, 0.30f}},
};

/* A colour word, palette name or "#rrggbb" without a shade word; 1 when known. */
static int plain_colour(const char *phrase, float rgb[3])
{
    for (size_t i = 0; i < sizeof colour_words / sizeof *colour_words; i++)
        if (strcmp(phrase, colour_words[i].phrase) == 0) {
            memcpy(rgb, colour_words[i].rgb, sizeof colour_words[i].rgb);
            return 1;
        }
    /* Palette names are written with '_' ("forest_green"); a prompt may say "forest green". */
    char name[64];
    if (strlen(phrase) >= sizeof name)
        return 0;
    strcpy(name, phrase);
    for (char *p = name; (p = strchr(p, ' ')); p++)
        *p = '_';
    sb_palette_t pal;
    if (sb_palette_parse(name, &pal, NULL) != SB_OK)
        return 0;
    memcpy(rgb, pal.base, sizeof pal.base);
    return 1;
}

/* A shade word before a colour ("dark blue", "pale pink", "deep forest green"): the colour times `keep`,
 * plus `white`. "dark" alone is a dark charcoal ("a dark background"); "light" alone stays a filler
 * ("studio light"). */
static const struct {
    const char *word;
    float keep, white;
} shades[] = {{"dark", 0.45f, 0.0f}, {"deep", 0.65f, 0.0f}, {"light", 0.5f, 0.5f}, {"pale", 0.35f, 0.65f}};
static const float dark_alone[3] = {0.13f, 0.13f, 0.14f};

int sb_style_colour_word(const char *phrase, float rgb[3])
{
    if (plain_colour(phrase, rgb))
        return 1;
    if (strcmp(phrase, "dark") == 0) {
        memcpy(rgb, dark_alone, sizeof dark_alone);
        return 1;
    }
    for (size_t i = 0; i < sizeof shades / sizeof *shades; i++) {
        size_t n = strlen(shades[i].word);
        float base[3];
        if (strncmp(phrase, shades[i].word, n) != 0 || phrase[n] != ' ' || !plain_colour(phrase + n + 1, base))
            continue;
        for (int c = 0; c < 3; c++)
            rgb[c] = base[c] * shades[i].keep + shades[i].white;
        return 1;
    }
    return 0;
}

/* What the prompt asked for: -1 where it said nothing. */
typedef struct {
    int mode, light, background, grade, framing;
    int finish[F__COUNT]; /* -1 open, 0 off, 1 on */
    int n_colours;        /* the first colour is the main one; later ones the second (the last wins) */
    float colour[2][3];
} wish_t;

static int match(const char *phrase, void *ctx)
{
    wish_t *w = ctx;
    int known = 0;
    for (size_t i = 0; i < N_TERMS; i++) {
        if (strcmp(phrase, terms[i].phrase) != 0)
            continue;
        known = 1;
        int v = terms[i].value;
        switch (terms[i].group) {
        case G_MODE: w->mode = v; break;
        case G_LIGHT: w->light = v; break;
        case G_BACKGROUND: w->background = v; break;
        case G_GRADE: w->grade = v; break;
        case G_FRAMING: w->framing = v; break;
        case G_FINISH: w->finish[v / 2] = v & 1; break;
        default: break;
        }
    }
    if (known)
        return 1;
    float rgb[3];
    if (!sb_style_colour_word(phrase, rgb))
        return 0;
    memcpy(w->colour[w->n_colours ? 1 : 0], rgb, sizeof rgb);
    w->n_colours = w->n_colours ? 2 : 1;
    return 1;
}

/* ---- the seed ---- */

/* One generator stream per group, so a group drawing more numbers never reshuffles another. */
enum { STREAM_LIGHT = 1, STREAM_BACKGROUND, STREAM_GRADE, STREAM_FINISH };

static float between(sb_rng_t *r, float lo, float hi)
{
    return lo + (hi - lo) * sb_rng_float(r);
}

/* The seed's place on the golden-ratio (Weyl) sequence, in [0, 1), turned by `offset`: consecutive
 * seeds land 0.382 apart on the circle, so the samples seed, seed + 1, ... never share a background hue
 * (independent draws would, now and then). 2^64 / phi in fixed point. */
static float spread(uint64_t seed, float offset)
{
    double u = (double)(seed * 0x9e3779b97f4a7c15ull) / 18446744073709551616.0 + offset;
    return (float)(u - floor(u));
}

/* A colour around the grey `value`, pushed by `chroma` towards hue `h` (0 red, 1/3 green, 2/3 blue). */
static void tint(float h, float chroma, float value, float rgb[3])
{
    for (int c = 0; c < 3; c++)
        rgb[c] = fminf(1.0f, fmaxf(0.0f, value + chroma * cosf(2.0f * (float)M_PI * (h - c / 3.0f))));
}

/* A prompt's colour, varied a little by the seed: brightness +-5% and a 0.015 tint, so navy stays navy. */
static void vary(const float in[3], sb_rng_t *r, float out[3])
{
    float gain = between(r, 0.95f, 1.05f), h = sb_rng_float(r);
    for (int c = 0; c < 3; c++)
        out[c] = fminf(1.0f, fmaxf(0.0f, in[c] * gain + 0.015f * cosf(2.0f * (float)M_PI * (h - c / 3.0f))));
}

/* Per light: the key's angle range on the right (mirrored to the left for the other side), softness,
 * strength. */
static const struct {
    float angle[2], softness[2], strength[2];
} light_ranges[SB_STYLE_LIGHT__COUNT] = {
    [SB_STYLE_LIGHT_SOFT] = {{30, 65}, {0.75f, 0.95f}, {0.35f, 0.55f}},
    [SB_STYLE_LIGHT_STUDIO] = {{30, 60}, {0.45f, 0.70f}, {0.50f, 0.70f}},
    [SB_STYLE_LIGHT_RIM] = {{0, 20}, {0.25f, 0.45f}, {0.60f, 0.85f}},
    [SB_STYLE_LIGHT_SPLIT] = {{0, 10}, {0.15f, 0.35f}, {0.70f, 0.90f}},
    [SB_STYLE_LIGHT_BUTTERFLY] = {{80, 88}, {0.50f, 0.70f}, {0.50f, 0.70f}},
    [SB_STYLE_LIGHT_DRAMATIC] = {{15, 50}, {0.05f, 0.25f}, {0.75f, 0.95f}},
    [SB_STYLE_LIGHT_GOLDEN] = {{10, 30}, {0.55f, 0.80f}, {0.55f, 0.75f}},
    [SB_STYLE_LIGHT_NEON] = {{0, 10}, {0.30f, 0.50f}, {0.60f, 0.80f}},
};

static void resolve_light(const wish_t *w, uint64_t seed, sb_rng_t r, sb_style_t *s)
{
    s->light.kind = w->light >= 0 ? (sb_style_light)w->light : SB_STYLE_LIGHT_STUDIO;
    float jitter = between(&r, -3, 3), soft = sb_rng_float(&r), strength = sb_rng_float(&r);
    float warmth = sb_rng_float(&r);
    const float *a = light_ranges[s->light.kind].angle;
    /* The key changes sides from one seed to the next (samples seed, seed + 1 are lit from opposite
     * sides) and moves along its range on the seed's spread. */
    float angle = fminf(a[1], fmaxf(a[0], a[0] + (a[1] - a[0]) * spread(seed, 0.0f) + jitter));
    s->light.angle_deg = seed & 1 ? 180.0f - angle : angle;
    const float *sr = light_ranges[s->light.kind].softness, *st = light_ranges[s->light.kind].strength;
    s->light.softness = sr[0] + (sr[1] - sr[0]) * soft;
    s->light.strength = st[0] + (st[1] - st[0]) * strength;
    /* The key's colour follows the light, then the grade; neon's colours are its own. */
    float lo = -0.10f, hi = 0.15f;
    if (s->light.kind == SB_STYLE_LIGHT_GOLDEN)
        lo = 0.60f, hi = 0.90f;
    else if (s->light.kind == SB_STYLE_LIGHT_NEON)
        lo = hi = 0.0f;
    else if (s->grade == SB_STYLE_GRADE_WARM)
        lo = 0.25f, hi = 0.50f;
    else if (s->grade == SB_STYLE_GRADE_COOL)
        lo = -0.50f, hi = -0.25f;
    s->light.warmth = lo + (hi - lo) * warmth;
}

/* Per background, the seed's colours where the prompt gave none: hue range (the seed's spread maps into
 * it), chroma and value ranges; for colour and colour2. */
typedef struct {
    float hue[2], chroma[2], value[2];
} tint_range_t;

static const struct {
    tint_range_t main, second;
} background_ranges[SB_STYLE_BG__COUNT] = {
    /* Muted papers of every hue; the gradient's far end lighter (colour2 of a gradient is derived). */
    [SB_STYLE_BG_STUDIO] = {{{0, 1}, {0.05f, 0.12f}, {0.32f, 0.70f}}, {{0, 1}, {0.05f, 0.12f}, {0.60f, 0.85f}}},
    [SB_STYLE_BG_GRADIENT] = {{{0, 1}, {0.05f, 0.12f}, {0.32f, 0.70f}}, {{0, 1}, {0.05f, 0.12f}, {0.60f, 0.85f}}},
    /* A dim ground of any hue under warm-white discs. */
    [SB_STYLE_BG_BOKEH] = {{{0, 1}, {0.06f, 0.14f}, {0.22f, 0.42f}}, {{0.06f, 0.14f}, {0.05f, 0.12f}, {0.85f, 0.95f}}},
    /* Warm neutral walls, cool windows. */
    [SB_STYLE_BG_OFFICE] = {{{0.05f, 0.14f}, {0.02f, 0.05f}, {0.72f, 0.86f}},
                            {{0.55f, 0.62f}, {0.03f, 0.07f}, {0.85f, 0.95f}}},
    /* Foliage, sky. */
    [SB_STYLE_BG_OUTDOOR] = {{{0.25f, 0.38f}, {0.10f, 0.18f}, {0.35f, 0.50f}},
                             {{0.55f, 0.62f}, {0.08f, 0.15f}, {0.75f, 0.90f}}},
    /* A near-black ground, saturated lines. */
    [SB_STYLE_BG_NEON] = {{{0, 1}, {0.02f, 0.04f}, {0.05f, 0.10f}}, {{0, 1}, {0.38f, 0.42f}, {0.58f, 0.62f}}},
};

static void seeded_colour(const tint_range_t *tr, float u, sb_rng_t *r, float rgb[3])
{
    float jitter = between(r, -0.02f, 0.02f), chroma = between(r, tr->chroma[0], tr->chroma[1]);
    float value = between(r, tr->value[0], tr->value[1]);
    tint(tr->hue[0] + (tr->hue[1] - tr->hue[0]) * u + jitter, chroma, value, rgb);
}

static void resolve_background(const wish_t *w, uint64_t seed, sb_rng_t r, sb_style_t *s)
{
    sb_style_background kind = w->background >= 0 ? (sb_style_background)w->background : SB_STYLE_BG_STUDIO;
    s->background.kind = kind;
    /* Every draw happens whatever the prompt said, in one order, so a prompt colour leaves the angle and
     * the texture where the seed put them. */
    float u = spread(seed, 0.31f);
    float seeded[2][3], varied[2][3];
    seeded_colour(&background_ranges[kind].main, u, &r, seeded[0]);
    /* The neon lines sit opposite the ground's hue; the other second colours are near their own range. */
    seeded_colour(&background_ranges[kind].second, kind == SB_STYLE_BG_NEON ? fmodf(u + 0.5f, 1.0f) : u, &r,
                  seeded[1]);
    vary(w->colour[0], &r, varied[0]);
    vary(w->colour[1], &r, varied[1]);
    float lift = between(&r, 0.20f, 0.35f);
    s->background.angle_deg = between(&r, 0, 360);
    s->background.texture_seed = sb_rng_next(&r) >> 11;

    memcpy(s->background.colour, w->n_colours ? varied[0] : seeded[0], sizeof s->background.colour);
    if (w->n_colours == 2) {
        memcpy(s->background.colour2, varied[1], sizeof s->background.colour2);
    } else if (w->n_colours == 1 && (kind == SB_STYLE_BG_STUDIO || kind == SB_STYLE_BG_GRADIENT)) {
        /* A gradient from a prompt's colour runs to a lighter shade of it. */
        for (int c = 0; c < 3; c++)
            s->background.colour2[c] = s->background.colour[c] + (1 - s->background.colour[c]) * lift;
    } else {
        memcpy(s->background.colour2, seeded[1], sizeof s->background.colour2);
    }
}

/* Finish amounts: when the prompt turns one on, and when it leaves it open (by mode). */
static const float finish_on[F__COUNT][2] = {{0.020f, 0.040f}, {0.25f, 0.45f}, {0.50f, 0.80f}, {0.50f, 0.80f}};
static const float finish_open[SB_STYLE_MODE__COUNT][F__COUNT][2] = {
    [SB_STYLE_MODE_PHOTO] = {{0, 0}, {0, 0.12f}, {0.15f, 0.35f}, {0.15f, 0.35f}},
    [SB_STYLE_MODE_ANIME_HOSODA] = {{0, 0}, {0, 0}, {0, 0}, {0, 0}},
    [SB_STYLE_MODE_ANIME_HAYAO] = {{0, 0}, {0, 0}, {0, 0}, {0, 0}},
    [SB_STYLE_MODE_MONO] = {{0.008f, 0.020f}, {0.10f, 0.25f}, {0.10f, 0.25f}, {0.20f, 0.40f}},
    [SB_STYLE_MODE_FILM] = {{0.020f, 0.035f}, {0.15f, 0.30f}, {0.10f, 0.25f}, {0, 0}},
};

static void resolve_finish(const wish_t *w, sb_rng_t r, sb_style_t *s)
{
    float amount[F__COUNT];
    for (int f = 0; f < F__COUNT; f++) {
        float t = sb_rng_float(&r);
        const float *range = w->finish[f] == 1 ? finish_on[f] : finish_open[s->mode][f];
        amount[f] = w->finish[f] == 0 ? 0.0f : range[0] + (range[1] - range[0]) * t;
    }
    s->grain = amount[F_GRAIN];
    s->vignette = amount[F_VIGNETTE];
    s->soft_skin = amount[F_SOFT_SKIN];
    s->sharpen = amount[F_SHARPEN];
    s->grain_seed = sb_rng_next(&r) >> 11;
}

void sb_style_ignored_free(char **ignored, int n)
{
    sb_words_free(ignored, n);
}

sb_err sb_style_from_prompt(const char *prompt, uint64_t seed, sb_style_t *out, char ***ignored, int *n_ignored,
                            sb_error_t *e)
{
    wish_t w = {.mode = -1, .light = -1, .background = -1, .grade = -1, .framing = -1,
                .finish = {-1, -1, -1, -1}};
    const sb_words_vocab_t vocab = {"prompt", MAX_PROMPT, MAX_PHRASE, match, &w};
    sb_err err = sb_words_read(prompt, &vocab, ignored, n_ignored, NULL, e);
    if (err)
        return err;

    sb_style_t s;
    memset(&s, 0, sizeof s); /* padding too: equal styles compare equal with memcmp */
    s.mode = w.mode >= 0 ? (sb_style_mode)w.mode : SB_STYLE_MODE_PHOTO;
    s.framing = w.framing >= 0 ? (sb_style_framing)w.framing : SB_STYLE_FRAME_HEAD_SHOULDERS;
    s.grade = w.grade >= 0 ? (sb_style_grade)w.grade : SB_STYLE_GRADE_NONE;
    sb_rng_t root = sb_rng_seed(seed), grade = sb_rng_split(&root, STREAM_GRADE);
    s.grade_strength = w.grade > 0 ? between(&grade, 0.55f, 0.85f) : 0.0f;
    resolve_light(&w, seed, sb_rng_split(&root, STREAM_LIGHT), &s);
    resolve_background(&w, seed, sb_rng_split(&root, STREAM_BACKGROUND), &s);
    resolve_finish(&w, sb_rng_split(&root, STREAM_FINISH), &s);

    s.from_prompt = (w.mode >= 0 ? SB_STYLE_SET_MODE : 0) | (w.light >= 0 ? SB_STYLE_SET_LIGHT : 0) |
                    (w.background >= 0 ? SB_STYLE_SET_BACKGROUND : 0) | (w.n_colours ? SB_STYLE_SET_COLOUR : 0) |
                    (w.n_colours == 2 ? SB_STYLE_SET_COLOUR2 : 0) | (w.grade >= 0 ? SB_STYLE_SET_GRADE : 0) |
                    (w.framing >= 0 ? SB_STYLE_SET_FRAMING : 0);
    for (int f = 0; f < F__COUNT; f++)
        if (w.finish[f] >= 0)
            s.from_prompt |= SB_STYLE_SET_FINISH;
    *out = s;
    return SB_OK;
}

/* ---- JSON ---- */

static json_t *number(float v)
{
    return json_real(round((double)v * 1000.0) / 1000.0);
}

static json_t *rgb_array(const float rgb[3])
{
    return json_pack("[ooo]", number(rgb[0]), number(rgb[1]), number(rgb[2]));
}

char *sb_style_to_json(const sb_style_t *s)
{
    static const char *const set_names[] = {"mode", "light", "background", "colour", "grade", "framing", "finish",
                                            "colour2"};
    json_t *set = json_array();
    for (unsigned i = 0; set && i < sizeof set_names / sizeof *set_names; i++)
        if (s->from_prompt & (1u << i))
            json_array_append_new(set, json_string(set_names[i]));
    json_t *o = json_pack(
        "{s:s, s:{s:s, s:o, s:o, s:o, s:o}, s:{s:s, s:o, s:o, s:o, s:I}, s:s, s:o, s:s, s:o, s:o, s:o, s:o, s:I, "
        "s:o}",
        "mode", sb_style_mode_name(s->mode), "light", "kind", sb_style_light_name(s->light.kind), "angleDeg",
        number(s->light.angle_deg), "softness", number(s->light.softness), "strength", number(s->light.strength),
        "warmth", number(s->light.warmth), "background", "kind", sb_style_background_name(s->background.kind),
        "colour", rgb_array(s->background.colour), "colour2", rgb_array(s->background.colour2), "angleDeg",
        number(s->background.angle_deg), "textureSeed", (json_int_t)s->background.texture_seed, "grade",
        sb_style_grade_name(s->grade), "gradeStrength", number(s->grade_strength), "framing",
        sb_style_framing_name(s->framing), "grain", number(s->grain), "vignette", number(s->vignette), "softSkin",
        number(s->soft_skin), "sharpen", number(s->sharpen), "grainSeed", (json_int_t)s->grain_seed, "fromPrompt",
        set);
    if (!o)
        return NULL;
    char *text = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(6));
    json_decref(o);
    return text;
}
