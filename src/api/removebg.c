/* removebg.c - POST /v1.0/removebg: remove.bg's API on strobe's cut-out (the "cutout" pipeline), so a
 * remove.bg client only changes its base URL and key. remove.bg's fields are read into the cut-out's
 * options type (sb_cutout_opts_t, pipeline/opts.h), whose JSON form is the job's spec. Fields, headers
 * and differences: docs/removebg.md.
 * format=zip is remove.bg's archive of color.jpg (the colours, opaque) and alpha.png (the mask), packed here with
 * libzip from the cut-out's two outputs.
 * The key (X-Api-Key), the error shape and the X-RateLimit-* names come with the route's
 * SB_API_AUTH_REMOVEBG (router.c, respond.c); this file reads the options and answers the image bytes. */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "api/submit.h"
#include "jobs/pipelines.h"
#include "strobe.h"

static const sb_api_image_fields_t fields = {.file = "image_file", .url = "image_url", .inline_ = "image_file_b64"};

/* `v` is one of the NULL-terminated `list` (or NULL). */
static bool one_of(const char *v, const char *const *list)
{
    for (int i = 0; v && list[i]; i++)
        if (!strcmp(v, list[i]))
            return true;
    return !v;
}

/* A string option that must be one of `list`, named in the message. */
static sb_err read_choice(sb_api_ctx_t *c, const sb_api_input_t *in, const char *name, const char *const *list,
                          const char **out, sb_error_t *e)
{
    sb_err err = sb_api_input_string(c, in, name, out, e);
    if (err || one_of(*out, list))
        return err;
    char all[160] = "";
    for (int i = 0; list[i]; i++)
        snprintf(all + strlen(all), sizeof all - strlen(all), "%s%s", i ? ", " : "", list[i]);
    return sb_error_set(e, SB_ERR_USAGE, name, "%s must be one of %s, got '%.40s'", name, all, *out);
}

/* size: remove.bg's names to a pixel budget. Larger than "hd" is capped at SB_CUTOUT_PIXELS_MAX. */
static long long size_pixels(const char *size)
{
    if (!size || !strcmp(size, "preview") || !strcmp(size, "small") || !strcmp(size, "regular"))
        return SB_CUTOUT_PIXELS_DEFAULT;
    if (!strcmp(size, "medium"))
        return 1500000;
    return SB_CUTOUT_PIXELS_MAX; /* hd, full, 4k, 50MP, auto */
}

/* type, type_level, size, format, channels: remove.bg's choices into the cut-out's options. */
static sb_err read_choices(sb_api_ctx_t *c, const sb_api_input_t *in, sb_cutout_opts_t *o, sb_error_t *e)
{
    static const char *const sizes[] = {"auto", "preview", "small", "regular", "medium", "hd", "full", "4k", "50MP",
                                        NULL};
    static const char *const types[] = {"auto", "person", "product", "car", "animal", "graphic", "transportation",
                                        "other", NULL};
    static const char *const levels[] = {"none", "latest", "1", "2", NULL};
    static const char *const formats[] = {"auto", "png", "jpg", "jpeg", "webp", "zip", NULL};
    static const char *const channels[] = {"rgba", "alpha", NULL};
    const char *size, *type, *level, *format, *chan;
    sb_err err = read_choice(c, in, "size", sizes, &size, e);
    if (!err)
        err = read_choice(c, in, "type", types, &type, e);
    if (!err)
        err = read_choice(c, in, "type_level", levels, &level, e);
    if (!err)
        err = read_choice(c, in, "format", formats, &format, e);
    if (!err)
        err = read_choice(c, in, "channels", channels, &chan, e);
    if (err)
        return err;
    o->max_pixels = size_pixels(size);
    /* Every type but person is the salient-object cut-out (the product's subject mask). */
    o->kind = !type || !strcmp(type, "auto") ? SB_CUTOUT_AUTO : !strcmp(type, "person") ? SB_CUTOUT_PERSON
                                                                                       : SB_CUTOUT_PRODUCT;
    /* zip: remove.bg's color.jpg and alpha.png in one archive (the cut-out's two outputs, packed by answer). */
    o->zip = format && !strcmp(format, "zip");
    if (format && strcmp(format, "auto") && !o->zip)
        o->format = sb_format_parse(format);
    o->alpha_only = chan && !strcmp(chan, "alpha");
    return SB_OK;
}

/* roi, crop, crop_margin, bg_color (the library's parsers), the ignored ones (checked for their type only),
 * and those refused. */
