/* test_store_jobs.c - jobs in the metadata store: create and get, idempotency keys and their expiry,
 * claims and leases (expiry, take-over, oldest first, the shared queue's attempt cap, retry later), reaping
 * and recovery after a crash, staged inputs, shared settings, the shared rate limit, webhook claims.
 *
 * With STROBE_TEST_PG set (a PostgreSQL admin URL) the same tests run on PostgreSQL, each in a fresh
 * database (tests/store_fixture.h); tests/integration/test_shared_stores.c runs this binary so. */
#include "store_fixture.h"

TestSuite(meta, .init = meta_setup, .fini = teardown);

/* ---- jobs: create, idempotency, get ---- */

Test(meta, job_create_and_get)
{
    make_key("key_a", 10);
    make_key("key_b", 10);
    sb_job_new_t n = job_new("job_1", "key_a");
    n.sync = true;
    n.callback_url = "https://example.com/hook";
    sb_job_t j = {0};
    bool existed = true;
    OK(sb_meta_job_create(meta, &n, &j, &existed, &e));
    cr_assert_not(existed);
    cr_assert_str_eq(j.id, "job_1");
    cr_assert_str_eq(j.key_id, "key_a");
    cr_assert_str_eq(j.pipeline, "headshot");
    cr_assert_eq(j.state, SB_JOB_QUEUED);
    cr_assert(j.sync);
    cr_assert_str_eq(j.spec, "{\"size\":800}");
    cr_assert_null(j.result);
    cr_assert_null(j.error);
    cr_assert_str_eq(j.callback_url, "https://example.com/hook");
    cr_assert_eq(j.attempts, 0);
    cr_assert_str_eq(j.lease_owner, "");
    cr_assert(j.created_at >= now_s() - 5 && j.created_at <= now_s());
    cr_assert_eq(j.started_at, 0);
    cr_assert_eq(j.finished_at, 0);
    cr_assert_eq(j.hook_state, SB_HOOK_NONE);
    sb_job_clear(&j);
    sb_job_clear(&j); /* safe twice */
    cr_assert_null(j.spec);

    OK(sb_meta_job_get(meta, "job_1", "key_a", &j, &e));
    cr_assert_str_eq(j.spec, "{\"size\":800}");
    sb_job_clear(&j);
    FAILS(sb_meta_job_get(meta, "job_1", "key_b", &j, &e), SB_ERR_NOT_FOUND);
    FAILS(sb_meta_job_get(meta, "job_nope", NULL, &j, &e), SB_ERR_NOT_FOUND);

    FAILS(sb_meta_job_create(meta, &n, NULL, NULL, &e), SB_ERR_CONFLICT);
    cr_assert_str_eq(e.field, "id");
    n = job_new("job_2", "key_nobody");
    FAILS(sb_meta_job_create(meta, &n, NULL, NULL, &e), SB_ERR_NOT_FOUND);
    n = job_new("job_3", "key_a");
    n.spec = NULL;
    FAILS(sb_meta_job_create(meta, &n, NULL, NULL, &e), SB_ERR_USAGE);
    n = job_new("job_3", "key_a");
    n.pipeline = "a-pipeline-name-that-is-far-too-long";
    FAILS(sb_meta_job_create(meta, &n, NULL, NULL, &e), SB_ERR_USAGE);
    n = job_new("job_3", "key_a");
    n.idem_key = "idem";
    FAILS(sb_meta_job_create(meta, &n, NULL, NULL, &e), SB_ERR_USAGE); /* an idem_key needs a request_hash */
}

