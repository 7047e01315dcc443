/* ground.h - how a placed product meets the ground, read from its alpha: standing on it (a side or three-quarter
 * view, its base a line the shadow is cast from), seen from above (a flat lay: a lying or round object shot from
 * high up, no base line), or cut by the canvas's bottom edge (held in a hand, or running off the photo: its base
 * is not in the frame). The shadows (shadow.c) and the outdoor scene's table (scene.c) follow it. Pure; any
 * thread. */
#ifndef SB_GROUND_H
#define SB_GROUND_H

#include "image/image.h"

typedef enum {
    SB_GROUND_NONE,     /* no alpha >= 0.5 on the canvas */
    SB_GROUND_STANDING, /* a base line the product stands on */
    SB_GROUND_ABOVE,    /* seen from above: a flat lay */
    SB_GROUND_CUT,      /* its lowest opaque row is the canvas's last: the base is out of the frame */
} sb_ground_kind;

typedef struct {
    sb_ground_kind kind;
    int base;          /* the canvas row just under the lowest opaque (alpha >= 0.5) pixel; -1 for NONE */
    int x0, y0, x1, y1; /* the subject's box (alpha >= 0.5), inclusive, canvas coordinates */
} sb_ground_t;

/* Read how the layer `alpha` (1 band) placed with its top-left pixel at (ox, oy) on a width x height canvas meets
 * the ground (only what lies on the canvas counts). The rule (docs/internals/render.md, "ground.c"): the lowest
 * outline around the lowest point, as far as it stays within a quarter of the subject's height of it and is
 * continuous, is read as the ellipse of a base seen from the camera: its depth over its half width is the sine of
 * the camera's elevation. Over GROUND_ABOVE_RATIO (0.6: a camera some 37 degrees or more above the surface) and
 * with the silhouette widening steadily from its bottom to 30% of its height (a round or lying object, not a foot,
 * a toe or a stem under a wider body), the shot is ABOVE; a base on the canvas's last row is CUT. Deterministic;
 * no allocation beyond one row of ints (a failed allocation reads as STANDING). */
sb_ground_t sb_ground_read(const sb_fimage_t *alpha, int ox, int oy, int width, int height);

/* The kind's name: "none", "standing", "above" or "cut" (static). */
const char *sb_ground_name(sb_ground_kind k);

#endif
