/* test_avatar_cache.c - the avatar's input cache end to end with the real `./strobe serve`
 * (tests/server_harness.h, tests/avatar_harness.h): cache_input keeps the normalized input (never the
 * upload's bytes), cache_id restyles it without an upload, refusals, expiry.
 *
 * Runs from the repository root (./strobe); needs ../shared (models, test photos) or skips. */
#include "avatar_harness.h"

TestSuite(avatar_cache, .fini = cleanup, .timeout = 180);

/* ================================================================================================
 * 19. the avatar's input cache: cache_input keeps the normalized input, cache_id restyles it
 * ================================================================================================ */

/* Entries in the blob store (DATA/files). */
/* Blobs in the server's store, counted where they lie on this disk (the files folder, or s3rver's
 * folder for the test's prefix, where each object is NAME._S3rver_object beside its metadata). */
static int count_blobs(void)
{
    cr_assert(S.blob_dir[0], "the blobs' folder is unknown (STROBE_TEST_S3 without STROBE_TEST_S3_DIR)");
    DIR *d = opendir(S.blob_dir);
    if (!d)
        return 0;
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        const char *tag = strstr(de->d_name, "._S3rver_");
        n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..") && (!tag || !strcmp(tag, "._S3rver_object"));
    }
    closedir(d);
    return n;
}

/* A cache_id as the API hands it out: a file id, 32 lower-case hex digits. */
static void expect_cache_id(const json_t *j, const char *what)
{
    const char *id = jstr(j, "cache_id");
    cr_assert(id && strlen(id) == 32 && strspn(id, "0123456789abcdef") == 32, "%s: cache_id in %s", what,
              json_dumps(j, JSON_COMPACT));
    cr_assert(json_is_integer(json_object_get(j, "cache_expires_at")), "%s: cache_expires_at", what);
    cr_assert_eq(jint(j, "cache_expires_at"), jint(j, "expires_at"), "%s: the kept input expires with the outputs",
                 what);
    cr_assert_null(json_object_get(j, "cache_url"), "%s: a kept input has no URL", what);
}

/* Whether any 64-byte piece of `orig`, taken every 512 bytes from its first JPEG scan (SOS) on, occurs
 * in `buf`: the pixels' bytes (the headers before the scan may share standard tables with any JPEG). */
static bool shares_scan_bytes(const uint8_t *buf, size_t n, const uint8_t *orig, size_t olen)
{
    const uint8_t *sos = memmem(orig, olen, "\xff\xda", 2);
    cr_assert_not_null(sos, "the upload has no JPEG scan");
    for (size_t at = (size_t)(sos - orig) + 64; at + 64 <= olen; at += 512)
        if (memmem(buf, n, orig + at, 64))
            return true;
    return false;
}

