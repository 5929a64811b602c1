/* program.h - a compiled scheme: everything the VM needs to evaluate a
 * period, and nothing of the compiler. The compiler builds it; kpc.c writes
 * and reads it as a .kpc file; the VM runs it.
 *
 * Evaluation is staged:
 *   1. each fact table is scanned once; its row program computes, per batch,
 *      the vectors every aggregate of that table needs, and the aggregates of
 *      every employee are updated in the same pass;
 *   2. for each stratum s: team fields of stratum s are aggregated over the
 *      groups from the employees' registers, then the employee program of
 *      stratum s runs for every employee.
 * Registers 0..npersist-1 of an employee survive between strata (they hold
 * every named value, so outputs and explanations read what was computed).
 * Registers kreg..nregs-1 hold the constants, K[i] in kreg + i, set once
 * when a frame is made and never written: an operand reads a constant as
 * it reads any register, with no instruction to load it. */
#ifndef KPI_PROGRAM_H
#define KPI_PROGRAM_H
#include <stdbool.h>
#include <stdint.h>

#include "base/limits.h"
#include "base/source.h"
#include "vm/date.h"
#include "vm/num.h"
#include "vm/value.h"

#define KPC_MAGIC   "KPIC"
#define KPC_VERSION 5u

#define NO_REG   0xFFFFu

typedef enum Opcode {
#define OP(name, fmt, doc) BC_##name,
#include "vm/opcodes.def"
#undef OP
    BC__COUNT
} Opcode;

typedef struct Ins {
    uint8_t  op;
    uint8_t  x;
    uint16_t a, b, c;
} Ins;
_Static_assert(sizeof(Ins) == 8, "an instruction is 8 bytes");

static inline uint32_t ins_target(Ins i) { return (uint32_t)i.b | ((uint32_t)i.c << 16); }

typedef struct OpInfo {
    const char *name;
    const char *format;
    const char *doc;
} OpInfo;
extern const OpInfo op_info[BC__COUNT];

/* Whether an instruction writes register a (a conditional jump reads it). */
static inline bool ins_writes(Ins i)
{
    return op_info[i.op].format[0] == 'R' && i.op != BC_JNOTBOOL && i.op != BC_JFALSE;
}

/* The registers an instruction reads, into out; returns how many. */
static inline int ins_reads(Ins i, uint16_t out[3])
{
    const char *f = op_info[i.op].format;
    uint16_t ops[3] = {i.a, i.b, i.c};
    int n = 0;
    for (int k = 0; k < 3; k++)
        if (k == 0 ? !ins_writes(i) && f[0] == 'R' : f[k] == 'R')
            out[n++] = ops[k];
    return n;
}

/* The VM's own names for table kinds and column roles (same values as the
 * AST's TableKind and ColRole; compiler/tables.c checks that). */
typedef enum TableKindV { TABLE_KIND_ROSTER, TABLE_KIND_PLANS, TABLE_KIND_FACTS } TableKindV;
typedef enum ColumnRole {
    COLROLE_NONE, COLROLE_EMPLOYEE, COLROLE_DATE, COLROLE_PERIOD, COLROLE_DEPARTMENT, COLROLE_NAME
} ColumnRole;

typedef enum ColType {
    COL_TEXT, COL_INTEGER, COL_DECIMAL, COL_MONEY, COL_BOOL, COL_DATE, COL_SCORE, COL_PERIOD,
    COL_HOURS, COL_DAYS   /* decimals measured in hours or days (units, see compiler/units.c) */
} ColType;
const char *col_type_name(ColType t);

typedef enum EmptyMeaning { EMPTY_BLANK, EMPTY_ZERO, EMPTY_ERROR } EmptyMeaning;

typedef struct Dialect {
    char         delimiter;   /* ',' or ';' (or '\t') */
    DecFormat    num;
    DateFormat   date;
    EmptyMeaning empty;       /* default for the table's columns */
} Dialect;

