/* product_cut.c - the product photo's cut-out: a rectangle of the working photo with its edge colours
 * decontaminated, the product alone with its mask (cutout), and the hand that holds it (stage "hand"). */
#include "pipeline/product_cut.h"

#include <math.h>
#include <string.h>

#include "vision/foreground.h"
#include "vision/hand.h"
#include "vision/matte_solid.h"
#include "vision/matte_trim.h"
#include "vision/salient.h"

/* Copy the rectangle r (x0, y0, x1, y1) of `src` into `dst` (allocated by the call): sb_image_crop's float
 * twin. */
static sb_err crop_f(const sb_fimage_t *src, const int r[4], sb_fimage_t *dst, sb_error_t *e)
{
    int w = r[2] - r[0], h = r[3] - r[1], b = src->bands;
    sb_err err = sb_fimage_alloc(dst, w, h, b, e);
    for (int y = 0; !err && y < h; y++)
        memcpy(dst->data + (size_t)y * w * b, src->data + ((size_t)(r[1] + y) * src->width + r[0]) * b,
               sizeof(float) * w * b);
    return err;
}

sb_err sb_product_cut(const sb_image_t *work, const sb_fimage_t *mask, const int r[4], sb_image_t *f, sb_stages_t *st,
                      sb_error_t *e)
{
    sb_image_t rgb = {0};
    sb_fimage_t a = {0};
    sb_err err = sb_image_crop(work, r, &rgb, e);
    if (!err)
        err = crop_f(mask, r, &a, e);
    int n = r[2] - r[0] > r[3] - r[1] ? r[2] - r[0] : r[3] - r[1];
    if (!err)
        err = sb_foreground_edge_rgba(&rgb, &a, n * 9 / 100 < 3 ? 3 : n * 9 / 100, n / 130 < 3 ? 3 : n / 130, f, e);
    if (!err)
        sb_stages_mark(st, "foreground");
    sb_image_free(&rgb);
    sb_fimage_free(&a);
    return err;
}

void sb_product_grow_box(const int box[4], int mx, int my, int w, int h, int r[4])
{
    r[0] = box[0] - mx < 0 ? 0 : box[0] - mx, r[1] = box[1] - my < 0 ? 0 : box[1] - my;
    r[2] = box[2] + mx > w ? w : box[2] + mx, r[3] = box[3] + my > h ? h : box[3] + my;
}


sb_err sb_product_solidify(sb_fimage_t *alpha, sb_image_t *rgba, float depth, sb_error_t *e)
{
    sb_err err = sb_matte_solidify(alpha, depth > 2 ? depth : 2, NULL, e);
    for (size_t i = 0; !err && rgba && i < (size_t)alpha->width * alpha->height; i++)
        rgba->data[i * 4 + 3] = sb_product_round_u8(alpha->data[i] * 255);
    return err;
}

/* Glass lets the caller's background through, any other product is solid inside (sb_product_cut_out):
 * applied to the cut-out `f` of rectangle r, into res->transparency. */
static sb_err see_through_or_solid(const sb_image_t *work, const sb_fimage_t *mask, const int r[4], const int box[4],
                                   sb_glass_mode glass, sb_image_t *f, sb_product_result_t *res, sb_error_t *e)
{
    sb_product_transparency_t *t = &res->transparency;
    sb_err err = sb_glass_see_through(work, mask, r, glass, f, &t->score, &t->applied, e);
    if (err)
        return err;
    t->done = true, t->uncertain = sb_glass_uncertain(glass, t->score);
    if (t->applied)
        return SB_OK;
    sb_fimage_t a = {0};
    err = sb_fimage_alloc(&a, f->width, f->height, 1, e);
    for (size_t i = 0; !err && i < (size_t)f->width * f->height; i++)
        a.data[i] = f->data[i * 4 + 3] / 255.0f;
    int bw = box[2] - box[0], bh = box[3] - box[1];
    if (!err)
        err = sb_product_solidify(&a, f, (float)(SB_PRODUCT_SOLID_DEPTH_FRAC * (bw > bh ? bw : bh)), e);
    sb_fimage_free(&a);
    return err;
}