Test(avatar_cache, avatar_cache_input_restyles_without_upload)
{
    begin();
    size_t jlen;
    uint8_t *jpeg = load_shared(FACE, &jlen);
    char key[64];
    make_key("t", 10, key, NULL);
    server_start(NULL, NULL);

    /* Multipart with cache_input: the avatar as usual, plus a cache_id that is no output and has no URL. */
    const char *const first[] = {"platform", "linkedin", "cache_input", "true", NULL};
    resp_t r = avatar_image(key, jpeg, jlen, first, NULL);
    EXPECT_STATUS(r, 200, "avatar with cache_input");
    expect_avatar_job(r.json, "corporate_headshot", "linkedin", "studio_light", 800, 0.85, "cache_input");
    expect_cache_id(r.json, "cache_input");
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(r.json, "outputs"), i, o)
        cr_assert_str_neq(nz(jstr(o, "role")), "cache", "the kept input is listed as an output: %s", r.body);
    cr_assert_null(strstr(r.body, ".jpg"), "no URL of the kept input (a JPEG) in %s", r.body);
    char cache_id[64], job[64], avatar1[2048];
    snprintf(cache_id, sizeof cache_id, "%s", jstr(r.json, "cache_id"));
    snprintf(job, sizeof job, "%s", jstr(r.json, "id"));
    snprintf(avatar1, sizeof avatar1, "%s", jstr(r.json, "avatar_url"));
    cr_assert_eq(header_long(&r, "X-Credits-Remaining"), 9, "one credit, kept input or not: %s", r.head);
    resp_free(&r);

    /* The job reads back with the same cache_id. */
    char path[600];
    snprintf(path, sizeof path, "/v1/image/%s", job);
    r = get(path, key);
    EXPECT_STATUS(r, 200, "GET the job");
    expect_cache_id(r.json, "GET /v1/image/{id}");
    cr_assert_str_eq(nz(jstr(r.json, "cache_id")), cache_id);
    cr_assert_eq(json_array_size(json_object_get(r.json, "outputs")), 2, "%s", r.body);
    resp_free(&r);

    /* In the store: a JPEG of the upright, decoded photo, re-encoded, so none of the upload's bytes. */
    snprintf(path, sizeof path, "%s.jpg", cache_id);
    size_t clen;
    uint8_t *kept = blob_read(path, &clen);
    cr_assert_not_null(kept, "no kept input %s", path);
    sb_image_info_t info;
    sb_error_t e = {0};
    cr_assert_eq(sb_io_init(NULL, &e), SB_OK, "%s", e.message);
    cr_assert_eq(sb_io_probe(kept, clen, &info, &e), SB_OK, "%s", e.message);
    cr_assert_eq(info.format, SB_FMT_JPEG, "the kept input is not a JPEG");
    cr_assert(info.width == 1000 && info.height == 1500, "kept at %dx%d, not the photo's 1000x1500", info.width,
              info.height);
    cr_assert_eq(info.orientation, 1);
    cr_assert(shares_scan_bytes(jpeg, jlen, jpeg, jlen), "the check finds the upload where it is");
    cr_assert(!shares_scan_bytes(kept, clen, jpeg, jlen), "the kept input holds bytes of the upload");
    scan_t s = {.chunks = {jpeg + jlen / 2 - 4096, jpeg + jlen / 2, jpeg + jlen / 2 + 4096}};
    scan_dir(S.data, &s);
    if (strncmp(S.blob_dir, S.data, strlen(S.data)) != 0)
        scan_dir(S.blob_dir, &s); /* the S3 server's folder: uploaded bytes must not reach it either */
    cr_assert_eq(s.found[0], '\0', "uploaded bytes found in %s", s.found);
    free(kept);

    /* Another style from the cache_id alone: a JSON body of a few bytes, no image. */
    char json[256];
    snprintf(json, sizeof json, "{\"cache_id\":\"%s\",\"style\":\"editorial\"}", cache_id);
    r = avatar_json(key, json, NULL);
    EXPECT_STATUS(r, 200, "editorial from cache_id");
    expect_avatar_job(r.json, "editorial", "generic", "studio_light", 800, 0.75, "editorial from cache_id");
    cr_assert_geq(jnum(r.json, "likeness_score"), 0.85, "the same person: %s", r.body);
    cr_assert_null(json_object_get(r.json, "cache_id"), "nothing kept without cache_input: %s", r.body);
    cr_assert_eq(header_long(&r, "X-Credits-Remaining"), 8, "%s", r.head);
    resp_free(&r);

    /* The first look again from the cache_id (multipart, no image part): the first avatar, near enough
     * (the kept input is a JPEG at quality 95 of what the first request decoded). Measured: 3.8 per
     * sample from the first avatar until the fitted framing of issue 13, 13.9 since (the re-encoded input
     * moves the framing by a few pixels: the same look, scaled ~2%); another person's linkedin avatar is
     * 36-48 away. */
    const char *const again[] = {"cache_id", cache_id, "platform", "linkedin", NULL};
    r = avatar_image(key, NULL, 0, again, NULL);
    EXPECT_STATUS(r, 200, "linkedin again from cache_id");
    expect_avatar_job(r.json, "corporate_headshot", "linkedin", "studio_light", 800, 0.85, "linkedin from cache_id");
    resp_t a = fetch_output(avatar1, "image/png"), b = fetch_output(jstr(r.json, "avatar_url"), "image/png");
    double diff = mean_abs_diff(&a, &b);
    cr_assert_lt(diff, 20.0, "the avatar from the kept input differs from the first by %.2f per sample", diff);
    resp_free(&a);
    resp_free(&b);
    resp_free(&r);

    json_t *acct = account(key);
    cr_assert_eq(jint(acct, "credits_used"), 3, "%s", json_dumps(acct, 0));
    json_decref(acct);
    cr_assert_eq(WEXITSTATUS(server_stop(30000)), 0);
    free(jpeg);
}

