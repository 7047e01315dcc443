/* glass.c - transmission of transparent products and its swap (see glass.h). */
#include "render/glass.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "image/fill.h"
#include "image/filter.h"
#include "image/resample.h"
#include "render/noise.h"

/* The background estimate is filled on a grid of about GRID_SIDE cells along the photo's long side: what shows
 * through glass is refracted and out of focus anyway, so a smooth estimate is what the colour test needs. */
#define GRID_SIDE 160
/* Pixels with alpha under this are background and teach the fill. */
#define BG_ALPHA 0.05f
/* The colour distance (sRGB, RMS over the bands) to the estimated background under which a pixel is as
 * transmissive as glass gets, and over which it is the product's own (label, cap, highlight, dark rim). */
#define NEAR 0.05f
#define FAR 0.20f
/* The interior over which the score is taken: alpha at least this, every SCORE_STEP-th pixel each way. */
#define INTERIOR 0.95f
#define SCORE_STEP 3

/* The transmission of photo pixel `px` against the background estimate at column x of the planar sampled row
 * `bg` (w wide); the estimate goes to m[0..2] (8-bit) when m is not NULL. */
static float transmission(const uint8_t *px, const float *bg, int w, int x, uint8_t *m)
{
    float d2 = 0;
    for (int c = 0; c < 3; c++) {
        float b = bg[c * w + x], v = px[c] * (1.0f / 255.0f) - b;
        d2 += v * v;
        if (m)
            m[c] = (uint8_t)lrintf(fminf(1, fmaxf(0, b)) * 255);
    }
    return SB_GLASS_T_MAX * (1 - sb_noise_smooth(NEAR, FAR, sqrtf(d2 / 3)));
}

void sb_glass_free(sb_glass_t *g)
{
    if (g)
        sb_image_free(&g->map);
}

sb_err sb_glass_estimate(const sb_image_t *rgb, const sb_fimage_t *alpha, const int r[4], float min_score,
                         sb_glass_t *out, sb_error_t *e)
{
    *out = (sb_glass_t){0};
    int w = rgb->width, h = rgb->height;
    if (rgb->bands != 3 || alpha->bands != 1 || alpha->width != w || alpha->height != h || r[0] < 0 || r[1] < 0 ||
        r[2] > w || r[3] > h || r[2] <= r[0] || r[3] <= r[1])
        return sb_error_set(e, SB_ERR_INTERNAL, "", "glass: mismatched photo, matte or crop");
    int s = (w > h ? w : h) / GRID_SIDE;
    s = s < 1 ? 1 : s;
    int gw = (w + s - 1) / s, gh = (h + s - 1) / s, cw = r[2] - r[0], ch = r[3] - r[1];
    float *grid = calloc((size_t)gw * gh * 4, sizeof *grid), *row = malloc((size_t)w * 4 * sizeof *row);
    sb_pooled_sampler_t ps = {0};
    sb_err err = grid && row ? SB_OK : sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for a glass estimate");
    if (err)
        goto done;
    /* Pool the background (colour x weight, weight) from every other pixel each way (cells are ~10 px); a tiny
     * floor keeps a photo with no background defined. */
    for (int y = 0; y < h; y += 2)
        for (int x = 0; x < w; x += 2) {
            size_t i = (size_t)y * w + x;
            float wt = alpha->data[i] < BG_ALPHA ? 1.0f : 1e-9f, *g = grid + ((size_t)(y / s) * gw + x / s) * 4;
            for (int c = 0; c < 3; c++)
                g[c] += wt * rgb->data[i * 3 + c] * (1.0f / 255.0f);
            g[3] += wt;
        }
    for (size_t i = 0; i < (size_t)gw * gh; i++) {
        float *g = grid + i * 4, n = g[3] > 1 ? g[3] : 1;
        for (int b = 0; b < 4; b++)
            g[b] /= n;
    }
    err = sb_fill_pushpull(grid, gw, gh, e);
    if (!err)
        err = sb_pooled_sampler_init(&ps, grid, gw, gh, 4, s, w, e);
    if (err)
        goto done;
    /* The score from every SCORE_STEP-th pixel each way; the map only for a transparent product. */
    double t_sum = 0;
    size_t n_in = 0;
    for (int y = r[1]; y < r[3]; y += SCORE_STEP) {
        sb_pooled_sampler_row(&ps, y, row);
        for (int x = r[0]; x < r[2]; x += SCORE_STEP) {
            size_t i = (size_t)y * w + x;
            if (alpha->data[i] >= INTERIOR)
                t_sum += transmission(rgb->data + i * 3, row, w, x, NULL) / SB_GLASS_T_MAX, n_in++;
        }
    }
    out->score = n_in ? (float)(t_sum / (double)n_in) : 0;
    if (out->score < min_score)
        goto done;
    err = sb_image_alloc(&out->map, cw, ch, 4, e);
    for (int y = r[1]; !err && y < r[3]; y++) {
        sb_pooled_sampler_row(&ps, y, row);
        for (int x = r[0]; x < r[2]; x++) {
            size_t i = (size_t)y * w + x;
            uint8_t *m = out->map.data + ((size_t)(y - r[1]) * cw + (x - r[0])) * 4;
            /* The estimate B everywhere, the background's pixels too: the map is resized to the layer, and
             * the product's edge pixels read their neighbours' B. */
            float t = transmission(rgb->data + i * 3, row, w, x, m);
            m[3] = (uint8_t)lrintf(alpha->data[i] > 0 ? t * 255 : 0);
        }
    }
done:
    sb_pooled_sampler_free(&ps);
    free(grid);
    free(row);
    if (err)
        sb_glass_free(out);
    return err;
}

