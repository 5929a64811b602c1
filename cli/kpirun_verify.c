/* kpirun_verify.c - kpirun verify MANIFEST.json: re-hashes every file a run
 * manifest names (docs/manifest.md) and says which changed. The whole
 * manifest is checked for form before any file is looked at. */
#include "base/alloc.h"
#include "base/fsio.h"
#include "cli/cli.h"
#include "cli/kpirun.h"
#include "report/manifest.h"
#include "stdlib/stdlib.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define MAX_MANIFEST_BYTES (64u << 20)

static const char usage[] =
    "usage: kpirun verify MANIFEST.json\n"
    "\n"
    "Re-hashes the scheme, the input files and the results that a run manifest\n"
    "names (paths relative to the manifest's directory) and prints, per file,\n"
    "ok, changed or missing.\n"
    "\n"
    "exit codes:\n"
    "  0  every file is as the manifest records it\n"
    "  2  the command line is wrong, or the manifest cannot be read or is malformed\n"
    "  3  a file changed, is missing or cannot be read\n";

typedef struct Entry {
    const char *kind;       /* "scheme", "module", "input", "output" */
    const char *path;       /* as written in the manifest */
    const char *sha256;
} Entry;

typedef struct Check {
    const char *manifest;   /* its path, for messages */
    Entry      *e;
    size_t      n, cap;
    char        where[160]; /* the place in the manifest being read: "runs[0].inputs[2]" */
} Check;

