/* cmd_portrait.c - `strobe portrait IN --prompt TEXT [--seed N] [-n COUNT] [--identity F] [--size WxH]
 * [--template NAME] [--format F] [--quality Q] -o OUT_%d.jpg [--json]`: portrait generation (contract S2)
 * from the command line, one file per sample. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "pipeline/report.h"
#include "pipeline/templates.h"
#include "util/parse.h"

static const char portrait_usage[] =
    "usage: strobe portrait IN (--prompt TEXT | --template NAME) [--seed N] [-n 1..8] [--identity 0..1]\n"
    "                          [--size WxH] [--format jpeg|png|webp] [--quality Q] -o OUT_%d.jpg [--json]\n"
    "       %d in -o is the sample number 1..n (required when n > 1); --template takes a built-in template's\n"
    "       prompt and seed, which --prompt and --seed override";

/* The sample's path: `pattern` with its one %d replaced by `number`. */
static void sample_path(const char *pattern, int number, char *out, size_t size)
{
    const char *d = strstr(pattern, "%d");
    if (!d) {
        snprintf(out, size, "%s", pattern);
        return;
    }
    snprintf(out, size, "%.*s%d%s", (int)(d - pattern), pattern, number, d + 2);
}

/* -o may hold one "%d" and no other conversion (it is not handed to printf). */
static int check_pattern(const char *pattern, int samples)
{
    const char *d = strstr(pattern, "%d");
    const char *other = strchr(pattern, '%');
    if (other && (other != d || strchr(d + 2, '%')))
        return sb_cli_usage("-o may contain one %%d (the sample number) and no other %%, got '%s'", pattern);
    if (samples > 1 && !d)
        return sb_cli_usage("-o needs %%d (the sample number) for -n %d, got '%s'", samples, pattern);
    return 0;
}

static void print_report(const char *in, char paths[][4096], const sb_generate_opts_t *o,
                         const sb_generate_result_t *r)
{
    const sb_detect_result_t *d = &r->detect;
    json_t *ignored = json_array(), *seeds = json_array(), *images = json_array();
    for (int i = 0; i < r->n_ignored; i++)
        json_array_append_new(ignored, json_string(r->ignored_terms[i]));
    for (int i = 0; i < r->n_images; i++) {
        json_array_append_new(seeds, json_integer(r->images[i].seed));
        json_array_append_new(images, json_pack("{s:s, s:I, s:I, s:f, s:o}", "path", paths[i], "seed",
                                                (json_int_t)r->images[i].seed, "bytes", (json_int_t)r->images[i].len,
                                                "likeness", (double)r->images[i].likeness, "cutout",
                                                sb_report_cutout(&r->images[i].cutout)));
    }
    json_error_t err;
    json_t *style = json_loads(r->style_json, 0, &err);
    json_t *report = json_pack(
        "{s:o, s:o, s:I, s:o, s:o, s:f, s:i, s:i, s:s, s:o, s:o, s:f, s:o, s:{s:o}}", "input", sb_cli_json_input(in, d),
        "outputs", images, "seed", (json_int_t)r->seed, "seeds", seeds, "ignored_terms", ignored, "identity",
        o->identity < 0 ? 0.8 : (double)o->identity, "width", r->width, "height", r->height, "format",
        sb_format_name(r->format), "style", style ? style : json_null(), "face",
        sb_cli_json_face(&d->faces.faces[d->subject]), "latency_ms", sb_stages_total_ms(&d->stages), "timings_ms",
        sb_cli_json_timings(&d->stages), "provenance", "models", sb_report_models(d));
    json_object_set_new(report, "face_count", json_integer(d->faces.count));
    json_object_set_new(report, "input_quality_score", json_real(r->quality.score));
    json_object_set_new(report, "validation_warnings", sb_report_warnings(r->warnings));
    sb_cli_print_json(report);
}

