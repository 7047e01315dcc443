/* backdrop.c - radial gradient + vignette in linear light, triangular dither in sRGB. */
#include "render/backdrop.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "image/colour.h"
#include "util/rng.h"

const sb_backdrop_t SB_BACKDROP_STUDIO_GREY = {
    .centre = {0.80f, 0.80f, 0.81f},
    .edge = {0.50f, 0.51f, 0.53f},
    .cx = 0.5f,
    .cy = 0.38f,
    .radius = 1.05f,
    .vignette = 0.18f,
    .seed = 0x5742u,
};

static float smooth(float t)
{
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    return t * t * (3 - 2 * t);
}

static void render(const sb_backdrop_t *b, int width, int height, sb_fimage_t *out)
{
    float cl[3], el[3];
    for (int c = 0; c < 3; c++)
        cl[c] = sb_srgb_to_linear(b->centre[c]), el[c] = sb_srgb_to_linear(b->edge[c]);
    float half_diag = sqrtf((float)width * width + (float)height * height) / 2;
    for (int y = 0; y < height; y++) {
        float *row = out->data + (size_t)y * width * 3;
        for (int x = 0; x < width; x++) {
            float dx = (x + 0.5f) - b->cx * width, dy = (y + 0.5f) - b->cy * height;
            float t = smooth(sqrtf(dx * dx + dy * dy) / (b->radius * half_diag));
            /* Vignette measured from the frame centre, so it frames the picture, not the light. */
            float vx = (x + 0.5f) / width - 0.5f, vy = (y + 0.5f) / height - 0.5f;
            float v = 1.0f - b->vignette * smooth((vx * vx + vy * vy) * 2.0f);
            for (int c = 0; c < 3; c++)
                row[x * 3 + c] = (cl[c] + (el[c] - cl[c]) * t) * v;
        }
    }
    sb_fimage_linear_to_srgb(out);
    sb_backdrop_dither(out, b->seed);
}

/* The last backdrop rendered, kept for the next call with the same backdrop and size (every headshot of
 * a size has the same one): copying it costs ~1 ms where rendering costs ~15 (the gradient, the sRGB curve
 * and the dither over every pixel). One entry for the process, up to CACHE_MAX_PIXELS (800 x 800: 7.7 MB). */
#define CACHE_MAX_PIXELS (1024 * 1024)
static struct {
    pthread_mutex_t lock;
    sb_backdrop_t b;
    sb_fimage_t img;
} cache = {.lock = PTHREAD_MUTEX_INITIALIZER};

sb_err sb_backdrop_render(const sb_backdrop_t *b, int width, int height, sb_fimage_t *out, sb_error_t *e)
{
    sb_err err = sb_fimage_alloc(out, width, height, 3, e);
    if (err)
        return err;
    size_t bytes = (size_t)width * height * 3 * sizeof(float);
    pthread_mutex_lock(&cache.lock);
    int hit = cache.img.data && cache.img.width == width && cache.img.height == height &&
              memcmp(&cache.b, b, sizeof *b) == 0;
    if (hit)
        memcpy(out->data, cache.img.data, bytes);
    pthread_mutex_unlock(&cache.lock);
    if (hit)
        return SB_OK;
    render(b, width, height, out);
    if ((long long)width * height > CACHE_MAX_PIXELS)
        return SB_OK;
    float *copy = malloc(bytes);
    if (!copy)
        return SB_OK; /* the cache is only an optimisation */
    memcpy(copy, out->data, bytes);
    pthread_mutex_lock(&cache.lock);
    free(cache.img.data);
    cache.b = *b;
    cache.img = (sb_fimage_t){.data = copy, .width = width, .height = height, .bands = 3};
    pthread_mutex_unlock(&cache.lock);
    return SB_OK;
}

void sb_backdrop_dither_row(float *row, int width, int bands, int y, uint64_t seed)
{
    /* Triangular dither of +-1 LSB hides 8-bit banding in smooth gradients; one value per pixel, added
     * to every band, so neutral stays neutral. Split per row, so the noise depends only on seed and y. */
    sb_rng_t root = sb_rng_seed(seed), rng = sb_rng_split(&root, (uint64_t)y);
    for (int x = 0; x < width; x++) {
        float dither = (sb_rng_float(&rng) - sb_rng_float(&rng)) / 255.0f;
        for (int c = 0; c < bands; c++)
            row[x * bands + c] += dither;
    }
}

void sb_backdrop_dither(sb_fimage_t *img, uint64_t seed)
{
    for (int y = 0; y < img->height; y++)
        sb_backdrop_dither_row(img->data + (size_t)y * img->width * img->bands, img->width, img->bands, y, seed);
}
