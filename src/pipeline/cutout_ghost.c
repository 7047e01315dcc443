/* cutout_ghost.c - remains far from the subject's own opaque matte (the rule: cutout_ghost.h). */
#include "pipeline/cutout_ghost.h"

#include "vision/regions.h"

/* The reach of the subject's own soft edge, a share of the short side, and the least alpha counted (under
 * it nothing shows on the new backdrop). */
#define GHOST_REACH 0.04f
#define GHOST_LO 0.08f

sb_err sb_cutout_ghost(const sb_fimage_t *a, uint8_t *subject, float *ghost, sb_error_t *e)
{
    *ghost = 0;
    int w = a->width, h = a->height;
    size_t n = (size_t)w * h, far = 0;
    sb_err err = sb_regions_dilate(subject, w, h, (int)(GHOST_REACH * (w < h ? w : h) + 0.5f), e);
    if (err)
        return err;
    for (size_t i = 0; i < n; i++)
        far += !subject[i] && a->data[i] >= GHOST_LO;
    *ghost = (float)far / (float)n;
    return SB_OK;
}
