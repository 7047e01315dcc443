/* product_holes.c - holes and bites in a product's mask, restored by the colours around them (see
 * product_holes.h). */
#include "vision/product_holes.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "image/hull.h"
#include "vision/regions.h"

/* Colour histograms: 16 levels a band. */
#define LEVELS 16
#define BINS (LEVELS * LEVELS * LEVELS)
/* Mask pixels of at least this alpha are the product's colours. */
#define CORE_ALPHA 0.95f
/* A hole's own surroundings: the mask within this many pixels of its box. */
#define LOCAL 3

enum { IN = 1, HULL = 2, RING = 4, CORE = 8, DONE = 16, FG = 32, BG = 64, SEEN = 128, NARROW = 256 };


static int bin_of(const uint8_t *p)
{
    return (p[0] >> 4) * LEVELS * LEVELS + (p[1] >> 4) * LEVELS + (p[2] >> 4);
}

/* Mark HULL on the convex hull of the IN pixels of `f` (w x h): sb_convex_hull of each row's
 * first and last IN pixel, then each row's span between the hull's edges. Returns 0, or -1 out of memory. */
static int mark_hull(uint16_t *f, int w, int h)
{
    sb_point_t *p = malloc(sizeof *p * (size_t)h * 2), *hull = malloc(sizeof *hull * ((size_t)h * 4 + 1));
    int *lo = malloc(sizeof *lo * (size_t)h * 2), *hi = lo ? lo + h : NULL, n = 0, k = 0;
    if (!p || !hull || !lo) {
        free(p), free(hull), free(lo);
        return -1;
    }
    for (int y = 0; y < h; y++) {
        const uint16_t *row = f + (size_t)y * w;
        int a = 0, b = w - 1;
        while (a < w && !(row[a] & IN))
            a++;
        while (b > a && !(row[b] & IN))
            b--;
        lo[y] = w, hi[y] = -1;
        if (a < w)
            p[n++] = (sb_point_t){a, y}, p[n++] = (sb_point_t){b, y};
    }
    k = sb_convex_hull(p, n, hull);
    for (int i = 0; i + 1 < k; i++) {
        sb_point_t a = hull[i], b = hull[i + 1];
        int y0 = a.y < b.y ? a.y : b.y, y1 = a.y < b.y ? b.y : a.y;
        for (int y = y0; y <= y1; y++) {
            double x = a.y == b.y ? a.x : a.x + (double)(b.x - a.x) * (y - a.y) / (b.y - a.y);
            int xl = a.y == b.y ? (a.x < b.x ? a.x : b.x) : (int)ceil(x - 1e-9);
            int xr = a.y == b.y ? (a.x < b.x ? b.x : a.x) : (int)floor(x + 1e-9);
            lo[y] = xl < lo[y] ? xl : lo[y], hi[y] = xr > hi[y] ? xr : hi[y];
        }
    }
    for (int y = 0; y < h; y++)
        for (int x = lo[y] < 0 ? 0 : lo[y]; x <= hi[y] && x < w; x++)
            f[(size_t)y * w + x] |= HULL;
    free(p), free(hull), free(lo);
    return 0;
}

/* The photo's colour at crop pixel i (`crop`: the photo's pixels in the crop, copied once so that a pixel
 * is found without a division). */
static const uint8_t *px(const sb_image_t *crop, int i)
{
    return crop->data + (size_t)i * 3;
}

/* The histogram `h` smoothed by one level each way, at bin (r, g, b) only. */
static float smoothed_at(const float *h, int bin)
{
    int r = bin / (LEVELS * LEVELS), g = bin / LEVELS % LEVELS, b = bin % LEVELS;
    float s = 0;
    for (int i = r - 1; i <= r + 1; i++)
        for (int j = g - 1; j <= g + 1; j++)
            for (int l = b - 1; l <= b + 1; l++)
                if (i >= 0 && j >= 0 && l >= 0 && i < LEVELS && j < LEVELS && l < LEVELS)
                    s += h[(i * LEVELS + j) * LEVELS + l];
    return s;
}

