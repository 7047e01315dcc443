/* fetch.c - outbound HTTP on libcurl with an SSRF guard in the socket-open callback. */
#include "net/fetch.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#define PROTOCOLS "http,https"
#define USER_AGENT "strobe/0.1"
#define FIRST_CHUNK (64u << 10)

/* Refused IPv4 ranges, most specific first (255.255.255.255 is named before 240.0.0.0/4). */
static const struct {
    uint32_t net;
    int bits;
    const char *kind;
} v4_refused[] = {
    {0x00000000, 8, "unspecified"},       /* 0.0.0.0/8; 0.0.0.0 reaches loopback on Linux */
    {0x0a000000, 8, "private"},           /* 10.0.0.0/8 */
    {0x64400000, 10, "shared CGNAT"},     /* 100.64.0.0/10 */
    {0x7f000000, 8, "loopback"},          /* 127.0.0.0/8 */
    {0xa9fe0000, 16, "link-local"},       /* 169.254.0.0/16, cloud metadata included */
    {0xac100000, 12, "private"},          /* 172.16.0.0/12 */
    {0xc0000000, 24, "reserved"},         /* 192.0.0.0/24: IETF protocol assignments */
    {0xc0000200, 24, "documentation"},    /* 192.0.2.0/24 */
    {0xc0586300, 24, "reserved"},         /* 192.88.99.0/24: 6to4 relay anycast */
    {0xc0a80000, 16, "private"},          /* 192.168.0.0/16 */
    {0xc6120000, 15, "benchmarking"},     /* 198.18.0.0/15 */
    {0xc6336400, 24, "documentation"},    /* 198.51.100.0/24 */
    {0xcb007100, 24, "documentation"},    /* 203.0.113.0/24 */
    {0xe0000000, 4, "multicast"},         /* 224.0.0.0/4 */
    {0xffffffff, 32, "broadcast"},        /* 255.255.255.255 */
    {0xf0000000, 4, "reserved"},          /* 240.0.0.0/4 */
};

/* Refused IPv6 ranges, listed to name them in messages. Anything else outside 2000::/3 (global
 * unicast) is refused as reserved. */
static const struct {
    uint8_t net[16];
    int bits;
    const char *kind;
} v6_refused[] = {
    {{0}, 128, "unspecified"},                       /* :: */
    {{[15] = 1}, 128, "loopback"},                   /* ::1 */
    {{0x01, 0x00}, 64, "reserved"},                  /* 100::/64 discard */
    {{0x20, 0x01, 0x0d, 0xb8}, 32, "documentation"}, /* 2001:db8::/32 */
    {{0x20, 0x01, 0x00, 0x00}, 23, "reserved"},      /* 2001::/23 IETF protocols, Teredo included */
    {{0x3f, 0xff}, 20, "documentation"},             /* 3fff::/20 */
    {{0xfc}, 7, "unique local"},                     /* fc00::/7 */
    {{0xfe, 0x80}, 10, "link-local"},                /* fe80::/10 */
    {{0xfe, 0xc0}, 10, "site-local"},                /* fec0::/10 */
    {{0xff}, 8, "multicast"},                        /* ff00::/8 */
};

/* Prefixes whose IPv6 addresses carry an IPv4 address, judged by the IPv4 rules. */
static const struct {
    uint8_t net[16];
    int bits;
    int v4_at; /* byte offset of the embedded IPv4 address */
} v6_embedding[] = {
    {{[10] = 0xff, [11] = 0xff}, 96, 12},  /* ::ffff:0:0/96 IPv4-mapped */
    {{0x00, 0x64, 0xff, 0x9b}, 96, 12},    /* 64:ff9b::/96 NAT64 */
    {{0x20, 0x02}, 16, 2},                 /* 2002::/16 6to4 */
};

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static CURLcode init_rc = CURLE_FAILED_INIT;

typedef struct {
    CURL *curl;
    size_t max;
    bool keep; /* GET keeps the body; POST counts it and throws it away */
    bool allow_loopback;
    const char *refused_kind; /* the first address the guard refused, NULL when none */
    char refused_addr[INET6_ADDRSTRLEN];
    uint8_t *buf;
    size_t len, cap;
    bool started, too_large, nomem;
    char errbuf[CURL_ERROR_SIZE];
} xfer_t;

