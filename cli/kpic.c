/* kpic - the scheme compiler's command line: check, build, disasm, explain.
 * Argument parsing and output only; the work is in compiler/ and vm/. */
#include "base/alloc.h"
#include "base/buf.h"
#include "cli/cli.h"
#include "cli/diagfmt.h"
#include "cli/runlimits.h"
#include "base/fsio.h"
#include "compiler/disasm.h"
#include "compiler/format.h"
#include "vm/kpc.h"
#include "vm/run.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char usage[] =
    "usage: kpic COMMAND [options] FILE...\n"
    "\n"
    "commands:\n"
    "  check FILE.kpi...          check schemes: every error and warning, located\n"
    "  build FILE.kpi -o OUT.kpc  compile a scheme to bytecode\n"
    "  disasm FILE.kpi|FILE.kpc   print the bytecode of a scheme, readably (--no-lines: without\n"
    "                             source positions, to compare two versions' code)\n"
    "  explain CODE               the long form of a diagnostic (explain --all: all of them)\n"
    "  fmt FILE.kpi...            print the canonical form (--check: fail if not formatted;\n"
    "                             -w: rewrite the files in place)\n"
    "  ast FILE.kpi               print the syntax tree\n"
    "  opcodes                    print the instruction set as a Markdown table\n"
    "\n"
    "options of check:\n"
    "  --diagnostics=FORMAT  human (default, on stderr), json, github or sarif (on stdout)\n"
    "  --color=WHEN          auto (default: on a terminal, unless NO_COLOR is set), always, never\n"
    "  --werror              warnings fail the check too\n"
    "  --data DIR --period P also read the period's input files in DIR and check them:\n"
    "                        columns, cells, keys, plans, unknown employees (nothing is computed)\n"
    "\n"
    "  --max-memory SIZE  stop (exit 70) rather than hold more memory, e.g. 512M, 4G;\n"
    "                 default: half the physical memory; 0: no limit\n"
    "  -o FILE        output file of build\n"
    "  -h, --help     this help\n"
    "  --version      the version\n"
    "\n"
    "environment: KPI_PATH=dir:dir  directories searched by 'import'\n"
    "exit codes: 0 clean (warnings allowed), 1 errors found, 2 usage, 5 the output could not be written,\n"
    "            70 out of memory (or past --max-memory)\n";

typedef struct Opts {
    const char *out, *data, *period;
    DiagFormat  format;
    const char *color;
    bool        werror, all, check, write, no_lines;
    char      **files;
    int         nfiles;
} Opts;

__attribute__((format(printf, 1, 2)))
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("kpic: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs("\n(kpic --help shows the commands and options)\n", stderr);
    va_end(ap);
    return EXIT_USAGE;
}

static void free_program(Program *p)
{
    if (p) {
        program_free(p);
        kpi_free(p);
    }
}

/* kpic check --data: read the period's files as kpirun would, compute nothing. */
static int check_data(const Opts *o, const Program *p, DiagOutput *out)
{
    Period period;
    if (!period_parse(o->period, strlen(o->period), (PeriodKind)p->period, &period))
        return usage_error("'%s' is not a %s", o->period, period_kind_name((PeriodKind)p->period));
    RunOptions ro = {.data_dir = o->data, .period = period, .check_only = true};
    RunResult res;
    run_period(p, &ro, &res);
    diagout_add(out, &res.diags, &p->sources);
    run_result_free(&res);
    return EXIT_OK;
}

static int cmd_check(const Opts *o)
{
    bool color = false;
    if (!diagfmt_color(o->color, stderr, &color))
        return usage_error("--color takes auto, always or never, not '%s'", o->color);
    if (!o->data != !o->period)
        return usage_error("--data and --period go together: kpic check s.kpi --data DIR --period 2026-10");
    DiagOutput out;
    diagout_init(&out, o->format, color);
    out.werror = o->werror;
    int rc = EXIT_OK;
    for (int i = 0; i < o->nfiles && rc == EXIT_OK; i++) {
        int code = EXIT_OK;
        Program *p = cli_compile(o->files[i], true, NULL, 0, &out, &code);
        if (p && o->data)
            rc = check_data(o, p, &out);
        free_program(p);
    }
    if (rc != EXIT_OK) {
        diagout_free(&out);
        return rc;
    }
    diagout_write(&out, KPI_VERSION);
    rc = diagout_failed(&out) ? EXIT_SCHEME : EXIT_OK;
    diagout_free(&out);
    return rc;
}

