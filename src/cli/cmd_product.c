/* cmd_product.c - `strobe product IN [--preset P] [--shadow S] [--prompt TEXT] [--size WxH] [--aspect A]
 * [--padding F] [--format F] [--quality Q] [--seed N] [--shadow-opacity F] [--shadow-blur F]
 * [--shadow-angle DEG] [--shadow-distance F] [--frame-for amazon_main] [--mask] [-o OUT] [--json]`. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "pipeline/report.h"
#include "util/parse.h"

static const char product_usage[] =
    "usage: strobe product IN [--preset white-studio|gradient-light|marble|outdoor|transparent|custom]\n"
    "                         [--shadow soft|hard|natural|floating|none] [--prompt TEXT] [--size WxH]\n"
    "                         [--aspect 1:1|4:5|3:4|16:9] [--padding 0..0.4] [--format png|jpeg|webp]\n"
    "                         [--quality Q] [--seed N] [--shadow-opacity 0..1] [--shadow-blur 0..1]\n"
    "                         [--shadow-angle 0..360] [--shadow-distance 0..1] [--frame-for amazon_main]\n"
    "                         [--mask | --cutout [--crop-margin Npx|N%]] [--hand keep|remove]\n"
    "                         [--transparency auto|on|off] [-o OUT] [--json]\n"
    "  --cutout writes the product alone (cropped, transparent) to OUT and its mask beside it (.mask.png)";

/* "dir/photo.jpg" -> "dir/photo.product.png" (".mask.png" with --mask, ".cutout.png" with --cutout; the
 * cut-out's mask: "dir/photo.cutout.mask.png" from its output path) */
static void default_output(const char *in, const char *kind, sb_format_t fmt, char *out, size_t size)
{
    const char *slash = strrchr(in, '/'), *dot = strrchr(in, '.');
    size_t stem = dot && (!slash || dot > slash) ? (size_t)(dot - in) : strlen(in);
    snprintf(out, size, "%.*s.%s.%s", (int)stem, in, kind, sb_format_ext(fmt));
}

static int parse_size(const char *s, sb_product_opts_t *o)
{
    sb_error_t e = {0};
    if (sb_parse_size(s, strlen(s), SB_PRODUCT_SIDE_MIN, SB_PRODUCT_SIDE_MAX, &o->width, &o->height, "--size", &e))
        return sb_cli_usage("%s", e.message);
    return 0;
}

static void print_report(const char *in, const char *out, const char *mask, const sb_product_opts_t *o,
                         const sb_product_result_t *r)
{
    const sb_detect_result_t *d = &r->detect;
    json_t *ignored = json_array();
    for (int i = 0; i < r->n_ignored; i++)
        json_array_append_new(ignored, json_string(r->ignored_terms[i]));
    json_t *report = json_pack(
        "{s:o, s:{s:s, s:i, s:i, s:s, s:b, s:I}, s:s, s:s, s:I, s:f, s:f, s:{s:i, s:i, s:i, s:i}, s:o, s:f, "
        "s:o, s:o}",
        "input", sb_cli_json_input(in, d), "output", "path", out, "width", r->width, "height", r->height, "format",
        sb_format_name(r->format), "alpha", r->has_alpha, "bytes", (json_int_t)r->output_len, "preset", r->preset,
        "shadow_type", r->shadow_type, "seed", (json_int_t)r->seed, "padding",
        o->padding < 0 ? 0.10 : (double)o->padding, "coverage", (double)r->coverage, "subject", "x", r->subject_x,
        "y", r->subject_y, "width", r->subject_w, "height", r->subject_h, "ignored_terms", ignored, "latency_ms",
        sb_stages_total_ms(&d->stages), "timings_ms", sb_cli_json_timings(&d->stages), "models",
        sb_report_models(d));
    if (o->mask_only)
        json_object_set_new(report, "mask", json_true());
    if (mask)
        json_object_set_new(report, "mask_output",
                            json_pack("{s:s, s:i, s:i}", "path", mask, "width", r->mask_width, "height", r->mask_height));
    sb_report_product_checks(r, report);
    sb_cli_print_json(report);
}

