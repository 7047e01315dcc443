/* cutout_halo.c - the cut-out check's edge measures: the old background left round the subject (halo)
 * and the holes in it. */
#include "pipeline/cutout_halo.h"

#include <math.h>
#include <stdlib.h>

#include "image/filter.h"
#include "image/label.h"
#include "vision/matte_edge.h"

/* Cells of CELL x CELL matte pixels carry the local colour models; their means are taken over a box of
 * MODEL_FRAC of the matte's short side (at least one cell), or of WIDE_FRAC where that box holds too little
 * background (deep in a wide soft band). */
#define CELL 4
#define MODEL_FRAC 0.04f
#define WIDE_FRAC 0.25f
/* A pixel is the old background where alpha < BG_ALPHA, the new one where alpha < NEW_ALPHA; the soft
 * band measured is BG_ALPHA <= alpha <= SURE_ALPHA. */
#define BG_ALPHA 0.05f
#define NEW_ALPHA 0.02f
#define SURE_ALPHA 0.95f
/* A cell's model counts when this share of its box is background; the old and new backgrounds must differ
 * by at least MIN_CONTRAST (0..1 RGB distance) for a rim of the old one to show at all. */
#define MIN_WEIGHT 0.05f
#define MIN_WEIGHT_WIDE 0.005f
#define MIN_CONTRAST 0.08f
/* A rim counts in full where the two backgrounds differ by FULL_CONTRAST or more, in proportion below (a
 * rim of a blue-grey curtain on the grey backdrop hardly shows). */
#define FULL_CONTRAST 0.30f
/* A hole counts from this share of the frame. */
#define HOLE_MIN 0.004
/* The opaque wall: a pixel of the hair zone at alpha > SURE_ALPHA whose delivered colour lies on the line
 * from the old background (0) to the subject's local colour (1) short of WALL_T, within WALL_RESIDUAL of
 * it (up to WALL_BEYOND of the line's length beyond the old background when brighter: a lit gap), where the two differ by
 * WALL_CONTRAST or more. */
#define WALL_T 0.35f
#define WALL_BEYOND 0.50f
#define WALL_RESIDUAL 0.10f
#define WALL_CONTRAST 0.25f
#define BANDS 12

/* Where `out` (any size, 3 or 4 bands; RGBA over mid grey) is read for each column and row of a w x h
 * matte, and the byte values over 255: worked out once a check rather than per pixel. */
typedef struct {
    const sb_image_t *out;
    int *ox, *oy;
    float unit[256];
} out_map_t;

static sb_err out_map_init(out_map_t *m, const sb_image_t *out, int w, int h, sb_error_t *e)
{
    m->out = out;
    m->ox = malloc(((size_t)w + h) * sizeof *m->ox);
    m->oy = m->ox ? m->ox + w : NULL;
    if (!m->ox)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the halo check");
    for (int x = 0; x < w; x++)
        m->ox[x] = (int)((long)x * out->width / w);
    for (int y = 0; y < h; y++)
        m->oy[y] = (int)((long)y * out->height / h);
    for (int v = 0; v < 256; v++)
        m->unit[v] = v / 255.0f;
    return SB_OK;
}

/* Sample the output at matte pixel (x, y). */
static void out_rgb(const out_map_t *m, int x, int y, float rgb[3])
{
    const sb_image_t *out = m->out;
    const uint8_t *p = out->data + ((size_t)m->oy[y] * out->width + m->ox[x]) * out->bands;
    float a = out->bands == 4 ? m->unit[p[3]] : 1.0f;
    for (int k = 0; k < 3; k++)
        rgb[k] = m->unit[p[k]] * a + 0.5f * (1 - a);
}

/* The local colour models on the cell grid: per cell, the box mean of the old background's colour (the
 * photo where alpha < BG_ALPHA), of the new one's (the output where alpha < NEW_ALPHA) and of the subject's
 * (the photo where alpha > SURE_ALPHA), BANDS bands: weight_old, rgb_old x weight, weight_new, rgb_new x
 * weight, weight_subject, rgb_subject x weight. */
