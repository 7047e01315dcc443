/* test_openapi.c - src/api/openapi.json against the implementation: the version, the route table
 * (sb_api_route_list), operation ids, path parameters, $refs, the error codes and their statuses
 * (src/util/err.c), the security overrides, and the copy built into the binary (openapi_blob.S). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "strobe.h"
#include "testutil.h"
#include "util/err.h"

#include "openapi_fixture.h"

/* "METHOD PATH" of an operation, the form of sb_api_route_list. */
static void route_name(const char *method, const char *path, char *out, size_t size)
{
    size_t n = 0;
    for (; method[n] && n + 1 < size; n++)
        out[n] = (char)toupper((unsigned char)method[n]);
    snprintf(out + n, size - n, " %s", path);
}

static bool in_route_list(const char *name)
{
    for (const char *const *r = sb_api_route_list; *r; r++)
        if (!strcmp(*r, name))
            return true;
    return false;
}

Test(openapi, version_and_info)
{
    json_t *doc = load_doc();
    cr_assert_str_eq(json_string_value(json_object_get(doc, "openapi")) ?: "(none)", "3.1.0");
    json_t *info = json_object_get(doc, "info");
    cr_assert_str_eq(json_string_value(json_object_get(info, "title")) ?: "(none)", "strobe");
    cr_assert_str_eq(json_string_value(json_object_get(info, "version")) ?: "(none)", SB_VERSION,
                     "info.version must match SB_VERSION in include/strobe.h");
    json_t *servers = json_object_get(doc, "servers");
    cr_assert(json_is_array(servers) && json_array_size(servers) >= 1, "servers is missing");
    cr_assert_str_eq(json_string_value(json_object_get(json_array_get(servers, 0), "url")) ?: "(none)",
                     "http://127.0.0.1:8080");
    json_decref(doc);
}

/* The set of "METHOD PATH" pairs in the document equals the router's, exactly. */
Test(openapi, routes_match_the_router)
{
    json_t *doc = load_doc();
    json_t *paths = json_object_get(doc, "paths");
    cr_assert(json_is_object(paths), "paths is missing");
    size_t n_doc = 0;
    const char *path;
    json_t *item;
    json_object_foreach(paths, path, item)
    {
        const char *key;
        json_t *op;
        json_object_foreach(item, key, op)
        {
            if (!is_method(key))
                continue;
            char name[600];
            route_name(key, path, name, sizeof name);
            cr_expect(in_route_list(name), "the document has %s, which is not in the router's route table", name);
            n_doc++;
        }
    }
    size_t n_router = 0;
    for (const char *const *r = sb_api_route_list; *r; r++, n_router++) {
        char method[16], rpath[512];
        cr_assert_eq(sscanf(*r, "%15s %511s", method, rpath), 2, "bad route list entry '%s'", *r);
        for (char *m = method; *m; m++)
            *m = (char)tolower((unsigned char)*m);
        cr_expect_not_null(json_object_get(json_object_get(paths, rpath), method),
                           "the router serves %s, which the document does not describe", *r);
    }
    cr_assert_gt(n_router, 0);
    cr_assert_eq(n_doc, n_router, "%zu operations in the document, %zu routes in the router", n_doc, n_router);
    json_decref(doc);
}

/* Is `name` declared as a required path parameter in `params` (an array, may hold $refs)? */
static bool declares_path_param(json_t *doc, json_t *params, const char *name)
{
    size_t i;
    json_t *p;
    json_array_foreach(params, i, p)
    {
        p = deref(doc, p);
        if (!strcmp(json_string_value(json_object_get(p, "in")) ?: "", "path") &&
            !strcmp(json_string_value(json_object_get(p, "name")) ?: "", name)) {
            cr_expect(json_is_true(json_object_get(p, "required")), "path parameter {%s} must be required", name);
            return true;
        }
    }
    return false;
}

static bool public_op(json_t *doc, json_t *op)
{
    json_t *sec = json_object_get(op, "security");
    if (!sec)
        sec = json_object_get(doc, "security");
    return json_is_array(sec) && json_array_size(sec) == 0;
}

/* Whether the operation speaks remove.bg's API: its security names the X-Api-Key scheme. */
static bool removebg_op(json_t *op)
{
    size_t i;
    json_t *req;
    json_array_foreach(json_object_get(op, "security"), i, req)
    {
        if (json_object_get(req, "removebgApiKey"))
            return true;
    }
    return false;
}

/* Every operation: a unique operationId, a summary, responses with valid status keys, its path
 * parameters declared, and 401 documented exactly when the operation needs a key. */
