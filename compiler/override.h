/* override.h - NAME = VALUE from outside the scheme's formulas: kpirun
 * --set and the `given` lines of scheme tests. The named value becomes the
 * constant before anything reads it, so folding, scales and checks see it.
 * Also the checks of test blocks (kpic check) and the constants they hold. */
#ifndef KPI_OVERRIDE_H
#define KPI_OVERRIDE_H
#include <stdbool.h>

#include "compiler/compile.h"
#include "compiler/ir.h"
#include "vm/date.h"

/* A constant of a test or --set: 1300000, -5, 120%, "text", true, blank,
 * 2026-10-05. Its type is T_ANY for blank. */
typedef struct TestConst {
    TypeKind    type;
    Rat         q;          /* T_NUM */
    bool        percent;    /* written 120% */
    int         digits;     /* T_NUM: fraction digits as written (of the ratio for 120.5%) */
    const char *s;          /* T_TEXT, NUL-terminated, in the AST's arena */
    uint32_t    len;
    bool        b;          /* T_BOOL */
    Day         day;        /* T_DATE */
} TestConst;

/* false when e is not such a constant (or not a real date). */
bool test_const(const Expr *e, const char *src, TestConst *out);

/* What a given, expect or --set names. */
typedef enum TargetKind {
    TG_DEF,       /* param, let, indicator field, kpi/bonus/payout: index = def */
    TG_TEAM,      /* team field: index = team field */
    TG_ROSTER,    /* roster column: index = column */
    TG_PLAN,      /* plans column: table, index = column */
    TG_FACTS      /* a fact table's column: only a row fills it */
} TargetKind;

typedef struct Target {
    TargetKind kind;
    uint32_t   index;
    uint32_t   table;
} Target;

typedef struct Override {
    const Expr *target, *value;
    Span        span;       /* NAME=VALUE in its "--set ..." source */
    Target      t;
    bool        bound;
} Override;

typedef struct OverrideSet {
    Override *items;        /* in the compilation's arena */
    uint32_t  n;
} OverrideSet;

/* Reads each "--set NAME=VALUE" (a source of its own, named <command line>,
 * so messages show the option). false when one does not parse. */
bool overrides_parse(Arena *arena, SourceSet *sources, DiagList *diags, const CompileOverride *ov,
                     size_t n, OverrideSet *out);

#endif
