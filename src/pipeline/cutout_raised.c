/* cutout_raised.c - the share of the frame the edge solve made opaque where the nets saw background. */
#include "pipeline/cutout_raised.h"

/* Alpha more than this above the nets' matte. */
#define RISE 0.5f

float sb_cutout_raised(const sb_fimage_t *alpha, const sb_fimage_t *nets)
{
    if (!nets->data || nets->width != alpha->width || nets->height != alpha->height)
        return 0;
    size_t n = (size_t)alpha->width * alpha->height, raised = 0;
    for (size_t i = 0; i < n; i++) {
        raised += alpha->data[i] - nets->data[i] > RISE;
    }
    return (float)raised / (float)n;
}
