/* matte_edge.h - the person matte's soft edge solved from local colour models (issue 13: no old
 * background kept round hair, no hair eaten). docs/internals/vision.md, "matte_edge.c". */
#ifndef SB_MATTE_EDGE_H
#define SB_MATTE_EDGE_H

#include <stdbool.h>
#include <stdint.h>

#include "image/image.h"
#include "vision/face.h"

/* Re-estimate `alpha` (1 band, 0..1, in place) in its soft band (0.01 < alpha < 0.99) from the photo
 * `img` (3 bands, 0..1, alpha's size): local means of the sure foreground (alpha > 0.95) and sure
 * background (alpha < 0.05) colours, box means over 3% of the short side (15% where too little of either
 * is near), and each band pixel's position on the line between the two (the known-background colour
 * line), blended with the old alpha by how far apart the two colours are and how close the pixel lies to
 * the line. Where the colours cannot tell (dark hair on a dark wall), alpha is left as it is. With the
 * subject's `face` (alpha's pixels; NULL for none): below its chin line (every row without a face), the
 * trust also falls where the sure background's colours spread over 0.10-0.20 of the distance between the
 * two means and over 0.03-0.05 RMS (a curtain's folds, a mottled wall, which the solve drew as strokes),
 * unless the colour says the other side outright; above it, opaque pixels of its hair zone that have
 * the local wall's colour (both means from the 3% box, 0.25 apart, the pixel within 0.10 of the line and in the
 * line's wall-side 45%) are opened the same way: the wall the net kept between strands. Other sure pixels
 * are never changed. Deterministic; thread-safe on distinct images. SB_ERR_INTERNAL (size mismatch),
 * SB_ERR_NOMEM. */
sb_err sb_matte_edge_refine(const sb_fimage_t *img, sb_fimage_t *alpha, const sb_face_t *face, sb_error_t *e);

/* The height of `face`'s chin line in its pixels, from its landmarks: the mouth's height plus half the
 * eyes-to-mouth distance (an upright face). Pure. */
float sb_matte_chin_line(const sb_face_t *face);

/* Whether pixel (x, y) lies in `face`'s hair zone: above `chin` (sb_matte_chin_line) and outside the
 * ellipse inscribed in the face box, where the hair and the wall between its strands are, and not the
 * skin, eyes, teeth or a collar. False for a NULL or empty face. Pure. */
bool sb_matte_hair_zone(const sb_face_t *face, float chin, int x, int y);

/* Keep in `gap` (w x h, in place; 0 none, any other value a pixel of the wall's colour; the top h rows of
 * the frame `face` is in) only the parts of the wall seen between strands: every 8-connected part of
 * non-zero pixels that reaches the ring just outside `face`'s ellipse (out to 1.1 times it) is cleared,
 * as skin continuing the face's (temples, ears); the other pixels keep their values. SB_ERR_NOMEM. */
sb_err sb_matte_hair_gaps(uint8_t *gap, int w, int h, const sb_face_t *face, sb_error_t *e);

#endif
