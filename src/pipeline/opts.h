/* opts.h - the options of each pipeline as one typed value (issue 15): its defaults, its check, and its JSON
 * form, which is the job spec the API stores and a worker reads back. The API fills the value from a request
 * and checks it, the job runner reads it from the spec, the CLI fills it from its flags and checks it: the
 * field names are written once, in each pipeline's table (opts_<pipeline>.c).
 *
 * JSON members are the API's public field names (remove.bg's endpoint maps its own names onto the cut-out's;
 * docs/removebg.md), and every error of check and from_json names the field as the API does. A member a job
 * spec of an earlier version spelt otherwise ("format", "samples", ...) is read under that name too (the
 * table's `legacy`), so a job queued before an upgrade still runs; to_json writes the public names only.
 * A field equal to its default is "unset": to_json leaves it out, check does not range-check it, from_json
 * leaves it at the default when absent.
 *
 * Strings in an options value are borrowed: from_json points them into the JSON it read (valid while that
 * lives), the API into the request. Any thread; no state. */
#ifndef SB_PIPELINE_OPTS_H
#define SB_PIPELINE_OPTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "render/look.h"
#include "strobe.h"

/* ---- the table of an options type (the generic reader, writer and range check) ---- */

typedef enum {
    SB_OPT_INT,    /* int, a JSON integer in [min, max] */
    SB_OPT_INT64,  /* int64_t or uint64_t (values up to 2^63), a JSON integer in [min, max] */
    SB_OPT_FLOAT,  /* float, a JSON number in [min, max] */
    SB_OPT_BOOL,   /* bool, JSON true or false */
    SB_OPT_STRING, /* const char * (borrowed), a JSON string; its values are the pipeline's check's */
    SB_OPT_FORMAT, /* sb_format_t, "png" | "jpeg" | "webp" ("jpg" read as jpeg); SB_FMT_UNKNOWN when unset */
    SB_OPT_ENUM    /* an int-sized enum, the string names[value] */
} sb_opt_kind;

enum {
    /* Not a field of a request: the endpoint sets it (a resolved style, the operator's setting) or reads
     * it its own way (the portrait's seed, which may be -1). sb_api_input_opts skips it. */
    SB_OPT_ENDPOINT = 1u << 0,
};

typedef struct {
    const char *name;         /* the API's name: the JSON member, and the field of every error */
    sb_opt_kind kind;
    size_t offset;            /* offsetof in the options type */
    double min, max;          /* INT, INT64, FLOAT: the range of a set value */
    const char *legacy;       /* the member's name in job specs written before issue 15, read by from_json
                               * only; NULL when it was the same */
    const char *const *names; /* ENUM: NULL-terminated, value i is names[i] */
    unsigned flags;           /* SB_OPT_* */
} sb_opt_field_t;

typedef struct {
    const sb_opt_field_t *fields;
    size_t n;
    const void *defaults;     /* the type's defaults (a field equal to its default is unset) */
} sb_opts_table_t;

/* Whether field `f` of `opts` differs from the table's defaults. */
bool sb_opt_is_set(const sb_opts_table_t *t, const sb_opt_field_t *f, const void *opts);

/* The field of `t` called `name` (its public name), or NULL. */
const sb_opt_field_t *sb_opt_find(const sb_opts_table_t *t, const char *name);

/* A FORMAT or ENUM field of `opts` from its name `s` (NULL: not a string). SB_ERR_USAGE naming the field
 * ("<name> must be png, jpeg or webp, got '<s>'", or one of the enum's names). */
sb_err sb_opt_read_name(const sb_opt_field_t *f, const char *s, void *opts, sb_error_t *e);

/* Range-check every set field: numbers in [min, max] ("<name> must be between <min> and <max>, got <v>", as
 * the API says it), a format png, jpeg or webp, an enum in its names. SB_ERR_USAGE naming the field. */
sb_err sb_opts_check_fields(const sb_opts_table_t *t, const void *opts, sb_error_t *e);

/* Write every set field of `opts` into the object `out` under its public name. SB_ERR_NOMEM. */
sb_err sb_opts_fields_to_json(const sb_opts_table_t *t, const void *opts, json_t *out, sb_error_t *e);

