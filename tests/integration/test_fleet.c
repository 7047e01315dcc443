/* test_fleet.c - strobe as a fleet on one box: real `strobe serve` (API nodes) and `strobe worker`
 * processes sharing one PostgreSQL 15 cluster (tests/pg_harness.h) and one S3 server (s3rver,
 * tests/s3_harness.h), async product jobs through the shared queue. Each test starts its own cluster,
 * S3 server and processes:
 * - two API nodes and two workers run 200 jobs submitted round-robin, each exactly once, charged once,
 *   with one set of outputs, no staged input left, any node answering for any job and any signed URL,
 *   another key seeing none of them;
 * - a worker killed with SIGKILL mid-job: the other worker takes the job over when its lease expires;
 * - PostgreSQL's connections killed and the S3 server restarted mid-run: jobs retry and complete, and
 *   a request while S3 is down gets 503 store_unavailable with Retry-After;
 * - a staged input is encrypted at rest (no JPEG/PNG magic in the raw object) and gone after its job;
 * - the rate limit is the fleet's: a key's burst is shared by both API nodes.
 * Skips when PostgreSQL's server, node or s3rver are missing (scripts/bootstrap.sh, scripts/s3rver.sh). */
#include <criterion/criterion.h>

#include "pg_harness.h"
#include "s3_harness.h"
#include "server_harness.h"

#define CARTON "testdata/products/grocery_bravo_orange_juice.jpg" /* 348x348 */
#define PRODUCT_PATH "/v1/image/product-photo"
#define MAX_PROCS 4
#define LEASE_S "3"

static tu_pg_t pg;
static tu_s3_t s3;

/* The fleet's processes: API nodes have a port, workers 0. */
static struct {
    pid_t pid;
    int port;
    char log[320];
} P[MAX_PROCS];
static int n_procs;

static void fleet_cleanup(void)
{
    for (int i = 0; i < n_procs; i++)
        if (P[i].pid > 0) {
            kill(P[i].pid, SIGKILL);
            waitpid(P[i].pid, NULL, 0);
            P[i].pid = 0;
        }
    n_procs = 0;
    cleanup(); /* the test's database, the origin, the temp folder */
    tu_pg_stop(&pg);
    tu_s3_stop(&s3);
}

TestSuite(fleet, .fini = fleet_cleanup, .timeout = 900);

/* The environment every process of the fleet gets (the stores come from the harness: STROBE_META,
 * STROBE_BLOBS). */
static const char *const FLEET_ENV[] = {"AWS_ACCESS_KEY_ID=S3RVER", "AWS_SECRET_ACCESS_KEY=S3RVER",
                                        "STROBE_LEASE_S=" LEASE_S, NULL};

/* PostgreSQL and S3 up, the harness pointed at them (a fresh database and prefix), a key of `credits`. */
static void fleet_begin(long credits, char key[64])
{
    bool missing;
    char why[512];
    if (!tu_s3_start(&s3, &missing, why, sizeof why) || !tu_pg_start(&pg, &missing, why, sizeof why)) {
        if (missing)
            cr_skip_test("%s", why);
        cr_assert_fail("%s", why);
    }
    setenv("STROBE_TEST_PG", pg.url, 1);
    setenv("STROBE_TEST_S3", s3.endpoint, 1);
    setenv("STROBE_TEST_S3_DIR", s3.dir, 1);
    setenv("AWS_ACCESS_KEY_ID", "S3RVER", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "S3RVER", 1);
    begin();
    if (key)
        make_key("fleet", credits, key, NULL);
}

/* Start an API node (`serve`, its own data folder, no shared-queue jobs of its own) or a worker; wait until
 * it is up. Returns its index in P. */
