/* cutout.c - the subject of a photo cut out at the photo's own framing (the remove.bg-compatible endpoint's
 * pipeline): the person matte or the product's subject mask, foreground colours at the edges, then crop,
 * background colour, channels and encode. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "image/resample.h"
#include "pipeline/product_cut.h"
#include "pipeline/studio.h"
#include "render/glass.h"
#include "vision/foreground.h"

/* Mask values under this are cleared, as in the product photo: the refined mask's faint haze. */
#define ALPHA_FLOOR 0.05f
#define MARGIN_PX_MAX 500
#define MARGIN_PCT_MAX 50

const char *sb_cutout_kind_name(sb_cutout_kind k)
{
    return k == SB_CUTOUT_PERSON ? "person" : k == SB_CUTOUT_PRODUCT ? "product" : "auto";
}

/* One number with a unit suffix: "12px", "12.5%" (*pct true) or a bare number (pixels). */
static bool number_unit(const char *s, size_t n, double *v, bool *pct)
{
    char buf[32];
    if (!n || n >= sizeof buf)
        return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *end;
    *v = strtod(buf, &end);
    *pct = !strcmp(end, "%");
    return end != buf && (!*end || *pct || !strcmp(end, "px")) && isfinite(*v) && *v >= 0;
}

sb_err sb_cutout_parse_roi(const char *s, sb_cutout_opts_t *o, sb_error_t *e)
{
    if (!s)
        return SB_OK;
    const char *p = s;
    for (int i = 0; i < 4; i++) {
        p += strspn(p, " ");
        size_t n = strcspn(p, " ");
        bool pct;
        if (!number_unit(p, n, &o->roi[i], &pct) || (pct && o->roi[i] > 100))
            return sb_error_set(e, SB_ERR_USAGE, "roi",
                                "roi must be 'x1 y1 x2 y2', each in px or %% (e.g. '0%% 0%% 100%% 100%%'), got '%.60s'",
                                s);
        o->roi_px[i] = !pct;
        if (pct)
            o->roi[i] /= 100;
        p += n;
    }
    if (p[strspn(p, " ")])
        return sb_error_set(e, SB_ERR_USAGE, "roi", "roi has more than four values: '%.60s'", s);
    return SB_OK;
}

sb_err sb_cutout_parse_margin(const char *s, sb_cutout_opts_t *o, sb_error_t *e)
{
    if (!s)
        return SB_OK;
    double v;
    bool pct;
    if (!number_unit(s, strlen(s), &v, &pct) || v > (pct ? MARGIN_PCT_MAX : MARGIN_PX_MAX))
        return sb_error_set(e, SB_ERR_USAGE, "crop_margin",
                            "crop_margin must be 0px to %dpx or 0%% to %d%%, got '%.40s'", MARGIN_PX_MAX,
                            MARGIN_PCT_MAX, s);
    o->crop_margin = pct ? v / 100 : v;
    o->crop_margin_pct = pct;
    return SB_OK;
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

sb_err sb_cutout_parse_color(const char *s, sb_cutout_opts_t *o, sb_error_t *e)
{
    static const struct {
        const char *name;
        uint8_t rgba[4];
    } names[] = {{"white", {255, 255, 255, 255}}, {"black", {0, 0, 0, 255}},       {"red", {255, 0, 0, 255}},
                 {"green", {0, 128, 0, 255}},     {"blue", {0, 0, 255, 255}},      {"yellow", {255, 255, 0, 255}},
                 {"cyan", {0, 255, 255, 255}},    {"magenta", {255, 0, 255, 255}}, {"grey", {128, 128, 128, 255}},
                 {"gray", {128, 128, 128, 255}},  {"silver", {192, 192, 192, 255}}, {"orange", {255, 165, 0, 255}},
                 {"purple", {128, 0, 128, 255}},  {"transparent", {0, 0, 0, 0}}};
    if (!s)
        return SB_OK;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcasecmp(s, names[i].name)) {
            memcpy(o->bg, names[i].rgba, 4);
            o->has_bg = names[i].rgba[3] > 0;
            return SB_OK;
        }
    const char *h = s + (*s == '#');
    size_t n = strlen(h);
    bool ok = n == 3 || n == 4 || n == 6 || n == 8;
    for (size_t i = 0; ok && i < n; i++)
        ok = hexval(h[i]) >= 0;
    if (!ok)
        return sb_error_set(e, SB_ERR_USAGE, "bg_color",
                            "bg_color must be a hex colour (81d4fa, fff, 81d4fa77) or a basic colour name, got '%.40s'",
                            s);
    uint8_t c[4] = {0, 0, 0, 255};
    bool shrt = n <= 4;
    for (size_t i = 0; i < n / (shrt ? 1 : 2); i++)
        c[i] = (uint8_t)(shrt ? hexval(h[i]) * 17 : hexval(h[2 * i]) * 16 + hexval(h[2 * i + 1]));
    memcpy(o->bg, c, 4);
    o->has_bg = c[3] > 0;
    return SB_OK;
}

