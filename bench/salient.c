/* salient - accuracy and cost of the salient-object mask (src/vision/salient.h) on the matting set, so the
 * floors in tests/unit/test_salient.c and the numbers in docs/internals/vision.md can be re-derived.
 *
 * usage: salient [TESTDATA_DIR]   (default ../shared/testdata)
 * For every ground truth matting/gt/<name>.png with an input matting/<name>.{jpg,png} (full size): mask IoU
 * at threshold 0.5 (ground truth >= 128 is the object; in voc_* masks 128 is void and ignored) of the net's
 * map alone and of the refined mask, and the time of each stage (net = resize + forward + resize back;
 * refine = guided filter + island removal over the whole photo); then the same for sb_salient_mask, the mask
 * the product pipeline uses (refined around the subject only: iou_mask, ms_mask, net included). Prints one
 * JSON object: per image, per class (the name's prefix up to the first '_': hseg, dim, voc) and overall means. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/io.h"
#include "util/clock.h"
#include "vision/salient.h"

#define MAX_CLASSES 16

typedef struct {
    char name[32];
    double iou_net, iou_refined, iou_mask, ms_net, ms_refine, ms_mask;
    int n;
} acc_t;

static void die(const char *what, const sb_error_t *e)
{
    fprintf(stderr, "salient: %s: %s\n", what, e->message);
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

static void add(acc_t *a, double in, double ir, double im, double tn, double tr, double tm)
{
    a->iou_net += in;
    a->iou_refined += ir;
    a->iou_mask += im;
    a->ms_net += tn;
    a->ms_refine += tr;
    a->ms_mask += tm;
    a->n++;
}

static json_t *mean_json(const acc_t *a)
{
    int n = a->n ? a->n : 1;
    return json_pack("{s:i, s:f, s:f, s:f, s:f, s:f, s:f}", "n", a->n, "iou_net", a->iou_net / n, "iou_refined",
                     a->iou_refined / n, "iou_mask", a->iou_mask / n, "ms_net", a->ms_net / n, "ms_refine",
                     a->ms_refine / n, "ms_mask", a->ms_mask / n);
}

int main(int argc, char **argv)
{
    const char *root = argc > 1 ? argv[1] : "../shared/testdata";
    sb_error_t e = {0};
    if (sb_io_init(argv[0], &e))
        die("init", &e);
    sb_salient_t *s = NULL;
    if (sb_salient_open(&s, &e))
        die("open", &e);

    char dir[1024];
    snprintf(dir, sizeof dir, "%s/matting/gt", root);
    char cmd[1100];
    snprintf(cmd, sizeof cmd, "ls '%s'", dir);
    FILE *ls = popen(cmd, "r");
    if (!ls) {
        fprintf(stderr, "salient: cannot list %s\n", dir);
        return 1;
    }
    acc_t all = {.name = "all"}, cls[MAX_CLASSES] = {0};
    int n_cls = 0;
    json_t *images = json_array();
    char line[256];
    while (fgets(line, sizeof line, ls)) {
        line[strcspn(line, "\n")] = 0;
        char *dot = strrchr(line, '.');
        if (!dot || strcmp(dot, ".png"))
            continue;
        *dot = 0;
        char path[1400];
        sb_image_t img = {0}, gt = {0};
        snprintf(path, sizeof path, "%s/matting/%s.jpg", root, line);
        if (load(path, &img)) {
            snprintf(path, sizeof path, "%s/matting/%s.png", root, line);
            if (load(path, &img))
                continue;
        }
        snprintf(path, sizeof path, "%s/%s.png", dir, line);
        if (load(path, &gt) || gt.width != img.width || gt.height != img.height) {
            fprintf(stderr, "salient: %s: no ground truth of the input's size\n", line);
            exit(1);
        }
        int void128 = !strncmp(line, "voc_", 4);
        sb_fimage_t alpha = {0};
        int64_t t0 = sb_clock_us();
        if (sb_salient_net_mask(s, &img, &alpha, &e))
            die(line, &e);
        int64_t t1 = sb_clock_us();
        double in = sb_mask_iou(&alpha, &gt, void128);
        int64_t t2 = sb_clock_us();
        if (sb_salient_refine(&img, &alpha, &e))
            die(line, &e);
        int64_t t3 = sb_clock_us();
        double ir = sb_mask_iou(&alpha, &gt, void128), tn = (t1 - t0) / 1e3, tr = (t3 - t2) / 1e3;
        sb_fimage_free(&alpha);
        int64_t t4 = sb_clock_us();
        if (sb_salient_mask(s, &img, &alpha, &e))
            die(line, &e);
        double tm = (sb_clock_us() - t4) / 1e3, im = sb_mask_iou(&alpha, &gt, void128);

        char prefix[32];
        snprintf(prefix, sizeof prefix, "%.*s", (int)strcspn(line, "_"), line);
        int c = 0;
        while (c < n_cls && strcmp(cls[c].name, prefix))
            c++;
        if (c == n_cls && n_cls < MAX_CLASSES)
            snprintf(cls[n_cls++].name, sizeof cls[0].name, "%s", prefix);
        if (c < n_cls)
            add(&cls[c], in, ir, im, tn, tr, tm);
        add(&all, in, ir, im, tn, tr, tm);
        json_array_append_new(images, json_pack("{s:s, s:i, s:i, s:f, s:f, s:f, s:f, s:f, s:f}", "name", line,
                                                "width", img.width, "height", img.height, "iou_net", in,
                                                "iou_refined", ir, "iou_mask", im, "ms_net", tn, "ms_refine", tr,
                                                "ms_mask", tm));
        sb_fimage_free(&alpha);
        sb_image_free(&img);
        sb_image_free(&gt);
    }
    pclose(ls);
    json_t *classes = json_object();
    for (int c = 0; c < n_cls; c++)
        json_object_set_new(classes, cls[c].name, mean_json(&cls[c]));
    json_t *out = json_pack("{s:o, s:o, s:o}", "images", images, "classes", classes, "mean", mean_json(&all));
    json_dumpf(out, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(4));
    putchar('\n');
    json_decref(out);
    sb_salient_close(s);
    return 0;
}
