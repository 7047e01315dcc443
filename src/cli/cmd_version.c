/* cmd_version.c - strobe version [--json] [--check]: the program's and ONNX Runtime's versions and the models. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "nn/models.h"
#include "nn/nn.h"

static const char usage[] = "usage: strobe version [--json] [--check]\n"
                            "  --json   one JSON object: version, onnxruntime, models (name, file, sha256, license)\n"
                            "  --check  also find and verify every model file (sha256): the first missing or wrong\n"
                            "           one is reported by name, with its exit code (6)\n";

int sb_cmd_version(int argc, char **argv)
{
    int as_json = 0, check = 0;
    static const struct option opts[] = {
        {"json", no_argument, 0, 'j'}, {"check", no_argument, 0, 'c'}, {"help", no_argument, 0, 'h'}, {0}};
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'j')
            as_json = 1;
        else if (c == 'c')
            check = 1;
        else if (c == 'h') {
            fputs(usage, stdout);
            return 0;
        } else
            return sb_cli_usage("%s", usage);
    }
    if (optind < argc)
        return sb_cli_usage("%s", usage);

    sb_error_t e = {0};
    for (int id = 0; check && id < SB_MODEL__COUNT; id++) {
        char path[4096];
        sb_err err = sb_model_resolve((sb_model_id)id, path, sizeof path, &e);
        if (err)
            return sb_cli_fail(err, &e);
    }
    if (!as_json) {
        printf("strobe %s (ONNX Runtime %s)\n", SB_VERSION, sb_nn_version());
        return 0;
    }
    json_t *models = json_array();
    for (int id = 0; id < SB_MODEL__COUNT; id++) {
        const sb_model_info_t *m = sb_model_info((sb_model_id)id);
        json_array_append_new(models, json_pack("{s:s, s:s, s:s, s:s}", "name", m->name, "file", m->relpath,
                                                "sha256", m->sha256, "license", m->license));
    }
    sb_cli_print_json(json_pack("{s:s, s:s, s:o, s:b}", "version", SB_VERSION, "onnxruntime", sb_nn_version(),
                                "models", models, "models_checked", check));
    return 0;
}
