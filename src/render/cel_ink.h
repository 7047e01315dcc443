/* cel_ink.h - the ink outlines of the cel style (render/cel.c): dark lines on the dark side of luminance
 * edges (a difference of Gaussians), cleaned of specks, plus the person's silhouette. Any thread. */
#ifndef SB_CEL_INK_H
#define SB_CEL_INK_H

#include "util/err.h"

/* Ink strength 0..1 per pixel into `ink` (w*h floats, the caller's) from `lum` (w*h floats, 0..1, the
 * photo's luma) and `alpha` (w*h floats, the person matte, or NULL for none: no silhouette line). Lines
 * are about 1-2 px wide at 800 px and scale with the image; connected pieces of line shorter than about
 * 3% of the image's side are dropped. `lum` is only read. Errors: SB_ERR_NOMEM. */
sb_err sb_cel_ink(const float *lum, const float *alpha, int w, int h, float *ink, sb_error_t *e);

#endif
