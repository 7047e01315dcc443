/* Issue 13 on the real photos of ../shared/testdata: every faces/ headshot is either delivered with
 * exactly one face found again on it, no visible photo edge and a level eye line (measured with the
 * face mesh's eye corners on the output, p90 <= 1.5 degrees as issue 13 asks; docs/QUALITY.md), or
 * refused with a specific code; a greyscale JPEG
 * carrying an RGB ICC profile makes a headshot. In process. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <vips/vips.h>

#include "pipeline/studio.h"
#include "strobe.h"
#include "testutil.h"

#include "studio_fixture.h"

TestSuite(cutout_qa, .init = setup, .fini = teardown, .timeout = 1800);

static int by_value(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* The eye line of the delivered image's main face, from the mesh; -1 when no face or mesh. */
static float eye_line_deg(const uint8_t *png, size_t len)
{
    sb_image_t img = {0};
    sb_decode_opts_t o = {0};
    sb_error_t e = {0};
    sb_face_detector_t *det;
    sb_face_mesh_t *mesh;
    sb_face_list_t faces = {0};
    float deg = -1;
    int found = 0;
    if (!sb_io_decode(png, len, &o, &img, NULL, &e) && !sb_studio_detector(studio, &det, &e) &&
        !sb_studio_mesh(studio, &mesh, &e) && !sb_face_detect(det, &img, &faces, &e) && faces.count > 0) {
        sb_face_t f = faces.faces[sb_face_pick_subject(&faces, img.width, img.height)];
        if (!sb_face_mesh_refine_eyes(mesh, &img, &f, &found, &e) && found)
            deg = fabsf(sb_face_roll_deg(&f));
    }
    sb_face_list_free(&faces);
    sb_image_free(&img);
    return deg;
}

/* Every photo of `rel`: delivered clean, or refused with one of the codes a photo may earn. Returns the
 * number delivered; their eye-line angles go to eyes[]. */
static int run_dir(const char *rel, float *eyes, int *n_eyes)
{
    char dir[4096];
    TU_SHARED_PATH_OR_SKIP(dir, rel);
    char **names;
    int n = tu_list_images(dir, &names), delivered = 0;
    cr_assert_gt(n, 10);
    for (int i = 0; i < n; i++) {
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        size_t len;
        uint8_t *buf = tu_read(path, &len);
        sb_headshot_result_t r;
        sb_error_t e = {0};
        sb_headshot_opts_t o = {0};
        sb_err err = sb_headshot(studio, buf, len, &o, &r, &e);
        free(buf);
        if (err) {
            cr_log_info("%s refused: %s (%s)", names[i], sb_err_name(err), e.message);
            cr_expect(err == SB_ERR_NO_FACE || err == SB_ERR_FACE_TOO_SMALL || err == SB_ERR_IMAGE_TOO_SMALL ||
                          err == SB_ERR_FACE_OUT_OF_FOCUS || err == SB_ERR_CUTOUT_FAILED,
                      "%s: refused with %s (%s)", names[i], sb_err_name(err), e.message);
            continue;
        }
        delivered++;
        cr_expect(r.cutout.pass, "%s delivered without passing its check", names[i]);
        cr_expect_eq(r.cutout.output_face_count, 1, "%s: %d faces on the output", names[i], r.cutout.output_face_count);
        cr_expect(!r.cutout.photo_edge_visible, "%s: photo edge visible (run %.3f)", names[i], r.cutout.edge.run);
        cr_expect(r.cutout.attempts >= 1 && r.cutout.attempts <= SB_HEADSHOT_STRATEGIES + 1); /* + a first cut-out made again */
        float deg = eye_line_deg(r.output, r.output_len);
        if (deg >= 0)
            eyes[(*n_eyes)++] = deg;
        cr_log_info("%s: attempts %d, edge run %.3f, eye line %.2f deg", names[i], r.cutout.attempts,
                    r.cutout.edge.run, deg);
        sb_headshot_result_free(&r);
    }
    tu_free_list(names, n);
    return delivered;
}

Test(cutout_qa, faces_one_face_no_edge_level_eyes)
{
    float eyes[512];
    int n_eyes = 0;
    int delivered = run_dir("testdata/faces", eyes, &n_eyes);
    /* 25 of the 46 since prnet_aflw_04331 is refused for the patches its edge solve made opaque (issue 13,
     * h13-patches): a photo refused beyond those is a regression to look at. */
    cr_expect_geq(delivered, 25, "only %d faces/ headshots delivered", delivered);
    cr_assert_gt(n_eyes, 20);
    qsort(eyes, (size_t)n_eyes, sizeof *eyes, by_value);
    float p90 = eyes[(int)ceilf(0.9f * n_eyes) - 1];
    /* Issue 13's target. Measured 1.32 over 38 since the mesh crops again on its own face and averages
     * its samples (1.48 before, 3.20 before the eyes were levelled from YuNet's box; QUALITY.md). */
    cr_expect_leq(p90, 1.5f, "eye line p90 %.2f degrees over %d outputs", p90, n_eyes);
}

Test(cutout_qa, groups_one_face_or_refused)
{
    float eyes[512];
    int n_eyes = 0;
    run_dir("testdata/groups", eyes, &n_eyes);
}

/* A greyscale copy of a faces/ photo, saved with libvips' sRGB (an RGB) profile embedded: decoded (the
 * profile ignored) and made into a headshot, not refused as corrupt_image. */
Test(cutout_qa, greyscale_jpeg_with_rgb_profile_makes_a_headshot)
{
    char path[4096], icc[] = "/tmp/strobe-test-srgb-XXXXXX";
    TU_SHARED_PATH_OR_SKIP(path, "testdata/faces/u2net_young_man.jpg");
    VipsImage *in = vips_image_new_from_file(path, NULL), *grey = NULL;
    cr_assert_not_null(in);
    cr_assert_eq(vips_colourspace(in, &grey, VIPS_INTERPRETATION_B_W, NULL), 0);
    VipsBlob *profile = NULL;
    cr_assert_eq(vips_profile_load("srgb", &profile, NULL), 0);
    int fd = mkstemp(icc);
    cr_assert_geq(fd, 0);
    size_t plen;
    const void *pdata = vips_blob_get(profile, &plen);
    cr_assert_eq(write(fd, pdata, plen), (ssize_t)plen);
    close(fd);
    void *jpg = NULL;
    size_t len = 0;
    cr_assert_eq(vips_jpegsave_buffer(grey, &jpg, &len, "profile", icc, NULL), 0, "%s", vips_error_buffer());
    unlink(icc);
    sb_image_info_t info;
    sb_error_t e = {0};
    cr_assert_eq(sb_io_probe(jpg, len, &info, &e), SB_OK, "%s", e.message);
    cr_expect_str_eq(info.icc, "sRGB", "the file must carry the RGB profile for this test");
    sb_headshot_result_t r;
    sb_headshot_opts_t o = {0};
    cr_expect_eq(sb_headshot(studio, jpg, len, &o, &r, &e), SB_OK, "%s: %s", sb_err_name(e.code), e.message);
    sb_headshot_result_free(&r);
    g_free(jpg);
    vips_area_unref(VIPS_AREA(profile));
    g_object_unref(grey), g_object_unref(in);
}
