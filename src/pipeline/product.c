/* product.c - the product photo pipeline (see docs/internals/pipeline.md for the stage list). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "image/resample.h"
#include "pipeline/studio.h"
#include "render/composite.h"
#include "render/scene.h"
#include "render/shadow.h"
#include "vision/foreground.h"

#define SIDE_DEFAULT 2000
#define SIDE_MIN 128
#define SIDE_MAX_PX 4096
#define PADDING_DEFAULT 0.10f
#define PADDING_MAX 0.4f
/* The working image: decoded so its long side is at least this (and under twice it, by shrink-on-load). */
#define WORK_SIDE 1024
/* Mask values under this are cleared: the refined mask's faint haze would grey a pure white studio. */
#define ALPHA_FLOOR 0.05f
/* The crop around the subject's box keeps its soft edge: this fraction of the box's long side, each way. */
#define CROP_MARGIN 0.02f
#define DEFAULT_SEED 0x5eed0001u

typedef struct {
    sb_scene_preset preset;
    sb_scene_spec_t spec;
    sb_shadow_kind shadow;
    sb_shadow_overrides_t ov;
    int width, height;
    float padding;
    sb_format_t format;
    int quality;
    bool mask_only;
    uint64_t seed;
} plan_t;

static const struct {
    const char *name;
    int w, h;
} aspects[] = {{"1:1", 1, 1}, {"4:5", 4, 5}, {"3:4", 3, 4}, {"16:9", 16, 9}};

static sb_err plan_size(const sb_product_opts_t *o, plan_t *p, sb_error_t *e)
{
    if (o->aspect && (o->width || o->height))
        return sb_error_set(e, SB_ERR_USAGE, "aspect", "give either aspect or width and height, not both");
    if (o->aspect) {
        for (size_t i = 0; i < sizeof aspects / sizeof aspects[0]; i++)
            if (!strcmp(o->aspect, aspects[i].name)) {
                int w = aspects[i].w, h = aspects[i].h, big = w > h ? w : h;
                p->width = (int)lround((double)SIDE_DEFAULT * w / big);
                p->height = (int)lround((double)SIDE_DEFAULT * h / big);
                return SB_OK;
            }
        return sb_error_set(e, SB_ERR_USAGE, "aspect", "aspect must be 1:1, 4:5, 3:4 or 16:9, got '%s'", o->aspect);
    }
    if (!o->width && !o->height) {
        p->width = p->height = SIDE_DEFAULT;
        return SB_OK;
    }
    if (o->width < SIDE_MIN || o->width > SIDE_MAX_PX)
        return sb_error_set(e, SB_ERR_USAGE, "width", "width must be %d..%d pixels, got %d", SIDE_MIN, SIDE_MAX_PX,
                            o->width);
    if (o->height < SIDE_MIN || o->height > SIDE_MAX_PX)
        return sb_error_set(e, SB_ERR_USAGE, "height", "height must be %d..%d pixels, got %d", SIDE_MIN, SIDE_MAX_PX,
                            o->height);
    p->width = o->width, p->height = o->height;
    return SB_OK;
}

