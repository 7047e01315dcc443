/* matte_edge.c - the person matte's soft edge solved again from local foreground and background colours. */
#include "vision/matte_edge.h"

#include <math.h>
#include <stdlib.h>

#include "image/filter.h"
#include "image/label.h"

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
/* An opaque pixel of the hair zone (sb_matte_hair_zone) is opened where both colour means are local, they
 * differ by CONTRAST_HI or more and the pixel lies on the line between them within OPEN_RESIDUAL: in full
 * (alpha set to its place on the line) where that place is under OPEN_FULL, not at all from OPEN_MAX. */
#define OPEN_RESIDUAL 0.10f
#define OPEN_FULL 0.50f
#define OPEN_MAX 0.70f
#define OPEN_BEYOND 0.50f
/* The hair zone ends at the chin line: the mouth's height plus CHIN of the eyes-to-mouth distance (above
 * the collar, which may have the wall's colour). */
#define CHIN 0.50f
/* A pixel counts as a gap where it would be opened by more than GAP_MIN; a part of gaps that reaches the
 * ring between the face's ellipse and RING times it is skin continuing the face's (temples, ears). */
#define GAP_MIN 0.05f
/* ... and only where the sure foreground round it (the 3% box) is textured as hair: its mean grey-level
 * step to the right and down neighbours is TEX_MIN or more (hair with wall between strands 0.05-0.13 at
 * 800 px, a smooth arm or forehead 0.002-0.03: docs/QUALITY.md). */
#define TEX_MIN 0.04f
#define RING 1.10f

/* Below the chin, trust also falls where the sure background round the pixel is textured (a curtain's
 * folds, a mottled wall): the spread of its colours (RMS distance from their mean) over the distance
 * between the two means, NOISE_LO to NOISE_HI, gated by the spread itself, WALL_SD_LO to WALL_SD_HI (a
 * plain wall's shading stays under 0.03, fr_two_people's curtains 0.05-0.15). There the solve read the
 * folds' dark stripes as the suit and drew half-opaque strokes across the net's wide band. Not where the
 * colour says the other side outright, which the `raised` check reads (docs/QUALITY.md, issue 13). */
#define NOISE_LO 0.10f
#define NOISE_HI 0.20f
#define WALL_SD_LO 0.03f
#define WALL_SD_HI 0.05f

enum { M_WF, M_F, M_WB = 4, M_B, M_G = 8, M_Q, M_BANDS };
enum { S_F, S_B = 3, S_OK = 6, S_TEX, S_SD, S_BANDS };

/* Weighted sums of sure foreground and sure background colours per cell, and the sure foreground's texture
 * (the sum of its absolute grey-level steps to the right and down neighbours). A cell at a time, its sums
 * in registers: the same additions in the same order (its rows top down, each left to right) as adding
 * each pixel into the grid in scan order. */
static void pool(const sb_fimage_t *img, const sb_fimage_t *alpha, float *grid, int gw)
{
    int w = alpha->width, h = alpha->height;
    for (int cy = 0; cy * CELL < h; cy++) {
        int y1 = cy * CELL + CELL < h ? cy * CELL + CELL : h;
        for (int cx = 0; cx < gw; cx++) {
            int x1 = cx * CELL + CELL < w ? cx * CELL + CELL : w;
            float wf = 0, f[3] = {0}, wb = 0, b[3] = {0}, tex = 0, q = 0;
            for (int y = cy * CELL; y < y1; y++)
                for (int x = cx * CELL; x < x1; x++) {
                    size_t i = (size_t)y * w + x;
                    float a = alpha->data[i];
                    const float *p = img->data + i * 3;
                    if (a > SURE_FG) {
                        wf += 1;
                        for (int k = 0; k < 3; k++)
                            f[k] += p[k];
                        if (x + 1 < w && y + 1 < h) {
                            const float *r = p + 3, *d = p + (size_t)w * 3;
                            tex += fabsf(r[0] + r[1] + r[2] - p[0] - p[1] - p[2]) / 3 +
                                   fabsf(d[0] + d[1] + d[2] - p[0] - p[1] - p[2]) / 3;
                        }
                    } else if (a < SURE_BG) {
                        wb += 1;
                        for (int k = 0; k < 3; k++)
                            b[k] += p[k], q += p[k] * p[k];
                    }
                }
            float *g = grid + ((size_t)cy * gw + cx) * M_BANDS;
            g[M_WF] = wf, g[M_WB] = wb, g[M_G] = tex, g[M_Q] = q;
            for (int k = 0; k < 3; k++)
                g[M_F + k] = f[k], g[M_B + k] = b[k];
        }
    }
}

