/* edge_qa - issue 13's measures on delivered headshots (docs/QUALITY.md, "Issue 13").
 *
 * usage: edge_qa < LIST
 * LIST has one line per photo: PHOTO<TAB>BEFORE.png<TAB>AFTER.png (an empty or missing file: a refusal).
 * BEFORE is a headshot made with the framing of sb_align_face_in (the avatar's, the headshot's before
 * issue 13): its photo border is placed again with that framing and sb_edge_check measured along it.
 * On AFTER the faces are found again and the subject's eye line measured with the face mesh.
 * One JSON line per photo on stdout: name, before_edge_run, before_edge_visible, after_faces,
 * after_eye_deg (absolute, mesh eye corners; null when no face). Exit 1 on a bad list. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/portrait.h"

static int load(const char *path, sb_image_t *img)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    sb_error_t e = {0};
    sb_decode_opts_t o = {0};
    int ok = *path && !sb_io_read_file(path, 1u << 30, &buf, &len, &e) && !sb_io_decode(buf, len, &o, img, NULL, &e);
    free(buf);
    return ok;
}

int main(int argc, char **argv)
{
    (void)argc;
    sb_error_t e = {0};
    sb_studio_t *studio = NULL;
    if (sb_io_init(argv[0], &e) || sb_studio_open(&studio, &e))
        return fprintf(stderr, "%s\n", e.message), 1;
    char line[4096];
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\n")] = 0;
        char *rest = line, *photo = strsep(&rest, "\t"), *before = strsep(&rest, "\t"), *after = strsep(&rest, "\t");
        if (!photo || !before || !after)
            return fprintf(stderr, "bad line\n"), 1;
        printf("{\"name\":\"%s\"", strrchr(photo, '/') ? strrchr(photo, '/') + 1 : photo);
        uint8_t *buf = NULL;
        size_t len = 0;
        sb_portrait_t p = {0};
        sb_detect_result_t d = {.subject = -1};
        sb_image_t img = {0};
        if (!sb_io_read_file(photo, 1u << 30, &buf, &len, &e) && !sb_portrait_prepare(studio, buf, len, 800, 800, &p, &d, &e) &&
            !sb_portrait_place(studio, &p, &SB_FRAMING_HEADSHOT, NULL, &d, &e) && load(before, &img)) {
            sb_point_t quad[4];
            sb_edge_report_t r;
            sb_portrait_photo_quad(&p, img.width, img.height, quad);
            if (!sb_edge_check(&img, quad, &r, &e))
                printf(",\"before_edge_run\":%.3f,\"before_edge_visible\":%s", r.run, r.visible ? "true" : "false");
        }
        sb_image_free(&img);
        sb_portrait_free(&p);
        sb_detect_result_free(&d);
        free(buf);
        sb_face_detector_t *det;
        sb_face_mesh_t *mesh;
        sb_face_list_t faces = {0};
        if (load(after, &img) && !sb_studio_detector(studio, &det, &e) && !sb_studio_mesh(studio, &mesh, &e) &&
            !sb_face_detect(det, &img, &faces, &e)) {
            printf(",\"after_faces\":%d", faces.count);
            int s = sb_face_pick_subject(&faces, img.width, img.height), found = 0;
            if (s >= 0) {
                sb_face_t f = faces.faces[s];
                if (!sb_face_mesh_refine_eyes(mesh, &img, &f, &found, &e) && found)
                    printf(",\"after_eye_deg\":%.3f", fabs(sb_face_roll_deg(&f)));
            }
        }
        sb_face_list_free(&faces);
        sb_image_free(&img);
        printf("}\n");
        fflush(stdout);
    }
    sb_studio_close(studio);
    return 0;
}
