/* cmd_detect.c - `strobe detect IN [--json]`: every face, the subject first choice, timings. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "pipeline/report.h"

int sb_cmd_detect(int argc, char **argv)
{
    static const struct option longopts[] = {{"json", no_argument, 0, 'j'}, {0, 0, 0, 0}};
    int json = 0, c, rc;
    optind = 0;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        if (c != 'j')
            return sb_cli_usage("usage: strobe detect IN [--json]");
        json = 1;
    }
    if (optind != argc - 1)
        return sb_cli_usage("usage: strobe detect IN [--json]");
    const char *in_path = argv[optind];

    sb_studio_t *studio = NULL;
    uint8_t *buf = NULL;
    size_t len = 0;
    sb_detect_result_t res = {0};
    sb_error_t e = {0};
    if ((rc = sb_cli_start(argv[0], &studio)) || (rc = sb_cli_read_input(in_path, &buf, &len)))
        goto done;
    sb_err err = sb_detect(studio, buf, len, &res, &e);
    if (err) {
        rc = sb_cli_fail(err, &e);
        goto done;
    }
    if (json) {
        json_t *faces = json_array();
        for (int i = 0; i < res.faces.count; i++)
            json_array_append_new(faces, sb_cli_json_face(&res.faces.faces[i]));
        json_t *r = json_pack("{s:o, s:b, s:i, s:i, s:o, s:o, s:o}", "input", sb_cli_json_input(in_path, &res),
                              "face_detected", res.faces.count > 0, "face_count", res.faces.count, "subject",
                              res.subject, "faces", faces, "timings_ms", sb_cli_json_timings(&res.stages),
                              "models", sb_report_models(&res));
        sb_cli_print_json(r);
    } else {
        printf("%d face%s", res.faces.count, res.faces.count == 1 ? "" : "s");
        if (res.turn_deg)
            printf(" (found with the photo turned %d degrees clockwise)", res.turn_deg);
        printf("\n");
        for (int i = 0; i < res.faces.count; i++) {
            const sb_face_t *f = &res.faces.faces[i];
            printf("%s%d: box %.0f,%.0f %.0fx%.0f score %.2f roll %.1f deg\n", i == res.subject ? "*" : " ", i,
                   f->x, f->y, f->w, f->h, f->score, sb_face_roll_deg(f));
        }
    }
done:
    sb_detect_result_free(&res);
    free(buf);
    sb_studio_close(studio);
    return rc;
}