static int start_proc(bool api, const char *const *extra_env)
{
    cr_assert_lt(n_procs, MAX_PROCS);
    int i = n_procs++;
    snprintf(P[i].log, sizeof P[i].log, "%s/proc-%d.log", S.tmp, i);
    const char *env[16];
    int n = 0;
    for (int k = 0; FLEET_ENV[k]; k++)
        env[n++] = FLEET_ENV[k];
    for (int k = 0; extra_env && extra_env[k] && n < 15; k++)
        env[n++] = extra_env[k];
    env[n] = NULL;
    char data[400];
    snprintf(data, sizeof data, "%s/node-%d", S.tmp, i);
    const char *serve[] = {"serve", "--listen", "127.0.0.1:0", "--data", data, "--workers", "1",
                           "--no-queue-jobs", "--allow-private-urls", NULL};
    const char *worker[] = {"worker", "--workers", "1", "--allow-private-urls", NULL};
    P[i].pid = strobe_spawn(api ? serve : worker, env, P[i].log);
    P[i].port = strobe_wait_line(&P[i].pid, P[i].log, api ? "listening" : "working", 60000);
    return i;
}

/* Point the harness's requests at API node i. */
static void use_node(int i)
{
    snprintf(S.base, sizeof S.base, "http://127.0.0.1:%d", P[i].port);
    snprintf(S.log, sizeof S.log, "%s", P[i].log);
}

static void kill9(int i)
{
    kill(P[i].pid, SIGKILL);
    waitpid(P[i].pid, NULL, 0);
    P[i].pid = 0;
}

/* One async product job on the current node: 202, its id into id. */
static void submit(const char *key, const uint8_t *img, size_t len, char id[64])
{
    const char *const f[] = {"size", "256x256", "output_format", "jpeg", NULL};
    resp_t r = post_multipart(PRODUCT_PATH, key, img, len, f, NULL);
    EXPECT_STATUS(r, 202, "product job");
    snprintf(id, 64, "%s", nz(jstr(r.json, "generation_id")));
    cr_assert(!strncmp(id, "job_", 4), "%s", r.body);
    resp_free(&r);
}

/* One integer from the fleet's database. */
static long long db_int(const char *sql)
{
    PGconn *c = PQconnectdb(S.meta);
    cr_assert_eq(PQstatus(c), CONNECTION_OK, "%s", PQerrorMessage(c));
    PGresult *r = PQexec(c, sql);
    cr_assert_eq(PQresultStatus(r), PGRES_TUPLES_OK, "%s: %s", sql, PQresultErrorMessage(r));
    long long v = atoll(PQgetvalue(r, 0, 0));
    PQclear(r);
    PQfinish(c);
    return v;
}

static void db_exec(const char *sql)
{
    PGconn *c = PQconnectdb(pg.url);
    cr_assert_eq(PQstatus(c), CONNECTION_OK, "%s", PQerrorMessage(c));
    PGresult *r = PQexec(c, sql);
    cr_assert(PQresultStatus(r) == PGRES_TUPLES_OK || PQresultStatus(r) == PGRES_COMMAND_OK, "%s: %s", sql,
              PQresultErrorMessage(r));
    PQclear(r);
    PQfinish(c);
}

/* Wait until no job is queued or processing; fails after timeout_ms with the counts. */
static void wait_all_done(int timeout_ms)
{
    long long deadline = now_ms() + timeout_ms, left = 0;
    while (now_ms() < deadline) {
        left = db_int("SELECT count(*) FROM jobs WHERE state IN (0, 1)");
        if (!left)
            return;
        sleep_ms(200);
    }
    cr_assert_fail("%lld jobs still unfinished after %d ms; worker log: %s", left, timeout_ms, log_tail());
}

/* Staged inputs (staged-<job>) in s3rver's folder for the test's prefix. */
static int staged_objects(char first[512])
{
    DIR *d = opendir(S.blob_dir);
    int n = 0;
    struct dirent *de;
    while (d && (de = readdir(d)))
        if (!strncmp(de->d_name, "staged-", 7) && strlen(de->d_name) > 15 &&
            !strcmp(de->d_name + strlen(de->d_name) - 15, "._S3rver_object")) {
            if (first && !n)
                snprintf(first, 512, "%.300s/%.200s", S.blob_dir, de->d_name);
            n++;
        }
    if (d)
        closedir(d);
    return n;
}

/* The exactly-once checks over every job: all completed, the key charged once per job, one file row per
 * output of each result, no staged input left anywhere. */
