/* face.h - face detection with five landmarks (YuNet 2023mar, decoded by hand) and subject choice.
 *
 * A detector uses the process's shared net (models.h sb_model_session), so it may be used from several threads at once. Coordinates are in the pixel
 * space of the image passed in (x right, y down, pixel (i, j) centred on the point (i, j), as in resample.h). */
#ifndef SB_FACE_H
#define SB_FACE_H

#include "image/image.h"

typedef struct {
    float x, y;
} sb_point_t;

/* Landmark order as YuNet emits it. "Right eye" is the subject's right, on the image's left. */
enum { SB_LMK_RIGHT_EYE = 0, SB_LMK_LEFT_EYE, SB_LMK_NOSE, SB_LMK_MOUTH_RIGHT, SB_LMK_MOUTH_LEFT };

typedef struct {
    float x, y, w, h;     /* box */
    sb_point_t lmk[5];
    float score;          /* 0..1 */
} sb_face_t;

typedef struct {
    int count;
    sb_face_t *faces;     /* malloc'd, sorted by score, highest first */
} sb_face_list_t;

typedef struct sb_face_detector sb_face_detector_t;

/* Resolve, verify and load the YuNet model into a new detector. SB_ERR_MODEL_MISSING/INVALID. */
sb_err sb_face_detector_open(sb_face_detector_t **out, sb_error_t *e);

/* Free a detector. NULL-safe. */
void sb_face_detector_close(sb_face_detector_t *det);

/* Find every face in `rgb` (3 bands). YuNet misses faces over ~300 px at its input size, so it looks at
 * a copy whose long side is 640 and at one whose long side is 320, merges both (NMS, IoU 0.3) and maps
 * boxes and landmarks back to `rgb`'s coordinates. When the smaller copy fits beside the larger in the
 * net's 640x640 input (photos of 2:3 or narrower, and photos under 640 that leave room) it is shrunk to
 * what fits (295 for a 2:3 photo) and both go through the net in one run instead of two, which reads
 * their faces slightly differently from two runs (vision.md). `out` is filled (faces malloc'd; free with
 * sb_face_list_free); zero faces is not an error. */
sb_err sb_face_detect(sb_face_detector_t *det, const sb_image_t *rgb, sb_face_list_t *out, sb_error_t *e);

/* sb_face_detect reports the faces YuNet scores at least this (real faces in shared/testdata score >= 0.84,
 * false ones <= 0.75). */
#define SB_FACE_SCORE_MIN 0.8f

/* sb_face_detect keeping every face that scores at least `min_score` (0..1) rather than SB_FACE_SCORE_MIN:
 * under it are profiles cut by the photo, blurred or dim faces, and things that are no face at all. The
 * faces at or over SB_FACE_SCORE_MIN are exactly sb_face_detect's (the NMS is greedy by score, so a
 * weaker face never removes a stronger one). Same threads, ownership and errors. */
sb_err sb_face_detect_min(sb_face_detector_t *det, const sb_image_t *rgb, float min_score, sb_face_list_t *out,
                          sb_error_t *e);

/* sb_face_detect with the 640 copy alone, in one run of the net: the faces too large for it (over about
 * 300 px at 640, half the copy's long side) may be missed or found as several boxes. For an image whose
 * faces are known to be smaller, such as a delivered headshot. Same threads, ownership and errors. */
sb_err sb_face_detect_once(sb_face_detector_t *det, const sb_image_t *rgb, sb_face_list_t *out, sb_error_t *e);

/* Free the list's faces and zero it. NULL-safe. */
void sb_face_list_free(sb_face_list_t *list);

/* Index of the subject: the face with the best mix of size and centrality in a width x height frame
 * (area weighted down by distance from the centre). -1 when the list is empty. */
int sb_face_pick_subject(const sb_face_list_t *list, int width, int height);

/* Roll of the eye line in degrees, positive when the subject's left eye (image right) is lower. */
float sb_face_roll_deg(const sb_face_t *f);

/* Size of the face that is stable under roll, yaw and pitch: the larger of the eye distance and the
 * eye-to-mouth distance, each scaled to a box width (see face.c for the calibration). */
float sb_face_size(const sb_face_t *f);

/* Set f's box to the one YuNet draws round an upright face with f's landmarks (a square of the box's
 * larger side, centred below the eye midpoint across the eye line; calibration in face.c): a box that
 * does not depend on how the face was found, for a crop round a face that was turned (the map of a
 * turned box is its bounding box, far larger than the face). */
void sb_face_box_from_landmarks(sb_face_t *f);

#endif
