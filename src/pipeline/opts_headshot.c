/* opts_headshot.c - the headshot's options type (opts.h): sb_headshot_opts_t as {"output_format", "size",
 * "quality"}. */
#include <stddef.h>

#include "pipeline/opts.h"

static const sb_headshot_opts_t defaults = {0};

static const sb_opt_field_t fields[] = {
    {.name = "output_format", .kind = SB_OPT_FORMAT, .offset = offsetof(sb_headshot_opts_t, format),
     .legacy = "format"},
    {.name = "size", .kind = SB_OPT_INT, .offset = offsetof(sb_headshot_opts_t, size), .min = 128, .max = 4096},
    {.name = "quality", .kind = SB_OPT_INT, .offset = offsetof(sb_headshot_opts_t, quality), .min = 1, .max = 100},
};

const sb_opts_table_t sb_headshot_opts_table = {fields, sizeof fields / sizeof fields[0], &defaults};

sb_headshot_opts_t sb_headshot_opts_defaults(void)
{
    return defaults;
}

sb_err sb_headshot_opts_check(const sb_headshot_opts_t *o, sb_error_t *e)
{
    return sb_opts_check_fields(&sb_headshot_opts_table, o, e);
}

json_t *sb_headshot_opts_to_json(const sb_headshot_opts_t *o)
{
    json_t *j = json_object();
    if (j && sb_opts_fields_to_json(&sb_headshot_opts_table, o, j, NULL)) {
        json_decref(j);
        return NULL;
    }
    return j;
}

sb_err sb_headshot_opts_from_json(const json_t *j, sb_headshot_opts_t *o, sb_error_t *e)
{
    *o = defaults;
    sb_err err = sb_opts_fields_from_json(&sb_headshot_opts_table, j, o, NULL, e);
    return err ? err : sb_headshot_opts_check(o, e);
}
