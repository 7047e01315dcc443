/* fill.c - push-pull hole filling (see fill.h). */
#include "image/fill.h"

#include <math.h>
#include <stdlib.h>

#define MAX_LEVELS 32

typedef struct {
    int w, h;
    float *p; /* 4 bands: colour x weight (3), weight */
} level_t;

/* Push: each coarser level sums its 2 x 2 children, weights saturating at 1 (fully known). */
static void push(const level_t *fine, level_t *coarse)
{
    for (int y = 0; y < coarse->h; y++)
        for (int x = 0; x < coarse->w; x++) {
            float acc[4] = {0};
            for (int dy = 0; dy < 2; dy++)
                for (int dx = 0; dx < 2; dx++) {
                    int fx = 2 * x + dx, fy = 2 * y + dy;
                    if (fx < fine->w && fy < fine->h)
                        for (int b = 0; b < 4; b++)
                            acc[b] += fine->p[((size_t)fy * fine->w + fx) * 4 + b];
                }
            float norm = acc[3] > 1 ? 1 / acc[3] : 1;
            float *o = coarse->p + ((size_t)y * coarse->w + x) * 4;
            for (int b = 0; b < 4; b++)
                o[b] = acc[b] * norm;
        }
}

/* Pull: known colour where the weight says so, the filled coarser level (bilinear) for the rest. On
 * return `fine` holds filled colour with weight 1. */
static void pull(level_t *fine, const level_t *coarse)
{
    for (int y = 0; y < fine->h; y++) {
        float fy = fminf(fmaxf((y + 0.5f) / 2 - 0.5f, 0), (float)coarse->h - 1);
        int y0 = (int)fy, y1 = y0 + 1 < coarse->h ? y0 + 1 : y0;
        for (int x = 0; x < fine->w; x++) {
            float fx = fminf(fmaxf((x + 0.5f) / 2 - 0.5f, 0), (float)coarse->w - 1);
            int x0 = (int)fx, x1 = x0 + 1 < coarse->w ? x0 + 1 : x0;
            float *o = fine->p + ((size_t)y * fine->w + x) * 4, miss = 1 - o[3];
            const float *r0 = coarse->p + (size_t)y0 * coarse->w * 4, *r1 = coarse->p + (size_t)y1 * coarse->w * 4;
            const float *a = r0 + x0 * 4, *b = r0 + x1 * 4, *c = r1 + x0 * 4, *d = r1 + x1 * 4;
            float tx = fx - x0, ty = fy - y0;
            for (int k = 0; k < 3; k++) {
                float top = a[k] + (b[k] - a[k]) * tx, bottom = c[k] + (d[k] - c[k]) * tx;
                o[k] += miss * (top + (bottom - top) * ty);
            }
            o[3] = 1;
        }
    }
}

/* Fill levels[0] by push-pull through the n levels. */
static void fill(level_t *levels, int n)
{
    for (int i = 1; i < n; i++)
        push(&levels[i - 1], &levels[i]);
    level_t *top = &levels[n - 1];
    for (size_t i = 0; i < (size_t)top->w * top->h; i++) {
        float *o = top->p + i * 4;
        for (int k = 0; k < 3; k++)
            o[k] /= o[3];
        o[3] = 1;
    }
    for (int i = n - 2; i >= 0; i--)
        pull(&levels[i], &levels[i + 1]);
}

sb_err sb_fill_pushpull(float *grid, int w, int h, sb_error_t *e)
{
    level_t levels[MAX_LEVELS];
    int n = 0;
    size_t cells = 0;
    for (int lw = w, lh = h;; lw = (lw + 1) / 2, lh = (lh + 1) / 2) {
        levels[n++] = (level_t){lw, lh, NULL};
        if (n > 1)
            cells += (size_t)lw * lh;
        if ((lw == 1 && lh == 1) || n == MAX_LEVELS)
            break;
    }
    float *pyr = cells ? malloc(cells * 4 * sizeof *pyr) : NULL;
    if (cells && !pyr)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for a push-pull fill");
    levels[0].p = grid;
    for (size_t i = 1, off = 0; i < (size_t)n; off += (size_t)levels[i].w * levels[i].h * 4, i++)
        levels[i].p = pyr + off;
    fill(levels, n);
    free(pyr);
    return SB_OK;
}
