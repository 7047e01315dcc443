/* test_portrait_templates.c - the template library (/v1/templates) through the real `./strobe serve` on
 * loopback, with the real models and photos of ../shared: templates per key (isolation, built-ins read-only,
 * every bad field named), applied to portraits and to avatars. */
#include "portrait_fixture.h"

TestSuite(portrait_templates, .fini = cleanup, .timeout = 180);

Test(portrait_templates, templates_are_per_key_and_the_builtins_read_only)
{
    start();
    char a[64], b[64], id[64];
    make_key("a", 5, a, id);
    make_key("b", 5, b, id);

    /* The built-ins, for every key. */
    resp_t r = get("/v1/templates", a);
    EXPECT_STATUS(r, 200, "GET /v1/templates");
    json_t *list = json_object_get(r.json, "templates");
    static const char *const builtins[] = {"corporate-headshot", "linkedin-profile", "anime-gamer", "editorial-noir",
                                           "warm-portfolio"};
    for (size_t k = 0; k < 5; k++) {
        bool found = false;
        size_t i;
        json_t *t;
        json_array_foreach(list, i, t)
        {
            if (!strcmp(nz(jstr(t, "name")), builtins[k]))
                found = json_is_true(json_object_get(t, "builtin")) && jint(t, "seed") >= 1 && jstr(t, "prompt");
        }
        cr_assert(found, "built-in %s missing or incomplete in %s", builtins[k], r.body);
    }
    size_t n_builtin = json_array_size(list);
    resp_free(&r);

    /* Create, read, replace. */
    r = post_to("/v1/templates", a,
                json_pack("{s:s, s:s, s:i, s:s}", "name", "team-blue", "prompt", "studio light, blue background",
                          "seed", 42, "description", "the team page"));
    EXPECT_STATUS(r, 201, "POST /v1/templates");
    cr_assert_str_eq(nz(jstr(r.json, "name")), "team-blue");
    cr_assert_eq(jint(r.json, "seed"), 42);
    cr_assert(json_is_false(json_object_get(r.json, "builtin")));
    cr_assert_eq(json_array_size(json_object_get(r.json, "ignored_terms")), 0, "%s", r.body);
    cr_assert(json_is_object(json_object_get(r.json, "style")), "%s", r.body);
    resp_free(&r);
    r = post_to("/v1/templates", a,
                json_pack("{s:s, s:s, s:i}", "name", "team-blue", "prompt", "studio light, navy zorblat", "seed", 43));
    EXPECT_STATUS(r, 200, "POST /v1/templates again: replaced");
    cr_assert(json_is_true(json_object_get(r.json, "replaced")));
    cr_assert_eq(json_array_size(json_object_get(r.json, "ignored_terms")), 1, "%s", r.body);
    cr_assert_str_eq(json_string_value(json_array_get(json_object_get(r.json, "ignored_terms"), 0)), "zorblat");
    resp_free(&r);
    r = get("/v1/templates/team-blue", a);
    EXPECT_STATUS(r, 200, "GET /v1/templates/team-blue");
    cr_assert_eq(jint(r.json, "seed"), 43);
    cr_assert_str_eq(nz(jstr(r.json, "description")), "");
    resp_free(&r);
    r = get("/v1/templates", a);
    cr_assert_eq(json_array_size(json_object_get(r.json, "templates")), n_builtin + 1);
    resp_free(&r);

    /* Key b sees none of it. */
    r = get("/v1/templates/team-blue", b);
    EXPECT_ERROR(r, 404, "not_found", "name", "another key's template");
    resp_free(&r);
    r = get("/v1/templates", b);
    cr_assert_eq(json_array_size(json_object_get(r.json, "templates")), n_builtin, "%s", r.body);
    resp_free(&r);
    r = del("/v1/templates/team-blue", b);
    EXPECT_ERROR(r, 404, "not_found", "name", "deleting another key's template");
    resp_free(&r);

    /* Bad templates. */
    static const struct {
        const char *json, *field;
        int status;
    } bad[] = {
        {"{\"name\":\"Team Blue\",\"prompt\":\"warm\",\"seed\":1}", "name", 400},
        {"{\"name\":\"\",\"prompt\":\"warm\",\"seed\":1}", "name", 400},
        {"{\"prompt\":\"warm\",\"seed\":1}", "name", 400},
        {"{\"name\":\"x\",\"seed\":1}", "prompt", 400},
        {"{\"name\":\"x\",\"prompt\":5,\"seed\":1}", "prompt", 400},
        {"{\"name\":\"x\",\"prompt\":\"warm\"}", "seed", 400},
        {"{\"name\":\"x\",\"prompt\":\"warm\",\"seed\":0}", "seed", 400},
        {"{\"name\":\"x\",\"prompt\":\"warm\",\"seed\":2.5}", "seed", 400},
        {"{\"name\":\"x\",\"prompt\":\"warm\",\"seed\":4294967296}", "seed", 400},
        {"{\"name\":\"corporate-headshot\",\"prompt\":\"warm\",\"seed\":1}", "name", 409},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r = post_to("/v1/templates", a, json_loads(bad[i].json, 0, NULL));
        cr_assert_eq(r.status, bad[i].status, "%s: %ld %s", bad[i].json, r.status, r.body);
        cr_assert_str_eq(err_field(&r), bad[i].field, "%s: %s", bad[i].json, r.body);
        cr_assert_str_eq(err_code(&r), bad[i].status == 409 ? "already_exists" : "bad_request", "%s", r.body);
        resp_free(&r);
    }
    r = del("/v1/templates/corporate-headshot", a);
    EXPECT_ERROR(r, 403, "forbidden", "name", "deleting a built-in");
    resp_free(&r);
    r = get("/v1/templates/corporate-headshot", b);
    EXPECT_STATUS(r, 200, "GET a built-in");
    cr_assert(json_is_true(json_object_get(r.json, "builtin")));
    cr_assert_eq(json_array_size(json_object_get(r.json, "ignored_terms")), 0, "a built-in uses the vocabulary only");
    resp_free(&r);
    r = get("/v1/templates", NULL);
    EXPECT_ERROR(r, 401, "unauthorized", "Authorization", "templates without a key");
    resp_free(&r);

    r = del("/v1/templates/team-blue", a);
    EXPECT_STATUS(r, 200, "DELETE /v1/templates/team-blue");
    resp_free(&r);
    r = get("/v1/templates/team-blue", a);
    EXPECT_ERROR(r, 404, "not_found", "name", "a deleted template");
    resp_free(&r);
    cr_assert_eq(credits_of(a), 5, "templates cost nothing");
}

