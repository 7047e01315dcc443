/* test_no_calls_home.c - a self-hosted studio makes no network calls of its own: `./strobe serve` on
 * loopback, with every net open and nothing asked of it, for IDLE_S seconds under strace, connects to
 * nothing but loopback and local sockets. ONNX Runtime 1.30's npm build looked up Microsoft's telemetry
 * collector (a DNS query every few seconds) until main() set ORT_DISABLE_TELEMETRY (nn/nn.h,
 * sb_nn_no_telemetry). Needs strace (scripts/bootstrap.sh installs it) and ../shared's models; skipped
 * without them. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

/* How long the server stays idle under watch: main's build made its first lookups within 10 s. */
#define IDLE_S 25

/* Whether the strace line `line` is a connect(2) to anything but loopback or a local (AF_UNIX) socket. */
static int leaves_the_box(const char *line)
{
    if (!strstr(line, "connect(") || strstr(line, "AF_UNIX"))
        return 0;
    if (strstr(line, "AF_INET6"))
        return !strstr(line, "\"::1\"");
    return strstr(line, "AF_INET") && !strstr(line, "inet_addr(\"127.");
}

Test(no_calls_home, idle_server_connects_to_nothing_outside)
{
    char models[1024];
    TU_SHARED_PATH_OR_SKIP(models, "models");
    if (system("strace -V >/dev/null 2>&1") != 0)
        cr_skip_test("needs strace (scripts/bootstrap.sh installs it)");
    cr_assert_eq(access("./strobe", X_OK), 0, "run from the repository root after make");
    char dir[] = "/tmp/strobe-no-calls-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char trace[1100], log[1100], data[1100];
    snprintf(trace, sizeof trace, "%s/strace.txt", dir);
    snprintf(log, sizeof log, "%s/server.log", dir);
    snprintf(data, sizeof data, "%s/data", dir);

    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        setpgid(0, 0); /* strace and the server in a group of their own, stopped together */
        setenv("STROBE_MODELS", models, 1);
        unsetenv("ORT_DISABLE_TELEMETRY"); /* the server must turn it off itself */
        if (!freopen(log, "w", stdout) || !freopen(log, "a", stderr))
            _exit(126);
        execlp("strace", "strace", "-f", "-qq", "-e", "trace=connect", "-o", trace, "./strobe", "serve", "--listen",
               "127.0.0.1:0", "--data", data, (char *)NULL);
        _exit(127);
    }
    sleep(IDLE_S);
    /* The server stops on SIGTERM (strace with it); SIGKILL when it has not within 30 s. */
    kill(-pid, SIGTERM);
    int st, waited = 0;
    while (waitpid(pid, &st, WNOHANG) != pid) {
        if (++waited == 300)
            kill(-pid, SIGKILL);
        cr_assert_lt(waited, 400, "strace and the server did not stop");
        usleep(100000);
    }

    FILE *f = fopen(trace, "r");
    cr_assert_not_null(f, "no strace output");
    char line[4096];
    int outside = 0;
    char first[4096] = "";
    while (fgets(line, sizeof line, f))
        if (leaves_the_box(line) && !outside++)
            snprintf(first, sizeof first, "%s", line);
    fclose(f);
    char *text = NULL;
    size_t len = 0;
    FILE *lf = fopen(log, "r");
    if (lf) {
        text = malloc(65536);
        len = text ? fread(text, 1, 65535, lf) : 0;
        if (text)
            text[len] = 0;
        fclose(lf);
    }
    cr_assert(text && strstr(text, "\"msg\":\"listening\""), "the server did not start: %s", text ? text : "");
    cr_assert_eq(outside, 0, "%d connects leave the box while idle, the first: %s", outside, first);
    free(text);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}
