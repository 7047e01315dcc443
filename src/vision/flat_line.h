/* flat_line.h - lines of one flat colour and the straight step beside them: the measures a picture's
 * straight edge is found by, shared by the flat frame round a photo (photo_frame.c) and the gutters
 * between a collage's pictures (collage.c). A line is a whole row or a whole column of an image. Pure
 * arithmetic on borrowed pixels (3 or 4 bands; alpha ignored): any thread. */
#ifndef SB_FLAT_LINE_H
#define SB_FLAT_LINE_H

#include "image/image.h"

/* A pixel belongs to a flat line's colour when no channel differs from it by more than this (JPEG noise
 * on a flat colour stays well under it). */
#define SB_FLAT_TOL 12
/* A line is flat when at most this share of its pixels leaves its colour by more than SB_FLAT_TOL. */
#define SB_FLAT_SHARE_OUT 0.02f
/* A pixel steps away from a flat colour when a channel differs from it by more than this (the frame's
 * measure; a collage's gutter asks less, its pictures' light backdrops being close to a white gutter). */
#define SB_FLAT_STEP_DIFF 31

typedef enum { SB_LINE_ROW, SB_LINE_COL } sb_line_axis;

/* The number of pixels along a line of `axis` (the width for a row), and the number of such lines. */
int sb_flat_line_len(const sb_image_t *img, sb_line_axis axis);
int sb_flat_line_count(const sb_image_t *img, sb_line_axis axis);

/* The per-channel median of line `idx` of `axis` into c. */
void sb_flat_line_colour(const sb_image_t *img, sb_line_axis axis, int idx, uint8_t c[3]);

/* The largest channel difference between pixel p (3 channels or more) and colour c. */
int sb_flat_line_diff(const uint8_t *p, const uint8_t c[3]);

/* Whether line `idx` of `axis` is flat (at most SB_FLAT_SHARE_OUT of its pixels more than SB_FLAT_TOL off
 * its per-channel median), with that median in c when it is. Most lines of a photo are not flat and are
 * told so after a few of their pixels. */
int sb_flat_line_is_flat(const sb_image_t *img, sb_line_axis axis, int idx, uint8_t c[3]);

/* The share of line `idx` of `axis` whose pixels differ from c by more than `diff` (0..1). */
float sb_flat_line_share_off(const sb_image_t *img, sb_line_axis axis, int idx, const uint8_t c[3], int diff);

/* A straight step away from colour c, starting at line `first` (the first line that is not flat) and
 * going `dir` (+1 or -1) lines at a time: the share of pixels stepping away (a channel more than `diff`
 * off c) within the first three lines is the step's share (*share), and a straight edge has
 * it whole at once: at least 80% of the share met some lines further on (a subject's outline rising from
 * a plain backdrop grows line by line). Returns the number of lines past `first` before the step is whole
 * (0..2: the edge's blur, to trim), or -1 when the step is not straight or the image ends before it can
 * be measured (*share is then 0 when it could not be measured). */
int sb_flat_line_step(const sb_image_t *img, sb_line_axis axis, int first, int dir, const uint8_t c[3], int diff,
                      float *share);

#endif
