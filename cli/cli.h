/* cli.h - what kpic and kpirun share: exit codes, diagnostics on stderr,
 * finding the installed stdlib. Argument parsing and output only. */
#ifndef KPI_CLI_H
#define KPI_CLI_H
#include <stdbool.h>

#include "base/diag.h"
#include "compiler/compile.h"
#include "report/results.h"

#define KPI_VERSION "0.1.0"

/* Exit codes (docs/cli.md). */
enum {
    EXIT_OK = 0,
    EXIT_SCHEME = 1,    /* the scheme has errors */
    EXIT_USAGE = 2,     /* bad command line */
    EXIT_DATA = 3,      /* an input file is missing or malformed, a plan row is missing */
    EXIT_EVAL = 4,      /* a runtime error: division by zero, no band matched, overflow */
    EXIT_OUTPUT = 5,    /* the result could not be written */
    EXIT_INTERNAL = 70  /* out of memory or a bug */
};

/* Prints every diagnostic to stderr (sorted by position, coloured on a terminal). */
void cli_print_diags(DiagList *d, const SourceSet *src);
/* <dir of the executable>/../share/kpi/stdlib, or NULL; kpi_malloc'd. */
char *cli_stdlib_dir(void);
/* Fills options from the environment (KPI_PATH=dir:dir) and the stdlib dir. */
void cli_compile_options(CompileOptions *o, char **stdlib_dir, char ***paths);
void cli_free_options(char *stdlib_dir, char **paths);
/* Loads a .kpc or compiles a .kpi; prints its errors (warnings only when
 * asked: they are kpic check's); NULL on failure. */
Program *cli_load_program(const char *path, bool warnings, int *exit_code);
/* The same with overrides (kpirun --set); a .kpc cannot take them. */
Program *cli_load_program_set(const char *path, const CompileOverride *ov, size_t nov, int *exit_code);
struct DiagOutput;
/* The same, collecting the diagnostics into out instead of printing them. */
Program *cli_compile(const char *path, bool warnings, const CompileOverride *ov, size_t nov,
                     struct DiagOutput *out, int *exit_code);
/* "prog: message" and the --help hint on stderr; returns EXIT_USAGE. */
int cli_usage_error(const char *prog, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool has_suffix(const char *s, const char *suffix);
/* --set NAME=VALUE, appended to *sets (the name kpi_malloc'd, the value v's). */
int cli_set_arg(const char *prog, const char *v, CompileOverride **sets, size_t *n, size_t *cap);
/* --format table, csv or json. */
int cli_format_arg(const char *prog, const char *f, ReportFormat *out);

#endif
