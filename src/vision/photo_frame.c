/* photo_frame.c - the photo inside a flat border: flat outer lines, then a straight step on every side
 * that has one. */
#include "vision/photo_frame.h"

#include "vision/flat_line.h"

/* A line is flat when at most this share of its pixels leaves the border's colour (flat_line.h). The
 * straight step: the share of a line stepping away from the border's colour, within a few lines of the
 * first line that is not flat, at least this (and whole at once: sb_flat_line_step). */
#define STEP_SHARE_MIN 0.25f
/* A border is at most this share of the image across it. */
#define DEPTH_MAX 0.4f

enum { TOP, BOTTOM, LEFT, RIGHT, SIDES };

static sb_line_axis side_axis(int side)
{
    return side == TOP || side == BOTTOM ? SB_LINE_ROW : SB_LINE_COL;
}

/* The index of the line `depth` lines in from `side`. */
static int line_at(const sb_image_t *img, int side, int depth)
{
    return side == TOP || side == LEFT ? depth : sb_flat_line_count(img, side_axis(side)) - 1 - depth;
}

/* The depth of the border on `side` (lines to trim: the flat ones and the step's blur, up to the first
 * line where the step is whole), 0 when the side has none; its colour in c. */
static int side_border(const sb_image_t *img, int side, uint8_t c[3])
{
    sb_line_axis axis = side_axis(side);
    int cap = (int)(DEPTH_MAX * (float)sb_flat_line_count(img, axis));
    sb_flat_line_colour(img, axis, line_at(img, side, 0), c);
    int d = 0;
    while (d < cap && sb_flat_line_share_off(img, axis, line_at(img, side, d), c, SB_FLAT_TOL) <= SB_FLAT_SHARE_OUT)
        d++;
    if (d < 2 || d >= cap)
        return 0;
    float share;
    int k = sb_flat_line_step(img, axis, line_at(img, side, d), side == TOP || side == LEFT ? 1 : -1, c,
                              SB_FLAT_STEP_DIFF, &share);
    if (k < 0 || share < STEP_SHARE_MIN)
        return 0;
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
            n += depth[o] && sb_flat_line_diff(colour[o], colour[s]) <= 2 * SB_FLAT_TOL;
        if (n > best_n)
            best = s, best_n = n;
    }
    if (best_n < 2)
        return 0;
    int r[4] = {0, 0, img->width, img->height};
    for (int s = 0; s < SIDES; s++) {
        if (!depth[s] || sb_flat_line_diff(colour[s], colour[best]) > 2 * SB_FLAT_TOL)
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
