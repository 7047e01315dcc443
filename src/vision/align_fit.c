/* align_fit.c - the smallest change to a framing that keeps the photo's border away from the person. */
#include "vision/align_fit.h"

#include <math.h>
#include <string.h>

const sb_fit_limits_t SB_FIT_HEADSHOT = {.face_frac_max = 0.50f, .shift_x = 0.08f, .shift_up = 0.06f,
                                         .shift_down = 0.08f, .head = 1};
const sb_fit_limits_t SB_FIT_CLOSEUP = {.face_frac_max = 0.70f, .shift_x = 0.12f, .shift_up = 0.12f,
                                        .shift_down = 0.12f, .head = 1};

/* Head box around the eye midpoint, in face widths: hair above, ears and hair at the sides. */
#define HEAD_ABOVE 0.95f
#define HEAD_SIDE 0.62f

static int inside(const double m[6], double x, double y, int sw, int sh)
{
    sb_point_t p = sb_align_unmap(m, (sb_point_t){(float)x, (float)y});
    return p.x >= -0.5f && p.y >= -0.5f && p.x <= sw + 0.5f && p.y <= sh + 0.5f;
}

static int fits(const double m[6], const sb_framing_t *f, float ex, const sb_fit_limits_t *limits, int sw, int sh,
                int w, int h)
{
    const double probes[6][2] = {{0, h}, {w, h}, {0, h * 0.6}, {w, h * 0.6}, {0, 0}, {w, 0}};
    int head = limits->head;
    for (int i = 0; i < (limits->whole ? 6 : 4); i++)
        if (!inside(m, probes[i][0], probes[i][1], sw, sh))
            return 0;
    double fw = f->face_frac * w, cx = ex * w, top = f->eye_y * h - HEAD_ABOVE * fw;
    /* A frame wholly on the photo must still hold the whole face: a face the photo cuts at its side
     * (fr_obama_partial_face2) cannot be framed that way. */
    if (limits->whole && (cx - 0.5 * fw < 0 || cx + 0.5 * fw > w))
        return 0;
    if (!head)
        return 1;
    double x0 = fmax(0, cx - HEAD_SIDE * fw), x1 = fmin(w, cx + HEAD_SIDE * fw), y0 = fmax(0, top);
    return inside(m, x0, y0, sw, sh) && inside(m, x1, y0, sw, sh);
}

/* Whether the frame's lower corners, which every position's test takes first (fits), lie further apart on
 * the photo than the photo is wide or high, with a pixel to spare: then no position at this zoom fits,
 * since a shift moves both corners alike. (Their unmapped coordinates are floats within a hundredth of a
 * pixel of the exact ones, so the spare pixel keeps the answer the test's own.) Big faces zoom through
 * every step of the search without a fit, 255 positions a step, twice with the bust's search. */
static int too_wide(const sb_align_zoom_t *zoom, int sw, int sh, int w, int h)
{
    double m[6];
    sb_align_face_at(zoom, 0.5f, h, m);
    sb_point_t a = sb_align_unmap(m, (sb_point_t){0, (float)h}), b = sb_align_unmap(m, (sb_point_t){(float)w, (float)h});
    return fabsf(b.x - a.x) > sw + 2 || fabsf(b.y - a.y) > sh + 2;
}

static int fit(const sb_face_t *face, const sb_framing_t *framing, const sb_fit_limits_t *limits, int src_width,
               int src_height, int width, int height, double m[6])
{
    sb_framing_t f = *framing;
    double best[6];
    for (;;) {
        /* At this zoom, the position closest to the one asked for that fits (steps of 1% of the side). The
         * positions differ only in the eye height and a shift: the zoom's turn and scale are taken once. */
        double best_cost = INFINITY;
        sb_align_zoom_t zoom;
        sb_align_face_zoom(face, f.face_frac, width, &zoom);
        int open = !too_wide(&zoom, src_width, src_height, width, height); /* else no position is tried */
        for (int iy = -(int)lrintf(limits->shift_up * 100); open && iy <= (int)lrintf(limits->shift_down * 100); iy++)
            for (int ix = -(int)lrintf(limits->shift_x * 100); ix <= (int)lrintf(limits->shift_x * 100); ix++) {
                double cost = (double)ix * ix + (double)iy * iy * 2; /* the eye height matters more */
                if (cost >= best_cost)
                    continue;
                sb_framing_t g = f;
                g.eye_y = framing->eye_y + iy / 100.0f;
                double t[6];
                sb_align_face_at(&zoom, g.eye_y, height, t);
                t[2] += ix / 100.0 * width;
                if (fits(t, &g, 0.5f + ix / 100.0f, limits, src_width, src_height, width, height)) {
                    best_cost = cost;
                    memcpy(best, t, sizeof best);
                }
            }
        if (best_cost < INFINITY) {
            memcpy(m, best, sizeof best);
            return 1;
        }
        if (f.face_frac >= limits->face_frac_max) {
            sb_align_face(face, &f, width, height, m);
            return 0;
        }
        f.face_frac = fminf(f.face_frac * 1.03f, limits->face_frac_max);
    }
}

int sb_align_face_fit(const sb_face_t *face, const sb_framing_t *framing, const sb_fit_limits_t *limits,
                      int src_width, int src_height, int width, int height, double m[6])
{
    if (fit(face, framing, limits, src_width, src_height, width, height, m))
        return 1;
    if (limits->head || limits->whole) {
        /* The head (or the whole frame) cannot be kept on the photo as well: keep the bust on it at least. */
        sb_fit_limits_t bust = *limits;
        bust.head = bust.whole = 0;
        fit(face, framing, &bust, src_width, src_height, width, height, m);
    }
    return 0;
}
