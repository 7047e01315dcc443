/* resample.c - exact-size resizing and affine warps through libvips.
 *
 * Coordinates are pixel indices: pixel (i, j) is centred on the point (i, j), as in OpenCV's
 * warpAffine. vips_affine uses the same convention when idx, idy are 0 (its identity returns the
 * input exactly), so m goes to vips unchanged: X = a x + b y + odx. */
#include "image/resample.h"

#include <math.h>
#include <string.h>
#include <vips/vips.h>

/* Copy vips' process-global error buffer into `e` and clear it, before another thread adds to it. */
static sb_err vips_failure(sb_error_t *e, const char *what)
{
    char *msg = vips_error_buffer_copy();
    gchar **lines = g_strsplit(g_strstrip(msg), "\n", -1);
    gchar *joined = g_strjoinv("; ", lines);
    sb_error_set(e, SB_ERR_INTERNAL, "", "%s: %s", what, *joined ? joined : "libvips failed");
    g_free(joined);
    g_strfreev(lines);
    g_free(msg);
    return SB_ERR_INTERNAL;
}

static VipsImage *wrap(const sb_image_t *img)
{
    return vips_image_new_from_memory(img->data, (size_t)img->width * img->height * img->bands, img->width,
                                      img->height, img->bands, VIPS_FORMAT_UCHAR);
}

static int valid(const sb_image_t *img)
{
    return img && img->data && img->width > 0 && img->height > 0 && img->bands >= 1 && img->bands <= 4;
}

/* Compute `in` straight into a newly allocated `dst` of the same shape. Unrefs `in`. */
static sb_err render(VipsImage *in, sb_image_t *dst, const char *what, sb_error_t *e)
{
    sb_err err = sb_image_alloc(dst, in->Xsize, in->Ysize, in->Bands, e);
    if (err) {
        g_object_unref(in);
        return err;
    }
    VipsImage *mem = wrap(dst);
    if (!mem || vips_image_write(in, mem))
        err = vips_failure(e, what);
    if (mem)
        g_object_unref(mem);
    g_object_unref(in);
    if (err)
        sb_image_free(dst);
    return err;
}

/* One axis per call when the axes need different kernels; a scale of 1 leaves an axis untouched. */
static int resize_axes(VipsImage *in, VipsImage **out, double hscale, double vscale)
{
    VipsKernel hk = hscale < 1.0 ? VIPS_KERNEL_LANCZOS3 : VIPS_KERNEL_LINEAR;
    VipsKernel vk = vscale < 1.0 ? VIPS_KERNEL_LANCZOS3 : VIPS_KERNEL_LINEAR;
    if (hk == vk || hscale == 1.0 || vscale == 1.0)
        return vips_resize(in, out, hscale, "vscale", vscale, "kernel", hscale == 1.0 ? vk : hk, NULL);
    VipsImage *t;
    if (vips_resize(in, &t, hscale, "vscale", 1.0, "kernel", hk, NULL))
        return -1;
    int rc = vips_resize(t, out, 1.0, "vscale", vscale, "kernel", vk, NULL);
    g_object_unref(t);
    return rc;
}

/* Large reductions: a box shrink by whole factors first, leaving at least 2x for lanczos, which is
 * cheap where lanczos over the full source is not (a 1414x2121 -> 224x224 squash: ~100 ms -> ~10 ms)
 * and averages what lanczos would average anyway. */
static int preshrink(VipsImage *in, VipsImage **out, int width, int height)
{
    int xs = in->Xsize / (2 * width), ys = in->Ysize / (2 * height);
    if (xs < 2 && ys < 2) {
        *out = in;
        g_object_ref(in);
        return 0;
    }
    return vips_shrink(in, out, xs < 1 ? 1 : xs, ys < 1 ? 1 : ys, NULL);
}

