/* image.c - allocation and 8-bit <-> float conversion of pixel buffers. */
#include "image/image.h"

#include <stdlib.h>
#include <string.h>

static sb_err alloc_bytes(void **data, int w, int h, int bands, size_t elem, sb_error_t *e)
{
    if (w <= 0 || h <= 0 || bands <= 0 || bands > 4 || (size_t)w > SIZE_MAX / elem / (size_t)h / (size_t)bands)
        return sb_error_set(e, SB_ERR_NOMEM, "", "invalid image dimensions %dx%dx%d", w, h, bands);
    *data = malloc((size_t)w * h * bands * elem);
    if (!*data)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for a %dx%d image", w, h);
    return SB_OK;
}

sb_err sb_image_alloc(sb_image_t *img, int width, int height, int bands, sb_error_t *e)
{
    memset(img, 0, sizeof *img);
    sb_err err = alloc_bytes((void **)&img->data, width, height, bands, 1, e);
    if (err)
        return err;
    img->width = width, img->height = height, img->bands = bands;
    return SB_OK;
}

sb_err sb_fimage_alloc(sb_fimage_t *img, int width, int height, int bands, sb_error_t *e)
{
    memset(img, 0, sizeof *img);
    sb_err err = alloc_bytes((void **)&img->data, width, height, bands, sizeof(float), e);
    if (err)
        return err;
    img->width = width, img->height = height, img->bands = bands;
    return SB_OK;
}

void sb_image_free(sb_image_t *img)
{
    if (!img)
        return;
    free(img->data);
    memset(img, 0, sizeof *img);
}

void sb_fimage_free(sb_fimage_t *img)
{
    if (!img)
        return;
    free(img->data);
    memset(img, 0, sizeof *img);
}

sb_err sb_image_to_float(const sb_image_t *src, sb_fimage_t *dst, sb_error_t *e)
{
    sb_err err = sb_fimage_alloc(dst, src->width, src->height, src->bands, e);
    if (err)
        return err;
    size_t n = (size_t)src->width * src->height * src->bands;
    for (size_t i = 0; i < n; i++)
        dst->data[i] = src->data[i] * (1.0f / 255.0f);
    return SB_OK;
}

size_t sb_fimage_box(const sb_fimage_t *mask, int box[4])
{
    int w = mask->width, h = mask->height;
    size_t count = 0;
    box[0] = w, box[1] = h, box[2] = box[3] = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            if (mask->data[(size_t)y * w + x] >= 0.5f) {
                count++;
                box[0] = x < box[0] ? x : box[0], box[1] = y < box[1] ? y : box[1];
                box[2] = x + 1 > box[2] ? x + 1 : box[2], box[3] = y + 1 > box[3] ? y + 1 : box[3];
            }
    return count;
}

sb_err sb_fimage_copy(const sb_fimage_t *src, sb_fimage_t *dst, sb_error_t *e)
{
    sb_err err = sb_fimage_alloc(dst, src->width, src->height, src->bands, e);
    if (!err)
        memcpy(dst->data, src->data, sizeof(float) * (size_t)src->width * src->height * src->bands);
    return err;
}

sb_err sb_fimage_to_u8(const sb_fimage_t *src, sb_image_t *dst, sb_error_t *e)
{
    sb_err err = sb_image_alloc(dst, src->width, src->height, src->bands, e);
    if (err)
        return err;
    size_t n = (size_t)src->width * src->height * src->bands;
    for (size_t i = 0; i < n; i++) {
        float v = src->data[i] * 255.0f + 0.5f;
        dst->data[i] = v <= 0.0f ? 0 : v >= 255.0f ? 255 : (uint8_t)v;
    }
    return SB_OK;
}

sb_err sb_image_crop(const sb_image_t *src, const int r[4], sb_image_t *dst, sb_error_t *e)
{
    int w = r[2] - r[0], b = src->bands;
    sb_err err = sb_image_alloc(dst, w, r[3] - r[1], b, e);
    for (int y = 0; !err && y < dst->height; y++)
        memcpy(dst->data + (size_t)y * w * b, src->data + ((size_t)(r[1] + y) * src->width + r[0]) * b, (size_t)w * b);
    return err;
}

double sb_mask_iou(const sb_fimage_t *alpha, const sb_image_t *truth, int skip_unknown)
{
    size_t inter = 0, uni = 0, n = (size_t)alpha->width * alpha->height;
    for (size_t i = 0; i < n; i++) {
        uint8_t g = truth->data[i * truth->bands];
        if (skip_unknown && g == 128)
            continue;
        int a = alpha->data[i * alpha->bands] >= 0.5f, b = g >= 128;
        inter += a && b;
        uni += a || b;
    }
    return uni ? (double)inter / (double)uni : 1.0;
}
