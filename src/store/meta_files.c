/* meta_files.c - output files and their expiry, and the purge of old idempotency records. */
#include "store/meta_sql.h"

#include <stdlib.h>

static sb_err read_file(const sb_sql_row_t *st, void *dst, sb_error_t *e)
{
    sb_file_t *f = dst;
    sb_sql_copy_text(f->id, sizeof f->id, st, 0);
    sb_sql_copy_text(f->key_id, sizeof f->key_id, st, 1);
    sb_sql_copy_text(f->job_id, sizeof f->job_id, st, 2);
    sb_sql_copy_text(f->ext, sizeof f->ext, st, 3);
    f->size = sb_sql_int64(st, 4);
    f->created_at = sb_sql_int64(st, 5);
    f->expires_at = sb_sql_int64(st, 6);
    return SB_OK;
}

sb_err sb_meta_file_get(sb_meta_t *m, const char *id, sb_file_t *out, sb_error_t *e)
{
    sb_sql_lock(m);
    sb_err err = sb_sql_one_row(m, read_file, out, e, "SELECT " FILE_COLS " FROM files WHERE id = ?1", "t", id);
    if (err == SB_ERR_NOT_FOUND)
        sb_error_set(e, err, "", "no file '%s'", id);
    return sb_sql_unlock(m, err);
}

sb_err sb_meta_file_expired(sb_meta_t *m, int64_t now, int limit, bool (*fn)(const sb_file_t *f, void *ctx), void *ctx,
                            sb_error_t *e)
{
    if (limit <= 0)
        return sb_error_set(e, SB_ERR_USAGE, "limit", "limit must be > 0, not %d", limit);
    void *items;
    size_t n;
    sb_sql_lock(m);
    sb_err err = sb_sql_unlock(m, sb_sql_all_rows(m, sizeof(sb_file_t), read_file, &items, &n, e,
                                                  "SELECT " FILE_COLS " FROM files WHERE expires_at <= ?1 "
                                                  "ORDER BY expires_at, rowid LIMIT ?2",
                                                  "Ii", now, limit));
    const sb_file_t *files = items;
    for (size_t i = 0; !err && i < n && fn(&files[i], ctx); i++)
        ;
    free(items);
    return err;
}

sb_err sb_meta_file_delete(sb_meta_t *m, const char *id, sb_error_t *e)
{
    sb_sql_lock(m);
    sb_err err = sb_sql_exec(m, e, "DELETE FROM files WHERE id = ?1", "t", id);
    if (!err && sb_sql_changes(m) == 0)
        err = sb_error_set(e, SB_ERR_NOT_FOUND, "", "no file '%s'", id);
    return sb_sql_unlock(m, err);
}

sb_err sb_meta_idem_purge(sb_meta_t *m, int64_t before, sb_error_t *e)
{
    sb_sql_lock(m);
    return sb_sql_unlock(m, sb_sql_exec(m, e, "DELETE FROM idempotency WHERE created_at < ?1", "I", before));
}
