/* photo_frame.c - the photo inside a flat border: flat outer lines, then a straight step on every side
 * that has one. */
#include "vision/photo_frame.h"

#include <stdlib.h>

/* A pixel belongs to the border's colour when no channel differs from it by more than this (JPEG noise
 * on a flat colour stays well under it). */
#define FLAT_TOL 12
/* A line is flat when at most this share of its pixels leaves the border's colour. */
#define FLAT_SHARE_OUT 0.02f
/* A pixel steps away from the border when a channel differs by more than this. */
#define STEP_DIFF 31
/* The straight edge: the share of a line stepping away, within a few lines of the first line that is
 * not flat, at least this, */
#define STEP_SHARE_MIN 0.25f
/* and at least this part of the share some lines further in (a subject's outline grows line by line; a
 * photo's edge is whole at once). */
#define STEP_WHOLE 0.8f
/* Lines past the first line that is not flat in which the step must be whole (JPEG blurs it over two). */
#define STEP_LINES 3
/* A border is at most this share of the image across it. */
#define DEPTH_MAX 0.4f

enum { TOP, BOTTOM, LEFT, RIGHT, SIDES };

/* Length of a line of `side` (a row for top and bottom, a column for left and right). */
static int line_len(const sb_image_t *img, int side)
{
    return side == TOP || side == BOTTOM ? img->width : img->height;
}

/* How many lines `side` has (the image across it). */
static int line_count(const sb_image_t *img, int side)
{
    return side == TOP || side == BOTTOM ? img->height : img->width;
}

/* The pixel at position t along the line `depth` lines in from `side`. */
static const uint8_t *pixel(const sb_image_t *img, int side, int depth, int t)
{
    int x, y;
    switch (side) {
    case TOP: x = t, y = depth; break;
    case BOTTOM: x = t, y = img->height - 1 - depth; break;
    case LEFT: x = depth, y = t; break;
    default: x = img->width - 1 - depth, y = t; break;
    }
    return img->data + ((size_t)y * img->width + x) * img->bands;
}

static int channel_diff(const uint8_t *p, const uint8_t c[3])
{
    int d = 0;
    for (int k = 0; k < 3; k++) {
        int v = abs(p[k] - c[k]);
        d = v > d ? v : d;
    }
    return d;
}

/* The share of the line `depth` in from `side` whose pixels differ from `c` by more than `diff`. */
static float share_off(const sb_image_t *img, int side, int depth, const uint8_t c[3], int diff)
{
    int n = line_len(img, side), off = 0;
    for (int t = 0; t < n; t++)
        off += channel_diff(pixel(img, side, depth, t), c) > diff;
    return (float)off / (float)n;
}

/* The per-channel median of the outermost line of `side`. */
static void outer_colour(const sb_image_t *img, int side, uint8_t c[3])
{
    int n = line_len(img, side);
    for (int k = 0; k < 3; k++) {
        int hist[256] = {0}, seen = 0, v = 0;
        for (int t = 0; t < n; t++)
            hist[pixel(img, side, 0, t)[k]]++;
        while (v < 255 && (seen += hist[v]) * 2 < n)
            v++;
        c[k] = (uint8_t)v;
    }
}

/* The depth of the border on `side` (lines to trim: the flat ones and the step's blur, up to the first
 * line where the step is whole), 0 when the side has none; its colour in c. */
static int side_border(const sb_image_t *img, int side, uint8_t c[3])
{
    int lines = line_count(img, side), cap = (int)(DEPTH_MAX * (float)lines);
    int reach = 2 + line_len(img, side) / 100; /* how much further in the step is compared */
    outer_colour(img, side, c);
    int d = 0;
    while (d < cap && share_off(img, side, d, c, FLAT_TOL) <= FLAT_SHARE_OUT)
        d++;
    if (d < 2 || d >= cap || d + STEP_LINES + reach >= lines)
        return 0;
    float share[STEP_LINES], near = 0;
    for (int k = 0; k < STEP_LINES; k++) {
        share[k] = share_off(img, side, d + k, c, STEP_DIFF);
        near = share[k] > near ? share[k] : near;
    }
    float far = share_off(img, side, d + STEP_LINES + reach, c, STEP_DIFF);
    if (near < STEP_SHARE_MIN || near < STEP_WHOLE * far)
        return 0;
    int k = 0; /* the first line where the step is whole: the picture starts there */
    while (share[k] < STEP_WHOLE * near)
        k++;
    return d + k;
}

int sb_photo_frame_find(const sb_image_t *img, int min_side, int inner[4])
{
    inner[0] = inner[1] = 0;
    inner[2] = img ? img->width : 0, inner[3] = img ? img->height : 0;
    if (!img || !img->data || img->bands < 3 || img->width < 8 || img->height < 8)
        return 0;
    int depth[SIDES];
    uint8_t colour[SIDES][3];
    for (int s = 0; s < SIDES; s++)
        depth[s] = side_border(img, s, colour[s]);
    /* The bordered sides that share the colour of the most others. */
    int best = -1, best_n = 0;
    for (int s = 0; s < SIDES; s++) {
        int n = 0;
        for (int o = 0; o < SIDES && depth[s]; o++)
            n += depth[o] && channel_diff(colour[o], colour[s]) <= 2 * FLAT_TOL;
        if (n > best_n)
            best = s, best_n = n;
    }
    if (best_n < 2)
        return 0;
    int r[4] = {0, 0, img->width, img->height};
    for (int s = 0; s < SIDES; s++) {
        if (!depth[s] || channel_diff(colour[s], colour[best]) > 2 * FLAT_TOL)
            continue;
        if (s == TOP)
            r[1] = depth[s];
        else if (s == BOTTOM)
            r[3] = img->height - depth[s];
        else if (s == LEFT)
            r[0] = depth[s];
        else
            r[2] = img->width - depth[s];
    }
    if (r[2] - r[0] < min_side || r[3] - r[1] < min_side)
        return 0;
    for (int k = 0; k < 4; k++)
        inner[k] = r[k];
    return 1;
}
