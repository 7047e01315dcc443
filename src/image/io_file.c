/* io_file.c - whole files in and out for the codecs of io.c (sb_io_read_file, sb_io_write_file) and the
 * formats' names and extensions (see io.h). Plain POSIX; any thread. */
#include "image/io.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

sb_err sb_io_read_file(const char *path, size_t max_bytes, uint8_t **out, size_t *len, sb_error_t *e)
{
    *out = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return sb_error_set(e, SB_ERR_IO, "path", "cannot open %s: %s", path, strerror(errno));
    sb_err err = SB_OK;
    uint8_t *buf = NULL;
    size_t n = 0, cap = 0;
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && (unsigned long long)st.st_size > max_bytes) {
        err = sb_error_set(e, SB_ERR_IMAGE_TOO_LARGE, "path", "%s is %lld bytes; the limit is %zu", path,
                           (long long)st.st_size, max_bytes);
        goto fail;
    }
    for (;;) {
        if (n == cap) {
            /* One byte past the cap is enough to tell that a stream is too long. */
            size_t want = cap ? cap * 2 : 65536;
            if (want > max_bytes + 1)
                want = max_bytes + 1;
            uint8_t *grown = want > cap ? realloc(buf, want) : NULL;
            if (!grown) {
                err = sb_error_set(e, SB_ERR_NOMEM, "path", "out of memory reading %s", path);
                goto fail;
            }
            buf = grown, cap = want;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n > max_bytes) {
            err = sb_error_set(e, SB_ERR_IMAGE_TOO_LARGE, "path", "%s is over the limit of %zu bytes", path,
                               max_bytes);
            goto fail;
        }
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        err = sb_error_set(e, SB_ERR_IO, "path", "cannot read %s", path);
        goto fail;
    }
    fclose(f);
    *out = buf;
    *len = n;
    return SB_OK;
fail:
    fclose(f);
    free(buf);
    return err;
}

sb_err sb_io_write_file(const char *path, const uint8_t *data, size_t len, sb_error_t *e)
{
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 8);
    if (!tmp)
        return sb_error_set(e, SB_ERR_NOMEM, "path", "out of memory");
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".XXXXXX", 8);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        sb_err err = sb_error_set(e, SB_ERR_IO, "path", "cannot create a file beside %s: %s", path, strerror(errno));
        free(tmp);
        return err;
    }
    size_t done = 0;
    int saved = 0;
    while (done < len && !saved) {
        ssize_t w = write(fd, data + done, len - done);
        if (w > 0)
            done += (size_t)w;
        else if (w == 0 || errno != EINTR)
            saved = w < 0 ? errno : EIO;
    }
    /* mkstemp makes the file 0600; published outputs are world-readable like any other file. */
    if (!saved && fchmod(fd, 0644) != 0)
        saved = errno;
    if (close(fd) != 0 && !saved)
        saved = errno;
    if (!saved && rename(tmp, path) != 0)
        saved = errno;
    if (saved) {
        unlink(tmp);
        free(tmp);
        return sb_error_set(e, SB_ERR_IO, "path", "cannot write %s: %s", path, strerror(saved));
    }
    free(tmp);
    return SB_OK;
}

const char *sb_format_name(sb_format_t fmt)
{
    switch (fmt) {
    case SB_FMT_JPEG: return "jpeg";
    case SB_FMT_PNG: return "png";
    case SB_FMT_WEBP: return "webp";
    case SB_FMT_HEIC: return "heic";
    default: return "unknown";
    }
}

const char *sb_format_ext(sb_format_t fmt)
{
    return fmt == SB_FMT_JPEG ? "jpg" : sb_format_name(fmt);
}

sb_format_t sb_format_parse(const char *name)
{
    if (!name)
        return SB_FMT_UNKNOWN;
    if (!strcasecmp(name, "jpeg") || !strcasecmp(name, "jpg"))
        return SB_FMT_JPEG;
    if (!strcasecmp(name, "png"))
        return SB_FMT_PNG;
    if (!strcasecmp(name, "webp"))
        return SB_FMT_WEBP;
    if (!strcasecmp(name, "heic"))
        return SB_FMT_HEIC;
    return SB_FMT_UNKNOWN;
}
