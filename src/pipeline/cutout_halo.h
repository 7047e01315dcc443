/* cutout_halo.h - the cut-out check's edge measures (issue 13): how much of the photo's old background
 * shows in the matte's soft edge of a delivered image and, opaque, inside the hair, and how much of the
 * frame is holes in the matte.
 * Pure functions of their inputs, thread-safe, deterministic. Thresholds: pipeline/cutout_qa.h. */
#ifndef SB_CUTOUT_HALO_H
#define SB_CUTOUT_HALO_H

#include "image/image.h"
#include "util/err.h"
#include "vision/face.h"

/* `out` is the delivered image (3 bands, or 4: RGBA read over mid grey; any size, sampled at the matte's
 * pixels), `photo` the photo the matte `alpha` was made on (same size as alpha, 3 or more bands). At every
 * pixel of the soft edge (0.05 <= alpha <= 0.95), how far the output is pulled from the new background
 * toward the old one, 0..1 (0 where the two look alike), both as local colour models: box means over 4% of
 * the short side (25% where too little background is near) of the photo where alpha < 0.05 and of the
 * output where alpha < 0.02. *halo is their sum over the length of the subject's outline (the alpha 0.5
 * contour, in pixels) as a share of the short side: the width of a rim of the old background. *holes is
 * the share of the frame in parts of alpha < 0.5 enclosed by the subject (not reaching the frame's border)
 * of at least 0.4% of the frame each. *wall is the share of the frame in opaque pixels (alpha > 0.95) of
 * `face`'s hair zone (vision/matte_edge.h; `face` in alpha's pixels, NULL for none) whose delivered colour
 * lies on the old background's side of the line from it to the subject's local colour (box means as
 * above, of the photo where alpha > 0.95; t < 0.35, within 0.10 of the line, the two 0.25 apart), each
 * weighted as the halo's rim by how visible the old background is on the new one, without the parts that
 * continue the face's skin (sb_matte_hair_gaps): the wall kept between strands. The caller owns everything.
 * Errors: SB_ERR_USAGE (photo not at the matte's size), SB_ERR_NOMEM. */
sb_err sb_cutout_halo(const sb_image_t *out, const sb_image_t *photo, const sb_fimage_t *alpha, const sb_face_t *face,
                      float *halo, float *holes, float *wall, sb_error_t *e);

#endif