Test(meta, idempotency_key_replays_or_conflicts)
{
    make_key("key_a", 10);
    make_key("key_b", 10);
    sb_job_new_t n = job_new("job_1", "key_a");
    n.idem_key = "idem-1";
    n.request_hash = "aaaa";
    bool existed;
    OK(sb_meta_job_create(meta, &n, NULL, &existed, &e));
    cr_assert_not(existed);

    /* the same request again, with a fresh job id: the first job comes back, nothing is made */
    n.id = "job_2";
    sb_job_t j = {0};
    OK(sb_meta_job_create(meta, &n, &j, &existed, &e));
    cr_assert(existed);
    cr_assert_str_eq(j.id, "job_1");
    cr_assert_str_eq(j.spec, "{\"size\":800}");
    sb_job_clear(&j);
    FAILS(sb_meta_job_get(meta, "job_2", NULL, &j, &e), SB_ERR_NOT_FOUND);

    /* another body under the same key */
    n.request_hash = "bbbb";
    existed = true;
    FAILS(sb_meta_job_create(meta, &n, &j, &existed, &e), SB_ERR_CONFLICT);
    cr_assert_str_eq(e.field, "Idempotency-Key");
    cr_assert_not(existed);
    FAILS(sb_meta_job_get(meta, "job_2", NULL, &j, &e), SB_ERR_NOT_FOUND);

    /* the same Idempotency-Key from another API key is another record */
    n.key_id = "key_b";
    OK(sb_meta_job_create(meta, &n, NULL, &existed, &e));
    cr_assert_not(existed);
    cr_assert_eq(raw_int("SELECT count(*) FROM jobs"), 2);
    cr_assert_eq(raw_int("SELECT count(*) FROM jobs WHERE id = 'job_1' AND idem_key = 'idem-1' AND "
                         "request_hash = 'aaaa'"),
                 1);
}

Test(meta, idempotency_records_expire_after_24h_and_are_purged)
{
    make_key("key_a", 10);
    sb_job_new_t n = job_new("job_1", "key_a");
    n.idem_key = "idem-1";
    n.request_hash = "aaaa";
    bool existed;
    OK(sb_meta_job_create(meta, &n, NULL, &existed, &e));

    /* 25 hours old: gone, even with another body, and the record now points at the new job */
    raw_sql("UPDATE idempotency SET created_at = created_at - 25 * 3600");
    n.id = "job_2";
    n.request_hash = "bbbb";
    OK(sb_meta_job_create(meta, &n, NULL, &existed, &e));
    cr_assert_not(existed);
    n.id = "job_3";
    sb_job_t j = {0};
    OK(sb_meta_job_create(meta, &n, &j, &existed, &e));
    cr_assert(existed);
    cr_assert_str_eq(j.id, "job_2");
    sb_job_clear(&j);

    /* 23 hours old: still live */
    raw_sql("UPDATE idempotency SET created_at = created_at - 23 * 3600");
    OK(sb_meta_job_create(meta, &n, NULL, &existed, &e));
    cr_assert(existed);

    OK(sb_meta_idem_purge(meta, now_s() - 24 * 3600, &e));
    cr_assert_eq(raw_int("SELECT count(*) FROM idempotency"), 1, "a record under 24 h old stays");
    OK(sb_meta_idem_purge(meta, now_s() + 1, &e));
    cr_assert_eq(raw_int("SELECT count(*) FROM idempotency"), 0);
    cr_assert_eq(raw_int("SELECT count(*) FROM jobs"), 2, "the jobs stay");
    OK(sb_meta_job_create(meta, &n, NULL, &existed, &e));
    cr_assert_not(existed);
    cr_assert_eq(job_state("job_3"), SB_JOB_QUEUED);
}

/* ---- jobs: leases ---- */

