/* manifest.c - see manifest.h and docs/manifest.md. */
#include "report/manifest.h"
#include "base/alloc.h"
#include "base/diag.h"
#include "base/fsio.h"
#include "report/format.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define HASH_BLOCK (64u << 10)

/* ---- SHA-256 ---------------------------------------------------------------- */
static void digest_hex(struct sha256_ctx *ctx, char hex[SHA256_HEX])
{
    static const char digits[] = "0123456789abcdef";
    uint8_t d[SHA256_DIGEST_SIZE];
    sha256_digest(ctx, sizeof d, d);
    for (size_t i = 0; i < sizeof d; i++) {
        hex[2 * i] = digits[d[i] >> 4];
        hex[2 * i + 1] = digits[d[i] & 15];
    }
    hex[2 * SHA256_DIGEST_SIZE] = '\0';
}

void sha256_hex(const void *data, size_t n, char hex[SHA256_HEX])
{
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    sha256_update(&ctx, n, data);
    digest_hex(&ctx, hex);
}

/* sha256_file, abandoned (false, err empty) once *stop is set. */
static bool hash_file_until(const char *path, char hex[SHA256_HEX], uint64_t *bytes, char *err, size_t errlen,
                            const atomic_bool *stop)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        int saved = errno;
        snprintf(err, errlen, "%s", strerror(saved));
        errno = saved;   /* the caller tells a missing file from others */
        return false;
    }
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    uint8_t *block = kpi_malloc(HASH_BLOCK);
    size_t got;
    *bytes = 0;
    bool stopped = false;
    while (!(stopped = stop && atomic_load(stop)) && (got = fread(block, 1, HASH_BLOCK, f)) > 0) {
        sha256_update(&ctx, got, block);
        *bytes += got;
    }
    int saved = errno;
    bool ok = !ferror(f) && !stopped;
    fclose(f);
    kpi_free(block);
    if (!ok) {
        snprintf(err, errlen, "%s", stopped ? "" : strerror(saved));
        errno = saved;
        return false;
    }
    digest_hex(&ctx, hex);
    return true;
}

bool sha256_file(const char *path, char hex[SHA256_HEX], uint64_t *bytes, char *err, size_t errlen)
{
    return hash_file_until(path, hex, bytes, err, errlen, NULL);
}

/* ---- collecting ------------------------------------------------------------- */
void manifest_init(Manifest *m)
{
    memset(m, 0, sizeof *m);
    m->schema_version = 1;
}

static void run_free(MRun *r)
{
    kpi_free(r->scheme.path);
    for (size_t i = 0; i < r->nmodules; i++)
        kpi_free(r->modules[i].path);
    kpi_free(r->modules);
    kpi_free(r->title);
    kpi_free(r->period);
    kpi_free(r->data_dir);
    for (size_t i = 0; i < r->ninputs; i++) {
        kpi_free(r->inputs[i].f.path);
        kpi_free(r->inputs[i].table);
    }
    kpi_free(r->inputs);
    for (size_t i = 0; i < r->nwarnings; i++) {
        kpi_free(r->warnings[i].code);
        kpi_free(r->warnings[i].message);
    }
    kpi_free(r->warnings);
}

void manifest_free(Manifest *m)
{
    kpi_free(m->command);
    for (size_t i = 0; i < m->nargs; i++)
        kpi_free(m->args[i]);
    kpi_free(m->args);
    for (size_t i = 0; i < m->nruns; i++)
        run_free(&m->runs[i]);
    kpi_free(m->runs);
    for (size_t i = 0; i < m->noutputs; i++)
        kpi_free(m->outputs[i].path);
    kpi_free(m->outputs);
    kpi_free(m->error);
    memset(m, 0, sizeof *m);
}

void manifest_set_command(Manifest *m, const char *command, int nargs, char *const *args)
{
    kpi_free(m->command);
    for (size_t i = 0; i < m->nargs; i++)
        kpi_free(m->args[i]);
    kpi_free(m->args);
    m->command = kpi_strdup(command);
    m->nargs = nargs > 0 ? (size_t)nargs : 0;
    m->args = kpi_calloc(m->nargs ? m->nargs : 1, sizeof(char *));
    for (size_t i = 0; i < m->nargs; i++)
        m->args[i] = kpi_strdup(args[i]);
}

