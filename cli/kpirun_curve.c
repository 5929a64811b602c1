/* kpirun_curve.c - kpirun curve: an indicator's scale as a table of
 * index -> score, and an SVG plot with -o. Argument parsing and output only. */
#include "base/alloc.h"
#include "base/fsio.h"
#include "cli/cli.h"
#include "cli/kpirun.h"
#include "cli/outputs.h"
#include "report/curve.h"
#include "report/explain.h"
#include "vm/run.h"

#include <stdio.h>
#include <string.h>

static const char usage[] =
    "usage: kpirun curve SCHEME.kpi|SCHEME.kpc INDICATOR [options]\n"
    "\n"
    "Prints the indicator's scale as a table of index -> score: every 10%, every\n"
    "band edge, cutoff and cap, and just below each edge where the score jumps.\n"
    "\n"
    "options:\n"
    "  -o FILE           also write an SVG plot of the scale to FILE\n"
    "  --format F        table (default) or csv\n"
    "  --period P        with --employee: draw the scale of one employee (when it\n"
    "  --employee EMP    depends on the employee's values) and mark their point\n"
    "  --data DIR        where the input files are (default: the scheme's directory)\n"
    "  --set NAME=VALUE  what if: a param or named value is VALUE\n"
    "  --force           replace a plot file that exists\n"
    "  -h, --help        this help\n";

typedef struct Args {
    int              argc;
    char           **argv;
    const char      *scheme, *indicator, *out, *period, *employee, *data;
    bool             csv, force;
    CompileOverride *sets;
    size_t           nsets, capsets;
} Args;

static int option(Args *a, const char *s, const char *v)
{
    if (!strcmp(s, "-o"))
        a->out = v;
    else if (!strcmp(s, "--period"))
        a->period = v;
    else if (!strcmp(s, "--employee"))
        a->employee = v;
    else if (!strcmp(s, "--data"))
        a->data = v;
    else if (!strcmp(s, "--format")) {
        if (strcmp(v, "table") && strcmp(v, "csv"))
            return cli_usage_error("kpirun curve", "unknown format '%s' (table or csv)", v);
        a->csv = !strcmp(v, "csv");
    } else {
        return cli_set_arg("kpirun curve", v, &a->sets, &a->nsets, &a->capsets);
    }
    return 0;
}

static int parse_args(int argc, char **argv, Args *a)
{
    static const char *const valued[] = {"-o", "--period", "--employee", "--data", "--format", "--set"};
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
            return cli_usage_error("kpirun curve", "%s needs a value", s);
        int rc = 0;
        if (takes)
            rc = option(a, s, argv[++i]);
        else if (!strcmp(s, "--force"))
            a->force = true;
        else if (s[0] == '-' && s[1])
            rc = cli_usage_error("kpirun curve", "unknown option '%s'", s);
        else if (!a->scheme)
            a->scheme = s;
        else if (!a->indicator)
            a->indicator = s;
        else
            rc = cli_usage_error("kpirun curve", "one indicator at a time ('%s' is a second one)", s);
        if (rc)
            return rc;
    }
    if (!a->scheme || !a->indicator)
        return cli_usage_error("kpirun curve", "%s", "which scheme and indicator? kpirun curve scheme.kpi revenue");
    if (!a->period != !a->employee)
        return cli_usage_error("kpirun curve", "%s", "--period and --employee go together");
    return 0;
}

static int find_indicator(const Program *p, const char *name)
{
    for (uint32_t i = 0; i < p->nind; i++)
        if (!strcmp(p->ind[i].name, name) || (p->ind[i].label && !strcmp(p->ind[i].label, name)))
            return (int)i;
    fprintf(stderr, "kpirun curve: the scheme has no indicator '%s'; its indicators:", name);
    for (uint32_t i = 0; i < p->nind; i++)
        fprintf(stderr, "%s %s", i ? "," : "", p->ind[i].name);
    fputc('\n', stderr);
    return -1;
}

static int refuse(const Curve *c, CurveStatus st, const char *ind, const char *why)
{
    char *read = NULL;
    if (st == CURVE_READS_DATA && c->why_span != UINT32_MAX)
        why = read = explain_source_text(c->p, program_span(c->p, c->why_span));
    if (st == CURVE_NO_SCALE)
        fprintf(stderr, "kpirun curve: indicator '%s' has no scale: its score is its index\n", ind);
    else if (st == CURVE_READS_DATA)
        fprintf(stderr, "kpirun curve: the score of '%s' reads the data itself (%s), so it is no function of "
                        "the index alone\n", ind, why);
    else
        fprintf(stderr, "kpirun curve: the scale of '%s' depends on %s, which differs from employee to "
                        "employee; add --period P --employee EMP to draw it for one employee\n", ind, why);
    kpi_free(read);
    return EXIT_USAGE;
}

