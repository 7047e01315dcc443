/* cel_ink.c - ink outlines: difference of Gaussians on the luma, thresholded softly, specks removed by
 * connected-component size, and the silhouette from the matte. */
#include "render/cel_ink.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "render/cel_regions.h"

#define SIGMA_800 1.1f  /* inner Gaussian at 800 px */
#define SIGMA_K 1.6f    /* outer / inner */
/* A dark-side DoG response over tau starts a line and over TAU_FULL x tau it is full strength; tau is the
 * TAU_RANK quantile of the response over the person, within TAU_MIN..TAU_MAX: a soft (small or
 * upscaled) photo gets its lines too, a crisp one no more than its strongest edges. */
#define TAU_RANK 0.90f
#define TAU_MIN 0.003f
#define TAU_MAX 0.007f
#define TAU_FULL 3.5f
#define KEEP 0.25f      /* strength counted as line for the speck test */
#define MIN_PIECE 0.05f /* pieces with fewer pixels than this fraction of the side... */
#define MIN_PIECE_FIXED 12 /* ... or than this are specks */
/* The face's own lines (nose, lips, brows, eyelids) at the face's scale: a second DoG over the face's oval
 * with its inner sigma the face's scale (sb_cel_face_oval) / FACE_INK_DIV (never under the image's), its
 * threshold the FACE_TAU_RANK quantile inside the oval, so a soft face (upscaled from a small photo, or
 * evenly lit) is drawn too and a crisp one no more than its features; pieces under FACE_MIN_PIECE face
 * scales are specks. The lines fade out over the oval's outer FACE_FADE of its radius. */
#define FACE_INK_DIV 90.0f
#define FACE_TAU_RANK 0.88f
#define FACE_MIN_PIECE 0.6f
#define FACE_FADE 0.2f
#define SIL_CENTRE 0.6f /* the silhouette line runs where the matte crosses this */
#define SIL_HALF 0.22f  /* and fades out this far from it */
#define SIL_MAX 0.85f

/* dst = src convolved with a sampled Gaussian of `sigma` (separable, taps to 3 sigma, borders clamped):
 * exact at the 1-3 px sigmas the lines need, where sb_blur's box widths are too coarse to tell two sigmas
 * apart. `tmp` is w*h floats of scratch. Each pass adds one tap at a time over a whole row (the horizontal
 * one over the row padded with its edge pixels), so the loops run over x and vectorise; every pixel still
 * sums its taps in the same order. */
static sb_err gauss(const float *src, float *dst, float *tmp, int w, int h, float sigma, sb_error_t *e)
{
    int r = (int)ceilf(3 * sigma);
    float *k = malloc((size_t)(2 * r + 1 + w + 2 * r) * sizeof *k), sum = 0;
    if (!k)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the ink outlines");
    float *pad = k + 2 * r + 1;
    for (int i = -r; i <= r; i++)
        sum += k[i + r] = expf(-0.5f * i * i / (sigma * sigma));
    for (int i = 0; i <= 2 * r; i++)
        k[i] /= sum;
    for (int y = 0; y < h; y++) {
        const float *row = src + (size_t)y * w;
        float *o = tmp + (size_t)y * w;
        for (int x = -r; x < w + r; x++)
            pad[x + r] = row[x < 0 ? 0 : x >= w ? w - 1 : x];
        for (int x = 0; x < w; x++)
            o[x] = 0;
        for (int i = 0; i <= 2 * r; i++) {
            const float *p = pad + i;
            float ki = k[i];
            for (int x = 0; x < w; x++)
                o[x] += ki * p[x];
        }
    }
    for (int y = 0; y < h; y++) {
        float *o = dst + (size_t)y * w;
        for (int x = 0; x < w; x++)
            o[x] = 0;
        for (int i = -r; i <= r; i++) {
            int yy = y + i < 0 ? 0 : y + i >= h ? h - 1 : y + i;
            const float *p = tmp + (size_t)yy * w;
            float ki = k[i + r];
            for (int x = 0; x < w; x++)
                o[x] += ki * p[x];
        }
    }
    free(k);
    return SB_OK;
}

