/* pipelines.c - job spec -> library call, one row per pipeline. */
#include "jobs/pipelines.h"
#include "jobs/packed.h"
#include "pipeline/opts.h"
#include "pipeline/report.h"
#include "pipeline/template_avatar.h"
#include "vision/safety.h"
#include "util/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The members of a job's spec that are the job's, not its pipeline's options: the input's URL (jobs.h), a
 * batch's items, the stages an endpoint names for the client (api/images.c). */
static const char *const envelope[] = {"image_url", "items", "stages"};

/* The pipeline's options of `spec` (a new object: a shallow copy without the envelope), or NULL when out of
 * memory (e filled). */
static json_t *options_of(const json_t *spec, sb_error_t *e)
{
    json_t *o = json_is_object(spec) ? json_copy((json_t *)spec) : json_object();
    for (size_t i = 0; o && i < sizeof envelope / sizeof envelope[0]; i++)
        json_object_del(o, envelope[i]);
    if (!o)
        sb_error_set(e, SB_ERR_NOMEM, "", "out of memory");
    return o;
}

/* Headshot: the options of sb_headshot_opts_from_json (pipeline/opts.h). */
static sb_err run_headshot(sb_studio_t *studio, const uint8_t *in, size_t len, const json_t *spec,
                           sb_pipeline_out_t *out, sb_error_t *e)
{
    sb_headshot_opts_t opts;
    json_t *oj = options_of(spec, e);
    sb_err err = oj ? sb_headshot_opts_from_json(oj, &opts, e) : SB_ERR_NOMEM;
    json_decref(oj);
    if (err)
        return err;

    sb_headshot_result_t res;
    err = sb_headshot(studio, in, len, &opts, &res, e);
    if (err)
        return err;
    sb_job_output_t *o = &out->outputs[out->n_outputs++];
    o->data = res.output;
    o->len = res.output_len;
    o->format = res.format;
    o->role = "output";
    o->width = res.width;
    o->height = res.height;
    res.output = NULL;
    out->stages = res.detect.stages;
    out->fields = json_pack("{s:b, s:i, s:f, s:o, s:o}", "face_detected", res.detect.subject >= 0, "face_count",
                            res.detect.faces.count, "input_quality_score", (double)res.quality.score,
                            "validation_warnings", sb_report_warnings(res.warnings), "cutout",
                            sb_report_cutout(&res.cutout));
    sb_headshot_result_free(&res);
    return SB_OK;
}

/* Avatar: the options of sb_avatar_job_opts_from_json (pipeline/opts.h), read by the caller (a batch reads
 * them once for all its items). With cache_input the normalized input is a third output, of role
 * SB_JOB_ROLE_CACHE. A learned style applies its look over "style" and the result reports
 * "custom_style" ("custom:<token>") as its style. A template style's avatar is sb_template_avatar's, on the
 * platform's side (no input quality score), reported as "custom_style" ("template:<name>"). */
