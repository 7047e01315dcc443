/* salient.c - u2netp salient-object mask + guided-filter refinement + island removal. */
#include "vision/salient.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "image/filter.h"
#include "image/resample.h"
#include "nn/models.h"
#include "nn/nn.h"
#include "vision/guided.h"
#include "vision/matte_snap.h"
#include "vision/regions.h"
#include "vision/net_input.h"
#include "vision/salient_peel.h"
#include "vision/salient_recover.h"

#define NET_SIZE 320
/* Parts of the thresholded mask under this fraction of the largest part are clutter the net picked up
 * (see docs/internals/vision.md, "Salient object mask", for the measurement). */
#define ISLAND_FRAC 0.05
/* sb_salient_mask refines only the box of the net map's kept parts, grown by this many net pixels (the soft
 * band around a part is a few net pixels wide) and by the guided filter's window; outside it the mask is 0. */
#define REGION_MARGIN 6
/* The net map is enlarged to a grid this many times coarser than the photo, then sampled up (refine_region). */
#define UP_STEP 4
/* Holes of the refined mask up to this fraction of the subject that the net's map did not have are filled
 * (fill_dug_holes). */
#define HOLE_FRAC 0.01
/* ... when the net's map there averages this or more (the aeroplane's belly in voc_1: 0.35 and 0.41). */
#define HOLE_NET 0.3
/* ... and when this fraction of its pixels or more have all 8 neighbours in it (not a thin slot). */
#define HOLE_CORE 0.25

struct sb_salient {
    sb_net_t *net;
};

sb_err sb_salient_open(sb_salient_t **out, sb_error_t *e)
{
    *out = NULL;
    sb_salient_t *s = calloc(1, sizeof *s);
    if (!s)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the salient-object net");
    sb_err err = sb_model_session(SB_MODEL_U2NETP, &s->net, e);
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
    sb_tensor_t in = {0}, out = {0};
    const char *name = "1959";
    sb_err err = sb_net_input_square(rgb, NET_SIZE, mean, std, &in, e);
    if (err)
        return err;
    size_t plane = NET_SIZE * NET_SIZE;
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
    sb_tensor_free(&in);
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
    size_t n = (size_t)w * h, largest = 0;
    uint8_t *bin = malloc(n);
    sb_regions_t parts = {0};
    if (!bin)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory to clear a mask's islands");
    for (size_t i = 0; i < n; i++)
        bin[i] = alpha->data[i] >= 0.5f;
    sb_err err = sb_regions_find(bin, w, h, &parts, e);
    for (int i = 0; !err && i < parts.n; i++)
        largest = parts.part[i].area > largest ? parts.part[i].area : largest;
    for (int i = 0; !err && i < parts.n_runs; i++) {
        const sb_region_run_t *run = &parts.run[i];
        if ((double)parts.part[run->part].area < ISLAND_FRAC * (double)largest)
            memset(alpha->data + (size_t)run->y * w + run->x0, 0, sizeof(float) * (size_t)(run->x1 - run->x0));
    }
    sb_regions_free(&parts);
    free(bin);
    return err;
}

/* Window radius of the guided filter for a photo of this size: the person matte's (~1% of the short side),
 * wide enough to cross the soft band of a 320 px map enlarged to the photo. */
static int guided_radius(int width, int height)
{
    int short_side = width < height ? width : height;
    return short_side / 100 < 2 ? 2 : short_side / 100;
}

/* Guided filter with radius r (coefficients on a 4x coarser grid: the fast guided filter), then islands. */
static sb_err refine(const sb_image_t *rgb, sb_fimage_t *alpha, int r, sb_error_t *e)
{
    sb_fimage_t guide = {0};
    sb_err err = sb_image_to_float(rgb, &guide, e);
    if (!err)
        err = sb_guided_filter(&guide, alpha, r, 1e-3f, 4, e);
    sb_fimage_free(&guide);
    if (!err)
        err = remove_islands(alpha, e);
    return err;
}

