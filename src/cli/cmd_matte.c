/* cmd_matte.c - `strobe matte IN [--kind person|object] -o MASK.png [--json]`. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "pipeline/report.h"

static const char matte_usage[] = "usage: strobe matte IN [--kind person|object] -o MASK.png [--json]";

/* The person matte (sb_matte) and its report. */
static int person(const char *in_path, const char *out_path, int json, sb_studio_t *studio, const uint8_t *buf,
                  size_t len)
{
    sb_matte_result_t res = {0};
    sb_error_t e = {0};
    int rc = 0;
    sb_err err = sb_matte(studio, buf, len, &res, &e);
    if (!err)
        err = sb_io_write_file(out_path, res.png, res.png_len, &e);
    if (err) {
        rc = sb_cli_fail(err, &e);
    } else if (json) {
        const sb_model_info_t *m = sb_model_info(SB_MODEL_SELFIE_SEG);
        json_t *r = json_pack("{s:s, s:{s:s, s:s, s:i, s:i, s:i}, s:{s:s, s:i, s:i, s:s, s:I}, s:o, "
                              "s:[{s:s, s:s, s:s, s:s}]}",
                              "kind", "person", "input", "path", in_path, "format", sb_format_name(res.input.format),
                              "width", res.input.width, "height", res.input.height, "orientation",
                              res.input.orientation, "output", "path", out_path, "width", res.width, "height",
                              res.height, "format", "png", "bytes", (json_int_t)res.png_len, "timings_ms",
                              sb_cli_json_timings(&res.stages), "models", "name", m->name, "file", m->relpath,
                              "sha256", m->sha256, "license", m->license);
        sb_cli_print_json(r);
    }
    sb_matte_result_free(&res);
    return rc;
}

/* The product subject's mask (sb_product with mask_only) and its report. */
static int object(const char *in_path, const char *out_path, int json, sb_studio_t *studio, const uint8_t *buf,
                  size_t len)
{
    sb_product_opts_t opts = SB_PRODUCT_OPTS_DEFAULT;
    opts.mask_only = true;
    sb_product_result_t res = {0};
    sb_error_t e = {0};
    int rc = 0;
    sb_err err = sb_product(studio, buf, len, &opts, &res, &e);
    if (!err)
        err = sb_io_write_file(out_path, res.output, res.output_len, &e);
    if (err) {
        rc = sb_cli_fail(err, &e);
    } else if (json) {
        const sb_detect_result_t *d = &res.detect;
        const sb_image_info_t *in = &d->input;
        json_t *r = json_pack("{s:s, s:{s:s, s:s, s:i, s:i, s:i}, s:{s:s, s:i, s:i, s:s, s:I}, s:f, "
                              "s:{s:i, s:i, s:i, s:i}, s:o, s:o}",
                              "kind", "object", "input", "path", in_path, "format", sb_format_name(in->format),
                              "width", in->width, "height", in->height, "orientation", in->orientation, "output",
                              "path", out_path, "width", res.width, "height", res.height, "format", "png", "bytes",
                              (json_int_t)res.output_len, "coverage", (double)res.coverage, "subject", "x",
                              res.subject_x, "y", res.subject_y, "width", res.subject_w, "height", res.subject_h,
                              "timings_ms", sb_cli_json_timings(&d->stages), "models", sb_report_models(d));
        sb_cli_print_json(r);
    }
    sb_product_result_free(&res);
    return rc;
}

int sb_cmd_matte(int argc, char **argv)
{
    enum { OPT_KIND = 256, OPT_JSON };
    static const struct option longopts[] = {{"output", required_argument, 0, 'o'},
                                             {"kind", required_argument, 0, OPT_KIND},
                                             {"json", no_argument, 0, OPT_JSON},
                                             {0, 0, 0, 0}};
    const char *out_path = NULL, *kind = "person";
    int json = 0, c, rc;
    optind = 0;
    while ((c = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
        if (c == 'o')
            out_path = optarg;
        else if (c == OPT_KIND)
            kind = optarg;
        else if (c == OPT_JSON)
            json = 1;
        else
            return sb_cli_usage("%s", matte_usage);
    }
    if (optind != argc - 1 || !out_path)
        return sb_cli_usage("%s", matte_usage);
    if (strcmp(kind, "person") && strcmp(kind, "object"))
        return sb_cli_usage("--kind must be person or object, got '%s'", kind);
    const char *in_path = argv[optind];

    sb_studio_t *studio = NULL;
    uint8_t *buf = NULL;
    size_t len = 0;
    if (!(rc = sb_cli_start(argv[0], &studio)) && !(rc = sb_cli_read_input(in_path, &buf, &len)))
        rc = strcmp(kind, "object") ? person(in_path, out_path, json, studio, buf, len)
                                    : object(in_path, out_path, json, studio, buf, len);
    free(buf);
    sb_studio_close(studio);
    return rc;
}
