/* matte_seam.c - the stretches of a product's outline that run through the product (see matte_seam.h). */
#include "vision/matte_seam.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include "vision/regions.h"

/* Half the window whose set pixels' mean offset gives the normal at an outline pixel. */
#define NORMAL_HALF 3

static int set(const sb_fimage_t *a, int x, int y)
{
    return a->data[(size_t)y * a->width + x] >= 0.5f;
}

/* The mean colour of rgb at (x, y) + k (nx, ny), k from SB_SEAM_NEAR to SB_SEAM_FAR, over the samples on
 * the photo whose side of the mask is `inside`; false with fewer than two. */
static bool side_mean(const sb_image_t *rgb, const sb_fimage_t *a, int x, int y, double nx, double ny, int inside,
                      double mean[3])
{
    int n = 0;
    mean[0] = mean[1] = mean[2] = 0;
    for (int k = SB_SEAM_NEAR; k <= SB_SEAM_FAR; k++) {
        int sx = (int)lround(x + k * nx), sy = (int)lround(y + k * ny);
        if (sx < 0 || sy < 0 || sx >= a->width || sy >= a->height || set(a, sx, sy) != inside)
            continue;
        const uint8_t *c = rgb->data + ((size_t)sy * rgb->width + sx) * 3;
        for (int b = 0; b < 3; b++)
            mean[b] += c[b];
        n++;
    }
    for (int b = 0; b < 3 && n; b++)
        mean[b] /= n;
    return n >= 2;
}

sb_err sb_matte_seam(const sb_image_t *rgb, const sb_fimage_t *alpha, float *share, sb_error_t *e)
{
    *share = 0;
    int b[4];
    if (!sb_fimage_box(alpha, b))
        return SB_OK;
    int W = alpha->width, H = alpha->height;
    uint8_t *seam = calloc((size_t)W * H, 1);
    if (!seam)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for a product's outline");
    long outline = 0;
    for (int y = b[1] > 1 ? b[1] : 1; y < b[3] && y < H - 1; y++)
        for (int x = b[0] > 1 ? b[0] : 1; x < b[2] && x < W - 1; x++) {
            if (!set(alpha, x, y) || (set(alpha, x - 1, y) && set(alpha, x + 1, y) && set(alpha, x, y - 1) &&
                                      set(alpha, x, y + 1)))
                continue;
            double nx = 0, ny = 0;
            for (int dy = -NORMAL_HALF; dy <= NORMAL_HALF; dy++)
                for (int dx = -NORMAL_HALF; dx <= NORMAL_HALF; dx++) {
                    int sx = x + dx, sy = y + dy;
                    if (sx >= 0 && sy >= 0 && sx < W && sy < H && set(alpha, sx, sy))
                        nx += dx, ny += dy;
                }
            double len = hypot(nx, ny);
            if (len == 0)
                continue;
            nx /= len, ny /= len;
            double in[3], out[3];
            if (!side_mean(rgb, alpha, x, y, nx, ny, 1, in) || !side_mean(rgb, alpha, x, y, -nx, -ny, 0, out))
                continue;
            outline++;
            double d = 0;
            for (int k = 0; k < 3; k++)
                d = fabs(in[k] - out[k]) > d ? fabs(in[k] - out[k]) : d;
            seam[(size_t)y * W + x] = d < SB_SEAM_DIFF;
        }
    sb_regions_t runs = {0};
    sb_err err = sb_regions_find(seam, W, H, &runs, e);
    if (!err && outline) {
        double min_run = SB_SEAM_RUN * 2.0 * ((b[2] - b[0]) + (b[3] - b[1]));
        long counted = 0;
        for (int q = 0; q < runs.n; q++)
            if ((double)runs.part[q].area >= min_run)
                counted += (long)runs.part[q].area;
        *share = (float)((double)counted / (double)outline);
    }
    sb_regions_free(&runs);
    free(seam);
    return err;
}
