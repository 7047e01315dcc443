/* test_openapi_examples.c - the examples in src/api/openapi.json checked against their own schemas, with a
 * checker for the subset of JSON Schema (2020-12) the document uses (itself tested on what it must refuse):
 * every request body's examples and every schema's examples. */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "openapi_fixture.h"
#include "testutil.h"

/* ---- a checker for the subset of JSON Schema (2020-12) the document uses ----
 * type, enum, const, required, properties, additionalProperties, items, minimum, maximum, exclusiveMinimum,
 * minLength, maxLength (in characters), minItems, maxItems, pattern (POSIX extended regex: the document's
 * patterns are all in the common subset), allOf, anyOf, oneOf, not and local $refs. Annotations (description,
 * format, default, contentEncoding, ...) are not checked. False with the reason in `why` when `inst` does not
 * conform. */

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
