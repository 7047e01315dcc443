/* test_store_blob.c - the blob store on a real directory, a fresh temp directory per test: round trips,
 * replacement, bad names, private folders, a vanished directory, readers never seeing a partial put.
 * With STROBE_TEST_S3 set to an S3 endpoint (s3rver's, credentials in AWS_*), the same tests run against
 * its bucket "strobe-test" under a fresh prefix per test, the directory's own tests skip;
 * tests/integration/test_shared_stores.c runs this binary so. */
#include "store_fixture.h"

/* ---- blobs ---- */

static sb_blob_t *blob;
static char blob_dir[PATH_MAX + 16];
static const char *s3_endpoint; /* STROBE_TEST_S3, or NULL for the directory */

static void blob_setup(void)
{
    make_temp_dir();
    snprintf(blob_dir, sizeof blob_dir, "%s/files/sub", dir);
    s3_endpoint = getenv("STROBE_TEST_S3");
    if (s3_endpoint && !*s3_endpoint)
        s3_endpoint = NULL;
    char loc[PATH_MAX + 32];
    if (s3_endpoint) {
        static int n;
        snprintf(loc, sizeof loc, "s3://strobe-test/t_%d_%d?endpoint=%s", (int)getpid(), n++, s3_endpoint);
    } else {
        snprintf(loc, sizeof loc, "file:%s", blob_dir);
    }
    OK(sb_blob_open(loc, &blob, &e));
}

/* The tests of the directory driver's own files. */
#define FS_ONLY()                                                                                            \
    do {                                                                                                     \
        if (s3_endpoint)                                                                                     \
            cr_skip_test("the directory driver's own files");                                                \
    } while (0)

static void blob_teardown(void)
{
    sb_blob_close(blob);
    blob = NULL;
    teardown();
}

TestSuite(blob, .init = blob_setup, .fini = blob_teardown);

/* Names in the blob directory that start with a dot: temp files that were left behind. */
static int hidden_files(void)
{
    if (s3_endpoint)
        return 0;
    DIR *d = opendir(blob_dir);
    cr_assert_not_null(d);
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)))
        n += de->d_name[0] == '.' && strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
    closedir(d);
    return n;
}

Test(blob, open_makes_the_directory_private)
{
    FS_ONLY();
    struct stat st;
    cr_assert_eq(stat(blob_dir, &st), 0);
    cr_assert(S_ISDIR(st.st_mode));
    cr_assert_eq(st.st_mode & 0777, 0700, "mode %o", st.st_mode & 0777);
    OK(sb_blob_check_writable(blob, &e));
    cr_assert_eq(hidden_files(), 0, "the probe file is removed");

    sb_blob_t *b = (sb_blob_t *)1;
    FAILS(sb_blob_open("ftp://bucket/prefix", &b, &e), SB_ERR_USAGE);
    cr_assert_null(b);
    FAILS(sb_blob_open("file:", &b, &e), SB_ERR_USAGE);
    char loc[PATH_MAX + 64];
    snprintf(loc, sizeof loc, "file:%s/afile", blob_dir);
    OK(sb_blob_put(blob, "afile", (const uint8_t *)"x", 1, &e));
    FAILS(sb_blob_open(loc, &b, &e), SB_ERR_STORE); /* a file where the directory should be */
    cr_assert_null(b);
    sb_blob_close(NULL);
}

Test(blob, put_get_delete_round_trip)
{
    uint8_t data[5000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 7 + 3);
    OK(sb_blob_put(blob, "f_1.png", data, sizeof data, &e));
    uint8_t *got = NULL;
    size_t len = 0;
    OK(sb_blob_get(blob, "f_1.png", &got, &len, &e));
    cr_assert_eq(len, sizeof data);
    cr_assert_arr_eq(got, data, sizeof data);
    free(got);

    if (!s3_endpoint) {
        struct stat st;
        char path[PATH_MAX * 2];
        snprintf(path, sizeof path, "%s/f_1.png", blob_dir);
        cr_assert_eq(stat(path, &st), 0);
        cr_assert_eq(st.st_mode & 0777, 0600);
    }

    OK(sb_blob_put(blob, "empty", NULL, 0, &e));
    OK(sb_blob_get(blob, "empty", &got, &len, &e));
    cr_assert_eq(len, 0);
    free(got);

    OK(sb_blob_delete(blob, "f_1.png", &e));
    FAILS(sb_blob_get(blob, "f_1.png", &got, &len, &e), SB_ERR_NOT_FOUND);
    cr_assert_null(got);
    cr_assert_eq(len, 0);
    OK(sb_blob_delete(blob, "f_1.png", &e));
    FAILS(sb_blob_get(blob, "never", &got, &len, &e), SB_ERR_NOT_FOUND);
    cr_assert_eq(hidden_files(), 0);
}

