/* salient_peel.h - the salient net's second look at a product whose label took its attention: the net's
 * strong part hidden, filled from around it, so the net sees the rest of the product.
 *
 * u2netp gives a printed label on a plain product (a name tag on a chrome pot) its whole map and the product
 * around it 0.1..0.3, its thin parts (a spout, a handle) nothing. With the label filled in from the metal
 * around it, the net outlines the pot's body as a whole (docs/QUALITY.md, h14-inside). Plain functions, any
 * thread. */
#ifndef SB_SALIENT_PEEL_H
#define SB_SALIENT_PEEL_H

#include <stdint.h>

#include "image/image.h"

/* The net's map value (of 255) from which a pixel is the strong part hidden, and the ring (map pixels)
 * hidden with it: the strong part's soft edge still carries the label's colours. */
#define SB_PEEL_STRONG 128
#define SB_PEEL_RING 3

/* Into `out` (allocated by the call, n x n, 3 bands 8-bit): `small` (the photo squashed to the net's n x n
 * input, 3 bands 8-bit) with the pixels where `map` (n x n, 8-bit) is SB_PEEL_STRONG or more, and those
 * within SB_PEEL_RING of them, filled from the rest by push-pull (image/fill.h). SB_ERR_INTERNAL for sizes
 * that do not match; SB_ERR_NOMEM. `out` is empty on failure. */
sb_err sb_salient_peel_image(const sb_image_t *small, const uint8_t *map, int n, sb_image_t *out, sb_error_t *e);

#endif
