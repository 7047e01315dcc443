/* safety.c - nsfwjs MobileNetV2 at 224x224: RGB x/255, squash-resize, softmax output "probs". */
#include "vision/safety.h"

#include <stdlib.h>

#include "nn/models.h"
#include "nn/nn.h"
#include "vision/net_input.h"

#define NET_SIZE 224
#define N_CLASSES 5

struct sb_safety {
    sb_net_t *net;
};

sb_err sb_safety_open(sb_safety_t **out, sb_error_t *e)
{
    *out = NULL;
    sb_safety_t *x = calloc(1, sizeof *x);
    if (!x)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for the safety classifier");
    sb_err err = sb_model_session(SB_MODEL_NSFW, &x->net, e);
    if (err) {
        free(x);
        return err;
    }
    *out = x;
    return SB_OK;
}

void sb_safety_close(sb_safety_t *s)
{
    if (!s)
        return;
    free(s);
}

bool sb_safety_exceeds(const sb_safety_result_t *r, float explicit_min)
{
    return r->porn + r->hentai >= explicit_min;
}

bool sb_safety_is_unsafe(const sb_safety_result_t *r)
{
    return sb_safety_exceeds(r, SB_SAFETY_EXPLICIT_MIN);
}

sb_err sb_safety_classify(sb_safety_t *s, const sb_image_t *rgb, sb_safety_result_t *out, sb_error_t *e)
{
    if (!rgb || !rgb->data || rgb->width < 1 || rgb->height < 1 || rgb->bands != 3)
        return sb_error_set(e, SB_ERR_USAGE, "image", "the safety classifier needs a non-empty 3-band RGB image");
    sb_tensor_t in = {0}, probs = {0};
    const char *name = "probs";
    /* Squashed, not cropped: nsfwjs was trained and is used that way, and a crop could cut away the
     * very region that matters. */
    sb_err err = sb_net_input_square(rgb, NET_SIZE, NULL, NULL, &in, e);
    if (err)
        return err;
    err = sb_net_forward(s->net, &in, &name, 1, &probs, e);
    if (err)
        goto done;
    if (sb_tensor_count(&probs) != N_CLASSES) {
        err = sb_error_set(e, SB_ERR_INTERNAL, "", "the safety net returned %ld values, not %d",
                           sb_tensor_count(&probs), N_CLASSES);
        goto done;
    }
    const float *p = probs.data;
    *out = (sb_safety_result_t){.drawing = p[0], .hentai = p[1], .neutral = p[2], .porn = p[3], .sexy = p[4]};
    out->unsafe = sb_safety_is_unsafe(out);
done:
    sb_tensor_free(&probs);
    sb_tensor_free(&in);
    return err;
}
