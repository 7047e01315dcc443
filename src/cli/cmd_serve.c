/* cmd_serve.c - `strobe serve [--config FILE] [--listen ADDR] [--data DIR] [--meta URL] [--blobs URL]
 * [--workers N] [--nn-threads N] [--allow-private-urls]`: the HTTP API until SIGTERM or SIGINT, then a graceful stop (no new connections,
 * queued and running jobs finished and answered). Settings: the defaults, then the config file (NAME=value
 * lines of the STROBE_* names), then the STROBE_* environment, then these flags (docs/internals/cli.md). */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/service.h"
#include "cli/cli.h"
#include "util/parse.h"
#include "util/log.h"

static const char serve_usage[] =
    "usage: strobe serve [--config FILE] [--listen HOST:PORT] [--data DIR] [--meta postgres://...]\n"
    "                    [--blobs s3://...] [--workers N] [--nn-threads N] [--allow-private-urls]";

int sb_cmd_serve(int argc, char **argv)
{
    static const struct option longopts[] = {{"listen", required_argument, 0, 'l'},
                                             {"data", required_argument, 0, 'd'},
                                             {"meta", required_argument, 0, 'm'},
                                             {"blobs", required_argument, 0, 'b'},
                                             {"workers", required_argument, 0, 'w'},
                                             {"nn-threads", required_argument, 0, 'n'},
                                             {"allow-private-urls", no_argument, 0, 'p'},
                                             {"config", required_argument, 0, 'c'},
                                             {0, 0, 0, 0}};
    const char *listen = NULL, *data = NULL, *meta = NULL, *blobs = NULL, *config = NULL;
    long long workers = 0, nn_threads = 0;
    bool private_urls = false;
    sb_error_t e = {0};
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'l': listen = optarg; break;
        case 'd': data = optarg; break;
        case 'm': meta = optarg; break;
        case 'b': blobs = optarg; break;
        case 'c': config = optarg; break;
        case 'w':
            if (sb_parse_int(optarg, strlen(optarg), 1, 256, &workers, "--workers", &e))
                return sb_cli_usage("%s", e.message);
            break;
        case 'n':
            if (sb_parse_int(optarg, strlen(optarg), 1, 64, &nn_threads, "--nn-threads", &e))
                return sb_cli_usage("%s", e.message);
            break;
        case 'p': private_urls = true; break;
        default: return sb_cli_usage("%s", serve_usage);
        }
    }
    if (optind != argc)
        return sb_cli_usage("%s", serve_usage);
    sb_service_config_t cfg;
    sb_service_config_default(&cfg);
    sb_err err = config ? sb_service_config_file(config, &e) : SB_OK;
    if (!err)
        err = sb_service_config_env(&cfg, &e);
    if (err)
        return sb_cli_fail(err, &e);
    if (listen)
        snprintf(cfg.listen, sizeof cfg.listen, "%s", listen);
    if (data)
        snprintf(cfg.data_dir, sizeof cfg.data_dir, "%s", data);
    if (meta)
        snprintf(cfg.meta, sizeof cfg.meta, "%s", meta);
    if (blobs)
        snprintf(cfg.blobs, sizeof cfg.blobs, "%s", blobs);
    if (workers)
        cfg.workers = (int)workers;
    if (nn_threads)
        cfg.nn_threads = (int)nn_threads;
    if (private_urls)
        cfg.allow_private_urls = true;

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
    sb_log(SB_LOG_INFO, "listening",
           json_pack("{s:i, s:o, s:o, s:i}", "port", sb_service_port(svc), "listen", sb_log_str(cfg.listen), "data",
                     sb_log_str(cfg.data_dir), "workers", cfg.workers));
    int sig = 0;
    sigwait(&sigs, &sig);
    sb_log(SB_LOG_INFO, "stopping", json_pack("{s:i}", "signal", sig));
    sb_service_stop(svc);
    sb_log(SB_LOG_INFO, "stopped", NULL);
    return 0;
}
