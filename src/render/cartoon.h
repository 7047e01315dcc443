/* cartoon.h - the anime style: CartoonGAN (Hosoda or Hayao weights) on an 8-bit RGB photo, typically the
 * aligned face crop, blended with the photo by a style intensity.
 *
 * A cartoonizer uses the process's shared net (models.h sb_model_session), so it may be used from several threads at once. */
#ifndef SB_CARTOON_H
#define SB_CARTOON_H

#include "image/image.h"

typedef enum { SB_CARTOON_HOSODA = 0, SB_CARTOON_HAYAO } sb_cartoon_variant;

typedef struct sb_cartoon sb_cartoon_t;

/* Net sides accepted by sb_cartoon_apply (multiples of 4). The net costs ~0.031 CPU-ms per input pixel.
 * DEFAULT fits the anime budget (1.6 s on a 12 MP photo, of which ~0.3 s is not the net) with 2 OpenCV
 * threads (~1.05 s); with 1 thread only ONE_THREAD does (~1.15 s), at a visible loss of likeness.
 * Measurements in docs/internals/render.md. */
#define SB_CARTOON_SIDE_MIN 64
#define SB_CARTOON_SIDE_MAX 1024
#define SB_CARTOON_SIDE_DEFAULT 256
#define SB_CARTOON_SIDE_ONE_THREAD 192

/* Resolve, verify and load the variant's CartoonGAN model into a new cartoonizer (*out, freed with
 * sb_cartoon_close). SB_ERR_USAGE (field "variant") for an unknown variant; SB_ERR_MODEL_MISSING/INVALID. */
sb_err sb_cartoon_open(sb_cartoon_variant v, sb_cartoon_t **out, sb_error_t *e);

/* Free a cartoonizer. NULL-safe. */
void sb_cartoon_close(sb_cartoon_t *c);

/* Stylize `rgb` (3 bands, any size) into `out` (allocated by the call, same size, 3 bands). Thread-safe:
 * several threads may use one cartoonizer at once (the net is the process's shared session).
 * Hosoda: the photo is resized to net_side^2 pixels for the net (net_side x net_side for a square photo; for
 * another aspect the same area with the aspect kept, both sides multiples of 4), and the net's output is
 * resized back. Hayao's net takes 512x512 only: the photo is fitted into that square (edges repeated) and
 * net_side is only checked. `intensity` 0..1 mixes photo and style per pixel: 0 returns the photo (the net is not
 * run), 1 the net's output. Deterministic: the same input gives the same bytes.
 * Errors: SB_ERR_USAGE with field "net_side" (not a multiple of 4, or outside SB_CARTOON_SIDE_MIN..MAX),
 * "intensity" (outside 0..1) or "image" (not 3 bands, or empty); SB_ERR_NOMEM; SB_ERR_INTERNAL when
 * the net fails. On failure `out` is left empty. */
sb_err sb_cartoon_apply(sb_cartoon_t *c, const sb_image_t *rgb, int net_side, float intensity, sb_image_t *out,
                        sb_error_t *e);

/* The net's own output for `rgb` (3 bands, any size) into `out` (allocated by the call, 3 bands): what
 * sb_cartoon_apply resizes back to the photo's size at intensity 1, at the size the net ran at (Hosoda:
 * net_side^2 pixels with the photo's aspect, sides multiples of 4; Hayao: the photo fitted into 512x512), for
 * a caller that resizes it once to the size it needs. Thread-safe and deterministic like sb_cartoon_apply;
 * errors as there, less "intensity". On failure `out` is left empty. */
sb_err sb_cartoon_net(sb_cartoon_t *c, const sb_image_t *rgb, int net_side, sb_image_t *out, sb_error_t *e);

/* The mix sb_cartoon_apply makes at `intensity` from the photo and its intensity-1 result `styled` (both
 * 3-band, one size), into `out` (allocated by the call): byte for byte what sb_cartoon_apply gives at that
 * intensity, without running the net again. Any thread. Errors: SB_ERR_USAGE (field "intensity" or "image"),
 * SB_ERR_NOMEM; `out` is empty on failure. */
sb_err sb_cartoon_mix(const sb_image_t *photo, const sb_image_t *styled, float intensity, sb_image_t *out,
                      sb_error_t *e);

/* "hosoda" or "hayao"; "unknown" for any other value. Static string. */
const char *sb_cartoon_variant_name(sb_cartoon_variant v);

#endif
