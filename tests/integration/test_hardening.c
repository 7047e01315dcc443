/* test_hardening.c - no job can take the server down (issue 12), end to end with the real `./strobe
 * serve` (tests/server_harness.h): a job the process dies running is tried at most SB_JOBS_MAX_ATTEMPTS
 * times, then fails with job_crashed at start-up, uncharged, its webhook told, and the server comes up.
 *
 * Runs from the repository root (./strobe); needs ../shared (models, test photos) or skips. Only
 * loopback is ever connected to. */
#include "server_harness.h"

#include "jobs/jobs.h"
#include "store/store.h"

TestSuite(hardening, .fini = cleanup, .timeout = 180);

/* The job's webhook arrived at the origin's /hook as job.failed with error code `code`. */
static void expect_failed_hook(const char *id, const char *code)
{
    cr_assert_geq(origin_wait("/hook", 1, 15000), 1, "no webhook within 15 s; log: %s", log_tail());
    hit_t h = origin_hit("/hook", 0);
    char ev[64] = "";
    cr_assert(hit_header(&h, "Strobe-Event", ev, sizeof ev), "%s", h.head);
    cr_assert_str_eq(ev, "job.failed");
    json_t *body = json_loadb(h.body, h.body_len, 0, NULL);
    cr_assert_not_null(body, "%s", h.body);
    cr_assert_str_eq(nz(jstr(body, "id")), id);
    cr_assert_str_eq(nz(jstr(body, "status")), "failed", "%s", h.body);
    cr_assert_str_eq(nz(jstr(json_object_get(body, "error"), "code")), code, "%s", h.body);
    json_decref(body);
    hit_free(&h);
}

/* The key still has `credits` and was charged nothing. */
static void expect_uncharged(const char *key, long long credits)
{
    json_t *acct = account(key);
    cr_assert_eq(jint(acct, "credits"), credits, "%s", json_dumps(acct, 0));
    cr_assert_eq(jint(acct, "credits_used"), 0, "%s", json_dumps(acct, 0));
    json_decref(acct);
}

/* A poison job, simulated in the store: a row left processing with SB_JOBS_MAX_ATTEMPTS attempts, as a
 * process that died on each of its runs leaves it. The server must come up, not run it a third time,
 * and fail it with job_crashed, uncharged, telling its webhook. */
Test(hardening, job_at_the_attempt_cap_fails_with_job_crashed_at_startup)
{
    begin();
    size_t jlen;
    uint8_t *jpeg = load_shared(FACE, &jlen);
    origin_start(jpeg, jlen, 0);
    char key[64], key_id[64];
    make_key("t", 5, key, key_id);

    char img[256], hook[256], spec[512], db[400];
    origin_url(img, sizeof img, "127.0.0.1", "/img");
    origin_url(hook, sizeof hook, "127.0.0.1", "/hook");
    snprintf(spec, sizeof spec, "{\"image_url\":\"%s\"}", img);
    snprintf(db, sizeof db, "sqlite:%s/strobe.db", S.data);
    const char *id = "job_0123456789abcdef01234567";
    sb_meta_t *meta;
    sb_error_t e = {0};
    cr_assert_eq(sb_meta_open(db, &meta, &e), SB_OK, "%s", e.message);
    sb_job_new_t n = {.id = id, .key_id = key_id, .pipeline = "headshot", .spec = spec, .callback_url = hook};
    cr_assert_eq(sb_meta_job_create(meta, &n, NULL, NULL, &e), SB_OK, "%s", e.message);
    for (int i = 0; i < SB_JOBS_MAX_ATTEMPTS; i++) {
        /* Each run of a dead process: claimed (attempts + 1), never finished. */
        cr_assert_eq(sb_meta_job_requeue_all(meta, NULL, &e), SB_OK, "%s", e.message);
        cr_assert_eq(sb_meta_job_claim(meta, id, "srv_dead", 120, &e), SB_OK, "%s", e.message);
    }
    sb_meta_close(meta);

    const char *const args[] = {"--allow-private-urls", NULL};
    server_start(NULL, args);
    json_t *j = poll_job(key, id, "failed", 10000, 50);
    cr_assert_str_eq(nz(jstr(json_object_get(j, "error"), "code")), "job_crashed", "%s", json_dumps(j, 0));
    cr_assert_eq(jint(j, "attempts"), SB_JOBS_MAX_ATTEMPTS, "%s", json_dumps(j, 0));
    json_decref(j);
    cr_assert_eq(origin_count("/img"), 0, "the poison job ran again");
    expect_uncharged(key, 5);
    expect_failed_hook(id, "job_crashed");
    expect_healthy("a job at the attempt cap");
    cr_assert_eq(WEXITSTATUS(server_stop(30000)), 0);
    free(jpeg);
}

/* For real: an image_url job whose input fetch is in flight when the server is killed with SIGKILL,
 * twice. The first restart runs it again (attempt 2); the second fails it with job_crashed instead of
 * fetching a third time. Nothing is charged and the callback_url is told. */
Test(hardening, job_killed_twice_fails_with_job_crashed)
{
    begin();
    size_t jlen;
    uint8_t *jpeg = load_shared(FACE, &jlen);
    origin_start(jpeg, jlen, 60000); /* /slow holds its answer for a minute */
    char key[64];
    make_key("t", 10, key, NULL);
    const char *const args[] = {"--allow-private-urls", NULL};
    server_start(NULL, args);

    char slow[256], hook[256], json[768];
    origin_url(slow, sizeof slow, "127.0.0.1", "/slow");
    origin_url(hook, sizeof hook, "127.0.0.1", "/hook");
    snprintf(json, sizeof json, "{\"image_url\":\"%s\",\"callback_url\":\"%s\"}", slow, hook);
    resp_t r = post_json(key, json, NULL);
    EXPECT_STATUS(r, 202, "async image_url job");
    char id[64];
    snprintf(id, sizeof id, "%s", nz(jstr(r.json, "id")));
    resp_free(&r);

    for (int attempt = 1; attempt <= SB_JOBS_MAX_ATTEMPTS; attempt++) {
        cr_assert_eq(origin_wait("/slow", attempt, 30000), attempt, "attempt %d is not fetching; log: %s", attempt,
                     log_tail());
        json_t *j = poll_job(key, id, "processing", 10000, 20);
        cr_assert_eq(jint(j, "attempts"), attempt, "%s", json_dumps(j, 0));
        json_decref(j);
        server_kill9();
        server_start(NULL, args);
    }
    json_t *j = poll_job(key, id, "failed", 10000, 50);
    cr_assert_str_eq(nz(jstr(json_object_get(j, "error"), "code")), "job_crashed", "%s", json_dumps(j, 0));
    cr_assert_eq(jint(j, "attempts"), SB_JOBS_MAX_ATTEMPTS, "%s", json_dumps(j, 0));
    json_decref(j);
    sleep_ms(500);
    cr_assert_eq(origin_count("/slow"), SB_JOBS_MAX_ATTEMPTS, "fetched once per attempt, not a third time");
    expect_uncharged(key, 10);
    expect_failed_hook(id, "job_crashed");
    expect_healthy("a job killed twice");
    cr_assert_eq(WEXITSTATUS(server_stop(30000)), 0);
    free(jpeg);
}