/* The table (stdout) and the plot (-o), for regs of an employee or NULL. */
static int draw(const Args *a, const Program *p, int ind, const Value *regs, Outputs *outs)
{
    Curve c;
    const char *why;
    CurveStatus st = curve_open(&c, p, (uint32_t)ind, regs, &why);
    if (st != CURVE_OK)
        return refuse(&c, st, p->ind[ind].name, why);
    const IndicatorOut *o = &p->ind[ind];
    PlotPoint pt = {regs ? regs[o->index] : val_blank(), regs ? regs[o->raw_score] : val_blank()};
    Buf table = BUF_INIT;
    if (a->csv) {
        curve_csv(&c, regs ? &pt.index : NULL, &table);
    } else {
        Span sp = program_span(p, p->def_span[o->raw_score]);
        const Source *src = sources_get(&p->sources, sp.file);
        char *formula = explain_source_text(p, sp);
        buf_printf(&table, "%s%s%s%s: score = %s  (%s:%u)\n", o->label ? o->label : o->name, o->label ? " (" : "",
                   o->label ? o->name : "", o->label ? ")" : "", formula, src ? src->name : "?",
                   src ? source_linecol(src, sp.start).line : 0);
        kpi_free(formula);
        curve_table(&c, regs ? &pt.index : NULL, &table);
    }
    outputs_add(outs, NULL, &table);
    if (a->out) {
        Buf svg = BUF_INIT;
        curve_svg(&c, o->label ? o->label : o->name, regs ? &pt : NULL, &svg);
        outputs_add(outs, a->out, &svg);
    }
    curve_close(&c);
    return EXIT_OK;
}

/* --employee: the period is run to get the employee's values. */
static int for_employee(const Args *a, const Program *p, int ind, Outputs *outs)
{
    Period period;
    if (!period_parse(a->period, strlen(a->period), (PeriodKind)p->period, &period))
        return cli_usage_error("kpirun curve", "'%s' is not a %s", a->period,
                               period_kind_name((PeriodKind)p->period));
    char *dir = a->data ? kpi_strdup(a->data) : fs_dirname(a->scheme);
    RunOptions ro = {.data_dir = dir, .period = period};
    RunResult res;
    run_period(p, &ro, &res);
    cli_print_diags(&res.diags, &p->sources);
    int rc = res.status == RUN_DATA_ERROR ? EXIT_DATA : res.status == RUN_EVAL_ERROR ? EXIT_EVAL : EXIT_OK;
    if (rc == EXIT_OK) {
        int32_t e = run_find_employee(&res, a->employee);
        if (e < 0) {
            fprintf(stderr, "kpirun curve: employee '%s' is not in the roster\n", a->employee);
            rc = EXIT_USAGE;
        } else {
            outputs_note_run(outs, a->scheme, p, &res, dir, &period);
            rc = draw(a, p, ind, run_regs(&res, (uint32_t)e), outs);
            if (rc == EXIT_OK)
                rc = outputs_write(outs);
        }
    }
    run_result_free(&res);
    kpi_free(dir);
    return rc;
}

static int curve(const Args *a, const Program *p)
{
    int ind = find_indicator(p, a->indicator);
    if (ind < 0)
        return EXIT_USAGE;
    Outputs outs;
    outputs_init(&outs, a->force);
    outputs_set_command(&outs, a->argc, a->argv);
    int rc;
    if (a->employee) {
        rc = for_employee(a, p, ind, &outs);
    } else {
        rc = draw(a, p, ind, NULL, &outs);
        if (rc == EXIT_OK)
            rc = outputs_write(&outs);
    }
    outputs_free(&outs);
    return rc;
}

int kpirun_curve_main(int argc, char **argv)
{
    Args a;
    memset(&a, 0, sizeof a);
    a.argc = argc;
    a.argv = argv;
    int rc = parse_args(argc, argv, &a);
    if (rc == 0) {
        Program *p = cli_load_program_set(a.scheme, a.sets, a.nsets, &rc);
        if (p) {
            rc = curve(&a, p);
            program_free(p);
            kpi_free(p);
        }
    }
    for (size_t i = 0; i < a.nsets; i++)
        kpi_free((char *)a.sets[i].name);
    kpi_free(a.sets);
    return rc < 0 ? EXIT_OK : rc;
}
