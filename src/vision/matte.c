/* matte.c - selfie segmentation + guided-filter refinement. */
#include "vision/matte.h"

#include <stdlib.h>

#include "image/resample.h"
#include "nn/models.h"
#include "nn/nn.h"
#include "vision/guided.h"

#define NET_SIZE 256

struct sb_matter {
    sb_net_t *net;
};

sb_err sb_matter_open(sb_matter_t **out, sb_error_t *e)
{
    *out = NULL;
    sb_matter_t *x = calloc(1, sizeof *x);
    if (!x)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the matter");
    sb_err err = sb_model_session(SB_MODEL_SELFIE_SEG, &x->net, e);
    if (err) {
        free(x);
        return err;
    }
    *out = x;
    return SB_OK;
}

void sb_matter_close(sb_matter_t *m)
{
    if (!m)
        return;
    free(m);
}

/* Net probability map (NET_SIZE^2, 0..1) as an 8-bit image, so libvips can resample it. */
static sb_err coarse_mask(sb_matter_t *m, const sb_image_t *rgb, sb_image_t *mask, sb_error_t *e)
{
    sb_image_t small = {0};
    sb_tensor_t in = {.ndims = 4, .dims = {1, 3, NET_SIZE, NET_SIZE}}, out = {0};
    const char *name = "mask";
    sb_err err = sb_image_resize(rgb, NET_SIZE, NET_SIZE, &small, e);
    if (err)
        return err;
    size_t plane = NET_SIZE * NET_SIZE;
    in.data = malloc(plane * 3 * sizeof(float));
    if (!in.data) {
        err = sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the matte input");
        goto done;
    }
    for (size_t i = 0; i < plane; i++)
        for (int c = 0; c < 3; c++)
            in.data[c * plane + i] = small.data[i * 3 + c] * (1.0f / 255.0f);
    err = sb_net_forward(m->net, &in, &name, 1, &out, e);
    if (err)
        goto done;
    if (sb_tensor_count(&out) != (long)plane) {
        err = sb_error_set(e, SB_ERR_INTERNAL, "", "selfie segmentation returned %ld values", sb_tensor_count(&out));
        goto done;
    }
    err = sb_image_alloc(mask, NET_SIZE, NET_SIZE, 1, e);
    if (err)
        goto done;
    for (size_t i = 0; i < plane; i++) {
        float v = out.data[i] * 255.0f + 0.5f;
        mask->data[i] = v <= 0 ? 0 : v >= 255 ? 255 : (uint8_t)v;
    }
done:
    sb_tensor_free(&out);
    free(in.data);
    sb_image_free(&small);
    return err;
}

sb_err sb_matte_person(sb_matter_t *m, const sb_image_t *rgb, const sb_fimage_t *guide, sb_fimage_t *alpha,
                       sb_error_t *e)
{
    sb_image_t coarse = {0}, up = {0};
    sb_err err = coarse_mask(m, rgb, &coarse, e);
    if (!err)
        err = sb_image_resize(&coarse, rgb->width, rgb->height, &up, e);
    if (!err)
        err = sb_image_to_float(&up, alpha, e);
    if (!err) {
        /* Window ~1% of the short side: wide enough to cross the net's soft band, narrow enough to keep
         * strands; coefficients on a 4x coarser grid (the fast guided filter) cut the cost with no visible loss. */
        int short_side = rgb->width < rgb->height ? rgb->width : rgb->height;
        int r = short_side / 100 < 2 ? 2 : short_side / 100;
        err = sb_guided_filter(guide, alpha, r, 1e-3f, 4, e);
    }
    sb_image_free(&coarse);
    sb_image_free(&up);
    if (err)
        sb_fimage_free(alpha);
    return err;
}