/* Files are hashed only when a manifest is due (manifest_hash_files): a
 * run printing to standard output reads its inputs once, not twice. */
static void hash_file(Manifest *m, const char *path, MFile *f)
{
    (void)m;
    f->path = kpi_strdup(path);
    f->sha256[0] = '\0';
}

/* The first file that cannot be read is reported. */
static void hash_now(Manifest *m, MFile *f)
{
    char err[256];
    const char *path = f->path;
    if (f->sha256[0] || sha256_file(path, f->sha256, &f->bytes, err, sizeof err) || m->error)
        return;
    size_t n = strlen(path) + strlen(err) + 64;
    m->error = kpi_malloc(n);
    snprintf(m->error, n, "%s: error: cannot read it to record its checksum: %s", path, err);
}

static bool is_kpc(const char *path)
{
    size_t n = strlen(path);
    return n >= 4 && strcmp(path + n - 4, ".kpc") == 0;
}

/* Imported modules: the program's other source texts. A .kpc carries them
 * inside itself, so its own checksum covers them. */
static void note_modules(MRun *run, const char *scheme_path, const Program *p)
{
    if (is_kpc(scheme_path))
        return;
    for (size_t i = 1; i < p->sources.n; i++) {
        const Source *s = &p->sources.files[i];
        if (!strcmp(s->name, SOURCE_COMMAND_LINE))
            continue; /* --set values are in the arguments */
        MFile f = {kpi_strdup(s->name), {0}, s->len};
        sha256_hex(s->text, s->len, f.sha256);
        VEC_PUSH(run->modules, run->nmodules, run->capmodules, f);
    }
}

static void note_inputs(Manifest *m, MRun *run, const Program *p, const RunResult *r, const char *data_dir)
{
    for (uint32_t i = 0; i < p->ntables; i++) {
        const TableSpec *t = &p->tables[i];
        MInput in;
        memset(&in, 0, sizeof in);
        char *path = fs_join(data_dir, t->file);
        hash_file(m, path, &in.f);
        kpi_free(path);
        in.table = kpi_strdup(t->name);
        in.kind = t->kind;
        in.rows = r->stats ? r->stats[i].rows : 0;
        in.in_period = r->stats ? r->stats[i].in_period : 0;
        in.dialect = t->dialect;
        VEC_PUSH(run->inputs, run->ninputs, run->capinputs, in);
    }
}

static void note_warnings(MRun *run, const Program *p, const RunResult *r)
{
    for (size_t i = 0; i < r->diags.n; i++) {
        const Diag *g = &r->diags.items[i];
        if (g->sev != DIAG_WARNING)
            continue;
        Buf text = BUF_INIT;
        diag_render_one(g, &p->sources, false, &text);
        while (text.len && text.data[text.len - 1] == '\n')
            text.len--;
        MWarning w = {kpi_strdup(diag_info[g->id].code), kpi_strndup(text.data ? text.data : "", text.len)};
        buf_free(&text);
        VEC_PUSH(run->warnings, run->nwarnings, run->capwarnings, w);
    }
}

void manifest_hash_files(Manifest *m)
{
    for (size_t i = 0; i < m->nruns; i++) {
        MRun *run = &m->runs[i];
        hash_now(m, &run->scheme);
        for (size_t k = 0; k < run->ninputs; k++)
            hash_now(m, &run->inputs[k].f);
    }
}

/* ---- checksums taken during the run ---- */
struct ManifestPrehash {
    pthread_t   th;
    bool        started;
    atomic_bool stop;     /* the run wrote nothing: no need to finish */
    MFile    *files;      /* sha256[0] == 0: not read */
    size_t    n;
};

static void *prehash_run(void *arg)
{
    ManifestPrehash *ph = arg;
    char err[256];
    for (size_t i = 0; i < ph->n; i++)
        if (!hash_file_until(ph->files[i].path, ph->files[i].sha256, &ph->files[i].bytes, err, sizeof err,
                             &ph->stop))
            ph->files[i].sha256[0] = '\0';
    return NULL;
}

