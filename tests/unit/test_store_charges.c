/* test_store_charges.c - what the metadata store charges and records: complete-and-charge in one
 * transaction (rolled back on too few credits, a late failure or another owner), failures uncharged,
 * counts by state, webhooks due until delivered or given up, expired output files, batch items charged
 * once, four threads claiming and charging on one handle.
 *
 * With STROBE_TEST_PG set (a PostgreSQL admin URL) the same tests run on PostgreSQL, each in a fresh
 * database (tests/store_fixture.h); tests/integration/test_shared_stores.c runs this binary so. */
#include "store_fixture.h"

TestSuite(meta, .init = meta_setup, .fini = teardown);

/* ---- jobs: complete and fail ---- */

static bool collect_usage(const sb_usage_t *u, void *ctx)
{
    char *s = ctx;
    char line[96];
    snprintf(line, sizeof line, "%s:%lld:%lld ", u->pipeline, (long long)u->outputs, (long long)u->credits);
    strcat(s, line);
    return true;
}

Test(meta, complete_charges_records_files_and_usage_in_one_go)
{
    make_key("key_a", 10);
    make_job("job_1", "key_a", "https://example.com/hook");
    make_job("job_2", "key_a", NULL);
    OK(sb_meta_job_claim(meta, "job_1", "w1", 30, &e));
    int64_t exp = now_s() + 86400;
    sb_output_t outs[2] = {{"f_1", "png", 1000, exp}, {"f_2", "webp", 2000, exp + 1}};
    OK(sb_meta_job_complete(meta, "job_1", "w1", outs, 2, 3, "{\"outputs\":2}", &e));

    sb_key_t k = get_key("key_a");
    cr_assert_eq(k.credits, 7);
    cr_assert_eq(k.used, 3);
    sb_job_t j = get_job("job_1");
    cr_assert_eq(j.state, SB_JOB_COMPLETED);
    cr_assert_str_eq(j.result, "{\"outputs\":2}");
    cr_assert_null(j.error);
    cr_assert_str_eq(j.lease_owner, "");
    cr_assert(j.finished_at >= now_s() - 5 && j.finished_at <= now_s());
    cr_assert_eq(j.hook_state, SB_HOOK_PENDING);
    cr_assert(j.hook_next_at <= now_s());
    cr_assert_eq(j.hook_attempts, 0);
    sb_job_clear(&j);

    sb_file_t f;
    OK(sb_meta_file_get(meta, "f_2", &f, &e));
    cr_assert_str_eq(f.id, "f_2");
    cr_assert_str_eq(f.key_id, "key_a");
    cr_assert_str_eq(f.job_id, "job_1");
    cr_assert_str_eq(f.ext, "webp");
    cr_assert_eq(f.size, 2000);
    cr_assert_eq(f.expires_at, exp + 1);
    cr_assert(f.created_at >= now_s() - 5 && f.created_at <= now_s());
    OK(sb_meta_file_get(meta, "f_1", &f, &e));
    cr_assert_eq(f.size, 1000);
    FAILS(sb_meta_file_get(meta, "f_3", &f, &e), SB_ERR_NOT_FOUND);

    OK(sb_meta_job_claim(meta, "job_2", "w1", 30, &e));
    OK(complete_simple("job_2", "w1", "f_3", 2));
    cr_assert_eq(job_state("job_2"), SB_JOB_COMPLETED);
    j = get_job("job_2");
    cr_assert_eq(j.hook_state, SB_HOOK_NONE, "no callback_url, no webhook");
    sb_job_clear(&j);
    char usage[256] = "";
    OK(sb_meta_usage_list(meta, "key_a", collect_usage, usage, &e));
    cr_assert_str_eq(usage, "headshot:3:5 ");
    cr_assert_eq(get_key("key_a").credits, 5);
    cr_assert_eq(get_key("key_a").used, 5);
    FAILS(complete_simple("job_2", "w1", "f_4", 1), SB_ERR_CONFLICT); /* completed twice */
    cr_assert_eq(get_key("key_a").credits, 5);
}

