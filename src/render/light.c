/* light.c - face-driven exposure and white balance; directional relighting. */
#include "render/light.h"

#include <math.h>

#include "image/colour.h"

/* Linear luminance range a well-exposed face falls in (sRGB ~0.33 .. ~0.72): dark skin stays dark,
 * light skin stays light; only faces outside are moved, and only part of the way. */
#define LUMA_LO 0.09f
#define LUMA_HI 0.48f
#define GAIN_MAX 2.2f
#define GAIN_MIN 0.6f
/* Linear R/G and B/G that skin under neutral light falls in across skin tones: deliberately wide
 * bounds, so only a clear colour cast (a face bluer or greener than any skin) is corrected. */
#define RG_LO 1.15f
#define RG_HI 2.10f
#define BG_LO 0.50f
#define BG_HI 0.92f
#define WB_STRENGTH 0.75f

static float toward(float v, float lo, float hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

sb_light_t sb_light_measure(const sb_fimage_t *lin, const sb_fimage_t *alpha, sb_ellipse_t f)
{
    sb_light_t l = {.face_luma = 0, .gain = {1, 1, 1}};
    double sum[3] = {0};
    long n = 0;
    int y0 = (int)fmaxf(0, f.cy - f.ry), y1 = (int)fminf(lin->height - 1, f.cy + f.ry);
    int x0 = (int)fmaxf(0, f.cx - f.rx), x1 = (int)fminf(lin->width - 1, f.cx + f.rx);
    for (int y = y0; y <= y1; y++)
        for (int x = x0; x <= x1; x++) {
            float dx = (x + 0.5f - f.cx) / f.rx, dy = (y + 0.5f - f.cy) / f.ry;
            size_t i = (size_t)y * lin->width + x;
            if (dx * dx + dy * dy > 1 || (alpha && alpha->data[i] < 0.5f))
                continue;
            for (int c = 0; c < 3; c++)
                sum[c] += lin->data[i * 3 + c];
            n++;
        }
    if (n < 64)
        return l;
    float m[3] = {(float)(sum[0] / n), (float)(sum[1] / n), (float)(sum[2] / n)};
    l.face_luma = sb_luma(m);
    if (m[1] <= 1e-4f || l.face_luma <= 1e-4f)
        return l;

    float rg = m[0] / m[1], bg = m[2] / m[1];
    float wr = powf(toward(rg, RG_LO, RG_HI) / rg, WB_STRENGTH);
    float wb = powf(toward(bg, BG_LO, BG_HI) / bg, WB_STRENGTH);
    float wm[3] = {m[0] * wr, m[1], m[2] * wb};
    float luma_wb = sb_luma(wm);
    /* Exposure: move 70% of the way (in stops) into the natural range. */
    float target = toward(luma_wb, LUMA_LO, LUMA_HI);
    float ex = powf(target / luma_wb, 0.7f);
    ex = ex < GAIN_MIN ? GAIN_MIN : ex > GAIN_MAX ? GAIN_MAX : ex;
    l.gain[0] = wr * ex, l.gain[1] = ex, l.gain[2] = wb * ex;
    return l;
}

/* Identity below the knee, then an exponential shoulder that approaches 1. */
static float shoulder(float v)
{
    const float knee = 0.8f;
    if (v <= knee)
        return v;
    return knee + (1 - knee) * (1 - expf(-(v - knee) / (1 - knee)));
}

sb_err sb_light_apply_srgb(const sb_image_t *photo, const sb_light_t *light, sb_fimage_t *out, sb_error_t *e)
{
    if (photo->bands != 3 || out->bands != 3 || out->width != photo->width || out->height != photo->height)
        return sb_error_set(e, SB_ERR_INTERNAL, "", "light: a %d-band photo into a %d-band image of another size",
                            photo->bands, out->bands);
    int unit = light->gain[0] == 1 && light->gain[1] == 1 && light->gain[2] == 1;
    float table[3][256];
    for (int c = 0; c < 3; c++)
        for (int v = 0; v < 256; v++) {
            float lin = sb_byte_to_linear((uint8_t)v);
            table[c][v] = sb_linear_to_srgb_table(unit ? lin : shoulder(lin * light->gain[c]));
        }
    size_t n = (size_t)photo->width * photo->height;
    for (size_t i = 0; i < n; i++)
        for (int c = 0; c < 3; c++)
            out->data[i * 3 + c] = table[c][photo->data[i * 3 + c]];
    return SB_OK;
}

/* Directional light: stops at full strength on the far and near edges of the face box. The far side
 * falls more than the near side rises, as a key light with little fill looks. */
#define FAR_STOPS 1.25f
#define NEAR_STOPS 0.5f
/* The effect fades as exp(-(d / REACH)^2), d the distance from the face centre in face sizes. */
#define REACH 2.0f

sb_err sb_light_directional(sb_fimage_t *lin, const sb_fimage_t *alpha, float light_x, float light_y,
                            float strength, const float face_box[4], sb_error_t *e)
{
    float len = sqrtf(light_x * light_x + light_y * light_y);
    if (!(len > 0) || !isfinite(len))
        return sb_error_set(e, SB_ERR_USAGE, "light", "the light direction must be a non-zero vector");
    if (!(strength >= 0) || !isfinite(strength))
        return sb_error_set(e, SB_ERR_USAGE, "strength", "light strength must be 0 or more, got %g", strength);
    if (!(face_box[2] > 0 && face_box[3] > 0))
        return sb_error_set(e, SB_ERR_USAGE, "face_box", "the face box is empty (%gx%g)", face_box[2], face_box[3]);
    if (lin->bands != 3 || (alpha && (alpha->bands != 1 || alpha->width != lin->width || alpha->height != lin->height)))
        return sb_error_set(e, SB_ERR_INTERNAL, "", "directional light: a %d-band image or a mismatched alpha",
                            lin->bands);
    if (strength == 0)
        return SB_OK;
    float dx = light_x / len, dy = light_y / len;
    float cx = face_box[0] + face_box[2] / 2, cy = face_box[1] + face_box[3] / 2;
    float size = fmaxf(face_box[2], face_box[3]);
    /* Half the box's extent along the light axis: u = -1 on the far edge, +1 on the near one. */
    float half = fabsf(dx) * face_box[2] / 2 + fabsf(dy) * face_box[3] / 2;
    for (int y = 0; y < lin->height; y++)
        for (int x = 0; x < lin->width; x++) {
            size_t i = (size_t)y * lin->width + x;
            float a = alpha ? alpha->data[i] : 1.0f;
            if (a <= 0)
                continue;
            float px = x + 0.5f - cx, py = y + 0.5f - cy;
            float u = (px * dx + py * dy) / half, t = (u + 1) / 2;
            t = t < 0 ? 0 : t > 1 ? 1 : t;
            t = t * t * (3 - 2 * t);
            float r2 = (px * px + py * py) / (size * size * REACH * REACH);
            float stops = strength * (NEAR_STOPS * t - FAR_STOPS * (1 - t)) * expf(-r2) * a;
            float gain = exp2f(stops), *v = lin->data + i * 3;
            /* Brightened values roll off at the shoulder, but never below where they were. */
            for (int c = 0; c < 3; c++)
                v[c] = gain <= 1 ? v[c] * gain : fmaxf(v[c], shoulder(v[c] * gain));
        }
    return SB_OK;
}