Test(avatar_cache, avatar_without_cache_input_keeps_nothing)
{
    begin();
    size_t jlen;
    uint8_t *jpeg = load_shared(FACE, &jlen);
    char *b64 = base64(jpeg, jlen);
    char key[64];
    make_key("t", 10, key, NULL);
    server_start(NULL, NULL);
    scan_t s = {.chunks = {jpeg + jlen / 2 - 4096, jpeg + jlen / 2, jpeg + jlen / 2 + 4096}};

    /* Left out (multipart) and false (JSON): the avatar and its thumbnail, nothing else. */
    int before = count_blobs();
    const char *const fields[] = {"platform", "linkedin", NULL};
    resp_t r = avatar_image(key, jpeg, jlen, fields, NULL);
    EXPECT_STATUS(r, 200, "avatar without cache_input");
    cr_assert_null(json_object_get(r.json, "cache_id"), "%s", r.body);
    cr_assert_null(json_object_get(r.json, "cache_expires_at"), "%s", r.body);
    resp_free(&r);
    cr_assert_eq(count_blobs(), before + 2, "files: %d before, %d after", before, count_blobs());
    char *json = avatar_body(b64, "\"cache_input\":false");
    r = avatar_json(key, json, NULL);
    free(json);
    EXPECT_STATUS(r, 200, "avatar with cache_input false");
    cr_assert_null(json_object_get(r.json, "cache_id"), "%s", r.body);
    resp_free(&r);
    cr_assert_eq(count_blobs(), before + 4, "files: %d before, %d after", before, count_blobs());
    scan_dir(S.data, &s);
    if (strncmp(S.blob_dir, S.data, strlen(S.data)) != 0)
        scan_dir(S.blob_dir, &s); /* the S3 server's folder: uploaded bytes must not reach it either */
    cr_assert_eq(s.found[0], '\0', "uploaded bytes found in %s", s.found);

    /* The count sees a kept input: with cache_input (multipart "1") there is a third file. */
    const char *const keep[] = {"platform", "linkedin", "cache_input", "1", NULL};
    r = avatar_image(key, jpeg, jlen, keep, NULL);
    EXPECT_STATUS(r, 200, "avatar with cache_input 1");
    expect_cache_id(r.json, "cache_input 1");
    resp_free(&r);
    cr_assert_eq(count_blobs(), before + 7, "files: %d before, %d after", before, count_blobs());
    cr_assert_eq(WEXITSTATUS(server_stop(30000)), 0);
    s.found[0] = '\0';
    scan_dir(S.data, &s);
    if (strncmp(S.blob_dir, S.data, strlen(S.data)) != 0)
        scan_dir(S.blob_dir, &s); /* the S3 server's folder: uploaded bytes must not reach it either */
    cr_assert_eq(s.found[0], '\0', "uploaded bytes found in %s after stop", s.found);
    free(b64);
    free(jpeg);
}