sb_err sb_glass_apply(sb_image_t *layer, const sb_image_t *map, sb_error_t *e)
{
    if (layer->bands != 4 || map->bands != 4 || layer->width != map->width || layer->height != map->height)
        return sb_error_set(e, SB_ERR_INTERNAL, "", "glass: a map that does not fit the layer");
    for (size_t i = 0; i < (size_t)layer->width * layer->height; i++) {
        uint8_t *p = layer->data + i * 4;
        const uint8_t *m = map->data + i * 4;
        float t = m[3] * (1.0f / 255.0f), keep = 1 - t;
        if (t <= 0 || p[3] == 0)
            continue;
        for (int c = 0; c < 3; c++) {
            float f = ((float)p[c] - t * (float)m[c]) / keep;
            p[c] = (uint8_t)lrintf(f < 0 ? 0 : f > 255 ? 255 : f);
        }
        p[3] = (uint8_t)lrintf((float)p[3] * keep);
    }
    return SB_OK;
}

float sb_glass_min_score(sb_glass_mode mode)
{
    return mode == SB_GLASS_ON ? 0 : mode == SB_GLASS_OFF ? 2 : SB_GLASS_SURE_SCORE;
}

bool sb_glass_uncertain(sb_glass_mode mode, float score)
{
    return mode == SB_GLASS_AUTO && score >= SB_GLASS_MIN_SCORE && score < SB_GLASS_SURE_SCORE;
}

sb_err sb_glass_see_through(const sb_image_t *rgb, const sb_fimage_t *alpha, const int r[4], sb_glass_mode mode,
                            sb_image_t *layer, float *score, bool *applied, sb_error_t *e)
{
    sb_glass_t glass;
    sb_image_t map = {0};
    sb_err err = sb_glass_estimate(rgb, alpha, r, sb_glass_min_score(mode), &glass, e);
    *score = err ? 0 : glass.score;
    *applied = !err && glass.map.data;
    if (!err && glass.map.data) {
        err = sb_image_resize(&glass.map, layer->width, layer->height, &map, e);
        if (!err)
            err = sb_glass_apply(layer, &map, e);
    }
    sb_glass_free(&glass);
    sb_image_free(&map);
    return err;
}
