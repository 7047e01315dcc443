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
    SB_MODEL_MOBILEFACENET,    /* 128-d face embedding, 112x112 */
    SB_MODEL_U2NETP,           /* salient object mask 320x320 */
    SB_MODEL_CARTOON_HAYAO,    /* CartoonGAN, Hayao style */
    SB_MODEL_CARTOON_HOSODA,   /* CartoonGAN, Hosoda style */
    SB_MODEL_NSFW,             /* nsfwjs MobileNetV2 content safety */
    SB_MODEL_FACEMESH,         /* MediaPipe face mesh, 468 points */
    SB_MODEL__COUNT
} sb_model_id;

typedef struct {
    const char *name;    /* short stable name, e.g. "yunet_2023mar" */
    const char *relpath; /* path below a models root, e.g. "face_detect/yunet_2023mar_s_640x640.onnx" */
    const char *sha256;  /* lowercase hex */
    const char *license; /* SPDX-style license of the weights */
    unsigned net_flags;  /* sb_net_open flags its session is made with (nn.h: CartoonGAN lean, u2netp no arena) */
} sb_model_info_t;

/* Static description of a model. Never NULL for a valid id. */
const sb_model_info_t *sb_model_info(sb_model_id id);

/* Find the model's file, verify its sha256 (once per process) and write its path into `path`.
 * Errors: SB_ERR_MODEL_MISSING (not under any root), SB_ERR_MODEL_INVALID (hash mismatch),
 * SB_ERR_USAGE (bad id or `path` too small). The message names the model and the roots searched. */
sb_err sb_model_resolve(sb_model_id id, char *path, size_t path_size, sb_error_t *e);

typedef struct sb_net sb_net_t;

/* The process's net for model `id`: resolved and verified (as sb_model_resolve) and opened (as sb_net_open)
 * on the first call, then the same net for every caller and thread. The net is borrowed: never close it;
 * it lives until sb_model_sessions_close. Thread-safe (a second caller waits while the first opens it). The
 * errors of sb_model_resolve and sb_net_open; a failure is not remembered, so a repaired file is picked up. */
sb_err sb_model_session(sb_model_id id, sb_net_t **out, sb_error_t *e);

/* Open every model's session now (as sb_model_session), on `threads` threads at once (1..8; the caller is one
 * of them): the large nets' graph optimisation is most of a server's start-up. Models already open are only
 * looked up. Returns the first failure (the model named in the message); the other models are still opened.
 * Thread-safe. */
sb_err sb_model_sessions_open_all(int threads, sb_error_t *e);

/* Close every net sb_model_session opened (at process exit, after every worker has stopped). */
void sb_model_sessions_close(void);

/* Compute the sha256 of a file as 64 lowercase hex characters plus NUL into `hex` (65 bytes).
 * SB_ERR_IO when the file cannot be read. */
sb_err sb_sha256_file(const char *path, char hex[65], sb_error_t *e);

#endif
