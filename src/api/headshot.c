/* headshot.c - POST /api/v1/ai-headshot: the corporate headshot of the main face.
 * Synchronous by default (200 with output_url); asynchronous (202 with the job) when the request has a
 * callback_url or the header "Prefer: respond-async". */
#include "api/submit.h"

/* The options (sb_headshot_opts_t, pipeline/opts.h): output_format (png|jpeg|webp, default png; "format"
 * is its alias), size (128..4096, default 800), quality (1..100, JPEG/WebP); and callback_url. */
static sb_err read_opts(sb_api_ctx_t *c, const sb_api_input_t *in, sb_headshot_opts_t *o, const char **callback,
                        sb_error_t *e)
{
    *o = sb_headshot_opts_defaults();
    sb_err err = sb_api_input_opts(c, in, &sb_headshot_opts_table, o, e);
    if (!err && o->format == SB_FMT_UNKNOWN) {
        const char *fmt = NULL;
        err = sb_api_input_string(c, in, "format", &fmt, e);
        if (!err && fmt)
            err = sb_opt_read_name(sb_opt_find(&sb_headshot_opts_table, "output_format"), fmt, o, e);
    }
    if (!err)
        err = sb_api_read_callback(c, in, callback, e);
    return err ? err : sb_headshot_opts_check(o, e);
}

bool sb_api_headshot(sb_api_ctx_t *c)
{
    sb_api_input_t in;
    sb_error_t e = {0};
    sb_headshot_opts_t o;
    json_t *spec = NULL;
    const char *callback = NULL;
    bool deferred = false;
    sb_err err = sb_api_input_parse(c, false, &in, &e);
    if (!err)
        err = read_opts(c, &in, &o, &callback, &e);
    if (!err && !(spec = sb_headshot_opts_to_json(&o)))
        err = sb_error_set(&e, SB_ERR_NOMEM, "", "out of memory");
    if (err)
        sb_api_send_error(c, &e);
    else
        deferred = sb_api_submit(c, &in, "headshot", spec, callback);
    json_decref(spec);
    sb_api_input_free(&in);
    return deferred;
}
