/* mesh.h - precise eye centres from the MediaPipe face mesh (468 points). YuNet's five landmarks
 * are coarse (their eye line wanders by +-3.5 degrees on some faces); the mesh's eye corners pin the
 * eye line to well under a degree on an upright face. A mesh uses the process's shared net (models.h sb_model_session), so it may be used from several threads at once. */
#ifndef SB_MESH_H
#define SB_MESH_H

#include "vision/face.h"

typedef struct sb_face_mesh sb_face_mesh_t;

/* The net's input side and point count. */
#define SB_MESH_SIZE 192
#define SB_MESH_POINTS 468

/* Resolve, verify and load the face mesh model. SB_ERR_MODEL_MISSING/INVALID. */
sb_err sb_face_mesh_open(sb_face_mesh_t **out, sb_error_t *e);

/* Free a mesh. NULL-safe. */
void sb_face_mesh_close(sb_face_mesh_t *mesh);

/* Run the mesh on the SB_MESH_SIZE square crop of `rgb` (3 bands) that the affine map `m` (source ->
 * crop pixels, as sb_image_warp_affine takes it) gives. *flag receives the net's face-presence
 * probability (0..1); `pts` (may be NULL) receives SB_MESH_POINTS x (x, y, z) in crop pixels; `crop`
 * (may be NULL) receives the crop itself (allocated; free with sb_image_free). SB_ERR_NOMEM,
 * SB_ERR_INTERNAL (unexpected net output). */
sb_err sb_face_mesh_run(sb_face_mesh_t *mesh, const sb_image_t *rgb, const double m[6], float *flag, float *pts,
                        sb_image_t *crop, sb_error_t *e);

/* Re-crops of sb_face_mesh_refine_eyes: the mesh is run again on the crop its own points call for (a
 * square of 1.65 x their bounding box's larger side), so the eye line it reads hardly depends on the box
 * it started from (docs/internals/vision.md, "mesh.c"). */
#define SB_MESH_RECROPS 2

/* Replace f's two eye landmarks by the mean of each eye's corners from the mesh, run on the face's box
 * in `rgb` (3 bands) squared and enlarged 1.5x, then up to SB_MESH_RECROPS times on the crop the mesh's
 * own points call for (until it moves by under 1% of its side); each crop pixel averages the samples of
 * the source pixels it covers (up to 4 x 4). f's box becomes the one whose 1.5x square is the crop the
 * last points call for, so a next call from `f` starts on the mesh's own face. Works best on a face that
 * is roughly upright. When the mesh's face flag says there is no face on the first crop, `f` is left
 * unchanged and *found (may be NULL) is 0; a re-crop it finds no face on keeps the eyes before it.
 * SB_ERR_NOMEM, the net's errors. */
sb_err sb_face_mesh_refine_eyes(sb_face_mesh_t *mesh, const sb_image_t *rgb, sb_face_t *f, int *found,
                                sb_error_t *e);

/* sb_face_mesh_refine_eyes on the frame that the affine map `pre` (source -> frame pixels, as
 * sb_image_warp_affine takes it) makes of `src`, without making it, with at most `recrops` re-crops (0:
 * the mesh runs once, on f's box): `f` is in the frame's pixels, and the mesh's crop is sampled from
 * `src` in one step. sb_face_mesh_refine_eyes is this with the identity and SB_MESH_RECROPS. */
sb_err sb_face_mesh_refine_eyes_in(sb_face_mesh_t *mesh, const sb_image_t *src, const double pre[6], int recrops,
                                   sb_face_t *f, int *found, sb_error_t *e);

#endif
