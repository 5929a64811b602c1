/* kpirun - evaluates a scheme for a period and prints every employee's
 * indicators, KPI, bonus and payout; its other commands (test, diff, curve,
 * verify) live in kpirun_*.c. Argument parsing and output only. */
#include "base/alloc.h"
#include "base/clock.h"
#include "base/fsio.h"
#include "cli/cli.h"
#include "cli/kpirun.h"
#include "cli/outputs.h"
#include "cli/runlimits.h"
#include "report/explain.h"
#include "report/results.h"
#include "report/statement.h"
#include "vm/run.h"

#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static const char usage[] =
    "usage: kpirun SCHEME.kpi|SCHEME.kpc --period PERIOD [options]\n"
    "       kpirun test SCHEME.kpi...            run the tests written in schemes\n"
    "       kpirun diff OLD.kpi NEW.kpi --period PERIOD [--data DIR]\n"
    "       kpirun curve SCHEME.kpi INDICATOR [-o PLOT.svg]\n"
    "       kpirun verify MANIFEST.json\n"
    "\n"
    "Evaluates the scheme over the period's fact tables and prints, per employee,\n"
    "every indicator's fact, plan, index and score, the KPI, the bonus and the payout.\n"
    "\n"
    "options:\n"
    "  --period P        the period: 2026-10 (month), 2026-Q4, 2026-W43, 2026\n"
    "  --data DIR        where the input files are (default: the scheme's directory)\n"
    "  -o FILE           write the result to FILE (atomically) instead of stdout\n"
    "  --format F        table (default), csv or json\n"
    "  --explain EMP     print how EMP's payout was computed, step by step\n"
    "  --statements DIR  write a payout statement (HTML) per employee into DIR\n"
    "  --set NAME=VALUE  what if: a param, plan or other named value is VALUE\n"
    "  --force           replace result files that exist\n"
    "  --threads N       read large fact files and evaluate many employees with N\n"
    "                    threads (default: one per CPU, at most 8); the results are\n"
    "                    the same bytes for any N\n"
    "  --timings         print how long each stage took to standard error\n"
    "  --manifest FILE   where the run manifest goes (default: next to -o FILE)\n"
    "  --max-memory SIZE stop (exit 70) rather than hold more memory, e.g. 512M, 4G;\n"
    "                    default: half the physical memory; 0: no limit\n"
    "  --max-steps N     stop (exit 4) rather than run more than N instructions of the\n"
    "                    employee program (default 10000000000; 0: no limit)\n"
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
    " 70  out of memory (or past --max-memory) or an internal error\n";

typedef struct Args {
    const char      *scheme, *period, *data, *out, *explain, *statements, *manifest;
    ReportFormat     format;
    bool             force;
    uint64_t         max_steps;
    uint32_t         threads;          /* 0: one per CPU */
    bool             timings;          /* how long each stage took, on stderr */
    CompileOverride *sets;
    size_t           nsets, capsets;
    int              argc;             /* the command line, for the manifest */
    char           **argv;
} Args;

static int threads_arg(Args *a, const char *v)
{
    char *end;
    unsigned long n = strtoul(v, &end, 10);
    if (!*v || *end || n < 1 || n > KPI_MAX_THREADS)
        return cli_usage_error("kpirun", "--threads takes 1 to %u, not '%s'", KPI_MAX_THREADS, v);
    a->threads = (uint32_t)n;
    return 0;
}

static const char *const valued[] = {"--period", "--data", "-o", "--format", "--explain", "--statements", "--set",
                                      "--manifest", "--max-memory", "--max-steps", "--threads"};

static int option(Args *a, const char *s, const char *v)
{
    if (!strcmp(s, "--period"))
        a->period = v;
    else if (!strcmp(s, "--data"))
        a->data = v;
    else if (!strcmp(s, "-o"))
        a->out = v;
    else if (!strcmp(s, "--format"))
        return cli_format_arg("kpirun", v, &a->format);
    else if (!strcmp(s, "--explain"))
        a->explain = v;
    else if (!strcmp(s, "--statements"))
        a->statements = v;
    else if (!strcmp(s, "--manifest"))
        a->manifest = v;
    else if (!strcmp(s, "--max-memory"))
        return cli_max_memory_arg("kpirun", v);
    else if (!strcmp(s, "--max-steps"))
        return cli_max_steps_arg("kpirun", v, &a->max_steps);
    else if (!strcmp(s, "--threads"))
        return threads_arg(a, v);
    else
        return cli_set_arg("kpirun", v, &a->sets, &a->nsets, &a->capsets);
    return 0;
}

