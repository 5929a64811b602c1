/* kpirun_test.c - kpirun test SCHEME.kpi...: runs the tests written in the
 * schemes (driver/schemetest.c) and ends with "N passed, N failed". */
#include "base/alloc.h"
#include "cli/cli.h"
#include "cli/diagfmt.h"
#include "cli/kpirun.h"
#include "driver/schemetest.h"

#include <stdio.h>
#include <string.h>

static const char usage[] =
    "usage: kpirun test SCHEME.kpi...\n"
    "\n"
    "Runs the test blocks written in each scheme: every test is evaluated on its own\n"
    "data (its given and row lines) and its expect lines are compared exactly.\n"
    "Prints one line per test, the differences of a failed test, and then\n"
    "\"N passed, N failed\".\n"
    "\n"
    "exit codes:\n"
    "  0  every test passed (a scheme without tests passes)\n"
    "  1  a test failed, or a scheme has errors\n"
    "  2  the command line is wrong\n";

static int parse(int argc, char **argv, const char ***files, size_t *n)
{
    *files = kpi_calloc((size_t)argc, sizeof(char *));
    *n = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fputs(usage, stdout);
            return -1;
        }
        if (argv[i][0] == '-' && argv[i][1])
            return cli_usage_error("kpirun test", "unknown option '%s'", argv[i]);
        if (!has_suffix(argv[i], ".kpi"))
            return cli_usage_error("kpirun test", "'%s' is not a scheme (.kpi): tests are read from the source",
                                   argv[i]);
        (*files)[(*n)++] = argv[i];
    }
    if (*n == 0)
        return cli_usage_error("kpirun test", "%s", "which schemes? kpirun test scheme.kpi");
    return 0;
}

static bool test_file(const char *path, bool several, bool color, TestTally *t)
{
    CompileOptions o;
    char *stdlib_dir, **paths;
    cli_compile_options(&o, &stdlib_dir, &paths);
    Buf out = BUF_INIT, err = BUF_INIT;
    if (several)
        buf_printf(&out, "%s\n", path);
    SchemeTestStatus st = schemetest_run(path, &o, color, &out, &err, t);
    if (st == ST_NO_TESTS)
        buf_printf(&out, "%s: no tests\n", path);
    else if (st == ST_SCHEME_ERROR)
        buf_printf(&out, "FAIL %s: the scheme has errors; its tests did not run\n", path);
    fputs(buf_cstr(&out), stdout);
    fflush(stdout);
    fputs(buf_cstr(&err), stderr);
    buf_free(&out);
    buf_free(&err);
    cli_free_options(stdlib_dir, paths);
    return st != ST_SCHEME_ERROR;
}

int kpirun_test_main(int argc, char **argv)
{
    const char **files;
    size_t n;
    int rc = parse(argc, argv, &files, &n);
    if (rc) {
        kpi_free(files);
        return rc < 0 ? EXIT_OK : rc;
    }
    bool color = false;
    diagfmt_color("auto", stderr, &color);
    TestTally t = {0, 0};
    bool schemes_ok = true;
    for (size_t i = 0; i < n; i++)
        if (!test_file(files[i], n > 1, color, &t)) {
            schemes_ok = false;
            t.failed++; /* a scheme that does not compile fails as one test */
        }
    printf("%u passed, %u failed\n", t.passed, t.failed);
    kpi_free(files);
    return schemes_ok && t.failed == 0 ? EXIT_OK : EXIT_SCHEME;
}
