/* cmd_look.c - `strobe look learn DIR -o LOOK.json [--json]`: a custom look learned from the photos of a
 * folder (colour and tone character, grain, vignette), for `strobe avatar --look LOOK.json`. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "pipeline/stage.h"

static const char look_usage[] = "usage: strobe look learn DIR -o LOOK.json [--json]";

int sb_cmd_look(int argc, char **argv)
{
    static const struct option longopts[] = {{"output", required_argument, 0, 'o'},
                                             {"json", no_argument, 0, 'j'},
                                             {0, 0, 0, 0}};
    const char *out_path = NULL;
    int json = 0, c, rc = 0;
    optind = 0;
    while ((c = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': out_path = optarg; break;
        case 'j': json = 1; break;
        default: return sb_cli_usage("%s", look_usage);
        }
    }
    if (optind != argc - 2 || strcmp(argv[optind], "learn") || !out_path)
        return sb_cli_usage("%s", look_usage);
    const char *dir = argv[optind + 1];
    char **names;
    int n = sb_cli_list_photos(dir, &names);
    if (n <= 0)
        return sb_cli_usage("look learn: no JPEG, PNG, WebP or HEIC photos in %s", dir);
    sb_error_t e = {0};
    sb_err err = sb_io_init(argv[0], &e);
    uint8_t **bufs = calloc((size_t)n, sizeof *bufs);
    size_t *lens = calloc((size_t)n, sizeof *lens);
    char *text = NULL;
    int used = 0;
    double t0 = sb_now_ms();
    if (!err && (!bufs || !lens))
        err = sb_error_set(&e, SB_ERR_NOMEM, "", "out of memory");
    for (int i = 0; !err && i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        err = sb_io_read_file(path, SB_CLI_MAX_INPUT_BYTES, &bufs[i], &lens[i], &e);
    }
    sb_look_t look;
    if (!err)
        err = sb_look_learn((const uint8_t *const *)bufs, lens, n, &look, &used, &e);
    if (!err)
        err = sb_look_to_json(&look, &text, &e);
    if (!err)
        err = sb_io_write_file(out_path, (const uint8_t *)text, strlen(text), &e);
    if (err)
        rc = sb_cli_fail(err, &e);
    else if (json)
        sb_cli_print_json(json_pack("{s:s, s:i, s:i, s:f, s:o}", "look", out_path, "examples", n, "used", used,
                                    "learn_ms", sb_now_ms() - t0, "character", json_loads(text, 0, NULL)));
    else
        printf("%s: learned from %d of %d photos\n", out_path, used, n);
    for (int i = 0; i < n; i++) {
        free(names[i]);
        if (bufs)
            free(bufs[i]);
    }
    free(names);
    free(bufs);
    free(lens);
    free(text);
    return rc;
}
