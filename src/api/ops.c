/* ops.c - the operator's routes: /healthz (the process answers), /readyz (models loaded by every worker,
 * stores writable now), /metrics (Prometheus text), /openapi.json (the API document, built in). */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "nn/nn.h"
#include "strobe.h"

bool sb_api_healthz(sb_api_ctx_t *c)
{
    sb_api_send_json(c, 200, json_pack("{s:s}", "status", "ok"), NULL);
    return false;
}

bool sb_api_readyz(sb_api_ctx_t *c)
{
    sb_error_t models = {0}, meta = {0}, blob = {0};
    bool ok_models = sb_jobs_ready(c->svc->jobs, &models);
    bool ok_meta = sb_meta_check_writable(c->svc->meta, &meta) == SB_OK;
    bool ok_blob = sb_blob_check_writable(c->svc->blob, &blob) == SB_OK;
    bool ok = ok_models && ok_meta && ok_blob;
    json_t *body = json_pack("{s:s, s:{s:s, s:s, s:s}}", "status", ok ? "ready" : "not_ready", "checks", "models",
                             ok_models ? "ok" : models.message, "metadata_store", ok_meta ? "ok" : meta.message,
                             "blob_store", ok_blob ? "ok" : blob.message);
    sb_api_send_json(c, ok ? 200 : 503, body, NULL);
    return false;
}

bool sb_api_metrics(sb_api_ctx_t *c)
{
    sb_metrics_gauges_t g = {0};
    sb_error_t e;
    sb_jobs_depth(c->svc->jobs, &g.queue_waiting, &g.queue_running);
    sb_meta_job_counts(c->svc->meta, g.jobs_by_state, &e);
    g.pixels_in_flight = sb_jobs_pixels_in_flight(c->svc->jobs);
    g.http_deferred = sb_http_deferred(c->svc->http);
    g.version = SB_VERSION;
    g.onnxruntime = sb_nn_version();
    size_t len = 0;
    char *text = sb_metrics_render(c->svc->metrics, &g, &len);
    if (!text) {
        sb_api_fail(c, SB_ERR_NOMEM, "", "out of memory rendering metrics");
        return false;
    }
    sb_http_respond(c->req, 200, "text/plain; version=0.0.4; charset=utf-8", text, len, NULL);
    return false;
}

/* src/api/openapi.json, built in by openapi_blob.S. */
extern const char sb_openapi_json_start[];
extern const char sb_openapi_json_end[];

bool sb_api_openapi(sb_api_ctx_t *c)
{
    size_t len = (size_t)(sb_openapi_json_end - sb_openapi_json_start);
    char *doc = malloc(len);
    if (!doc) {
        sb_api_fail(c, SB_ERR_NOMEM, "", "out of memory");
        return false;
    }
    memcpy(doc, sb_openapi_json_start, len);
    sb_http_respond(c->req, 200, "application/json", doc, len, NULL);
    return false;
}