Test(meta, claim_leases_a_queued_job_once)
{
    make_key("key_a", 10);
    make_job("job_1", "key_a", NULL);
    OK(sb_meta_job_claim(meta, "job_1", "w1", 30, &e));
    sb_job_t j = get_job("job_1");
    cr_assert_eq(j.state, SB_JOB_PROCESSING);
    cr_assert_eq(j.attempts, 1);
    cr_assert_str_eq(j.lease_owner, "w1");
    cr_assert(j.lease_until >= now_s() + 25 && j.lease_until <= now_s() + 30, "%lld",
              (long long)j.lease_until);
    cr_assert(j.started_at >= now_s() - 5 && j.started_at <= now_s());
    sb_job_clear(&j);

    FAILS(sb_meta_job_claim(meta, "job_1", "w2", 30, &e), SB_ERR_CONFLICT);
    cr_assert(strstr(e.message, "w1"), "%s", e.message);
    FAILS(sb_meta_job_claim(meta, "job_1", "w1", 30, &e), SB_ERR_CONFLICT);
    FAILS(sb_meta_job_claim(meta, "job_nope", "w1", 30, &e), SB_ERR_NOT_FOUND);
    FAILS(sb_meta_job_claim(meta, "job_1", "w1", 0, &e), SB_ERR_USAGE);
    FAILS(sb_meta_job_claim(meta, "job_1", "", 30, &e), SB_ERR_USAGE);
    cr_assert_eq(get_key("key_a").credits, 10);

    OK(complete_simple("job_1", "w1", "f_1", 1));
    FAILS(sb_meta_job_claim(meta, "job_1", "w2", 30, &e),
          SB_ERR_CONFLICT); /* a finished job is not claimable */
    j = get_job("job_1");
    cr_assert_eq(j.attempts, 1);
    sb_job_clear(&j);
}

Test(meta, an_expired_lease_can_be_taken_over)
{
    make_key("key_a", 10);
    make_job("job_1", "key_a", NULL);
    OK(sb_meta_job_claim(meta, "job_1", "w1", 1, &e));
    int64_t started = job_fields("job_1").started_at;
    sb_job_t j = {0};
    FAILS(sb_meta_job_claim_next(meta, "w2", 30, 5, &j, &e), SB_ERR_NOT_FOUND); /* the lease is live */
    sleep(2);

    OK(sb_meta_job_claim_next(meta, "w2", 30, 5, &j, &e));
    cr_assert_str_eq(j.id, "job_1");
    cr_assert_eq(j.attempts, 2);
    cr_assert_str_eq(j.lease_owner, "w2");
    cr_assert_eq(j.started_at, started, "started_at is set by the first claim only");
    sb_job_clear(&j);

    FAILS(sb_meta_job_renew(meta, "job_1", "w1", 30, &e), SB_ERR_CONFLICT);
    FAILS(complete_simple("job_1", "w1", "f_1", 1), SB_ERR_CONFLICT);
    FAILS(sb_meta_job_fail(meta, "job_1", "w1", "{}", &e), SB_ERR_CONFLICT);
    cr_assert_eq(get_key("key_a").credits, 10);
    OK(complete_simple("job_1", "w2", "f_1", 1));
    cr_assert_eq(get_key("key_a").credits, 9);
}

Test(meta, claim_next_takes_the_oldest_first)
{
    make_key("key_a", 10);
    sb_job_t j = {0};
    FAILS(sb_meta_job_claim_next(meta, "w1", 30, 5, &j, &e), SB_ERR_NOT_FOUND);
    make_job("job_c", "key_a", NULL);
    make_job("job_a", "key_a", NULL);
    make_job("job_b", "key_a", NULL);
    /* an older job, made after the others */
    make_job("job_old", "key_a", NULL);
    raw_sql("UPDATE jobs SET created_at = created_at - 100 WHERE id = 'job_old'");
    const char *order[] = {"job_old", "job_c", "job_a", "job_b"};
    for (int i = 0; i < 4; i++) {
        OK(sb_meta_job_claim_next(meta, "w1", 30, 5, &j, &e));
        cr_assert_str_eq(j.id, order[i]);
        cr_assert_eq(j.state, SB_JOB_PROCESSING);
        cr_assert_str_eq(j.lease_owner, "w1");
        cr_assert_eq(j.attempts, 1);
        sb_job_clear(&j);
    }
    FAILS(sb_meta_job_claim_next(meta, "w1", 30, 5, &j, &e), SB_ERR_NOT_FOUND);
    FAILS(sb_meta_job_claim_next(meta, "w1", -1, 5, &j, &e), SB_ERR_USAGE);
}

