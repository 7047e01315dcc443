/* cutout_qa.h - the check every delivered people output passes (issue 13): how sure the matte is, how
 * much of the photo's background or of another person it kept, whether the photo's own border shows,
 * and how many faces the delivered image holds. A failed check is retried by the pipeline with another
 * framing (see headshot.c) and, when every strategy fails, refused with SB_ERR_CUTOUT_FAILED. Not
 * thread-safe per studio (it runs the face detector). Thresholds: docs/internals/pipeline.md. */
#ifndef SB_CUTOUT_QA_H
#define SB_CUTOUT_QA_H

#include <stdbool.h>

#include "pipeline/portrait.h"

/* The check fails on: a matte less sure than this (share of its pixels at alpha < 0.05 or > 0.95)... */
#define SB_CUTOUT_CONFIDENCE_MIN 0.60f
/* ... more kept apart from the subject than this (share of the frame), a visible photo edge, any face
 * count on the output but one... */
#define SB_CUTOUT_BACKGROUND_MAX 0.02f
/* ... or more of another person beside the subject's face than this (share of the frame, measured by
 * sb_matte_other_share when the portrait was cut out: p->other_person). Delivered cut-outs of groups/
 * read 0-0.00017, a neighbour's jacket or hair kept against the cheek 0.0008-0.0028 (docs/QUALITY.md,
 * h13-subject). Another face cheek to cheek with the subject's (sb_faces_touch, p->cheek_to_cheek) is
 * another person left beside it whatever the share: the outline on that side is where the other person
 * begins (groups/inspireface_attr_7242: a cut strip of hair along her cheek, which the share, leaving the
 * head's ellipse alone, read as 0.0002). */
#define SB_CUTOUT_OTHER_PERSON_MAX 0.001f
/* ... a rim of the old background along the subject's outline wider than this share of the frame's short
 * side, or more of the frame in holes than this share (pipeline/cutout_halo.h; calibrated in
 * docs/QUALITY.md, "Issue 13: halos, hair edges and holes"). */
#define SB_CUTOUT_HALO_MAX 0.013f
#define SB_CUTOUT_HOLES_MAX 0.004f
/* ... or more of the frame in opaque hair zone showing the old background's colour than this share (a slab
 * of the old background beside the head, after the edge solve opened what it could; pipeline/cutout_halo.h).
 * Only gross cases: sheen on dark hair measures up to 0.011 on outputs a customer accepts
 * (3ddfa_emma_collage), a picture inside a black frame 0.07 (docs/QUALITY.md, "Issue 13: the wall between
 * the strands"). */
#define SB_CUTOUT_WALL_MAX 0.03f
/* ... or more of the frame kept (alpha >= 0.08) far from the subject's own opaque body than this share (a
 * faint ghost of a person behind, a smear of the wall, a part cut loose: pipeline/cutout_ghost.h). Delivered
 * clean headshots of faces/ and groups/ read at most 0.0089 (a child's soft pigtails); the ghost of the man
 * behind on groups/3ddfa_emma_collage 0.016-0.057 over its four framings (docs/QUALITY.md, "neighbours'
 * remains and objects beside the subject"). */
#define SB_CUTOUT_GHOST_MAX 0.01f
/* ... or more of the frame in blown-out old background kept opaque below the chin than this share (a glare
 * the matte's edge cuts through, taken with a shoulder; pipeline/cutout_glare.h). groups/fr_two_people's
 * chandelier measures 0.043; a neighbour's white cardigan kept at the edge of dlib_2008_002079 0.0007;
 * every other headshot of faces/ and groups/ 0 (docs/QUALITY.md, "Issue 13: old background kept opaque"). */
#define SB_CUTOUT_GLARE_MAX 0.005f
/* ... or more of the frame kept opaque where the salient net reads background than this share, when the
 * salient net made the matte with the selfie net (pipeline/cutout_disagree.h). Delivered headshots of faces/
 * and groups/ made with both nets read 0; faces/inspireface_pose_roll_left (a window frame kept beside her
 * hair, and her far side the salient net missed) 0.31, groups/imagenet_candle (candle and tree; now refused
 * earlier for its focus) 0.46-0.70 (docs/QUALITY.md, "Issue 13: old background joined to the body"). */
#define SB_CUTOUT_DISAGREE_MAX 0.10f
/* ... or more of the frame raised by the edge solve more than 0.5 above the nets' matte than this share (a
 * faint patch of the old background the solve made opaque, joined to the subject; pipeline/cutout_raised.h).
 * The clean headshots of faces/ and groups/ read at most 0.00028 (gfpgan_julia_crop), their editorial and
 * anime avatars at most 0.000295 (dlib_2009_004587's 4th attempt); faces/prnet_aflw_04331 (a smudge of the
 * car's ceiling above her hair, the seat beside her neck) 0.0012 and 0.00071 on its first two attempts
 * (docs/QUALITY.md, "Issue 13: patches the edge solve made opaque"); groups/fr_kit_with_rose (scratchy grey
 * strokes of the old wall left of his curls and along both shoulders) 0.000475 and 0.000485 on the
 * headshot's first two attempts, 0.00043 and 0.000386 on the avatars' ("Issue 13: the wall's strokes
 * beside the curls, refused"). */
#define SB_CUTOUT_RAISED_MAX 0.00035f


/* sb_cutout_check_t is in strobe.h (results carry it). Check a delivered image `out` (3 bands, or 4: RGBA
 * is checked over mid grey, as sb_pipeline_likeness sees it) made from the cut-out portrait `p` (borrowed:
 * its matte p->alpha, 1 band, any size, is read at its own scale, with the subject's face box p->face in
 * its pixels, with the islands cleared from it, p->islands, added back: the matte as the nets made it;
 * p->salient, the salient net's map when it made the matte; p->nets, the nets' matte before the edge solve;
 * p->other_person and p->cheek_to_cheek as sb_portrait_cutout
 * measured them (either makes other_person_left), and p->aligned, the crop it was cut
 * from, whose old background colours the halo measure reads), whose source photo's corners land at
 * `quad` in `out`'s pixels. `faces_found` is the number of faces
 * already found on `out` (sb_likeness_t.faces), or negative to run the detector here. Fills `c` (attempts
 * left 0). Errors: SB_ERR_USAGE, SB_ERR_NOMEM, the detector's. */
sb_err sb_cutout_check(sb_studio_t *studio, const sb_image_t *out, const sb_portrait_t *p, const sb_point_t quad[4],
                       int faces_found, sb_cutout_check_t *c, sb_error_t *e);

#endif