static int parse_args(int argc, char **argv, Args *a)
{
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        if (!strcmp(s, "-h") || !strcmp(s, "--help")) {
            fputs(usage, stdout);
            return -1;
        }
        if (!strcmp(s, "--version")) {
            printf("kpirun %s\n", KPI_VERSION);
            return -1;
        }
        bool takes = false;
        for (size_t k = 0; k < sizeof valued / sizeof *valued; k++)
            takes |= !strcmp(s, valued[k]);
        if (takes && i + 1 >= argc)
            return cli_usage_error("kpirun", "%s needs a value", s);
        int rc = 0;
        if (takes)
            rc = option(a, s, argv[++i]);
        else if (!strcmp(s, "--force"))
            a->force = true;
        else if (!strcmp(s, "--timings"))
            a->timings = true;
        else if (s[0] == '-' && s[1])
            rc = cli_usage_error("kpirun", "unknown option '%s'", s);
        else if (a->scheme)
            rc = cli_usage_error("kpirun", "one scheme at a time ('%s' is a second one)", s);
        else
            a->scheme = s;
        if (rc)
            return rc;
    }
    if (!a->scheme)
        return cli_usage_error("kpirun", "%s", "which scheme? kpirun SCHEME.kpi --period 2026-10");
    if (!a->period)
        return cli_usage_error("kpirun", "%s", "which period? add --period 2026-10");
    if (a->statements && a->explain)
        return cli_usage_error("kpirun", "%s", "--explain prints one explanation; --statements writes them all");
    if (a->explain && a->format == REPORT_CSV)
        return cli_usage_error("kpirun", "%s", "--explain prints text (the default) or --format json");
    return 0;
}

static int explain_one(const Args *a, const RunResult *res, const Period *period, Buf *out)
{
    int32_t e = run_find_employee(res, a->explain);
    if (e < 0) {
        fprintf(stderr, "kpirun: employee '%s' is not in the roster (%u employees, e.g. %s)\n", a->explain,
                res->nemp, res->nemp ? strtab_get(&res->strs, res->emp_key[0], NULL) : "none");
        return EXIT_USAGE;
    }
    Explanation x;
    explain_build(res, period, (uint32_t)e, &x);
    if (a->format == REPORT_JSON)
        explain_json(&x, out);
    else
        explain_text(&x, out);
    explain_free(&x);
    return EXIT_OK;
}

/* DIR/EMP.html for every employee, and DIR/index.html. */
static int add_statements(const Args *a, const RunResult *res, const Period *period, Outputs *outs)
{
    if (mkdir(a->statements, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "%s: error: cannot create the directory: %s\n", a->statements, strerror(errno));
        return EXIT_OUTPUT;
    }
    char **files = kpi_calloc(res->nemp ? res->nemp : 1, sizeof(char *));
    for (uint32_t e = 0; e < res->nemp; e++) {
        files[e] = statement_file_name(strtab_get(&res->strs, res->emp_key[e], NULL), (const char *const *)files, e);
        Explanation x;
        explain_build(res, period, e, &x);
        Buf page = BUF_INIT;
        statement_html(&x, KPI_VERSION, &page);
        explain_free(&x);
        char *path = fs_join(a->statements, files[e]);
        outputs_add(outs, path, &page);
        kpi_free(path);
    }
    Buf index = BUF_INIT;
    statement_index_html(res, period, (const char *const *)files, KPI_VERSION, &index);
    char *path = fs_join(a->statements, "index.html");
    outputs_add(outs, path, &index);
    kpi_free(path);
    if (!a->out && !a->manifest) {
        path = fs_join(a->statements, "manifest.json");
        outputs_set_manifest(outs, path);
        kpi_free(path);
    }
    for (uint32_t e = 0; e < res->nemp; e++)
        kpi_free(files[e]);
    kpi_free(files);
    return EXIT_OK;
}

static uint64_t ms(uint64_t ns) { return (ns + 500000) / 1000000; }

/* Stage times; the rate of evaluation in employees a second, in integers. */
static void print_timings(const RunResult *res, uint64_t compile_ns, uint64_t write_ns)
{
    uint64_t eval = res->ns_eval - res->ns_sink;
    uint64_t rate = eval ? (uint64_t)res->nemp * 1000000000u / eval : 0;
    fprintf(stderr,
            "timings: compile %llu ms, read %llu ms, scan %llu ms, evaluate %llu ms (%u employees, %llu a "
            "second), format results %llu ms, write %llu ms\n",
            (unsigned long long)ms(compile_ns), (unsigned long long)ms(res->ns_read),
            (unsigned long long)ms(res->ns_scan), (unsigned long long)ms(eval), res->nemp,
            (unsigned long long)rate, (unsigned long long)ms(res->ns_sink), (unsigned long long)ms(write_ns));
}

