/* test_openapi.c - src/api/openapi.json against the implementation: the version, the route table
 * (sb_api_route_list), operation ids, path parameters, $refs, the error codes and their statuses
 * (src/util/err.c), the security overrides, and the copy built into the binary (openapi_blob.S). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api/api.h"
#include "strobe.h"
#include "testutil.h"
#include "util/err.h"

#define DOC_PATH "src/api/openapi.json"

/* The document in the repository (tests run from the repo root). */
static json_t *load_doc(void)
{
    json_error_t je;
    json_t *doc = json_load_file(DOC_PATH, JSON_REJECT_DUPLICATES, &je);
    cr_assert_not_null(doc, "%s: line %d, column %d: %s", DOC_PATH, je.line, je.column, je.text);
    cr_assert(json_is_object(doc), "%s is not a JSON object", DOC_PATH);
    return doc;
}

/* Resolve a local JSON pointer "#/a/b~1c" in `doc`, NULL when it points nowhere. */
static json_t *resolve(json_t *doc, const char *ref)
{
    if (strncmp(ref, "#", 1) != 0)
        return NULL;
    const char *p = ref + 1;
    json_t *node = doc;
    while (*p) {
        if (*p != '/')
            return NULL;
        p++;
        char token[256];
        size_t n = 0;
        for (; *p && *p != '/'; p++) {
            char ch = *p;
            if (ch == '~') {
                if (p[1] == '0')
                    ch = '~';
                else if (p[1] == '1')
                    ch = '/';
                else
                    return NULL;
                p++;
            }
            if (n + 1 >= sizeof token)
                return NULL;
            token[n++] = ch;
        }
        token[n] = '\0';
        if (json_is_object(node)) {
            node = json_object_get(node, token);
        } else if (json_is_array(node)) {
            char *end;
            unsigned long i = strtoul(token, &end, 10);
            node = (*token && !*end) ? json_array_get(node, i) : NULL;
        } else {
            return NULL;
        }
        if (!node)
            return NULL;
    }
    return node;
}

/* Follow $ref (repeatedly) from `node`; fails the test on a dangling one. */
static json_t *deref(json_t *doc, json_t *node)
{
    for (int hops = 0; node && json_is_string(json_object_get(node, "$ref")); hops++) {
        cr_assert_lt(hops, 32, "a $ref cycle");
        const char *ref = json_string_value(json_object_get(node, "$ref"));
        json_t *next = resolve(doc, ref);
        cr_assert_not_null(next, "$ref %s does not resolve", ref);
        node = next;
    }
    return node;
}

static const char *const METHODS[] = {"get", "put", "post", "delete", "options", "head", "patch", "trace"};
#define N_METHODS (sizeof METHODS / sizeof METHODS[0])

static bool is_method(const char *key)
{
    for (size_t i = 0; i < N_METHODS; i++)
        if (!strcmp(key, METHODS[i]))
            return true;
    return false;
}

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

/* ---- a checker for the subset of JSON Schema (2020-12) the document uses ----
 * type, enum, const, required, properties, additionalProperties, items, minimum, maximum, exclusiveMinimum,
 * minLength, maxLength (in characters), minItems, maxItems, pattern (POSIX extended regex: the document's
 * patterns are all in the common subset), allOf, anyOf, oneOf, not and local $refs. Annotations (description,
 * format, default, contentEncoding, ...) are not checked. False with the reason in `why` when `inst` does not
 * conform. */
#include <regex.h>

static bool schema_ok(json_t *doc, json_t *schema, json_t *inst, const char *at, char *why, size_t n);

static bool type_is(const char *type, json_t *inst)
{
    if (!strcmp(type, "integer"))
        return json_is_integer(inst) ||
               (json_is_real(inst) && json_real_value(inst) == (double)(long long)json_real_value(inst));
    if (!strcmp(type, "number"))
        return json_is_number(inst);
    if (!strcmp(type, "string"))
        return json_is_string(inst);
    if (!strcmp(type, "boolean"))
        return json_is_boolean(inst);
    if (!strcmp(type, "object"))
        return json_is_object(inst);
    if (!strcmp(type, "array"))
        return json_is_array(inst);
    if (!strcmp(type, "null"))
        return json_is_null(inst);
    cr_assert_fail("unknown schema type '%s'", type);
    return false;
}

