/* curve.h - an indicator's scale as a function of its index: the bytecode
 * that computed the score, run again with another index in the index's
 * register (kpirun curve, the plots of payout statements). The scale is
 * the scheme's own code, so a plot cannot disagree with a payout. */
#ifndef KPI_CURVE_H
#define KPI_CURVE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vm/program.h"

typedef enum CurveStatus {
    CURVE_OK,
    CURVE_NO_SCALE,       /* the score is the index itself */
    CURVE_READS_DATA,     /* the score reads an input directly (why_span: where) */
    CURVE_PER_EMPLOYEE    /* it depends on a value that differs by employee (why: its name) */
} CurveStatus;

typedef struct Curve {
    const Program *p;
    Value   *frame;       /* nregs */
    uint16_t input, output;
    uint32_t start, end;  /* the score's instructions */
    uint32_t why_span;    /* CURVE_READS_DATA: the read (a span index), else UINT32_MAX */
} Curve;

/* Prepares the curve of indicator ind. regs: an employee's registers, or
 * NULL to draw it for no one (then only params may be read). *why names
 * what stops it (a register name or source text; valid while p lives). */
CurveStatus curve_open(Curve *c, const Program *p, uint32_t ind, const Value *regs, const char **why);
/* The score at index x. */
Value curve_at(Curve *c, Rat x);
/* The numbers the score's code works with (band edges, cutoffs, caps,
 * params it reads), sorted and distinct: where the curve may bend. */
size_t curve_knots(const Curve *c, Rat *out, size_t max);
void curve_close(Curve *c);

#endif