/* Check the options and resolve the defaults into `p`; a custom prompt's unknown words go to `res`. */
static sb_err plan(const sb_product_opts_t *in, plan_t *p, sb_product_result_t *res, sb_error_t *e)
{
    sb_product_opts_t o = in ? *in : SB_PRODUCT_OPTS_DEFAULT;
    memset(p, 0, sizeof *p);
    sb_err err = sb_scene_preset_parse(o.preset ? o.preset : "white-studio", &p->preset, e);
    if (!err)
        err = sb_shadow_parse(o.shadow_type ? o.shadow_type : "soft", &p->shadow, e);
    if (err)
        return err;
    p->ov = o.shadow;
    if (p->preset == SB_SCENE_CUSTOM)
        err = sb_scene_prompt_parse(o.background_prompt, &p->spec, &res->ignored_terms, &res->n_ignored, e);
    else if (o.background_prompt)
        err = sb_error_set(e, SB_ERR_USAGE, "background_prompt", "background_prompt is only used with preset custom");
    if (!err)
        err = plan_size(&o, p, e);
    if (err)
        return err;
    p->padding = o.padding < 0 ? PADDING_DEFAULT : o.padding;
    if (!(p->padding <= PADDING_MAX))
        return sb_error_set(e, SB_ERR_USAGE, "padding", "padding must be 0 to %.1f", PADDING_MAX);
    p->format = o.format == SB_FMT_UNKNOWN ? SB_FMT_PNG : o.format;
    if (p->format != SB_FMT_PNG && p->format != SB_FMT_JPEG && p->format != SB_FMT_WEBP)
        return sb_error_set(e, SB_ERR_USAGE, "format", "output format must be png, jpeg or webp");
    if (p->preset == SB_SCENE_TRANSPARENT && p->format == SB_FMT_JPEG && !o.mask_only)
        return sb_error_set(e, SB_ERR_USAGE, "format", "a transparent background needs png or webp, not jpeg");
    p->quality = o.quality ? o.quality : 90;
    if (p->quality < 1 || p->quality > 100)
        return sb_error_set(e, SB_ERR_USAGE, "quality", "quality must be 1..100, got %d", p->quality);
    p->mask_only = o.mask_only;
    p->seed = o.seed ? o.seed : DEFAULT_SEED;
    err = sb_shadow_check(p->shadow, &p->ov, e);
    return err;
}

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

/* Copy the rectangle r (x0, y0, x1, y1) of `src` into `dst` (allocated by the call, float 0..1). */
static sb_err crop_u8(const sb_image_t *src, const int r[4], sb_fimage_t *dst, sb_error_t *e)
{
    int w = r[2] - r[0], h = r[3] - r[1], b = src->bands;
    sb_err err = sb_fimage_alloc(dst, w, h, b, e);
    for (int y = 0; !err && y < h; y++) {
        const uint8_t *s = src->data + ((size_t)(r[1] + y) * src->width + r[0]) * b;
        float *d = dst->data + (size_t)y * w * b;
        for (int i = 0; i < w * b; i++)
            d[i] = s[i] / 255.0f;
    }
    return err;
}

static sb_err crop_f(const sb_fimage_t *src, const int r[4], sb_fimage_t *dst, sb_error_t *e)
{
    int w = r[2] - r[0], h = r[3] - r[1], b = src->bands;
    sb_err err = sb_fimage_alloc(dst, w, h, b, e);
    for (int y = 0; !err && y < h; y++)
        memcpy(dst->data + (size_t)y * w * b, src->data + ((size_t)(r[1] + y) * src->width + r[0]) * b,
               sizeof(float) * w * b);
    return err;
}

/* Resize `src` (float) to w x h through 8 bits, and write it into the zeroed canvas `dst` (same bands)
 * with its top-left corner at (x0, y0), clipped to the canvas. */
static sb_err paste_resized(const sb_fimage_t *src, int w, int h, int x0, int y0, sb_fimage_t *dst, sb_error_t *e)
{
    sb_image_t u8 = {0}, big = {0};
    sb_err err = sb_fimage_to_u8(src, &u8, e);
    if (!err)
        err = sb_image_resize(&u8, w, h, &big, e);
    int b = dst->bands;
    for (int y = 0; !err && y < h; y++) {
        int cy = y0 + y;
        if (cy < 0 || cy >= dst->height)
            continue;
        for (int x = 0; x < w; x++) {
            int cx = x0 + x;
            if (cx < 0 || cx >= dst->width)
                continue;
            for (int k = 0; k < b; k++)
                dst->data[((size_t)cy * dst->width + cx) * b + k] = big.data[((size_t)y * w + x) * b + k] / 255.0f;
        }
    }
    sb_image_free(&u8);
    sb_image_free(&big);
    return err;
}

static sb_err zeroed(sb_fimage_t *img, int w, int h, int bands, sb_error_t *e)
{
    sb_err err = sb_fimage_alloc(img, w, h, bands, e);
    if (!err)
        memset(img->data, 0, sizeof(float) * (size_t)w * h * bands);
    return err;
}

