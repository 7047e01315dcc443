/* product_holes.h - holes and bites in a product's mask: found, restored where the photo shows product,
 * and measured where it cannot tell. The salient net and the guided filter lose a product's pale print
 * (a carton's white panel, a pale picture on it) where it looks like a light background: an enclosed
 * hole, or a bite out of the outline. Both lie inside the mask's convex hull; what fills them is told from
 * a real hole (a mug's handle, the wall between a lamp's arms, the floor between two boots) by its colour:
 * the product's own colours (the mask) against the background's (a ring just outside the hull). Any
 * thread; allocates scratch internally. */
#ifndef SB_PRODUCT_HOLES_H
#define SB_PRODUCT_HOLES_H

#include "image/image.h"

typedef struct {
    long filled;    /* mask pixels restored (alpha set to 1) */
    float restored; /* filled, as a share of the mask (alpha >= 0.5) before */
    float open;     /* enclosed holes left open whose colours are partly the product's (SB_HOLES_UNSURE or
                     * more of them like the mask around them): a share of the mask after */
} sb_product_holes_t;

/* Restore the holes and bites of `alpha` (1 band, 0..1, rgb's size; rgb 3 bands) in place, on the crop
 * around the mask (alpha >= 0.5). Colours are compared through histograms of 16 levels a band, smoothed by
 * one level: the mask's own (its pixels of alpha 0.95 or more, one pixel in) and the background's (the
 * pixels outside the mask's convex hull within SB_HOLES_RING of the box's long side). A colour is
 * product-like (background-like) when SB_HOLES_LIKELY times likelier under the one than the other.
 * 1. Bites: the parts of the hull outside the mask whose mouth (their pixels beside the outside of the
 *    hull) is at most SB_HOLES_NECK of their contact with the mask, and SB_HOLES_BITE_MIN of the mask or
 *    larger, are grown into from the mask's solid pixels (0.95 or more), 4-connected, over pixels that are
 *    not background-like, each step crossing no edge (at most SB_HOLES_EDGE levels in every band from the
 *    pixel it is reached from) and staying within SB_HOLES_DRIFT of the solid pixel it started from (the
 *    product's surface continuing, not a soft shadow fading away). A part the growth covers under
 *    SB_HOLES_BITE_SHARE of is left as it was (a halo along the edge, not a bite). The wide concavities
 *    (between two boots, under a brush's handle) are never grown into.
 * 2. Holes: what is then still open and enclosed (not reaching the crop's border) is filled when
 *    SB_HOLES_FILL_SHARE of its pixels or more are product-like and at most SB_HOLES_BG_SHARE
 *    background-like, or when SB_HOLES_LOCAL_SHARE of them or more are SB_HOLES_LIKELY times likelier among
 *    the mask's colours around the hole (its box grown by 3 px) than in the background: a pale print the
 *    background shares a colour with is filled, a window onto the wall (a mug's handle, a lamp's arms, a
 *    necklace's loops) stays open.
 * Restored pixels get alpha 1. A mask with no background ring (it fills the photo) is left as it is.
 * Deterministic; a few milliseconds on a working image. SB_ERR_NOMEM. */
#define SB_HOLES_RING 0.04
#define SB_HOLES_LIKELY 2.0
#define SB_HOLES_NECK 0.2
#define SB_HOLES_BITE_MIN 0.002
#define SB_HOLES_BITE_SHARE 0.5
#define SB_HOLES_EDGE 40
#define SB_HOLES_DRIFT 48
#define SB_HOLES_FILL_SHARE 0.6
#define SB_HOLES_BG_SHARE 0.15
#define SB_HOLES_LOCAL_SHARE 0.4
#define SB_HOLES_UNSURE 0.25
sb_err sb_product_holes_fix(const sb_image_t *rgb, sb_fimage_t *alpha, sb_product_holes_t *out, sb_error_t *e);

#endif
