/* subject.h - only the subject in a person matte: the part of the matte geodesically connected to the
 * subject's face, split from the other people's parts along colour edges, with what is not connected to
 * any face cleared; and how unsure that split is beside the subject's face. Any thread; allocates its own
 * scratch. */
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
 * under it, alpha is left as it is. Before the keep map is made, a region of the subject's body from its mouth down, of one
 * colour, that meets another face's part with no colour step and whose colour the subject's matte lacks
 * on the mirror side of its face goes to that face with a ring of one grid cell (a neighbour's lapel beside a bare neck;
 * docs/internals/vision.md, "Lone regions"). Deterministic. `rgb` is the photo as floats (3 bands, 0..1).
 * SB_ERR_USAGE on mismatched sizes or a subject out of range; SB_ERR_NOMEM. */
sb_err sb_matte_keep_subject(sb_fimage_t *alpha, const sb_fimage_t *rgb, const sb_face_t *faces, int n_faces,
                             int subject, sb_error_t *e);

/* How much of another person the split of the person matte `alpha` (1 band, 0..1, before
 * sb_matte_keep_subject; not changed) is unsure of beside the subject's face. The matte is split on a copy
 * as sb_matte_keep_subject does, but generously: the other faces' columns as narrow as the subject's and
 * kept out of the subject's grown head box down to the column's depth (the split before 2026-12-07, which
 * gives the subject every contested part), without the lone regions step and without the guided filter's
 * refinement of the cut. *share is then the area (alpha > 0.5) above the subject's
 * mouth (80% of its box's height) and outside the head's ellipse (inscribed in the box, 10% wider on each
 * side) that a 4-connected fill from the matte above the ellipse's upper half, within its width, running
 * round the ellipse and never across it, does not reach, on the sides (left or right of the subject's
 * centre) where another face competes for the matte; over the matte's area. The subject's own hair, hat
 * and ears hang from the top of its head; a neighbour's shoulder, hair or face kept against its cheek does
 * not. The delivered (firm) split may move such a remnant inside the ellipse rather than clear it
 * (groups/ulfd_22_cg's hair strand), which is why it is measured on the generous one. 0, and no split,
 * when no other face competes. Any thread; deterministic. SB_ERR_USAGE (not 1 band, sizes differ, subject
 * out of range), SB_ERR_NOMEM. */
sb_err sb_matte_other_share(const sb_fimage_t *alpha, const sb_fimage_t *rgb, const sb_face_t *faces, int n_faces,
                            int subject, float *share, sb_error_t *e);

/* Whether the weak face `weak` (found under the detector's level, sb_face_find) is another person the
 * person matte `alpha` (1 band, 0..1) holds: its centre lies on none of the boxes of `faces` (n_faces,
 * the faces found, the subject's among them); its box, cut back to the edge of any of those boxes it
 * reaches across, has at least a tenth of its band across the middle of its height (SEED_FRAC of it)
 * inside the frame, and the matte covers that part (mean alpha >= 0.5). When it is, `weak` receives the
 * cut box, to be given to sb_matte_keep_subject and sb_matte_other_share as one more face. A weak face on
 * the background (a blurred crowd, a pattern), out of the frame or on a face already found is not. Pure;
 * any thread. */
int sb_matte_holds_other(const sb_fimage_t *alpha, sb_face_t *weak, const sb_face_t *faces, int n_faces);

#endif