static sb_err read_options(sb_api_ctx_t *c, const sb_api_input_t *in, sb_cutout_opts_t *o, sb_error_t *e)
{
    static const char *const refused[] = {"bg_image_url", "bg_image_file"};
    bool ignored = false;
    const char *roi, *margin, *color, *v;
    sb_err err = sb_api_input_string(c, in, "roi", &roi, e);
    if (!err)
        err = sb_api_input_string(c, in, "crop_margin", &margin, e);
    if (!err)
        err = sb_api_input_string(c, in, "bg_color", &color, e);
    if (!err)
        err = sb_cutout_parse_roi(roi, o, e);
    if (!err)
        err = sb_cutout_parse_margin(margin, o, e);
    if (!err)
        err = sb_cutout_parse_color(color, o, e);
    if (!err)
        err = sb_api_input_bool(c, in, "crop", &o->crop, e);
    /* Accepted and ignored: the output is always at the photo's own framing, without a shadow. */
    if (!err)
        err = sb_api_input_bool(c, in, "add_shadow", &ignored, e);
    if (!err)
        err = sb_api_input_bool(c, in, "semitransparency", &ignored, e);
    if (!err)
        err = sb_api_input_string(c, in, "scale", &v, e);
    if (!err)
        err = sb_api_input_string(c, in, "position", &v, e);
    for (size_t i = 0; !err && i < sizeof refused / sizeof refused[0]; i++)
        if (!c->req->multipart ? json_object_get(in->body, refused[i]) != NULL
                               : sb_http_part(c->req, refused[i]) != NULL)
            err = sb_error_set(e, SB_ERR_USAGE, refused[i],
                               "%s is not supported by this server: use bg_color, or composite the PNG yourself",
                               refused[i]);
    return err ? err : sb_cutout_opts_check(o, e);
}

/* The zip of remove.bg's format=zip: `colour` as color.jpg and `alpha` as alpha.png, stored (both are compressed
 * already), into *out (malloc'd). SB_ERR_INTERNAL when libzip (or memory) fails. */
static sb_err pack_zip(const uint8_t *colour, size_t clen, const uint8_t *alpha, size_t alen, uint8_t **out,
                       size_t *len, sb_error_t *e)
{
    const char *names[2] = {"color.jpg", "alpha.png"};
    const uint8_t *data[2] = {colour, alpha};
    const size_t lens[2] = {clen, alen};
    zip_error_t ze;
    zip_error_init(&ze);
    *out = NULL;
    zip_source_t *mem = zip_source_buffer_create(NULL, 0, 0, &ze);
    zip_t *z = mem ? zip_open_from_source(mem, ZIP_TRUNCATE, &ze) : NULL;
    bool ok = z != NULL;
    if (ok)
        zip_source_keep(mem); /* the archive is written into it on zip_close, and read back below */
    for (int i = 0; ok && i < 2; i++) {
        zip_source_t *f = zip_source_buffer(z, data[i], lens[i], 0);
        zip_int64_t idx = f ? zip_file_add(z, names[i], f, ZIP_FL_ENC_UTF_8) : -1;
        if (f && idx < 0)
            zip_source_free(f);
        ok = idx >= 0 && zip_set_file_compression(z, (zip_uint64_t)idx, ZIP_CM_STORE, 0) == 0;
    }
    if (z && (!ok || zip_close(z) != 0)) {
        zip_discard(z);
        ok = false;
    }
    zip_stat_t st = {0};
    ok = ok && zip_source_stat(mem, &st) == 0 && (st.valid & ZIP_STAT_SIZE) && zip_source_open(mem) == 0;
    if (ok) {
        *out = malloc(st.size ? st.size : 1);
        ok = *out && zip_source_read(mem, *out, st.size) == (zip_int64_t)st.size;
        zip_source_close(mem);
    }
    if (mem)
        zip_source_free(mem);
    zip_error_fini(&ze);
    if (!ok) {
        free(*out);
        *out = NULL;
        return sb_error_set(e, SB_ERR_INTERNAL, "", "could not write the zip of color.jpg and alpha.png");
    }
    *len = st.size;
    return SB_OK;
}

/* The bytes of the job's file `i` (malloc'd) from the blob store. */
static sb_err file_bytes(sb_api_ctx_t *c, const json_t *r, size_t i, uint8_t **data, size_t *len, sb_error_t *e)
{
    const char *file = json_string_value(json_object_get(json_array_get(json_object_get(r, "files"), i), "file"));
    if (!file)
        return sb_error_set(e, SB_ERR_INTERNAL, "", "the cut-out's result is incomplete");
    return sb_blob_get(c->svc->blob, file, data, len, e);
}