sb_err sb_image_resize(const sb_image_t *src, int width, int height, sb_image_t *dst, sb_error_t *e)
{
    memset(dst, 0, sizeof *dst);
    if (!valid(src) || width <= 0 || height <= 0)
        return sb_error_set(e, SB_ERR_USAGE, "", "cannot resize %dx%d to %dx%d", src ? src->width : 0,
                            src ? src->height : 0, width, height);
    /* vips rounds in * scale to the nearest pixel on each axis, which lands exactly on width x height
     * (checked over 200000 random sizes up to 6000 px; the test sweeps the awkward ones). */
    VipsImage *in = wrap(src), *out = NULL, *shrunk = NULL;
    int rc = !in || preshrink(in, &shrunk, width, height) ||
             resize_axes(shrunk, &out, (double)width / shrunk->Xsize, (double)height / shrunk->Ysize);
    if (shrunk)
        g_object_unref(shrunk);
    if (in)
        g_object_unref(in);
    if (rc)
        return vips_failure(e, "resize");
    return render(out, dst, "resize", e);
}

/* The area r of src to width x height: from 2x on either axis, or always when `linear`, libvips' linear
 * filter in one reduce; otherwise as sb_image_resize. */
static sb_err shrink(const sb_image_t *src, const int area[4], int width, int height, int linear, sb_image_t *dst,
                     sb_error_t *e)
{
    memset(dst, 0, sizeof *dst);
    const int all[4] = {0, 0, src ? src->width : 0, src ? src->height : 0}, *r = area ? area : all;
    int aw = r[2] - r[0], ah = r[3] - r[1];
    if (!valid(src) || r[0] < 0 || r[1] < 0 || r[2] > src->width || r[3] > src->height || width <= 0 ||
        height <= 0 || width > aw || height > ah)
        return sb_error_set(e, SB_ERR_USAGE, "", "cannot shrink %dx%d at %d,%d of a %dx%d image to %dx%d", aw, ah, r[0],
                            r[1], src ? src->width : 0, src ? src->height : 0, width, height);
    double fx = (double)aw / width, fy = (double)ah / height;
    VipsImage *in = wrap(src), *part = NULL, *out = NULL;
    int rc = !in || vips_extract_area(in, &part, r[0], r[1], aw, ah, NULL) ||
             (linear || fx >= 2 || fy >= 2 ? vips_reduce(part, &out, fx, fy, "kernel", VIPS_KERNEL_LINEAR, NULL)
                                           : resize_axes(part, &out, (double)width / aw, (double)height / ah));
    if (part)
        g_object_unref(part);
    if (in)
        g_object_unref(in);
    if (rc)
        return vips_failure(e, "shrink");
    return render(out, dst, "shrink", e);
}

sb_err sb_image_shrink_area(const sb_image_t *src, const int area[4], int width, int height, sb_image_t *dst,
                            sb_error_t *e)
{
    return shrink(src, area, width, height, 0, dst, e);
}

sb_err sb_image_shrink_linear(const sb_image_t *src, int width, int height, sb_image_t *dst, sb_error_t *e)
{
    return shrink(src, NULL, width, height, 1, dst, e);
}

sb_err sb_image_zoom(const sb_image_t *src, int factor, int width, int height, sb_image_t *dst, sb_error_t *e)
{
    memset(dst, 0, sizeof *dst);
    if (!valid(src) || factor < 1 || width <= (src->width - 1) * factor || width > src->width * factor ||
        height <= (src->height - 1) * factor || height > src->height * factor)
        return sb_error_set(e, SB_ERR_USAGE, "", "cannot zoom %dx%d by %d to %dx%d", src ? src->width : 0,
                            src ? src->height : 0, factor, width, height);
    VipsImage *in = wrap(src), *big = NULL, *out = NULL;
    int rc = !in || vips_zoom(in, &big, factor, factor, NULL) || vips_extract_area(big, &out, 0, 0, width, height, NULL);
    if (big)
        g_object_unref(big);
    if (in)
        g_object_unref(in);
    if (rc)
        return vips_failure(e, "zoom");
    return render(out, dst, "zoom", e);
}

