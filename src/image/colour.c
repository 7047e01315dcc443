/* colour.c - sRGB transfer curves with 4096-entry interpolated tables. */
#include "image/colour.h"

#include <math.h>
#include <pthread.h>

#define LUT_N 4096

static float to_lin[LUT_N + 1], to_srgb[LUT_N + 1], byte_to_lin[256];
static pthread_once_t once = PTHREAD_ONCE_INIT;

float sb_srgb_to_linear(float v)
{
    return v <= 0.04045f ? v / 12.92f : powf((v + 0.055f) / 1.055f, 2.4f);
}

float sb_linear_to_srgb(float v)
{
    return v <= 0.0031308f ? v * 12.92f : 1.055f * powf(v, 1.0f / 2.4f) - 0.055f;
}

/* The table's value at v, interpolated. */
static inline float lookup(const float *lut, float v)
{
    v = v < 0 ? 0 : v > 1 ? 1 : v;
    float f = v * LUT_N;
    int k = (int)f;
    if (k >= LUT_N)
        k = LUT_N - 1;
    float t = f - k;
    return lut[k] + (lut[k + 1] - lut[k]) * t;
}

static void build(void)
{
    for (int i = 0; i <= LUT_N; i++) {
        to_lin[i] = sb_srgb_to_linear((float)i / LUT_N);
        to_srgb[i] = sb_linear_to_srgb((float)i / LUT_N);
    }
    for (int k = 0; k < 256; k++)
        byte_to_lin[k] = lookup(to_lin, k * (1.0f / 255.0f)); /* sb_image_to_float's value, then the table's */
}

static void apply(sb_fimage_t *img, const float *lut)
{
    size_t n = (size_t)img->width * img->height * img->bands;
    for (size_t i = 0; i < n; i++)
        img->data[i] = lookup(lut, img->data[i]);
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

float sb_byte_to_linear(uint8_t b)
{
    pthread_once(&once, build);
    return byte_to_lin[b];
}

float sb_linear_to_srgb_table(float v)
{
    pthread_once(&once, build);
    return lookup(to_srgb, v);
}

sb_err sb_image_to_linear(const sb_image_t *src, sb_fimage_t *dst, sb_error_t *e)
{
    pthread_once(&once, build);
    sb_err err = sb_fimage_alloc(dst, src->width, src->height, src->bands, e);
    if (err)
        return err;
    size_t n = (size_t)src->width * src->height * src->bands;
    for (size_t i = 0; i < n; i++)
        dst->data[i] = byte_to_lin[src->data[i]];
    return SB_OK;
}
