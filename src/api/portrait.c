/* portrait.c - POST /api/generate-portrait (contract S2): portraits of the one reference photo in the style
 * a prompt and a seed describe, one per sample, answered synchronously as JPEG data URIs.
 *
 * The request's fields are the seed's, spelled as it spells them: apiKey, prompt, seed, sampleNumber,
 * identityScale, inputImages, outputImageWidth, outputImageHeight; plus template (a saved or built-in
 * prompt + seed pair, templates.c) whose values an explicit prompt or seed overrides. The key comes from
 * the Bearer header or from apiKey (both: they must be the same key); without the header the head hook
 * lets at most SB_API_KEYLESS_UPLOADS_MAX such bodies be read at once (503 for another one). A
 * seed of -1 (or none) is drawn here, before the job is queued, so the job's spec names the seed it
 * makes and a rerun makes the same images.
 * The job ("portrait", jobs/pipelines.c) stores its images as files like every job and is charged one
 * credit per image on completion; the answer reads them back into data URIs. */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/submit.h"
#include "strobe.h"

/* The key: the Bearer header (checked by the head hook already) or the body's apiKey. False when the
 * request has been answered (401, 429, or a 400 for two different keys). */
static bool authenticate(sb_api_ctx_t *c, const sb_api_input_t *in)
{
    json_t *v = json_object_get(in->body, "apiKey");
    if (v && (!json_is_string(v) || !json_string_length(v))) {
        sb_api_fail(c, SB_ERR_USAGE, "apiKey", "apiKey must be a non-empty string");
        return false;
    }
    const char *key = json_string_value(v);
    if (c->authed) {
        const char *h = sb_http_header(c->req, "Authorization") + 7;
        while (*h == ' ')
            h++;
        if (key && strcmp(key, h)) {
            sb_api_fail(c, SB_ERR_USAGE, "apiKey",
                        "apiKey and the Authorization header name different keys; send one of them");
            return false;
        }
        return true;
    }
    if (!key) {
        sb_api_fail(c, SB_ERR_UNAUTHORIZED, "apiKey",
                    "send your API key as apiKey in the body or as 'Authorization: Bearer <key>'");
        return false;
    }
    return sb_api_authenticate(c, key, "apiKey");
}

/* seed: -1 (random) or an integer 1..SB_GENERATE_SEED_MAX; *seed untouched when absent. */
static sb_err read_seed(const sb_api_input_t *in, int64_t *seed, sb_error_t *e)
{
    json_t *v = json_object_get(in->body, "seed");
    if (!v)
        return SB_OK;
    json_int_t n = json_is_integer(v) ? json_integer_value(v) : 0;
    if (n != -1 && (n < 1 || n > SB_GENERATE_SEED_MAX))
        return sb_error_set(e, SB_ERR_USAGE, "seed", "seed must be -1 (random) or an integer from 1 to %lld",
                            SB_GENERATE_SEED_MAX);
    *seed = n;
    return SB_OK;
}

/* inputImages: exactly one reference photo, a data URI or bare base64, decoded into in->image. */
static sb_err read_image(sb_api_input_t *in, sb_error_t *e)
{
    json_t *list = json_object_get(in->body, "inputImages");
    if (!json_is_array(list) || json_array_size(list) != 1)
        return sb_error_set(e, SB_ERR_USAGE, "inputImages",
                            "inputImages must be an array of exactly one reference image (a data URI or base64)%s",
                            json_is_array(list) ? "" : ", and is missing or not an array");
    const char *s = json_string_value(json_array_get(list, 0));
    if (!s || !*s)
        return sb_error_set(e, SB_ERR_USAGE, "inputImages", "inputImages[0] must be a non-empty string");
    if (!strncmp(s, "http://", 7) || !strncmp(s, "https://", 8))
        return sb_error_set(e, SB_ERR_USAGE, "inputImages",
                            "inputImages takes the image itself as a data URI or base64, not a URL");
    return sb_api_input_decode_image(s, "inputImages", &in->image, &in->image_len, e);
}

/* The options (sb_portrait_opts_t, pipeline/opts.h) from the request's fields, its template applied (*t,
 * malloc'd for the caller to free, holds the template's strings that `o` points to) and its seed drawn;
 * and the image. */
