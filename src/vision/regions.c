/* regions.c - connected parts (flood fill with an explicit stack) and separable square dilation. */
#include "vision/regions.h"

#include <stdlib.h>
#include <string.h>

void sb_regions_free(sb_regions_t *r)
{
    if (!r)
        return;
    free(r->label);
    free(r->part);
    memset(r, 0, sizeof *r);
}

/* Flood the part of `seed` with label id, filling in its area, box and centroid. */
static void flood(const uint8_t *bin, int w, int h, int seed, int id, int *label, int *stack, sb_region_t *part)
{
    size_t top = 0;
    double sx = 0, sy = 0;
    *part = (sb_region_t){0, {w, h, 0, 0}, 0, 0};
    label[seed] = id;
    stack[top++] = seed;
    while (top) {
        int p = stack[--top], x = p % w, y = p / w;
        part->area++;
        sx += x, sy += y;
        part->box[0] = x < part->box[0] ? x : part->box[0], part->box[1] = y < part->box[1] ? y : part->box[1];
        part->box[2] = x + 1 > part->box[2] ? x + 1 : part->box[2];
        part->box[3] = y + 1 > part->box[3] ? y + 1 : part->box[3];
        for (int dy = -1; dy <= 1; dy++)
            for (int dx = -1; dx <= 1; dx++) {
                int qx = x + dx, qy = y + dy;
                if (qx < 0 || qy < 0 || qx >= w || qy >= h)
                    continue;
                int q = qy * w + qx;
                if (!label[q] && bin[q]) {
                    label[q] = id;
                    stack[top++] = q;
                }
            }
    }
    part->cx = sx / (double)part->area, part->cy = sy / (double)part->area;
}

sb_err sb_regions_find(const uint8_t *bin, int w, int h, sb_regions_t *out, sb_error_t *e)
{
    memset(out, 0, sizeof *out);
    size_t n = (size_t)w * h;
    int cap = 0, *stack = malloc(n * sizeof *stack);
    out->label = calloc(n, sizeof *out->label);
    if (!stack || !out->label)
        goto nomem;
    for (size_t seed = 0; seed < n; seed++) {
        if (out->label[seed] || !bin[seed])
            continue;
        if (out->n == cap) {
            cap = cap ? cap * 2 : 16;
            sb_region_t *grown = realloc(out->part, (size_t)cap * sizeof *grown);
            if (!grown)
                goto nomem;
            out->part = grown;
        }
        flood(bin, w, h, (int)seed, out->n + 1, out->label, stack, &out->part[out->n]);
        out->n++;
    }
    free(stack);
    return SB_OK;
nomem:
    free(stack);
    sb_regions_free(out);
    return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for a mask's connected parts");
}

/* One line of n values, `stride` apart: set every value within r of a set one, using d (n ints) for the
 * distance to the nearest set value on the left, then on the right. */
static void dilate_line(uint8_t *v, int n, size_t stride, int r, int *d)
{
    int far = n + r + 1, last = -far;
    for (int i = 0; i < n; i++) {
        if (v[(size_t)i * stride])
            last = i;
        d[i] = i - last;
    }
    last = n + far;
    for (int i = n - 1; i >= 0; i--) {
        if (v[(size_t)i * stride])
            last = i;
        int right = last - i;
        v[(size_t)i * stride] = (d[i] < right ? d[i] : right) <= r;
    }
}

sb_err sb_regions_dilate(uint8_t *bin, int w, int h, int r, sb_error_t *e)
{
    if (r <= 0)
        return SB_OK;
    int *d = malloc((size_t)(w > h ? w : h) * sizeof *d);
    if (!d)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory to dilate a mask");
    for (int y = 0; y < h; y++)
        dilate_line(bin + (size_t)y * w, w, 1, r, d);
    for (int x = 0; x < w; x++)
        dilate_line(bin + x, h, (size_t)w, r, d);
    free(d);
    return SB_OK;
}