Test(portrait_templates, a_template_applies_to_portraits_and_avatars)
{
    start();
    char a[64], b[64], id[64];
    make_key("a", 20, a, id);
    make_key("b", 20, b, id);
    char *face = face_data_uri(0);
    resp_t r = post_to("/v1/templates", a,
                       json_pack("{s:s, s:s, s:i}", "name", "mine", "prompt", "rim light, green background, cool",
                                 "seed", 77));
    EXPECT_STATUS(r, 201, "POST /v1/templates");
    resp_free(&r);

    /* By template, and by the same prompt and seed spelled out: the same bytes. */
    json_t *body = request(face, NULL, 0);
    json_object_set_new(body, "template", json_string("mine"));
    r = portrait(a, body);
    EXPECT_STATUS(r, 200, "portrait by template");
    cr_assert_eq(jint(r.json, "seed"), 77);
    cr_assert_str_eq(nz(jstr(r.json, "template")), "mine");
    char *by_template = strdup(json_string_value(json_array_get(json_object_get(r.json, "outputImages"), 0)));
    resp_free(&r);
    r = portrait(a, request(face, "rim light, green background, cool", 77));
    EXPECT_STATUS(r, 200, "portrait spelled out");
    cr_assert_str_eq(json_string_value(json_array_get(json_object_get(r.json, "outputImages"), 0)), by_template,
                     "the template is not its prompt and seed");
    resp_free(&r);

    /* An explicit seed overrides the template's. */
    body = request(face, NULL, 78);
    json_object_set_new(body, "template", json_string("mine"));
    r = portrait(a, body);
    EXPECT_STATUS(r, 200, "portrait by template, own seed");
    cr_assert_eq(jint(r.json, "seed"), 78);
    resp_free(&r);

    /* Another key cannot use it; a built-in works for anyone. */
    body = request(face, NULL, 0);
    json_object_set_new(body, "template", json_string("mine"));
    r = portrait(b, body);
    EXPECT_ERROR(r, 404, "not_found", "template", "another key's template");
    resp_free(&r);
    body = request(face, NULL, 0);
    json_object_set_new(body, "template", json_string("editorial-noir"));
    r = portrait(b, body);
    EXPECT_STATUS(r, 200, "portrait by a built-in");
    cr_assert_str_eq(nz(jstr(r.json, "template")), "editorial-noir");
    resp_free(&r);
    cr_assert_eq(credits_of(a), 17);
    cr_assert_eq(credits_of(b), 19);

    /* The avatar API: style "template:<name>". */
    r = post_to("/v1/avatar/generate", a, json_pack("{s:s, s:s}", "image", face, "style", "template:mine"));
    EXPECT_STATUS(r, 200, "avatar by template");
    cr_assert_str_eq(nz(jstr(r.json, "style")), "template:mine", "%s", r.body);
    cr_assert(json_is_true(json_object_get(r.json, "face_detected")), "%s", r.body);
    double likeness = json_number_value(json_object_get(r.json, "likeness_score"));
    cr_assert(likeness > 0.3 && likeness <= 1, "likeness %f", likeness);
    resp_t img = fetch_output(jstr(r.json, "avatar_url"), "image/png");
    expect_png_800(&img, "template avatar");
    resp_free(&img);
    img = fetch_output(jstr(r.json, "thumbnail_url"), "image/png");
    uint32_t w = 0, h = 0;
    cr_assert(png_size((const uint8_t *)img.body, img.len, &w, &h));
    cr_assert(w == 100 && h == 100, "thumbnail %ux%u", w, h);
    resp_free(&img);
    resp_free(&r);
    r = post_to("/v1/avatar/generate", b, json_pack("{s:s, s:s}", "image", face, "style", "template:mine"));
    EXPECT_ERROR(r, 404, "not_found", "style", "an avatar with another key's template");
    resp_free(&r);
    cr_assert_eq(credits_of(a), 16, "an avatar costs one credit");
    free(by_template);
    free(face);
}
