/* cel_regions.h - the regions of the cel style (render/cel.c): the photo smoothed, a palette clustered
 * on the person, and every pixel labelled with a palette colour or skin. Private to render/cel*.c. */
#ifndef SB_CEL_REGIONS_H
#define SB_CEL_REGIONS_H

#include <math.h>
#include <stdint.h>

#include "render/cel.h"

#define SB_CEL_K 6                 /* palette clusters on the person: labels 0..SB_CEL_K-1 */
#define SB_CEL_SKIN SB_CEL_K       /* the region label of skin, after the clusters */
#define SB_CEL_NREG (SB_CEL_K + 1) /* labels in all */

/* Rec. 601 luma of an RGB triple (0..1): the cel stage's brightness measure. */
static inline float sb_cel_luma(const float *c)
{
    return 0.299f * c[0] + 0.587f * c[1] + 0.114f * c[2];
}

/* `v` clamped to 0..1. */
static inline float sb_cel_clamp01(float v)
{
    return v < 0 ? 0 : v > 1 ? 1 : v;
}

/* The face's oval in `f`'s coordinates: centred on the mean of the eyes and mouth corners, half axes
 * SB_CEL_FACE_RX x SB_CEL_FACE_RY face scales (brow to chin, cheek to cheek). The face's scale is the eye
 * distance, or the distance from the eyes' midpoint to the mouth's when that is longer: a turned face's eye
 * distance is foreshortened (a profile's to a third), and an oval and lines scaled by it would cover the
 * eyes and nose only and leave the cheek and jaw to the palette's clusters. Returns the face's scale, or 0
 * (and leaves the outputs alone) when `f` is NULL or has no face. */
#define SB_CEL_FACE_RX 1.05f
#define SB_CEL_FACE_RY 1.45f
static inline float sb_cel_face_oval(const sb_cel_face_t *f, float c[2], float *rx, float *ry)
{
    if (!f || !f->have_face)
        return 0;
    const float(*l)[2] = f->lmk;
    float dx = l[1][0] - l[0][0], dy = l[1][1] - l[0][1], d = sqrtf(dx * dx + dy * dy);
    float mx = 0.5f * (l[3][0] + l[4][0] - l[0][0] - l[1][0]), my = 0.5f * (l[3][1] + l[4][1] - l[0][1] - l[1][1]);
    d = fmaxf(d, sqrtf(mx * mx + my * my));
    c[0] = 0.25f * (l[0][0] + l[1][0] + l[3][0] + l[4][0]);
    c[1] = 0.25f * (l[0][1] + l[1][1] + l[3][1] + l[4][1]);
    *rx = SB_CEL_FACE_RX * d;
    *ry = SB_CEL_FACE_RY * d;
    return d;
}

/* Smooth `photo` (3 bands, w x h) edge-preservingly into `phs` (w*h*3 floats, 0..1, the caller's), find
 * the skin colour (from `face`'s landmarks, or the person's mean colour when `face` is NULL or has none),
 * cluster the person's colours (`alpha`: w*h floats, the matte, or NULL for all person) into SB_CEL_K, and
 * label every pixel into `lab` (w*h, the caller's) with its cluster or SB_CEL_SKIN, each label cleaned by
 * a majority vote. Window sizes scale with the image's shorter side. Deterministic; any thread. Errors:
 * SB_ERR_NOMEM (then `phs` and `lab` are partly written). */
sb_err sb_cel_regions(const sb_image_t *photo, const float *alpha, const sb_cel_face_t *face, float *phs, uint8_t *lab,
                      sb_error_t *e);

#endif