static sb_err models(const out_map_t *om, const sb_image_t *photo, const sb_fimage_t *alpha, float *grid,
                     float *wide, int gw, int gh, sb_error_t *e)
{
    int w = alpha->width, h = alpha->height;
    /* A cell at a time, its sums in registers: the same additions in the same order (its rows top down,
     * each left to right) as adding each pixel into the grid in scan order. */
    for (int cy = 0; cy < gh; cy++) {
        int y1 = cy * CELL + CELL < h ? cy * CELL + CELL : h;
        for (int cx = 0; cx < gw; cx++) {
            int x1 = cx * CELL + CELL < w ? cx * CELL + CELL : w;
            /* weight and rgb sums: the old background, the new one, the subject */
            float ow = 0, o[3] = {0}, nw = 0, nb[3] = {0}, sw = 0, sub[3] = {0};
            for (int y = cy * CELL; y < y1; y++)
                for (int x = cx * CELL; x < x1; x++) {
                    float a = alpha->data[(size_t)y * w + x];
                    const uint8_t *p = photo->data + ((size_t)y * w + x) * photo->bands;
                    if (a < BG_ALPHA) {
                        ow += 1;
                        for (int k = 0; k < 3; k++)
                            o[k] += om->unit[p[k]];
                    } else if (a > SURE_ALPHA) {
                        sw += 1;
                        for (int k = 0; k < 3; k++)
                            sub[k] += om->unit[p[k]];
                    }
                    if (a < NEW_ALPHA) {
                        float rgb[3];
                        out_rgb(om, x, y, rgb);
                        nw += 1;
                        for (int k = 0; k < 3; k++)
                            nb[k] += rgb[k];
                    }
                }
            float *g = grid + ((size_t)cy * gw + cx) * BANDS;
            g[0] = ow, g[4] = nw, g[8] = sw;
            for (int k = 0; k < 3; k++)
                g[1 + k] = o[k], g[5 + k] = nb[k], g[9 + k] = sub[k];
        }
    }
    int short_side = w < h ? w : h, r = (int)(MODEL_FRAC * short_side / CELL), rw = (int)(WIDE_FRAC * short_side / CELL);
    sb_err err = sb_box_mean(grid, wide, gw, gh, BANDS, rw < 1 ? 1 : rw, e);
    return err ? err : sb_box_mean(grid, grid, gw, gh, BANDS, r < 1 ? 1 : r, e);
}

/* How far the output at a soft-band pixel is pulled from the new background toward the old one (0..1),
 * by the cell's local models `g` or, where they hold too little background, the wide ones `wg`; 0 where
 * both are missing or the two backgrounds look alike. */
static float pull(const float *g, const float *wg, const float rgb[3])
{
    float cells = CELL * CELL;
    if (g[0] < MIN_WEIGHT * cells || g[4] < MIN_WEIGHT * cells)
        g = wg;
    if (g[0] < MIN_WEIGHT_WIDE * cells || g[4] < MIN_WEIGHT_WIDE * cells)
        return 0;
    float v[3], d[3], vv = 0, dv = 0;
    for (int k = 0; k < 3; k++) {
        float old = g[1 + k] / g[0], now = g[5 + k] / g[4];
        v[k] = old - now, d[k] = rgb[k] - now;
        vv += v[k] * v[k], dv += d[k] * v[k];
    }
    if (vv < MIN_CONTRAST * MIN_CONTRAST)
        return 0;
    float t = dv / vv, seen = sqrtf(vv) / FULL_CONTRAST;
    return (t < 0 ? 0 : t > 1 ? 1 : t) * (seen > 1 ? 1 : seen);
}

/* How much the delivered colour `rgb` of an opaque pixel of the hair zone is the old background's, by the
 * cell's local models `g` (or the wide ones `wg`): the old background's visibility on the new one (0..1)
 * where it lies on the old background's side of the line to the subject's colour, 0 elsewhere. */
static float wall(const float *g, const float *wg, const float rgb[3])
{
    float cells = CELL * CELL;
    if (g[0] < MIN_WEIGHT * cells || g[4] < MIN_WEIGHT * cells || g[8] < MIN_WEIGHT * cells)
        g = wg;
    if (g[0] < MIN_WEIGHT_WIDE * cells || g[4] < MIN_WEIGHT_WIDE * cells || g[8] < MIN_WEIGHT_WIDE * cells)
        return 0;
    float v[3], d[3], o[3], vv = 0, dv = 0, oo = 0, res = 0;
    for (int k = 0; k < 3; k++) {
        float old = g[1 + k] / g[0];
        v[k] = g[9 + k] / g[8] - old, d[k] = rgb[k] - old, o[k] = old - g[5 + k] / g[4];
        vv += v[k] * v[k], dv += d[k] * v[k], oo += o[k] * o[k];
    }
    if (vv < WALL_CONTRAST * WALL_CONTRAST || oo < MIN_CONTRAST * MIN_CONTRAST)
        return 0;
    float t = dv / vv;
    if (t >= WALL_T || t < -WALL_BEYOND || (t < 0 && d[0] + d[1] + d[2] < 0))
        return 0;
    for (int k = 0; k < 3; k++)
        res += (d[k] - t * v[k]) * (d[k] - t * v[k]);
    float seen = sqrtf(oo) / FULL_CONTRAST;
    return res < WALL_RESIDUAL * WALL_RESIDUAL ? (seen > 1 ? 1 : seen) : 0;
}