int sb_cmd_portrait(int argc, char **argv)
{
    enum { OPT_PROMPT = 256, OPT_SEED, OPT_IDENTITY, OPT_SIZE, OPT_TEMPLATE, OPT_FORMAT, OPT_QUALITY, OPT_JSON };
    static const struct option longopts[] = {{"output", required_argument, 0, 'o'},
                                             {"prompt", required_argument, 0, OPT_PROMPT},
                                             {"seed", required_argument, 0, OPT_SEED},
                                             {"samples", required_argument, 0, 'n'},
                                             {"identity", required_argument, 0, OPT_IDENTITY},
                                             {"size", required_argument, 0, OPT_SIZE},
                                             {"template", required_argument, 0, OPT_TEMPLATE},
                                             {"format", required_argument, 0, OPT_FORMAT},
                                             {"quality", required_argument, 0, OPT_QUALITY},
                                             {"json", no_argument, 0, OPT_JSON},
                                             {0, 0, 0, 0}};
    sb_portrait_opts_t po = sb_portrait_opts_defaults();
    sb_generate_opts_t opts = po.gen;
    const char *out_pattern = NULL, *prompt = NULL, *template_name = NULL;
    int json = 0, c, rc, seed_given = 0;
    sb_error_t pe = {0};
    long long seed = 0;
    optind = 0;
    while ((c = getopt_long(argc, argv, "o:n:", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': out_pattern = optarg; break;
        case OPT_PROMPT: prompt = optarg; break;
        case OPT_SEED:
            if (sb_parse_int(optarg, strlen(optarg), -1, SB_GENERATE_SEED_MAX, &seed, "--seed", &pe))
                return sb_cli_usage("--seed must be -1 (random) or a whole number 1..%lld, got '%s'",
                                    SB_GENERATE_SEED_MAX, optarg);
            seed_given = 1;
            break;
        case 'n': if ((rc = sb_cli_parse_int(optarg, "samples", &opts.samples))) return rc; break;
        case OPT_IDENTITY:
            if ((rc = sb_cli_parse_float(optarg, "identity", 0, SB_CLI_CHECKED_BY_OPTS, &opts.identity)))
                return rc;
            break;
        case OPT_SIZE:
            if (sb_parse_size(optarg, strlen(optarg), SB_GENERATE_SIDE_MIN, SB_GENERATE_SIDE_MAX, &opts.width,
                              &opts.height, "--size", &pe))
                return sb_cli_usage("%s", pe.message);
            break;
        case OPT_TEMPLATE: template_name = optarg; break;
        case OPT_FORMAT:
            opts.format = sb_format_parse(optarg);
            if (opts.format != SB_FMT_PNG && opts.format != SB_FMT_JPEG && opts.format != SB_FMT_WEBP)
                return sb_cli_usage("--format must be jpeg, png or webp, got '%s'", optarg);
            break;
        case OPT_QUALITY: if ((rc = sb_cli_parse_int(optarg, "quality", &opts.quality))) return rc; break;
        case OPT_JSON: json = 1; break;
        default: return sb_cli_usage("%s", portrait_usage);
        }
    }
    if (optind != argc - 1 || !out_pattern || (!prompt && !template_name))
        return sb_cli_usage("%s", portrait_usage);
    if (template_name) {
        const sb_template_t *t = sb_template_builtin(template_name);
        if (!t) {
            int n;
            const sb_template_t *all = sb_template_builtins(&n);
            char names[512] = "";
            for (int i = 0; i < n; i++)
                snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", i ? ", " : "", all[i].name);
            return sb_cli_usage("--template: no built-in template '%s'; there are %s", template_name, names);
        }
        opts.prompt = t->prompt;
        opts.seed = t->seed;
    }
    if (prompt)
        opts.prompt = prompt;
    if (seed_given)
        opts.seed = seed;
    po.gen = opts;
    po.template_name = template_name;
    if ((rc = sb_cli_check(sb_portrait_opts_check(&po, &pe), &pe)) || (rc = check_pattern(out_pattern, opts.samples)))
        return rc;

    const char *in_path = argv[optind];
    sb_studio_t *studio = NULL;
    uint8_t *buf = NULL;
    size_t len = 0;
    sb_generate_result_t res = {0};
    sb_error_t e = {0};
    char paths[SB_GENERATE_SAMPLES_MAX][4096];
    if ((rc = sb_cli_start(argv[0], &studio)) || (rc = sb_cli_read_input(in_path, &buf, &len)))
        goto done;
    sb_err err = sb_generate_portrait(studio, buf, len, &opts, &res, &e);
    for (int i = 0; !err && i < res.n_images; i++) {
        sample_path(out_pattern, i + 1, paths[i], sizeof paths[i]);
        err = sb_io_write_file(paths[i], res.images[i].data, res.images[i].len, &e);
    }
    if (err) {
        rc = sb_cli_fail(err, &e);
        goto done;
    }
    if (json)
        print_report(in_path, paths, &opts, &res);
    else
        for (int i = 0; i < res.n_images; i++)
            printf("%s (%dx%d, seed %lld, likeness %.2f)\n", paths[i], res.width, res.height,
                   (long long)res.images[i].seed, res.images[i].likeness);
done:
    sb_generate_result_free(&res);
    free(buf);
    sb_studio_close(studio);
    return rc;
}
