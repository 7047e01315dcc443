/* matte_trim.c - subject parts, band clearing and outer ramp steepening of a subject matte. */
#include "vision/matte_trim.h"

#include <math.h>
#include <stdlib.h>

#include "vision/regions.h"

/* Index of the main part: the largest area weighted by 1 - 0.5 * (centroid's distance from the centre
 * over the half diagonal). */
static int main_part(const sb_regions_t *r, int w, int h)
{
    int best = 0;
    double best_score = -1, half_diag = 0.5 * hypot(w, h);
    for (int i = 0; i < r->n; i++) {
        double d = hypot(r->part[i].cx - 0.5 * (w - 1), r->part[i].cy - 0.5 * (h - 1)) / half_diag;
        double score = (double)r->part[i].area * (1 - 0.5 * (d > 1 ? 1 : d));
        if (score > best_score)
            best_score = score, best = i;
    }
    return best;
}

sb_err sb_matte_trim(sb_fimage_t *alpha, sb_error_t *e)
{
    int w = alpha->width, h = alpha->height;
    size_t n = (size_t)w * h;
    sb_regions_t r = {0};
    uint8_t *keep = malloc(n);
    if (!keep)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory to trim a matte");
    for (size_t i = 0; i < n; i++)
        keep[i] = alpha->data[i] >= 0.5f;
    sb_err err = sb_regions_find(keep, w, h, &r, e);
    if (err || !r.n)
        goto done;
    int m = main_part(&r, w, h), box[4] = {w, h, 0, 0};
    double min_area = SB_TRIM_KEEP_FRAC * (double)r.part[m].area;
    for (int i = 0; i < r.n; i++) {
        const sb_region_t *p = &r.part[i];
        if ((double)p->area < min_area)
            continue;
        box[0] = p->box[0] < box[0] ? p->box[0] : box[0], box[1] = p->box[1] < box[1] ? p->box[1] : box[1];
        box[2] = p->box[2] > box[2] ? p->box[2] : box[2], box[3] = p->box[3] > box[3] ? p->box[3] : box[3];
    }
    sb_regions_paint(&r, min_area, keep, w, h);
    int side = box[2] - box[0] > box[3] - box[1] ? box[2] - box[0] : box[3] - box[1];
    int band = (int)lround(SB_TRIM_BAND_FRAC * side);
    err = sb_regions_dilate(keep, w, h, band < 1 ? 1 : band, e);
    for (size_t i = 0; !err && i < n; i++)
        if (!keep[i])
            alpha->data[i] = 0;
    if (!err)
        sb_matte_steepen(alpha, 2);
done:
    sb_regions_free(&r);
    free(keep);
    return err;
}

void sb_matte_steepen(sb_fimage_t *alpha, float k)
{
    size_t n = (size_t)alpha->width * alpha->height;
    for (size_t i = 0; i < n; i++) {
        float *a = &alpha->data[i];
        if (*a < 0.5f)
            *a = 0.5f - k * (0.5f - *a) > 0 ? 0.5f - k * (0.5f - *a) : 0;
    }
}
