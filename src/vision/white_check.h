/* white_check.h - the check of a delivered white-studio shot: the background is pure #FFFFFF away from the
 * shadow, and no product alpha is left outside the product's main parts (no specks, no strip of the old
 * background). Measured on the composited canvas with the placed product's alpha and the shadow the
 * pipeline cast; any thread. */
#ifndef SB_WHITE_CHECK_H
#define SB_WHITE_CHECK_H

#include <stdbool.h>

#include "image/image.h"

/* Parts of the product's alpha >= 0.5 at least this fraction of the largest part's area are the product's
 * main parts (several bottles in one photo are several parts); smaller ones are specks. */
#define SB_WHITE_MAIN_FRAC 0.05
/* Around the main parts a band of this fraction of the canvas's long side is the product's soft edge. */
#define SB_WHITE_BAND_FRAC 0.006

/* Stray pixels up to this fraction of the canvas are tolerated: resampling the cut-out to the canvas can
 * leave a few faint pixels (alpha under 0.2) just past the band beside thin parts; the strips and specks
 * the check is for are thousands (docs/QUALITY.md, "Issue 14: products"). 40 pixels on 2000x2000. */
#define SB_WHITE_STRAY_FRAC 1e-5

typedef struct {
    bool pass;      /* off_white == 0 and stray <= SB_WHITE_STRAY_FRAC of the canvas */
    long off_white; /* pixels with no product and no shadow that are not exactly 255, 255, 255 */
    long stray;     /* pixels with product alpha > 0 outside the band around the main parts */
    int band;       /* the band's width, pixels */
} sb_white_check_t;

/* Check `rgb` (3 bands, 8-bit, the canvas) against `alpha` (1 band, 8-bit, the canvas's size: the placed
 * product's alpha, 0 where there is none) and `shadow` (1 band, 0..1, the canvas's size, 0 = unshadowed; NULL
 * = no shadow). SB_ERR_INTERNAL on mismatched sizes or bands, SB_ERR_NOMEM. */
sb_err sb_white_check(const sb_image_t *rgb, const sb_image_t *alpha, const sb_fimage_t *shadow,
                      sb_white_check_t *out, sb_error_t *e);

#endif
