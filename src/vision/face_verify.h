/* face_verify.h - the second check on a detected face (is it a person's face?) and the search for faces
 * in a photo turned on its side or upside down.
 *
 * YuNet alone can take an animal's muzzle, a doll or a drawing for a face, and it finds faces in an
 * upside-down photo with their features read the wrong way up. Each face it finds is looked at again by
 * the MediaPipe face mesh on a crop turned so the face's eye line is level, and its geometry and colour
 * are checked; the limits and how they were measured are in docs/internals/vision.md ("Faces: the second
 * check"). The functions use the caller's detector and mesh (see face.h, mesh.h), so they run on the
 * calling thread; nothing is kept between calls. */
#ifndef SB_FACE_VERIFY_H
#define SB_FACE_VERIFY_H

#include <stdbool.h>

#include "vision/face.h"
#include "vision/mesh.h"

/* The weakest YuNet score sb_face_find reports among its weak faces (groups/imagenet_candle's child in
 * profile, cut by the photo, scores 0.44; docs/QUALITY.md, h13-others). */
#define SB_FACE_WEAK_MIN 0.4f

typedef struct {
    float mesh;       /* the mesh's face-presence probability on the levelled crop, 0..1 */
    float lmk_error;  /* mean distance between the mesh's and YuNet's five points, in eye distances */
    float skin;       /* fraction of skin-coloured pixels inside the mesh's face outline, 0..1 */
    float colour;     /* mean chroma of the whole crop (|Cb - 128| + |Cr - 128|): under a few, a grey photo */
    bool upright;     /* the mouth and nose lie below the eye line */
    bool verified;    /* all of the above within the calibrated limits */
} sb_face_check_t;

/* Check `f` (box and landmarks in `rgb`'s pixel coordinates, rgb 3 bands) and fill `out`.
 * SB_ERR_NOMEM, SB_ERR_INTERNAL (the mesh's errors). */
sb_err sb_face_verify(sb_face_mesh_t *mesh, const sb_image_t *rgb, const sb_face_t *f, sb_face_check_t *out,
                      sb_error_t *e);

/* Every face of `rgb` (3 bands) that passes sb_face_verify, sorted by YuNet score. When the best of them
 * is weak (no face, or a YuNet score under the level real upright faces reach), the photo is also searched
 * turned by 90, 180 and 270 degrees clockwise, and a turn whose best verified face scores clearly higher
 * wins: its faces replace the upright ones (an upside-down photo's faces read the wrong way up go with
 * them). *turns receives the winning number of clockwise quarter turns (0..3); when it is not 0,
 * `turned` receives `rgb` turned by it (allocated; else left empty) and `out`'s coordinates are
 * `turned`'s. `out` is malloc'd (free with sb_face_list_free); zero faces is not an error.
 * `weak` (NULL: not wanted) receives the same orientation's faces YuNet scores from SB_FACE_WEAK_MIN up to
 * SB_FACE_SCORE_MIN, not checked (a profile cut by the photo, a blurred face behind the subject, or no
 * face at all: only for keeping other people out of the subject's cut-out; malloc'd, same coordinates).
 * Errors: those of sb_face_detect, sb_face_verify and sb_image_rotate. */
sb_err sb_face_find(sb_face_detector_t *det, sb_face_mesh_t *mesh, const sb_image_t *rgb, sb_face_list_t *out,
                    sb_face_list_t *weak, int *turns, sb_image_t *turned, sb_error_t *e);

/* Where the point `p` of a width x height image lands when the image is turned clockwise by `turns`
 * quarter turns (as sb_image_rotate turns it), and a face's box and landmarks likewise (the box stays
 * axis-aligned; the landmarks keep their meaning). Pure, any thread. */
sb_point_t sb_turn_point(sb_point_t p, int width, int height, int turns);
sb_face_t sb_turn_face(const sb_face_t *f, int width, int height, int turns);

#endif