int sb_cmd_product(int argc, char **argv)
{
    enum { OPT_PRESET = 256, OPT_SHADOW, OPT_PROMPT, OPT_SIZE, OPT_ASPECT, OPT_PADDING, OPT_FORMAT, OPT_QUALITY,
           OPT_SEED, OPT_OPACITY, OPT_BLUR, OPT_ANGLE, OPT_DISTANCE, OPT_MASK, OPT_JSON,
           OPT_FRAME_FOR, OPT_CUTOUT, OPT_CROP_MARGIN, OPT_HAND, OPT_TRANSPARENCY };
    static const struct option longopts[] = {{"output", required_argument, 0, 'o'},
                                             {"preset", required_argument, 0, OPT_PRESET},
                                             {"shadow", required_argument, 0, OPT_SHADOW},
                                             {"prompt", required_argument, 0, OPT_PROMPT},
                                             {"size", required_argument, 0, OPT_SIZE},
                                             {"aspect", required_argument, 0, OPT_ASPECT},
                                             {"padding", required_argument, 0, OPT_PADDING},
                                             {"format", required_argument, 0, OPT_FORMAT},
                                             {"quality", required_argument, 0, OPT_QUALITY},
                                             {"seed", required_argument, 0, OPT_SEED},
                                             {"shadow-opacity", required_argument, 0, OPT_OPACITY},
                                             {"shadow-blur", required_argument, 0, OPT_BLUR},
                                             {"shadow-angle", required_argument, 0, OPT_ANGLE},
                                             {"shadow-distance", required_argument, 0, OPT_DISTANCE},
                                             {"mask", no_argument, 0, OPT_MASK},
                                             {"frame-for", required_argument, 0, OPT_FRAME_FOR},
                                             {"cutout", no_argument, 0, OPT_CUTOUT},
                                             {"crop-margin", required_argument, 0, OPT_CROP_MARGIN},
                                             {"hand", required_argument, 0, OPT_HAND},
                                             {"transparency", required_argument, 0, OPT_TRANSPARENCY},
                                             {"json", no_argument, 0, OPT_JSON},
                                             {"help", no_argument, 0, 'h'},
                                             {0, 0, 0, 0}};
    sb_product_opts_t opts = sb_product_opts_defaults();
    sb_error_t ce = {0};
    const char *out_path = NULL;
    int json = 0, c, rc, seed;
    optind = 0;
    while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'h': puts(product_usage); return 0;
        case 'o': out_path = optarg; break;
        case OPT_PRESET: opts.preset = optarg; break;
        case OPT_SHADOW: opts.shadow_type = optarg; break;
        case OPT_PROMPT: opts.background_prompt = optarg; break;
        case OPT_SIZE: if ((rc = parse_size(optarg, &opts))) return rc; break;
        case OPT_ASPECT: opts.aspect = optarg; break;
        case OPT_PADDING:
            if ((rc = sb_cli_parse_float(optarg, "padding", 0, SB_CLI_CHECKED_BY_OPTS, &opts.padding)))
                return rc;
            break;
        case OPT_QUALITY: if ((rc = sb_cli_parse_int(optarg, "quality", &opts.quality))) return rc; break;
        case OPT_SEED:
            if ((rc = sb_cli_parse_int(optarg, "seed", &seed)))
                return rc;
            if (seed < 0)
                return sb_cli_usage("--seed must be 0 or more, got '%s'", optarg);
            opts.seed = (uint64_t)seed;
            break;
        case OPT_OPACITY:
            if ((rc = sb_cli_parse_float(optarg, "shadow-opacity", 0, SB_CLI_CHECKED_BY_OPTS, &opts.shadow.opacity)))
                return rc;
            break;
        case OPT_BLUR:
            if ((rc = sb_cli_parse_float(optarg, "shadow-blur", 0, SB_CLI_CHECKED_BY_OPTS, &opts.shadow.blur)))
                return rc;
            break;
        case OPT_ANGLE:
            if ((rc = sb_cli_parse_float(optarg, "shadow-angle", 0, SB_CLI_CHECKED_BY_OPTS, &opts.shadow.angle_deg)))
                return rc;
            break;
        case OPT_DISTANCE:
            if ((rc = sb_cli_parse_float(optarg, "shadow-distance", 0, SB_CLI_CHECKED_BY_OPTS, &opts.shadow.distance)))
                return rc;
            break;
        case OPT_FORMAT:
            if ((rc = sb_cli_read_format(&sb_product_opts_table, "output_format", optarg, &opts)))
                return rc;
            break;
        case OPT_MASK: opts.mask_only = true; break;
        case OPT_FRAME_FOR: opts.frame_for = optarg; break;
        case OPT_CUTOUT: opts.cutout = true; break;
        case OPT_CROP_MARGIN: {
            sb_cutout_opts_t m = {0};
            sb_error_t me = {0};
            if (sb_cutout_parse_margin(optarg, &m, &me))
                return sb_cli_usage("--%s", me.message);
            opts.crop_margin = m.crop_margin, opts.crop_margin_pct = m.crop_margin_pct;
            break;
        }
        case OPT_HAND: opts.hand = optarg; break;
        case OPT_TRANSPARENCY: opts.transparency = optarg; break;
        case OPT_JSON: json = 1; break;
        default:
            return sb_cli_usage("unknown option or missing value '%s'; 'strobe product --help' lists them",
                                argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return sb_cli_usage("give one input photo: strobe product IN [options] ('strobe product --help' lists them)");
    if ((rc = sb_cli_check(sb_product_opts_check(&opts, &ce), &ce)))
        return rc;
    const char *in_path = argv[optind];
    char def_out[4096];
    if (!out_path) {
        default_output(in_path, opts.mask_only ? "mask" : opts.cutout ? "cutout" : "product",
                       opts.mask_only || opts.format == SB_FMT_UNKNOWN ? SB_FMT_PNG : opts.format, def_out,
                       sizeof def_out);
        out_path = def_out;
    }

    sb_studio_t *studio = NULL;
    uint8_t *buf = NULL;
    size_t len = 0;
    sb_product_result_t res = {0};
    sb_error_t e = {0};
    if ((rc = sb_cli_start(argv[0], &studio)) || (rc = sb_cli_read_input(in_path, &buf, &len)))
        goto done;
    char mask_path[4096];
    sb_err err = sb_product(studio, buf, len, &opts, &res, &e);
    if (!err)
        err = sb_io_write_file(out_path, res.output, res.output_len, &e);
    if (!err && res.mask) {
        default_output(out_path, "mask", SB_FMT_PNG, mask_path, sizeof mask_path);
        err = sb_io_write_file(mask_path, res.mask, res.mask_len, &e);
    }
    if (err) {
        rc = sb_cli_fail(err, &e);
        goto done;
    }
    if (json)
        print_report(in_path, out_path, res.mask ? mask_path : NULL, &opts, &res);
done:
    sb_product_result_free(&res);
    free(buf);
    sb_studio_close(studio);
    return rc;
}
