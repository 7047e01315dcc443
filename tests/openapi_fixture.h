/* openapi_fixture.h - what the OpenAPI document's tests share (test_openapi, test_openapi_examples): the
 * document loaded from the repository, local $refs resolved, the HTTP method keys of a path item.
 * Everything is static: a test file uses what it needs. */
#ifndef STROBE_TESTS_OPENAPI_FIXTURE_H
#define STROBE_TESTS_OPENAPI_FIXTURE_H

#pragma GCC diagnostic ignored "-Wunused-function"

#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

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

#endif