static int cmd_build(const char *in, const char *out)
{
    int code = EXIT_OK;
    Program *p = cli_load_program(in, true, &code);
    if (!p)
        return code;
    char err[512];
    if (!kpc_save_file(p, out, err, sizeof err)) {
        fprintf(stderr, "%s: error: %s\n", out, err);
        code = EXIT_OUTPUT;
    }
    free_program(p);
    return code;
}

static int cmd_disasm(const char *in, bool lines)
{
    int code = EXIT_OK;
    Program *p = cli_load_program(in, false, &code);
    if (!p)
        return code;
    Buf out = BUF_INIT;
    disasm_program_lines(p, lines, &out);
    fputs(buf_cstr(&out), stdout);
    buf_free(&out);
    free_program(p);
    return EXIT_OK;
}

static int cmd_ast(const char *in)
{
    if (has_suffix(in, ".kpc")) {
        fprintf(stderr, "kpic: ast reads a scheme's source (.kpi); for a .kpc use kpic disasm\n");
        return EXIT_USAGE;
    }
    Compilation c;
    compilation_init(&c);
    bool ok = compile_parse(&c, in);
    cli_print_diags(&c.diags, &c.sources);
    if (ok) {
        Buf out = BUF_INIT;
        ast_dump(&c.ast, &out);
        fputs(buf_cstr(&out), stdout);
        buf_free(&out);
    }
    compilation_free(&c);
    return ok ? EXIT_OK : EXIT_SCHEME;
}

static void explain_one(const DiagInfo *d, Buf *b)
{
    buf_printf(b, "%s: %s (%s%s)\n\n%s\n", d->code, d->title, d->sev == DIAG_ERROR ? "error" : "warning",
               diag_allowable((DiagId)(d - diag_info)) ? ", can be switched off with allow" : "", d->text);
}

/* docs/diagnostics.md is this output, word for word. */
static void explain_all(Buf *b)
{
    buf_adds(b, "# Diagnostics\n\n"
                "Every message of kpic and kpirun has a stable code. `kpic explain CODE` prints the\n"
                "entry below; this page is generated by `kpic explain --all` from `base/diagcodes.def`.\n"
                "A warning, or a check of the groups K07 and K08, can be switched off in a scheme\n"
                "with `allow CODE`.\n\n"
                "| code | severity | title |\n|---|---|---|\n");
    for (int i = 0; i < K__COUNT; i++)
        buf_printf(b, "| [%s](#%s) | %s | %s |\n", diag_info[i].code, diag_info[i].code,
                   diag_info[i].sev == DIAG_ERROR ? "error" : "warning", diag_info[i].title);
    for (int i = 0; i < K__COUNT; i++) {
        const DiagInfo *d = &diag_info[i];
        const char *sev = d->sev == DIAG_ERROR ? "Error" : "Warning";
        buf_printf(b, "\n<a id=\"%s\"></a>\n## %s: %s\n\n", d->code, d->code, d->title);
        if (diag_allowable((DiagId)i))
            buf_printf(b, "%s; can be switched off with `allow %s`.\n\n", sev, d->code);
        else
            buf_printf(b, "%s.\n\n", sev);
        buf_printf(b, "```text\n%s\n```\n", d->text);
    }
}

static int cmd_explain(const Opts *o)
{
    Buf b = BUF_INIT;
    if (o->all) {
        explain_all(&b);
    } else if (o->nfiles == 1) {
        const DiagInfo *d = diag_lookup(o->files[0]);
        if (!d) {
            buf_free(&b);
            return usage_error("no diagnostic has the code '%s' (kpic explain --all lists them)", o->files[0]);
        }
        explain_one(d, &b);
    } else {
        buf_free(&b);
        return usage_error("explain takes one code, like kpic explain K0201, or --all");
    }
    fputs(buf_cstr(&b), stdout);
    buf_free(&b);
    return EXIT_OK;
}