/* Zero the pieces of `ink` (8-connected pixels over KEEP) smaller than `min_px`. */
static sb_err drop_specks(float *ink, int w, int h, int min_px, sb_error_t *e)
{
    size_t n = (size_t)w * h;
    uint8_t *seen = calloc(n, 1);
    int32_t *stack = malloc(n * sizeof *stack), *piece = malloc(n * sizeof *piece);
    if (!seen || !stack || !piece) {
        free(seen);
        free(stack);
        free(piece);
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the ink outlines");
    }
    for (size_t s = 0; s < n; s++) {
        if (seen[s] || ink[s] < KEEP)
            continue;
        int top = 0, np = 0;
        stack[top++] = (int32_t)s;
        seen[s] = 1;
        while (top) {
            int32_t p = stack[--top];
            piece[np++] = p;
            int px = p % w, py = p / w;
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++) {
                    int x = px + dx, y = py + dy;
                    if (x < 0 || y < 0 || x >= w || y >= h)
                        continue;
                    size_t q = (size_t)y * w + x;
                    if (!seen[q] && ink[q] >= KEEP) {
                        seen[q] = 1;
                        stack[top++] = (int32_t)q;
                    }
                }
        }
        if (np < min_px)
            for (int i = 0; i < np; i++)
                ink[piece[i]] = 0;
    }
    /* the faint fringe is kept only beside a kept line (its anti-aliasing), not as a grey haze */
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            size_t i = (size_t)y * w + x;
            if (ink[i] <= 0 || ink[i] >= KEEP)
                continue;
            int near = 0;
            for (int dy = -1; dy <= 1 && !near; dy++)
                for (int dx = -1; dx <= 1 && !near; dx++) {
                    int xx = x + dx, yy = y + dy;
                    near = xx >= 0 && yy >= 0 && xx < w && yy < h && ink[(size_t)yy * w + xx] >= KEEP;
                }
            if (!near)
                ink[i] = 0;
        }
    free(seen);
    free(stack);
    free(piece);
    return SB_OK;
}

/* The threshold of a DoG response: its `rank` quantile over the pixels where `in` is non-zero (a histogram
 * of 0..TAU_MAX in 256 bins), kept within TAU_MIN..TAU_MAX. `g1`, `g2`: the inner and outer blurs. */
static float threshold(const float *g1, const float *g2, const uint8_t *in, size_t n, float rank)
{
    size_t hist[257] = {0}, tot = 0;
    for (size_t i = 0; i < n; i++) {
        if (!in[i])
            continue;
        float d = g2[i] - g1[i];
        int b = d <= 0 ? 0 : d >= TAU_MAX ? 256 : (int)(d / TAU_MAX * 256);
        hist[b]++;
        tot++;
    }
    size_t acc = 0, want = (size_t)(rank * tot);
    int b = 0;
    while (b < 256 && (acc += hist[b]) < want)
        b++;
    return fminf(fmaxf(TAU_MIN, (b + 1) * TAU_MAX / 256.0f), TAU_MAX);
}

/* Line strength from a DoG response over the threshold `tau`. */
static float strength(float g1, float g2, float tau)
{
    float d = g2 - g1 - tau; /* > 0 on the dark side of an edge */
    return d <= 0 ? 0 : d >= (TAU_FULL - 1) * tau ? 1 : d / ((TAU_FULL - 1) * tau);
}

/* The face's own lines (see FACE_INK_DIV) merged into `ink` by their maximum; worked out on the oval's
 * bounding box only. */
