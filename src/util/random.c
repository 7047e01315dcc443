/* random.c - kernel randomness and hex. */
#include "util/random.h"
#include "util/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>

void sb_random_bytes(uint8_t *buf, size_t len)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = getrandom(buf + done, len - done, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            sb_log(SB_LOG_ERROR, "getrandom failed; refusing to make weak ids", json_pack("{s:i}", "errno", errno));
            abort();
        }
        done += (size_t)n;
    }
}

void sb_hex_encode(const uint8_t *in, size_t len, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * len] = '\0';
}

void sb_random_hex(char *out, size_t nbytes)
{
    uint8_t buf[64];
    if (nbytes > sizeof buf)
        nbytes = sizeof buf;
    sb_random_bytes(buf, nbytes);
    sb_hex_encode(buf, nbytes, out);
}
