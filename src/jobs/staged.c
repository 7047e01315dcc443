/* staged.c - staged inputs of shared jobs (staged.h). */
#include "jobs/staged.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/aead.h"
#include "util/random.h"

static void blob_name(const char *job_id, char out[SB_ID_MAX + 8])
{
    snprintf(out, SB_ID_MAX + 8, "staged-%s", job_id);
}

/* 64 hex digits into a key; false when it is not that. */
static bool parse_key(const char *hex, uint8_t key[SB_AEAD_KEY_LEN])
{
    if (strlen(hex) != 2 * SB_AEAD_KEY_LEN || strspn(hex, "0123456789abcdef") != 2 * SB_AEAD_KEY_LEN)
        return false;
    for (int i = 0; i < SB_AEAD_KEY_LEN; i++) {
        unsigned v;
        sscanf(hex + 2 * i, "%2x", &v);
        key[i] = (uint8_t)v;
    }
    return true;
}

sb_err sb_staged_put(sb_blob_t *blob, const char *job_id, const uint8_t *data, size_t len, char key_hex[65],
                     sb_error_t *e)
{
    uint8_t key[SB_AEAD_KEY_LEN];
    sb_random_bytes(key, sizeof key);
    uint8_t *sealed;
    size_t n;
    sb_err err = sb_aead_seal(key, job_id, data, len, &sealed, &n, e);
    if (err)
        return err;
    char name[SB_ID_MAX + 8];
    blob_name(job_id, name);
    err = sb_blob_put(blob, name, sealed, n, e);
    free(sealed);
    if (!err)
        sb_hex_encode(key, sizeof key, key_hex);
    return err;
}

sb_err sb_staged_get(sb_blob_t *blob, const char *job_id, const char *key_hex, uint8_t **data, size_t *len,
                     sb_error_t *e)
{
    *data = NULL;
    uint8_t key[SB_AEAD_KEY_LEN];
    if (!parse_key(key_hex, key))
        return sb_error_set(e, SB_ERR_INPUT_LOST, "image", "the staged input of job '%s' has no usable key", job_id);
    char name[SB_ID_MAX + 8];
    blob_name(job_id, name);
    uint8_t *sealed;
    size_t n;
    sb_err err = sb_blob_get(blob, name, &sealed, &n, e);
    if (err == SB_ERR_NOT_FOUND)
        return sb_error_set(e, SB_ERR_INPUT_LOST, "image",
                            "the uploaded image of this job is no longer stored; please submit it again");
    if (err)
        return err;
    err = sb_aead_open(key, job_id, sealed, n, data, len, e);
    free(sealed);
    if (err == SB_ERR_CORRUPT_IMAGE)
        return sb_error_set(e, SB_ERR_INPUT_LOST, "image",
                            "the stored upload of this job failed its integrity check; please submit it again");
    return err;
}

void sb_staged_delete(sb_meta_t *meta, sb_blob_t *blob, const char *job_id)
{
    char name[SB_ID_MAX + 8];
    blob_name(job_id, name);
    sb_error_t e;
    if (sb_blob_delete(blob, name, &e) == SB_OK)
        sb_meta_job_unstage(meta, job_id, &e);
}
