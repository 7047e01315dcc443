/* composite.c - the "over" operator. */
#include "render/composite.h"

sb_err sb_composite_over(const sb_fimage_t *fg, const sb_fimage_t *alpha, sb_fimage_t *bg, sb_error_t *e)
{
    if (fg->width != bg->width || fg->height != bg->height)
        return sb_error_set(e, SB_ERR_INTERNAL, "", "composite: layer sizes do not match");
    return sb_composite_over_at(fg, alpha, 0, 0, bg, e);
}

sb_err sb_composite_over_at(const sb_fimage_t *fg, const sb_fimage_t *alpha, int ox, int oy, sb_fimage_t *bg,
                            sb_error_t *e)
{
    if (alpha->width != fg->width || alpha->height != fg->height || fg->bands != 3 || bg->bands != 3 ||
        alpha->bands != 1)
        return sb_error_set(e, SB_ERR_INTERNAL, "", "composite: layer sizes do not match");
    int x0 = ox < 0 ? -ox : 0, y0 = oy < 0 ? -oy : 0;
    int x1 = bg->width - ox < fg->width ? bg->width - ox : fg->width;
    int y1 = bg->height - oy < fg->height ? bg->height - oy : fg->height;
    for (int y = y0; y < y1; y++) {
        const float *a = alpha->data + (size_t)y * fg->width, *f = fg->data + (size_t)y * fg->width * 3;
        float *b = bg->data + ((size_t)(y + oy) * bg->width + ox) * 3;
        for (int x = x0; x < x1; x++)
            for (int c = 0; c < 3; c++)
                b[x * 3 + c] = a[x] * f[x * 3 + c] + (1 - a[x]) * b[x * 3 + c];
    }
    return SB_OK;
}