static sb_err face_lines(const float *lum, const float *alpha, int w, int h, const sb_cel_face_t *f, float s1,
                         float *ink, sb_error_t *e)
{
    float c[2], rx, ry, d = sb_cel_face_oval(f, c, &rx, &ry);
    if (d <= 0)
        return SB_OK;
    float sf = fmaxf(s1, d / FACE_INK_DIV);
    float m = ceilf(3 * sf * SIGMA_K);
    int x0 = (int)fmaxf(0, floorf(c[0] - rx - m)), x1 = (int)fminf(w, ceilf(c[0] + rx + m));
    int y0 = (int)fmaxf(0, floorf(c[1] - ry - m)), y1 = (int)fminf(h, ceilf(c[1] + ry + m));
    int bw = x1 - x0, bh = y1 - y0;
    if (bw < 8 || bh < 8)
        return SB_OK;
    size_t bn = (size_t)bw * bh;
    float *sub = malloc(bn * 5 * sizeof *sub);
    uint8_t *in = malloc(bn);
    if (!sub || !in) {
        free(sub);
        free(in);
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the face's lines");
    }
    float *g1 = sub + bn, *g2 = sub + 2 * bn, *wt = sub + 3 * bn, *tmp = sub + 4 * bn;
    for (int y = 0; y < bh; y++)
        for (int x = 0; x < bw; x++) {
            size_t i = (size_t)y * bw + x, o = (size_t)(y + y0) * w + (x + x0);
            float ex = (x + x0 - c[0]) / rx, ey = (y + y0 - c[1]) / ry, r = sqrtf(ex * ex + ey * ey);
            float a = alpha ? fminf(1.0f, alpha[o] * 2.0f) : 1.0f;
            sub[i] = lum[o];
            wt[i] = a * (r >= 1 ? 0 : r <= 1 - FACE_FADE ? 1 : (1 - r) / FACE_FADE);
            in[i] = r < 1 && (!alpha || alpha[o] >= 0.5f);
        }
    sb_err err = gauss(sub, g1, tmp, bw, bh, sf, e);
    if (!err)
        err = gauss(sub, g2, tmp, bw, bh, sf * SIGMA_K, e);
    if (!err) {
        float tau = threshold(g1, g2, in, bn, FACE_TAU_RANK);
        for (size_t i = 0; i < bn; i++)
            g1[i] = wt[i] * strength(g1[i], g2[i], tau);
        int min_px = (int)(FACE_MIN_PIECE * d);
        err = drop_specks(g1, bw, bh, min_px > MIN_PIECE_FIXED ? min_px : MIN_PIECE_FIXED, e);
    }
    for (int y = 0; !err && y < bh; y++)
        for (int x = 0; x < bw; x++) {
            float *o = ink + (size_t)(y + y0) * w + (x + x0);
            *o = fmaxf(*o, g1[(size_t)y * bw + x]);
        }
    free(sub);
    free(in);
    return err;
}

sb_err sb_cel_ink(const float *lum, const float *alpha, const sb_cel_face_t *face, int w, int h, float *ink,
                  sb_error_t *e)
{
    size_t n = (size_t)w * h;
    int side = w < h ? w : h;
    float s1 = SIGMA_800 * side / 800.0f;
    if (s1 < 0.6f)
        s1 = 0.6f;
    float *g2 = malloc(2 * n * sizeof *g2);
    if (!g2)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the ink outlines");
    sb_err err = gauss(lum, ink, g2 + n, w, h, s1, e);
    if (!err)
        err = gauss(lum, g2, g2 + n, w, h, s1 * SIGMA_K, e);
    uint8_t *in = err ? NULL : malloc(n);
    if (!err && !in)
        err = sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the ink outlines");
    for (size_t i = 0; !err && i < n; i++)
        in[i] = !alpha || alpha[i] >= 0.5f;
    float tau = err ? 0 : threshold(ink, g2, in, n, TAU_RANK);
    free(in);
    for (size_t i = 0; !err && i < n; i++) {
        float v = strength(ink[i], g2[i], tau);
        /* no lines where the person is not */
        ink[i] = alpha ? v * fminf(1.0f, alpha[i] * 2.0f) : v;
    }
    int min_px = (int)(MIN_PIECE * side);
    if (!err)
        err = drop_specks(ink, w, h, min_px > MIN_PIECE_FIXED ? min_px : MIN_PIECE_FIXED, e);
    if (!err)
        err = face_lines(lum, alpha, w, h, face, s1, ink, e);
    for (size_t i = 0; !err && alpha && i < n; i++) {
        float s = 1.0f - fabsf(alpha[i] - SIL_CENTRE) / SIL_HALF;
        if (s > 0)
            ink[i] = fmaxf(ink[i], SIL_MAX * s);
    }
    free(g2);
    return err;
}
