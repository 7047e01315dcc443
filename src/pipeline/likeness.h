/* likeness.h - the likeness check of the face pipelines: the face found again on an output, compared
 * with the reference face on two signals, and scored 0..1 as the smaller of the two:
 * - identity: the embeddings' cosine through the likeness curve (vision/embed.h sb_likeness_from_cosine);
 * - integrity: the output face's aligned crop against the reference's, and the seams of block edges across
 *   the face on the output frame itself (vision/integrity.h): a face broken into dark patches, smeared,
 *   scrambled or recoloured scores low even where the embedder still recognises the person.
 * Shared by the avatar's QA loop and portrait generation. See docs/internals/vision.md, "integrity.c: face
 * integrity". */
#ifndef SB_LIKENESS_H
#define SB_LIKENESS_H

#include <stdbool.h>

#include "pipeline/studio.h"
#include "vision/integrity.h"

/* The reference face: its embedding and its aligned crop. */
typedef struct {
    float emb[SB_EMBED_DIM];
    sb_image_t crop; /* 3-band SB_FACE_CROP square (vision/embed.h sb_face_align) */
} sb_likeness_ref_t;

/* One output's likeness and what it is made of. */
typedef struct {
    float likeness;           /* 0..1: min(identity, integrity.score); 0 when no face was found */
    float identity;           /* 0..1: sb_likeness_from_cosine of the embeddings' cosine */
    sb_integrity_t integrity; /* zeroed when no face was found */
    bool found;               /* a face was found on the output */
    int faces;                /* how many faces were found on it */
} sb_likeness_t;

/* The reference of `face` (box and landmarks in `rgb`'s coordinates) on the 3-band `rgb`: embedded with
 * `em` and its aligned crop kept. *ref is overwritten; free it with sb_likeness_ref_free (also after a
 * failure). Only reads its inputs; any thread (the embedder may be shared). Errors: those of
 * sb_face_embed. */
sb_err sb_likeness_ref_make(sb_face_embedder_t *em, const sb_image_t *rgb, const sb_face_t *face,
                            sb_likeness_ref_t *ref, sb_error_t *e);

/* Release a reference's crop. NULL-safe. */
void sb_likeness_ref_free(sb_likeness_ref_t *ref);

/* Frame the reference's crop like the output's: ref->crop becomes the aligned crop of `face` (box and
 * landmarks in `frame`'s coordinates) on `frame` (3 bands, or 4: over mid grey, as sb_pipeline_likeness
 * sees an output), where `frame` is the output's own framing and background with the person unstyled. So
 * the integrity compares the face with the face, not the photo's background (a black or busy backdrop
 * round a profile) with the output's; the embedding stays the photo's. On failure ref->crop is kept.
 * Only reads `frame`; any thread. Errors: those of sb_face_align; SB_ERR_NOMEM. */
sb_err sb_likeness_ref_reframe(sb_likeness_ref_t *ref, const sb_image_t *frame, const sb_face_t *face,
                               sb_error_t *e);

/* Detect faces on `frame` (3 bands, or 4: RGBA is checked over mid grey), take the largest, align it with
 * the landmarks found on `frame` and compare it with `ref`: *out gets both signals and their minimum.
 * When no face is found, *out is all zero (likeness 0, found false; not an error). Uses the studio's
 * detector and embedder (loaded on first use): not thread-safe per studio. Errors: SB_ERR_NOMEM,
 * SB_ERR_MODEL_MISSING/INVALID, a net failure. */
/* `rgba` (4 bands) over mid grey into `rgb` (3 bands, allocated): how the QA sees a transparent output.
 * SB_ERR_NOMEM. */
sb_err sb_pipeline_over_grey(const sb_image_t *rgba, sb_image_t *rgb, sb_error_t *e);

sb_err sb_pipeline_likeness(sb_studio_t *studio, const sb_image_t *frame, const sb_likeness_ref_t *ref,
                            sb_likeness_t *out, sb_error_t *e);

#endif
