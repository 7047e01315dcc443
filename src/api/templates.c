/* templates.c - the portrait template library: POST /v1/templates saves a named prompt + seed pair for the
 * key (the same name again replaces it), GET /v1/templates lists the built-ins (pipeline/templates.h,
 * read-only, "builtin": true) and the key's own, GET and DELETE /v1/templates/{name} read and remove one.
 * A key sees only its own templates: another key's name is the same 404 as an unknown one. Templates are
 * applied by POST /api/generate-portrait ("template") and the avatar's style "template:<name>"
 * (sb_api_template_find). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/input.h"
#include "pipeline/templates.h"
#include "render/style.h"
#include "strobe.h"

/* Templates one key may keep: plenty for a team's looks, a bound on what one key can store. */
#define SB_API_TEMPLATES_MAX 500

/* A description's length, at most, in bytes. */
#define DESCRIPTION_MAX 1000

/* Names are what a URL segment and a style "template:<name>" can carry without escaping. */
static bool valid_name(const char *s)
{
    size_t n = strlen(s);
    return n >= 1 && n < SB_TEMPLATE_NAME_MAX && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

static void copy_builtin(const sb_template_t *b, sb_key_template_t *out)
{
    memset(out, 0, sizeof *out);
    snprintf(out->name, sizeof out->name, "%s", b->name);
    snprintf(out->prompt, sizeof out->prompt, "%s", b->prompt);
    snprintf(out->description, sizeof out->description, "%s", b->description ? b->description : "");
    out->seed = b->seed;
}

sb_err sb_api_template_find(sb_api_ctx_t *c, const char *name, const char *field, sb_key_template_t *out,
                            sb_error_t *e)
{
    const sb_template_t *b = sb_template_builtin(name);
    if (b) {
        copy_builtin(b, out);
        return SB_OK;
    }
    sb_err err = valid_name(name) ? sb_meta_template_get(c->svc->meta, c->key.id, name, out, e) : SB_ERR_NOT_FOUND;
    if (err == SB_ERR_NOT_FOUND)
        return sb_error_set(e, SB_ERR_NOT_FOUND, field,
                            "no template '%.64s' for this API key (GET /v1/templates lists them)", name);
    return err;
}

/* The public JSON of a template (new reference). */
static json_t *template_json(const sb_key_template_t *t, bool builtin)
{
    json_t *o = json_pack("{s:s, s:s, s:I, s:s, s:b}", "name", t->name, "prompt", t->prompt, "seed",
                          (json_int_t)t->seed, "description", t->description, "builtin", builtin);
    if (!builtin) {
        json_object_set_new(o, "created_at", json_integer(t->created_at));
        json_object_set_new(o, "updated_at", json_integer(t->updated_at));
    }
    return o;
}

/* Read the prompt against the vocabulary with the template's seed: "ignored_terms" and the resolved
 * "style" join `o`. A prompt the vocabulary refuses (too long, not UTF-8) is its SB_ERR_USAGE. */
static sb_err add_style(const sb_key_template_t *t, json_t *o, sb_error_t *e)
{
    sb_style_t style;
    char **ignored = NULL;
    int n = 0;
    sb_err err = sb_style_from_prompt(t->prompt, (uint64_t)t->seed, &style, &ignored, &n, e);
    if (err)
        return err;
    json_t *terms = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(terms, json_string(ignored[i]));
    sb_style_ignored_free(ignored, n);
    json_object_set_new(o, "ignored_terms", terms);
    char *text = sb_style_to_json(&style);
    json_t *sj = text ? json_loads(text, 0, NULL) : NULL;
    free(text);
    if (!sj)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory");
    json_object_set_new(o, "style", sj);
    return SB_OK;
}

/* {name, prompt, seed, description?} from the body into *t, checked. */
static sb_err read_template(sb_api_ctx_t *c, const sb_api_input_t *in, sb_key_template_t *t, sb_error_t *e)
{
    const char *name = NULL, *prompt = NULL, *description = NULL;
    long seed = 0;
    sb_err err;
    if ((err = sb_api_input_string(c, in, "name", &name, e)) ||
        (err = sb_api_input_string(c, in, "prompt", &prompt, e)) ||
        (err = sb_api_input_string(c, in, "description", &description, e)) ||
        (err = sb_api_input_int(c, in, "seed", 1, SB_GENERATE_SEED_MAX, &seed, e)))
        return err;
    if (!name)
        return sb_error_set(e, SB_ERR_USAGE, "name", "name is required");
    if (!valid_name(name))
        return sb_error_set(e, SB_ERR_USAGE, "name", "name must be 1 to %d characters of a-z, 0-9 and '-', got '%.80s'",
                            SB_TEMPLATE_NAME_MAX - 1, name);
    if (sb_template_builtin(name))
        return sb_error_set(e, SB_ERR_EXISTS, "name",
                            "'%s' is a built-in template (read-only); choose another name", name);
    if (!prompt)
        return sb_error_set(e, SB_ERR_USAGE, "prompt", "prompt is required (a string)");
    if (!seed)
        return sb_error_set(e, SB_ERR_USAGE, "seed", "seed is required: an integer from 1 to %lld",
                            SB_GENERATE_SEED_MAX);
    if (description && strlen(description) > DESCRIPTION_MAX)
        return sb_error_set(e, SB_ERR_USAGE, "description", "description must be at most %d bytes", DESCRIPTION_MAX);
    if (strlen(prompt) >= sizeof t->prompt)
        return sb_error_set(e, SB_ERR_USAGE, "prompt", "prompt must be under %zu bytes", sizeof t->prompt);
    memset(t, 0, sizeof *t);
    snprintf(t->key_id, sizeof t->key_id, "%s", c->key.id);
    snprintf(t->name, sizeof t->name, "%s", name);
    snprintf(t->prompt, sizeof t->prompt, "%s", prompt);
    snprintf(t->description, sizeof t->description, "%s", description ? description : "");
    t->seed = seed;
    return SB_OK;
}

bool sb_api_template_create(sb_api_ctx_t *c)
{
    sb_api_input_t in = {0};
    sb_error_t e = {0};
    sb_key_template_t *t = malloc(sizeof *t);
    json_t *o = json_object();
    bool replaced = false;
    sb_err err = t ? sb_api_input_parse_json(c, "name, prompt and seed", &in, &e)
                   : sb_error_set(&e, SB_ERR_NOMEM, "", "out of memory");
    if (!err)
        err = read_template(c, &in, t, &e);
    /* The prompt is read before saving, so one the vocabulary refuses is never stored. */
    if (!err)
        err = add_style(t, o, &e);
    if (!err)
        err = sb_meta_template_put(c->svc->meta, t, SB_API_TEMPLATES_MAX, &replaced, &e);
    if (!err)
        err = sb_meta_template_get(c->svc->meta, c->key.id, t->name, t, &e);
    if (err) {
        sb_api_send_error(c, &e);
    } else {
        json_t *body = template_json(t, false);
        json_object_update(body, o);
        json_object_set_new(body, "replaced", json_boolean(replaced));
        char loc[128];
        snprintf(loc, sizeof loc, "Location: /v1/templates/%s", t->name);
        const char *extra[] = {loc, NULL};
        sb_api_send_json(c, replaced ? 200 : 201, body, extra);
    }
    json_decref(o);
    free(t);
    sb_api_input_free(&in);
    return false;
}

static bool append_template(const sb_key_template_t *t, void *ctx)
{
    json_array_append_new(ctx, template_json(t, false));
    return true;
}

bool sb_api_template_list(sb_api_ctx_t *c)
{
    sb_error_t e = {0};
    json_t *list = json_array();
    int n = 0;
    const sb_template_t *builtins = sb_template_builtins(&n);
    sb_key_template_t *t = malloc(sizeof *t);
    for (int i = 0; t && i < n; i++) {
        copy_builtin(&builtins[i], t);
        json_array_append_new(list, template_json(t, true));
    }
    sb_err err = t ? sb_meta_template_list(c->svc->meta, c->key.id, append_template, list, &e)
                   : sb_error_set(&e, SB_ERR_NOMEM, "", "out of memory");
    free(t);
    if (err) {
        json_decref(list);
        sb_api_send_error(c, &e);
        return false;
    }
    json_t *body = json_pack("{s:o, s:i, s:i, s:i}", "templates", list, "count", (int)json_array_size(list),
                             "builtin", n, "max_own", SB_API_TEMPLATES_MAX);
    sb_api_send_json(c, 200, body, NULL);
    return false;
}

bool sb_api_template_get(sb_api_ctx_t *c)
{
    sb_error_t e = {0};
    sb_key_template_t *t = malloc(sizeof *t);
    sb_err err = t ? sb_api_template_find(c, c->param, "name", t, &e)
                   : sb_error_set(&e, SB_ERR_NOMEM, "", "out of memory");
    json_t *body = err ? NULL : template_json(t, !t->key_id[0]);
    if (!err)
        err = add_style(t, body, &e);
    if (err) {
        json_decref(body);
        sb_api_send_error(c, &e);
    } else {
        sb_api_send_json(c, 200, body, NULL);
    }
    free(t);
    return false;
}

bool sb_api_template_delete(sb_api_ctx_t *c)
{
    sb_error_t e = {0};
    if (sb_template_builtin(c->param)) {
        sb_api_fail(c, SB_ERR_FORBIDDEN, "name", "'%s' is a built-in template and cannot be deleted", c->param);
        return false;
    }
    sb_err err = sb_meta_template_delete(c->svc->meta, c->key.id, c->param, &e);
    if (err == SB_ERR_NOT_FOUND)
        sb_api_fail(c, SB_ERR_NOT_FOUND, "name", "no template '%.64s' for this API key", c->param);
    else if (err)
        sb_api_send_error(c, &e);
    else
        sb_api_send_json(c, 200, json_pack("{s:s, s:b}", "name", c->param, "deleted", true), NULL);
    return false;
}
