/* cel.c - cel shading after CartoonGAN: the regions (render/cel_regions.c) given flat tones and shade
 * bands, then ink outlines (render/cel_ink.c) and the photo's eyes at full size. */
#include "render/cel.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "image/filter.h"
#include "image/resample.h"
#include "render/cel_ink.h"
#include "render/cel_regions.h"

#define MIN_SIDE 16
#define ASPECT_SLACK 0.05 /* the styled copy's aspect may differ this much (the net's sides are rounded) */
#define WORK_SIDE 360 /* the regions are worked out at most this many pixels a side */
#define SKIN SB_CEL_SKIN
#define NREG SB_CEL_NREG
#define NET_COLOUR 0.15f /* share of the net's colours in a region's flat colour (the rest is the photo's) */
#define NET_SHADE 0.35f  /* share of the net's luma in the band decision outside the skin */
/* Skin: one lit tone and one shadow tone; the shadow where the smoothed luma falls under SKIN_CUT of the
 * lit tone's. The shadow keeps the lit tone's hue, a touch rosier, never oranger. */
#define SKIN_CUT 0.82f
#define SKIN_DEEP 0.62f /* and a deeper shadow (nostrils, eye sockets, under the chin) under this */
#define SKIN_LIFT 0.06f  /* the lit tone moved this far towards white */
#define SKIN_SAT_MAX 0.42f
static const float skin_shadow[3] = {0.80f, 0.73f, 0.76f};
static const float skin_deep[3] = {0.78f, 0.74f, 0.78f}; /* the deep shadow, from the shadow */
/* Other regions: shadow under SHADE_LO, highlight over SHADE_HI of the region's mean luma. */
#define SHADE_LO 0.66f
#define SHADE_HI 1.45f
#define SHADOW_MUL 0.62f
#define HIGHLIGHT_TO_WHITE 0.22f
/* The band luma's blur, a fraction of the side: fine on skin (a nostril, a lip's shadow), coarse
 * elsewhere so hair and cloth get a few large shapes, not a mottle. */
#define BAND_BLUR_SKIN (1.0f / 320)
#define BAND_BLUR (1.0f / 130)
#define AA_SIGMA 0.7f    /* px at 800 */
#define UPSCALE_SIGMA 1.0f /* px at 800: the blur after scaling the regions back */
/* Ink: a mix of a dark brown and the region's own colour darkened. */
#define INK_OWN 0.4f
#define INK_DARK 0.3f
static const float ink_colour[3] = {0.12f, 0.08f, 0.08f};
/* Eyes: the ellipse's half axes along and across the eye line, as fractions of the eye distance; the core
 * (fully the photo) as a fraction of the ellipse; the contrast raise. */
#define EYE_RX 0.28f
#define EYE_RY 0.15f
#define EYE_CORE 0.55f
#define EYE_CONTRAST 1.12f

/* Saturation of `c` scaled by `s` around its luma. */
static void saturate(float c[3], float s)
{
    float y = sb_cel_luma(c);
    for (int k = 0; k < 3; k++)
        c[k] = sb_cel_clamp01(y + s * (c[k] - y));
}

typedef struct {
    bool skin;
    float base[3], shadow[3], light[3]; /* flat tones */
    float mean_l;                       /* the band luma the cuts are relative to */
} region_t;

