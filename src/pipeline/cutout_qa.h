/* cutout_qa.h - the check every delivered people output passes (issue 13): how sure the matte is, how
 * much of the photo's background or of another person it kept, whether the photo's own border shows,
 * and how many faces the delivered image holds. A failed check is retried by the pipeline with another
 * framing (see headshot.c) and, when every strategy fails, refused with SB_ERR_CUTOUT_FAILED. Not
 * thread-safe per studio (it runs the face detector). Thresholds: docs/internals/pipeline.md. */
#ifndef SB_CUTOUT_QA_H
#define SB_CUTOUT_QA_H

#include <stdbool.h>

#include "pipeline/studio.h"

/* The check fails on: a matte less sure than this (share of its pixels at alpha < 0.05 or > 0.95)... */
#define SB_CUTOUT_CONFIDENCE_MIN 0.60f
/* ... more kept apart from the subject than this (share of the frame), a visible photo edge, or any
 * face count on the output but one. */
#define SB_CUTOUT_BACKGROUND_MAX 0.02f
/* ... a rim of the old background along the subject's outline wider than this share of the frame's short
 * side, or more of the frame in holes than this share (pipeline/cutout_halo.h; calibrated in
 * docs/QUALITY.md, "Issue 13: halos, hair edges and holes"). */
#define SB_CUTOUT_HALO_MAX 0.013f
#define SB_CUTOUT_HOLES_MAX 0.004f


/* sb_cutout_check_t is in strobe.h (results carry it). Check a delivered image `out` (3 bands, or 4: RGBA
 * is checked over mid grey, as sb_pipeline_likeness sees it) made from a cut-out whose matte is `alpha`
 * (1 band, any size: it is read at its own scale) made on `photo` (the aligned crop, alpha's size: the old
 * background's colours for the halo measure), whose subject face box is `face` (in alpha's pixels) and
 * whose source photo's corners land at `quad` in `out`'s pixels. `faces_found` is the number of faces
 * already found on `out` (sb_likeness_t.faces), or negative to run the detector here. Fills `c` (attempts
 * left 0). Errors: SB_ERR_USAGE, SB_ERR_NOMEM, the detector's. */
sb_err sb_cutout_check(sb_studio_t *studio, const sb_image_t *out, const sb_image_t *photo, const sb_fimage_t *alpha,
                       const sb_face_t *face, const sb_point_t quad[4], int faces_found, sb_cutout_check_t *c,
                       sb_error_t *e);

#endif
