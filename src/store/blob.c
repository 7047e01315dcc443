/* blob.c - the blob store's public half (store.h): the driver chosen by the location's scheme ("file:"
 * or "s3://"), and the checks every driver relies on (names, arguments). */
#include "store/blob_driver.h"

#include <stdlib.h>
#include <string.h>

struct sb_blob {
    sb_blob_fs_t *fs; /* exactly one of the two is set */
    sb_blob_s3_t *s3;
};

static bool valid_name(const char *name)
{
    size_t len = name ? strlen(name) : 0;
    if (len == 0 || len > SB_BLOB_NAME_MAX || name[0] == '.' || strstr(name, ".."))
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
              c == '_' || c == '-'))
            return false;
    }
    return true;
}

static sb_err check_name(const char *name, sb_error_t *e)
{
    if (valid_name(name))
        return SB_OK;
    return sb_error_set(e, SB_ERR_USAGE, "name",
                        "bad blob name '%.64s' (want [A-Za-z0-9._-]{1,%d}, no leading dot)", name ? name : "",
                        SB_BLOB_NAME_MAX);
}

sb_err sb_blob_open(const char *location, sb_blob_t **out, sb_error_t *e)
{
    *out = NULL;
    bool fs = location && strncmp(location, "file:", 5) == 0 && location[5];
    bool s3 = location && strncmp(location, "s3://", 5) == 0 && location[5];
    if (!fs && !s3)
        return sb_error_set(e, SB_ERR_USAGE, "store", "unknown blob store '%.64s' (expected file:DIR or s3://BUCKET/...)",
                            location ? location : "");
    sb_blob_t *b = calloc(1, sizeof *b);
    if (!b)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory opening the blob store");
    sb_err err = fs ? sb_blob_fs_open(location + 5, &b->fs, e) : sb_blob_s3_open(location + 5, &b->s3, e);
    if (err) {
        free(b);
        return err;
    }
    *out = b;
    return SB_OK;
}

void sb_blob_close(sb_blob_t *b)
{
    if (!b)
        return;
    sb_blob_fs_close(b->fs);
    sb_blob_s3_close(b->s3);
    free(b);
}

sb_err sb_blob_put(sb_blob_t *b, const char *name, const uint8_t *data, size_t len, sb_error_t *e)
{
    sb_err err = check_name(name, e);
    if (err)
        return err;
    if (!data && len > 0)
        return sb_error_set(e, SB_ERR_USAGE, "data", "no data for %zu bytes", len);
    return b->fs ? sb_blob_fs_put(b->fs, name, data, len, e) : sb_blob_s3_put(b->s3, name, data, len, e);
}

sb_err sb_blob_get(sb_blob_t *b, const char *name, uint8_t **data, size_t *len, sb_error_t *e)
{
    *data = NULL;
    *len = 0;
    sb_err err = check_name(name, e);
    if (err)
        return err;
    return b->fs ? sb_blob_fs_get(b->fs, name, data, len, e) : sb_blob_s3_get(b->s3, name, data, len, e);
}

sb_err sb_blob_delete(sb_blob_t *b, const char *name, sb_error_t *e)
{
    sb_err err = check_name(name, e);
    if (err)
        return err;
    return b->fs ? sb_blob_fs_delete(b->fs, name, e) : sb_blob_s3_delete(b->s3, name, e);
}

sb_err sb_blob_check_writable(sb_blob_t *b, sb_error_t *e)
{
    return b->fs ? sb_blob_fs_check_writable(b->fs, e) : sb_blob_s3_check_writable(b->s3, e);
}
