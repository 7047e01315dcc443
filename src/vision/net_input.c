/* net_input.c - a photo as a square, planar input tensor (net_input.h). */
#include "vision/net_input.h"

#include <stdlib.h>

#include "image/resample.h"

sb_err sb_net_input_square(const sb_image_t *rgb, int size, const float mean[3], const float std[3], sb_tensor_t *in,
                           sb_error_t *e)
{
    *in = (sb_tensor_t){.ndims = 4, .dims = {1, 3, size, size}};
    sb_image_t small = {0};
    sb_err err = sb_image_resize(rgb, size, size, &small, e);
    if (err)
        return err;
    size_t plane = (size_t)size * size;
    in->data = malloc(plane * 3 * sizeof(float));
    if (!in->data) {
        sb_image_free(&small);
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for a %dx%d net input", size, size);
    }
    for (size_t i = 0; i < plane; i++)
        for (int c = 0; c < 3; c++) {
            float v = small.data[i * 3 + c] * (1.0f / 255.0f);
            in->data[c * plane + i] = mean ? (v - mean[c]) / std[c] : v;
        }
    sb_image_free(&small);
    return SB_OK;
}