static uint32_t load_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static bool prefix_match(const uint8_t *a, const uint8_t *net, int bits)
{
    int whole = bits / 8, rest = bits % 8;
    if (memcmp(a, net, (size_t)whole) != 0)
        return false;
    if (rest == 0)
        return true;
    uint8_t mask = (uint8_t)(0xff << (8 - rest));
    return (a[whole] & mask) == (net[whole] & mask);
}

/* The kind of refused range `a` (host order) lies in, NULL when it is public. */
static const char *v4_kind(uint32_t a)
{
    for (size_t i = 0; i < sizeof v4_refused / sizeof v4_refused[0]; i++) {
        uint32_t mask = ~0u << (32 - v4_refused[i].bits);
        if ((a & mask) == v4_refused[i].net)
            return v4_refused[i].kind;
    }
    return NULL;
}

static const char *v6_kind(const uint8_t a[16])
{
    for (size_t i = 0; i < sizeof v6_embedding / sizeof v6_embedding[0]; i++)
        if (prefix_match(a, v6_embedding[i].net, v6_embedding[i].bits))
            return v4_kind(load_be32(a + v6_embedding[i].v4_at));
    for (size_t i = 0; i < sizeof v6_refused / sizeof v6_refused[0]; i++)
        if (prefix_match(a, v6_refused[i].net, v6_refused[i].bits))
            return v6_refused[i].kind;
    /* Outside 2000::/3 nothing is assigned as global unicast. */
    return (a[0] & 0xe0) == 0x20 ? NULL : "reserved";
}

