/* test_install.c - scripts/onnxruntime.sh, the install step of the ONNX Runtime library: a tarball that fails
 * its integrity check stops it with a clear message and leaves nothing behind; with the tarball cached it
 * works without npm (offline); and it is idempotent. The failing tarball comes from a stand-in `npm` on the
 * PATH that writes garbage, since the registry's real tarball passes. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

#define TGZ "onnxruntime-node-1.30.0.tgz"

static char dir[256];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/strobe-install-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

/* Write an executable `npm` into DIR/bin that runs `body`. */
static void fake_npm(const char *body)
{
    char path[320];
    snprintf(path, sizeof path, "%s/bin", dir);
    cr_assert_eq(mkdir(path, 0755), 0);
    snprintf(path, sizeof path, "%s/bin/npm", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fprintf(f, "#!/bin/sh\n%s\n", body);
    fclose(f);
    cr_assert_eq(chmod(path, 0755), 0);
}

/* Run the script with DIR/bin first on the PATH, DIR/cache as the cache and DIR/lib as the destination;
 * stderr goes to DIR/err. Returns the exit status. */
static int run_script(void)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "PATH='%s/bin':\"$PATH\" STROBE_CACHE='%s/cache' STROBE_ORT_DIR='%s/lib' sh scripts/onnxruntime.sh "
             ">/dev/null 2>'%s/err'",
             dir, dir, dir, dir);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int exists(const char *rel)
{
    char path[512];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    return stat(path, &st) == 0;
}

static char *read_err(void)
{
    char path[320];
    snprintf(path, sizeof path, "%s/err", dir);
    size_t len;
    char *s = (char *)tu_read(path, &len);
    return s;
}

Test(install, a_tarball_failing_its_integrity_stops_the_install, .init = setup, .fini = teardown)
{
    fake_npm("echo 'not the onnxruntime-node tarball' > " TGZ);
    cr_assert_neq(run_script(), 0, "a tarball with the wrong sha512 was accepted");
    char *err = read_err();
    cr_assert_not_null(strstr(err, "fails its integrity check"), "%s", err);
    cr_assert_not_null(strstr(err, "expected sha512-"), "%s", err);
    free(err);
    cr_assert(!exists("lib/libonnxruntime.so.1"), "a library was installed from a bad tarball");
    cr_assert(!exists("cache/" TGZ), "the bad tarball was kept in the cache");
}

Test(install, a_cached_tarball_installs_offline_and_again_is_a_no_op, .init = setup, .fini = teardown)
{
    /* The real tarball, from the cache the build itself filled. */
    char cached[512], cmd[1200];
    const char *cache = getenv("STROBE_CACHE"), *home = getenv("HOME");
    if (cache && *cache)
        snprintf(cached, sizeof cached, "%s/" TGZ, cache);
    else
        snprintf(cached, sizeof cached, "%s/.cache/strobe/" TGZ, home && *home ? home : "/root");
    if (access(cached, R_OK) != 0)
        cr_skip_test("needs the cached %s (the build's install step puts it there)", cached);
    snprintf(cmd, sizeof cmd, "mkdir -p '%s/cache' && cp '%s' '%s/cache/'", dir, cached, dir);
    cr_assert_eq(system(cmd), 0);
    fake_npm("echo 'npm must not be needed when the tarball is cached' >&2; exit 1");

    cr_assert_eq(run_script(), 0, "offline install from the cache failed: %s", read_err());
    cr_assert(exists("lib/libonnxruntime.so.1"));
    /* The library the script installed is the one the build links. */
    snprintf(cmd, sizeof cmd, "cmp -s '%s/lib/libonnxruntime.so.1' deps/onnxruntime/lib/libonnxruntime.so.1", dir);
    cr_assert_eq(system(cmd), 0, "the installed library differs from deps/");

    /* Again: nothing to do, and the cache is not even read. */
    snprintf(cmd, sizeof cmd, "rm '%s/cache/" TGZ "'", dir);
    cr_assert_eq(system(cmd), 0);
    cr_assert_eq(run_script(), 0, "a second run failed: %s", read_err());
}
