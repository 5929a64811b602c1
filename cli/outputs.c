/* outputs.c - see outputs.h. */
#include "cli/outputs.h"
#include "base/alloc.h"
#include "base/fsio.h"
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

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

void outputs_use_prehash(Outputs *o, ManifestPrehash *ph)
{
    manifest_prehash_finish(ph, &o->manifest);
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

static int write_stdout(const Buf *data)
{
    if (fwrite(data->data ? data->data : "", 1, data->len, stdout) != data->len || fflush(stdout) != 0) {
        fprintf(stderr, "kpirun: error: cannot write the result to standard output\n");
        return EXIT_OUTPUT;
    }
    return EXIT_OK;
}

static const char *path_base(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* Once per directory of paths[0..n) (NULL ones skipped; dirs[i] is
 * paths[i]'s): removes the temporaries that killed runs left for these
 * names, or, after the renames, syncs the directory. */
static void each_dir(const char *const *paths, char **dirs, size_t n, bool sync)
{
    const char **names = kpi_calloc(n ? n : 1, sizeof *names);
    for (size_t i = 0; i < n; i++) {
        bool seen = !paths[i];
        for (size_t k = 0; k < i && !seen; k++)
            seen = paths[k] && !strcmp(dirs[k], dirs[i]);
        if (seen)
            continue;
        size_t m = 0;
        for (size_t k = i; k < n; k++)
            if (paths[k] && !strcmp(dirs[k], dirs[i]))
                names[m++] = path_base(paths[k]);
        if (sync)
            fs_sync_dir(dirs[i]);
        else
            fs_clean_stale(dirs[i], names, m);
    }
    kpi_free(names);
}

/* Writes every file to its temporary; nothing is replaced yet. */
static int stage_all(const Outputs *o, char **tmp)
{
    char err[512];
    for (size_t i = 0; i < o->n; i++) {
        const OutFile *f = &o->files[i];
        if (f->path && !(tmp[i] = fs_stage(f->path, f->data.data ? f->data.data : "", f->data.len, err, sizeof err))) {
            fprintf(stderr, "%s: error: %s\n", f->path, err);
            return EXIT_OUTPUT;
        }
    }
    return EXIT_OK;
}

/* Renames every temporary over its target (standard output is written
 * here, in its turn); a committed one's name is freed. */
static int commit_all(Outputs *o, char **tmp)
{
    char err[512];
    int rc = EXIT_OK;
    for (size_t i = 0; i < o->n && rc == EXIT_OK; i++) {
        const OutFile *f = &o->files[i];
        if (!f->path)
            rc = write_stdout(&f->data);
        else if (!fs_commit(tmp[i], f->path, err, sizeof err)) {
            fprintf(stderr, "%s: error: %s\n", f->path, err);
            rc = EXIT_OUTPUT;
        } else {
            kpi_free(tmp[i]);
            tmp[i] = NULL;
        }
    }
    return rc;
}

static int stage_manifest(const char *manifest, const Buf *m, char **tmp)
{
    char err[512];
    if ((*tmp = fs_stage(manifest, m->data ? m->data : "", m->len, err, sizeof err)))
        return EXIT_OK;
    fprintf(stderr, "%s: error: %s\n", manifest, err);
    return EXIT_OUTPUT;
}

static int commit_manifest(const char *manifest, const char *dir, char **tmp)
{
    char err[512];
    if (!fs_commit(*tmp, manifest, err, sizeof err)) {
        fprintf(stderr, "%s: error: %s\n", manifest, err);
        return EXIT_OUTPUT;
    }
    kpi_free(*tmp);
    *tmp = NULL;
    fs_sync_dir(dir);
    return EXIT_OK;
}

/* Every file and the manifest are staged before any replaces its target,
 * so a run that fails or is killed while writing leaves the previous files
 * whole. The old manifest goes first and the new one comes last: while
 * targets are being renamed no manifest claims to describe them
 * (docs/manifest.md). */
static int write_files(Outputs *o, const char *manifest, const Buf *m)
{
    /* every file's path and directory, then the manifest's */
    const char **paths = kpi_calloc(o->n + 1, sizeof *paths);
    char **dirs = kpi_calloc(o->n + 1, sizeof *dirs), **tmp = kpi_calloc(o->n + 1, sizeof *tmp);
    for (size_t i = 0; i <= o->n; i++) {
        paths[i] = i < o->n ? o->files[i].path : manifest;
        dirs[i] = paths[i] ? fs_dirname(paths[i]) : NULL;
    }
    each_dir(paths, dirs, o->n + 1, false);
    int rc = stage_all(o, tmp);
    if (rc == EXIT_OK && manifest)
        rc = stage_manifest(manifest, m, &tmp[o->n]);
    if (rc == EXIT_OK && manifest)
        unlink(manifest);
    if (rc == EXIT_OK)
        rc = commit_all(o, tmp);
    if (rc == EXIT_OK)
        each_dir(paths, dirs, o->n, true);
    if (rc == EXIT_OK && manifest)
        rc = commit_manifest(manifest, dirs[o->n], &tmp[o->n]);
    for (size_t i = 0; i <= o->n; i++) {
        fs_discard(tmp[i]);
        kpi_free(dirs[i]);
    }
    kpi_free(tmp);
    kpi_free(dirs);
    kpi_free(paths);
    return rc;
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
    Buf m = BUF_INIT;
    if (rc == EXIT_OK && manifest) {
        for (size_t i = 0; i < o->n; i++)
            manifest_add_output(&o->manifest, o->files[i].path, o->files[i].data.data, o->files[i].data.len);
        manifest_write(&o->manifest, manifest, created, &m);
    }
    if (rc == EXIT_OK)
        rc = write_files(o, manifest, &m);
    buf_free(&m);
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