ManifestPrehash *manifest_prehash_start(const char *scheme_path, const Program *p, const char *data_dir)
{
    ManifestPrehash *ph = kpi_calloc(1, sizeof *ph);
    atomic_init(&ph->stop, false);
    ph->n = 1 + p->ntables;
    ph->files = kpi_calloc(ph->n, sizeof(MFile));
    ph->files[0].path = kpi_strdup(scheme_path);
    for (uint32_t i = 0; i < p->ntables; i++)
        ph->files[1 + i].path = fs_join(data_dir, p->tables[i].file);
    ph->started = pthread_create(&ph->th, NULL, prehash_run, ph) == 0;
    return ph;
}

static void take_prehash(const ManifestPrehash *ph, MFile *f)
{
    for (size_t i = 0; i < ph->n && !f->sha256[0]; i++)
        if (ph->files[i].sha256[0] && !strcmp(ph->files[i].path, f->path)) {
            memcpy(f->sha256, ph->files[i].sha256, SHA256_HEX);
            f->bytes = ph->files[i].bytes;
        }
}

void manifest_prehash_finish(ManifestPrehash *ph, Manifest *m)
{
    if (!ph)
        return;
    if (!m)
        atomic_store(&ph->stop, true);
    if (ph->started)
        pthread_join(ph->th, NULL);
    for (size_t r = 0; ph->started && m && r < m->nruns; r++) {
        take_prehash(ph, &m->runs[r].scheme);
        for (size_t k = 0; k < m->runs[r].ninputs; k++)
            take_prehash(ph, &m->runs[r].inputs[k].f);
    }
    for (size_t i = 0; i < ph->n; i++)
        kpi_free(ph->files[i].path);
    kpi_free(ph->files);
    kpi_free(ph);
}

void manifest_note_run(Manifest *m, const char *scheme_path, const Program *p, const RunResult *r,
                       const char *data_dir, const Period *period)
{
    MRun run;
    memset(&run, 0, sizeof run);
    hash_file(m, scheme_path, &run.scheme);
    note_modules(&run, scheme_path, p);
    run.title = kpi_strdup(p->scheme_name ? p->scheme_name : "");
    run.period = kpi_strdup(period->label);
    run.data_dir = kpi_strdup(data_dir);
    note_inputs(m, &run, p, r, data_dir);
    note_warnings(&run, p, r);
    VEC_PUSH(m->runs, m->nruns, m->capruns, run);
}

void manifest_add_output(Manifest *m, const char *path, const void *data, size_t len)
{
    MFile f = {kpi_strdup(path ? path : MANIFEST_STDOUT), {0}, len};
    sha256_hex(data ? data : "", len, f.sha256);
    VEC_PUSH(m->outputs, m->noutputs, m->capoutputs, f);
}

/* ---- time ------------------------------------------------------------------- */
#define MAX_EPOCH 253402300799LL /* 9999-12-31T23:59:59Z */

static bool parse_epoch(const char *s, long long *out)
{
    long long v = 0;
    if (!*s)
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > MAX_EPOCH)
            return false;
        v = v * 10 + (*s - '0');
    }
    *out = v;
    return v <= MAX_EPOCH;
}

bool manifest_time(char out[32], char *err, size_t errlen)
{
    const char *env = getenv("SOURCE_DATE_EPOCH");
    long long t;
    if (env && *env) {
        if (!parse_epoch(env, &t)) {
            snprintf(err, errlen, "SOURCE_DATE_EPOCH must be a number of seconds since 1970-01-01 (up to the year 9999), not '%.40s'", env);
            return false;
        }
    } else {
        t = (long long)time(NULL);
        if (t < 0 || t > MAX_EPOCH)
            t = 0;
    }
    int y, mo, d;
    date_to_ymd((Day)(t / 86400), &y, &mo, &d);
    int sec = (int)(t % 86400);
    snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, d, sec / 3600, sec / 60 % 60, sec % 60);
    return true;
}

/* ---- paths ------------------------------------------------------------------ */
/* The absolute form of path with "." and ".." resolved lexically, e.g.
 * "/home/a/data"; "/" for the root. NULL when the working directory is unknown. */
