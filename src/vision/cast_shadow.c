/* cast_shadow.c - a cast shadow kept in a subject matte, found and cleared (see cast_shadow.h). */
#include "vision/cast_shadow.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "image/filter.h"
#include "image/resample.h"
#include "vision/regions.h"

#define BG_ALPHA 0.05f
/* The ring of background read: this fraction of the photo's long side around the matte. */
#define RING_FRAC 0.03
/* A shadow's core is 8-60% of the background's luminance; its penumbra, grown from the core by up to
 * GROW_FRAC of the photo's long side, up to 92%. */
#define RATIO_LO 0.0f
#define CORE_HI 0.45f
#define RATIO_HI 0.92f
#define GROW_FRAC 0.012
/* Strips of the core up to twice this fraction of the photo's long side wide are not a shadow's. */
#define THIN_FRAC 0.004
/* The photo is smoothed by a box of this radius before its colours are compared (a shadow's dark pixels
 * carry the sensor's chroma noise). */
#define SMOOTH_R 2
#define DARK_TOL 10.0
/* A pixel this many levels brighter than the mean of the 5x5 box around it is on a bright line (a metal
 * rim's highlight, a product's lit edge): a shadow on a plain background has none, so it neither starts nor
 * grows across one (widened by a pixel, so the line has no 8-connected gap). */
#define LINE_LEVELS 20.0f
/* A crop around the matte longer than this is searched shrunk to about this size (remove_large). */
#define DETECT_SIDE 640

typedef struct {
    double l, cr, cg; /* mean luminance (0..255) and chromaticity r/(r+g+b), g/(r+g+b) */
} colour_t;

static float lum(const float *p)
{
    return (p[0] + p[1] + p[2]) * (1.0f / 3.0f);
}

/* The background's mean colour over the ring `ring` (set pixels); *plain is whether its luminance's
 * standard deviation is under SB_SHADOW_BG_SPREAD of its mean. */
static colour_t background(const uint8_t *rgb, size_t n, const uint8_t *ring, int *plain)
{
    size_t count = 0;
    double s = 0, s2 = 0, cr = 0, cg = 0;
    for (size_t i = 0; i < n; i++) {
        if (!ring[i])
            continue;
        const uint8_t *p = rgb + i * 3;
        double sum = p[0] + p[1] + p[2] + 1e-6, l = sum / 3;
        s += l, s2 += l * l, cr += p[0] / sum, cg += p[1] / sum, count++;
    }
    colour_t c = {0};
    *plain = 0;
    if (count < 64)
        return c;
    c.l = s / count, c.cr = cr / count, c.cg = cg / count;
    double sd = sqrt(fmax(0, s2 / count - c.l * c.l));
    *plain = c.l > 0 && sd < SB_SHADOW_BG_SPREAD * c.l;
    return c;
}

/* Whether photo pixel p looks like the background `bg` in shadow, at most `hi` of its luminance: each band
 * within SB_SHADOW_CHROMA of the background's chromaticity, or within DARK_TOL levels of it in a dark pixel
 * (where the chromaticity is mostly noise). */
static int shadowed(const float *p, const colour_t *bg, float hi)
{
    double sum = p[0] + p[1] + p[2] + 1e-6, ratio = lum(p) / bg->l;
    double tol = fmax(DARK_TOL, SB_SHADOW_CHROMA * sum), cb = 1 - bg->cr - bg->cg;
    return ratio >= RATIO_LO && ratio <= hi && fabs(p[0] - bg->cr * sum) < tol && fabs(p[1] - bg->cg * sum) < tol &&
           fabs(p[2] - cb * sum) < tol;
}

/* The bright lines (LINE_LEVELS) of the photo `full` into `line`, pooled by f: pixel (x, y) of `line` (w x
 * h, w * f and h * f within full's size) is set when a pixel of the f x f block of `full` at (x f, y f) is on
 * one; not widened. */