/* The tones of each region from the colour source `cs` and the band luma `bl` over the person. */
static void tones(const float *cs, const float *bl, const float *alpha, const uint8_t *lab, size_t n,
                  region_t reg[NREG])
{
    double s[NREG][3] = {{0}}, sl[NREG] = {0}, cnt[NREG] = {0};
    for (size_t i = 0; i < n; i++) {
        double a = alpha ? alpha[i] : 1.0;
        int k = lab[i];
        for (int c = 0; c < 3; c++)
            s[k][c] += a * cs[3 * i + c];
        sl[k] += a * bl[i];
        cnt[k] += a;
    }
    /* the skin's lit tone: the mean of its brighter half */
    double lit[NREG][3] = {{0}}, litl[NREG] = {0}, lcnt[NREG] = {0};
    for (size_t i = 0; i < n; i++) {
        int k = lab[i];
        if (!reg[k].skin || bl[i] * cnt[k] < sl[k])
            continue;
        double a = alpha ? alpha[i] : 1.0;
        for (int c = 0; c < 3; c++)
            lit[k][c] += a * cs[3 * i + c];
        litl[k] += a * bl[i];
        lcnt[k] += a;
    }
    for (int k = 0; k < NREG; k++) {
        region_t *r = &reg[k];
        double m = cnt[k] > 0 ? cnt[k] : 1;
        for (int c = 0; c < 3; c++)
            r->base[c] = (float)(s[k][c] / m);
        r->mean_l = (float)(sl[k] / m);
        if (r->skin) {
            if (lcnt[k] > 0) {
                for (int c = 0; c < 3; c++)
                    r->base[c] = (float)(lit[k][c] / lcnt[k]);
                r->mean_l = (float)(litl[k] / lcnt[k]);
            }
            float mx = fmaxf(r->base[0], fmaxf(r->base[1], r->base[2]));
            float mn = fminf(r->base[0], fminf(r->base[1], r->base[2]));
            if (mx > 0 && (mx - mn) / mx > SKIN_SAT_MAX)
                saturate(r->base, SKIN_SAT_MAX / ((mx - mn) / mx));
            for (int c = 0; c < 3; c++) {
                r->base[c] += (1 - r->base[c]) * SKIN_LIFT;
                r->shadow[c] = r->base[c] * skin_shadow[c];
                r->light[c] = r->base[c];
            }
        } else {
            for (int c = 0; c < 3; c++) {
                r->shadow[c] = r->base[c] * SHADOW_MUL;
                r->light[c] = r->base[c] + (1 - r->base[c]) * HIGHLIGHT_TO_WHITE;
            }
        }
    }
}

/* The photo's own eyes over the cel image: an ellipse around each eye landmark, feathered, the photo's
 * contrast raised a little so the iris and lashes read as drawn. */
static void paste_eyes(const sb_image_t *photo, const sb_cel_face_t *f, float *img)
{
    int w = photo->width, h = photo->height;
    const float(*l)[2] = f->lmk;
    float dx = l[1][0] - l[0][0], dy = l[1][1] - l[0][1], d = hypotf(dx, dy);
    if (d < 4)
        return;
    float ux = dx / d, uy = dy / d, rx = EYE_RX * d, ry = EYE_RY * d;
    for (int k = 0; k < 2; k++) {
        float cx = l[k][0], cy = l[k][1];
        int x0 = (int)floorf(cx - rx), x1 = (int)ceilf(cx + rx), y0 = (int)floorf(cy - rx), y1 = (int)ceilf(cy + rx);
        for (int y = y0 < 0 ? 0 : y0; y <= y1 && y < h; y++)
            for (int x = x0 < 0 ? 0 : x0; x <= x1 && x < w; x++) {
                /* along and across the eye line */
                float px = x - cx, py = y - cy, a = (px * ux + py * uy) / rx, b = (-px * uy + py * ux) / ry;
                float r = sqrtf(a * a + b * b);
                if (r >= 1)
                    continue;
                float t = r <= EYE_CORE ? 1 : (1 - r) / (1 - EYE_CORE);
                t = t * t * (3 - 2 * t);
                size_t i = 3 * ((size_t)y * w + x);
                for (int c = 0; c < 3; c++) {
                    float v = sb_cel_clamp01((photo->data[i + c] * (1.0f / 255.0f) - 0.5f) * EYE_CONTRAST + 0.5f);
                    img[i + c] += t * (v - img[i + c]);
                }
            }
    }
}

/* The face's modelling from the photo: inside the face's oval x FACE_MODEL_OVAL (feathered over its outer
 * FACE_FEATHER, times the matte), the flat tones' luma is pulled FACE_MODEL of the way towards the photo's
 * luma blurred at the face's scale (sb_cel_face_oval's / FACE_MODEL_DIV: the nose's side, the eye sockets,
 * the mouth's shape, no pores), scaled to the flat face's mean; a gain on the flat colour, so the hue stays the cel's, quantised in FACE_STEP steps
 * with soft edges, so the photo's shading comes out as a few more bands, not an airbrush. Only the skin
 * region is modelled (`skin`: w*h bytes, 255 where the flat tones are skin): the zone also reaches hair,
 * collar and shirt, which keep their own flat bands. `lum` is the photo's luma, `img` the flat tones (3
 * bands, changed in place), `tmp` w*h floats of scratch (the blur of the zone's box). */
