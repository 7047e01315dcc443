/* cmd_matte.c - `strobe matte IN -o MASK.png [--json]`. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"

int sb_cmd_matte(int argc, char **argv)
{
    static const struct option longopts[] = {{"output", required_argument, 0, 'o'},
                                             {"json", no_argument, 0, 'j'},
                                             {0, 0, 0, 0}};
    const char *out_path = NULL;
    int json = 0, c, rc;
    optind = 0;
    while ((c = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
        if (c == 'o')
            out_path = optarg;
        else if (c == 'j')
            json = 1;
        else
            return sb_cli_usage("usage: strobe matte IN -o MASK.png [--json]");
    }
    if (optind != argc - 1 || !out_path)
        return sb_cli_usage("usage: strobe matte IN -o MASK.png [--json]");
    const char *in_path = argv[optind];

    sb_studio_t *studio = NULL;
    uint8_t *buf = NULL;
    size_t len = 0;
    sb_matte_result_t res = {0};
    sb_error_t e = {0};
    if ((rc = sb_cli_start(argv[0], &studio)) || (rc = sb_cli_read_input(in_path, &buf, &len)))
        goto done;
    sb_err err = sb_matte(studio, buf, len, &res, &e);
    if (!err)
        err = sb_io_write_file(out_path, res.png, res.png_len, &e);
    if (err) {
        rc = sb_cli_fail(err, &e);
        goto done;
    }
    if (json) {
        const sb_model_info_t *m = sb_model_info(SB_MODEL_SELFIE_SEG);
        json_t *r = json_pack("{s:{s:s, s:s, s:i, s:i, s:i}, s:{s:s, s:i, s:i, s:s, s:I}, s:o, s:[{s:s, s:s, s:s, s:s}]}",
                              "input", "path", in_path, "format", sb_format_name(res.input.format), "width",
                              res.input.width, "height", res.input.height, "orientation", res.input.orientation,
                              "output", "path", out_path, "width", res.width, "height", res.height, "format", "png",
                              "bytes", (json_int_t)res.png_len, "timings_ms", sb_cli_json_timings(&res.stages),
                              "models", "name", m->name, "file", m->relpath, "sha256", m->sha256, "license",
                              m->license);
        sb_cli_print_json(r);
    }
done:
    sb_matte_result_free(&res);
    free(buf);
    sb_studio_close(studio);
    return rc;
}
