/* scene - render one product scene to a PNG and time it: the scenes of render/scene.c looked at and
 * measured without a product or the pipeline around them.
 *
 * usage: scene PRESET|PROMPT OUT.png [SIZE] [SHADOW_DEG] [ITERATIONS] [FLOOR_Y]
 * PRESET is a preset name (marble, outdoor, ...); anything else is read as a custom background_prompt.
 * Defaults: 2000 x 2000, shadow straight down (90: light from above), 1 iteration, no floor (FLOOR_Y: the
 * product's base row, for outdoor's table). Prints the render's min
 * and p50 in ms over the iterations; the PNG is the last render. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "benchutil.h"
#include "image/io.h"
#include "render/scene.h"

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: scene PRESET|PROMPT OUT.png [SIZE] [SHADOW_DEG] [ITERATIONS] [FLOOR_Y]\n");
        return 2;
    }
    int size = argc > 3 ? atoi(argv[3]) : 2000, iters = argc > 5 ? atoi(argv[5]) : 1;
    sb_scene_frame_t frame = {argc > 4 ? (float)atof(argv[4]) : 90, argc > 6 ? (float)atof(argv[6]) : NAN, 0};
    iters = iters < 1 || iters > BU_MAX_ITER ? 1 : iters;
    sb_error_t e = {0};
    sb_scene_preset p;
    sb_scene_spec_t spec = {0};
    if (sb_io_init(argv[0], &e))
        goto fail;
    if (sb_scene_preset_parse(argv[1], &p, NULL)) {
        p = SB_SCENE_CUSTOM;
        if (sb_scene_prompt_parse(argv[1], &spec, NULL, NULL, &e))
            goto fail;
    }
    static double t[BU_MAX_ITER];
    sb_fimage_t img = {0};
    for (int i = 0; i < iters; i++) {
        sb_fimage_free(&img);
        double t0 = now_ms();
        if (sb_scene_render_lit(p, &spec, 1, size, size, &frame, &img, &e))
            goto fail;
        t[i] = now_ms() - t0;
    }
    sb_image_t u8 = {0};
    uint8_t *png;
    size_t len;
    if (sb_fimage_to_u8(&img, &u8, &e) || sb_io_encode(&u8, SB_FMT_PNG, 0, &png, &len, &e) ||
        sb_io_write_file(argv[2], png, len, &e))
        goto fail;
    double p50 = bu_pct(t, (size_t)iters, 50);
    printf("{\"scene\": \"%s\", \"size\": %d, \"min_ms\": %.1f, \"p50_ms\": %.1f}\n", argv[1], size, t[0], p50);
    return 0;
fail:
    fprintf(stderr, "scene: %s\n", e.message);
    return 1;
}
