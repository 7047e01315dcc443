/* likeness - calibration data for the likeness score: face-embedding cosines of same-person and
 * different-person pairs over the identity-labelled photos of shared/testdata.
 *
 * usage: likeness [SHARED_DIR]   (default $STROBE_SHARED, else ../shared)
 * Reads testdata/identity/IDENTITIES.csv. Each labelled photo is decoded at full size, its subject face
 * (sb_face_pick_subject) is embedded. Group photos are skipped: with two labelled people in one photo,
 * the labels do not say which face is whose. Prints, as one JSON object, the cosine distributions
 * (count, min, p5, p50, p95, max) of all same-person and different-person pairs, both over identity/
 * alone and over identity/ + faces/, the likeness those cosines map to, the extreme pairs and the
 * photos that were skipped. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/io.h"
#include "nn/models.h"
#include "vision/embed.h"

#define MAX_PHOTOS 256

typedef struct {
    char file[128];
    char identity[64];
    float v[SB_EMBED_DIM];
} photo_t;

typedef struct {
    float cos;
    int a, b;
} pair_t;

static int cmp_pair(const void *x, const void *y)
{
    float p = ((const pair_t *)x)->cos, q = ((const pair_t *)y)->cos;
    return (p > q) - (p < q);
}

/* Nearest-rank percentile of n pairs sorted by cosine. */
static float pct(const pair_t *v, int n, double p)
{
    int k = (int)(p / 100.0 * n + 0.999999) - 1;
    return v[k < 0 ? 0 : k >= n ? n - 1 : k].cos;
}

static json_t *pair_json(const photo_t *ph, const pair_t *p)
{
    return json_pack("{s:s, s:s, s:f}", "a", ph[p->a].file, "b", ph[p->b].file, "cosine", p->cos);
}

/* Distribution of n sorted pairs, with the likeness of its quantiles and the `tail` most extreme pairs
 * (lowest when low, else highest). */
static json_t *distribution(const photo_t *ph, const pair_t *v, int n, int low, int tail)
{
    if (n == 0)
        return json_pack("{s:i}", "count", 0);
    const double q[5] = {0, 5, 50, 95, 100};
    const char *names[5] = {"min", "p5", "p50", "p95", "max"};
    json_t *cos = json_object(), *lik = json_object(), *ext = json_array();
    for (int i = 0; i < 5; i++) {
        float c = pct(v, n, q[i]);
        json_object_set_new(cos, names[i], json_real(c));
        json_object_set_new(lik, names[i], json_real(sb_likeness_from_cosine(c)));
    }
    for (int i = 0; i < tail && i < n; i++)
        json_array_append_new(ext, pair_json(ph, &v[low ? i : n - 1 - i]));
    return json_pack("{s:i, s:o, s:o, s:o}", "count", n, "cosine", cos, "likeness", lik, low ? "lowest" : "highest",
                     ext);
}

/* Same- and different-person distributions over the photos whose file starts with `prefix` (NULL: all). */
static json_t *pairs_json(const photo_t *ph, int n, const char *prefix)
{
    pair_t *same = malloc(sizeof(pair_t) * (size_t)(n * n / 2 + 1));
    pair_t *diff = malloc(sizeof(pair_t) * (size_t)(n * n / 2 + 1));
    int ns = 0, nd = 0, photos = 0;
    if (!same || !diff) {
        fprintf(stderr, "likeness: out of memory\n");
        exit(1);
    }
    for (int i = 0; i < n; i++) {
        if (prefix && strncmp(ph[i].file, prefix, strlen(prefix)))
            continue;
        photos++;
        for (int j = i + 1; j < n; j++) {
            if (prefix && strncmp(ph[j].file, prefix, strlen(prefix)))
                continue;
            pair_t p = {sb_embed_cosine(ph[i].v, ph[j].v), i, j};
            if (strcmp(ph[i].identity, ph[j].identity) == 0)
                same[ns++] = p;
            else
                diff[nd++] = p;
        }
    }
    qsort(same, (size_t)ns, sizeof *same, cmp_pair);
    qsort(diff, (size_t)nd, sizeof *diff, cmp_pair);
    json_t *o = json_pack("{s:i, s:o, s:o}", "photos", photos, "same_person", distribution(ph, same, ns, 1, 3),
                          "different_person", distribution(ph, diff, nd, 0, 3));
    free(same);
    free(diff);
    return o;
}

