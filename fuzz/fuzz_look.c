/* fuzz_look.c - the look JSON loader, render/look.c sb_look_from_json (a learned style read back from the
 * store or sent by a client). Checks: a look it accepts serialises (sb_look_to_json) and parses again to the
 * same values bit for bit, as look.h promises. */
#include "fuzz.h"
#include "render/look.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *json = fuzz_cstr(data, size);
    sb_error_t e = {0};
    sb_look_t look, again;
    if (!sb_look_from_json(json, &look, &e)) {
        char *out = NULL;
        FUZZ_CHECK(!sb_look_to_json(&look, &out, &e));
        FUZZ_CHECK(!sb_look_from_json(out, &again, &e));
        FUZZ_CHECK(!memcmp(&look, &again, sizeof look));
        free(out);
    }
    free(json);
    return 0;
}
