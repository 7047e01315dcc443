/* meta_jobs.c - jobs: creation with idempotency, claims and leases, completion (the charge),
 * failure, recovery and counts. */
#include "store/meta_sql.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const state_names[SB_JOB__STATES] = {"queued", "processing", "completed", "failed"};

const char *sb_job_state_name(sb_job_state s)
{
    return ((int)s >= 0 && s < SB_JOB__STATES) ? state_names[s] : "unknown";
}

void sb_job_clear(sb_job_t *j)
{
    if (!j)
        return;
    free(j->spec);
    free(j->result);
    free(j->error);
    free(j->callback_url);
    j->spec = j->result = j->error = j->callback_url = NULL;
}

sb_err sb_sql_read_job(const sb_sql_row_t *st, void *dst, sb_error_t *e)
{
    sb_job_t *j = dst;
    memset(j, 0, sizeof *j);
    sb_sql_copy_text(j->id, sizeof j->id, st, 0);
    sb_sql_copy_text(j->key_id, sizeof j->key_id, st, 1);
    sb_sql_copy_text(j->pipeline, sizeof j->pipeline, st, 2);
    j->state = (sb_job_state)sb_sql_int(st, 3);
    j->sync = sb_sql_int(st, 4) != 0;
    sb_err err = sb_sql_dup_text(&j->spec, st, 5, e);
    if (!err)
        err = sb_sql_dup_text(&j->result, st, 6, e);
    if (!err)
        err = sb_sql_dup_text(&j->error, st, 7, e);
    if (!err)
        err = sb_sql_dup_text(&j->callback_url, st, 8, e);
    j->attempts = sb_sql_int(st, 9);
    sb_sql_copy_text(j->lease_owner, sizeof j->lease_owner, st, 10);
    j->lease_until = sb_sql_int64(st, 11);
    j->created_at = sb_sql_int64(st, 12);
    j->started_at = sb_sql_int64(st, 13);
    j->finished_at = sb_sql_int64(st, 14);
    j->hook_state = (sb_hook_state)sb_sql_int(st, 15);
    j->hook_attempts = sb_sql_int(st, 16);
    j->hook_next_at = sb_sql_int64(st, 17);
    j->shared = sb_sql_int(st, 18) != 0;
    j->not_before = sb_sql_int64(st, 19);
    j->retries = sb_sql_int(st, 20);
    sb_sql_copy_text(j->input_key, sizeof j->input_key, st, 21);
    if (err)
        sb_job_clear(j);
    return err;
}

sb_err sb_sql_load_job(sb_meta_t *m, const char *id, sb_job_t *out, sb_error_t *e)
{
    sb_err err = sb_sql_one_row(m, sb_sql_read_job, out, e, "SELECT " JOB_COLS " FROM jobs WHERE id = ?1", "t", id);
    if (err == SB_ERR_NOT_FOUND)
        sb_error_set(e, err, "", "no job '%s'", id);
    return err;
}

/* Read job `id` inside the open transaction, then commit: `out` (when not NULL) gets the job only when
 * the commit succeeded, and is left alone otherwise. */
sb_err sb_sql_finish_with_job(sb_meta_t *m, const char *id, sb_job_t *out, sb_error_t *e)
{
    sb_job_t j = {0};
    sb_err err = sb_sql_load_job(m, id, &j, e);
    if (!err)
        err = sb_sql_commit(m, e);
    if (!err && out)
        *out = j;
    else
        sb_job_clear(&j);
    return err;
}

/* Why job `id` cannot be claimed, renewed or finished: NOT_FOUND, or CONFLICT saying what holds it. */
sb_err sb_sql_job_conflict(sb_meta_t *m, const char *id, sb_error_t *e)
{
    sb_job_t j = {0};
    sb_err err = sb_sql_load_job(m, id, &j, e);
    if (err)
        return err;
    if (j.state == SB_JOB_PROCESSING)
        err = sb_error_set(e, SB_ERR_CONFLICT, "", "job '%s' is leased by '%s'", id, j.lease_owner);
    else
        err = sb_error_set(e, SB_ERR_CONFLICT, "", "job '%s' is %s", id, sb_job_state_name(j.state));
    sb_job_clear(&j);
    return err;
}

typedef struct {
    bool same_request;
    char job_id[SB_ID_MAX];
} idem_t;

static sb_err read_idem(const sb_sql_row_t *st, void *dst, sb_error_t *e)
{
    idem_t *r = dst;
    r->same_request = sb_sql_int(st, 0) != 0;
    sb_sql_copy_text(r->job_id, sizeof r->job_id, st, 1);
    return SB_OK;
}

