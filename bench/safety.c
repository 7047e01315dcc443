/* safety - score distributions of the content-safety classifier (nsfwjs) over the shared test photos,
 * so the thresholds in src/vision/safety.h can be re-derived (docs/internals/vision.md, "Content safety").
 *
 * usage: safety [TESTDATA_DIR]   (default ../shared/testdata)
 * Classifies every image directly in faces/, groups/, identity/, noface/, products/ and matting/ (not the
 * masks below matting/), three ways: the photo; a "posterised" copy (blurred, 4 levels per channel: flat
 * colour like a drawing); and, for faces/ and identity/, the anime avatar's input and output: the subject's
 * headshot crop (512x512) and that crop through CartoonGAN Hosoda and Hayao at the default net side.
 * Prints one JSON object: per set and per folder, min/p50/p95/max of each class, of porn+hentai and of
 * porn+hentai+sexy/2 (to show why Sexy is left out of the rule), how many the rule flags (porn + hentai >=
 * SB_SAFETY_EXPLICIT_MIN), and each image's five scores. Takes about 5 minutes on 2 cores (CartoonGAN). */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "image/filter.h"
#include "image/io.h"
#include "image/resample.h"
#include "render/cartoon.h"
#include "vision/align.h"
#include "vision/safety.h"

#define MAX_IMAGES 512
#define DECODE_SIDE 1024
#define CROP_SIZE 512
#define N_STATS 7

static const char *const FOLDERS[] = {"faces", "groups", "identity", "noface", "products", "matting"};
#define N_FOLDERS (int)(sizeof FOLDERS / sizeof FOLDERS[0])
static const char *const STAT_NAMES[N_STATS] = {"drawing", "hentai", "neutral", "porn", "sexy", "porn_hentai",
                                                "porn_hentai_sexy_half"};

typedef struct {
    char file[256];
    float v[N_STATS];
} row_t;

typedef struct {
    const char *name;
    row_t rows[MAX_IMAGES];
    int n;
} set_t;

static void die(const char *what, const sb_error_t *e)
{
    fprintf(stderr, "safety: %s: %s\n", what, e->message);
    exit(1);
}

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Nearest-rank percentile of n sorted values. */
static double pct(const float *v, int n, double p)
{
    int k = (int)(p / 100.0 * n + 0.999999) - 1;
    return v[k < 0 ? 0 : k >= n ? n - 1 : k];
}

static bool is_image(const char *name)
{
    const char *dot = strrchr(name, '.');
    return dot && (!strcasecmp(dot, ".jpg") || !strcasecmp(dot, ".jpeg") || !strcasecmp(dot, ".png") ||
                   !strcasecmp(dot, ".webp"));
}

static void add_row(set_t *set, const char *folder, const char *file, const sb_safety_result_t *r)
{
    if (set->n == MAX_IMAGES) {
        fprintf(stderr, "safety: more than %d images, the rest are left out\n", MAX_IMAGES);
        return;
    }
    row_t *row = &set->rows[set->n++];
    snprintf(row->file, sizeof row->file, "%s/%s", folder, file);
    float v[N_STATS] = {r->drawing, r->hentai, r->neutral, r->porn, r->sexy, r->porn + r->hentai,
                        r->porn + r->hentai + 0.5f * r->sexy};
    memcpy(row->v, v, sizeof v);
}

/* min/p50/p95/max of every statistic over the rows whose file starts with `prefix` ("" for all). */
static json_t *distributions(const set_t *set, const char *prefix)
{
    static float vals[MAX_IMAGES];
    json_t *out = json_object();
    int n = 0;
    for (int s = 0; s < N_STATS; s++) {
        n = 0;
        for (int i = 0; i < set->n; i++)
            if (!strncmp(set->rows[i].file, prefix, strlen(prefix)))
                vals[n++] = set->rows[i].v[s];
        if (!n)
            break;
        qsort(vals, (size_t)n, sizeof *vals, cmp_float);
        json_object_set_new(out, STAT_NAMES[s], json_pack("{s:f, s:f, s:f, s:f}", "min", (double)vals[0], "p50",
                                                          pct(vals, n, 50), "p95", pct(vals, n, 95), "max",
                                                          (double)vals[n - 1]));
    }
    json_object_set_new(out, "n", json_integer(n));
    return out;
}

static json_t *set_json(const set_t *set)
{
    json_t *folders = json_object(), *images = json_object();
    for (int f = 0; f < N_FOLDERS; f++) {
        char prefix[64];
        snprintf(prefix, sizeof prefix, "%s/", FOLDERS[f]);
        json_t *d = distributions(set, prefix);
        if (json_integer_value(json_object_get(d, "n")))
            json_object_set_new(folders, FOLDERS[f], d);
        else
            json_decref(d);
    }
    int unsafe = 0;
    for (int i = 0; i < set->n; i++) {
        const float *v = set->rows[i].v;
        sb_safety_result_t r = {v[0], v[1], v[2], v[3], v[4], false};
        unsafe += sb_safety_is_unsafe(&r);
        json_object_set_new(images, set->rows[i].file, json_pack("[f, f, f, f, f]", (double)v[0], (double)v[1],
                                                                 (double)v[2], (double)v[3], (double)v[4]));
    }
    return json_pack("{s:o, s:o, s:i, s:o}", "all", distributions(set, ""), "folders", folders, "unsafe", unsafe,
                     "images", images);
}