/* Everything the store holds about key_a and job_1, to compare before and after a refused complete. */
static void assert_nothing_changed(int64_t credits)
{
    sb_key_t k = get_key("key_a");
    cr_assert_eq(k.credits, credits);
    cr_assert_eq(k.used, 0);
    sb_job_t j = get_job("job_1");
    cr_assert_eq(j.state, SB_JOB_PROCESSING);
    cr_assert_str_eq(j.lease_owner, "w1");
    cr_assert_null(j.result);
    cr_assert_eq(j.finished_at, 0);
    cr_assert_eq(j.hook_state, SB_HOOK_NONE);
    sb_job_clear(&j);
    sb_file_t f;
    FAILS(sb_meta_file_get(meta, "f_1", &f, &e), SB_ERR_NOT_FOUND);
    cr_assert_eq(raw_int("SELECT count(*) FROM files"), 0);
    cr_assert_eq(raw_int("SELECT count(*) FROM usage"), 0);
}

Test(meta, complete_with_too_few_credits_changes_nothing)
{
    make_key("key_a", 2);
    make_job("job_1", "key_a", "https://example.com/hook");
    OK(sb_meta_job_claim(meta, "job_1", "w1", 30, &e));
    sb_output_t outs[2] = {{"f_1", "png", 10, now_s() + 60}, {"f_2", "png", 10, now_s() + 60}};
    FAILS(sb_meta_job_complete(meta, "job_1", "w1", outs, 2, 3, "{}", &e), SB_ERR_NO_CREDITS);
    assert_nothing_changed(2);
    /* still held, so it can still be finished */
    OK(sb_meta_job_complete(meta, "job_1", "w1", outs, 2, 2, "{}", &e));
    cr_assert_eq(get_key("key_a").credits, 0);
    cr_assert_eq(get_key("key_a").used, 2);
}

Test(meta, complete_that_fails_late_rolls_back_the_charge)
{
    make_key("key_a", 10);
    make_job("job_1", "key_a", NULL);
    OK(sb_meta_job_claim(meta, "job_1", "w1", 30, &e));
    /* the second output's id repeats the first: the insert fails after the key was charged */
    sb_output_t outs[2] = {{"f_1", "png", 10, now_s() + 60}, {"f_1", "png", 10, now_s() + 60}};
    FAILS(sb_meta_job_complete(meta, "job_1", "w1", outs, 2, 4, "{}", &e), SB_ERR_CONFLICT);
    cr_assert_str_eq(e.field, "file_id");
    assert_nothing_changed(10);
}

Test(meta, complete_by_another_owner_is_a_conflict)
{
    make_key("key_a", 10);
    make_job("job_1", "key_a", NULL);
    make_job("job_2", "key_a", NULL);
    FAILS(complete_simple("job_1", "w1", "f_1", 1), SB_ERR_CONFLICT); /* a queued job */
    OK(sb_meta_job_claim(meta, "job_1", "w1", 30, &e));
    FAILS(complete_simple("job_1", "w2", "f_1", 1), SB_ERR_CONFLICT);
    FAILS(complete_simple("job_nope", "w1", "f_1", 1), SB_ERR_NOT_FOUND);
    FAILS(sb_meta_job_complete(meta, "job_1", "w1", NULL, 1, 1, "{}", &e), SB_ERR_USAGE);
    FAILS(sb_meta_job_complete(meta, "job_1", "w1", NULL, 0, -1, "{}", &e), SB_ERR_USAGE);
    assert_nothing_changed(10);
    /* no outputs and no charge is a valid completion */
    OK(sb_meta_job_complete(meta, "job_1", "w1", NULL, 0, 0, "{}", &e));
    cr_assert_eq(job_state("job_1"), SB_JOB_COMPLETED);
}