static sb_err bright_lines(const sb_image_t *full, int f, int w, int h, uint8_t *line, sb_error_t *e)
{
    int fw = full->width, fh = full->height;
    size_t fn = (size_t)fw * fh;
    float *mean = malloc(fn * sizeof *mean);
    if (!mean)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory to find a shadow");
    for (size_t i = 0; i < fn; i++)
        mean[i] = (full->data[i * 3] + full->data[i * 3 + 1] + full->data[i * 3 + 2]) * (1.0f / 3.0f);
    sb_err err = sb_box_mean(mean, mean, fw, fh, 1, SMOOTH_R, e);
    memset(line, 0, (size_t)w * h);
    for (int y = 0; !err && y < h * f; y++)
        for (int x = 0; x < w * f; x++) {
            size_t i = (size_t)y * fw + x;
            float l = (full->data[i * 3] + full->data[i * 3 + 1] + full->data[i * 3 + 2]) * (1.0f / 3.0f);
            line[(size_t)(y / f) * w + x / f] |= l - mean[i] > LINE_LEVELS;
        }
    free(mean);
    return err;
}

/* Grow the set pixels of `bin` (w x h) by up to `steps` 8-connected steps into the pixels where `ok` is
 * set: a breadth-first walk, `queue` scratch of w * h ints. */
static void grow(uint8_t *bin, const uint8_t *ok, int w, int h, int steps, int *queue)
{
    size_t n = (size_t)w * h, head = 0, tail = 0;
    for (size_t i = 0; i < n; i++)
        if (bin[i])
            queue[tail++] = (int)i;
    /* bin holds 1 + the step a pixel was reached at. */
    while (head < tail) {
        int i = queue[head++], x = i % w, y = i / w, d = bin[i];
        if (d > steps)
            continue;
        for (int dy = -1; dy <= 1; dy++)
            for (int dx = -1; dx <= 1; dx++) {
                int xx = x + dx, yy = y + dy;
                size_t k = (size_t)yy * w + xx;
                if (xx < 0 || yy < 0 || xx >= w || yy >= h || bin[k] || !ok[k])
                    continue;
                bin[k] = (uint8_t)(d + 1);
                queue[tail++] = (int)k;
            }
    }
    for (size_t i = 0; i < n; i++)
        bin[i] = bin[i] != 0;
}

/* The matte along the cut where a shadow was cleared (`cut`: the cleared pixels, w x h; modified) is opened
 * with a square of radius k within g pixels of the cut: the shadow's specks and slivers left along the
 * product's edge (noise that missed the penumbra's test) go. `scratch` is w x h. */
static sb_err clean_cut(sb_fimage_t *alpha, uint8_t *cut, uint8_t *scratch, int w, int h, int g, int k, long *removed,
                        sb_error_t *e)
{
    size_t n = (size_t)w * h;
    sb_err err = sb_regions_dilate(cut, w, h, g, e);
    for (size_t i = 0; !err && i < n; i++)
        scratch[i] = alpha->data[i] >= 0.5f;
    if (!err)
        err = sb_regions_erode(scratch, w, h, k, e);
    if (!err)
        err = sb_regions_dilate(scratch, w, h, k, e);
    for (size_t i = 0; !err && i < n; i++)
        if (cut[i] && !scratch[i] && alpha->data[i] > 0)
            alpha->data[i] = 0, ++*removed;
    return err;
}

/* The cast shadows' pixels of the matte `alpha` (rgb's size; in_n pixels >= 0.5) into `out` (1 set): the
 * core parts (smoothed colour `sm` at most CORE_HI of the background `bg`'s), thin strips opened away, grown
 * by g + thin steps into their penumbra, and kept when a part passes the tests of cast_shadow.h. With `line`
 * (not NULL) its set pixels are neither core nor penumbra: the parts stop at a bright line. */
