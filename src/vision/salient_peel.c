/* salient_peel.c - the net's strong part filled from around it (see salient_peel.h). */
#include "vision/salient_peel.h"

#include <math.h>
#include <stdlib.h>

#include "image/fill.h"

sb_err sb_salient_peel_image(const sb_image_t *small, const uint8_t *map, int n, sb_image_t *out, sb_error_t *e)
{
    *out = (sb_image_t){0};
    if (small->width != n || small->height != n || small->bands != 3)
        return sb_error_set(e, SB_ERR_INTERNAL, "", "peel: the net input and its map do not match");
    size_t np = (size_t)n * n;
    float *grid = malloc(np * 4 * sizeof *grid);
    uint8_t *hide = calloc(np, 1);
    sb_err err = grid && hide ? SB_OK : sb_error_set(e, SB_ERR_NOMEM, "", "out of memory to peel a net map");
    /* Hidden: the strong part grown by the ring (a square window: the ring is a few pixels). */
    for (int y = 0; !err && y < n; y++)
        for (int x = 0; x < n; x++) {
            if (map[(size_t)y * n + x] < SB_PEEL_STRONG)
                continue;
            for (int v = y - SB_PEEL_RING; v <= y + SB_PEEL_RING; v++)
                for (int u = x - SB_PEEL_RING; u <= x + SB_PEEL_RING; u++)
                    if (u >= 0 && v >= 0 && u < n && v < n)
                        hide[(size_t)v * n + u] = 1;
        }
    for (size_t i = 0; !err && i < np; i++) {
        float wt = hide[i] ? 0.0f : 1.0f;
        for (int c = 0; c < 3; c++)
            grid[i * 4 + c] = wt * small->data[i * 3 + c];
        grid[i * 4 + 3] = wt;
    }
    if (!err)
        err = sb_fill_pushpull(grid, n, n, e);
    if (!err)
        err = sb_image_alloc(out, n, n, 3, e);
    for (size_t i = 0; !err && i < np; i++)
        for (int c = 0; c < 3; c++) {
            float v = hide[i] ? fminf(255, fmaxf(0, grid[i * 4 + c])) : small->data[i * 3 + c];
            out->data[i * 3 + c] = (uint8_t)lrintf(v);
        }
    free(grid);
    free(hide);
    return err;
}
