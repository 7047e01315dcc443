/* meta_keys.c - API keys, their credits and their usage by pipeline. */
#include "store/meta_sql.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static sb_err read_key(const sb_sql_row_t *st, void *dst, sb_error_t *e)
{
    sb_key_t *k = dst;
    sb_sql_copy_text(k->id, sizeof k->id, st, 0);
    sb_sql_copy_text(k->name, sizeof k->name, st, 1);
    k->credits = sb_sql_int64(st, 2);
    k->used = sb_sql_int64(st, 3);
    k->created_at = sb_sql_int64(st, 4);
    k->revoked = sb_sql_int(st, 5) != 0;
    return SB_OK;
}

sb_err sb_meta_key_create(sb_meta_t *m, const char *id, const char *name, int64_t credits, const char *secret_hash,
                          sb_error_t *e)
{
    if (!sb_sql_fits(id, SB_ID_MAX))
        return sb_error_set(e, SB_ERR_USAGE, "id", "a key id must be 1 to %d bytes", SB_ID_MAX - 1);
    if (!name || strlen(name) >= SB_NAME_MAX)
        return sb_error_set(e, SB_ERR_USAGE, "name", "a key name must be under %d bytes", SB_NAME_MAX);
    if (!secret_hash || !*secret_hash)
        return sb_error_set(e, SB_ERR_USAGE, "secret_hash", "a key needs a secret hash");
    if (credits < 0)
        return sb_error_set(e, SB_ERR_USAGE, "credits", "credits must be >= 0, not %lld", (long long)credits);
    sb_sql_lock(m);
    sb_err err = sb_sql_exec(m, e,
                             "INSERT INTO keys (id, name, secret_hash, credits, used, created_at, revoked) "
                             "VALUES (?1, ?2, ?3, ?4, 0, ?5, 0)",
                             "tttII", id, name, secret_hash, credits, sb_sql_now());
    if (err == SB_ERR_CONFLICT)
        sb_error_set(e, err, "id", "a key with id '%s' or with this secret already exists", id);
    return sb_sql_unlock(m, err);
}

sb_err sb_meta_key_by_hash(sb_meta_t *m, const char *secret_hash, sb_key_t *out, sb_error_t *e)
{
    sb_sql_lock(m);
    sb_err err =
        sb_sql_one_row(m, read_key, out, e, "SELECT " KEY_COLS " FROM keys WHERE secret_hash = ?1", "t", secret_hash);
    if (err == SB_ERR_NOT_FOUND)
        sb_error_set(e, err, "", "no key has this secret");
    return sb_sql_unlock(m, err);
}

sb_err sb_meta_key_get(sb_meta_t *m, const char *id, sb_key_t *out, sb_error_t *e)
{
    sb_sql_lock(m);
    sb_err err = sb_sql_one_row(m, read_key, out, e, "SELECT " KEY_COLS " FROM keys WHERE id = ?1", "t", id);
    if (err == SB_ERR_NOT_FOUND)
        sb_error_set(e, err, "", "no key '%s'", id);
    return sb_sql_unlock(m, err);
}

sb_err sb_meta_key_add_credits(sb_meta_t *m, const char *id, int64_t delta, sb_error_t *e)
{
    int64_t credits = 0, sum;
    sb_sql_lock(m);
    sb_err err = sb_sql_begin(m, e);
    if (err)
        goto done;
    err = sb_sql_one_row(m, sb_sql_read_int64, &credits, e, "SELECT credits FROM keys WHERE id = ?1", "t", id);
    if (err == SB_ERR_NOT_FOUND)
        sb_error_set(e, err, "", "no key '%s'", id);
    if (err)
        goto done;
    /* In C, not SQL: SQLite turns an integer overflow into a REAL. */
    if (__builtin_add_overflow(credits, delta, &sum)) {
        err =
            sb_error_set(e, SB_ERR_USAGE, "credits", "adding %lld credits to key '%s' overflows", (long long)delta, id);
        goto done;
    }
    err = sb_sql_exec(m, e, "UPDATE keys SET credits = ?2 WHERE id = ?1", "tI", id, sum < 0 ? (int64_t)0 : sum);
    if (!err)
        err = sb_sql_commit(m, e);
done:
    return sb_sql_unlock(m, err);
}

sb_err sb_meta_key_revoke(sb_meta_t *m, const char *id, sb_error_t *e)
{
    sb_sql_lock(m);
    sb_err err = sb_sql_exec(m, e, "UPDATE keys SET revoked = 1 WHERE id = ?1", "t", id);
    if (!err && sb_sql_changes(m) == 0)
        err = sb_error_set(e, SB_ERR_NOT_FOUND, "", "no key '%s'", id);
    return sb_sql_unlock(m, err);
}

sb_err sb_meta_key_list(sb_meta_t *m, bool (*fn)(const sb_key_t *k, void *ctx), void *ctx, sb_error_t *e)
{
    void *items;
    size_t n;
    sb_sql_lock(m);
    sb_err err = sb_sql_unlock(m, sb_sql_all_rows(m, sizeof(sb_key_t), read_key, &items, &n, e,
                                                  "SELECT " KEY_COLS " FROM keys ORDER BY created_at, rowid", ""));
    const sb_key_t *keys = items;
    for (size_t i = 0; !err && i < n && fn(&keys[i], ctx); i++)
        ;
    free(items);
    return err;
}

sb_err sb_meta_key_count(sb_meta_t *m, int64_t *out, sb_error_t *e)
{
    sb_sql_lock(m);
    return sb_sql_unlock(m, sb_sql_one_row(m, sb_sql_read_int64, out, e, "SELECT count(*) FROM keys", ""));
}

static sb_err read_usage(const sb_sql_row_t *st, void *dst, sb_error_t *e)
{
    sb_usage_t *u = dst;
    sb_sql_copy_text(u->pipeline, sizeof u->pipeline, st, 0);
    u->outputs = sb_sql_int64(st, 1);
    u->credits = sb_sql_int64(st, 2);
    return SB_OK;
}

sb_err sb_meta_usage_list(sb_meta_t *m, const char *key_id, bool (*fn)(const sb_usage_t *u, void *ctx), void *ctx,
                          sb_error_t *e)
{
    void *items;
    size_t n;
    sb_sql_lock(m);
    sb_err err = sb_sql_unlock(m, sb_sql_all_rows(m, sizeof(sb_usage_t), read_usage, &items, &n, e,
                                                  "SELECT pipeline, outputs, credits FROM usage WHERE key_id = ?1 "
                                                  "ORDER BY pipeline",
                                                  "t", key_id));
    const sb_usage_t *usage = items;
    for (size_t i = 0; !err && i < n && fn(&usage[i], ctx); i++)
        ;
    free(items);
    return err;
}
