/* web.c - the demo page: GET / (web/index.html) and GET /demo/<file> (its stylesheet and script), built
 * into the binary by web_blob.S. Each answer carries its content type, an ETag (a hash of the bytes, so a
 * new binary is never served from a stale cache) with `Cache-Control: no-cache` (the browser revalidates
 * and gets a 304 while nothing changed), and a Content-Security-Policy that lets the page talk only to
 * this server. An unknown file is the JSON 404 of every other unknown path. */
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "util/hmac.h"

#define WEB_SYMBOLS(name)                                                                                      \
    extern const char sb_web_##name##_start[];                                                                \
    extern const char sb_web_##name##_end[];
WEB_SYMBOLS(index_html)
WEB_SYMBOLS(demo_css)
WEB_SYMBOLS(demo_js)

typedef struct {
    const char *name; /* the segment after /demo/, "" for the page itself */
    const char *type;
    const char *start;
    const char *end;
} web_file_t;

static const web_file_t files[] = {
    {"", "text/html; charset=utf-8", sb_web_index_html_start, sb_web_index_html_end},
    {"demo.css", "text/css; charset=utf-8", sb_web_demo_css_start, sb_web_demo_css_end},
    {"demo.js", "text/javascript; charset=utf-8", sb_web_demo_js_start, sb_web_demo_js_end},
};

/* Scripts and styles from this server only; images also from data: (portraits) and blob: (the picked
 * photo); no frames, no forms posting elsewhere. */
#define CSP                                                                                                    \
    "Content-Security-Policy: default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: " \
    "blob:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

static bool serve(sb_api_ctx_t *c, const web_file_t *f)
{
    size_t len = (size_t)(f->end - f->start);
    char hash[65], etag[40];
    sb_sha256_hex(f->start, len, hash);
    snprintf(etag, sizeof etag, "\"%.32s\"", hash);
    char etag_hdr[64];
    snprintf(etag_hdr, sizeof etag_hdr, "ETag: %s", etag);
    const char *headers[] = {etag_hdr, "Cache-Control: no-cache", "X-Content-Type-Options: nosniff",
                             "Referrer-Policy: no-referrer", CSP, NULL};
    const char *match = sb_http_header(c->req, "If-None-Match");
    if (match && strstr(match, etag)) {
        sb_http_respond(c->req, 304, NULL, NULL, 0, headers);
        return false;
    }
    char *body = malloc(len ? len : 1);
    if (!body) {
        sb_api_fail(c, SB_ERR_NOMEM, "", "out of memory");
        return false;
    }
    memcpy(body, f->start, len);
    sb_http_respond(c->req, 200, f->type, body, len, headers);
    return false;
}

bool sb_api_web_page(sb_api_ctx_t *c)
{
    return serve(c, &files[0]);
}

bool sb_api_web_file(sb_api_ctx_t *c)
{
    for (size_t i = 1; i < sizeof files / sizeof files[0]; i++)
        if (!strcmp(c->param, files[i].name))
            return serve(c, &files[i]);
    sb_api_fail(c, SB_ERR_NOT_FOUND, "", "no file /demo/%s", c->param);
    return false;
}
