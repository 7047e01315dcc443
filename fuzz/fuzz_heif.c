/* fuzz_heif.c - the byte-level readers under the image decoder that run before libvips: image/heif.c
 * (sb_heif_check_hevc, the HEIF box reader) and image/icc.c (sb_icc_description, sb_icc_fits_bands, the ICC
 * profile header and 'desc' tag). Both promise never to read outside the buffer: the input is copied into an
 * allocation of exactly its size so ASan sees any byte past it. Checks: the description is printable ASCII and
 * NUL-terminated within its capacity. */
#include "fuzz.h"
#include "image/heif.h"
#include "image/icc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *buf = malloc(size ? size : 1);
    if (!buf)
        abort();
    memcpy(buf, data, size);
    sb_error_t e = {0};
    sb_err err = sb_heif_check_hevc(buf, size, &e);
    FUZZ_CHECK(err == SB_OK || err == SB_ERR_UNSUPPORTED_FORMAT || err == SB_ERR_CORRUPT_IMAGE);

    char desc[40];
    memset(desc, 'x', sizeof desc);
    size_t cap = 1 + (size ? data[0] % (sizeof desc - 1) : 0);
    sb_icc_description(buf, size, desc, cap);
    FUZZ_CHECK(memchr(desc, '\0', cap));
    for (const char *p = desc; *p; p++)
        FUZZ_CHECK(*p >= 0x20 && *p < 0x7f);
    for (int bands = 0; bands <= 5; bands++)
        (void)sb_icc_fits_bands(buf, size, bands);
    free(buf);
    return 0;
}
