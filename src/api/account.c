/* account.c - GET /v1/account: the key's balance, usage by pipeline, rate limit and webhook secret. */
#include "api/api.h"

static bool add_usage(const sb_usage_t *u, void *ctx)
{
    json_array_append_new(ctx, json_pack("{s:s, s:I, s:I}", "pipeline", u->pipeline, "outputs", (json_int_t)u->outputs,
                                         "credits", (json_int_t)u->credits));
    return true;
}

bool sb_api_account(sb_api_ctx_t *c)
{
    sb_error_t e = {0};
    json_t *usage = json_array();
    sb_err err = sb_meta_usage_list(c->svc->meta, c->key.id, add_usage, usage, &e);
    if (err) {
        json_decref(usage);
        sb_api_send_error(c, &e);
        return false;
    }
    sb_key_t k = c->key;
    sb_meta_key_get(c->svc->meta, c->key.id, &k, &e);
    char secret[65];
    sb_webhook_secret(c->svc->secret, sizeof c->svc->secret, k.id, secret);
    json_t *body = json_pack("{s:s, s:s, s:I, s:I, s:I, s:o, s:{s:f, s:i}, s:s}", "key_id", k.id, "name", k.name,
                             "credits", (json_int_t)k.credits, "credits_used", (json_int_t)k.used, "created_at",
                             (json_int_t)k.created_at, "usage", usage, "rate_limit", "per_second",
                             c->svc->cfg.rate_per_s, "burst", c->svc->cfg.rate_burst, "webhook_secret", secret);
    sb_api_send_json(c, 200, body, NULL);
    return false;
}