/* Fraction of the bilinear footprint at source coordinate x that lies on a source of n pixels. */
static double coverage(double x, int n)
{
    double c = fmin(x + 1.0, n - x);
    return c <= 0.0 ? 0.0 : c >= 1.0 ? 1.0 : c;
}

/* How far inside the photo (source pixels) both ends of a row must lie for the whole row to be taken as
 * inside without looking at its pixels: the source position is linear along a row, so a row whose two ends
 * are inside is inside all along, and the running sums below stray from the products by far less (under
 * 1e-8 pixel for rows up to 4096 steps over sources under 16384 pixels: half an ulp, 2e-12, a step). */
#define ROW_SPARE 1e-3

static int inside_spared(double sx, double sy, int sw, int sh)
{
    return sx >= ROW_SPARE && sx <= sw - 1 - ROW_SPARE && sy >= ROW_SPARE && sy <= sh - 1 - ROW_SPARE;
}

/* The mask is what warping an all-255 image with a black surround would give, inverted; computed
 * directly since the map is known. */
static sb_err outside_mask(const double inv[6], int sw, int sh, int width, int height, sb_image_t *mask,
                           sb_error_t *e)
{
    sb_err err = sb_image_alloc(mask, width, height, 1, e);
    if (err)
        return err;
    for (int y = 0; y < height; y++) {
        double sx = inv[1] * y + inv[2], sy = inv[4] * y + inv[5];
        uint8_t *row = mask->data + (size_t)y * width;
        /* Most rows of a frame lie wholly on the photo: all 0, with no running sums. */
        if (inside_spared(sx, sy, sw, sh) &&
            inside_spared(sx + inv[0] * (width - 1), sy + inv[3] * (width - 1), sw, sh)) {
            memset(row, 0, (size_t)width);
            continue;
        }
        for (int x = 0; x < width; x++, sx += inv[0], sy += inv[3])
            /* Inside, both coverages are exactly 1 and the mask 0: skip the arithmetic (most of a frame). */
            row[x] = sx >= 0 && sx <= sw - 1 && sy >= 0 && sy <= sh - 1
                         ? 0
                         : (uint8_t)lrint(255.0 * (1.0 - coverage(sx, sw) * coverage(sy, sh)));
    }
    return SB_OK;
}

/* How far, in whole pixels, the source must be padded on each side so that every output pixel
 * samples inside it. vips_affine itself repeats the edge for only a pixel or two and paints black
 * beyond, so the padding (lazy, edge-repeating) is what makes far-outside pixels repeat the edge. */
static void padding(const double inv[6], int sw, int sh, int width, int height, double pad[4])
{
    double lo_x = 0, hi_x = sw - 1, lo_y = 0, hi_y = sh - 1;
    for (int c = 0; c < 4; c++) {
        double X = c & 1 ? width - 1 : 0, Y = c & 2 ? height - 1 : 0;
        double x = inv[0] * X + inv[1] * Y + inv[2], y = inv[3] * X + inv[4] * Y + inv[5];
        lo_x = fmin(lo_x, x), hi_x = fmax(hi_x, x), lo_y = fmin(lo_y, y), hi_y = fmax(hi_y, y);
    }
    pad[0] = lo_x < 0 ? ceil(-lo_x) + 1 : 0;
    pad[1] = lo_y < 0 ? ceil(-lo_y) + 1 : 0;
    pad[2] = hi_x > sw - 1 ? ceil(hi_x - (sw - 1)) + 1 : 0;
    pad[3] = hi_y > sh - 1 ? ceil(hi_y - (sh - 1)) + 1 : 0;
}