typedef struct ColumnSpec {
    char    *name;            /* name in the scheme */
    char    *header;          /* header in the CSV file */
    uint8_t  type;            /* ColType */
    uint8_t  scale;           /* fraction digits of numeric columns */
    uint8_t  role;            /* ColumnRole */
    uint8_t  empty;           /* EmptyMeaning */
    uint8_t  used;            /* the scheme reads it; others are not parsed */
    uint8_t  nonzero;         /* a zero cell is a data error (a plan divided by) */
} ColumnSpec;

/* A vector register of a row program. */
typedef enum VecType { VT_NUM, VT_TEXT, VT_BOOL, VT_DATE } VecType;
typedef struct VecSpec {
    uint8_t type;             /* VecType */
    uint8_t scale;            /* VT_NUM: value = element / 10^scale */
    int32_t col;              /* column it is loaded from, -1 if computed */
} VecSpec;

typedef enum AggKind {
    AGG_SUM, AGG_COUNT, AGG_COUNT_ROWS, AGG_AVG, AGG_MIN, AGG_MAX, AGG_COUNT_DISTINCT
} AggKind;
const char *agg_kind_name(AggKind k);

typedef struct AggSpec {
    uint8_t   kind;           /* AggKind */
    uint8_t   vtype;          /* VecType of the arguments */
    uint8_t   scale;          /* common scale of the arguments */
    uint16_t  table;
    uint16_t  where;          /* vector of the filter, NO_REG for none */
    uint16_t  nargs;
    uint16_t *args;           /* vectors; several for sum(q1..q18 from calls) */
    uint32_t  span;
} AggSpec;

typedef struct TableSpec {
    char       *name;
    char       *file;         /* relative to the data directory */
    uint8_t     kind;         /* TableKindV */
    uint8_t     key_role;     /* plans: COLROLE_EMPLOYEE or COLROLE_DEPARTMENT */
    Dialect     dialect;
    uint32_t    ncols;
    ColumnSpec *cols;
    int32_t     key_col, date_col, period_col, dept_col, name_col;   /* -1: none */
    /* facts only: the row program, run over each batch */
    uint32_t    ncode;
    Ins        *code;
    uint32_t   *code_span;
    uint16_t    nvecs;
    VecSpec    *vecs;
    uint32_t    span;
} TableSpec;

typedef struct TeamField {
    char     *name;           /* "team.field" */
    uint8_t   kind;           /* AggKind: SUM, COUNT, AVG, MIN, MAX */
    uint16_t  group_col;      /* roster column that forms the groups */
    uint16_t  arg;            /* persistent register of each member's value */
    uint16_t  where;          /* persistent register of the filter, or NO_REG */
    uint16_t  stratum;        /* aggregated before this stratum runs */
    uint32_t  span;
} TeamField;

/* What an indicator block says, for explanations and plots. */
enum {
    IND_PLAN = 1,     /* it has a plan */
    IND_SCALE = 2,    /* a score (scale) is written */
    IND_GATED = 4,    /* an `only if` */
    IND_SUMMED = 8,   /* a weighted_sum adds its contribution */
    IND_LOWER = 16    /* lower is better */
};

typedef struct IndicatorOut {
    char    *name, *label;
    uint16_t active, fact, plan, index, raw_score, gate, score, weight, contrib;  /* registers */
    uint8_t  flags;           /* IND_* */
    uint32_t span;
} IndicatorOut;

typedef enum OutKind { OUT_LET, OUT_KPI, OUT_BONUS, OUT_PAYOUT } OutKind;
typedef struct ValueOut {
    char    *name, *label;
    uint8_t  kind;            /* OutKind */
    uint16_t reg;
    uint32_t span;
} ValueOut;

/* Explanations. The compiler marks the instructions whose values an
 * explanation shows; when an employee is traced the VM records, at each
 * marked instruction it runs, the values it saw (vm/trace.h). So an
 * explanation reads what was computed and never computes anything. */