static void expect_exactly_once(long long jobs, long credits_before, const char *key)
{
    cr_assert_eq(db_int("SELECT count(*) FROM jobs WHERE state = 2"), jobs, "every job completed");
    json_t *a = account(key);
    cr_assert_eq(jint(a, "credits"), credits_before - jobs, "one credit per job, charged once");
    json_decref(a);
    cr_assert_eq(db_int("SELECT coalesce(sum(outputs), 0) FROM usage"), db_int("SELECT count(*) FROM files"),
                 "usage counts each output once");
    cr_assert_eq(db_int("SELECT count(DISTINCT job_id) FROM files"), jobs, "outputs for every job");
    cr_assert_eq(db_int("SELECT count(*) FROM jobs WHERE input_key IS NOT NULL"), 0, "no staged key left");
    cr_assert_eq(staged_objects(NULL), 0, "no staged input left in %s", S.blob_dir);
}

Test(fleet, two_api_nodes_and_two_workers_run_200_jobs_exactly_once)
{
    char key[64], other[64];
    fleet_begin(1000, key);
    make_key("other", 10, other, NULL);
    int api[2];
    api[0] = start_proc(true, NULL);
    api[1] = start_proc(true, NULL);
    start_proc(false, NULL);
    start_proc(false, NULL);
    size_t len;
    uint8_t *img = load_shared(CARTON, &len);
    enum { JOBS = 200 };
    static char ids[JOBS][64];
    for (int i = 0; i < JOBS; i++) {
        use_node(api[i % 2]);
        submit(key, img, len, ids[i]);
    }
    free(img);
    wait_all_done(600000);
    expect_exactly_once(JOBS, 1000, key);
    cr_assert_eq(db_int("SELECT count(*) FROM jobs WHERE attempts <> 1"), 0, "no job ran twice");
    /* Any node answers for any job, and verifies any node's signed URL; another key sees none. */
    for (int i = 0; i < JOBS; i += 37) {
        use_node(api[(i + 1) % 2]);
        json_t *j = poll_job(key, ids[i], "completed", 5000, 100);
        const char *url = jstr(j, "output_url");
        cr_assert(url && strlen(url) > 8, "no output URL in job %s", ids[i]);
        const char *path = strstr(url + 8, "/");
        char other_node[1024];
        snprintf(other_node, sizeof other_node, "http://127.0.0.1:%d%s", P[api[i % 2]].port, path);
        resp_t r = http(&(req_t){.path = other_node});
        EXPECT_STATUS(r, 200, "a signed URL on the other node");
        resp_free(&r);
        json_decref(j);
        char p[128];
        snprintf(p, sizeof p, "/v1/image/%.60s", ids[i]);
        r = get(p, other);
        EXPECT_STATUS(r, 404, "another key's job");
        resp_free(&r);
    }
}

Test(fleet, a_worker_killed_mid_job_is_taken_over_by_the_other)
{
    char key[64];
    fleet_begin(10, key);
    size_t len;
    uint8_t *img = load_shared(CARTON, &len);
    origin_start(img, len, 4000); /* /slow answers after 4 s: the job is mid-run for that long */
    int api = start_proc(true, NULL);
    int a = start_proc(false, NULL);
    use_node(api);
    char url[256], json[512];
    origin_url(url, sizeof url, "127.0.0.1", "/slow");
    snprintf(json, sizeof json, "{\"image_url\":\"%s\",\"size\":\"256x256\"}", url);
    resp_t r = http(&(req_t){.path = PRODUCT_PATH, .key = key, .content_type = "application/json", .body = json,
                             .len = strlen(json)});
    EXPECT_STATUS(r, 202, "image_url job");
    char id[64];
    snprintf(id, sizeof id, "%s", nz(jstr(r.json, "generation_id")));
    resp_free(&r);
    cr_assert_eq(origin_wait("/slow", 1, 30000), 1, "worker A never fetched the image");
    kill9(a); /* mid-fetch: the job is processing, leased by A */
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT state FROM jobs WHERE id = '%s'", id);
    cr_assert_eq(db_int(sql), SB_JOB_PROCESSING);
    start_proc(false, NULL); /* B */
    use_node(api);
    json_t *j = poll_job(key, id, "completed", 60000, 200);
    cr_assert_eq(jint(j, "attempts"), 2, "taken over once (attempts %lld)", jint(j, "attempts"));
    json_decref(j);
    expect_exactly_once(1, 10, key);
    origin_stop();
    free(img);
}

