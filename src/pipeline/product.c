/* product.c - the product photo pipeline (see docs/internals/pipeline.md for the stage list). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "image/resample.h"
#include "pipeline/product_cut.h"
#include "pipeline/product_plan.h"
#include "pipeline/studio.h"
#include "render/composite.h"
#include "render/glass.h"
#include "render/ground.h"
#include "render/scene.h"
#include "render/shadow.h"
#include "vision/cast_shadow.h"
#include "vision/matte_trim.h"
#include "vision/matte_ragged.h"
#include "vision/matte_seam.h"
#include "vision/product_holes.h"
#include "vision/white_check.h"

/* A subject box within this many working pixels of the photo's edge was cut by it. */
#define EDGE_TOUCH 1
/* The working image: decoded so its long side is at least this (and under twice it, by shrink-on-load). */
#define WORK_SIDE 1024
/* Mask values under this are cleared: the refined mask's faint haze would grey a pure white studio. */
#define ALPHA_FLOOR 0.05f
/* The crop around the subject's box keeps its soft edge: this fraction of the box's long side, each way. */
#define CROP_MARGIN 0.02f
/* A layer enlarged more than this is steepened (sb_matte_steepen by scale / STEEPEN_FROM): its outer
 * edge stays about as wide as at the photo's scale instead of a blurred ramp. */
#define STEEPEN_FROM 1.5f

/* Clamp the refined mask to 0..1, clear its faint haze, and find the subject: the box of mask >= 0.5
 * (x0, y0 inclusive, x1, y1 exclusive) and its coverage. SB_ERR_NO_SUBJECT when there is none. */
static sb_err subject_box(sb_fimage_t *alpha, int box[4], float *coverage, sb_error_t *e)
{
    int w = alpha->width, h = alpha->height;
    size_t count = 0;
    box[0] = w, box[1] = h, box[2] = box[3] = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            float *a = &alpha->data[(size_t)y * w + x];
            *a = *a < ALPHA_FLOOR ? 0 : *a > 1 ? 1 : *a;
            if (*a < 0.5f)
                continue;
            count++;
            box[0] = x < box[0] ? x : box[0], box[1] = y < box[1] ? y : box[1];
            box[2] = x + 1 > box[2] ? x + 1 : box[2], box[3] = y + 1 > box[3] ? y + 1 : box[3];
        }
    *coverage = (float)count / ((float)w * h);
    if (!count)
        return sb_error_set(e, SB_ERR_NO_SUBJECT, "image", "no product or other subject was found in the image");
    return SB_OK;
}

/* The placed product: foreground colours and alpha, 8-bit RGBA, top-left pixel at (x, y) of the canvas, and
 * its alpha again as floats (what the shadow is cast from). It may stick out of the canvas (a crop margin
 * with no padding): the shadow and the compositor cut it. */
typedef struct {
    sb_image_t rgba;
    sb_fimage_t alpha;
    int x, y;
    double scale; /* canvas pixels per working pixel */
} layer_t;

static void layer_free(layer_t *l)
{
    sb_image_free(&l->rgba);
    sb_fimage_free(&l->alpha);
}

/* Resize the product's colours and alpha (`rgba`, 8-bit) to w x h into the layer: one 4-band resize costs
 * little more than one 1-band one (libvips' cost is mostly per call). The resampled alpha is trimmed again
 * (sb_matte_trim at the canvas's scale: a bump joined to the product by a neck a working pixel wide comes
 * apart when enlarged) and its faint tails (under ALPHA_FLOOR) cleared, as the mask's haze was; a layer
 * enlarged (out->scale) over STEEPEN_FROM times has its outer ramp steepened back to about its width at
 * the photo's scale. The layer keeps the resized RGBA (the compositor reads it) and its alpha as floats
 * (the shadow is cast from them). */
static sb_err resize_layer(const sb_image_t *rgba, int w, int h, layer_t *out, sb_error_t *e)
{
    sb_err err = sb_image_resize(rgba, w, h, &out->rgba, e);
    if (!err)
        err = sb_fimage_alloc(&out->alpha, w, h, 1, e);
    for (size_t i = 0; !err && i < (size_t)w * h; i++)
        out->alpha.data[i] = out->rgba.data[i * 4 + 3] * (1.0f / 255.0f);
    if (!err)
        err = sb_matte_trim(&out->alpha, e);
    if (!err && out->scale > STEEPEN_FROM)
        sb_matte_steepen(&out->alpha, (float)out->scale / STEEPEN_FROM);
    for (size_t i = 0; !err && i < (size_t)w * h; i++) {
        float *a = &out->alpha.data[i];
        *a = *a < ALPHA_FLOOR ? 0 : *a;
        out->rgba.data[i * 4 + 3] = sb_product_round_u8(*a * 255);
    }
    return err;
}

