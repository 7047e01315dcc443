/* shadow.h - product shadows cast from an alpha mask, and their darkening of a background. The field is
 * built on a pooled grid and sampled back, so its cost is close to one pass over the canvas whatever the
 * blur. Deterministic; any thread. */
#ifndef SB_SHADOW_H
#define SB_SHADOW_H

#include "image/image.h"

typedef enum {
    SB_SHADOW_NONE,
    SB_SHADOW_SOFT,     /* a large blur, offset straight down a little */
    SB_SHADOW_HARD,     /* standing (render/ground.h): the silhouette cast on the floor from its base, sharp at
                         * the contact and softer away, with a contact line; seen from above or cut by the
                         * canvas: the silhouette offset diagonally */
    SB_SHADOW_NATURAL,  /* a medium blur with a slight diagonal, plus a dark contact band under the base */
    SB_SHADOW_FLOATING, /* a light, diffuse ellipse below the product with a gap: the product looks lifted */
    SB_SHADOW__COUNT
} sb_shadow_kind;

/* Overrides of a kind's defaults; a negative value keeps the default. opacity 0..1 scales the darkness;
 * blur (the Gaussian sigma) and distance are fractions of the subject's height; angle_deg is the
 * direction of the offset, 0 to the right, 90 straight down (y down), 0..360. For floating, distance is
 * the gap between the base and the ellipse and the angle is not used; for hard on a standing product it is
 * the length of the shadow on the floor (and the offset is 0.08 of it when there is no base to cast from). */
typedef struct {
    float opacity, blur, angle_deg, distance;
} sb_shadow_overrides_t;

/* Kind from its name ("none", "soft", "hard", "natural", "floating"). SB_ERR_USAGE with field
 * "shadow_type" and the valid names in the message for anything else (NULL included). */
sb_err sb_shadow_parse(const char *name, sb_shadow_kind *out, sb_error_t *e);

/* The name of a kind; "unknown" out of range. Static storage. */
const char *sb_shadow_name(sb_shadow_kind k);

/* Check `k` and the overrides `ov` (may be NULL) without rendering: the errors of sb_shadow_render's
 * options, so a caller can refuse bad options before any work. */
sb_err sb_shadow_check(sb_shadow_kind k, const sb_shadow_overrides_t *ov, sb_error_t *e);

/* The direction (degrees, as angle_deg) in which kind `k` with overrides `ov` (may be NULL) casts its
 * shadow, for a scene to put its light on the other side; NaN for none and floating (no direction: light
 * from above) and for bad options. */
float sb_shadow_angle(sb_shadow_kind k, const sb_shadow_overrides_t *ov);

/* Render the shadow of the product whose placed alpha is the layer `alpha` (1 band, any size) with its
 * top-left pixel at (ox, oy) of a width x height canvas (what falls outside the canvas is cut off) into
 * `out` (allocated by the call, 1 band, width x height): darkness 0..1. The subject is the bounding box of
 * the layer's alpha >= 0.5 on the canvas, and how it meets the ground sb_ground_read's (hard casts on the floor
 * only for a standing product); with none, or with SB_SHADOW_NONE, `out` is all zeros. A layer
 * the canvas's size at (0, 0) is the whole placed alpha. The field covers the product too: the compositor
 * puts the product over it. Only the layer is read, so the cost is the layer's size plus one pass over the
 * rows the shadow reaches. `ov` may be NULL. SB_ERR_USAGE with field "shadow_opacity", "shadow_blur",
 * "shadow_angle" or "shadow_distance" for an override out of range (NaN included), "shadow_type" for an
 * unknown kind; SB_ERR_INTERNAL for an alpha not of 1 band or an empty canvas; SB_ERR_NOMEM. On failure
 * `out` is left empty. */
sb_err sb_shadow_render(const sb_fimage_t *alpha, int ox, int oy, int width, int height, sb_shadow_kind k,
                        const sb_shadow_overrides_t *ov, sb_fimage_t *out, sb_error_t *e);

/* Darken `rgb` (3 bands, sRGB 0..1, the background) in place by `shadow` (1 band, same size) in linear
 * light: linear *= 1 - shadow. Pixels where the shadow is 0 (or NaN) are left untouched, and skipped, and
 * none is brightened.
 * SB_ERR_INTERNAL for mismatched sizes or bands; SB_ERR_NOMEM. */
sb_err sb_shadow_apply(sb_fimage_t *rgb, const sb_fimage_t *shadow, sb_error_t *e);

#endif