#define FACE_MODEL 0.7f
#define FACE_STEP 0.10f      /* the gain in steps of this: a few more bands, not an airbrush */
#define FACE_STEP_SOFT 0.15f /* each step's edge, as a fraction of the step: anti-aliasing */
#define FACE_MODEL_OVAL 1.2f /* the zone: the face's oval scaled by this (cheeks and jaw line) */
#define FACE_MODEL_DIV 60.0f
#define FACE_FEATHER 0.25f
static sb_err face_modelling(const float *lum, const float *alpha, const uint8_t *skin, const sb_cel_face_t *f, int w,
                             int h, float *img, float *tmp, sb_error_t *e)
{
    float c[2], rx, ry, d = sb_cel_face_oval(f, c, &rx, &ry);
    if (d < 8)
        return SB_OK;
    rx *= FACE_MODEL_OVAL, ry *= FACE_MODEL_OVAL;
    int x0 = (int)fmaxf(0, floorf(c[0] - rx)), x1 = (int)fminf(w, ceilf(c[0] + rx));
    int y0 = (int)fmaxf(0, floorf(c[1] - ry)), y1 = (int)fminf(h, ceilf(c[1] + ry));
    if (x1 <= x0 || y1 <= y0)
        return SB_OK;
    /* The blur on the zone's box only, with a margin wider than the blur's three box passes reach (each
     * about sigma), so the zone sees what a blur of the whole image gives. */
    float sigma = fmaxf(1.0f, d / FACE_MODEL_DIV);
    int m = 3 * (int)ceilf(sigma) + 2;
    int bx0 = x0 - m < 0 ? 0 : x0 - m, by0 = y0 - m < 0 ? 0 : y0 - m;
    int bx1 = x1 + m > w ? w : x1 + m, by1 = y1 + m > h ? h : y1 + m, bw = bx1 - bx0;
    for (int y = by0; y < by1; y++)
        memcpy(tmp + (size_t)(y - by0) * bw, lum + (size_t)y * w + bx0, (size_t)bw * sizeof *tmp);
    sb_err err = sb_blur(tmp, tmp, bw, by1 - by0, 1, sigma, e);
    if (err)
        return err;
    double sf = 0, sp = 0, sw = 0;
    for (int pass = 0; pass < 2; pass++) {
        float k = pass && sp > 0 ? (float)(sf / sp) : 1;
        for (int y = y0; y < y1; y++)
            for (int x = x0; x < x1; x++) {
                float ex = (x - c[0]) / rx, ey = (y - c[1]) / ry, r = sqrtf(ex * ex + ey * ey);
                if (r >= 1)
                    continue;
                size_t i = (size_t)y * w + x;
                float wt = (r <= 1 - FACE_FEATHER ? 1 : (1 - r) / FACE_FEATHER) * (alpha ? alpha[i] : 1.0f) *
                           (skin[i] * (1.0f / 255.0f));
                if (wt <= 0)
                    continue;
                float lf = sb_cel_luma(img + 3 * i);
                float bl = tmp[(size_t)(y - by0) * bw + (x - bx0)];
                if (!pass) {
                    sf += wt * lf, sp += wt * bl, sw += wt;
                    continue;
                }
                float target = lf + FACE_MODEL * (k * bl - lf);
                float g = lf > 1e-3f ? target / lf : 1;
                float u = (fminf(1.6f, fmaxf(0.5f, g)) - 1) / FACE_STEP, fl = floorf(u), fr = u - fl;
                float st = (fr - (0.5f - FACE_STEP_SOFT)) / (2 * FACE_STEP_SOFT);
                st = st < 0 ? 0 : st > 1 ? 1 : st * st * (3 - 2 * st);
                g = 1 + wt * FACE_STEP * (fl + st);
                for (int ch = 0; ch < 3; ch++)
                    img[3 * i + ch] *= g;
            }
    }
    return SB_OK;
}

/* A monochrome photo (black-and-white, or toned) stays monochrome. Its person's chroma (each channel minus
 * the luma) spreads under MONO_SPREAD (RMS about its mean, the photo's tone): gfpgan_julia_crop 0.0078,
 * where the colour photos of faces/ and groups/ measured spread it 0.022-0.089 (docs/QUALITY.md,
 * h13-avatars). Otherwise the skin's rosier shadows, the net's pastel colours and the palette's clusters
 * paint a grey face in mauve, pink and green-grey patches. */
