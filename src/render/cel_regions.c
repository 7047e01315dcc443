/* cel_regions.c - the regions of the cel style: guided-filter smoothing, the skin colour from the face,
 * a k-means palette on the person, nearest-colour labels cleaned by a majority vote, and the skin
 * relabelled by hue and luma. */
#include "render/cel_regions.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include "image/filter.h"

#define K SB_CEL_K
#define SKIN SB_CEL_SKIN
#define KMEANS_ITERS 8
#define KMEANS_SAMPLES 24000
#define W_LUMA 1.0f      /* k-means feature weights: luma, and chroma (small numbers, so weighted up) */
#define W_CHROMA 3.0f
#define SMOOTH_DIV 160   /* guided smoothing radius: the image's side / this */
#define SMOOTH_EPS 0.004f
#define VOTE_DIV 200     /* majority vote radius: side / this */
/* Skin pixels: chroma within SKIN_HUE degrees of the reference's and at least SKIN_CHROMA_MIN of its
 * magnitude; luma SKIN_LUMA_LO..HI of the reference's (SKIN_LUMA_LO_HAIR above the brows, SKIN_BROW face
 * scales (sb_cel_face_oval) over the eye line). */
#define SKIN_HUE 28.0f
#define SKIN_CHROMA_MIN 0.35f
#define SKIN_CHROMA_MAX 1.45f /* redder than this is lips or blush: a region of its own */
#define SKIN_LUMA_LO 0.40f
#define SKIN_LUMA_LO_HAIR 0.70f
#define SKIN_LUMA_HI 1.60f
#define SKIN_BROW 0.45f
/* Inside the face's oval (sb_cel_face_oval) a pixel over SKIN_SHEEN of the skin's luma with no more chroma
 * than the skin is a sheen on skin, whatever its hue (on dark skin highlights turn grey or bluish); and a
 * pixel at a skin luma whose chroma is within SKIN_HUE_FACE degrees of the skin's and no stronger (lips are
 * stronger and stay a region of their own), or under SKIN_GREY of its magnitude (a shadow lit by a window or a car's interior, a sepia or faded photo), is skin too: a face that
 * falls into several palette clusters is drawn as blotches of unrelated colours and stops being a face. */
#define SKIN_SHEEN 1.10f
#define SKIN_HUE_FACE 50.0f
#define SKIN_GREY 0.5f

static void feature(const float *c, float f[3])
{
    float y = sb_cel_luma(c);
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
        float y = sb_cel_luma(c), *o = m + 8 * i;
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
        float y = sb_cel_luma(rgb + 3 * i);
        for (int c = 0; c < 3; c++)
            out[3 * i + c] = sb_cel_clamp01(ab[6 * i + c] * y + ab[6 * i + 3 + c]);
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

/* Relabel as SKIN every pixel of the skin's hue (the angle of its chroma within SKIN_HUE of the reference's)
 * at a luma from a shadow to a highlight on skin (relative to the reference; highlights lose chroma, so a
 * pale pixel needs less of it); then a majority vote so the skin is one clean shape. Hair of the skin's hue
 * (brown, blond) is told apart by luma, and above the eyebrows only a luma near the skin's counts. */
static sb_err skin_regions(const float *sm, int w, int h, const float skin[3], const sb_cel_face_t *f, int r,
                           uint8_t *lab, sb_error_t *e)
{
    size_t n = (size_t)w * h;
    float ys = sb_cel_luma(skin), cb = skin[2] - ys, cr = skin[0] - ys, mag = hypotf(cb, cr);
    float brow = -1; /* rows above this are hair country */
    float fc[2] = {0, 0}, frx = 0, fry = 0; /* the face's oval */
    float d = sb_cel_face_oval(f, fc, &frx, &fry);
    if (d > 0)
        brow = 0.5f * (f->lmk[0][1] + f->lmk[1][1]) - SKIN_BROW * d;
    float *m = malloc(n * sizeof *m);
    if (!m)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the skin regions");
    float cos_max = cosf(SKIN_HUE * (float)M_PI / 180.0f), cos_face = cosf(SKIN_HUE_FACE * (float)M_PI / 180.0f);
    for (size_t i = 0; i < n; i++) {
        const float *c = sm + 3 * i;
        float y = sb_cel_luma(c), pb = c[2] - y, pr = c[0] - y, pm = hypotf(pb, pr), q = y / (ys > 1e-3f ? ys : 1e-3f);
        float cosang = pm > 1e-4f && mag > 1e-4f ? (pb * cb + pr * cr) / (pm * mag) : (mag <= 1e-4f ? 1.0f : 0.0f);
        float lo = (int)(i / w) < brow ? SKIN_LUMA_LO_HAIR : SKIN_LUMA_LO;
        bool hue_ok = cosang > cos_max && pm > SKIN_CHROMA_MIN * mag * (q > 1 ? 1 / q : 1) &&
                      pm < SKIN_CHROMA_MAX * mag + 0.01f;
        float ex = frx > 0 ? ((float)(i % w) - fc[0]) / frx : 9, ey = fry > 0 ? ((float)(i / w) - fc[1]) / fry : 9;
        bool in_face = ex * ex + ey * ey < 1;
        bool highlight = q > SKIN_SHEEN && q < SKIN_LUMA_HI && pm < mag + 0.01f && in_face;
        bool face_tone = in_face && (pm < SKIN_GREY * mag || (cosang > cos_face && pm < mag + 0.01f));
        m[i] = ((hue_ok || face_tone) && q > lo && q < SKIN_LUMA_HI) || highlight ? 1.0f : 0.0f;
    }
    sb_err err = sb_box_mean(m, m, w, h, 1, r, e);
    for (size_t i = 0; !err && i < n; i++)
        if (m[i] > 0.5f)
            lab[i] = SKIN;
    free(m);
    return err;
}

sb_err sb_cel_regions(const sb_image_t *photo, const float *alpha, const sb_cel_face_t *face, float *phs, uint8_t *lab,
                      sb_error_t *e)
{
    int w = photo->width, h = photo->height, side = w < h ? w : h;
    int r = side / SMOOTH_DIV > 1 ? side / SMOOTH_DIV : 1, vote = side / VOTE_DIV > 1 ? side / VOTE_DIV : 1;
    size_t n = (size_t)w * h;
    float skin[3], cent[K][3];
    float *ph = malloc(n * 3 * sizeof *ph);
    if (!ph)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for cel shading");
    for (size_t i = 0; i < 3 * n; i++)
        ph[i] = photo->data[i] * (1.0f / 255.0f);
    sb_err err = smooth(ph, w, h, r, SMOOTH_EPS, phs, e);
    free(ph);
    if (!err)
        err = skin_reference(phs, alpha, w, h, face, skin, e);
    if (!err)
        err = kmeans(phs, alpha, n, skin, cent, e);
    if (!err)
        err = label(phs, w, h, (const float(*)[3])cent, vote, lab, e);
    if (!err)
        err = skin_regions(phs, w, h, skin, face, vote, lab, e);
    return err;
}