/* The completed cut-out: its bytes with remove.bg's headers, or with "Accept: application/json" remove.bg's
 * JSON {"data": {"result_b64", "foreground_top", ...}}. */
static void answer(sb_api_ctx_t *c, const sb_job_t *job)
{
    json_t *r = job->result ? json_loads(job->result, 0, NULL) : NULL;
    json_t *fg = json_object_get(r, "foreground");
    const char *format = json_string_value(json_object_get(r, "format"));
    uint8_t *data = NULL, *alpha = NULL;
    size_t len = 0, alen = 0;
    sb_error_t e = {0};
    if (!format || !json_is_object(fg))
        sb_error_set(&e, SB_ERR_INTERNAL, "", "the cut-out's result is incomplete");
    else if (!file_bytes(c, r, 0, &data, &len, &e) && !strcmp(format, "zip") && !file_bytes(c, r, 1, &alpha, &alen, &e)) {
        uint8_t *colour = data;
        pack_zip(colour, len, alpha, alen, &data, &len, &e);
        free(colour);
        free(alpha);
    }
    if (e.code) {
        free(data);
        json_decref(r);
        sb_api_send_error(c, &e);
        return;
    }
    char h[9][64];
    snprintf(h[0], sizeof h[0], "X-Type: %s", json_string_value(json_object_get(r, "type")));
    snprintf(h[1], sizeof h[1], "X-Width: %lld", (long long)json_integer_value(json_object_get(r, "width")));
    snprintf(h[2], sizeof h[2], "X-Height: %lld", (long long)json_integer_value(json_object_get(r, "height")));
    snprintf(h[3], sizeof h[3], "X-Credits-Charged: %d", sb_pipeline_find(job->pipeline)->credits);
    snprintf(h[4], sizeof h[4], "X-Foreground-Top: %lld", (long long)json_integer_value(json_object_get(fg, "top")));
    snprintf(h[5], sizeof h[5], "X-Foreground-Left: %lld", (long long)json_integer_value(json_object_get(fg, "left")));
    snprintf(h[6], sizeof h[6], "X-Foreground-Width: %lld",
             (long long)json_integer_value(json_object_get(fg, "width")));
    snprintf(h[7], sizeof h[7], "X-Foreground-Height: %lld",
             (long long)json_integer_value(json_object_get(fg, "height")));
    const char *extra[] = {h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], NULL};
    const char *accept = sb_http_header(c->req, "Accept");
    if (accept && strstr(accept, "application/json") && !strstr(accept, "image/")) {
        char *text = len < (1u << 30) ? malloc(4 * ((len + 2) / 3) + 1) : NULL;
        json_t *b64 = text ? json_stringn(text, (size_t)EVP_EncodeBlock((unsigned char *)text, data, (int)len)) : NULL;
        free(text);
        free(data);
        json_t *body = json_pack("{s:{s:o, s:O, s:O, s:O, s:O}}", "data", "result_b64", b64 ? b64 : json_string(""),
                                 "foreground_top", json_object_get(fg, "top"), "foreground_left",
                                 json_object_get(fg, "left"), "foreground_width", json_object_get(fg, "width"),
                                 "foreground_height", json_object_get(fg, "height"));
        json_decref(r);
        sb_api_send_json(c, 200, body, extra);
        return;
    }
    const char *ctype = !strcmp(format, "zip")    ? "application/zip"
                        : !strcmp(format, "jpeg") ? "image/jpeg"
                        : !strcmp(format, "webp") ? "image/webp"
                                                  : "image/png";
    json_decref(r);
    sb_api_send_bytes(c, 200, ctype, data, len, extra);
}

bool sb_api_removebg(sb_api_ctx_t *c)
{
    sb_api_input_t in;
    sb_error_t e = {0};
    sb_cutout_opts_t o = sb_cutout_opts_defaults();
    json_t *spec = NULL;
    bool deferred = false;
    sb_err err = sb_api_input_parse_fields(c, false, &fields, &in, &e);
    if (!err)
        err = read_choices(c, &in, &o, &e);
    if (!err)
        err = read_options(c, &in, &o, &e);
    if (!err && !(spec = sb_cutout_opts_to_json(&o)))
        err = sb_error_set(&e, SB_ERR_NOMEM, "", "out of memory");
    if (err) {
        sb_api_send_error(c, &e);
    } else {
        c->answer = answer;
        deferred = sb_api_submit(c, &in, "cutout", spec, NULL);
    }
    json_decref(spec);
    sb_api_input_free(&in);
    return deferred;
}
