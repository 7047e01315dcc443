/* matte_ragged.c - a nearly convex product's shallow bites along its straight sides, measured (see
 * matte_ragged.h). */
#include "vision/matte_ragged.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "image/hull.h"
#include "vision/regions.h"

/* The convex hull (sb_convex_hull) of the outer corners of each row's first and last pixel of
 * alpha >= 0.5 in box `b`, into `hull` (room for 4 a row + 1): k vertices, the first repeated last. */
static int hull_of(const sb_fimage_t *alpha, const int b[4], sb_point_t *p, sb_point_t *hull)
{
    int n = 0, W = alpha->width;
    for (int y = b[1]; y < b[3]; y++) {
        const float *row = alpha->data + (size_t)y * W;
        int x0 = b[0], x1 = b[2] - 1;
        while (x0 <= x1 && row[x0] < 0.5f)
            x0++;
        while (x1 > x0 && row[x1] < 0.5f)
            x1--;
        if (x0 > x1)
            continue;
        p[n++] = (sb_point_t){x0, y}, p[n++] = (sb_point_t){x0, y + 1};
        p[n++] = (sb_point_t){x1 + 1, y}, p[n++] = (sb_point_t){x1 + 1, y + 1};
    }
    return sb_convex_hull(p, n, hull);
}

/* The distance of (x, y) inside the hull's nearest edge line (negative outside); `len` holds each edge's
 * length signed by the hull's orientation. */
static double inside(const sb_point_t *hull, const double *len, int k, double x, double y)
{
    double d = INFINITY;
    for (int i = 0; i + 1 < k; i++) {
        sb_point_t u = hull[i], v = hull[i + 1];
        double c = ((v.x - u.x) * (y - u.y) - (double)(v.y - u.y) * (x - u.x)) / len[i];
        d = c < d ? c : d;
    }
    return d;
}

sb_err sb_matte_ragged(const sb_fimage_t *alpha, float *share, sb_error_t *e)
{
    *share = 0;
    int b[4];
    long area = (long)sb_fimage_box(alpha, b);
    if (!area)
        return SB_OK;
    int w = b[2] - b[0], h = b[3] - b[1];
    sb_point_t *p = malloc(sizeof *p * (size_t)h * 4), *hull = malloc(sizeof *hull * ((size_t)h * 4 + 1));
    double *len = malloc(sizeof *len * ((size_t)h * 4 + 1));
    uint8_t *bin = calloc((size_t)w * h, 1);
    sb_regions_t parts = {0};
    double *depth = NULL;
    uint8_t *edge = NULL;
    sb_err err = SB_OK;
    if (!p || !hull || !len || !bin) {
        err = sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for a product mask's hull");
        goto done;
    }
    int k = hull_of(alpha, b, p, hull);
    double ha = 0;
    for (int i = 0; i + 1 < k; i++)
        ha += ((double)hull[i].x * hull[i + 1].y - (double)hull[i].y * hull[i + 1].x) / 2;
    if (ha == 0 || area < SB_RAGGED_SOLIDITY * fabs(ha))
        goto done;
    for (int i = 0; i + 1 < k; i++)
        len[i] = hypot(hull[i + 1].x - hull[i].x, hull[i + 1].y - hull[i].y) * (ha < 0 ? -1 : 1);
    /* The hull's pixels outside the mask: on each row the hull is one span, between the edges crossing the
     * line through the row's pixel centres. */
    for (int y = 0; y < h; y++) {
        const float *row = alpha->data + (size_t)(b[1] + y) * alpha->width + b[0];
        double yc = b[1] + y + 0.5, xl = INFINITY, xr = -INFINITY;
        for (int i = 0; i + 1 < k; i++) {
            sb_point_t u = hull[i], v = hull[i + 1];
            if ((u.y <= yc) == (v.y <= yc))
                continue;
            double x = u.x + (v.x - u.x) * (yc - u.y) / (v.y - u.y);
            xl = x < xl ? x : xl, xr = x > xr ? x : xr;
        }
        for (int x = 0; x < w; x++) {
            double xc = b[0] + x + 0.5;
            bin[(size_t)y * w + x] = row[x] < 0.5f && xc > xl && xc < xr;
        }
    }
    err = sb_regions_find(bin, w, h, &parts, e);
    if (err)
        goto done;
    depth = calloc((size_t)parts.n + 1, sizeof *depth);
    edge = calloc((size_t)parts.n + 1, 1);
    if (!depth || !edge) {
        err = sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for a product mask's hull");
        goto done;
    }
    int side = w < h ? w : h;
    double lo = SB_RAGGED_DEPTH_MIN * side, hi = SB_RAGGED_DEPTH_MAX * side;
    lo = lo < SB_RAGGED_DEPTH_MIN_PX ? SB_RAGGED_DEPTH_MIN_PX : lo;
    for (int r = 0; r < parts.n_runs; r++) {
        const sb_region_run_t *run = &parts.run[r];
        for (int x = run->x0; x < run->x1 && depth[run->part] <= hi; x++) {
            double d = inside(hull, len, k, b[0] + x + 0.5, b[1] + run->y + 0.5);
            depth[run->part] = d > depth[run->part] ? d : depth[run->part];
            edge[run->part] |= d < 1;
        }
    }
    long bites = 0;
    for (int q = 0; q < parts.n; q++)
        if (edge[q] && depth[q] >= lo && depth[q] <= hi &&
            (double)parts.part[q].area >= SB_RAGGED_THIN * depth[q] * depth[q])
            bites += (long)parts.part[q].area;
    *share = (float)((double)bites / (double)area);
done:
    sb_regions_free(&parts);
    free(p), free(hull), free(len), free(bin), free(depth), free(edge);
    return err;
}