static char *absolute(const char *path)
{
    char cwd[4096] = "";
    if (path[0] != '/' && !getcwd(cwd, sizeof cwd))
        return NULL;
    size_t cap = strlen(cwd) + strlen(path) + 3, len = 0;
    char *raw = kpi_malloc(cap), *out = kpi_malloc(cap);
    snprintf(raw, cap, "%s/%s", cwd, path);
    for (const char *s = raw; *s;) {
        while (*s == '/')
            s++;
        const char *e = s;
        while (*e && *e != '/')
            e++;
        size_t n = (size_t)(e - s);
        if (n == 2 && s[0] == '.' && s[1] == '.') {
            while (len && out[len - 1] != '/')
                len--;
            if (len)
                len--;
        } else if (n && !(n == 1 && s[0] == '.')) {
            out[len++] = '/';
            memcpy(out + len, s, n);
            len += n;
        }
        s = e;
    }
    if (!len)
        out[len++] = '/';
    out[len] = '\0';
    kpi_free(raw);
    return out;
}

/* Length of the next component of s (after its leading '/'). */
static size_t component(const char *s)
{
    size_t n = 0;
    while (s[1 + n] && s[1 + n] != '/')
        n++;
    return n;
}

char *path_relative_to(const char *path, const char *dir)
{
    char *a = absolute(path), *d = absolute(dir);
    if (!a || !d) {
        kpi_free(a);
        kpi_free(d);
        return kpi_strdup(path);
    }
    const char *pa = strcmp(a, "/") ? a : "", *pd = strcmp(d, "/") ? d : "";
    /* skip the common leading components */
    while (*pa && *pd) {
        size_t na = component(pa), nd = component(pd);
        if (na != nd || memcmp(pa + 1, pd + 1, na) != 0)
            break;
        pa += 1 + na;
        pd += 1 + nd;
    }
    Buf out = BUF_INIT;
    for (; *pd; pd += 1 + component(pd))
        buf_adds(&out, out.len ? "/.." : "..");
    if (*pa)
        buf_adds(&out, out.len ? pa : pa + 1);
    if (!out.len)
        buf_addc(&out, '.');
    char *rel = kpi_strdup(buf_cstr(&out));
    buf_free(&out);
    kpi_free(a);
    kpi_free(d);
    return rel;
}

/* ---- JSON ------------------------------------------------------------------- */
static void json_path(Buf *out, const char *path, const char *dir)
{
    if (!strcmp(path, MANIFEST_STDOUT) || !strncmp(path, MANIFEST_STDLIB, strlen(MANIFEST_STDLIB))) {
        fmt_json_cstr(out, path);
        return;
    }
    char *rel = path_relative_to(path, dir);
    fmt_json_cstr(out, rel);
    kpi_free(rel);
}

static void json_file(Buf *out, const MFile *f, const char *dir)
{
    buf_adds(out, "\"path\": ");
    json_path(out, f->path, dir);
    buf_printf(out, ", \"sha256\": \"%s\", \"bytes\": %llu", f->sha256, (unsigned long long)f->bytes);
}

static void json_char(Buf *out, char c)
{
    fmt_json_string(out, &c, c ? 1 : 0);
}

static void json_dialect(Buf *out, const Dialect *d)
{
    static const char *const empty[] = {"blank", "zero", "error"};
    buf_adds(out, "{\"delimiter\": ");
    json_char(out, d->delimiter);
    buf_adds(out, ", \"decimal\": ");
    json_char(out, d->num.decimal_point);
    buf_adds(out, ", \"thousands\": ");
    json_char(out, d->num.thousands);
    buf_printf(out, ", \"dates\": \"%s\", \"empty\": \"%s\"}", d->date == DATE_DMY ? "DD.MM.YYYY" : "YYYY-MM-DD",
               d->empty <= EMPTY_ERROR ? empty[d->empty] : "blank");
}

