/* composite.c - the "over" operator. */
#include "render/composite.h"

sb_err sb_composite_over(const sb_fimage_t *fg, const sb_fimage_t *alpha, sb_fimage_t *bg, sb_error_t *e)
{
    if (fg->width != bg->width || fg->height != bg->height || alpha->width != bg->width ||
        alpha->height != bg->height || fg->bands != 3 || bg->bands != 3 || alpha->bands != 1)
        return sb_error_set(e, SB_ERR_INTERNAL, "", "composite: layer sizes do not match");
    size_t n = (size_t)bg->width * bg->height;
    for (size_t i = 0; i < n; i++) {
        float a = alpha->data[i];
        for (int c = 0; c < 3; c++)
            bg->data[i * 3 + c] = a * fg->data[i * 3 + c] + (1 - a) * bg->data[i * 3 + c];
    }
    return SB_OK;
}
