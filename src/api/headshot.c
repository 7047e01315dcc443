/* headshot.c - POST /api/v1/ai-headshot: the corporate headshot of the main face.
 * Synchronous by default (200 with output_url); asynchronous (202 with the job) when the request has a
 * callback_url or the header "Prefer: respond-async". */
#include <string.h>

#include "api/submit.h"

/* Options: output_format (png|jpeg|webp, default png), size (128..4096, default 800),
 * quality (1..100, JPEG/WebP), callback_url. */
static sb_err build_spec(sb_api_ctx_t *c, const sb_api_input_t *in, json_t *spec, const char **callback,
                         sb_error_t *e)
{
    const char *fmt = NULL;
    long size = 800, quality = 0;
    sb_err err = sb_api_input_string(c, in, "output_format", &fmt, e);
    if (!err && !fmt)
        err = sb_api_input_string(c, in, "format", &fmt, e);
    if (err)
        return err;
    if (fmt && strcmp(fmt, "png") && strcmp(fmt, "jpeg") && strcmp(fmt, "jpg") && strcmp(fmt, "webp"))
        return sb_error_set(e, SB_ERR_USAGE, "output_format", "output_format must be png, jpeg or webp, got '%.40s'", fmt);
    if ((err = sb_api_input_int(c, in, "size", 128, 4096, &size, e)) ||
        (err = sb_api_input_int(c, in, "quality", 1, 100, &quality, e)) ||
        (err = sb_api_read_callback(c, in, callback, e)))
        return err;
    json_object_set_new(spec, "format", json_string(!fmt || !strcmp(fmt, "jpg") ? (fmt ? "jpeg" : "png") : fmt));
    json_object_set_new(spec, "size", json_integer(size));
    if (quality)
        json_object_set_new(spec, "quality", json_integer(quality));
    return SB_OK;
}

bool sb_api_headshot(sb_api_ctx_t *c)
{
    sb_api_input_t in;
    sb_error_t e = {0};
    json_t *spec = json_object();
    const char *callback = NULL;
    bool deferred = false;
    sb_err err = sb_api_input_parse(c, false, &in, &e);
    if (!err)
        err = build_spec(c, &in, spec, &callback, &e);
    if (err)
        sb_api_send_error(c, &e);
    else
        deferred = sb_api_submit(c, &in, "headshot", spec, callback);
    json_decref(spec);
    sb_api_input_free(&in);
    return deferred;
}
