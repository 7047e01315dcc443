/* light.c - face-driven exposure and white balance. */
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

void sb_light_apply(sb_fimage_t *lin, const sb_light_t *light)
{
    if (light->gain[0] == 1 && light->gain[1] == 1 && light->gain[2] == 1)
        return;
    size_t n = (size_t)lin->width * lin->height;
    for (size_t i = 0; i < n; i++)
        for (int c = 0; c < 3; c++)
            lin->data[i * 3 + c] = shoulder(lin->data[i * 3 + c] * light->gain[c]);
}
