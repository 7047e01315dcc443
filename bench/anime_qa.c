/* anime_qa - how often the anime avatar passes its likeness QA on the first attempt, per CartoonGAN net side.
 *
 * usage: anime_qa DIR [SIDE...]   (default sides: 256)
 * Every photo of DIR (sb_cli-style listing: jpg, jpeg, png, webp) is made into an anime avatar on the generic
 * platform (QA threshold 0.75) with each net side. Photos the input gates refuse (no face, face too small, ...)
 * are counted apart. Prints one JSON object: per side, the photos made, first-attempt passes, the likeness of
 * the delivered avatar (min, p50) and the time per avatar (p50), and per photo the attempts and likeness.
 * With ANIME_QA_OUT=DIR set, each delivered avatar is also written to DIR/<photo name>.png (the last side's),
 * for contact sheets of the very avatars measured. */
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "benchutil.h"
#include "image/io.h"
#include "strobe.h"

#define MAX_PHOTOS 256

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_photo(const char *n)
{
    const char *dot = strrchr(n, '.');
    return n[0] != '.' && dot &&
           (!strcasecmp(dot, ".jpg") || !strcasecmp(dot, ".jpeg") || !strcasecmp(dot, ".png") || !strcasecmp(dot, ".webp"));
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
    sb_heap_keep_freed(); /* as the CLI and the server do (util/heap.h) */
    if (argc < 2) {
        fprintf(stderr, "usage: anime_qa DIR [SIDE...]\n");
        return 2;
    }
    sb_error_t e = {0};
    sb_studio_t *studio = NULL;
    if (sb_io_init(argv[0], &e) || sb_studio_open(&studio, &e)) {
        fprintf(stderr, "anime_qa: %s\n", e.message);
        return 1;
    }
    DIR *d = opendir(argv[1]);
    if (!d) {
        fprintf(stderr, "anime_qa: cannot read %s\n", argv[1]);
        return 1;
    }
    static char *names[MAX_PHOTOS];
    int n = 0;
    for (struct dirent *de; (de = readdir(d)) && n < MAX_PHOTOS;)
        if (is_photo(de->d_name))
            names[n++] = strdup(de->d_name);
    closedir(d);
    qsort(names, (size_t)n, sizeof *names, by_name);

    json_t *report = json_object();
    int n_sides = argc > 2 ? argc - 2 : 1;
    for (int s = 0; s < n_sides; s++) {
        int side = argc > 2 ? atoi(argv[2 + s]) : 256;
        static double like[MAX_PHOTOS], ms[MAX_PHOTOS];
        int made = 0, first = 0, refused = 0;
        json_t *photos = json_object();
        for (int i = 0; i < n; i++) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", argv[1], names[i]);
            uint8_t *buf;
            size_t len;
            if (sb_io_read_file(path, 1u << 28, &buf, &len, &e))
                continue;
            sb_avatar_opts_t o = SB_AVATAR_OPTS_DEFAULT;
            o.style = "anime";
            o.cartoon_side = side;
            sb_avatar_result_t r;
            double t0 = now_ms();
            sb_err err = sb_avatar(studio, buf, len, &o, &r, &e);
            double t = now_ms() - t0;
            free(buf);
            if (err) {
                refused++;
                json_object_set_new(photos, names[i], json_pack("{s:s}", "refused", sb_err_name(err)));
                continue;
            }
            const char *out_dir = getenv("ANIME_QA_OUT");
            if (out_dir) {
                char out[4096];
                snprintf(out, sizeof out, "%s/%.*s.png", out_dir, (int)(strrchr(names[i], '.') - names[i]), names[i]);
                FILE *f = fopen(out, "wb");
                if (!f || fwrite(r.avatar, 1, r.avatar_len, f) != r.avatar_len)
                    fprintf(stderr, "anime_qa: cannot write %s\n", out);
                if (f)
                    fclose(f);
            }
            like[made] = r.likeness;
            ms[made] = t;
            made++;
            first += r.attempts == 1 && r.likeness >= r.likeness_min;
            json_object_set_new(photos, names[i], json_pack("{s:i, s:f, s:f}", "attempts", r.attempts, "likeness",
                                                            r.likeness, "ms", t));
            sb_avatar_result_free(&r);
        }
        char key[32];
        snprintf(key, sizeof key, "side_%d", side);
        json_object_set_new(report, key,
                            json_pack("{s:i, s:i, s:i, s:f, s:f, s:f, s:f, s:o}", "made", made, "refused", refused,
                                      "first_attempt_pass", first, "first_attempt_rate", made ? (double)first / made : 0,
                                      "likeness_min", bu_pct(like, (size_t)made, 0), "likeness_p50",
                                      bu_pct(like, (size_t)made, 50), "ms_p50", bu_pct(ms, (size_t)made, 50),
                                      "photos", photos));
    }
    char *txt = json_dumps(report, JSON_INDENT(1));
    puts(txt);
    free(txt);
    json_decref(report);
    sb_studio_close(studio);
    return 0;
}
