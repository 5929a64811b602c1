/* ir.h - the checked IR: what sema makes of the AST.
 * Every name is resolved, every node typed and placed in a context (a
 * constant, a fact row, or an employee), constants are folded, scale calls
 * are inlined, and the scheme's named values become Defs ordered by their
 * dependencies into strata. Codegen turns this into bytecode. */
#ifndef KPI_IR_H
#define KPI_IR_H
#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/diag.h"
#include "base/limits.h"
#include "base/source.h"
#include "grammar/ast.h"
#include "vm/program.h"
#include "vm/value.h"

typedef enum TypeKind { T_ANY, T_NUM, T_TEXT, T_BOOL, T_DATE } TypeKind;
const char *type_name(TypeKind t);

typedef enum IrKind {
    IR_CONST,    /* a folded value                         */
    IR_DEF,      /* a named value of the employee (a Def)  */
    IR_ROSTER,   /* roster column of the employee          */
    IR_PLAN,     /* plan table column for the employee     */
    IR_AGG,      /* aggregate over the employee's fact rows */
    IR_TEAM,     /* team field of the employee's group     */
    IR_COL,      /* a fact column, in a row context        */
    IR_UNARY,    /* OP_NEG, OP_NOT                          */
    IR_BINARY,   /* arithmetic, comparison, and/or/default  */
    IR_IF,
    IR_BANDS,
    IR_BUILTIN,  /* min, max, abs, round, is_blank          */
    IR_FAIL      /* an error value of a kind               */
} IrKind;

typedef enum Ctx { CTX_CONST, CTX_ROW, CTX_EMP } Ctx;

typedef enum Builtin { BI_MIN, BI_MAX, BI_ABS, BI_ROUND, BI_ISBLANK } Builtin;

typedef struct Ir Ir;
struct Ir {
    uint8_t  kind;       /* IrKind */
    uint8_t  type;       /* TypeKind */
    uint8_t  ctx;        /* Ctx */
    uint8_t  scale;      /* CTX_ROW numbers: fraction digits */
    uint8_t  pct;        /* a percentage: a ratio whatever it meets (units.c) */
    uint8_t  checked;    /* check.c has walked it */
    uint8_t  quiet;      /* made by sema around the scheme's own logic: not explained */
    uint32_t span;       /* index into the compiler's span table */
    uint32_t unit;       /* units.c: its term, plus one; 0 not yet computed */
    union {
        Value value;                                   /* IR_CONST */
        uint32_t index;                                /* DEF, AGG, TEAM, COL, ROSTER */
        struct { uint16_t table, col; } plan;          /* IR_PLAN */
        struct { uint8_t op; Ir *a, *b; } op;          /* UNARY (b NULL), BINARY: Op */
        struct { Ir *cond, *then, *els; } cond;        /* IR_IF */
        struct { uint32_t n; Ir **conds; Ir **vals; uint32_t *row_spans; uint32_t trace; } bands;
        struct { uint8_t fn; uint8_t mode; uint32_t nargs; Ir **args; } call;
        uint16_t fail;                                 /* IR_FAIL: ErrorKind */
    } u;
};

typedef enum DefKind {
    DEF_LET, DEF_FIELD, DEF_RESULT, DEF_TEAM_ARG, DEF_TEAM_WHERE, DEF_ROLE, DEF_TRACE
} DefKind;

/* A named per-employee value with its own register. */
typedef struct Def {
    uint8_t     kind;        /* DefKind */
    uint8_t     state;       /* resolution: 0 new, 1 in progress, 2 done */
    uint8_t     type;
    uint16_t    reg;         /* persistent register; NO_REG while constant */
    int32_t     stratum;
    const char *name;        /* for messages: "revenue.index" */
    Span        span;
    const Expr *expr;        /* source; NULL for synthetic defs */
    Ir         *ir;
    uint32_t    ndeps, capdeps;
    uint32_t   *deps;        /* defs this one reads */
    int32_t     team_dep;    /* highest team-field stratum it reads, -1 none */
    int32_t     owner;       /* indicator (DEF_FIELD) or team field index, -1 */
    uint32_t    nuses;       /* references from other defs (check.c: unused) */
    uint8_t     field;       /* IndField of a DEF_FIELD */
    uint8_t     unit;        /* DefUnit, from units.c: how explanations show it */
    const char *text;        /* what a def without source computes, for explanations */
} Def;

/* The registers of an indicator, in IndicatorOut order. */
typedef enum IndField {
    F_ACTIVE, F_FACT, F_PLAN, F_INDEX, F_RAW, F_GATE, F_SCORE, F_WEIGHT, F_CONTRIB, F__COUNT
} IndField;

typedef struct AggDef {
    AggKind  kind;
    uint16_t table;
    uint32_t nargs;
    Ir     **args;           /* row context */
    Ir      *where;          /* row context, NULL for none */
    uint32_t span;
    char    *key;            /* canonical text, to share equal aggregates */
} AggDef;

typedef struct TeamFieldDef {
    const char *name;
    AggKind     kind;
    uint16_t    group_col;
    uint32_t    arg_def, where_def;  /* UINT32_MAX for none */
    int32_t     stratum;
    uint32_t    span;
} TeamFieldDef;

/* The whole checked scheme. */
typedef struct Sema {
    Arena      *arena;
    DiagList   *diags;
    const SourceSet *sources;

    /* header settings */
    const char *scheme_name, *currency;
    PeriodKind  period;
    RoundMode   rounding;

    /* inputs (program tables are built directly) */
    uint32_t    ntables;
    TableSpec  *tables;
    int32_t     roster;

    Def        *defs;
    size_t      ndefs, capdefs;
    AggDef     *aggs;
    size_t      naggs, capaggs;
    TeamFieldDef *team;
    size_t      nteam, capteam;

    IndicatorOut *ind;       /* registers filled by codegen from the defs below */
    uint32_t    *ind_defs;   /* per indicator: 8 def indices (active..weight) */
    size_t      nind;
    ValueOut    *outs;
    uint32_t    *out_defs;
    size_t      nouts, capouts, capout_defs;

    SpanInfo   *spans;
    size_t      nspans, capspans;
    char      **strings;     /* text constants; a text value's id indexes it */
    uint32_t   *string_len;
    size_t      nstrings, capstrings, capstrlen;
    DiagId      allowed[K__COUNT];  /* checks switched off by `allow CODE` */
    size_t      nallowed;
    uint32_t   *order;       /* defs in dependency order */
    size_t      norder, caporder;
    uint32_t    nir;
    int32_t     nstrata;
    uint32_t    ntrace;      /* band trace registers */
    const struct OverrideSet *overrides;  /* --set or a test's givens; NULL for none */
} Sema;

uint32_t sema_span(Sema *s, Span sp);
Span     sema_span_of(const Sema *s, uint32_t i);

/* Resolves and checks the scheme (main AST plus imported modules), leaving
 * the defs in s->order (dependencies first) with their strata. */
bool sema_run(Sema *s, const Ast *main, const Ast *const *imports, uint32_t nimports);
uint32_t sema_intern(Sema *s, const char *str, uint32_t len);

#endif