static sb_err shadow_parts(const sb_image_t *rgb, const sb_fimage_t *alpha, const float *sm, const colour_t *bg,
                           size_t in_n, int g, int thin, const uint8_t *line, uint8_t *out, sb_error_t *e)
{
    int w = rgb->width, h = rgb->height;
    size_t n = (size_t)w * h;
    uint8_t *pen = malloc(n), *ring = malloc(n);
    int *id = malloc(n * sizeof *id);
    double *acc = NULL;
    size_t *core = NULL;
    sb_regions_t r = {0};
    sb_err err = pen && ring && id ? SB_OK : sb_error_set(e, SB_ERR_NOMEM, "", "out of memory to find a shadow");
    if (err)
        goto done;
    /* The core parts, grown into their penumbra; `ring` marks the pixels near the background. */
    for (size_t i = 0; i < n; i++) {
        int in = alpha->data[i] >= 0.5f, off = in && !(line && line[i]);
        out[i] = off && shadowed(sm + i * 3, bg, CORE_HI);
        const uint8_t *px = rgb->data + i * 3;
        float raw[3] = {px[0], px[1], px[2]};
        pen[i] = off && shadowed(raw, bg, RATIO_HI) && shadowed(sm + i * 3, bg, RATIO_HI);
        ring[i] = !in;
    }
    /* Thin strips of the core (a dark rim, a crease) are not a shadow's: opened away before growing. */
    err = sb_regions_erode(out, w, h, thin, e);
    if (err)
        goto done;
    grow(out, pen, w, h, g + thin, id);
    err = sb_regions_dilate(ring, w, h, g, e);
    if (!err)
        err = sb_regions_find(out, w, h, &r, e);
    memset(out, 0, n);
    if (err || !r.n)
        goto done;
    for (size_t i = 0; i < n; i++)
        id[i] = -1;
    for (int i = 0; i < r.n_runs; i++)
        for (int x = r.run[i].x0; x < r.run[i].x1; x++)
            id[(size_t)r.run[i].y * w + x] = r.run[i].part;
    /* Per part: outline pixels, those near the background, the core's texture (its pixels' distance from
     * their smoothed luminance) and its pixel count. */
    acc = calloc((size_t)r.n * 3, sizeof *acc);
    core = calloc((size_t)r.n, sizeof *core);
    if (!acc || !core) {
        err = sb_error_set(e, SB_ERR_NOMEM, "", "out of memory to find a shadow");
        goto done;
    }
    for (int i = 0; i < r.n_runs; i++) {
        int y = r.run[i].y, p = r.run[i].part;
        for (int x = r.run[i].x0; x < r.run[i].x1; x++) {
            size_t k = (size_t)y * w + x;
            if (shadowed(sm + k * 3, bg, CORE_HI)) {
                const uint8_t *px = rgb->data + k * 3;
                acc[p * 3 + 2] += fabs((px[0] + px[1] + px[2]) / 3.0 - lum(sm + k * 3)), core[p]++;
            }
            int edge = 0;
            static const int dx[4] = {1, -1, 0, 0}, dy[4] = {0, 0, 1, -1};
            for (int d = 0; d < 4; d++) {
                int xx = x + dx[d], yy = y + dy[d];
                edge |= xx < 0 || yy < 0 || xx >= w || yy >= h || id[(size_t)yy * w + xx] != p;
            }
            acc[p * 3] += edge, acc[p * 3 + 1] += edge && ring[k];
        }
    }
    for (int p = 0; p < r.n; p++) {
        double area = (double)r.part[p].area, tex = acc[p * 3 + 2] / (core[p] ? (double)core[p] : 1);
        double contact = acc[p * 3] > 0 ? acc[p * 3 + 1] / acc[p * 3] : 0;
        acc[p * 3] = area >= SB_SHADOW_MIN_FRAC * (double)in_n && contact >= SB_SHADOW_CONTACT &&
                     tex < SB_SHADOW_TEXTURE && area <= SB_SHADOW_MAX_FRAC * (double)in_n;
    }
    for (int i = 0; i < r.n_runs; i++)
        if (acc[r.run[i].part * 3])
            memset(out + (size_t)r.run[i].y * w + r.run[i].x0, 1, (size_t)(r.run[i].x1 - r.run[i].x0));
done:
    free(acc);
    free(core);
    sb_regions_free(&r);
    free(pen);
    free(ring);
    free(id);
    return err;
}

/* sb_cast_shadow_remove on `rgb` and `alpha` (a crop of the photo around the matte, or that crop `full`
 * shrunk f times), the sizes scaled from `side`, the photo's long side. The shadow is what shadow_parts finds
 * both without the bright lines (whether there is a shadow is decided on the whole dark area: a black
 * product's highlights do not cut it into shadow-sized parts) and with them, read on `full` and widened by
 * a pixel (the cut stops at a lit rim between the shadow and a dark part of the product). */
