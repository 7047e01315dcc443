/* collage.h - the picture a face is in, when the photo is a collage: several pictures laid out in a grid
 * (or a strip) with flat gutters between them. A headshot made from the whole collage keeps the gutter
 * as a bar across the neck and the next picture's head under the chin; made from the face's own tile,
 * as from a photo inside a flat frame (photo_frame.h), the tile's edge is the photo's edge. Pure
 * arithmetic on borrowed pixels: any thread. */
#ifndef SB_COLLAGE_H
#define SB_COLLAGE_H

#include "image/image.h"

/* Find the tile of the collage `img` (3 or 4 bands; alpha ignored) that holds the point (px, py), the
 * centre of the subject's face. A gutter is a run of full-length flat lines (flat_line.h) at most 4% of
 * the image across it, with a straight step to picture on both sides along at least half its length (a
 * picture's edge, not a plain backdrop fading into a subject) and a tile's room (8% of the side) beyond
 * each. The photo is a collage when it has gutters both ways (a grid), or gutters one way that cut it
 * into evenly sized tiles (a strip). Flat margins of the gutters' colour along the photo's edges are
 * trimmed off the tile. On success `tile` = {x0, y0, x1, y1} (x1, y1 exclusive) and the result is 1;
 * otherwise `tile` is the whole image and the result is 0. */
int sb_collage_find_tile(const sb_image_t *img, float px, float py, int tile[4]);

#endif
