/* fuzz_options.c - JSON request bodies through src/api/input.c (the image as a URL, a data URI or base64;
 * batches; typed option getters) and the option parsers of headshot, product-photo (sb_product_check
 * included), avatar and generate-portrait (fuzz_endpoints.h). The input is the body as sent; fuzz/options.dict
 * holds the field names and values that help libFuzzer build valid bodies. Also sb_api_input_decode_image on
 * the raw input, and a callback_url that is accepted must be free of spaces and control characters. */
#include "fuzz.h"
#include "fuzz_endpoints.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    fuzz_service_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sb_http_req_t *req = calloc(1, sizeof *req);
    if (!req)
        abort();
    snprintf(req->method, sizeof req->method, "POST");
    snprintf(req->path, sizeof req->path, "/v1/fuzz");
    /* The body in an allocation of exactly its size: the JSON parser must keep to body_len. */
    req->body = malloc(size ? size : 1);
    if (!req->body)
        abort();
    memcpy(req->body, data, size);
    req->body_len = size;
    sb_api_ctx_t c = {.svc = &fuzz_svc, .req = req};
    fuzz_endpoints_run(&c);

    /* The base64 and data URI decoder on its own. */
    char *s = fuzz_cstr(data, size);
    uint8_t *out = NULL;
    size_t len = 0;
    sb_error_t e = {0};
    if (!sb_api_input_decode_image(s, "image", &out, &len, &e))
        FUZZ_CHECK(out && len > 0 && len <= size);
    free(out);
    free(s);
    free(req->body);
    free(req);
    return 0;
}