/* The histogram `h` smoothed by one level each way (3 x 3 x 3 box) into `out`. */
static void smooth(const float *h, float *out)
{
    for (int bin = 0; bin < LEVELS * LEVELS * LEVELS; bin++)
        out[bin] = smoothed_at(h, bin);
}

/* Classify every pixel of the crop (`crop`: the photo's pixels there, FG, BG or neither) from the
 * histograms of its CORE and RING pixels; the background's colour probabilities (smoothed) go to pbg
 * (BINS). Returns 0, or 1 when either is empty (nothing to compare with), -1 out of memory. */
static int classify(const sb_image_t *crop, uint16_t *f, float *pbg)
{
    int w = crop->width, h = crop->height;
    float *hist = calloc(4 * BINS, sizeof *hist), *hf = hist + BINS, *hb = hist + 2 * BINS, *sb = hist + 3 * BINS;
    uint8_t *cls = malloc(BINS);
    if (!hist || !cls) {
        free(hist), free(cls);
        return -1;
    }
    double nf = 0, nb = 0;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            uint16_t v = f[(size_t)y * w + x];
            int b = bin_of(px(crop, y * w + x));
            if (v & CORE)
                hist[b]++, nf++;
            else if (v & RING)
                hb[b]++, nb++;
        }
    int empty = nf == 0 || nb == 0;
    if (!empty) {
        smooth(hist, hf);
        memcpy(hist, hb, sizeof *hist * BINS);
        smooth(hist, sb);
        for (int b = 0; b < BINS; b++) {
            double pf = (hf[b] + 0.5) / (27 * nf), pb = (sb[b] + 0.5) / (27 * nb);
            cls[b] = pf >= SB_HOLES_LIKELY * pb ? FG : pb >= SB_HOLES_LIKELY * pf ? BG : 0;
            pbg[b] = (float)pb;
        }
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                f[(size_t)y * w + x] |= cls[bin_of(px(crop, y * w + x))];
    }
    free(hist), free(cls);
    return empty;
}

/* Whether colours a and b differ by at most `t` levels in every band. */
static int near(const uint8_t *a, const uint8_t *b, int t)
{
    return abs(a[0] - b[0]) <= t && abs(a[1] - b[1]) <= t && abs(a[2] - b[2]) <= t;
}

/* Step 1: from the mask's solid pixels (CORE_ALPHA or more), grow through its soft edge and the NARROW
 * pixels (bites) that are not background-like, while each step crosses no edge (SB_HOLES_EDGE) and the colour
 * stays within SB_HOLES_DRIFT of the solid pixel it started from (the product's surface continuing, not
 * a soft shadow fading away from it); open pixels reached become DONE. */
static int grow(const sb_image_t *crop, const int r[4], const sb_fimage_t *alpha, uint16_t *f)
{
    int w = r[2] - r[0], h = r[3] - r[1], n = w * h, head = 0, tail = 0;
    int *q = malloc(sizeof *q * (size_t)n * 2), *seed = q ? q + n : NULL;
    if (!q)
        return -1;
    for (int y = 0, i = 0; y < h; y++)
        for (int x = 0; x < w; x++, i++)
            if ((f[i] & IN) && alpha->data[(size_t)(r[1] + y) * alpha->width + r[0] + x] >= CORE_ALPHA)
                f[i] |= SEEN;
    /* The walk starts from the solid pixels in raster order; one whose neighbours are all solid too would
     * find nothing to reach, so only the others are queued (the same walk, without a million idle steps). */
    for (int y = 0, i = 0; y < h; y++)
        for (int x = 0; x < w; x++, i++)
            if ((f[i] & SEEN) && ((x > 0 && !(f[i - 1] & SEEN)) || (x + 1 < w && !(f[i + 1] & SEEN)) ||
                                  (y > 0 && !(f[i - w] & SEEN)) || (y + 1 < h && !(f[i + w] & SEEN))))
                q[tail++] = i, seed[i] = i;
    while (head < tail) {
        int i = q[head++], x = i % w, y = i / w;
        int nb[4] = {x > 0 ? i - 1 : -1, x + 1 < w ? i + 1 : -1, y > 0 ? i - w : -1, y + 1 < h ? i + w : -1};
        for (int k = 0; k < 4; k++) {
            int j = nb[k];
            if (j < 0 || (f[j] & SEEN) || !(f[j] & (IN | NARROW)) || (f[j] & BG) ||
                !near(px(crop, i), px(crop, j), SB_HOLES_EDGE) || !near(px(crop, seed[i]), px(crop, j), SB_HOLES_DRIFT))
                continue;
            f[j] |= SEEN | (f[j] & IN ? 0 : DONE);
            seed[j] = seed[i];
            q[tail++] = j;
        }
    }
    free(q);
    return 0;
}

