/* meta_queue.c - the shared queue (jobs with queue = 1): claiming the next job, giving one back for a
 * later retry, reaping the jobs whose holder died, the staged-input keys, and waiting for new jobs
 * (PostgreSQL's LISTEN/NOTIFY, polling on SQLite). */
#include "store/meta_sql.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

bool sb_meta_shared(const sb_meta_t *m)
{
    return m->pg != NULL;
}

static sb_err read_id(const sb_sql_row_t *st, void *dst, sb_error_t *e)
{
    sb_sql_copy_text(dst, SB_ID_MAX, st, 0);
    return SB_OK;
}

sb_err sb_meta_job_claim_next(sb_meta_t *m, const char *owner, int lease_s, int max_attempts, sb_job_t *out,
                              sb_error_t *e)
{
    sb_err err = sb_sql_check_lease(owner, lease_s, e);
    if (err)
        return err;
    if (max_attempts < 1)
        return sb_error_set(e, SB_ERR_USAGE, "max_attempts", "max_attempts must be >= 1, not %d", max_attempts);
    int64_t now = sb_sql_now();
    char id[SB_ID_MAX];
    sb_sql_lock(m);
    err = sb_sql_begin(m, e);
    /* A job at max_attempts is left to sb_meta_job_reap, which fails it. SKIP LOCKED: on PostgreSQL another
     * node's claim in flight is passed over, not waited for (SQLite's BEGIN IMMEDIATE already made this
     * transaction the only writer). */
    if (!err)
        err = sb_sql_one_row(m, read_id, id, e,
                             m->pg ? "SELECT id FROM jobs WHERE queue = 1 AND not_before <= ?1 AND attempts < ?2 "
                                     "AND (state = 0 OR (state = 1 AND lease_until < ?1)) "
                                     "ORDER BY created_at, rowid LIMIT 1 FOR UPDATE SKIP LOCKED"
                                   : "SELECT id FROM jobs WHERE queue = 1 AND not_before <= ?1 AND attempts < ?2 "
                                     "AND (state = 0 OR (state = 1 AND lease_until < ?1)) "
                                     "ORDER BY created_at, rowid LIMIT 1",
                             "Ii", now, max_attempts);
    if (err == SB_ERR_NOT_FOUND)
        sb_error_set(e, err, "", "no job to claim");
    if (!err)
        err = sb_sql_claim(m, id, owner, lease_s, now, e);
    if (!err)
        err = sb_sql_finish_with_job(m, id, out, e);
    return sb_sql_unlock(m, err);
}

sb_err sb_meta_job_retry_later(sb_meta_t *m, const char *id, const char *owner, int64_t not_before, sb_error_t *e)
{
    sb_sql_lock(m);
    /* The run did not crash: it gives its attempt back, so only crashes count towards max_attempts. */
    sb_err err = sb_sql_exec(m, e,
                             "UPDATE jobs SET state = 0, lease_owner = '', lease_until = 0, not_before = ?3, "
                             "attempts = attempts - 1, retries = retries + 1 "
                             "WHERE id = ?1 AND state = 1 AND lease_owner = ?2",
                             "ttI", id, owner, not_before);
    if (!err && sb_sql_changes(m) == 0)
        err = sb_sql_job_conflict(m, id, e);
    return sb_sql_unlock(m, err);
}

sb_err sb_meta_job_reap(sb_meta_t *m, int max_attempts, const char *crashed_error, const char *lost_error,
                        int *crashed, int *lost, sb_error_t *e)
{
    *crashed = *lost = 0;
    if (max_attempts < 1 || !crashed_error || !lost_error)
        return sb_error_set(e, SB_ERR_USAGE, "max_attempts", "reaping needs max_attempts >= 1 and both errors");
    int64_t now = sb_sql_now();
    sb_sql_lock(m);
    sb_err err = sb_sql_begin(m, e);
    /* As sb_meta_job_fail fails a job: no charge, a pending webhook with a callback_url. */
    if (!err)
        err = sb_sql_exec(m, e,
                          FAIL_JOB("?2", "?3")
                          "WHERE queue = 1 AND attempts >= ?1 AND (state = 0 OR (state = 1 AND lease_until < ?3))",
                          "itI", max_attempts, crashed_error, now);
    if (!err) {
        *crashed = (int)sb_sql_changes(m);
        err = sb_sql_exec(m, e,
                          FAIL_JOB("?1", "?2")
                          "WHERE queue = 0 AND state = 1 AND lease_until < ?2",
                          "tI", lost_error, now);
    }
    if (!err) {
        *lost = (int)sb_sql_changes(m);
        err = sb_sql_commit(m, e);
    }
    if (err)
        *crashed = *lost = 0;
    return sb_sql_unlock(m, err);
}

sb_err sb_meta_job_staged_ended(sb_meta_t *m, int limit, bool (*fn)(const sb_job_t *j, void *ctx), void *ctx,
                                sb_error_t *e)
{
    void *items;
    size_t n;
    sb_sql_lock(m);
    sb_err err = sb_sql_unlock(m, sb_sql_all_rows(m, sizeof(sb_job_t), sb_sql_read_job, &items, &n, e,
                                                  "SELECT " JOB_COLS " FROM jobs WHERE input_key IS NOT NULL "
                                                  "AND state IN (2, 3) ORDER BY finished_at LIMIT ?1",
                                                  "i", limit));
    return sb_sql_each_job(fn, ctx, err, items, n);
}

sb_err sb_meta_job_unstage(sb_meta_t *m, const char *id, sb_error_t *e)
{
    sb_sql_lock(m);
    sb_err err = sb_sql_exec(m, e, "UPDATE jobs SET input_key = NULL WHERE id = ?1", "t", id);
    return sb_sql_unlock(m, err);
}

sb_err sb_meta_job_queue_depth(sb_meta_t *m, int64_t *out, sb_error_t *e)
{
    *out = 0;
    sb_sql_lock(m);
    sb_err err = sb_sql_one_row(m, sb_sql_read_int64, out, e, "SELECT count(*) FROM jobs WHERE queue = 1 AND state = 0",
                                "");
    return sb_sql_unlock(m, err);
}

bool sb_meta_wait_jobs(sb_meta_t *m, int timeout_ms)
{
    if (m->pg)
        return sb_sql_pg_wait(m, timeout_ms);
    struct timespec ts = {.tv_sec = timeout_ms / 1000, .tv_nsec = (long)(timeout_ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
    return false;
}
