/* likeness.c - the face on an output found again and compared with the reference (see likeness.h). */
#include "pipeline/likeness.h"

sb_err sb_pipeline_likeness(sb_studio_t *studio, const sb_image_t *frame, const float *emb_ref, float *likeness,
                            bool *found, sb_error_t *e)
{
    sb_image_t rgb = {0};
    const sb_image_t *look = frame;
    if (frame->bands == 4) {
        sb_err err = sb_image_alloc(&rgb, frame->width, frame->height, 3, e);
        if (err)
            return err;
        size_t n = (size_t)frame->width * frame->height;
        for (size_t i = 0; i < n; i++)
            for (int c = 0; c < 3; c++) {
                unsigned a = frame->data[4 * i + 3];
                rgb.data[3 * i + c] = (uint8_t)((frame->data[4 * i + c] * a + 128u * (255u - a) + 127u) / 255u);
            }
        look = &rgb;
    }
    sb_face_detector_t *det;
    sb_face_embedder_t *em;
    sb_face_list_t faces = {0};
    float emb[SB_EMBED_DIM];
    *likeness = 0;
    *found = false;
    sb_err err = sb_studio_detector(studio, &det, e);
    if (!err)
        err = sb_face_detect(det, look, &faces, e);
    if (!err && faces.count > 0) {
        /* The largest face is the subject: the crop is framed around it. */
        int best = 0;
        for (int i = 1; i < faces.count; i++)
            if (faces.faces[i].w * faces.faces[i].h > faces.faces[best].w * faces.faces[best].h)
                best = i;
        err = sb_studio_embedder(studio, &em, e);
        if (!err)
            err = sb_face_embed(em, look, &faces.faces[best], emb, e);
        if (!err) {
            *found = true;
            *likeness = sb_likeness_from_cosine(sb_embed_cosine(emb_ref, emb));
        }
    }
    sb_face_list_free(&faces);
    sb_image_free(&rgb);
    return err;
}
