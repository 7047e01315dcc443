/* labels.h - object masks drawn by hand as text (tests/data/product_labels, one .txt a photo), rasterised for the
 * tests. A file holds `size W H`, then shapes, each on its own line, added in order: `poly x,y x,y ...`
 * (a closed polygon, photo pixels, even-odd inside), `ellipse cx cy rx ry`, and `hole` before either of
 * them to subtract it instead. `#` starts a comment line. A pixel is inside a shape when its centre
 * (x + 0.5, y + 0.5) is. */
#ifndef SB_TEST_LABELS_H
#define SB_TEST_LABELS_H

#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LABEL_POINTS_MAX 512

/* Whether (px, py) is inside the polygon of n points xs, ys (even-odd rule). */
static inline int label_in_poly(const double *xs, const double *ys, int n, double px, double py)
{
    int in = 0;
    for (int i = 0, j = n - 1; i < n; j = i++)
        if ((ys[i] > py) != (ys[j] > py) && px < (xs[j] - xs[i]) * (py - ys[i]) / (ys[j] - ys[i]) + xs[i])
            in = !in;
    return in;
}

/* Rasterise the label file `path` into a malloc'd w x h mask of 0 and 1 (*w, *h from its `size` line);
 * fails the test on a malformed file. */
static inline uint8_t *label_load(const char *path, int *w, int *h)
{
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "label %s", path);
    char line[16384];
    uint8_t *m = NULL;
    *w = *h = 0;
    static double xs[LABEL_POINTS_MAX], ys[LABEL_POINTS_MAX];
    while (fgets(line, sizeof line, f)) {
        char *s = line;
        int hole = 0, n = 0;
        if (*s == '#' || *s == '\n')
            continue;
        if (!strncmp(s, "size ", 5)) {
            cr_assert_eq(sscanf(s + 5, "%d %d", w, h), 2, "%s: size", path);
            m = calloc((size_t)*w * *h, 1);
            cr_assert_not_null(m);
            continue;
        }
        cr_assert_not_null(m, "%s: size must come first", path);
        if (!strncmp(s, "hole ", 5))
            hole = 1, s += 5;
        double cx = 0, cy = 0, rx = 0, ry = 0;
        int ellipse = !strncmp(s, "ellipse ", 8);
        if (ellipse) {
            cr_assert_eq(sscanf(s + 8, "%lf %lf %lf %lf", &cx, &cy, &rx, &ry), 4, "%s: %s", path, line);
        } else {
            cr_assert(!strncmp(s, "poly ", 5), "%s: unknown shape: %s", path, line);
            char *tok = strtok(s + 5, " \n");
            for (; tok && n < LABEL_POINTS_MAX; tok = strtok(NULL, " \n"), n++)
                cr_assert_eq(sscanf(tok, "%lf,%lf", &xs[n], &ys[n]), 2, "%s: point '%s'", path, tok);
            cr_assert_geq(n, 3, "%s: a polygon needs 3 points", path);
        }
        for (int y = 0; y < *h; y++)
            for (int x = 0; x < *w; x++) {
                double px = x + 0.5, py = y + 0.5, dx = (px - cx) / (rx ? rx : 1), dy = (py - cy) / (ry ? ry : 1);
                if (ellipse ? dx * dx + dy * dy <= 1 : label_in_poly(xs, ys, n, px, py))
                    m[(size_t)y * *w + x] = !hole;
            }
    }
    fclose(f);
    cr_assert_not_null(m, "%s: no size line", path);
    return m;
}

#endif