typedef enum TraceKind {
    TK_READ,      /* an input read: roster, plan, aggregate, team field, named constant */
    TK_VALUE,     /* a named value read from its register (no instruction) */
    TK_CHOICE,    /* min or max of two: both sides and the result */
    TK_ROUND,     /* round: the value, the step and the result */
    TK_BRANCH,    /* if: the condition's value */
    TK_BAND,      /* this row of a bands expression was taken */
    TK_NOBAND,    /* no row matched, or a row's condition was blank: the result */
    TK_DEFAULT,   /* default: the value, the fallback and the result */
    TK__COUNT
} TraceKind;

/* The unit of a named value, as the compiler's unit check solved it. */
typedef enum DefUnit { DU_UNKNOWN, DU_PLAIN, DU_MONEY, DU_HOURS, DU_DAYS, DU_OTHER } DefUnit;
/* What a register holds, for explanations to choose what they show. */
typedef enum DefRole { DR_INTERNAL, DR_LET, DR_PARAM, DR_FIELD, DR_RESULT } DefRole;

typedef struct TracePoint {
    uint8_t  kind;            /* TraceKind */
    uint16_t def;             /* register of the named value being computed */
    uint16_t reg;             /* TK_VALUE: the register read */
    uint32_t pc;              /* the instruction; TRACE_NO_PC for TK_VALUE */
    uint32_t span;            /* the source it shows */
} TracePoint;
#define TRACE_NO_PC UINT32_MAX
const char *trace_kind_name(TraceKind k);   /* "read", "choice", "no_band", ... */

typedef struct SpanInfo {
    uint16_t file;
    uint32_t start, end;
} SpanInfo;

typedef struct Program {
    char       *scheme_name;
    char       *currency;
    uint8_t     period;       /* PeriodKind */
    uint8_t     rounding;     /* RoundMode for money */

    uint32_t    ntables;
    TableSpec  *tables;
    int32_t     roster;       /* index of the roster table */

    uint32_t    nconsts;
    Value      *consts;
    uint32_t    nstrings;     /* text constants; text id i is string i */
    char      **strings;
    uint32_t   *string_len;

    uint32_t    naggs;
    AggSpec    *aggs;
    uint32_t    nteam;
    TeamField  *team;

    uint16_t    nregs, npersist, kreg;
    char      **reg_names;    /* npersist names: "revenue.index", "bands@12" */
    uint32_t    ncode;
    Ins        *code;
    uint32_t   *code_span;    /* per instruction: index into spans */
    uint32_t    nstrata;
    uint32_t   *stratum_pc;   /* entry of each stratum's program */

    uint32_t      nind;
    IndicatorOut *ind;
    uint32_t      nouts;
    ValueOut     *outs;

    /* explanations: per persistent register, the source of its definition
     * and, when it has none (a default), a description; trace points grouped
     * by def in the order their instructions run */
    uint32_t   *def_span;     /* npersist */
    char      **def_text;     /* npersist; NULL: the source text at def_span */
    uint8_t    *def_unit;     /* npersist: DefUnit */
    uint8_t    *def_role;     /* npersist: DefRole */
    uint32_t   *def_code;     /* npersist * 2: the instructions [start, end) that compute it
                                 (kpirun curve re-runs a score's with another index) */
    uint32_t    ntrace;
    TracePoint *trace;

    uint32_t    nallowed;     /* `allow CODE`: data warnings of the run dropped too */
    uint16_t   *allowed;
    uint32_t    nspans;
    SpanInfo   *spans;
    SourceSet   sources;      /* the scheme's text, for located runtime errors */
} Program;

void program_free(Program *p);
/* A fresh frame of nregs registers: blanks, then the constants at kreg. */
void program_frame_init(const Program *p, Value *frame);
/* The Span that span index i of a table names; an empty span when out of range. */
static inline Span span_at(const SpanInfo *spans, size_t n, uint32_t i)
{
    Span sp = {0, 0, 0};
    if (i < n) {
        sp.file = spans[i].file;
        sp.start = spans[i].start;
        sp.end = spans[i].end;
    }
    return sp;
}
static inline Span program_span(const Program *p, uint32_t i) { return span_at(p->spans, p->nspans, i); }

#endif
