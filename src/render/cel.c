/* cel.c - cel shading after CartoonGAN: edge-preserving smoothing, a palette clustered on the person,
 * shade bands per region, ink outlines (render/cel_ink.c) and the photo's eyes. */
#include "render/cel.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "image/filter.h"
#include "image/resample.h"
#include "render/cel_ink.h"

#define MIN_SIDE 16
#define WORK_SIDE 360 /* the regions are worked out at most this many pixels a side */
#define K 6              /* palette clusters on the person */
#define SKIN K           /* the region label of skin, after the clusters */
#define NREG (K + 1)
#define KMEANS_ITERS 8
#define KMEANS_SAMPLES 24000
#define W_LUMA 1.0f      /* k-means feature weights: luma, and chroma (small numbers, so weighted up) */
#define W_CHROMA 3.0f
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
#define SMOOTH_DIV 160   /* guided smoothing radius: the image's side / this */
#define SMOOTH_EPS 0.004f
#define VOTE_DIV 200     /* majority vote radius: side / this */
/* Skin pixels: chroma within SKIN_HUE degrees of the reference's and at least SKIN_CHROMA_MIN of its
 * magnitude; luma SKIN_LUMA_LO..HI of the reference's (SKIN_LUMA_LO_HAIR above the brows, SKIN_BROW eye
 * distances over the eye line). */
#define SKIN_HUE 28.0f
#define SKIN_CHROMA_MIN 0.35f
#define SKIN_CHROMA_MAX 1.45f /* redder than this is lips or blush: a region of its own */
#define SKIN_LUMA_LO 0.40f
#define SKIN_LUMA_LO_HAIR 0.70f
#define SKIN_LUMA_HI 1.60f
#define SKIN_BROW 0.45f
/* Inside the face's ellipse (FACE_RX x FACE_RY eye distances around the eyes' and mouth's centre) a pixel
 * over SKIN_SHEEN of the skin's luma with no more chroma than the skin is a sheen on skin, whatever its hue
 * (on dark skin highlights turn grey or bluish). */
#define FACE_RX 1.05f
#define FACE_RY 1.45f
#define SKIN_SHEEN 1.10f
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
#define EYE_RX 0.24f
#define EYE_RY 0.12f
#define EYE_CORE 0.55f
#define EYE_CONTRAST 1.12f

static float luma(const float *c)
{
    return 0.299f * c[0] + 0.587f * c[1] + 0.114f * c[2];
}

static float clamp01(float v)
{
    return v < 0 ? 0 : v > 1 ? 1 : v;
}

static void feature(const float *c, float f[3])
{
    float y = luma(c);
    f[0] = W_LUMA * y;
    f[1] = W_CHROMA * 0.564f * (c[2] - y);
    f[2] = W_CHROMA * 0.713f * (c[0] - y);
}

static float dist2(const float a[3], const float b[3])
{
    float d0 = a[0] - b[0], d1 = a[1] - b[1], d2 = a[2] - b[2];
    return d0 * d0 + d1 * d1 + d2 * d2;
}

/* Edge-preserving smoothing: the guided filter (He et al.) of `rgb` guided by its own luma, window radius
 * r, regulariser eps, into `out` (3 bands). */
static sb_err smooth(const float *rgb, int w, int h, int r, float eps, float *out, sb_error_t *e)
{
    size_t n = (size_t)w * h;
    float *m = malloc(n * 8 * sizeof *m);
    if (!m)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for cel smoothing");
    for (size_t i = 0; i < n; i++) {
        const float *c = rgb + 3 * i;
        float y = luma(c), *o = m + 8 * i;
        o[0] = y;
        o[1] = c[0], o[2] = c[1], o[3] = c[2];
        o[4] = y * c[0], o[5] = y * c[1], o[6] = y * c[2];
        o[7] = y * y;
    }
    sb_err err = sb_box_mean(m, m, w, h, 8, r, e);
    /* a (3) and b (3) per pixel, then their window means */
    float *ab = err ? NULL : malloc(n * 6 * sizeof *ab);
    if (!err && !ab)
        err = sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for cel smoothing");
    for (size_t i = 0; !err && i < n; i++) {
        const float *o = m + 8 * i;
        float var = o[7] - o[0] * o[0];
        for (int c = 0; c < 3; c++) {
            float a = (o[4 + c] - o[0] * o[1 + c]) / (var + eps);
            ab[6 * i + c] = a;
            ab[6 * i + 3 + c] = o[1 + c] - a * o[0];
        }
    }
    if (!err)
        err = sb_box_mean(ab, ab, w, h, 6, r, e);
    for (size_t i = 0; !err && i < n; i++) {
        float y = luma(rgb + 3 * i);
        for (int c = 0; c < 3; c++)
            out[3 * i + c] = clamp01(ab[6 * i + c] * y + ab[6 * i + 3 + c]);
    }
    free(ab);
    free(m);
    return err;
}

