/* matte_edge.h - the person matte's soft edge solved from local colour models (issue 13: no old
 * background kept round hair, no hair eaten). docs/internals/vision.md, "matte_edge.c". */
#ifndef SB_MATTE_EDGE_H
#define SB_MATTE_EDGE_H

#include "image/image.h"

/* Re-estimate `alpha` (1 band, 0..1, in place) in its soft band (0.01 < alpha < 0.99) from the photo
 * `img` (3 bands, 0..1, alpha's size): local means of the sure foreground (alpha > 0.95) and sure
 * background (alpha < 0.05) colours, box means over 3% of the short side (15% where too little of either
 * is near), and each band pixel's position on the line between the two (the known-background colour
 * line), blended with the old alpha by how far apart the two colours are and how close the pixel lies to
 * the line. Where the colours cannot tell (dark hair on a dark wall), alpha is left as it is. Sure pixels
 * are never changed. Deterministic; thread-safe on distinct images. SB_ERR_INTERNAL (size mismatch),
 * SB_ERR_NOMEM. */
sb_err sb_matte_edge_refine(const sb_fimage_t *img, sb_fimage_t *alpha, sb_error_t *e);

#endif
