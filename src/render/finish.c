/* finish.c - grain, vignette, soft skin and sharpening on a finished frame (see finish.h). */
#include "render/finish.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "image/filter.h"
#include "render/detail.h"
#include "util/rng.h"

/* Soft skin keeps this much of the detail the blur removes. */
#define SKIN_DETAIL_KEPT 0.33f

float sb_finish_radius(int x, int y, int w, int h)
{
    float dx = x + 0.5f - w * 0.5f, dy = y + 0.5f - h * 0.5f;
    return sqrtf((dx * dx + dy * dy) / (0.25f * ((float)w * w + (float)h * h)));
}

float sb_finish_vignette_falloff(float r)
{
    float t = (r - SB_VIGNETTE_CENTRE) / (1.0f - SB_VIGNETTE_CENTRE);
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    return t * t * (3 - 2 * t);
}

static float clamp01(float v)
{
    return v < 0 ? 0 : v > 1 ? 1 : v;
}

void sb_finish_grain(sb_fimage_t *rgb, float sigma, uint64_t seed)
{
    if (!(sigma > 0))
        return;
    /* Four uniforms make a near-Gaussian of std 1. Split per row, as sb_backdrop_dither. */
    sb_rng_t root = sb_rng_seed(seed);
    const float scale = sigma * sqrtf(3.0f);
    for (int y = 0; y < rgb->height; y++) {
        sb_rng_t rng = sb_rng_split(&root, (uint64_t)y);
        float *row = rgb->data + (size_t)y * rgb->width * 3;
        for (int x = 0; x < rgb->width; x++) {
            float u = sb_rng_float(&rng) + sb_rng_float(&rng) + sb_rng_float(&rng) + sb_rng_float(&rng);
            float g = (u - 2.0f) * scale;
            for (int c = 0; c < 3; c++)
                row[x * 3 + c] = clamp01(row[x * 3 + c] + g);
        }
    }
}

void sb_finish_vignette(sb_fimage_t *rgb, float amount)
{
    if (!(amount > 0))
        return;
    int w = rgb->width, h = rgb->height;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            float v = 1.0f - amount * sb_finish_vignette_falloff(sb_finish_radius(x, y, w, h));
            float *p = rgb->data + ((size_t)y * w + x) * 3;
            for (int c = 0; c < 3; c++)
                p[c] *= v;
        }
}

sb_err sb_finish_soft_skin(sb_fimage_t *rgb, const sb_fimage_t *region, float sigma, float amount, sb_error_t *e)
{
    if (!(amount > 0))
        return SB_OK;
    if (region->width != rgb->width || region->height != rgb->height || region->bands != 1 || rgb->bands != 3)
        return sb_error_set(e, SB_ERR_INTERNAL, "", "soft skin: image and region do not match");
    /* Only the region's bounding box (and the blur's reach around it) is blurred: a face is a small part
     * of a half-body frame. */
    int w = rgb->width, h = rgb->height, x0 = w, y0 = h, x1 = -1, y1 = -1;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            if (region->data[(size_t)y * w + x] > 0) {
                x0 = x < x0 ? x : x0, x1 = x > x1 ? x : x1;
                y0 = y < y0 ? y : y0, y1 = y > y1 ? y : y1;
            }
    if (x1 < 0)
        return SB_OK;
    int reach = (int)ceilf(3 * sigma) + 1;
    x0 = x0 - reach < 0 ? 0 : x0 - reach, y0 = y0 - reach < 0 ? 0 : y0 - reach;
    x1 = x1 + reach >= w ? w - 1 : x1 + reach, y1 = y1 + reach >= h ? h - 1 : y1 + reach;
    int cw = x1 - x0 + 1, ch = y1 - y0 + 1;
    float *blur = calloc((size_t)cw * ch * 3, sizeof(float));
    if (!blur)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory softening skin");
    for (int y = 0; y < ch; y++)
        memcpy(blur + (size_t)y * cw * 3, rgb->data + ((size_t)(y0 + y) * w + x0) * 3, sizeof(float) * cw * 3);
    sb_err err = sb_blur(blur, blur, cw, ch, 3, sigma, e);
    for (int y = 0; !err && y < ch; y++)
        for (int x = 0; x < cw; x++) {
            size_t i = (size_t)(y0 + y) * w + x0 + x;
            float t = amount * (1.0f - SKIN_DETAIL_KEPT) * region->data[i], *b = blur + ((size_t)y * cw + x) * 3;
            for (int c = 0; c < 3; c++)
                rgb->data[3 * i + c] += t * (b[c] - rgb->data[3 * i + c]);
        }
    free(blur);
    return err;
}

sb_err sb_finish_sharpen(sb_fimage_t *rgb, const sb_fimage_t *weight, float amount, sb_error_t *e)
{
    if (!(amount > 0))
        return SB_OK;
    const sb_detail_t d = {.sharpen = 1.2f * amount, .sharpen_sigma = 1.0f, .max_delta = 0.08f};
    return sb_detail_enhance(rgb, weight, &d, e);
}