/* Trim the working photo to the subject, estimate its foreground colours there (stage "foreground"),
 * scale it so its box fits the canvas inside the padding, centred horizontally with the box's bottom on
 * the floor line `padding` above the canvas's bottom, into the canvas-sized `fg` and `alpha` (stage
 * "place"). */
static sb_err place(const plan_t *p, const sb_image_t *work, const sb_fimage_t *mask, const int box[4],
                    sb_fimage_t *fg, sb_fimage_t *alpha, sb_stages_t *st, sb_error_t *e)
{
    int bw = box[2] - box[0], bh = box[3] - box[1];
    int m = (int)ceilf(CROP_MARGIN * (bw > bh ? bw : bh)) + 2;
    int r[4] = {box[0] - m < 0 ? 0 : box[0] - m, box[1] - m < 0 ? 0 : box[1] - m,
                box[2] + m > work->width ? work->width : box[2] + m, box[3] + m > work->height ? work->height : box[3] + m};
    sb_fimage_t rgb = {0}, a = {0}, f = {0};
    sb_err err = crop_u8(work, r, &rgb, e);
    if (!err)
        err = crop_f(mask, r, &a, e);
    int n = r[2] - r[0] > r[3] - r[1] ? r[2] - r[0] : r[3] - r[1];
    if (!err)
        err = sb_foreground_estimate(&rgb, &a, n * 9 / 100 < 3 ? 3 : n * 9 / 100, n / 130 < 3 ? 3 : n / 130, &f, e);
    if (err)
        goto done;
    sb_stages_mark(st, "foreground");

    int pad_x = (int)lroundf(p->padding * p->width), pad_y = (int)lroundf(p->padding * p->height);
    int fit_w = p->width - 2 * pad_x, fit_h = p->height - 2 * pad_y;
    double s = fmin((double)(fit_w > 1 ? fit_w : 1) / bw, (double)(fit_h > 1 ? fit_h : 1) / bh);
    int cw = (int)lround((r[2] - r[0]) * s), ch = (int)lround((r[3] - r[1]) * s);
    cw = cw < 1 ? 1 : cw, ch = ch < 1 ? 1 : ch;
    /* The box's placed left edge and bottom, then the crop's corner from its margin. */
    double box_x = (p->width - bw * s) / 2, box_bottom = p->height - pad_y;
    int x0 = (int)lround(box_x - (box[0] - r[0]) * s), y0 = (int)lround(box_bottom - (box[3] - r[1]) * s);
    err = zeroed(fg, p->width, p->height, 3, e);
    if (!err)
        err = zeroed(alpha, p->width, p->height, 1, e);
    if (!err)
        err = paste_resized(&f, cw, ch, x0, y0, fg, e);
    if (!err)
        err = paste_resized(&a, cw, ch, x0, y0, alpha, e);
    if (!err)
        sb_stages_mark(st, "place");
done:
    sb_fimage_free(&rgb);
    sb_fimage_free(&a);
    sb_fimage_free(&f);
    return err;
}

/* The transparent output: the product over its shadow (black, as alpha) over nothing, 8-bit RGBA. */
static sb_err transparent(const sb_fimage_t *fg, const sb_fimage_t *alpha, const sb_fimage_t *shadow,
                          sb_image_t *out, sb_error_t *e)
{
    sb_err err = sb_image_alloc(out, fg->width, fg->height, 4, e);
    size_t n = (size_t)fg->width * fg->height;
    for (size_t i = 0; !err && i < n; i++) {
        float a = alpha->data[i], total = a + (1 - a) * shadow->data[i];
        for (int k = 0; k < 3; k++) {
            float v = total > 0 ? a * fg->data[i * 3 + k] / total : 0;
            v = v < 0 ? 0 : v > 1 ? 1 : v;
            out->data[i * 4 + k] = (uint8_t)lrintf(v * 255);
        }
        out->data[i * 4 + 3] = (uint8_t)lrintf((total > 1 ? 1 : total) * 255);
    }
    return err;
}

