/* face_neighbours.h - the geometry of faces beside the subject's, for the subject split (subject.c) and
 * the cut-out check: whether another face lies cheek to cheek with the subject's, and how much of a split
 * matte lies beside the subject's face without hanging from its head. Pure functions; any thread. */
#ifndef SB_FACE_NEIGHBOURS_H
#define SB_FACE_NEIGHBOURS_H

#include "image/image.h"
#include "vision/face.h"

/* Whether another face of `faces` (n_faces boxes, one coordinate frame) lies cheek to cheek with
 * faces[subject]: at least 0.9 of its height (beside it, not below or behind it), their boxes overlap in
 * rows and are less than a tenth of the subject's box width apart side by side. The subject's outline on
 * that side is then where the other person begins: the nets see one blob, and the split along the cheek
 * keeps a cut strip of hair and the other person's edge (groups/inspireface_attr_7242). 0 for a subject
 * out of range. Pure; any thread. */
int sb_faces_touch(const sb_face_t *faces, int n_faces, int subject);

/* *share = the share of the frame of the split matte `alpha` (1 band, 0..1) that lies beside face `f`
 * (outside its head's ellipse, the box widened 10% a side for the ears, above its mouth) and is not joined
 * to the matte above the head, on the `sides` (bit 0 left, bit 1 right of the face's centre) asked for:
 * a neighbour's remains the split left against the cheek (sb_matte_other_share). SB_ERR_NOMEM. */
sb_err sb_matte_beside_face(const sb_fimage_t *alpha, const sb_face_t *f, int sides, float *share, sb_error_t *e);

#endif