/* Read the table's fields from the object `j` into `opts` (which holds the defaults, or what an earlier
 * call set): a field absent stays as it is; its public name wins over its legacy one. Every member of
 * `j` must be a field of the table (public or legacy name) or one of `extra` (NULL-terminated, may be
 * NULL: the members the pipeline reads itself). Errors: SB_ERR_USAGE naming the member (not an object,
 * an unknown member, a wrong JSON type, a format or enum name that is not one). No range check. */
sb_err sb_opts_fields_from_json(const sb_opts_table_t *t, const json_t *j, void *opts, const char *const *extra,
                                sb_error_t *e);

/* ---- headshot: sb_headshot_opts_t. JSON {"output_format", "size", "quality"} ---- */

extern const sb_opts_table_t sb_headshot_opts_table;

/* The defaults: size 0 (800), format UNKNOWN (PNG), quality 0 (90). */
sb_headshot_opts_t sb_headshot_opts_defaults(void);
/* size 128..4096, quality 1..100, output_format png, jpeg or webp. SB_ERR_USAGE naming the field. */
sb_err sb_headshot_opts_check(const sb_headshot_opts_t *o, sb_error_t *e);
/* The JSON form (a new object), or NULL when out of memory. */
json_t *sb_headshot_opts_to_json(const sb_headshot_opts_t *o);
/* Read and check the JSON form (legacy "format" accepted). SB_ERR_USAGE naming the member. */
sb_err sb_headshot_opts_from_json(const json_t *j, sb_headshot_opts_t *o, sb_error_t *e);

/* ---- product photo: sb_product_opts_t. JSON {"preset", "shadow_type", "background_prompt", "size": "WxH",
 * "aspect", "output_format", "mask", "padding", "shadow_opacity", "shadow_blur", "shadow_angle",
 * "shadow_distance", "quality", "seed", "frame_for", "cutout", "crop_margin": "Npx" | "N%", "hand", "transparency"} ---- */

extern const sb_opts_table_t sb_product_opts_table;

/* SB_PRODUCT_OPTS_DEFAULT. */
sb_product_opts_t sb_product_opts_defaults(void);
/* sb_product_check with the API's names (width and height are "size", format is "output_format"), and a
 * mask with a format other than png refused on output_format. SB_ERR_USAGE naming the field, SB_ERR_NOMEM. */
sb_err sb_product_opts_check(const sb_product_opts_t *o, sb_error_t *e);
/* The JSON form (a new object; width and height as "size": "WxH"), or NULL when out of memory. */
json_t *sb_product_opts_to_json(const sb_product_opts_t *o);
/* Read and check the JSON form ("size" as "WxH"; legacy "format", "width" and "height" accepted).
 * SB_ERR_USAGE naming the member. */
sb_err sb_product_opts_from_json(const json_t *j, sb_product_opts_t *o, sb_error_t *e);
/* crop_margin in remove.bg's syntax ("Npx" 0..500 or "N%" 0..50, sb_cutout_parse_margin) into o->crop_margin
 * and o->crop_margin_pct; NULL leaves them. SB_ERR_USAGE naming crop_margin. */
sb_err sb_product_opts_parse_margin(const char *s, sb_product_opts_t *o, sb_error_t *e);

/* ---- portrait generation: the generator's options and the template they came from. JSON {"prompt",
 * "seed", "sampleNumber", "identityScale", "outputImageWidth", "outputImageHeight", "template"} (the
 * seed's contract S2 spells them so). gen.format and gen.quality are the CLI's only (the job makes
 * JPEG at the default quality) ---- */

typedef struct {
    sb_generate_opts_t gen;
    const char *template_name; /* "template": the saved or built-in template of prompt and seed (reported
                                * only); NULL when none */
} sb_portrait_opts_t;

extern const sb_opts_table_t sb_portrait_opts_table;

/* SB_GENERATE_OPTS_DEFAULT (seed -1: random), no template. */
sb_portrait_opts_t sb_portrait_opts_defaults(void);
/* seed -1 or 1..SB_GENERATE_SEED_MAX, sampleNumber 1..8, identityScale 0..1, outputImageWidth and
 * outputImageHeight 512..2024 (both or neither). SB_ERR_USAGE naming the field. */