/* Mark NARROW on the parts of the hull's open pixels whose mouth (pixels beside the outside of the hull or
 * on the crop's border) is at most SB_HOLES_NECK of their contact with the mask (pixels beside it) and
 * whose area is SB_HOLES_BITE_MIN of the mask's or more: a bite or a hole, not the wide concavity between
 * two parts of a product nor the notches of a ragged edge. */
static sb_err mark_narrow(int w, int h, long mask, uint16_t *f, uint8_t *bin, sb_regions_t *out, sb_error_t *e)
{
    sb_regions_t parts = {0};
    for (int i = 0; i < w * h; i++)
        bin[i] = (f[i] & (HULL | IN)) == HULL;
    sb_err err = sb_regions_find(bin, w, h, &parts, e);
    long *count = err ? NULL : calloc((size_t)parts.n * 2 + 1, sizeof *count);
    if (!err && !count)
        err = sb_error_set(e, SB_ERR_NOMEM, "", "out of memory to find a product mask's bites");
    for (int i = 0; !err && i < parts.n_runs; i++) {
        const sb_region_run_t *run = &parts.run[i];
        for (int x = run->x0; x < run->x1; x++) {
            int y = run->y, j = y * w + x, mouth = x == 0 || y == 0 || x == w - 1 || y == h - 1, contact = 0;
            int nb[4] = {x > 0 ? j - 1 : j, x + 1 < w ? j + 1 : j, y > 0 ? j - w : j, y + 1 < h ? j + w : j};
            for (int k = 0; k < 4; k++)
                mouth |= !(f[nb[k]] & HULL), contact |= (f[nb[k]] & IN) != 0;
            count[run->part * 2] += mouth, count[run->part * 2 + 1] += contact;
        }
    }
    for (int i = 0; !err && i < parts.n_runs; i++) {
        const sb_region_run_t *run = &parts.run[i];
        if (count[run->part * 2] > SB_HOLES_NECK * (double)count[run->part * 2 + 1] ||
            (double)parts.part[run->part].area < SB_HOLES_BITE_MIN * (double)mask)
            continue;
        for (int x = run->x0; x < run->x1; x++)
            f[(size_t)run->y * w + x] |= NARROW;
    }
    free(count);
    *out = parts;
    return err;
}

/* Undo the growth into each NARROW part of `parts` that it reached under SB_HOLES_BITE_SHARE of: a halo
 * along the mask's edge, not a bite of the product's surface. */
static void keep_bites(int w, const sb_regions_t *parts, uint16_t *f, long *count)
{
    memset(count, 0, sizeof *count * ((size_t)parts->n + 1));
    for (int i = 0; i < parts->n_runs; i++)
        for (int x = parts->run[i].x0; x < parts->run[i].x1; x++)
            count[parts->run[i].part] += (f[(size_t)parts->run[i].y * w + x] & DONE) != 0;
    for (int i = 0; i < parts->n_runs; i++) {
        const sb_region_run_t *run = &parts->run[i];
        if ((double)count[run->part] >= SB_HOLES_BITE_SHARE * (double)parts->part[run->part].area)
            continue;
        for (int x = run->x0; x < run->x1; x++)
            f[(size_t)run->y * w + x] &= (uint16_t)~DONE;
    }
}