sb_err sb_product_cut_out(const sb_image_t *work, const sb_fimage_t *mask, const int box[4], double margin,
                          bool margin_pct, sb_glass_mode glass, sb_format_t format, int quality,
                          sb_product_result_t *res, sb_error_t *e)
{
    int bw = box[2] - box[0], bh = box[3] - box[1], r[4];
    int mx = (int)lround(margin_pct ? margin * bw : margin);
    int my = (int)lround(margin_pct ? margin * bh : margin);
    sb_product_grow_box(box, mx, my, work->width, work->height, r);
    sb_image_t f = {0}, a = {0};
    sb_err err = sb_product_cut(work, mask, r, &f, &res->detect.stages, e);
    if (!err)
        err = see_through_or_solid(work, mask, r, box, glass, &f, res, e);
    if (!err)
        err = sb_image_alloc(&a, f.width, f.height, 1, e);
    for (size_t i = 0; !err && i < (size_t)f.width * f.height; i++)
        a.data[i] = f.data[i * 4 + 3];
    if (!err)
        err = sb_io_encode(&f, format, quality, &res->output, &res->output_len, e);
    if (!err)
        err = sb_io_encode(&a, SB_FMT_PNG, 0, &res->mask, &res->mask_len, e);
    if (!err) {
        res->width = res->mask_width = f.width, res->height = res->mask_height = f.height;
        res->format = format;
        res->has_alpha = true;
        sb_stages_mark(&res->detect.stages, "encode");
    }
    sb_image_free(&f);
    sb_image_free(&a);
    return err;
}

/* Whether the subject (mask >= 0.5) reaches the photo's 2-pixel border: a hand holding it comes in from
 * outside the photo (sb_hand_apply's parts touch the edge), so without this there is no hand to find. */
static bool on_border(const sb_fimage_t *mask)
{
    int w = mask->width, h = mask->height;
    for (int y = 0; y < h; y++) {
        const float *row = mask->data + (size_t)y * w;
        int step = y < 2 || y >= h - 2 ? 1 : w - 3 > 1 ? w - 3 : 1;
        for (int x = 0; x < w; x += x == 1 ? step : 1)
            if (row[x] >= 0.5f)
                return true;
    }
    return false;
}

sb_err sb_product_held(sb_studio_t *studio, bool remove, const sb_image_t *work, sb_fimage_t *mask,
                       sb_product_result_t *res, sb_error_t *e)
{
    sb_matter_t *matter;
    sb_fimage_t guide = {0}, person = {0};
    if (!on_border(mask)) {
        sb_stages_mark(&res->detect.stages, "hand");
        return SB_OK;
    }
    sb_err err = sb_studio_matter(studio, &matter, e);
    if (!err)
        err = sb_image_to_float(work, &guide, e);
    if (!err) {
        sb_detect_result_add_model(&res->detect, SB_MODEL_SELFIE_SEG);
        err = sb_matte_selfie(matter, work, &guide, 0, &person, e);
    }
    if (!err)
        err = sb_hand_apply(work, &person, mask, remove, &res->hand, e);
    if (!err && res->hand.hand)
        err = sb_matte_trim(mask, e);
    if (!err)
        sb_stages_mark(&res->detect.stages, "hand");
    sb_fimage_free(&guide);
    sb_fimage_free(&person);
    return err;
}


/* The salient net's trimmed product mask of the rectangle r of `work` into `m` (r's size, allocated by the
 * call) and the count of its pixels >= 0.5 into *found. */
static sb_err look(sb_studio_t *studio, const sb_image_t *work, const int r[4], sb_fimage_t *m, size_t *found,
                   sb_error_t *e)
{
    sb_salient_t *salient;
    sb_image_t crop = {0};
    long recovered = 0;
    *found = 0;
    sb_err err = sb_studio_salient(studio, &salient, e);
    if (!err)
        err = sb_image_crop(work, r, &crop, e);
    if (!err)
        err = sb_salient_product_mask(salient, &crop, m, &recovered, e);
    if (!err)
        err = sb_matte_trim(m, e);
    for (size_t i = 0; !err && i < (size_t)m->width * m->height; i++)
        *found += m->data[i] >= 0.5f;
    sb_image_free(&crop);
    return err;
}

