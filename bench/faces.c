/* faces - prints, for every photo in one or more folders, every face YuNet finds and the second check's
 * signals on it (vision/face_verify.h), on the photo as it is and turned 90, 180 and 270 degrees, so
 * the limits in src/vision/face_verify.c can be re-derived (docs/internals/vision.md, "Faces: the second
 * check").
 *
 * usage: faces DIR...          the signals
 *        faces --found DIR...  what sb_detect reports
 * Each photo is decoded as the pipelines decode it (long side about 1280). One line per face:
 * folder, file, turn, YuNet score, roll (degrees), face size (sb_face_size, px), fraction of the shorter
 * side, mesh probability, landmark error, skin fraction, crop chroma, upright, verified. A photo with no
 * face prints one line with "-".
 * With --found, each photo is turned by 0, 90, 180 and 270 degrees, encoded as PNG and given to sb_detect
 * (the second check and the turn search included): one line per photo and turn with the face count and
 * the turn sb_detect found the photo needed (the turn that undoes it: 0, 270, 180, 90). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchutil.h"
#include "image/resample.h"
#include "pipeline/studio.h"
#include "util/clock.h"
#include "vision/face_verify.h"
#include "vision/quality.h"

/* --found: sb_detect on the photo turned by each quarter turn. */
static void found(sb_studio_t *studio, const char *folder, const char *name, const sb_image_t *work)
{
    sb_error_t e = {0};
    for (int t = 0; t < 4; t++) {
        sb_image_t turned = {0};
        uint8_t *png = NULL;
        size_t len;
        sb_detect_result_t d = {0};
        double t0 = sb_now_ms();
        if (sb_image_rotate(work, t, &turned, &e) || sb_io_encode(&turned, SB_FMT_PNG, 0, &png, &len, &e) ||
            (t0 = sb_now_ms(), sb_detect(studio, png, len, &d, &e)))
            printf("%s %s %d error %s\n", folder, name, 90 * t, e.message);
        else
            printf("%s %s %d faces %d turn %d ms %.0f\n", folder, name, 90 * t, d.faces.count, d.turn_deg,
                   sb_now_ms() - t0);
        sb_detect_result_free(&d);
        free(png);
        sb_image_free(&turned);
    }
}

static void one(sb_studio_t *studio, const char *dir, const char *name, int found_only)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    const char *folder = strrchr(dir, '/') ? strrchr(dir, '/') + 1 : dir;
    sb_error_t e = {0};
    uint8_t *buf = NULL;
    size_t len;
    sb_detect_result_t d = {0};
    sb_image_t work = {0};
    sb_face_detector_t *det;
    sb_face_mesh_t *mesh;
    if (sb_io_read_file(path, 1u << 30, &buf, &len, &e) || sb_pipeline_decode(buf, len, 1280, 0, &work, &d, &e) ||
        sb_studio_detector(studio, &det, &e) || sb_studio_mesh(studio, &mesh, &e)) {
        printf("%s %s error %s\n", folder, name, e.message);
        goto done;
    }
    if (found_only) {
        found(studio, folder, name, &work);
        goto done;
    }
    for (int t = 0; t < 4; t++) {
        sb_image_t turned = {0};
        sb_face_list_t faces = {0};
        if (sb_image_rotate(&work, t, &turned, &e) || sb_face_detect(det, &turned, &faces, &e)) {
            printf("%s %s error %s\n", folder, name, e.message);
            sb_image_free(&turned);
            break;
        }
        if (faces.count == 0)
            printf("%s %s %d -\n", folder, name, 90 * t);
        for (int i = 0; i < faces.count; i++) {
            sb_face_check_t c;
            if (sb_face_verify(mesh, &turned, &faces.faces[i], &c, &e)) {
                printf("%s %s error %s\n", folder, name, e.message);
                break;
            }
            printf("%s %s %d %.3f %.0f %.0f %.3f %.4f %.3f %.3f %.1f %d %d\n", folder, name, 90 * t,
                   faces.faces[i].score, sb_face_roll_deg(&faces.faces[i]), sb_face_size(&faces.faces[i]),
                   sb_quality_face_fraction(&faces.faces[i], turned.width, turned.height), c.mesh, c.lmk_error,
                   c.skin, c.colour, c.upright, c.verified);
        }
        sb_face_list_free(&faces);
        sb_image_free(&turned);
    }
done:
    sb_image_free(&work);
    sb_detect_result_free(&d);
    free(buf);
}

int main(int argc, char **argv)
{
    sb_heap_keep_freed();
    int found_only = argc > 1 && !strcmp(argv[1], "--found");
    if (argc < 2 + found_only) {
        fprintf(stderr, "usage: faces [--found] DIR...\n");
        return 2;
    }
    sb_error_t e = {0};
    sb_studio_t *studio;
    if (sb_io_init(argv[0], &e) || sb_studio_open(&studio, &e)) {
        fprintf(stderr, "faces: %s\n", e.message);
        return 1;
    }
    for (int a = 1 + found_only; a < argc; a++) {
        struct dirent **names;
        int n = scandir(argv[a], &names, bu_is_photo, alphasort);
        if (n < 0)
            fprintf(stderr, "faces: cannot list %s\n", argv[a]);
        for (int i = 0; i < n; i++) {
            one(studio, argv[a], names[i]->d_name, found_only);
            free(names[i]);
        }
        if (n >= 0)
            free(names);
    }
    sb_studio_close(studio);
    return 0;
}
