/* salient.h - the subject mask of a product (or any) photo: U^2-Net-p salient-object segmentation at
 * 320x320, refined at working resolution around the subject with the colour guided filter, small islands
 * removed.
 *
 * An sb_salient_t uses the process's shared net (models.h sb_model_session), so it may be used from several threads at once. */
#ifndef SB_SALIENT_H
#define SB_SALIENT_H

#include "image/image.h"

typedef struct sb_salient sb_salient_t;

/* Load u2netp (SB_MODEL_U2NETP) into a new object; *out is NULL on failure. Errors: those of
 * sb_model_session (SB_ERR_MODEL_MISSING, SB_ERR_MODEL_INVALID), SB_ERR_NOMEM. Free with sb_salient_close. */
sb_err sb_salient_open(sb_salient_t **out, sb_error_t *e);

/* Free the object and its net. NULL-safe. */
void sb_salient_close(sb_salient_t *s);

/* The subject mask of `rgb` (3 bands, 8-bit): `alpha` is allocated by the call, 1 band, 0..1, rgb's size.
 * What sb_salient_net_mask followed by sb_salient_refine gives, computed only where it can be non-zero:
 * the box of the net map's parts that island removal keeps, grown by a margin; the rest is exactly 0 (no
 * faint haze far from the subject). The same window as refining the whole photo; measured against it,
 * IoU 0.99 on a product photo and a mean IoU on the matting set 0.001 higher (docs/internals/vision.md).
 * Deterministic. SB_ERR_USAGE (field "image") for an empty or non-RGB image; SB_ERR_NOMEM; SB_ERR_INTERNAL
 * when the net fails. On failure `alpha` is empty. */
sb_err sb_salient_mask(sb_salient_t *s, const sb_image_t *rgb, sb_fimage_t *alpha, sb_error_t *e);

/* sb_salient_mask for a product: before the refinement, the net map's wide faint areas joined to its
 * strong part are raised to subject (vision/salient_recover.h: a white carton or a metal pot the net saw
 * at 0.1..0.4); *recovered is the number of net-map pixels (of 320 x 320) raised. After it, the edge is
 * moved onto the photo's colour edge within half the filter's window (vision/matte_snap.h). Same errors. */
sb_err sb_salient_product_mask(sb_salient_t *s, const sb_image_t *rgb, sb_fimage_t *alpha, long *recovered,
                               sb_error_t *e);

/* The net's map alone: `rgb` squashed to 320x320, min-max normalised to 0..1 and resized back to rgb's
 * size into `alpha` (allocated by the call). Same errors as sb_salient_mask. */
sb_err sb_salient_net_mask(sb_salient_t *s, const sb_image_t *rgb, sb_fimage_t *alpha, sb_error_t *e);

/* Refine a net map `alpha` (1 band, rgb's size) in place: colour guided filter guided by `rgb`, then
 * connected parts of alpha >= 0.5 smaller than a fraction of the largest are cleared. Needs no net, any
 * thread. SB_ERR_USAGE (field "image") on mismatched sizes; SB_ERR_NOMEM. */
sb_err sb_salient_refine(const sb_image_t *rgb, sb_fimage_t *alpha, sb_error_t *e);

#endif
