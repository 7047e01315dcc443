/* cartoon.c - CartoonGAN on a photo, resized for the net and blended back by intensity. */
#include "render/cartoon.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "image/resample.h"
#include "nn/models.h"
#include "nn/nn.h"

/* The generator halves its input twice and pads each residual block by reflection, so a side under 16
 * would leave nothing to reflect. */
#define NET_MIN_SIDE 16

/* Hayao's graph fixes its input at this size (shared/models/MANIFEST.md ships no symbolic-size form of it). */
#define HAYAO_SIDE 512

struct sb_cartoon {
    sb_net_t *net;  /* the process's shared session */
    int fixed_side; /* the only input side the net takes, or 0 for any multiple of 4 */
};

const char *sb_cartoon_variant_name(sb_cartoon_variant v)
{
    switch (v) {
    case SB_CARTOON_HOSODA:
        return "hosoda";
    case SB_CARTOON_HAYAO:
        return "hayao";
    }
    return "unknown";
}

sb_err sb_cartoon_open(sb_cartoon_variant v, sb_cartoon_t **out, sb_error_t *e)
{
    *out = NULL;
    if (v != SB_CARTOON_HOSODA && v != SB_CARTOON_HAYAO)
        return sb_error_set(e, SB_ERR_USAGE, "variant", "unknown CartoonGAN variant %d", (int)v);
    sb_cartoon_t *c = calloc(1, sizeof *c);
    if (!c)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the cartoonizer");
    c->fixed_side = v == SB_CARTOON_HAYAO ? HAYAO_SIDE : 0;
    sb_err err = sb_model_session(v == SB_CARTOON_HOSODA ? SB_MODEL_CARTOON_HOSODA : SB_MODEL_CARTOON_HAYAO,
                                  &c->net, e);
    if (err) {
        free(c);
        return err;
    }
    *out = c;
    return SB_OK;
}

void sb_cartoon_close(sb_cartoon_t *c)
{
    free(c);
}

static int round4(double v)
{
    int s = 4 * (int)lround(v / 4.0);
    return s < NET_MIN_SIDE ? NET_MIN_SIDE : s;
}

/* The net's output for `small` (its input size), as 8-bit RGB of the same size. The net reads and writes
 * BGR scaled to -1..1. */
static sb_err run_net(sb_cartoon_t *c, const sb_image_t *small, sb_image_t *styl, sb_error_t *e)
{
    int w = small->width, h = small->height;
    size_t plane = (size_t)w * h;
    sb_tensor_t in = {.ndims = 4, .dims = {1, 3, h, w}}, res = {0};
    const char *name = "output";
    sb_err err = SB_OK;
    in.data = malloc(plane * 3 * sizeof(float));
    if (!in.data)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the CartoonGAN input");
    for (size_t i = 0; i < plane; i++)
        for (int c3 = 0; c3 < 3; c3++)
            in.data[c3 * plane + i] = small->data[i * 3 + (2 - c3)] * (1.0f / 127.5f) - 1.0f;
    err = sb_net_forward(c->net, &in, &name, 1, &res, e);
    if (err)
        goto done;
    if (sb_tensor_count(&res) != (long)(plane * 3)) {
        err = sb_error_set(e, SB_ERR_INTERNAL, "", "CartoonGAN returned %ld values for %dx%d", sb_tensor_count(&res),
                           w, h);
        goto done;
    }
    err = sb_image_alloc(styl, w, h, 3, e);
    if (err)
        goto done;
    for (size_t i = 0; i < plane; i++)
        for (int c3 = 0; c3 < 3; c3++) {
            float v = (res.data[(2 - c3) * plane + i] + 1.0f) * 127.5f + 0.5f;
            styl->data[i * 3 + c3] = v <= 0 ? 0 : v >= 255 ? 255 : (uint8_t)v;
        }
done:
    sb_tensor_free(&res);
    free(in.data);
    return err;
}

/* For a net that takes one input size only: `rgb` fitted into the fixed square (aspect kept), the rest of the
 * square filled by repeating the edge pixels (a flat fill would draw an outline along the photo's edge), the
 * net run, and its output cropped back to the fitted photo, in `styl`. */
static sb_err run_fixed(sb_cartoon_t *c, const sb_image_t *rgb, sb_image_t *styl, sb_error_t *e)
{
    int fs = c->fixed_side, w = rgb->width, h = rgb->height;
    double k = (double)fs / (w > h ? w : h);
    int sw = (int)lround(w * k), sh = (int)lround(h * k);
    sw = sw < 1 ? 1 : sw > fs ? fs : sw;
    sh = sh < 1 ? 1 : sh > fs ? fs : sh;
    sb_image_t fit = {0}, square = {0}, out = {0};
    sb_err err = sb_image_resize(rgb, sw, sh, &fit, e);
    if (!err)
        err = sb_image_alloc(&square, fs, fs, 3, e);
    if (!err) {
        for (int y = 0; y < fs; y++) {
            const uint8_t *row = fit.data + (size_t)(y < sh ? y : sh - 1) * sw * 3;
            uint8_t *dst = square.data + (size_t)y * fs * 3;
            for (int x = 0; x < fs; x++)
                memcpy(dst + x * 3, row + (x < sw ? x : sw - 1) * 3, 3);
        }
        err = run_net(c, &square, &out, e);
    }
    if (!err)
        err = sb_image_crop(&out, (const int[4]){0, 0, sw, sh}, styl, e);
    sb_image_free(&fit);
    sb_image_free(&square);
    sb_image_free(&out);
    return err;
}

