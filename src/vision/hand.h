/* hand.h - a product held in a hand: the hand or arm (skin where the person net sees a person, entering
 * from the photo's edge) and the object in it (the person net sees a held object as part of the person,
 * where the salient net may miss it: a white carton on a bright shelf). What the product photo's `hand`
 * option keeps or removes (docs/internals/vision.md, "Hand"). Plain function, any thread. */
#ifndef SB_HAND_H
#define SB_HAND_H

#include <stdbool.h>

#include "image/image.h"

typedef struct {
    long hand;    /* subject pixels (>= 0.5) found to be the hand or arm; 0: no hand, nothing changed */
    long added;   /* pixels added to the subject from the person net's held object */
    long removed; /* subject pixels (>= 0.5) cleared (remove only) */
} sb_hand_t;

/* Find the hand holding the product in `subject` (1 band, 0..1, rgb's size; modified): pixels of the
 * subject (>= 0.5) whose colour is skin (red-orange and saturated, see hand.c) where `person` (the selfie net's
 * refined map, 1 band, rgb's size) is 0.5 or more, in 8-connected parts that touch the photo's edge (a
 * hand holding the product comes in from outside the photo) and hold at least 1% of the subject. When
 * there is one, the parts of person >= 0.75 that touch it (the hand with what it holds) are added to the
 * subject (alpha the larger of the subject's and the person map's steepened 3 times around 0.5), and with `remove` the hand's parts grown by 0.6% of the photo's
 * long side (the fingers' soft rim) are then cleared. `rgb` is 3 bands, 8-bit. SB_ERR_USAGE (field
 * "image") on mismatched sizes; SB_ERR_NOMEM. */
sb_err sb_hand_apply(const sb_image_t *rgb, const sb_fimage_t *person, sb_fimage_t *subject, bool remove,
                     sb_hand_t *out, sb_error_t *e);

#endif
