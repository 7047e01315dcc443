/* salient.c - u2netp salient-object mask + guided-filter refinement + island removal. */
#include "vision/salient.h"

#include <stdlib.h>

#include "image/resample.h"
#include "nn/models.h"
#include "nn/nn.h"
#include "vision/guided.h"

#define NET_SIZE 320
/* Parts of the thresholded mask under this fraction of the largest part are clutter the net picked up
 * (see docs/internals/vision.md, "Salient object mask", for the measurement). */
#define ISLAND_FRAC 0.05

struct sb_salient {
    sb_net_t *net;
};

sb_err sb_salient_open(sb_salient_t **out, sb_error_t *e)
{
    *out = NULL;
    sb_salient_t *s = calloc(1, sizeof *s);
    if (!s)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the salient-object net");
    sb_err err = sb_model_open_net(SB_MODEL_U2NETP, &s->net, e);
    if (err) {
        free(s);
        return err;
    }
    *out = s;
    return SB_OK;
}

void sb_salient_close(sb_salient_t *s)
{
    if (!s)
        return;
    sb_net_close(s->net);
    free(s);
}

static sb_err check_rgb(const sb_image_t *rgb, sb_error_t *e)
{
    if (!rgb || !rgb->data || rgb->width <= 0 || rgb->height <= 0 || rgb->bands != 3)
        return sb_error_set(e, SB_ERR_USAGE, "image", "the salient mask needs a non-empty RGB image");
    return SB_OK;
}

/* Net map (NET_SIZE^2), min-max normalised, as an 8-bit image so libvips can resample it. */
static sb_err coarse_mask(sb_salient_t *s, const sb_image_t *rgb, sb_image_t *mask, sb_error_t *e)
{
    static const float mean[3] = {0.485f, 0.456f, 0.406f}, std[3] = {0.229f, 0.224f, 0.225f};
    sb_image_t small = {0};
    sb_tensor_t in = {.ndims = 4, .dims = {1, 3, NET_SIZE, NET_SIZE}}, out = {0};
    const char *name = "1959";
    sb_err err = sb_image_resize(rgb, NET_SIZE, NET_SIZE, &small, e);
    if (err)
        return err;
    size_t plane = NET_SIZE * NET_SIZE;
    in.data = malloc(plane * 3 * sizeof(float));
    if (!in.data) {
        err = sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the salient-object input");
        goto done;
    }
    for (size_t i = 0; i < plane; i++)
        for (int c = 0; c < 3; c++)
            in.data[c * plane + i] = (small.data[i * 3 + c] * (1.0f / 255.0f) - mean[c]) / std[c];
    err = sb_net_forward(s->net, &in, &name, 1, &out, e);
    if (err)
        goto done;
    if (sb_tensor_count(&out) != (long)plane) {
        err = sb_error_set(e, SB_ERR_INTERNAL, "", "u2netp returned %ld values", sb_tensor_count(&out));
        goto done;
    }
    float lo = out.data[0], hi = out.data[0];
    for (size_t i = 1; i < plane; i++) {
        lo = out.data[i] < lo ? out.data[i] : lo;
        hi = out.data[i] > hi ? out.data[i] : hi;
    }
    /* A flat map (nothing salient) stays all 0 rather than dividing by zero. */
    float scale = hi > lo ? 255.0f / (hi - lo) : 0.0f;
    err = sb_image_alloc(mask, NET_SIZE, NET_SIZE, 1, e);
    if (err)
        goto done;
    for (size_t i = 0; i < plane; i++) {
        float v = (out.data[i] - lo) * scale + 0.5f;
        mask->data[i] = v <= 0 ? 0 : v >= 255 ? 255 : (uint8_t)v;
    }
done:
    sb_tensor_free(&out);
    free(in.data);
    sb_image_free(&small);
    return err;
}

