/* fsio.c - see fsio.h. */
#include "base/fsio.h"
#include "base/alloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Past max_len: the size is known before anything that big is allocated. */
static char *too_big(int fd, size_t max_len, char *err, size_t errlen)
{
    snprintf(err, errlen, "file is larger than the limit of %zu bytes", max_len);
    close(fd);
    errno = EFBIG;
    return NULL;
}

char *fs_read_all(const char *path, size_t *len, size_t max_len, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open: %s", strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size > max_len)
        return too_big(fd, max_len, err, errlen);
    size_t cap = 64 * 1024 < max_len ? 64 * 1024 : max_len, n = 0;
    char *data = kpi_malloc(cap + 1);
    for (;;) {
        if (n == cap && cap < max_len) {
            cap = cap * 2 < max_len ? cap * 2 : max_len;
            data = kpi_realloc(data, cap + 1);
        }
        /* when full, one byte more (into the NUL's room) tells the end from too much */
        ssize_t r = read(fd, data + n, n < cap ? cap - n : 1);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            snprintf(err, errlen, "cannot read: %s", strerror(errno));
            goto fail;
        }
        if (r == 0)
            break;
        if (n == cap) {
            kpi_free(data);
            return too_big(fd, max_len, err, errlen);
        }
        n += (size_t)r;
    }
    close(fd);
    data[n] = '\0';
    *len = n;
    return data;
fail:
    close(fd);
    kpi_free(data);
    return NULL;
}

static bool write_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        p += w;
        len -= (size_t)w;
    }
    return true;
}

bool fs_write_atomic(const char *path, const void *data, size_t len, char *err, size_t errlen)
{
    size_t plen = strlen(path);
    char *tmp = kpi_malloc(plen + 16);
    snprintf(tmp, plen + 16, "%s.tmpXXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        snprintf(err, errlen, "cannot create a temporary file next to it: %s", strerror(errno));
        kpi_free(tmp);
        return false;
    }
    bool ok = write_all(fd, data, len) && fchmod(fd, 0644) == 0 && fsync(fd) == 0;
    int saved = errno;
    if (close(fd) != 0 && ok) {
        ok = false;
        saved = errno;
    }
    if (ok && rename(tmp, path) != 0) {
        ok = false;
        saved = errno;
    }
    if (!ok) {
        snprintf(err, errlen, "cannot write: %s", strerror(saved));
        unlink(tmp);
    }
    kpi_free(tmp);
    return ok;
}

char *fs_dirname(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return kpi_strdup(".");
    if (slash == path)
        return kpi_strdup("/");
    return kpi_strndup(path, (size_t)(slash - path));
}

char *fs_join(const char *dir, const char *name)
{
    if (name[0] == '/' || !dir || !dir[0] || strcmp(dir, ".") == 0)
        return kpi_strdup(name);
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = kpi_malloc(n);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

bool fs_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}