Test(meta, claim_next_takes_only_shared_due_jobs_under_the_attempt_cap)
{
    make_key("key_a", 10);
    sb_job_new_t n = job_new("job_local", "key_a");
    n.shared = false;
    OK(sb_meta_job_create(meta, &n, NULL, NULL, &e));
    make_job("job_later", "key_a", NULL);
    raw_sql("UPDATE jobs SET not_before = 4000000000 WHERE id = 'job_later'");
    make_job("job_worn", "key_a", NULL);
    raw_sql("UPDATE jobs SET attempts = 2 WHERE id = 'job_worn'");
    sb_job_t j = {0};
    FAILS(sb_meta_job_claim_next(meta, "w1", 30, 2, &j, &e), SB_ERR_NOT_FOUND);
    OK(sb_meta_job_claim_next(meta, "w1", 30, 3, &j, &e));
    cr_assert_str_eq(j.id, "job_worn");
    cr_assert(j.shared);
    sb_job_clear(&j);
    FAILS(sb_meta_job_claim_next(meta, "w1", 30, 0, &j, &e), SB_ERR_USAGE);
    int64_t depth = -1;
    OK(sb_meta_job_queue_depth(meta, &depth, &e));
    cr_assert_eq(depth, 1, "job_later waits in the queue; job_local is not in it; got %lld", (long long)depth);
}

Test(meta, retry_later_gives_the_attempt_back_and_waits)
{
    make_key("key_a", 10);
    make_job("job_1", "key_a", NULL);
    sb_job_t j = {0};
    OK(sb_meta_job_claim_next(meta, "w1", 30, 2, &j, &e));
    sb_job_clear(&j);
    FAILS(sb_meta_job_retry_later(meta, "job_1", "w2", now_s() + 100, &e), SB_ERR_CONFLICT);
    OK(sb_meta_job_retry_later(meta, "job_1", "w1", now_s() + 100, &e));
    j = get_job("job_1");
    cr_assert_eq(j.state, SB_JOB_QUEUED);
    cr_assert_eq(j.attempts, 0);
    cr_assert_eq(j.retries, 1);
    cr_assert_str_eq(j.lease_owner, "");
    sb_job_clear(&j);
    FAILS(sb_meta_job_claim_next(meta, "w2", 30, 2, &j, &e), SB_ERR_NOT_FOUND); /* not before its time */
    raw_sql("UPDATE jobs SET not_before = 0");
    OK(sb_meta_job_claim_next(meta, "w2", 30, 2, &j, &e));
    cr_assert_eq(j.attempts, 1);
    sb_job_clear(&j);
    OK(complete_simple("job_1", "w2", "f_1", 1));
    cr_assert_eq(get_key("key_a").credits, 9);
}

Test(meta, reap_fails_crashed_shared_jobs_and_orphaned_sync_jobs)
{
    make_key("key_a", 10);
    make_job("job_crashed", "key_a", "https://example.com/hook");
    make_job("job_alive", "key_a", NULL);
    make_job("job_fresh", "key_a", NULL);
    sb_job_new_t n = job_new("job_sync", "key_a");
    n.shared = false;
    n.sync = true;
    OK(sb_meta_job_create(meta, &n, NULL, NULL, &e));
    OK(sb_meta_job_claim(meta, "job_crashed", "w1", 30, &e));
    OK(sb_meta_job_claim(meta, "job_alive", "w1", 30, &e));
    OK(sb_meta_job_claim(meta, "job_sync", "w1", 30, &e));
    raw_sql("UPDATE jobs SET lease_until = 1, attempts = 2 WHERE id = 'job_crashed'");
    raw_sql("UPDATE jobs SET lease_until = 1 WHERE id = 'job_sync'");
    int crashed = -1, lost = -1;
    FAILS(sb_meta_job_reap(meta, 0, "{}", "{}", &crashed, &lost, &e), SB_ERR_USAGE);
    OK(sb_meta_job_reap(meta, 2, "{\"code\":\"job_crashed\"}", "{\"code\":\"lost\"}", &crashed, &lost, &e));
    cr_assert_eq(crashed, 1);
    cr_assert_eq(lost, 1);
    sb_job_t j = get_job("job_crashed");
    cr_assert_eq(j.state, SB_JOB_FAILED);
    cr_assert_str_eq(j.error, "{\"code\":\"job_crashed\"}");
    cr_assert_eq(j.hook_state, SB_HOOK_PENDING);
    sb_job_clear(&j);
    j = get_job("job_sync");
    cr_assert_eq(j.state, SB_JOB_FAILED);
    cr_assert_str_eq(j.error, "{\"code\":\"lost\"}");
    sb_job_clear(&j);
    cr_assert_eq(job_state("job_alive"), SB_JOB_PROCESSING);
    cr_assert_eq(job_state("job_fresh"), SB_JOB_QUEUED);
    cr_assert_eq(get_key("key_a").credits, 10);
}

