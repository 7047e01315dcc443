/* flat_line.c - flat lines and the straight step beside them (see flat_line.h). */
#include "vision/flat_line.h"

#include <stdlib.h>

/* The share of the step, within STEP_LINES lines of the first line that is not flat, must be met at least
 * at this part some lines further in (a photo's edge is whole at once). */
#define STEP_WHOLE 0.8f
/* Lines past the first line that is not flat in which the step must be whole (JPEG blurs it over two). */
#define STEP_LINES 3

int sb_flat_line_len(const sb_image_t *img, sb_line_axis axis)
{
    return axis == SB_LINE_ROW ? img->width : img->height;
}

int sb_flat_line_count(const sb_image_t *img, sb_line_axis axis)
{
    return axis == SB_LINE_ROW ? img->height : img->width;
}

static const uint8_t *pixel(const sb_image_t *img, sb_line_axis axis, int idx, int t)
{
    int x = axis == SB_LINE_ROW ? t : idx, y = axis == SB_LINE_ROW ? idx : t;
    return img->data + ((size_t)y * img->width + x) * img->bands;
}

int sb_flat_line_diff(const uint8_t *p, const uint8_t c[3])
{
    int d = 0;
    for (int k = 0; k < 3; k++) {
        int v = abs(p[k] - c[k]);
        d = v > d ? v : d;
    }
    return d;
}

void sb_flat_line_colour(const sb_image_t *img, sb_line_axis axis, int idx, uint8_t c[3])
{
    int n = sb_flat_line_len(img, axis);
    for (int k = 0; k < 3; k++) {
        int hist[256] = {0}, seen = 0, v = 0;
        for (int t = 0; t < n; t++)
            hist[pixel(img, axis, idx, t)[k]]++;
        while (v < 255 && (seen += hist[v]) * 2 < n)
            v++;
        c[k] = (uint8_t)v;
    }
}

/* Pixels of a line looked at first: their median is within SB_FLAT_TOL of a flat line's own. */
#define SAMPLES 15
/* The line's pixels are then read STRIDE apart, then the ones between, and so on: a line that is not flat
 * usually leaves its colour in one stretch (a subject against a backdrop), found at once this way. */
#define STRIDE 16

static uint8_t median(uint8_t *v, int n)
{
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
            uint8_t t = v[j];
            v[j] = v[j - 1], v[j - 1] = t;
        }
    return v[n / 2];
}

int sb_flat_line_is_flat(const sb_image_t *img, sb_line_axis axis, int idx, uint8_t c[3])
{
    int n = sb_flat_line_len(img, axis), limit = (int)(SB_FLAT_SHARE_OUT * (float)n), off = 0;
    if (n < SAMPLES)
        return 0;
    /* A flat line's pixels are within SB_FLAT_TOL of its median, and so (most samples being among them)
     * within 2 SB_FLAT_TOL of the samples' median: a line with more pixels off than that is not flat. */
    uint8_t s[3][SAMPLES], m[3];
    for (int i = 0; i < SAMPLES; i++) {
        const uint8_t *p = pixel(img, axis, idx, (int)((long)i * (n - 1) / (SAMPLES - 1)));
        for (int k = 0; k < 3; k++)
            s[k][i] = p[k];
    }
    for (int k = 0; k < 3; k++)
        m[k] = median(s[k], SAMPLES);
    for (int start = 0; start < STRIDE && off <= limit; start++)
        for (int t = start; t < n && off <= limit; t += STRIDE)
            off += sb_flat_line_diff(pixel(img, axis, idx, t), m) > 2 * SB_FLAT_TOL;
    if (off > limit)
        return 0;
    sb_flat_line_colour(img, axis, idx, c);
    return sb_flat_line_share_off(img, axis, idx, c, SB_FLAT_TOL) <= SB_FLAT_SHARE_OUT;
}

float sb_flat_line_share_off(const sb_image_t *img, sb_line_axis axis, int idx, const uint8_t c[3], int diff)
{
    int n = sb_flat_line_len(img, axis), off = 0;
    for (int t = 0; t < n; t++)
        off += sb_flat_line_diff(pixel(img, axis, idx, t), c) > diff;
    return (float)off / (float)n;
}

int sb_flat_line_step(const sb_image_t *img, sb_line_axis axis, int first, int dir, const uint8_t c[3], int diff,
                      float *share)
{
    int lines = sb_flat_line_count(img, axis);
    int reach = 2 + sb_flat_line_len(img, axis) / 100; /* how much further in the step is compared */
    int far_idx = first + dir * (STEP_LINES + reach);
    *share = 0;
    if (first < 0 || first >= lines || far_idx < 0 || far_idx >= lines)
        return -1;
    float s[STEP_LINES], near = 0;
    for (int k = 0; k < STEP_LINES; k++) {
        s[k] = sb_flat_line_share_off(img, axis, first + dir * k, c, diff);
        near = s[k] > near ? s[k] : near;
    }
    *share = near;
    float far = sb_flat_line_share_off(img, axis, far_idx, c, diff);
    if (near <= 0 || near < STEP_WHOLE * far)
        return -1;
    int k = 0; /* the first line where the step is whole: the picture starts there */
    while (s[k] < STEP_WHOLE * near)
        k++;
    return k;
}
