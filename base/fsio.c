/* fsio.c - see fsio.h. */
#include "base/fsio.h"
#include "base/alloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
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

/* Temporary files are hidden and say whose they are, so that one a killed
 * run left is never read as a result and a later run can remove it. */
#define PARTIAL_MARK ".kpi-partial-"

/* "DIR/.NAME.kpi-partial-PID-XXXXXX" for path "DIR/NAME"; kpi_malloc'd. */
static char *temp_template(const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
    size_t n = strlen(path) + sizeof PARTIAL_MARK + 32;
    char *tmp = kpi_malloc(n);
    snprintf(tmp, n, "%.*s.%s" PARTIAL_MARK "%ld-XXXXXX", (int)dirlen, path, path + dirlen, (long)getpid());
    return tmp;
}

char *fs_stage(const char *path, const void *data, size_t len, char *err, size_t errlen)
{
    char *tmp = temp_template(path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        snprintf(err, errlen, "cannot create a temporary file next to it: %s", strerror(errno));
        kpi_free(tmp);
        return NULL;
    }
    bool ok = write_all(fd, data, len) && fchmod(fd, 0644) == 0 && fsync(fd) == 0;
    int saved = errno;
    if (close(fd) != 0 && ok) {
        ok = false;
        saved = errno;
    }
    if (!ok) {
        snprintf(err, errlen, "cannot write: %s", strerror(saved));
        fs_discard(tmp);
        return NULL;
    }
    return tmp;
}

bool fs_commit(const char *tmp, const char *path, char *err, size_t errlen)
{
    if (rename(tmp, path) == 0)
        return true;
    snprintf(err, errlen, "cannot write: %s", strerror(errno));
    return false;
}

void fs_discard(char *tmp)
{
    if (!tmp)
        return;
    unlink(tmp);
    kpi_free(tmp);
}

bool fs_write_atomic(const char *path, const void *data, size_t len, char *err, size_t errlen)
{
    char *tmp = fs_stage(path, data, len, err, errlen);
    if (!tmp)
        return false;
    if (!fs_commit(tmp, path, err, errlen)) {
        fs_discard(tmp);
        return false;
    }
    kpi_free(tmp);
    char *dir = fs_dirname(path);
    fs_sync_dir(dir); /* durability only: the rename is done either way */
    kpi_free(dir);
    return true;
}

/* For ".NAME.kpi-partial-PID-XXXXXX" whose process PID has ended, the length
 * of NAME; otherwise 0. */
static size_t stale_name_len(const char *entry)
{
    if (entry[0] != '.')
        return 0;
    const char *mark = NULL;
    for (const char *m = strstr(entry + 1, PARTIAL_MARK); m; m = strstr(m + 1, PARTIAL_MARK))
        mark = m;
    if (!mark || mark == entry + 1)
        return 0;
    const char *digits = mark + strlen(PARTIAL_MARK), *end = digits;
    long pid = 0;
    while (*end >= '0' && *end <= '9' && pid < 100000000)
        pid = pid * 10 + (*end++ - '0');
    if (end == digits || *end != '-' || strlen(end + 1) != 6 || pid <= 0)
        return 0;
    /* EPERM: it runs as another user; anything but ESRCH counts as running */
    if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
        return 0;
    return (size_t)(mark - (entry + 1));
}

static bool names_have(const char *const *names, size_t n, const char *name, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(names[i]) == len && !memcmp(names[i], name, len))
            return true;
    return false;
}

size_t fs_clean_stale(const char *dir, const char *const *names, size_t n)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    size_t removed = 0;
    for (struct dirent *de = readdir(d); de; de = readdir(d)) {
        size_t len = stale_name_len(de->d_name);
        if (len && names_have(names, n, de->d_name + 1, len)) {
            char *p = fs_join(dir, de->d_name);
            removed += unlink(p) == 0;
            kpi_free(p);
        }
    }
    closedir(d);
    return removed;
}

bool fs_sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return false;
    /* EINVAL: a file system that cannot sync a directory */
    bool ok = fsync(fd) == 0 || errno == EINVAL;
    close(fd);
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
