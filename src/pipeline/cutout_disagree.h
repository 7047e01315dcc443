/* cutout_disagree.h - the cut-out check's measure of what the matte keeps where the salient net sees
 * background (issue 13).
 *
 * The rule: the people matte is the union of the selfie net and the salient net (u2netp), so where the
 * selfie net alone says person the matte is opaque whatever the salient net read. A part kept opaque where
 * the salient net reads no more than its faint haze is one of the two nets' mistake: the subject's own hair
 * the salient net missed, or the old background the selfie net took for the person (the window frame
 * beside faces/inspireface_pose_roll_left's hair; the candle and the lit tree of groups/imagenet_candle).
 * Small parts are usual (a hand, a strand); a large share of the frame means the matte cannot be trusted
 * whichever net is wrong. Pure function, any thread, deterministic. */
#ifndef SB_CUTOUT_DISAGREE_H
#define SB_CUTOUT_DISAGREE_H

#include "image/image.h"

/* The share of the frame where `alpha` (1 band, 0..1, borrowed) is over 0.9 and `salient` (the salient
 * net's map as merged, alpha's size, borrowed: sb_matte_person_nets) is 0; 0 when `salient` is empty (the
 * selfie net made the matte alone) or of another size. */
float sb_cutout_disagree(const sb_fimage_t *alpha, const sb_fimage_t *salient);

#endif