/* fmt: the canonical form, printed, checked or written back (atomically). */
static int fmt_one(const Opts *o, const char *path)
{
    Compilation c;
    compilation_init(&c);
    int rc = EXIT_OK;
    if (!compile_parse(&c, path)) {
        cli_print_diags(&c.diags, &c.sources);
        compilation_free(&c);
        return EXIT_SCHEME;
    }
    const Source *src = sources_get(&c.sources, c.ast.file);
    Buf out = BUF_INIT;
    format_ast(&c.ast, src, &out);
    bool same = out.len == src->len && memcmp(buf_cstr(&out), src->text, out.len) == 0;
    char err[512];
    if (o->check && !same) {
        fprintf(stderr, "%s: not formatted (kpic fmt -w %s rewrites it)\n", path, path);
        rc = EXIT_SCHEME;
    } else if (o->write && !same && !fs_write_atomic(path, out.data, out.len, err, sizeof err)) {
        fprintf(stderr, "%s: error: %s\n", path, err);
        rc = EXIT_OUTPUT;
    } else if (!o->check && !o->write) {
        fputs(buf_cstr(&out), stdout);
    }
    buf_free(&out);
    compilation_free(&c);
    return rc;
}

static int cmd_fmt(const Opts *o)
{
    int rc = EXIT_OK;
    for (int i = 0; i < o->nfiles; i++) {
        int r = fmt_one(o, o->files[i]);
        if (r > rc)
            rc = r;
    }
    return rc;
}

static int parse_opts(int argc, char **argv, Opts *o)
{
    memset(o, 0, sizeof *o);
    o->color = "auto";
    o->files = kpi_calloc((size_t)argc, sizeof(char *));
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-o") && i + 1 < argc)
            o->out = argv[++i];
        else if ((!strcmp(a, "--data") || !strcmp(a, "--period")) && i + 1 < argc)
            *(a[2] == 'd' ? &o->data : &o->period) = argv[++i];
        else if (!strcmp(a, "--max-memory") && i + 1 < argc) {
            if (cli_max_memory_arg("kpic", argv[++i]))
                return EXIT_USAGE;
        } else if (!strncmp(a, "--data=", 7))
            o->data = a + 7;
        else if (!strncmp(a, "--period=", 9))
            o->period = a + 9;
        else if (!strncmp(a, "--diagnostics=", 14)) {
            if (!diagfmt_parse(a + 14, &o->format))
                return usage_error("--diagnostics takes human, json, github or sarif, not '%s'", a + 14);
        } else if (!strncmp(a, "--color=", 8))
            o->color = a + 8;
        else if (!strcmp(a, "--werror"))
            o->werror = true;
        else if (!strcmp(a, "--all"))
            o->all = true;
        else if (!strcmp(a, "--check"))
            o->check = true;
        else if (!strcmp(a, "-w"))
            o->write = true;
        else if (!strcmp(a, "--no-lines"))
            o->no_lines = true;
        else if (a[0] == '-' && a[1])
            return usage_error("unknown option '%s'", a);
        else
            o->files[o->nfiles++] = argv[i];
    }
    return EXIT_OK;
}

static int run(const char *cmd, const Opts *o)
{
    if (!strcmp(cmd, "check") && o->nfiles > 0)
        return cmd_check(o);
    if (!strcmp(cmd, "build") && o->nfiles == 1 && o->out)
        return cmd_build(o->files[0], o->out);
    if (!strcmp(cmd, "disasm") && o->nfiles == 1)
        return cmd_disasm(o->files[0], !o->no_lines);
    if (!strcmp(cmd, "ast") && o->nfiles == 1)
        return cmd_ast(o->files[0]);
    if (!strcmp(cmd, "explain"))
        return cmd_explain(o);
    if (!strcmp(cmd, "fmt") && o->nfiles > 0)
        return cmd_fmt(o);
    if (!strcmp(cmd, "opcodes") && o->nfiles == 0) {
        Buf b = BUF_INIT;
        disasm_opcodes(&b);
        fputs(buf_cstr(&b), stdout);
        buf_free(&b);
        return EXIT_OK;
    }
    static const char *const cmds[] = {"check", "build", "disasm", "ast", "opcodes", "explain", "fmt"};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        if (!strcmp(cmd, cmds[i]))
            return usage_error("'%s' needs different arguments", cmd);
    return usage_error("unknown command '%s'", cmd);
}

int main(int argc, char **argv)
{
    cli_default_limits();
    if (argc < 2)
        return usage_error("a command is missing");
    const char *cmd = argv[1];
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
        fputs(usage, stdout);
        return EXIT_OK;
    }
    if (!strcmp(cmd, "--version")) {
        printf("kpic %s (bytecode format %u)\n", KPI_VERSION, KPC_VERSION);
        return EXIT_OK;
    }
    Opts o;
    int rc = parse_opts(argc, argv, &o);
    if (rc == EXIT_OK)
        rc = run(cmd, &o);
    kpi_free(o.files);
    return rc;
}
