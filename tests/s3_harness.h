/* s3_harness.h - a throw-away S3-compatible server for the tests: s3rver (npm, MIT; installed into
 * deps/s3rver by scripts/s3rver.sh, which `make test` runs) on a free loopback port with its data in a
 * temp folder and one bucket, "strobe-test", made at start; killed and removed after. Its credentials
 * are s3rver's fixed pair S3RVER / S3RVER. s3rver 3.7.1 checks that the access key id is known but does
 * not verify SigV4 signatures (its lib/middleware/authentication.js: "Signature version 4 calculation
 * is unimplemented"), so a wrong access key fails there and a wrong secret does not. */
#ifndef SB_S3_HARNESS_H
#define SB_S3_HARNESS_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pg_harness.h" /* tu_pg_free_port */

#define TU_S3RVER "deps/s3rver/node_modules/s3rver/bin/s3rver.js"
#define TU_S3_BUCKET "strobe-test"

typedef struct {
    char dir[64];       /* the server's data folder */
    int port;
    char endpoint[64];  /* http://127.0.0.1:PORT */
    pid_t pid;
} tu_s3_t;

/* Whether something accepts TCP connections on 127.0.0.1:port. */
static inline bool tu_s3_listening(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    bool ok = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
    if (fd >= 0)
        close(fd);
    return ok;
}

static inline bool tu_s3_launch(tu_s3_t *s3, char *why, size_t why_size);

/* Start s3rver. False with the reason in `why`: *missing when node or s3rver is not installed (the
 * caller skips), else it did not come up (the caller fails). */
static inline bool tu_s3_start(tu_s3_t *s3, bool *missing, char *why, size_t why_size)
{
    memset(s3, 0, sizeof *s3);
    *missing = access(TU_S3RVER, R_OK) != 0 || system("command -v node >/dev/null 2>&1") != 0;
    if (*missing) {
        snprintf(why, why_size, "needs node and %s (sh scripts/s3rver.sh)", TU_S3RVER);
        return false;
    }
    snprintf(s3->dir, sizeof s3->dir, "/tmp/strobe-s3-XXXXXX");
    if (!mkdtemp(s3->dir)) {
        snprintf(why, why_size, "cannot make a temp folder");
        return false;
    }
    s3->port = tu_pg_free_port();
    snprintf(s3->endpoint, sizeof s3->endpoint, "http://127.0.0.1:%d", s3->port);
    return tu_s3_launch(s3, why, why_size);
}

/* Kill the server and keep its folder and port, for tu_s3_launch to start it again (an S3 outage). */
static inline void tu_s3_kill(tu_s3_t *s3)
{
    if (s3->pid > 0) {
        kill(s3->pid, SIGKILL);
        waitpid(s3->pid, NULL, 0);
        s3->pid = 0;
    }
}

/* Run s3rver on s3->port over s3->dir (its objects survive a restart) and wait until it listens. False
 * with the reason in `why`. */
static inline bool tu_s3_launch(tu_s3_t *s3, char *why, size_t why_size)
{
    char port[16], log[96];
    snprintf(port, sizeof port, "%d", s3->port);
    snprintf(log, sizeof log, "%s.log", s3->dir);
    pid_t parent = getpid();
    s3->pid = fork();
    if (s3->pid < 0) {
        snprintf(why, why_size, "fork failed");
        return false;
    }
    if (s3->pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        FILE *f = freopen(log, "a", stdout);
        if (f)
            dup2(fileno(stdout), 2);
        execlp("node", "node", TU_S3RVER, "-d", s3->dir, "-a", "127.0.0.1", "-p", port, "--silent",
               "--configure-bucket", TU_S3_BUCKET, (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 600; i++) { /* up to 30 s: node starts slowly on a loaded machine */
        if (tu_s3_listening(s3->port))
            return true;
        int st;
        if (waitpid(s3->pid, &st, WNOHANG) == s3->pid) {
            s3->pid = 0;
            snprintf(why, why_size, "s3rver exited at start (status %d): see %s", st, log);
            return false;
        }
        struct timespec t = {0, 50 * 1000000L};
        nanosleep(&t, NULL);
    }
    snprintf(why, why_size, "s3rver did not listen within 30 s: see %s", log);
    return false;
}

/* Kill the server and remove its folder. Safe on one that did not start. */
static inline void tu_s3_stop(tu_s3_t *s3)
{
    tu_s3_kill(s3);
    if (s3->dir[0]) {
        char cmd[256];
        snprintf(cmd, sizeof cmd, "rm -rf '%s' '%s.log'", s3->dir, s3->dir);
        if (system(cmd) != 0)
            fprintf(stderr, "s3_harness: could not remove %s\n", s3->dir);
        s3->dir[0] = 0;
    }
}

#endif