/* The live job of (key, idempotency key) into `out`; SB_ERR_CONFLICT for another request hash,
 * SB_ERR_NOT_FOUND when there is none. A record older than the TTL counts as gone, whether or not the
 * purge has run. Called with the lock held. */
static sb_err find_idem(sb_meta_t *m, const char *key_id, const char *idem_key, const char *hash, int64_t now,
                        sb_job_t *out, sb_error_t *e)
{
    idem_t prev;
    sb_err err = sb_sql_one_row(m, read_idem, &prev, e,
                                "SELECT request_hash = ?3, job_id FROM idempotency "
                                "WHERE key_id = ?1 AND idem_key = ?2 AND created_at > ?4",
                                "tttI", key_id, idem_key, hash, now - IDEM_TTL_S);
    if (!err && !prev.same_request)
        err = sb_error_set(e, SB_ERR_CONFLICT, "Idempotency-Key",
                           "Idempotency-Key '%s' was already used with another request", idem_key);
    if (!err)
        err = sb_sql_finish_with_job(m, prev.job_id, out, e);
    return err;
}

sb_err sb_meta_idem_find(sb_meta_t *m, const char *key_id, const char *idem_key, const char *request_hash,
                         sb_job_t *out, sb_error_t *e)
{
    sb_sql_lock(m);
    sb_err err = sb_sql_begin(m, e);
    if (!err)
        err = find_idem(m, key_id, idem_key, request_hash, sb_sql_now(), out, e);
    return sb_sql_unlock(m, err);
}

sb_err sb_meta_job_create(sb_meta_t *m, const sb_job_new_t *n, sb_job_t *out, bool *existed, sb_error_t *e)
{
    if (n->input_key && strlen(n->input_key) != 64)
        return sb_error_set(e, SB_ERR_USAGE, "input_key", "a staged input's key must be 64 hex digits");
    if (existed)
        *existed = false;
    if (!sb_sql_fits(n->id, SB_ID_MAX))
        return sb_error_set(e, SB_ERR_USAGE, "id", "a job id must be 1 to %d bytes", SB_ID_MAX - 1);
    if (!sb_sql_fits(n->key_id, SB_ID_MAX))
        return sb_error_set(e, SB_ERR_USAGE, "key_id", "a key id must be 1 to %d bytes", SB_ID_MAX - 1);
    if (!sb_sql_fits(n->pipeline, sizeof out->pipeline))
        return sb_error_set(e, SB_ERR_USAGE, "pipeline", "a pipeline name must be 1 to %zu bytes",
                            sizeof out->pipeline - 1);
    if (!n->spec)
        return sb_error_set(e, SB_ERR_USAGE, "spec", "a job needs a spec");
    if (n->idem_key && (!*n->idem_key || !n->request_hash || !*n->request_hash))
        return sb_error_set(e, SB_ERR_USAGE, "Idempotency-Key",
                            "an idempotency key must be non-empty and come with a request hash");
    int64_t now = sb_sql_now();
    sb_sql_lock(m);
    sb_err err = sb_sql_begin(m, e);
    if (err)
        goto done;
    if (n->idem_key) {
        err = find_idem(m, n->key_id, n->idem_key, n->request_hash, now, out, e);
        if (!err && existed)
            *existed = true;
        if (err != SB_ERR_NOT_FOUND)
            goto done;
    }
    err = sb_sql_exec(m, e,
                      "INSERT INTO jobs (id, key_id, pipeline, sync, spec, callback_url, created_at, idem_key, "
                      "request_hash, queue, input_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                      "tttittIttit", n->id, n->key_id, n->pipeline, (int)n->sync, n->spec, n->callback_url, now,
                      n->idem_key, n->request_hash, (int)n->shared, n->input_key);
    if (err == SB_ERR_CONFLICT)
        sb_error_set(e, err, "id", "a job with id '%s' already exists", n->id);
    else if (err == SB_ERR_NOT_FOUND)
        sb_error_set(e, err, "key_id", "no key '%s'", n->key_id);
    /* REPLACE: any record still there for this key is past the TTL. */
    if (!err && n->idem_key)
        err = sb_sql_exec(m, e,
                          "INSERT INTO idempotency (key_id, idem_key, request_hash, job_id, created_at) "
                          "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (key_id, idem_key) DO UPDATE SET "
                          "request_hash = excluded.request_hash, job_id = excluded.job_id, "
                          "created_at = excluded.created_at",
                          "ttttI", n->key_id, n->idem_key, n->request_hash, n->id, now);
    /* Delivered to the listeners when the transaction commits (sb_meta_wait_jobs). */
    if (!err && n->shared && m->pg)
        err = sb_sql_exec(m, e, "NOTIFY strobe_jobs", "");
    if (!err)
        err = sb_sql_finish_with_job(m, n->id, out, e);
done:
    return sb_sql_unlock(m, err);
}

