/* matte_solid.c - an opaque subject's matte made solid inside: a chamfer distance from the background,
 * then alpha raised towards 1 with depth. */
#include "vision/matte_solid.h"

#include <stdlib.h>

/* Chamfer steps (3-4 metric, in thirds of a pixel): orthogonal and diagonal neighbours. */
#define STEP_ORTHO 3
#define STEP_DIAG 4

static int min2(int a, int b)
{
    return a < b ? a : b;
}

/* Two-pass chamfer distance (thirds of a pixel) of every pixel to the nearest pixel with `outside` set;
 * pixels beyond the image's edge are not background (a product cut by the photo's edge stays solid up
 * to it). */
static void chamfer(const uint8_t *outside, int w, int h, int *dist)
{
    const int far = (w + h) * STEP_DIAG;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            size_t i = (size_t)y * w + x;
            int d = outside[i] ? 0 : far;
            if (d && x > 0)
                d = min2(d, dist[i - 1] + STEP_ORTHO);
            if (d && y > 0) {
                d = min2(d, dist[i - w] + STEP_ORTHO);
                if (x > 0)
                    d = min2(d, dist[i - w - 1] + STEP_DIAG);
                if (x + 1 < w)
                    d = min2(d, dist[i - w + 1] + STEP_DIAG);
            }
            dist[i] = d;
        }
    for (int y = h - 1; y >= 0; y--)
        for (int x = w - 1; x >= 0; x--) {
            size_t i = (size_t)y * w + x;
            int d = dist[i];
            if (d && x + 1 < w)
                d = min2(d, dist[i + 1] + STEP_ORTHO);
            if (d && y + 1 < h) {
                d = min2(d, dist[i + w] + STEP_ORTHO);
                if (x + 1 < w)
                    d = min2(d, dist[i + w + 1] + STEP_DIAG);
                if (x > 0)
                    d = min2(d, dist[i + w - 1] + STEP_DIAG);
            }
            dist[i] = d;
        }
}

static float smooth_gain(float a)
{
    float t = (a - SB_SOLID_LOW) / (SB_SOLID_HIGH - SB_SOLID_LOW);
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    return t * t * (3 - 2 * t);
}

sb_err sb_matte_solidify(sb_fimage_t *alpha, float depth, float *changed, sb_error_t *e)
{
    if (changed)
        *changed = 0;
    if (!alpha || alpha->bands != 1 || !(depth > 0))
        return sb_error_set(e, SB_ERR_USAGE, "", "sb_matte_solidify needs a 1-band matte and a positive depth");
    /* The distance is measured on 2x2 blocks (a block is background when any of its pixels is): a quarter
     * of the work, and the depth is many pixels, so half a pixel's error does not show. */
    int w = alpha->width, h = alpha->height, hw = (w + 1) / 2, hh = (h + 1) / 2;
    size_t hn = (size_t)hw * hh, kept = 0, raised = 0;
    uint8_t *outside = calloc(hn ? hn : 1, 1);
    int *dist = malloc((hn ? hn : 1) * sizeof *dist);
    if (!outside || !dist) {
        free(outside), free(dist);
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the solid matte");
    }
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            outside[(size_t)(y / 2) * hw + x / 2] |= alpha->data[(size_t)y * w + x] < SB_SOLID_OUTSIDE;
    chamfer(outside, hw, hh, dist);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            float *a = &alpha->data[(size_t)y * w + x], was = *a;
            if (was <= SB_SOLID_LOW || was >= 1) { /* background, holes and the solid inside stay */
                kept += was >= 0.5f;
                continue;
            }
            /* Block distance in pixels: a pixel of a background block is at 0 to 1 pixel from it. */
            float d = dist[(size_t)(y / 2) * hw + x / 2] * (2.0f / STEP_ORTHO), wgt = (d - 1) / depth;
            wgt = wgt < 0 ? 0 : wgt > 1 ? 1 : wgt;
            *a = was + (1 - was) * smooth_gain(was) * wgt;
            kept += *a >= 0.5f;
            raised += *a >= 0.5f && *a - was > 0.1f;
        }
    if (changed)
        *changed = kept ? (float)raised / (float)kept : 0;
    free(outside), free(dist);
    return SB_OK;
}