/* Characters (code points) of a UTF-8 string. */
static size_t utf8_chars(const char *s)
{
    size_t c = 0;
    for (; *s; s++)
        c += ((unsigned char)*s & 0xc0) != 0x80;
    return c;
}

static bool fail_at(char *why, size_t n, const char *at, const char *what)
{
    snprintf(why, n, "%.300s: %.200s", at, what);
    return false;
}

static bool number_ok(json_t *s, json_t *inst, const char *at, char *why, size_t n)
{
    if (!json_is_number(inst))
        return true;
    double v = json_number_value(inst);
    json_t *k;
    if ((k = json_object_get(s, "minimum")) && v < json_number_value(k))
        return fail_at(why, n, at, "under minimum");
    if ((k = json_object_get(s, "maximum")) && v > json_number_value(k))
        return fail_at(why, n, at, "over maximum");
    if ((k = json_object_get(s, "exclusiveMinimum")) && v <= json_number_value(k))
        return fail_at(why, n, at, "not above exclusiveMinimum");
    if ((k = json_object_get(s, "exclusiveMaximum")) && v >= json_number_value(k))
        return fail_at(why, n, at, "not under exclusiveMaximum");
    return true;
}

static bool string_ok(json_t *s, json_t *inst, const char *at, char *why, size_t n)
{
    if (!json_is_string(inst))
        return true;
    const char *v = json_string_value(inst);
    json_t *k;
    if ((k = json_object_get(s, "minLength")) && utf8_chars(v) < (size_t)json_integer_value(k))
        return fail_at(why, n, at, "shorter than minLength");
    if ((k = json_object_get(s, "maxLength")) && utf8_chars(v) > (size_t)json_integer_value(k))
        return fail_at(why, n, at, "longer than maxLength");
    if ((k = json_object_get(s, "pattern"))) {
        regex_t re;
        cr_assert_eq(regcomp(&re, json_string_value(k), REG_EXTENDED | REG_NOSUB), 0, "%s: pattern %s does not compile",
                     at, json_string_value(k));
        int rc = regexec(&re, v, 0, NULL, 0);
        regfree(&re);
        if (rc)
            return fail_at(why, n, at, "does not match pattern");
    }
    return true;
}

static bool object_ok(json_t *doc, json_t *s, json_t *inst, const char *at, char *why, size_t n)
{
    if (!json_is_object(inst))
        return true;
    size_t i;
    json_t *r;
    char sub[512];
    json_array_foreach(json_object_get(s, "required"), i, r)
    {
        if (!json_object_get(inst, json_string_value(r))) {
            snprintf(sub, sizeof sub, "required member '%s' is missing", json_string_value(r));
            return fail_at(why, n, at, sub);
        }
    }
    json_t *props = json_object_get(s, "properties"), *extra = json_object_get(s, "additionalProperties");
    const char *key;
    json_t *v;
    json_object_foreach(inst, key, v)
    {
        json_t *ps = json_object_get(props, key);
        snprintf(sub, sizeof sub, "%s.%s", at, key);
        if (ps && !schema_ok(doc, ps, v, sub, why, n))
            return false;
        if (!ps && json_is_false(extra))
            return fail_at(why, n, sub, "not allowed (additionalProperties: false)");
        if (!ps && json_is_object(extra) && !schema_ok(doc, extra, v, sub, why, n))
            return false;
    }
    return true;
}

static bool array_ok(json_t *doc, json_t *s, json_t *inst, const char *at, char *why, size_t n)
{
    if (!json_is_array(inst))
        return true;
    json_t *k;
    if ((k = json_object_get(s, "minItems")) && json_array_size(inst) < (size_t)json_integer_value(k))
        return fail_at(why, n, at, "fewer items than minItems");
    if ((k = json_object_get(s, "maxItems")) && json_array_size(inst) > (size_t)json_integer_value(k))
        return fail_at(why, n, at, "more items than maxItems");
    json_t *items = json_object_get(s, "items");
    size_t i;
    json_t *v;
    json_array_foreach(inst, i, v)
    {
        char sub[512];
        snprintf(sub, sizeof sub, "%s[%zu]", at, i);
        if (items && !schema_ok(doc, items, v, sub, why, n))
            return false;
    }
    return true;
}

