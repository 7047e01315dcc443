/* likeness - calibration data for the likeness score: face-embedding cosines of same-person and
 * different-person pairs over the identity-labelled photos of shared/testdata, and the same for the
 * avatars made of those photos, per style.
 *
 * usage: likeness [SHARED_DIR]   (default $STROBE_SHARED, else ../shared)
 * Reads testdata/identity/IDENTITIES.csv. Each labelled photo is decoded at full size, its subject face
 * (sb_face_pick_subject) is embedded. Group photos are skipped: with two labelled people in one photo,
 * the labels do not say which face is whose. Prints, as one JSON object, the cosine distributions
 * (count, min, p5, p10, p50, p90, p95, max) of all same-person and different-person pairs, both over identity/
 * alone and over identity/ + faces/, the likeness those cosines map to, the extreme pairs and the
 * photos that were skipped.
 *
 * "avatars": each embedded photo goes through sb_avatar (generic platform) in each style:
 * corporate_headshot, editorial and anime (hosoda, default cartoon side). Per photo and style, a run with
 * likeness_min 0 gives the first attempt at full intensity (that run retries only when no face is found
 * on the output; such a first attempt counts as likeness 0). The QA loop's outcome at each platform
 * threshold (0.85, 0.75, 0.60) is a run with that likeness_min, or that first attempt when it already
 * reaches the threshold: the loop stops there, and runs are deterministic. The outcome at the generic
 * platform's threshold is the delivered avatar: its reported likeness and attempts are summarised, its
 * PNG is decoded, the subject face found on it is embedded and compared with every OTHER photo of the
 * same person and with every photo of other people (pairs: "a" is the avatar's source photo). Per
 * threshold: how many avatars are under it at the first attempt and after the QA loop, and the attempts
 * the loop made. The first attempt is also scored again against its photo (sb_pipeline_likeness):
 * "first_attempt_parts" gives the distributions of its identity (the embedding alone, the score before
 * issue 13), integrity and likeness (their minimum), and each threshold's
 * "under_first_attempt_identity_only" counts the avatars the embedding alone puts under it, beside
 * "under_first_attempt" on the combined score. Each style also gives the seconds it took and the photos the avatar refused (input
 * gates, unsafe content, a cut-out that failed its check). BENCH_LIKENESS_ANIME_MAX (default 20) caps the anime photos, evenly spread over
 * those that passed the gates: anime costs about 2 s a run on 2 cores, and up to 4 runs a photo. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "benchutil.h"
#include "nn/models.h"
#include "pipeline/likeness.h"
#include "pipeline/presets.h"
#include "pipeline/studio.h"

#define MAX_PHOTOS 256
#define N_THRESHOLDS 3

static const float thresholds[N_THRESHOLDS] = {SB_LIKENESS_PROFESSIONAL, SB_LIKENESS_CONSUMER, SB_LIKENESS_GAMING};

typedef struct {
    char file[128];
    char identity[64];
    sb_likeness_ref_t ref;           /* its subject face: embedding and aligned crop */
    uint8_t *buf; /* the file, for sb_avatar */
    size_t len;
} photo_t;

typedef struct {
    float cos;
    int a, b;
} pair_t;

/* One photo in one style. */
typedef struct {
    float first;                     /* likeness of the first attempt (0: no face on it) */
    sb_likeness_t first_parts;       /* the first attempt scored again against the photo's own face */
    float qa[N_THRESHOLDS];          /* likeness the QA loop delivers at each threshold */
    int attempts[N_THRESHOLDS];      /* attempts it made */
    int found;                       /* a face was found on the delivered avatar */
    float v[SB_EMBED_DIM];           /* its embedding */
} sample_t;

static void die(const char *what, const sb_error_t *e)
{
    fprintf(stderr, "likeness: %s: %s\n", what, e->message);
    exit(1);
}

static int cmp_pair(const void *x, const void *y)
{
    float p = ((const pair_t *)x)->cos, q = ((const pair_t *)y)->cos;
    return (p > q) - (p < q);
}

/* min, p5, p10, p50, p90, p95 and max of n values (sorted in place), mapped through the likeness curve
 * when `as_likeness` (monotonic, so the quantiles map to quantiles). */
