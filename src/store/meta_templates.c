/* meta_templates.c - the portrait templates of each key. */
#include "store/meta_sql.h"

#include <stdlib.h>
#include <string.h>

static sb_err read_template(const sb_sql_row_t *st, void *dst, sb_error_t *e)
{
    sb_key_template_t *t = dst;
    sb_sql_copy_text(t->key_id, sizeof t->key_id, st, 0);
    sb_sql_copy_text(t->name, sizeof t->name, st, 1);
    sb_sql_copy_text(t->prompt, sizeof t->prompt, st, 2);
    t->seed = sb_sql_int64(st, 3);
    sb_sql_copy_text(t->description, sizeof t->description, st, 4);
    t->created_at = sb_sql_int64(st, 5);
    t->updated_at = sb_sql_int64(st, 6);
    return SB_OK;
}

sb_err sb_meta_template_put(sb_meta_t *m, const sb_key_template_t *t, int max_per_key, bool *replaced, sb_error_t *e)
{
    if (!sb_sql_fits(t->name, SB_TEMPLATE_NAME_MAX))
        return sb_error_set(e, SB_ERR_USAGE, "name", "a template name must be 1 to %d bytes", SB_TEMPLATE_NAME_MAX - 1);
    if (strlen(t->prompt) >= sizeof t->prompt)
        return sb_error_set(e, SB_ERR_USAGE, "prompt", "a template prompt must be under %zu bytes", sizeof t->prompt);
    if (strlen(t->description) >= sizeof t->description)
        return sb_error_set(e, SB_ERR_USAGE, "description", "a template description must be under %zu bytes",
                            sizeof t->description);
    if (t->seed < 1)
        return sb_error_set(e, SB_ERR_USAGE, "seed", "a template seed must be >= 1, not %lld", (long long)t->seed);
    int64_t existing = 0, others = 0, now = sb_sql_now();
    sb_sql_lock(m);
    sb_err err = sb_sql_begin(m, e);
    if (!err)
        err =
            sb_sql_one_row(m, sb_sql_read_int64, &existing, e,
                           "SELECT count(*) FROM templates WHERE key_id = ?1 AND name = ?2", "tt", t->key_id, t->name);
    if (!err)
        err =
            sb_sql_one_row(m, sb_sql_read_int64, &others, e,
                           "SELECT count(*) FROM templates WHERE key_id = ?1 AND name != ?2", "tt", t->key_id, t->name);
    if (!err && others >= max_per_key)
        err =
            sb_error_set(e, SB_ERR_USAGE, "name",
                         "this API key has %lld templates, the most it may keep; delete one first", (long long)others);
    if (!err)
        err = sb_sql_exec(m, e,
                          "INSERT INTO templates (key_id, name, prompt, seed, description, created_at, updated_at) "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) ON CONFLICT (key_id, name) DO UPDATE SET "
                          "prompt = excluded.prompt, seed = excluded.seed, description = excluded.description, "
                          "updated_at = excluded.updated_at",
                          "tttItI", t->key_id, t->name, t->prompt, t->seed, t->description, now);
    if (err == SB_ERR_NOT_FOUND)
        sb_error_set(e, err, "", "no key '%s'", t->key_id);
    if (!err)
        err = sb_sql_commit(m, e);
    if (!err && replaced)
        *replaced = existing > 0;
    return sb_sql_unlock(m, err);
}

sb_err sb_meta_template_get(sb_meta_t *m, const char *key_id, const char *name, sb_key_template_t *out, sb_error_t *e)
{
    sb_sql_lock(m);
    sb_err err =
        sb_sql_one_row(m, read_template, out, e,
                       "SELECT " TEMPLATE_COLS " FROM templates WHERE key_id = ?1 AND name = ?2", "tt", key_id, name);
    if (err == SB_ERR_NOT_FOUND)
        sb_error_set(e, err, "", "no template '%.64s'", name);
    return sb_sql_unlock(m, err);
}

sb_err sb_meta_template_delete(sb_meta_t *m, const char *key_id, const char *name, sb_error_t *e)
{
    sb_sql_lock(m);
    sb_err err = sb_sql_exec(m, e, "DELETE FROM templates WHERE key_id = ?1 AND name = ?2", "tt", key_id, name);
    if (!err && sb_sql_changes(m) == 0)
        err = sb_error_set(e, SB_ERR_NOT_FOUND, "", "no template '%.64s'", name);
    return sb_sql_unlock(m, err);
}

sb_err sb_meta_template_list(sb_meta_t *m, const char *key_id, bool (*fn)(const sb_key_template_t *t, void *ctx),
                             void *ctx, sb_error_t *e)
{
    void *items;
    size_t n;
    sb_sql_lock(m);
    sb_err err = sb_sql_unlock(
        m, sb_sql_all_rows(m, sizeof(sb_key_template_t), read_template, &items, &n, e,
                           "SELECT " TEMPLATE_COLS " FROM templates WHERE key_id = ?1 ORDER BY name", "t", key_id));
    const sb_key_template_t *list = items;
    for (size_t i = 0; !err && i < n && fn(&list[i], ctx); i++)
        ;
    free(items);
    return err;
}
