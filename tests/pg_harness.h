/* pg_harness.h - a throw-away PostgreSQL cluster for the tests: initdb in a temp folder, started with
 * pg_ctl on a free loopback port (and a Unix socket in the same folder), torn down after. Debian's
 * server binaries (/usr/lib/postgresql/15/bin, package postgresql-15, installed by scripts/bootstrap.sh).
 * PostgreSQL refuses to run as root, so as root (CI) the cluster runs as `nobody` through setpriv.
 * Authentication is trust for the role `strobe` on loopback only: the cluster lives for one test. */
#ifndef SB_PG_HARNESS_H
#define SB_PG_HARNESS_H

#include <arpa/inet.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define TU_PG_BIN "/usr/lib/postgresql/15/bin"

typedef struct {
    char dir[64];            /* the temp folder: data/, the socket, the logs */
    int port;
    char url[256];           /* postgres://strobe@127.0.0.1:PORT/postgres */
    bool running;
} tu_pg_t;

/* A port nothing listens on now (the kernel's choice for port 0). */
static inline int tu_pg_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    int port = -1;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 && getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

/* Run a shell command as the cluster's user; true when it exits 0. */
static inline bool tu_pg_sh(const char *cmd)
{
    char line[PATH_MAX * 3];
    snprintf(line, sizeof line, "%s%s", geteuid() == 0 ? "setpriv --reuid=65534 --regid=65534 --clear-groups " : "",
             cmd);
    return system(line) == 0;
}

/* Make and start a cluster. False with the reason in `why` when the binaries are missing (the caller
 * skips) or when it did not start (the caller fails; the logs are in pg->dir). */
static inline bool tu_pg_start(tu_pg_t *pg, bool *missing, char *why, size_t why_size)
{
    memset(pg, 0, sizeof *pg);
    *missing = access(TU_PG_BIN "/initdb", X_OK) != 0;
    if (*missing) {
        snprintf(why, why_size, "needs PostgreSQL 15's server (%s/initdb; package postgresql-15)", TU_PG_BIN);
        return false;
    }
    snprintf(pg->dir, sizeof pg->dir, "/tmp/strobe-pg-XXXXXX");
    if (!mkdtemp(pg->dir) || chmod(pg->dir, 0700) != 0 || (geteuid() == 0 && chown(pg->dir, 65534, 65534) != 0)) {
        snprintf(why, why_size, "cannot make %s", pg->dir);
        return false;
    }
    pg->port = tu_pg_free_port();
    char cmd[PATH_MAX * 2];
    snprintf(cmd, sizeof cmd,
             TU_PG_BIN "/initdb -D %s/data -A trust -U strobe --no-locale -E UTF8 --no-sync >%s/initdb.log 2>&1",
             pg->dir, pg->dir);
    if (!tu_pg_sh(cmd)) {
        snprintf(why, why_size, "initdb failed: see %s/initdb.log", pg->dir);
        return false;
    }
    snprintf(cmd, sizeof cmd,
             TU_PG_BIN "/pg_ctl -D %s/data -l %s/server.log -w -t 60 -o \"-c listen_addresses=127.0.0.1 -p %d "
                       "-k %s -c fsync=off -c max_connections=200\" start >/dev/null 2>&1",
             pg->dir, pg->dir, pg->port, pg->dir);
    if (!tu_pg_sh(cmd)) {
        snprintf(why, why_size, "pg_ctl start failed: see %s/server.log", pg->dir);
        return false;
    }
    pg->running = true;
    snprintf(pg->url, sizeof pg->url, "postgres://strobe@127.0.0.1:%d/postgres", pg->port);
    return true;
}

/* Stop the cluster at once and remove its folder. Safe on a cluster that did not start. */
static inline void tu_pg_stop(tu_pg_t *pg)
{
    char cmd[PATH_MAX * 2];
    if (pg->running) {
        snprintf(cmd, sizeof cmd, TU_PG_BIN "/pg_ctl -D %s/data -m immediate -w stop >/dev/null 2>&1", pg->dir);
        tu_pg_sh(cmd);
        pg->running = false;
    }
    if (pg->dir[0]) {
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", pg->dir);
        if (system(cmd) != 0)
            fprintf(stderr, "pg_harness: could not remove %s\n", pg->dir);
        pg->dir[0] = 0;
    }
}

#endif
