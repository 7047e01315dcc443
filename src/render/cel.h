/* cel.h - cel shading for the anime style: turns a photo and its CartoonGAN rendering into flat colour
 * regions (a small palette clustered on the person: skin, hair, clothes), two or three shade bands per
 * region, dark ink outlines and crisp eyes. Runs after the net (render/cartoon.c); the avatar pipeline
 * calls it on the aligned person. Any thread; allocates its own scratch. */
#ifndef SB_CEL_H
#define SB_CEL_H

#include "image/image.h"

/* Where the face is, in the image's pixel coordinates: the five landmarks in YuNet's order (subject's
 * right eye, left eye, nose, right and left mouth corner). With have_face 0 the stage picks the skin
 * colour from no landmarks: every region gets bands and there are no crisp eyes. */
typedef struct {
    int have_face;
    float lmk[5][2];
} sb_cel_face_t;

/* Cel-shade `styled` (the net's output, 3 bands, at the net's own size or any other with the photo's aspect
 * within 5%: it is only read at the regions' working size, so it need not be scaled to the photo first) with
 * the help of `photo` (the same person before the net, 3 bands: colours, eyes and outlines come from it),
 * `alpha` (the person matte, 1 band, 0..1, the photo's size; NULL = all person) and `face`, into `out`
 * (allocated by the call, the photo's size, 3 bands). Deterministic: the same inputs give the same bytes.
 * Errors: SB_ERR_USAGE (field "image") when the sizes, aspects or bands disagree or the photo is under 16
 * pixels a side; SB_ERR_NOMEM. `out` is empty on failure. */
sb_err sb_cel_shade(const sb_image_t *photo, const sb_image_t *styled, const sb_fimage_t *alpha,
                    const sb_cel_face_t *face, sb_image_t *out, sb_error_t *e);

#endif