#define MONO_SPREAD 0.012f

/* True when `photo` over the matte `alpha` (w*h floats or NULL) is monochrome; then `tone` is its mean
 * chroma (r - y, g - y, b - y): the tone to paint the cel image in. */
static bool monochrome(const sb_image_t *photo, const float *alpha, float tone[3])
{
    size_t n = (size_t)photo->width * photo->height;
    double s[3] = {0}, s2 = 0, wsum = 0;
    for (size_t i = 0; i < n; i++) {
        double a = alpha ? alpha[i] : 1.0;
        if (a < 0.5)
            continue;
        const uint8_t *p = photo->data + 3 * i;
        float c[3] = {p[0] / 255.0f, p[1] / 255.0f, p[2] / 255.0f}, y = sb_cel_luma(c);
        for (int k = 0; k < 3; k++) {
            s[k] += a * (c[k] - y);
            s2 += a * (c[k] - y) * (c[k] - y);
        }
        wsum += a;
    }
    if (wsum < 1)
        return false;
    double var = s2 / wsum;
    for (int k = 0; k < 3; k++) {
        tone[k] = (float)(s[k] / wsum);
        var -= (double)tone[k] * tone[k];
    }
    return sqrt(var > 0 ? var / 3 : 0) < MONO_SPREAD;
}

/* The flat, banded colours of `photo` and `styled` (3 bands, one size) into bands 0-2 of `flat` (allocated,
 * same size, 4 bands): the regions (cel_regions.h), their tones, bands; band 3 is 255 on the skin region, 0
 * elsewhere (one image, so scaling it back is one resize). `al` is NULL or w*h floats; `face` may be NULL. */
static sb_err flat_tones(const sb_image_t *photo, const sb_image_t *styled, const float *al, const sb_cel_face_t *face,
                         bool antialias, sb_image_t *flat, sb_error_t *e)
{
    int w = photo->width, h = photo->height, side = w < h ? w : h;
    size_t n = (size_t)w * h;
    float *buf = malloc(n * 8 * sizeof *buf);
    uint8_t *lab = malloc(n);
    if (!buf || !lab) {
        free(buf);
        free(lab);
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for cel shading");
    }
    /* the photo smoothed, the net (3 bands each; the net's colours and luma are only averaged per region
     * or blurred into bands, so it needs no smoothing), band luma, scratch */
    float *phs = buf, *nets = buf + 3 * n, *bl = buf + 6 * n, *tmp = buf + 7 * n;
    for (size_t i = 0; i < 3 * n; i++)
        nets[i] = styled->data[i] * (1.0f / 255.0f);
    region_t reg[NREG];
    for (int k = 0; k < NREG; k++)
        reg[k].skin = k == SKIN;
    sb_err err = sb_cel_regions(photo, al, face, phs, lab, e);
    if (!err) {
        for (size_t i = 0; i < n; i++) {
            float ly = sb_cel_luma(phs + 3 * i);
            bl[i] = reg[lab[i]].skin ? ly : ly + NET_SHADE * (sb_cel_luma(nets + 3 * i) - ly);
        }
        memcpy(tmp, bl, n * sizeof *bl);
        err = sb_blur(bl, bl, w, h, 1, side * BAND_BLUR_SKIN, e);
        if (!err)
            err = sb_blur(tmp, tmp, w, h, 1, side * BAND_BLUR, e);
        for (size_t i = 0; !err && i < n; i++)
            if (!reg[lab[i]].skin)
                bl[i] = tmp[i];
    }
    if (!err) {
        /* the colour source, in place of the smoothed photo */
        for (size_t i = 0; i < 3 * n; i++)
            phs[i] += NET_COLOUR * (nets[i] - phs[i]);
        tones(phs, bl, al, lab, n, reg);
        for (size_t i = 0; i < n; i++) {
            const region_t *rg = &reg[lab[i]];
            float q = bl[i] / (rg->mean_l > 1e-3f ? rg->mean_l : 1e-3f);
            float deep[3];
            for (int c = 0; c < 3; c++)
                deep[c] = rg->shadow[c] * skin_deep[c];
            const float *t = rg->skin ? (q < SKIN_DEEP ? deep : q < SKIN_CUT ? rg->shadow : rg->base)
                                      : (q < SHADE_LO ? rg->shadow : q > SHADE_HI ? rg->light : rg->base);
            memcpy(nets + 3 * i, t, 3 * sizeof *t);
        }
        /* a touch of blur so region borders are not stair-stepped (an upscaled result has it from the resize) */
        if (antialias)
            err = sb_blur(nets, nets, w, h, 3, AA_SIGMA * side / 800.0f, e);
    }
    if (!err)
        err = sb_image_alloc(flat, w, h, 4, e);
    for (size_t i = 0; !err && i < n; i++) {
        for (int c = 0; c < 3; c++)
            flat->data[4 * i + c] = (uint8_t)(sb_cel_clamp01(nets[3 * i + c]) * 255.0f + 0.5f);
        flat->data[4 * i + 3] = lab[i] == SKIN ? 255 : 0;
    }
    free(buf);
    free(lab);
    return err;
}

