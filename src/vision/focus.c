/* focus.c - how far out of focus a face is: the Gaussian blur of its strongest edges, measured by
 * re-blurring (see focus.h and docs/internals/vision.md, the quality.c section). */
#include "vision/focus.h"

#include <math.h>
#include <stdlib.h>

#include "image/colour.h"
#include "image/filter.h"
#include "image/resample.h"

/* The face box, grown by MARGIN of its side on each side (clipped to the photo) so that the blurs have
 * pixels beyond its edges, is resized so that the box's larger side is FACE_SIDE pixels; a smaller face is
 * read at its own size (never enlarged: resolution is low_resolution's business, not focus). */
#define FACE_SIDE 128
#define MARGIN 0.1f
/* Y' is first blurred by PRE_SIGMA, which leaves true edges and drops the fine noise of a dark or
 * compressed photo that read as detail (imagenet_candle's detail_kept 0.33 is a sharp face's). */
#define PRE_SIGMA 1.0f
/* At the strongest edges (the top EDGE_SHARE of the box's gradients, none under EDGE_FLOOR of Y' a pixel,
 * at least EDGE_MIN of them), the gradient over the gradient after a further blur of REBLUR_SIGMA gives
 * the edge's Gaussian blur: sqrt(sigma^2 + REBLUR_SIGMA^2) / sigma for an edge of blur sigma (Zhuo and
 * Sim, "Defocus map estimation from a single image", 2011). The face's blur is the median over those
 * edges, less PRE_SIGMA (in quadrature); a ratio of 1 or less reads as BLUR_MAX. */
#define EDGE_SHARE 0.05f
#define EDGE_FLOOR 0.02f
#define EDGE_MIN 24
#define REBLUR_SIGMA 2.0f
#define BLUR_MAX 8.0f

/* The k-th smallest of v[0..n) (0 <= k < n), reordering v: Hoare's selection, the value qsort would leave
 * at k, in linear time on average. */
static float select_kth(float *v, int n, int k)
{
    int lo = 0, hi = n - 1;
    while (lo < hi) {
        float pivot = v[lo + (hi - lo) / 2];
        int i = lo, j = hi;
        while (i <= j) {
            while (v[i] < pivot)
                i++;
            while (v[j] > pivot)
                j--;
            if (i <= j) {
                float t = v[i];
                v[i++] = v[j];
                v[j--] = t;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            break;
    }
    return v[k];
}

/* Central-difference gradient magnitude of `l` (w x h) at pixel (x, y), 0 < x < w - 1, 0 < y < h - 1. */
static float gradient(const float *l, int w, int x, int y)
{
    size_t i = (size_t)y * w + x;
    float gx = (l[i + 1] - l[i - 1]) / 2, gy = (l[i + w] - l[i - w]) / 2;
    return sqrtf(gx * gx + gy * gy);
}

/* The edge blur over [x0, x1) x [y0, y1) of l (pre-blurred Y') and lb (l re-blurred), w wide; -1 with too
 * few strong edges. `buf` holds the region's pixel count of floats. */
static float edge_blur(const float *l, const float *lb, int w, int x0, int y0, int x1, int y1, float *buf)
{
    int n = 0;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++)
            buf[n++] = gradient(l, w, x, y);
    if (n < EDGE_MIN)
        return -1;
    float cut = fmaxf(select_kth(buf, n, (int)((1 - EDGE_SHARE) * (n - 1))), EDGE_FLOOR);
    int m = 0;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++) {
            float g = gradient(l, w, x, y), gb = gradient(lb, w, x, y);
            if (g < cut || !(gb > 0))
                continue;
            float r = g / gb;
            buf[m++] = r > 1 ? fminf(REBLUR_SIGMA / sqrtf(r * r - 1), BLUR_MAX) : BLUR_MAX;
        }
    if (m < EDGE_MIN)
        return -1;
    float s = select_kth(buf, m, m / 2);
    return sqrtf(fmaxf(s * s - PRE_SIGMA * PRE_SIGMA, 0));
}

sb_err sb_focus_face_blur(const sb_image_t *rgb, const sb_face_t *f, float *blur, sb_error_t *e)
{
    if (!rgb || !rgb->data || rgb->bands != 3 || !f || !blur || !(f->w >= 1 && f->h >= 1))
        return sb_error_set(e, SB_ERR_USAGE, "image", "the focus measure needs a 3-band image and a face box");
    *blur = -1;
    float side = fmaxf(f->w, f->h), s = fminf(1.0f, FACE_SIDE / side), m = MARGIN * side;
    int box[4] = {(int)fmaxf(floorf(f->x - m), 0), (int)fmaxf(floorf(f->y - m), 0),
                  (int)fminf(ceilf(f->x + f->w + m), (float)rgb->width),
                  (int)fminf(ceilf(f->y + f->h + m), (float)rgb->height)};
    int w = (int)lroundf((box[2] - box[0]) * s), h = (int)lroundf((box[3] - box[1]) * s);
    if (w < 3 || h < 3)
        return SB_OK;
    sb_image_t crop = {0}, small = {0};
    size_t np = (size_t)w * h;
    float *l = malloc(sizeof(float) * np * 3), *lb = l + np, *buf = l + 2 * np;
    sb_err err = l ? SB_OK : sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the focus measure");
    if (!err)
        err = sb_image_crop(rgb, box, &crop, e);
    if (!err && s < 1)
        err = sb_image_resize(&crop, w, h, &small, e);
    if (!err) {
        const sb_image_t *img = s < 1 ? &small : &crop;
        for (size_t i = 0; i < np; i++) {
            const uint8_t *p = img->data + 3 * i;
            const float c[3] = {p[0] / 255.0f, p[1] / 255.0f, p[2] / 255.0f};
            l[i] = sb_luma(c);
        }
        err = sb_blur(l, l, w, h, 1, PRE_SIGMA, e);
    }
    if (!err)
        err = sb_blur(l, lb, w, h, 1, REBLUR_SIGMA, e);
    if (!err) {
        int x0 = (int)((f->x - box[0]) * s), y0 = (int)((f->y - box[1]) * s);
        int x1 = (int)((f->x + f->w - box[0]) * s), y1 = (int)((f->y + f->h - box[1]) * s);
        x0 = x0 < 1 ? 1 : x0, y0 = y0 < 1 ? 1 : y0, x1 = x1 > w - 1 ? w - 1 : x1, y1 = y1 > h - 1 ? h - 1 : y1;
        if (x1 > x0 && y1 > y0)
            *blur = edge_blur(l, lb, w, x0, y0, x1, y1, buf);
    }
    free(l);
    sb_image_free(&crop);
    sb_image_free(&small);
    return err;
}
