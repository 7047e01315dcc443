/* test_opts.c - the pipelines' options types (pipeline/opts.h): to_json and from_json give back the same
 * value, check refuses every out-of-range field under the API's name, from_json refuses wrong types and
 * unknown members by name, and job specs written before issue 15 still load. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "pipeline/opts.h"

/* The five types behind one interface, so the table-wide tests run over all of them. */
typedef struct {
    const char *name;
    const sb_opts_table_t *table;
    size_t size;
    void (*defaults)(void *o);
    sb_err (*check)(const void *o, sb_error_t *e);
    json_t *(*to_json)(const void *o);
    sb_err (*from_json)(const json_t *j, void *o, sb_error_t *e);
} kind_t;

#define KIND(N, T, P)                                                                                                  \
    static void N##_defaults(void *o) { *(T *)o = P##_defaults(); }                                                   \
    static sb_err N##_check(const void *o, sb_error_t *e) { return P##_check(o, e); }                                 \
    static json_t *N##_to_json(const void *o) { return P##_to_json(o); }                                              \
    static sb_err N##_from_json(const json_t *j, void *o, sb_error_t *e) { return P##_from_json(j, o, e); }

KIND(headshot, sb_headshot_opts_t, sb_headshot_opts)
KIND(product, sb_product_opts_t, sb_product_opts)
KIND(portrait, sb_portrait_opts_t, sb_portrait_opts)
KIND(avatar, sb_avatar_job_opts_t, sb_avatar_job_opts)
KIND(cutout, sb_cutout_opts_t, sb_cutout_opts)