/* out = photo + t x (styled - photo) per sample, in 8.8 fixed point; all three the same size. */
static void mix(const sb_image_t *photo, const sb_image_t *styled, float t, sb_image_t *out)
{
    /* A per-pixel mix in sRGB: photo and style share one geometry, so partial intensities read as a lighter
     * touch of the style, not as a double exposure, and 1 is the net's own output. */
    size_t n = (size_t)photo->width * photo->height * 3;
    int k = (int)lroundf(t * 256.0f);
    for (size_t i = 0; i < n; i++)
        out->data[i] = (uint8_t)((photo->data[i] * (256 - k) + styled->data[i] * k + 128) >> 8);
}

sb_err sb_cartoon_mix(const sb_image_t *photo, const sb_image_t *styled, float intensity, sb_image_t *out,
                      sb_error_t *e)
{
    memset(out, 0, sizeof *out);
    if (!(intensity >= 0.0f && intensity <= 1.0f))
        return sb_error_set(e, SB_ERR_USAGE, "intensity", "style intensity %g is outside 0..1", intensity);
    if (!photo->data || !styled->data || photo->bands != 3 || styled->bands != 3 || photo->width != styled->width ||
        photo->height != styled->height)
        return sb_error_set(e, SB_ERR_USAGE, "image", "the photo and its styled copy must be RGB of one size");
    sb_err err = sb_image_alloc(out, photo->width, photo->height, 3, e);
    if (!err)
        mix(photo, styled, intensity, out);
    return err;
}

/* The usage checks shared by sb_cartoon_net and sb_cartoon_apply. */
static sb_err check_args(int net_side, const sb_image_t *rgb, sb_error_t *e)
{
    if (net_side < SB_CARTOON_SIDE_MIN || net_side > SB_CARTOON_SIDE_MAX || net_side % 4)
        return sb_error_set(e, SB_ERR_USAGE, "net_side", "net side %d is not a multiple of 4 in %d..%d", net_side,
                            SB_CARTOON_SIDE_MIN, SB_CARTOON_SIDE_MAX);
    if (!rgb->data || rgb->bands != 3 || rgb->width < 1 || rgb->height < 1)
        return sb_error_set(e, SB_ERR_USAGE, "image", "the cartoonizer needs a non-empty RGB image");
    return SB_OK;
}

sb_err sb_cartoon_net(sb_cartoon_t *c, const sb_image_t *rgb, int net_side, sb_image_t *out, sb_error_t *e)
{
    memset(out, 0, sizeof *out);
    sb_err err = check_args(net_side, rgb, e);
    if (err)
        return err;
    if (c->fixed_side)
        return run_fixed(c, rgb, out, e);
    /* Same pixel count as a net_side square, so the cost does not depend on the aspect; keeping the aspect
     * keeps the net's strokes and outlines round instead of squeezed. */
    int w = rgb->width, h = rgb->height;
    double s = net_side / sqrt((double)w * h);
    sb_image_t small = {0};
    err = sb_image_resize(rgb, round4(w * s), round4(h * s), &small, e);
    if (!err)
        err = run_net(c, &small, out, e);
    sb_image_free(&small);
    return err;
}

sb_err sb_cartoon_apply(sb_cartoon_t *c, const sb_image_t *rgb, int net_side, float intensity, sb_image_t *out,
                        sb_error_t *e)
{
    memset(out, 0, sizeof *out);
    sb_err err = check_args(net_side, rgb, e);
    if (err)
        return err;
    if (!(intensity >= 0.0f && intensity <= 1.0f))
        return sb_error_set(e, SB_ERR_USAGE, "intensity", "style intensity %g is outside 0..1", intensity);

    int w = rgb->width, h = rgb->height;
    err = sb_image_alloc(out, w, h, 3, e);
    if (err)
        return err;
    size_t n = (size_t)w * h * 3;
    if (intensity == 0.0f) {
        memcpy(out->data, rgb->data, n);
        return SB_OK;
    }

    sb_image_t styl = {0}, back = {0};
    err = sb_cartoon_net(c, rgb, net_side, &styl, e);
    if (!err)
        err = sb_image_resize(&styl, w, h, &back, e);
    if (!err)
        mix(rgb, &back, intensity, out);
    sb_image_free(&styl);
    sb_image_free(&back);
    if (err)
        sb_image_free(out);
    return err;
}
