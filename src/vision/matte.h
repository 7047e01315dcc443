/* matte.h - person matte: MediaPipe selfie segmentation at 256x256 and the U^2-Net-p salient-object mask
 * at 320x320 (vision/salient.h), each enlarged to the photo and refined with the colour guided filter so
 * edges follow hair and ears, then merged: the union of the two, less (on request) a large part only the
 * selfie net sees (another, out-of-focus figure). docs/internals/vision.md, "Person matte", has the measurements.
 * A matter uses the process's shared nets (models.h sb_model_session), so it may be used from several threads at once. */
#ifndef SB_MATTE_H
#define SB_MATTE_H

#include "image/image.h"

typedef struct sb_matter sb_matter_t;

/* Resolve, verify and load the selfie segmentation and u2netp models. SB_ERR_MODEL_MISSING/INVALID, SB_ERR_NOMEM. */
sb_err sb_matter_open(sb_matter_t **out, sb_error_t *e);

/* Free a matter. NULL-safe. */
void sb_matter_close(sb_matter_t *m);

/* Person alpha (1 band, 0..1, allocated by the call) for `rgb` (3 bands, any size); `guide` is the same
 * photo as floats (3 bands, 0..1), which drives the edge refinement. `drop_figures` non-zero clears a
 * large part only the selfie net sees (another, out-of-focus figure) for a caller with no faces to split
 * the matte by; 0 keeps the plain union, for a caller that splits it by faces (vision/subject.h), as
 * such a part is as often the subject's own hair or clothes. Deterministic. SB_ERR_NOMEM,
 * SB_ERR_INTERNAL when a net fails; on failure `alpha` is empty. */
sb_err sb_matte_person(sb_matter_t *m, const sb_image_t *rgb, const sb_fimage_t *guide, int drop_figures,
                       sb_fimage_t *alpha, sb_error_t *e);

/* sb_matte_person that also hands out the salient net's map as it went into the merge (`salient`, freed
 * first, rgb's size, 1 band: 0 where the net reads its faint haze or less, 1 where it is sure), for the
 * cut-out check's count of what the matte keeps where that net sees background (pipeline/cutout_qa.h).
 * The same arguments and errors; on failure both are empty. */
sb_err sb_matte_person_nets(sb_matter_t *m, const sb_image_t *rgb, const sb_fimage_t *guide, int drop_figures,
                            sb_fimage_t *alpha, sb_fimage_t *salient, sb_error_t *e);

/* The selfie net's part of sb_matte_person alone (same arguments and errors): about 30 ms where the
 * salient net adds about 250 on one thread, for the pipelines' first try (pipeline/portrait.h). `on_grid`
 * 1 resamples the net's map straight to the guided filter's grid (the people pipelines); 0 enlarges it to
 * the photo first, about 11 ms more at 800 px (the product's hand check, whose outputs were judged on it:
 * on the grid, the Oatly carton's hand guard moved and its open holes fell under the warning, leaving a
 * carton cut short silent; docs/QUALITY.md, the lead, 2026-12-07 23:20). */
sb_err sb_matte_selfie(sb_matter_t *m, const sb_image_t *rgb, const sb_fimage_t *guide, int on_grid,
                       sb_fimage_t *alpha, sb_error_t *e);

#endif
