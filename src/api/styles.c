/* styles.c - custom styles: POST /v1/styles learns a look from 50 to 200 example photos (a job of
 * pipeline SB_JOB_PIPELINE_STYLE, on a worker like every job: sync by default, async with a
 * callback_url or "Prefer: respond-async"); GET /v1/styles/{token} reads it back; an avatar's
 * style "custom:<token>" applies it (sb_api_style_look). A style token is "style_" + the random part of
 * its job's id, so the job row (which belongs to the key and holds the look) is the style: no table
 * of its own, and another key's token is the same 404 as an unknown one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/submit.h"

/* Example photos of one style: fewer say too little about a look, more add nothing. */
#define SB_API_STYLE_MIN 50
#define SB_API_STYLE_MAX 200

#define TOKEN_PREFIX "style_"
#define JOB_PREFIX "job_"

void sb_api_style_token(const char *job_id, char out[SB_API_TOKEN_MAX])
{
    snprintf(out, SB_API_TOKEN_MAX, TOKEN_PREFIX "%s", job_id + strlen(JOB_PREFIX));
}

/* The job id of a token; false when `token` cannot be one. */
static bool job_id_of(const char *token, char id[SB_ID_MAX])
{
    size_t n = strlen(TOKEN_PREFIX);
    if (strncmp(token, TOKEN_PREFIX, n) || !token[n] || strlen(token + n) + strlen(JOB_PREFIX) >= SB_ID_MAX)
        return false;
    snprintf(id, SB_ID_MAX, JOB_PREFIX "%s", token + n);
    return true;
}

/* The style job `token` names for this request's key. SB_ERR_NOT_FOUND (e not filled) for a token
 * that is no style of the key. */
static sb_err style_job(sb_api_ctx_t *c, const char *token, sb_job_t *job, sb_error_t *e)
{
    char id[SB_ID_MAX];
    if (!job_id_of(token, id))
        return SB_ERR_NOT_FOUND;
    sb_err err = sb_meta_job_get(c->svc->meta, id, c->key.id, job, e);
    if (!err && strcmp(job->pipeline, SB_JOB_PIPELINE_STYLE)) {
        sb_job_clear(job);
        err = SB_ERR_NOT_FOUND;
    }
    return err;
}

json_t *sb_api_style_json(const sb_job_t *job)
{
    char token[SB_API_TOKEN_MAX];
    sb_api_style_token(job->id, token);
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:I}", "style_token", token, "id", job->id, "status",
                          sb_job_state_name(job->state), "pipeline", job->pipeline, "created_at",
                          (json_int_t)job->created_at);
    if (job->state == SB_JOB_COMPLETED && job->result) {
        json_t *r = json_loads(job->result, 0, NULL);
        json_object_set(o, "examples", json_object_get(r, "examples"));
        json_object_set(o, "used", json_object_get(r, "used"));
        json_object_set(o, "learn_ms", json_object_get(r, "latency_ms"));
        json_object_set(o, "look", json_object_get(r, "look"));
        json_decref(r);
    }
    if (job->state == SB_JOB_FAILED && job->error) {
        json_t *err = json_loads(job->error, 0, NULL);
        json_object_set_new(o, "error", err ? err : json_pack("{s:s}", "code", "internal"));
    }
    if (job->finished_at)
        json_object_set_new(o, "finished_at", json_integer(job->finished_at));
    json_object_set_new(o, "attempts", json_integer(job->attempts));
    return o;
}

sb_err sb_api_style_look(sb_api_ctx_t *c, const char *token, json_t **look, sb_error_t *e)
{
    sb_job_t job = {0};
    *look = NULL;
    sb_err err = style_job(c, token, &job, e);
    if (!err && job.state == SB_JOB_COMPLETED && job.result) {
        json_t *r = json_loads(job.result, 0, NULL);
        *look = json_incref(json_object_get(r, "look"));
        json_decref(r);
    }
    if (!err && !*look)
        err = SB_ERR_NOT_FOUND;
    sb_job_clear(&job);
    if (err == SB_ERR_NOT_FOUND)
        return sb_error_set(e, SB_ERR_NOT_FOUND, "style",
                            "no learned style '%.60s' for this API key (POST /v1/styles makes one; one still "
                            "learning or failed cannot be applied)", token);
    return err;
}

/* The examples packed into one input buffer (*packed, *len). They must be uploads: a URL is a 400 on
 * its item (a style is learned in seconds from bytes at hand, not from 200 fetches). */
static sb_err pack_examples(const sb_api_image_t *images, int n, uint8_t **packed, size_t *len, sb_error_t *e)
{
    const uint8_t **bufs = calloc((size_t)n, sizeof *bufs);
    size_t *lens = calloc((size_t)n, sizeof *lens);
    sb_err err = bufs && lens ? SB_OK : sb_error_set(e, SB_ERR_NOMEM, "images", "out of memory");
    for (int i = 0; !err && i < n; i++) {
        char field[32];
        snprintf(field, sizeof field, "images[%d]", i);
        if (images[i].url)
            err = sb_error_set(e, SB_ERR_USAGE, field, "%s is a URL; a style's examples must be uploaded "
                               "(multipart files, data URIs or base64)", field);
        bufs[i] = images[i].data;
        lens[i] = images[i].len;
    }
    if (!err)
        err = sb_jobs_pack_uploads(bufs, lens, n, packed, len, e);
    free(bufs);
    free(lens);
    return err;
}

bool sb_api_style_create(sb_api_ctx_t *c)
{
    sb_api_input_t in;
    sb_api_image_t *images = NULL;
    int n = 0;
    sb_error_t e = {0};
    json_t *spec = json_object();
    const char *callback = NULL;
    bool deferred = false;
    sb_err err = sb_api_input_parse_images(c, SB_API_STYLE_MIN, SB_API_STYLE_MAX, &in, &images, &n, &e);
    if (!err)
        err = sb_api_read_callback(c, &in, &callback, &e);
    if (!err)
        err = pack_examples(images, n, &in.image, &in.image_len, &e);
    sb_api_images_free(images, n); /* packed: the bytes are held once while the job waits */
    if (err)
        sb_api_send_error(c, &e);
    else
        deferred = sb_api_submit(c, &in, SB_JOB_PIPELINE_STYLE, spec, callback);
    json_decref(spec);
    sb_api_input_free(&in);
    return deferred;
}

bool sb_api_style_get(sb_api_ctx_t *c)
{
    sb_job_t job;
    sb_error_t e = {0};
    sb_err err = style_job(c, c->param, &job, &e);
    if (err == SB_ERR_NOT_FOUND) {
        sb_api_fail(c, SB_ERR_NOT_FOUND, "token", "no style '%.60s' for this API key", c->param);
        return false;
    }
    if (err) {
        sb_api_send_error(c, &e);
        return false;
    }
    sb_api_send_json(c, 200, sb_api_style_json(&job), NULL);
    sb_job_clear(&job);
    return false;
}