static sb_err run_avatar(sb_studio_t *studio, const uint8_t *in, size_t len, const sb_avatar_job_opts_t *spec,
                         sb_pipeline_out_t *out, sb_error_t *e)
{
    sb_avatar_opts_t o = spec->avatar;
    o.look = spec->has_look ? &spec->look : NULL;
    const char *custom = spec->custom_style;
    const char *template = spec->template_prompt;
    sb_template_avatar_opts_t to = {.prompt = template,
                                    .seed = spec->template_seed,
                                    .platform = o.platform,
                                    .hires = o.hires,
                                    .safety_max = o.safety_max};
    sb_avatar_result_t r;
    sb_err err = template ? sb_template_avatar(studio, in, len, &to, &r, e) : sb_avatar(studio, in, len, &o, &r, e);
    if (err)
        return err;
    out->outputs[0] = (sb_job_output_t){r.avatar, r.avatar_len, SB_FMT_PNG, r.size, r.size, "avatar"};
    out->outputs[1] = (sb_job_output_t){r.thumbnail, r.thumbnail_len, SB_FMT_PNG, SB_AVATAR_THUMB_SIDE,
                                        SB_AVATAR_THUMB_SIDE, "thumbnail"};
    out->n_outputs = 2;
    if (r.normalized)
        out->outputs[out->n_outputs++] = (sb_job_output_t){r.normalized, r.normalized_len, SB_FMT_JPEG,
                                                           r.detect.work_width, r.detect.work_height,
                                                           SB_JOB_ROLE_CACHE};
    r.avatar = r.thumbnail = r.normalized = NULL;
    out->stages = r.detect.stages;
    json_t *params = json_pack("{s:s, s:s, s:s, s:s, s:f, s:f, s:I, s:b}", "platform", r.platform, "style",
                               custom ? custom : r.style,
                               "background", r.background, "palette", r.palette, "style_intensity",
                               o.intensity < 0 ? 1.0 : (double)o.intensity, "intensity_delivered",
                               (double)r.intensity, "seed", (json_int_t)r.seed, "hires", o.hires);
    json_object_set_new(params, "safety_threshold",
                        json_real(o.safety_max > 0 ? (double)o.safety_max : (double)SB_SAFETY_EXPLICIT_MIN));
    if (r.variant) {
        json_object_set_new(params, "variant", json_string(r.variant));
        json_object_set_new(params, "cartoon_side", json_integer(r.cartoon_side));
    }
    if (custom)
        json_object_set_new(params, "base_style", json_string(r.style));
    if (template) {
        json_object_set_new(params, "template_prompt", json_string(template));
        json_object_set_new(params, "template_seed", json_integer(to.seed));
    }
    out->fields = json_pack("{s:b, s:i, s:f, s:f, s:f, s:o, s:s, s:s, s:i, s:{s:o, s:o}}", "face_detected",
                            r.detect.subject >= 0, "face_count", r.detect.faces.count, "likeness_score",
                            (double)r.likeness, "likeness_threshold", (double)r.likeness_min, "input_quality_score",
                            (double)r.quality.score, "validation_warnings", sb_report_warnings(r.warnings), "style",
                            custom ? custom : r.style,
                            "platform", r.platform, "attempts", r.attempts, "provenance", "models",
                            sb_report_models(&r.detect), "parameters", params);
    if (out->fields)
        json_object_set_new(out->fields, "cutout", sb_report_cutout(&r.cutout));
    if (template)
        json_object_del(out->fields, "input_quality_score"); /* the template path does not assess the input */
    sb_avatar_result_free(&r);
    return SB_OK;
}

/* One avatar job: its options from the spec, then run_avatar. */
static sb_err run_avatar_job(sb_studio_t *studio, const uint8_t *in, size_t len, const json_t *spec,
                             sb_pipeline_out_t *out, sb_error_t *e)
{
    sb_avatar_job_opts_t o;
    json_t *oj = options_of(spec, e);
    sb_err err = oj ? sb_avatar_job_opts_from_json(oj, &o, e) : SB_ERR_NOMEM;
    if (!err)
        err = run_avatar(studio, in, len, &o, out, e);
    json_decref(oj); /* after the run: o's strings are its */
    return err;
}

/* Avatar batch: every item with the same avatar options (so the same platform, style, background,
 * palette, light and seed: a team page looks consistent). An item whose credit cannot be charged fails
 * with no_credits, and so does every item after it, without being made. Options that do not load fail
 * the batch (an error returned). */
static sb_err run_avatar_batch(sb_studio_t *studio, const json_t *spec, sb_job_items_t *items, sb_error_t *e)
{
    sb_avatar_job_opts_t o;
    json_t *oj = options_of(spec, e);
    sb_err oerr = oj ? sb_avatar_job_opts_from_json(oj, &o, e) : SB_ERR_NOMEM;
    if (oerr) {
        json_decref(oj);
        return oerr;
    }
    sb_error_t broke = {0};
    for (int i = 0; i < sb_job_items_count(items); i++) {
        if (sb_job_items_finished(items, i))
            continue;
        sb_error_t ie = broke;
        sb_err err = broke.code;
        uint8_t *buf = NULL;
        size_t len = 0;
        sb_pipeline_out_t po = {0};
        int64_t t0 = sb_clock_us();
        if (!err)
            err = sb_job_items_input(items, i, &buf, &len, &ie);
        if (!err)
            err = run_avatar(studio, buf, len, &o, &po, &ie);
        free(buf);
        if (!err)
            err = sb_job_items_done(items, i, &po, (double)(sb_clock_us() - t0) / 1000.0, &ie);
        sb_pipeline_out_clear(&po);
        if (err == SB_ERR_CONFLICT || err == SB_ERR_STORE) {
            *e = ie;
            json_decref(oj);
            return err;
        }
        if (err == SB_ERR_NO_CREDITS)
            broke = ie;
        if (err && (err = sb_job_items_failed(items, i, &ie, e))) {
            json_decref(oj);
            return err;
        }
    }
    json_decref(oj);
    return SB_OK;
}

