/* align.c - similarity transforms for face framing. */
#include "vision/align.h"

#include <math.h>

const sb_framing_t SB_FRAMING_HEADSHOT = {.eye_y = 0.42f, .face_frac = 0.31f, .face_frac_max = 0.43f};

void sb_align_face_zoom(const sb_face_t *face, float face_frac, int width, sb_align_zoom_t *z)
{
    const sb_point_t *l = face->lmk;
    double ex = (l[SB_LMK_RIGHT_EYE].x + l[SB_LMK_LEFT_EYE].x) / 2.0;
    double ey = (l[SB_LMK_RIGHT_EYE].y + l[SB_LMK_LEFT_EYE].y) / 2.0;
    double a = -sb_face_roll_deg(face) * M_PI / 180.0;
    double size = sb_face_size(face);
    double s = face_frac * width / (size > 1 ? size : 1);
    double c = cos(a) * s, sn = sin(a) * s;
    double tx = width / 2.0;
    /* out = s R (p - eye_mid) + target */
    z->m[0] = c, z->m[1] = -sn, z->m[2] = tx - (c * ex - sn * ey);
    z->m[3] = sn, z->m[4] = c, z->m[5] = 0;
    z->drop = sn * ex + c * ey;
}

void sb_align_face_at(const sb_align_zoom_t *z, float eye_y, int height, double m[6])
{
    double ty = eye_y * height;
    for (int i = 0; i < 5; i++)
        m[i] = z->m[i];
    m[5] = ty - z->drop;
}

void sb_align_face(const sb_face_t *face, const sb_framing_t *framing, int width, int height, double m[6])
{
    sb_align_zoom_t z;
    sb_align_face_zoom(face, framing->face_frac, width, &z);
    sb_align_face_at(&z, framing->eye_y, height, m);
}

sb_point_t sb_align_unmap(const double m[6], sb_point_t q)
{
    double det = m[0] * m[4] - m[1] * m[3];
    double dx = q.x - m[2], dy = q.y - m[5];
    sb_point_t p = {(float)((m[4] * dx - m[1] * dy) / det), (float)((-m[3] * dx + m[0] * dy) / det)};
    return p;
}

void sb_align_face_in(const sb_face_t *face, const sb_framing_t *framing, int src_width, int src_height,
                      int width, int height, double m[6])
{
    sb_framing_t f = *framing;
    /* Points of the frame where the shoulders and chest are: lower corners and mid-sides. */
    const double probes[4][2] = {{0, height}, {width, height}, {0, height * 0.6}, {width, height * 0.6}};
    for (;;) {
        sb_align_face(face, &f, width, height, m);
        int inside = 1;
        for (int i = 0; i < 4 && inside; i++) {
            sb_point_t p = sb_align_unmap(m, (sb_point_t){(float)probes[i][0], (float)probes[i][1]});
            inside = p.x >= -0.5f && p.y >= -0.5f && p.x <= src_width + 0.5f && p.y <= src_height + 0.5f;
        }
        if (inside || f.face_frac >= f.face_frac_max)
            return;
        f.face_frac = f.face_frac * 1.04f > f.face_frac_max ? f.face_frac_max : f.face_frac * 1.04f;
    }
}

sb_point_t sb_align_point(const double m[6], sb_point_t p)
{
    sb_point_t r = {(float)(m[0] * p.x + m[1] * p.y + m[2]), (float)(m[3] * p.x + m[4] * p.y + m[5])};
    return r;
}

sb_face_t sb_align_face_map(const double m[6], const sb_face_t *face)
{
    sb_face_t r = *face;
    for (int i = 0; i < 5; i++)
        r.lmk[i] = sb_align_point(m, face->lmk[i]);
    sb_point_t c[4] = {{face->x, face->y}, {face->x + face->w, face->y},
                       {face->x, face->y + face->h}, {face->x + face->w, face->y + face->h}};
    float x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
    for (int i = 0; i < 4; i++) {
        sb_point_t q = sb_align_point(m, c[i]);
        x0 = fminf(x0, q.x), y0 = fminf(y0, q.y), x1 = fmaxf(x1, q.x), y1 = fmaxf(y1, q.y);
    }
    r.x = x0, r.y = y0, r.w = x1 - x0, r.h = y1 - y0;
    return r;
}