/* The rectangle of the working photo `work` around the subject's box that is cut out: the box with a
 * margin of CROP_MARGIN of its long side (and 2 pixels) each way, within the photo. */
static void crop_rect(const int box[4], const sb_image_t *work, int r[4])
{
    int bw = box[2] - box[0], bh = box[3] - box[1];
    int m = (int)ceilf(CROP_MARGIN * (bw > bh ? bw : bh)) + 2;
    sb_product_grow_box(box, m, m, work->width, work->height, r);
}

/* Trim the working photo to the subject, estimate its foreground colours there (stage "foreground"),
 * scale it so its box fits the canvas inside the padding, centred horizontally with the box's bottom on
 * the floor line `padding` above the canvas's bottom, into the layer `out` (stage "place"). A side of the
 * box that the photo's edge cut (a product, or the hand holding it, leaving the photo) is put at the
 * canvas's edge instead, with no padding, so no straight cut floats on the canvas. Glass lets the new scene
 * through (render/glass.h; the verdict in `glass`). */
static sb_err place(const sb_product_plan_t *p, const sb_image_t *work, const sb_fimage_t *mask, const int box[4], layer_t *out,
                    sb_product_transparency_t *glass, sb_stages_t *st, sb_error_t *e)
{
    int bw = box[2] - box[0], bh = box[3] - box[1], r[4];
    crop_rect(box, work, r);
    sb_image_t f = {0};
    sb_err err = sb_product_cut(work, mask, r, &f, st, e);
    if (err)
        goto done;

    /* A side of the box the photo's edge cut goes to the canvas's edge: no padding there. */
    int cut[4] = {box[0] <= EDGE_TOUCH, box[1] <= EDGE_TOUCH, box[2] >= work->width - EDGE_TOUCH,
                  box[3] >= work->height - EDGE_TOUCH};
    int pad_x = (int)lroundf(p->padding * p->width), pad_y = (int)lroundf(p->padding * p->height);
    int fit_w = p->width - (!cut[0] + !cut[2]) * pad_x, fit_h = p->height - (!cut[1] + !cut[3]) * pad_y;
    double s = fmin((double)(fit_w > 1 ? fit_w : 1) / bw, (double)(fit_h > 1 ? fit_h : 1) / bh);
    int cw = (int)lround((r[2] - r[0]) * s), ch = (int)lround((r[3] - r[1]) * s);
    cw = cw < 1 ? 1 : cw, ch = ch < 1 ? 1 : ch;
    /* The box's placed left edge and bottom (centred, on the floor line, or at the cut edges), then the
     * crop's corner from its margin. */
    double box_x = cut[0] ? 0 : cut[2] ? p->width - bw * s : (p->width - bw * s) / 2;
    double box_bottom = cut[3] ? p->height : cut[1] ? bh * s : p->height - pad_y;
    out->x = (int)lround(box_x - (box[0] - r[0]) * s), out->y = (int)lround(box_bottom - (box[3] - r[1]) * s);
    out->scale = s;
    err = resize_layer(&f, cw, ch, out, e);
    /* Glass lets the new scene through (render/glass.h); a coloured scene light tints the product. */
    if (!err)
        err = sb_glass_see_through(work, mask, r, p->glass, &out->rgba, &glass->score, &glass->applied, e);
    if (!err)
        glass->done = true, glass->uncertain = sb_glass_uncertain(p->glass, glass->score);
    /* An opaque product is opaque: no ghost of it with the scene through (vision/matte_solid.h). */
    if (!err && !glass->applied)
        err = sb_product_solidify(&out->alpha, &out->rgba, (float)(SB_PRODUCT_SOLID_DEPTH_FRAC * s * (bw > bh ? bw : bh)),
                                  e);
    if (!err)
        sb_scene_tint_layer(p->preset, &p->spec, &out->rgba);
    if (!err)
        sb_stages_mark(st, "place");
done:
    sb_image_free(&f);
    return err;
}

