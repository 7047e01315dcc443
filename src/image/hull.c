/* hull.c - the convex hull of integer points (see hull.h). */
#include "image/hull.h"

#include <stdlib.h>

static int point_cmp(const void *a, const void *b)
{
    const sb_point_t *p = a, *q = b;
    return p->x != q->x ? (p->x > q->x) - (p->x < q->x) : (p->y > q->y) - (p->y < q->y);
}

/* Twice the signed area of the triangle o, a, b: > 0 when o -> a -> b turns one way, < 0 the other. */
static long cross(sb_point_t o, sb_point_t a, sb_point_t b)
{
    return (long)(a.x - o.x) * (b.y - o.y) - (long)(a.y - o.y) * (b.x - o.x);
}

int sb_convex_hull(sb_point_t *p, int n, sb_point_t *hull)
{
    int k = 0;
    qsort(p, (size_t)n, sizeof *p, point_cmp);
    for (int i = 0; i < n; i++) {
        while (k >= 2 && cross(hull[k - 2], hull[k - 1], p[i]) <= 0)
            k--;
        hull[k++] = p[i];
    }
    for (int i = n - 2, t = k + 1; i >= 0; i--) {
        while (k >= t && cross(hull[k - 2], hull[k - 1], p[i]) <= 0)
            k--;
        hull[k++] = p[i];
    }
    return k;
}