static sb_err read_opts(sb_api_ctx_t *c, sb_api_input_t *in, sb_portrait_opts_t *o, sb_key_template_t **t,
                        sb_error_t *e)
{
    const char *template = NULL;
    *o = sb_portrait_opts_defaults();
    o->gen.width = SB_GENERATE_WIDTH_DEFAULT, o->gen.height = SB_GENERATE_HEIGHT_DEFAULT; /* for one side alone */
    sb_err err;
    if ((err = sb_api_input_opts(c, in, &sb_portrait_opts_table, o, e)) || (err = read_seed(in, &o->gen.seed, e)) ||
        (err = sb_api_input_string(c, in, "template", &template, e)))
        return err;
    if (template) {
        if (!(*t = malloc(sizeof **t)))
            return sb_error_set(e, SB_ERR_NOMEM, "template", "out of memory");
        if ((err = sb_api_template_find(c, template, "template", *t, e)))
            return err;
        o->template_name = (*t)->name;
        if (!o->gen.prompt)
            o->gen.prompt = (*t)->prompt;
        if (!json_object_get(in->body, "seed"))
            o->gen.seed = (*t)->seed;
    }
    if ((err = read_image(in, e)))
        return err;
    if (o->gen.seed == -1)
        o->gen.seed = sb_generate_random_seed();
    return sb_portrait_opts_check(o, e);
}

/* "data:image/jpeg;base64,..." of a stored output `name` (new reference), or NULL with e filled. */
static json_t *data_uri(sb_service_t *svc, const char *name, const char *format, sb_error_t *e)
{
    uint8_t *bytes;
    size_t len;
    if (sb_blob_get(svc->blob, name, &bytes, &len, e))
        return NULL;
    char prefix[48];
    int np = snprintf(prefix, sizeof prefix, "data:image/%.16s;base64,", format);
    char *text = len < (1u << 30) ? malloc((size_t)np + 4 * ((len + 2) / 3) + 1) : NULL;
    json_t *uri = NULL;
    if (text) {
        memcpy(text, prefix, (size_t)np);
        int n = EVP_EncodeBlock((unsigned char *)text + np, bytes, (int)len);
        uri = json_stringn(text, (size_t)np + (size_t)n);
    }
    if (!uri)
        sb_error_set(e, SB_ERR_NOMEM, "", "out of memory encoding an output of %zu bytes", len);
    free(text);
    free(bytes);
    return uri;
}

/* The 200 answer: outputImages (the stored images read back as data URIs), then the job's own fields
 * (seed, seeds, ignoredTerms, likenessScores, style, ... and the signed URLs of the same images). */
static json_t *render(sb_api_ctx_t *c, const sb_job_t *job, sb_error_t *e)
{
    json_t *body = json_object();
    sb_api_result_json(c->svc, job->result, body);
    json_t *images = json_array();
    json_t *r = json_loads(job->result, 0, NULL);
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(r, "files"), i, f)
    {
        json_t *uri = data_uri(c->svc, json_string_value(json_object_get(f, "file")),
                               json_string_value(json_object_get(f, "format")), e);
        if (!uri) {
            json_decref(images);
            json_decref(body);
            json_decref(r);
            return NULL;
        }
        json_array_append_new(images, uri);
    }
    json_decref(r);
    json_object_set_new(body, "outputImages", images);
    json_object_set_new(body, "id", json_string(job->id));
    json_object_set_new(body, "status", json_string(sb_job_state_name(job->state)));
    return body;
}

bool sb_api_generate_portrait(sb_api_ctx_t *c)
{
    sb_api_input_t in = {0};
    sb_error_t e = {0};
    json_t *spec = NULL;
    sb_portrait_opts_t o;
    sb_key_template_t *t = NULL;
    bool deferred = false;
    sb_err err = sb_api_input_parse_json(c, "inputImages and a prompt", &in, &e);
    if (err) {
        sb_api_send_error(c, &e);
    } else if (authenticate(c, &in)) {
        if (!(err = read_opts(c, &in, &o, &t, &e)) && !(spec = sb_portrait_opts_to_json(&o)))
            err = sb_error_set(&e, SB_ERR_NOMEM, "", "out of memory");
        if (err) {
            sb_api_send_error(c, &e);
        } else {
            c->cost = o.gen.samples ? o.gen.samples : 1;
            c->render = render;
            deferred = sb_api_submit(c, &in, "portrait", spec, NULL);
        }
    }
    json_decref(spec);
    free(t);
    sb_api_input_free(&in);
    return deferred;
}