static json_t *quantiles(double *v, int n, int as_likeness)
{
    static const double at[7] = {0, 5, 10, 50, 90, 95, 100};
    static const char *const names[7] = {"min", "p5", "p10", "p50", "p90", "p95", "max"};
    json_t *o = json_object();
    for (int i = 0; i < 7; i++) {
        double q = bu_pct(v, (size_t)n, at[i]);
        json_object_set_new(o, names[i], json_real(as_likeness ? sb_likeness_from_cosine((float)q) : q));
    }
    return o;
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
    double *c = malloc(sizeof *c * (size_t)n);
    json_t *ext = json_array();
    if (!c) {
        fprintf(stderr, "likeness: out of memory\n");
        exit(1);
    }
    for (int i = 0; i < n; i++)
        c[i] = v[i].cos;
    for (int i = 0; i < tail && i < n; i++)
        json_array_append_new(ext, pair_json(ph, &v[low ? i : n - 1 - i]));
    json_t *o = json_pack("{s:i, s:o, s:o, s:o}", "count", n, "cosine", quantiles(c, n, 0), "likeness",
                          quantiles(c, n, 1), low ? "lowest" : "highest", ext);
    free(c);
    return o;
}

static pair_t *pairs_alloc(int n)
{
    pair_t *p = malloc(sizeof(pair_t) * (size_t)(n * n + 1));
    if (!p) {
        fprintf(stderr, "likeness: out of memory\n");
        exit(1);
    }
    return p;
}

