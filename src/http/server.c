/* server.c - the server's life: the listen address parsed, libmicrohttpd started with the callbacks of
 * request.c and deadline.c, the watchdog thread, quiesce, the wait for requests in flight, and stop.
 * The rest of src/http is listed in internal.h. */
#include "http/server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "http/internal.h"
#include "util/clock.h"
#include "util/parse.h"

static sb_err parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *sl, bool *v6, sb_error_t *e)
{
    char host[128];
    const char *colon;
    memset(ss, 0, sizeof *ss);
    if (listen[0] == '[') {
        const char *end = strchr(listen, ']');
        if (!end || end[1] != ':' || (size_t)(end - listen - 1) >= sizeof host)
            return sb_error_set(e, SB_ERR_USAGE, "listen", "listen address '%s' is not [IPv6]:PORT", listen);
        memcpy(host, listen + 1, (size_t)(end - listen - 1));
        host[end - listen - 1] = '\0';
        colon = end + 1;
    } else {
        colon = strrchr(listen, ':');
        if (!colon || (size_t)(colon - listen) >= sizeof host)
            return sb_error_set(e, SB_ERR_USAGE, "listen", "listen address '%s' is not HOST:PORT", listen);
        memcpy(host, listen, (size_t)(colon - listen));
        host[colon - listen] = '\0';
    }
    long long port;
    sb_error_t pe;
    if (sb_parse_int(colon + 1, strlen(colon + 1), 0, 65535, &port, "listen", &pe))
        return sb_error_set(e, SB_ERR_USAGE, "listen", "bad port in listen address '%s'", listen);
    struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)port);
        *sl = sizeof *a4;
        *v6 = false;
    } else if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        *sl = sizeof *a6;
        *v6 = true;
    } else {
        return sb_error_set(e, SB_ERR_USAGE, "listen", "listen host '%s' is not a numeric IPv4 or IPv6 address", host);
    }
    return SB_OK;
}

sb_err sb_http_start(const sb_http_config_t *cfg, sb_http_server_t **out, sb_error_t *e)
{
    struct sockaddr_storage ss;
    socklen_t sl = 0;
    bool v6 = false;
    sb_err err = parse_listen(cfg->listen, &ss, &sl, &v6, e);
    if (err)
        return err;
    sb_http_server_t *s = calloc(1, sizeof *s);
    if (!s)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory");
    s->cfg = *cfg;
    if (!(s->clients = sb_http_clients_new(cfg->max_requests_per_ip))) {
        free(s);
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory");
    }
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->wake, NULL);
    /* No MHD_OPTION_LISTENING_ADDRESS_REUSE: it sets SO_REUSEPORT, which lets a second server bind the
     * same address and silently take half the connections. MHD's default (SO_REUSEADDR) still allows a
     * restart while old connections sit in TIME_WAIT, but never two listeners. */
    unsigned per_ip = cfg->max_connections_per_ip > 0 ? (unsigned)cfg->max_connections_per_ip : 0; /* 0: none */
    unsigned flags =
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | (v6 ? MHD_USE_IPv6 : 0);
    s->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, sb_http_on_request, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
        MHD_OPTION_NOTIFY_COMPLETED, sb_http_on_completed, s,
        MHD_OPTION_NOTIFY_CONNECTION, sb_http_track_connection, s,
        MHD_OPTION_URI_LOG_CALLBACK, sb_http_uri_hook, s,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->max_connections, MHD_OPTION_CONNECTION_TIMEOUT, 120u,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(cfg->threads > 0 ? cfg->threads : 1),
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)65536, MHD_OPTION_END);
    if (!s->daemon) {
        pthread_mutex_destroy(&s->mu);
        pthread_cond_destroy(&s->wake);
        sb_http_clients_free(s->clients);
        free(s);
        return sb_error_set(e, SB_ERR_IO, "listen",
                            "cannot listen on %s: the address is in use (another server?) or not an address of this "
                            "host",
                            cfg->listen);
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di ? di->port : 0;
    pthread_create(&s->watchdog, NULL, sb_http_watchdog_main, s);
    *out = s;
    return SB_OK;
}

int sb_http_port(const sb_http_server_t *s)
{
    return s->port;
}

void sb_http_quiesce(sb_http_server_t *s)
{
    pthread_mutex_lock(&s->mu);
    bool first = !s->quiesced;
    s->quiesced = true;
    pthread_mutex_unlock(&s->mu);
    if (first) {
        MHD_socket fd = MHD_quiesce_daemon(s->daemon);
        if (fd != MHD_INVALID_SOCKET)
            close(fd);
    }
}

/* Requests in one of the states sb_http_wait_requests (answers 0) or sb_http_wait_answers (answers 1)
 * waits out. Under s->mu. */
static int pending(const sb_http_server_t *s, int answers)
{
    if (answers)
        return s->unsent;
    int n = s->handling;
    for (const sb_http_track_t *t = s->tracks; t; t = t->next)
        n += t->phase == SB_HTTP_PHASE_BODY;
    return n;
}

/* Poll every 5 ms, up to timeout_ms, until pending(s, answers) is 0; true when it is. */
static bool wait_none(sb_http_server_t *s, int answers, int timeout_ms)
{
    int64_t deadline = sb_clock_us() + (int64_t)timeout_ms * 1000;
    for (;;) {
        pthread_mutex_lock(&s->mu);
        int n = pending(s, answers);
        pthread_mutex_unlock(&s->mu);
        if (n == 0)
            return true;
        if (sb_clock_us() >= deadline)
            return false;
        struct timespec t = {.tv_sec = 0, .tv_nsec = 5 * 1000000L};
        nanosleep(&t, NULL);
    }
}

bool sb_http_wait_requests(sb_http_server_t *s, int timeout_ms)
{
    return wait_none(s, 0, timeout_ms);
}

bool sb_http_wait_answers(sb_http_server_t *s, int timeout_ms)
{
    return wait_none(s, 1, timeout_ms);
}

int sb_http_deferred(const sb_http_server_t *s)
{
    sb_http_server_t *m = (sb_http_server_t *)s;
    pthread_mutex_lock(&m->mu);
    int n = m->deferred;
    pthread_mutex_unlock(&m->mu);
    return n;
}

void sb_http_stop(sb_http_server_t *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    s->stopping = true;
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->mu);
    pthread_join(s->watchdog, NULL);
    MHD_stop_daemon(s->daemon);
    sb_http_clients_free(s->clients);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->wake);
    free(s);
}
