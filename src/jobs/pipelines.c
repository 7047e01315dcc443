/* pipelines.c - job spec -> library call, one row per pipeline. */
#include "jobs/pipelines.h"
#include "jobs/packed.h"
#include "pipeline/report.h"
#include "pipeline/template_avatar.h"
#include "vision/safety.h"
#include "util/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Headshot options: {"format": "png"|"jpeg"|"webp", "size": 128..4096, "quality": 1..100}, all optional.
 * The API validated them; this only maps them. */
static sb_err run_headshot(sb_studio_t *studio, const uint8_t *in, size_t len, const json_t *spec,
                           sb_pipeline_out_t *out, sb_error_t *e)
{
    sb_headshot_opts_t opts = {.format = SB_FMT_PNG};
    const char *fmt = json_string_value(json_object_get(spec, "format"));
    if (fmt)
        opts.format = sb_format_parse(fmt);
    opts.size = (int)json_integer_value(json_object_get(spec, "size"));
    opts.quality = (int)json_integer_value(json_object_get(spec, "quality"));

    sb_headshot_result_t res;
    sb_err err = sb_headshot(studio, in, len, &opts, &res, e);
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

/* Avatar options: {"platform", "style", "background", "palette", "variant": strings, "style_intensity":
 * 0..1, "hires", "cache_input": bool}, all optional; the API checked the types, the pipeline checks the
 * values. With cache_input the normalized input is a third output, of role SB_JOB_ROLE_CACHE. A custom
 * style adds "look" (the learned look, applied over "style") and "custom_style" ("custom:<token>"), which
 * the result reports as its style. A template style adds "template_prompt" and "template_seed" (the avatar
 * is then sb_template_avatar's, on the platform's side; no input quality score) and "custom_style"
 * ("template:<name>"). */
static sb_err run_avatar(sb_studio_t *studio, const uint8_t *in, size_t len, const json_t *spec, sb_pipeline_out_t *out,
                         sb_error_t *e)
{
    sb_avatar_opts_t o = SB_AVATAR_OPTS_DEFAULT;
    sb_look_t look;
    const json_t *look_json = json_object_get(spec, "look");
    if (look_json) {
        char *text = json_dumps(look_json, JSON_COMPACT);
        sb_err err = text ? sb_look_from_json(text, &look, e) : sb_error_set(e, SB_ERR_NOMEM, "style", "out of memory");
        free(text);
        if (err)
            return err;
        o.look = &look;
    }
    const char *custom = json_string_value(json_object_get(spec, "custom_style"));
    o.platform = json_string_value(json_object_get(spec, "platform"));
    o.style = json_string_value(json_object_get(spec, "style"));
    o.background = json_string_value(json_object_get(spec, "background"));
    o.palette = json_string_value(json_object_get(spec, "palette"));
    o.variant = json_string_value(json_object_get(spec, "variant"));
    json_t *t = json_object_get(spec, "style_intensity");
    if (t)
        o.intensity = (float)json_number_value(t);
    o.hires = json_is_true(json_object_get(spec, "hires"));
    o.keep_input = json_is_true(json_object_get(spec, "cache_input"));
    o.safety_max = (float)json_number_value(json_object_get(spec, "safety_threshold"));

    const char *template = json_string_value(json_object_get(spec, "template_prompt"));
    sb_template_avatar_opts_t to = {.prompt = template,
                                    .seed = json_integer_value(json_object_get(spec, "template_seed")),
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
    if (template)
        json_object_del(out->fields, "input_quality_score"); /* the template path does not assess the input */
    sb_avatar_result_free(&r);
    return SB_OK;
}

/* Avatar batch: every item with the same avatar options (so the same platform, style, background,
 * palette, light and seed: a team page looks consistent). An item whose credit cannot be charged fails
 * with no_credits, and so does every item after it, without being made. */
static sb_err run_avatar_batch(sb_studio_t *studio, const json_t *spec, sb_job_items_t *items, sb_error_t *e)
{
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
            err = run_avatar(studio, buf, len, spec, &po, &ie);
        free(buf);
        if (!err)
            err = sb_job_items_done(items, i, &po, (double)(sb_clock_us() - t0) / 1000.0, &ie);
        sb_pipeline_out_clear(&po);
        if (err == SB_ERR_CONFLICT || err == SB_ERR_STORE) {
            *e = ie;
            return err;
        }
        if (err == SB_ERR_NO_CREDITS)
            broke = ie;
        if (err && (err = sb_job_items_failed(items, i, &ie, e)))
            return err;
    }
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

/* Product options: {"preset", "shadow_type", "background_prompt", "aspect", "format", "frame_for": strings, "width",
 * "height", "quality", "seed": integers, "padding", "shadow_opacity", "shadow_blur", "shadow_angle",
 * "shadow_distance": numbers, "mask": bool}, all optional; the API checked them, the pipeline checks them
 * again. The output's role is "mask" with mask (a 1-band PNG of the subject), else "output". */
static sb_err run_product(sb_studio_t *studio, const uint8_t *in, size_t len, const json_t *spec,
                          sb_pipeline_out_t *out, sb_error_t *e)
{
    sb_product_opts_t o = SB_PRODUCT_OPTS_DEFAULT;
    o.preset = json_string_value(json_object_get(spec, "preset"));
    o.shadow_type = json_string_value(json_object_get(spec, "shadow_type"));
    o.background_prompt = json_string_value(json_object_get(spec, "background_prompt"));
    o.aspect = json_string_value(json_object_get(spec, "aspect"));
    o.frame_for = json_string_value(json_object_get(spec, "frame_for"));
    const char *fmt = json_string_value(json_object_get(spec, "format"));
    o.format = fmt ? sb_format_parse(fmt) : SB_FMT_PNG;
    o.width = (int)json_integer_value(json_object_get(spec, "width"));
    o.height = (int)json_integer_value(json_object_get(spec, "height"));
    o.quality = (int)json_integer_value(json_object_get(spec, "quality"));
    o.seed = (uint64_t)json_integer_value(json_object_get(spec, "seed"));
    o.mask_only = json_is_true(json_object_get(spec, "mask"));
    const struct {
        const char *name;
        float *dst;
    } numbers[] = {{"padding", &o.padding}, {"shadow_opacity", &o.shadow.opacity}, {"shadow_blur", &o.shadow.blur},
                   {"shadow_angle", &o.shadow.angle_deg}, {"shadow_distance", &o.shadow.distance}};
    for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++) {
        const json_t *v = json_object_get(spec, numbers[i].name);
        if (v)
            *numbers[i].dst = (float)json_number_value(v);
    }

    sb_product_result_t r;
    sb_err err = sb_product(studio, in, len, &o, &r, e);
    if (err)
        return err;
    out->outputs[out->n_outputs++] = (sb_job_output_t){r.output, r.output_len, r.format, r.width, r.height,
                                                       o.mask_only ? "mask" : "output"};
    r.output = NULL;
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

/* The request's names for the library's option fields (the seed's contract spells them this way). */
static void portrait_field_names(sb_error_t *e)
{
    static const char *const names[][2] = {{"samples", "sampleNumber"},
                                           {"identity", "identityScale"},
                                           {"width", "outputImageWidth"},
                                           {"height", "outputImageHeight"}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(e->field, names[i][0]))
            snprintf(e->field, sizeof e->field, "%s", names[i][1]);
}

/* Portrait options: {"prompt": string, "seed": 1..SB_GENERATE_SEED_MAX (the API resolved -1 to a random
 * one, so a rerun of the job makes the same images), "samples": 1..8, "identity": 0..1, "width",
 * "height": 512..2024, "template": the name it came from (reported only)}. One JPEG output per sample,
 * charged one credit each (per_output). */
static sb_err run_portrait(sb_studio_t *studio, const uint8_t *in, size_t len, const json_t *spec,
                           sb_pipeline_out_t *out, sb_error_t *e)
{
    sb_generate_opts_t o = SB_GENERATE_OPTS_DEFAULT;
    o.prompt = json_string_value(json_object_get(spec, "prompt"));
    o.seed = json_integer_value(json_object_get(spec, "seed"));
    o.samples = (int)json_integer_value(json_object_get(spec, "samples"));
    const json_t *identity = json_object_get(spec, "identity");
    if (identity)
        o.identity = (float)json_number_value(identity);
    o.width = (int)json_integer_value(json_object_get(spec, "width"));
    o.height = (int)json_integer_value(json_object_get(spec, "height"));
    o.format = SB_FMT_JPEG;

    sb_generate_result_t r;
    sb_err err = sb_generate_portrait(studio, in, len, &o, &r, e);
    if (err) {
        portrait_field_names(e);
        return err;
    }
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
    const char *template = json_string_value(json_object_get(spec, "template"));
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

/* Cut-out options (the remove.bg-compatible endpoint): {"type": "auto"|"person"|"product", "max_pixels",
 * "quality": integers, "roi", "crop_margin", "bg_color": remove.bg's syntaxes (sb_cutout_parse_*),
 * "crop", "alpha": bools, "format": "png"|"jpeg"|"webp" (absent: PNG, or JPEG when opaque)}, all
 * optional; the API checked them. The fields are what remove.bg's response headers report: "type" (what
 * ran), "foreground" {left, top, width, height} in output pixels, "width", "height", "format". */
static sb_err run_cutout(sb_studio_t *studio, const uint8_t *in, size_t len, const json_t *spec,
                         sb_pipeline_out_t *out, sb_error_t *e)
{
    sb_cutout_opts_t o = {0};
    const char *type = json_string_value(json_object_get(spec, "type"));
    const char *fmt = json_string_value(json_object_get(spec, "format"));
    o.kind = type && !strcmp(type, "person") ? SB_CUTOUT_PERSON : type && !strcmp(type, "product") ? SB_CUTOUT_PRODUCT
                                                                                                  : SB_CUTOUT_AUTO;
    o.max_pixels = json_integer_value(json_object_get(spec, "max_pixels"));
    o.quality = (int)json_integer_value(json_object_get(spec, "quality"));
    o.crop = json_is_true(json_object_get(spec, "crop"));
    o.alpha_only = json_is_true(json_object_get(spec, "alpha"));
    o.format = fmt ? sb_format_parse(fmt) : SB_FMT_UNKNOWN;
    sb_cutout_result_t r;
    sb_err err = sb_cutout_parse_roi(json_string_value(json_object_get(spec, "roi")), &o, e);
    if (!err)
        err = sb_cutout_parse_margin(json_string_value(json_object_get(spec, "crop_margin")), &o, e);
    if (!err)
        err = sb_cutout_parse_color(json_string_value(json_object_get(spec, "bg_color")), &o, e);
    if (!err)
        err = sb_cutout(studio, in, len, &o, &r, e);
    if (err)
        return err;
    out->outputs[out->n_outputs++] = (sb_job_output_t){r.output, r.output_len, r.format, r.width, r.height, "output"};
    r.output = NULL;
    out->stages = r.detect.stages;
    out->fields = json_pack("{s:s, s:i, s:i, s:s, s:{s:i, s:i, s:i, s:i}, s:b, s:{s:o}}", "type",
                            sb_cutout_kind_name(r.kind), "width", r.width, "height", r.height, "format",
                            sb_format_name(r.format), "foreground", "left", r.fg_left, "top", r.fg_top, "width",
                            r.fg_width, "height", r.fg_height, "face_detected", r.detect.subject >= 0, "provenance",
                            "models", sb_report_models(&r.detect));
    sb_cutout_result_free(&r);
    return out->fields ? SB_OK : sb_error_set(e, SB_ERR_NOMEM, "", "out of memory");
}

static const sb_pipeline_def_t pipelines[] = {
    /* Designated fields: a row names only what it sets, so a new field needs no change to the others. */
    {.name = "headshot", .run = run_headshot, .credits = 1},
    {.name = "avatar", .run = run_avatar, .credits = 1},
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
