/* cmd_keys.c - `strobe keys create|list|credit|revoke|dev`: API keys in the metadata store (the data
 * directory's SQLite file, or --meta / STROBE_META).
 * A key's secret is printed once, at creation; only its SHA-256 is stored. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/service.h"
#include "cli/cli.h"
#include "util/parse.h"

static const char keys_usage[] =
    "usage: strobe keys create --name NAME [--credits N] [--json] [--data DIR]\n"
    "       strobe keys list [--data DIR]\n"
    "       strobe keys credit KEY_ID N [--data DIR]      add N credits (negative to remove)\n"
    "       strobe keys revoke KEY_ID [--data DIR]\n"
    "       strobe keys dev [--data DIR]                  the development key (made once, kept in DIR/dev-key)\n"
    "every form also takes --meta URL (or STROBE_META): a postgres://... metadata store instead of DIR's";

static bool print_key(const sb_key_t *k, void *ctx)
{
    printf("%-22s %-24s credits %-8lld used %-8lld%s\n", k->id, k->name, (long long)k->credits, (long long)k->used,
           k->revoked ? " revoked" : "");
    return true;
}

/* The development key of `make run`: kept in DIR/dev-key (0600) so it can be shown again; a real key
 * is shown once only. */
static int dev_key(sb_meta_t *meta, const char *dir)
{
    char path[600], secret[48] = {0}, id[SB_ID_MAX];
    snprintf(path, sizeof path, "%s/dev-key", dir);
    FILE *f = fopen(path, "r");
    if (f) {
        if (!fgets(secret, sizeof secret, f))
            secret[0] = '\0';
        fclose(f);
        secret[strcspn(secret, "\n")] = '\0';
    }
    if (!secret[0]) {
        sb_error_t e = {0};
        sb_err err = sb_service_key_create(meta, "development", 1000, secret, id, &e);
        if (err)
            return sb_cli_fail(err, &e);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd < 0 || dprintf(fd, "%s\n", secret) < 0) {
            sb_error_set(&e, SB_ERR_IO, "data", "cannot write %.200s: %s", path, strerror(errno));
            if (fd >= 0)
                close(fd);
            return sb_cli_fail(SB_ERR_IO, &e);
        }
        close(fd);
    }
    printf("%s\n", secret);
    return 0;
}

int sb_cmd_keys(int argc, char **argv)
{
    static const struct option longopts[] = {{"name", required_argument, 0, 'n'},
                                             {"credits", required_argument, 0, 'c'},
                                             {"data", required_argument, 0, 'd'},
                                             {"json", no_argument, 0, 'j'},
                                             {"meta", required_argument, 0, 'm'},
                                             {0, 0, 0, 0}};
    const char *name = NULL, *data = getenv("STROBE_DATA"), *meta_url = getenv("STROBE_META");
    long long credits = 100;
    int json = 0, c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        sb_error_t pe = {0};
        switch (c) {
        case 'n': name = optarg; break;
        case 'c':
            if (sb_parse_int(optarg, strlen(optarg), 0, LLONG_MAX, &credits, "--credits", &pe))
                return sb_cli_usage("--credits must be a non-negative integer, got '%s'", optarg);
            break;
        case 'd': data = optarg; break;
        case 'j': json = 1; break;
        case 'm': meta_url = optarg; break;
        default: return sb_cli_usage("%s", keys_usage);
        }
    }
    if (!data || !*data)
        data = "strobe-data";
    if (optind >= argc)
        return sb_cli_usage("%s", keys_usage);
    const char *verb = argv[optind];
    int nargs = argc - optind - 1;
    sb_meta_t *meta = NULL;
    sb_error_t e = {0};
    sb_err err = sb_service_open_meta(data, meta_url, &meta, &e);
    if (err)
        return sb_cli_fail(err, &e);
    int rc = 0;
    if (!strcmp(verb, "create") && nargs == 0) {
        if (!name || !*name || strlen(name) >= SB_NAME_MAX) {
            rc = sb_cli_usage("keys create needs --name NAME (1 to %d characters)", SB_NAME_MAX - 1);
        } else {
            char secret[48], id[SB_ID_MAX];
            if ((err = sb_service_key_create(meta, name, credits, secret, id, &e)))
                rc = sb_cli_fail(err, &e);
            else if (json)
                printf("{\"id\":\"%s\",\"key\":\"%s\",\"credits\":%lld}\n", id, secret, credits);
            else
                printf("id:      %s\nkey:     %s\ncredits: %lld\n(the key is shown once; only its hash is stored)\n",
                       id, secret, credits);
        }
    } else if (!strcmp(verb, "list") && nargs == 0) {
        if ((err = sb_meta_key_list(meta, print_key, NULL, &e)))
            rc = sb_cli_fail(err, &e);
    } else if (!strcmp(verb, "credit") && nargs == 2) {
        long long delta;
        const char *n = argv[optind + 2];
        if (sb_parse_int(n, strlen(n), LLONG_MIN, LLONG_MAX, &delta, "N", &e))
            rc = sb_cli_usage("keys credit: N must be an integer, got '%s'", argv[optind + 2]);
        else if ((err = sb_meta_key_add_credits(meta, argv[optind + 1], delta, &e)))
            rc = sb_cli_fail(err, &e);
    } else if (!strcmp(verb, "revoke") && nargs == 1) {
        if ((err = sb_meta_key_revoke(meta, argv[optind + 1], &e)))
            rc = sb_cli_fail(err, &e);
    } else if (!strcmp(verb, "dev") && nargs == 0) {
        rc = dev_key(meta, data);
    } else {
        rc = sb_cli_usage("%s", keys_usage);
    }
    sb_meta_close(meta);
    return rc;
}