#define ROW(N, T, P)                                                                                                   \
    {#N, &P##_table, sizeof(T), N##_defaults, N##_check, N##_to_json, N##_from_json}

static const kind_t kinds[] = {
    ROW(headshot, sb_headshot_opts_t, sb_headshot_opts), ROW(product, sb_product_opts_t, sb_product_opts),
    ROW(portrait, sb_portrait_opts_t, sb_portrait_opts), ROW(avatar, sb_avatar_job_opts_t, sb_avatar_job_opts),
    ROW(cutout, sb_cutout_opts_t, sb_cutout_opts),
};
#define N_KINDS (sizeof kinds / sizeof kinds[0])

/* Every option set, in range and consistent. */
static sb_headshot_opts_t full_headshot(void)
{
    return (sb_headshot_opts_t){.size = 1024, .format = SB_FMT_WEBP, .quality = 77};
}

static sb_product_opts_t full_product(void)
{
    sb_product_opts_t o = sb_product_opts_defaults();
    o.preset = "marble", o.shadow_type = "hard", o.width = 1200, o.height = 900, o.padding = 0.25f;
    o.shadow = (sb_shadow_overrides_t){0.5f, 0.25f, 135, 0.125f};
    o.format = SB_FMT_JPEG, o.quality = 80, o.seed = 4000000000u;
    return o;
}

static sb_portrait_opts_t full_portrait(void)
{
    sb_portrait_opts_t o = sb_portrait_opts_defaults();
    o.gen.prompt = "warm bokeh background", o.gen.seed = 123456789, o.gen.samples = 3, o.gen.identity = 0.5f;
    o.gen.width = 640, o.gen.height = 800, o.template_name = "studio";
    return o;
}

static sb_look_t a_look(void)
{
    sb_look_t l = {.examples = 3, .ab = {{-2, 3}, {1, 1}, {4, -1.5f}}, .chroma = 12.5f, .grain = 0.01f,
                   .vignette = 0.125f};
    for (int i = 0; i < SB_LOOK_TONE_N; i++)
        l.tone[i] = 4.0f + 5.5f * (float)i;
    return l;
}

static sb_avatar_job_opts_t full_avatar(void)
{
    sb_avatar_job_opts_t o = sb_avatar_job_opts_defaults();
    o.avatar.platform = "linkedin", o.avatar.style = "corporate_headshot", o.avatar.background = "gradient";
    o.avatar.palette = "#336699", o.avatar.variant = "hayao", o.avatar.intensity = 0.75f, o.avatar.hires = true;
    o.avatar.keep_input = true, o.avatar.safety_max = 0.5f, o.custom_style = "custom:abc";
    o.has_look = true, o.look = a_look();
    return o;
}

static sb_cutout_opts_t full_cutout(void)
{
    sb_cutout_opts_t o = sb_cutout_opts_defaults();
    o.kind = SB_CUTOUT_PRODUCT, o.max_pixels = 1500000, o.format = SB_FMT_WEBP, o.quality = 70, o.crop = true;
    o.alpha_only = true, o.roi[0] = 0.25, o.roi[1] = 0.5, o.roi[2] = 640, o.roi[3] = 480;
    o.roi_px[2] = o.roi_px[3] = true, o.crop_margin = 0.125, o.crop_margin_pct = true;
    o.has_bg = true, memcpy(o.bg, (uint8_t[]){0x81, 0xd4, 0xfa, 0x77}, 4);
    return o;
}

/* o to JSON and back: the same JSON again, and the value back in *back, whose strings point into the JSON
 * returned (the caller's to free). */
static json_t *round_trip(const kind_t *k, const void *o, void *back)
{
    json_t *j = k->to_json(o);
    cr_assert_not_null(j, "%s: to_json", k->name);
    sb_error_t e = {0};
    sb_err err = k->from_json(j, back, &e);
    char *text = json_dumps(j, JSON_SORT_KEYS);
    cr_assert_eq(err, SB_OK, "%s: %s read back: %s (%s)", k->name, text, e.message, e.field);
    json_t *again = k->to_json(back);
    cr_assert(json_equal(j, again), "%s: %s came back different", k->name, text);
    free(text);
    json_decref(again);
    return j;
}

Test(opts, round_trip_every_pipeline)
{
    sb_headshot_opts_t h = full_headshot(), hb;
    json_t *jh = round_trip(&kinds[0], &h, &hb);
    cr_assert(hb.size == h.size && hb.format == h.format && hb.quality == h.quality);

    sb_product_opts_t p = full_product(), pb;
    json_t *jp = round_trip(&kinds[1], &p, &pb);
    cr_assert_str_eq(pb.preset, "marble");
    cr_assert_str_eq(pb.shadow_type, "hard");
    cr_assert(pb.width == 1200 && pb.height == 900 && pb.padding == p.padding && pb.format == SB_FMT_JPEG);
    cr_assert(!memcmp(&pb.shadow, &p.shadow, sizeof p.shadow) && pb.quality == 80 && pb.seed == 4000000000u);

    sb_portrait_opts_t t = full_portrait(), tb;
    json_t *jt = round_trip(&kinds[2], &t, &tb);
    cr_assert_str_eq(tb.gen.prompt, t.gen.prompt);
    cr_assert_str_eq(tb.template_name, "studio");
    cr_assert(tb.gen.seed == t.gen.seed && tb.gen.samples == 3 && tb.gen.identity == t.gen.identity);
    cr_assert(tb.gen.width == 640 && tb.gen.height == 800);

    sb_avatar_job_opts_t a = full_avatar(), ab;
    json_t *ja = round_trip(&kinds[3], &a, &ab);
    cr_assert_str_eq(ab.avatar.platform, "linkedin");
    cr_assert_str_eq(ab.avatar.palette, "#336699");
    cr_assert_str_eq(ab.avatar.variant, "hayao");
    cr_assert_str_eq(ab.custom_style, "custom:abc");
    cr_assert(ab.avatar.intensity == a.avatar.intensity && ab.avatar.hires && ab.avatar.keep_input);
    cr_assert(ab.avatar.safety_max == a.avatar.safety_max && ab.has_look);
    cr_assert(!memcmp(&ab.look, &a.look, sizeof a.look), "the look comes back bit for bit");

    sb_cutout_opts_t c = full_cutout(), cb;
    json_t *jc = round_trip(&kinds[4], &c, &cb);
    cr_assert(cb.kind == SB_CUTOUT_PRODUCT && cb.max_pixels == 1500000 && cb.format == SB_FMT_WEBP);
    cr_assert(cb.quality == 70 && cb.crop && cb.alpha_only && cb.has_bg && !memcmp(cb.bg, c.bg, 4));
    for (int i = 0; i < 4; i++)
        cr_assert(fabs(cb.roi[i] - c.roi[i]) < 1e-12 && cb.roi_px[i] == c.roi_px[i], "roi[%d]", i);
    cr_assert(fabs(cb.crop_margin - 0.125) < 1e-12 && cb.crop_margin_pct);
    sb_cutout_opts_t z = sb_cutout_opts_defaults(), zb;
    z.zip = true;
    json_t *jz = round_trip(&kinds[4], &z, &zb);
    cr_assert(zb.zip && !zb.alpha_only && !zb.has_bg, "zip comes back");
    json_decref(jz);

    /* A template avatar: its prompt and seed travel, its style stays "template:<name>". */
    sb_avatar_job_opts_t ta = sb_avatar_job_opts_defaults(), tab;
    ta.avatar.style = ta.custom_style = "template:noir", ta.template_prompt = "film noir", ta.template_seed = 42;
    json_t *jta = round_trip(&kinds[3], &ta, &tab);
    cr_assert_str_eq(tab.template_prompt, "film noir");
    cr_assert_eq(tab.template_seed, 42);
    json_t *all[] = {jh, jp, jt, ja, jc, jta};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        json_decref(all[i]);
}

/* The defaults are the empty object, both ways. */
Test(opts, defaults_are_the_empty_object)
{
    for (size_t k = 0; k < N_KINDS; k++) {
        char o[1024], back[1024];
        cr_assert_leq(kinds[k].size, sizeof o);
        kinds[k].defaults(o);
        sb_error_t e = {0};
        cr_assert_eq(kinds[k].check(o, &e), SB_OK, "%s: defaults refused: %s", kinds[k].name, e.message);
        json_t *j = kinds[k].to_json(o);
        cr_assert_eq(json_object_size(j), 0, "%s: defaults wrote members", kinds[k].name);
        memset(back, 0x55, sizeof back);
        cr_assert_eq(kinds[k].from_json(j, back, &e), SB_OK, "%s: {} refused: %s", kinds[k].name, e.message);
        json_t *again = kinds[k].to_json(back);
        cr_assert_eq(json_object_size(again), 0, "%s: {} did not read as the defaults", kinds[k].name);
        json_decref(again);
        json_decref(j);
    }
}

/* Every numeric field of every table, just out of its range, is refused by check under its name, and so
 * is its JSON (from_json checks too). */
Test(opts, check_refuses_every_out_of_range_field_by_name)
{
    int tried = 0;
    for (size_t k = 0; k < N_KINDS; k++) {
        const sb_opts_table_t *t = kinds[k].table;
        for (size_t i = 0; i < t->n; i++) {
            const sb_opt_field_t *f = &t->fields[i];
            if (f->kind != SB_OPT_INT && f->kind != SB_OPT_INT64 && f->kind != SB_OPT_FLOAT)
                continue;
            for (int side = 0; side < 2; side++) {
                char o[1024];
                kinds[k].defaults(o);
                double v = side ? f->max + 1 : f->min - 1;
                if (side == 0 && f->kind != SB_OPT_FLOAT && (int64_t)v == -1 && !strcmp(f->name, "seed"))
                    v = 0; /* the portrait's -1 is "random": 0 is its first bad value */
                char *p = o + f->offset;
                if (f->kind == SB_OPT_INT)
                    *(int *)p = (int)v;
                else if (f->kind == SB_OPT_INT64)
                    *(int64_t *)p = (int64_t)v;
                else
                    *(float *)p = (float)v;
                if (!sb_opt_is_set(t, f, o))
                    continue; /* min - 1 is the field's "unset" default (padding -1, intensity -1) */
                sb_error_t e = {0};
                cr_assert_eq(kinds[k].check(o, &e), SB_ERR_USAGE, "%s.%s = %g accepted", kinds[k].name, f->name, v);
                cr_assert_str_eq(e.field, f->name, "%s.%s = %g: field '%s' (%s)", kinds[k].name, f->name, v, e.field,
                                 e.message);
                json_t *j = json_object();
                json_object_set_new(j, f->name, f->kind == SB_OPT_FLOAT ? json_real(v) : json_integer((json_int_t)v));
                char back[1024];
                cr_assert_eq(kinds[k].from_json(j, back, &e), SB_ERR_USAGE, "%s.%s = %g read", kinds[k].name,
                             f->name, v);
                cr_assert_str_eq(e.field, f->name);
                json_decref(j);
                tried++;
            }
        }
    }
    cr_assert_geq(tried, 20, "only %d fields tried", tried);
}

static void expect_refused(const kind_t *k, const void *o, const char *field)
{
    sb_error_t e = {0};
    cr_assert_eq(k->check(o, &e), SB_ERR_USAGE, "%s: accepted, wanted a refusal on %s", k->name, field);
    cr_assert_str_eq(e.field, field, "%s: refused on '%s' (%s), wanted %s", k->name, e.field, e.message, field);
}

/* What the tables cannot say: the names, the pairs, the library's own rules, under the API's names. */
Test(opts, check_refuses_names_and_combinations_by_api_name)
{
    sb_headshot_opts_t h = full_headshot();
    h.format = SB_FMT_HEIC;
    expect_refused(&kinds[0], &h, "output_format");

    sb_product_opts_t p = full_product();
    p.width = 100;
    expect_refused(&kinds[1], &p, "size");
    p = full_product(), p.height = 0;
    expect_refused(&kinds[1], &p, "size");
    p = full_product(), p.mask_only = true;
    expect_refused(&kinds[1], &p, "output_format"); /* a mask is a PNG */
    p = full_product(), p.preset = "transparent", p.format = SB_FMT_JPEG;
    expect_refused(&kinds[1], &p, "output_format");
    p = full_product(), p.preset = "moon";
    expect_refused(&kinds[1], &p, "preset");
    p = full_product(), p.aspect = "2:1", p.width = p.height = 0;
    expect_refused(&kinds[1], &p, "aspect");

    sb_portrait_opts_t t = full_portrait();
    t.gen.seed = 0;
    expect_refused(&kinds[2], &t, "seed");
    t = full_portrait(), t.gen.height = 0;
    expect_refused(&kinds[2], &t, "outputImageHeight");
    t = full_portrait(), t.gen.seed = -1;
    sb_error_t e = {0};
    cr_assert_eq(sb_portrait_opts_check(&t, &e), SB_OK, "seed -1 is random: %s", e.message);

    sb_avatar_job_opts_t a = full_avatar();
    a.avatar.platform = "myspace";
    expect_refused(&kinds[3], &a, "platform");
    a = full_avatar(), a.avatar.style = "cubist";
    expect_refused(&kinds[3], &a, "style");
    a = full_avatar(), a.avatar.background = "lava";
    expect_refused(&kinds[3], &a, "background");
    a = full_avatar(), a.avatar.palette = "plaid";
    expect_refused(&kinds[3], &a, "palette");
    a = full_avatar(), a.avatar.variant = "ghibli";
    expect_refused(&kinds[3], &a, "variant");
    a = full_avatar(), a.avatar.style = "template:noir", a.template_prompt = "film noir";
    expect_refused(&kinds[3], &a, "cache_input"); /* no kept input with a template style */

    sb_cutout_opts_t c = full_cutout();
    c.roi[0] = 1.5;
    expect_refused(&kinds[4], &c, "roi");
    c = full_cutout(), c.crop_margin = 0.75;
    expect_refused(&kinds[4], &c, "crop_margin");
    c = full_cutout(), c.kind = (sb_cutout_kind)7;
    expect_refused(&kinds[4], &c, "type");
    /* remove.bg's zip is the colours and the alpha: not with the mask alone, a background colour or a format. */
    c = full_cutout(), c.zip = true;
    expect_refused(&kinds[4], &c, "channels");
    c = full_cutout(), c.zip = true, c.alpha_only = false;
    expect_refused(&kinds[4], &c, "bg_color");
    c = full_cutout(), c.zip = true, c.alpha_only = c.has_bg = false;
    expect_refused(&kinds[4], &c, "format");
}

/* A JSON value of the wrong type for every field of every table, named; an unknown member, named. */
Test(opts, from_json_refuses_wrong_types_and_unknown_members)
{
    int tried = 0;
    for (size_t k = 0; k < N_KINDS; k++) {
        const sb_opts_table_t *t = kinds[k].table;
        for (size_t i = 0; i < t->n; i++) {
            const sb_opt_field_t *f = &t->fields[i];
            json_t *bad = f->kind == SB_OPT_STRING || f->kind == SB_OPT_FORMAT || f->kind == SB_OPT_ENUM
                              ? json_integer(3)
                          : f->kind == SB_OPT_BOOL ? json_string("true")
                          : f->kind == SB_OPT_INT || f->kind == SB_OPT_INT64 ? json_real(2.5)
                                                                              : json_string("0.5");
            json_t *j = json_pack("{s:o}", f->name, bad);
            char o[1024];
            sb_error_t e = {0};
            cr_assert_eq(kinds[k].from_json(j, o, &e), SB_ERR_USAGE, "%s.%s of the wrong type read", kinds[k].name,
                         f->name);
            cr_assert_str_eq(e.field, f->name, "%s.%s: field '%s' (%s)", kinds[k].name, f->name, e.field, e.message);
            json_decref(j);
            tried++;
        }
        json_t *j = json_pack("{s:i}", "colour_grade", 3);
        char o[1024];
        sb_error_t e = {0};
        cr_assert_eq(kinds[k].from_json(j, o, &e), SB_ERR_USAGE, "%s: an unknown member read", kinds[k].name);
        cr_assert_str_eq(e.field, "colour_grade");
        json_decref(j);
        j = json_array();
        cr_assert_eq(kinds[k].from_json(j, o, &e), SB_ERR_USAGE, "%s: an array read", kinds[k].name);
        json_decref(j);
    }
    cr_assert_geq(tried, 40);

    /* The members read by hand. */
    sb_product_opts_t p;
    sb_avatar_job_opts_t a;
    sb_cutout_opts_t c;
    sb_error_t e = {0};
    json_t *j = json_pack("{s:i}", "size", 800);
    cr_assert_eq(sb_product_opts_from_json(j, &p, &e), SB_ERR_USAGE);
    cr_assert_str_eq(e.field, "size");
    json_decref(j);
    j = json_pack("{s:s}", "size", "800 by 600");
    cr_assert_eq(sb_product_opts_from_json(j, &p, &e), SB_ERR_USAGE);
    cr_assert_str_eq(e.field, "size");
    json_decref(j);
    j = json_pack("{s:s}", "look", "sepia");
    cr_assert_eq(sb_avatar_job_opts_from_json(j, &a, &e), SB_ERR_USAGE);
    cr_assert_str_eq(e.field, "look");
    json_decref(j);
    j = json_pack("{s:{s:i}}", "look", "examples", 2);
    cr_assert_eq(sb_avatar_job_opts_from_json(j, &a, &e), SB_ERR_USAGE);
    cr_assert_str_eq(e.field, "look");
    json_decref(j);
    j = json_pack("{s:b}", "roi", 1);
    cr_assert_eq(sb_cutout_opts_from_json(j, &c, &e), SB_ERR_USAGE);
    cr_assert_str_eq(e.field, "roi");
    json_decref(j);
    j = json_pack("{s:s}", "bg_color", "chartreuse-ish");
    cr_assert_eq(sb_cutout_opts_from_json(j, &c, &e), SB_ERR_USAGE);
    cr_assert_str_eq(e.field, "bg_color");
    json_decref(j);
}

/* Options of job specs as the previous version wrote them (its API's members, envelope apart) load with
 * the same values, so a job queued before an upgrade runs after it. */
Test(opts, legacy_specs_load)
{
    sb_error_t e = {0};
    json_t *j = json_loads("{\"format\":\"jpeg\",\"quality\":85,\"size\":800}", 0, NULL);
    sb_headshot_opts_t h;
    cr_assert_eq(sb_headshot_opts_from_json(j, &h, &e), SB_OK, "%s", e.message);
    cr_assert(h.format == SB_FMT_JPEG && h.size == 800 && h.quality == 85);
    json_decref(j);

    j = json_loads("{\"format\":\"png\",\"height\":800,\"mask\":false,\"padding\":0.2,\"preset\":\"white-studio\","
                   "\"seed\":7,\"shadow_opacity\":0.5,\"shadow_type\":\"soft\",\"width\":1200}",
                   0, NULL);
    sb_product_opts_t p;
    cr_assert_eq(sb_product_opts_from_json(j, &p, &e), SB_OK, "%s (%s)", e.message, e.field);
    cr_assert(p.format == SB_FMT_PNG && p.width == 1200 && p.height == 800 && !p.mask_only && p.seed == 7);
    cr_assert(p.padding == 0.2f && p.shadow.opacity == 0.5f && p.shadow.blur < 0);
    cr_assert_str_eq(p.preset, "white-studio");
    json_t *now = sb_product_opts_to_json(&p);
    cr_assert_str_eq(json_string_value(json_object_get(now, "size")), "1200x800");
    cr_assert_str_eq(json_string_value(json_object_get(now, "output_format")), "png");
    cr_assert_null(json_object_get(now, "width"));
    json_decref(now);
    json_decref(j);

    j = json_loads("{\"height\":1024,\"identity\":0.8,\"prompt\":\"noir\",\"samples\":2,\"seed\":99,"
                   "\"template\":\"noir\",\"width\":768}",
                   0, NULL);
    sb_portrait_opts_t t;
    cr_assert_eq(sb_portrait_opts_from_json(j, &t, &e), SB_OK, "%s (%s)", e.message, e.field);
    cr_assert(t.gen.samples == 2 && t.gen.identity == 0.8f && t.gen.width == 768 && t.gen.height == 1024);
    cr_assert(t.gen.seed == 99);
    cr_assert_str_eq(t.template_name, "noir");
    json_decref(j);

    j = json_loads("{\"cache_input\":false,\"hires\":false,\"platform\":\"slack\",\"safety_threshold\":0.6,"
                   "\"style_intensity\":0.5,\"custom_style\":\"template:noir\",\"style\":\"template:noir\","
                   "\"template_prompt\":\"film noir\",\"template_seed\":12}",
                   0, NULL);
    sb_avatar_job_opts_t a;
    cr_assert_eq(sb_avatar_job_opts_from_json(j, &a, &e), SB_OK, "%s (%s)", e.message, e.field);
    cr_assert(!a.avatar.hires && !a.avatar.keep_input && a.avatar.safety_max == 0.6f && a.template_seed == 12);
    cr_assert_str_eq(a.template_prompt, "film noir");
    json_decref(j);

    j = json_loads("{\"alpha\":false,\"bg_color\":\"white\",\"crop\":true,\"crop_margin\":\"10px\","
                   "\"format\":\"jpeg\",\"max_pixels\":250000,\"roi\":\"0% 0% 50% 100%\",\"type\":\"person\"}",
                   0, NULL);
    sb_cutout_opts_t c;
    cr_assert_eq(sb_cutout_opts_from_json(j, &c, &e), SB_OK, "%s (%s)", e.message, e.field);
    cr_assert(c.kind == SB_CUTOUT_PERSON && c.format == SB_FMT_JPEG && c.crop && c.crop_margin == 10);
    cr_assert(c.has_bg && c.bg[0] == 255 && c.roi[2] == 0.5 && !c.roi_px[2] && c.max_pixels == 250000);
    json_decref(j);
}