int main(int argc, char **argv)
{
    const char *env = getenv("STROBE_SHARED");
    const char *shared = argc > 1 ? argv[1] : env && *env ? env : "../shared";
    char path[1024], line[512], last_group[128] = "";
    sb_error_t e = {0};
    sb_face_detector_t *det;
    sb_face_embedder_t *em;
    if (sb_io_init(argv[0], &e) || sb_face_detector_open(&det, &e) || sb_face_embedder_open(&em, &e)) {
        fprintf(stderr, "likeness: start: %s\n", e.message);
        return 1;
    }
    snprintf(path, sizeof path, "%s/testdata/identity/IDENTITIES.csv", shared);
    FILE *csv = fopen(path, "r");
    if (!csv) {
        fprintf(stderr, "likeness: %s is missing (../shared); nothing measured\n", path);
        return 1;
    }
    static photo_t ph[MAX_PHOTOS];
    int n = 0;
    json_t *skipped = json_array();
    while (fgets(line, sizeof line, csv) && n < MAX_PHOTOS) {
        char *file = strtok(line, ","), *identity = strtok(NULL, ",");
        if (!file || !identity || strcmp(file, "file") == 0)
            continue;
        if (strncmp(file, "groups/", 7) == 0) {
            /* One row per labelled person: list each group photo once. */
            if (strcmp(file, last_group))
                json_array_append_new(skipped, json_pack("{s:s, s:s}", "file", file, "why", "group photo"));
            snprintf(last_group, sizeof last_group, "%s", file);
            continue;
        }
        uint8_t *buf = NULL;
        size_t len;
        sb_image_t img = {0};
        sb_face_list_t faces = {0};
        snprintf(path, sizeof path, "%s/testdata/%s", shared, file);
        sb_err err = sb_io_read_file(path, 1u << 28, &buf, &len, &e);
        if (!err)
            err = sb_io_decode(buf, len, NULL, &img, NULL, &e);
        if (!err)
            err = sb_face_detect(det, &img, &faces, &e);
        int subject = err ? -1 : sb_face_pick_subject(&faces, img.width, img.height);
        if (subject >= 0)
            err = sb_face_embed(em, &img, &faces.faces[subject], ph[n].v, &e);
        if (err || subject < 0) {
            json_array_append_new(skipped, json_pack("{s:s, s:s}", "file", file, "why", err ? e.message : "no face"));
        } else {
            snprintf(ph[n].file, sizeof ph[n].file, "%s", file);
            snprintf(ph[n].identity, sizeof ph[n].identity, "%s", identity);
            n++;
        }
        sb_face_list_free(&faces);
        sb_image_free(&img);
        free(buf);
    }
    fclose(csv);

    json_t *curve = json_array();
    for (int i = 0; i <= 10; i++) {
        float c = i / 10.0f;
        json_array_append_new(curve, json_pack("[f, f]", c, sb_likeness_from_cosine(c)));
    }
    json_t *out = json_pack("{s:s, s:o, s:o, s:o, s:o}", "embedder", sb_model_info(SB_MODEL_MOBILEFACENET)->name,
                            "identity_only", pairs_json(ph, n, "identity/"), "identity_and_faces",
                            pairs_json(ph, n, NULL), "likeness_curve", curve, "skipped", skipped);
    char *s = json_dumps(out, JSON_INDENT(1) | JSON_REAL_PRECISION(4));
    printf("%s\n", s);
    free(s);
    json_decref(out);
    sb_face_embedder_close(em);
    sb_face_detector_close(det);
    return 0;
}
