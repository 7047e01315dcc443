/* cmd_avatar.c - `strobe avatar IN [--platform P] [--style S] [--background B] [--palette X]
 * [--intensity F] [--variant V] [--hires] [--likeness-min F] [-o OUT] [--thumbnail T] [--json]`, and
 * `strobe avatar --batch DIR --out DIR [options]`: every photo of a folder with the same look. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "pipeline/report.h"

static const char avatar_usage[] =
    "usage: strobe avatar IN [--platform P] [--style corporate_headshot|anime|editorial] [--background B]\n"
    "                        [--palette NAME|#RRGGBB] [--intensity 0..1] [--variant hosoda|hayao] [--hires]\n"
    "                        [--likeness-min 0..1] [-o OUT.png] [--thumbnail THUMB.png] [--json]\n"
    "       strobe avatar --batch DIR --out DIR [the same style options] [--json]\n"
    "       (--look LOOK.json, from `strobe look learn`, adds a custom look to either)";

/* "dir/photo.jpg" + ".avatar.png" -> "dir/photo.avatar.png" */
static void sibling(const char *in, const char *suffix, char *out, size_t size)
{
    const char *slash = strrchr(in, '/'), *dot = strrchr(in, '.');
    size_t stem = dot && (!slash || dot > slash) ? (size_t)(dot - in) : strlen(in);
    snprintf(out, size, "%.*s%s", (int)stem, in, suffix);
}

static void print_report(const char *in, const char *out, const char *thumb, const sb_avatar_opts_t *o,
                         const sb_avatar_result_t *r)
{
    const sb_detect_result_t *d = &r->detect;
    json_t *params = json_pack("{s:s, s:s, s:s, s:s, s:f, s:f, s:f, s:I, s:b}", "platform", r->platform, "style",
                               r->style, "background", r->background, "palette", r->palette, "style_intensity",
                               o->intensity < 0 ? 1.0 : (double)o->intensity, "intensity_delivered",
                               (double)r->intensity, "likeness_min", (double)r->likeness_min, "seed",
                               (json_int_t)r->seed, "hires", o->hires);
    if (r->variant) {
        json_object_set_new(params, "variant", json_string(r->variant));
        json_object_set_new(params, "cartoon_side", json_integer(r->cartoon_side));
    }
    const sb_quality_t *q = &r->quality;
    json_t *report = json_pack(
        "{s:o, s:s, s:s, s:i, s:b, s:i, s:f, s:f, s:o, s:{s:f, s:f, s:f, s:f, s:f, s:f, s:f}, s:s, s:s, s:i, "
        "s:f, s:o, s:{s:o, s:o}}",
        "input", sb_cli_json_input(in, d), "avatar", out, "thumbnail", thumb, "size", r->size, "face_detected",
        d->faces.count > 0, "face_count", d->faces.count, "likeness_score", (double)r->likeness,
        "input_quality_score", (double)q->score, "validation_warnings", sb_report_warnings(r->warnings), "quality",
        "sharpness", (double)q->sharpness, "exposure", (double)q->exposure, "face_size", (double)q->face_size, "pose",
        (double)q->pose, "occlusion", (double)q->occlusion, "yaw_deg", (double)q->yaw_deg, "pitch_deg",
        (double)q->pitch_deg, "style", r->style, "platform", r->platform, "attempts", r->attempts, "latency_ms",
        sb_stages_total_ms(&d->stages), "timings_ms", sb_cli_json_timings(&d->stages), "provenance", "models",
        sb_report_models(d), "parameters", params);
    if (report)
        json_object_set_new(report, "cutout", sb_report_cutout(&r->cutout));
    sb_cli_print_json(report);
}

/* A look made by `strobe look learn`. */
static int load_look(const char *path, sb_look_t *look)
{
    uint8_t *buf;
    size_t len;
    sb_error_t e = {0};
    sb_err err = sb_io_read_file(path, 1u << 20, &buf, &len, &e);
    if (err)
        return sb_cli_fail(err, &e);
    char *text = malloc(len + 1);
    if (text) {
        memcpy(text, buf, len);
        text[len] = '\0';
    }
    err = text ? sb_look_from_json(text, look, &e) : sb_error_set(&e, SB_ERR_NOMEM, "", "out of memory");
    free(text);
    free(buf);
    return err ? sb_cli_fail(err, &e) : 0;
}

