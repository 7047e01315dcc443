/* edge_check.h - is the source photo's border visible in a delivered image? When the output frame
 * reaches beyond the photo (after levelling the eyes, or where the canvas was extended), the photo's
 * straight edge can show as a hard line: a person cut off along it (a "floating" bust, a tilted "card"),
 * or a border strip or black bar the matte kept. The caller knows where the photo's border lands in the
 * output (the four mapped corners); this measures the contrast across that polygon, along it, in the
 * output's pixels. Pure arithmetic on borrowed pixels: no allocation, any thread. */
#ifndef SB_EDGE_CHECK_H
#define SB_EDGE_CHECK_H

#include "image/image.h"
#include "vision/face.h"

/* A run of contrast along the border at least this long (as a fraction of the output's shorter side)
 * is a visible photo edge. */
#define SB_EDGE_VISIBLE_RUN 0.05f

/* Contrast (largest channel difference, 0..1) across the border that counts as a step. */
#define SB_EDGE_STEP_MIN 0.09f

typedef struct {
    float run;      /* the longest run of steps along one border side, as a fraction of the shorter side */
    float contrast; /* mean contrast over that run, 0..1 */
    int side;       /* the border side it lies on (0..3: corner i to corner i + 1), -1 when none */
    int visible;    /* run >= SB_EDGE_VISIBLE_RUN */
} sb_edge_report_t;

/* Measure `img` (3 or 4 bands; with 4 the colour is read, alpha ignored) along the quadrilateral
 * `quad` (the source photo's corners mapped into img's pixels, in order around it). A side, or the part
 * of it, lying within a few pixels of img's own edges or outside it is not measured: a cut that falls on
 * the frame's edge is how a bust should end. At each point of a side the colour a little inside the
 * photo is compared with the colour a little outside it (the offsets scale with the image: the pipelines
 * fade the person out over about 1% of the frame). Errors: SB_ERR_USAGE (no image, bands other than 3
 * or 4, NULL quad or report). */
sb_err sb_edge_check(const sb_image_t *img, const sb_point_t quad[4], sb_edge_report_t *out, sb_error_t *e);

#endif