sb_err sb_meta_job_get(sb_meta_t *m, const char *id, const char *key_id, sb_job_t *out, sb_error_t *e)
{
    sb_sql_lock(m);
    sb_err err =
        sb_sql_one_row(m, sb_sql_read_job, out, e,
                       "SELECT " JOB_COLS " FROM jobs WHERE id = ?1 AND (?2 IS NULL OR key_id = ?2)", "tt", id, key_id);
    if (err == SB_ERR_NOT_FOUND)
        sb_error_set(e, err, "", "no job '%s'", id);
    return sb_sql_unlock(m, err);
}

sb_err sb_sql_check_lease(const char *owner, int lease_s, sb_error_t *e)
{
    if (!sb_sql_fits(owner, SB_ID_MAX))
        return sb_error_set(e, SB_ERR_USAGE, "owner", "a lease owner must be 1 to %d bytes", SB_ID_MAX - 1);
    if (lease_s <= 0)
        return sb_error_set(e, SB_ERR_USAGE, "lease_s", "a lease must last at least 1 s, not %d", lease_s);
    return SB_OK;
}

sb_err sb_sql_claim(sb_meta_t *m, const char *id, const char *owner, int lease_s, int64_t now, sb_error_t *e)
{
    sb_err err =
        sb_sql_exec(m, e,
                    "UPDATE jobs SET state = 1, attempts = attempts + 1, lease_owner = ?2, lease_until = ?3 + ?4, "
                    "started_at = CASE WHEN started_at = 0 THEN ?3 ELSE started_at END "
                    "WHERE id = ?1 AND (state = 0 OR (state = 1 AND lease_until < ?3))",
                    "ttIi", id, owner, now, lease_s);
    if (!err && sb_sql_changes(m) == 0)
        err = sb_sql_job_conflict(m, id, e);
    return err;
}

sb_err sb_meta_job_claim(sb_meta_t *m, const char *id, const char *owner, int lease_s, sb_error_t *e)
{
    sb_err err = sb_sql_check_lease(owner, lease_s, e);
    if (err)
        return err;
    sb_sql_lock(m);
    return sb_sql_unlock(m, sb_sql_claim(m, id, owner, lease_s, sb_sql_now(), e));
}

sb_err sb_meta_job_renew(sb_meta_t *m, const char *id, const char *owner, int lease_s, sb_error_t *e)
{
    sb_err err = sb_sql_check_lease(owner, lease_s, e);
    if (err)
        return err;
    sb_sql_lock(m);
    /* An expired lease nobody has taken over is still held: renewing it is safe. */
    err = sb_sql_exec(m, e, "UPDATE jobs SET lease_until = ?3 + ?4 WHERE id = ?1 AND state = 1 AND lease_owner = ?2",
                      "ttIi", id, owner, sb_sql_now(), lease_s);
    if (!err && sb_sql_changes(m) == 0)
        err = sb_sql_job_conflict(m, id, e);
    return sb_sql_unlock(m, err);
}

sb_err sb_meta_job_requeue_all(sb_meta_t *m, int *n, sb_error_t *e)
{
    sb_sql_lock(m);
    sb_err err = sb_sql_exec(m, e, "UPDATE jobs SET state = 0, lease_owner = '', lease_until = 0 WHERE state = 1", "");
    if (n)
        *n = err ? 0 : sb_sql_changes(m);
    return sb_sql_unlock(m, err);
}

sb_err sb_meta_job_recover(sb_meta_t *m, int max_attempts, const char *crashed_error, int *requeued, int *crashed,
                           sb_error_t *e)
{
    if (requeued)
        *requeued = 0;
    if (crashed)
        *crashed = 0;
    if (max_attempts < 1)
        return sb_error_set(e, SB_ERR_USAGE, "max_attempts", "max_attempts must be >= 1, not %d", max_attempts);
    if (!crashed_error)
        return sb_error_set(e, SB_ERR_USAGE, "error", "recovery needs the error of a crashed job");
    int64_t now = sb_sql_now();
    int failed = 0, queued = 0;
    sb_sql_lock(m);
    sb_err err = sb_sql_begin(m, e);
    /* Failed first, as sb_meta_job_fail fails a job (no charge, a pending webhook with a callback_url):
     * a job at the cap is never started again, whatever killed its runs. */
    if (!err)
        err = sb_sql_exec(m, e,
                          FAIL_JOB("?2", "?3")
                          "WHERE state = 1 AND attempts >= ?1",
                          "itI", max_attempts, crashed_error, now);
    if (!err) {
        failed = sb_sql_changes(m);
        err = sb_sql_exec(m, e, "UPDATE jobs SET state = 0, lease_owner = '', lease_until = 0 WHERE state = 1", "");
    }
    if (!err) {
        queued = sb_sql_changes(m);
        err = sb_sql_commit(m, e);
    }
    if (!err && requeued)
        *requeued = queued;
    if (!err && crashed)
        *crashed = failed;
    return sb_sql_unlock(m, err);
}