/* Under the opaque part of the product the shadow can never show: clear it there, so applying it there
 * costs nothing (the composite gives the same pixels either way). */
static void clear_under(const layer_t *l, sb_fimage_t *shadow)
{
    for (int y = l->y < 0 ? -l->y : 0; y < l->alpha.height && y + l->y < shadow->height; y++) {
        const float *a = l->alpha.data + (size_t)y * l->alpha.width;
        float *s = shadow->data + (size_t)(y + l->y) * shadow->width;
        for (int x = l->x < 0 ? -l->x : 0; x < l->alpha.width && x + l->x < shadow->width; x++)
            if (a[x] >= 1)
                s[x + l->x] = 0;
    }
}

/* The transparent output: the product (its layer's RGBA, glass already see-through) over its shadow (black, as
 * alpha) over nothing, 8-bit RGBA. */
static sb_err transparent(const layer_t *l, const sb_fimage_t *shadow, sb_image_t *out, sb_error_t *e)
{
    int w = shadow->width, h = shadow->height;
    sb_err err = sb_image_alloc(out, w, h, 4, e);
    for (int y = 0; !err && y < h; y++)
        for (int x = 0; x < w; x++) {
            int lx = x - l->x, ly = y - l->y, in = lx >= 0 && ly >= 0 && lx < l->alpha.width && ly < l->alpha.height;
            size_t li = in ? (size_t)ly * l->alpha.width + lx : 0, i = (size_t)y * w + x;
            float a = in ? l->rgba.data[li * 4 + 3] * (1.0f / 255.0f) : 0, total = a + (1 - a) * shadow->data[i];
            for (int k = 0; k < 3; k++) {
                float v = total > 0 ? a * (in ? l->rgba.data[li * 4 + k] * (1.0f / 255.0f) : 0) / total : 0;
                v = v < 0 ? 0 : v > 1 ? 1 : v;
                out->data[i * 4 + k] = sb_product_round_u8(v * 255);
            }
            out->data[i * 4 + 3] = sb_product_round_u8((total > 1 ? 1 : total) * 255);
        }
    return err;
}

/* Canvas row y from column x0 to x1: its background `bg` (3 bands, x1 - x0 wide; modified) darkened by the
 * shadow's row, the product's row over it, in 8 bits into `out` (the row's pixel x0). One row at a time, so
 * no float pass runs over a whole canvas but the scene's own. */
static sb_err compose_row(const layer_t *l, const sb_fimage_t *shadow, int y, int x0, sb_fimage_t *bg, uint8_t *out,
                          sb_error_t *e)
{
    sb_fimage_t s = {bg->width, 1, 1, shadow->data + (size_t)y * shadow->width + x0};
    sb_image_t row8 = {0};
    sb_err err = sb_shadow_apply(bg, &s, e);
    if (!err)
        err = sb_composite_rgba8_over_at(&l->rgba, l->x - x0, l->y - y, bg, e);
    if (!err)
        err = sb_fimage_to_u8(bg, &row8, e);
    if (!err)
        memcpy(out, row8.data, (size_t)row8.width * 3);
    sb_image_free(&row8);
    return err;
}

/* The columns [*x0, *x1) of canvas row y that the shadow or the product's layer touch (x0 >= x1: none). */
static void touched(const layer_t *l, const sb_fimage_t *shadow, int y, int *x0, int *x1)
{
    int w = shadow->width, lo = 0, hi = w;
    const float *s = shadow->data + (size_t)y * w;
    while (lo < w && !(s[lo] > 0))
        lo++;
    while (hi > lo && !(s[hi - 1] > 0))
        hi--;
    int shadowed = lo < hi, a = l->x < 0 ? 0 : l->x, b = l->x + l->rgba.width > w ? w : l->x + l->rgba.width;
    if (y >= l->y && y < l->y + l->rgba.height && a < b) {
        lo = shadowed && lo < a ? lo : a;
        hi = shadowed && hi > b ? hi : b;
    }
    *x0 = lo, *x1 = hi;
}

/* The opaque background: the scene, darkened by the shadow, the product over it, 8-bit RGB in `out`
 * (stages "background" and "composite"). The scene is painted row by row (sb_scene_row), lit from the side
 * opposite the shadow. A flat scene (white studio) is never painted whole: each row starts as an 8-bit copy
 * of its colour, and only the columns that shadow or product touch go through floats. */