/* `mask` (the photo's size) := the mask m of rectangle r, 0 elsewhere. */
static void put(sb_fimage_t *mask, const sb_fimage_t *m, const int r[4])
{
    int w = mask->width, cw = r[2] - r[0];
    memset(mask->data, 0, sizeof(float) * (size_t)w * mask->height);
    for (int y = 0; y < r[3] - r[1]; y++)
        memcpy(mask->data + (size_t)(r[1] + y) * w + r[0], m->data + (size_t)y * cw, sizeof(float) * cw);
}

/* The closer looks (sb_product_inner): the net again on the first look's box grown by each of
 * SB_PRODUCT_INNER_GROWS of its sides each way; the mean of their masks (a look that found more than
 * SB_PRODUCT_INNER_MAX of its crop counts as 0), trimmed, replaces `mask` when it keeps SB_PRODUCT_INNER_KEEP
 * of what the first look found. */
static sb_err look_closer(sb_studio_t *studio, const sb_image_t *work, sb_fimage_t *mask, sb_error_t *e)
{
    static const double grows[] = SB_PRODUCT_INNER_GROWS;
    const int looks = (int)(sizeof grows / sizeof grows[0]);
    int b[4], w = mask->width;
    size_t first = sb_fimage_box(mask, b), kept = 0;
    sb_fimage_t mean = {0}, m = {0};
    sb_err err = sb_fimage_alloc(&mean, w, mask->height, 1, e);
    if (!err)
        memset(mean.data, 0, sizeof(float) * (size_t)w * mask->height);
    for (int k = 0; !err && k < looks; k++) {
        int r[4], gx = (int)lround(grows[k] * (b[2] - b[0])), gy = (int)lround(grows[k] * (b[3] - b[1]));
        sb_product_grow_box(b, gx, gy, work->width, work->height, r);
        int cw = r[2] - r[0], ch = r[3] - r[1];
        size_t found = 0;
        err = look(studio, work, r, &m, &found, e);
        for (int y = 0; !err && (double)found <= SB_PRODUCT_INNER_MAX * (double)cw * ch && y < ch; y++)
            for (int x = 0; x < cw; x++)
                mean.data[(size_t)(r[1] + y) * w + r[0] + x] += m.data[(size_t)y * cw + x] / (float)looks;
        sb_fimage_free(&m);
    }
    if (!err)
        err = sb_matte_trim(&mean, e);
    for (size_t i = 0; !err && i < (size_t)w * mask->height; i++)
        kept += mean.data[i] >= 0.5f && mask->data[i] >= 0.5f;
    if (!err && (double)kept >= SB_PRODUCT_INNER_KEEP * (double)first)
        memcpy(mask->data, mean.data, sizeof(float) * (size_t)w * mask->height);
    sb_fimage_free(&mean);
    return err;
}

sb_err sb_product_inner(sb_studio_t *studio, const sb_image_t *work, sb_fimage_t *mask, bool *inner,
                        sb_product_result_t *res, sb_error_t *e)
{
    int w = mask->width, h = mask->height, box[4];
    size_t n = (size_t)w * h, count = sb_fimage_box(mask, box);
    *inner = false;
    if (res->hand.hand || (double)count < SB_PRODUCT_SCENE_COVER * (double)n)
        return SB_OK;
    int mx = (int)lround(SB_PRODUCT_INNER_CROP * (box[2] - box[0])), my = (int)lround(SB_PRODUCT_INNER_CROP * (box[3] - box[1]));
    int r[4] = {box[0] + mx, box[1] + my, box[2] - mx, box[3] - my}, cw = r[2] - r[0], ch = r[3] - r[1];
    sb_fimage_t m = {0};
    size_t found = 0;
    sb_err err = look(studio, work, r, &m, &found, e);
    if (!err && found && (double)found <= SB_PRODUCT_INNER_MAX * (double)cw * ch) {
        put(mask, &m, r);
        *inner = true;
        err = look_closer(studio, work, mask, e);
    }
    if (!err)
        sb_stages_mark(&res->detect.stages, "inner");
    sb_fimage_free(&m);
    return err;
}
