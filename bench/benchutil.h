/* benchutil.h - what the bench programs share: sorting doubles and nearest-rank percentiles. */
#ifndef SB_BENCHUTIL_H
#define SB_BENCHUTIL_H

#include <stdlib.h>

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

#endif
