/* test_jobs_hardening.c - no job can take the server down (issue 12), end to end with the real `./strobe
 * serve` (tests/server_harness.h): a job the process dies running is tried at most SB_JOBS_MAX_ATTEMPTS
 * times, then fails with job_crashed at start-up, uncharged, its webhook told, and the server comes up;
 * webhook receivers that never answer delay only their own deliveries.
 *
 * Runs from the repository root (./strobe); needs ../shared (models, test photos) or skips. Only
 * loopback is ever connected to. */
#include "server_harness.h"

#include "jobs/jobs.h"
#include "store/store.h"

/* Receivers that never answer: loopback listeners whose connections are accepted, held open and never
 * read or answered, until hang_stop. */
#define HANG_MAX 4
static struct {
    bool running;
    int n;
    int lfd[HANG_MAX];
    int port[HANG_MAX];
    atomic_int accepted[HANG_MAX];
    int held[256];
    int nheld;
    int wake[2];
    pthread_t thread;
} H;

static void *hang_main(void *arg)
{
    (void)arg;
    for (;;) {
        struct pollfd p[1 + HANG_MAX] = {{.fd = H.wake[0], .events = POLLIN}};
        for (int i = 0; i < H.n; i++)
            p[1 + i] = (struct pollfd){.fd = H.lfd[i], .events = POLLIN};
        if (poll(p, (nfds_t)(1 + H.n), -1) < 0) {
            if (errno == EINTR)
                continue;
            return NULL;
        }
        if (p[0].revents)
            return NULL;
        for (int i = 0; i < H.n; i++) {
            if (!(p[1 + i].revents & POLLIN))
                continue;
            int c = accept4(H.lfd[i], NULL, NULL, SOCK_CLOEXEC);
            if (c < 0)
                continue;
            if (H.nheld < (int)(sizeof H.held / sizeof H.held[0]))
                H.held[H.nheld++] = c;
            else
                close(c);
            atomic_fetch_add(&H.accepted[i], 1);
        }
    }
}

static void hang_start(int n)
{
    cr_assert_leq(n, HANG_MAX);
    for (int i = 0; i < n; i++) {
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        socklen_t sl = sizeof a;
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        cr_assert(fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 && listen(fd, 16) == 0 &&
                      getsockname(fd, (struct sockaddr *)&a, &sl) == 0,
                  "hang listener: %s", strerror(errno));
        H.lfd[i] = fd;
        H.port[i] = ntohs(a.sin_port);
        atomic_store(&H.accepted[i], 0);
    }
    H.n = n;
    cr_assert_eq(pipe2(H.wake, O_CLOEXEC), 0);
    cr_assert_eq(pthread_create(&H.thread, NULL, hang_main, NULL), 0);
    H.running = true;
}

static void hang_stop(void)
{
    if (!H.running)
        return;
    H.running = false;
    if (write(H.wake[1], "x", 1) == 1)
        pthread_join(H.thread, NULL);
    for (int i = 0; i < H.nheld; i++)
        close(H.held[i]);
    for (int i = 0; i < H.n; i++)
        close(H.lfd[i]);
    close(H.wake[0]);
    close(H.wake[1]);
    H.nheld = H.n = 0;
}

/* Wait until hang receiver i accepted n connections, or timeout_ms; the count. */
static int hang_wait(int i, int n, int timeout_ms)
{
    long long deadline = now_ms() + timeout_ms;
    while (atomic_load(&H.accepted[i]) < n && now_ms() < deadline)
        sleep_ms(10);
    return atomic_load(&H.accepted[i]);
}

static void fini(void)
{
    cleanup(); /* the server first: its deliveries to the hang receivers end with it */
    hang_stop();
}

