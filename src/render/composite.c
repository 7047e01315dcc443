/* composite.c - the "over" operator, for float layers and for 8-bit RGBA ones. */
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

sb_err sb_composite_rgba8_over_at(const sb_image_t *layer, int ox, int oy, sb_fimage_t *bg, sb_error_t *e)
{
    if (layer->bands != 4 || bg->bands != 3)
        return sb_error_set(e, SB_ERR_INTERNAL, "", "composite: a %d-band layer or a %d-band background", layer->bands,
                            bg->bands);
    int x0 = ox < 0 ? -ox : 0, y0 = oy < 0 ? -oy : 0;
    int x1 = bg->width - ox < layer->width ? bg->width - ox : layer->width;
    int y1 = bg->height - oy < layer->height ? bg->height - oy : layer->height;
    for (int y = y0; y < y1; y++) {
        const uint8_t *l = layer->data + (size_t)y * layer->width * 4;
        float *b = bg->data + ((size_t)(y + oy) * bg->width + ox) * 3;
        for (int x = x0; x < x1; x++) {
            /* Most of a product is opaque or clear: both are exact without the arithmetic. */
            uint8_t a8 = l[x * 4 + 3];
            if (!a8)
                continue;
            float a = a8 * (1.0f / 255.0f);
            for (int c = 0; c < 3; c++)
                b[x * 3 + c] = a8 == 255 ? l[x * 4 + c] * (1.0f / 255.0f)
                                         : a * (l[x * 4 + c] * (1.0f / 255.0f)) + (1 - a) * b[x * 3 + c];
        }
    }
    return SB_OK;
}
