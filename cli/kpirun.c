/* kpirun - evaluates a scheme for a period and prints every employee's
 * indicators, KPI, bonus and payout. Argument parsing and output only. */
#include "base/alloc.h"
#include "base/fsio.h"
#include "cli/cli.h"
#include "cli/report.h"
#include "vm/run.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char usage[] =
    "usage: kpirun SCHEME.kpi|SCHEME.kpc --period PERIOD [options]\n"
    "\n"
    "Evaluates the scheme over the period's fact tables and prints, per employee,\n"
    "every indicator's fact, plan, index and score, the KPI, the bonus and the payout.\n"
    "\n"
    "options:\n"
    "  --period P        the period: 2026-10 (month), 2026-Q4, 2026-W43, 2026\n"
    "  --data DIR        where the input files are (default: the scheme's directory)\n"
    "  -o FILE           write the result to FILE (atomically) instead of stdout\n"
    "  --format F        table (default), csv or json\n"
    "  -h, --help        this help\n"
    "  --version         the version\n"
    "\n"
    "exit codes:\n"
    "  0  the payouts were computed\n"
    "  1  the scheme has errors\n"
    "  2  the command line is wrong\n"
    "  3  an input file is missing or malformed, or a plan row is missing\n"
    "  4  a runtime error: division by zero, no band matched, a number out of range\n"
    "  5  the result could not be written\n"
    " 70  out of memory or an internal error\n";

typedef struct Args {
    const char  *scheme, *period, *data, *out;
    ReportFormat format;
} Args;

__attribute__((format(printf, 1, 2)))
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("kpirun: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs("\n(kpirun --help shows the options)\n", stderr);
    va_end(ap);
    return EXIT_USAGE;
}

static int parse_args(int argc, char **argv, Args *a)
{
    memset(a, 0, sizeof *a);
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(s, "-h") || !strcmp(s, "--help")) {
            fputs(usage, stdout);
            return -1;
        }
        if (!strcmp(s, "--version")) {
            printf("kpirun %s\n", KPI_VERSION);
            return -1;
        }
        bool takes = !strcmp(s, "--period") || !strcmp(s, "--data") || !strcmp(s, "-o") ||
                     !strcmp(s, "--format");
        if (takes && !next)
            return usage_error("%s needs a value", s);
        if (!strcmp(s, "--period"))
            a->period = argv[++i];
        else if (!strcmp(s, "--data"))
            a->data = argv[++i];
        else if (!strcmp(s, "-o"))
            a->out = argv[++i];
        else if (!strcmp(s, "--format")) {
            const char *f = argv[++i];
            if (!strcmp(f, "table"))
                a->format = REPORT_TABLE;
            else if (!strcmp(f, "csv"))
                a->format = REPORT_CSV;
            else if (!strcmp(f, "json"))
                a->format = REPORT_JSON;
            else
                return usage_error("unknown format '%s' (table, csv or json)", f);
        } else if (s[0] == '-' && s[1])
            return usage_error("unknown option '%s'", s);
        else if (a->scheme)
            return usage_error("one scheme at a time ('%s' is a second one)", s);
        else
            a->scheme = s;
    }
    if (!a->scheme)
        return usage_error("%s", "which scheme? kpirun SCHEME.kpi --period 2026-10");
    if (!a->period)
        return usage_error("%s", "which period? add --period 2026-10");
    return 0;
}

static const char *const period_examples[] = {"2026-W43", "2026-10", "2026-Q4", "2026"};

static int evaluate(const Args *a, Program *p)
{
    Period period;
    if (!period_parse(a->period, strlen(a->period), (PeriodKind)p->period, &period)) {
        fprintf(stderr, "kpirun: '%s' is not a %s; the scheme is evaluated by %s, e.g. %s\n",
                a->period, period_kind_name((PeriodKind)p->period),
                period_kind_name((PeriodKind)p->period), period_examples[p->period]);
        return EXIT_USAGE;
    }
    char *data_dir = a->data ? kpi_strdup(a->data) : fs_dirname(a->scheme);
    RunOptions o = {data_dir, period, false};
    RunResult res;
    run_period(p, &o, &res);
    cli_print_diags(&res.diags, &p->sources);
    int rc = res.status == RUN_DATA_ERROR ? EXIT_DATA : res.status == RUN_EVAL_ERROR ? EXIT_EVAL : EXIT_OK;
    if (rc == EXIT_OK) {
        Buf out = BUF_INIT;
        report_write(&res, &period, a->format, &out);
        char err[512];
        if (a->out) {
            if (!fs_write_atomic(a->out, out.data ? out.data : "", out.len, err, sizeof err)) {
                fprintf(stderr, "%s: error: %s\n", a->out, err);
                rc = EXIT_OUTPUT;
            }
        } else if (fwrite(buf_cstr(&out), 1, out.len, stdout) != out.len || fflush(stdout) != 0) {
            fprintf(stderr, "kpirun: error: cannot write the result to standard output\n");
            rc = EXIT_OUTPUT;
        }
        buf_free(&out);
    }
    run_result_free(&res);
    kpi_free(data_dir);
    return rc;
}

int main(int argc, char **argv)
{
    Args a;
    int rc = parse_args(argc, argv, &a);
    if (rc != 0)
        return rc < 0 ? EXIT_OK : rc;
    Program *p = cli_load_program(a.scheme, false, &rc);
    if (!p)
        return rc;
    rc = evaluate(&a, p);
    program_free(p);
    kpi_free(p);
    return rc;
}
