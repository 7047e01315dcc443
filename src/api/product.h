/* product.h - POST /v1/image/product-photo (product.c). Private to src/api. */
#ifndef SB_API_PRODUCT_H
#define SB_API_PRODUCT_H

#include "api/api.h"

/* A studio product photo (contract S4): the subject cut out, placed on a preset or custom background
 * with a shadow. Asynchronous: 202 with the queued job (generation_id, status, credits_used 0, pipeline
 * stages, estimated_seconds), polled at GET /v1/image/{id}; "Prefer: wait=N" waits up to N seconds for
 * the result (sb_api_submit_queued). Every option is checked before anything is queued (400 naming the
 * field and its valid values). HTTP thread; returns true when the request was deferred. */
bool sb_api_product_photo(sb_api_ctx_t *c);

#endif
