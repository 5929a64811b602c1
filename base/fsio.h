/* fsio.h - whole-file reads and atomic writes.
 * Outputs are never written in place: they go to a temporary file in the
 * target's directory, are flushed to disk and renamed over the target, so a
 * reader sees either the previous complete file or the new one. */
#ifndef KPI_FSIO_H
#define KPI_FSIO_H
#include <stdbool.h>
#include <stddef.h>

/* Reads all of path into a kpi_malloc'd, NUL-terminated buffer. On failure
 * returns NULL and writes a message (strerror) into err; errno is EFBIG
 * when the file has more than max_len bytes (refused before reading it). */
char *fs_read_all(const char *path, size_t *len, size_t max_len, char *err, size_t errlen);

/* Writes data to path atomically (temp file + fsync + rename). */
bool fs_write_atomic(const char *path, const void *data, size_t len, char *err, size_t errlen);

/* The two halves of fs_write_atomic, for a set of files written together:
 * fs_stage writes data to a hidden temporary file next to path,
 * "DIR/.NAME.kpi-partial-PID-XXXXXX", flushed to disk, and returns its name
 * (kpi_malloc'd; NULL and a message in err on failure); fs_commit renames it
 * over path; fs_discard removes it and frees the name. */
char *fs_stage(const char *path, const void *data, size_t len, char *err, size_t errlen);
bool  fs_commit(const char *tmp, const char *path, char *err, size_t errlen);
void  fs_discard(char *tmp);
/* Removes from dir the temporary files of fs_stage for the given names
 * (file names without the directory) whose process no longer runs: what a
 * killed run left. Returns how many it removed. */
size_t fs_clean_stale(const char *dir, const char *const *names, size_t n);
/* Flushes dir's entries (renames in it) to disk; false on failure. */
bool  fs_sync_dir(const char *dir);

/* The directory part of path ("." when there is none); kpi_malloc'd. */
char *fs_dirname(const char *path);
/* dir + "/" + name, or name when it is absolute; kpi_malloc'd. */
char *fs_join(const char *dir, const char *name);
bool  fs_exists(const char *path);

#endif
