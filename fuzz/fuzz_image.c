/* fuzz_image.c - untrusted image bytes through src/image/io.c: sb_io_probe (the header), sb_io_check (the
 * size and aspect rules) and sb_io_decode with a small pixel limit (65536 pixels, longest side 64), so that a
 * run stays fast and the limits themselves are exercised. libvips and its loaders are not instrumented; what
 * this finds is in strobe's own code around them. Checks: a header the probe accepted has a format, an
 * orientation 1..8 and a terminated profile name; nothing is decoded from a header sb_io_check refuses; a
 * decoded image is RGB with sides of at least one pixel and at most max_side. The probe runs once per input,
 * inside sb_io_decode (a second sb_io_probe call of the same bytes cost a libvips header load each). */
#include "fuzz.h"
#include "image/io.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    sb_error_t e = {0};
    if (sb_io_init((*argv)[0], &e)) {
        fprintf(stderr, "sb_io_init: %s\n", e.message);
        abort();
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *buf = malloc(size ? size : 1);
    if (!buf)
        abort();
    memcpy(buf, data, size);
    sb_error_t e = {0};
    sb_image_info_t info;
    sb_decode_opts_t opts = {.max_pixels = 65536, .max_side = 64, .min_side = 2};
    /* sb_io_decode starts with sb_io_probe's own code on the same bytes and leaves its header in `info`
     * (format SB_FMT_UNKNOWN when the probe refused them), so the probe's output is checked from there
     * rather than by probing a second time (each probe is a libvips header load). */
    sb_image_t img = {0};
    sb_err err = sb_io_decode(buf, size, &opts, &img, &info, &e);
    if (info.format != SB_FMT_UNKNOWN) {
        FUZZ_CHECK(info.orientation >= 1 && info.orientation <= 8);
        FUZZ_CHECK(memchr(info.icc, '\0', sizeof info.icc));
        sb_error_t ce = {0};
        FUZZ_CHECK(!sb_io_check(&info, &opts, &ce) || err); /* nothing decoded from a header the rules refuse */
        (void)sb_io_check(&info, NULL, &ce);
    }
    if (!err) {
        FUZZ_CHECK(img.bands == 3 && img.width >= 1 && img.height >= 1);
        FUZZ_CHECK(img.width <= opts.max_side && img.height <= opts.max_side);
        FUZZ_CHECK((long long)info.width * info.height <= opts.max_pixels);
        sb_image_free(&img);
    }
    FUZZ_CHECK(memchr(e.message, '\0', sizeof e.message));
    free(buf);
    return 0;
}
