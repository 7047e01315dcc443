/* regions.c - connected parts (runs joined by union-find) and separable square dilation. */
#include "vision/regions.h"

#include <stdlib.h>
#include <string.h>

void sb_regions_free(sb_regions_t *r)
{
    if (!r)
        return;
    free(r->run);
    free(r->part);
    memset(r, 0, sizeof *r);
}

/* A run of set pixels x0..x1-1 on row y, and its union-find parent (an index into the runs). */
typedef struct {
    int y, x0, x1, parent;
} run_t;

static int find(run_t *runs, int i)
{
    while (runs[i].parent != i)
        i = runs[i].parent = runs[runs[i].parent].parent;
    return i;
}

static void unite(run_t *runs, int a, int b)
{
    a = find(runs, a), b = find(runs, b);
    if (a != b)
        runs[a > b ? a : b].parent = a < b ? a : b;
}

/* The runs of `bin`, row by row, joined (8-connected) to the overlapping runs of the row above: *out and
 * *n_out, malloc'd. Returns 0, or -1 out of memory. */
static int find_runs(const uint8_t *bin, int w, int h, run_t **out, int *n_out)
{
    int n = 0, cap = 0, prev = 0, prev_end = 0;
    run_t *runs = NULL;
    for (int y = 0; y < h; y++) {
        const uint8_t *row = bin + (size_t)y * w;
        int row_start = n;
        for (int x = 0; x < w;) {
            while (x < w && !row[x])
                x++;
            if (x == w)
                break;
            int x0 = x;
            while (x < w && row[x])
                x++;
            if (n == cap) {
                cap = cap ? cap * 2 : 256;
                run_t *grown = realloc(runs, (size_t)cap * sizeof *grown);
                if (!grown) {
                    free(runs);
                    return -1;
                }
                runs = grown;
            }
            runs[n] = (run_t){y, x0, x, n};
            /* the row above's runs touching x0 - 1 .. x (8-connected), in order */
            while (prev < prev_end && runs[prev].x1 < x0)
                prev++;
            for (int j = prev; j < prev_end && runs[j].x0 <= x; j++)
                unite(runs, n, j);
            n++;
        }
        prev = row_start, prev_end = n;
    }
    *out = runs, *n_out = n;
    return 0;
}

sb_err sb_regions_find(const uint8_t *bin, int w, int h, sb_regions_t *out, sb_error_t *e)
{
    memset(out, 0, sizeof *out);
    run_t *runs = NULL;
    int n_runs = 0;
    if (find_runs(bin, w, h, &runs, &n_runs))
        goto nomem;
    out->run = malloc((size_t)(n_runs ? n_runs : 1) * sizeof *out->run);
    out->part = malloc((size_t)(n_runs ? n_runs : 1) * sizeof *out->part);
    if (!out->run || !out->part)
        goto nomem;
    out->n_runs = n_runs;
    /* Roots come before the runs they hold (the smaller index wins), so one pass numbers the parts in
     * raster order of their first pixel. */
    for (int i = 0; i < n_runs; i++) {
        int root = find(runs, i);
        const run_t *r = &runs[i];
        sb_region_run_t *o = &out->run[i];
        *o = (sb_region_run_t){r->y, r->x0, r->x1, root == i ? out->n : out->run[root].part};
        if (root == i)
            out->part[out->n++] = (sb_region_t){0, {w, h, 0, 0}, 0, 0};
        sb_region_t *p = &out->part[o->part];
        size_t len = (size_t)(r->x1 - r->x0);
        p->area += len;
        p->cx += (double)len * (r->x0 + r->x1 - 1) / 2, p->cy += (double)len * r->y;
        p->box[0] = r->x0 < p->box[0] ? r->x0 : p->box[0], p->box[1] = r->y < p->box[1] ? r->y : p->box[1];
        p->box[2] = r->x1 > p->box[2] ? r->x1 : p->box[2], p->box[3] = r->y + 1 > p->box[3] ? r->y + 1 : p->box[3];
    }
    for (int i = 0; i < out->n; i++)
        out->part[i].cx /= (double)out->part[i].area, out->part[i].cy /= (double)out->part[i].area;
    free(runs);
    return SB_OK;
nomem:
    free(runs);
    sb_regions_free(out);
    return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for a mask's connected parts");
}

void sb_regions_paint(const sb_regions_t *r, double min_area, uint8_t *bin, int w, int h)
{
    memset(bin, 0, (size_t)w * h);
    for (int i = 0; i < r->n_runs; i++) {
        const sb_region_run_t *run = &r->run[i];
        if ((double)r->part[run->part].area >= min_area)
            memset(bin + (size_t)run->y * w + run->x0, 1, (size_t)(run->x1 - run->x0));
    }
}

/* One row of w values: every value within r of a set one set to 1, the rest left 0. Each run of set
 * values is grown by r each way; a grown run is written once the next run's growth no longer reaches it,
 * so only values already read are written (a product mask is a few runs a row: a few memsets). */
static void dilate_row(uint8_t *v, int w, int r)
{
    int x = 0, pa = 0, pb = 0; /* the pending grown run [pa, pb), empty at first */
    while (x < w) {
        while (x < w && !v[x])
            x++;
        if (x == w)
            break;
        int x0 = x;
        while (x < w && v[x])
            x++;
        int a = x0 - r > 0 ? x0 - r : 0, b = x + r < w ? x + r : w;
        if (pb > pa && a <= pb) {
            pb = b;
            continue;
        }
        memset(v + pa, 1, (size_t)(pb - pa));
        pa = a, pb = b;
    }
    memset(v + pa, 1, (size_t)(pb - pa));
}

sb_err sb_regions_dilate(uint8_t *bin, int w, int h, int r, sb_error_t *e)
{
    if (r <= 0)
        return SB_OK;
    for (int y = 0; y < h; y++)
        dilate_row(bin + (size_t)y * w, w, r);
    /* Columns, a row at a time: cnt[x] counts the set values of column x in rows y - r .. y + r; row y's
     * own values are kept in a ring of the last r + 1 rows (they leave the window r + 1 rows later). */
    int rc = r < h - 1 ? r : h - 1 > 0 ? h - 1 : 0, depth = rc + 1;
    uint32_t *cnt = calloc((size_t)w, sizeof *cnt);
    uint8_t *ring = malloc((size_t)w * depth);
    if (!cnt || !ring) {
        free(cnt), free(ring);
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory to dilate a mask");
    }
    for (int y = 0; y < rc && y < h; y++)
        for (int x = 0; x < w; x++)
            cnt[x] += bin[(size_t)y * w + x];
    for (int y = 0; y < h; y++) {
        uint8_t *row = bin + (size_t)y * w, *old = ring + (size_t)(y % depth) * w;
        if (y + rc < h)
            for (int x = 0; x < w; x++)
                cnt[x] += row[(size_t)rc * w + x];
        if (y - rc - 1 >= 0)
            for (int x = 0; x < w; x++)
                cnt[x] -= old[x];
        memcpy(old, row, (size_t)w);
        for (int x = 0; x < w; x++)
            row[x] = cnt[x] != 0;
    }
    free(cnt), free(ring);
    return SB_OK;
}

sb_err sb_regions_erode(uint8_t *bin, int w, int h, int r, sb_error_t *e)
{
    size_t n = (size_t)w * h;
    for (size_t i = 0; i < n; i++)
        bin[i] = !bin[i];
    sb_err err = sb_regions_dilate(bin, w, h, r, e);
    for (size_t i = 0; i < n; i++)
        bin[i] = !bin[i];
    return err;
}
