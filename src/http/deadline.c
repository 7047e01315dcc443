/* deadline.c - every connection tracked (internal.h), and the watchdog thread that cuts clients too slow
 * to send a request head or body. */
#include <stdlib.h>
#include <sys/socket.h>

#include "http/internal.h"
#include "util/clock.h"

sb_http_track_t *sb_http_conn_track(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

void sb_http_set_phase(sb_http_server_t *s, sb_http_track_t *t, sb_http_phase_t phase)
{
    if (!t)
        return;
    pthread_mutex_lock(&s->mu);
    t->phase = phase;
    t->since_us = sb_clock_us();
    pthread_mutex_unlock(&s->mu);
}

void sb_http_track_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                              enum MHD_ConnectionNotificationCode code)
{
    sb_http_server_t *s = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        sb_http_track_t *t = calloc(1, sizeof *t);
        if (!t)
            return;
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        t->fd = ci ? ci->connect_fd : -1;
        t->phase = SB_HTTP_PHASE_HEAD;
        t->since_us = sb_clock_us();
        pthread_mutex_lock(&s->mu);
        t->next = s->tracks;
        if (s->tracks)
            s->tracks->prev = t;
        s->tracks = t;
        pthread_mutex_unlock(&s->mu);
        *socket_context = t;
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        sb_http_track_t *t = *socket_context;
        if (!t)
            return;
        pthread_mutex_lock(&s->mu);
        if (t->prev)
            t->prev->next = t->next;
        else
            s->tracks = t->next;
        if (t->next)
            t->next->prev = t->prev;
        pthread_mutex_unlock(&s->mu);
        free(t);
        *socket_context = NULL;
    }
}

/* Cut connections whose head or body is overdue. shutdown() rather than close(): MHD still owns the
 * descriptor, sees the connection fail on its next read and cleans up as for any broken client. */
void *sb_http_watchdog_main(void *arg)
{
    sb_http_server_t *s = arg;
    pthread_mutex_lock(&s->mu);
    while (!s->stopping) {
        sb_clock_cond_wait_ms(&s->wake, &s->mu, 200);
        int64_t now = sb_clock_us();
        for (sb_http_track_t *t = s->tracks; t; t = t->next) {
            int64_t limit_ms = t->phase == SB_HTTP_PHASE_HEAD   ? s->cfg.header_deadline_ms
                               : t->phase == SB_HTTP_PHASE_BODY ? s->cfg.body_deadline_ms
                                                        : 0;
            if (limit_ms > 0 && t->fd >= 0 && now - t->since_us > limit_ms * 1000) {
                shutdown(t->fd, SHUT_RDWR);
                t->fd = -1;
            }
        }
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}
