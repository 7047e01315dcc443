/* grade.c - per-pixel grading curves in sRGB, where colourists' split toning and S-curves are defined. */
#include "render/grade.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "image/colour.h"

static const char *const names[SB_GRADE__COUNT] = {
    [SB_GRADE_NONE] = "none",
    [SB_GRADE_TEAL_ORANGE] = "teal_orange",
    [SB_GRADE_WARM_FILM] = "warm_film",
    [SB_GRADE_MONO] = "mono",
};

/* Teal-orange: offsets in sRGB units, made luminance-neutral before use so the grade moves hue, not
 * exposure. Teal goes into the shadows except on skin, so a face's shadow side never turns green;
 * orange goes into highlights and onto skin. */
static const float TEAL[3] = {-0.070f, 0.015f, 0.045f};
static const float ORANGE[3] = {0.055f, 0.000f, -0.065f};
#define TEAL_ORANGE_CONTRAST 0.20f
/* Warm film: per-channel gains for the cast, the black and white points of the fade (warm blacks,
 * highlights held under white), an S-curve and a desaturation. */
static const float WARM_GAIN[3] = {1.06f, 1.01f, 0.90f};
static const float FILM_BLACK[3] = {0.070f, 0.055f, 0.045f};
#define FILM_WHITE 0.96f
#define FILM_CONTRAST 0.30f
#define FILM_DESAT 0.12f
#define MONO_CONTRAST 0.20f

sb_err sb_grade_parse(const char *name, sb_grade_kind *out, sb_error_t *e)
{
    for (int k = 0; name && k < SB_GRADE__COUNT; k++)
        if (strcmp(name, names[k]) == 0) {
            *out = (sb_grade_kind)k;
            return SB_OK;
        }
    char list[96] = "";
    for (int k = 0; k < SB_GRADE__COUNT; k++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", k ? ", " : "", names[k]);
    return sb_error_set(e, SB_ERR_USAGE, "grade", "grade must be one of %s; got \"%.32s\"", list, name ? name : "");
}

const char *sb_grade_name(sb_grade_kind kind)
{
    return (unsigned)kind < SB_GRADE__COUNT ? names[kind] : "unknown";
}

static float smooth(float e0, float e1, float v)
{
    float t = (v - e0) / (e1 - e0);
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    return t * t * (3 - 2 * t);
}

static float clamp01(float v)
{
    return v < 0 ? 0 : v > 1 ? 1 : v;
}

/* An S-curve through 0, 0.5 and 1: `amount` of the way to smoothstep. */
static float s_curve(float v, float amount)
{
    return v + amount * (smooth(0, 1, v) - v);
}

/* How skin-like a colour is: red over green over blue (hues about 0-50 degrees), neither grey nor
 * strongly saturated. */
static float skin_of(const float *c)
{
    return smooth(0.0f, 0.06f, c[0] - c[1]) * smooth(0.0f, 0.04f, c[1] - c[2]) *
           (1.0f - smooth(0.45f, 0.65f, c[0] - c[2]));
}

static void teal_orange(const float *in, float *out)
{
    float l = sb_luma(in), skin = skin_of(in);
    float teal = (1.0f - smooth(0.08f, 0.60f, l)) * (1.0f - skin);
    float orange = fmaxf(smooth(0.40f, 0.95f, l), skin);
    float lt = sb_luma(TEAL), lo = sb_luma(ORANGE);
    for (int c = 0; c < 3; c++)
        out[c] = s_curve(in[c], TEAL_ORANGE_CONTRAST) + teal * (TEAL[c] - lt) + orange * (ORANGE[c] - lo);
}

static void warm_film(const float *in, float *out)
{
    float t[3];
    for (int c = 0; c < 3; c++)
        t[c] = s_curve(in[c], FILM_CONTRAST) * WARM_GAIN[c];
    float l = sb_luma(t);
    for (int c = 0; c < 3; c++) {
        float v = t[c] + FILM_DESAT * (l - t[c]);
        out[c] = FILM_BLACK[c] + (FILM_WHITE - FILM_BLACK[c]) * clamp01(v);
    }
}

static void mono(const float *in, float *out)
{
    float l = s_curve(clamp01(sb_luma(in)), MONO_CONTRAST);
    out[0] = out[1] = out[2] = l;
}

sb_err sb_grade_apply(sb_fimage_t *rgb, sb_grade_kind kind, float intensity, sb_error_t *e)
{
    if ((unsigned)kind >= SB_GRADE__COUNT)
        return sb_error_set(e, SB_ERR_USAGE, "grade", "unknown grade %d", (int)kind);
    if (!(intensity >= 0 && intensity <= 1))
        return sb_error_set(e, SB_ERR_USAGE, "intensity", "grade intensity must be 0..1, got %g", intensity);
    if (rgb->bands != 3)
        return sb_error_set(e, SB_ERR_INTERNAL, "", "grading a %d-band image", rgb->bands);
    if (kind == SB_GRADE_NONE || intensity == 0)
        return SB_OK;
    void (*const grades[SB_GRADE__COUNT])(const float *, float *) = {
        [SB_GRADE_TEAL_ORANGE] = teal_orange, [SB_GRADE_WARM_FILM] = warm_film, [SB_GRADE_MONO] = mono};
    size_t n = (size_t)rgb->width * rgb->height;
    for (size_t i = 0; i < n; i++) {
        float *p = rgb->data + i * 3, g[3];
        grades[kind](p, g);
        for (int c = 0; c < 3; c++)
            p[c] = clamp01(p[c] + intensity * (g[c] - p[c]));
    }
    return SB_OK;
}
