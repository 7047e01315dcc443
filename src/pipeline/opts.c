/* opts.c - the generic half of the options types (opts.h): a pipeline's table of fields read from JSON,
 * written to JSON and range-checked. */
#include "pipeline/opts.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

static size_t field_size(sb_opt_kind k)
{
    switch (k) {
    case SB_OPT_INT: return sizeof(int);
    case SB_OPT_INT64: return sizeof(int64_t);
    case SB_OPT_FLOAT: return sizeof(float);
    case SB_OPT_BOOL: return sizeof(bool);
    case SB_OPT_STRING: return sizeof(const char *);
    case SB_OPT_FORMAT: return sizeof(sb_format_t);
    case SB_OPT_ENUM: return sizeof(int);
    }
    return 0;
}

#define AT(opts, f) ((char *)(opts) + (f)->offset)
#define AT_CONST(opts, f) ((const char *)(opts) + (f)->offset)

bool sb_opt_is_set(const sb_opts_table_t *t, const sb_opt_field_t *f, const void *opts)
{
    return memcmp(AT_CONST(opts, f), AT_CONST(t->defaults, f), field_size(f->kind)) != 0;
}

const sb_opt_field_t *sb_opt_find(const sb_opts_table_t *t, const char *name)
{
    for (size_t i = 0; name && i < t->n; i++)
        if (!strcmp(t->fields[i].name, name))
            return &t->fields[i];
    return NULL;
}

static int64_t get_int(const sb_opt_field_t *f, const void *opts)
{
    if (f->kind == SB_OPT_INT64) {
        int64_t v;
        memcpy(&v, AT_CONST(opts, f), sizeof v);
        return v;
    }
    int v;
    memcpy(&v, AT_CONST(opts, f), sizeof v);
    return v;
}

static int enum_count(const sb_opt_field_t *f)
{
    int n = 0;
    while (f->names[n])
        n++;
    return n;
}

static bool format_ok(sb_format_t fmt)
{
    return fmt == SB_FMT_PNG || fmt == SB_FMT_JPEG || fmt == SB_FMT_WEBP;
}

sb_err sb_opts_check_fields(const sb_opts_table_t *t, const void *opts, sb_error_t *e)
{
    for (size_t i = 0; i < t->n; i++) {
        const sb_opt_field_t *f = &t->fields[i];
        if (!sb_opt_is_set(t, f, opts))
            continue;
        if (f->kind == SB_OPT_INT || f->kind == SB_OPT_INT64) {
            int64_t v = get_int(f, opts);
            if (v < (int64_t)f->min || v > (int64_t)f->max)
                return sb_error_set(e, SB_ERR_USAGE, f->name, "%s must be between %lld and %lld, got %lld", f->name,
                                    (long long)f->min, (long long)f->max, (long long)v);
        } else if (f->kind == SB_OPT_FLOAT) {
            float v;
            memcpy(&v, AT_CONST(opts, f), sizeof v);
            if (!(v >= f->min && v <= f->max))
                return sb_error_set(e, SB_ERR_USAGE, f->name, "%s must be between %g and %g, got %g", f->name, f->min,
                                    f->max, (double)v);
        } else if (f->kind == SB_OPT_FORMAT) {
            sb_format_t v;
            memcpy(&v, AT_CONST(opts, f), sizeof v);
            if (!format_ok(v))
                return sb_error_set(e, SB_ERR_USAGE, f->name, "%s must be png, jpeg or webp", f->name);
        } else if (f->kind == SB_OPT_ENUM) {
            int v;
            memcpy(&v, AT_CONST(opts, f), sizeof v);
            if (v < 0 || v >= enum_count(f))
                return sb_error_set(e, SB_ERR_USAGE, f->name, "%s is not one of its values (%d)", f->name, v);
        }
    }
    return SB_OK;
}

/* The JSON value of field `f` of `opts` (a new reference), or NULL when out of memory. */
static json_t *field_json(const sb_opt_field_t *f, const void *opts)
{
    const char *p = AT_CONST(opts, f);
    switch (f->kind) {
    case SB_OPT_INT:
    case SB_OPT_INT64: return json_integer((json_int_t)get_int(f, opts));
    case SB_OPT_FLOAT: {
        float v;
        memcpy(&v, p, sizeof v);
        return json_real((double)v);
    }
    case SB_OPT_BOOL: {
        bool v;
        memcpy(&v, p, sizeof v);
        return json_boolean(v);
    }
    case SB_OPT_STRING: {
        const char *v;
        memcpy(&v, p, sizeof v);
        return json_string(v);
    }
    case SB_OPT_FORMAT: {
        sb_format_t v;
        memcpy(&v, p, sizeof v);
        return json_string(sb_format_name(v));
    }
    case SB_OPT_ENUM: {
        int v;
        memcpy(&v, p, sizeof v);
        return v >= 0 && v < enum_count(f) ? json_string(f->names[v]) : NULL;
    }
    }
    return NULL;
}

