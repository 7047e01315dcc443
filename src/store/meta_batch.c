/* meta_batch.c - the items of batch jobs, each completed (and charged) on its own. */
#include "store/meta_sql.h"

#include <stdlib.h>
#include <string.h>

void sb_batch_item_clear(sb_batch_item_t *it)
{
    if (!it)
        return;
    free(it->input);
    free(it->result);
    free(it->error);
    it->input = it->result = it->error = NULL;
}

static sb_err read_batch_item(const sb_sql_row_t *st, void *dst, sb_error_t *e)
{
    sb_batch_item_t *it = dst;
    memset(it, 0, sizeof *it);
    it->idx = sb_sql_int(st, 0);
    it->state = (sb_job_state)sb_sql_int(st, 1);
    sb_err err = sb_sql_dup_text(&it->input, st, 2, e);
    if (!err)
        err = sb_sql_dup_text(&it->result, st, 3, e);
    if (!err)
        err = sb_sql_dup_text(&it->error, st, 4, e);
    if (err)
        sb_batch_item_clear(it);
    return err;
}

sb_err sb_meta_batch_items_create(sb_meta_t *m, const char *job_id, int n, const char *const *inputs, sb_error_t *e)
{
    if (n < 1 || !inputs)
        return sb_error_set(e, SB_ERR_USAGE, "inputs", "a batch needs at least one item, not %d", n);
    for (int i = 0; i < n; i++)
        if (!inputs[i])
            return sb_error_set(e, SB_ERR_USAGE, "inputs", "batch item %d has no input", i);
    int64_t have = 0;
    sb_sql_lock(m);
    sb_err err = sb_sql_begin(m, e);
    if (!err)
        err = sb_sql_one_row(m, sb_sql_read_int64, &have, e, "SELECT count(*) FROM batch_items WHERE job_id = ?1", "t",
                             job_id);
    /* DO NOTHING: two nodes making the rows at once (the API node and the worker) both succeed. */
    for (int i = 0; !err && !have && i < n; i++) {
        err = sb_sql_exec(m, e, "INSERT INTO batch_items (job_id, idx, input) VALUES (?1, ?2, ?3) "
                                "ON CONFLICT (job_id, idx) DO NOTHING", "tit", job_id, i,
                          inputs[i]);
        if (err == SB_ERR_NOT_FOUND)
            sb_error_set(e, err, "", "no job '%s'", job_id);
    }
    if (!err)
        err = sb_sql_commit(m, e);
    return sb_sql_unlock(m, err);
}

/* Why item `idx` cannot be finished: NOT_FOUND, or CONFLICT naming its state. Called with the lock held. */
static sb_err item_conflict(sb_meta_t *m, const char *job_id, int idx, sb_error_t *e)
{
    int64_t state = 0;
    sb_err err = sb_sql_one_row(m, sb_sql_read_int64, &state, e,
                                "SELECT state FROM batch_items WHERE job_id = ?1 AND idx = ?2", "ti", job_id, idx);
    if (err == SB_ERR_NOT_FOUND)
        return sb_error_set(e, err, "", "job '%s' has no batch item %d", job_id, idx);
    if (!err)
        err = sb_error_set(e, SB_ERR_CONFLICT, "", "batch item %d of job '%s' is already %s", idx, job_id,
                           sb_job_state_name((sb_job_state)state));
    return err;
}

sb_err sb_meta_batch_item_complete(sb_meta_t *m, const char *job_id, int idx, const char *owner,
                                   const sb_output_t *outputs, int n_outputs, int64_t credits, const char *result,
                                   sb_error_t *e)
{
    sb_err err = sb_sql_check_complete(owner, credits, result, outputs, n_outputs, e);
    if (err)
        return err;
    int64_t now = sb_sql_now();
    sb_sql_lock(m);
    err = sb_sql_begin(m, e);
    /* The item first: a finished item must not be charged again, whatever else holds. */
    if (!err)
        err = sb_sql_exec(m, e,
                          "UPDATE batch_items SET state = 2, result = ?3 WHERE job_id = ?1 AND idx = ?2 AND state = 0",
                          "tit", job_id, idx, result);
    if (!err && sb_sql_changes(m) == 0)
        err = item_conflict(m, job_id, idx, e);
    if (!err)
        err = sb_sql_charge_and_record(m, job_id, owner, outputs, n_outputs, credits, now, e);
    if (!err)
        err = sb_sql_commit(m, e);
    return sb_sql_unlock(m, err);
}

sb_err sb_meta_batch_item_fail(sb_meta_t *m, const char *job_id, int idx, const char *error, sb_error_t *e)
{
    if (!error)
        return sb_error_set(e, SB_ERR_USAGE, "error", "a failed item needs an error");
    sb_sql_lock(m);
    sb_err err =
        sb_sql_exec(m, e, "UPDATE batch_items SET state = 3, error = ?3 WHERE job_id = ?1 AND idx = ?2 AND state = 0",
                    "tit", job_id, idx, error);
    if (!err && sb_sql_changes(m) == 0)
        err = item_conflict(m, job_id, idx, e);
    return sb_sql_unlock(m, err);
}

sb_err sb_meta_batch_items_list(sb_meta_t *m, const char *job_id, bool (*fn)(const sb_batch_item_t *it, void *ctx),
                                void *ctx, sb_error_t *e)
{
    void *items;
    size_t n;
    sb_sql_lock(m);
    sb_err err = sb_sql_unlock(m, sb_sql_all_rows(m, sizeof(sb_batch_item_t), read_batch_item, &items, &n, e,
                                                  "SELECT idx, state, input, result, error FROM batch_items "
                                                  "WHERE job_id = ?1 ORDER BY idx",
                                                  "t", job_id));
    sb_batch_item_t *it = items;
    bool go = !err;
    for (size_t i = 0; i < n; i++) {
        go = go && fn(&it[i], ctx);
        sb_batch_item_clear(&it[i]);
    }
    free(items);
    return err;
}
