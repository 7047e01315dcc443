/* matte - accuracy and cost of the person matte (sb_matte_person, src/vision/matte.h) on the matting set,
 * so the floors in tests/unit/test_matte.c and the numbers in docs/QUALITY.md can be re-derived.
 *
 * usage: matte [TESTDATA_DIR] [--edge]   (default ../shared/testdata; --edge: then the people cut-out's
 * soft-edge solve, sb_matte_edge_refine, vision/matte_edge.h, with the best face the detector finds, so the
 * wall between strands of its hair zone is opened as in the cut-out, and the parts apart from that face
 * cleared, sb_matte_drop_islands, vision/matte_islands.h)
 * For every ground truth matting/gt/<name>.png of a hseg_ or dim_ input matting/<name>.{jpg,png} (full
 * size): the matte's IoU at 0.5 against ground truth >= 128; for dim_ (true alpha) also SAD (sum of |alpha -
 * truth| over the trimap's unknown band, /1000) and gradient error (sum of the squared difference of the
 * gradient magnitudes after a Gaussian of sigma 1.4, over the same band, /1000), as in the Deep Image
 * Matting benchmark; and the matte's time. Prints one JSON object: per image, per class mean and worst IoU. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/filter.h"
#include "image/io.h"
#include "util/clock.h"
#include "vision/face.h"
#include "vision/matte.h"
#include "vision/matte_edge.h"
#include "vision/matte_islands.h"

static void die(const char *what, const sb_error_t *e)
{
    fprintf(stderr, "matte: %s: %s\n", what, e->message);
    exit(1);
}

static int load(const char *path, sb_image_t *img)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    sb_error_t e = {0};
    if (sb_io_read_file(path, 1u << 28, &buf, &len, &e))
        return -1;
    sb_err err = sb_io_decode(buf, len, NULL, img, NULL, &e);
    free(buf);
    if (err)
        die(path, &e);
    return 0;
}

/* Gradient magnitude of band 0 of `v` (w x h floats) after a Gaussian of sigma 1.4, into `g`. */
static void gradient(const float *v, float *g, int w, int h)
{
    sb_error_t e = {0};
    float *s = malloc(sizeof(float) * (size_t)w * h);
    if (!s || sb_blur(v, s, w, h, 1, 1.4f, &e))
        die("gradient", &e);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            int xl = x ? x - 1 : x, xr = x + 1 < w ? x + 1 : x, yu = y ? y - 1 : y, yd = y + 1 < h ? y + 1 : y;
            float gx = (s[y * w + xr] - s[y * w + xl]) * 0.5f, gy = (s[yd * w + x] - s[yu * w + x]) * 0.5f;
            g[y * w + x] = sqrtf(gx * gx + gy * gy);
        }
    free(s);
}

/* SAD and gradient error of `alpha` against true alpha `gt` over `trimap`'s unknown band (neither 0 nor 255). */
static void alpha_errors(const sb_fimage_t *alpha, const sb_image_t *gt, const sb_image_t *trimap, double *sad,
                         double *grad)
{
    int w = alpha->width, h = alpha->height;
    size_t n = (size_t)w * h;
    float *t = malloc(n * sizeof *t), *ga = malloc(n * sizeof *ga), *gt_g = malloc(n * sizeof *gt_g);
    if (!t || !ga || !gt_g) {
        sb_error_t e = {.message = "out of memory"};
        die("errors", &e);
    }
    for (size_t i = 0; i < n; i++)
        t[i] = gt->data[i * gt->bands] / 255.0f;
    gradient(alpha->data, ga, w, h);
    gradient(t, gt_g, w, h);
    *sad = *grad = 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t m = trimap->data[i * trimap->bands];
        if (m == 0 || m == 255)
            continue;
        *sad += fabs(alpha->data[i] - t[i]);
        *grad += (ga[i] - gt_g[i]) * (ga[i] - gt_g[i]);
    }
    *sad /= 1000.0;
    *grad /= 1000.0;
    free(t);
    free(ga);
    free(gt_g);
}

