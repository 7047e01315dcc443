/* image.h - the in-memory pixel buffers every module passes around.
 *
 * sb_image_t holds 8-bit samples (decode/encode, nets); sb_fimage_t holds float samples in 0..1
 * (rendering and matting). Both are row-major, interleaved, with no padding between rows. A buffer
 * owns its data; functions that fill one allocate it, and sb_image_free/sb_fimage_free release it.
 * A zeroed struct is a valid empty image and may be freed. */
#ifndef SB_IMAGE_H
#define SB_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

typedef struct {
    int width, height, bands; /* bands: 1 grey, 3 RGB, 4 RGBA */
    uint8_t *data;            /* width * height * bands bytes */
} sb_image_t;

typedef struct {
    int width, height, bands;
    float *data;              /* width * height * bands floats, nominally 0..1 */
} sb_fimage_t;

/* Allocate an uninitialised image into `img` (overwritten, not freed). SB_ERR_NOMEM on failure or on
 * dimensions that overflow. */
sb_err sb_image_alloc(sb_image_t *img, int width, int height, int bands, sb_error_t *e);
sb_err sb_fimage_alloc(sb_fimage_t *img, int width, int height, int bands, sb_error_t *e);

/* Release the data and zero the struct. NULL-safe. */
void sb_image_free(sb_image_t *img);
void sb_fimage_free(sb_fimage_t *img);

/* Convert between 8-bit and float (x/255, and round-to-nearest with clamping back). `dst` is
 * allocated by the call. */
sb_err sb_image_to_float(const sb_image_t *src, sb_fimage_t *dst, sb_error_t *e);

/* Intersection over union of `alpha` >= 0.5 (band 0) and `truth` >= 128 (band 0 of an 8-bit mask or an
 * RGB decode of one), the same size (the caller checks); with `skip_unknown`, truth pixels of exactly 128
 * (a trimap's unknown band) are left out. 1 when both are empty. Any thread; for measurements (tests,
 * benches), not the pipelines. */
double sb_mask_iou(const sb_fimage_t *alpha, const sb_image_t *truth, int skip_unknown);
sb_err sb_fimage_to_u8(const sb_fimage_t *src, sb_image_t *dst, sb_error_t *e);

/* The box (x0, y0, x1, y1; x1, y1 exclusive) of the pixels of a 1-band `mask` at or over 0.5 into `box`
 * ({width, height, 0, 0} when there are none: x0 >= x1); returns how many there are. Any thread. */
size_t sb_fimage_box(const sb_fimage_t *mask, int box[4]);

/* A copy of `src` in `dst` (allocated by the call). SB_ERR_NOMEM. */
sb_err sb_fimage_copy(const sb_fimage_t *src, sb_fimage_t *dst, sb_error_t *e);

/* Copy the rectangle r = {x0, y0, x1, y1} (x1, y1 exclusive; inside `src`, not empty) of `src` into `dst`
 * (allocated by the call, same bands). SB_ERR_NOMEM. */
sb_err sb_image_crop(const sb_image_t *src, const int r[4], sb_image_t *dst, sb_error_t *e);

#endif
