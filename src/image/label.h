/* label.h - connected parts (8- or 4-connected) of a thresholded float mask: the island removal of the
 * salient mask, the person matte's merge of its two nets, the cut-out check's region of the subject. Any
 * thread; allocates its own scratch. */
#ifndef SB_LABEL_H
#define SB_LABEL_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

typedef struct {
    int *label;   /* width*height; 0 where the pixel is not in a part, else the part's id (1..count) */
    size_t *area; /* count entries: area[id - 1] is the part's pixel count */
    int count;
} sb_parts_t;

/* Label the 8-connected parts of the pixels of a width x height byte mask that are non-zero (the caller
 * thresholds its own image into the mask: a loop the compiler vectorises, where a call per pixel was about
 * 1 CPU-ms an 800x800 frame). Ids are given in scan order (row-major position of a part's first pixel), so
 * the result is deterministic. `mask` is only read. `parts` is filled by the call (free with sb_parts_free,
 * also on failure). SB_ERR_NOMEM. */
sb_err sb_parts_label(int width, int height, const uint8_t *mask, sb_parts_t *parts, sb_error_t *e);

/* As sb_parts_label, with 4-connected parts (pixels that share a side). */
sb_err sb_parts_label4(int width, int height, const uint8_t *mask, sb_parts_t *parts, sb_error_t *e);

/* Free what sb_parts_label or sb_parts_label4 allocated. NULL-safe; safe twice. */
void sb_parts_free(sb_parts_t *parts);

#endif
