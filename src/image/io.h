/* io.h - decode and encode images with libvips, with the limits a public API needs.
 *
 * Only JPEG, PNG, WebP and HEIC are accepted (every other vips loader is blocked process-wide; a HEIF
 * file must hold HEVC images, read from its items, whatever its brand says). Every rule that the header
 * can answer (format, pixel limit, minimum side, aspect ratio: sb_io_check) is checked before any pixel
 * is decoded, and the decoder is never asked for a side under 1 pixel; truncated files are refused.
 * Decoded pixels are upright (EXIF orientation applied), sRGB (any embedded ICC profile that fits the
 * image, CMYK included, converted; one that does not is ignored), alpha flattened, 8-bit RGB.
 * Encoded files carry no metadata (no EXIF, XMP, IPTC, GPS) except an sRGB ICC profile.
 *
 * Threads: after sb_io_init, every function may be called from any thread. vips' error buffer is
 * process-global, so each failure copies it into the caller's sb_error_t at once and clears it. */
#ifndef SB_IO_H
#define SB_IO_H

#include <stddef.h>
#include <stdint.h>

#include "image/image.h"

typedef enum { SB_FMT_UNKNOWN = 0, SB_FMT_JPEG, SB_FMT_PNG, SB_FMT_WEBP, SB_FMT_HEIC } sb_format_t;

typedef struct {
    sb_format_t format;
    int width, height;  /* as stored, before orientation is applied */
    int orientation;    /* EXIF orientation 1..8; 1 when absent */
    int has_alpha;
    char icc[128];      /* description of the embedded ICC profile, "" when none */
    int icc_ignored;    /* 1 when the profile does not fit the image (an RGB profile in a greyscale JPEG):
                         * it is ignored and the pixels are taken as sRGB */
} sb_image_info_t;

#define SB_DEFAULT_MAX_PIXELS 50000000LL
/* Images longer than this many times their width (or wider than this many times their height) are
 * refused whatever the caller asks: no photo is, and shrinking one would leave a side under a pixel. */
#define SB_IO_MAX_ASPECT 100

typedef struct {
    long long max_pixels; /* refuse images with more pixels than this; 0 = SB_DEFAULT_MAX_PIXELS */
    int max_side;         /* shrink (never enlarge) so the longest upright side is at most this; 0 = full size */
    int min_side;         /* refuse images whose shorter side is under this (SB_ERR_IMAGE_TOO_SMALL); 0 = none */
} sb_decode_opts_t;

/* Initialise libvips once per process (idempotent, thread-safe): block every loader except the four
 * formats, disable the operation cache, one vips thread per call. `argv0` may be NULL. */
sb_err sb_io_init(const char *argv0, sb_error_t *e);

/* Read the header only: format, stored size, orientation, ICC description. Fails with
 * SB_ERR_UNSUPPORTED_FORMAT for anything but the four formats (AVIF and other non-HEVC HEIF included),
 * SB_ERR_CORRUPT_IMAGE for a damaged header. Checks no size rule: that is sb_io_check. */
sb_err sb_io_probe(const void *buf, size_t len, sb_image_info_t *info, sb_error_t *e);

/* The rules a probed header must pass, for whoever is about to decode it or to queue it: pixels at most
 * opts->max_pixels (SB_ERR_IMAGE_TOO_LARGE), shorter side at least opts->min_side and aspect ratio at
 * most SB_IO_MAX_ASPECT:1 (SB_ERR_IMAGE_TOO_SMALL). Messages give the size; field "image". `opts` may
 * be NULL for defaults. Any thread. */
sb_err sb_io_check(const sb_image_info_t *info, const sb_decode_opts_t *opts, sb_error_t *e);

/* Decode `buf` into `out` (allocated by the call; RGB, 3 bands, upright, sRGB). `info` (may be NULL)
 * receives the probe. Errors: SB_ERR_UNSUPPORTED_FORMAT, SB_ERR_CORRUPT_IMAGE (also truncated data),
 * and sb_io_check's SB_ERR_IMAGE_TOO_LARGE and SB_ERR_IMAGE_TOO_SMALL (from the header, before any
 * pixel is decoded). `opts` may be NULL for defaults. Each side of the result is at least 1 pixel. */
sb_err sb_io_decode(const void *buf, size_t len, const sb_decode_opts_t *opts, sb_image_t *out,
                    sb_image_info_t *info, sb_error_t *e);

/* Encode `img` (1, 3 or 4 bands) as `fmt` (JPEG, PNG or WebP). `quality` 1..100 applies to JPEG and
 * WebP (0 = default 90). On success *out is a malloc'd buffer of *len bytes that the caller frees. */
sb_err sb_io_encode(const sb_image_t *img, sb_format_t fmt, int quality, uint8_t **out, size_t *len,
                    sb_error_t *e);

/* Read a whole file into a malloc'd buffer, refusing files over `max_bytes`. SB_ERR_IO when it cannot
 * be read, SB_ERR_IMAGE_TOO_LARGE when over the cap. */
sb_err sb_io_read_file(const char *path, size_t max_bytes, uint8_t **out, size_t *len, sb_error_t *e);

/* Write `len` bytes to `path` atomically (temporary file + rename). SB_ERR_IO on failure. */
sb_err sb_io_write_file(const char *path, const uint8_t *data, size_t len, sb_error_t *e);

/* Format names: "jpeg", "png", "webp", "heic"; parse returns SB_FMT_UNKNOWN for others. */
const char *sb_format_name(sb_format_t fmt);
sb_format_t sb_format_parse(const char *name);

/* File name extension of a format: "jpg", "png", "webp", "heic" (static). */
const char *sb_format_ext(sb_format_t fmt);

#endif
