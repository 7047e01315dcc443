/* answer.c - the handler's answer (sb_http_respond, sb_http_defer, sb_http_resume) and its queueing on
 * the connection once the request is done. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/internal.h"

void sb_http_answer_free(struct sb_http_conn_priv *p)
{
    free(p->body);
    p->body = NULL;
    if (p->headers) {
        for (char **h = p->headers; *h; h++)
            free(*h);
        free(p->headers);
        p->headers = NULL;
    }
}

enum MHD_Result sb_http_answer_queue(struct MHD_Connection *c, sb_http_req_t *req)
{
    struct sb_http_conn_priv *p = req->priv;
    struct MHD_Response *r =
        MHD_create_response_from_buffer_with_free_callback(p->len, p->body ? p->body : (void *)"", p->body ? free : NULL);
    if (!r)
        return MHD_NO;
    p->body = NULL; /* the response owns it now */
    if (p->content_type[0])
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, p->content_type);
    MHD_add_response_header(r, "X-Request-Id", req->request_id);
    for (char **h = p->headers; h && *h; h++) {
        char *colon = strchr(*h, ':');
        if (!colon)
            continue;
        *colon = '\0';
        const char *v = colon + 1;
        while (*v == ' ')
            v++;
        MHD_add_response_header(r, *h, v);
        *colon = ':';
    }
    enum MHD_Result ok = MHD_queue_response(c, (unsigned)p->status, r);
    MHD_destroy_response(r);
    p->queued = ok == MHD_YES;
    return ok;
}

void sb_http_respond(sb_http_req_t *req, int status, const char *content_type, void *body, size_t len,
                     const char *const *headers)
{
    struct sb_http_conn_priv *p = req->priv;
    int n = 0;
    while (headers && headers[n])
        n++;
    char **copy = calloc((size_t)n + 1, sizeof *copy);
    for (int i = 0; copy && i < n; i++)
        copy[i] = strdup(headers[i]);
    pthread_mutex_lock(&p->srv->mu);
    sb_http_answer_free(p);
    p->status = status;
    snprintf(p->content_type, sizeof p->content_type, "%s", content_type ? content_type : "");
    p->body = body;
    p->len = body ? len : 0;
    p->headers = copy;
    p->responded = true;
    pthread_mutex_unlock(&p->srv->mu);
}

void sb_http_defer(sb_http_req_t *req)
{
    req->priv->deferred = true;
}

void sb_http_resume(sb_http_req_t *req)
{
    struct sb_http_conn_priv *p = req->priv;
    sb_http_server_t *s = p->srv;
    pthread_mutex_lock(&s->mu);
    if (p->suspended) {
        p->suspended = false;
        s->deferred--;
        MHD_resume_connection(req->conn);
    }
    pthread_mutex_unlock(&s->mu);
}
