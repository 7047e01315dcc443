/* files.c - output files at signed, expiring URLs:
 *   <public_url>/v1/files/<id>.<ext>?exp=<unix seconds>&sig=<hex HMAC-SHA256(server secret, "<id>.<ext>:<exp>")>
 * The URL is the credential (it can be handed to a browser or a CDN); a tampered or expired one is 403. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "util/clock.h"
#include "util/hmac.h"
#include "util/parse.h"

static void sign(sb_service_t *svc, const char *name, long long exp, char sig[65])
{
    char msg[160];
    int n = snprintf(msg, sizeof msg, "%s:%lld", name, exp);
    sb_hmac_sha256_hex(svc->secret, sizeof svc->secret, msg, (size_t)n, sig);
}

char *sb_api_file_url(sb_service_t *svc, const char *name, int64_t exp)
{
    char sig[65];
    sign(svc, name, (long long)exp, sig);
    size_t n = strlen(svc->cfg.public_url) + strlen(name) + 128;
    char *url = malloc(n);
    if (url)
        snprintf(url, n, "%s/v1/files/%s?exp=%lld&sig=%s", svc->cfg.public_url, name, (long long)exp, sig);
    return url;
}

static const char *content_type(const char *ext)
{
    if (!strcmp(ext, "png"))
        return "image/png";
    if (!strcmp(ext, "jpg"))
        return "image/jpeg";
    if (!strcmp(ext, "webp"))
        return "image/webp";
    return "application/octet-stream";
}

bool sb_api_file_get(sb_api_ctx_t *c)
{
    const char *name = c->param;
    const char *exp_s = sb_http_query(c->req, "exp");
    const char *sig = sb_http_query(c->req, "sig");
    long long exp = 0;
    sb_error_t pe;
    if (!exp_s || !sig || sb_parse_int(exp_s, strlen(exp_s), 0, LLONG_MAX, &exp, "exp", &pe)) {
        sb_api_fail(c, SB_ERR_FORBIDDEN, "sig", "this file URL is not signed; use the output_url as returned");
        return false;
    }
    char want[65];
    sign(c->svc, name, exp, want);
    if (!sb_str_equal_ct(want, sig)) {
        sb_api_fail(c, SB_ERR_FORBIDDEN, "sig", "the signature of this file URL does not match");
        return false;
    }
    if (exp < sb_clock_unix()) {
        sb_api_fail(c, SB_ERR_FORBIDDEN, "exp", "this file URL expired at %lld", exp);
        return false;
    }
    const char *dot = strrchr(name, '.');
    char id[SB_ID_MAX];
    snprintf(id, sizeof id, "%.*s", dot ? (int)(dot - name) : (int)strlen(name), name);
    sb_file_t f;
    sb_error_t e = {0};
    uint8_t *data = NULL;
    size_t len = 0;
    sb_err err = sb_meta_file_get(c->svc->meta, id, &f, &e);
    if (!err && f.expires_at < sb_clock_unix())
        err = sb_error_set(&e, SB_ERR_NOT_FOUND, "", "this file has expired and was removed");
    if (!err)
        err = sb_blob_get(c->svc->blob, name, &data, &len, &e);
    if (err == SB_ERR_NOT_FOUND) {
        sb_api_fail(c, SB_ERR_NOT_FOUND, "", "no such file (it may have expired and been purged)");
        return false;
    }
    if (err) {
        sb_api_send_error(c, &e);
        return false;
    }
    char cache[64];
    long long max_age = exp - sb_clock_unix();
    snprintf(cache, sizeof cache, "Cache-Control: private, max-age=%lld", max_age > 0 ? max_age : 0);
    const char *headers[] = {cache, "X-Content-Type-Options: nosniff", NULL};
    sb_http_respond(c->req, 200, content_type(dot ? dot + 1 : ""), data, len, headers);
    return false;
}
