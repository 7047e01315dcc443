/* cutout_glare.c - blown-out old background kept opaque beside the body (the rule: cutout_glare.h). */
#include "pipeline/cutout_glare.h"

#include <math.h>
#include <stdlib.h>

#include "image/label.h"
#include "vision/matte_edge.h"

/* A pixel is blown out when its brightest channel is at least CLIPPED and none is under PALE (of 255): white,
 * or the warm white of a lamp, which clips red and green before blue. */
#define CLIPPED 245
#define PALE 200
/* A part counts when it holds this share of the frame both in the background and kept in the body zone. */
#define GLARE_MIN 0.0005
#define SURE_ALPHA 0.95f

/* 1 where the photo's pixel is clipped (its brightest channel at CLIPPED or above) and pale (its darkest at
 * PALE or above), into `mask` (w x h bytes). */
static void mark_clipped(const sb_image_t *photo, uint8_t *mask)
{
    size_t n = (size_t)photo->width * photo->height;
    int bands = photo->bands;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *p = photo->data + i * bands;
        uint8_t lo = p[0] < p[1] ? p[0] : p[1], hi = p[0] > p[1] ? p[0] : p[1];
        lo = p[2] < lo ? p[2] : lo, hi = p[2] > hi ? p[2] : hi;
        mask[i] = hi >= CLIPPED && lo >= PALE;
    }
}

/* Whether (x, y) lies in the body zone: below the chin line and outside the ellipse inscribed in the face
 * box (the hair zone's ellipse test with no chin line: sb_matte_hair_zone). */
static int body_zone(const sb_face_t *f, float chin, int x, int y)
{
    return y + 0.5f >= chin && sb_matte_hair_zone(f, INFINITY, x, y);
}

sb_err sb_cutout_glare(const sb_image_t *photo, const sb_image_t *outside, const sb_fimage_t *alpha,
                       const sb_face_t *face, float *glare, sb_error_t *e)
{
    *glare = 0;
    int w = alpha->width, h = alpha->height;
    if (!photo || photo->width != w || photo->height != h || photo->bands < 3 ||
        (outside && outside->data && (outside->width != w || outside->height != h)))
        return sb_error_set(e, SB_ERR_USAGE, "image", "the glare check needs the photo at the matte's size");
    if (!face || face->w <= 0 || face->h <= 0)
        return SB_OK;
    size_t n = (size_t)w * h;
    sb_parts_t parts;
    uint8_t *mask = malloc(n);
    if (!mask)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the glare check");
    mark_clipped(photo, mask);
    sb_err err = sb_parts_label(w, h, mask, &parts, e);
    free(mask);
    if (err)
        return err;
    size_t *kept = calloc((size_t)parts.count * 2 + 1, sizeof *kept), *bg = kept + parts.count;
    if (!kept) {
        sb_parts_free(&parts);
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the glare check");
    }
    float chin = sb_matte_chin_line(face);
    for (size_t i = 0; i < n; i++) {
        int id = parts.label[i];
        if (!id)
            continue;
        float a = alpha->data[i];
        if (a < 0.5f && !(outside && outside->data && outside->data[i * outside->bands]))
            bg[id - 1]++;
        else if (a > SURE_ALPHA && body_zone(face, chin, (int)(i % w), (int)(i / w)))
            kept[id - 1]++;
    }
    size_t sum = 0, least = (size_t)(GLARE_MIN * (double)n);
    for (int k = 0; k < parts.count; k++)
        if (kept[k] >= least && bg[k] >= least)
            sum += kept[k];
    *glare = (float)((double)sum / (double)n);
    free(kept);
    sb_parts_free(&parts);
    return SB_OK;
}
