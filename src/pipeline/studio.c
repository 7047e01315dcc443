/* studio.c - a thread's handles on the process's shared nets, and the first steps of every face pipeline. */
#include "pipeline/studio.h"

#include <stdlib.h>
#include <string.h>

#include "vision/face_verify.h"

sb_err sb_studio_open(sb_studio_t **out, sb_error_t *e)
{
    *out = calloc(1, sizeof **out);
    return *out ? SB_OK : sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for a studio");
}

void sb_studio_close(sb_studio_t *studio)
{
    if (!studio)
        return;
    sb_face_detector_close(studio->detector);
    sb_matter_close(studio->matter);
    sb_face_mesh_close(studio->mesh);
    sb_face_embedder_close(studio->embedder);
    sb_safety_close(studio->safety);
    for (int i = 0; i < 2; i++)
        sb_cartoon_close(studio->cartoon[i]);
    sb_salient_close(studio->salient);
    free(studio);
}

sb_err sb_studio_preload(sb_studio_t *studio, sb_error_t *e)
{
    /* Two at a time: session creation is CPU work, and CartoonGAN's two 44 MB nets take most of it. */
    sb_err first = sb_model_sessions_open_all(2, e);
    if (first)
        return first;
    sb_face_detector_t *d;
    sb_matter_t *m;
    sb_face_mesh_t *fm;
    sb_face_embedder_t *em;
    sb_safety_t *s;
    sb_salient_t *sal;
    sb_err err = sb_studio_detector(studio, &d, e);
    if (!err)
        err = sb_studio_matter(studio, &m, e);
    if (!err)
        err = sb_studio_mesh(studio, &fm, e);
    if (!err)
        err = sb_studio_embedder(studio, &em, e);
    if (!err)
        err = sb_studio_safety(studio, &s, e);
    if (!err)
        err = sb_studio_salient(studio, &sal, e);
    sb_cartoon_t *c;
    for (int v = 0; !err && v < 2; v++)
        err = sb_studio_cartoon(studio, (sb_cartoon_variant)v, &c, e);
    return err;
}

sb_err sb_studio_detector(sb_studio_t *studio, sb_face_detector_t **out, sb_error_t *e)
{
    sb_err err = studio->detector ? SB_OK : sb_face_detector_open(&studio->detector, e);
    *out = studio->detector;
    return err;
}

sb_err sb_studio_matter(sb_studio_t *studio, sb_matter_t **out, sb_error_t *e)
{
    sb_err err = studio->matter ? SB_OK : sb_matter_open(&studio->matter, e);
    *out = studio->matter;
    return err;
}

sb_err sb_studio_mesh(sb_studio_t *studio, sb_face_mesh_t **out, sb_error_t *e)
{
    sb_err err = studio->mesh ? SB_OK : sb_face_mesh_open(&studio->mesh, e);
    *out = studio->mesh;
    return err;
}

sb_err sb_studio_embedder(sb_studio_t *studio, sb_face_embedder_t **out, sb_error_t *e)
{
    sb_err err = studio->embedder ? SB_OK : sb_face_embedder_open(&studio->embedder, e);
    *out = studio->embedder;
    return err;
}

sb_err sb_studio_safety(sb_studio_t *studio, sb_safety_t **out, sb_error_t *e)
{
    sb_err err = studio->safety ? SB_OK : sb_safety_open(&studio->safety, e);
    *out = studio->safety;
    return err;
}

sb_err sb_studio_cartoon(sb_studio_t *studio, sb_cartoon_variant v, sb_cartoon_t **out, sb_error_t *e)
{
    if (v != SB_CARTOON_HOSODA && v != SB_CARTOON_HAYAO)
        return sb_error_set(e, SB_ERR_USAGE, "variant", "unknown cartoon variant %d", (int)v);
    sb_err err = studio->cartoon[v] ? SB_OK : sb_cartoon_open(v, &studio->cartoon[v], e);
    *out = studio->cartoon[v];
    return err;
}

sb_err sb_studio_salient(sb_studio_t *studio, sb_salient_t **out, sb_error_t *e)
{
    sb_err err = studio->salient ? SB_OK : sb_salient_open(&studio->salient, e);
    *out = studio->salient;
    return err;
}

void sb_detect_result_add_model(sb_detect_result_t *res, sb_model_id id)
{
    for (int i = 0; i < res->n_models; i++)
        if (res->models[i] == id)
            return;
    if (res->n_models < SB_MODELS_USED_MAX)
        res->models[res->n_models++] = id;
}

