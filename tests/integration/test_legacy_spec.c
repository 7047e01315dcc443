/* test_legacy_spec.c - jobs queued by the version before issue 15's options types still run after an
 * upgrade: rows whose specs use the old member names (headshot and product "format", product "width" and
 * "height", portrait "samples", "identity", "width", "height") are written to the store as that version
 * left them, queued, and the real `./strobe serve` runs them with the options they asked for. A spec with
 * a member no options type knows fails its job naming the member.
 *
 * Runs from the repository root (./strobe); needs ../shared (models, test photos) or skips. Only loopback
 * is ever connected to. */
#include "server_harness.h"

#include "store/store.h"

/* A queued job row of key `key_id` as the previous version wrote it: `spec` with "image_url" added. */
static void queue_row(sb_meta_t *meta, const char *id, const char *key_id, const char *pipeline, const char *spec,
                      const char *url)
{
    json_t *j = json_loads(spec, 0, NULL);
    cr_assert_not_null(j, "%s", spec);
    json_object_set_new(j, "image_url", json_string(url));
    char *text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    /* On PostgreSQL the schema migration puts an older version's async jobs in the shared queue. */
    sb_job_new_t n = {.id = id, .key_id = key_id, .pipeline = pipeline, .spec = text,
                      .shared = S.pg_admin[0] != '\0'};
    sb_error_t e = {0};
    cr_assert_eq(sb_meta_job_create(meta, &n, NULL, NULL, &e), SB_OK, "%s", e.message);
    free(text);
    json_decref(j);
}

static const json_t *output(const json_t *job, size_t i)
{
    return json_array_get(json_object_get(job, "outputs"), i);
}

Test(legacy_spec, jobs_queued_with_old_member_names_run_as_asked)
{
    begin();
    size_t jlen;
    uint8_t *jpeg = load_shared(FACE, &jlen);
    origin_start(jpeg, jlen, 0);
    char key[64], key_id[64], img[256];
    make_key("t", 10, key, key_id);
    origin_url(img, sizeof img, "127.0.0.1", "/img");

    sb_meta_t *meta;
    sb_error_t e = {0};
    cr_assert_eq(sb_meta_open(S.meta, &meta, &e), SB_OK, "%s", e.message);
    const char *head = "job_1e9ac1000000000000000001", *prod = "job_1e9ac1000000000000000002",
               *port = "job_1e9ac1000000000000000003", *bad = "job_1e9ac1000000000000000004";
    queue_row(meta, head, key_id, "headshot", "{\"format\":\"jpeg\",\"quality\":80,\"size\":400}", img);
    queue_row(meta, prod, key_id, "product",
              "{\"format\":\"png\",\"height\":400,\"mask\":false,\"preset\":\"white-studio\",\"shadow_type\":\"soft\","
              "\"stages\":[\"remove-background\",\"replace-background\",\"add-shadow\"],\"width\":600}",
              img);
    queue_row(meta, port, key_id, "portrait",
              "{\"height\":640,\"identity\":0.8,\"prompt\":\"studio portrait\",\"samples\":2,\"seed\":77,"
              "\"width\":512}",
              img);
    queue_row(meta, bad, key_id, "headshot", "{\"colour_grade\":\"teal\",\"size\":400}", img);
    sb_meta_close(meta);

    const char *const args[] = {"--allow-private-urls", NULL};
    server_start(NULL, args);

    json_t *j = poll_job(key, head, "completed", 60000, 100);
    char *dump = json_dumps(j, JSON_COMPACT);
    cr_assert_str_eq(nz(jstr(output(j, 0), "format")), "jpeg", "legacy format: %s", dump);
    cr_assert_eq(jint(output(j, 0), "width"), 400, "size: %s", dump);
    free(dump);
    json_decref(j);

    j = poll_job(key, prod, "completed", 60000, 100);
    dump = json_dumps(j, JSON_COMPACT);
    cr_assert_eq(jint(j, "width"), 600, "legacy width: %s", dump);
    cr_assert_eq(jint(j, "height"), 400, "legacy height: %s", dump);
    cr_assert_str_eq(nz(jstr(output(j, 0), "format")), "png", "%s", dump);
    cr_assert_eq(json_array_size(json_object_get(j, "pipeline")), 3, "the stages stay the API's: %s", dump);
    free(dump);
    json_decref(j);

    j = poll_job(key, port, "completed", 90000, 100);
    dump = json_dumps(j, JSON_COMPACT);
    cr_assert_eq(json_array_size(json_object_get(j, "outputs")), 2, "legacy samples: %s", dump);
    cr_assert_eq(jint(output(j, 1), "width"), 512, "legacy width: %s", dump);
    cr_assert_eq(jint(output(j, 1), "height"), 640, "legacy height: %s", dump);
    cr_assert_eq(jint(j, "seed"), 77, "%s", dump);
    free(dump);
    json_decref(j);

    j = poll_job(key, bad, "failed", 60000, 100);
    dump = json_dumps(j, JSON_COMPACT);
    cr_assert_str_eq(nz(jstr(json_object_get(j, "error"), "field")), "colour_grade", "%s", dump);
    free(dump);
    json_decref(j);

    /* 1 + 1 + 2 (one per portrait) charged; the refused job nothing. */
    json_t *acct = account(key);
    cr_assert_eq(jint(acct, "credits"), 6, "%s", json_dumps(acct, 0));
    json_decref(acct);
    expect_healthy("legacy specs");
    cr_assert_eq(WEXITSTATUS(server_stop(30000)), 0);
    free(jpeg);
}
