/* align_fit.h - head-and-shoulders framing that keeps the photo's own border out of the frame wherever
 * the person is: zoom in and shift the face a little within the frame, so the bust, the sides of the
 * body and the head all lie on the photo, or (when the photo ends across the hair or the bust) so the
 * photo's edge falls on the frame's edge rather than inside it. Pure arithmetic: no allocation, any
 * thread. */
#ifndef SB_ALIGN_FIT_H
#define SB_ALIGN_FIT_H

#include "vision/align.h"

/* How far a fit may move away from the framing asked for. */
typedef struct {
    float face_frac_max; /* the face may grow up to this fraction of the output width */
    float shift_x;       /* the eye midpoint may move this far (fraction of the width) from the centre */
    float shift_up, shift_down; /* and the eye line this far up or down (fractions of the height) */
    int head;            /* 1: the head (hair included) must lie on the photo too, or its cut on the frame's top */
    int whole;           /* 1: the whole frame must lie on the photo, so every cut of the photo falls on the
                          * frame's edge (a tight photo becomes a close-up rather than a card), and the
                          * face (its width about the eyes' midpoint) within the frame */
} sb_fit_limits_t;

/* The headshot's first framing: a little zoom and shift, the head kept whole. */
extern const sb_fit_limits_t SB_FIT_HEADSHOT;
/* The close-up tried when the first still shows the photo's edge: a larger face, moved further. */
extern const sb_fit_limits_t SB_FIT_CLOSEUP;

/* Fill m[6] (source -> output, as sb_align_face) framing `face` in a width x height output after
 * `framing`, changed as little as `limits` allow so that the frame's lower corners, its sides from
 * 60% of the height down, (with limits->head) the head's box and (with limits->whole) the frame's top
 * corners lie inside the src_width x src_height photo. Returns 1 when such a framing exists; else 0, with
 * m the framing that keeps the bust alone on the photo (with limits->head or whole) or else the one that
 * zooms furthest (the canvas is then extended beyond the photo). */
int sb_align_face_fit(const sb_face_t *face, const sb_framing_t *framing, const sb_fit_limits_t *limits,
                      int src_width, int src_height, int width, int height, double m[6]);

#endif