/* flat_tones' 4 bands split into the flat colours `img` (3 bands, 8 bits, allocated) and the skin label
 * `skin` (1 band, allocated); with `sigma` > 0 the colours blurred by `sigma` px: the stair steps of region
 * borders scaled up from the working size smoothed away. */
static sb_err split(const sb_image_t *fs, float sigma, sb_image_t *img, sb_image_t *skin, sb_error_t *e)
{
    int w = fs->width, h = fs->height;
    size_t n = (size_t)w * h;
    sb_fimage_t f = {0};
    sb_err err = sb_image_alloc(skin, w, h, 1, e);
    if (!err)
        err = sb_fimage_alloc(&f, w, h, 3, e);
    for (size_t i = 0; !err && i < n; i++) {
        for (int c = 0; c < 3; c++)
            f.data[3 * i + c] = fs->data[4 * i + c] * (1.0f / 255.0f);
        skin->data[i] = fs->data[4 * i + 3];
    }
    if (!err && sigma > 0)
        err = sb_blur(f.data, f.data, w, h, 3, sigma, e);
    if (!err)
        err = sb_fimage_to_u8(&f, img, e);
    sb_fimage_free(&f);
    return err;
}

/* The inputs of flat_tones at `k` times the photo's size (k < 1): photo, net (from its own size) and matte
 * resized, landmarks scaled. */
static sb_err shrink(const sb_image_t *photo, const sb_image_t *styled, const sb_fimage_t *alpha,
                     const sb_cel_face_t *face, float k, sb_image_t *ph, sb_image_t *net, sb_fimage_t *al,
                     sb_cel_face_t *f, sb_error_t *e)
{
    int w = (int)lroundf(photo->width * k), h = (int)lroundf(photo->height * k);
    sb_image_t a8 = {0}, a8s = {0};
    sb_err err = sb_image_resize(photo, w, h, ph, e);
    if (!err)
        err = sb_image_resize(styled, w, h, net, e);
    if (!err && alpha) {
        size_t n = (size_t)alpha->width * alpha->height;
        err = sb_image_alloc(&a8, alpha->width, alpha->height, 1, e);
        for (size_t i = 0; !err && i < n; i++)
            a8.data[i] = (uint8_t)(sb_cel_clamp01(alpha->data[i]) * 255.0f + 0.5f);
        if (!err)
            err = sb_image_resize(&a8, w, h, &a8s, e);
        if (!err)
            err = sb_image_to_float(&a8s, al, e);
    }
    *f = face ? *face : (sb_cel_face_t){0};
    for (int i = 0; i < 5; i++)
        for (int c = 0; c < 2; c++)
            f->lmk[i][c] = (f->lmk[i][c] + 0.5f) * ((c ? (float)h / photo->height : (float)w / photo->width)) - 0.5f;
    sb_image_free(&a8);
    sb_image_free(&a8s);
    return err;
}