Test(blob, put_replaces)
{
    OK(sb_blob_put(blob, "f_1.jpg", (const uint8_t *)"first version", 13, &e));
    OK(sb_blob_put(blob, "f_1.jpg", (const uint8_t *)"second", 6, &e));
    uint8_t *got;
    size_t len;
    OK(sb_blob_get(blob, "f_1.jpg", &got, &len, &e));
    cr_assert_eq(len, 6);
    cr_assert_arr_eq(got, "second", 6);
    free(got);
    cr_assert_eq(hidden_files(), 0);
}

Test(blob, bad_names_are_refused)
{
    const char *bad[] = {
        "",     ".hidden", ".",         "..",
        "a..b", "a/b",     "../x",      "a b",
        "a\\b", "ü.png",   "f_1.png\n", "0123456789012345678901234567890123456789012345678901234567890123x"};
    uint8_t *got;
    size_t len;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        cr_assert_eq(sb_blob_put(blob, bad[i], (const uint8_t *)"x", 1, &e), SB_ERR_USAGE, "put '%s'",
                     bad[i]);
        cr_assert_eq(sb_blob_get(blob, bad[i], &got, &len, &e), SB_ERR_USAGE, "get '%s'", bad[i]);
        cr_assert_eq(sb_blob_delete(blob, bad[i], &e), SB_ERR_USAGE, "delete '%s'", bad[i]);
    }
    FAILS(sb_blob_put(blob, NULL, (const uint8_t *)"x", 1, &e), SB_ERR_USAGE);
    const char *name64 = "0123456789012345678901234567890123456789012345678901234567890123";
    OK(sb_blob_put(blob, name64, (const uint8_t *)"x", 1, &e));
    OK(sb_blob_put(blob, "A-z_0.9", (const uint8_t *)"x", 1, &e));
    OK(sb_blob_get(blob, name64, &got, &len, &e));
    free(got);
}

Test(blob, a_vanished_directory_is_a_store_error)
{
    FS_ONLY();
    OK(sb_blob_put(blob, "f_1.png", (const uint8_t *)"x", 1, &e));
    char path[PATH_MAX * 2];
    snprintf(path, sizeof path, "%s/f_1.png", blob_dir);
    cr_assert_eq(unlink(path), 0);
    cr_assert_eq(rmdir(blob_dir), 0);
    FAILS(sb_blob_check_writable(blob, &e), SB_ERR_STORE);
    FAILS(sb_blob_put(blob, "f_2.png", (const uint8_t *)"x", 1, &e), SB_ERR_STORE);
    uint8_t *got;
    size_t len;
    FAILS(sb_blob_get(blob, "f_1.png", &got, &len, &e), SB_ERR_NOT_FOUND);
}

/* The S3 driver without a server: locations and credentials are checked at open, nothing is sent until
 * a call, and an unreachable endpoint is "store down" (503 + Retry-After to clients), not a failure. */
Test(blob, s3_locations_credentials_and_an_unreachable_endpoint)
{
    sb_blob_t *b = (sb_blob_t *)1;
    cr_assert_eq(setenv("AWS_ACCESS_KEY_ID", "AKIDTEST", 1), 0);
    cr_assert_eq(setenv("AWS_SECRET_ACCESS_KEY", "s3cret-key-never-shown", 1), 0);
    FAILS(sb_blob_open("s3://Bad_Bucket/x", &b, &e), SB_ERR_USAGE);
    cr_assert(strstr(e.message, "bucket"), "%s", e.message);
    FAILS(sb_blob_open("s3://bucket/../x", &b, &e), SB_ERR_USAGE);
    FAILS(sb_blob_open("s3://bucket/x?endpoint=ftp://127.0.0.1:1", &b, &e), SB_ERR_USAGE);
    FAILS(sb_blob_open("s3://bucket/x?endpoint=http://127.0.0.1:1&addressing=sideways", &b, &e), SB_ERR_USAGE);
    OK(sb_blob_open("s3://bucket/x/?endpoint=http://127.0.0.1:1&region=eu-west-1", &b, &e));
    FAILS(sb_blob_put(b, "f_1.png", (const uint8_t *)"x", 1, &e), SB_ERR_STORE_DOWN);
    cr_assert(strstr(e.message, "s3://bucket/x/f_1.png"), "%s", e.message);
    cr_assert_null(strstr(e.message, "s3cret"), "%s", e.message);
    uint8_t *got;
    size_t len;
    FAILS(sb_blob_get(b, "f_1.png", &got, &len, &e), SB_ERR_STORE_DOWN);
    FAILS(sb_blob_check_writable(b, &e), SB_ERR_STORE_DOWN);
    FAILS(sb_blob_put(b, "../x", (const uint8_t *)"x", 1, &e), SB_ERR_USAGE);
    sb_blob_close(b);
    cr_assert_eq(unsetenv("AWS_SECRET_ACCESS_KEY"), 0);
    b = (sb_blob_t *)1;
    FAILS(sb_blob_open("s3://bucket/x?endpoint=http://127.0.0.1:1", &b, &e), SB_ERR_USAGE);
    cr_assert(strstr(e.message, "AWS_SECRET_ACCESS_KEY"), "%s", e.message);
    cr_assert_null(b);
}