sb_err sb_salient_net_mask(sb_salient_t *s, const sb_image_t *rgb, sb_fimage_t *alpha, sb_error_t *e)
{
    sb_err err = check_rgb(rgb, e);
    if (err)
        return err;
    sb_image_t coarse = {0}, up = {0};
    err = coarse_mask(s, rgb, &coarse, e);
    if (!err)
        err = sb_image_resize(&coarse, rgb->width, rgb->height, &up, e);
    if (!err)
        err = sb_image_to_float(&up, alpha, e);
    sb_image_free(&coarse);
    sb_image_free(&up);
    return err;
}

/* Clear the 8-connected parts of alpha >= 0.5 whose area is under ISLAND_FRAC of the largest. Only whole
 * parts go, so thin limbs, straps and handles attached to the subject are kept (no erosion). */
static sb_err remove_islands(sb_fimage_t *alpha, sb_error_t *e)
{
    int w = alpha->width, h = alpha->height;
    size_t n = (size_t)w * h;
    int *label = calloc(n, sizeof *label), *stack = malloc(n * sizeof *stack);
    size_t *area = NULL;
    int n_labels = 0, cap = 0;
    sb_err err = SB_OK;
    if (!label || !stack) {
        err = sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the salient mask's components");
        goto done;
    }
    for (size_t seed = 0; seed < n; seed++) {
        if (label[seed] || alpha->data[seed] < 0.5f)
            continue;
        if (n_labels == cap) {
            cap = cap ? cap * 2 : 64;
            size_t *grown = realloc(area, (size_t)cap * sizeof *area);
            if (!grown) {
                err = sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the salient mask's components");
                goto done;
            }
            area = grown;
        }
        int id = ++n_labels;
        size_t top = 0, count = 0;
        label[seed] = id;
        stack[top++] = (int)seed;
        while (top) {
            int p = stack[--top], x = p % w, y = p / w;
            count++;
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++) {
                    int qx = x + dx, qy = y + dy;
                    if (qx < 0 || qy < 0 || qx >= w || qy >= h)
                        continue;
                    int q = qy * w + qx;
                    if (!label[q] && alpha->data[q] >= 0.5f) {
                        label[q] = id;
                        stack[top++] = q;
                    }
                }
        }
        area[id - 1] = count;
    }
    size_t largest = 0;
    for (int i = 0; i < n_labels; i++)
        largest = area[i] > largest ? area[i] : largest;
    for (size_t i = 0; i < n; i++)
        if (label[i] && (double)area[label[i] - 1] < ISLAND_FRAC * (double)largest)
            alpha->data[i] = 0.0f;
done:
    free(label);
    free(stack);
    free(area);
    return err;
}

sb_err sb_salient_refine(const sb_image_t *rgb, sb_fimage_t *alpha, sb_error_t *e)
{
    sb_err err = check_rgb(rgb, e);
    if (err)
        return err;
    if (!alpha || !alpha->data || alpha->bands != 1 || alpha->width != rgb->width || alpha->height != rgb->height)
        return sb_error_set(e, SB_ERR_USAGE, "image", "the salient mask must be 1 band, the photo's size");
    sb_fimage_t guide = {0};
    err = sb_image_to_float(rgb, &guide, e);
    if (!err) {
        /* Same window as the person matte (~1% of the short side), wide enough to cross the soft band of a
         * 320 px map enlarged to the photo; coefficients on a 4x coarser grid (the fast guided filter). */
        int short_side = rgb->width < rgb->height ? rgb->width : rgb->height;
        int r = short_side / 100 < 2 ? 2 : short_side / 100;
        err = sb_guided_filter(&guide, alpha, r, 1e-3f, 4, e);
    }
    sb_fimage_free(&guide);
    if (!err)
        err = remove_islands(alpha, e);
    return err;
}

sb_err sb_salient_mask(sb_salient_t *s, const sb_image_t *rgb, sb_fimage_t *alpha, sb_error_t *e)
{
    sb_err err = sb_salient_net_mask(s, rgb, alpha, e);
    if (!err)
        err = sb_salient_refine(rgb, alpha, e);
    if (err)
        sb_fimage_free(alpha);
    return err;
}