static void json_input(Buf *out, const MInput *in, const char *dir)
{
    static const char *const kinds[] = {"roster", "plans", "facts"};
    buf_adds(out, "{\"table\": ");
    fmt_json_cstr(out, in->table);
    buf_printf(out, ", \"kind\": \"%s\", ", in->kind <= TABLE_KIND_FACTS ? kinds[in->kind] : "facts");
    json_file(out, &in->f, dir);
    buf_printf(out, ", \"rows\": %llu", (unsigned long long)in->rows);
    if (in->kind == TABLE_KIND_FACTS)
        buf_printf(out, ", \"in_period\": %llu", (unsigned long long)in->in_period);
    buf_adds(out, ",\n         \"dialect\": ");
    json_dialect(out, &in->dialect);
    buf_addc(out, '}');
}

/* Before item i of a list written one item a line; after the last, close. */
static void list_item(Buf *out, size_t i, const char *indent)
{
    buf_printf(out, "%s\n%s", i ? "," : "", indent);
}

static void list_end(Buf *out, size_t n, const char *indent)
{
    if (n)
        buf_printf(out, "\n%.*s", (int)strlen(indent) - 2, indent);
    buf_addc(out, ']');
}

static void json_files(Buf *out, const MFile *f, size_t n, const char *indent, const char *dir)
{
    buf_addc(out, '[');
    for (size_t i = 0; i < n; i++) {
        list_item(out, i, indent);
        buf_addc(out, '{');
        json_file(out, &f[i], dir);
        buf_addc(out, '}');
    }
    list_end(out, n, indent);
}

static void json_run(Buf *out, const MRun *r, const char *dir)
{
    static const char ind[] = "        ";
    buf_adds(out, "    {\n      \"scheme\": {");
    json_file(out, &r->scheme, dir);
    buf_adds(out, "},\n      \"modules\": ");
    json_files(out, r->modules, r->nmodules, ind, dir);
    buf_adds(out, ",\n      \"title\": ");
    fmt_json_cstr(out, r->title);
    buf_adds(out, ",\n      \"period\": ");
    fmt_json_cstr(out, r->period);
    buf_adds(out, ",\n      \"data\": ");
    json_path(out, r->data_dir, dir);
    buf_adds(out, ",\n      \"inputs\": [");
    for (size_t i = 0; i < r->ninputs; i++) {
        list_item(out, i, ind);
        json_input(out, &r->inputs[i], dir);
    }
    list_end(out, r->ninputs, ind);
    buf_adds(out, ",\n      \"warnings\": [");
    for (size_t i = 0; i < r->nwarnings; i++) {
        list_item(out, i, ind);
        buf_adds(out, "{\"code\": ");
        fmt_json_cstr(out, r->warnings[i].code);
        buf_adds(out, ", \"message\": ");
        fmt_json_cstr(out, r->warnings[i].message);
        buf_addc(out, '}');
    }
    list_end(out, r->nwarnings, ind);
    buf_adds(out, "\n    }");
}

void manifest_write(const Manifest *m, const char *manifest_path, const char *created, Buf *out)
{
    char *dir = fs_dirname(manifest_path);
    buf_printf(out, "{\n  \"manifest_version\": %d,\n  \"tool\": \"kpi\",\n  \"version\": ", MANIFEST_VERSION);
    fmt_json_cstr(out, m->version ? m->version : "");
    buf_printf(out, ",\n  \"output_schema_version\": %d,\n  \"command\": ", m->schema_version);
    fmt_json_cstr(out, m->command ? m->command : "kpirun");
    buf_adds(out, ",\n  \"arguments\": [");
    for (size_t i = 0; i < m->nargs; i++) {
        buf_adds(out, i ? ", " : "");
        fmt_json_cstr(out, m->args[i]);
    }
    buf_adds(out, "],\n  \"created\": ");
    fmt_json_cstr(out, created);
    buf_adds(out, ",\n  \"runs\": [");
    for (size_t i = 0; i < m->nruns; i++) {
        buf_adds(out, i ? ",\n" : "\n");
        json_run(out, &m->runs[i], dir);
    }
    buf_adds(out, m->nruns ? "\n  ],\n  \"outputs\": " : "],\n  \"outputs\": ");
    json_files(out, m->outputs, m->noutputs, "    ", dir);
    buf_adds(out, "\n}\n");
    kpi_free(dir);
}