static sb_err opaque(const sb_product_plan_t *p, const layer_t *l, const sb_fimage_t *shadow, sb_image_t *out, sb_stages_t *st,
                     sb_error_t *e)
{
    float flat[3];
    int is_flat = sb_scene_flat(p->preset, flat), w = p->width;
    sb_scene_painter_t *painter = NULL;
    sb_fimage_t flat_row = {0}, row = {0};
    sb_image_t flat8 = {0};
    sb_err err = sb_fimage_alloc(&row, w, 1, 3, e);
    if (!err && is_flat) {
        err = sb_fimage_alloc(&flat_row, w, 1, 3, e);
        for (int i = 0; !err && i < w * 3; i++)
            flat_row.data[i] = flat[i % 3];
        if (!err)
            err = sb_fimage_to_u8(&flat_row, &flat8, e);
    } else if (!err) {
        /* Outdoor's table where the product stands; seen from above, the table top fills the frame; a product
         * whose base is out of the frame (held, or running off the photo) stands on nothing. */
        sb_ground_t gr = sb_ground_read(&l->alpha, l->x, l->y, w, p->height);
        sb_scene_frame_t frame = {sb_shadow_angle(p->shadow, &p->ov),
                                  gr.kind == SB_GROUND_STANDING ? (float)gr.base : NAN, gr.kind == SB_GROUND_ABOVE};
        err = sb_scene_open(p->preset, &p->spec, p->seed, w, p->height, &frame, &painter, e);
    }
    if (!err)
        err = sb_image_alloc(out, w, p->height, 3, e);
    if (err)
        goto done;
    sb_stages_mark(st, "background");
    for (int y = 0; !err && y < p->height; y++) {
        uint8_t *out_row = out->data + (size_t)y * w * 3;
        int x0 = 0, x1 = w;
        sb_fimage_t bg;
        if (is_flat) {
            memcpy(out_row, flat8.data, (size_t)w * 3);
            touched(l, shadow, y, &x0, &x1);
            if (x0 >= x1)
                continue;
            bg = (sb_fimage_t){x1 - x0, 1, 3, row.data};
            memcpy(bg.data, flat_row.data, sizeof(float) * (size_t)(x1 - x0) * 3);
        } else {
            bg = row;
            sb_scene_row(painter, y, bg.data);
        }
        err = compose_row(l, shadow, y, x0, &bg, out_row + (size_t)x0 * 3, e);
    }
done:
    sb_scene_close(painter);
    sb_fimage_free(&flat_row);
    sb_fimage_free(&row);
    sb_image_free(&flat8);
    if (err)
        sb_image_free(out);
    return err;
}

/* Amazon's main-image rules on the canvas (w x h) whose product alpha is `alpha`, given the white check. */
static sb_product_amazon_t amazon_main(const sb_image_t *alpha, bool white)
{
    int w = alpha->width, h = alpha->height, box[4] = {w, h, 0, 0};
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            if (alpha->data[(size_t)y * w + x] >= 128) {
                box[0] = x < box[0] ? x : box[0], box[1] = y < box[1] ? y : box[1];
                box[2] = x + 1 > box[2] ? x + 1 : box[2], box[3] = y + 1 > box[3] ? y + 1 : box[3];
            }
    sb_product_amazon_t a = {.done = true, .long_side = w > h ? w : h};
    float fx = box[2] > box[0] ? (float)(box[2] - box[0]) / w : 0, fy = box[3] > box[1] ? (float)(box[3] - box[1]) / h : 0;
    a.fill = fx > fy ? fx : fy;
    a.reasons = (white ? 0 : SB_AMAZON_NOT_WHITE) | (a.fill < SB_AMAZON_MIN_FILL ? SB_AMAZON_FILL : 0) |
                (a.long_side < SB_AMAZON_MIN_SIDE ? SB_AMAZON_SIDE : 0);
    a.pass = !a.reasons;
    return a;
}

/* The white-studio check of the composited canvas `out` (stage "check"): the layer's alpha (the product's
 * shape, before glass lets the background through) is laid on a canvas-sized plane for it. The verdicts go to
 * res->white and res->amazon. */
