/* quality.h - how usable a photo's subject face is for an avatar: sharpness, exposure, size, pose and
 * occlusion signals, an overall 0..1 score and validation warnings. Measured on the pixels and the five
 * YuNet landmarks only (no net); any thread. Thresholds and how they were chosen: docs/internals/vision.md. */
#ifndef SB_QUALITY_H
#define SB_QUALITY_H

#include <stdint.h>

#include "vision/face.h"

/* Validation warnings, one bit each. sb_quality_assess sets the first eight; the last two belong to the
 * avatar QA (set by its caller) and are here so that there is one list of codes. */
typedef enum {
    SB_WARN_MULTIPLE_FACES = 1u << 0,
    SB_WARN_FACE_TOO_SMALL = 1u << 1,
    SB_WARN_LOW_LIGHT = 1u << 2,
    SB_WARN_OVEREXPOSED = 1u << 3,
    SB_WARN_BLURRY = 1u << 4,
    SB_WARN_EXTREME_POSE = 1u << 5,
    SB_WARN_OCCLUDED = 1u << 6,
    SB_WARN_LOW_RESOLUTION = 1u << 7,
    SB_WARN_LIKENESS_BELOW_THRESHOLD = 1u << 8,
    SB_WARN_OUTPUT_FACE_NOT_FOUND = 1u << 9
} sb_warning;

#define SB_WARN_COUNT 10

/* face_too_small below this face fraction: also the pipelines' input gate (SB_MIN_FACE_FRACTION in
 * strobe.h is this number). */
#define SB_QUALITY_MIN_FACE_FRACTION 0.15f
/* The smallest face box (its larger side, in the working image's pixels) a people output is made from:
 * below it the face-size signal is 0 and the pipelines' input gate refuses the photo as face_too_small
 * (a 62 px face made a headshot blown up about 9x: soft, with the split's stair-steps at the cheek). */
#define SB_QUALITY_MIN_FACE_PX 64.0f

typedef struct {
    float score;          /* 0..1 overall: weighted geometric mean of the five signals below */
    float sharpness, exposure, face_size, pose, occlusion; /* each 0..1, 1 = good */
    float yaw_deg, pitch_deg, roll_deg; /* yaw > 0: nose toward image right; pitch > 0: looking up */
    float face_fraction;  /* the headshot gate's measure: see sb_quality_face_fraction */
    float face_px;        /* the face box's larger side, in pixels of the image passed in */
    float face_luma;      /* median Y' (Rec. 709 weights on sRGB values, 0..1) over the face */
    uint32_t warnings;    /* sb_warning bits */
    struct {              /* the raw measures the signals and warnings are thresholds on */
        float detail_kept;  /* share of the face's gradient energy kept by a small blur: high = soft */
        float edge_blur;    /* blur of the face's strongest edges (sb_focus_face_blur); -1: too few edges */
        float luma_p95;     /* 95th percentile of face Y' */
        float clipped;      /* share of face pixels with Y' >= 0.94 */
        float in_frame;     /* share of the expected face (from the landmarks) inside the image */
        float step;         /* |ln| brightness ratio, nose bridge vs chin */
        float other_face;   /* largest other face over the subject's (box sides); 0 when alone */
    } raw;
} sb_quality_t;

/* Snake_case code of one warning bit ("multiple_faces"), as the API and CLI print it; NULL for a value
 * that is not exactly one known bit. */
const char *sb_warning_name(sb_warning w);

/* The face's size relative to the frame: the larger side of its box over the image's shorter side. The
 * headshot's SB_MIN_FACE_FRACTION gate is on this measure. */
float sb_quality_face_fraction(const sb_face_t *f, int width, int height);

/* Measure faces->faces[subject] in `rgb` (3 bands; the faces in its pixel coordinates, as
 * sb_pipeline_find_faces gives them for the working image) and fill `out`. Pixel sizes (face_px and the
 * low_resolution warning) are in `rgb`'s pixels: pass the image at the resolution the avatar is made from.
 * `edge_blur` is the face's sb_focus_face_blur on the same image and face when the caller has it (the
 * portrait's gate measured it), or negative to measure it here.
 * Reads only; the caller keeps ownership of everything. Any thread.
 * Errors: SB_ERR_USAGE (no image, not 3 bands, NULL `out`, a subject out of range, a degenerate face box;
 * the field is named), SB_ERR_NO_FACE (an empty list), SB_ERR_NOMEM. */
sb_err sb_quality_assess(const sb_image_t *rgb, const sb_face_list_t *faces, int subject, float edge_blur,
                         sb_quality_t *out, sb_error_t *e);

#endif