/* Call fn on each job until it returns false, then free them all. */
sb_err sb_sql_each_job(bool (*fn)(const sb_job_t *j, void *ctx), void *ctx, sb_err err, void *items, size_t n)
{
    sb_job_t *jobs = items;
    bool go = !err;
    for (size_t i = 0; i < n; i++) {
        go = go && fn(&jobs[i], ctx);
        sb_job_clear(&jobs[i]);
    }
    free(items);
    return err;
}

sb_err sb_meta_job_list_queued(sb_meta_t *m, bool (*fn)(const sb_job_t *j, void *ctx), void *ctx, sb_error_t *e)
{
    void *items;
    size_t n;
    sb_sql_lock(m);
    sb_err err = sb_sql_unlock(
        m, sb_sql_all_rows(m, sizeof(sb_job_t), sb_sql_read_job, &items, &n, e,
                           "SELECT " JOB_COLS " FROM jobs WHERE state = 0 ORDER BY created_at, rowid", ""));
    return sb_sql_each_job(fn, ctx, err, items, n);
}

typedef struct {
    char key_id[SB_ID_MAX];
    char pipeline[32];
    bool held;
} holder_t;

static sb_err read_holder(const sb_sql_row_t *st, void *dst, sb_error_t *e)
{
    holder_t *h = dst;
    sb_sql_copy_text(h->key_id, sizeof h->key_id, st, 0);
    sb_sql_copy_text(h->pipeline, sizeof h->pipeline, st, 1);
    h->held = sb_sql_int(st, 2) != 0;
    return SB_OK;
}

static sb_err check_outputs(const sb_output_t *outputs, int n_outputs, sb_error_t *e)
{
    if (n_outputs < 0 || (n_outputs > 0 && !outputs))
        return sb_error_set(e, SB_ERR_USAGE, "outputs", "bad output list (%d outputs)", n_outputs);
    for (int i = 0; i < n_outputs; i++) {
        if (!sb_sql_fits(outputs[i].file_id, SB_ID_MAX))
            return sb_error_set(e, SB_ERR_USAGE, "file_id", "a file id must be 1 to %d bytes", SB_ID_MAX - 1);
        if (!sb_sql_fits(outputs[i].ext, sizeof((sb_file_t *)0)->ext))
            return sb_error_set(e, SB_ERR_USAGE, "ext", "a file extension must be 1 to %zu bytes",
                                sizeof((sb_file_t *)0)->ext - 1);
        if (outputs[i].size < 0)
            return sb_error_set(e, SB_ERR_USAGE, "size", "a file size must be >= 0");
    }
    return SB_OK;
}

sb_err sb_sql_check_complete(const char *owner, int64_t credits, const char *result, const sb_output_t *outputs,
                             int n_outputs, sb_error_t *e)
{
    if (!owner)
        return sb_error_set(e, SB_ERR_USAGE, "owner", "completing a job needs its lease owner");
    if (credits < 0)
        return sb_error_set(e, SB_ERR_USAGE, "credits", "credits must be >= 0, not %lld", (long long)credits);
    if (!result)
        return sb_error_set(e, SB_ERR_USAGE, "result", "a completed job needs a result");
    return check_outputs(outputs, n_outputs, e);
}

/* The part of a completion a job and a batch item share, inside the caller's transaction: check that
 * `owner` holds job `id`, charge the key, add to usage, record the outputs as files of the job. */