/* The share of part p's pixels (its runs: `first` of them from run index `from` of `order`) whose colour
 * is SB_HOLES_LIKELY times likelier among the mask's pixels around it (its box grown by LOCAL) than in
 * the background (pbg). `hist` (BINS, zero) is left zero. */
static double local_share(const sb_image_t *crop, const uint16_t *f, const sb_regions_t *parts, int p,
                          const int *order, int from, int count, const float *pbg, float *hist)
{
    int w = crop->width, h = crop->height;
    const int *b = parts->part[p].box;
    int x0 = b[0] - LOCAL < 0 ? 0 : b[0] - LOCAL, y0 = b[1] - LOCAL < 0 ? 0 : b[1] - LOCAL;
    int x1 = b[2] + LOCAL > w ? w : b[2] + LOCAL, y1 = b[3] + LOCAL > h ? h : b[3] + LOCAL;
    double n = 0, like = 0;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++)
            if (f[y * w + x] & (IN | DONE))
                hist[bin_of(px(crop, y * w + x))]++, n++;
    for (int i = from; n && i < from + count; i++) {
        const sb_region_run_t *run = &parts->run[order[i]];
        for (int x = run->x0; x < run->x1; x++) {
            int k = bin_of(px(crop, run->y * w + x));
            float s = smoothed_at(hist, k);
            like += s >= 1 && s / (27 * n) >= SB_HOLES_LIKELY * pbg[k];
        }
    }
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++)
            hist[bin_of(px(crop, y * w + x))] = 0;
    return n ? like / (double)parts->part[p].area : 0;
}

/* Step 2: fill the open parts that do not reach the crop's border and look like the product: mostly
 * product-like colours, or mostly the colours of the mask around them rather than the background's
 * (local_share: a pale print whose colours the background shares, not a window onto the wall). */
static sb_err fill_enclosed(const sb_image_t *crop, uint16_t *f, uint8_t *bin, const float *pbg, long *unsure,
                            sb_error_t *e)
{
    int w = crop->width, h = crop->height;
    sb_regions_t parts = {0};
    for (int i = 0; i < w * h; i++)
        bin[i] = !(f[i] & (IN | DONE));
    sb_err err = sb_regions_find(bin, w, h, &parts, e);
    /* Per part: product-like and background-like pixels, its runs' count and first index in `order`. */
    long *count = err ? NULL : calloc((size_t)parts.n * 4 + 1, sizeof *count);
    int *order = err ? NULL : malloc(sizeof *order * ((size_t)parts.n_runs + 1));
    uint8_t *fill = err ? NULL : calloc((size_t)parts.n + 1, 1);
    float *hist = err ? NULL : calloc(BINS, sizeof *hist);
    if (!err && (!count || !order || !fill || !hist))
        err = sb_error_set(e, SB_ERR_NOMEM, "", "out of memory to fill a product mask's holes");
    for (int i = 0; !err && i < parts.n_runs; i++) {
        const sb_region_run_t *run = &parts.run[i];
        long *c = count + run->part * 4;
        c[2]++;
        for (int x = run->x0; x < run->x1; x++) {
            uint16_t v = f[(size_t)run->y * w + x];
            c[0] += (v & FG) != 0, c[1] += (v & BG) != 0;
        }
    }
    for (int i = 0, at = 0; !err && i < parts.n; i++)
        count[i * 4 + 3] = at, at += (int)count[i * 4 + 2], count[i * 4 + 2] = 0;
    for (int i = 0; !err && i < parts.n_runs; i++) {
        long *c = count + parts.run[i].part * 4;
        order[c[3] + c[2]++] = i;
    }
    for (int i = 0; !err && i < parts.n; i++) {
        const sb_region_t *p = &parts.part[i];
        const long *c = count + i * 4;
        double area = (double)p->area;
        if (p->box[0] == 0 || p->box[1] == 0 || p->box[2] == w || p->box[3] == h)
            continue;
        double loc = local_share(crop, f, &parts, i, order, (int)c[3], (int)c[2], pbg, hist);
        fill[i] = (c[0] >= SB_HOLES_FILL_SHARE * area && c[1] <= SB_HOLES_BG_SHARE * area) ||
                  loc >= SB_HOLES_LOCAL_SHARE;
        *unsure += !fill[i] && loc >= SB_HOLES_UNSURE ? (long)p->area : 0;
    }
    for (int i = 0; !err && i < parts.n_runs; i++)
        for (int x = parts.run[i].x0; fill[parts.run[i].part] && x < parts.run[i].x1; x++)
            f[(size_t)parts.run[i].y * w + x] |= DONE;
    free(count), free(order), free(fill), free(hist);
    sb_regions_free(&parts);
    return err;
}

