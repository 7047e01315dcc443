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
#include "vision/face.h"

/* The four measures and the score built on them. */
typedef struct {
    float layout;   /* correlation of the low-frequency luminance of the two face ovals, -1..1 */
    float dark;     /* fraction of the face oval much darker than the reference at the same place, 0..1 */
    float hue;      /* skin hue difference in degrees, 0..180 (0 when either face is nearly grey) */
    float detail;   /* edge energy around the eyes and mouth, output over reference, >= 0 */
    float seam;     /* straight block edges across the output's face (sb_face_seams), >= 0; 0 until
                     * sb_integrity_add_seams */
    float score;    /* 0..1: the smallest of the measures' scores */
} sb_integrity_t;

/* Compare `out` (the output face) with `ref` (the reference face), both 3-band ArcFace-aligned crops
 * of SB_FACE_CROP x SB_FACE_CROP (vision/embed.h sb_face_align). Fills *r. Errors: SB_ERR_USAGE when
 * either crop is not 3-band SB_FACE_CROP square; SB_ERR_NOMEM. */
sb_err sb_face_integrity(const sb_image_t *ref, const sb_image_t *out, sb_integrity_t *r, sb_error_t *e);

/* Seams: how much of the face of `rgb` (3 or 4 bands) block edges run straight across, in the box `face`
 * grown twice about its centre, read at the image's own pixels (a resampled crop would soften a
 * one-pixel step into the face's own edges). For each boundary between two rows (and two columns): the
 * share of its length where the step across it is a seam step, at least 8 levels of 255 and over twice
 * the steeper step across its two neighbouring boundaries (a natural edge is as steep across its
 * neighbours, or short, or turns; a seam is one pixel wide and runs straight). The third largest share
 * of the rows and of the columns (one straight natural edge does not count), the smaller of the two.
 * 0.00-0.11 on the undamaged headshots and avatars of identity/, 0.12-0.25 on the same outputs cut into
 * 4x4 shuffled blocks (docs/QUALITY.md). 0 when the region holds under 16 x 16 pixels. Pure, any
 * thread. */
float sb_face_seams(const sb_image_t *rgb, const sb_face_t *face);

/* Fold the output face's seams (sb_face_seams) into *r: sets r->seam and lowers r->score to the seams'
 * score (1 up to 0.12, 0 from 0.16) when that is lower. */
void sb_integrity_add_seams(sb_integrity_t *r, float seams);

#endif
