/* opts_avatar.c - the avatar's options type (opts.h): the avatar's options under the names of
 * POST /v1/avatar/generate, and what the API resolved for the job (the operator's safety threshold, a
 * learned or template style). One avatar and every item of a batch. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/opts.h"
#include "pipeline/presets.h"
#include "render/background.h"
#include "render/palette.h"

#define OFF(m) offsetof(sb_avatar_job_opts_t, m)

static const sb_avatar_job_opts_t defaults = {.avatar = SB_AVATAR_OPTS_DEFAULT};

static const sb_opt_field_t fields[] = {
    {.name = "platform", .kind = SB_OPT_STRING, .offset = OFF(avatar.platform)},
    {.name = "style", .kind = SB_OPT_STRING, .offset = OFF(avatar.style)},
    {.name = "background", .kind = SB_OPT_STRING, .offset = OFF(avatar.background)},
    {.name = "palette", .kind = SB_OPT_STRING, .offset = OFF(avatar.palette)},
    {.name = "variant", .kind = SB_OPT_STRING, .offset = OFF(avatar.variant)},
    {.name = "style_intensity", .kind = SB_OPT_FLOAT, .offset = OFF(avatar.intensity), .min = 0, .max = 1},
    {.name = "hires", .kind = SB_OPT_BOOL, .offset = OFF(avatar.hires)},
    {.name = "cache_input", .kind = SB_OPT_BOOL, .offset = OFF(avatar.keep_input)},
    {.name = "safety_threshold", .kind = SB_OPT_FLOAT, .offset = OFF(avatar.safety_max), .min = 0, .max = 1,
     .flags = SB_OPT_ENDPOINT},
    {.name = "custom_style", .kind = SB_OPT_STRING, .offset = OFF(custom_style), .flags = SB_OPT_ENDPOINT},
    {.name = "template_prompt", .kind = SB_OPT_STRING, .offset = OFF(template_prompt), .flags = SB_OPT_ENDPOINT},
    {.name = "template_seed", .kind = SB_OPT_INT64, .offset = OFF(template_seed), .min = 0,
     .max = (double)SB_GENERATE_SEED_MAX, .flags = SB_OPT_ENDPOINT},
};

const sb_opts_table_t sb_avatar_job_opts_table = {fields, sizeof fields / sizeof fields[0], &defaults};

/* Read by hand: the learned look, an object. */
static const char *const look_member[] = {"look", NULL};

sb_avatar_job_opts_t sb_avatar_job_opts_defaults(void)
{
    return defaults;
}

sb_err sb_avatar_job_opts_check(const sb_avatar_job_opts_t *o, sb_error_t *e)
{
    const sb_avatar_opts_t *a = &o->avatar;
    const sb_platform_t *pf;
    sb_avatar_style st;
    sb_background_kind bk;
    sb_palette_t pal;
    sb_err err = sb_platform_find(a->platform, &pf, e);
    if (!err && a->style && !o->template_prompt) /* a template style keeps its "template:<name>" */
        err = sb_style_parse(a->style, &st, e);
    if (!err && a->background)
        err = sb_background_parse(a->background, &bk, e);
    if (!err && a->palette)
        err = sb_palette_parse(a->palette, &pal, e);
    if (!err && a->variant && strcmp(a->variant, "hosoda") && strcmp(a->variant, "hayao"))
        err = sb_error_set(e, SB_ERR_USAGE, "variant", "variant must be hosoda or hayao, got '%.40s'", a->variant);
    if (!err)
        err = sb_opts_check_fields(&sb_avatar_job_opts_table, o, e);
    if (!err && a->keep_input && o->template_prompt)
        err = sb_error_set(e, SB_ERR_USAGE, "cache_input",
                           "cache_input is not available with a template style (send cache_input with another "
                           "style, then cache_id with the template)");
    return err;
}

json_t *sb_avatar_job_opts_to_json(const sb_avatar_job_opts_t *o)
{
    json_t *j = json_object();
    char *text = NULL;
    sb_error_t e;
    bool ok = j && !sb_opts_fields_to_json(&sb_avatar_job_opts_table, o, j, &e);
    if (ok && o->has_look)
        ok = !sb_look_to_json(&o->look, &text, &e) && !json_object_set_new(j, "look", json_loads(text, 0, NULL));
    free(text);
    if (!ok) {
        json_decref(j);
        return NULL;
    }
    return j;
}

sb_err sb_avatar_job_opts_from_json(const json_t *j, sb_avatar_job_opts_t *o, sb_error_t *e)
{
    *o = defaults;
    sb_err err = sb_opts_fields_from_json(&sb_avatar_job_opts_table, j, o, look_member, e);
    const json_t *look = err ? NULL : json_object_get(j, "look");
    if (look) {
        char *text = json_is_object(look) ? json_dumps(look, JSON_COMPACT) : NULL;
        if (text)
            err = sb_look_from_json(text, &o->look, e);
        else if (json_is_object(look))
            err = sb_error_set(e, SB_ERR_NOMEM, "look", "out of memory");
        else
            err = sb_error_set(e, SB_ERR_USAGE, "look", "look must be an object (a learned style)");
        if (err)
            snprintf(e->field, sizeof e->field, "look");
        o->has_look = !err;
        free(text);
    }
    return err ? err : sb_avatar_job_opts_check(o, e);
}
