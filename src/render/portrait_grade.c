/* portrait_grade.c - a style's grade and mode colour (see portrait_grade.h). */
#include "render/portrait_grade.h"

#include "image/colour.h"
#include "render/grade.h"

/* Warm and cool: per-channel gains per unit of strength (sRGB). */
static const float WARM_GAIN[3] = {0.08f, 0.01f, -0.10f};
/* Muted: colour kept, blacks lifted; vivid: colour gained, contrast added (per unit of strength). */
#define MUTED_CHROMA 0.45f
#define MUTED_LIFT 0.035f
#define VIVID_CHROMA 0.40f
#define VIVID_CONTRAST 0.12f

static float clamp01(float v)
{
    return v < 0 ? 0 : v > 1 ? 1 : v;
}

static void curve(float *p, sb_style_grade g, float t)
{
    float l = sb_luma(p);
    switch (g) {
    case SB_STYLE_GRADE_WARM:
    case SB_STYLE_GRADE_COOL: {
        float sign = g == SB_STYLE_GRADE_WARM ? 1.0f : -1.0f;
        for (int c = 0; c < 3; c++)
            p[c] *= 1.0f + sign * t * WARM_GAIN[c];
        break;
    }
    case SB_STYLE_GRADE_MUTED:
        for (int c = 0; c < 3; c++)
            p[c] = MUTED_LIFT * t + (1.0f - MUTED_LIFT * t) * (l + (1.0f - MUTED_CHROMA * t) * (p[c] - l));
        break;
    case SB_STYLE_GRADE_VIVID: {
        /* An S-curve on luminance about mid grey, colour scaled about the new luminance. */
        float d = l - 0.5f, nl = l + VIVID_CONTRAST * t * d * (1.0f - 4.0f * d * d) * 2.0f;
        for (int c = 0; c < 3; c++)
            p[c] = nl + (1.0f + VIVID_CHROMA * t) * (p[c] - l);
        break;
    }
    default:
        break;
    }
    for (int c = 0; c < 3; c++)
        p[c] = clamp01(p[c]);
}

sb_err sb_portrait_grade(sb_fimage_t *rgb, const sb_style_t *s, sb_error_t *e)
{
    if (rgb->bands != 3)
        return sb_error_set(e, SB_ERR_INTERNAL, "", "a grade applies to RGB, not %d bands", rgb->bands);
    if ((unsigned)s->grade >= SB_STYLE_GRADE__COUNT)
        return sb_error_set(e, SB_ERR_USAGE, "grade", "unknown grade %d", (int)s->grade);
    float t = s->grade_strength < 0 ? 0 : s->grade_strength > 1 ? 1 : s->grade_strength;
    sb_err err = SB_OK;
    if (s->grade == SB_STYLE_GRADE_TEAL_ORANGE) {
        err = sb_grade_apply(rgb, SB_GRADE_TEAL_ORANGE, t, e);
    } else if (s->grade != SB_STYLE_GRADE_NONE && t > 0) {
        size_t n = (size_t)rgb->width * rgb->height;
        for (size_t i = 0; i < n; i++)
            curve(rgb->data + 3 * i, s->grade, t);
    }
    if (!err && s->mode == SB_STYLE_MODE_MONO)
        err = sb_grade_apply(rgb, SB_GRADE_MONO, 1.0f, e);
    else if (!err && s->mode == SB_STYLE_MODE_FILM)
        err = sb_grade_apply(rgb, SB_GRADE_WARM_FILM, 1.0f, e);
    return err;
}
