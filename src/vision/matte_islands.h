/* matte_islands.h - the people matte's islands: parts of the matte apart from the subject's face, cleared
 * (issue 13: a faint patch of a curtain beside the subject that the soft-edge solve then made opaque,
 * groups/dlib_2009_004587). Any thread; allocates its own scratch. docs/internals/vision.md. */
#ifndef SB_MATTE_ISLANDS_H
#define SB_MATTE_ISLANDS_H

#include "image/image.h"
#include "vision/face.h"

/* Alpha at or over this is part of an island or of the subject; fainter haze is left as it is. */
#define SB_ISLAND_ALPHA 0.05f
/* A part that comes within this share of the short side of the subject (square distance) is its own soft
 * edge (a flyaway strand, a speck of frizz) and stays: the reach of the cut-out check's `ghost`. */
#define SB_ISLAND_REACH 0.04f

/* Clear, in `alpha` (1 band, 0..1, in place), every 8-connected part of alpha >= SB_ISLAND_ALPHA that has
 * no pixel inside `face`'s box (alpha's pixels) nor within SB_ISLAND_REACH of the parts that do: whatever
 * of the matte is joined to the subject's face, however faintly, or near enough to be its strands, stays;
 * a patch apart from it goes. The subject split (sb_matte_keep_subject) already clears matte connected to
 * no face on its coarse grid; this is the same rule at the pixel, after the soft edge was solved (which can
 * make a faint patch opaque). When `cleared` is not NULL it is filled (freed first; alpha's size, 1 band)
 * with the values cleared, 0 elsewhere: alpha + cleared is the matte as it was. SB_ERR_NOMEM. */
sb_err sb_matte_drop_islands(sb_fimage_t *alpha, const sb_face_t *face, sb_fimage_t *cleared, sb_error_t *e);

#endif