Test(openapi, operations)
{
    json_t *doc = load_doc();
    json_t *ids = json_object();
    const char *path;
    json_t *item;
    json_object_foreach(json_object_get(doc, "paths"), path, item)
    {
        const char *method;
        json_t *op;
        json_object_foreach(item, method, op)
        {
            if (!is_method(method))
                continue;
            const char *id = json_string_value(json_object_get(op, "operationId"));
            cr_assert(id && *id, "%s %s has no operationId", method, path);
            cr_expect_null(json_object_get(ids, id), "operationId %s is used twice", id);
            json_object_set_new(ids, id, json_true());
            const char *summary = json_string_value(json_object_get(op, "summary"));
            cr_expect(summary && *summary, "%s has no summary", id);

            json_t *responses = json_object_get(op, "responses");
            cr_assert(json_is_object(responses) && json_object_size(responses) > 0, "%s has no responses", id);
            const char *status;
            json_t *resp;
            json_object_foreach(responses, status, resp)
            {
                bool ok = !strcmp(status, "default") ||
                          (strlen(status) == 3 && status[0] >= '1' && status[0] <= '5' &&
                           ((isdigit((unsigned char)status[1]) && isdigit((unsigned char)status[2])) ||
                            !strcmp(status + 1, "XX")));
                cr_expect(ok, "%s: '%s' is not a response status", id, status);
                cr_expect(json_is_string(json_object_get(deref(doc, resp), "description")),
                          "%s: response %s has no description", id, status);
            }

            /* {param} segments <-> parameters in: path */
            for (const char *p = strchr(path, '{'); p; p = strchr(p + 1, '{')) {
                const char *end = strchr(p, '}');
                cr_assert_not_null(end, "unbalanced { in %s", path);
                char name[64];
                snprintf(name, sizeof name, "%.*s", (int)(end - p - 1), p + 1);
                cr_expect(declares_path_param(doc, json_object_get(op, "parameters"), name) ||
                              declares_path_param(doc, json_object_get(item, "parameters"), name),
                          "%s: path parameter {%s} is not declared", id, name);
            }
            size_t i;
            json_t *prm;
            json_array_foreach(json_object_get(op, "parameters"), i, prm)
            {
                prm = deref(doc, prm);
                if (strcmp(json_string_value(json_object_get(prm, "in")) ?: "", "path"))
                    continue;
                char want[80];
                snprintf(want, sizeof want, "{%s}", json_string_value(json_object_get(prm, "name")) ?: "");
                cr_expect_not_null(strstr(path, want), "%s declares path parameter %s not in %s", id, want, path);
            }

            bool pub = public_op(doc, op);
            bool has401 = json_object_get(responses, "401") != NULL;
            if (removebg_op(op)) /* remove.bg's API answers a bad key with 403 */
                cr_expect(!has401 && json_object_get(responses, "403"), "%s: a bad X-Api-Key is 403, not 401", id);
            else
                cr_expect(pub != has401, "%s: %s but %s 401 response", id, pub ? "public" : "needs a key",
                          has401 ? "has a" : "has no");
        }
    }
    cr_assert_gt(json_object_size(ids), 0);
    json_decref(ids);
    json_decref(doc);
}

Test(openapi, security)
{
    json_t *doc = load_doc();
    json_t *bearer = json_object_get(json_object_get(json_object_get(doc, "components"), "securitySchemes"), "bearer");
    cr_assert_not_null(bearer, "components.securitySchemes.bearer is missing");
    cr_assert_str_eq(json_string_value(json_object_get(bearer, "type")) ?: "", "http");
    cr_assert_str_eq(json_string_value(json_object_get(bearer, "scheme")) ?: "", "bearer");
    json_t *global = json_object_get(doc, "security");
    cr_assert(json_is_array(global) && json_array_size(global) == 1, "global security must be [{bearer: []}]");
    cr_assert_not_null(json_object_get(json_array_get(global, 0), "bearer"));
    json_decref(doc);
}

static void check_refs(json_t *doc, json_t *node, const char *where, int *count)
{
    if (json_is_object(node)) {
        const char *key;
        json_t *v;
        json_object_foreach(node, key, v)
        {
            if (!strcmp(key, "$ref") && json_is_string(v)) {
                const char *ref = json_string_value(v);
                cr_expect(ref[0] == '#' && ref[1] == '/', "%s: $ref %s is not local", where, ref);
                cr_expect_not_null(resolve(doc, ref), "%s: $ref %s does not resolve", where, ref);
                (*count)++;
            } else {
                char sub[1024];
                snprintf(sub, sizeof sub, "%s/%s", where, key);
                check_refs(doc, v, sub, count);
            }
        }
    } else if (json_is_array(node)) {
        size_t i;
        json_t *v;
        json_array_foreach(node, i, v)
        {
            char sub[1024];
            snprintf(sub, sizeof sub, "%s/%zu", where, i);
            check_refs(doc, v, sub, count);
        }
    }
}

Test(openapi, every_ref_resolves)
{
    json_t *doc = load_doc();
    int count = 0;
    check_refs(doc, doc, "#", &count);
    cr_assert_gt(count, 0, "no $ref at all: the check would prove nothing");
    /* and the resolver itself: a dangling pointer is caught */
    cr_assert_null(resolve(doc, "#/components/schemas/NoSuchSchema"));
    cr_assert_not_null(resolve(doc, "#/paths/~1healthz/get"));
    json_decref(doc);
}

