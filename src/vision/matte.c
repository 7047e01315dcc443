/* matte.c - selfie segmentation and the salient-object mask, each refined with the guided filter, merged. */
#include "vision/matte.h"

#include <stdlib.h>

#include "image/filter.h"
#include "image/label.h"
#include "image/resample.h"
#include "nn/models.h"
#include "nn/nn.h"
#include "vision/guided.h"
#include "vision/net_input.h"
#include "vision/salient.h"

#define NET_SIZE 256
/* The salient mask's 0.5 contour lies inside the person's edge: on the person set (matting/hseg_*, 12
 * photos) its mean IoU is 0.958 at 0.5 and 0.966 at 0.33, so before the merge it is remapped linearly
 * from [SALIENT_LO, SALIENT_HI] to [0, 1], which moves 0.33 to 0.5. SALIENT_LO clears the faint haze the
 * net leaves beside the subject (a power such as v^0.63, which also moves 0.33 to 0.5, lifted it into a
 * visible veil of the old wall above hair, out to the photo's edge). */
#define SALIENT_LO 0.05f
#define SALIENT_HI 0.61f
/* A part the selfie net alone calls person (selfie >= 0.5, salient < 0.5) is kept when it is under this
 * fraction of the salient mask's area (hair, a hand, a strap the salient net left out), and is another
 * figure the salient net saw as background when larger (a blurred person behind the subject). */
#define SELFIE_ONLY_FRAC 0.10

struct sb_matter {
    sb_net_t *net;
    sb_salient_t *salient;
};

sb_err sb_matter_open(sb_matter_t **out, sb_error_t *e)
{
    *out = NULL;
    sb_matter_t *x = calloc(1, sizeof *x);
    if (!x)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the matter");
    sb_err err = sb_model_session(SB_MODEL_SELFIE_SEG, &x->net, e);
    if (!err)
        err = sb_salient_open(&x->salient, e);
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
    sb_salient_close(m->salient);
    free(m);
}

/* Net probability map (NET_SIZE^2, 0..1) as an 8-bit image, so libvips can resample it. */
static sb_err coarse_mask(sb_matter_t *m, const sb_image_t *rgb, sb_image_t *mask, sb_error_t *e)
{
    sb_tensor_t in = {0}, out = {0};
    const char *name = "mask";
    sb_err err = sb_net_input_square(rgb, NET_SIZE, NULL, NULL, &in, e);
    if (err)
        return err;
    size_t plane = NET_SIZE * NET_SIZE;
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
    sb_tensor_free(&in);
    return err;
}

/* The selfie net's map brought to the photo and refined with the guided filter. The filter reads the map
 * only as the means of its GRID x GRID blocks, so the map is resampled to that grid (libvips' linear
 * filter, whose footprint is about that of the bilinear enlargement pooled on the blocks) and each value
 * repeated over its block: a twelfth of the CPU of enlarging it to the photo (800 px: about 1 against 12
 * ms, docs/BENCHMARKS.md, h11-pipe). With on_grid 0 it is enlarged to the photo (matte.h). */
#define GRID 4
sb_err sb_matte_selfie(sb_matter_t *m, const sb_image_t *rgb, const sb_fimage_t *guide, int on_grid,
                       sb_fimage_t *alpha, sb_error_t *e)
{
    sb_image_t coarse = {0}, grid = {0}, up = {0};
    int gw = (rgb->width + GRID - 1) / GRID, gh = (rgb->height + GRID - 1) / GRID;
    sb_err err = coarse_mask(m, rgb, &coarse, e);
    if (!err && !on_grid)
        err = sb_image_resize(&coarse, rgb->width, rgb->height, &up, e);
    if (!err && on_grid)
        err = gw <= NET_SIZE && gh <= NET_SIZE ? sb_image_shrink_linear(&coarse, gw, gh, &grid, e)
                                               : sb_image_resize(&coarse, gw, gh, &grid, e);
    if (!err && on_grid)
        err = sb_image_zoom(&grid, GRID, rgb->width, rgb->height, &up, e);
    if (!err)
        err = sb_image_to_float(&up, alpha, e);
    if (!err) {
        /* Window ~1% of the short side: wide enough to cross the net's soft band, narrow enough to keep
         * strands; coefficients on the coarser grid (the fast guided filter) cut the cost with no visible loss. */
        int short_side = rgb->width < rgb->height ? rgb->width : rgb->height;
        int r = short_side / 100 < 2 ? 2 : short_side / 100;
        err = sb_guided_filter(guide, alpha, r, 1e-3f, GRID, e);
    }
    sb_image_free(&coarse);
    sb_image_free(&grid);
    sb_image_free(&up);
    return err;
}