/* Custom style: a look learned from the packed example photos; no outputs, and the fields of
 * SB_JOB_PIPELINE_STYLE. Examples that do not decode are skipped (counted out of "used"); none usable
 * is a 400 on "images". */
static sb_err run_style(sb_studio_t *studio, const uint8_t *in, size_t len, const json_t *spec,
                        sb_pipeline_out_t *out, sb_error_t *e)
{
    (void)studio;
    (void)spec;
    const uint8_t **bufs = NULL;
    size_t *lens = NULL;
    int n = 0, used = 0;
    sb_look_t look;
    char *text = NULL;
    sb_err err = sb_jobs_unpack_uploads(in, len, &bufs, &lens, &n, e);
    if (!err && (err = sb_look_learn(bufs, lens, n, &look, &used, e)) == SB_ERR_USAGE)
        snprintf(e->field, sizeof e->field, "images");
    if (!err)
        err = sb_look_to_json(&look, &text, e);
    /* json_pack takes the look's reference, also when it fails. */
    if (!err && !(out->fields = json_pack("{s:i, s:i, s:o}", "examples", n, "used", used, "look",
                                          json_loads(text, 0, NULL))))
        err = sb_error_set(e, SB_ERR_NOMEM, "", "out of memory");
    free(text);
    free(bufs);
    free(lens);
    return err;
}

/* A product photo of options `o`. The output's role is "mask" with mask (a 1-band PNG of the subject); with
 * cutout "cutout" (the product alone, cropped) then "mask" (its mask, same crop); else "output". */
static sb_err run_product_opts(sb_studio_t *studio, const uint8_t *in, size_t len, const sb_product_opts_t *opts,
                               sb_pipeline_out_t *out, sb_error_t *e)
{
    const sb_product_opts_t o = *opts;
    sb_product_result_t r;
    sb_err err = sb_product(studio, in, len, &o, &r, e);
    if (err)
        return err;
    out->outputs[out->n_outputs++] = (sb_job_output_t){r.output, r.output_len, r.format, r.width, r.height,
                                                       o.mask_only ? "mask" : o.cutout ? "cutout" : "output"};
    if (r.mask)
        out->outputs[out->n_outputs++] = (sb_job_output_t){r.mask, r.mask_len, SB_FMT_PNG, r.mask_width,
                                                           r.mask_height, "mask"};
    r.output = r.mask = NULL;
    out->stages = r.detect.stages;
    json_t *ignored = json_array();
    for (int i = 0; i < r.n_ignored; i++)
        json_array_append_new(ignored, json_string(r.ignored_terms[i]));
    out->fields = json_pack("{s:s, s:s, s:s, s:o, s:b, s:b, s:f, s:{s:i, s:i, s:i, s:i}, s:I, s:{s:o}}", "preset",
                            r.preset, "shadow_type", r.shadow_type, "format", sb_format_name(r.format),
                            "ignored_terms", ignored, "mask", o.mask_only, "has_alpha", r.has_alpha, "coverage",
                            (double)r.coverage, "subject", "x", r.subject_x, "y", r.subject_y, "width", r.subject_w,
                            "height", r.subject_h, "seed", (json_int_t)r.seed, "provenance", "models",
                            sb_report_models(&r.detect));
    if (out->fields)
        sb_report_product_checks(&r, out->fields);
    sb_product_result_free(&r);
    return out->fields ? SB_OK : sb_error_set(e, SB_ERR_NOMEM, "", "out of memory");
}

