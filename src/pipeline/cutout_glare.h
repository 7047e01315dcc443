/* cutout_glare.h - the cut-out check's measure of blown-out old background kept opaque beside the body
 * (issue 13: a chandelier's glare taken by the matte with the shoulder, which the halo, the wall and the
 * leftovers do not see: it is opaque, outside the hair zone and joined to the subject).
 * Pure function of its inputs, thread-safe, deterministic. Threshold: pipeline/cutout_qa.h. */
#ifndef SB_CUTOUT_GLARE_H
#define SB_CUTOUT_GLARE_H

#include "image/image.h"
#include "util/err.h"
#include "vision/face.h"

/* The rule. A patch of the photo blown out to white (the brightest channel at 0.96 or more, none under 0.78:
 * the sensor clipped, so the photo holds no edge, colour or texture there to say where a person ends) that the matte's edge cuts
 * through is the old background's glare, not the subject: the part of such pixels (8-connected, over the
 * whole frame) reaches the photo's background (alpha < 0.5 inside the photo) over at least 0.05% of the
 * frame and is kept opaque (alpha > 0.95) below the subject's chin line and outside its face ellipse (the
 * body zone: shirts, shoulders, arms) over at least 0.05% of it. A white shirt blown out inside the
 * matte does not reach the background and is not counted; a glare behind the hair is the wall measure's.
 * *glare is the share of the frame in those opaque body-zone pixels.
 * `photo` is the photo the matte `alpha` was made on (same size, 3 or more bands, 8-bit), `outside` (1
 * band, same size, non-zero where the crop lies outside the photo; NULL for none) the pixels that are no
 * background, `face` the subject in alpha's pixels (NULL: nothing is counted). The caller owns everything.
 * Errors: SB_ERR_USAGE (sizes differ), SB_ERR_NOMEM. */
sb_err sb_cutout_glare(const sb_image_t *photo, const sb_image_t *outside, const sb_fimage_t *alpha,
                       const sb_face_t *face, float *glare, sb_error_t *e);

#endif
