/* benchutil.h - what the bench programs share: nearest-rank percentiles, a series of pipeline runs
 * (per-stage and total times) reported as JSON, and the photo filter for scandir. */
#ifndef SB_BENCHUTIL_H
#define SB_BENCHUTIL_H

#include <dirent.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pipeline/stage.h"
#include "util/heap.h"

#define BU_MAX_ITER 1000

/* scandir filter: the photo files (jpg, jpeg, png, webp) of a folder. */
static inline int bu_is_photo(const struct dirent *de)
{
    const char *dot = strrchr(de->d_name, '.');
    return dot && (!strcasecmp(dot, ".jpg") || !strcasecmp(dot, ".jpeg") || !strcasecmp(dot, ".png") ||
                   !strcasecmp(dot, ".webp"));
}

static inline int bu_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Nearest-rank percentile p (0..100) of n values, sorting them in place; 0 when there are none. */
static inline double bu_pct(double *v, size_t n, double p)
{
    if (!n)
        return 0;
    qsort(v, n, sizeof *v, bu_cmp_double);
    long k = (long)(p / 100.0 * (double)n + 0.999999) - 1;
    return v[k < 0 ? 0 : k >= (long)n ? (long)n - 1 : k];
}

/* The stage times of up to BU_MAX_ITER runs of one pipeline. Large: give it static storage. */
typedef struct {
    double stage_ms[SB_STAGES_MAX][BU_MAX_ITER], total[BU_MAX_ITER];
    const char *names[SB_STAGES_MAX];
    int n_stages, n;
} bu_series_t;

/* Record run number n->n (then n->n + 1) from its stages; runs beyond BU_MAX_ITER are dropped. */
static inline void bu_series_add(bu_series_t *s, const sb_stages_t *st)
{
    if (s->n >= BU_MAX_ITER)
        return;
    s->n_stages = st->n;
    for (int k = 0; k < st->n; k++) {
        s->names[k] = st->t[k].name;
        s->stage_ms[k][s->n] = st->t[k].ms;
    }
    s->total[s->n++] = sb_stages_total_ms(st);
}

/* {"stages_ms": {name: {min, p50, p90}}, "total_ms": {min, p50, p90}} of the series (sorts its values). */
static inline json_t *bu_series_json(bu_series_t *s)
{
    size_t n = (size_t)s->n;
    json_t *stages = json_object();
    for (int k = 0; k < s->n_stages; k++)
        json_object_set_new(stages, s->names[k],
                            json_pack("{s:f, s:f, s:f}", "min", bu_pct(s->stage_ms[k], n, 0), "p50",
                                      bu_pct(s->stage_ms[k], n, 50), "p90", bu_pct(s->stage_ms[k], n, 90)));
    return json_pack("{s:o, s:{s:f, s:f, s:f}}", "stages_ms", stages, "total_ms", "min", bu_pct(s->total, n, 0),
                     "p50", bu_pct(s->total, n, 50), "p90", bu_pct(s->total, n, 90));
}

#endif