static sb_err remove_in(const sb_image_t *rgb, sb_fimage_t *alpha, int side, const sb_image_t *full, int f,
                        long *removed, colour_t *bg_out, sb_error_t *e)
{
    int w = rgb->width, h = rgb->height;
    size_t n = (size_t)w * h, in_n = 0, found = 0;
    *removed = 0;
    uint8_t *bin = NULL, *ring = malloc(n), *stop = NULL;
    float *sm = NULL;
    sb_err err = ring ? SB_OK : sb_error_set(e, SB_ERR_NOMEM, "", "out of memory to find a shadow");
    if (err)
        goto done;
    for (size_t i = 0; i < n; i++)
        ring[i] = alpha->data[i] >= 0.5f, in_n += ring[i];
    if (!in_n)
        goto done;
    int band = (int)lround(RING_FRAC * side), g = (int)lround(GROW_FRAC * side);
    int thin = (int)lround(THIN_FRAC * side);
    g = g < 2 ? 2 : g, thin = thin < 1 ? 1 : thin;
    err = sb_regions_dilate(ring, w, h, band < 2 ? 2 : band, e);
    if (err)
        goto done;
    for (size_t i = 0; i < n; i++)
        ring[i] = ring[i] && alpha->data[i] < BG_ALPHA;
    int plain;
    colour_t bg = background(rgb->data, n, ring, &plain);
    *bg_out = bg;
    if (!plain)
        goto done;
    /* A plain background: the photo smoothed, and the scratch of the search. */
    bin = malloc(n), stop = malloc(n), sm = malloc(n * 3 * sizeof *sm);
    if (!bin || !stop || !sm) {
        err = sb_error_set(e, SB_ERR_NOMEM, "", "out of memory to find a shadow");
        goto done;
    }
    for (size_t i = 0; i < n * 3; i++)
        sm[i] = rgb->data[i];
    err = sb_box_mean(sm, sm, w, h, 3, SMOOTH_R, e);
    if (!err)
        err = shadow_parts(rgb, alpha, sm, &bg, in_n, g, thin, NULL, bin, e);
    for (size_t i = 0; !err && i < n; i++)
        found += bin[i];
    if (err || !found)
        goto done;
    /* `ring` is free again: the bright lines. */
    err = bright_lines(full, f, w, h, ring, e);
    if (!err)
        err = sb_regions_dilate(ring, w, h, 1, e);
    if (!err)
        err = shadow_parts(rgb, alpha, sm, &bg, in_n, g, thin, ring, stop, e);
    for (size_t i = 0; !err && i < n; i++) {
        bin[i] = bin[i] && stop[i];
        if (bin[i])
            alpha->data[i] = 0, ++*removed;
    }
    if (!err && *removed)
        err = clean_cut(alpha, bin, stop, w, h, g, thin + 1, removed, e);
done:
    free(bin);
    free(ring);
    free(stop);
    free(sm);
    return err;
}

/* remove_in on a large crop: the shadow is decided on the crop shrunk f times (the search's cost is the
 * pixels'; its bright lines read at full size), and cleared at full size where that decision, grown by f,
 * holds and the pixel itself has the background's shadowed colour; then the cut is cleaned as at full
 * size. */