Test(avatar_cache, avatar_cache_id_refusals)
{
    begin();
    size_t jlen;
    uint8_t *jpeg = load_shared(FACE, &jlen);
    char *b64 = base64(jpeg, jlen);
    char key[64], other[64];
    make_key("owner", 10, key, NULL);
    make_key("other", 10, other, NULL);
    server_start(NULL, NULL);

    char *json = avatar_body(b64, "\"platform\":\"linkedin\",\"cache_input\":true");
    resp_t r = avatar_json(key, json, NULL);
    free(json);
    EXPECT_STATUS(r, 200, "avatar with cache_input (JSON)");
    expect_cache_id(r.json, "JSON cache_input");
    char cache_id[64], avatar_id[64], thumb_id[64];
    snprintf(cache_id, sizeof cache_id, "%s", jstr(r.json, "cache_id"));
    url_file_id(jstr(r.json, "avatar_url"), avatar_id, sizeof avatar_id);
    url_file_id(jstr(r.json, "thumbnail_url"), thumb_id, sizeof thumb_id);
    resp_free(&r);

    /* 404 not_found on cache_id, one message whatever the reason: unknown, another key's, an output's. */
    const char *unknown = "0123456789abcdef0123456789abcdef";
    char body[256], msg_unknown[512];
    snprintf(body, sizeof body, "{\"cache_id\":\"%s\",\"style\":\"editorial\"}", unknown);
    r = avatar_json(key, body, NULL);
    EXPECT_ERROR(r, 404, "not_found", "cache_id", "unknown cache_id");
    snprintf(msg_unknown, sizeof msg_unknown, "%s", jstr(json_object_get(r.json, "error"), "message"));
    cr_assert_not_null(strstr(msg_unknown, unknown), "%s", msg_unknown);
    resp_free(&r);
    const struct {
        const char *key, *id, *what;
    } cases[] = {{other, cache_id, "another key's cache_id"},
                 {key, avatar_id, "the avatar's file id"},
                 {key, thumb_id, "the thumbnail's file id"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(body, sizeof body, "{\"cache_id\":\"%s\",\"style\":\"editorial\"}", cases[i].id);
        r = avatar_json(cases[i].key, body, NULL);
        EXPECT_ERROR(r, 404, "not_found", "cache_id", cases[i].what);
        char want[512];
        const char *at = strstr(msg_unknown, unknown);
        snprintf(want, sizeof want, "%.*s%s%s", (int)(at - msg_unknown), msg_unknown, cases[i].id,
                 at + strlen(unknown));
        cr_assert_str_eq(nz(jstr(json_object_get(r.json, "error"), "message")), want,
                         "%s: not the unknown id's message", cases[i].what);
        cr_assert_eq(header_long(&r, "X-Credits-Remaining"), cases[i].key == key ? 9 : 10, "%s: %s", cases[i].what,
                     r.head);
        resp_free(&r);
    }
    /* Multipart too. */
    const char *const mp_other[] = {"cache_id", cache_id, NULL};
    r = avatar_image(other, NULL, 0, mp_other, NULL);
    EXPECT_ERROR(r, 404, "not_found", "cache_id", "another key's cache_id (multipart)");
    resp_free(&r);

    /* 400 on cache_id with another image source, or not a non-empty string. */
    char *both = avatar_body(b64, "");
    size_t n = strlen(both) + 64;
    char *with_image = malloc(n);
    snprintf(with_image, n, "{\"cache_id\":\"%s\",%s", cache_id, both + 1);
    r = avatar_json(key, with_image, NULL);
    EXPECT_ERROR(r, 400, "bad_request", "cache_id", "cache_id and image (JSON)");
    resp_free(&r);
    free(with_image);
    free(both);
    char with_url[256];
    snprintf(with_url, sizeof with_url, "{\"cache_id\":\"%s\",\"image_url\":\"http://127.0.0.1:9/a.jpg\"}", cache_id);
    const char *const bad_json[] = {with_url, "{\"cache_id\":42,\"style\":\"editorial\"}", "{\"cache_id\":\"\"}"};
    for (size_t i = 0; i < sizeof bad_json / sizeof bad_json[0]; i++) {
        r = avatar_json(key, bad_json[i], NULL);
        EXPECT_ERROR(r, 400, "bad_request", "cache_id", bad_json[i]);
        resp_free(&r);
    }
    const char *const mp_image[] = {"cache_id", cache_id, NULL};
    r = avatar_image(key, jpeg, jlen, mp_image, NULL);
    EXPECT_ERROR(r, 400, "bad_request", "cache_id", "cache_id and image (multipart)");
    resp_free(&r);

    /* The headshot takes no cache_id: without an image it is the usual 400. */
    snprintf(body, sizeof body, "{\"cache_id\":\"%s\"}", cache_id);
    r = post_json(key, body, NULL);
    EXPECT_ERROR(r, 400, "bad_request", "image_url", "headshot with cache_id");
    resp_free(&r);

    /* None of that cost anything, and the owner's cache_id still works. */
    json_t *acct = account(other);
    cr_assert_eq(jint(acct, "credits_used"), 0, "%s", json_dumps(acct, 0));
    json_decref(acct);
    snprintf(body, sizeof body, "{\"cache_id\":\"%s\",\"style\":\"editorial\"}", cache_id);
    r = avatar_json(key, body, NULL);
    EXPECT_STATUS(r, 200, "the owner's cache_id");
    cr_assert_eq(header_long(&r, "X-Credits-Remaining"), 8, "%s", r.head);
    resp_free(&r);
    free(b64);
    free(jpeg);
}

Test(avatar_cache, avatar_cache_id_expires)
{
    begin();
    size_t jlen;
    uint8_t *jpeg = load_shared(FACE, &jlen);
    char key[64];
    make_key("t", 10, key, NULL);
    const char *const env[] = {"STROBE_FILE_TTL=1", NULL};
    server_start(env, NULL);

    const char *const fields[] = {"cache_input", "true", NULL};
    resp_t r = avatar_image(key, jpeg, jlen, fields, NULL);
    EXPECT_STATUS(r, 200, "avatar with cache_input");
    expect_cache_id(r.json, "cache_input, 1 s TTL");
    char cache_id[64];
    snprintf(cache_id, sizeof cache_id, "%s", jstr(r.json, "cache_id"));
    long long exp = jint(r.json, "cache_expires_at");
    resp_free(&r);

    /* Past its expiry, before any purge (every 600 s here): the file is still there, the id is gone. */
    while ((long long)time(NULL) <= exp)
        sleep_ms(100);
    sleep_ms(200);
    char path[512], body[128];
    snprintf(path, sizeof path, "%s.jpg", cache_id);
    size_t klen;
    uint8_t *kept = blob_read(path, &klen);
    cr_assert_not_null(kept, "the kept input %s is not purged yet", path);
    free(kept);
    snprintf(body, sizeof body, "{\"cache_id\":\"%s\",\"style\":\"editorial\"}", cache_id);
    r = avatar_json(key, body, NULL);
    EXPECT_ERROR(r, 404, "not_found", "cache_id", "expired cache_id");
    cr_assert_eq(header_long(&r, "X-Credits-Remaining"), 9, "%s", r.head);
    resp_free(&r);
    free(jpeg);
}
