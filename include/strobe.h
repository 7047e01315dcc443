/* strobe.h - the library's public C API: the photo pipelines on in-memory images.
 *
 * The CLI and the HTTP server call exactly these functions. A studio (sb_studio_t) holds the neural
 * nets one thread needs; nets are loaded (and their sha256 verified) on first use. A studio is NOT
 * thread-safe: open one per worker thread. Results own their memory and are released with the matching
 * *_free function. Every function returns SB_OK or an error code with `e` filled in. */
#ifndef STROBE_H
#define STROBE_H

#include <stddef.h>
#include <stdint.h>

#include "image/io.h"
#include "nn/models.h"
#include "pipeline/stage.h"
#include "util/err.h"
#include "vision/face.h"

#define SB_VERSION "0.1.0"

/* Input gates of the headshot: the smallest image side and the smallest face (as a fraction of the
 * image's shorter side) that can make a usable headshot. */
#define SB_MIN_IMAGE_SIDE 200
#define SB_MIN_FACE_FRACTION 0.15f

typedef struct sb_studio sb_studio_t;

/* A new studio with no nets loaded yet. Call sb_io_init first (once per process). */
sb_err sb_studio_open(sb_studio_t **out, sb_error_t *e);

/* Load (and verify) every net the headshot needs now instead of on first use: a server warms its
 * workers with it and reports a missing or broken model at startup and in /readyz.
 * Errors: SB_ERR_MODEL_MISSING, SB_ERR_MODEL_INVALID (the model named in the message). */
sb_err sb_studio_preload(sb_studio_t *studio, sb_error_t *e);

/* Free a studio and its nets. NULL-safe. */
void sb_studio_close(sb_studio_t *studio);

#define SB_MODELS_USED_MAX 8

typedef struct {
    sb_image_info_t input;        /* the file as stored: format, size, orientation, ICC */
    int upright_width;            /* input size after EXIF orientation */
    int upright_height;
    int work_width, work_height;  /* size the pipeline decoded to (shrink-on-load) */
    sb_face_list_t faces;         /* every face, in upright input pixel coordinates */
    int subject;                  /* index of the chosen face in `faces`, -1 when none */
    sb_stages_t stages;
    sb_model_id models[SB_MODELS_USED_MAX];
    int n_models;
} sb_detect_result_t;

/* Decode `buf` and find every face. Zero faces is not an error here. */
sb_err sb_detect(sb_studio_t *studio, const uint8_t *buf, size_t len, sb_detect_result_t *res, sb_error_t *e);

/* Release a detection result. NULL-safe. */
void sb_detect_result_free(sb_detect_result_t *res);

typedef struct {
    int size;            /* output width and height in pixels, 128..4096; 0 = 800 */
    sb_format_t format;  /* SB_FMT_PNG (default when UNKNOWN), SB_FMT_JPEG or SB_FMT_WEBP */
    int quality;         /* JPEG/WebP quality 1..100; 0 = 90 */
} sb_headshot_opts_t;

typedef struct {
    sb_detect_result_t detect;  /* input, faces, subject, stage timings, models */
    float roll_deg;             /* the subject's roll in the input (refined by re-detection when large) */
    uint8_t *output;            /* encoded image, malloc'd */
    size_t output_len;
    int width, height;
    sb_format_t format;
} sb_headshot_result_t;

/* The corporate headshot: decode, detect, align, matte, light, foreground colours, detail, studio
 * backdrop, composite, encode. Deterministic: the same input and options give the same bytes.
 * Errors: SB_ERR_USAGE (bad option, field named), the decode errors of sb_io_decode,
 * SB_ERR_IMAGE_TOO_SMALL, SB_ERR_NO_FACE, SB_ERR_FACE_TOO_SMALL, SB_ERR_MODEL_MISSING/INVALID. */
sb_err sb_headshot(sb_studio_t *studio, const uint8_t *buf, size_t len, const sb_headshot_opts_t *opts,
                   sb_headshot_result_t *res, sb_error_t *e);

/* Release a headshot result. NULL-safe. */
void sb_headshot_result_free(sb_headshot_result_t *res);

typedef struct {
    sb_image_info_t input;
    int width, height;   /* of the mask: the upright input size */
    uint8_t *png;        /* 1-band PNG of the person matte (255 = person), malloc'd */
    size_t png_len;
    sb_stages_t stages;
} sb_matte_result_t;

/* Person matte of the whole photo at its upright input size, as an 8-bit PNG. */
sb_err sb_matte(sb_studio_t *studio, const uint8_t *buf, size_t len, sb_matte_result_t *res, sb_error_t *e);

/* Release a matte result. NULL-safe. */
void sb_matte_result_free(sb_matte_result_t *res);

#endif
