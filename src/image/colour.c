/* colour.c - sRGB transfer curves with 4096-entry interpolated tables. */
#include "image/colour.h"

#include <math.h>
#include <pthread.h>

#define LUT_N 4096

static float to_lin[LUT_N + 1], to_srgb[LUT_N + 1];
static pthread_once_t once = PTHREAD_ONCE_INIT;

float sb_srgb_to_linear(float v)
{
    return v <= 0.04045f ? v / 12.92f : powf((v + 0.055f) / 1.055f, 2.4f);
}

float sb_linear_to_srgb(float v)
{
    return v <= 0.0031308f ? v * 12.92f : 1.055f * powf(v, 1.0f / 2.4f) - 0.055f;
}

static void build(void)
{
    for (int i = 0; i <= LUT_N; i++) {
        to_lin[i] = sb_srgb_to_linear((float)i / LUT_N);
        to_srgb[i] = sb_linear_to_srgb((float)i / LUT_N);
    }
}

static void apply(sb_fimage_t *img, const float *lut)
{
    size_t n = (size_t)img->width * img->height * img->bands;
    for (size_t i = 0; i < n; i++) {
        float v = img->data[i];
        v = v < 0 ? 0 : v > 1 ? 1 : v;
        float f = v * LUT_N;
        int k = (int)f;
        if (k >= LUT_N)
            k = LUT_N - 1;
        float t = f - k;
        img->data[i] = lut[k] + (lut[k + 1] - lut[k]) * t;
    }
}

void sb_fimage_srgb_to_linear(sb_fimage_t *img)
{
    pthread_once(&once, build);
    apply(img, to_lin);
}

void sb_fimage_linear_to_srgb(sb_fimage_t *img)
{
    pthread_once(&once, build);
    apply(img, to_srgb);
}
