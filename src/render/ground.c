/* ground.c - standing, seen from above or cut: how a placed product meets the ground (ground.h). */
#include "render/ground.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>

/* The base's depth over its half width above which the shot is read as seen from above (sin 37 degrees). */
#define GROUND_ABOVE_RATIO 0.6f
/* The lowest outline is followed while it stays within this share of the subject's height of the lowest point
 * and steps by at most GROUND_STEP of it from one column to the next (a larger step is another part's edge). */
#define GROUND_WINDOW 0.25f
#define GROUND_STEP 0.04f
/* The mean of 1 - sqrt(1 - u^2) over |u| < 1/2: an ellipse's mean depth below its lowest point over the middle
 * half of its width, in units of its vertical semi-axis. */
#define ELLIPSE_MID_SAG 0.0434f
/* A base line followed over less than this share of the subject's width, whose shorter side of the lowest point
 * is under GROUND_ARMS of its longer side, is not one object's base seen from above (measured 2026-12-07 at
 * 800x800: the flat lays of products/ span 0.62-0.98 with sides 0.71-0.92; sam_groceries' four bags 0.26 and
 * 0.46; the drawn pendant 0.25 and 0.95). */
#define GROUND_SPAN 0.4f
#define GROUND_ARMS 0.6f

const char *sb_ground_name(sb_ground_kind k)
{
    static const char *const names[] = {"none", "standing", "above", "cut"};
    return (unsigned)k < sizeof names / sizeof names[0] ? names[k] : "unknown";
}

/* Opaque pixels (alpha >= 0.5) of canvas row y within columns lx0..lx1 - 1 of the layer. */
static int row_count(const sb_fimage_t *a, int oy, int lx0, int lx1, int y)
{
    const float *row = a->data + (size_t)(y - oy) * a->width;
    int n = 0;
    for (int x = lx0; x < lx1; x++)
        n += row[x] >= 0.5f;
    return n;
}

sb_ground_t sb_ground_read(const sb_fimage_t *alpha, int ox, int oy, int width, int height)
{
    sb_ground_t g = {SB_GROUND_NONE, -1, INT_MAX, -1, -1, -1};
    int lx0 = ox < 0 ? -ox : 0, ly0 = oy < 0 ? -oy : 0;
    int lx1 = width - ox < alpha->width ? width - ox : alpha->width;
    int ly1 = height - oy < alpha->height ? height - oy : alpha->height;
    if (lx1 <= lx0 || ly1 <= ly0)
        return g;
    int n = lx1 - lx0, *low = malloc((size_t)n * sizeof *low);
    for (int i = 0; low && i < n; i++)
        low[i] = -1;
    for (int y = ly0; y < ly1; y++) {
        const float *row = alpha->data + (size_t)y * alpha->width;
        for (int x = lx0; x < lx1; x++)
            if (row[x] >= 0.5f) {
                if (g.y0 < 0)
                    g.y0 = y + oy;
                g.y1 = y + oy;
                g.x0 = x + ox < g.x0 ? x + ox : g.x0;
                g.x1 = x + ox > g.x1 ? x + ox : g.x1;
                if (low)
                    low[x - lx0] = y + oy;
            }
    }
    if (g.y1 < 0) {
        free(low);
        g.x0 = -1;
        return g;
    }
    g.base = g.y1 + 1;
    g.kind = g.y1 >= height - 1 ? SB_GROUND_CUT : SB_GROUND_STANDING;
    if (g.kind == SB_GROUND_CUT || !low) {
        free(low);
        return g;
    }
    /* The lowest point: the middle of the columns that reach the last row (or the one above it). */
    float H = (float)(g.y1 - g.y0 + 1);
    long sum = 0, cnt = 0;
    for (int i = 0; i < n; i++)
        if (low[i] >= g.y1 - 1)
            sum += i, cnt++;
    int c = (int)(sum / cnt), l = c, r = c, win = (int)(GROUND_WINDOW * H), step = (int)fmaxf(2, GROUND_STEP * H);
    while (l > 0 && low[l - 1] >= g.y1 - win && abs(low[l - 1] - low[l]) <= step)
        l--;
    while (r < n - 1 && low[r + 1] >= g.y1 - win && abs(low[r + 1] - low[r]) <= step)
        r++;
    /* One object's base seen from above spans most of its width (a disc, a lying phone) or rises alike on
     * both sides of a point (a pendant); a base line followed over a small part of a wide subject and further
     * on one side of its lowest point than on the other is a step between objects side by side, standing at
     * different depths: standing. */
    float arm_lo = (float)(c - l < r - c ? c - l : r - c), arm_hi = (float)(c - l < r - c ? r - c : c - l);
    if (r - l + 1 < GROUND_SPAN * (g.x1 - g.x0 + 1) && arm_lo < GROUND_ARMS * arm_hi) {
        free(low);
        return g;
    }
    float half = (float)(r - l + 1) / 2, mid = (float)(l + r) / 2, sag = 0;
    int m = 0;
    for (int i = l; i <= r; i++)
        if (fabsf((float)i - mid) < half / 2)
            sag += (float)(g.y1 - low[i]), m++;
    free(low);
    float depth = m ? sag / m / ELLIPSE_MID_SAG : 0;
    if (depth <= GROUND_ABOVE_RATIO * half)
        return g;
    /* Widening from the bottom: the widths 5%, 15% and 30% of the height above the lowest row. */
    int w05 = row_count(alpha, oy, lx0, lx1, g.y1 - (int)(0.05f * H));
    int w15 = row_count(alpha, oy, lx0, lx1, g.y1 - (int)(0.15f * H));
    int w30 = row_count(alpha, oy, lx0, lx1, g.y1 - (int)(0.30f * H));
    if (w05 <= w15 * 1.02f && w15 <= w30 * 1.02f)
        g.kind = SB_GROUND_ABOVE;
    return g;
}