sb_err sb_salient_refine(const sb_image_t *rgb, sb_fimage_t *alpha, sb_error_t *e)
{
    sb_err err = check_rgb(rgb, e);
    if (err)
        return err;
    if (!alpha || !alpha->data || alpha->bands != 1 || alpha->width != rgb->width || alpha->height != rgb->height)
        return sb_error_set(e, SB_ERR_USAGE, "image", "the salient mask must be 1 band, the photo's size");
    return refine(rgb, alpha, guided_radius(rgb->width, rgb->height), e);
}

/* The rectangle of `rgb` (x0, y0, x1, y1; x1, y1 exclusive) the refined mask can be non-zero in: the box of
 * the net map's parts that island removal keeps, grown by REGION_MARGIN net pixels and the window `r`.
 * *found is 0 when the map has no part. */
static sb_err region(const sb_image_t *coarse, const sb_image_t *rgb, int r, int out[4], int *found, sb_error_t *e)
{
    sb_fimage_t parts = {0};
    int box[4] = {NET_SIZE, NET_SIZE, -1, -1};
    sb_err err = sb_image_to_float(coarse, &parts, e);
    if (!err)
        err = remove_islands(&parts, e);
    for (int y = 0; !err && y < NET_SIZE; y++)
        for (int x = 0; x < NET_SIZE; x++)
            if (parts.data[y * NET_SIZE + x] >= 0.5f) {
                box[0] = x < box[0] ? x : box[0], box[1] = y < box[1] ? y : box[1];
                box[2] = x > box[2] ? x : box[2], box[3] = y > box[3] ? y : box[3];
            }
    sb_fimage_free(&parts);
    *found = !err && box[2] >= 0;
    if (!*found)
        return err;
    double kx = (double)rgb->width / NET_SIZE, ky = (double)rgb->height / NET_SIZE;
    int x0 = (int)floor((box[0] - REGION_MARGIN) * kx) - r, y0 = (int)floor((box[1] - REGION_MARGIN) * ky) - r;
    int x1 = (int)ceil((box[2] + 1 + REGION_MARGIN) * kx) + r, y1 = (int)ceil((box[3] + 1 + REGION_MARGIN) * ky) + r;
    out[0] = x0 < 0 ? 0 : x0, out[1] = y0 < 0 ? 0 : y0;
    out[2] = x1 > rgb->width ? rgb->width : x1, out[3] = y1 > rgb->height ? rgb->height : y1;
    return SB_OK;
}

/* Fill the holes the guided filter dug in the subject: parts of alpha < 0.5 that do not reach the border,
 * at most HOLE_FRAC of the subject (alpha >= 0.5), where the net's own map (`net`: the sampler that enlarged
 * it, before the filter) is HOLE_NET or more on average. The filter follows the photo's colours, so a part of the subject as
 * light as the background around it (an aeroplane's white belly against a white sky) loses its alpha even
 * where the net saw the subject; a hole the net saw too (a mug's handle) is left, and so is a thin slot
 * (under HOLE_CORE of its pixels with all 8 neighbours in it: the wall between a lamp's two arm bars). */
