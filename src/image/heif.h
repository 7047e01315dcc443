/* heif.h - what a HEIF file holds, read from its boxes (ISO/IEC 14496-12 and 23008-12) before any
 * decoder sees it. The file brand says nothing reliable: an AVIF file relabelled "heic" is still AV1
 * inside, and libheif decodes each item with the codec of its item type. So the items are read.
 *
 * Threads: any thread; touches only its arguments. The input is untrusted: every size and offset is
 * checked against the buffer before it is read. */
#ifndef SB_HEIF_H
#define SB_HEIF_H

#include <stddef.h>

#include "util/err.h"

/* Check that the HEIF file buf[0..len) holds HEVC images only: its primary item is an HEVC image
 * (hvc1) or a derived image (grid, iovl, iden), no item is AV1 (av01) or another codec, and no item
 * property is an AV1 configuration (av1C). Errors: SB_ERR_UNSUPPORTED_FORMAT (AVIF, or HEIF with
 * another codec, named), SB_ERR_CORRUPT_IMAGE (no meta box, no primary item, or a box that runs past
 * its parent). Field "image". */
sb_err sb_heif_check_hevc(const void *buf, size_t len, sb_error_t *e);

#endif