/* Per cell: the mean foreground and background colours (local, else wide), whether both exist, and the
 * local foreground's texture (mean step). */
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
        float var = ok ? b[M_Q] / b[M_WB] : 0;
        for (int k = 0; k < 3; k++)
            var -= o[S_B + k] * o[S_B + k];
        o[S_SD] = var > 0 ? sqrtf(var) : 0;
        o[S_TEX] = l[M_WF] > 0 ? l[M_G] / l[M_WF] : 0;
    }
}

/* The alpha the colour line gives at a pixel `p` between foreground `f` and background `b`, blended with
 * the net's `a` by the trust in it; `sd` is the spread of the sure background's colours round `b` (0 to
 * trust the line whatever the wall's texture). */
static float solve(const float p[3], const float f[3], const float b[3], float ok, float sd, float a)
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
    int outright = a < 0.5f ? tc >= 1 - CLEAR : tc <= CLEAR;
    float noise = (sd / len - NOISE_LO) / (NOISE_HI - NOISE_LO), wall = (sd - WALL_SD_LO) / (WALL_SD_HI - WALL_SD_LO);
    noise = noise < 0 ? 0 : noise > 1 ? 1 : noise;
    wall = wall < 0 ? 0 : wall > 1 ? 1 : wall;
    if (!outright)
        trust *= 1 - noise * wall;
    float r = a + trust * (tc - a);
    /* Each side of the net's contour stays there unless the colour says the other side outright. */
    if (a >= 0.5f && r < 0.5f && tc > CLEAR)
        return 0.5f;
    return a < 0.5f && r >= 0.5f && tc < 1 - CLEAR ? 0.4999f : r;
}

/* The alpha of an opaque pixel `p` of the hair zone: lowered toward its place on the line from the local
 * wall `b` to the local hair `f` where it has the wall's colour (a gap between strands the net closed).
 * A colour beyond the wall, away from the hair, and brighter than the wall's mean (a lit gap) counts as the
 * wall when it lies within OPEN_RESIDUAL of the line's extension, up to OPEN_BEYOND of its length. */
static float open_gap(const float p[3], const float f[3], const float b[3], float ok, float a)
{
    float v[3], d[3], vv = 0, dv = 0, res = 0;
    for (int k = 0; k < 3; k++)
        v[k] = f[k] - b[k], d[k] = p[k] - b[k], vv += v[k] * v[k], dv += d[k] * v[k];
    /* Only a wall lighter than the hair: on a darker wall, the shadows in blonde hair have its colour. */
    if (ok < 0.5f || vv < CONTRAST_HI * CONTRAST_HI || v[0] + v[1] + v[2] > 0)
        return a;
    float t = dv / vv;
    /* Beyond the wall only when lit brighter than it (a shadow in blonde hair on a grey wall is not). */
    if (t >= OPEN_MAX || t < -OPEN_BEYOND || (t < 0 && d[0] + d[1] + d[2] < 0))
        return a;
    for (int k = 0; k < 3; k++) {
        float r = d[k] - t * v[k];
        res += r * r;
    }
    float tc = t < 0 ? 0 : t, fit = 1 - sqrtf(res) / OPEN_RESIDUAL, near = (OPEN_MAX - tc) / (OPEN_MAX - OPEN_FULL);
    float trust = (fit < 0 ? 0 : fit) * (near > 1 ? 1 : near);
    return a + trust * (tc - a);
}

float sb_matte_chin_line(const sb_face_t *face)
{
    float eyes = (face->lmk[SB_LMK_RIGHT_EYE].y + face->lmk[SB_LMK_LEFT_EYE].y) / 2;
    float mouth = (face->lmk[SB_LMK_MOUTH_RIGHT].y + face->lmk[SB_LMK_MOUTH_LEFT].y) / 2;
    return mouth + CHIN * (mouth - eyes);
}

bool sb_matte_hair_zone(const sb_face_t *face, float chin, int x, int y)
{
    if (!face || face->w <= 0 || face->h <= 0 || y + 0.5f >= chin)
        return false;
    float dx = (x + 0.5f - (face->x + face->w / 2)) / (face->w / 2), dy = (y + 0.5f - (face->y + face->h / 2)) / (face->h / 2);
    return dx * dx + dy * dy > 1;
}

