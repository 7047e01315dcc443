/* salient_recover.h - recover a product that the salient net saw only faintly: a white carton on a bright
 * shelf under the hand holding it, a metal pot behind its bright label. u2netp gives such a product 0.1 to
 * 0.4 of its map (docs/QUALITY.md, "Issue 14: crop, cut-out, hand and subject"), so a threshold at 0.5
 * keeps only the hand or the label. Plain function, any thread. */
#ifndef SB_SALIENT_RECOVER_H
#define SB_SALIENT_RECOVER_H

#include <stdint.h>

#include "util/err.h"

/* The faint level (of 255) a recovered area must reach, and the radius (map pixels) of the opening
 * that tells a wide faint area from the soft ramp every strong edge has. */
#define SB_RECOVER_LOW 20
#define SB_RECOVER_OPEN 5

/* On the net's 8-bit map `map` (w x h, modified): the faint pixels (SB_RECOVER_LOW..127) that survive an
 * opening of radius SB_RECOVER_OPEN (so a wide faint area, never the thin ramp around a strong edge or a
 * wire) and are joined to a strong part of the map (>= 128) are raised to 255, so the refinement that follows treats them as
 * subject, when those faint pixels are at least as many as the strong ones they join (the net saw a
 * fraction of the product, its label or print). Otherwise, or with no strong part, the map is left as it
 * is. *recovered is the number of pixels raised. SB_ERR_NOMEM. */
sb_err sb_salient_recover(uint8_t *map, int w, int h, long *recovered, sb_error_t *e);

#endif