sb_err sb_sql_charge_and_record(sb_meta_t *m, const char *id, const char *owner, const sb_output_t *outputs,
                                int n_outputs, int64_t credits, int64_t now, sb_error_t *e)
{
    holder_t h;
    sb_err err = sb_sql_one_row(m, read_holder, &h, e,
                                "SELECT key_id, pipeline, state = 1 AND lease_owner = ?2 FROM jobs WHERE id = ?1", "tt",
                                id, owner);
    if (err == SB_ERR_NOT_FOUND)
        sb_error_set(e, err, "", "no job '%s'", id);
    if (!err && !h.held)
        err = sb_sql_job_conflict(m, id, e);
    if (err)
        return err;
    err = sb_sql_exec(m, e, "UPDATE keys SET credits = credits - ?2, used = used + ?2 WHERE id = ?1 AND credits >= ?2",
                      "tI", h.key_id, credits);
    if (!err && sb_sql_changes(m) == 0)
        err = sb_error_set(e, SB_ERR_NO_CREDITS, "", "key '%s' has fewer than the %lld credits job '%s' costs",
                           h.key_id, (long long)credits, id);
    if (!err)
        err = sb_sql_exec(m, e,
                          "INSERT INTO usage (key_id, pipeline, outputs, credits) VALUES (?1, ?2, ?3, ?4) "
                          "ON CONFLICT (key_id, pipeline) DO UPDATE SET outputs = usage.outputs + excluded.outputs, "
                          "credits = usage.credits + excluded.credits",
                          "ttiI", h.key_id, h.pipeline, n_outputs, credits);
    for (int i = 0; !err && i < n_outputs; i++) {
        const sb_output_t *o = &outputs[i];
        err = sb_sql_exec(m, e,
                          "INSERT INTO files (id, key_id, job_id, ext, size, created_at, expires_at) "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                          "ttttIII", o->file_id, h.key_id, id, o->ext, o->size, now, o->expires_at);
        if (err == SB_ERR_CONFLICT)
            sb_error_set(e, err, "file_id", "a file with id '%s' already exists", o->file_id);
    }
    return err;
}

sb_err sb_meta_job_complete(sb_meta_t *m, const char *id, const char *owner, const sb_output_t *outputs, int n_outputs,
                            int64_t credits, const char *result, sb_error_t *e)
{
    sb_err err = sb_sql_check_complete(owner, credits, result, outputs, n_outputs, e);
    if (err)
        return err;
    int64_t now = sb_sql_now();
    sb_sql_lock(m);
    err = sb_sql_begin(m, e);
    if (!err)
        err = sb_sql_charge_and_record(m, id, owner, outputs, n_outputs, credits, now, e);
    if (!err)
        err =
            sb_sql_exec(m, e,
                        "UPDATE jobs SET state = 2, result = ?2, finished_at = ?3, lease_owner = '', lease_until = 0, "
                        "hook_state = CASE WHEN callback_url IS NULL THEN 0 ELSE 1 END, hook_next_at = ?3 "
                        "WHERE id = ?1",
                        "ttI", id, result, now);
    if (!err)
        err = sb_sql_commit(m, e);
    return sb_sql_unlock(m, err);
}

sb_err sb_meta_job_fail(sb_meta_t *m, const char *id, const char *owner, const char *error, sb_error_t *e)
{
    if (!error)
        return sb_error_set(e, SB_ERR_USAGE, "error", "a failed job needs an error");
    sb_sql_lock(m);
    /* Without an owner a queued job may be failed too: after requeue_all, recovery finds the jobs of a
     * dead process queued. */
    sb_err err =
        sb_sql_exec(m, e,
                    FAIL_JOB("?2", "?4")
                    "WHERE id = ?1 AND CASE WHEN ?3 IS NULL THEN state IN (0, 1) "
                    "ELSE state = 1 AND lease_owner = ?3 END",
                    "tttI", id, error, owner, sb_sql_now());
    if (!err && sb_sql_changes(m) == 0)
        err = sb_sql_job_conflict(m, id, e);
    return sb_sql_unlock(m, err);
}

typedef struct {
    int state;
    int64_t count;
} state_count_t;

static sb_err read_state_count(const sb_sql_row_t *st, void *dst, sb_error_t *e)
{
    state_count_t *c = dst;
    c->state = sb_sql_int(st, 0);
    c->count = sb_sql_int64(st, 1);
    return SB_OK;
}

sb_err sb_meta_job_counts(sb_meta_t *m, int64_t counts[SB_JOB__STATES], sb_error_t *e)
{
    void *items;
    size_t n;
    sb_sql_lock(m);
    sb_err err = sb_sql_unlock(m, sb_sql_all_rows(m, sizeof(state_count_t), read_state_count, &items, &n, e,
                                                  "SELECT state, count(*) FROM jobs GROUP BY state", ""));
    const state_count_t *c = items;
    for (int s = 0; s < SB_JOB__STATES; s++)
        counts[s] = 0;
    for (size_t i = 0; !err && i < n; i++)
        if (c[i].state >= 0 && c[i].state < SB_JOB__STATES)
            counts[c[i].state] = c[i].count;
    free(items);
    return err;
}
