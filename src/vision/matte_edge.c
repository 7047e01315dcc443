/* matte_edge.c - the person matte's soft edge solved again from local foreground and background colours. */
#include "vision/matte_edge.h"

#include <math.h>
#include <stdlib.h>

#include "image/filter.h"

/* The colour models live on a grid of CELL x CELL pixels, as box means over MODEL_FRAC of the short side,
 * or WIDE_FRAC where that box holds less than MIN_WEIGHT of the side's pixels (deep in a wide soft band). */
#define CELL 4
#define MODEL_FRAC 0.03f
#define WIDE_FRAC 0.15f
#define MIN_WEIGHT 0.02f
/* Sure foreground and background. The band solved is BAND_LO < alpha < BAND_HI. */
#define SURE_BG 0.05f
#define SURE_FG 0.95f
#define BAND_LO 0.01f
#define BAND_HI 0.99f
/* Trust in the colour estimate: none while foreground and background differ by less than CONTRAST_LO
 * (RGB distance, 0..1 a channel), full from CONTRAST_HI; it falls to none as the pixel lies RESIDUAL_MAX
 * off the line between them (a third colour the two means do not explain). */
#define CONTRAST_LO 0.10f
#define CONTRAST_HI 0.25f
#define RESIDUAL_MAX 0.20f
/* A pixel crosses the net's 0.5 contour only where the colour line puts it this far past it (under
 * CLEAR or over 1 - CLEAR). */
#define CLEAR 0.05f

enum { M_WF, M_F, M_WB = 4, M_B, M_BANDS = 8 };
enum { S_F, S_B = 3, S_OK = 6, S_BANDS = 7 };

/* Weighted sums of sure foreground and sure background colours per cell. */
static void pool(const sb_fimage_t *img, const sb_fimage_t *alpha, float *grid, int gw)
{
    int w = alpha->width, h = alpha->height;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            size_t i = (size_t)y * w + x;
            float a = alpha->data[i], *g = grid + ((size_t)(y / CELL) * gw + x / CELL) * M_BANDS;
            const float *p = img->data + i * 3;
            int at = a > SURE_FG ? M_WF : a < SURE_BG ? M_WB : -1;
            if (at < 0)
                continue;
            g[at] += 1;
            for (int k = 0; k < 3; k++)
                g[at + 1 + k] += p[k];
        }
}

/* Per cell: the mean foreground and background colours (local, else wide) and whether both exist. */
static void means(const float *local, const float *wide, float *out, size_t cells, float min_w)
{
    for (size_t c = 0; c < cells; c++) {
        const float *l = local + c * M_BANDS, *wd = wide + c * M_BANDS;
        float *o = out + c * S_BANDS;
        const float *f = l[M_WF] >= min_w ? l : wd, *b = l[M_WB] >= min_w ? l : wd;
        int ok = f[M_WF] > 0 && b[M_WB] > 0;
        for (int k = 0; k < 3; k++) {
            o[S_F + k] = ok ? f[M_F + k] / f[M_WF] : 0;
            o[S_B + k] = ok ? b[M_B + k] / b[M_WB] : 0;
        }
        o[S_OK] = (float)ok;
    }
}

/* The alpha the colour line gives at a pixel `p` between foreground `f` and background `b`, blended with
 * the net's `a` by the trust in it. */
static float solve(const float p[3], const float f[3], const float b[3], float ok, float a)
{
    float v[3], d[3], vv = 0, dv = 0;
    for (int k = 0; k < 3; k++)
        v[k] = f[k] - b[k], d[k] = p[k] - b[k], vv += v[k] * v[k], dv += d[k] * v[k];
    float len = sqrtf(vv);
    if (ok < 0.5f || len < CONTRAST_LO)
        return a;
    float t = dv / vv, tc = t < 0 ? 0 : t > 1 ? 1 : t, res = 0;
    for (int k = 0; k < 3; k++) {
        float r = d[k] - tc * v[k];
        res += r * r;
    }
    float trust = (len - CONTRAST_LO) / (CONTRAST_HI - CONTRAST_LO);
    trust = trust > 1 ? 1 : trust;
    float fit = 1 - sqrtf(res) / RESIDUAL_MAX;
    trust *= fit < 0 ? 0 : fit;
    float r = a + trust * (tc - a);
    /* Each side of the net's contour stays there unless the colour says the other side outright. */
    if (a >= 0.5f && r < 0.5f && tc > CLEAR)
        return 0.5f;
    return a < 0.5f && r >= 0.5f && tc < 1 - CLEAR ? 0.4999f : r;
}

sb_err sb_matte_edge_refine(const sb_fimage_t *img, sb_fimage_t *alpha, sb_error_t *e)
{
    int w = alpha->width, h = alpha->height;
    if (img->bands != 3 || alpha->bands != 1 || img->width != w || img->height != h)
        return sb_error_set(e, SB_ERR_INTERNAL, "", "matte edge: photo and matte do not match");
    int gw = (w + CELL - 1) / CELL, gh = (h + CELL - 1) / CELL, side = w < h ? w : h;
    size_t cells = (size_t)gw * gh;
    float *grid = calloc(cells * (2 * M_BANDS + S_BANDS), sizeof *grid), *wide = grid + cells * M_BANDS;
    float *model = wide + cells * M_BANDS, *row = malloc((size_t)w * S_BANDS * sizeof *row);
    sb_pooled_sampler_t ps = {0};
    sb_err err = SB_OK;
    if (!grid || !row) {
        err = sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the matte edge");
        goto done;
    }
    pool(img, alpha, grid, gw);
    int r = (int)(MODEL_FRAC * side / CELL), rw = (int)(WIDE_FRAC * side / CELL);
    if ((err = sb_box_mean(grid, wide, gw, gh, M_BANDS, rw < 1 ? 1 : rw, e)) ||
        (err = sb_box_mean(grid, grid, gw, gh, M_BANDS, r < 1 ? 1 : r, e)))
        goto done;
    means(grid, wide, model, cells, MIN_WEIGHT * CELL * CELL);
    if ((err = sb_pooled_sampler_init(&ps, model, gw, gh, S_BANDS, CELL, w, e)))
        goto done;
    for (int y = 0; y < h; y++) {
        float *ar = alpha->data + (size_t)y * w;
        int any = 0;
        for (int x = 0; x < w && !any; x++)
            any = ar[x] > BAND_LO && ar[x] < BAND_HI;
        if (!any)
            continue;
        sb_pooled_sampler_row(&ps, y, row);
        for (int x = 0; x < w; x++) {
            if (ar[x] <= BAND_LO || ar[x] >= BAND_HI)
                continue;
            float f[3], b[3];
            for (int k = 0; k < 3; k++)
                f[k] = row[(S_F + k) * w + x], b[k] = row[(S_B + k) * w + x];
            ar[x] = solve(img->data + ((size_t)y * w + x) * 3, f, b, row[S_OK * w + x], ar[x]);
        }
    }
done:
    sb_pooled_sampler_free(&ps);
    free(grid), free(row);
    return err;
}