void sb_detect_result_free(sb_detect_result_t *res)
{
    if (res)
        sb_face_list_free(&res->faces);
}

/* Largest power-of-two JPEG shrink (1..8) that keeps the long side >= want, so decoding is done
 * by the codec's DCT scaling and no further resize is needed. */
static int working_side(int long_side, int want)
{
    int s = 1;
    while (s < 8 && long_side / (s * 2) >= want)
        s *= 2;
    return (long_side + s - 1) / s;
}

sb_err sb_pipeline_decode(const uint8_t *buf, size_t len, int want_side, int min_side, sb_image_t *work,
                          sb_detect_result_t *res, sb_error_t *e)
{
    sb_err err = sb_io_probe(buf, len, &res->input, e);
    if (err)
        return err;
    int swap = res->input.orientation >= 5; /* orientations 5..8 transpose the image */
    res->upright_width = swap ? res->input.height : res->input.width;
    res->upright_height = swap ? res->input.width : res->input.height;
    int long_side = res->upright_width > res->upright_height ? res->upright_width : res->upright_height;
    sb_decode_opts_t opts = {.max_side = working_side(long_side, want_side), .min_side = min_side};
    err = sb_io_decode(buf, len, &opts, work, NULL, e);
    if (err)
        return err;
    res->work_width = work->width, res->work_height = work->height;
    sb_stages_mark(&res->stages, "decode");
    return SB_OK;
}

sb_err sb_pipeline_find_faces(sb_studio_t *studio, sb_image_t *work, sb_face_list_t *work_faces,
                              sb_face_list_t *weak, sb_detect_result_t *res, sb_error_t *e)
{
    sb_face_detector_t *det;
    sb_face_mesh_t *mesh;
    sb_err err = sb_studio_detector(studio, &det, e);
    if (!err)
        err = sb_studio_mesh(studio, &mesh, e);
    if (err)
        return err;
    sb_detect_result_add_model(res, SB_MODEL_YUNET);
    sb_detect_result_add_model(res, SB_MODEL_FACEMESH);
    int turns;
    sb_image_t turned;
    err = sb_face_find(det, mesh, work, work_faces, weak, &turns, &turned, e);
    if (err)
        return err;
    int upright_w = work->width, upright_h = work->height; /* the working image before any turn */
    if (turns) {
        sb_image_free(work);
        *work = turned;
        res->turn_deg = 90 * turns;
        res->work_width = work->width, res->work_height = work->height;
    }
    res->subject = sb_face_pick_subject(work_faces, work->width, work->height);
    res->faces.count = work_faces->count;
    res->faces.faces = malloc((size_t)(work_faces->count ? work_faces->count : 1) * sizeof(sb_face_t));
    if (!res->faces.faces)
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory for faces");
    /* The working image covers the upright input, or the picture inside its frame (res->frame). */
    const int *fr = res->frame;
    int framed = fr[2] > fr[0];
    float ox = framed ? (float)fr[0] : 0, oy = framed ? (float)fr[1] : 0;
    float kx = (float)(framed ? fr[2] - fr[0] : res->upright_width) / upright_w;
    float ky = (float)(framed ? fr[3] - fr[1] : res->upright_height) / upright_h;
    for (int i = 0; i < work_faces->count; i++) {
        sb_face_t f = sb_turn_face(&work_faces->faces[i], work->width, work->height, (4 - turns) & 3);
        f.x = ox + f.x * kx, f.y = oy + f.y * ky, f.w *= kx, f.h *= ky;
        for (int k = 0; k < 5; k++)
            f.lmk[k].x = ox + f.lmk[k].x * kx, f.lmk[k].y = oy + f.lmk[k].y * ky;
        res->faces.faces[i] = f;
    }
    sb_stages_mark(&res->stages, "detect");
    return SB_OK;
}

sb_err sb_detect(sb_studio_t *studio, const uint8_t *buf, size_t len, sb_detect_result_t *res, sb_error_t *e)
{
    memset(res, 0, sizeof *res);
    res->subject = -1;
    sb_stages_start(&res->stages);
    sb_image_t work = {0};
    sb_face_list_t faces = {0};
    sb_err err = sb_pipeline_decode(buf, len, 1280, 0, &work, res, e);
    if (!err)
        err = sb_pipeline_find_faces(studio, &work, &faces, NULL, res, e);
    sb_face_list_free(&faces);
    sb_image_free(&work);
    if (err)
        sb_detect_result_free(res);
    return err;
}
