/* net_input.h - a photo as a vision net's input: squash-resized to a square and laid out as a planar
 * float tensor. Shared by the nets that take the whole photo (safety, salient, matte). */
#ifndef SB_NET_INPUT_H
#define SB_NET_INPUT_H

#include "image/image.h"
#include "nn/nn.h"

/* `rgb` (3 bands, non-empty) resized to size x size, aspect not kept (squashed), into `in` as a 1x3xSxS
 * NCHW tensor of x / 255, then (x - mean[c]) / std[c] per channel when `mean` and `std` are given (both
 * NULL: x / 255 alone). `in->data` is malloc'd, the caller's (sb_tensor_free). Any thread. Errors: those
 * of sb_image_resize; SB_ERR_NOMEM. `in` holds no data on failure. */
sb_err sb_net_input_square(const sb_image_t *rgb, int size, const float mean[3], const float std[3], sb_tensor_t *in,
                           sb_error_t *e);

#endif
