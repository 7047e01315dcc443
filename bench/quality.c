/* quality - prints the input-quality signals of every photo in one or more folders, so the thresholds
 * in src/vision/quality.c can be re-derived (docs/internals/vision.md, "Quality").
 *
 * usage: quality [DIR...]   (default: $STROBE_SHARED/testdata/faces, else ../shared/testdata/faces)
 * Each photo is decoded and searched for faces as the pipelines do (long side about 1280); one line per
 * photo with the subject's raw measures, its 0..1 signals, the overall score and the warnings. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "benchutil.h"
#include "pipeline/studio.h"
#include "vision/quality.h"

static void warnings_text(uint32_t bits, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = 0;
    for (int i = 0; i < SB_WARN_COUNT; i++)
        if (bits & (1u << i))
            n += (size_t)snprintf(out + n, n < cap ? cap - n : 0, "%s%s", n ? "," : "", sb_warning_name(1u << i));
}

static void one(sb_studio_t *studio, const char *dir, const char *name)
{
    char path[4096], warn[256];
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path) {
        printf("%-34s -- path too long\n", name);
        return;
    }
    sb_error_t e = {0};
    uint8_t *buf = NULL;
    size_t len;
    sb_image_t work = {0};
    sb_face_list_t faces = {0};
    sb_detect_result_t d = {.subject = -1};
    sb_quality_t q;
    if (sb_io_read_file(path, 1u << 30, &buf, &len, &e) || sb_pipeline_decode(buf, len, 1280, 0, &work, &d, &e) ||
        sb_pipeline_find_faces(studio, &work, &faces, NULL, &d, &e) ||
        sb_quality_assess(&work, &faces, d.subject, -1, &q, &e)) {
        printf("%-34s -- %s\n", name, e.message);
    } else {
        warnings_text(q.warnings, warn, sizeof warn);
        printf("%-34s %2d %5.0f %.3f %.3f %5.2f %.3f %.3f %.3f %.2f %+6.1f %+6.1f %+6.1f %.2f %.2f %.2f %.2f %.2f %.2f %.2f "
               "%.3f %s\n",
               name, faces.count, q.face_px, q.face_fraction, q.raw.detail_kept, q.raw.edge_blur, q.raw.luma_p95, q.face_luma,
               q.raw.clipped, q.raw.in_frame, q.yaw_deg, q.pitch_deg, q.roll_deg, q.raw.step, q.raw.other_face,
               q.sharpness, q.exposure, q.face_size, q.pose, q.occlusion, q.score, warn);
    }
    sb_face_list_free(&faces);
    sb_detect_result_free(&d);
    sb_image_free(&work);
    free(buf);
}

int main(int argc, char **argv)
{
    char fallback[4096];
    const char *shared = getenv("STROBE_SHARED");
    snprintf(fallback, sizeof fallback, "%s/testdata/faces", shared && *shared ? shared : "../shared");
    sb_error_t e = {0};
    sb_studio_t *studio;
    if (sb_io_init(argv[0], &e) || sb_studio_open(&studio, &e)) {
        fprintf(stderr, "quality: %s\n", e.message);
        return 1;
    }
    printf("%-34s %2s %5s %5s %5s %5s %5s %5s %5s %4s %6s %6s %6s %4s %4s %4s %4s %4s %4s %4s %5s %s\n", "photo", "n",
           "px", "frac", "kept", "edge", "p95", "luma", "clip", "in", "yaw", "pitch", "roll", "step", "other", "shrp", "expo",
           "size", "pose", "occl", "score", "warnings");
    for (int a = argc > 1 ? 1 : 0; a < (argc > 1 ? argc : 1); a++) {
        const char *dir = argc > 1 ? argv[a] : fallback;
        struct dirent **names;
        int n = scandir(dir, &names, bu_is_photo, alphasort);
        if (n < 0)
            fprintf(stderr, "quality: cannot list %s\n", dir);
        for (int i = 0; i < n; i++) {
            one(studio, dir, names[i]->d_name);
            free(names[i]);
        }
        if (n >= 0)
            free(names);
    }
    sb_studio_close(studio);
    return 0;
}