static bool collect_staged(const sb_job_t *j, void *ctx)
{
    strcat(ctx, j->id);
    strcat(ctx, ":");
    strcat(ctx, j->input_key);
    strcat(ctx, " ");
    return true;
}

Test(meta, staged_keys_live_until_unstaged)
{
    make_key("key_a", 10);
    char key[65];
    memset(key, 'a', 64);
    key[64] = '\0';
    sb_job_new_t n = job_new("job_1", "key_a");
    n.input_key = key;
    OK(sb_meta_job_create(meta, &n, NULL, NULL, &e));
    n = job_new("job_bad", "key_a");
    n.input_key = "abc";
    FAILS(sb_meta_job_create(meta, &n, NULL, NULL, &e), SB_ERR_USAGE);
    sb_job_t j = get_job("job_1");
    cr_assert_str_eq(j.input_key, key);
    sb_job_clear(&j);
    char seen[512] = "";
    OK(sb_meta_job_staged_ended(meta, 10, collect_staged, seen, &e));
    cr_assert_str_eq(seen, "", "a queued job's input is still needed");
    OK(sb_meta_job_fail(meta, "job_1", NULL, "{}", &e));
    OK(sb_meta_job_staged_ended(meta, 10, collect_staged, seen, &e));
    cr_assert(strstr(seen, "job_1:aaaa"), "%s", seen);
    OK(sb_meta_job_unstage(meta, "job_1", &e));
    seen[0] = '\0';
    OK(sb_meta_job_staged_ended(meta, 10, collect_staged, seen, &e));
    cr_assert_str_eq(seen, "");
    j = get_job("job_1");
    cr_assert_str_eq(j.input_key, "");
    sb_job_clear(&j);
}

Test(meta, a_setting_is_written_once_and_read_by_all)
{
    char v[80];
    OK(sb_meta_setting_ensure(meta, "url_secret", "first", v, sizeof v, &e));
    cr_assert_str_eq(v, "first");
    OK(sb_meta_setting_ensure(meta, "url_secret", "second", v, sizeof v, &e));
    cr_assert_str_eq(v, "first");
    FAILS(sb_meta_setting_ensure(meta, "", "x", v, sizeof v, &e), SB_ERR_USAGE);
}

Test(meta, the_shared_rate_limit_is_a_token_bucket)
{
    make_key("key_a", 10);
    bool allowed;
    int64_t tat, now = 1000000000000LL, interval = 100000; /* 10 per second, burst 3 */
    for (int i = 0; i < 3; i++) {
        OK(sb_meta_rate_take(meta, "key_a", now, interval, 3, &allowed, &tat, &e));
        cr_assert(allowed, "request %d of the burst", i);
        cr_assert_eq(tat, now + (i + 1) * interval);
    }
    OK(sb_meta_rate_take(meta, "key_a", now, interval, 3, &allowed, &tat, &e));
    cr_assert_not(allowed, "the fourth at once is over the burst");
    cr_assert_eq(tat, now + 3 * interval, "a refusal leaves the state alone");
    OK(sb_meta_rate_take(meta, "key_a", now + interval, interval, 3, &allowed, &tat, &e));
    cr_assert(allowed, "one interval later one token is back");
    OK(sb_meta_rate_take(meta, "key_b", now, interval, 3, &allowed, &tat, &e));
    cr_assert(allowed, "each key has its own bucket");
    OK(sb_meta_rate_take(meta, "key_a", now + 100 * interval, interval, 3, &allowed, &tat, &e));
    cr_assert_eq(tat, now + 101 * interval, "an idle bucket is full again, not over-full");
    FAILS(sb_meta_rate_take(meta, "key_a", now, 0, 3, &allowed, &tat, &e), SB_ERR_USAGE);
}