int main(int argc, char **argv)
{
    const char *root = argc > 1 && strcmp(argv[1], "--edge") ? argv[1] : "../shared/testdata";
    int edge = !strcmp(argv[argc - 1], "--edge");
    sb_error_t e = {0};
    if (sb_io_init(argv[0], &e))
        die("init", &e);
    sb_matter_t *m = NULL;
    sb_face_detector_t *det = NULL;
    if (sb_matter_open(&m, &e) || (edge && sb_face_detector_open(&det, &e)))
        die("open", &e);
    char cmd[1100];
    snprintf(cmd, sizeof cmd, "ls '%s/matting/gt'", root);
    FILE *ls = popen(cmd, "r");
    if (!ls) {
        fprintf(stderr, "matte: cannot list %s/matting/gt\n", root);
        return 1;
    }
    json_t *images = json_array(), *classes = json_object();
    double sum[2] = {0}, worst[2] = {1, 1}, ms = 0;
    int count[2] = {0};
    char line[256];
    while (fgets(line, sizeof line, ls)) {
        line[strcspn(line, "\n")] = 0;
        char *dot = strrchr(line, '.');
        int cls = !strncmp(line, "hseg_", 5) ? 0 : !strncmp(line, "dim_", 4) ? 1 : -1;
        if (!dot || strcmp(dot, ".png") || cls < 0)
            continue;
        *dot = 0;
        char path[1400];
        sb_image_t img = {0}, gt = {0}, trimap = {0};
        snprintf(path, sizeof path, "%s/matting/%s.jpg", root, line);
        if (load(path, &img)) {
            snprintf(path, sizeof path, "%s/matting/%s.png", root, line);
            if (load(path, &img))
                continue;
        }
        snprintf(path, sizeof path, "%s/matting/gt/%s.png", root, line);
        if (load(path, &gt) || gt.width != img.width || gt.height != img.height) {
            fprintf(stderr, "matte: %s: no ground truth of the input's size\n", line);
            exit(1);
        }
        sb_fimage_t guide = {0}, alpha = {0};
        if (sb_image_to_float(&img, &guide, &e))
            die(line, &e);
        int64_t t0 = sb_clock_us();
        sb_face_list_t faces = {0};
        if (sb_matte_person(m, &img, &guide, 1, &alpha, &e) || (edge && sb_face_detect(det, &img, &faces, &e)) ||
            (edge && sb_matte_edge_refine(&guide, &alpha, faces.count ? &faces.faces[0] : NULL, &e)) ||
            (edge && faces.count && sb_matte_drop_islands(&alpha, &faces.faces[0], NULL, &e)))
            die(line, &e);
        sb_face_list_free(&faces);
        double t = (sb_clock_us() - t0) / 1e3, v = sb_mask_iou(&alpha, &gt, 0);
        ms += t;
        sum[cls] += v;
        count[cls]++;
        worst[cls] = v < worst[cls] ? v : worst[cls];
        json_t *row = json_pack("{s:s, s:i, s:i, s:f, s:f}", "name", line, "width", img.width, "height", img.height,
                                "iou", v, "ms", t);
        snprintf(path, sizeof path, "%s/matting/trimap/%s.png", root, line);
        if (cls == 1 && !load(path, &trimap)) {
            double sad, grad;
            alpha_errors(&alpha, &gt, &trimap, &sad, &grad);
            json_object_set_new(row, "sad", json_real(sad));
            json_object_set_new(row, "grad", json_real(grad));
        }
        json_array_append_new(images, row);
        sb_fimage_free(&guide);
        sb_fimage_free(&alpha);
        sb_image_free(&img);
        sb_image_free(&gt);
        sb_image_free(&trimap);
    }
    pclose(ls);
    static const char *names[2] = {"hseg", "dim"};
    for (int c = 0; c < 2; c++)
        if (count[c])
            json_object_set_new(classes, names[c], json_pack("{s:i, s:f, s:f}", "n", count[c], "mean_iou",
                                                             sum[c] / count[c], "worst_iou", worst[c]));
    int total = count[0] + count[1];
    json_t *out = json_pack("{s:o, s:o, s:f}", "images", images, "classes", classes, "mean_ms", total ? ms / total : 0.0);
    json_dumpf(out, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(4));
    putchar('\n');
    json_decref(out);
    sb_matter_close(m);
    sb_face_detector_close(det);
    return 0;
}
