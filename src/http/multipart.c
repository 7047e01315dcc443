/* multipart.c - MHD_PostProcessor into in-memory parts. */
#include "http/multipart.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sb_multipart {
    struct MHD_PostProcessor *pp;
    sb_http_req_t *req;
    size_t cap;
    size_t body_len;  /* the body's declared length, 0 when unknown: no part is longer */
    size_t total;     /* bytes kept over all parts */
    size_t alloc[SB_HTTP_MAX_PARTS]; /* bytes allocated for each part's value */
    sb_err err;
    sb_error_t error;
};

/* The part a chunk of `key` at offset `off` belongs to: the latest part of that name, or a new one. A
 * repeated name (several "image" files) makes a new part when its value starts again at offset 0 after
 * the latest already has data; the processor may report an empty chunk at offset 0 before the first
 * data of a part, which therefore does not count. */
static sb_http_part_t *part_for(sb_multipart_t *mp, const char *key, const char *content_type, uint64_t off)
{
    sb_http_req_t *req = mp->req;
    for (int i = req->n_parts - 1; i >= 0; i--)
        if (!strcmp(req->parts[i].name, key)) {
            if (off == 0 && req->parts[i].len > 0)
                break;
            return &req->parts[i];
        }
    if (!req->parts && !(req->parts = calloc(SB_HTTP_MAX_PARTS, sizeof *req->parts))) {
        mp->err = sb_error_set(&mp->error, SB_ERR_NOMEM, key, "out of memory receiving field '%s'", key);
        return NULL;
    }
    if (req->n_parts == SB_HTTP_MAX_PARTS) {
        mp->err = sb_error_set(&mp->error, SB_ERR_USAGE, "", "more than %d multipart fields", SB_HTTP_MAX_PARTS);
        return NULL;
    }
    if (strlen(key) >= sizeof req->parts[0].name) {
        mp->err = sb_error_set(&mp->error, SB_ERR_USAGE, "", "a multipart field name is longer than %zu bytes",
                               sizeof req->parts[0].name - 1);
        return NULL;
    }
    sb_http_part_t *p = &req->parts[req->n_parts];
    memset(p, 0, sizeof *p);
    p->value = calloc(1, 1); /* an empty field is "" , never NULL */
    if (!p->value) {
        mp->err = sb_error_set(&mp->error, SB_ERR_NOMEM, key, "out of memory receiving field '%s'", key);
        return NULL;
    }
    req->n_parts++;
    strcpy(p->name, key);
    if (content_type)
        snprintf(p->content_type, sizeof p->content_type, "%s", content_type);
    return p;
}

static enum MHD_Result on_data(void *cls, enum MHD_ValueKind kind, const char *key, const char *filename,
                               const char *content_type, const char *transfer_encoding, const char *data,
                               uint64_t off, size_t size)
{
    sb_multipart_t *mp = cls;
    if (mp->err || !key)
        return MHD_NO;
    sb_http_part_t *p = part_for(mp, key, content_type, off);
    if (!p)
        return MHD_NO;
    if (size == 0)
        return MHD_YES;
    if (mp->total + size > mp->cap) {
        mp->err = sb_error_set(&mp->error, SB_ERR_BODY_TOO_LARGE, key, "the multipart body is over the %zu byte limit",
                               mp->cap);
        return MHD_NO;
    }
    /* Grow by doubling so a 20 MB upload in 32 KB chunks is not 600 reallocations, but never past the
     * body's length: a 1.3 MB photo then takes 1.3 MB, not 2. */
    size_t need = p->len + size + 1;
    size_t *have = &mp->alloc[p - mp->req->parts];
    if (need > *have) {
        size_t cap = 4096;
        while (cap < need)
            cap *= 2;
        if (mp->body_len && cap > mp->body_len + 1)
            cap = need > mp->body_len + 1 ? need : mp->body_len + 1;
        char *nv = realloc(p->value, cap);
        if (!nv) {
            mp->err = sb_error_set(&mp->error, SB_ERR_NOMEM, key, "out of memory receiving field '%s'", key);
            return MHD_NO;
        }
        p->value = nv;
        *have = cap;
    }
    memcpy(p->value + p->len, data, size);
    p->len += size;
    p->value[p->len] = '\0';
    mp->total += size;
    return MHD_YES;
}

sb_err sb_multipart_open(struct MHD_Connection *conn, sb_http_req_t *req, size_t cap, size_t body_len,
                         sb_multipart_t **out, sb_error_t *e)
{
    sb_multipart_t *mp = calloc(1, sizeof *mp);
    if (!mp)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory");
    mp->req = req;
    mp->cap = cap;
    mp->body_len = body_len;
    mp->pp = MHD_create_post_processor(conn, 32 * 1024, on_data, mp);
    if (!mp->pp) {
        free(mp);
        return sb_error_set(e, SB_ERR_USAGE, "Content-Type",
                            "multipart/form-data without a usable boundary parameter");
    }
    *out = mp;
    return SB_OK;
}

sb_err sb_multipart_feed(sb_multipart_t *mp, const char *data, size_t len, sb_error_t *e)
{
    if (MHD_post_process(mp->pp, data, len) == MHD_YES && !mp->err)
        return SB_OK;
    if (!mp->err)
        mp->err = sb_error_set(&mp->error, SB_ERR_USAGE, "", "the multipart/form-data body is malformed");
    *e = mp->error;
    return mp->err;
}

sb_err sb_multipart_finish(sb_multipart_t *mp, sb_error_t *e)
{
    struct MHD_PostProcessor *pp = mp->pp;
    mp->pp = NULL;
    if (MHD_destroy_post_processor(pp) != MHD_YES && !mp->err)
        mp->err = sb_error_set(&mp->error, SB_ERR_USAGE, "", "the multipart/form-data body ended early");
    if (mp->err)
        *e = mp->error;
    return mp->err;
}

void sb_multipart_free(sb_multipart_t *mp)
{
    if (!mp)
        return;
    if (mp->pp)
        MHD_destroy_post_processor(mp->pp);
    free(mp);
}