/* allOf, anyOf, oneOf, not. */
static bool combinators_ok(json_t *doc, json_t *s, json_t *inst, const char *at, char *why, size_t n)
{
    size_t i;
    json_t *sub;
    char ignored[512];
    json_array_foreach(json_object_get(s, "allOf"), i, sub)
    {
        if (!schema_ok(doc, sub, inst, at, why, n))
            return false;
    }
    json_t *any = json_object_get(s, "anyOf");
    if (any) {
        bool one = false;
        json_array_foreach(any, i, sub)
        {
            one = one || schema_ok(doc, sub, inst, at, ignored, sizeof ignored);
        }
        if (!one)
            return fail_at(why, n, at, "matches none of anyOf");
    }
    json_t *oneof = json_object_get(s, "oneOf");
    if (oneof) {
        int matched = 0;
        json_array_foreach(oneof, i, sub)
        {
            matched += schema_ok(doc, sub, inst, at, ignored, sizeof ignored);
        }
        if (matched != 1)
            return fail_at(why, n, at, matched ? "matches more than one of oneOf" : "matches none of oneOf");
    }
    json_t *not = json_object_get(s, "not");
    if (not && schema_ok(doc, not, inst, at, ignored, sizeof ignored))
        return fail_at(why, n, at, "matches its 'not'");
    return true;
}

static bool schema_ok(json_t *doc, json_t *schema, json_t *inst, const char *at, char *why, size_t n)
{
    json_t *s = deref(doc, schema);
    cr_assert(json_is_object(s) || json_is_boolean(s), "%s: a schema that is not an object", at);
    if (json_is_boolean(s))
        return json_is_true(s) || fail_at(why, n, at, "the schema is false");
    json_t *type = json_object_get(s, "type");
    if (json_is_string(type) && !type_is(json_string_value(type), inst))
        return fail_at(why, n, at, "wrong type");
    if (json_is_array(type)) {
        bool one = false;
        size_t i;
        json_t *t;
        json_array_foreach(type, i, t)
        {
            one = one || type_is(json_string_value(t), inst);
        }
        if (!one)
            return fail_at(why, n, at, "wrong type");
    }
    json_t *en = json_object_get(s, "enum");
    if (en) {
        bool found = false;
        size_t i;
        json_t *v;
        json_array_foreach(en, i, v)
        {
            found = found || json_equal(v, inst);
        }
        if (!found)
            return fail_at(why, n, at, "not in enum");
    }
    json_t *cst = json_object_get(s, "const");
    if (cst && !json_equal(cst, inst))
        return fail_at(why, n, at, "not the const");
    return number_ok(s, inst, at, why, n) && string_ok(s, inst, at, why, n) && object_ok(doc, s, inst, at, why, n) &&
           array_ok(doc, s, inst, at, why, n) && combinators_ok(doc, s, inst, at, why, n);
}

/* The checker itself: it must refuse what breaks each keyword the document uses, or the test below proves
 * nothing. */
Test(openapi, the_schema_checker_refuses_what_it_should)
{
    json_t *doc = json_pack("{s:{s:{s:{s:s, s:[s], s:{s:{s:s, s:i, s:i}, s:{s:s, s:[s, s]}, s:{s:s, s:s}, "
                            "s:{s:s, s:i, s:{s:s}}}}}}}",
                            "components", "schemas", "T", "type", "object", "required", "n", "properties", "n",
                            "type", "integer", "minimum", 1, "maximum", 8, "e", "type", "string", "enum", "a", "b",
                            "p", "type", "string", "pattern", "^[a-z]+$", "l", "type", "array", "minItems", 2,
                            "items", "type", "string");
    json_t *ref = json_pack("{s:s}", "$ref", "#/components/schemas/T");
    static const struct {
        const char *json;
        bool ok;
    } cases[] = {{"{\"n\": 3, \"e\": \"a\", \"p\": \"abc\", \"l\": [\"x\", \"y\"]}", true},
                 {"{\"e\": \"a\"}", false},
                 {"{\"n\": 0}", false},
                 {"{\"n\": 9}", false},
                 {"{\"n\": 2.5}", false},
                 {"{\"n\": \"3\"}", false},
                 {"{\"n\": 3, \"e\": \"c\"}", false},
                 {"{\"n\": 3, \"p\": \"ABC\"}", false},
                 {"{\"n\": 3, \"l\": [\"x\"]}", false},
                 {"{\"n\": 3, \"l\": [\"x\", 1]}", false},
                 {"[1]", false}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *inst = json_loads(cases[i].json, 0, NULL);
        char why[512] = "";
        cr_expect_eq(schema_ok(doc, ref, inst, "case", why, sizeof why), cases[i].ok, "%s: %s", cases[i].json, why);
        json_decref(inst);
    }
    json_t *combo = json_loads("{\"oneOf\": [{\"required\": [\"a\"], \"not\": {\"required\": [\"b\"]}},"
                               " {\"required\": [\"b\"]}], \"anyOf\": [{\"type\": \"object\"}]}",
                               0, NULL);
    static const struct {
        const char *json;
        bool ok;
    } combos[] = {{"{\"a\": 1}", true}, {"{\"b\": 1}", true}, {"{}", false}, {"{\"a\": 1, \"b\": 1}", true}};
    for (size_t i = 0; i < sizeof combos / sizeof combos[0]; i++) {
        json_t *inst = json_loads(combos[i].json, 0, NULL);
        char why[512] = "";
        cr_expect_eq(schema_ok(doc, combo, inst, "combo", why, sizeof why), combos[i].ok, "%s: %s", combos[i].json,
                     why);
        json_decref(inst);
    }
    json_decref(combo);
    json_decref(ref);
    json_decref(doc);
}

