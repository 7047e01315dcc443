/* blob_fs.c - the blob store's local-directory driver ("file:DIR"): one file per blob, written by rename.
 * Names are checked by blob.c before they get here. */
#include "store/blob_driver.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct sb_blob_fs {
    char *dir;
    int dirfd; /* every file operation is relative to it, so a renamed DIR cannot redirect one */
};

/* Temp names start with a dot, which no blob name may: a reader never sees a half-written file. */
static atomic_ulong tmp_counter;

static sb_err io_error(sb_blob_fs_t *b, const char *what, const char *name, int err_no, sb_error_t *e)
{
    return sb_error_set(e, SB_ERR_STORE, "", "blob store %s '%s/%s': %s", what, b->dir, name,
                        strerror(err_no));
}

/* mkdir -p, each new level 0700. */
static int make_dirs(const char *path)
{
    char *p = strdup(path);
    if (!p) {
        errno = ENOMEM;
        return -1;
    }
    int rc = 0;
    for (char *s = p + 1; rc == 0; s++) {
        if (*s != '/' && *s != '\0')
            continue;
        char c = *s;
        *s = '\0';
        if (mkdir(p, 0700) != 0 && errno != EEXIST)
            rc = -1;
        *s = c;
        if (c == '\0')
            break;
    }
    free(p);
    return rc;
}

sb_err sb_blob_fs_open(const char *dir, sb_blob_fs_t **out, sb_error_t *e)
{
    *out = NULL;
    if (make_dirs(dir) != 0)
        return sb_error_set(e, SB_ERR_STORE, "store", "cannot create '%s': %s", dir, strerror(errno));
    sb_blob_fs_t *b = calloc(1, sizeof *b);
    if (!b || !(b->dir = strdup(dir))) {
        free(b);
        return sb_error_set(e, SB_ERR_NOMEM, "", "out of memory opening '%s'", dir);
    }
    b->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (b->dirfd < 0) {
        sb_err err = sb_error_set(e, SB_ERR_STORE, "store", "cannot open '%s': %s", dir, strerror(errno));
        free(b->dir);
        free(b);
        return err;
    }
    *out = b;
    return SB_OK;
}

void sb_blob_fs_close(sb_blob_fs_t *b)
{
    if (!b)
        return;
    close(b->dirfd);
    free(b->dir);
    free(b);
}

/* Create a fresh temp file in the store's directory; its name goes to `tmp`. */
static int open_temp(sb_blob_fs_t *b, char tmp[SB_BLOB_NAME_MAX + 32])
{
    for (;;) {
        snprintf(tmp, SB_BLOB_NAME_MAX + 32, ".tmp-%ld-%lu", (long)getpid(), atomic_fetch_add(&tmp_counter, 1));
        int fd = openat(b->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        /* EEXIST: left over by a crashed process that had the same pid; take the next number. */
        if (fd >= 0 || errno != EEXIST)
            return fd;
    }
}

static int write_all(int fd, const uint8_t *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

sb_err sb_blob_fs_put(sb_blob_fs_t *b, const char *name, const uint8_t *data, size_t len, sb_error_t *e)
{
    sb_err err;
    char tmp[SB_BLOB_NAME_MAX + 32];
    int fd = open_temp(b, tmp);
    if (fd < 0)
        return io_error(b, "cannot create a temp file in", "", errno, e);
    /* fsync before rename: otherwise a crash could leave the new name on an empty or partial file. */
    if (write_all(fd, data, len) != 0 || fsync(fd) != 0) {
        err = io_error(b, "cannot write", tmp, errno, e);
        close(fd);
        goto fail;
    }
    if (close(fd) != 0) {
        err = io_error(b, "cannot write", tmp, errno, e);
        goto fail;
    }
    if (renameat(b->dirfd, tmp, b->dirfd, name) != 0) {
        err = io_error(b, "cannot rename to", name, errno, e);
        goto fail;
    }
    /* The rename lives in the directory: sync it so the blob outlives a crash once put returns. */
    if (fsync(b->dirfd) != 0)
        return io_error(b, "cannot sync", "", errno, e);
    return SB_OK;
fail:
    unlinkat(b->dirfd, tmp, 0);
    return err;
}

sb_err sb_blob_fs_get(sb_blob_fs_t *b, const char *name, uint8_t **data, size_t *len, sb_error_t *e)
{
    sb_err err = SB_OK;
    int fd = openat(b->dirfd, name, O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT)
        return sb_error_set(e, SB_ERR_NOT_FOUND, "", "no blob '%s'", name);
    if (fd < 0)
        return io_error(b, "cannot open", name, errno, e);
    struct stat st;
    if (fstat(fd, &st) != 0) {
        err = io_error(b, "cannot stat", name, errno, e);
        goto done;
    }
    /* A blob never changes in place (put renames a new file over it), so the size read here holds. */
    size_t size = (size_t)st.st_size;
    uint8_t *buf = malloc(size ? size : 1);
    if (!buf) {
        err = sb_error_set(e, SB_ERR_NOMEM, "", "out of memory reading blob '%s' (%zu bytes)", name, size);
        goto done;
    }
    size_t got = 0;
    while (got < size) {
        ssize_t n = read(fd, buf + got, size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            err = n < 0 ? io_error(b, "cannot read", name, errno, e)
                        : sb_error_set(e, SB_ERR_STORE, "", "blob '%s' shrank while read", name);
            free(buf);
            goto done;
        }
        got += (size_t)n;
    }
    *data = buf;
    *len = size;
done:
    close(fd);
    return err;
}

sb_err sb_blob_fs_delete(sb_blob_fs_t *b, const char *name, sb_error_t *e)
{
    if (unlinkat(b->dirfd, name, 0) != 0 && errno != ENOENT)
        return io_error(b, "cannot delete", name, errno, e);
    return SB_OK;
}

sb_err sb_blob_fs_check_writable(sb_blob_fs_t *b, sb_error_t *e)
{
    char tmp[SB_BLOB_NAME_MAX + 32];
    int fd = open_temp(b, tmp);
    if (fd < 0)
        return io_error(b, "cannot create a temp file in", "", errno, e);
    static const uint8_t probe[] = "ok";
    sb_err err = SB_OK;
    if (write_all(fd, probe, sizeof probe) != 0)
        err = io_error(b, "cannot write", tmp, errno, e);
    close(fd);
    unlinkat(b->dirfd, tmp, 0);
    return err;
}
