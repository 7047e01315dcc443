/* resample.h - geometric resampling of 8-bit images through libvips.
 *
 * Threads: any thread, after sb_io_init. Outputs are allocated by the call. */
#ifndef SB_RESAMPLE_H
#define SB_RESAMPLE_H

#include "image/image.h"

/* Resize `src` to exactly width x height (aspect not preserved) with a high-quality kernel
 * (lanczos3 when shrinking, bilinear when enlarging). */
sb_err sb_image_resize(const sb_image_t *src, int width, int height, sb_image_t *dst, sb_error_t *e);

/* Shrink the area {x0, y0, x1, y1} (x1, y1 exclusive; NULL: all) of `src` to exactly width x height (each at
 * most the area's), reading the area in place. Under 2x on both axes as sb_image_resize (lanczos3); from 2x
 * on either, a linear (triangle) filter as wide as the shrink in one libvips reduce: softer than lanczos3
 * and on a 12 MP photo's 3 MP working image shrunk 4x a fifth of sb_image_resize's CPU (docs/BENCHMARKS.md,
 * h11-align3). Output pixel i lies at (i + 0.5) f - 0.5 of the area, f its shrink. For a copy that is
 * sampled again, where its sharpness matters less than its cost (the face mesh's source). SB_ERR_USAGE
 * for an area off `src` or a size larger than the area; `dst` is then left empty. */
sb_err sb_image_shrink_area(const sb_image_t *src, const int area[4], int width, int height, sb_image_t *dst,
                            sb_error_t *e);

/* `src` shrunk to exactly width x height (each at most its own) with libvips' linear (triangle) filter in
 * one reduce, whatever the factor (sb_image_shrink_area's filter from 2x): under 2x it costs about half of
 * sb_image_resize's lanczos3 (800x800 -> 640x640: 6 against 11 CPU-ms) and is softer. For a copy that only a
 * detector counts faces on (the cut-out check's, docs/BENCHMARKS.md, h11-speed4). Errors as
 * sb_image_shrink_area. */
sb_err sb_image_shrink_linear(const sb_image_t *src, int width, int height, sb_image_t *dst, sb_error_t *e);

/* Each pixel of `src` repeated as a factor x factor block (libvips' zoom), the result cut to its first
 * width x height pixels (each over (n - 1) x factor and at most n x factor, n the source's).
 * For a map that is pooled again on the same blocks (the selfie map's coarse grid, vision/matte.c).
 * SB_ERR_USAGE for other sizes; `dst` is then left empty. */
sb_err sb_image_zoom(const sb_image_t *src, int factor, int width, int height, sb_image_t *dst, sb_error_t *e);

/* Warp `src` by the affine map `m` (dst -> src is its inverse): a source point (x, y) lands at
 * (m[0]*x + m[1]*y + m[2], m[3]*x + m[4]*y + m[5]) in the width x height output. Bilinear; pixels that
 * fall outside the source repeat its edge. `outside` (may be NULL) receives a 1-band mask, 255 where
 * the output pixel came from outside the source photo, 0 inside. */
sb_err sb_image_warp_affine(const sb_image_t *src, const double m[6], int width, int height,
                            sb_image_t *dst, sb_image_t *outside, sb_error_t *e);

/* `src` turned clockwise by `quarter_turns` x 90 degrees (0..3; 0 copies it) into `dst`. A pixel (x, y) of
 * src lands at (h-1-y, x) after one turn, (w-1-x, h-1-y) after two, (y, w-1-x) after three (w x h = src's
 * size). SB_ERR_USAGE (bad turn or image), SB_ERR_NOMEM, SB_ERR_INTERNAL. */
sb_err sb_image_rotate(const sb_image_t *src, int quarter_turns, sb_image_t *dst, sb_error_t *e);

#endif
