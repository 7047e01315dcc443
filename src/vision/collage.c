/* collage.c - the tile of a collage that holds a face: flat gutters with a picture's straight edge on
 * both sides, both ways or evenly spaced one way (see collage.h). */
#include "vision/collage.h"

#include <stdlib.h>

#include "vision/flat_line.h"

/* A gutter (or a margin) is at least BAND_MIN lines and at most BAND_MAX of the image across it. */
#define BAND_MIN 2
#define BAND_MAX 0.04f
/* The picture's edge along a gutter: the share of the line beside it stepping away from the gutter's
 * colour (sb_flat_line_step) at least this: the picture along most of it. A plain backdrop meeting a
 * subject or a hair top steps away along a small part of the line. */
#define STEP_SHARE_MIN 0.5f
/* ... a pixel stepping away when a channel is more than this off the gutter's colour: anything not the
 * gutter's (a frame's 31 misses the light grey backdrops of a grid on white). */
#define STEP_DIFF SB_FLAT_TOL
/* A tile is at least this share of the image across it (and CELL_MIN_PX). */
#define CELL_MIN 0.08f
#define CELL_MIN_PX 16
/* Tiles one way are evenly sized when the largest is at most this much larger than the smallest. */
#define EVEN_TOL 0.1f
/* The most cuts one way (gutters and margins). */
#define CUTS_MAX 32

typedef struct {
    int lo, hi; /* lines lo..hi-1 are gutter or margin, the step's blur included */
} cut_t;

typedef struct {
    cut_t cut[CUTS_MAX];
    int n;       /* cuts */
    int gutters; /* cuts with a tile on both sides */
    int even;    /* the tiles are evenly sized */
} axis_t;

/* The side of a band from line `first` outwards (dir): how many lines of blur to add to the band (0..2),
 * or -1 when no straight edge of picture meets it there. */
static int edge(const sb_image_t *img, sb_line_axis axis, int first, int dir, const uint8_t c[3])
{
    float share;
    int k = sb_flat_line_step(img, axis, first, dir, c, STEP_DIFF, &share);
    return k >= 0 && share >= STEP_SHARE_MIN ? k : -1;
}

/* A tile's least size across n lines. */
static int cell_lines(int n)
{
    int cell = (int)(CELL_MIN * (float)n);
    return cell > CELL_MIN_PX ? cell : CELL_MIN_PX;
}

/* Whether `axis` may hold a gutter: one of its lines with a tile's room on both sides is flat, looking at
 * one line in BAND_MIN there (a gutter is at least BAND_MIN flat lines, so it holds one of them). Most
 * photos have none either way and are told apart from a collage at about half the cost of its cuts. */
static int may_have_gutter(const sb_image_t *img, sb_line_axis axis)
{
    int n = sb_flat_line_count(img, axis), cell = cell_lines(n);
    uint8_t c[3];
    for (int i = cell; i < n - cell; i += BAND_MIN)
        if (sb_flat_line_is_flat(img, axis, i, c))
            return 1;
    return 0;
}

/* The gutters and margins of `axis` (lines of that axis: rows make horizontal gutters). */
static int find_cuts(const sb_image_t *img, sb_line_axis axis, axis_t *a)
{
    int n = sb_flat_line_count(img, axis), thick_max = (int)(BAND_MAX * (float)n), cell = cell_lines(n);
    a->n = a->gutters = a->even = 0;
    uint8_t *colour = malloc((size_t)n * 4);
    if (!colour)
        return -1;
    uint8_t *flat = colour + (size_t)n * 3;
    for (int i = 0; i < n; i++)
        flat[i] = (uint8_t)sb_flat_line_is_flat(img, axis, i, colour + (size_t)i * 3);
    for (int i = 0; i < n && a->n < CUTS_MAX;) {
        if (!flat[i]) {
            i++;
            continue;
        }
        int lo = i, hi = i + 1; /* a run of flat lines of one colour */
        while (hi < n && flat[hi] && sb_flat_line_diff(colour + (size_t)hi * 3, colour + (size_t)lo * 3) <= 2 * SB_FLAT_TOL)
            hi++;
        i = hi;
        const uint8_t *c = colour + (size_t)((lo + hi) / 2) * 3;
        if (hi - lo < BAND_MIN || hi - lo > thick_max || (lo < cell && n - hi < cell))
            continue;
        /* Each side with a tile's room beyond it meets a picture's straight edge; a side nearer the photo's
         * edge than that is a margin. */
        int k_lo = lo >= cell ? edge(img, axis, lo - 1, -1, c) : 0;
        int k_hi = n - hi >= cell ? edge(img, axis, hi, 1, c) : 0;
        if (k_lo < 0 || k_hi < 0)
            continue;
        a->gutters += lo >= cell && n - hi >= cell;
        a->cut[a->n++] = (cut_t){lo - k_lo, hi + k_hi};
    }
    free(colour);
    /* The tiles between the cuts: one under a tile's size is allowed only at the photo's edges (what is
     * left of a margin there). */
    int small = n, large = 0;
    for (int k = 0; k <= a->n; k++) {
        int from = k ? a->cut[k - 1].hi : 0, to = k < a->n ? a->cut[k].lo : n, size = to - from;
        if (size >= cell) {
            small = size < small ? size : small;
            large = size > large ? size : large;
        } else if (size > 0 && k && k < a->n) {
            a->n = a->gutters = 0; /* cuts too close together: no layout of tiles */
            return 0;
        }
    }
    a->even = a->gutters && (float)large <= (1 + EVEN_TOL) * (float)small;
    return 0;
}

/* The tile of `a` (n lines) holding coordinate v: [*from, *to), or 0 when v lies in a cut. */
static int tile_of(const axis_t *a, int n, float v, int *from, int *to)
{
    for (int k = 0; k <= a->n; k++) {
        int f = k ? a->cut[k - 1].hi : 0, t = k < a->n ? a->cut[k].lo : n;
        if (v >= (float)f && v < (float)t) {
            *from = f, *to = t;
            return 1;
        }
    }
    return 0;
}

int sb_collage_find_tile(const sb_image_t *img, float px, float py, int tile[4])
{
    tile[0] = tile[1] = 0;
    tile[2] = img ? img->width : 0, tile[3] = img ? img->height : 0;
    if (!img || !img->data || img->bands < 3 || img->width < 64 || img->height < 64)
        return 0;
    /* A collage has gutters one way at least (evenly sized tiles are cut by gutters). */
    if (!may_have_gutter(img, SB_LINE_ROW) && !may_have_gutter(img, SB_LINE_COL))
        return 0;
    axis_t rows, cols;
    if (find_cuts(img, SB_LINE_ROW, &rows) || find_cuts(img, SB_LINE_COL, &cols))
        return 0;
    if (!(rows.gutters && cols.gutters) && !rows.even && !cols.even)
        return 0;
    int r[4];
    if (!tile_of(&cols, img->width, px, &r[0], &r[2]) || !tile_of(&rows, img->height, py, &r[1], &r[3]))
        return 0;
    int cw = (int)(CELL_MIN * (float)img->width), ch = (int)(CELL_MIN * (float)img->height);
    if (r[2] - r[0] < cw || r[3] - r[1] < ch)
        return 0;
    for (int k = 0; k < 4; k++)
        tile[k] = r[k];
    return 1;
}