sb_err sb_opts_fields_to_json(const sb_opts_table_t *t, const void *opts, json_t *out, sb_error_t *e)
{
    for (size_t i = 0; i < t->n; i++) {
        const sb_opt_field_t *f = &t->fields[i];
        if (sb_opt_is_set(t, f, opts) && json_object_set_new(out, f->name, field_json(f, opts)))
            return sb_error_set(e, SB_ERR_NOMEM, f->name, "out of memory writing %s", f->name);
    }
    return SB_OK;
}

sb_err sb_opt_read_name(const sb_opt_field_t *f, const char *s, void *opts, sb_error_t *e)
{
    char *p = AT(opts, f);
    if (f->kind == SB_OPT_FORMAT) {
        sb_format_t x = sb_format_parse(s);
        if (!format_ok(x))
            return sb_error_set(e, SB_ERR_USAGE, f->name, "%s must be png, jpeg or webp, got '%.40s'", f->name,
                                s ? s : "(not a string)");
        memcpy(p, &x, sizeof x);
        return SB_OK;
    }
    for (int i = 0; s && f->names[i]; i++)
        if (!strcmp(s, f->names[i])) {
            memcpy(p, &i, sizeof i);
            return SB_OK;
        }
    char all[160] = "";
    for (int i = 0; f->names[i]; i++)
        snprintf(all + strlen(all), sizeof all - strlen(all), "%s%s", i ? ", " : "", f->names[i]);
    return sb_error_set(e, SB_ERR_USAGE, f->name, "%s must be one of %s, got '%.40s'", f->name, all,
                        s ? s : "(not a string)");
}

/* Read the JSON value `v` of field `f` into `opts`; errors name `f->name`. */
static sb_err field_read(const sb_opt_field_t *f, const json_t *v, void *opts, sb_error_t *e)
{
    char *p = AT(opts, f);
    switch (f->kind) {
    case SB_OPT_INT:
    case SB_OPT_INT64: {
        if (!json_is_integer(v))
            return sb_error_set(e, SB_ERR_USAGE, f->name, "%s must be an integer", f->name);
        json_int_t n = json_integer_value(v);
        if (f->kind == SB_OPT_INT64) {
            int64_t x = (int64_t)n;
            memcpy(p, &x, sizeof x);
        } else {
            int x = n > INT_MAX ? INT_MAX : n < INT_MIN ? INT_MIN : (int)n; /* out of range either way */
            memcpy(p, &x, sizeof x);
        }
        return SB_OK;
    }
    case SB_OPT_FLOAT: {
        if (!json_is_number(v))
            return sb_error_set(e, SB_ERR_USAGE, f->name, "%s must be a number", f->name);
        float x = (float)json_number_value(v);
        memcpy(p, &x, sizeof x);
        return SB_OK;
    }
    case SB_OPT_BOOL: {
        if (!json_is_boolean(v))
            return sb_error_set(e, SB_ERR_USAGE, f->name, "%s must be true or false", f->name);
        bool x = json_is_true(v);
        memcpy(p, &x, sizeof x);
        return SB_OK;
    }
    case SB_OPT_STRING: {
        if (!json_is_string(v))
            return sb_error_set(e, SB_ERR_USAGE, f->name, "%s must be a string", f->name);
        const char *x = json_string_value(v);
        memcpy(p, &x, sizeof x);
        return SB_OK;
    }
    case SB_OPT_FORMAT:
    case SB_OPT_ENUM: return sb_opt_read_name(f, json_string_value(v), opts, e);
    }
    return sb_error_set(e, SB_ERR_INTERNAL, f->name, "unknown option kind");
}

/* Whether `key` is a member the reader knows: a field's public or legacy name, or one of `extra`. */
static bool known(const sb_opts_table_t *t, const char *key, const char *const *extra)
{
    for (size_t i = 0; i < t->n; i++)
        if (!strcmp(t->fields[i].name, key) || (t->fields[i].legacy && !strcmp(t->fields[i].legacy, key)))
            return true;
    for (int i = 0; extra && extra[i]; i++)
        if (!strcmp(extra[i], key))
            return true;
    return false;
}

sb_err sb_opts_fields_from_json(const sb_opts_table_t *t, const json_t *j, void *opts, const char *const *extra,
                                sb_error_t *e)
{
    if (!json_is_object(j))
        return sb_error_set(e, SB_ERR_USAGE, "", "the options must be a JSON object");
    const char *key;
    const json_t *v;
    json_object_foreach ((json_t *)j, key, v)
        if (!known(t, key, extra))
            return sb_error_set(e, SB_ERR_USAGE, key, "unknown option '%.40s'", key);
    for (size_t i = 0; i < t->n; i++) {
        const sb_opt_field_t *f = &t->fields[i];
        v = json_object_get(j, f->name);
        if (!v && f->legacy)
            v = json_object_get(j, f->legacy);
        sb_err err = v ? field_read(f, v, opts, e) : SB_OK;
        if (err)
            return err;
    }
    return SB_OK;
}
