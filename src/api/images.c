/* images.c - the public JSON of a job and of a batch, GET /v1/image/{id} and GET /v1/avatar/batch/{id}. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"

void sb_api_result_json(sb_service_t *svc, const char *result, json_t *o)
{
    json_t *r = json_loads(result, 0, NULL);
    const char *k;
    json_t *v;
    json_object_foreach(r, k, v)
    {
        if (strcmp(k, "files") != 0)
            json_object_set(o, k, v);
    }
    json_t *outputs = json_array();
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(r, "files"), i, f)
    {
        const char *role = json_string_value(json_object_get(f, "role"));
        const char *name = json_string_value(json_object_get(f, "file"));
        if (role && name && !strcmp(role, SB_JOB_ROLE_CACHE)) {
            json_object_set_new(o, "cache_id", json_stringn(name, strcspn(name, ".")));
            json_object_set(o, "cache_expires_at", json_object_get(f, "expires_at"));
            continue;
        }
        char *url = sb_api_file_url(svc, name, json_integer_value(json_object_get(f, "expires_at")));
        json_t *item = json_pack("{s:s?, s:O?, s:O, s:O, s:O, s:O}", "url", url, "role", json_object_get(f, "role"),
                                 "format", json_object_get(f, "format"),
                                 "width", json_object_get(f, "width"), "height", json_object_get(f, "height"),
                                 "expires_at", json_object_get(f, "expires_at"));
        /* Named outputs get their own field too: avatar_url, thumbnail_url. */
        if (role && strcmp(role, "output") && url) {
            char key[48];
            snprintf(key, sizeof key, "%.40s_url", role);
            json_object_set_new(o, key, json_string(url));
        }
        if (json_array_size(outputs) == 0) {
            json_object_set_new(o, "output_url", json_string(url ? url : ""));
            json_object_set(o, "width", json_object_get(f, "width"));
            json_object_set(o, "height", json_object_get(f, "height"));
            json_object_set(o, "expires_at", json_object_get(f, "expires_at"));
        }
        free(url);
        json_array_append_new(outputs, item);
    }
    json_object_set_new(o, "outputs", outputs);
    json_decref(r);
}

/* Completed: the result (sb_api_result_json). Failed: "error". Always: id (also as generation_id),
 * status, pipeline (the name, or the spec's "stages" array), times, attempts. A batch job renders as its
 * batch (sb_api_batch_json), a style job as its style (sb_api_style_json). */
json_t *sb_api_job_json(sb_service_t *svc, const sb_job_t *job)
{
    if (!strcmp(job->pipeline, SB_JOB_PIPELINE_AVATAR_BATCH))
        return sb_api_batch_json(svc, job);
    if (!strcmp(job->pipeline, SB_JOB_PIPELINE_STYLE))
        return sb_api_style_json(job);
    json_t *o = json_object();
    if (job->state == SB_JOB_COMPLETED && job->result)
        sb_api_result_json(svc, job->result, o);
    if (job->state == SB_JOB_FAILED && job->error) {
        json_t *err = json_loads(job->error, 0, NULL);
        json_object_set_new(o, "error", err ? err : json_pack("{s:s}", "code", "internal"));
    }
    json_object_set_new(o, "id", json_string(job->id));
    json_object_set_new(o, "generation_id", json_string(job->id));
    json_object_set_new(o, "status", json_string(sb_job_state_name(job->state)));
    /* An endpoint that names its stages for the client (the product photo's "stages" in the spec) shows
     * them as the pipeline; otherwise it is the pipeline's name. */
    json_t *spec = job->spec ? json_loads(job->spec, 0, NULL) : NULL;
    json_t *stages = json_object_get(spec, "stages");
    json_object_set_new(o, "pipeline", json_is_array(stages) ? json_incref(stages) : json_string(job->pipeline));
    json_decref(spec);
    json_object_set_new(o, "created_at", json_integer(job->created_at));
    if (job->finished_at)
        json_object_set_new(o, "finished_at", json_integer(job->finished_at));
    /* A pipeline's own "attempts" (the avatar's QA tries) is what the client asked about; otherwise it
     * is how many times a worker took the job (2 after a crash and a restart). */
    if (!json_object_get(o, "attempts"))
        json_object_set_new(o, "attempts", json_integer(job->attempts));
    return o;
}