/* Decode at most max_pixels: shrink-on-load to about that, then resized to it exactly when over. */
static sb_err decode(const uint8_t *buf, size_t len, long long max_pixels, sb_image_t *work, sb_detect_result_t *d,
                     sb_error_t *e)
{
    sb_image_info_t info;
    sb_err err = sb_io_probe(buf, len, &info, e);
    if (err)
        return err;
    int w = info.orientation >= 5 ? info.height : info.width, h = info.orientation >= 5 ? info.width : info.height;
    double s = fmin(1.0, sqrt((double)max_pixels / ((double)w * h)));
    int want = (int)ceil((w > h ? w : h) * s);
    if ((err = sb_pipeline_decode(buf, len, want < 1 ? 1 : want, 0, work, d, e)))
        return err;
    if ((long long)work->width * work->height <= max_pixels)
        return SB_OK;
    s = sqrt((double)max_pixels / ((double)work->width * work->height));
    int nw = (int)floor(work->width * s), nh = (int)floor(work->height * s);
    sb_image_t small = {0};
    err = sb_image_resize(work, nw < 1 ? 1 : nw, nh < 1 ? 1 : nh, &small, e);
    if (err)
        return err;
    sb_image_free(work);
    *work = small;
    d->work_width = work->width, d->work_height = work->height;
    return SB_OK;
}

/* AUTO: a person when YuNet finds a face. */
static sb_err pick_kind(sb_studio_t *studio, const sb_image_t *work, sb_cutout_kind want, sb_detect_result_t *d,
                        sb_cutout_kind *out, sb_error_t *e)
{
    *out = want;
    if (want != SB_CUTOUT_AUTO)
        return SB_OK;
    /* On a copy: the face finder may turn the image it is given, and the cut-out keeps the photo's own. */
    sb_face_list_t faces = {0};
    sb_image_t copy = {0};
    const int whole[4] = {0, 0, work->width, work->height};
    sb_err err = sb_image_crop(work, whole, &copy, e);
    if (!err)
        err = sb_pipeline_find_faces(studio, &copy, &faces, NULL, d, e);
    d->work_width = work->width, d->work_height = work->height;
    sb_face_list_free(&faces);
    sb_image_free(&copy);
    *out = !err && d->subject >= 0 ? SB_CUTOUT_PERSON : SB_CUTOUT_PRODUCT;
    return err;
}

static sb_err mask(sb_studio_t *studio, const sb_image_t *work, sb_cutout_kind kind, sb_detect_result_t *d,
                   sb_fimage_t *alpha, sb_error_t *e)
{
    if (kind == SB_CUTOUT_PRODUCT) {
        sb_salient_t *salient;
        long recovered;
        sb_err err = sb_studio_salient(studio, &salient, e);
        if (!err) {
            sb_detect_result_add_model(d, SB_MODEL_U2NETP);
            /* The product photo's mask: a product the net saw only faintly is recovered (salient.h). */
            err = sb_salient_product_mask(salient, work, alpha, &recovered, e);
        }
        return err;
    }
    sb_fimage_t guide = {0};
    sb_matter_t *matter;
    sb_err err = sb_image_to_float(work, &guide, e);
    if (!err)
        err = sb_studio_matter(studio, &matter, e);
    if (!err) {
        sb_detect_result_add_model(d, SB_MODEL_SELFIE_SEG);
        err = sb_matte_person(matter, work, &guide, 1, alpha, e);
    }
    sb_fimage_free(&guide);
    return err;
}

/* Clear outside the ROI, clamp, clear the haze, and find the box of alpha >= 0.5 (x0, y0, x1, y1). */
static sb_err clean(const sb_cutout_opts_t *o, const sb_detect_result_t *d, sb_fimage_t *a, int box[4], sb_error_t *e)
{
    int w = a->width, h = a->height, r[4] = {0, 0, w, h};
    if (o->roi[0] || o->roi[1] || o->roi[2] || o->roi[3]) {
        for (int i = 0; i < 4; i++) {
            int side = i % 2 ? h : w, up = i % 2 ? d->upright_height : d->upright_width;
            double v = o->roi_px[i] ? o->roi[i] / up : o->roi[i];
            r[i] = (int)lround(v * side);
            r[i] = r[i] < 0 ? 0 : r[i] > side ? side : r[i];
        }
        if (r[2] <= r[0] || r[3] <= r[1])
            return sb_error_set(e, SB_ERR_USAGE, "roi", "roi is empty: x2 must be right of x1 and y2 below y1");
    }
    box[0] = w, box[1] = h, box[2] = box[3] = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            float *v = &a->data[(size_t)y * w + x];
            bool in = x >= r[0] && x < r[2] && y >= r[1] && y < r[3];
            *v = !in || *v < ALPHA_FLOOR ? 0 : *v > 1 ? 1 : *v;
            if (*v < 0.5f)
                continue;
            box[0] = x < box[0] ? x : box[0], box[1] = y < box[1] ? y : box[1];
            box[2] = x + 1 > box[2] ? x + 1 : box[2], box[3] = y + 1 > box[3] ? y + 1 : box[3];
        }
    if (box[2] <= box[0])
        return sb_error_set(e, SB_ERR_NO_SUBJECT, "image", "could not identify a foreground in the image");
    return SB_OK;
}

