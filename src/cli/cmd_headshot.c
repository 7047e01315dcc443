/* cmd_headshot.c - `strobe headshot IN [-o OUT] [--size N] [--format F] [--quality Q] [--json]`. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "pipeline/report.h"

/* "dir/photo.jpg" -> "dir/photo.headshot.png" */
static void default_output(const char *in, sb_format_t fmt, char *out, size_t size)
{
    const char *slash = strrchr(in, '/'), *dot = strrchr(in, '.');
    size_t stem = dot && (!slash || dot > slash) ? (size_t)(dot - in) : strlen(in);
    snprintf(out, size, "%.*s.headshot.%s", (int)stem, in, sb_format_ext(fmt));
}

int sb_cmd_headshot(int argc, char **argv)
{
    static const struct option longopts[] = {{"output", required_argument, 0, 'o'},
                                             {"size", required_argument, 0, 's'},
                                             {"format", required_argument, 0, 'f'},
                                             {"quality", required_argument, 0, 'q'},
                                             {"json", no_argument, 0, 'j'},
                                             {0, 0, 0, 0}};
    sb_headshot_opts_t opts = sb_headshot_opts_defaults();
    sb_error_t ce = {0};
    const char *out_path = NULL;
    int json = 0, c, rc;
    optind = 0;
    while ((c = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': out_path = optarg; break;
        case 's': if ((rc = sb_cli_parse_int(optarg, "size", &opts.size))) return rc; break;
        case 'q': if ((rc = sb_cli_parse_int(optarg, "quality", &opts.quality))) return rc; break;
        case 'f':
            if ((rc = sb_cli_read_format(&sb_headshot_opts_table, "output_format", optarg, &opts)))
                return rc;
            break;
        case 'j': json = 1; break;
        default: return sb_cli_usage("usage: strobe headshot IN [-o OUT] [--size N] [--format F] [--json]");
        }
    }
    if (optind != argc - 1)
        return sb_cli_usage("usage: strobe headshot IN [-o OUT] [--size N] [--format F] [--json]");
    if ((rc = sb_cli_check(sb_headshot_opts_check(&opts, &ce), &ce)))
        return rc;
    const char *in_path = argv[optind];
    char def_out[4096];
    if (!out_path) {
        default_output(in_path, opts.format ? opts.format : SB_FMT_PNG, def_out, sizeof def_out);
        out_path = def_out;
    }

    sb_studio_t *studio = NULL;
    uint8_t *buf = NULL;
    size_t len = 0;
    sb_headshot_result_t res = {0};
    sb_error_t e = {0};
    if ((rc = sb_cli_start(argv[0], &studio)) || (rc = sb_cli_read_input(in_path, &buf, &len)))
        goto done;
    sb_err err = sb_headshot(studio, buf, len, &opts, &res, &e);
    if (!err)
        err = sb_io_write_file(out_path, res.output, res.output_len, &e);
    if (err) {
        rc = sb_cli_fail(err, &e);
        goto done;
    }
    if (json) {
        const sb_detect_result_t *d = &res.detect;
        json_t *r = json_pack("{s:o, s:b, s:i, s:o, s:{s:s, s:i, s:i, s:s, s:I}, s:o, s:o}", "input",
                              sb_cli_json_input(in_path, d), "face_detected", d->faces.count > 0, "face_count",
                              d->faces.count, "subject", sb_cli_json_face(&d->faces.faces[d->subject]), "output",
                              "path", out_path, "width", res.width, "height", res.height, "format",
                              sb_format_name(res.format), "bytes", (json_int_t)res.output_len, "timings_ms",
                              sb_cli_json_timings(&d->stages), "models", sb_report_models(d));
        /* The roll that alignment corrected: the face mesh's eye line, not YuNet's coarser one. */
        json_object_set_new(json_object_get(r, "subject"), "roll_deg", json_real(res.roll_deg));
        json_object_set_new(r, "input_quality_score", json_real(res.quality.score));
        json_object_set_new(r, "validation_warnings", sb_report_warnings(res.warnings));
        json_object_set_new(r, "cutout", sb_report_cutout(&res.cutout));
        sb_cli_print_json(r);
    }
done:
    sb_headshot_result_free(&res);
    free(buf);
    sb_studio_close(studio);
    return rc;
}
