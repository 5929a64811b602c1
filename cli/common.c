/* common.c - shared by kpic and kpirun; see cli.h. */
#include "cli/cli.h"
#include "base/alloc.h"
#include "cli/diagfmt.h"
#include "base/fsio.h"
#include "vm/kpc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void cli_print_diags(DiagList *d, const SourceSet *src)
{
    bool color = false;
    diagfmt_color("auto", stderr, &color);
    diag_sort(d);
    Buf out = BUF_INIT;
    diag_render_color(d, src, color, &out);
    fputs(buf_cstr(&out), stderr);
    buf_free(&out);
}

char *cli_stdlib_dir(void)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return NULL;
    exe[n] = '\0';
    char *bin = fs_dirname(exe);
    char *dir = fs_join(bin, "../share/kpi/stdlib");
    kpi_free(bin);
    if (!fs_exists(dir)) {
        kpi_free(dir);
        return NULL;
    }
    return dir;
}

void cli_compile_options(CompileOptions *o, char **stdlib_dir, char ***paths)
{
    memset(o, 0, sizeof *o);
    *stdlib_dir = cli_stdlib_dir();
    o->stdlib_dir = *stdlib_dir;
    *paths = NULL;
    const char *env = getenv("KPI_PATH");
    if (!env || !*env)
        return;
    size_t n = 1;
    for (const char *p = env; *p; p++)
        n += *p == ':';
    char **list = kpi_calloc(n + 1, sizeof(char *));
    size_t k = 0;
    for (const char *p = env;;) {
        const char *colon = strchr(p, ':');
        size_t len = colon ? (size_t)(colon - p) : strlen(p);
        if (len)
            list[k++] = kpi_strndup(p, len);
        if (!colon)
            break;
        p = colon + 1;
    }
    *paths = list;
    o->paths = (const char *const *)list;
    o->npaths = k;
}

void cli_free_options(char *stdlib_dir, char **paths)
{
    kpi_free(stdlib_dir);
    for (size_t i = 0; paths && paths[i]; i++)
        kpi_free(paths[i]);
    kpi_free(paths);
}

bool has_suffix(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

Program *cli_compile(const char *path, bool warnings, const CompileOverride *ov, size_t nov, DiagOutput *out,
                     int *exit_code)
{
    if (has_suffix(path, ".kpc") && nov) {
        DiagList d;
        diag_init(&d);
        diag_where(&d, K_DATA_KPC, path, "a compiled scheme cannot take --set; give its .kpi source");
        diagout_add(out, &d, NULL);
        diag_free(&d);
        *exit_code = EXIT_USAGE;
        return NULL;
    }
    if (has_suffix(path, ".kpc")) {
        char err[512];
        Program *p = kpc_load_file(path, err, sizeof err);
        if (!p) {
            DiagList d;
            diag_init(&d);
            diag_where(&d, K_DATA_KPC, path, "%s", err);
            diagout_add(out, &d, NULL);
            diag_free(&d);
            *exit_code = EXIT_SCHEME;
        }
        return p;
    }
    CompileOptions o;
    char *stdlib_dir, **paths;
    cli_compile_options(&o, &stdlib_dir, &paths);
    o.overrides = ov;
    o.noverrides = nov;
    Compilation c;
    compilation_init(&c);
    bool ok = compile_file(&c, path, &o);
    if (!warnings)
        diag_drop_warnings(&c.diags);
    diagout_add(out, &c.diags, &c.sources);
    Program *p = ok ? compile_take(&c) : NULL;
    if (!ok)
        *exit_code = EXIT_SCHEME;
    compilation_free(&c);
    cli_free_options(stdlib_dir, paths);
    return p;
}

static Program *load(const char *path, bool warnings, const CompileOverride *ov, size_t nov, int *exit_code)
{
    DiagOutput out;
    bool color = false;
    diagfmt_color("auto", stderr, &color);
    diagout_init(&out, DF_HUMAN, color);
    Program *p = cli_compile(path, warnings, ov, nov, &out, exit_code);
    diagout_write(&out, KPI_VERSION);
    diagout_free(&out);
    return p;
}

Program *cli_load_program(const char *path, bool warnings, int *exit_code)
{
    return load(path, warnings, NULL, 0, exit_code);
}

Program *cli_load_program_set(const char *path, const CompileOverride *ov, size_t nov, int *exit_code)
{
    return load(path, false, ov, nov, exit_code);
}

int cli_usage_error(const char *prog, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", prog);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n(%s --help shows the options)\n", prog);
    va_end(ap);
    return EXIT_USAGE;
}

int cli_set_arg(const char *prog, const char *v, CompileOverride **sets, size_t *n, size_t *cap)
{
    const char *eq = strchr(v, '=');
    if (!eq || eq == v || !eq[1])
        return cli_usage_error(prog, "--set takes NAME=VALUE, e.g. --set revenue.plan=1200000");
    CompileOverride o = {kpi_strndup(v, (size_t)(eq - v)), eq + 1};
    VEC_PUSH(*sets, *n, *cap, o);
    return 0;
}

int cli_format_arg(const char *prog, const char *f, ReportFormat *out)
{
    static const char *const names[] = {[REPORT_TABLE] = "table", [REPORT_CSV] = "csv", [REPORT_JSON] = "json"};
    for (int k = REPORT_TABLE; k <= REPORT_JSON; k++)
        if (!strcmp(f, names[k])) {
            *out = (ReportFormat)k;
            return 0;
        }
    return cli_usage_error(prog, "unknown format '%s' (table, csv or json)", f);
}
