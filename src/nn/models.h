/* models.h - the registry of the neural nets strobe ships hashes for.
 *
 * A model is found under the first of these roots that holds its file: $STROBE_MODELS, ./models,
 * ../shared/models. Its sha256 must match the registry (copied from shared/models/MANIFEST.md); a
 * missing file is SB_ERR_MODEL_MISSING and a wrong one SB_ERR_MODEL_INVALID, each naming the model.
 * Verification is done once per file per process and remembered (thread-safe). */
#ifndef SB_MODELS_H
#define SB_MODELS_H

#include <stddef.h>

#include "util/err.h"

typedef enum {
    SB_MODEL_YUNET = 0,        /* face detection + 5 landmarks (2023mar, decoded by hand) */
    SB_MODEL_SELFIE_SEG,       /* MediaPipe selfie segmentation 256x256 */
    SB_MODEL_SINET,            /* SINet portrait segmentation 320x320 (fallback) */
    SB_MODEL_MOBILEFACENET,    /* 128-d face embedding, 112x112 */
    SB_MODEL_DLIB_EMBED,       /* dlib ResNet 128-d face embedding, 150x150 */
    SB_MODEL_U2NETP,           /* salient object mask 320x320 */
    SB_MODEL_CARTOON_HAYAO,    /* CartoonGAN, Hayao style */
    SB_MODEL_CARTOON_HOSODA,   /* CartoonGAN, Hosoda style */
    SB_MODEL_NSFW,             /* nsfwjs MobileNetV2 content safety */
    SB_MODEL_FACEMESH,         /* MediaPipe face mesh, 468 points */
    SB_MODEL_FSRCNN_X2,        /* super-resolution x2 */
    SB_MODEL_ESPCN_X4,         /* super-resolution x4 */
    SB_MODEL__COUNT
} sb_model_id;

typedef struct {
    const char *name;    /* short stable name, e.g. "yunet_2023mar" */
    const char *relpath; /* path below a models root, e.g. "face_detect/yunet_2023mar_s_640x640.onnx" */
    const char *sha256;  /* lowercase hex */
    const char *license; /* SPDX-style license of the weights */
} sb_model_info_t;

/* Static description of a model. Never NULL for a valid id. */
const sb_model_info_t *sb_model_info(sb_model_id id);

/* Find the model's file, verify its sha256 (once per process) and write its path into `path`.
 * Errors: SB_ERR_MODEL_MISSING (not under any root), SB_ERR_MODEL_INVALID (hash mismatch),
 * SB_ERR_USAGE (bad id or `path` too small). The message names the model and the roots searched. */
sb_err sb_model_resolve(sb_model_id id, char *path, size_t path_size, sb_error_t *e);

typedef struct sb_net sb_net_t;

/* Resolve and verify model `id` (as sb_model_resolve) and load it into a new net (as sb_net_open).
 * The errors of both. */
sb_err sb_model_open_net(sb_model_id id, sb_net_t **out, sb_error_t *e);

/* Compute the sha256 of a file as 64 lowercase hex characters plus NUL into `hex` (65 bytes).
 * SB_ERR_IO when the file cannot be read. */
sb_err sb_sha256_file(const char *path, char hex[65], sb_error_t *e);

#endif