/* A flat-colour copy: blurred (sigma 0.5% of the short side), then 4 levels per channel. */
static void posterise(const sb_image_t *src, sb_image_t *dst)
{
    sb_error_t e = {0};
    sb_fimage_t f = {0};
    int short_side = src->width < src->height ? src->width : src->height;
    if (sb_image_to_float(src, &f, &e) ||
        sb_blur(f.data, f.data, f.width, f.height, 3, 0.005f * short_side, &e))
        die("posterise", &e);
    for (size_t i = 0; i < (size_t)f.width * f.height * 3; i++)
        f.data[i] = (float)(int)(f.data[i] * 3.999f) / 3.0f;
    if (sb_fimage_to_u8(&f, dst, &e))
        die("posterise", &e);
    sb_fimage_free(&f);
}

/* The folders of single-subject photos, the avatar's inputs. */
static bool avatar_folder(const char *folder)
{
    return !strcmp(folder, "faces") || !strcmp(folder, "identity");
}

/* The subject's headshot crop (CROP_SIZE square, as the avatar frames it); false when no face is found. */
static bool face_crop(sb_face_detector_t *det, const sb_image_t *img, sb_image_t *crop)
{
    sb_error_t e = {0};
    sb_face_list_t faces = {0};
    if (sb_face_detect(det, img, &faces, &e))
        die("detect", &e);
    int k = sb_face_pick_subject(&faces, img->width, img->height);
    if (k >= 0) {
        double m[6];
        sb_align_face_in(&faces.faces[k], &SB_FRAMING_HEADSHOT, img->width, img->height, CROP_SIZE, CROP_SIZE, m);
        if (sb_image_warp_affine(img, m, CROP_SIZE, CROP_SIZE, crop, NULL, &e))
            die("crop", &e);
    }
    sb_face_list_free(&faces);
    return k >= 0;
}

static void classify(sb_safety_t *s, const sb_image_t *img, sb_safety_result_t *r)
{
    sb_error_t e = {0};
    if (sb_safety_classify(s, img, r, &e))
        die("classify", &e);
}

int main(int argc, char **argv)
{
    const char *root = argc > 1 ? argv[1] : "../shared/testdata";
    static set_t sets_[5] = {{.name = "photo"}, {.name = "posterised"}, {.name = "headshot_crop"},
                             {.name = "cartoon_hosoda"}, {.name = "cartoon_hayao"}};
    sb_error_t e = {0};
    sb_safety_t *s;
    sb_face_detector_t *det;
    sb_cartoon_t *cartoon[2];
    if (sb_io_init(argv[0], &e) || sb_safety_open(&s, &e) || sb_face_detector_open(&det, &e) ||
        sb_cartoon_open(SB_CARTOON_HOSODA, &cartoon[0], &e) || sb_cartoon_open(SB_CARTOON_HAYAO, &cartoon[1], &e))
        die("start", &e);
    const sb_decode_opts_t opts = {.max_side = DECODE_SIDE};
    for (int f = 0; f < N_FOLDERS; f++) {
        char dir[1024];
        snprintf(dir, sizeof dir, "%s/%s", root, FOLDERS[f]);
        DIR *d = opendir(dir);
        if (!d) {
            fprintf(stderr, "safety: %s: cannot open\n", dir);
            return 1;
        }
        char *names[MAX_IMAGES];
        int n = 0;
        for (struct dirent *de; (de = readdir(d)) && n < MAX_IMAGES;)
            if (is_image(de->d_name))
                names[n++] = strdup(de->d_name);
        closedir(d);
        qsort(names, (size_t)n, sizeof *names, cmp_str);
        for (int i = 0; i < n; i++) {
            char path[1400];
            snprintf(path, sizeof path, "%s/%s", dir, names[i]);
            uint8_t *buf;
            size_t len;
            sb_image_t img = {0}, alt = {0}, crop = {0};
            sb_safety_result_t r;
            if (sb_io_read_file(path, 1u << 30, &buf, &len, &e) || sb_io_decode(buf, len, &opts, &img, NULL, &e))
                die(path, &e);
            classify(s, &img, &r);
            add_row(&sets_[0], FOLDERS[f], names[i], &r);
            posterise(&img, &alt);
            classify(s, &alt, &r);
            add_row(&sets_[1], FOLDERS[f], names[i], &r);
            sb_image_free(&alt);
            if (avatar_folder(FOLDERS[f]) && face_crop(det, &img, &crop)) {
                classify(s, &crop, &r);
                add_row(&sets_[2], FOLDERS[f], names[i], &r);
                for (int k = 0; k < 2; k++) {
                    if (sb_cartoon_apply(cartoon[k], &crop, SB_CARTOON_SIDE_DEFAULT, 1.0f, &alt, &e))
                        die("cartoon", &e);
                    classify(s, &alt, &r);
                    add_row(&sets_[3 + k], FOLDERS[f], names[i], &r);
                    sb_image_free(&alt);
                }
            }
            sb_image_free(&crop);
            sb_image_free(&img);
            free(buf);
            free(names[i]);
        }
    }
    json_t *sets = json_object();
    for (int i = 0; i < 5; i++)
        json_object_set_new(sets, sets_[i].name, set_json(&sets_[i]));
    json_t *out = json_pack("{s:s, s:s, s:{s:f}, s:o}", "testdata", root, "columns",
                            "images: [drawing, hentai, neutral, porn, sexy]",
                            "rule", "porn_hentai_min", (double)SB_SAFETY_EXPLICIT_MIN, "sets", sets);
    char *text = json_dumps(out, JSON_INDENT(1) | JSON_REAL_PRECISION(4));
    printf("%s\n", text);
    free(text);
    json_decref(out);
    sb_cartoon_close(cartoon[0]);
    sb_cartoon_close(cartoon[1]);
    sb_face_detector_close(det);
    sb_safety_close(s);
    return 0;
}
