/* focus.h - how far out of focus a face is, measured at its strongest edges so that the fine noise of a
 * dark or compressed photo does not read as detail. Pixels only (no net); any thread. The limits the
 * pipelines put on it and how they were chosen: docs/internals/vision.md, the quality.c section. */
#ifndef SB_FOCUS_H
#define SB_FOCUS_H

#include "image/image.h"
#include "util/err.h"
#include "vision/face.h"

/* The Gaussian blur (sigma, in pixels of the face box's larger side resized to 128 pixels, or of the photo
 * for a smaller face) of the strongest edges inside face box `f` of `rgb` (3 bands); -1 into *blur when the
 * box has too few strong edges to tell. Around 0.4-1.5 for the in-focus faces of shared/testdata, 3.1 for
 * imagenet_candle's defocused girl. Reads only. Any thread.
 * Errors: SB_ERR_USAGE (no image, not 3 bands, an empty box, NULL blur), SB_ERR_NOMEM. */
/* Over this edge blur the people pipelines refuse the photo (SB_ERR_FACE_OUT_OF_FOCUS). */
#define SB_FOCUS_BLUR_MAX 2.2f

sb_err sb_focus_face_blur(const sb_image_t *rgb, const sb_face_t *f, float *blur, sb_error_t *e);

#endif