static sb_err remove_large(const sb_image_t *rgb, sb_fimage_t *alpha, int side, int f, long *removed, sb_error_t *e)
{
    int w = rgb->width, h = rgb->height, sw = w / f, sh = h / f;
    size_t n = (size_t)w * h;
    sb_image_t small = {0};
    sb_fimage_t sa = {0};
    uint8_t *cut = NULL, *scratch = NULL;
    long small_removed = 0;
    colour_t bg;
    sb_err err = sb_image_resize(rgb, sw, sh, &small, e);
    if (!err)
        err = sb_fimage_alloc(&sa, sw, sh, 1, e);
    for (int y = 0; !err && y < sh; y++)
        for (int x = 0; x < sw; x++) {
            double sum = 0;
            for (int dy = 0; dy < f; dy++)
                for (int dx = 0; dx < f; dx++)
                    sum += alpha->data[(size_t)(y * f + dy) * w + x * f + dx];
            sa.data[(size_t)y * sw + x] = (float)(sum / (f * f));
        }
    /* The shrunk matte's subject before, to tell what was cleared. */
    uint8_t *was = err ? NULL : malloc((size_t)sw * sh);
    if (!err && !was)
        err = sb_error_set(e, SB_ERR_NOMEM, "", "out of memory to find a shadow");
    for (size_t i = 0; !err && i < (size_t)sw * sh; i++)
        was[i] = sa.data[i] >= 0.5f;
    if (!err)
        err = remove_in(&small, &sa, side / f, rgb, f, &small_removed, &bg, e);
    if (err || !small_removed)
        goto done;
    for (size_t i = 0; i < (size_t)sw * sh; i++)
        was[i] = was[i] && sa.data[i] < 0.5f;
    err = sb_regions_dilate(was, sw, sh, 1, e);
    cut = calloc(n, 1), scratch = malloc(n);
    if (!err && (!cut || !scratch))
        err = sb_error_set(e, SB_ERR_NOMEM, "", "out of memory to find a shadow");
    for (int y = 0; !err && y < h; y++)
        for (int x = 0; x < w; x++) {
            size_t i = (size_t)y * w + x;
            /* The decision sampled bilinearly (pixel centres aligned), so the cut follows no block edges. */
            float fx = (x + 0.5f) / f - 0.5f, fy = (y + 0.5f) / f - 0.5f;
            fx = fx < 0 ? 0 : fx > sw - 1 ? sw - 1 : fx, fy = fy < 0 ? 0 : fy > sh - 1 ? sh - 1 : fy;
            int x0 = (int)fx, y0 = (int)fy, x1 = x0 + 1 < sw ? x0 + 1 : x0, y1 = y0 + 1 < sh ? y0 + 1 : y0;
            float ax = fx - x0, ay = fy - y0;
            float v = (1 - ay) * ((1 - ax) * was[(size_t)y0 * sw + x0] + ax * was[(size_t)y0 * sw + x1]) +
                      ay * ((1 - ax) * was[(size_t)y1 * sw + x0] + ax * was[(size_t)y1 * sw + x1]);
            const uint8_t *px = rgb->data + i * 3;
            float raw[3] = {px[0], px[1], px[2]};
            if (v >= 0.5f && alpha->data[i] >= 0.5f && shadowed(raw, &bg, RATIO_HI))
                alpha->data[i] = 0, cut[i] = 1, ++*removed;
        }
    int g = (int)lround(GROW_FRAC * side), thin = (int)lround(THIN_FRAC * side);
    if (!err && *removed)
        err = clean_cut(alpha, cut, scratch, w, h, g < 2 ? 2 : g, (thin < 1 ? 1 : thin) + 1, removed, e);
done:
    free(was);
    free(cut);
    free(scratch);
    sb_image_free(&small);
    sb_fimage_free(&sa);
    return err;
}

sb_err sb_cast_shadow_remove(const sb_image_t *rgb, sb_fimage_t *alpha, long *removed, sb_error_t *e)
{
    int w = rgb->width, h = rgb->height, side = w > h ? w : h, box[4];
    *removed = 0;
    sb_fimage_box(alpha, box);
    if (box[2] <= box[0])
        return SB_OK;
    /* Everything happens within the ring around the matte's box: the work is the product's size, not the
     * photo's. */
    int m = (int)lround(RING_FRAC * side) + 2;
    int r[4] = {box[0] - m < 0 ? 0 : box[0] - m, box[1] - m < 0 ? 0 : box[1] - m, box[2] + m > w ? w : box[2] + m,
                box[3] + m > h ? h : box[3] + m};
    int cw = r[2] - r[0], ch = r[3] - r[1];
    sb_image_t crop = {0};
    sb_fimage_t a = {0};
    sb_err err = sb_image_crop(rgb, r, &crop, e);
    if (!err)
        err = sb_fimage_alloc(&a, cw, ch, 1, e);
    for (int y = 0; !err && y < ch; y++)
        memcpy(a.data + (size_t)y * cw, alpha->data + (size_t)(r[1] + y) * w + r[0], sizeof(float) * cw);
    int f = (cw > ch ? cw : ch) > DETECT_SIDE ? ((cw > ch ? cw : ch) + DETECT_SIDE - 1) / DETECT_SIDE : 1;
    colour_t bg;
    if (!err && f == 1)
        err = remove_in(&crop, &a, side, &crop, 1, removed, &bg, e);
    else if (!err)
        err = remove_large(&crop, &a, side, f, removed, e);
    for (int y = 0; !err && *removed && y < ch; y++)
        memcpy(alpha->data + (size_t)(r[1] + y) * w + r[0], a.data + (size_t)y * cw, sizeof(float) * cw);
    sb_image_free(&crop);
    sb_fimage_free(&a);
    return err;
}