/* alpha = max(selfie, salient), but, when `drop_figures`, the salient value on and within `r` pixels of
 * a selfie-only part of SELFIE_ONLY_FRAC of the salient area or more (the other figure and its soft fringe
 * go together); the selfie alone when the salient mask is empty. `salient` has had its gain applied. */
static sb_err merge(sb_fimage_t *alpha, const sb_fimage_t *salient, int r, int drop_figures, sb_error_t *e)
{
    int w = alpha->width, h = alpha->height;
    size_t n = (size_t)w * h, salient_area = 0;
    for (size_t i = 0; i < n; i++)
        salient_area += salient->data[i] >= 0.5f;
    if (!salient_area)
        return SB_OK;
    if (!drop_figures) {
        for (size_t i = 0; i < n; i++)
            alpha->data[i] = salient->data[i] > alpha->data[i] ? salient->data[i] : alpha->data[i];
        return SB_OK;
    }
    sb_parts_t parts = {0};
    float *other = NULL;
    uint8_t *selfie_only = malloc(n);
    sb_err err = selfie_only ? SB_OK : sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the person matte");
    for (size_t i = 0; !err && i < n; i++)
        selfie_only[i] = alpha->data[i] >= 0.5f && salient->data[i] < 0.5f;
    if (!err)
        err = sb_parts_label(w, h, selfie_only, &parts, e);
    free(selfie_only);
    if (!err && !(other = malloc(n * sizeof *other)))
        err = sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the person matte");
    for (size_t i = 0; !err && i < n; i++) {
        int id = parts.label[i];
        other[i] = id && (double)parts.area[id - 1] >= SELFIE_ONLY_FRAC * (double)salient_area;
    }
    if (!err)
        err = sb_box_mean(other, other, w, h, 1, r, e);
    for (size_t i = 0; !err && i < n; i++)
        if (other[i] > 0 || salient->data[i] > alpha->data[i])
            alpha->data[i] = salient->data[i];
    free(other);
    sb_parts_free(&parts);
    return err;
}

sb_err sb_matte_person_nets(sb_matter_t *m, const sb_image_t *rgb, const sb_fimage_t *guide, int drop_figures,
                            sb_fimage_t *alpha, sb_fimage_t *salient, sb_error_t *e)
{
    sb_fimage_free(salient);
    sb_err err = sb_matte_selfie(m, rgb, guide, 1, alpha, e);
    if (!err)
        err = sb_salient_mask(m->salient, rgb, salient, e);
    if (!err) {
        size_t n = (size_t)rgb->width * rgb->height;
        for (size_t i = 0; i < n; i++) {
            float v = (salient->data[i] - SALIENT_LO) * (1.0f / (SALIENT_HI - SALIENT_LO));
            salient->data[i] = v < 0 ? 0 : v > 1 ? 1 : v;
        }
        int short_side = rgb->width < rgb->height ? rgb->width : rgb->height;
        err = merge(alpha, salient, short_side / 50 < 2 ? 2 : short_side / 50, drop_figures, e);
    }
    if (err) {
        sb_fimage_free(alpha);
        sb_fimage_free(salient);
    }
    return err;
}

sb_err sb_matte_person(sb_matter_t *m, const sb_image_t *rgb, const sb_fimage_t *guide, int drop_figures,
                       sb_fimage_t *alpha, sb_error_t *e)
{
    sb_fimage_t salient = {0};
    sb_err err = sb_matte_person_nets(m, rgb, guide, drop_figures, alpha, &salient, e);
    sb_fimage_free(&salient);
    return err;
}
