/* label.c - 8-connected parts of a mask by flood fill with an explicit stack. */
#include "image/label.h"

#include <stdint.h>
#include <stdlib.h>

sb_err sb_parts_label(int width, int height, int (*in)(size_t i, const void *user), const void *user,
                      sb_parts_t *parts, sb_error_t *e)
{
    size_t n = (size_t)width * height;
    int cap = 0;
    *parts = (sb_parts_t){0};
    parts->label = calloc(n ? n : 1, sizeof *parts->label);
    int *stack = malloc((n ? n : 1) * sizeof *stack);
    /* `in` once per pixel; the fill then reads a byte per neighbour (a part's inside is visited 8 times) and
     * clears it as the pixel is labelled. */
    uint8_t *open = malloc(n ? n : 1);
    if (!parts->label || !stack || !open) {
        free(stack), free(open);
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for a mask's parts");
    }
    for (size_t i = 0; i < n; i++)
        open[i] = in(i, user) != 0;
    for (size_t seed = 0; seed < n; seed++) {
        if (!open[seed])
            continue;
        if (parts->count == cap) {
            cap = cap ? cap * 2 : 64;
            size_t *grown = realloc(parts->area, (size_t)cap * sizeof *grown);
            if (!grown) {
                free(stack), free(open);
                return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for a mask's parts");
            }
            parts->area = grown;
        }
        int id = ++parts->count;
        size_t top = 0, count = 0;
        parts->label[seed] = id;
        open[seed] = 0;
        stack[top++] = (int)seed;
        while (top) {
            int p = stack[--top], x = p % width, y = p / width;
            count++;
            int x0 = x > 0 ? x - 1 : x, x1 = x < width - 1 ? x + 1 : x;
            int y0 = y > 0 ? y - 1 : y, y1 = y < height - 1 ? y + 1 : y;
            for (int qy = y0; qy <= y1; qy++)
                for (int qx = x0; qx <= x1; qx++) {
                    int q = qy * width + qx;
                    if (open[q]) {
                        open[q] = 0;
                        parts->label[q] = id;
                        stack[top++] = q;
                    }
                }
        }
        parts->area[id - 1] = count;
    }
    free(stack), free(open);
    return SB_OK;
}

void sb_parts_free(sb_parts_t *parts)
{
    if (!parts)
        return;
    free(parts->label);
    free(parts->area);
    *parts = (sb_parts_t){0};
}