static bool malformed(Check *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool malformed(Check *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: error: %s%s", c->manifest, c->where, c->where[0] ? ": " : "");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return false;
}

static bool is_sha256(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
            return false;
    return n == 64;
}

/* {"path": "...", "sha256": "...", ...}: recorded for checking. */
static bool read_file_entry(Check *c, json_t *f, const char *kind)
{
    if (!json_is_object(f))
        return malformed(c, "missing, or not an object");
    json_t *path = json_object_get(f, "path"), *sha = json_object_get(f, "sha256");
    if (!json_is_string(path) || !*json_string_value(path))
        return malformed(c, "\"path\" is missing or not a text");
    if (!json_is_string(sha) || !is_sha256(json_string_value(sha)))
        return malformed(c, "\"sha256\" is missing or not 64 lowercase hex digits");
    Entry e = {kind, json_string_value(path), json_string_value(sha)};
    VEC_PUSH(c->e, c->n, c->cap, e);
    return true;
}

/* key: an array of file entries (each an object, or one with a "path"). */
static bool read_list(Check *c, json_t *parent, const char *key, const char *kind)
{
    json_t *list = json_object_get(parent, key);
    size_t len = strlen(c->where);
    if (!json_is_array(list))
        return malformed(c, "\"%s\" is missing or not a list", key);
    bool ok = true;
    for (size_t i = 0; ok && i < json_array_size(list); i++) {
        snprintf(c->where + len, sizeof c->where - len, "%s%s[%zu]", len ? "." : "", key, i);
        ok = read_file_entry(c, json_array_get(list, i), kind);
    }
    c->where[len] = '\0';
    return ok;
}

static bool read_run(Check *c, json_t *run)
{
    if (!json_is_object(run))
        return malformed(c, "missing, or not an object");
    size_t len = strlen(c->where);
    snprintf(c->where + len, sizeof c->where - len, ".scheme");
    bool ok = read_file_entry(c, json_object_get(run, "scheme"), "scheme");
    c->where[len] = '\0';
    return ok && read_list(c, run, "modules", "module") && read_list(c, run, "inputs", "input");
}

static bool read_manifest(Check *c, json_t *root)
{
    c->where[0] = '\0';
    if (!json_is_object(root))
        return malformed(c, "not a run manifest (the document is not a JSON object)");
    json_t *v = json_object_get(root, "manifest_version");
    if (!v)
        return malformed(c, "not a run manifest (it has no \"manifest_version\")");
    if (!json_is_integer(v))
        return malformed(c, "\"manifest_version\" is not a number");
    if (json_integer_value(v) != MANIFEST_VERSION)
        return malformed(c, "manifest_version %lld is not one this kpirun reads (it reads %d)",
                         (long long)json_integer_value(v), MANIFEST_VERSION);
    json_t *runs = json_object_get(root, "runs");
    if (!json_is_array(runs))
        return malformed(c, "\"runs\" is missing or not a list");
    for (size_t i = 0; i < json_array_size(runs); i++) {
        snprintf(c->where, sizeof c->where, "runs[%zu]", i);
        if (!read_run(c, json_array_get(runs, i)))
            return false;
    }
    c->where[0] = '\0';
    return read_list(c, root, "outputs", "output");
}

/* ---- checking ------------------------------------------------------------------ */
typedef enum Status { ST_OK, ST_CHANGED, ST_MISSING, ST_SKIPPED } Status;

/* The text of a built-in module "<stdlib>/NAME.kpi", or NULL. */
static const char *builtin_text(const char *path)
{
    const char *name = path + strlen(MANIFEST_STDLIB);
    size_t n = strlen(name);
    if (n <= 4 || strcmp(name + n - 4, ".kpi") != 0)
        return NULL;
    char mod[128];
    snprintf(mod, sizeof mod, "%.*s", (int)(n - 4), name);
    return stdlib_find(mod);
}

static Status check_entry(const Entry *e, const char *dir, char *detail, size_t cap)
{
    char sha[SHA256_HEX], err[256];
    detail[0] = '\0';
    if (!strcmp(e->path, MANIFEST_STDOUT)) {
        snprintf(detail, cap, "not checked (it went to standard output)");
        return ST_SKIPPED;
    }
    if (!strncmp(e->path, MANIFEST_STDLIB, strlen(MANIFEST_STDLIB))) {
        const char *text = builtin_text(e->path);
        if (!text) {
            snprintf(detail, cap, "missing (not built into this kpirun)");
            return ST_MISSING;
        }
        sha256_hex(text, strlen(text), sha);
    } else {
        char *full = fs_join(dir, e->path);
        uint64_t bytes;
        bool ok = sha256_file(full, sha, &bytes, err, sizeof err);
        int saved = errno;
        kpi_free(full);
        if (!ok && saved == ENOENT) {
            snprintf(detail, cap, "missing");
            return ST_MISSING;
        }
        if (!ok) {
            snprintf(detail, cap, "changed (cannot read it: %s)", err);
            return ST_CHANGED;
        }
    }
    if (!strcmp(sha, e->sha256)) {
        snprintf(detail, cap, "ok");
        return ST_OK;
    }
    snprintf(detail, cap, "changed (sha256 %.12s..., the manifest has %.12s...)", sha, e->sha256);
    return ST_CHANGED;
}

static bool seen_before(const Check *c, size_t i)
{
    for (size_t k = 0; k < i; k++)
        if (!strcmp(c->e[k].path, c->e[i].path) && !strcmp(c->e[k].sha256, c->e[i].sha256) &&
            !strcmp(c->e[k].kind, c->e[i].kind))
            return true;
    return false;
}

static int check_all(const Check *c)
{
    char *dir = fs_dirname(c->manifest), detail[512];
    size_t count[4] = {0}, files = 0;
    for (size_t i = 0; i < c->n; i++) {
        if (seen_before(c, i))
            continue;
        Status s = check_entry(&c->e[i], dir, detail, sizeof detail);
        count[s]++;
        files++;
        printf("%-6s  %s: %s\n", c->e[i].kind, c->e[i].path, detail);
    }
    kpi_free(dir);
    size_t bad = count[ST_CHANGED] + count[ST_MISSING];
    if (!bad)
        printf("%zu file%s as recorded%s\n", count[ST_OK], count[ST_OK] == 1 ? "" : "s",
               count[ST_SKIPPED] ? " (standard output not checked)" : "");
    else
        printf("%zu of %zu file%s differ%s: %zu changed, %zu missing\n", bad, files - count[ST_SKIPPED],
               files - count[ST_SKIPPED] == 1 ? "" : "s", bad == 1 ? "s" : "", count[ST_CHANGED],
               count[ST_MISSING]);
    return bad ? EXIT_DATA : EXIT_OK;
}

static int verify(const char *path)
{
    char err[256];
    size_t len;
    char *text = fs_read_all(path, &len, MAX_MANIFEST_BYTES, err, sizeof err);
    if (!text) {
        fprintf(stderr, "%s: error: cannot read the manifest: %s\n", path, err);
        return EXIT_USAGE;
    }
    json_set_alloc_funcs(kpi_malloc, kpi_free);
    json_error_t jerr;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    Check c = {path, NULL, 0, 0, ""};
    int rc = EXIT_USAGE;
    if (!root)
        fprintf(stderr, "%s:%d:%d: error: not valid JSON: %s\n", path, jerr.line, jerr.column, jerr.text);
    else if (read_manifest(&c, root))
        rc = check_all(&c);
    kpi_free(c.e);
    json_decref(root);
    kpi_free(text);
    return rc;
}

int kpirun_verify_main(int argc, char **argv)
{
    const char *manifest = NULL;
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        if (!strcmp(s, "-h") || !strcmp(s, "--help")) {
            fputs(usage, stdout);
            return EXIT_OK;
        }
        if (s[0] == '-' && s[1])
            return cli_usage_error("kpirun verify", "unknown option '%s'", s);
        if (manifest)
            return cli_usage_error("kpirun verify", "one manifest at a time ('%s' is a second one)", s);
        manifest = s;
    }
    if (!manifest)
        return cli_usage_error("kpirun verify", "%s", "which manifest? kpirun verify out.csv.manifest.json");
    return verify(manifest);
}
