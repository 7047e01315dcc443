/* embed.h - face embeddings (MobileFaceNet, 128-d) and the likeness score built on their cosine.
 *
 * A face is aligned by a least-squares similarity transform from its five YuNet landmarks to the
 * ArcFace 112x112 template, warped, normalised with the ImageNet mean/std, run through the net and
 * L2-normalised. Two embeddings compare by cosine; sb_likeness_from_cosine maps that to 0..1 with a
 * curve calibrated on the identity sets of shared/testdata (see docs/internals/vision.md, "Likeness").
 * An embedder uses the process's shared net (models.h sb_model_session), so it may be used from several threads at once. */
#ifndef SB_EMBED_H
#define SB_EMBED_H

#include "vision/face.h"

#define SB_EMBED_DIM 128
/* Side of the aligned face crop (the ArcFace template's 112x112). */
#define SB_FACE_CROP 112

typedef struct sb_face_embedder sb_face_embedder_t;

/* Resolve, verify and load the MobileFaceNet model into a new embedder (*out; free with
 * sb_face_embedder_close). SB_ERR_MODEL_MISSING/INVALID, SB_ERR_NOMEM. */
sb_err sb_face_embedder_open(sb_face_embedder_t **out, sb_error_t *e);

/* Free an embedder. NULL-safe. */
void sb_face_embedder_close(sb_face_embedder_t *em);

/* The ArcFace-aligned SB_FACE_CROP x SB_FACE_CROP crop of `face` (box and landmarks in `rgb`'s pixel
 * coordinates) of the 3-band image `rgb`: *crop gets 3 bands, *outside 1 band, 255 where the crop pixel
 * came from outside the photo (the crop repeats the photo's edge there). Both are allocated by the call
 * (free with sb_image_free). Pure, any thread. Errors: SB_ERR_USAGE when an argument is NULL, `rgb` is
 * not 3-band, the face box lies outside the image or its landmarks are non-finite or collapsed to a
 * point; SB_ERR_NOMEM. */
sb_err sb_face_align(const sb_image_t *rgb, const sb_face_t *face, sb_image_t *crop, sb_image_t *outside,
                     sb_error_t *e);

/* Embed `face` (box and landmarks in `rgb`'s pixel coordinates, as sb_face_detect gives them) of the
 * 3-band image `rgb` into `out` (caller's array, unit length). Only reads `rgb` and `face`; any thread. Errors: SB_ERR_USAGE when an argument is NULL, `rgb` is
 * not 3-band, the face box lies outside the image or its landmarks are non-finite or collapsed to a
 * point; SB_ERR_NOMEM; SB_ERR_INTERNAL when the net fails. `out` is untouched on failure. */
sb_err sb_face_embed(sb_face_embedder_t *em, const sb_image_t *rgb, const sb_face_t *face,
                     float out[SB_EMBED_DIM], sb_error_t *e);

/* Cosine similarity of two SB_EMBED_DIM vectors (-1..1; 0 when either is all zeros). Pure, any thread. */
float sb_embed_cosine(const float *a, const float *b);

/* Likeness 0..1 from an embedding cosine: a logistic calibrated so that photos of different people stay
 * under 0.5, photos of the same person reach 0.85 and up, and stylised avatars of the person land around
 * 0.6-0.8. Monotonic non-decreasing; NaN gives 0. Pure, any thread. */
float sb_likeness_from_cosine(float cosine);

#endif
