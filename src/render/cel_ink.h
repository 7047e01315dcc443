/* cel_ink.h - the ink outlines of the cel style (render/cel.c): dark lines on the dark side of luminance
 * edges (a difference of Gaussians), cleaned of specks, plus the person's silhouette. Any thread. */
#ifndef SB_CEL_INK_H
#define SB_CEL_INK_H

#include "render/cel.h"

/* Ink strength 0..1 per pixel into `ink` (w*h floats, the caller's) from `lum` (w*h floats, 0..1, the
 * photo's luma) and `alpha` (w*h floats, the person matte, or NULL for none: no silhouette line). Lines
 * are about 1-2 px wide at 800 px and scale with the image; connected pieces of line shorter than about
 * 5% of the image's side are dropped. With `face` (NULL or have_face 0: none) the face's oval gets its own
 * lines at the face's scale, thresholded on the face alone, so nose, lips and brows are drawn however
 * small, soft or evenly lit the face is. `lum` is only read. Errors: SB_ERR_NOMEM. */
sb_err sb_cel_ink(const float *lum, const float *alpha, const sb_cel_face_t *face, int w, int h, float *ink,
                  sb_error_t *e);

#endif