/* Product photo: the options of sb_product_opts_from_json (pipeline/opts.h). */
static sb_err run_product(sb_studio_t *studio, const uint8_t *in, size_t len, const json_t *spec,
                          sb_pipeline_out_t *out, sb_error_t *e)
{
    sb_product_opts_t o;
    json_t *oj = options_of(spec, e);
    sb_err err = oj ? sb_product_opts_from_json(oj, &o, e) : SB_ERR_NOMEM;
    if (!err)
        err = run_product_opts(studio, in, len, &o, out, e);
    json_decref(oj); /* after the run: o's strings are its */
    return err;
}

/* Portraits of options `po`: one JPEG output per sample, charged one credit each (per_output). The seed is
 * the one the API drew for "seed -1", so a rerun of the job makes the same images. */
static sb_err run_portrait_opts(sb_studio_t *studio, const uint8_t *in, size_t len, const sb_portrait_opts_t *po,
                                sb_pipeline_out_t *out, sb_error_t *e)
{
    sb_generate_opts_t o = po->gen;
    o.format = SB_FMT_JPEG;

    sb_generate_result_t r;
    sb_err err = sb_generate_portrait(studio, in, len, &o, &r, e);
    if (err)
        return err;
    json_t *seeds = json_array(), *likeness = json_array(), *ignored = json_array(), *cutouts = json_array();
    for (int i = 0; i < r.n_images && i < SB_JOB_OUTPUTS_MAX; i++) {
        out->outputs[out->n_outputs++] = (sb_job_output_t){r.images[i].data, r.images[i].len, r.format, r.width,
                                                           r.height, "output"};
        r.images[i].data = NULL;
        json_array_append_new(seeds, json_integer(r.images[i].seed));
        json_array_append_new(likeness, json_real(r.images[i].likeness));
        json_array_append_new(cutouts, sb_report_cutout(&r.images[i].cutout));
    }
    for (int i = 0; i < r.n_ignored; i++)
        json_array_append_new(ignored, json_string(r.ignored_terms[i]));
    json_t *style = r.style_json ? json_loads(r.style_json, 0, NULL) : NULL;
    out->stages = r.detect.stages;
    const char *template = po->template_name;
    out->fields = json_pack("{s:I, s:o, s:o, s:o, s:o*, s:s?, s:b, s:i, s:{s:o, s:{s:s, s:I, s:i, s:f}}}", "seed",
                            (json_int_t)r.seed, "seeds", seeds, "likenessScores", likeness, "ignoredTerms", ignored,
                            "style", style, "template", template, "face_detected", r.detect.subject >= 0,
                            "face_count", r.detect.faces.count, "provenance", "models", sb_report_models(&r.detect),
                            "parameters", "prompt", o.prompt ? o.prompt : "", "seed", (json_int_t)r.seed,
                            "sampleNumber", r.n_images, "identityScale", o.identity < 0 ? 0.8 : (double)o.identity);
    if (out->fields) {
        json_object_set_new(out->fields, "input_quality_score", json_real(r.quality.score));
        json_object_set_new(out->fields, "validation_warnings", sb_report_warnings(r.warnings));
        json_object_set_new(out->fields, "cutouts", cutouts);
    } else {
        json_decref(cutouts);
    }
    sb_generate_result_free(&r);
    return out->fields ? SB_OK : sb_error_set(e, SB_ERR_NOMEM, "", "out of memory");
}

/* Portrait: the options of sb_portrait_opts_from_json (pipeline/opts.h). */
static sb_err run_portrait(sb_studio_t *studio, const uint8_t *in, size_t len, const json_t *spec,
                           sb_pipeline_out_t *out, sb_error_t *e)
{
    sb_portrait_opts_t o;
    json_t *oj = options_of(spec, e);
    sb_err err = oj ? sb_portrait_opts_from_json(oj, &o, e) : SB_ERR_NOMEM;
    if (!err)
        err = run_portrait_opts(studio, in, len, &o, out, e);
    json_decref(oj); /* after the run: o's strings are its */
    return err;
}