/* Against the real S3 server: an access key it does not know is refused with S3's code in the message. */
Test(blob, s3_an_unknown_access_key_is_refused)
{
    if (!s3_endpoint)
        cr_skip_test("needs STROBE_TEST_S3 (see test_shared_stores)");
    char saved[128];
    snprintf(saved, sizeof saved, "%s", getenv("AWS_ACCESS_KEY_ID") ? getenv("AWS_ACCESS_KEY_ID") : "");
    cr_assert_eq(setenv("AWS_ACCESS_KEY_ID", "NOT-A-KNOWN-KEY", 1), 0);
    char loc[256];
    snprintf(loc, sizeof loc, "s3://strobe-test/wrong?endpoint=%s", s3_endpoint);
    sb_blob_t *b;
    OK(sb_blob_open(loc, &b, &e));
    FAILS(sb_blob_put(b, "f_1.png", (const uint8_t *)"x", 1, &e), SB_ERR_STORE);
    cr_assert(strstr(e.message, "InvalidAccessKeyId"), "%s", e.message);
    sb_blob_close(b);
    cr_assert_eq(setenv("AWS_ACCESS_KEY_ID", saved, 1), 0);
}

#define BIG (256 * 1024)

/* Writers put all-'A' or all-'B' versions of one blob; readers must only ever see one whole version. */
static void *blob_writer(void *arg)
{
    uint8_t *buf = malloc(BIG);
    sb_error_t we = {0};
    for (int i = 0; i < 40; i++) {
        memset(buf, (i + (int)(intptr_t)arg) % 2 ? 'A' : 'B', BIG);
        if (sb_blob_put(blob, "shared.png", buf, BIG, &we)) {
            free(buf);
            return strdup(we.message);
        }
    }
    free(buf);
    return NULL;
}

static void *blob_reader(void *arg)
{
    sb_error_t re = {0};
    for (int i = 0; i < 80; i++) {
        uint8_t *got;
        size_t len;
        if (sb_blob_get(blob, "shared.png", &got, &len, &re))
            return strdup(re.message);
        bool whole = len == BIG && (got[0] == 'A' || got[0] == 'B');
        for (size_t k = 1; whole && k < len; k++)
            whole = got[k] == got[0];
        free(got);
        if (!whole)
            return strdup("saw a torn blob");
    }
    return NULL;
}

Test(blob, readers_never_see_a_partial_put)
{
    /* S3 itself makes a PUT visible whole; s3rver writes the object in place, so a reader racing a
     * writer can get a cut body there (seen: "Transferred a partial file"). The property is tested on the
     * directory driver, whose rename provides it. */
    FS_ONLY();
    uint8_t *buf = calloc(1, BIG);
    memset(buf, 'A', BIG);
    OK(sb_blob_put(blob, "shared.png", buf, BIG, &e));
    free(buf);
    pthread_t t[4];
    for (intptr_t i = 0; i < 4; i++)
        cr_assert_eq(pthread_create(&t[i], NULL, i < 2 ? blob_writer : blob_reader, (void *)i), 0);
    for (int i = 0; i < 4; i++) {
        void *msg;
        pthread_join(t[i], &msg);
        cr_assert_null(msg, "thread %d: %s", i, (char *)msg);
    }
    cr_assert_eq(hidden_files(), 0);
}