sb_err sb_image_warp_affine(const sb_image_t *src, const double m[6], int width, int height,
                            sb_image_t *dst, sb_image_t *outside, sb_error_t *e)
{
    memset(dst, 0, sizeof *dst);
    if (outside)
        memset(outside, 0, sizeof *outside);
    double det = m[0] * m[4] - m[1] * m[3];
    if (!valid(src) || width <= 0 || height <= 0 || !isfinite(det) || fabs(det) < 1e-12 || !isfinite(m[2]) ||
        !isfinite(m[5]))
        return sb_error_set(e, SB_ERR_USAGE, "", "cannot warp %dx%d to %dx%d with a singular or non-finite map",
                            src ? src->width : 0, src ? src->height : 0, width, height);

    /* Inverse map, output -> source: x = inv[0] X + inv[1] Y + inv[2], y = inv[3] X + inv[4] Y + inv[5]. */
    double inv[6] = {m[4] / det, -m[1] / det, 0, -m[3] / det, m[0] / det, 0};
    inv[2] = -(inv[0] * m[2] + inv[1] * m[5]);
    inv[5] = -(inv[3] * m[2] + inv[4] * m[5]);
    double pad[4];
    padding(inv, src->width, src->height, width, height, pad);
    if (src->width + pad[0] + pad[2] > VIPS_MAX_COORD || src->height + pad[1] + pad[3] > VIPS_MAX_COORD)
        return sb_error_set(e, SB_ERR_USAGE, "", "the warp reaches too far outside the %dx%d source", src->width,
                            src->height);

    /* Source pixel (x, y) sits at (x + pad[0], y + pad[1]) in the padded image: move the offset to match. */
    double odx = m[2] - (m[0] * pad[0] + m[1] * pad[1]), ody = m[5] - (m[3] * pad[0] + m[4] * pad[1]);
    VipsInterpolate *bilinear = vips_interpolate_new("bilinear");
    VipsArrayInt *area = vips_array_int_newv(4, 0, 0, width, height);
    VipsImage *in = wrap(src), *padded = NULL, *out = NULL;
    int rc = !in ||
             vips_embed(in, &padded, (int)pad[0], (int)pad[1], src->width + (int)(pad[0] + pad[2]),
                        src->height + (int)(pad[1] + pad[3]), "extend", VIPS_EXTEND_COPY, NULL) ||
             vips_affine(padded, &out, m[0], m[1], m[3], m[4], "interpolate", bilinear, "oarea", area, "odx", odx,
                         "ody", ody, "extend", VIPS_EXTEND_COPY, NULL);
    vips_area_unref(VIPS_AREA(area));
    g_object_unref(bilinear);
    if (padded)
        g_object_unref(padded);
    if (in)
        g_object_unref(in);
    if (rc)
        return vips_failure(e, "warp");
    sb_err err = render(out, dst, "warp", e);
    if (err || !outside)
        return err;
    err = outside_mask(inv, src->width, src->height, width, height, outside, e);
    if (err)
        sb_image_free(dst);
    return err;
}

sb_err sb_image_rotate(const sb_image_t *src, int quarter_turns, sb_image_t *dst, sb_error_t *e)
{
    static const VipsAngle angles[4] = {VIPS_ANGLE_D0, VIPS_ANGLE_D90, VIPS_ANGLE_D180, VIPS_ANGLE_D270};
    memset(dst, 0, sizeof *dst);
    if (!valid(src) || quarter_turns < 0 || quarter_turns > 3)
        return sb_error_set(e, SB_ERR_USAGE, "", "cannot turn a %dx%d image by %d quarter turns", src ? src->width : 0,
                            src ? src->height : 0, quarter_turns);
    VipsImage *in = wrap(src), *out = NULL;
    int rc = !in || vips_rot(in, &out, angles[quarter_turns], NULL);
    if (in)
        g_object_unref(in);
    if (rc)
        return vips_failure(e, "rotate");
    return render(out, dst, "rotate", e);
}
