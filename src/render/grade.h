/* grade.h - cinematic colour grades for the editorial look, on sRGB pixels in place. A grade is a fixed
 * per-pixel curve (no statistics of the image), so a batch graded alike looks alike. Any thread; no
 * allocation. */
#ifndef SB_GRADE_H
#define SB_GRADE_H

#include "image/image.h"

typedef enum {
    SB_GRADE_NONE,
    SB_GRADE_TEAL_ORANGE, /* shadows to teal, skin and highlights to orange, a little more contrast */
    SB_GRADE_WARM_FILM,   /* warm cast, lifted warm blacks, gentle S-curve, faded highlights, a touch less colour */
    SB_GRADE_MONO,        /* luminance only, with a gentle S-curve */
    SB_GRADE__COUNT
} sb_grade_kind;

/* Grade from its name ("none", "teal_orange", "warm_film", "mono"). SB_ERR_USAGE with field "grade" and
 * the valid names in the message for anything else (NULL included). */
sb_err sb_grade_parse(const char *name, sb_grade_kind *out, sb_error_t *e);

/* The name of a grade; "unknown" out of range. Static storage. */
const char *sb_grade_name(sb_grade_kind kind);

/* Apply grade `kind` to `rgb` (3 bands, sRGB 0..1) in place, `intensity` of the way from the photo
 * (0 leaves every value untouched) to the full grade (1). Results stay in 0..1. SB_ERR_USAGE with field
 * "intensity" outside 0..1 or "grade" for an unknown kind; SB_ERR_INTERNAL for an image not of 3 bands. */
sb_err sb_grade_apply(sb_fimage_t *rgb, sb_grade_kind kind, float intensity, sb_error_t *e);

#endif