/* A product not judged glass (render/glass.h, on its box, as `transparency: auto` judges: a close call is
 * not glass) is made solid inside, as the product photo's cut-out is (sb_product_solidify): an unsure matte
 * would let the caller's background through a carton. Glass keeps the net's soft matte. */
static sb_err solid_unless_glass(const sb_image_t *work, sb_fimage_t *alpha, const int box[4], sb_error_t *e)
{
    sb_glass_t glass = {0};
    sb_err err = sb_glass_estimate(work, alpha, box, 2.0f, &glass, e);
    int bw = box[2] - box[0], bh = box[3] - box[1];
    if (!err && glass.score < sb_glass_min_score(SB_GLASS_AUTO))
        err = sb_product_solidify(alpha, NULL, (float)(SB_PRODUCT_SOLID_DEPTH_FRAC * (bw > bh ? bw : bh)), e);
    sb_glass_free(&glass);
    return err;
}

/* The rectangle the output keeps: the whole image, or with crop the box grown by the margin. */
static void crop_rect(const sb_cutout_opts_t *o, int w, int h, const int box[4], int r[4])
{
    if (!o->crop) {
        r[0] = r[1] = 0, r[2] = w, r[3] = h;
        return;
    }
    int mx = (int)lround(o->crop_margin_pct ? o->crop_margin * (box[2] - box[0]) : o->crop_margin);
    int my = (int)lround(o->crop_margin_pct ? o->crop_margin * (box[3] - box[1]) : o->crop_margin);
    r[0] = box[0] - mx < 0 ? 0 : box[0] - mx, r[1] = box[1] - my < 0 ? 0 : box[1] - my;
    r[2] = box[2] + mx > w ? w : box[2] + mx, r[3] = box[3] + my > h ? h : box[3] + my;
}

/* The 8-bit RGBA cut-out as the output image: its alpha alone, over a colour (3 bands when the result is
 * opaque), or as it is. */
static sb_err finish(const sb_image_t *rgba, bool alpha_only, bool has_bg, const uint8_t bg[4], sb_image_t *out,
                     sb_error_t *e)
{
    size_t n = (size_t)rgba->width * rgba->height;
    bool opaque = has_bg && bg[3] == 255;
    sb_err err = sb_image_alloc(out, rgba->width, rgba->height, alpha_only ? 1 : opaque ? 3 : 4, e);
    for (size_t i = 0; !err && i < n; i++) {
        const uint8_t *p = rgba->data + i * 4;
        if (alpha_only) {
            out->data[i] = p[3];
            continue;
        }
        uint8_t *q = out->data + i * out->bands;
        float a = p[3] / 255.0f, b = has_bg ? bg[3] / 255.0f * (1 - a) : 0, oa = a + b;
        for (int k = 0; k < 3; k++)
            q[k] = oa > 0 ? (uint8_t)lroundf((a * p[k] + b * bg[k]) / oa) : 0;
        if (!opaque)
            q[3] = (uint8_t)lroundf(oa * 255);
    }
    return err;
}

/* remove.bg's zip: the colours of the 8-bit RGBA cut-out `rgba`, opaque, as JPEG into res->output, and its alpha as
 * a 1-band PNG into res->alpha. */
static sb_err encode_zip(const sb_image_t *rgba, int quality, sb_cutout_result_t *res, sb_error_t *e)
{
    sb_image_t colour = {0}, alpha = {0};
    size_t n = (size_t)rgba->width * rgba->height;
    sb_err err = sb_image_alloc(&colour, rgba->width, rgba->height, 3, e);
    if (!err)
        err = finish(rgba, true, false, NULL, &alpha, e);
    for (size_t i = 0; !err && i < n; i++)
        memcpy(colour.data + i * 3, rgba->data + i * 4, 3);
    if (!err)
        err = sb_io_encode(&colour, SB_FMT_JPEG, quality, &res->output, &res->output_len, e);
    if (!err)
        err = sb_io_encode(&alpha, SB_FMT_PNG, 0, &res->alpha, &res->alpha_len, e);
    sb_image_free(&colour);
    sb_image_free(&alpha);
    return err;
}