Test(meta, a_webhook_is_claimed_by_one_node)
{
    make_key("key_a", 10);
    make_job("job_1", "key_a", "https://example.com/1");
    OK(sb_meta_job_fail(meta, "job_1", NULL, "{}", &e));
    int64_t now = now_s();
    OK(sb_meta_hook_claim(meta, "job_1", now, 60, &e));
    FAILS(sb_meta_hook_claim(meta, "job_1", now, 60, &e), SB_ERR_CONFLICT);
    assert_due(now + 10, "");
    OK(sb_meta_hook_claim(meta, "job_1", now + 61, 60, &e)); /* the holder died: after the lease, another may */
    OK(sb_meta_hook_record(meta, "job_1", true, false, 0, &e));
    FAILS(sb_meta_hook_claim(meta, "job_1", now + 200, 60, &e), SB_ERR_CONFLICT);
}

Test(meta, renew_extends_the_owners_lease)
{
    make_key("key_a", 10);
    make_job("job_1", "key_a", NULL);
    FAILS(sb_meta_job_renew(meta, "job_1", "w1", 30, &e),
          SB_ERR_CONFLICT); /* a queued job is held by nobody */
    OK(sb_meta_job_claim(meta, "job_1", "w1", 5, &e));
    int64_t before = job_fields("job_1").lease_until;
    OK(sb_meta_job_renew(meta, "job_1", "w1", 600, &e));
    int64_t after = job_fields("job_1").lease_until;
    cr_assert(after >= before + 590, "%lld -> %lld", (long long)before, (long long)after);
    FAILS(sb_meta_job_renew(meta, "job_1", "w2", 600, &e), SB_ERR_CONFLICT);
    FAILS(sb_meta_job_renew(meta, "job_nope", "w1", 600, &e), SB_ERR_NOT_FOUND);
    cr_assert_eq(job_fields("job_1").lease_until, after);
}

Test(meta, requeue_all_puts_processing_jobs_back)
{
    make_key("key_a", 10);
    make_job("job_1", "key_a", NULL);
    make_job("job_2", "key_a", NULL);
    make_job("job_3", "key_a", NULL);
    make_job("job_4", "key_a", NULL);
    OK(sb_meta_job_claim(meta, "job_1", "w1", 600, &e));
    OK(sb_meta_job_claim(meta, "job_2", "w2", 600, &e));
    OK(sb_meta_job_claim(meta, "job_4", "w2", 600, &e));
    OK(complete_simple("job_4", "w2", "f_4", 1));
    int n = -1;
    OK(sb_meta_job_requeue_all(meta, &n, &e));
    cr_assert_eq(n, 2);
    for (int i = 1; i <= 3; i++) {
        char id[16];
        snprintf(id, sizeof id, "job_%d", i);
        sb_job_t j = get_job(id);
        cr_assert_eq(j.state, SB_JOB_QUEUED, "%s", id);
        cr_assert_str_eq(j.lease_owner, "");
        cr_assert_eq(j.attempts, i < 3 ? 1 : 0, "%s keeps its attempts", id);
        sb_job_clear(&j);
    }
    cr_assert_eq(job_state("job_4"), SB_JOB_COMPLETED);
    OK(sb_meta_job_requeue_all(meta, &n, &e));
    cr_assert_eq(n, 0);
}

/* Start-up recovery with an attempt cap: a processing job claimed max_attempts times is failed with the
 * given error (no charge, its webhook pending), one claimed fewer times is queued again, and queued and
 * finished jobs are left alone. */