static const char *addr_kind(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET)
        return v4_kind(ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr));
    if (sa->sa_family == AF_INET6)
        return v6_kind(((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr);
    return "non-IP";
}

/* 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104: the only addresses allow_private opens. */
static bool is_loopback(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET)
        return ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24 == 127;
    if (sa->sa_family != AF_INET6)
        return false;
    const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
    return IN6_IS_ADDR_LOOPBACK(a) || (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
}

bool sb_net_addr_is_public(const struct sockaddr *sa)
{
    return sa && addr_kind(sa) == NULL;
}

sb_fetch_opts_t sb_fetch_opts_default(void)
{
    return (sb_fetch_opts_t){
        .max_bytes = 25u << 20,
        .timeout_ms = 15000,
        .connect_timeout_ms = 5000,
        .max_redirects = 3,
        .allow_private = false,
    };
}

static void global_init(void)
{
    init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

void sb_fetch_global_init(void)
{
    pthread_once(&init_once, global_init);
}

/* The guard. curl calls this for every address of every hop, just before it connects, so the
 * address judged is the address used: no second DNS lookup, and redirects are covered. Refusing
 * here makes curl try the host's next address, or fail with CURLE_COULDNT_CONNECT. */
static curl_socket_t open_socket(void *clientp, curlsocktype purpose, struct curl_sockaddr *a)
{
    (void)purpose;
    xfer_t *x = clientp;
    struct sockaddr_storage ss = {0};
    memcpy(&ss, &a->addr, a->addrlen < sizeof ss ? a->addrlen : sizeof ss);
    const struct sockaddr *sa = (const struct sockaddr *)&ss;
    const char *kind = addr_kind(sa);
    if (kind && !(x->allow_loopback && is_loopback(sa))) {
        if (!x->refused_kind) {
            x->refused_kind = kind;
            const void *ip = sa->sa_family == AF_INET6 ? (const void *)&((struct sockaddr_in6 *)&ss)->sin6_addr
                                                       : (const void *)&((struct sockaddr_in *)&ss)->sin_addr;
            if (!inet_ntop(sa->sa_family, ip, x->refused_addr, sizeof x->refused_addr))
                snprintf(x->refused_addr, sizeof x->refused_addr, "family %d", sa->sa_family);
        }
        return CURL_SOCKET_BAD;
    }
    /* Close-on-exec: a process the server starts must not inherit an outbound connection. */
    return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

static bool grow(xfer_t *x, size_t cap)
{
    uint8_t *p = realloc(x->buf, cap);
    if (!p) {
        x->nomem = true;
        return false;
    }
    x->buf = p;
    x->cap = cap;
    return true;
}

/* curl calls this only for the body of the final response: it skips the bodies of redirects it
 * follows, and a GET (CURLOPT_FAILONERROR) ends at a 4xx/5xx status line. Returning less than n
 * aborts the transfer. */
static size_t on_body(char *data, size_t size, size_t nmemb, void *userp)
{
    xfer_t *x = userp;
    size_t n = size * nmemb;
    if (!x->started) {
        x->started = true;
        curl_off_t cl = -1;
        if (curl_easy_getinfo(x->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl) == CURLE_OK && cl > 0) {
            if ((uint64_t)cl > x->max) {
                x->too_large = true;
                return 0;
            }
            if (x->keep && !grow(x, (size_t)cl))
                return 0;
        }
    }
    if (n > x->max - x->len) {
        x->too_large = true;
        return 0;
    }
    if (!x->keep) {
        x->len += n;
        return n;
    }
    if (n > x->cap - x->len) {
        size_t cap = x->cap ? x->cap : (FIRST_CHUNK < x->max ? FIRST_CHUNK : x->max);
        while (cap < x->len + n)
            cap = cap > x->max / 2 ? x->max : cap * 2;
        if (!grow(x, cap))
            return 0;
    }
    memcpy(x->buf + x->len, data, n);
    x->len += n;
    return n;
}

static sb_err parse_url(const char *url, const char *field, CURLU **out, sb_error_t *e)
{
    if (!url || !*url)
        return sb_error_set(e, SB_ERR_URL_BLOCKED, field, "%s is empty", field);
    if (strnlen(url, SB_FETCH_MAX_URL + 1) > SB_FETCH_MAX_URL)
        return sb_error_set(e, SB_ERR_URL_BLOCKED, field, "%s is longer than %d characters", field,
                            SB_FETCH_MAX_URL);
    CURLU *u = *out = curl_url();
    if (!u)
        return sb_error_set(e, SB_ERR_NOMEM, field, "out of memory parsing %s", field);
    /* Any scheme parses, so that ftp: or file: get the same clear refusal as an unknown one. */
    CURLUcode uc = curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME);
    if (uc == CURLUE_OUT_OF_MEMORY)
        return sb_error_set(e, SB_ERR_NOMEM, field, "out of memory parsing %s", field);
    if (uc == CURLUE_NO_HOST)
        return sb_error_set(e, SB_ERR_URL_BLOCKED, field, "%s has no host", field);
    if (uc)
        return sb_error_set(e, SB_ERR_URL_BLOCKED, field, "%s is not a valid http(s) URL: %s", field,
                            curl_url_strerror(uc));

    char *scheme = NULL, *user = NULL, *password = NULL;
    sb_err err = SB_OK;
    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
    if (!scheme || (strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") != 0))
        err = sb_error_set(e, SB_ERR_URL_BLOCKED, field, "%s must be an http or https URL, not %s:", field,
                           scheme ? scheme : "(none)");
    else if (curl_url_get(u, CURLUPART_USER, &user, 0) != CURLUE_NO_USER ||
             curl_url_get(u, CURLUPART_PASSWORD, &password, 0) != CURLUE_NO_PASSWORD)
        err = sb_error_set(e, SB_ERR_URL_BLOCKED, field, "%s must not carry a user name or password", field);
    curl_free(scheme);
    curl_free(user);
    curl_free(password);
    return err;
}

/* Everything both verbs share: the URL check, a fresh handle, the guard, the limits. */
static sb_err begin(const char *url, const sb_fetch_opts_t *o, const char *field, xfer_t *x, CURLU **u,
                    sb_error_t *e)
{
    if (o->max_bytes == 0 || o->timeout_ms <= 0 || o->connect_timeout_ms <= 0 || o->max_redirects < 0)
        return sb_error_set(e, SB_ERR_USAGE, field,
                            "fetch options for %s need max_bytes, timeout_ms and connect_timeout_ms > 0 "
                            "and max_redirects >= 0",
                            field);
    sb_fetch_global_init();
    if (init_rc != CURLE_OK)
        return sb_error_set(e, SB_ERR_INTERNAL, field, "curl_global_init failed: %s",
                            curl_easy_strerror(init_rc));
    sb_err err = parse_url(url, field, u, e);
    if (err)
        return err;
    if (!(x->curl = curl_easy_init()))
        return sb_error_set(e, SB_ERR_NOMEM, field, "out of memory starting the fetch of %s", field);

    CURL *c = x->curl;
    CURLcode rc = curl_easy_setopt(c, CURLOPT_CURLU, *u);
    if (!rc)
        rc = curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, PROTOCOLS);
    if (!rc)
        rc = curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, PROTOCOLS);
    /* "" rather than unset: an unset proxy is read from http_proxy and friends, and a proxy would
     * make the guard judge the proxy's address instead of the target's. */
    if (!rc)
        rc = curl_easy_setopt(c, CURLOPT_PROXY, "");
    if (!rc)
        rc = curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, open_socket);
    if (!rc)
        rc = curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, x);
    if (!rc)
        rc = curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    if (!rc)
        rc = curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
    if (!rc)
        rc = curl_easy_setopt(c, CURLOPT_ERRORBUFFER, x->errbuf);
    if (!rc)
        rc = curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    if (!rc)
        rc = curl_easy_setopt(c, CURLOPT_USERAGENT, USER_AGENT);
    if (!rc)
        rc = curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, o->timeout_ms);
    if (!rc)
        rc = curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms);
    if (rc)
        return sb_error_set(e, SB_ERR_INTERNAL, field, "libcurl refused an option: %s", curl_easy_strerror(rc));
    return SB_OK;
}