static sb_err fill_dug_holes(sb_pooled_sampler_t *net, sb_fimage_t *alpha, sb_error_t *e)
{
    int w = alpha->width, h = alpha->height, last_y = -1;
    size_t n = (size_t)w * h, in_n = 0;
    uint8_t *hole = malloc(n);
    float *row = malloc((size_t)w * sizeof *row);
    sb_regions_t r = {0};
    double *acc = NULL;
    sb_err err = hole && row ? SB_OK : sb_error_set(e, SB_ERR_NOMEM, "", "out of memory to fill a mask's holes");
    for (size_t i = 0; !err && i < n; i++)
        hole[i] = alpha->data[i] < 0.5f, in_n += !hole[i];
    if (!err)
        err = sb_regions_find(hole, w, h, &r, e);
    if (!err && !(acc = calloc((size_t)(r.n ? r.n : 1) * 3, sizeof *acc)))
        err = sb_error_set(e, SB_ERR_NOMEM, "", "out of memory to fill a mask's holes");
    /* Candidates: enclosed and small. */
    for (int p = 0; !err && p < r.n; p++) {
        const sb_region_t *q = &r.part[p];
        acc[p * 3 + 2] = q->box[0] > 0 && q->box[1] > 0 && q->box[2] < w && q->box[3] < h &&
                         (double)q->area <= HOLE_FRAC * (double)in_n;
    }
    /* Per candidate: the net map's sum (its rows sampled only where a candidate lies) and its pixels whose 8
     * neighbours are all hole (a slot between two thin parts, the lamp's arm bars, has almost none: the
     * background seen through it, not a dug hole). */
    for (int i = 0; !err && i < r.n_runs; i++) {
        const sb_region_run_t *run = &r.run[i];
        if (!acc[run->part * 3 + 2])
            continue;
        if (run->y != last_y)
            sb_pooled_sampler_row(net, run->y, row), last_y = run->y;
        for (int x = run->x0; x < run->x1; x++) {
            int inner = 1;
            for (int dy = -1; dy <= 1 && inner; dy++)
                for (int dx = -1; dx <= 1; dx++)
                    inner &= hole[(size_t)(run->y + dy) * w + x + dx] != 0;
            acc[run->part * 3] += row[x], acc[run->part * 3 + 1] += inner;
        }
    }
    for (int p = 0; !err && p < r.n; p++) {
        double area = (double)r.part[p].area;
        acc[p * 3 + 2] = acc[p * 3 + 2] && acc[p * 3] >= HOLE_NET * area && acc[p * 3 + 1] >= HOLE_CORE * area;
    }
    for (int i = 0; !err && i < r.n_runs; i++)
        if (acc[r.run[i].part * 3 + 2])
            for (int x = r.run[i].x0; x < r.run[i].x1; x++)
                alpha->data[(size_t)r.run[i].y * w + x] = 1;
    free(acc);
    sb_regions_free(&r);
    free(hole);
    free(row);
    return err;
}

/* The net map enlarged to the rectangle r of the photo (bilinear, pixel centres aligned as a whole-image
 * resize would), refined there with the whole photo's window, written into the zeroed `alpha`. The
 * enlargement takes two steps: libvips to a grid UP_STEP times coarser than the photo, then bilinear rows
 * (sb_pooled_sampler_t); libvips' own upsampling costs ~15 ns a pixel at full size, and the guided filter
 * only reads the map's means over 4 x 4 cells anyway. */
static sb_err refine_region(const sb_image_t *coarse, const sb_image_t *rgb, const int r[4], int radius, bool snap,
                            sb_fimage_t *alpha, sb_error_t *e)
{
    double kx = (double)rgb->width / NET_SIZE / UP_STEP, ky = (double)rgb->height / NET_SIZE / UP_STEP;
    int w = r[2] - r[0], h = r[3] - r[1], gw = (w + UP_STEP - 1) / UP_STEP, gh = (h + UP_STEP - 1) / UP_STEP;
    /* Grid cell g is centred on crop pixel (g + 0.5) UP_STEP - 0.5; net pixel u on photo pixel (u + 0.5) k - 0.5. */
    double m[6] = {kx, 0, 0.5 * kx - (double)r[0] / UP_STEP - 0.5, 0, ky, 0.5 * ky - (double)r[1] / UP_STEP - 0.5};
    sb_image_t part = {0}, grid8 = {0};
    sb_fimage_t grid = {0}, a = {0};
    sb_pooled_sampler_t ps = {0};
    sb_err err = sb_image_crop(rgb, r, &part, e);
    if (!err)
        err = sb_image_warp_affine(coarse, m, gw, gh, &grid8, NULL, e);
    if (!err)
        err = sb_image_to_float(&grid8, &grid, e);
    if (!err)
        err = sb_fimage_alloc(&a, w, h, 1, e);
    if (!err)
        err = sb_pooled_sampler_init(&ps, grid.data, gw, gh, 1, UP_STEP, w, e);
    for (int y = 0; !err && y < h; y++)
        sb_pooled_sampler_row(&ps, y, a.data + (size_t)y * w);
    if (!err)
        err = refine(&part, &a, radius, e);
    if (!err)
        err = fill_dug_holes(&ps, &a, e);
    long snapped = 0;
    if (!err && snap)
        err = sb_matte_snap(&part, &a, radius / 2 > 1 ? radius / 2 : 1, &snapped, e);
    for (int y = 0; !err && y < h; y++)
        memcpy(alpha->data + (size_t)(r[1] + y) * alpha->width + r[0], a.data + (size_t)y * w, sizeof(float) * w);
    sb_pooled_sampler_free(&ps);
    sb_image_free(&part);
    sb_image_free(&grid8);
    sb_fimage_free(&grid);
    sb_fimage_free(&a);
    return err;
}

