/* label.c - 8-connected parts of a mask by flood fill with an explicit stack. */
#include "image/label.h"

#include <stdlib.h>

sb_err sb_parts_label(int width, int height, int (*in)(size_t i, const void *user), const void *user,
                      sb_parts_t *parts, sb_error_t *e)
{
    size_t n = (size_t)width * height;
    int cap = 0;
    *parts = (sb_parts_t){0};
    parts->label = calloc(n ? n : 1, sizeof *parts->label);
    int *stack = malloc((n ? n : 1) * sizeof *stack);
    if (!parts->label || !stack) {
        free(stack);
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for a mask's parts");
    }
    for (size_t seed = 0; seed < n; seed++) {
        if (parts->label[seed] || !in(seed, user))
            continue;
        if (parts->count == cap) {
            cap = cap ? cap * 2 : 64;
            size_t *grown = realloc(parts->area, (size_t)cap * sizeof *grown);
            if (!grown) {
                free(stack);
                return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for a mask's parts");
            }
            parts->area = grown;
        }
        int id = ++parts->count;
        size_t top = 0, count = 0;
        parts->label[seed] = id;
        stack[top++] = (int)seed;
        while (top) {
            int p = stack[--top], x = p % width, y = p / width;
            count++;
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++) {
                    int qx = x + dx, qy = y + dy;
                    if (qx < 0 || qy < 0 || qx >= width || qy >= height)
                        continue;
                    int q = qy * width + qx;
                    if (!parts->label[q] && in((size_t)q, user)) {
                        parts->label[q] = id;
                        stack[top++] = q;
                    }
                }
        }
        parts->area[id - 1] = count;
    }
    free(stack);
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
