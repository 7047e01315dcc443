/* align.h - head-and-shoulders framing: the similarity transform that levels the eye line, puts the
 * eyes at a fixed height and makes the face a fixed fraction of the output width. Pure arithmetic:
 * no allocation, any thread. */
#ifndef SB_ALIGN_H
#define SB_ALIGN_H

#include "vision/face.h"

typedef struct {
    float eye_y;         /* eye-line height as a fraction of the output height, from the top */
    float face_frac;     /* face width (sb_face_size) as a fraction of the output width */
    float face_frac_max; /* how far the face may grow when the photo is too tight for face_frac */
} sb_framing_t;

/* The framing of the corporate headshot. */
extern const sb_framing_t SB_FRAMING_HEADSHOT;

/* Fill m[6] with the source -> output affine map (see sb_image_warp_affine) that frames `face` in a
 * width x height output: rotated by -roll about the eye midpoint, scaled, translated. */
void sb_align_face(const sb_face_t *face, const sb_framing_t *framing, int width, int height, double m[6]);

/* sb_align_face in two steps, for the many framings of one face at one zoom that differ only in the eye
 * height (the framing search, align_fit.h): sb_align_face_zoom takes the part that depends on the face and
 * the zoom (the turn, the scale, the horizontal placement: trigonometry and the face's size), then
 * sb_align_face_at the eye height; their map is exactly sb_align_face's, to the bit. */
typedef struct {
    double m[6]; /* the map, but for its m[5] */
    double drop; /* what m[5] subtracts from the eye line's height in the output */
} sb_align_zoom_t;
void sb_align_face_zoom(const sb_face_t *face, float face_frac, int width, sb_align_zoom_t *z);
void sb_align_face_at(const sb_align_zoom_t *z, float eye_y, int height, double m[6]);

/* Like sb_align_face, but when the sides or bottom of the frame (where the body is) would fall outside
 * the src_width x src_height photo, zoom in step by step, up to framing->face_frac_max, so the photo's
 * own edges do not show inside the frame. The canvas is still extended beyond that limit. */
void sb_align_face_in(const sb_face_t *face, const sb_framing_t *framing, int src_width, int src_height,
                      int width, int height, double m[6]);

/* Inverse of the similarity map m (output -> source) applied to a point. */
sb_point_t sb_align_unmap(const double m[6], sb_point_t p);

/* Apply the map `m` to a point, and to every box corner and landmark of a face (the box of the result
 * is the axis-aligned bound of the transformed corners). */
sb_point_t sb_align_point(const double m[6], sb_point_t p);
sb_face_t sb_align_face_map(const double m[6], const sb_face_t *face);

#endif
