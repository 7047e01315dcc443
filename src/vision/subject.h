/* subject.h - only the subject in a person matte: the part of the matte geodesically connected to the
 * subject's face, split from the other people's parts along colour edges, with what is not connected to
 * any face cleared. Any thread; allocates its own scratch. */
#ifndef SB_SUBJECT_H
#define SB_SUBJECT_H

#include "image/image.h"
#include "vision/face.h"

/* Keep in `alpha` (1 band, 0..1, `rgb`'s size; changed in place) only the subject `faces[subject]`.
 * On a grid of at most 256 cells a side, every cell of alpha >= 0.5 goes to the face (of `faces`, n_faces
 * boxes; faces under half the subject's height are left out in alpha's coordinates; a box outside the photo but within a face height of it seeds the
 * nearest edge cells) whose centre box it is nearest to
 * along a path inside the matte, a step costing its length times (1 + 10 x the colour
 * difference crossed); every other cell follows its nearest matte cell. Cells that go to another face or
 * to none are cleared: the keep map is sampled back to full size and refined with the guided filter
 * (guided by `rgb`), so the cut follows the photo's edges rather than the grid. When the subject's centre box has no matte
 * under it, alpha is left as it is. Deterministic. `rgb` is the photo as floats (3 bands, 0..1).
 * SB_ERR_USAGE on mismatched sizes or a subject out of range; SB_ERR_NOMEM. */
sb_err sb_matte_keep_subject(sb_fimage_t *alpha, const sb_fimage_t *rgb, const sb_face_t *faces, int n_faces,
                             int subject, sb_error_t *e);

#endif
