/* cmd_avatar.c - `strobe avatar IN [--platform P] [--style S] [--background B] [--palette X]
 * [--intensity F] [--variant V] [--hires] [--likeness-min F] [-o OUT] [--thumbnail T] [--json]`. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "pipeline/report.h"

static const char avatar_usage[] =
    "usage: strobe avatar IN [--platform P] [--style corporate_headshot|anime|editorial] [--background B]\n"
    "                        [--palette NAME|#RRGGBB] [--intensity 0..1] [--variant hosoda|hayao] [--hires]\n"
    "                        [--likeness-min 0..1] [-o OUT.png] [--thumbnail THUMB.png] [--json]";

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
    sb_cli_print_json(report);
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
                                             {0, 0, 0, 0}};
    sb_avatar_opts_t opts = SB_AVATAR_OPTS_DEFAULT;
    const char *out_path = NULL, *thumb_path = NULL;
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
        case 'i': if ((rc = sb_cli_parse_float(optarg, "intensity", 0, 1, &opts.intensity))) return rc; break;
        case 'l': if ((rc = sb_cli_parse_float(optarg, "likeness-min", 0, 1, &opts.likeness_min))) return rc; break;
        case 'h': opts.hires = true; break;
        case 'j': json = 1; break;
        default: return sb_cli_usage("%s", avatar_usage);
        }
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