/* The net saw only a fraction of the product (sb_salient_recover raised its faint areas: a label on a plain
 * product): look again with that fraction of the map `first` (before the recovery) hidden (salient_peel.h)
 * and put the larger of the two looks at each pixel into `coarse`, to be recovered again. */
static sb_err second_look(sb_salient_t *s, const sb_image_t *rgb, const uint8_t *first, sb_image_t *coarse,
                          sb_error_t *e)
{
    sb_image_t small = {0}, peeled = {0}, again = {0};
    sb_err err = sb_image_resize(rgb, NET_SIZE, NET_SIZE, &small, e);
    if (!err)
        err = sb_salient_peel_image(&small, first, NET_SIZE, &peeled, e);
    if (!err)
        err = coarse_mask(s, &peeled, &again, e);
    for (size_t i = 0; !err && i < (size_t)NET_SIZE * NET_SIZE; i++)
        coarse->data[i] = again.data[i] > first[i] ? again.data[i] : first[i];
    sb_image_free(&small);
    sb_image_free(&peeled);
    sb_image_free(&again);
    return err;
}

/* sb_salient_mask, with the map's faint wide areas recovered first when `recovered` is non-NULL (the
 * number of map pixels raised goes there). */
static sb_err mask_of(sb_salient_t *s, const sb_image_t *rgb, sb_fimage_t *alpha, long *recovered, sb_error_t *e)
{
    *alpha = (sb_fimage_t){0};
    sb_err err = check_rgb(rgb, e);
    if (err)
        return err;
    sb_image_t coarse = {0};
    int r[4], found = 0, radius = guided_radius(rgb->width, rgb->height);
    uint8_t *first = NULL;
    err = coarse_mask(s, rgb, &coarse, e);
    if (!err && recovered && !(first = malloc((size_t)NET_SIZE * NET_SIZE)))
        err = sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the net's map");
    if (!err && recovered) {
        memcpy(first, coarse.data, (size_t)NET_SIZE * NET_SIZE);
        err = sb_salient_recover(coarse.data, NET_SIZE, NET_SIZE, recovered, e);
    }
    /* A product the net saw a fraction of: a second look without that fraction, then recovered again. */
    if (!err && recovered && *recovered > 0)
        err = second_look(s, rgb, first, &coarse, e);
    if (!err && recovered && *recovered > 0)
        err = sb_salient_recover(coarse.data, NET_SIZE, NET_SIZE, recovered, e);
    free(first);
    if (!err)
        err = sb_fimage_alloc(alpha, rgb->width, rgb->height, 1, e);
    if (!err) {
        memset(alpha->data, 0, sizeof(float) * (size_t)rgb->width * rgb->height);
        err = region(&coarse, rgb, radius, r, &found, e);
    }
    if (!err && found)
        err = refine_region(&coarse, rgb, r, radius, recovered != NULL, alpha, e);
    sb_image_free(&coarse);
    if (err)
        sb_fimage_free(alpha);
    return err;
}

sb_err sb_salient_mask(sb_salient_t *s, const sb_image_t *rgb, sb_fimage_t *alpha, sb_error_t *e)
{
    return mask_of(s, rgb, alpha, NULL, e);
}

sb_err sb_salient_product_mask(sb_salient_t *s, const sb_image_t *rgb, sb_fimage_t *alpha, long *recovered,
                               sb_error_t *e)
{
    return mask_of(s, rgb, alpha, recovered, e);
}