/* Background, shadow, composite and encode of the placed product into res->output. */
static sb_err render(const plan_t *p, const sb_fimage_t *fg, const sb_fimage_t *alpha, sb_product_result_t *res,
                     sb_error_t *e)
{
    sb_stages_t *st = &res->detect.stages;
    sb_fimage_t bg = {0}, shadow = {0};
    sb_image_t out = {0};
    sb_err err = SB_OK;
    if (p->preset != SB_SCENE_TRANSPARENT) {
        err = sb_scene_render(p->preset, &p->spec, p->seed, p->width, p->height, &bg, e);
        if (err)
            goto done;
        sb_stages_mark(st, "background");
    }
    err = sb_shadow_render(alpha, p->shadow, &p->ov, &shadow, e);
    if (!err && bg.data)
        err = sb_shadow_apply(&bg, &shadow, e);
    if (err)
        goto done;
    sb_stages_mark(st, "shadow");
    if (bg.data) {
        err = sb_composite_over(fg, alpha, &bg, e);
        if (!err)
            err = sb_fimage_to_u8(&bg, &out, e);
    } else {
        err = transparent(fg, alpha, &shadow, &out, e);
    }
    if (err)
        goto done;
    sb_stages_mark(st, "composite");
    err = sb_io_encode(&out, p->format, p->quality, &res->output, &res->output_len, e);
    if (err)
        goto done;
    res->width = p->width, res->height = p->height;
    res->format = p->format;
    res->has_alpha = out.bands == 4;
    sb_stages_mark(st, "encode");
done:
    sb_fimage_free(&bg);
    sb_fimage_free(&shadow);
    sb_image_free(&out);
    return err;
}

/* The mask alone at the upright input size, as a 1-band PNG (stage "encode"). */
static sb_err encode_mask(const sb_fimage_t *mask, sb_product_result_t *res, sb_error_t *e)
{
    const sb_detect_result_t *d = &res->detect;
    sb_image_t m8 = {0}, up = {0};
    sb_err err = sb_fimage_to_u8(mask, &m8, e);
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
    plan_t p;
    sb_image_t work = {0};
    sb_fimage_t mask = {0}, fg = {0}, alpha = {0};
    sb_salient_t *salient;
    int box[4];
    sb_err err = plan(opts, &p, res, e);
    if (err)
        goto done;
    res->preset = sb_scene_preset_name(p.preset);
    res->shadow_type = sb_shadow_name(p.shadow);
    res->seed = p.seed;
    err = sb_pipeline_decode(buf, len, WORK_SIDE, &work, d, e);
    if (!err)
        err = sb_studio_salient(studio, &salient, e);
    if (!err) {
        sb_detect_result_add_model(d, SB_MODEL_U2NETP);
        err = sb_salient_mask(salient, &work, &mask, e);
    }
    if (!err)
        err = subject_box(&mask, box, &res->coverage, e);
    if (err)
        goto done;
    double kx = (double)d->upright_width / work.width, ky = (double)d->upright_height / work.height;
    res->subject_x = (int)floor(box[0] * kx), res->subject_y = (int)floor(box[1] * ky);
    res->subject_w = (int)ceil(box[2] * kx) - res->subject_x, res->subject_h = (int)ceil(box[3] * ky) - res->subject_y;
    sb_stages_mark(&d->stages, "mask");

    if (p.mask_only) {
        err = encode_mask(&mask, res, e);
        goto done;
    }
    err = place(&p, &work, &mask, box, &fg, &alpha, &d->stages, e);
    if (!err)
        err = render(&p, &fg, &alpha, res, e);
done:
    sb_image_free(&work);
    sb_fimage_free(&mask);
    sb_fimage_free(&fg);
    sb_fimage_free(&alpha);
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
    sb_scene_ignored_free(res->ignored_terms, res->n_ignored);
    res->ignored_terms = NULL;
    res->n_ignored = 0;
}