/* The schema of Error.error.code, following $refs. */
static json_t *error_code_schema(json_t *doc)
{
    json_t *err = deref(doc, resolve(doc, "#/components/schemas/Error"));
    cr_assert_not_null(err, "components.schemas.Error is missing");
    json_t *inner = deref(doc, json_object_get(json_object_get(err, "properties"), "error"));
    cr_assert_not_null(inner, "Error has no property 'error'");
    json_t *code = deref(doc, json_object_get(json_object_get(inner, "properties"), "code"));
    cr_assert_not_null(code, "Error.error has no property 'code'");
    return code;
}

/* The Error schema's code enum is exactly the error table of src/util/err.c, with its statuses. */
Test(openapi, error_codes_match_err_table)
{
    json_t *doc = load_doc();
    json_t *code = error_code_schema(doc);
    json_t *names = json_object_get(code, "enum");
    cr_assert(json_is_array(names), "Error.error.code has no enum");
    json_t *seen = json_object();
    size_t i;
    json_t *v;
    json_array_foreach(names, i, v)
    {
        const char *name = json_string_value(v);
        cr_assert_not_null(name, "enum entry %zu is not a string", i);
        sb_err c = sb_err_from_name(name);
        cr_expect_str_eq(sb_err_name(c), name, "'%s' is not an error code name of src/util/err.c", name);
        cr_expect(c >= SB_ERR_USAGE && c < SB_ERR__COUNT, "'%s' is not an error code", name);
        cr_expect_null(json_object_get(seen, name), "'%s' is listed twice", name);
        json_object_set_new(seen, name, json_true());
    }
    for (int c = SB_ERR_USAGE; c < SB_ERR__COUNT; c++)
        cr_expect_not_null(json_object_get(seen, sb_err_name((sb_err)c)), "error code '%s' is missing from the enum",
                           sb_err_name((sb_err)c));
    cr_expect_eq(json_array_size(names), (size_t)(SB_ERR__COUNT - SB_ERR_USAGE));

    /* x-http-status: the status of each code, as the table maps it */
    json_t *status = json_object_get(code, "x-http-status");
    cr_assert(json_is_object(status), "the code schema has no x-http-status map");
    cr_expect_eq(json_object_size(status), (size_t)(SB_ERR__COUNT - SB_ERR_USAGE));
    for (int c = SB_ERR_USAGE; c < SB_ERR__COUNT; c++) {
        json_t *s = json_object_get(status, sb_err_name((sb_err)c));
        cr_expect(json_is_integer(s) && json_integer_value(s) == sb_err_http_status((sb_err)c),
                  "x-http-status of '%s' must be %d", sb_err_name((sb_err)c), sb_err_http_status((sb_err)c));
    }

    /* The Error description documents the table: every code with its status. */
    const char *desc = json_string_value(json_object_get(deref(doc, resolve(doc, "#/components/schemas/Error")),
                                                         "description"));
    cr_assert_not_null(desc, "the Error schema has no description");
    for (int c = SB_ERR_USAGE; c < SB_ERR__COUNT; c++) {
        char row[96];
        snprintf(row, sizeof row, "| `%s` | %d |", sb_err_name((sb_err)c), sb_err_http_status((sb_err)c));
        cr_expect_not_null(strstr(desc, row), "the Error description lacks the row %s", row);
    }
    json_decref(seen);
    json_decref(doc);
}

/* Every 4xx/5xx an operation documents is the status of some error code (no invented statuses). */
Test(openapi, error_statuses_exist_in_err_table)
{
    json_t *doc = load_doc();
    const char *path;
    json_t *item;
    json_object_foreach(json_object_get(doc, "paths"), path, item)
    {
        const char *method;
        json_t *op;
        json_object_foreach(item, method, op)
        {
            if (!is_method(method))
                continue;
            const char *status;
            json_t *resp;
            json_object_foreach(json_object_get(op, "responses"), status, resp)
            {
                int s = atoi(status);
                if (s < 400)
                    continue;
                bool found = false;
                for (int c = SB_ERR_USAGE; c < SB_ERR__COUNT && !found; c++)
                    found = sb_err_http_status((sb_err)c) == s;
                cr_expect(found, "%s %s documents %d, which no error code maps to", method, path, s);
            }
        }
    }
    json_decref(doc);
}

/* The binary serves the document built in by openapi_blob.S: it must be this file, byte for byte. */
extern const char sb_openapi_json_start[], sb_openapi_json_end[];

Test(openapi, embedded_copy_equals_file)
{
    FILE *f = fopen(DOC_PATH, "rb");
    cr_assert_not_null(f, "cannot open %s", DOC_PATH);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    cr_assert_gt(n, 0);
    char *buf = malloc((size_t)n);
    cr_assert_not_null(buf);
    cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    size_t len = (size_t)(sb_openapi_json_end - sb_openapi_json_start);
    cr_assert_eq(len, (size_t)n, "the embedded document is %zu bytes, %s is %ld: rebuild (make)", len, DOC_PATH, n);
    cr_assert(memcmp(buf, sb_openapi_json_start, len) == 0, "the embedded document differs from %s: rebuild", DOC_PATH);
    free(buf);
}
