/* verify.c - program_verify: every index and operand of a Program is in
 * range and every row vector is used at its type, so that the VM, which
 * does not check, cannot be steered out of bounds by a damaged .kpc. */
#include "vm/kpc.h"
#include "base/alloc.h"
#include "base/diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct Vf {
    const Program *p;
    char *err;
    size_t errlen;
    bool ok;
} Vf;

__attribute__((format(printf, 2, 3)))
static bool bad(Vf *v, const char *fmt, ...)
{
    if (v->ok) {
        va_list ap;
        va_start(ap, fmt);
        int n = snprintf(v->err, v->errlen, "invalid program: ");
        if (n > 0 && (size_t)n < v->errlen)
            vsnprintf(v->err + n, v->errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    v->ok = false;
    return false;
}

static bool value_ok(Vf *v, Value x)
{
    switch ((ValueKind)x.kind) {
    case V_NUM: {
        Rat r;
        if (x.q.den < 1 || x.q.num == -I128_MAX - 1 || rat_make(x.q.num, x.q.den, &r) != NUM_OK ||
            r.num != x.q.num || r.den != x.q.den)
            return bad(v, "a constant is not a reduced fraction");
        return true;
    }
    case V_TEXT:
        return x.aux < v->p->nstrings || bad(v, "a text constant is out of range");
    case V_BLANK: case V_BOOL: case V_DATE: return true;
    case V_ERROR: return x.err < ERR__COUNT || bad(v, "an error constant is out of range");
    }
    return bad(v, "a constant has an unknown kind");
}

static bool col_index_ok(const TableSpec *t, int32_t c) { return c >= -1 && c < (int32_t)t->ncols; }

static void verify_table_shape(Vf *v, const TableSpec *t)
{
    if (!t->name || !t->file || t->kind > 2 || t->ncols == 0)
        bad(v, "a table is malformed");
    if (!strchr(",;\t|", t->dialect.delimiter) || t->dialect.delimiter == 0 ||
        (t->dialect.num.decimal_point != '.' && t->dialect.num.decimal_point != ',') ||
        t->dialect.date > DATE_DMY || t->dialect.empty > EMPTY_ERROR)
        bad(v, "table %s has an invalid dialect", t->name ? t->name : "?");
    for (uint32_t i = 0; i < t->ncols; i++) {
        const ColumnSpec *c = &t->cols[i];
        if (!c->name || !c->header || c->type > COL_DAYS || c->scale > 18 || c->role > 5 ||
            c->empty > EMPTY_ERROR || c->nonzero > 1)
            bad(v, "a column of table %s is malformed", t->name ? t->name : "?");
    }
    if (!col_index_ok(t, t->key_col) || !col_index_ok(t, t->date_col) ||
        !col_index_ok(t, t->period_col) || !col_index_ok(t, t->dept_col) ||
        !col_index_ok(t, t->name_col))
        bad(v, "a key column of table %s is out of range", t->name ? t->name : "?");
    if (t->kind != 1 && t->key_col < 0)
        bad(v, "table %s has no employee column", t->name ? t->name : "?");
    if (t->kind == 2 && t->date_col < 0)
        bad(v, "facts table %s has no date column", t->name ? t->name : "?");
    if (t->kind == 1 && t->key_col < 0 && t->dept_col < 0)
        bad(v, "plans table %s has no key", t->name ? t->name : "?");
}

static VecType col_vec_type(ColType t)
{
    return t == COL_TEXT || t == COL_PERIOD ? VT_TEXT : t == COL_BOOL ? VT_BOOL
         : t == COL_DATE ? VT_DATE : VT_NUM;
}

static bool is_row_op(uint8_t op) { return op >= BC_ROW_CONST && op < BC__COUNT; }

/* Types of a row instruction's vectors: result, then operands. */
static void verify_row_ins(Vf *v, const TableSpec *t, Ins in)
{
    const VecSpec *vs = t->vecs;
    uint32_t n = t->nvecs;
    if (!is_row_op(in.op))
        return (void)bad(v, "an employee instruction in a row program");
    const char *f = op_info[in.op].format;
    uint16_t ops[3] = {in.a, in.b, in.c};
    for (int k = 0; k < 3; k++)
        if (f[k] == 'V' && ops[k] >= n)
            return (void)bad(v, "a row vector is out of range");
    if (in.op == BC_ROW_SELECT && in.x >= n)
        return (void)bad(v, "a row vector is out of range");
    if (vs[in.a].col >= 0) /* a column's texts must stay the batch's (padded buffer) slices */
        return (void)bad(v, "a row instruction of table %s writes the vector of a column", t->name);
    VecSpec a = vs[in.a], b = f[1] == 'V' ? vs[in.b] : a, c = f[2] == 'V' ? vs[in.c] : a;
    bool ok = true;
    switch ((Opcode)in.op) {
    case BC_ROW_CONST: {
        if (in.b >= v->p->nconsts)
            return (void)bad(v, "a row constant is out of range");
        Value k = v->p->consts[in.b];
        if (a.type == VT_NUM && k.kind == V_NUM) {
            int64_t scaled;
            if (!rat_to_scaled(k.q, a.scale, &scaled))
                return (void)bad(v, "a row constant does not fit its vector");
        }
        ok = (a.type == VT_NUM && k.kind == V_NUM) || (a.type == VT_TEXT && k.kind == V_TEXT) ||
             (a.type == VT_BOOL && k.kind == V_BOOL) || (a.type == VT_DATE && k.kind == V_DATE) ||
             k.kind == V_BLANK;
        break;
    }
    case BC_ROW_MOVE: ok = a.type == b.type && a.scale == b.scale; break;
    case BC_ROW_ADD: case BC_ROW_SUB:
        ok = a.type == VT_NUM && b.type == VT_NUM && c.type == VT_NUM && a.scale == b.scale &&
             b.scale == c.scale;
        break;
    case BC_ROW_MUL:
        ok = a.type == VT_NUM && b.type == VT_NUM && c.type == VT_NUM && a.scale == b.scale + c.scale;
        break;
    case BC_ROW_NEG: ok = a.type == VT_NUM && b.type == VT_NUM && a.scale == b.scale; break;
    case BC_ROW_RESCALE:
        ok = a.type == VT_NUM && b.type == VT_NUM && in.c <= 18 && a.scale == b.scale + in.c;
        break;
    case BC_ROW_EQ: case BC_ROW_NE: case BC_ROW_LT: case BC_ROW_LE: case BC_ROW_GT: case BC_ROW_GE:
        ok = a.type == VT_BOOL && b.type == c.type && (b.type != VT_NUM || b.scale == c.scale);
        break;
    case BC_ROW_AND: case BC_ROW_OR:
        ok = a.type == VT_BOOL && b.type == VT_BOOL && c.type == VT_BOOL;
        break;
    case BC_ROW_NOT: ok = a.type == VT_BOOL && b.type == VT_BOOL; break;
    case BC_ROW_SELECT:
    case BC_ROW_DEFAULT:
        ok = a.type == b.type && b.type == c.type && (a.type != VT_NUM ||
             (a.scale == b.scale && b.scale == c.scale)) &&
             (in.op != BC_ROW_SELECT || vs[in.x].type == VT_BOOL);
        break;
    case BC_ROW_ISBLANK: ok = a.type == VT_BOOL; break;
    default: break;
    }
    if (!ok)
        bad(v, "a row instruction of table %s uses vectors of the wrong type", t->name);
}

static void verify_table_code(Vf *v, const TableSpec *t)
{
    for (uint32_t i = 0; i < t->nvecs; i++) {
        const VecSpec *s = &t->vecs[i];
        if (s->type > VT_DATE || s->scale > 18 || s->col < -1 || s->col >= (int32_t)t->ncols)
            return (void)bad(v, "a row vector of table %s is malformed", t->name);
        if (s->col >= 0 && (col_vec_type((ColType)t->cols[s->col].type) != s->type ||
                            (s->type == VT_NUM && s->scale != t->cols[s->col].scale)))
            return (void)bad(v, "a row vector of table %s does not match its column", t->name);
    }
    if (t->kind != 2 && t->ncode)
        bad(v, "table %s is not a fact table but has a row program", t->name);
    for (uint32_t pc = 0; pc < t->ncode && v->ok; pc++) {
        verify_row_ins(v, t, t->code[pc]);
        if (t->code_span[pc] >= v->p->nspans)
            bad(v, "a span index is out of range");
    }
}

static void verify_aggs(Vf *v)
{
    const Program *p = v->p;
    for (uint32_t i = 0; i < p->naggs && v->ok; i++) {
        const AggSpec *a = &p->aggs[i];
        if (a->table >= p->ntables || p->tables[a->table].kind != 2 || a->kind > AGG_COUNT_DISTINCT ||
            a->vtype > VT_DATE || a->scale > 18 || a->span >= p->nspans)
            return (void)bad(v, "aggregate %u is malformed", i);
        const TableSpec *t = &p->tables[a->table];
        if (a->where != NO_REG && (a->where >= t->nvecs || t->vecs[a->where].type != VT_BOOL))
            return (void)bad(v, "the filter of aggregate %u is malformed", i);
        if ((a->kind == AGG_COUNT_ROWS) != (a->nargs == 0))
            return (void)bad(v, "aggregate %u has the wrong number of arguments", i);
        for (uint32_t k = 0; k < a->nargs; k++) {
            if (a->args[k] >= t->nvecs)
                return (void)bad(v, "an argument of aggregate %u is out of range", i);
            VecSpec s = t->vecs[a->args[k]];
            if (s.type != a->vtype || (s.type == VT_NUM && s.scale != a->scale))
                return (void)bad(v, "an argument of aggregate %u has the wrong type", i);
        }
        if ((a->kind == AGG_SUM || a->kind == AGG_AVG) && a->vtype != VT_NUM && a->nargs)
            return (void)bad(v, "aggregate %u sums what is not a number", i);
    }
}

static bool reg_ok(Vf *v, uint32_t r) { return r < v->p->nregs || bad(v, "a register is out of range"); }

static void verify_ins(Vf *v, uint32_t pc, uint32_t lo, uint32_t hi)
{
    const Program *p = v->p;
    Ins in = p->code[pc];
    if (in.op >= BC__COUNT || is_row_op(in.op))
        return (void)bad(v, "instruction %u has an invalid opcode", pc);
    const char *f = op_info[in.op].format;
    uint16_t ops[3] = {in.a, in.b, in.c};
    const TableSpec *roster = &p->tables[p->roster];
    for (int k = 0; k < 3 && v->ok; k++) {
        switch (f[k]) {
        case 'R': reg_ok(v, ops[k]); break;
        case 'K': if (ops[k] >= p->nconsts) bad(v, "instruction %u: constant out of range", pc); break;
        case 'C': if (ops[k] >= roster->ncols) bad(v, "instruction %u: roster column out of range", pc); break;
        case 'P':
            if (in.x >= p->ntables || p->tables[in.x].kind != 1 || ops[k] >= p->tables[in.x].ncols)
                bad(v, "instruction %u: plan column out of range", pc);
            break;
        case 'G': if (ops[k] >= p->naggs) bad(v, "instruction %u: aggregate out of range", pc); break;
        case 'T': if (ops[k] >= p->nteam) bad(v, "instruction %u: team field out of range", pc); break;
        case 'J': {
            uint32_t t = ins_target(in);
            if (t < lo || t >= hi)
                bad(v, "instruction %u jumps out of its stage", pc);
            else if (t <= pc) /* --max-steps counts on code running forward only */
                bad(v, "instruction %u jumps backwards", pc);
            k = 3;
            break;
        }
        default: break;
        }
    }
    if (in.op == BC_ROUND && in.x > ROUND_CEILING)
        bad(v, "instruction %u: unknown rounding mode", pc);
    if (in.op == BC_FAIL && in.x >= ERR__COUNT)
        bad(v, "instruction %u: unknown error kind", pc);
    if (p->code_span[pc] >= p->nspans)
        bad(v, "a span index is out of range");
}

/* A constant's register is read only: every frame shares its value. A
 * named value belongs to one stage: the evaluator stores or recomputes
 * it by the stage that writes it (vm/eval.c), so a second writer would
 * give another employee's or a stale value. stage_of: npersist entries. */
static void verify_writer(Vf *v, uint32_t pc, uint32_t s, int32_t *stage_of)
{
    Ins in = v->p->code[pc];
    bool writes = ins_writes(in);
    if (writes && in.a >= v->p->kreg)
        return (void)bad(v, "instruction %u writes the constant register r%u", pc, in.a);
    if (!writes || in.a >= v->p->npersist)
        return;
    if (stage_of[in.a] >= 0 && stage_of[in.a] != (int32_t)s)
        bad(v, "register r%u is written in stages %d and %u", in.a, stage_of[in.a], s);
    stage_of[in.a] = (int32_t)s;
}

static void verify_code(Vf *v)
{
    const Program *p = v->p;
    if (p->nstrata == 0 || p->stratum_pc[0] != 0)
        return (void)bad(v, "the program has no stages");
    int32_t *stage_of = kpi_malloc(sizeof(int32_t) * (p->npersist ? p->npersist : 1));
    for (uint32_t i = 0; i < p->npersist; i++)
        stage_of[i] = -1;
    for (uint32_t s = 0; s < p->nstrata && v->ok; s++) {
        uint32_t lo = p->stratum_pc[s];
        uint32_t hi = s + 1 < p->nstrata ? p->stratum_pc[s + 1] : p->ncode;
        if (hi <= lo || hi > p->ncode || p->code[hi - 1].op != BC_RET) {
            bad(v, "stage %u does not end with RET", s);
            break;
        }
        for (uint32_t pc = lo; pc < hi && v->ok; pc++) {
            verify_ins(v, pc, lo, hi);
            if (v->ok)
                verify_writer(v, pc, s, stage_of);
        }
    }
    kpi_free(stage_of);
}

static void verify_outputs(Vf *v)
{
    const Program *p = v->p;
    for (uint32_t i = 0; i < p->nind; i++) {
        const IndicatorOut *o = &p->ind[i];
        uint16_t r[9] = {o->active, o->fact, o->plan, o->index, o->raw_score, o->gate, o->score, o->weight, o->contrib};
        if (!o->name)
            bad(v, "an indicator has no name");
        for (int k = 0; k < 9; k++)
            if (r[k] >= p->npersist)
                bad(v, "an indicator's register is out of range");
    }
    for (uint32_t i = 0; i < p->nouts; i++)
        if (!p->outs[i].name || p->outs[i].reg >= p->npersist || p->outs[i].kind > OUT_PAYOUT)
            bad(v, "an output is malformed");
    const TableSpec *roster = &p->tables[p->roster];
    for (uint32_t i = 0; i < p->nteam; i++) {
        const TeamField *t = &p->team[i];
        if (!t->name || t->kind > AGG_MAX || t->group_col >= roster->ncols || t->arg >= p->npersist ||
            (t->where != NO_REG && t->where >= p->npersist) || t->stratum == 0 ||
            t->stratum >= p->nstrata || t->span >= p->nspans)
            bad(v, "team field %u is malformed", i);
    }
}

static void verify_spans(Vf *v)
{
    const Program *p = v->p;
    for (uint32_t i = 0; i < p->nspans; i++) {
        const SpanInfo *s = &p->spans[i];
        if (s->file >= p->sources.n || s->start > s->end || s->end > p->sources.files[s->file].len)
            return (void)bad(v, "span %u is out of range", i);
    }
    for (uint32_t i = 0; i < p->nstrings; i++)
        if (!p->strings[i])
            return (void)bad(v, "a text constant is missing");
}

/* A def's code can be run alone: no RET inside, jumps stay in [start, end]. */
static bool code_range_ok(const Program *p, uint32_t start, uint32_t end)
{
    if (start > end || end > p->ncode)
        return false;
    for (uint32_t pc = start; pc < end; pc++) {
        const Ins in = p->code[pc];
        if (in.op == BC_RET)
            return false;
        if ((in.op == BC_JMP || in.op == BC_JNOTBOOL || in.op == BC_JFALSE) &&
            (ins_target(in) < start || ins_target(in) > end))
            return false;
    }
    return true;
}

/* The opcode each trace point may mark: the VM reads its operands as the
 * point's kind says. */
static bool trace_op_ok(TraceKind k, uint8_t op)
{
    switch (k) {
    case TK_READ:
        return op == BC_ROSTER || op == BC_PLAN || op == BC_AGG || op == BC_TEAM || op == BC_LOADK;
    case TK_CHOICE: return op == BC_MIN || op == BC_MAX;
    case TK_ROUND: return op == BC_ROUND;
    case TK_BRANCH: return op == BC_JNOTBOOL;
    case TK_BAND: return op == BC_LOADI;
    case TK_NOBAND: return op == BC_FAIL || op == BC_MOVE;
    case TK_DEFAULT: return op == BC_DEFAULT;
    default: return false;
    }
}

static void verify_trace(Vf *v)
{
    const Program *p = v->p;
    for (uint32_t i = 0; i < p->npersist; i++)
        if ((p->def_span[i] >= p->nspans && p->nspans) || p->def_unit[i] > DU_OTHER || p->def_role[i] > DR_RESULT ||
            !code_range_ok(p, p->def_code[2 * i], p->def_code[2 * i + 1]))
            return (void)bad(v, "a definition's span, unit, role or code is out of range");
    int64_t last_pc = -1; /* marked instructions ascend: one point each */
    for (uint32_t i = 0; i < p->ntrace; i++) {
        const TracePoint *t = &p->trace[i];
        bool ok = t->kind < TK__COUNT && t->def < p->npersist && t->span < p->nspans;
        if (t->kind == TK_VALUE)
            ok &= t->pc == TRACE_NO_PC && t->reg < p->npersist;
        else
            ok &= t->pc < p->ncode && trace_op_ok((TraceKind)t->kind, p->code[t->pc].op) &&
                  (int64_t)t->pc > last_pc;
        if (!ok)
            return (void)bad(v, "trace point %u is malformed", i);
        if (t->kind != TK_VALUE)
            last_pc = (int64_t)t->pc;
    }
}

bool program_verify(const Program *p, char *err, size_t errlen)
{
    Vf v = {p, err, errlen, true};
    if (p->roster < 0 || (uint32_t)p->roster >= p->ntables || p->tables[p->roster].kind != 0)
        return bad(&v, "the program has no roster");
    if (p->period > PERIOD_YEAR || p->rounding > ROUND_CEILING || p->kreg < p->npersist ||
        (uint32_t)p->kreg + p->nconsts != p->nregs ||
        !p->scheme_name || !p->currency)
        return bad(&v, "the program's header is malformed");
    verify_spans(&v);
    for (uint32_t i = 0; i < p->nallowed; i++)
        if (p->allowed[i] >= K__COUNT)
            return bad(&v, "an allowed diagnostic is out of range");
    for (uint32_t i = 0; i < p->nconsts && v.ok; i++)
        value_ok(&v, p->consts[i]);
    for (uint32_t i = 0; i < p->ntables && v.ok; i++) {
        verify_table_shape(&v, &p->tables[i]);
        if (v.ok)
            verify_table_code(&v, &p->tables[i]);
    }
    if (v.ok)
        verify_aggs(&v);
    if (v.ok)
        verify_code(&v);
    if (v.ok)
        verify_outputs(&v);
    if (v.ok)
        verify_trace(&v);
    return v.ok;
}