Test(meta, fail_records_the_error_without_a_charge)
{
    make_key("key_a", 10);
    make_job("job_1", "key_a", "https://example.com/hook");
    make_job("job_2", "key_a", NULL);
    make_job("job_3", "key_a", NULL);
    OK(sb_meta_job_claim(meta, "job_1", "w1", 30, &e));
    FAILS(sb_meta_job_fail(meta, "job_1", "w2", "{}", &e), SB_ERR_CONFLICT);
    const char *err_json = "{\"code\":\"no_face\",\"message\":\"no face found\",\"field\":\"image\"}";
    OK(sb_meta_job_fail(meta, "job_1", "w1", err_json, &e));
    sb_job_t j = get_job("job_1");
    cr_assert_eq(j.state, SB_JOB_FAILED);
    cr_assert_str_eq(j.error, err_json);
    cr_assert_null(j.result);
    cr_assert_str_eq(j.lease_owner, "");
    cr_assert(j.finished_at >= now_s() - 5);
    cr_assert_eq(j.hook_state, SB_HOOK_PENDING);
    sb_job_clear(&j);
    FAILS(sb_meta_job_fail(meta, "job_1", "w1", "{}", &e), SB_ERR_CONFLICT); /* failed twice */
    FAILS(sb_meta_job_fail(meta, "job_1", NULL, "{}", &e), SB_ERR_CONFLICT); /* a finished job */

    /* owner NULL: recovery fails a queued or a processing job, whoever holds it */
    OK(sb_meta_job_fail(meta, "job_2", NULL, "{}", &e));
    OK(sb_meta_job_claim(meta, "job_3", "w9", 30, &e));
    OK(sb_meta_job_fail(meta, "job_3", NULL, "{}", &e));
    cr_assert_eq(job_state("job_2"), SB_JOB_FAILED);
    cr_assert_eq(job_state("job_3"), SB_JOB_FAILED);
    j = get_job("job_3");
    cr_assert_eq(j.hook_state, SB_HOOK_NONE);
    sb_job_clear(&j);
    FAILS(sb_meta_job_fail(meta, "job_nope", NULL, "{}", &e), SB_ERR_NOT_FOUND);
    sb_key_t k = get_key("key_a");
    cr_assert_eq(k.credits, 10);
    cr_assert_eq(k.used, 0);
}

Test(meta, counts_by_state)
{
    int64_t c[SB_JOB__STATES] = {-1, -1, -1, -1};
    OK(sb_meta_job_counts(meta, c, &e));
    cr_assert(c[0] == 0 && c[1] == 0 && c[2] == 0 && c[3] == 0);
    make_key("key_a", 10);
    for (int i = 0; i < 6; i++) {
        char id[16];
        snprintf(id, sizeof id, "job_%d", i);
        make_job(id, "key_a", NULL);
    }
    OK(sb_meta_job_claim(meta, "job_1", "w", 30, &e));
    OK(sb_meta_job_claim(meta, "job_2", "w", 30, &e));
    OK(complete_simple("job_2", "w", "f_2", 1));
    OK(sb_meta_job_fail(meta, "job_3", NULL, "{}", &e));
    OK(sb_meta_job_fail(meta, "job_4", NULL, "{}", &e));
    OK(sb_meta_job_counts(meta, c, &e));
    cr_assert_eq(c[SB_JOB_QUEUED], 2);
    cr_assert_eq(c[SB_JOB_PROCESSING], 1);
    cr_assert_eq(c[SB_JOB_COMPLETED], 1);
    cr_assert_eq(c[SB_JOB_FAILED], 2);
    cr_assert_str_eq(sb_job_state_name(SB_JOB_QUEUED), "queued");
    cr_assert_str_eq(sb_job_state_name(SB_JOB_PROCESSING), "processing");
    cr_assert_str_eq(sb_job_state_name(SB_JOB_COMPLETED), "completed");
    cr_assert_str_eq(sb_job_state_name(SB_JOB_FAILED), "failed");
    cr_assert_str_eq(sb_job_state_name(SB_JOB__STATES), "unknown");
}

/* ---- webhooks ---- */