sb_err sb_cutout(sb_studio_t *studio, const uint8_t *buf, size_t len, const sb_cutout_opts_t *opts,
                 sb_cutout_result_t *res, sb_error_t *e)
{
    memset(res, 0, sizeof *res);
    sb_cutout_opts_t o = *opts;
    sb_detect_result_t *d = &res->detect;
    d->subject = -1;
    sb_stages_start(&d->stages);
    sb_image_t work = {0}, rgba = {0}, cropped = {0}, img = {0};
    sb_fimage_t alpha = {0};
    int box[4] = {0}, r[4];
    long long max_px = o.max_pixels ? o.max_pixels : SB_CUTOUT_PIXELS_DEFAULT;
    if (max_px < 1 || max_px > SB_CUTOUT_PIXELS_MAX)
        return sb_error_set(e, SB_ERR_USAGE, "size", "the output size must be 1 to %lld pixels", SB_CUTOUT_PIXELS_MAX);
    if (o.quality < 0 || o.quality > 100)
        return sb_error_set(e, SB_ERR_USAGE, "quality", "quality must be 1..100, got %d", o.quality);
    bool opaque = o.has_bg && o.bg[3] == 255;
    sb_format_t fmt = o.zip ? SB_FMT_JPEG
                      : o.format != SB_FMT_UNKNOWN ? o.format
                      : opaque && !o.alpha_only ? SB_FMT_JPEG
                                                : SB_FMT_PNG;
    if (o.zip && (o.alpha_only || o.has_bg || o.format != SB_FMT_UNKNOWN))
        return sb_error_set(e, SB_ERR_USAGE, "format", "format zip takes no other format, channels alpha or bg_color");
    if (fmt != SB_FMT_PNG && fmt != SB_FMT_JPEG && fmt != SB_FMT_WEBP)
        return sb_error_set(e, SB_ERR_USAGE, "format", "the output format must be png, jpg or webp");
    /* JPEG has no alpha: a transparent cut-out goes over white, as remove.bg's jpg does. */
    if (fmt == SB_FMT_JPEG && !o.alpha_only && !opaque && !o.zip) {
        static const uint8_t white[4] = {255, 255, 255, 255};
        uint8_t under[4];
        float a = o.has_bg ? o.bg[3] / 255.0f : 0;
        for (int k = 0; k < 3; k++)
            under[k] = (uint8_t)lroundf(o.has_bg ? o.bg[k] * a + 255 * (1 - a) : 255);
        under[3] = 255;
        memcpy(o.bg, o.has_bg ? under : white, 4);
        o.has_bg = true;
    }
    sb_err err = decode(buf, len, max_px, &work, d, e);
    if (!err)
        err = pick_kind(studio, &work, o.kind, d, &res->kind, e);
    if (!err)
        err = mask(studio, &work, res->kind, d, &alpha, e);
    if (!err)
        err = clean(&o, d, &alpha, box, e);
    if (!err && res->kind == SB_CUTOUT_PRODUCT)
        err = solid_unless_glass(&work, &alpha, box, e);
    if (err)
        goto done;
    sb_stages_mark(&d->stages, "mask");
    int n = work.width > work.height ? work.width : work.height;
    err = sb_foreground_edge_rgba(&work, &alpha, n * 9 / 100 < 3 ? 3 : n * 9 / 100, n / 130 < 3 ? 3 : n / 130, &rgba,
                                  e);
    if (err)
        goto done;
    sb_stages_mark(&d->stages, "foreground");
    crop_rect(&o, work.width, work.height, box, r);
    err = sb_image_crop(&rgba, r, &cropped, e);
    if (!err && o.zip)
        err = encode_zip(&cropped, o.quality, res, e);
    if (!err && !o.zip)
        err = finish(&cropped, o.alpha_only, o.has_bg, o.bg, &img, e);
    if (!err && !o.zip)
        err = sb_io_encode(&img, fmt, o.quality, &res->output, &res->output_len, e);
    if (err)
        goto done;
    sb_stages_mark(&d->stages, "encode");
    res->width = cropped.width, res->height = cropped.height, res->format = fmt;
    res->fg_left = box[0] - r[0], res->fg_top = box[1] - r[1];
    res->fg_width = box[2] - box[0], res->fg_height = box[3] - box[1];
done:
    sb_image_free(&work);
    sb_image_free(&rgba);
    sb_image_free(&cropped);
    sb_image_free(&img);
    sb_fimage_free(&alpha);
    if (err)
        sb_cutout_result_free(res);
    return err;
}

void sb_cutout_result_free(sb_cutout_result_t *res)
{
    if (!res)
        return;
    sb_detect_result_free(&res->detect);
    free(res->output);
    free(res->alpha);
    res->output = res->alpha = NULL;
    res->output_len = res->alpha_len = 0;
}
