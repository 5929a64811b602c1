/* explain.h - how one employee's payout was computed, step by step.
 *
 * The model is read, never computed: each step is a named value the VM
 * left in the employee's registers, and each event one of its trace points
 * that ran (program.h TracePoint, run.h TraceRec). Text, JSON and HTML
 * statements render this same model. */
#ifndef KPI_EXPLAIN_H
#define KPI_EXPLAIN_H
#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "vm/run.h"

#define EXPLAIN_SCHEMA_VERSION 1

/* How a value reads to people. */
typedef enum ExStyle { XS_PLAIN, XS_PERCENT, XS_MONEY, XS_HOURS, XS_DAYS } ExStyle;

typedef struct ExEvent {
    TraceKind   kind;
    uint8_t     op;          /* the instruction (BC_AGG, BC_MIN, ...); BC_NOP for TK_VALUE */
    uint8_t     mode;        /* TK_ROUND: RoundMode */
    ExStyle     style;       /* of its values */
    Span        where;
    char       *text;        /* what it shows: a name, or the source text (one line) */
    Value       v[3];        /* TraceRec.v; TK_VALUE: v[0] is the register's value */
    uint64_t    count;       /* rows of an aggregate, members of a team field */
} ExEvent;

typedef struct ExStep {
    uint16_t    reg;
    const char *name;        /* the register's name: "выручка.fact", "bonus" */
    const char *field;       /* indicator steps: fact, plan, index, score, condition,
                                final_score, weight, contribution; else NULL */
    const char *label;       /* a labelled let's label, else NULL */
    char       *formula;     /* the source text or the compiler's description, one line */
    bool        synthetic;   /* formula is a description, not source */
    Span        where;
    Value       value;
    ExStyle     style;
    ExEvent    *events;
    uint32_t    nevents;
} ExStep;

typedef struct ExIndicator {
    const IndicatorOut *out;
    bool        active;      /* its role has it (always, without roles) */
    bool        gated;       /* it has an `only if` */
    ExStep     *steps;       /* fact, plan, index, score, [condition, score], weight, contribution */
    uint32_t    nsteps;
    Value       index, score, weight, contrib;
} ExIndicator;

typedef struct ExFacts {
    const char *table;
    uint64_t    rows;        /* the employee's rows in the period */
} ExFacts;

typedef struct Explanation {
    const Program   *p;
    const RunResult *r;
    const Period    *period;
    uint32_t     emp;
    const char  *key, *name, *dept;
    ExFacts     *facts;
    uint32_t     nfacts;
    ExIndicator *inds;
    uint32_t     ninds;
    ExStep      *values;     /* other named values, kpi, bonus, payout, in evaluation order */
    uint32_t     nvalues;
    Value        payout;
} Explanation;

/* Builds the explanation of employee emp, who must have been traced. */
void explain_build(const RunResult *r, const Period *period, uint32_t emp, Explanation *x);
void explain_free(Explanation *x);

/* The source text of a span on one line, a bands block as "bands { … }";
 * kpi_malloc'd. */
char *explain_source_text(const Program *p, Span sp);

/* A value as people read it in this style (currency after money). */
void explain_value(const Explanation *x, Value v, ExStyle style, Buf *out);
/* "scheme.kpi:75" */
void explain_where(const Explanation *x, Span where, Buf *out);

void explain_text(const Explanation *x, Buf *out);
/* One step as the text form writes it: "label = formula", its values and
 * events, "= value"; indent spaces before each line. */
void explain_step_text(const Explanation *x, const ExStep *s, const char *label, int indent, Buf *out);
/* How the text form names an indicator step's field. */
const char *explain_field_label(const char *field);
void explain_json(const Explanation *x, Buf *out);

#endif
