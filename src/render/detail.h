/* detail.h - gentle local contrast ("clarity") and sharpening on luminance, so colours do not shift.
 * Any thread; allocates scratch internally. */
#ifndef SB_DETAIL_H
#define SB_DETAIL_H

#include "image/image.h"

typedef struct {
    float clarity;        /* amount of large-radius unsharp mask, 0..1 (0.2 is gentle) */
    float clarity_sigma;  /* its radius as a fraction of the image width */
    float sharpen;        /* amount of small-radius unsharp mask, 0..2 */
    float sharpen_sigma;  /* its radius in pixels */
    float max_delta;      /* cap of the per-pixel luminance change, so edges never ring */
} sb_detail_t;

/* The corporate headshot's finishing: gentle clarity, crisp but not crunchy. */
extern const sb_detail_t SB_DETAIL_HEADSHOT;

/* Enhance `img` (3 bands, sRGB 0..1) in place. Where `weight` (1 band, may be NULL) is given, the change
 * is scaled by it (the matte: only the subject is sharpened, not the backdrop). */
sb_err sb_detail_enhance(sb_fimage_t *img, const sb_fimage_t *weight, const sb_detail_t *d, sb_error_t *e);

#endif
