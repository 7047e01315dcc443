/* hull.h - the convex hull of integer points (Andrew's monotone chain), for the product mask's hull
 * (vision/product_holes.c, vision/matte_ragged.c). Pure computation: any thread. */
#ifndef SB_IMAGE_HULL_H
#define SB_IMAGE_HULL_H

typedef struct {
    int x, y;
} sb_point_t;

/* The convex hull of the n points `p` (sorted in place by x, then y) into `hull` (room for n + 1 points):
 * returns its vertex count k, the first vertex repeated at k - 1, counter-clockwise in a y-down image
 * read as y-up; collinear points are dropped. n 0 gives 0; n 1 gives the point once. */
int sb_convex_hull(sb_point_t *p, int n, sb_point_t *hull);

#endif
