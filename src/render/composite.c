/* composite.c - the "over" operator, for float layers and for 8-bit RGBA ones. */
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