Test(meta, webhooks_are_due_until_delivered_or_given_up)
{
    make_key("key_a", 10);
    make_job("job_1", "key_a", "https://example.com/1");
    make_job("job_2", "key_a", "https://example.com/2");
    make_job("job_3", "key_a", "https://example.com/3");
    make_job("job_4", "key_a", NULL);
    int64_t now = now_s();
    assert_due(now + 10, "");
    OK(sb_meta_job_claim(meta, "job_1", "w", 30, &e));
    OK(complete_simple("job_1", "w", "f_1", 1));
    OK(sb_meta_job_fail(meta, "job_2", NULL, "{}", &e));
    OK(sb_meta_job_fail(meta, "job_3", NULL, "{}", &e));
    OK(sb_meta_job_fail(meta, "job_4", NULL, "{}", &e));
    assert_due(now - 100, "");
    assert_due(now + 10, "job_1 job_2 job_3 ");

    OK(sb_meta_hook_record(meta, "job_1", true, false, 0, &e));
    OK(sb_meta_hook_record(meta, "job_2", false, false, now + 60, &e));
    OK(sb_meta_hook_record(meta, "job_3", false, true, 0, &e));
    assert_due(now + 10, "");
    assert_due(now + 60, "job_2 ");

    sb_job_t j = get_job("job_1");
    cr_assert_eq(j.hook_state, SB_HOOK_DELIVERED);
    cr_assert_eq(j.hook_attempts, 1);
    sb_job_clear(&j);
    j = get_job("job_2");
    cr_assert_eq(j.hook_state, SB_HOOK_PENDING);
    cr_assert_eq(j.hook_attempts, 1);
    cr_assert_eq(j.hook_next_at, now + 60);
    sb_job_clear(&j);
    j = get_job("job_3");
    cr_assert_eq(j.hook_state, SB_HOOK_FAILED);
    cr_assert_eq(j.hook_attempts, 1);
    cr_assert_eq(j.state, SB_JOB_FAILED, "the job's own state is untouched");
    sb_job_clear(&j);

    OK(sb_meta_hook_record(meta, "job_2", true, false, 0, &e));
    j = get_job("job_2");
    cr_assert_eq(j.hook_state, SB_HOOK_DELIVERED);
    cr_assert_eq(j.hook_attempts, 2);
    sb_job_clear(&j);
    assert_due(now + 1000, "");
    FAILS(sb_meta_hook_record(meta, "job_1", true, false, 0, &e), SB_ERR_CONFLICT); /* already delivered */
    FAILS(sb_meta_hook_record(meta, "job_4", true, false, 0, &e), SB_ERR_CONFLICT); /* no callback_url */
    FAILS(sb_meta_hook_record(meta, "job_nope", true, false, 0, &e), SB_ERR_NOT_FOUND);
}

/* ---- output files ---- */

struct expired_ctx {
    char ids[256];
    bool delete, just_one;
};

static bool on_expired(const sb_file_t *f, void *ctx)
{
    struct expired_ctx *x = ctx;
    strcat(x->ids, f->id);
    strcat(x->ids, " ");
    if (x->delete) {
        sb_error_t de = {0};
        cr_assert_eq(sb_meta_file_delete(meta, f->id, &de), SB_OK, "%s", de.message);
    }
    return !x->just_one;
}