bool sb_api_image_get(sb_api_ctx_t *c)
{
    sb_job_t job;
    sb_error_t e = {0};
    sb_err err = sb_meta_job_get(c->svc->meta, c->param, c->key.id, &job, &e);
    if (err == SB_ERR_NOT_FOUND) {
        sb_api_fail(c, SB_ERR_NOT_FOUND, "id", "no job '%s' for this API key", c->param);
        return false;
    }
    if (err) {
        sb_api_send_error(c, &e);
        return false;
    }
    sb_api_send_json(c, 200, sb_api_job_json(c->svc, &job), NULL);
    sb_job_clear(&job);
    return false;
}

typedef struct {
    sb_service_t *svc;
    json_t *items;
    int completed, failed;
} batch_render_t;

static bool render_item(const sb_batch_item_t *it, void *ctx)
{
    batch_render_t *b = ctx;
    json_t *o = json_object();
    if (it->state == SB_JOB_COMPLETED && it->result)
        sb_api_result_json(b->svc, it->result, o);
    if (it->state == SB_JOB_FAILED && it->error) {
        json_t *err = json_loads(it->error, 0, NULL);
        json_object_set_new(o, "error", err ? err : json_pack("{s:s}", "code", "internal"));
    }
    json_object_set_new(o, "index", json_integer(it->idx));
    json_object_set_new(o, "input", json_string(it->input ? it->input : ""));
    json_object_set_new(o, "status", json_string(sb_job_state_name(it->state)));
    json_array_append_new(b->items, o);
    b->completed += it->state == SB_JOB_COMPLETED;
    b->failed += it->state == SB_JOB_FAILED;
    return true;
}

json_t *sb_api_batch_json(sb_service_t *svc, const sb_job_t *job)
{
    batch_render_t b = {.svc = svc, .items = json_array()};
    sb_error_t e = {0};
    json_t *spec = json_loads(job->spec ? job->spec : "{}", 0, NULL);
    size_t total = json_array_size(json_object_get(spec, "items"));
    json_decref(spec);
    json_t *o = json_object();
    if (sb_meta_batch_items_list(svc->meta, job->id, render_item, &b, &e))
        json_object_set_new(o, "items_error", json_pack("{s:s, s:s}", "code", sb_err_name(e.code), "message", e.message));
    json_object_set_new(o, "batch_id", json_string(job->id));
    json_object_set_new(o, "id", json_string(job->id));
    json_object_set_new(o, "status", json_string(sb_job_state_name(job->state)));
    json_object_set_new(o, "pipeline", json_string(job->pipeline));
    json_object_set_new(o, "total", json_integer((json_int_t)total));
    json_object_set_new(o, "completed", json_integer(b.completed));
    json_object_set_new(o, "failed", json_integer(b.failed));
    json_object_set_new(o, "pending", json_integer((json_int_t)total - b.completed - b.failed));
    json_object_set_new(o, "created_at", json_integer(job->created_at));
    if (job->finished_at)
        json_object_set_new(o, "finished_at", json_integer(job->finished_at));
    if (job->state == SB_JOB_FAILED && job->error) {
        json_t *err = json_loads(job->error, 0, NULL);
        json_object_set_new(o, "error", err ? err : json_pack("{s:s}", "code", "internal"));
    }
    json_object_set_new(o, "items", b.items);
    return o;
}

bool sb_api_batch_get(sb_api_ctx_t *c)
{
    sb_job_t job;
    sb_error_t e = {0};
    sb_err err = sb_meta_job_get(c->svc->meta, c->param, c->key.id, &job, &e);
    if (!err && strcmp(job.pipeline, SB_JOB_PIPELINE_AVATAR_BATCH)) {
        sb_job_clear(&job);
        err = SB_ERR_NOT_FOUND;
    }
    if (err == SB_ERR_NOT_FOUND) {
        sb_api_fail(c, SB_ERR_NOT_FOUND, "id", "no batch '%s' for this API key", c->param);
        return false;
    }
    if (err) {
        sb_api_send_error(c, &e);
        return false;
    }
    sb_api_send_json(c, 200, sb_api_batch_json(c->svc, &job), NULL);
    sb_job_clear(&job);
    return false;
}
