/* photo_frame.h - the photo inside a flat border. Casual inputs are often a picture inside a frame of one
 * flat colour: a letterboxed video still, a scanned print's white margin, a poster's or a web page's
 * black surround. The cut-out then treats the inner picture's straight edge as part of the scene, and
 * when the matte keeps some of the inner background it shows as a tilted "card" on the new backdrop,
 * with no photo border where the edge check looks. Finding the frame lets a pipeline work on the inner
 * picture alone, so its edge is the photo's edge. Pure arithmetic on borrowed pixels: any thread. */
#ifndef SB_PHOTO_FRAME_H
#define SB_PHOTO_FRAME_H

#include "image/image.h"

/* Find a flat border round `img` (3 or 4 bands; alpha ignored). A side has a border when its outer lines
 * are flat (nearly every pixel within a small tolerance of one colour) for at least two lines and the
 * first line that is not flat steps away from that colour along a large share of its length: a straight
 * edge, not a subject's outline growing out of a plain backdrop (a head rising into a black studio
 * background breaks the flatness over a few pixels, far from the share asked). A frame needs at least two
 * sides with borders of the same colour (a letterbox, a pillarbox, a surround). On success `inner` =
 * {x0, y0, x1, y1} (x1, y1 exclusive) is the picture inside, each bordered side trimmed past its flat
 * lines and the step's blur, and the result is 1; otherwise `inner` is the whole image and the result is 0. A frame
 * whose inside would be under `min_side` pixels on either side is not reported (0). */
int sb_photo_frame_find(const sb_image_t *img, int min_side, int inner[4]);

#endif