sb_err sb_product_holes_fix(const sb_image_t *rgb, sb_fimage_t *alpha, sb_product_holes_t *out, sb_error_t *e)
{
    memset(out, 0, sizeof *out);
    int W = alpha->width, H = alpha->height, box[4];
    long before = (long)sb_fimage_box(alpha, box);
    if (!before)
        return SB_OK;
    int side = box[2] - box[0] > box[3] - box[1] ? box[2] - box[0] : box[3] - box[1];
    int ring = (int)lround(SB_HOLES_RING * side), m = (ring < 3 ? 3 : ring) + 2;
    int r[4] = {box[0] - m < 0 ? 0 : box[0] - m, box[1] - m < 0 ? 0 : box[1] - m, box[2] + m > W ? W : box[2] + m,
                box[3] + m > H ? H : box[3] + m};
    int w = r[2] - r[0], h = r[3] - r[1], n = w * h;
    uint16_t *f = calloc((size_t)n, sizeof *f);
    uint8_t *bin = malloc((size_t)n);
    sb_image_t crop = {0};
    if (!f || !bin || sb_image_crop(rgb, r, &crop, e)) {
        free(f), free(bin), sb_image_free(&crop);
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory to fill a product mask's holes");
    }
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            float a = alpha->data[(size_t)(r[1] + y) * W + r[0] + x];
            f[(size_t)y * w + x] = (a >= 0.5f ? IN : 0);
            bin[(size_t)y * w + x] = a >= CORE_ALPHA;
        }
    sb_err err = mark_hull(f, w, h) ? sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for a product mask's hull") : SB_OK;
    if (!err)
        err = sb_regions_erode(bin, w, h, 1, e);
    for (int i = 0; !err && i < n; i++)
        f[i] |= bin[i] ? CORE : 0, bin[i] = (f[i] & IN) != 0;
    if (!err)
        err = sb_regions_dilate(bin, w, h, ring < 3 ? 3 : ring, e);
    for (int i = 0; !err && i < n; i++)
        f[i] |= bin[i] && !(f[i] & HULL) ? RING : 0;
    float *pbg = err ? NULL : malloc(sizeof *pbg * BINS);
    int c = err ? 0 : pbg ? classify(&crop, f, pbg) : -1;
    if (!err && c < 0)
        err = sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for a product mask's colours");
    sb_regions_t open_parts = {0};
    long unsure = 0;
    if (!err && c == 0)
        err = mark_narrow(w, h, before, f, bin, &open_parts, e);
    long *count = err || c ? NULL : malloc(sizeof *count * ((size_t)open_parts.n + 1));
    if (!err && c == 0 && (!count || grow(&crop, r, alpha, f)))
        err = sb_error_set(e, SB_ERR_NOMEM, "", "out of memory to fill a product mask's holes");
    if (!err && c == 0)
        keep_bites(w, &open_parts, f, count);
    free(count);
    sb_regions_free(&open_parts);
    if (!err && c == 0)
        err = fill_enclosed(&crop, f, bin, pbg, &unsure, e);
    for (int i = 0; !err && c == 0 && i < n; i++)
        if (f[i] & DONE) {
            alpha->data[(size_t)(r[1] + i / w) * W + r[0] + i % w] = 1;
            out->filled++;
        }
    out->restored = (float)out->filled / (float)before;
    out->open = (float)unsure / (float)(before + out->filled);
    free(f), free(bin), free(pbg);
    sb_image_free(&crop);
    return err;
}
