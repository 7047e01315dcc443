/* fuzz_multipart.c - multipart/form-data fields as strobe keeps them (src/http/multipart.c) and reads them
 * (src/api/input.c and the endpoint options of fuzz_endpoints.h).
 *
 * The boundary and header parsing is libmicrohttpd's (MHD_PostProcessor, which needs a live connection);
 * what is ours is the callback that turns its chunks into parts: names, repeated names, offsets, the byte
 * cap and the part limit. So the input is a list of the chunks the processor would report, each
 *   flags (1 byte: bit 0 = offset 0, i.e. a new value; bit 1 = with a content type)
 *   key length (1 byte), key, data length (1 byte), data
 * fed to on_data (included from multipart.c) under a 4 KB cap; then the parts go through the request
 * parsers as a multipart request. Checks: every part is NUL-terminated at its length, the bytes kept are the
 * sum of the part lengths and never over the cap, and at most SB_HTTP_MAX_PARTS parts exist. */
#include "fuzz.h"
#include "fuzz_endpoints.h"
#include "http/multipart.c"

#define CAP 4096

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_service_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sb_http_req_t *req = calloc(1, sizeof *req);
    sb_multipart_t *mp = calloc(1, sizeof *mp);
    if (!req || !mp)
        abort();
    snprintf(req->method, sizeof req->method, "POST");
    snprintf(req->path, sizeof req->path, "/v1/fuzz");
    req->multipart = true;
    mp->req = req;
    mp->cap = CAP;
    uint64_t offs[256] = {0};
    size_t i = 0;
    while (i + 2 <= size) {
        uint8_t flags = data[i], klen = data[i + 1];
        i += 2;
        if (i + klen + 1 > size)
            break;
        char key[256];
        memcpy(key, data + i, klen);
        key[klen] = '\0';
        i += klen;
        size_t dlen = data[i++];
        if (dlen > size - i)
            dlen = size - i;
        uint8_t slot = klen ? (uint8_t)key[0] : 0;
        uint64_t off = flags & 1 ? 0 : offs[slot];
        /* The chunk in its own allocation, so reading past its size is caught. */
        char *chunk = malloc(dlen ? dlen : 1);
        if (!chunk)
            abort();
        memcpy(chunk, data + i, dlen);
        enum MHD_Result r = on_data(mp, MHD_POSTDATA_KIND, key, NULL, flags & 2 ? "image/png" : NULL, NULL, chunk,
                                    off, dlen);
        free(chunk);
        i += dlen;
        offs[slot] = off + dlen;
        if (r != MHD_YES)
            break;
    }
    FUZZ_CHECK(req->n_parts >= 0 && req->n_parts <= SB_HTTP_MAX_PARTS);
    size_t total = 0;
    for (int p = 0; p < req->n_parts; p++) {
        FUZZ_CHECK(req->parts[p].value && req->parts[p].value[req->parts[p].len] == '\0');
        FUZZ_CHECK(memchr(req->parts[p].name, '\0', sizeof req->parts[p].name));
        total += req->parts[p].len;
    }
    FUZZ_CHECK(total == mp->total && total <= CAP);

    if (!mp->err) {
        sb_api_ctx_t c = {.svc = &fuzz_svc, .req = req};
        fuzz_endpoints_run(&c);
    }
    for (int p = 0; p < req->n_parts; p++)
        free(req->parts[p].value);
    free(req->parts);
    free(mp);
    free(req);
    return 0;
}
