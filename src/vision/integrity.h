/* integrity.h - is the face on an output still a whole face? A second signal beside the embedding:
 * MobileFaceNet keeps recognising a face through damage a customer would refuse (a face broken into
 * dark patches, smeared, scrambled or turned green), so the likeness check also compares the output's
 * aligned face crop with the reference's, at low frequency, on four measures: layout (the face's
 * light-and-dark pattern), dark patches (regions much darker than the same place on the reference),
 * colour (the skin's hue) and detail (edges around the eyes and mouth). Each measure maps to 0..1 with
 * fixed bounds calibrated on the avatars of shared/testdata (see docs/internals/vision.md,
 * "integrity.c: face integrity"); the integrity is the smallest of the four. Pure functions, any thread. */
#ifndef SB_INTEGRITY_H
#define SB_INTEGRITY_H

#include "image/image.h"

/* The four measures and the score built on them. */
typedef struct {
    float layout;   /* correlation of the low-frequency luminance of the two face ovals, -1..1 */
    float dark;     /* fraction of the face oval much darker than the reference at the same place, 0..1 */
    float hue;      /* skin hue difference in degrees, 0..180 (0 when either face is nearly grey) */
    float detail;   /* edge energy around the eyes and mouth, output over reference, >= 0 */
    float score;    /* 0..1: the smallest of the four measures' scores */
} sb_integrity_t;

/* Compare `out` (the output face) with `ref` (the reference face), both 3-band ArcFace-aligned crops
 * of SB_FACE_CROP x SB_FACE_CROP (vision/embed.h sb_face_align). Fills *r. Errors: SB_ERR_USAGE when
 * either crop is not 3-band SB_FACE_CROP square; SB_ERR_NOMEM. */
sb_err sb_face_integrity(const sb_image_t *ref, const sb_image_t *out, sb_integrity_t *r, sb_error_t *e);

#endif
