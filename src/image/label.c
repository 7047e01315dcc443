/* label.c - 8- or 4-connected parts of a mask from its runs: each row's runs of set pixels are joined (union-find)
 * to the runs of the row above that touch them, then the parts are numbered in the order of their first run. */
#include "image/label.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int y, x0, x1; /* row, first and last column (inclusive) */
} run_t;

static int root(int *up, int r)
{
    while (up[r] != r) {
        up[r] = up[up[r]];
        r = up[r];
    }
    return r;
}

/* Whether none / all of the 8 bytes at p are zero (p need not be aligned). */
static int eight_clear(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v == 0;
}

static int eight_set(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return !((v - 0x0101010101010101u) & ~v & 0x8080808080808080u); /* no zero byte */
}

static sb_err nomem(int *ids, int *up, run_t *runs, sb_error_t *e)
{
    free(ids), free(up), free(runs);
    return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for a mask's parts");
}

/* The parts, 8-connected when `diagonal`, else 4-connected. */
static sb_err label(int width, int height, const uint8_t *open, int diagonal, sb_parts_t *parts, sb_error_t *e)
{
    size_t n = (size_t)width * height;
    *parts = (sb_parts_t){0};
    parts->label = malloc((n ? n : 1) * sizeof *parts->label); /* every pixel written below */
    /* A row of w pixels holds at most (w + 1) / 2 runs. */
    size_t max_runs = (size_t)height * (((size_t)width + 1) / 2) + 1;
    run_t *runs = malloc(max_runs * sizeof *runs);
    int *up = malloc(max_runs * sizeof *up), *ids = malloc(max_runs * sizeof *ids);
    if (!parts->label || !runs || !up || !ids)
        return nomem(ids, up, runs, e);

    /* The runs, each joined to the runs of the row above that share a column with it, or (8-connected) lie
     * within one column of it. */
    const int d = diagonal ? 1 : 0;
    int count = 0, prev = 0, prev_end = 0; /* the row above's runs are [prev, prev_end) */
    for (int y = 0; y < height; y++) {
        const uint8_t *row = open + (size_t)y * width;
        int first = count, k = prev;
        for (int x = 0; x < width; x++) {
            if (!row[x]) {
                /* Clear stretches eight bytes at a step (the loop's x++ takes the last). */
                while (x + 8 < width && eight_clear(row + x + 1))
                    x += 8;
                continue;
            }
            int x0 = x;
            while (x + 8 < width && eight_set(row + x + 1))
                x += 8;
            while (x + 1 < width && row[x + 1])
                x++;
            runs[count] = (run_t){y, x0, x};
            up[count] = count;
            /* Runs above that end before x0 - d touch neither this run nor the next ones. */
            while (k < prev_end && runs[k].x1 < x0 - d)
                k++;
            for (int j = k; j < prev_end && runs[j].x0 <= x + d; j++) {
                int a = root(up, count), b = root(up, j);
                if (a != b)
                    up[a > b ? a : b] = a < b ? a : b; /* the earlier run is the root */
            }
            count++;
        }
        prev = first, prev_end = count;
    }

    /* Ids in the order of each part's first run, which is its first pixel in scan order: a part's root is
     * its earliest run, so a run's root has its id by the time the run is reached. */
    int cap = 0;
    size_t at = 0; /* the pixels before `at` are labelled; those up to the next run are in no part */
    for (int r = 0; r < count; r++) {
        int t = root(up, r), id;
        if (t == r) {
            if (parts->count == cap) {
                cap = cap ? cap * 2 : 64;
                size_t *grown = realloc(parts->area, (size_t)cap * sizeof *grown);
                if (!grown)
                    return nomem(ids, up, runs, e);
                parts->area = grown;
            }
            id = ++parts->count;
            parts->area[id - 1] = 0;
        } else {
            id = ids[t];
        }
        ids[r] = id;
        size_t start = (size_t)runs[r].y * width + runs[r].x0, len = (size_t)(runs[r].x1 - runs[r].x0 + 1);
        memset(parts->label + at, 0, (start - at) * sizeof *parts->label);
        for (size_t i = start; i < start + len; i++)
            parts->label[i] = id;
        at = start + len;
        parts->area[id - 1] += len;
    }
    memset(parts->label + at, 0, (n - at) * sizeof *parts->label);
    free(ids), free(up), free(runs);
    return SB_OK;
}

sb_err sb_parts_label(int width, int height, const uint8_t *mask, sb_parts_t *parts, sb_error_t *e)
{
    return label(width, height, mask, 1, parts, e);
}

sb_err sb_parts_label4(int width, int height, const uint8_t *mask, sb_parts_t *parts, sb_error_t *e)
{
    return label(width, height, mask, 0, parts, e);
}

void sb_parts_free(sb_parts_t *parts)
{
    if (!parts)
        return;
    free(parts->label);
    free(parts->area);
    *parts = (sb_parts_t){0};
}