TestSuite(hardening, .fini = fini, .timeout = 180);

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
Test(jobs_hardening, job_at_the_attempt_cap_fails_with_job_crashed_at_startup)
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
    snprintf(db, sizeof db, "%s", S.meta);
    const char *id = "job_0123456789abcdef01234567";
    sb_meta_t *meta;
    sb_error_t e = {0};
    cr_assert_eq(sb_meta_open(db, &meta, &e), SB_OK, "%s", e.message);
    /* On a shared store (PostgreSQL) an async job is in the shared queue, and a dead holder's job is
     * reaped once its lease (1 s here) has run out, instead of at a restart. */
    sb_job_new_t n = {.id = id, .key_id = key_id, .pipeline = "headshot", .spec = spec, .callback_url = hook,
                      .shared = S.pg_admin[0] != '\0'};
    cr_assert_eq(sb_meta_job_create(meta, &n, NULL, NULL, &e), SB_OK, "%s", e.message);
    for (int i = 0; i < SB_JOBS_MAX_ATTEMPTS; i++) {
        /* Each run of a dead process: claimed (attempts + 1), never finished. */
        cr_assert_eq(sb_meta_job_requeue_all(meta, NULL, &e), SB_OK, "%s", e.message);
        cr_assert_eq(sb_meta_job_claim(meta, id, "srv_dead", 1, &e), SB_OK, "%s", e.message);
    }
    sb_meta_close(meta);

    const char *const args[] = {"--allow-private-urls", NULL};
    /* the dead holder's lease is over: leases are whole seconds, and the reaper takes lease_until < now,
     * so a 1 s lease taken at t = 100.9 (lease_until 101) is reaped from t = 102.0 */
    sleep_ms(2100);
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
Test(jobs_hardening, job_killed_twice_fails_with_job_crashed)
{
    begin();
    size_t jlen;
    uint8_t *jpeg = load_shared(FACE, &jlen);
    origin_start(jpeg, jlen, 60000); /* /slow holds its answer for a minute */
    char key[64];
    make_key("t", 10, key, NULL);
    const char *const args[] = {"--allow-private-urls", NULL};
    /* A short lease: on a shared store the restarted server takes the job over when it runs out. */
    const char *const env[] = {"STROBE_LEASE_S=2", NULL};
    server_start(env, args);

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
        server_start(env, args);
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

/* An image_url job that fails at once (its URL is a 404 on the origin), with a callback_url: its
 * webhook is due as soon as it is submitted. Returns nothing; the job id is not needed. */
static void submit_failing_job(const char *key, const char *callback)
{
    char missing[256], json[768];
    origin_url(missing, sizeof missing, "127.0.0.1", "/missing");
    snprintf(json, sizeof json, "{\"image_url\":\"%s\",\"callback_url\":\"%s\"}", missing, callback);
    resp_t r = post_json(key, json, NULL);
    EXPECT_STATUS(r, 202, "job with a callback_url");
    resp_free(&r);
}

/* Three receivers that never answer hold three deliveries at once (each for the 15 s fetch timeout),
 * and a receiver that answers at once still gets its webhook within a couple of seconds: webhooks go
 * out concurrently, off the purge thread. Deliveries were once made one at a time, so three silent
 * receivers held a fourth key's webhook for 45 s. One receiver is also held to STROBE_WEBHOOK_PER_TARGET
 * (2) deliveries at once: a slow receiver delays only its own. */
Test(jobs_hardening, a_silent_webhook_receiver_delays_only_its_own_deliveries)
{
    begin();
    size_t jlen;
    uint8_t *jpeg = load_shared(FACE, &jlen);
    origin_start(jpeg, jlen, 0);
    hang_start(3);
    char slow_key[64], fast_key[64];
    make_key("slow", 10, slow_key, NULL);
    make_key("fast", 10, fast_key, NULL);
    const char *const args[] = {"--allow-private-urls", "--workers", "1", NULL};
    server_start(NULL, args);

    char hook[256];
    for (int i = 0; i < 3; i++) {
        snprintf(hook, sizeof hook, "http://127.0.0.1:%d/hook", H.port[i]);
        submit_failing_job(slow_key, hook);
    }
    for (int i = 0; i < 3; i++)
        cr_assert_eq(hang_wait(i, 1, 5000), 1,
                     "silent receiver %d got no delivery within 5 s (one at a time?); log: %s", i, log_tail());

    /* Another key's webhook to a receiver that answers: here within a couple of seconds. */
    origin_url(hook, sizeof hook, "127.0.0.1", "/hook");
    long long t0 = now_ms();
    submit_failing_job(fast_key, hook);
    cr_assert_eq(origin_wait("/hook", 1, 2500), 1, "the answering receiver's webhook waited over 2.5 s; log: %s",
                 log_tail());
    long long waited = now_ms() - t0;
    hit_t h = origin_hit("/hook", 0);
    char ev[64] = "";
    cr_assert(hit_header(&h, "Strobe-Event", ev, sizeof ev), "%s", h.head);
    cr_assert_str_eq(ev, "job.failed");
    hit_free(&h);
    for (int i = 0; i < 3; i++)
        cr_assert_eq(atomic_load(&H.accepted[i]), 1, "receiver %d still holds its one delivery", i);

    /* Two more for the first silent receiver: one more connection (2 at once), not two. */
    snprintf(hook, sizeof hook, "http://127.0.0.1:%d/hook", H.port[0]);
    submit_failing_job(slow_key, hook);
    submit_failing_job(slow_key, hook);
    cr_assert_eq(hang_wait(0, 2, 5000), 2, "a second delivery to the silent receiver; log: %s", log_tail());
    sleep_ms(1000);
    cr_assert_eq(atomic_load(&H.accepted[0]), 2, "at most 2 deliveries at once to one receiver");
    expect_healthy("silent webhook receivers");
    cr_log_info("the answering receiver's webhook came after %lld ms", waited);
    free(jpeg);
}
