/* compile.h - the compiler's entry: a .kpi file -> a Program.
 * Diagnostics of every stage collect in the Compilation; nothing is printed. */
#ifndef KPI_COMPILE_H
#define KPI_COMPILE_H
#include <stdbool.h>

#include "base/arena.h"
#include "base/diag.h"
#include "base/limits.h"
#include "base/source.h"
#include "grammar/ast.h"
#include "vm/program.h"

/* NAME=VALUE given outside the scheme (kpirun --set, a scheme test's
 * `given`): the named param or value is that constant instead. */
typedef struct CompileOverride {
    const char *name;
    const char *value;
} CompileOverride;

typedef struct CompileOptions {
    const char *const *paths;   /* extra directories searched by import */
    size_t             npaths;
    const char        *stdlib_dir;  /* installed stdlib, or NULL */
    const CompileOverride *overrides;
    size_t             noverrides;
} CompileOptions;

typedef struct Compilation {
    Arena      arena;       /* AST and IR */
    SourceSet  sources;
    DiagList   diags;
    Ast        ast;         /* the main file */
    Program   *program;     /* set on success; owned (see compile_take) */
} Compilation;

void compilation_init(Compilation *c);
void compilation_free(Compilation *c);
/* Parses only (kpic ast, the formatter). */
bool compile_parse(Compilation *c, const char *path);
bool compile_file(Compilation *c, const char *path, const CompileOptions *o);
/* The same from text in memory (tests, fuzzing). */
bool compile_text(Compilation *c, const char *name, const char *text, size_t len,
                  const CompileOptions *o);
/* Hands the program to the caller. */
Program *compile_take(Compilation *c);

#endif
