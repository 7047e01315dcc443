/* studio.h - internals shared by the pipelines: the per-thread studio (lazily loaded nets) and the
 * decode and face-finding steps every face pipeline starts with. Not thread-safe per studio. */
#ifndef SB_STUDIO_H
#define SB_STUDIO_H

#include "render/cartoon.h"
#include "strobe.h"
#include "vision/embed.h"
#include "vision/matte.h"
#include "vision/mesh.h"
#include "vision/safety.h"
#include "vision/salient.h"

struct sb_studio {
    sb_face_detector_t *detector;
    sb_matter_t *matter;
    sb_face_mesh_t *mesh;
    sb_face_embedder_t *embedder;
    sb_safety_t *safety;
    sb_cartoon_t *cartoon[2];   /* by sb_cartoon_variant */
    sb_salient_t *salient;      /* the product photo's subject mask */
};

/* The studio's face detector / person matter / face mesh, loaded on first call. */
sb_err sb_studio_detector(sb_studio_t *studio, sb_face_detector_t **out, sb_error_t *e);
sb_err sb_studio_matter(sb_studio_t *studio, sb_matter_t **out, sb_error_t *e);
sb_err sb_studio_mesh(sb_studio_t *studio, sb_face_mesh_t **out, sb_error_t *e);
/* The face embedder, the safety classifier, a cartoonizer: loaded on first call, like the above. */
sb_err sb_studio_embedder(sb_studio_t *studio, sb_face_embedder_t **out, sb_error_t *e);
sb_err sb_studio_safety(sb_studio_t *studio, sb_safety_t **out, sb_error_t *e);
sb_err sb_studio_cartoon(sb_studio_t *studio, sb_cartoon_variant v, sb_cartoon_t **out, sb_error_t *e);
/* The salient-object net (u2netp) of the product photo, loaded on first call. */
sb_err sb_studio_salient(sb_studio_t *studio, sb_salient_t **out, sb_error_t *e);

/* Record that a model took part in a result (deduplicated). */
void sb_detect_result_add_model(sb_detect_result_t *res, sb_model_id id);

/* Decode `buf` so that its long side is about `want_side` or more, landing on a JPEG shrink-on-load
 * factor where one applies. Images whose shorter side is under `min_side` (0: no minimum) are refused
 * from the header, before decoding (SB_ERR_IMAGE_TOO_SMALL, with sb_io_decode's other errors). Fills
 * res->input, upright and work sizes; marks stage "decode". */
sb_err sb_pipeline_decode(const uint8_t *buf, size_t len, int want_side, int min_side, sb_image_t *work,
                          sb_detect_result_t *res, sb_error_t *e);

/* Find the faces of the working image that pass the second check (vision/face_verify.h sb_face_find):
 * `work_faces` (malloc'd, working coordinates) and res->faces (the same faces in upright input
 * coordinates), res->subject. When the photo had to be turned to find its faces, `work` is replaced by
 * the turned image (the old one freed), res->turn_deg and res->work_width/height say so, and
 * `work_faces` are the turned image's. `weak` (NULL: not wanted) receives sb_face_find's weak faces in
 * the same working coordinates (malloc'd). Marks stage "detect". */
sb_err sb_pipeline_find_faces(sb_studio_t *studio, sb_image_t *work, sb_face_list_t *work_faces,
                              sb_face_list_t *weak, sb_detect_result_t *res, sb_error_t *e);

#endif
