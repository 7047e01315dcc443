/* cutout_raised.h - the cut-out check's measure of what the edge solve made opaque where the nets saw
 * background (issue 13).
 *
 * The rule: the edge solve (vision/matte_edge.c) reads the photo's own colours to open the old background
 * out of the subject's soft edge, so on a clean matte it lowers alpha, or raises it a little along strands
 * of hair. Where the nets' matte is faint (the selfie net's blur over a dark car ceiling above the hair,
 * over the seat beside the neck), the solve can instead take the faint part's colours as the subject's and
 * make a patch of it mostly opaque: faces/prnet_aflw_04331's smudge above her hair and speckles right of
 * her neck. Such a patch is joined to the subject and near it, so background_left and ghost do not see it.
 * Pure function, any thread, deterministic. */
#ifndef SB_CUTOUT_RAISED_H
#define SB_CUTOUT_RAISED_H

#include "image/image.h"

/* The share of the frame where `alpha` (1 band, 0..1, borrowed: the matte as judged, islands added back)
 * is more than 0.5 above `nets` (alpha's size, borrowed: the nets' matte before the edge solve,
 * sb_portrait_t's nets); 0 when `nets` is empty or of another size. */
float sb_cutout_raised(const sb_fimage_t *alpha, const sb_fimage_t *nets);

#endif
