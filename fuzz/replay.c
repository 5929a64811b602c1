/* replay.c - feeds files to a fuzz target without libFuzzer, so a corpus
 * and the regression cases of tests/bugs replay under any compiler and
 * sanitizer (make fuzz-replay).
 *
 *   replay_TARGET FILE|DIR...   each file (a directory: its files, sorted)
 *
 * Prints "replay_TARGET: N inputs" and exits 0; a finding aborts (the
 * sanitizer's report names the input, printed before it is run with -v). */
#include "fuzz/fuzz.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Read outside the heap cap: the file is the harness's, not the input's. */
static int run_file(const char *path, bool verbose)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "replay: cannot open %s\n", path);
        return 1;
    }
    size_t cap = 1 << 16, len = 0;
    unsigned char *data = malloc(cap);
    size_t n;
    while (data && (n = fread(data + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap)
            data = realloc(data, cap *= 2);
    }
    fclose(f);
    if (!data) {
        fprintf(stderr, "replay: out of memory reading %s\n", path);
        return 1;
    }
    if (verbose)
        fprintf(stderr, "%s\n", path);
    /* a copy of exactly len bytes, so ASan sees any read past the input */
    unsigned char *exact = malloc(len ? len : 1);
    memcpy(exact, data, len);
    free(data);
    LLVMFuzzerTestOneInput(exact, len);
    free(exact);
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_path(const char *path, bool verbose, unsigned *count)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "replay: no such file: %s\n", path);
        return 1;
    }
    if (!S_ISDIR(st.st_mode)) {
        ++*count;
        return run_file(path, verbose);
    }
    DIR *d = opendir(path);
    if (!d)
        return 1;
    char **names = NULL;
    size_t nnames = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.' || (len > 3 && !strcmp(e->d_name + len - 3, ".md")))
            continue; /* tests/bugs/LOG.md */
        if (nnames == cap)
            names = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof *names);
        names[nnames++] = strdup(e->d_name);
    }
    closedir(d);
    if (nnames)
        qsort(names, nnames, sizeof *names, by_name);
    int rc = 0;
    for (size_t i = 0; i < nnames; i++) {
        size_t len = strlen(path) + strlen(names[i]) + 2;
        char *full = malloc(len);
        snprintf(full, len, "%s/%s", path, names[i]);
        rc |= run_path(full, verbose, count);
        free(full);
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    bool verbose = false;
    unsigned count = 0;
    int rc = 0;
    const char *self = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-v"))
            verbose = true;
        else
            rc |= run_path(argv[i], verbose, &count);
    }
    printf("%s: %u inputs\n", self, count);
    return rc;
}