static sb_err white_check(const layer_t *l, const sb_image_t *out, const sb_fimage_t *shadow,
                          sb_product_result_t *res, sb_error_t *e)
{
    sb_image_t alpha = {0};
    sb_white_check_t c;
    sb_err err = sb_image_alloc(&alpha, out->width, out->height, 1, e);
    if (err)
        return err;
    memset(alpha.data, 0, (size_t)out->width * out->height);
    for (int y = l->y < 0 ? -l->y : 0; y < l->alpha.height && y + l->y < out->height; y++)
        for (int x = l->x < 0 ? -l->x : 0; x < l->alpha.width && x + l->x < out->width; x++)
            alpha.data[(size_t)(y + l->y) * out->width + x + l->x] =
                sb_product_round_u8(l->alpha.data[(size_t)y * l->alpha.width + x] * 255);
    err = sb_white_check(out, &alpha, shadow, &c, e);
    if (!err) {
        res->white = (sb_product_white_t){true, c.pass, c.off_white, c.stray};
        res->amazon = amazon_main(&alpha, c.pass);
    }
    sb_image_free(&alpha);
    if (err)
        return err;
    sb_stages_mark(&res->detect.stages, "check");
    return SB_OK;
}

/* Shadow, background, composite and encode of the placed product into res->output. */
static sb_err render(const sb_product_plan_t *p, const layer_t *l, sb_product_result_t *res, sb_error_t *e)
{
    sb_stages_t *st = &res->detect.stages;
    sb_fimage_t shadow = {0};
    sb_image_t out = {0};
    sb_err err = sb_shadow_render(&l->alpha, l->x, l->y, p->width, p->height, p->shadow, &p->ov, &shadow, e);
    if (err)
        goto done;
    if (p->preset == SB_SCENE_TRANSPARENT) {
        sb_stages_mark(st, "shadow");
        err = transparent(l, &shadow, &out, e);
    } else {
        clear_under(l, &shadow);
        sb_stages_mark(st, "shadow");
        err = opaque(p, l, &shadow, &out, st, e);
    }
    if (err)
        goto done;
    sb_stages_mark(st, "composite");
    if (p->preset == SB_SCENE_WHITE_STUDIO)
        err = white_check(l, &out, &shadow, res, e);
    if (!err)
        err = sb_io_encode(&out, p->format, p->quality, &res->output, &res->output_len, e);
    if (err)
        goto done;
    res->width = p->width, res->height = p->height;
    res->format = p->format;
    res->has_alpha = out.bands == 4;
    sb_stages_mark(st, "encode");
done:
    sb_fimage_free(&shadow);
    sb_image_free(&out);
    return err;
}

/* The mask alone at the upright input size, as a 1-band PNG (stage "encode"): the product's shape. A
 * product not treated as glass (p->glass, judged on the photo `work` as on a canvas; the verdict in
 * res->transparency) is made solid inside (sb_product_solidify, in `mask` itself); glass keeps the net's
 * matte (its transparency is the cut-out's and the canvas's business, not its shape's). */
static sb_err encode_mask(const sb_product_plan_t *p, const sb_image_t *work, sb_fimage_t *mask, const int box[4],
                          sb_product_result_t *res, sb_error_t *e)
{
    const sb_detect_result_t *d = &res->detect;
    sb_product_transparency_t *t = &res->transparency;
    sb_image_t m8 = {0}, up = {0};
    sb_glass_t glass = {0};
    int r[4], bw = box[2] - box[0], bh = box[3] - box[1];
    crop_rect(box, work, r);
    /* A min_score over 1: the score alone, no map. */
    sb_err err = sb_glass_estimate(work, mask, r, 2.0f, &glass, e);
    sb_glass_free(&glass);
    if (!err) {
        t->done = true, t->score = glass.score, t->applied = glass.score >= sb_glass_min_score(p->glass);
        t->uncertain = sb_glass_uncertain(p->glass, glass.score);
        if (!t->applied)
            err = sb_product_solidify(mask, NULL, (float)(SB_PRODUCT_SOLID_DEPTH_FRAC * (bw > bh ? bw : bh)), e);
    }
    if (!err)
        err = sb_fimage_to_u8(mask, &m8, e);
    const sb_image_t *img = &m8;
    if (!err && (d->upright_width != m8.width || d->upright_height != m8.height)) {
        err = sb_image_resize(&m8, d->upright_width, d->upright_height, &up, e);
        img = &up;
    }
    if (!err)
        err = sb_io_encode(img, SB_FMT_PNG, 0, &res->output, &res->output_len, e);
    if (!err) {
        res->width = img->width, res->height = img->height;
        res->format = SB_FMT_PNG;
        sb_stages_mark(&res->detect.stages, "encode");
    }
    sb_image_free(&m8);
    sb_image_free(&up);
    return err;
}

