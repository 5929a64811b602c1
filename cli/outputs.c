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
    manifest_init(&o->manifest);
    o->manifest.version = KPI_VERSION;
}

void outputs_set_command(Outputs *o, int argc, char **argv)
{
    static const char *const subcommands[] = {"test", "diff", "curve", "verify"};
    const char *command = "kpirun";
    char sub[32];
    for (size_t i = 0; argc > 0 && i < sizeof subcommands / sizeof *subcommands; i++)
        if (!strcmp(argv[0], subcommands[i])) {
            snprintf(sub, sizeof sub, "kpirun %s", subcommands[i]);
            command = sub;
        }
    manifest_set_command(&o->manifest, command, argc - 1, argv + 1);
}

void outputs_note_run(Outputs *o, const char *scheme_path, const Program *p, const RunResult *r,
                      const char *data_dir, const Period *period)
{
    manifest_note_run(&o->manifest, scheme_path, p, r, data_dir, period);
}

void outputs_set_manifest(Outputs *o, const char *path)
{
    kpi_free(o->manifest_path);
    o->manifest_path = path ? kpi_strdup(path) : NULL;
}

void outputs_add(Outputs *o, const char *path, Buf *data)
{
    OutFile f = {path ? kpi_strdup(path) : NULL, *data};
    *data = (Buf)BUF_INIT;
    VEC_PUSH(o->files, o->n, o->cap, f);
}

/* The manifest's path by the rule of outputs.h, or NULL; kpi_malloc'd. */
static char *manifest_target(const Outputs *o)
{
    if (o->manifest_path)
        return kpi_strdup(o->manifest_path);
    for (size_t i = 0; i < o->n; i++)
        if (o->files[i].path) {
            size_t n = strlen(o->files[i].path) + sizeof ".manifest.json";
            char *m = kpi_malloc(n);
            snprintf(m, n, "%s.manifest.json", o->files[i].path);
            return m;
        }
    return NULL;
}

/* The same file, judged by the paths (lexically). */
static bool same_path(const char *a, const char *b)
{
    char *ra = path_relative_to(a, "."), *rb = path_relative_to(b, ".");
    bool same = !strcmp(ra, rb);
    kpi_free(ra);
    kpi_free(rb);
    return same;
}

static bool is_input(const Outputs *o, const char *path)
{
    for (size_t r = 0; r < o->manifest.nruns; r++) {
        const MRun *run = &o->manifest.runs[r];
        for (size_t i = 0; i < run->ninputs; i++)
            if (same_path(path, run->inputs[i].f.path))
                return true;
        if (same_path(path, run->scheme.path))
            return true;
    }
    return false;
}

/* One target: an input is never replaced, an existing file only when forced. */
static bool target_ok(const Outputs *o, const char *path)
{
    if (is_input(o, path)) {
        fprintf(stderr, "%s: error: is an input of the run; write the result elsewhere\n", path);
        return false;
    }
    if (!o->force && fs_exists(path)) {
        fprintf(stderr, "%s: error: exists; add --force to replace it\n", path);
        return false;
    }
    return true;
}

/* Every target, before anything is written; all problems are reported. */
static int check_targets(const Outputs *o, const char *manifest)
{
    bool ok = true;
    for (size_t i = 0; i < o->n; i++) {
        const char *p = o->files[i].path;
        if (!p)
            continue;
        for (size_t k = 0; k < i; k++)
            if (o->files[k].path && same_path(p, o->files[k].path)) {
                fprintf(stderr, "%s: error: two results would be written to this file\n", p);
                ok = false;
            }
        ok &= target_ok(o, p);
    }
    if (manifest) {
        for (size_t i = 0; i < o->n; i++)
            if (o->files[i].path && same_path(manifest, o->files[i].path)) {
                fprintf(stderr, "%s: error: is a result file; the manifest needs another name\n", manifest);
                ok = false;
            }
        ok &= target_ok(o, manifest);
    }
    return ok ? EXIT_OK : EXIT_OUTPUT;
}

static int write_file(const char *path, const Buf *data)
{
    if (!path) {
        if (fwrite(data->data ? data->data : "", 1, data->len, stdout) != data->len || fflush(stdout) != 0) {
            fprintf(stderr, "kpirun: error: cannot write the result to standard output\n");
            return EXIT_OUTPUT;
        }
        return EXIT_OK;
    }
    char err[512];
    if (!fs_write_atomic(path, data->data ? data->data : "", data->len, err, sizeof err)) {
        fprintf(stderr, "%s: error: %s\n", path, err);
        return EXIT_OUTPUT;
    }
    return EXIT_OK;
}

/* What the manifest needs that can fail: its time and the input checksums. */
static int manifest_ready(Outputs *o, char created[32])
{
    char err[256];
    if (!manifest_time(created, err, sizeof err)) {
        fprintf(stderr, "kpirun: error: %s\n", err);
        return EXIT_USAGE;
    }
    manifest_hash_files(&o->manifest);
    if (o->manifest.error) {
        fprintf(stderr, "%s\n", o->manifest.error);
        return EXIT_OUTPUT;
    }
    return EXIT_OK;
}

int outputs_write(Outputs *o)
{
    char *manifest = manifest_target(o), created[32];
    int rc = check_targets(o, manifest);
    if (rc == EXIT_OK && manifest)
        rc = manifest_ready(o, created);
    for (size_t i = 0; i < o->n && rc == EXIT_OK; i++) {
        rc = write_file(o->files[i].path, &o->files[i].data);
        manifest_add_output(&o->manifest, o->files[i].path, o->files[i].data.data, o->files[i].data.len);
    }
    if (rc == EXIT_OK && manifest) {
        Buf m = BUF_INIT;
        manifest_write(&o->manifest, manifest, created, &m);
        rc = write_file(manifest, &m);
        buf_free(&m);
    }
    kpi_free(manifest);
    return rc;
}

void outputs_free(Outputs *o)
{
    for (size_t i = 0; i < o->n; i++) {
        kpi_free(o->files[i].path);
        buf_free(&o->files[i].data);
    }
    kpi_free(o->files);
    kpi_free(o->manifest_path);
    manifest_free(&o->manifest);
    memset(o, 0, sizeof *o);
}