/* The length of the subject's outline in pixels: those at alpha >= 0.5 with a 4-neighbour under 0.5. */
static size_t contour(const sb_fimage_t *alpha)
{
    int w = alpha->width, h = alpha->height;
    size_t n = 0;
    for (int y = 1; y < h - 1; y++)
        for (int x = 1; x < w - 1; x++) {
            const float *a = alpha->data + (size_t)y * w + x;
            /* Bitwise, not short-circuit: the same count without a branch per neighbour. */
            n += (a[0] >= 0.5f) & ((a[-1] < 0.5f) | (a[1] < 0.5f) | (a[-w] < 0.5f) | (a[w] < 0.5f));
        }
    return n;
}

/* The share of the frame in holes: parts of alpha < 0.5 that do not reach the frame's border (enclosed by
 * the subject) and cover at least HOLE_MIN of it (the gaps between strands of hair are smaller). */
static sb_err holes(const sb_fimage_t *alpha, float *share, sb_error_t *e)
{
    int w = alpha->width, h = alpha->height;
    size_t n = (size_t)w * h, sum = 0;
    sb_parts_t parts = {0};
    uint8_t *open = malloc(n);
    sb_err err = open ? SB_OK : sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the holes check");
    for (size_t i = 0; !err && i < n; i++)
        open[i] = alpha->data[i] < 0.5f;
    if (!err)
        err = sb_parts_label(w, h, open, &parts, e);
    free(open);
    uint8_t *border = err ? NULL : calloc((size_t)parts.count + 1, 1);
    if (!err && !border)
        err = sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the holes check");
    for (int x = 0; !err && x < w; x++)
        border[parts.label[x]] = border[parts.label[(size_t)(h - 1) * w + x]] = 1;
    for (int y = 0; !err && y < h; y++)
        border[parts.label[(size_t)y * w]] = border[parts.label[(size_t)y * w + w - 1]] = 1;
    for (int id = 1; !err && id <= parts.count; id++)
        if (!border[id] && (double)parts.area[id - 1] >= HOLE_MIN * (double)n)
            sum += parts.area[id - 1];
    *share = (float)((double)sum / (double)n);
    free(border);
    sb_parts_free(&parts);
    return err;
}

sb_err sb_cutout_halo(const sb_image_t *out, const sb_image_t *photo, const sb_fimage_t *alpha, const sb_face_t *face,
                      float *halo, float *hole, float *wall_share, sb_error_t *e)
{
    *halo = 0, *hole = 0, *wall_share = 0;
    int w = alpha->width, h = alpha->height;
    if (!photo || photo->width != w || photo->height != h || photo->bands < 3)
        return sb_error_set(e, SB_ERR_USAGE, "image", "the halo check needs the photo at the matte's size");
    int gw = (w + CELL - 1) / CELL, gh = (h + CELL - 1) / CELL;
    size_t cells = (size_t)gw * gh * BANDS;
    float *grid = calloc(cells * 2, sizeof *grid);
    if (!grid)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the halo check");
    out_map_t om;
    sb_err err = out_map_init(&om, out, w, h, e);
    if (err) {
        free(grid);
        return err;
    }
    err = models(&om, photo, alpha, grid, grid + cells, gw, gh, e);
    double sum = 0, walls = 0;
    float chin = face ? sb_matte_chin_line(face) : 0;
    int zh = face ? (int)ceilf(chin) : 0;
    zh = zh < 0 ? 0 : zh > h ? h : zh;
    float *seen = zh ? calloc((size_t)w * zh, sizeof *seen) : NULL;
    uint8_t *gap = zh ? calloc((size_t)w * zh, 1) : NULL;
    if (!err && zh && (!seen || !gap))
        err = sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the halo check");
    for (int y = 0; !err && y < h; y++)
        for (int x = 0; x < w; x++) {
            float a = alpha->data[(size_t)y * w + x], rgb[3];
            /* The hair zone ends above row zh (the chin line), as sb_matte_hair_zone would answer. */
            int opaque = a > SURE_ALPHA && y < zh && sb_matte_hair_zone(face, chin, x, y);
            if (a < BG_ALPHA || (a > SURE_ALPHA && !opaque))
                continue;
            out_rgb(&om, x, y, rgb);
            size_t c = ((size_t)(y / CELL) * gw + x / CELL) * BANDS, i = (size_t)y * w + x;
            if (opaque)
                gap[i] = (seen[i] = wall(grid + c, grid + cells + c, rgb)) > 0;
            else
                sum += pull(grid + c, grid + cells + c, rgb);
        }
    /* The wall between strands, not skin continuing the face's. */
    if (!err && zh && !(err = sb_matte_hair_gaps(gap, w, zh, face, e)))
        for (size_t i = 0; i < (size_t)w * zh; i++)
            walls += gap[i] ? seen[i] : 0;
    *wall_share = (float)(walls / ((double)w * h));
    free(seen), free(gap);
    free(grid);
    free(om.ox);
    if (!err)
        err = holes(alpha, hole, e);
    size_t edge = contour(alpha);
    *halo = (float)(sum / (double)(edge ? edge : 1) / (double)(w < h ? w : h));
    return err;
}