sb_err sb_product(sb_studio_t *studio, const uint8_t *buf, size_t len, const sb_product_opts_t *opts,
                  sb_product_result_t *res, sb_error_t *e)
{
    memset(res, 0, sizeof *res);
    sb_detect_result_t *d = &res->detect;
    d->subject = -1;
    sb_stages_start(&d->stages);
    sb_product_plan_t p;
    sb_image_t work = {0};
    sb_fimage_t mask = {0};
    layer_t placed = {0};
    sb_salient_t *salient;
    long recovered = 0;
    int box[4];
    sb_err err = sb_product_plan(opts, &p, res, e);
    if (err)
        goto done;
    res->preset = sb_scene_preset_name(p.preset);
    res->shadow_type = sb_shadow_name(p.shadow);
    res->seed = p.seed;
    err = sb_pipeline_decode(buf, len, WORK_SIDE, 0, &work, d, e);
    if (!err)
        err = sb_studio_salient(studio, &salient, e);
    if (!err) {
        sb_detect_result_add_model(d, SB_MODEL_U2NETP);
        err = sb_salient_product_mask(salient, &work, &mask, &recovered, e);
    }
    if (!err)
        err = sb_matte_trim(&mask, e);
    if (!err)
        err = sb_cast_shadow_remove(&work, &mask, &res->shadow_removed, e);
    if (!err && res->shadow_removed)
        err = sb_matte_trim(&mask, e);
    if (!err)
        sb_stages_mark(&d->stages, "mask");
    if (!err)
        err = sb_product_held(studio, p.hand_remove, &work, &mask, res, e);
    if (!err)
        err = sb_product_inner(studio, &work, &mask, &res->inner, res, e);
    sb_product_holes_t holes;
    if (!err)
        err = sb_product_holes_fix(&work, &mask, &holes, e);
    if (!err) {
        res->holes_filled = holes.filled, res->holes_open = holes.open;
        sb_stages_mark(&d->stages, "holes");
    }
    if (!err)
        err = sb_matte_ragged(&mask, &res->edge_ragged, e);
    if (!err)
        err = sb_matte_seam(&work, &mask, &res->edge_unseen, e);
    if (!err)
        err = subject_box(&mask, box, &res->coverage, e);
    if (err)
        goto done;
    double kx = (double)d->upright_width / work.width, ky = (double)d->upright_height / work.height;
    res->subject_x = (int)floor(box[0] * kx), res->subject_y = (int)floor(box[1] * ky);
    res->subject_w = (int)ceil(box[2] * kx) - res->subject_x, res->subject_h = (int)ceil(box[3] * ky) - res->subject_y;

    if (p.mask_only || p.cutout) {
        err = p.mask_only ? encode_mask(&p, &work, &mask, box, res, e)
                          : sb_product_cut_out(&work, &mask, box, p.margin, p.margin_pct, p.glass, p.format, p.quality,
                                               res, e);
        goto done;
    }
    err = place(&p, &work, &mask, box, &placed, &res->transparency, &d->stages, e);
    /* The product's enlargement from the photo's pixels (the working image may be the photo shrunk). */
    if (!err)
        res->upscale = (float)(placed.scale * work.width / d->upright_width);
    if (!err)
        err = render(&p, &placed, res, e);
done:
    sb_image_free(&work);
    sb_fimage_free(&mask);
    layer_free(&placed);
    if (err)
        sb_product_result_free(res);
    return err;
}

void sb_product_result_free(sb_product_result_t *res)
{
    if (!res)
        return;
    sb_detect_result_free(&res->detect);
    free(res->output);
    res->output = NULL;
    res->output_len = 0;
    free(res->mask);
    res->mask = NULL;
    res->mask_len = 0;
    sb_scene_ignored_free(res->ignored_terms, res->n_ignored);
    res->ignored_terms = NULL;
    res->n_ignored = 0;
}
