/* outputs.c - see outputs.h. */
#include "cli/outputs.h"
#include "base/alloc.h"
#include "base/fsio.h"
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

void outputs_init(Outputs *o, bool force)
{
    memset(o, 0, sizeof *o);
    o->force = force;
}

void outputs_add(Outputs *o, const char *path, Buf *data)
{
    OutFile f = {path ? kpi_strdup(path) : NULL, *data};
    *data = (Buf)BUF_INIT;
    VEC_PUSH(o->files, o->n, o->cap, f);
}

static int write_one(const OutFile *f)
{
    if (!f->path) {
        if (fwrite(f->data.data ? f->data.data : "", 1, f->data.len, stdout) != f->data.len || fflush(stdout) != 0) {
            fprintf(stderr, "kpirun: error: cannot write the result to standard output\n");
            return EXIT_OUTPUT;
        }
        return EXIT_OK;
    }
    char err[512];
    if (!fs_write_atomic(f->path, f->data.data ? f->data.data : "", f->data.len, err, sizeof err)) {
        fprintf(stderr, "%s: error: %s\n", f->path, err);
        return EXIT_OUTPUT;
    }
    return EXIT_OK;
}

int outputs_write(Outputs *o)
{
    for (size_t i = 0; i < o->n; i++) {
        int rc = write_one(&o->files[i]);
        if (rc != EXIT_OK)
            return rc;
    }
    return EXIT_OK;
}

void outputs_free(Outputs *o)
{
    for (size_t i = 0; i < o->n; i++) {
        kpi_free(o->files[i].path);
        buf_free(&o->files[i].data);
    }
    kpi_free(o->files);
    memset(o, 0, sizeof *o);
}
