/* hand.c - skin where the person net sees a person, joined to the photo's edge: the hand holding a product,
 * and the person net's region around it: the hand with what it holds. */
#include "vision/hand.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "vision/regions.h"

#define MIN_PART_FRAC 0.01
#define GROW_FRAC 0.006f
/* What the hand holds: the person net's parts of at least HELD_MIN touching the hand; their alpha is the
 * net's steepened by HELD_STEEP around 0.5 (the refined net map is soft across a held carton: 0.5 to 0.8). */
#define HELD_MIN 0.6f
#define HELD_STEEP 3.0f
/* ... and only when they hold this fraction of the subject's area or more that the subject lacks. */
#define HELD_MISSING 0.25

/* Skin: red-orange (R > G > B, hue under about 33 degrees: (G - B) / (R - B) <= 0.55) and saturated
 * ((R - B) / R 0.3..0.8), not dark. Measured on the hands and cartons of products/: hands 16 to 32
 * degrees and 0.47 to 0.68; the cream and yellow cartons 34 to 45 degrees, the cream one 0.21. A chroma
 * box (YCbCr) took the cream and yellow cartons for skin. */
static int skin(const uint8_t *p)
{
    int r = p[0], g = p[1], b = p[2];
    return r >= 60 && r > g && g > b && (g - b) * 100 <= 55 * (r - b) && (r - b) * 10 >= 3 * r && (r - b) * 10 <= 8 * r;
}

/* Keep in `r` only the parts that `mark` (w x h) sets a pixel of (the others' areas become 0); 1 if any. */
static int parts_touching(sb_regions_t *r, const uint8_t *mark, int w)
{
    int any = 0;
    uint8_t *hit = calloc((size_t)(r->n ? r->n : 1), 1);
    if (!hit)
        return -1;
    for (int i = 0; i < r->n_runs; i++) {
        const sb_region_run_t *run = &r->run[i];
        for (int x = run->x0; x < run->x1 && !hit[run->part]; x++)
            hit[run->part] = mark[(size_t)run->y * w + x] != 0;
    }
    for (int i = 0; i < r->n; i++) {
        if (!hit[i])
            r->part[i].area = 0;
        any |= hit[i];
    }
    free(hit);
    return any;
}

/* The hand: skin of the subject where the person net sees a person, in parts on the photo's edge of at
 * least MIN_PART_FRAC of the subject, into `hand` (w x h); 1 if found. */
static sb_err find_hand(const sb_image_t *rgb, const sb_fimage_t *person, const sb_fimage_t *subject, uint8_t *hand,
                        int *found, sb_error_t *e)
{
    int w = rgb->width, h = rgb->height;
    size_t n = (size_t)w * h, subject_n = 0;
    sb_regions_t r = {0};
    for (size_t i = 0; i < n; i++) {
        int in = subject->data[i] >= 0.5f;
        subject_n += in;
        hand[i] = in && person->data[i] >= 0.5f && skin(rgb->data + i * 3);
    }
    sb_err err = sb_regions_find(hand, w, h, &r, e);
    *found = 0;
    for (int i = 0; !err && i < r.n; i++) {
        sb_region_t *p = &r.part[i];
        int edge = p->box[0] <= 1 || p->box[1] <= 1 || p->box[2] >= w - 1 || p->box[3] >= h - 1;
        if (!edge || (double)p->area < MIN_PART_FRAC * (double)subject_n)
            p->area = 0;
        *found |= p->area > 0;
    }
    if (!err)
        sb_regions_paint(&r, 1, hand, w, h);
    sb_regions_free(&r);
    return err;
}

sb_err sb_hand_apply(const sb_image_t *rgb, const sb_fimage_t *person, sb_fimage_t *subject, bool remove,
                     sb_hand_t *out, sb_error_t *e)
{
    int w = rgb->width, h = rgb->height, found = 0;
    memset(out, 0, sizeof *out);
    if (rgb->bands != 3 || person->width != w || person->height != h || subject->width != w || subject->height != h)
        return sb_error_set(e, SB_ERR_USAGE, "image", "the hand needs the photo, its person map and its subject at one size");
    size_t n = (size_t)w * h;
    uint8_t *hand = malloc(n), *held = malloc(n);
    sb_regions_t r = {0};
    sb_err err = hand && held ? find_hand(rgb, person, subject, hand, &found, e)
                              : sb_error_set(e, SB_ERR_NOMEM, "", "out of memory to find a hand");
    if (err || !found)
        goto done;
    for (size_t i = 0; i < n; i++) {
        out->hand += hand[i];
        held[i] = person->data[i] >= HELD_MIN;
    }
    /* The hand with what it holds: the person net's parts that hold the hand. */
    err = sb_regions_find(held, w, h, &r, e);
    int touching = err ? 0 : parts_touching(&r, hand, w);
    if (!err && touching < 0)
        err = sb_error_set(e, SB_ERR_NOMEM, "", "out of memory to find a hand");
    if (err)
        goto done;
    sb_regions_paint(&r, 1, held, w, h);
    /* Added only when the salient net missed much of what the hand holds (a white carton): otherwise the
     * subject has the product already, and the person net's extra is the shelf beside it. */
    long missing = 0, subject_n = 0;
    for (size_t i = 0; i < n; i++) {
        subject_n += subject->data[i] >= 0.5f;
        missing += held[i] && subject->data[i] < 0.5f;
    }
    for (size_t i = 0; missing >= HELD_MISSING * subject_n && i < n; i++) {
        float a = 0.5f + (person->data[i] - 0.5f) * HELD_STEEP;
        a = a > 1 ? 1 : a;
        if (held[i] && a > subject->data[i]) {
            out->added += subject->data[i] < 0.5f;
            subject->data[i] = a;
        }
    }
    if (!remove)
        goto done;
    int grow = (int)lroundf(GROW_FRAC * (float)(w > h ? w : h));
    err = sb_regions_dilate(hand, w, h, grow < 1 ? 1 : grow, e);
    for (size_t i = 0; !err && i < n; i++)
        if (hand[i]) {
            out->removed += subject->data[i] >= 0.5f;
            subject->data[i] = 0;
        }
done:
    sb_regions_free(&r);
    free(hand);
    free(held);
    return err;
}