Test(meta, expired_files_are_listed_and_deleted)
{
    make_key("key_a", 10);
    make_job("job_1", "key_a", NULL);
    OK(sb_meta_job_claim(meta, "job_1", "w", 30, &e));
    int64_t now = now_s();
    sb_output_t outs[3] = {
        {"f_new", "png", 1, now + 100}, {"f_old", "png", 1, now - 10}, {"f_mid", "jpg", 1, now - 5}};
    OK(sb_meta_job_complete(meta, "job_1", "w", outs, 3, 1, "{}", &e));

    struct expired_ctx x = {0};
    OK(sb_meta_file_expired(meta, now, 10, on_expired, &x, &e));
    cr_assert_str_eq(x.ids, "f_old f_mid ");
    x = (struct expired_ctx){0};
    OK(sb_meta_file_expired(meta, now, 1, on_expired, &x, &e));
    cr_assert_str_eq(x.ids, "f_old ");
    x = (struct expired_ctx){.just_one = true};
    OK(sb_meta_file_expired(meta, now, 10, on_expired, &x, &e));
    cr_assert_str_eq(x.ids, "f_old ");
    FAILS(sb_meta_file_expired(meta, now, 0, on_expired, &x, &e), SB_ERR_USAGE);

    /* the purge deletes from inside the callback */
    x = (struct expired_ctx){.delete = true};
    OK(sb_meta_file_expired(meta, now, 10, on_expired, &x, &e));
    cr_assert_str_eq(x.ids, "f_old f_mid ");
    x = (struct expired_ctx){0};
    OK(sb_meta_file_expired(meta, now, 10, on_expired, &x, &e));
    cr_assert_str_eq(x.ids, "");
    sb_file_t f;
    FAILS(sb_meta_file_get(meta, "f_old", &f, &e), SB_ERR_NOT_FOUND);
    OK(sb_meta_file_get(meta, "f_new", &f, &e));
    FAILS(sb_meta_file_delete(meta, "f_old", &e), SB_ERR_NOT_FOUND);
}

/* ---- batch items ---- */

typedef struct {
    char text[512];
    int n;
} item_log_t;

/* "idx:state:input:result-or-error " for each item. */
static bool log_item(const sb_batch_item_t *it, void *ctx)
{
    item_log_t *l = ctx;
    size_t n = strlen(l->text);
    snprintf(l->text + n, sizeof l->text - n, "%d:%d:%s:%s ", it->idx, (int)it->state, it->input,
             it->result ? it->result : it->error ? it->error : "-");
    l->n++;
    return true;
}

static const char *items_of(const char *job_id)
{
    static item_log_t l;
    memset(&l, 0, sizeof l);
    OK(sb_meta_batch_items_list(meta, job_id, log_item, &l, &e));
    return l.text;
}

static void make_batch(const char *id, const char *key_id, int n)
{
    sb_job_new_t j = job_new(id, key_id);
    j.pipeline = "avatar_batch";
    OK(sb_meta_job_create(meta, &j, NULL, NULL, &e));
    const char *inputs[] = {"https://example.com/a.jpg", "upload #0", "upload #1", "https://example.com/b.jpg"};
    cr_assert_leq(n, 4);
    OK(sb_meta_batch_items_create(meta, id, n, inputs, &e));
}

static sb_err complete_item(const char *job_id, int idx, const char *owner, const char *file_id, int64_t credits)
{
    sb_output_t out[2] = {{file_id, "png", 100, now_s() + 3600}, {"", "png", 10, now_s() + 3600}};
    char thumb[SB_ID_MAX];
    snprintf(thumb, sizeof thumb, "%s_t", file_id);
    out[1].file_id = thumb;
    return sb_meta_batch_item_complete(meta, job_id, idx, owner, out, 2, credits, "{\"ok\":1}", &e);
}

Test(meta, batch_items_are_created_once_and_listed_in_order)
{
    make_key("key_a", 10);
    make_batch("job_b", "key_a", 3);
    cr_assert_str_eq(items_of("job_b"),
                     "0:0:https://example.com/a.jpg:- 1:0:upload #0:- 2:0:upload #1:- ");
    /* again (a restarted batch): nothing changes, finished items stay finished */
    OK(sb_meta_batch_item_fail(meta, "job_b", 1, "{\"code\":\"no_face\"}", &e));
    const char *other[] = {"x", "y", "z", "w"};
    OK(sb_meta_batch_items_create(meta, "job_b", 4, other, &e));
    cr_assert_str_eq(items_of("job_b"),
                     "0:0:https://example.com/a.jpg:- 1:3:upload #0:{\"code\":\"no_face\"} 2:0:upload #1:- ");
    /* a job without items lists nothing; bad arguments and unknown jobs */
    make_job("job_1", "key_a", NULL);
    cr_assert_str_eq(items_of("job_1"), "");
    FAILS(sb_meta_batch_items_create(meta, "job_b", 0, other, &e), SB_ERR_USAGE);
    FAILS(sb_meta_batch_items_create(meta, "job_nope", 2, other, &e), SB_ERR_NOT_FOUND);
    FAILS(sb_meta_batch_item_fail(meta, "job_b", 7, "{}", &e), SB_ERR_NOT_FOUND);
    FAILS(sb_meta_batch_item_fail(meta, "job_b", 1, "{}", &e), SB_ERR_CONFLICT); /* failed already */
}