static int by_value(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* The skin colour: the median (per channel) of the smoothed photo on both cheeks and between the eyes and
 * the nose; the person's mean colour when there is no face or too few samples. */
static sb_err skin_reference(const float *sm, const float *alpha, int w, int h, const sb_cel_face_t *f, float ref[3],
                             sb_error_t *e)
{
    int ns = 0, cap = 0;
    float *vals = NULL;
    if (f && f->have_face) {
        const float(*l)[2] = f->lmk;
        float d = hypotf(l[1][0] - l[0][0], l[1][1] - l[0][1]);
        float rad = fmaxf(2.0f, 0.12f * d);
        /* under each eye, halfway to the mouth corner and a quarter towards the nose; the bridge above the nose */
        float ctr[3][2];
        for (int c = 0; c < 2; c++) {
            ctr[0][c] = 0.45f * l[0][c] + 0.30f * l[3][c] + 0.25f * l[2][c];
            ctr[1][c] = 0.45f * l[1][c] + 0.30f * l[4][c] + 0.25f * l[2][c];
            ctr[2][c] = 0.30f * (l[0][c] + l[1][c]) + 0.40f * l[2][c];
        }
        cap = 3 * (int)((2 * rad + 2) * (2 * rad + 2));
        vals = malloc((size_t)cap * 3 * sizeof *vals);
        if (!vals)
            return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the skin colour");
        for (int k = 0; k < 3; k++)
            for (int y = (int)floorf(ctr[k][1] - rad); y <= (int)ceilf(ctr[k][1] + rad); y++)
                for (int x = (int)floorf(ctr[k][0] - rad); x <= (int)ceilf(ctr[k][0] + rad); x++) {
                    if (x < 0 || y < 0 || x >= w || y >= h || ns >= cap ||
                        hypotf(x - ctr[k][0], y - ctr[k][1]) > rad)
                        continue;
                    for (int c = 0; c < 3; c++)
                        vals[(size_t)c * cap + ns] = sm[3 * ((size_t)y * w + x) + c];
                    ns++;
                }
    }
    if (ns >= 8) {
        for (int c = 0; c < 3; c++) {
            qsort(vals + (size_t)c * cap, (size_t)ns, sizeof *vals, by_value);
            ref[c] = vals[(size_t)c * cap + ns / 2];
        }
    } else {
        double s[3] = {0}, wsum = 1e-9;
        for (size_t i = 0; i < (size_t)w * h; i++) {
            float a = alpha ? alpha[i] : 1.0f;
            for (int c = 0; c < 3; c++)
                s[c] += a * sm[3 * i + c];
            wsum += a;
        }
        for (int c = 0; c < 3; c++)
            ref[c] = (float)(s[c] / wsum);
    }
    free(vals);
    return SB_OK;
}

/* The person's colours as K centres in feature space: centre 0 starts at the skin colour, the others at
 * luma quantiles of the samples; Lloyd iterations on at most KMEANS_SAMPLES person pixels. Deterministic. */
static sb_err kmeans(const float *sm, const float *alpha, size_t n, const float skin[3], float cent[K][3],
                     sb_error_t *e)
{
    size_t n_person = 0;
    for (size_t i = 0; i < n; i++)
        n_person += !alpha || alpha[i] >= 0.5f;
    bool all = n_person < 4 * K;
    size_t pool = all ? n : n_person, step = pool / KMEANS_SAMPLES + 1, ns = 0, seen = 0;
    float(*f)[3] = malloc((pool / step + 1) * sizeof *f);
    if (!f)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the cel palette");
    for (size_t i = 0; i < n; i++)
        if (all || !alpha || alpha[i] >= 0.5f)
            if (seen++ % step == 0)
                feature(sm + 3 * i, f[ns++]);
    float *lum = malloc(ns * sizeof *lum);
    if (!lum) {
        free(f);
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the cel palette");
    }
    for (size_t i = 0; i < ns; i++)
        lum[i] = f[i][0];
    qsort(lum, ns, sizeof *lum, by_value);
    feature(skin, cent[0]);
    for (int k = 1; k < K; k++) {
        /* a grey at the quantile: the chroma is found by the iterations */
        cent[k][0] = lum[(size_t)((k - 0.5f) / (K - 1) * (ns - 1))];
        cent[k][1] = cent[k][2] = 0;
    }
    free(lum);
    for (int it = 0; it < KMEANS_ITERS; it++) {
        double s[K][3] = {{0}};
        size_t cnt[K] = {0};
        for (size_t i = 0; i < ns; i++) {
            int best = 0;
            float bd = dist2(f[i], cent[0]);
            for (int k = 1; k < K; k++) {
                float d = dist2(f[i], cent[k]);
                if (d < bd)
                    bd = d, best = k;
            }
            cnt[best]++;
            for (int c = 0; c < 3; c++)
                s[best][c] += f[i][c];
        }
        for (int k = 0; k < K; k++)
            for (int c = 0; cnt[k] && c < 3; c++)
                cent[k][c] = (float)(s[k][c] / cnt[k]);
    }
    free(f);
    return SB_OK;
}

/* Each pixel's nearest centre, then a majority vote over a (2r+1)^2 window so regions have clean borders and
 * no islands of a few pixels. */
static sb_err label(const float *sm, int w, int h, const float cent[K][3], int r, uint8_t *lab, sb_error_t *e)
{
    size_t n = (size_t)w * h;
    float *votes = calloc(n * K, sizeof *votes);
    if (!votes)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the cel regions");
    for (size_t i = 0; i < n; i++) {
        float fi[3];
        feature(sm + 3 * i, fi);
        int best = 0;
        float bd = dist2(fi, cent[0]);
        for (int k = 1; k < K; k++) {
            float d = dist2(fi, cent[k]);
            if (d < bd)
                bd = d, best = k;
        }
        votes[i * K + best] = 1;
    }
    sb_err err = sb_box_mean(votes, votes, w, h, K, r, e);
    for (size_t i = 0; !err && i < n; i++) {
        int best = 0;
        for (int k = 1; k < K; k++)
            if (votes[i * K + k] > votes[i * K + best])
                best = k;
        lab[i] = (uint8_t)best;
    }
    free(votes);
    return err;
}

/* Saturation of `c` scaled by `s` around its luma. */
static void saturate(float c[3], float s)
{
    float y = luma(c);
    for (int k = 0; k < 3; k++)
        c[k] = clamp01(y + s * (c[k] - y));
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

/* Relabel as SKIN every pixel of the skin's hue (the angle of its chroma within SKIN_HUE of the reference's)
 * at a luma from a shadow to a highlight on skin (relative to the reference; highlights lose chroma, so a
 * pale pixel needs less of it); then a majority vote so the skin is one clean shape. Hair of the skin's hue
 * (brown, blond) is told apart by luma, and above the eyebrows only a luma near the skin's counts. */
static sb_err skin_regions(const float *sm, int w, int h, const float skin[3], const sb_cel_face_t *f, int r,
                           uint8_t *lab, sb_error_t *e)
{
    size_t n = (size_t)w * h;
    float ys = luma(skin), cb = skin[2] - ys, cr = skin[0] - ys, mag = hypotf(cb, cr);
    float brow = -1; /* rows above this are hair country */
    float fc[2] = {0, 0}, frx = 0, fry = 0; /* the face's ellipse, where a pale, greyish pixel is a highlight */
    if (f && f->have_face) {
        const float(*l)[2] = f->lmk;
        float d = hypotf(l[1][0] - l[0][0], l[1][1] - l[0][1]);
        brow = 0.5f * (l[0][1] + l[1][1]) - SKIN_BROW * d;
        fc[0] = 0.25f * (l[0][0] + l[1][0] + l[3][0] + l[4][0]);
        fc[1] = 0.25f * (l[0][1] + l[1][1] + l[3][1] + l[4][1]);
        frx = FACE_RX * d, fry = FACE_RY * d;
    }
    float *m = malloc(n * sizeof *m);
    if (!m)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the skin regions");
    float cos_max = cosf(SKIN_HUE * (float)M_PI / 180.0f);
    for (size_t i = 0; i < n; i++) {
        const float *c = sm + 3 * i;
        float y = luma(c), pb = c[2] - y, pr = c[0] - y, pm = hypotf(pb, pr), q = y / (ys > 1e-3f ? ys : 1e-3f);
        float cosang = pm > 1e-4f && mag > 1e-4f ? (pb * cb + pr * cr) / (pm * mag) : (mag <= 1e-4f ? 1.0f : 0.0f);
        float lo = (int)(i / w) < brow ? SKIN_LUMA_LO_HAIR : SKIN_LUMA_LO;
        bool hue_ok = cosang > cos_max && pm > SKIN_CHROMA_MIN * mag * (q > 1 ? 1 / q : 1) &&
                      pm < SKIN_CHROMA_MAX * mag + 0.01f;
        float ex = frx > 0 ? ((float)(i % w) - fc[0]) / frx : 9, ey = fry > 0 ? ((float)(i / w) - fc[1]) / fry : 9;
        bool highlight = q > SKIN_SHEEN && q < SKIN_LUMA_HI && pm < mag + 0.01f && ex * ex + ey * ey < 1;
        m[i] = (hue_ok && q > lo && q < SKIN_LUMA_HI) || highlight ? 1.0f : 0.0f;
    }
    sb_err err = sb_box_mean(m, m, w, h, 1, r, e);
    for (size_t i = 0; !err && i < n; i++)
        if (m[i] > 0.5f)
            lab[i] = SKIN;
    free(m);
    return err;
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
                    float v = clamp01((photo->data[i + c] * (1.0f / 255.0f) - 0.5f) * EYE_CONTRAST + 0.5f);
                    img[i + c] += t * (v - img[i + c]);
                }
            }
    }
}

