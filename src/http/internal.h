/* internal.h - the state the files of src/http share behind server.h: the server, one request's private
 * part, and the connection tracking the deadline watchdog reads. Private to src/http.
 *
 *   server.c   start, stop, quiesce, wait (sb_http_start ... sb_http_stop)
 *   request.c  gathering one request: head checks, body or multipart, handing it to the handler
 *   answer.c   the handler's answer: respond, defer, resume, and queueing it on the connection
 *   deadline.c every connection tracked, and the watchdog that cuts slow heads and bodies
 *
 * Locking: every field marked "mu" is read and written under sb_http_server.mu. */
#ifndef SB_HTTP_INTERNAL_H
#define SB_HTTP_INTERNAL_H

#include <microhttpd.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "http/limits.h"
#include "http/multipart.h"
#include "http/server.h"

/* Where a connection is in its request, for the watchdog: waiting for a head, receiving a body, or
 * being handled (no deadline). */
typedef enum { SB_HTTP_PHASE_HEAD, SB_HTTP_PHASE_BODY, SB_HTTP_PHASE_BUSY } sb_http_phase_t;

/* One TCP connection, tracked so that the watchdog can cut clients that are too slow to send a request
 * head or body: MHD's own timeout only counts idle time, so a client dribbling one byte a second
 * would otherwise hold a connection forever. In the server's list (mu). */
typedef struct sb_http_track {
    int fd;
    sb_http_phase_t phase;
    int64_t since_us;
    struct sb_http_track *prev, *next;
} sb_http_track_t;

struct sb_http_conn_priv {
    sb_http_server_t *srv;
    sb_http_track_t *track;
    sb_http_client_t *client;    /* the address this request is counted against; NULL when not counted */
    sb_multipart_t *mp;
    size_t received;
    size_t body_cap_alloc;       /* bytes allocated for body */
    size_t declared;             /* the Content-Length, when there is one within the body limit; else 0 */
    bool dispatched;
    bool early;                  /* answered by the head hook; the body is drained, then the answer sent */
    bool at_once;                /* refused for its framing: answered before any body byte, then closed */
    bool deferred;
    bool suspended;
    bool queued;
    /* the answer; guarded by srv->mu because a worker may write it while an HTTP thread looks */
    bool responded;
    int status;
    char content_type[96];
    void *body;
    size_t len;
    char **headers;
};

struct sb_http_server {
    sb_http_config_t cfg;
    struct MHD_Daemon *daemon;
    int port;
    pthread_mutex_t mu;
    sb_http_track_t *tracks;     /* mu */
    sb_http_clients_t *clients;  /* requests in flight per client address */
    int deferred;                /* mu */
    int handling;                /* requests inside cfg.handler now (mu) */
    int unsent;                  /* requests dispatched whose connection has not completed yet (mu) */
    bool quiesced;               /* mu */
    bool stopping;               /* mu */
    pthread_t watchdog;
    pthread_cond_t wake;
};

/* ---- deadline.c ---- */

/* MHD_OPTION_NOTIFY_CONNECTION (cls: the server): tracks a connection from its start (phase HEAD) and
 * frees its track when it closes. On an MHD thread; takes mu. Out of memory: the connection goes
 * untracked (no deadline), never refused. */
void sb_http_track_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                              enum MHD_ConnectionNotificationCode code);

/* The track of connection `c`, or NULL when it could not be tracked. On the connection's MHD thread. */
sb_http_track_t *sb_http_conn_track(struct MHD_Connection *c);

/* Move track `t` (NULL: nothing) to `phase`, restarting its deadline clock. Any thread; takes mu. */
void sb_http_set_phase(sb_http_server_t *s, sb_http_track_t *t, sb_http_phase_t phase);

/* The watchdog thread's body (arg: the server): every 200 ms, shuts down the socket of each connection
 * over cfg.header_deadline_ms in phase HEAD or cfg.body_deadline_ms in phase BODY. Returns when
 * s->stopping is set and s->wake signalled. */
void *sb_http_watchdog_main(void *arg);

/* ---- request.c ---- */

/* MHD's access handler (cls: the server): gathers one request and calls cfg.head and cfg.handler
 * (server.h tells when). On an MHD thread. Returns MHD_NO to close the connection (out of memory, a body
 * over twice the cap still coming, a handler that neither answered nor deferred). */
enum MHD_Result sb_http_on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                   const char *version, const char *upload_data, size_t *upload_data_size,
                                   void **con_cls);

/* MHD_OPTION_NOTIFY_COMPLETED (cls: the server): calls cfg.done, releases the client's count and frees
 * the request. On an MHD thread. */
void sb_http_on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe);

/* ---- answer.c ---- */

/* Free the answer held in `p` (body and headers), leaving none. The caller holds mu or owns `p` alone. */
void sb_http_answer_free(struct sb_http_conn_priv *p);

/* Queue the answer held in req->priv on connection `c` (MHD takes the body). On the connection's MHD
 * thread. MHD_NO when MHD could not build or queue the response (the connection then closes). */
enum MHD_Result sb_http_answer_queue(struct MHD_Connection *c, sb_http_req_t *req);

#endif
