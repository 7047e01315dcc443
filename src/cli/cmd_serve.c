/* cmd_serve.c - the two long-running commands, until SIGTERM or SIGINT, then a graceful stop (no new work,
 * queued and running jobs finished and answered):
 *   strobe serve [--config FILE] [--listen ADDR] [--data DIR] [--meta URL] [--blobs URL] [--workers N]
 *                [--nn-threads N] [--allow-private-urls] [--no-queue-jobs]     the HTTP API
 *   strobe worker [--config FILE] [--meta URL] [--blobs URL] [--workers N] [--nn-threads N]
 *                [--allow-private-urls]                                         shared-queue jobs only
 * Settings: the defaults, then the config file (NAME=value lines of the STROBE_* names), then the STROBE_*
 * environment, then these flags (docs/internals/cli.md). */
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
    "                    [--blobs s3://...] [--workers N] [--nn-threads N] [--allow-private-urls]\n"
    "                    [--no-queue-jobs]";
static const char worker_usage[] =
    "usage: strobe worker [--config FILE] [--meta postgres://...] [--blobs s3://...] [--workers N]\n"
    "                     [--nn-threads N] [--allow-private-urls]";

/* Run the service until a signal, then stop it gracefully. */
static int run(const sb_service_config_t *cfg)
{
    /* Signals go to this thread only (sigwait below): every thread started from here inherits the mask. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    sb_error_t e = {0};
    sb_err err;
    if ((err = sb_io_init("strobe", &e)))
        return sb_cli_fail(err, &e);
    sb_service_t *svc = NULL;
    if ((err = sb_service_start(cfg, &svc, &e)))
        return sb_cli_fail(err, &e);
    if (cfg->worker_only)
        sb_log(SB_LOG_INFO, "working", json_pack("{s:i}", "workers", cfg->workers));
    else
        sb_log(SB_LOG_INFO, "listening",
               json_pack("{s:i, s:o, s:o, s:i}", "port", sb_service_port(svc), "listen", sb_log_str(cfg->listen),
                         "data", sb_log_str(cfg->data_dir), "workers", cfg->workers));
    int sig = 0;
    sigwait(&sigs, &sig);
    sb_log(SB_LOG_INFO, "stopping", json_pack("{s:i}", "signal", sig));
    sb_service_stop(svc);
    sb_log(SB_LOG_INFO, "stopped", NULL);
    return 0;
}

/* Parse the flags of `serve` (worker false) or `worker` into cfg, over the defaults, the config file and
 * the environment. -1 to go on, else the exit code. */
static int parse(int argc, char **argv, bool worker, sb_service_config_t *cfg)
{
    static const struct option longopts[] = {{"listen", required_argument, 0, 'l'},
                                             {"data", required_argument, 0, 'd'},
                                             {"meta", required_argument, 0, 'm'},
                                             {"blobs", required_argument, 0, 'b'},
                                             {"workers", required_argument, 0, 'w'},
                                             {"nn-threads", required_argument, 0, 'n'},
                                             {"allow-private-urls", no_argument, 0, 'p'},
                                             {"no-queue-jobs", no_argument, 0, 'q'},
                                             {"config", required_argument, 0, 'c'},
                                             {0, 0, 0, 0}};
    const char *usage = worker ? worker_usage : serve_usage;
    const char *listen = NULL, *data = NULL, *meta = NULL, *blobs = NULL, *config = NULL;
    long long workers = 0, nn_threads = 0;
    bool private_urls = false, no_queue = false;
    sb_error_t e = {0};
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        if (worker && (c == 'l' || c == 'd' || c == 'q'))
            return sb_cli_usage("%s", usage);
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
        case 'q': no_queue = true; break;
        default: return sb_cli_usage("%s", usage);
        }
    }
    if (optind != argc)
        return sb_cli_usage("%s", usage);
    sb_service_config_default(cfg);
    sb_err err = config ? sb_service_config_file(config, &e) : SB_OK;
    if (!err)
        err = sb_service_config_env(cfg, &e);
    if (err)
        return sb_cli_fail(err, &e);
    if (listen)
        snprintf(cfg->listen, sizeof cfg->listen, "%s", listen);
    if (data)
        snprintf(cfg->data_dir, sizeof cfg->data_dir, "%s", data);
    if (meta)
        snprintf(cfg->meta, sizeof cfg->meta, "%s", meta);
    if (blobs)
        snprintf(cfg->blobs, sizeof cfg->blobs, "%s", blobs);
    if (workers)
        cfg->workers = (int)workers;
    if (nn_threads)
        cfg->nn_threads = (int)nn_threads;
    if (private_urls)
        cfg->allow_private_urls = true;
    if (no_queue)
        cfg->take_queue = false;
    cfg->worker_only = worker;
    return -1;
}

int sb_cmd_serve(int argc, char **argv)
{
    sb_service_config_t cfg;
    int rc = parse(argc, argv, false, &cfg);
    return rc >= 0 ? rc : run(&cfg);
}

int sb_cmd_worker(int argc, char **argv)
{
    sb_service_config_t cfg;
    int rc = parse(argc, argv, true, &cfg);
    return rc >= 0 ? rc : run(&cfg);
}
