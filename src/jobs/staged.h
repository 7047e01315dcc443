/* staged.h - an asynchronous job's uploaded input, staged in the shared blob store so that any node's
 * worker can run it, encrypted with a key of its own (AES-256-GCM, util/aead.h) that lives only in the
 * job's row (input_key). The blob is "staged-<job id>"; it is deleted when the job ends (completed or
 * failed for good), and the key forgotten with it, so nothing of the input outlives the job.
 * Threads: any. */
#ifndef SB_JOBS_STAGED_H
#define SB_JOBS_STAGED_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"
#include "util/err.h"

/* Encrypt `data` under a new random key and store it for job `job_id`; the key as 64 hex digits into
 * key_hex (for the job's row). Errors: the blob store's (SB_ERR_STORE_DOWN when it cannot be reached),
 * SB_ERR_NOMEM. */
sb_err sb_staged_put(sb_blob_t *blob, const char *job_id, const uint8_t *data, size_t len, char key_hex[65],
                     sb_error_t *e);

/* Read and decrypt job `job_id`'s staged input into *data (malloc'd, the caller frees). Errors:
 * SB_ERR_INPUT_LOST (field "image") when it is gone or fails its check, SB_ERR_STORE_DOWN (try again
 * later), SB_ERR_STORE, SB_ERR_NOMEM. */
sb_err sb_staged_get(sb_blob_t *blob, const char *job_id, const char *key_hex, uint8_t **data, size_t *len,
                     sb_error_t *e);

/* Delete job `job_id`'s staged input, then forget its key in the row. Failures are left for the purge
 * (which finds finished jobs that still have a key: sb_meta_job_staged_ended). */
void sb_staged_delete(sb_meta_t *meta, sb_blob_t *blob, const char *job_id);

#endif