static const char *const period_examples[] = {"2026-W43", "2026-10", "2026-Q4", "2026"};

static int evaluate(const Args *a, Program *p, uint64_t compile_ns)
{
    Period period;
    if (!period_parse(a->period, strlen(a->period), (PeriodKind)p->period, &period)) {
        fprintf(stderr, "kpirun: '%s' is not a %s; the scheme is evaluated by %s, e.g. %s\n",
                a->period, period_kind_name((PeriodKind)p->period),
                period_kind_name((PeriodKind)p->period), period_examples[p->period]);
        return EXIT_USAGE;
    }
    char *data_dir = a->data ? kpi_strdup(a->data) : fs_dirname(a->scheme);
    RunOptions o = {.data_dir = data_dir, .period = period, .max_steps = a->max_steps, .threads = a->threads};
    if (a->explain) {
        o.trace_keys = &a->explain;
        o.ntrace_keys = 1;
    }
    o.trace_all = a->statements != NULL;
    /* plain results are written as employees end: their registers are not kept */
    Buf out = BUF_INIT;
    ReportStream stream;
    bool streamed = !a->explain && !a->statements;
    if (streamed) {
        report_stream_init(&stream, a->format, &period, &out);
        o.sink = report_sink;
        o.render = report_render_for(a->format);
        o.sink_ctx = &stream;
        o.drop_regs = true;
    }
    /* a manifest will be written (outputs.h): its checksums are taken meanwhile */
    bool manifest = a->out || a->manifest || a->statements;
    ManifestPrehash *ph = manifest ? manifest_prehash_start(a->scheme, p, data_dir) : NULL;
    RunResult res;
    run_period(p, &o, &res);
    uint64_t t_write = clock_ns();
    cli_print_diags(&res.diags, &p->sources);
    int rc = res.status == RUN_DATA_ERROR ? EXIT_DATA : res.status == RUN_EVAL_ERROR ? EXIT_EVAL : EXIT_OK;
    if (rc == EXIT_OK) {
        Outputs outs;
        outputs_init(&outs, a->force);
        outputs_set_command(&outs, a->argc, a->argv);
        outputs_note_run(&outs, a->scheme, p, &res, data_dir, &period);
        outputs_use_prehash(&outs, ph);
        ph = NULL;
        outputs_set_manifest(&outs, a->manifest);
        if (a->explain)
            rc = explain_one(a, &res, &period, &out);
        else if (streamed)
            report_stream_end(&stream, &res);
        else
            report_write(&res, &period, a->format, &out);
        if (rc == EXIT_OK) {
            outputs_add(&outs, a->out, &out);
            if (a->statements)
                rc = add_statements(a, &res, &period, &outs);
        }
        if (rc == EXIT_OK)
            rc = outputs_write(&outs);
        outputs_free(&outs);
    }
    manifest_prehash_finish(ph, NULL);   /* a run that wrote nothing */
    buf_free(&out);
    if (a->timings)
        print_timings(&res, compile_ns, clock_ns() - t_write);
    run_result_free(&res);
    kpi_free(data_dir);
    return rc;
}

static int run_main(int argc, char **argv)
{
    Args a;
    memset(&a, 0, sizeof a);
    a.argc = argc;
    a.argv = argv;
    int rc = parse_args(argc, argv, &a);
    if (rc == 0) {
        uint64_t t0 = clock_ns();
        Program *p = cli_load_program_set(a.scheme, a.sets, a.nsets, &rc);
        if (p) {
            rc = evaluate(&a, p, clock_ns() - t0);
            program_free(p);
            kpi_free(p);
        }
    }
    for (size_t i = 0; i < a.nsets; i++)
        kpi_free((char *)a.sets[i].name);
    kpi_free(a.sets);
    return rc < 0 ? EXIT_OK : rc;
}

/* No setlocale: the C locale keeps every output the same bytes whatever
 * LC_ALL says (results are formatted by hand, never with %f or strcoll). */
int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*main)(int, char **);
    } commands[] = {
        {"test", kpirun_test_main},
        {"diff", kpirun_diff_main},
        {"curve", kpirun_curve_main},
        {"verify", kpirun_verify_main},
    };
    cli_default_limits();
    if (argc > 1)
        for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
            if (!strcmp(argv[1], commands[i].name))
                return commands[i].main(argc - 1, argv + 1);
    return run_main(argc, argv);
}
