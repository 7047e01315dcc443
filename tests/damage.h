/* damage.h - deliberately damaged copies of a face region, for the likeness tests: the damage a broken
 * stylisation does to a face (smeared, cut into shuffled blocks, recoloured, broken into dark patches).
 * Each function changes the pixels of `img` (3-band RGB, in place) inside the box (x, y, w, h), clipped
 * to the image, and nothing outside it. Deterministic. */
#ifndef SB_DAMAGE_H
#define SB_DAMAGE_H

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "image/filter.h"
#include "image/image.h"

typedef enum { DAMAGE_BLUR, DAMAGE_SCRAMBLE, DAMAGE_RECOLOUR, DAMAGE_DARK_PATCHES, DAMAGE_COUNT } damage_kind;

static const char *const damage_names[DAMAGE_COUNT] = {"blur", "scramble", "recolour", "dark_patches"};

typedef struct {
    int x0, y0, x1, y1; /* clipped box, x1 and y1 exclusive */
} damage_box_t;

static inline damage_box_t damage_clip(const sb_image_t *img, float x, float y, float w, float h)
{
    damage_box_t b = {(int)floorf(x), (int)floorf(y), (int)ceilf(x + w), (int)ceilf(y + h)};
    b.x0 = b.x0 < 0 ? 0 : b.x0, b.y0 = b.y0 < 0 ? 0 : b.y0;
    b.x1 = b.x1 > img->width ? img->width : b.x1, b.y1 = b.y1 > img->height ? img->height : b.y1;
    return b;
}

/* Gaussian blur of sigma = 1/12 of the box width (a face smeared to a soft blob). */
static inline sb_err damage_blur(sb_image_t *img, damage_box_t b, sb_error_t *e)
{
    int w = b.x1 - b.x0, h = b.y1 - b.y0;
    float *f = malloc(sizeof(float) * (size_t)w * h * 3);
    if (!f)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory");
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w * 3; x++)
            f[(size_t)y * w * 3 + x] = img->data[((size_t)(b.y0 + y) * img->width + b.x0) * 3 + x];
    sb_err err = sb_blur(f, f, w, h, 3, w / 12.0f, e);
    for (int y = 0; !err && y < h; y++)
        for (int x = 0; x < w * 3; x++)
            img->data[((size_t)(b.y0 + y) * img->width + b.x0) * 3 + x] = (uint8_t)lrintf(f[(size_t)y * w * 3 + x]);
    free(f);
    return err;
}

/* The box cut into 4x4 blocks, shuffled by a fixed permutation (no block stays in place). */
static inline sb_err damage_scramble(sb_image_t *img, damage_box_t b, sb_error_t *e)
{
    enum { K = 4 };
    static const int perm[K * K] = {5, 10, 15, 0, 9, 14, 3, 4, 13, 2, 7, 8, 1, 6, 11, 12};
    int bw = (b.x1 - b.x0) / K, bh = (b.y1 - b.y0) / K;
    size_t row = (size_t)bw * 3, n = row * bh * K * K;
    uint8_t *copy = malloc(n);
    if (!copy)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory");
    for (int k = 0; k < K * K; k++)
        for (int y = 0; y < bh; y++)
            memcpy(copy + ((size_t)k * bh + y) * row,
                   img->data + ((size_t)(b.y0 + (k / K) * bh + y) * img->width + b.x0 + (k % K) * bw) * 3, row);
    for (int k = 0; k < K * K; k++)
        for (int y = 0; y < bh; y++)
            memcpy(img->data + ((size_t)(b.y0 + (k / K) * bh + y) * img->width + b.x0 + (k % K) * bw) * 3,
                   copy + ((size_t)perm[k] * bh + y) * row, row);
    free(copy);
    return SB_OK;
}

/* The channels rotated (R, G, B) -> (B, R, G): skin turns violet-blue, hair and shading keep their
 * lightness order. */
static inline void damage_recolour(sb_image_t *img, damage_box_t b)
{
    for (int y = b.y0; y < b.y1; y++)
        for (int x = b.x0; x < b.x1; x++) {
            uint8_t *p = img->data + ((size_t)y * img->width + x) * 3, r = p[0], g = p[1], bl = p[2];
            p[0] = bl, p[1] = r, p[2] = g;
        }
}

/* Five soft-edged near-black blotches (forehead, both cheeks, nose side, chin) covering about a quarter
 * of the box: a face broken into dark patches. */
static inline void damage_dark_patches(sb_image_t *img, damage_box_t b)
{
    static const float spots[5][3] = {/* centre x, y and radius, in fractions of the box */
                                      {0.35f, 0.18f, 0.16f}, {0.25f, 0.62f, 0.15f}, {0.76f, 0.58f, 0.14f},
                                      {0.58f, 0.45f, 0.09f}, {0.50f, 0.90f, 0.13f}};
    float w = (float)(b.x1 - b.x0), h = (float)(b.y1 - b.y0);
    for (int y = b.y0; y < b.y1; y++)
        for (int x = b.x0; x < b.x1; x++) {
            float cover = 0;
            for (int s = 0; s < 5; s++) {
                float dx = (x - b.x0 - spots[s][0] * w) / (spots[s][2] * w);
                float dy = (y - b.y0 - spots[s][1] * h) / (spots[s][2] * w);
                float d = sqrtf(dx * dx + dy * dy), c = d < 0.8f ? 1.0f : d < 1.0f ? (1.0f - d) / 0.2f : 0.0f;
                cover = c > cover ? c : cover;
            }
            uint8_t *p = img->data + ((size_t)y * img->width + x) * 3;
            for (int c = 0; c < 3; c++)
                p[c] = (uint8_t)lrintf(p[c] * (1 - cover) + 18 * cover);
        }
}

/* Apply damage `kind` to the box (x, y, w, h) of `img`. SB_ERR_USAGE when the clipped box is under 8 px
 * a side; SB_ERR_NOMEM. */
static inline sb_err damage_apply(sb_image_t *img, damage_kind kind, float x, float y, float w, float h,
                                  sb_error_t *e)
{
    damage_box_t b = damage_clip(img, x, y, w, h);
    if (b.x1 - b.x0 < 8 || b.y1 - b.y0 < 8)
        return sb_error_set(e, SB_ERR_USAGE, "", "damage box too small");
    switch (kind) {
    case DAMAGE_BLUR: return damage_blur(img, b, e);
    case DAMAGE_SCRAMBLE: return damage_scramble(img, b, e);
    case DAMAGE_RECOLOUR: damage_recolour(img, b); return SB_OK;
    case DAMAGE_DARK_PATCHES: damage_dark_patches(img, b); return SB_OK;
    default: return sb_error_set(e, SB_ERR_USAGE, "", "unknown damage %d", (int)kind);
    }
}

#endif