/* Every request body has an example (`example`, or `examples` with values), and every example conforms to
 * its media type's schema. */
Test(openapi, every_request_body_has_examples_that_match_the_schema)
{
    json_t *doc = load_doc();
    const char *path;
    json_t *item;
    int bodies = 0, checked = 0;
    json_object_foreach(json_object_get(doc, "paths"), path, item)
    {
        const char *method;
        json_t *op;
        json_object_foreach(item, method, op)
        {
            json_t *rb = is_method(method) ? deref(doc, json_object_get(op, "requestBody")) : NULL;
            const char *ct;
            json_t *media;
            json_object_foreach(json_object_get(rb, "content"), ct, media)
            {
                bodies++;
                json_t *schema = json_object_get(media, "schema");
                json_t *one = json_object_get(media, "example"), *many = json_object_get(media, "examples");
                cr_expect(one || json_object_size(many) > 0, "%s %s (%s) has no example", method, path, ct);
                char at[600], why[512];
                if (one) {
                    snprintf(at, sizeof at, "%s %s (%s) example", method, path, ct);
                    cr_expect(schema_ok(doc, schema, one, at, why, sizeof why), "%s", why);
                    checked++;
                }
                const char *name;
                json_t *ex;
                json_object_foreach(many, name, ex)
                {
                    ex = deref(doc, ex);
                    json_t *value = json_object_get(ex, "value");
                    snprintf(at, sizeof at, "%s %s (%s) example '%s'", method, path, ct, name);
                    cr_expect_not_null(value, "%s has no value", at);
                    if (value)
                        cr_expect(schema_ok(doc, schema, value, at, why, sizeof why), "%s", why);
                    checked++;
                }
            }
        }
    }
    cr_assert_gt(bodies, 0);
    cr_assert_geq(checked, bodies);
    json_decref(doc);
}

/* Schema-level `examples` (arrays of instances, as on parameters and properties) conform to their schema. */
static void check_schema_examples(json_t *doc, json_t *node, const char *where, int *count)
{
    if (json_is_object(node)) {
        json_t *ex = json_object_get(node, "examples");
        bool schema_like = json_object_get(node, "type") || json_object_get(node, "$ref") ||
                           json_object_get(node, "enum") || json_object_get(node, "anyOf");
        if (json_is_array(ex) && schema_like) {
            size_t i;
            json_t *v;
            json_array_foreach(ex, i, v)
            {
                char why[512];
                cr_expect(schema_ok(doc, node, v, where, why, sizeof why), "example %zu: %s", i, why);
                (*count)++;
            }
        }
        const char *key;
        json_t *v;
        json_object_foreach(node, key, v)
        {
            if (strcmp(key, "examples") && strcmp(key, "example")) {
                char sub[1024];
                snprintf(sub, sizeof sub, "%s/%s", where, key);
                check_schema_examples(doc, v, sub, count);
            }
        }
    } else if (json_is_array(node)) {
        size_t i;
        json_t *v;
        json_array_foreach(node, i, v)
        {
            check_schema_examples(doc, v, where, count);
        }
    }
}

Test(openapi, schema_examples_match_their_schema)
{
    json_t *doc = load_doc();
    int count = 0;
    check_schema_examples(doc, doc, "#", &count);
    cr_assert_gt(count, 0);
    json_decref(doc);
}
