/* test_hull.c - the convex hull of integer points (image/hull.c): drawn point sets with known hulls. */
#include <criterion/criterion.h>

#include "image/hull.h"

/* Whether `v` is one of the hull's k - 1 distinct vertices. */
static bool has_vertex(const sb_point_t *hull, int k, sb_point_t v)
{
    for (int i = 0; i + 1 < k; i++)
        if (hull[i].x == v.x && hull[i].y == v.y)
            return true;
    return false;
}

Test(hull, a_square_with_inner_and_edge_points_keeps_its_four_corners)
{
    sb_point_t p[] = {{5, 5}, {0, 0}, {10, 0}, {3, 7}, {10, 10}, {5, 0}, {0, 10}, {0, 4}, {10, 6}, {9, 1}};
    sb_point_t hull[sizeof p / sizeof *p + 1];
    int k = sb_convex_hull(p, (int)(sizeof p / sizeof *p), hull);
    cr_assert_eq(k, 5, "4 corners and the first again, got %d", k);
    cr_assert(hull[0].x == hull[k - 1].x && hull[0].y == hull[k - 1].y, "closed");
    sb_point_t corners[] = {{0, 0}, {10, 0}, {10, 10}, {0, 10}};
    for (int i = 0; i < 4; i++)
        cr_assert(has_vertex(hull, k, corners[i]), "corner %d,%d", corners[i].x, corners[i].y);
    /* Twice the signed area over the closed loop: the square's 100, whatever the orientation. */
    long area2 = 0;
    for (int i = 0; i + 1 < k; i++)
        area2 += (long)hull[i].x * hull[i + 1].y - (long)hull[i].y * hull[i + 1].x;
    cr_assert_eq(labs(area2), 200);
}

Test(hull, a_triangle_and_degenerate_sets)
{
    sb_point_t tri[] = {{0, 0}, {8, 0}, {4, 3}, {4, 1}, {2, 1}};
    sb_point_t hull[8];
    int k = sb_convex_hull(tri, 5, hull);
    cr_assert_eq(k, 4);
    cr_assert(has_vertex(hull, k, (sb_point_t){4, 3}) && !has_vertex(hull, k, (sb_point_t){4, 1}));
    sb_point_t one[] = {{3, 4}};
    cr_assert_eq(sb_convex_hull(one, 1, hull), 1);
    cr_assert(hull[0].x == 3 && hull[0].y == 4);
    cr_assert_eq(sb_convex_hull(one, 0, hull), 0);
}
