/* main.c - `strobe <command> ...`: dispatch to one file per subcommand. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "nn/nn.h"
#include "util/heap.h"

static const char usage[] =
    "usage: strobe <command> [options]\n"
    "\n"
    "commands:\n"
    "  headshot IN [-o OUT] [--size N] [--format png|jpeg|webp] [--quality Q] [--json]\n"
    "                         corporate headshot of the main face in IN\n"
    "  avatar IN [--platform P] [--style S] [--background B] [--palette X] [--intensity F]\n"
    "         [--variant V] [--hires] [--likeness-min F] [-o OUT] [--thumbnail T] [--json]\n"
    "                         avatar in one of three styles, checked for likeness\n"
    "  product IN [--preset P] [--shadow S] [--prompt TEXT] [--size WxH] [--aspect A] [--padding F]\n"
    "          [--format png|jpeg|webp] [--mask] [-o OUT] [--json]\n"
    "                         product photo: the subject cut out and placed on a studio background\n"
    "                         with a shadow ('strobe product --help' lists every option)\n"
    "  portrait IN --prompt TEXT [--seed N] [-n COUNT] [--identity F] [--size WxH] [--template NAME]\n"
    "           -o OUT_%d.jpg [--json]\n"
    "                         portraits in the style a prompt and seed describe, one per sample\n"
    "  look learn DIR -o LOOK.json [--json]\n"
    "                         a custom look (colour, tone, grain, vignette) from a folder of photos,\n"
    "                         for avatar --look\n"
    "  detect IN [--json]     every face with its box, five landmarks, score and roll\n"
    "  matte IN [--kind person|object] -o MASK.png [--json]\n"
    "                         person (or main object) matte of IN as an 8-bit PNG (255 = subject)\n"
    "  serve [--listen HOST:PORT] [--data DIR] [--meta URL] [--blobs URL] [--workers N] [--nn-threads N]\n"
    "        [--allow-private-urls] [--no-queue-jobs] [--config FILE]\n"
    "                         the HTTP API (settings also from STROBE_* variables)\n"
    "  worker --meta postgres://... --blobs URL [--workers N] [--nn-threads N] [--config FILE]\n"
    "                         runs jobs from the fleet's shared queue (no HTTP; docs/deploy.md)\n"
    "  keys create|list|credit|revoke|dev ...\n"
    "                         API keys of a data directory (run 'strobe keys' for details)\n"
    "  version [--json] [--check]  the version, ONNX Runtime's, the models (--check verifies each file)\n"
    "\n"
    "Errors are one JSON object on stderr: {\"error\":{\"code\",\"message\",\"field\"}}.\n"
    "Exit codes: 0 ok, 1 internal, 2 usage, 3 unreadable or unsupported input,\n"
    "4 image too large or too small, 5 no face, face too small or no subject, 6 model missing or invalid.\n"
    "Models are read from $STROBE_MODELS, ./models or ../shared/models.\n";

int main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *cmd = argv[1];
    sb_heap_keep_freed(); /* before any thread: every command reuses its big buffers (util/heap.h) */
    sb_nn_no_telemetry(); /* before any thread: no calls home from ONNX Runtime (nn/nn.h) */
    opterr = 0; /* stderr carries one JSON error: the commands report a bad option themselves */
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version"))
        return sb_cmd_version(argc - 1, argv + 1);
    if (!strcmp(cmd, "headshot"))
        return sb_cmd_headshot(argc - 1, argv + 1);
    if (!strcmp(cmd, "avatar"))
        return sb_cmd_avatar(argc - 1, argv + 1);
    if (!strcmp(cmd, "product"))
        return sb_cmd_product(argc - 1, argv + 1);
    if (!strcmp(cmd, "portrait"))
        return sb_cmd_portrait(argc - 1, argv + 1);
    if (!strcmp(cmd, "look"))
        return sb_cmd_look(argc - 1, argv + 1);
    if (!strcmp(cmd, "detect"))
        return sb_cmd_detect(argc - 1, argv + 1);
    if (!strcmp(cmd, "matte"))
        return sb_cmd_matte(argc - 1, argv + 1);
    if (!strcmp(cmd, "serve"))
        return sb_cmd_serve(argc - 1, argv + 1);
    if (!strcmp(cmd, "worker"))
        return sb_cmd_worker(argc - 1, argv + 1);
    if (!strcmp(cmd, "keys"))
        return sb_cmd_keys(argc - 1, argv + 1);
    return sb_cli_usage("unknown command '%s'; run 'strobe help'", cmd);
}