Test(meta, a_completed_batch_item_is_charged_exactly_once)
{
    make_key("key_a", 10);
    make_batch("job_b", "key_a", 3);
    FAILS(complete_item("job_b", 0, "w1", "f_0", 1), SB_ERR_CONFLICT); /* the job is not leased */
    OK(sb_meta_job_claim(meta, "job_b", "w1", 30, &e));
    FAILS(complete_item("job_b", 0, "w2", "f_0", 1), SB_ERR_CONFLICT); /* another owner */
    OK(complete_item("job_b", 0, "w1", "f_0", 1));
    OK(complete_item("job_b", 2, "w1", "f_2", 1));
    FAILS(complete_item("job_b", 0, "w1", "f_9", 1), SB_ERR_CONFLICT); /* completed twice: no charge */
    FAILS(complete_item("job_b", 5, "w1", "f_5", 1), SB_ERR_NOT_FOUND);
    OK(sb_meta_batch_item_fail(meta, "job_b", 1, "{}", &e));
    FAILS(complete_item("job_b", 1, "w1", "f_1", 1), SB_ERR_CONFLICT); /* failed: never charged */

    sb_key_t k = get_key("key_a");
    cr_assert_eq(k.credits, 8);
    cr_assert_eq(k.used, 2);
    char usage[256] = "";
    OK(sb_meta_usage_list(meta, "key_a", collect_usage, usage, &e));
    cr_assert_str_eq(usage, "avatar_batch:4:2 ");
    sb_file_t f;
    OK(sb_meta_file_get(meta, "f_2_t", &f, &e));
    cr_assert_str_eq(f.job_id, "job_b");
    cr_assert_str_eq(f.key_id, "key_a");
    cr_assert_eq(raw_int("SELECT count(*) FROM files"), 4);
    cr_assert_str_eq(items_of("job_b"), "0:2:https://example.com/a.jpg:{\"ok\":1} 1:3:upload #0:{} "
                                        "2:2:upload #1:{\"ok\":1} ");
    /* the job itself is still processing, and completes with no outputs and no charge */
    cr_assert_eq(job_state("job_b"), SB_JOB_PROCESSING);
    OK(sb_meta_job_complete(meta, "job_b", "w1", NULL, 0, 0, "{\"total\":3}", &e));
    cr_assert_eq(get_key("key_a").credits, 8);
}

Test(meta, a_batch_item_short_of_credits_changes_nothing)
{
    make_key("key_a", 1);
    make_batch("job_b", "key_a", 2);
    OK(sb_meta_job_claim(meta, "job_b", "w1", 30, &e));
    OK(complete_item("job_b", 0, "w1", "f_0", 1));
    FAILS(complete_item("job_b", 1, "w1", "f_1", 1), SB_ERR_NO_CREDITS);
    cr_assert_eq(get_key("key_a").credits, 0);
    cr_assert_eq(get_key("key_a").used, 1);
    cr_assert_eq(raw_int("SELECT count(*) FROM files"), 2);
    cr_assert_eq(raw_int("SELECT count(*) FROM files WHERE id = 'f_1'"), 0);
    cr_assert_str_eq(items_of("job_b"), "0:2:https://example.com/a.jpg:{\"ok\":1} 1:0:upload #0:- ");
    char usage[256] = "";
    OK(sb_meta_usage_list(meta, "key_a", collect_usage, usage, &e));
    cr_assert_str_eq(usage, "avatar_batch:2:1 ");
    /* still queued, so it can still be failed (or completed once the key has credits) */
    OK(sb_meta_key_add_credits(meta, "key_a", 1, &e));
    OK(complete_item("job_b", 1, "w1", "f_1", 1));
    cr_assert_eq(get_key("key_a").used, 2);
}