/* Turn a failed curl_easy_perform into the error the API reports. */
static sb_err transfer_error(const xfer_t *x, CURLcode rc, const sb_fetch_opts_t *o, const char *field,
                             sb_error_t *e)
{
    const char *why = x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc);
    if (rc == CURLE_COULDNT_CONNECT && x->refused_kind) {
        long hops = 0;
        curl_easy_getinfo(x->curl, CURLINFO_REDIRECT_COUNT, &hops);
        return sb_error_set(e, SB_ERR_URL_BLOCKED, field,
                            "%s %s %s (%s address), which is refused: only public addresses are fetched",
                            field, hops ? "redirects to" : "resolves to", x->refused_addr, x->refused_kind);
    }
    switch (rc) {
    case CURLE_UNSUPPORTED_PROTOCOL:
        return sb_error_set(e, SB_ERR_URL_BLOCKED, field, "%s redirects to a URL that is not http or https",
                            field);
    case CURLE_TOO_MANY_REDIRECTS:
        return sb_error_set(e, SB_ERR_FETCH_FAILED, field, "%s exceeds the limit of %d redirects", field,
                            o->max_redirects);
    case CURLE_OPERATION_TIMEDOUT: {
        curl_off_t us = 0;
        curl_easy_getinfo(x->curl, CURLINFO_TOTAL_TIME_T, &us);
        return sb_error_set(e, SB_ERR_FETCH_FAILED, field, "%s timed out after %lld ms", field,
                            (long long)(us / 1000));
    }
    case CURLE_COULDNT_RESOLVE_HOST:
        return sb_error_set(e, SB_ERR_FETCH_FAILED, field, "%s: cannot resolve the host (%s)", field, why);
    case CURLE_COULDNT_CONNECT:
        return sb_error_set(e, SB_ERR_FETCH_FAILED, field, "%s: cannot connect (%s)", field, why);
    case CURLE_HTTP_RETURNED_ERROR: {
        long status = 0;
        curl_easy_getinfo(x->curl, CURLINFO_RESPONSE_CODE, &status);
        return sb_error_set(e, SB_ERR_FETCH_FAILED, field, "%s answered HTTP %ld", field, status);
    }
    case CURLE_WRITE_ERROR:
        if (x->too_large)
            return sb_error_set(e, SB_ERR_BODY_TOO_LARGE, field, "%s is over the limit of %zu bytes", field,
                                x->max);
        if (x->nomem)
            return sb_error_set(e, SB_ERR_NOMEM, field, "out of memory holding the body of %s", field);
        break;
    case CURLE_OUT_OF_MEMORY:
        return sb_error_set(e, SB_ERR_NOMEM, field, "out of memory fetching %s", field);
    default:
        break;
    }
    return sb_error_set(e, SB_ERR_FETCH_FAILED, field, "%s could not be fetched: %s", field, why);
}