sb_err sb_matte_hair_gaps(uint8_t *gap, int w, int h, const sb_face_t *face, sb_error_t *e)
{
    sb_parts_t parts;
    sb_err err = sb_parts_label(w, h, gap, &parts, e);
    uint8_t *skin = err ? NULL : calloc((size_t)parts.count + 1, 1);
    if (!err && !skin)
        err = sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the hair gaps");
    float cx = face->x + face->w / 2, cy = face->y + face->h / 2, rx = face->w / 2, ry = face->h / 2;
    for (int y = 0; !err && y < h; y++)
        for (int x = 0; x < w; x++) {
            int id = parts.label[(size_t)y * w + x];
            if (!id || skin[id])
                continue;
            float dx = (x + 0.5f - cx) / rx, dy = (y + 0.5f - cy) / ry, d = dx * dx + dy * dy;
            if (d <= RING * RING)
                skin[id] = 1;
        }
    for (size_t i = 0; !err && i < (size_t)w * h; i++)
        gap[i] = skin[parts.label[i]] ? 0 : gap[i];
    free(skin);
    sb_parts_free(&parts);
    return err;
}

sb_err sb_matte_edge_refine(const sb_fimage_t *img, sb_fimage_t *alpha, const sb_face_t *face, sb_error_t *e)
{
    int w = alpha->width, h = alpha->height;
    if (img->bands != 3 || alpha->bands != 1 || img->width != w || img->height != h)
        return sb_error_set(e, SB_ERR_INTERNAL, "", "matte edge: photo and matte do not match");
    int gw = (w + CELL - 1) / CELL, gh = (h + CELL - 1) / CELL, side = w < h ? w : h;
    float chin = face ? sb_matte_chin_line(face) : 0;
    size_t cells = (size_t)gw * gh;
    float *grid = calloc(cells * (2 * M_BANDS + S_BANDS), sizeof *grid), *wide = grid + cells * M_BANDS;
    float *model = wide + cells * M_BANDS, *row = malloc((size_t)w * S_BANDS * sizeof *row);
    /* The hair zone's rows (above the chin): the alpha each pixel would be opened to, 2 for none. */
    int zh = face ? (int)ceilf(chin) : 0;
    zh = zh < 0 ? 0 : zh > h ? h : zh;
    float *opened = zh ? malloc((size_t)w * zh * sizeof *opened) : NULL;
    uint8_t *gap = zh ? calloc((size_t)w * zh, 1) : NULL;
    sb_pooled_sampler_t ps = {0};
    sb_err err = SB_OK;
    if (!grid || !row || (zh && (!opened || !gap))) {
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
        /* Rows above the chin may hold opaque gaps of the hair zone; the others only the soft band. */
        int any = y < zh;
        for (int x = 0; x < w && y < zh; x++)
            opened[(size_t)y * w + x] = 2;
        for (int x = 0; x < w && !any; x++)
            any = ar[x] > BAND_LO && ar[x] < BAND_HI;
        if (!any)
            continue;
        sb_pooled_sampler_row(&ps, y, row);
        for (int x = 0; x < w; x++) {
            int band = ar[x] > BAND_LO && ar[x] < BAND_HI;
            if (!band && ar[x] < BAND_HI)
                continue;
            int hair = y < zh && sb_matte_hair_zone(face, chin, x, y);
            if (!band && !hair)
                continue;
            float f[3], b[3];
            const float *p = img->data + ((size_t)y * w + x) * 3;
            for (int k = 0; k < 3; k++)
                f[k] = row[(S_F + k) * w + x], b[k] = row[(S_B + k) * w + x];
            if (hair && ar[x] >= 0.5f) {
                float o = open_gap(p, f, b, row[S_OK * w + x], ar[x]);
                opened[(size_t)y * w + x] = o;
                /* 1: the wall's colour; 2: and textured as hair round it (the parts are taken on both). */
                gap[(size_t)y * w + x] = o < ar[x] - GAP_MIN ? 1 + (row[S_TEX * w + x] >= TEX_MIN) : 0;
            }
            if (band)
                ar[x] = solve(p, f, b, row[S_OK * w + x], y >= zh ? row[S_SD * w + x] : 0, ar[x]);
        }
    }
    /* In the hair zone, the net's contour runs round the curls, not between the strands: a pixel of its
     * inner side that has the wall's colour is opened, across the contour if need be, unless it belongs to
     * skin that continues the face's. */
    if (zh && !(err = sb_matte_hair_gaps(gap, w, zh, face, e)))
        for (size_t i = 0; i < (size_t)w * zh; i++)
            if (gap[i] == 2 && opened[i] < alpha->data[i])
                alpha->data[i] = opened[i];
done:
    sb_pooled_sampler_free(&ps);
    free(grid), free(row), free(opened), free(gap);
    return err;
}