/* ---- many threads on one handle ---- */

struct worker {
    char owner[16];
    int64_t charge;
    int completed, failed;
    char error[300];
};

/* Claim and complete jobs until none is left; when credits run out, fail the job instead. */
static void *work(void *arg)
{
    struct worker *w = arg;
    sb_error_t we = {0};
    for (;;) {
        sb_job_t j = {0};
        sb_err err = sb_meta_job_claim_next(meta, w->owner, 60, 5, &j, &we);
        if (err == SB_ERR_NOT_FOUND)
            return NULL;
        if (err)
            goto fail;
        char file_id[SB_ID_MAX + 2];
        snprintf(file_id, sizeof file_id, "f%s", j.id);
        sb_output_t out = {file_id, "png", 100, now_s() + 60};
        err = sb_meta_job_complete(meta, j.id, w->owner, &out, 1, w->charge, "{}", &we);
        if (!err) {
            w->completed++;
        } else if (err == SB_ERR_NO_CREDITS) {
            err = sb_meta_job_fail(meta, j.id, w->owner, "{\"code\":\"insufficient_credits\"}", &we);
            w->failed += !err;
        }
        sb_job_clear(&j);
        if (err)
            goto fail;
    }
fail:
    snprintf(w->error, sizeof w->error, "%s: %s", sb_err_name(we.code), we.message);
    return NULL;
}

static void run_workers(int n_jobs, int64_t charge, struct worker w[4])
{
    for (int i = 0; i < n_jobs; i++) {
        char id[16];
        snprintf(id, sizeof id, "job_%03d", i);
        make_job(id, "key_a", NULL);
    }
    pthread_t t[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (struct worker){.charge = charge};
        snprintf(w[i].owner, sizeof w[i].owner, "w%d", i);
        cr_assert_eq(pthread_create(&t[i], NULL, work, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        cr_assert_str_eq(w[i].error, "", "%s: %s", w[i].owner, w[i].error);
    }
}

Test(meta, four_workers_claim_each_job_once_and_charge_exactly)
{
    make_key("key_a", 1000);
    struct worker w[4];
    run_workers(60, 2, w);
    int done = 0;
    for (int i = 0; i < 4; i++)
        done += w[i].completed;
    cr_assert_eq(done, 60);
    sb_key_t k = get_key("key_a");
    cr_assert_eq(k.credits, 1000 - 120);
    cr_assert_eq(k.used, 120);
    char usage[256] = "";
    OK(sb_meta_usage_list(meta, "key_a", collect_usage, usage, &e));
    cr_assert_str_eq(usage, "headshot:60:120 ");
    int64_t c[SB_JOB__STATES];
    OK(sb_meta_job_counts(meta, c, &e));
    cr_assert_eq(c[SB_JOB_COMPLETED], 60);
    cr_assert_eq(raw_int("SELECT max(attempts) FROM jobs"), 1, "no job was claimed twice");
    cr_assert_eq(raw_int("SELECT count(*) FROM files"), 60);
}

Test(meta, four_workers_never_overspend_a_balance)
{
    make_key("key_a", 10);
    struct worker w[4];
    run_workers(30, 1, w);
    int done = 0, failed = 0;
    for (int i = 0; i < 4; i++) {
        done += w[i].completed;
        failed += w[i].failed;
    }
    cr_assert_eq(done, 10);
    cr_assert_eq(failed, 20);
    sb_key_t k = get_key("key_a");
    cr_assert_eq(k.credits, 0);
    cr_assert_eq(k.used, 10);
    int64_t c[SB_JOB__STATES];
    OK(sb_meta_job_counts(meta, c, &e));
    cr_assert_eq(c[SB_JOB_COMPLETED], 10);
    cr_assert_eq(c[SB_JOB_FAILED], 20);
    cr_assert_eq(raw_int("SELECT count(*) FROM files"), 10, "failed jobs left no file rows");
}
