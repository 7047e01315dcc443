/* limits.c - refusals from the request head, and requests in flight per client address. */
#include "http/limits.h"

#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/server.h"

/* The mark sb_http_uri_hook leaves in a request's context. */
static char query_cut;

void *sb_http_uri_hook(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)cls;
    (void)c;
    char *q = uri ? strchr(uri, '?') : NULL;
    if (!q)
        return NULL;
    int args = 1;
    for (const char *p = q + 1; *p; p++)
        args += *p == '&';
    if (args <= SB_HTTP_MAX_QUERY_ARGS)
        return NULL;
    q[1] = '\0';
    return &query_cut;
}

bool sb_http_query_was_cut(const void *con_cls)
{
    return con_cls == &query_cut;
}

/* An HTTP token (RFC 9110 5.6.2), as a method must be. */
static bool is_token(const char *s)
{
    static const char extra[] = "!#$%&'*+-.^_`|~";
    if (!*s)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || strchr(extra, *s)))
            return false;
    return true;
}

static enum MHD_Result count_content_length(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    (void)value;
    if (key && !strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH))
        (*(int *)cls)++;
    return MHD_YES;
}

sb_err sb_http_check_head(struct MHD_Connection *c, const char *method, size_t method_max, bool query_was_cut,
                          sb_error_t *e)
{
    if (strlen(method) >= method_max || !is_token(method))
        return sb_error_set(e, SB_ERR_USAGE, "", "the request method is not an HTTP method (a token of at most %zu "
                            "characters)", method_max - 1);
    if (query_was_cut)
        return sb_error_set(e, SB_ERR_URI_TOO_LONG, "", "the request target has more than %d query arguments",
                            SB_HTTP_MAX_QUERY_ARGS);
    int lengths = 0;
    MHD_get_connection_values(c, MHD_HEADER_KIND, count_content_length, &lengths);
    const char *te = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
    if (lengths > 1)
        return sb_error_set(e, SB_ERR_USAGE, "Content-Length",
                            "the request has %d Content-Length headers; send exactly one", lengths);
    if (te && lengths)
        return sb_error_set(e, SB_ERR_USAGE, "Transfer-Encoding",
                            "the request has both Transfer-Encoding and Content-Length; send Content-Length only");
    if (te)
        return sb_error_set(e, SB_ERR_LENGTH_REQUIRED, "Transfer-Encoding",
                            "a request body needs a Content-Length header; Transfer-Encoding (chunked uploads) is "
                            "not accepted");
    return SB_OK;
}

void sb_http_client_addr(struct MHD_Connection *c, char out[INET6_ADDRSTRLEN])
{
    out[0] = '\0';
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;
    if (sa && sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, INET6_ADDRSTRLEN);
    else if (sa && sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, INET6_ADDRSTRLEN);
}

/* At most max_connections addresses are connected at once, so a list is enough. */
struct sb_http_client {
    char addr[INET6_ADDRSTRLEN];
    int inflight;
    struct sb_http_client *next;
};

struct sb_http_clients {
    pthread_mutex_t mu;
    int max;
    sb_http_client_t *list;
};

sb_http_clients_t *sb_http_clients_new(int max)
{
    sb_http_clients_t *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    pthread_mutex_init(&t->mu, NULL);
    t->max = max;
    return t;
}

void sb_http_clients_free(sb_http_clients_t *t)
{
    if (!t)
        return;
    while (t->list) {
        sb_http_client_t *next = t->list->next;
        free(t->list);
        t->list = next;
    }
    pthread_mutex_destroy(&t->mu);
    free(t);
}

bool sb_http_clients_enter(sb_http_clients_t *t, const char *addr, sb_http_client_t **entry)
{
    *entry = NULL;
    if (t->max <= 0 || !addr[0])
        return true;
    pthread_mutex_lock(&t->mu);
    sb_http_client_t *cl = t->list;
    while (cl && strcmp(cl->addr, addr))
        cl = cl->next;
    if (!cl && (cl = calloc(1, sizeof *cl))) {
        snprintf(cl->addr, sizeof cl->addr, "%s", addr);
        cl->next = t->list;
        t->list = cl;
    }
    bool ok = !cl || cl->inflight < t->max;
    if (cl && ok) {
        cl->inflight++;
        *entry = cl;
    }
    pthread_mutex_unlock(&t->mu);
    return ok;
}

void sb_http_clients_leave(sb_http_clients_t *t, sb_http_client_t *entry)
{
    if (!entry)
        return;
    pthread_mutex_lock(&t->mu);
    if (--entry->inflight == 0) {
        sb_http_client_t **pp = &t->list;
        while (*pp != entry)
            pp = &(*pp)->next;
        *pp = entry->next;
        free(entry);
    }
    pthread_mutex_unlock(&t->mu);
}