/* The flat, banded colours of `photo` and `styled` (3 bands, one size) into `flat` (allocated, same size,
 * 3 bands): smoothing, palette, skin, bands. `alpha` is NULL or w*h floats; `face` may be NULL. */
static sb_err flat_tones(const sb_image_t *photo, const sb_image_t *styled, const float *al, const sb_cel_face_t *face,
                         bool antialias, sb_image_t *flat, sb_error_t *e)
{
    int w = photo->width, h = photo->height, side = w < h ? w : h;
    size_t n = (size_t)w * h;
    float *buf = malloc(n * 11 * sizeof *buf);
    uint8_t *lab = malloc(n);
    if (!buf || !lab) {
        free(buf);
        free(lab);
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for cel shading");
    }
    /* photo, its smoothed copy, the net (3 bands each; the net's colours and luma are only averaged per
     * region or blurred into bands, so it needs no smoothing), band luma, scratch */
    float *ph = buf, *phs = buf + 3 * n, *nets = buf + 6 * n, *bl = buf + 9 * n, *tmp = buf + 10 * n;
    for (size_t i = 0; i < 3 * n; i++) {
        ph[i] = photo->data[i] * (1.0f / 255.0f);
        nets[i] = styled->data[i] * (1.0f / 255.0f);
    }
    int r = side / SMOOTH_DIV > 1 ? side / SMOOTH_DIV : 1, vote = side / VOTE_DIV > 1 ? side / VOTE_DIV : 1;
    float skin[3], cent[K][3];
    region_t reg[NREG];
    for (int k = 0; k < NREG; k++)
        reg[k].skin = k == SKIN;
    sb_err err = smooth(ph, w, h, r, SMOOTH_EPS, phs, e);
    if (!err)
        err = skin_reference(phs, al, w, h, face, skin, e);
    if (!err)
        err = kmeans(phs, al, n, skin, cent, e);
    if (!err)
        err = label(phs, w, h, (const float(*)[3])cent, vote, lab, e);
    if (!err)
        err = skin_regions(phs, w, h, skin, face, vote, lab, e);
    if (!err) {
        for (size_t i = 0; i < n; i++) {
            float ly = luma(phs + 3 * i);
            bl[i] = reg[lab[i]].skin ? ly : ly + NET_SHADE * (luma(nets + 3 * i) - ly);
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
        err = sb_image_alloc(flat, w, h, 3, e);
    for (size_t i = 0; !err && i < 3 * n; i++)
        flat->data[i] = (uint8_t)(clamp01(nets[i]) * 255.0f + 0.5f);
    free(buf);
    free(lab);
    return err;
}

/* `img` (3 bands, 8 bits) blurred by `sigma` px in place: the stair steps of region borders scaled up from
 * the working size smoothed away. */
static sb_err soften(sb_image_t *img, float sigma, sb_error_t *e)
{
    sb_fimage_t f = {0};
    sb_image_t u = {0};
    sb_err err = sb_image_to_float(img, &f, e);
    if (!err)
        err = sb_blur(f.data, f.data, f.width, f.height, 3, sigma, e);
    if (!err)
        err = sb_fimage_to_u8(&f, &u, e);
    if (!err) {
        sb_image_free(img);
        *img = u;
    }
    sb_fimage_free(&f);
    return err;
}

/* The inputs of flat_tones at `k` times the size (k < 1): photo, net and matte resized, landmarks scaled. */
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
            a8.data[i] = (uint8_t)(clamp01(alpha->data[i]) * 255.0f + 0.5f);
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
    if (!photo->data || !styled->data || photo->bands != 3 || styled->bands != 3 || photo->width != styled->width ||
        photo->height != styled->height || photo->width < MIN_SIDE || photo->height < MIN_SIDE)
        return sb_error_set(e, SB_ERR_USAGE, "image", "cel shading needs a photo and its styled copy, RGB of one size, "
                                                      "at least %d px a side", MIN_SIDE);
    if (alpha && (!alpha->data || alpha->bands != 1 || alpha->width != photo->width || alpha->height != photo->height))
        return sb_error_set(e, SB_ERR_USAGE, "image", "the matte must be 1 band of the photo's size");
    int w = photo->width, h = photo->height, side = w < h ? w : h;
    size_t n = (size_t)w * h;
    /* The regions are large and soft-edged: they are worked out at most WORK_SIDE a side and scaled back;
     * the ink and the eyes, which must be crisp, at full size. */
    sb_image_t flat = {0}, ph = {0}, net = {0}, up = {0};
    sb_fimage_t al = {0};
    sb_cel_face_t f;
    sb_err err;
    if (side > WORK_SIDE) {
        err = shrink(photo, styled, alpha, face, (float)WORK_SIDE / side, &ph, &net, &al, &f, e);
        if (!err)
            err = flat_tones(&ph, &net, alpha ? al.data : NULL, &f, false, &up, e);
        if (!err)
            err = sb_image_resize(&up, w, h, &flat, e);
        if (!err)
            err = soften(&flat, UPSCALE_SIGMA * side / 800.0f, e);
    } else {
        err = flat_tones(photo, styled, alpha ? alpha->data : NULL, face, true, &flat, e);
    }
    sb_image_free(&ph);
    sb_image_free(&net);
    sb_image_free(&up);
    sb_fimage_free(&al);
    float *buf = err ? NULL : malloc(n * 5 * sizeof *buf);
    if (!err && !buf)
        err = sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for cel shading");
    float *lum = buf, *ink = buf ? buf + n : NULL, *img = buf ? buf + 2 * n : NULL;
    for (size_t i = 0; !err && i < n; i++)
        lum[i] = luma((const float[3]){photo->data[3 * i] / 255.0f, photo->data[3 * i + 1] / 255.0f,
                                       photo->data[3 * i + 2] / 255.0f});
    if (!err)
        err = sb_cel_ink(lum, alpha ? alpha->data : NULL, w, h, ink, e);
    if (!err) {
        for (size_t i = 0; i < n; i++)
            for (int c = 0; c < 3; c++) {
                float v = flat.data[3 * i + c] * (1.0f / 255.0f);
                float inkc = INK_OWN * v * INK_DARK + (1 - INK_OWN) * ink_colour[c];
                img[3 * i + c] = v + ink[i] * (inkc - v);
            }
        if (face && face->have_face)
            paste_eyes(photo, face, img);
        err = sb_image_alloc(out, w, h, 3, e);
    }
    for (size_t i = 0; !err && i < 3 * n; i++)
        out->data[i] = (uint8_t)(clamp01(img[i]) * 255.0f + 0.5f);
    free(buf);
    sb_image_free(&flat);
    return err;
}