static void progress(int done, int total, const char *name)
{
    const int width = 30;
    int fill = total ? done * width / total : width;
    fprintf(stderr, "\r[%.*s%*s] %d/%d %-40.40s", fill, "##############################", width - fill, "", done, total,
            name);
    if (done == total)
        fputc('\n', stderr);
    fflush(stderr);
}

/* Every photo of in_dir with the same options (so the same background, palette, light and seed: a team
 * page looks consistent), into out_dir as <stem>.png and <stem>.thumb.png. A photo that fails is
 * reported and skipped; the exit code is 0 when all succeeded, else that of the first failure. */
static int run_batch(const char *argv0, const char *in_dir, const char *out_dir, const sb_avatar_opts_t *opts,
                     int json)
{
    char **names;
    int n = sb_cli_list_photos(in_dir, &names), rc = 0, failed = 0;
    if (n < 0)
        return sb_cli_usage("--batch: cannot read the folder %s", in_dir);
    if (n == 0)
        return sb_cli_usage("--batch: no JPEG, PNG, WebP or HEIC photos in %s", in_dir);
    if (mkdir(out_dir, 0755) != 0 && errno != EEXIST)
        return sb_cli_usage("--out: cannot create %s", out_dir);
    sb_studio_t *studio = NULL;
    if ((rc = sb_cli_start(argv0, &studio)))
        return rc;
    json_t *items = json_array();
    for (int i = 0; i < n; i++) {
        progress(i, n, names[i]);
        char in_path[4096], named[4096], out_path[4096], thumb_path[4096];
        snprintf(in_path, sizeof in_path, "%s/%s", in_dir, names[i]);
        snprintf(named, sizeof named, "%s/%s", out_dir, names[i]);
        sibling(named, ".png", out_path, sizeof out_path);
        sibling(named, ".thumb.png", thumb_path, sizeof thumb_path);
        uint8_t *buf = NULL;
        size_t len = 0;
        sb_avatar_result_t res = {0};
        sb_error_t e = {0};
        sb_err err = sb_io_read_file(in_path, SB_CLI_MAX_INPUT_BYTES, &buf, &len, &e);
        if (!err)
            err = sb_avatar(studio, buf, len, opts, &res, &e);
        if (!err)
            err = sb_io_write_file(out_path, res.avatar, res.avatar_len, &e);
        if (!err)
            err = sb_io_write_file(thumb_path, res.thumbnail, res.thumbnail_len, &e);
        if (err) {
            if (!failed++)
                rc = sb_err_exit_code(err);
            json_array_append_new(items, json_pack("{s:s, s:{s:s, s:s, s:s}}", "input", in_path, "error", "code",
                                                   sb_err_name(err), "message", e.message, "field", e.field));
        } else {
            json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:f, s:f, s:o, s:i, s:o}", "input", in_path, "avatar",
                                                   out_path, "thumbnail", thumb_path, "likeness_score",
                                                   (double)res.likeness, "input_quality_score",
                                                   (double)res.quality.score, "validation_warnings",
                                                   sb_report_warnings(res.warnings), "attempts", res.attempts,
                                                   "cutout", sb_report_cutout(&res.cutout)));
        }
        sb_avatar_result_free(&res);
        free(buf);
    }
    progress(n, n, "");
    if (json)
        sb_cli_print_json(json_pack("{s:i, s:i, s:i, s:o}", "total", n, "succeeded", n - failed, "failed", failed,
                                    "items", items));
    else {
        printf("%d of %d avatars made in %s\n", n - failed, n, out_dir);
        json_decref(items);
    }
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
    sb_studio_close(studio);
    return rc;
}

