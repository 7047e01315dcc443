/* opts_portrait.c - the portrait's options type (opts.h): the generator's options under the names of
 * POST /api/generate-portrait (contract S2), and the template they came from. */
#include <stddef.h>

#include "pipeline/opts.h"

#define OFF(m) offsetof(sb_portrait_opts_t, m)

static const sb_portrait_opts_t defaults = {.gen = SB_GENERATE_OPTS_DEFAULT};

static const sb_opt_field_t fields[] = {
    {.name = "prompt", .kind = SB_OPT_STRING, .offset = OFF(gen.prompt)},
    {.name = "seed", .kind = SB_OPT_INT64, .offset = OFF(gen.seed), .min = 1, .max = (double)SB_GENERATE_SEED_MAX,
     .flags = SB_OPT_ENDPOINT},
    {.name = "sampleNumber", .kind = SB_OPT_INT, .offset = OFF(gen.samples), .min = 1, .max = SB_GENERATE_SAMPLES_MAX,
     .legacy = "samples"},
    {.name = "identityScale", .kind = SB_OPT_FLOAT, .offset = OFF(gen.identity), .min = 0, .max = 1,
     .legacy = "identity"},
    {.name = "outputImageWidth", .kind = SB_OPT_INT, .offset = OFF(gen.width), .min = SB_GENERATE_SIDE_MIN,
     .max = SB_GENERATE_SIDE_MAX, .legacy = "width"},
    {.name = "outputImageHeight", .kind = SB_OPT_INT, .offset = OFF(gen.height), .min = SB_GENERATE_SIDE_MIN,
     .max = SB_GENERATE_SIDE_MAX, .legacy = "height"},
    {.name = "template", .kind = SB_OPT_STRING, .offset = OFF(template_name), .flags = SB_OPT_ENDPOINT},
};

const sb_opts_table_t sb_portrait_opts_table = {fields, sizeof fields / sizeof fields[0], &defaults};

sb_portrait_opts_t sb_portrait_opts_defaults(void)
{
    return defaults;
}

sb_err sb_portrait_opts_check(const sb_portrait_opts_t *o, sb_error_t *e)
{
    int64_t seed = o->gen.seed;
    if (seed != -1 && (seed < 1 || seed > SB_GENERATE_SEED_MAX))
        return sb_error_set(e, SB_ERR_USAGE, "seed", "seed must be -1 (random) or an integer from 1 to %lld",
                            SB_GENERATE_SEED_MAX);
    sb_err err = sb_opts_check_fields(&sb_portrait_opts_table, o, e);
    if (!err && !o->gen.width != !o->gen.height)
        err = sb_error_set(e, SB_ERR_USAGE, o->gen.width ? "outputImageHeight" : "outputImageWidth",
                           "outputImageWidth and outputImageHeight go together: send both or neither");
    return err;
}

json_t *sb_portrait_opts_to_json(const sb_portrait_opts_t *o)
{
    json_t *j = json_object();
    if (j && sb_opts_fields_to_json(&sb_portrait_opts_table, o, j, NULL)) {
        json_decref(j);
        return NULL;
    }
    return j;
}

sb_err sb_portrait_opts_from_json(const json_t *j, sb_portrait_opts_t *o, sb_error_t *e)
{
    *o = defaults;
    sb_err err = sb_opts_fields_from_json(&sb_portrait_opts_table, j, o, NULL, e);
    return err ? err : sb_portrait_opts_check(o, e);
}
