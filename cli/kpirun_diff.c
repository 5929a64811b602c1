/* kpirun_diff.c - kpirun diff OLD NEW --period P: two versions of a scheme
 * evaluated over the same facts, compared per employee (driver/diff.c) and
 * printed (report/diff.c). Argument parsing and output only. */
#include "base/alloc.h"
#include "base/fsio.h"
#include "cli/cli.h"
#include "cli/diagfmt.h"
#include "cli/kpirun.h"
#include "cli/outputs.h"
#include "driver/diff.h"
#include "report/diff.h"

#include <stdio.h>
#include <string.h>

#define PROG "kpirun diff"

static const char usage[] =
    "usage: kpirun diff OLD.kpi NEW.kpi --period PERIOD [options]\n"
    "\n"
    "Evaluates two versions of a scheme over the same facts and prints, per\n"
    "employee, the old payout, the new payout, the delta and the indicators and\n"
    "values that moved it; then both budgets, the budget delta, how many gain and\n"
    "lose, the largest loss and the largest gain. Either version may be a .kpc.\n"
    "\n"
    "options:\n"
    "  --period P       the period: 2026-10 (month), 2026-Q4, 2026-W43, 2026\n"
    "  --data DIR       where the input files are (default: the old scheme's directory)\n"
    "  -o FILE          write the result to FILE (atomically) instead of stdout\n"
    "  --format F       table (default), csv or json\n"
    "  --force          replace a result file that exists\n"
    "  --manifest FILE  where the run manifest goes (default: next to -o FILE)\n"
    "  -h, --help       this help\n"
    "\n"
    "exit codes: 0 compared, 1 a version has scheme errors, 2 the command line is\n"
    "wrong, 3 the input data are wrong, 4 a runtime error, 5 the result could not\n"
    "be written (as kpirun's).\n";

typedef struct DiffArgs {
    const char  *scheme[2];   /* old, new */
    const char  *period, *data, *out, *manifest;
    ReportFormat format;
    bool         force;
    int          argc;        /* the command line, for the manifest */
    char       **argv;
} DiffArgs;

static int option(DiffArgs *a, const char *s, const char *v)
{
    if (!strcmp(s, "--period"))
        a->period = v;
    else if (!strcmp(s, "--data"))
        a->data = v;
    else if (!strcmp(s, "-o"))
        a->out = v;
    else if (!strcmp(s, "--manifest"))
        a->manifest = v;
    else
        return cli_format_arg(PROG, v, &a->format);
    return 0;
}

static int positional(DiffArgs *a, const char *s)
{
    if (a->scheme[1])
        return cli_usage_error(PROG, "two versions at a time ('%s' is a third one)", s);
    a->scheme[a->scheme[0] ? 1 : 0] = s;
    return 0;
}

static int check_args(const DiffArgs *a)
{
    if (!a->scheme[0])
        return cli_usage_error(PROG, "%s", "which versions? kpirun diff OLD.kpi NEW.kpi --period 2026-10");
    if (!a->scheme[1])
        return cli_usage_error(PROG, "a diff needs two versions; which is the new one? "
                                     "kpirun diff %s NEW.kpi --period 2026-10", a->scheme[0]);
    if (!a->period)
        return cli_usage_error(PROG, "%s", "which period? add --period 2026-10");
    return 0;
}

/* -1 after --help, an exit code on an error, else 0. */
static int parse_args(int argc, char **argv, DiffArgs *a)
{
    static const char *const valued[] = {"--period", "--data", "-o", "--format", "--manifest"};
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        if (!strcmp(s, "-h") || !strcmp(s, "--help")) {
            fputs(usage, stdout);
            return -1;
        }
        bool takes = false;
        for (size_t k = 0; k < sizeof valued / sizeof *valued; k++)
            takes |= !strcmp(s, valued[k]);
        if (takes && i + 1 >= argc)
            return cli_usage_error(PROG, "%s needs a value", s);
        int rc = 0;
        if (takes)
            rc = option(a, s, argv[++i]);
        else if (!strcmp(s, "--force"))
            a->force = true;
        else if (s[0] == '-' && s[1])
            rc = cli_usage_error(PROG, "unknown option '%s'", s);
        else
            rc = positional(a, s);
        if (rc)
            return rc;
    }
    return check_args(a);
}

static const char *const period_examples[] = {"2026-W43", "2026-10", "2026-Q4", "2026"};

