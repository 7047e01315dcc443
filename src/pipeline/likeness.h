/* likeness.h - the likeness check of the face pipelines: the face found again on an output and compared
 * with the reference face's embedding. Shared by the avatar's QA loop and portrait generation.
 * Not thread-safe per studio. */
#ifndef SB_LIKENESS_H
#define SB_LIKENESS_H

#include <stdbool.h>

#include "pipeline/studio.h"

/* Detect faces on `frame` (3 bands, or 4: RGBA is checked over mid grey), embed the largest and compare
 * it with `emb_ref` (SB_EMBED_DIM floats). *likeness gets 0..1 (sb_likeness_from_cosine) and *found
 * true; when no face is found, *likeness is 0 and *found false (not an error). Uses the studio's
 * detector and embedder (loaded on first use). Errors: SB_ERR_NOMEM, SB_ERR_MODEL_MISSING/INVALID, a
 * net failure. */
sb_err sb_pipeline_likeness(sb_studio_t *studio, const sb_image_t *frame, const float *emb_ref, float *likeness,
                            bool *found, sb_error_t *e);

#endif
