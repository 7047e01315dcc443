/* packed.c - pack and unpack several uploads in one buffer (packed.h). */
#include "jobs/packed.h"

#include <stdlib.h>
#include <string.h>

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

bool sb_jobs_packed_upload(const uint8_t *in, size_t len, int64_t k, const uint8_t **data, size_t *n)
{
    if (!in || len < 4)
        return false;
    uint64_t count = be32(in);
    if (k < 0 || (uint64_t)k >= count || len < 4 + 4 * count)
        return false;
    uint64_t at = 4 + 4 * count;
    for (int64_t i = 0; i < k; i++)
        at += be32(in + 4 + 4 * i);
    uint64_t size = be32(in + 4 + 4 * k);
    if (at + size > len)
        return false;
    *data = in + at;
    *n = (size_t)size;
    return true;
}

sb_err sb_jobs_pack_uploads(const uint8_t *const *bufs, const size_t *lens, int n, uint8_t **out, size_t *len,
                            sb_error_t *e)
{
    if (n < 0)
        return sb_error_set(e, SB_ERR_USAGE, "images", "a negative number of uploads");
    size_t total = 4 + 4 * (size_t)n;
    for (int i = 0; i < n; i++) {
        if (lens[i] > UINT32_MAX)
            return sb_error_set(e, SB_ERR_USAGE, "images", "upload %d is over 4 GB", i);
        total += lens[i];
    }
    uint8_t *p = malloc(total);
    if (!p)
        return sb_error_set(e, SB_ERR_NOMEM, "images", "out of memory packing %d uploads", n);
    put_be32(p, (uint32_t)n);
    size_t at = 4 + 4 * (size_t)n;
    for (int i = 0; i < n; i++) {
        put_be32(p + 4 + 4 * i, (uint32_t)lens[i]);
        memcpy(p + at, bufs[i], lens[i]);
        at += lens[i];
    }
    *out = p;
    *len = total;
    return SB_OK;
}

sb_err sb_jobs_unpack_uploads(const uint8_t *in, size_t len, const uint8_t ***bufs, size_t **lens, int *n,
                              sb_error_t *e)
{
    *bufs = NULL;
    *lens = NULL;
    *n = 0;
    if (!in || len < 4)
        return sb_error_set(e, SB_ERR_USAGE, "images", "the input holds no packed uploads");
    uint32_t count = be32(in);
    if (count > (len - 4) / 4)
        return sb_error_set(e, SB_ERR_USAGE, "images", "the packed input is shorter than its %u lengths", count);
    const uint8_t **b = calloc(count ? count : 1, sizeof *b);
    size_t *l = calloc(count ? count : 1, sizeof *l);
    if (!b || !l) {
        free(b);
        free(l);
        return sb_error_set(e, SB_ERR_NOMEM, "images", "out of memory");
    }
    for (uint32_t k = 0; k < count; k++)
        if (!sb_jobs_packed_upload(in, len, k, &b[k], &l[k])) {
            free(b);
            free(l);
            return sb_error_set(e, SB_ERR_USAGE, "images", "upload %u is cut short in the packed input", k);
        }
    *bufs = b;
    *lens = l;
    *n = (int)count;
    return SB_OK;
}