/* Same- and different-person distributions over the photos whose file starts with `prefix` (NULL: all). */
static json_t *pairs_json(const photo_t *ph, int n, const char *prefix)
{
    pair_t *same = pairs_alloc(n), *diff = pairs_alloc(n);
    int ns = 0, nd = 0, photos = 0;
    for (int i = 0; i < n; i++) {
        if (prefix && strncmp(ph[i].file, prefix, strlen(prefix)))
            continue;
        photos++;
        for (int j = i + 1; j < n; j++) {
            if (prefix && strncmp(ph[j].file, prefix, strlen(prefix)))
                continue;
            pair_t p = {sb_embed_cosine(ph[i].ref.emb, ph[j].ref.emb), i, j};
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

/* An avatar's PNG scored against `ref` (sb_pipeline_likeness) into *parts. */
static sb_err score_avatar(sb_studio_t *studio, const sb_avatar_result_t *r, const sb_likeness_ref_t *ref,
                           sb_likeness_t *parts, sb_error_t *e)
{
    sb_image_t img = {0};
    sb_err err = sb_io_decode(r->avatar, r->avatar_len, NULL, &img, NULL, e);
    if (!err)
        err = sb_pipeline_likeness(studio, &img, ref, parts, e);
    sb_image_free(&img);
    return err;
}

/* The subject face on an avatar's PNG, embedded into v; *found is 0 when no face is found. */
static sb_err embed_avatar(sb_studio_t *studio, const sb_avatar_result_t *r, float *v, int *found, sb_error_t *e)
{
    sb_image_t img = {0};
    sb_face_list_t faces = {0};
    sb_face_detector_t *det;
    sb_face_embedder_t *em;
    sb_err err = sb_io_decode(r->avatar, r->avatar_len, NULL, &img, NULL, e);
    if (!err)
        err = sb_studio_detector(studio, &det, e);
    if (!err)
        err = sb_face_detect(det, &img, &faces, e);
    int subject = err ? -1 : sb_face_pick_subject(&faces, img.width, img.height);
    *found = subject >= 0;
    if (subject >= 0 && !(err = sb_studio_embedder(studio, &em, e)))
        err = sb_face_embed(em, &img, &faces.faces[subject], v, e);
    sb_face_list_free(&faces);
    sb_image_free(&img);
    return err;
}

/* Photo p in `style`: the first attempt, the QA loop's outcome at each threshold, and the face on the
 * avatar delivered at threshold index `delivered`. */
static sb_err measure(sb_studio_t *studio, const photo_t *p, const char *style, int delivered, sample_t *s,
                      sb_error_t *e)
{
    sb_avatar_opts_t o = SB_AVATAR_OPTS_DEFAULT;
    sb_avatar_result_t first, r;
    o.style = style;
    o.likeness_min = 0;
    sb_err err = sb_avatar(studio, p->buf, p->len, &o, &first, e);
    if (err)
        return err;
    s->first = first.attempts == 1 ? first.likeness : 0;
    err = score_avatar(studio, &first, &p->ref, &s->first_parts, e);
    for (int t = 0; t < N_THRESHOLDS && !err; t++) {
        int reuse = first.attempts == 1 && first.likeness >= thresholds[t];
        o.likeness_min = thresholds[t];
        if (!reuse && (err = sb_avatar(studio, p->buf, p->len, &o, &r, e)))
            break;
        const sb_avatar_result_t *got = reuse ? &first : &r;
        s->qa[t] = got->likeness;
        s->attempts[t] = got->attempts;
        if (t == delivered)
            err = embed_avatar(studio, got, s->v, &s->found, e);
        if (!reuse)
            sb_avatar_result_free(&r);
    }
    sb_avatar_result_free(&first);
    return err;
}

static json_t *attempts_json(const sample_t *s, int n, int t)
{
    int h[SB_AVATAR_MAX_ATTEMPTS] = {0};
    for (int i = 0; i < n; i++)
        h[s[i].attempts[t] - 1]++;
    json_t *o = json_object();
    for (int k = 0; k < SB_AVATAR_MAX_ATTEMPTS; k++) {
        char key[8];
        snprintf(key, sizeof key, "%d", k + 1);
        json_object_set_new(o, key, json_integer(h[k]));
    }
    return o;
}

/* Avatars of every photo i with take[i] in `style`, measured against all n photos; made[i] (when made is
 * not NULL) tells whether the avatar of photo i was made. */
static json_t *style_json(sb_studio_t *studio, const photo_t *ph, int n, const int *take, const char *style,
                          int delivered, int *made)
{
    static sample_t s[MAX_PHOTOS];
    static double v[MAX_PHOTOS];
    int src[MAX_PHOTOS], m = 0, tried = 0;
    json_t *refused = json_array(), *no_face = json_array();
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < n; i++) {
        if (!take[i])
            continue;
        sb_error_t e = {0};
        tried++;
        sb_err err = measure(studio, &ph[i], style, delivered, &s[m], &e);
        if (err == SB_ERR_IMAGE_TOO_SMALL || err == SB_ERR_NO_FACE || err == SB_ERR_FACE_TOO_SMALL ||
            err == SB_ERR_FACE_OUT_OF_FOCUS || err == SB_ERR_UNSAFE_CONTENT || err == SB_ERR_CUTOUT_FAILED)
            json_array_append_new(refused, json_pack("{s:s, s:s}", "file", ph[i].file, "why", e.message));
        else if (err)
            die(ph[i].file, &e);
        else
            src[m++] = i;
        if (made)
            made[i] = !err;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);

    /* The delivered avatars' faces against the photos. */
    pair_t *same = pairs_alloc(n), *diff = pairs_alloc(n);
    int ns = 0, nd = 0;
    for (int k = 0; k < m; k++) {
        if (!s[k].found) {
            json_array_append_new(no_face, json_string(ph[src[k]].file));
            continue;
        }
        for (int j = 0; j < n; j++) {
            if (j == src[k])
                continue;
            pair_t p = {sb_embed_cosine(s[k].v, ph[j].ref.emb), src[k], j};
            if (strcmp(ph[src[k]].identity, ph[j].identity) == 0)
                same[ns++] = p;
            else
                diff[nd++] = p;
        }
    }
    qsort(same, (size_t)ns, sizeof *same, cmp_pair);
    qsort(diff, (size_t)nd, sizeof *diff, cmp_pair);

    json_t *th = json_array();
    for (int t = 0; t < N_THRESHOLDS; t++) {
        int first = 0, after = 0, identity = 0;
        for (int k = 0; k < m; k++) {
            first += s[k].first < thresholds[t];
            after += s[k].qa[t] < thresholds[t];
            identity += s[k].first_parts.identity < thresholds[t];
        }
        json_array_append_new(th, json_pack("{s:f, s:i, s:i, s:i, s:o}", "likeness_min", thresholds[t],
                                            "under_first_attempt", first, "under_first_attempt_identity_only",
                                            identity, "under_after_qa", after, "attempts", attempts_json(s, m, t)));
    }
    /* The first attempt's two signals (scored against the photo itself, so close to what the loop saw). */
    json_t *parts = json_object();
    for (int part = 0; part < 3; part++) {
        static const char *const names[3] = {"identity", "integrity", "likeness"};
        for (int k = 0; k < m; k++)
            v[k] = part == 0 ? s[k].first_parts.identity
                 : part == 1 ? s[k].first_parts.integrity.score
                             : s[k].first_parts.likeness;
        json_object_set_new(parts, names[part], quantiles(v, m, 0));
    }
    for (int k = 0; k < m; k++)
        v[k] = s[k].first;
    json_t *first_q = quantiles(v, m, 0);
    for (int k = 0; k < m; k++)
        v[k] = s[k].qa[delivered];
    json_t *o = json_pack(
        "{s:i, s:i, s:f, s:o, s:o, s:{s:f, s:o, s:o}, s:o, s:{s:o, s:o}, s:o, s:o}", "photos", tried, "avatars", m,
        "seconds", (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9, "first_attempt_likeness",
        first_q, "first_attempt_parts", parts, "delivered", "likeness_min", thresholds[delivered], "likeness", quantiles(v, m, 0), "attempts",
        attempts_json(s, m, delivered), "thresholds", th, "vs_photos", "same_person",
        distribution(ph, same, ns, 1, 3), "different_person", distribution(ph, diff, nd, 0, 3), "no_face_on_avatar",
        no_face, "refused", refused);
    free(same);
    free(diff);
    return o;
}

/* The "avatars" object: every style; anime on at most BENCH_LIKENESS_ANIME_MAX of the photos that pass
 * the input gates (those of the corporate pass: the gates do not depend on the style). */
static json_t *avatars_json(sb_studio_t *studio, const photo_t *ph, int n)
{
    const sb_platform_t *generic;
    sb_error_t e = {0};
    if (sb_platform_find(NULL, &generic, &e))
        die("generic platform", &e);
    int delivered = -1;
    for (int t = 0; t < N_THRESHOLDS; t++)
        if (thresholds[t] == generic->likeness_min)
            delivered = t;
    if (delivered < 0) {
        fprintf(stderr, "likeness: the generic platform's threshold %.2f is none of the three\n",
                generic->likeness_min);
        exit(1);
    }
    const char *env = getenv("BENCH_LIKENESS_ANIME_MAX");
    int cap = env && *env ? atoi(env) : 20, passed = 0;
    static int all[MAX_PHOTOS], made[MAX_PHOTOS], anime[MAX_PHOTOS];
    for (int i = 0; i < n; i++)
        all[i] = 1;
    json_t *o = json_pack("{s:s, s:f, s:{}}", "platform", generic->name, "delivered_likeness_min",
                          generic->likeness_min, "styles");
    json_t *styles = json_object_get(o, "styles");
    json_object_set_new(styles, "corporate_headshot",
                        style_json(studio, ph, n, all, "corporate_headshot", delivered, made));
    json_object_set_new(styles, "editorial", style_json(studio, ph, n, all, "editorial", delivered, NULL));
    for (int i = 0; i < n; i++)
        passed += made[i];
    /* Evenly spread: the k-th passing photo is taken where floor(k * cap / passed) steps up (every one
     * when cap >= passed). */
    for (int i = 0, k = 0; i < n; i++) {
        anime[i] = made[i] && cap > 0 && (long)k * cap / passed != (long)(k + 1) * cap / passed;
        k += made[i];
    }
    json_t *st = style_json(studio, ph, n, anime, "anime", delivered, NULL);
    if (cap < passed) {
        char note[160];
        snprintf(note, sizeof note,
                 "capped: %d of the %d photos that pass the gates, evenly spread (BENCH_LIKENESS_ANIME_MAX=%d)",
                 cap < 0 ? 0 : cap, passed, cap);
        json_object_set_new(st, "sample", json_string(note));
    }
    json_object_set_new(styles, "anime", st);
    return o;
}

int main(int argc, char **argv)
{
    const char *env = getenv("STROBE_SHARED");
    const char *shared = argc > 1 ? argv[1] : env && *env ? env : "../shared";
    char path[1024], line[512], last_group[128] = "";
    sb_error_t e = {0};
    sb_studio_t *studio;
    sb_face_detector_t *det;
    sb_face_embedder_t *em;
    if (sb_io_init(argv[0], &e) || sb_studio_open(&studio, &e) || sb_studio_detector(studio, &det, &e) ||
        sb_studio_embedder(studio, &em, &e))
        die("start", &e);
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
            err = sb_likeness_ref_make(em, &img, &faces.faces[subject], &ph[n].ref, &e);
        if (err || subject < 0) {
            json_array_append_new(skipped, json_pack("{s:s, s:s}", "file", file, "why", err ? e.message : "no face"));
            sb_likeness_ref_free(&ph[n].ref);
            free(buf);
        } else {
            snprintf(ph[n].file, sizeof ph[n].file, "%s", file);
            snprintf(ph[n].identity, sizeof ph[n].identity, "%s", identity);
            ph[n].buf = buf;
            ph[n].len = len;
            n++;
        }
        sb_face_list_free(&faces);
        sb_image_free(&img);
    }
    fclose(csv);

    json_t *curve = json_array();
    for (int i = 0; i <= 10; i++) {
        float c = i / 10.0f;
        json_array_append_new(curve, json_pack("[f, f]", c, sb_likeness_from_cosine(c)));
    }
    json_t *out = json_pack("{s:s, s:o, s:o, s:o, s:o, s:o}", "embedder", sb_model_info(SB_MODEL_MOBILEFACENET)->name,
                            "identity_only", pairs_json(ph, n, "identity/"), "identity_and_faces",
                            pairs_json(ph, n, NULL), "likeness_curve", curve, "skipped", skipped, "avatars",
                            avatars_json(studio, ph, n));
    char *s = json_dumps(out, JSON_INDENT(1) | JSON_REAL_PRECISION(4));
    printf("%s\n", s);
    free(s);
    json_decref(out);
    for (int i = 0; i < n; i++) {
        free(ph[i].buf);
        sb_likeness_ref_free(&ph[i].ref);
    }
    sb_studio_close(studio);
    return 0;
}
