/* packed.h - several uploaded images packed into one input buffer (a batch's or a custom style's
 * uploads): a 4-byte big-endian count n, n 4-byte big-endian lengths, then the n images back to back.
 * Pure functions on bytes: any thread. */
#ifndef SB_JOBS_PACKED_H
#define SB_JOBS_PACKED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/* Pack n uploaded images into one input buffer for a batch job (malloc'd into *out, *len bytes): a
 * 4-byte big-endian count n, then n 4-byte big-endian lengths, then the n images back to back.
 * Errors: SB_ERR_USAGE for an image over 4 GB or n < 0, SB_ERR_NOMEM. Any thread. */
sb_err sb_jobs_pack_uploads(const uint8_t *const *bufs, const size_t *lens, int n, uint8_t **out, size_t *len,
                            sb_error_t *e);

/* The uploads of a buffer packed by sb_jobs_pack_uploads: *bufs and *lens (malloc'd arrays of *n, for
 * the caller to free; the bytes stay in `in`). Errors: SB_ERR_USAGE (field "images") for a buffer that
 * is not such a packing, SB_ERR_NOMEM. Any thread. */
sb_err sb_jobs_unpack_uploads(const uint8_t *in, size_t len, const uint8_t ***bufs, size_t **lens, int *n,
                              sb_error_t *e);

/* Upload k of a packed buffer: *data points into `in` (nothing is copied), *n its length. False when the
 * buffer has no such upload (not a packing, k out of range, or cut short). */
bool sb_jobs_packed_upload(const uint8_t *in, size_t len, int64_t k, const uint8_t **data, size_t *n);

#endif
