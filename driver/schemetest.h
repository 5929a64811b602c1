/* schemetest.h - kpirun test: the tests written in a scheme (test blocks).
 * Each test compiles the scheme with its given named values as overrides,
 * writes its employee's roster, plan and fact rows as CSV text in each
 * table's own dialect, runs the real pipeline over that text and compares
 * every expect exactly (or rounded, for `~`). */
#ifndef KPI_SCHEMETEST_H
#define KPI_SCHEMETEST_H
#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "compiler/compile.h"

typedef struct TestTally {
    uint32_t passed, failed;
} TestTally;

typedef enum SchemeTestStatus {
    ST_RAN,           /* every test ran (passed or failed) */
    ST_NO_TESTS,      /* the scheme has no test block */
    ST_SCHEME_ERROR   /* the scheme (or a test block) has errors: nothing ran */
} SchemeTestStatus;

#define SCHEMETEST_EMPLOYEE "E01"   /* a test's employee when it names none */

/* Runs the tests of the scheme at path: one line per test, and for a
 * failure the expectations that differ and the run's errors, go to out; the
 * scheme's own errors to err (coloured when asked). */
SchemeTestStatus schemetest_run(const char *path, const CompileOptions *o, bool color, Buf *out, Buf *err,
                                TestTally *tally);

#endif
