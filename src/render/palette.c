/* palette.c - the palette table, and palettes derived from one colour. */
#include "render/palette.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "image/colour.h"

/* sRGB 0..1. neutral_grey's light and base are SB_BACKDROP_STUDIO_GREY's centre and edge, so its
 * studio_light background is the corporate headshot's backdrop. */
static const sb_palette_t table[] = {
    {"neutral_grey", {0.50f, 0.51f, 0.53f}, {0.80f, 0.80f, 0.81f}, {0.16f, 0.165f, 0.175f}, {0.37f, 0.83f, 0.95f}},
    {"warm_beige", {0.78f, 0.70f, 0.60f}, {0.94f, 0.89f, 0.83f}, {0.29f, 0.23f, 0.17f}, {0.94f, 0.66f, 0.38f}},
    {"cool_blue", {0.44f, 0.56f, 0.69f}, {0.83f, 0.89f, 0.94f}, {0.11f, 0.17f, 0.24f}, {0.31f, 0.76f, 0.97f}},
    {"charcoal", {0.24f, 0.25f, 0.27f}, {0.54f, 0.56f, 0.59f}, {0.08f, 0.08f, 0.09f}, {1.00f, 0.70f, 0.28f}},
    {"forest_green", {0.18f, 0.36f, 0.27f}, {0.66f, 0.78f, 0.68f}, {0.05f, 0.12f, 0.09f}, {0.61f, 0.88f, 0.36f}},
    {"sunset", {0.88f, 0.47f, 0.35f}, {0.98f, 0.83f, 0.65f}, {0.23f, 0.12f, 0.23f}, {1.00f, 0.31f, 0.51f}},
    {"pastel_pink", {0.95f, 0.77f, 0.81f}, {0.98f, 0.91f, 0.93f}, {0.42f, 0.27f, 0.31f}, {1.00f, 0.56f, 0.69f}},
    {"navy", {0.12f, 0.18f, 0.31f}, {0.49f, 0.55f, 0.69f}, {0.04f, 0.06f, 0.13f}, {0.95f, 0.76f, 0.31f}},
};

#define N_PALETTES (sizeof table / sizeof *table)

static const char *const names[] = {table[0].name, table[1].name, table[2].name, table[3].name,
                                    table[4].name, table[5].name, table[6].name, table[7].name, NULL};
_Static_assert(sizeof names / sizeof *names == N_PALETTES + 1, "one name per palette");

/* Derived palettes: light is the colour 60% of the way to white and dark 15% of it, both in linear
 * light; the accent is the hue turned 30 degrees, saturated and bright (greys get a cool cyan). */
#define LIGHT_MIX 0.60f
#define DARK_SCALE 0.15f
#define ACCENT_TURN 30.0f
#define GREY_SAT 0.08f
#define GREY_ACCENT_HUE 195.0f

const char *const *sb_palette_names(void)
{
    return names;
}

static void hsv_to_rgb(float h, float s, float v, float rgb[3])
{
    h = fmodf(h, 360.0f) / 60.0f;
    int i = (int)h;
    float f = h - i, p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f));
    const float out[6][3] = {{v, t, p}, {q, v, p}, {p, v, t}, {p, q, v}, {t, p, v}, {v, p, q}};
    memcpy(rgb, out[i % 6], sizeof out[0]);
}

static float hue_of(const float rgb[3], float *sat)
{
    float mx = fmaxf(rgb[0], fmaxf(rgb[1], rgb[2])), mn = fminf(rgb[0], fminf(rgb[1], rgb[2])), d = mx - mn;
    *sat = mx > 0 ? d / mx : 0;
    if (d <= 0)
        return 0;
    float h = mx == rgb[0]   ? (rgb[1] - rgb[2]) / d
              : mx == rgb[1] ? 2 + (rgb[2] - rgb[0]) / d
                             : 4 + (rgb[0] - rgb[1]) / d;
    return h < 0 ? h * 60 + 360 : h * 60;
}

static void derive(const float base[3], sb_palette_t *p)
{
    for (int c = 0; c < 3; c++) {
        float lin = sb_srgb_to_linear(base[c]);
        p->base[c] = base[c];
        p->light[c] = sb_linear_to_srgb(lin + (1 - lin) * LIGHT_MIX);
        p->dark[c] = sb_linear_to_srgb(lin * DARK_SCALE);
    }
    float sat, hue = hue_of(base, &sat);
    if (sat < GREY_SAT)
        hsv_to_rgb(GREY_ACCENT_HUE, 0.6f, 1.0f, p->accent);
    else
        hsv_to_rgb(hue + ACCENT_TURN, fminf(0.75f, fmaxf(0.6f, sat)), 1.0f, p->accent);
}

static int hex_digit(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    ch = (char)tolower((unsigned char)ch);
    return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

sb_err sb_palette_parse(const char *s, sb_palette_t *out, sb_error_t *e)
{
    for (size_t i = 0; s && i < N_PALETTES; i++)
        if (strcmp(s, table[i].name) == 0) {
            *out = table[i];
            return SB_OK;
        }
    if (s && s[0] == '#' && strlen(s) == 7) {
        float rgb[3];
        int ok = 1;
        for (int c = 0; c < 3; c++) {
            int hi = hex_digit(s[1 + 2 * c]), lo = hex_digit(s[2 + 2 * c]);
            ok &= hi >= 0 && lo >= 0;
            rgb[c] = (hi * 16 + lo) / 255.0f;
        }
        if (ok) {
            *out = (sb_palette_t){0};
            derive(rgb, out);
            for (int i = 0; i < 7; i++)
                out->name[i] = (char)tolower((unsigned char)s[i]);
            return SB_OK;
        }
    }
    char list[160] = "";
    for (size_t i = 0; i < N_PALETTES; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "", names[i]);
    return sb_error_set(e, SB_ERR_USAGE, "palette", "palette must be one of %s, or a colour #RRGGBB; got \"%.32s\"",
                        list, s ? s : "");
}
