/* test_install.c - scripts/onnxruntime.sh, the install step of the ONNX Runtime library: a tarball that fails
 * its integrity check stops it with a clear message and leaves nothing behind; with the tarball cached it
 * works without npm (offline); and it is idempotent. The failing tarball comes from a stand-in `npm` on the
 * PATH that writes garbage, since the registry's real tarball passes. Then `make install DESTDIR=<tmp>`: the
 * installed `strobe version` runs on the ONNX Runtime library installed beside it (its $ORIGIN run path, no
 * LD_LIBRARY_PATH), the systemd unit passes `systemd-analyze verify`, `make uninstall` takes it away; and
 * `strobe serve --config` refuses a file with an unknown setting. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "strobe.h"
#include "testutil.h"

#define SB_TEST_VERSION SB_VERSION

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

/* Run `cmd` through the shell; its exit status (-1 when it did not exit). */
static int sh(const char *cmd)
{
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The output of `cmd` (its first 4 KB), malloc'd. */
static char *capture(const char *cmd)
{
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p, "%s", cmd);
    char *out = calloc(1, 4096);
    size_t n = fread(out, 1, 4095, p);
    out[n] = '\0';
    pclose(p);
    return out;
}

Test(install, make_install_into_a_destdir_runs_and_the_unit_verifies, .init = setup, .fini = teardown, .timeout = 600)
{
    char cmd[2048], path[512];
    snprintf(cmd, sizeof cmd, "make --no-print-directory install DESTDIR='%s/root' PREFIX=/usr/local >'%s/err' 2>&1", dir,
             dir);
    cr_assert_eq(sh(cmd), 0, "make install failed: %s", read_err());
    static const char *const files[] = {"root/usr/local/bin/strobe", "root/usr/local/lib/strobe/libonnxruntime.so.1",
                                        "root/usr/local/share/man/man1/strobe.1",
                                        "root/usr/local/lib/systemd/system/strobe.service",
                                        "root/etc/strobe/strobe.env", "root/usr/local/share/strobe/models"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        cr_expect(exists(files[i]), "make install did not install %s", files[i]);

    /* The installed binary, run with no hint of where the library is: its run path finds the copy beside it. */
    snprintf(cmd, sizeof cmd, "env -u LD_LIBRARY_PATH '%s/root/usr/local/bin/strobe' version 2>&1", dir);
    char *out = capture(cmd);
    cr_assert(strstr(out, "strobe " SB_TEST_VERSION) && strstr(out, "ONNX Runtime"), "installed strobe version: %s", out);
    free(out);
    snprintf(cmd, sizeof cmd, "ldd '%s/root/usr/local/bin/strobe' | grep libonnxruntime", dir);
    out = capture(cmd);
    snprintf(path, sizeof path, "%s/root/usr/local/bin/../lib/strobe/libonnxruntime.so.1", dir);
    cr_assert(strstr(out, path), "the installed binary does not load the installed library: %s", out);
    free(out);
    /* The man page renders without warnings. */
    snprintf(cmd, sizeof cmd, "MANWIDTH=80 man --warnings -l '%s/root/usr/local/share/man/man1/strobe.1' 2>&1 >/dev/null",
             dir);
    out = capture(cmd);
    cr_expect_eq(out[0], '\0', "man page warnings: %s", out);
    free(out);

    /* The unit as installed, its ExecStart pointed into DESTDIR (verify checks that the binary exists). */
    if (sh("command -v systemd-analyze >/dev/null 2>&1") == 0) {
        snprintf(cmd, sizeof cmd,
                 "sed 's|^ExecStart=/usr/local|ExecStart=%s/root/usr/local|' '%s/root/usr/local/lib/systemd/system/"
                 "strobe.service' > '%s/strobe.service' && systemd-analyze verify --man=no '%s/strobe.service' "
                 ">'%s/err' 2>&1",
                 dir, dir, dir, dir, dir);
        int rc = sh(cmd);
        char *err = read_err();
        cr_expect(rc == 0 && !*err, "systemd-analyze verify: rc %d: %s", rc, err);
        free(err);
    } else {
        cr_log_warn("systemd-analyze is not installed: the unit was not verified");
    }

    snprintf(cmd, sizeof cmd, "make --no-print-directory uninstall DESTDIR='%s/root' PREFIX=/usr/local >'%s/err' 2>&1",
             dir, dir);
    cr_assert_eq(sh(cmd), 0, "make uninstall failed: %s", read_err());
    cr_expect(!exists("root/usr/local/bin/strobe") && !exists("root/usr/local/lib/strobe/libonnxruntime.so.1") &&
                  !exists("root/usr/local/lib/systemd/system/strobe.service"),
              "make uninstall left files behind");
    cr_expect(exists("root/etc/strobe/strobe.env"), "make uninstall must keep the edited settings");
}

Test(install, serve_config_file_refuses_an_unknown_setting, .init = setup, .fini = teardown)
{
    char path[320], cmd[800];
    snprintf(path, sizeof path, "%s/strobe.conf", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fprintf(f, "# a comment\nSTROBE_LISTEN=\"127.0.0.1:0\"\nSTROBE_WORKRES=2\n");
    fclose(f);
    snprintf(cmd, sizeof cmd, "./strobe serve --config '%s' 2>'%s/err'", path, dir);
    cr_assert_eq(sh(cmd), 2, "an unknown setting is a usage error");
    char *err = read_err();
    cr_assert(strstr(err, "STROBE_WORKRES") && strstr(err, ":3:"), "the message names the setting and line: %s", err);
    free(err);
}