sb_err sb_portrait_opts_check(const sb_portrait_opts_t *o, sb_error_t *e);
/* The JSON form (a new object), or NULL when out of memory. */
json_t *sb_portrait_opts_to_json(const sb_portrait_opts_t *o);
/* Read and check the JSON form (legacy "samples", "identity", "width", "height" accepted). */
sb_err sb_portrait_opts_from_json(const json_t *j, sb_portrait_opts_t *o, sb_error_t *e);

/* ---- avatar (and every item of an avatar batch): the avatar's options and what the API resolved. JSON
 * {"platform", "style", "background", "palette", "variant", "style_intensity", "hires", "cache_input"} from
 * the request, and set by the API: "safety_threshold" (the operator's), "custom_style" with "look" (a
 * learned style) or with "template_prompt" and "template_seed" (a template style). avatar.likeness_min,
 * cartoon_side and seed are the CLI's only ---- */

typedef struct {
    sb_avatar_opts_t avatar;     /* keep_input is "cache_input", safety_max "safety_threshold"; avatar.look
                                  * is the caller's to point at `look` when has_look (a value holding a
                                  * pointer into itself would not survive a copy) */
    const char *custom_style;    /* "custom:<token>" or "template:<name>": what the result reports as its
                                  * style; NULL when neither */
    bool has_look;               /* a learned style: `look` over avatar.style */
    sb_look_t look;
    const char *template_prompt; /* a template style: the avatar is sb_template_avatar's; NULL otherwise */
    int64_t template_seed;
} sb_avatar_job_opts_t;

extern const sb_opts_table_t sb_avatar_job_opts_table;

/* SB_AVATAR_OPTS_DEFAULT, nothing resolved. */
sb_avatar_job_opts_t sb_avatar_job_opts_defaults(void);
/* The names (platform, style unless a template's, background, palette, variant hosoda | hayao) as the
 * pipeline takes them, style_intensity 0..1, safety_threshold 0..1, no cache_input with a template style.
 * SB_ERR_USAGE naming the field. */
sb_err sb_avatar_job_opts_check(const sb_avatar_job_opts_t *o, sb_error_t *e);
/* The JSON form (a new object), or NULL when out of memory or when the look cannot be written. */
json_t *sb_avatar_job_opts_to_json(const sb_avatar_job_opts_t *o);
/* Read and check the JSON form. SB_ERR_USAGE naming the member (a bad look: "look"). */
sb_err sb_avatar_job_opts_from_json(const json_t *j, sb_avatar_job_opts_t *o, sb_error_t *e);

/* ---- cut-out: sb_cutout_opts_t. JSON {"type": "auto" | "person" | "product", "max_pixels", "format",
 * "quality", "crop", "alpha", "roi", "crop_margin", "bg_color" (the syntaxes of sb_cutout_parse_*)}: strobe's
 * names, unchanged since before issue 15; the remove.bg endpoint maps remove.bg's fields onto them ---- */

extern const sb_opts_table_t sb_cutout_opts_table;

/* Zero: auto, SB_CUTOUT_PIXELS_DEFAULT, the whole photo, no crop, no colour, format by opacity. */
sb_cutout_opts_t sb_cutout_opts_defaults(void);
/* type, max_pixels 1..SB_CUTOUT_PIXELS_MAX, quality 1..100, format, roi (fractions 0..1 or pixels
 * >= 0), crop_margin (0..500 px or 0..50%). SB_ERR_USAGE naming the field. */
sb_err sb_cutout_opts_check(const sb_cutout_opts_t *o, sb_error_t *e);
/* The JSON form (a new object; roi, crop_margin and bg_color written in their string syntaxes, numbers to 17
 * significant digits), or NULL when out of memory. */
json_t *sb_cutout_opts_to_json(const sb_cutout_opts_t *o);
/* Read and check the JSON form. SB_ERR_USAGE naming the member. */
sb_err sb_cutout_opts_from_json(const json_t *j, sb_cutout_opts_t *o, sb_error_t *e);

#endif