/* The period must be one both versions are evaluated by. */
static int parse_period(const DiffArgs *a, Program *const p[2], Period *out)
{
    PeriodKind k0 = (PeriodKind)p[0]->period, k1 = (PeriodKind)p[1]->period;
    if (k0 != k1) {
        fprintf(stderr, "%s: %s is evaluated by %s and %s by %s; a diff needs one period for both\n", PROG,
                a->scheme[0], period_kind_name(k0), a->scheme[1], period_kind_name(k1));
        return EXIT_USAGE;
    }
    if (!period_parse(a->period, strlen(a->period), k0, out)) {
        fprintf(stderr, "%s: '%s' is not a %s; the schemes are evaluated by %s, e.g. %s\n", PROG, a->period,
                period_kind_name(k0), period_kind_name(k0), period_examples[k0]);
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

/* Both runs' errors and warnings. The same data give the same data
 * diagnostics: printed once; otherwise each under its version's name. */
static void print_diags(const DiffArgs *a, Program *const p[2], RunResult res[2])
{
    bool color = false;
    diagfmt_color("auto", stderr, &color);
    Buf text[2] = {BUF_INIT, BUF_INIT};
    for (int v = 0; v < 2; v++) {
        diag_sort(&res[v].diags);
        diag_render_color(&res[v].diags, &p[v]->sources, color, &text[v]);
    }
    bool same = text[0].len == text[1].len && (!text[0].len || !memcmp(text[0].data, text[1].data, text[0].len));
    for (int v = 0; v < (same ? 1 : 2); v++) {
        if (!text[v].len)
            continue;
        if (!same)
            fprintf(stderr, "%s: the %s version, %s:\n", PROG, v ? "new" : "old", a->scheme[v]);
        fputs(buf_cstr(&text[v]), stderr);
    }
    buf_free(&text[0]);
    buf_free(&text[1]);
}

static int run_status(const RunResult *r)
{
    return r->status == RUN_DATA_ERROR ? EXIT_DATA : r->status == RUN_EVAL_ERROR ? EXIT_EVAL : EXIT_OK;
}

static int write_result(const DiffArgs *a, Program *const p[2], const RunResult res[2], const RunOptions *o,
                        const Diff *d)
{
    Outputs outs;
    outputs_init(&outs, a->force);
    outputs_set_command(&outs, a->argc, a->argv);
    for (int v = 0; v < 2; v++)
        outputs_note_run(&outs, a->scheme[v], p[v], &res[v], o->data_dir, &o->period);
    outputs_set_manifest(&outs, a->manifest);
    Buf out = BUF_INIT;
    report_diff(d, a->scheme[0], a->scheme[1], &o->period, a->format, &out);
    outputs_add(&outs, a->out, &out);
    int rc = outputs_write(&outs);
    outputs_free(&outs);
    return rc;
}

static int compare(const DiffArgs *a, Program *const p[2])
{
    Period period;
    int rc = parse_period(a, p, &period);
    if (rc != EXIT_OK)
        return rc;
    char *data_dir = a->data ? kpi_strdup(a->data) : fs_dirname(a->scheme[0]);
    RunOptions o;
    memset(&o, 0, sizeof o);
    o.data_dir = data_dir;
    o.period = period;
    RunResult res[2];
    Diff d;
    bool ok = diff_run(p[0], p[1], &o, res, &d);
    print_diags(a, p, res);
    rc = run_status(&res[0]) != EXIT_OK ? run_status(&res[0]) : run_status(&res[1]);
    if (ok)
        rc = write_result(a, p, res, &o, &d);
    diff_free(&d);
    run_result_free(&res[0]);
    run_result_free(&res[1]);
    kpi_free(data_dir);
    return rc;
}

int kpirun_diff_main(int argc, char **argv)
{
    DiffArgs a;
    memset(&a, 0, sizeof a);
    a.argc = argc;
    a.argv = argv;
    int rc = parse_args(argc, argv, &a);
    if (rc != 0)
        return rc < 0 ? EXIT_OK : rc;
    /* both compiled, so one run reports the errors of both */
    int code[2] = {EXIT_OK, EXIT_OK};
    Program *p[2];
    for (int v = 0; v < 2; v++)
        p[v] = cli_load_program(a.scheme[v], false, &code[v]);
    if (p[0] && p[1])
        rc = compare(&a, p);
    else
        rc = code[0] != EXIT_OK ? code[0] : code[1];
    for (int v = 0; v < 2; v++)
        if (p[v]) {
            program_free(p[v]);
            kpi_free(p[v]);
        }
    return rc;
}