sb_err sb_cel_shade(const sb_image_t *photo, const sb_image_t *styled, const sb_fimage_t *alpha,
                    const sb_cel_face_t *face, sb_image_t *out, sb_error_t *e)
{
    memset(out, 0, sizeof *out);
    if (!photo->data || !styled->data || photo->bands != 3 || styled->bands != 3 || styled->width < 1 ||
        styled->height < 1 || photo->width < MIN_SIDE || photo->height < MIN_SIDE ||
        fabs((double)styled->height * photo->width / ((double)styled->width * photo->height) - 1) > ASPECT_SLACK)
        return sb_error_set(e, SB_ERR_USAGE, "image", "cel shading needs a photo and its styled copy, RGB of one "
                                                      "aspect, the photo at least %d px a side", MIN_SIDE);
    if (alpha && (!alpha->data || alpha->bands != 1 || alpha->width != photo->width || alpha->height != photo->height))
        return sb_error_set(e, SB_ERR_USAGE, "image", "the matte must be 1 band of the photo's size");
    int w = photo->width, h = photo->height, side = w < h ? w : h;
    size_t n = (size_t)w * h;
    /* The regions are large and soft-edged: they are worked out at most WORK_SIDE a side and scaled back;
     * the ink and the eyes, which must be crisp, at full size. */
    sb_image_t flat = {0}, ph = {0}, net = {0}, small = {0}, fs = {0}, skin = {0};
    sb_fimage_t al = {0};
    sb_cel_face_t f;
    sb_err err;
    if (side > WORK_SIDE) {
        err = shrink(photo, styled, alpha, face, (float)WORK_SIDE / side, &ph, &net, &al, &f, e);
        if (!err)
            err = flat_tones(&ph, &net, alpha ? al.data : NULL, &f, false, &small, e);
        if (!err)
            err = sb_image_resize(&small, w, h, &fs, e);
        if (!err)
            err = split(&fs, UPSCALE_SIGMA * side / 800.0f, &flat, &skin, e);
    } else {
        const sb_image_t *sty = styled;
        err = styled->width == w && styled->height == h ? SB_OK : sb_image_resize(styled, w, h, &net, e);
        if (net.data)
            sty = &net;
        if (!err)
            err = flat_tones(photo, sty, alpha ? alpha->data : NULL, face, true, &fs, e);
        if (!err)
            err = split(&fs, 0, &flat, &skin, e);
    }
    sb_image_free(&ph);
    sb_image_free(&net);
    sb_image_free(&small);
    sb_image_free(&fs);
    sb_fimage_free(&al);
    float *buf = err ? NULL : malloc(n * 6 * sizeof *buf);
    if (!err && !buf)
        err = sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for cel shading");
    float *lum = buf, *ink = buf ? buf + n : NULL, *img = buf ? buf + 2 * n : NULL;
    for (size_t i = 0; !err && i < n; i++)
        lum[i] = sb_cel_luma((const float[3]){photo->data[3 * i] / 255.0f, photo->data[3 * i + 1] / 255.0f,
                                       photo->data[3 * i + 2] / 255.0f});
    if (!err)
        err = sb_cel_ink(lum, alpha ? alpha->data : NULL, face, w, h, ink, e);
    for (size_t i = 0; !err && i < 3 * n; i++)
        img[i] = flat.data[i] * (1.0f / 255.0f);
    if (!err)
        err = face_modelling(lum, alpha ? alpha->data : NULL, skin.data, face, w, h, img, buf + 5 * n, e);
    if (!err) {
        for (size_t i = 0; i < n; i++)
            for (int c = 0; c < 3; c++) {
                float v = sb_cel_clamp01(img[3 * i + c]);
                float inkc = INK_OWN * v * INK_DARK + (1 - INK_OWN) * ink_colour[c];
                img[3 * i + c] = v + ink[i] * (inkc - v);
            }
        if (face && face->have_face)
            paste_eyes(photo, face, img);
        float tone[3];
        if (monochrome(photo, alpha ? alpha->data : NULL, tone))
            for (size_t i = 0; i < n; i++) {
                float y = sb_cel_luma(img + 3 * i);
                for (int c = 0; c < 3; c++)
                    img[3 * i + c] = y + tone[c];
            }
        err = sb_image_alloc(out, w, h, 3, e);
    }
    for (size_t i = 0; !err && i < 3 * n; i++)
        out->data[i] = (uint8_t)(sb_cel_clamp01(img[i]) * 255.0f + 0.5f);
    free(buf);
    sb_image_free(&flat);
    sb_image_free(&skin);
    return err;
}
