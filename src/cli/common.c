/* common.c - shared CLI helpers: errors, input, JSON report pieces. */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "util/parse.h"

/* The one JSON error object on stderr; returns the code's exit status. */
static int print_error(sb_err err, const char *message, const char *field)
{
    json_t *inner = json_pack("{s:s, s:s}", "code", sb_err_name(err), "message", message);
    if (field && field[0])
        json_object_set_new(inner, "field", json_string(field));
    json_t *obj = json_pack("{s:o}", "error", inner);
    char *s = json_dumps(obj, JSON_COMPACT);
    fprintf(stderr, "%s\n", s ? s : "{\"error\":{\"code\":\"internal\"}}");
    free(s);
    json_decref(obj);
    return sb_err_exit_code(err);
}

int sb_cli_fail(sb_err err, const sb_error_t *e)
{
    return print_error(err, e->message, e->field);
}

int sb_cli_usage(const char *fmt, ...)
{
    /* A usage text is longer than an sb_error_t message holds: format it whole. */
    char message[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    return print_error(SB_ERR_USAGE, message, NULL);
}

/* Options are checked by the library for their real ranges; these bounds only keep the value an int. */
int sb_cli_parse_int(const char *s, const char *name, int *out)
{
    char field[64];
    long long v;
    sb_error_t e = {0};
    snprintf(field, sizeof field, "--%s", name);
    if (sb_parse_int(s, strlen(s), -1000000, 1000000, &v, field, &e))
        return sb_cli_usage("%s", e.message);
    *out = (int)v;
    return 0;
}

int sb_cli_parse_float(const char *s, const char *name, float lo, float hi, float *out)
{
    char field[64];
    double v;
    sb_error_t e = {0};
    snprintf(field, sizeof field, "--%s", name);
    if (sb_parse_double(s, strlen(s), lo, hi, &v, field, &e))
        return sb_cli_usage("%s", e.message);
    *out = (float)v;
    return 0;
}

int sb_cli_read_format(const sb_opts_table_t *t, const char *field, const char *s, void *opts)
{
    sb_error_t e = {0};
    return sb_opt_read_name(sb_opt_find(t, field), s, opts, &e) ? sb_cli_fail(SB_ERR_USAGE, &e) : 0;
}

int sb_cli_check(sb_err err, const sb_error_t *e)
{
    return err ? sb_cli_fail(err, e) : 0;
}

int sb_cli_start(const char *argv0, sb_studio_t **studio)
{
    sb_error_t e = {0};
    sb_err err = sb_io_init(argv0, &e);
    if (!err)
        err = sb_studio_open(studio, &e);
    return err ? sb_cli_fail(err, &e) : 0;
}

int sb_cli_read_input(const char *path, uint8_t **buf, size_t *len)
{
    sb_error_t e = {0};
    sb_err err = sb_io_read_file(path, SB_CLI_MAX_INPUT_BYTES, buf, len, &e);
    return err ? sb_cli_fail(err, &e) : 0;
}

json_t *sb_cli_json_input(const char *path, const sb_detect_result_t *d)
{
    json_t *o = json_pack("{s:s, s:s, s:i, s:i, s:i, s:i, s:i, s:s, s:b, s:i}", "path", path, "format",
                          sb_format_name(d->input.format), "width", d->input.width, "height", d->input.height,
                          "upright_width", d->upright_width, "upright_height", d->upright_height, "orientation",
                          d->input.orientation, "icc", d->input.icc, "alpha", d->input.has_alpha, "turn_deg",
                          d->turn_deg);
    if (o && d->frame[2] > d->frame[0])
        json_object_set_new(o, "frame", json_pack("{s:i, s:i, s:i, s:i}", "x", d->frame[0], "y", d->frame[1],
                                                  "width", d->frame[2] - d->frame[0], "height",
                                                  d->frame[3] - d->frame[1]));
    if (o && d->collage)
        json_object_set_new(o, "collage", json_true());
    return o;
}

static json_t *point(sb_point_t p)
{
    return json_pack("[f, f]", (double)p.x, (double)p.y);
}

json_t *sb_cli_json_face(const sb_face_t *f)
{
    return json_pack("{s:{s:f, s:f, s:f, s:f}, s:{s:o, s:o, s:o, s:o, s:o}, s:f, s:f}", "box", "x", (double)f->x,
                     "y", (double)f->y, "width", (double)f->w, "height", (double)f->h, "landmarks", "right_eye",
                     point(f->lmk[SB_LMK_RIGHT_EYE]), "left_eye", point(f->lmk[SB_LMK_LEFT_EYE]), "nose",
                     point(f->lmk[SB_LMK_NOSE]), "mouth_right", point(f->lmk[SB_LMK_MOUTH_RIGHT]), "mouth_left",
                     point(f->lmk[SB_LMK_MOUTH_LEFT]), "score", (double)f->score, "roll_deg",
                     (double)sb_face_roll_deg(f));
}

json_t *sb_cli_json_timings(const sb_stages_t *s)
{
    json_t *t = json_object();
    for (int i = 0; i < s->n; i++)
        json_object_set_new(t, s->t[i].name, json_real(s->t[i].ms));
    json_object_set_new(t, "total", json_real(sb_stages_total_ms(s)));
    return t;
}

void sb_cli_print_json(json_t *report)
{
    char *s = json_dumps(report, JSON_COMPACT | JSON_REAL_PRECISION(6));
    if (s)
        printf("%s\n", s);
    free(s);
    json_decref(report);
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int sb_cli_list_photos(const char *dir, char ***names)
{
    DIR *d = opendir(dir);
    int n = 0, cap = 0;
    *names = NULL;
    if (!d)
        return -1;
    for (struct dirent *de; (de = readdir(d));) {
        const char *dot = strrchr(de->d_name, '.');
        if (de->d_name[0] == '.' || !dot ||
            (strcasecmp(dot, ".jpg") && strcasecmp(dot, ".jpeg") && strcasecmp(dot, ".png") &&
             strcasecmp(dot, ".webp") && strcasecmp(dot, ".heic")))
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            char **nn = realloc(*names, sizeof *nn * (size_t)cap);
            if (!nn)
                break;
            *names = nn;
        }
        (*names)[n++] = strdup(de->d_name);
    }
    closedir(d);
    qsort(*names, (size_t)n, sizeof **names, cmp_name);
    return n;
}
