/* meta_hooks.c - pending webhook deliveries (columns of the jobs table). */
#include "store/meta_sql.h"

sb_err sb_meta_hook_due(sb_meta_t *m, int64_t now, bool (*fn)(const sb_job_t *j, void *ctx), void *ctx, sb_error_t *e)
{
    void *items;
    size_t n;
    sb_sql_lock(m);
    sb_err err =
        sb_sql_unlock(m, sb_sql_all_rows(m, sizeof(sb_job_t), sb_sql_read_job, &items, &n, e,
                                         "SELECT " JOB_COLS " FROM jobs WHERE hook_state = 1 AND hook_next_at <= ?1 "
                                         "ORDER BY hook_next_at, rowid",
                                         "I", now));
    return sb_sql_each_job(fn, ctx, err, items, n);
}

sb_err sb_meta_hook_record(sb_meta_t *m, const char *job_id, bool delivered, bool give_up, int64_t next_at,
                           sb_error_t *e)
{
    sb_sql_lock(m);
    sb_err err = sb_sql_exec(m, e,
                             "UPDATE jobs SET hook_attempts = hook_attempts + 1, "
                             "hook_state = CASE WHEN ?2 = 1 THEN 2 WHEN ?3 = 1 THEN 3 ELSE 1 END, "
                             "hook_next_at = CASE WHEN ?2 = 1 OR ?3 = 1 THEN hook_next_at ELSE ?4 END "
                             "WHERE id = ?1 AND hook_state = 1",
                             "tiiI", job_id, (int)delivered, (int)give_up, next_at);
    if (!err && sb_sql_changes(m) == 0) {
        sb_job_t j = {0};
        err = sb_sql_load_job(m, job_id, &j, e);
        if (!err)
            err = sb_error_set(e, SB_ERR_CONFLICT, "", "job '%s' has no pending webhook", job_id);
        sb_job_clear(&j);
    }
    return sb_sql_unlock(m, err);
}

sb_err sb_meta_hook_claim(sb_meta_t *m, const char *job_id, int64_t now, int lease_s, sb_error_t *e)
{
    if (lease_s < 1)
        return sb_error_set(e, SB_ERR_USAGE, "lease_s", "a lease must last at least 1 s, not %d", lease_s);
    sb_sql_lock(m);
    /* Moving the due time past the lease is the lease: another node's dispatcher no longer sees it due. */
    sb_err err = sb_sql_exec(m, e,
                             "UPDATE jobs SET hook_next_at = ?2 + ?3 WHERE id = ?1 AND hook_state = 1 AND hook_next_at <= ?2",
                             "tIi", job_id, now, lease_s);
    if (!err && sb_sql_changes(m) == 0)
        err = sb_error_set(e, SB_ERR_CONFLICT, "", "the webhook of job '%s' is not due (delivered, or taken by another node)",
                           job_id);
    return sb_sql_unlock(m, err);
}