int sb_cmd_avatar(int argc, char **argv)
{
    static const struct option longopts[] = {{"output", required_argument, 0, 'o'},
                                             {"thumbnail", required_argument, 0, 't'},
                                             {"platform", required_argument, 0, 'p'},
                                             {"style", required_argument, 0, 's'},
                                             {"background", required_argument, 0, 'b'},
                                             {"palette", required_argument, 0, 'c'},
                                             {"variant", required_argument, 0, 'v'},
                                             {"intensity", required_argument, 0, 'i'},
                                             {"likeness-min", required_argument, 0, 'l'},
                                             {"hires", no_argument, 0, 'h'},
                                             {"json", no_argument, 0, 'j'},
                                             {"batch", required_argument, 0, 'B'},
                                             {"out", required_argument, 0, 'O'},
                                             {"look", required_argument, 0, 'L'},
                                             {0, 0, 0, 0}};
    sb_avatar_opts_t opts = SB_AVATAR_OPTS_DEFAULT;
    const char *out_path = NULL, *thumb_path = NULL, *batch_dir = NULL, *out_dir = NULL, *look_path = NULL;
    int json = 0, c, rc;
    optind = 0;
    while ((c = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': out_path = optarg; break;
        case 't': thumb_path = optarg; break;
        case 'p': opts.platform = optarg; break;
        case 's': opts.style = optarg; break;
        case 'b': opts.background = optarg; break;
        case 'c': opts.palette = optarg; break;
        case 'v': opts.variant = optarg; break;
        case 'i':
            if ((rc = sb_cli_parse_float(optarg, "intensity", 0, SB_CLI_CHECKED_BY_OPTS, &opts.intensity)))
                return rc;
            break;
        case 'l': if ((rc = sb_cli_parse_float(optarg, "likeness-min", 0, 1, &opts.likeness_min))) return rc; break;
        case 'h': opts.hires = true; break;
        case 'j': json = 1; break;
        case 'B': batch_dir = optarg; break;
        case 'O': out_dir = optarg; break;
        case 'L': look_path = optarg; break;
        default: return sb_cli_usage("%s", avatar_usage);
        }
    }
    sb_avatar_job_opts_t jo = sb_avatar_job_opts_defaults();
    sb_error_t ce = {0};
    jo.avatar = opts;
    if ((rc = sb_cli_check(sb_avatar_job_opts_check(&jo, &ce), &ce)))
        return rc;
    sb_look_t look;
    if (look_path) {
        if ((rc = load_look(look_path, &look)))
            return rc;
        opts.look = &look;
    }
    if (batch_dir || out_dir) {
        if (!batch_dir || !out_dir || optind != argc || out_path || thumb_path)
            return sb_cli_usage("%s", avatar_usage);
        /* The batch's seed is fixed, so every avatar has the same background pattern. */
        return run_batch(argv[0], batch_dir, out_dir, &opts, json);
    }
    if (optind != argc - 1)
        return sb_cli_usage("%s", avatar_usage);
    const char *in_path = argv[optind];
    char def_out[4096], def_thumb[4096];
    if (!out_path) {
        sibling(in_path, ".avatar.png", def_out, sizeof def_out);
        out_path = def_out;
    }
    if (!thumb_path) {
        sibling(out_path, ".thumb.png", def_thumb, sizeof def_thumb);
        thumb_path = def_thumb;
    }

    sb_studio_t *studio = NULL;
    uint8_t *buf = NULL;
    size_t len = 0;
    sb_avatar_result_t res = {0};
    sb_error_t e = {0};
    if ((rc = sb_cli_start(argv[0], &studio)) || (rc = sb_cli_read_input(in_path, &buf, &len)))
        goto done;
    sb_err err = sb_avatar(studio, buf, len, &opts, &res, &e);
    if (!err)
        err = sb_io_write_file(out_path, res.avatar, res.avatar_len, &e);
    if (!err)
        err = sb_io_write_file(thumb_path, res.thumbnail, res.thumbnail_len, &e);
    if (err) {
        rc = sb_cli_fail(err, &e);
        goto done;
    }
    if (json)
        print_report(in_path, out_path, thumb_path, &opts, &res);
    else
        printf("%s (%dx%d, %s, likeness %.2f, %d attempt%s)\n", out_path, res.size, res.size, res.style,
               res.likeness, res.attempts, res.attempts == 1 ? "" : "s");
done:
    sb_avatar_result_free(&res);
    free(buf);
    sb_studio_close(studio);
    return rc;
}
