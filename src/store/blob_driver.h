/* blob_driver.h - private to the blob store (src/store/blob*.c): the two drivers behind sb_blob_t, a
 * local directory (blob_fs.c) and an S3-compatible object store (blob_s3.c). blob.c chooses one by the
 * location's scheme, checks names and arguments, then calls the driver: a driver sees valid names only.
 * Threads: every driver function may be called from many threads at once.
 * Errors: as store.h says for the public functions (SB_ERR_NOT_FOUND, SB_ERR_STORE, SB_ERR_STORE_DOWN). */
#ifndef SB_STORE_BLOB_DRIVER_H
#define SB_STORE_BLOB_DRIVER_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* The longest blob name: [A-Za-z0-9._-]{1,64}, no leading dot, no "..". */
#define SB_BLOB_NAME_MAX 64

typedef struct sb_blob_fs sb_blob_fs_t;
typedef struct sb_blob_s3 sb_blob_s3_t;

/* "file:DIR": DIR is created (each new level 0700). */
sb_err sb_blob_fs_open(const char *dir, sb_blob_fs_t **out, sb_error_t *e);
void sb_blob_fs_close(sb_blob_fs_t *b);
sb_err sb_blob_fs_put(sb_blob_fs_t *b, const char *name, const uint8_t *data, size_t len, sb_error_t *e);
sb_err sb_blob_fs_get(sb_blob_fs_t *b, const char *name, uint8_t **data, size_t *len, sb_error_t *e);
sb_err sb_blob_fs_delete(sb_blob_fs_t *b, const char *name, sb_error_t *e);
sb_err sb_blob_fs_check_writable(sb_blob_fs_t *b, sb_error_t *e);

/* "s3://BUCKET[/PREFIX][?endpoint=URL&region=R&addressing=path|virtual]" (everything after "s3://");
 * credentials from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN. Opening checks the
 * location and the credentials only; nothing is sent until the first call. */
sb_err sb_blob_s3_open(const char *location, sb_blob_s3_t **out, sb_error_t *e);
void sb_blob_s3_close(sb_blob_s3_t *b);
sb_err sb_blob_s3_put(sb_blob_s3_t *b, const char *name, const uint8_t *data, size_t len, sb_error_t *e);
sb_err sb_blob_s3_get(sb_blob_s3_t *b, const char *name, uint8_t **data, size_t *len, sb_error_t *e);
sb_err sb_blob_s3_delete(sb_blob_s3_t *b, const char *name, sb_error_t *e);
sb_err sb_blob_s3_check_writable(sb_blob_s3_t *b, sb_error_t *e);

#endif