sb_err sb_fetch_get(const char *url, const sb_fetch_opts_t *o, const char *field, uint8_t **body,
                    size_t *len, sb_error_t *e)
{
    *body = NULL;
    *len = 0;
    sb_fetch_opts_t defaults = sb_fetch_opts_default();
    o = o ? o : &defaults;
    field = field ? field : "url";
    xfer_t x = {.max = o->max_bytes, .keep = true, .allow_loopback = o->allow_private};
    CURLU *u = NULL;
    sb_err err = begin(url, o, field, &x, &u, e);
    if (err)
        goto done;
    CURLcode rc = curl_easy_setopt(x.curl, CURLOPT_FOLLOWLOCATION, 1L);
    if (!rc)
        rc = curl_easy_setopt(x.curl, CURLOPT_MAXREDIRS, (long)o->max_redirects);
    if (!rc)
        rc = curl_easy_setopt(x.curl, CURLOPT_FAILONERROR, 1L);
    if (rc) {
        err = sb_error_set(e, SB_ERR_INTERNAL, field, "libcurl refused an option: %s", curl_easy_strerror(rc));
        goto done;
    }
    rc = curl_easy_perform(x.curl);
    if (rc) {
        err = transfer_error(&x, rc, o, field, e);
        goto done;
    }
    long status = 0;
    curl_easy_getinfo(x.curl, CURLINFO_RESPONSE_CODE, &status);
    if (status < 200 || status > 299) {
        err = sb_error_set(e, SB_ERR_FETCH_FAILED, field, "%s answered HTTP %ld", field, status);
        goto done;
    }
    if (!x.buf && !(x.buf = malloc(1))) {
        err = sb_error_set(e, SB_ERR_NOMEM, field, "out of memory holding the body of %s", field);
        goto done;
    }
    *body = x.buf;
    *len = x.len;
    x.buf = NULL;
done:
    curl_easy_cleanup(x.curl);
    curl_url_cleanup(u);
    free(x.buf);
    return err;
}

static bool has_crlf(const char *s)
{
    return strpbrk(s, "\r\n") != NULL;
}

/* Append a copy of `line`; on failure the list is left as it was. */
static bool add_header(struct curl_slist **list, const char *line)
{
    struct curl_slist *l = curl_slist_append(*list, line);
    if (l)
        *list = l;
    return l != NULL;
}

sb_err sb_fetch_post(const char *url, const sb_fetch_opts_t *o, const char *field, const char *content_type,
                     const uint8_t *body, size_t len, const char *const *extra_headers, long *http_status,
                     sb_error_t *e)
{
    *http_status = 0;
    sb_fetch_opts_t defaults = sb_fetch_opts_default();
    o = o ? o : &defaults;
    field = field ? field : "url";
    if (!content_type || has_crlf(content_type))
        return sb_error_set(e, SB_ERR_USAGE, field, "bad content type for %s", field);
    for (const char *const *h = extra_headers; h && *h; h++)
        if (has_crlf(*h) || !strchr(*h, ':'))
            return sb_error_set(e, SB_ERR_USAGE, field, "bad header for %s: not one \"Name: value\" line",
                                field);

    xfer_t x = {.max = o->max_bytes, .keep = false, .allow_loopback = o->allow_private};
    CURLU *u = NULL;
    struct curl_slist *headers = NULL;
    char *ct = NULL;
    sb_err err = begin(url, o, field, &x, &u, e);
    if (err)
        goto done;

    if (asprintf(&ct, "Content-Type: %s", content_type) < 0)
        ct = NULL;
    /* An empty Expect: stops curl waiting for "100 Continue" before large bodies, which receivers
     * that never send it would turn into a one-second stall per webhook. */
    bool ok = ct && add_header(&headers, ct) && add_header(&headers, "Expect:");
    for (const char *const *h = extra_headers; ok && h && *h; h++)
        ok = add_header(&headers, *h);
    if (!ok) {
        err = sb_error_set(e, SB_ERR_NOMEM, field, "out of memory building the request to %s", field);
        goto done;
    }
    CURLcode rc = curl_easy_setopt(x.curl, CURLOPT_HTTPHEADER, headers);
    if (!rc)
        rc = curl_easy_setopt(x.curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    if (!rc)
        rc = curl_easy_setopt(x.curl, CURLOPT_POSTFIELDS, body ? (const char *)body : "");
    if (rc) {
        err = sb_error_set(e, SB_ERR_INTERNAL, field, "libcurl refused an option: %s", curl_easy_strerror(rc));
        goto done;
    }
    rc = curl_easy_perform(x.curl);
    /* A response body over the cap is cut, not an error: its status line has already arrived. */
    if (rc && !(rc == CURLE_WRITE_ERROR && x.too_large)) {
        err = transfer_error(&x, rc, o, field, e);
        goto done;
    }
    curl_easy_getinfo(x.curl, CURLINFO_RESPONSE_CODE, http_status);
done:
    curl_easy_cleanup(x.curl);
    curl_url_cleanup(u);
    curl_slist_free_all(headers);
    free(ct);
    return err;
}