Test(fleet, postgres_connections_killed_and_s3_restarted_mid_run)
{
    char key[64];
    fleet_begin(100, key);
    int api = start_proc(true, NULL);
    start_proc(false, NULL);
    use_node(api);
    size_t len;
    uint8_t *img = load_shared(CARTON, &len);
    enum { JOBS = 20 };
    char id[64];
    for (int i = 0; i < JOBS; i++)
        submit(key, img, len, id);
    /* Every strobe connection (the API node's, the worker's, their listeners) is cut. */
    db_exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'strobe'");
    for (int i = 0; i < JOBS; i++)
        submit(key, img, len, id);
    /* S3 down: a new job cannot stage its input (503 with Retry-After); running ones are given back. */
    tu_s3_kill(&s3);
    const char *const f[] = {"size", "256x256", NULL};
    resp_t r = post_multipart(PRODUCT_PATH, key, img, len, f, NULL);
    EXPECT_ERROR(r, 503, "store_unavailable", NULL, "S3 down");
    cr_assert_gt(header_long(&r, "Retry-After"), 0, "Retry-After with a 503");
    resp_free(&r);
    sleep_ms(1500);
    char why[256];
    cr_assert(tu_s3_launch(&s3, why, sizeof why), "%s", why);
    free(img);
    wait_all_done(300000);
    expect_exactly_once(2 * JOBS, 100, key);
}

Test(fleet, a_staged_input_is_encrypted_at_rest_and_gone_after_its_job)
{
    char key[64];
    fleet_begin(10, key);
    int api = start_proc(true, NULL); /* no worker yet: the job waits in the queue */
    use_node(api);
    size_t len;
    uint8_t *img = load_shared(CARTON, &len);
    char id[64], path[512];
    submit(key, img, len, id);
    cr_assert_eq(staged_objects(path), 1, "one staged input in %s", S.blob_dir);
    cr_assert(strstr(path, id), "%s is the job's", path);
    size_t n = 0;
    char *raw = read_file(path, &n);
    cr_assert_eq(n, len + 28, "nonce + ciphertext + tag");
    static const uint8_t jpeg[] = {0xFF, 0xD8, 0xFF}, png[] = {0x89, 'P', 'N', 'G'};
    cr_assert_null(memmem(raw, n, jpeg, sizeof jpeg), "JPEG magic in the staged object");
    cr_assert_null(memmem(raw, n, png, sizeof png), "PNG magic in the staged object");
    cr_assert_null(memmem(raw, n, img + 100, 64), "plaintext bytes in the staged object");
    free(raw);
    free(img);
    start_proc(false, NULL);
    use_node(api);
    json_t *j = poll_job(key, id, "completed", 60000, 200);
    json_decref(j);
    expect_exactly_once(1, 10, key);
}

Test(fleet, the_rate_limit_is_shared_by_the_api_nodes)
{
    char key[64];
    fleet_begin(10, key);
    const char *const env[] = {"STROBE_RATE_LIMIT=1", "STROBE_RATE_BURST=3", NULL};
    int a = start_proc(true, env), b = start_proc(true, env);
    int allowed = 0;
    for (int i = 0; i < 3; i++) {
        use_node(i % 2 ? b : a);
        resp_t r = get("/v1/account", key);
        allowed += r.status == 200;
        resp_free(&r);
    }
    cr_assert_eq(allowed, 3, "the burst of 3, across both nodes");
    use_node(b);
    resp_t r = get("/v1/account", key);
    EXPECT_STATUS(r, 429, "the 4th request, on either node");
    cr_assert_geq(header_long(&r, "Retry-After"), 1);
    resp_free(&r);
    use_node(a);
    r = get("/v1/account", key);
    EXPECT_STATUS(r, 429, "and on the other");
    resp_free(&r);
}