Test(meta, recover_fails_jobs_at_the_attempt_cap_and_requeues_the_rest)
{
    make_key("key_a", 10);
    make_job("job_once", "key_a", NULL);
    make_job("job_twice", "key_a", "http://127.0.0.1:9/hook");
    make_job("job_queued", "key_a", NULL);
    make_job("job_done", "key_a", NULL);
    OK(sb_meta_job_claim(meta, "job_twice", "dead", 600, &e));
    OK(sb_meta_job_requeue_all(meta, NULL, &e));
    OK(sb_meta_job_claim(meta, "job_twice", "dead", 600, &e)); /* its second attempt */
    OK(sb_meta_job_claim(meta, "job_once", "dead", 600, &e));
    OK(sb_meta_job_claim(meta, "job_done", "w", 600, &e));
    OK(complete_simple("job_done", "w", "f_done", 1));
    int requeued = -1, crashed = -1;
    OK(sb_meta_job_recover(meta, 2, "{\"code\":\"job_crashed\"}", &requeued, &crashed, &e));
    cr_assert_eq(requeued, 1);
    cr_assert_eq(crashed, 1);

    sb_job_t j = get_job("job_twice");
    cr_assert_eq(j.state, SB_JOB_FAILED);
    cr_assert_eq(j.attempts, 2);
    cr_assert_str_eq(j.error, "{\"code\":\"job_crashed\"}");
    cr_assert_str_eq(j.lease_owner, "");
    cr_assert_gt(j.finished_at, 0);
    cr_assert_eq(j.hook_state, SB_HOOK_PENDING, "its webhook is told");
    sb_job_clear(&j);
    j = get_job("job_once");
    cr_assert_eq(j.state, SB_JOB_QUEUED);
    cr_assert_eq(j.attempts, 1);
    cr_assert_null(j.error);
    sb_job_clear(&j);
    cr_assert_eq(job_state("job_queued"), SB_JOB_QUEUED);
    cr_assert_eq(job_state("job_done"), SB_JOB_COMPLETED);
    sb_key_t k = get_key("key_a");
    cr_assert_eq(k.credits, 9, "only the completed job was charged");

    OK(sb_meta_job_recover(meta, 2, "{}", &requeued, &crashed, &e));
    cr_assert_eq(requeued, 0);
    cr_assert_eq(crashed, 0);
    FAILS(sb_meta_job_recover(meta, 0, "{}", NULL, NULL, &e), SB_ERR_USAGE);
    FAILS(sb_meta_job_recover(meta, 2, NULL, NULL, NULL, &e), SB_ERR_USAGE);
}

struct queued_ctx {
    char ids[256];
    int calls, stop_after;
};

/* Records the ids and claims each job: the store must allow calls from inside a callback. */
static bool claim_each_queued(const sb_job_t *j, void *ctx)
{
    struct queued_ctx *q = ctx;
    strcat(q->ids, j->id);
    strcat(q->ids, " ");
    sb_error_t ce = {0};
    cr_assert_eq(sb_meta_job_claim(meta, j->id, "w1", 30, &ce), SB_OK, "%s", ce.message);
    return ++q->calls < q->stop_after;
}

Test(meta, list_queued_oldest_first_and_callbacks_may_reenter)
{
    make_key("key_a", 10);
    make_job("job_1", "key_a", NULL);
    make_job("job_2", "key_a", NULL);
    make_job("job_3", "key_a", NULL);
    make_job("job_4", "key_a", NULL);
    OK(sb_meta_job_claim(meta, "job_2", "w1", 30, &e));
    struct queued_ctx q = {.stop_after = 2};
    OK(sb_meta_job_list_queued(meta, claim_each_queued, &q, &e));
    cr_assert_str_eq(q.ids, "job_1 job_3 ");
    q = (struct queued_ctx){.stop_after = 10};
    OK(sb_meta_job_list_queued(meta, claim_each_queued, &q, &e));
    cr_assert_str_eq(q.ids, "job_4 ");
    q = (struct queued_ctx){.stop_after = 10};
    OK(sb_meta_job_list_queued(meta, claim_each_queued, &q, &e));
    cr_assert_eq(q.calls, 0);
}
