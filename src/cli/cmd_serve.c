/* cmd_serve.c - `strobe serve [--listen ADDR] [--data DIR] [--meta URL] [--blobs URL] [--workers N] ...`:
 * the HTTP API until SIGTERM or SIGINT, then a graceful stop (no new connections, queued and running
 * jobs finished and answered). Settings come from STROBE_* variables, then these flags. */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/service.h"
#include "cli/cli.h"
#include "util/parse.h"

static const char serve_usage[] =
    "usage: strobe serve [--listen HOST:PORT] [--data DIR] [--meta postgres://...] [--blobs s3://...] [--workers N] [--nn-threads N]\n"
    "                    [--allow-private-urls]";

int sb_cmd_serve(int argc, char **argv)
{
    static const struct option longopts[] = {{"listen", required_argument, 0, 'l'},
                                             {"data", required_argument, 0, 'd'},
                                             {"meta", required_argument, 0, 'm'},
                                             {"blobs", required_argument, 0, 'b'},
                                             {"workers", required_argument, 0, 'w'},
                                             {"nn-threads", required_argument, 0, 'n'},
                                             {"allow-private-urls", no_argument, 0, 'p'},
                                             {0, 0, 0, 0}};
    sb_service_config_t cfg;
    sb_error_t e = {0};
    sb_service_config_default(&cfg);
    sb_err err = sb_service_config_env(&cfg, &e);
    if (err)
        return sb_cli_fail(err, &e);
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        long long n;
        switch (c) {
        case 'l': snprintf(cfg.listen, sizeof cfg.listen, "%s", optarg); break;
        case 'd': snprintf(cfg.data_dir, sizeof cfg.data_dir, "%s", optarg); break;
        case 'm': snprintf(cfg.meta, sizeof cfg.meta, "%s", optarg); break;
        case 'b': snprintf(cfg.blobs, sizeof cfg.blobs, "%s", optarg); break;
        case 'w':
            if (sb_parse_int(optarg, strlen(optarg), 1, 256, &n, "--workers", &e))
                return sb_cli_usage("%s", e.message);
            cfg.workers = (int)n;
            break;
        case 'n':
            if (sb_parse_int(optarg, strlen(optarg), 1, 64, &n, "--nn-threads", &e))
                return sb_cli_usage("%s", e.message);
            cfg.nn_threads = (int)n;
            break;
        case 'p': cfg.allow_private_urls = true; break;
        default: return sb_cli_usage("%s", serve_usage);
        }
    }
    if (optind != argc)
        return sb_cli_usage("%s", serve_usage);

    /* Signals go to this thread only (sigwait below): every thread started from here inherits the mask. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    if ((err = sb_io_init(argv[0], &e)))
        return sb_cli_fail(err, &e);
    sb_service_t *svc = NULL;
    if ((err = sb_service_start(&cfg, &svc, &e)))
        return sb_cli_fail(err, &e);
    fprintf(stderr,
            "{\"level\":\"info\",\"msg\":\"listening\",\"port\":%d,\"listen\":\"%s\",\"data\":\"%s\",\"workers\":%d}\n",
            sb_service_port(svc), cfg.listen, cfg.data_dir, cfg.workers);
    int sig = 0;
    sigwait(&sigs, &sig);
    fprintf(stderr, "{\"level\":\"info\",\"msg\":\"stopping\",\"signal\":%d}\n", sig);
    sb_service_stop(svc);
    fprintf(stderr, "{\"level\":\"info\",\"msg\":\"stopped\"}\n");
    return 0;
}
