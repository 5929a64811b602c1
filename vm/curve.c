/* curve.c - see curve.h. */
#include "vm/curve.h"
#include "base/alloc.h"
#include "vm/run_int.h"

#include <stdlib.h>
#include <string.h>

/* Params are computed by their own (constant) code. */
static void compute_params(const Program *p, Value *R)
{
    for (uint16_t reg = 0; reg < p->npersist; reg++)
        if (p->def_role[reg] == DR_PARAM)
            interp_range(p, R, p->def_code[2 * reg], p->def_code[2 * reg + 1]);
}

/* What the score reads besides its index: data (never drawn) or, without
 * an employee, a value that is not a param. */
static CurveStatus check_reads(Curve *c, bool employee, const char **why)
{
    const Program *p = c->p;
    for (uint32_t i = 0; i < p->ntrace; i++) {
        const TracePoint *t = &p->trace[i];
        if (t->def != c->output)
            continue;
        if (t->kind == TK_READ && p->code[t->pc].op != BC_LOADK) {
            *why = p->reg_names[t->def];
            c->why_span = t->span;
            return CURVE_READS_DATA;
        }
        if (t->kind == TK_VALUE && t->reg != c->input && !employee && p->def_role[t->reg] != DR_PARAM) {
            *why = p->reg_names[t->reg];
            return CURVE_PER_EMPLOYEE;
        }
    }
    for (uint32_t pc = c->start; pc < c->end; pc++) {
        uint8_t op = p->code[pc].op;
        if (op == BC_ROSTER || op == BC_PLAN || op == BC_AGG || op == BC_TEAM) {
            *why = p->reg_names[c->output];
            return CURVE_READS_DATA;
        }
    }
    return CURVE_OK;
}

CurveStatus curve_open(Curve *c, const Program *p, uint32_t ind, const Value *regs, const char **why)
{
    memset(c, 0, sizeof *c);
    c->p = p;
    c->why_span = UINT32_MAX;
    const IndicatorOut *o = &p->ind[ind];
    *why = o->name;
    if (!(o->flags & IND_SCALE))
        return CURVE_NO_SCALE;
    c->input = o->index;
    c->output = o->raw_score;
    c->start = p->def_code[2 * o->raw_score];
    c->end = p->def_code[2 * o->raw_score + 1];
    CurveStatus st = check_reads(c, regs != NULL, why);
    if (st != CURVE_OK)
        return st;
    c->frame = kpi_calloc(p->nregs ? p->nregs : 1, sizeof(Value));
    program_frame_init(p, c->frame);
    if (regs)
        memcpy(c->frame, regs, sizeof(Value) * p->npersist);
    else
        compute_params(p, c->frame);
    return CURVE_OK;
}

Value curve_at(Curve *c, Rat x)
{
    c->frame[c->input] = val_num(x);
    interp_range(c->p, c->frame, c->start, c->end);
    return c->frame[c->output];
}

static int rat_order(const void *a, const void *b) { return rat_cmp(*(const Rat *)a, *(const Rat *)b); }

static void add_knot(Rat *out, size_t max, size_t *n, Value v)
{
    if (v.kind == V_NUM && *n < max)
        out[(*n)++] = v.q;
}

size_t curve_knots(const Curve *c, Rat *out, size_t max)
{
    const Program *p = c->p;
    size_t n = 0;
    for (uint32_t pc = c->start; pc < c->end; pc++) {
        Ins in = p->code[pc];
        if (in.op == BC_LOADK)
            add_knot(out, max, &n, p->consts[in.b]);
        for (int k = 0; k < 2; k++) { /* registers read: params, an employee's values, constants */
            uint16_t r = k ? in.c : in.b;
            const char *f = op_info[in.op].format;
            if (f[k + 1] == 'R' && (r < p->npersist || r >= p->kreg) && r != c->input)
                add_knot(out, max, &n, c->frame[r]);
        }
    }
    qsort(out, n, sizeof(Rat), rat_order);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!m || !rat_eq(out[m - 1], out[i]))
            out[m++] = out[i];
    return m;
}

void curve_close(Curve *c)
{
    kpi_free(c->frame);
    memset(c, 0, sizeof *c);
}