/* Cut-out (the remove.bg-compatible endpoint): the options of sb_cutout_opts_from_json (pipeline/opts.h).
 * The fields are what remove.bg's response headers report: "type" (what ran), "foreground" {left, top,
 * width, height} in output pixels, "width", "height", "format" ("zip" for the zip's two files). */
static sb_err run_cutout(sb_studio_t *studio, const uint8_t *in, size_t len, const json_t *spec,
                         sb_pipeline_out_t *out, sb_error_t *e)
{
    sb_cutout_opts_t o;
    sb_cutout_result_t r;
    json_t *oj = options_of(spec, e);
    sb_err err = oj ? sb_cutout_opts_from_json(oj, &o, e) : SB_ERR_NOMEM;
    json_decref(oj); /* the cut-out's options hold no strings */
    if (!err)
        err = sb_cutout(studio, in, len, &o, &r, e);
    if (err)
        return err;
    /* remove.bg's zip: the colours ("color", JPEG) then the alpha ("alpha", PNG); the endpoint packs them. */
    out->outputs[out->n_outputs++] =
        (sb_job_output_t){r.output, r.output_len, r.format, r.width, r.height, r.alpha ? "color" : "output"};
    if (r.alpha)
        out->outputs[out->n_outputs++] = (sb_job_output_t){r.alpha, r.alpha_len, SB_FMT_PNG, r.width, r.height, "alpha"};
    r.output = r.alpha = NULL;
    out->stages = r.detect.stages;
    out->fields = json_pack("{s:s, s:i, s:i, s:s, s:{s:i, s:i, s:i, s:i}, s:b, s:{s:o}}", "type",
                            sb_cutout_kind_name(r.kind), "width", r.width, "height", r.height, "format",
                            o.zip ? "zip" : sb_format_name(r.format), "foreground", "left", r.fg_left, "top", r.fg_top, "width",
                            r.fg_width, "height", r.fg_height, "face_detected", r.detect.subject >= 0, "provenance",
                            "models", sb_report_models(&r.detect));
    sb_cutout_result_free(&r);
    return out->fields ? SB_OK : sb_error_set(e, SB_ERR_NOMEM, "", "out of memory");
}

static const sb_pipeline_def_t pipelines[] = {
    /* Designated fields: a row names only what it sets, so a new field needs no change to the others. */
    {.name = "headshot", .run = run_headshot, .credits = 1},
    {.name = "avatar", .run = run_avatar_job, .credits = 1},
    {.name = SB_JOB_PIPELINE_AVATAR_BATCH, .run_items = run_avatar_batch, .credits = 1},
    {.name = SB_JOB_PIPELINE_STYLE, .run = run_style, .credits = 0, .packed = true},
    /* cold_ms: a 2000x2000 product photo on 2 cores took 1.2 to 2.1 s (docs/internals/jobs.md) */
    {.name = "product", .run = run_product, .credits = 1, .cold_ms = 1500},
    {.name = "portrait", .run = run_portrait, .credits = 1, .per_output = true},
    {.name = "cutout", .run = run_cutout, .credits = 1},
};

_Static_assert(sizeof pipelines / sizeof pipelines[0] <= SB_PIPELINES_MAX, "raise SB_PIPELINES_MAX");

int sb_pipeline_index(const sb_pipeline_def_t *def)
{
    return (int)(def - pipelines);
}

int64_t sb_pipeline_credits(const sb_pipeline_def_t *def, const sb_pipeline_out_t *out)
{
    return def->per_output ? (int64_t)def->credits * out->n_outputs : def->credits;
}

const sb_pipeline_def_t *sb_pipeline_find(const char *name)
{
    for (size_t i = 0; name && i < sizeof pipelines / sizeof pipelines[0]; i++)
        if (!strcmp(pipelines[i].name, name))
            return &pipelines[i];
    return NULL;
}

void sb_pipeline_out_clear(sb_pipeline_out_t *out)
{
    if (!out)
        return;
    for (int i = 0; i < out->n_outputs; i++)
        free(out->outputs[i].data);
    out->n_outputs = 0;
    json_decref(out->fields);
    out->fields = NULL;
}
