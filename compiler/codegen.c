/* codegen.c - the employee program: every Def, in dependency order and
 * grouped by stratum, computed into its own persistent register; scratch
 * values use temporaries above them, allocated like a stack. Along the way
 * it marks the instructions an explanation shows (trace points). */
#include "compiler/codegen.h"
#include "base/alloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct ConstDef {
    const Ir *ir;
    uint16_t  reg;
} ConstDef;

/* An operand that reads constant k: its register is known only at the
 * end, above the temporaries, so emit() notes where to put it. */
#define KMARK (1u << 20)
typedef struct KFix {
    uint32_t pc, k;
    uint8_t  field;     /* 0 a, 1 b, 2 c */
} KFix;

typedef struct Cg {
    Sema    *s;
    Program *p;
    size_t   ncode, capcode, capspan;
    uint32_t temp_top, temp_max;   /* absolute register numbers */
    bool     overflow;
    bool     mute;                 /* compiling what explanations leave out */
    uint16_t cur_def;              /* register of the def being compiled */
    size_t   ntrace, captrace;
    ConstDef *consts;              /* defs that are constants (params), by IR */
    size_t    nconsts;
    KFix     *kfix;
    size_t    nkfix, capkfix;
} Cg;

static void point(Cg *g, TraceKind kind, uint32_t pc, uint16_t reg, uint32_t span)
{
    if (g->mute)
        return;
    TracePoint t = {(uint8_t)kind, g->cur_def, reg, pc, span};
    VEC_PUSH(g->p->trace, g->ntrace, g->captrace, t);
}

/* A named value read by register: shown once per def. */
static void point_value(Cg *g, uint16_t reg, uint32_t span)
{
    if (reg == g->cur_def)
        return;
    for (size_t i = g->ntrace; i > 0 && g->p->trace[i - 1].def == g->cur_def; i--)
        if (g->p->trace[i - 1].kind == TK_VALUE && g->p->trace[i - 1].reg == reg)
            return;
    point(g, TK_VALUE, TRACE_NO_PC, reg, span);
}

static bool value_equal(Value a, Value b)
{
    if (a.kind != b.kind || a.inexact != b.inexact)
        return false;
    if (a.kind == V_NUM)
        return rat_eq(a.q, b.q);
    return a.aux == b.aux && a.err == b.err;
}

/* Constants are kept in lowest terms: a .kpc holds them so (vm/verify.c). */
uint32_t cg_const(Program *p, Value v)
{
    if (v.kind == V_NUM)
        v.q = rat_norm(v.q);
    for (uint32_t i = 0; i < p->nconsts; i++)
        if (value_equal(p->consts[i], v))
            return i;
    p->consts = kpi_realloc(p->consts, sizeof(Value) * (p->nconsts + 1));
    p->consts[p->nconsts] = v;
    return p->nconsts++;
}

static uint32_t emit(Cg *g, Opcode op, uint32_t a, uint32_t b, uint32_t c, uint32_t x, uint32_t span)
{
    uint32_t ops[3] = {a, b, c};
    for (uint8_t f = 0; f < 3; f++) {
        if (ops[f] >= KMARK) {
            KFix k = {(uint32_t)g->ncode, ops[f] - KMARK, f};
            VEC_PUSH(g->kfix, g->nkfix, g->capkfix, k);
            ops[f] = 0;
        }
    }
    Ins ins = {(uint8_t)op, (uint8_t)x, (uint16_t)ops[0], (uint16_t)ops[1], (uint16_t)ops[2]};
    size_t n = g->ncode;
    VEC_PUSH(g->p->code, g->ncode, g->capcode, ins);
    VEC_PUSH(g->p->code_span, n, g->capspan, span);
    return (uint32_t)(g->ncode - 1);
}

static void patch_target(Cg *g, uint32_t at, uint32_t target)
{
    g->p->code[at].b = (uint16_t)(target & 0xFFFF);
    g->p->code[at].c = (uint16_t)(target >> 16);
}

static uint32_t here(const Cg *g) { return (uint32_t)g->ncode; }

static uint32_t temp(Cg *g)
{
    uint32_t r = g->temp_top++;
    if (g->temp_top > g->temp_max)
        g->temp_max = g->temp_top;
    if (g->temp_top >= KPI_MAX_REGS)
        g->overflow = true;
    return r;
}

static void compile_to(Cg *g, const Ir *n, uint32_t dst);

/* A param is folded into the places that use it; it still has its own
 * register, which an explanation shows. */
static void param_read(Cg *g, const Ir *n)
{
    size_t lo = 0, hi = g->nconsts;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((uintptr_t)g->consts[mid].ir < (uintptr_t)n)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < g->nconsts && g->consts[lo].ir == n)
        point_value(g, g->consts[lo].reg, n->span);
}

static int const_cmp(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)((const ConstDef *)a)->ir, y = (uintptr_t)((const ConstDef *)b)->ir;
    return x < y ? -1 : x > y;
}

static void collect_consts(Cg *g)
{
    g->consts = kpi_calloc(g->s->norder ? g->s->norder : 1, sizeof(ConstDef));
    for (size_t i = 0; i < g->s->norder; i++) {
        const Def *d = &g->s->defs[g->s->order[i]];
        if (d->ir && d->ir->kind == IR_CONST)
            g->consts[g->nconsts++] = (ConstDef){d->ir, d->reg};
    }
    qsort(g->consts, g->nconsts, sizeof(ConstDef), const_cmp);
}

static uint8_t def_role(const Def *d)
{
    switch ((DefKind)d->kind) {
    case DEF_LET: return d->owner == -2 ? DR_PARAM : DR_LET;
    case DEF_FIELD: return DR_FIELD;
    case DEF_RESULT: return DR_RESULT;
    default: return DR_INTERNAL;
    }
}

/* Where each named value is defined, what it is when it has no source,
 * and its unit: what an explanation says of it. */
static void fill_defs(Cg *g)
{
    Program *p = g->p;
    uint32_t n = p->npersist ? p->npersist : 1;
    p->def_span = kpi_calloc(n, sizeof(uint32_t));
    p->def_text = kpi_calloc(n, sizeof(char *));
    p->def_unit = kpi_calloc(n, 1);
    p->def_role = kpi_calloc(n, 1);
    if (!p->def_code)
        p->def_code = kpi_calloc((size_t)n * 2, sizeof(uint32_t));
    for (size_t i = 0; i < g->s->norder; i++) {
        const Def *d = &g->s->defs[g->s->order[i]];
        p->def_span[d->reg] = sema_span(g->s, d->expr && !d->text ? d->expr->span : d->span);
        p->def_text[d->reg] = d->text ? kpi_strdup(d->text) : NULL;
        p->def_unit[d->reg] = d->unit;
        p->def_role[d->reg] = def_role(d);
    }
    p->ntrace = (uint32_t)g->ntrace;
}

/* A register holding n: a Def's own, a constant's, or a new temporary. */
static uint32_t operand(Cg *g, const Ir *n)
{
    if (n->kind == IR_CONST) {
        param_read(g, n);
        return KMARK + cg_const(g->p, n->u.value);
    }
    if (n->kind == IR_DEF) {
        uint16_t reg = g->s->defs[n->u.index].reg;
        point_value(g, reg, n->span);
        return reg;
    }
    uint32_t r = temp(g);
    compile_to(g, n, r);
    return r;
}

static const Opcode binary_ops[] = {
    [OP_ADD] = BC_ADD, [OP_SUB] = BC_SUB, [OP_MUL] = BC_MUL, [OP_DIV] = BC_DIV,
    [OP_EQ] = BC_EQ, [OP_NE] = BC_NE, [OP_LT] = BC_LT, [OP_LE] = BC_LE, [OP_GT] = BC_GT,
    [OP_GE] = BC_GE, [OP_AND] = BC_AND, [OP_OR] = BC_OR, [OP_DEFAULT] = BC_DEFAULT,
};

static void compile_binary(Cg *g, const Ir *n, uint32_t dst)
{
    uint32_t mark = g->temp_top;
    uint32_t a = operand(g, n->u.op.a);
    uint32_t b = operand(g, n->u.op.b);
    uint32_t at = emit(g, binary_ops[n->u.op.op], dst, a, b, 0, n->span);
    if (n->u.op.op == OP_DEFAULT)
        point(g, TK_DEFAULT, at, 0, n->span);
    g->temp_top = mark;
}

/* if c then t else e: a blank or error condition makes the result. */
static void compile_if(Cg *g, const Ir *n, uint32_t dst)
{
    uint32_t mark = g->temp_top;
    bool was = g->mute;
    g->mute |= n->quiet; /* a quiet if's condition (an indicator's role) is no step of its own */
    uint32_t c = operand(g, n->u.cond.cond);
    g->mute = was;
    uint32_t j_other = emit(g, BC_JNOTBOOL, c, 0, 0, 0, n->span);
    if (!n->quiet)
        point(g, TK_BRANCH, j_other, 0, n->u.cond.cond->span);
    uint32_t j_else = emit(g, BC_JFALSE, c, 0, 0, 0, n->span);
    compile_to(g, n->u.cond.then, dst);
    uint32_t j_end1 = emit(g, BC_JMP, 0, 0, 0, 0, n->span);
    patch_target(g, j_else, here(g));
    compile_to(g, n->u.cond.els, dst);
    uint32_t j_end2 = emit(g, BC_JMP, 0, 0, 0, 0, n->span);
    patch_target(g, j_other, here(g));
    emit(g, BC_MOVE, dst, c, 0, 0, n->span);
    patch_target(g, j_end1, here(g));
    patch_target(g, j_end2, here(g));
    g->temp_top = mark;
}

/* Rows are tried in order; the first whose condition holds gives the value,
 * and its number goes into the trace register for explanations. */
static void compile_bands(Cg *g, const Ir *n, uint32_t dst)
{
    uint32_t mark = g->temp_top;
    uint32_t trace = g->p->npersist - g->s->ntrace + n->u.bands.trace;
    uint32_t c = temp(g);
    uint32_t nrows = n->u.bands.n;
    uint32_t *ends = kpi_malloc(sizeof(uint32_t) * (nrows + 1));
    uint32_t *others = kpi_malloc(sizeof(uint32_t) * (nrows + 1));
    uint32_t nothers = 0;
    bool has_else = false;
    for (uint32_t i = 0; i < nrows; i++) {
        const Ir *cond = n->u.bands.conds[i];
        uint32_t rspan = n->u.bands.row_spans[i];
        uint32_t j_next = UINT32_MAX;
        if (cond) {
            compile_to(g, cond, c);
            others[nothers++] = emit(g, BC_JNOTBOOL, c, 0, 0, 0, rspan);
            j_next = emit(g, BC_JFALSE, c, 0, 0, 0, rspan);
        } else {
            has_else = true;
        }
        compile_to(g, n->u.bands.vals[i], dst);
        point(g, TK_BAND, emit(g, BC_LOADI, trace, i + 1, 0, 0, rspan), 0, rspan);
        ends[i] = emit(g, BC_JMP, 0, 0, 0, 0, rspan);
        if (j_next != UINT32_MAX)
            patch_target(g, j_next, here(g));
        if (!cond)
            break;
    }
    uint32_t j_end_nomatch = UINT32_MAX;
    if (!has_else) {
        point(g, TK_NOBAND, emit(g, BC_FAIL, dst, 0, 0, ERR_NO_BAND, n->span), 0, n->span);
        emit(g, BC_LOADI, trace, 0, 0, 0, n->span);
        j_end_nomatch = emit(g, BC_JMP, 0, 0, 0, 0, n->span);
    }
    for (uint32_t i = 0; i < nothers; i++)
        patch_target(g, others[i], here(g));
    point(g, TK_NOBAND, emit(g, BC_MOVE, dst, c, 0, 0, n->span), 0, n->span);
    emit(g, BC_LOADI, trace, 0, 0, 0, n->span);
    for (uint32_t i = 0; i < nrows; i++) {
        patch_target(g, ends[i], here(g));
        if (!n->u.bands.conds[i])
            break;
    }
    if (j_end_nomatch != UINT32_MAX)
        patch_target(g, j_end_nomatch, here(g));
    kpi_free(ends);
    kpi_free(others);
    g->temp_top = mark;
}

static void compile_builtin(Cg *g, const Ir *n, uint32_t dst)
{
    uint32_t mark = g->temp_top;
    switch ((Builtin)n->u.call.fn) {
    case BI_MIN:
    case BI_MAX: {
        Opcode op = n->u.call.fn == BI_MIN ? BC_MIN : BC_MAX;
        if (n->u.call.nargs == 1) {
            compile_to(g, n->u.call.args[0], dst);
            break;
        }
        uint32_t acc = operand(g, n->u.call.args[0]), into = n->u.call.nargs > 2 ? temp(g) : dst;
        for (uint32_t i = 1; i < n->u.call.nargs; i++) {
            uint32_t m2 = g->temp_top;
            uint32_t r = operand(g, n->u.call.args[i]), out = i + 1 == n->u.call.nargs ? dst : into;
            point(g, TK_CHOICE, emit(g, op, out, acc, r, 0, n->span), 0, n->span);
            acc = out;
            g->temp_top = m2;
        }
        break;
    }
    case BI_ABS:
        emit(g, BC_ABS, dst, operand(g, n->u.call.args[0]), 0, 0, n->span);
        break;
    case BI_ISBLANK:
        emit(g, BC_ISBLANK, dst, operand(g, n->u.call.args[0]), 0, 0, n->span);
        break;
    case BI_ROUND: {
        uint32_t x = operand(g, n->u.call.args[0]);
        uint32_t step = operand(g, n->u.call.args[1]);
        point(g, TK_ROUND, emit(g, BC_ROUND, dst, x, step, n->u.call.mode, n->span), 0, n->span);
        break;
    }
    }
    g->temp_top = mark;
}

static void compile_to(Cg *g, const Ir *n, uint32_t dst)
{
    switch ((IrKind)n->kind) {
    case IR_CONST:
        emit(g, BC_LOADK, dst, cg_const(g->p, n->u.value), 0, 0, n->span);
        param_read(g, n);
        break;
    case IR_DEF:
        emit(g, BC_MOVE, dst, g->s->defs[n->u.index].reg, 0, 0, n->span);
        point_value(g, g->s->defs[n->u.index].reg, n->span);
        break;
    case IR_ROSTER: point(g, TK_READ, emit(g, BC_ROSTER, dst, n->u.index, 0, 0, n->span), 0, n->span); break;
    case IR_PLAN:
        point(g, TK_READ, emit(g, BC_PLAN, dst, n->u.plan.col, 0, n->u.plan.table, n->span), 0, n->span);
        break;
    case IR_AGG: point(g, TK_READ, emit(g, BC_AGG, dst, n->u.index, 0, 0, n->span), 0, n->span); break;
    case IR_TEAM: point(g, TK_READ, emit(g, BC_TEAM, dst, n->u.index, 0, 0, n->span), 0, n->span); break;
    case IR_FAIL: emit(g, BC_FAIL, dst, 0, 0, n->u.fail, n->span); break;
    case IR_UNARY: {
        uint32_t mark = g->temp_top;
        uint32_t a = operand(g, n->u.op.a);
        emit(g, n->u.op.op == OP_NOT ? BC_NOT : BC_NEG, dst, a, 0, 0, n->span);
        g->temp_top = mark;
        break;
    }
    case IR_BINARY: compile_binary(g, n, dst); break;
    case IR_IF: compile_if(g, n, dst); break;
    case IR_BANDS: compile_bands(g, n, dst); break;
    case IR_BUILTIN: compile_builtin(g, n, dst); break;
    case IR_COL: break; /* row context only; sema never puts it here */
    }
}

/* The constants go above the temporaries; the operands that read them
 * get their registers. */
static void place_constants(Cg *g)
{
    Program *p = g->p;
    uint32_t kreg = g->temp_max, n = kreg + p->nconsts;
    if (n > KPI_MAX_REGS) {
        g->overflow = true;
        n = KPI_MAX_REGS;
    }
    for (size_t i = 0; i < g->nkfix && !g->overflow; i++) {
        Ins *in = &p->code[g->kfix[i].pc];
        uint16_t r = (uint16_t)(kreg + g->kfix[i].k);
        if (g->kfix[i].field == 0)
            in->a = r;
        else if (g->kfix[i].field == 1)
            in->b = r;
        else
            in->c = r;
    }
    kpi_free(g->kfix);
    p->kreg = (uint16_t)(g->overflow ? n : kreg);
    p->nregs = (uint16_t)n;
}

static void assign_registers(Cg *g)
{
    Sema *s = g->s;
    uint32_t r = 0;
    if (s->norder + s->ntrace >= KPI_MAX_REGS) {
        g->overflow = true;
        return;
    }
    for (size_t i = 0; i < s->norder; i++)
        s->defs[s->order[i]].reg = (uint16_t)r++;
    g->p->npersist = (uint16_t)(r + s->ntrace);
    g->temp_top = g->temp_max = g->p->npersist;
    g->p->reg_names = kpi_calloc(g->p->npersist ? g->p->npersist : 1, sizeof(char *));
    for (size_t i = 0; i < s->norder; i++)
        g->p->reg_names[i] = kpi_strdup(s->defs[s->order[i]].name);
    for (uint32_t t = 0; t < s->ntrace; t++) {
        char name[32];
        snprintf(name, sizeof name, "band#%u", t);
        g->p->reg_names[r + t] = kpi_strdup(name);
    }
}

static void fill_outputs(Cg *g)
{
    Sema *s = g->s;
    Program *p = g->p;
    p->nind = (uint32_t)s->nind;
    p->ind = kpi_calloc(s->nind ? s->nind : 1, sizeof(IndicatorOut));
    for (size_t i = 0; i < s->nind; i++) {
        IndicatorOut *o = &p->ind[i];
        *o = s->ind[i];
        o->name = kpi_strdup(s->ind[i].name);
        o->label = s->ind[i].label ? kpi_strdup(s->ind[i].label) : NULL;
        const uint32_t *d = &s->ind_defs[i * F__COUNT];
        o->active = s->defs[d[F_ACTIVE]].reg;
        o->fact = s->defs[d[F_FACT]].reg;
        o->plan = s->defs[d[F_PLAN]].reg;
        o->index = s->defs[d[F_INDEX]].reg;
        o->raw_score = s->defs[d[F_RAW]].reg;
        o->gate = s->defs[d[F_GATE]].reg;
        o->score = s->defs[d[F_SCORE]].reg;
        o->weight = s->defs[d[F_WEIGHT]].reg;
        o->contrib = s->defs[d[F_CONTRIB]].reg;
    }
    p->nouts = (uint32_t)s->nouts;
    p->outs = kpi_calloc(s->nouts ? s->nouts : 1, sizeof(ValueOut));
    for (size_t i = 0; i < s->nouts; i++) {
        p->outs[i] = s->outs[i];
        p->outs[i].name = kpi_strdup(s->outs[i].name);
        p->outs[i].label = s->outs[i].label ? kpi_strdup(s->outs[i].label) : NULL;
        p->outs[i].reg = s->defs[s->out_defs[i]].reg;
    }
}

static void fill_team(Cg *g)
{
    Sema *s = g->s;
    Program *p = g->p;
    p->nteam = (uint32_t)s->nteam;
    p->team = kpi_calloc(s->nteam ? s->nteam : 1, sizeof(TeamField));
    for (size_t i = 0; i < s->nteam; i++) {
        const TeamFieldDef *t = &s->team[i];
        TeamField *o = &p->team[i];
        o->name = kpi_strdup(t->name);
        o->kind = (uint8_t)t->kind;
        o->group_col = t->group_col;
        o->arg = s->defs[t->arg_def].reg;
        o->where = t->where_def == UINT32_MAX ? NO_REG : s->defs[t->where_def].reg;
        o->stratum = (uint16_t)t->stratum;
        o->span = t->span;
    }
}

bool codegen(Sema *s, Program *p)
{
    Cg g;
    memset(&g, 0, sizeof g);
    g.s = s;
    g.p = p;
    assign_registers(&g);
    if (g.overflow) {
        diag_at(s->diags, K_LIMIT, (Span){0, 0, 0}, "the scheme has more than %u named values",
                KPI_MAX_REGS);
        return false;
    }
    p->nstrata = (uint32_t)(s->nstrata > 0 ? s->nstrata : 1);
    p->stratum_pc = kpi_calloc(p->nstrata, sizeof(uint32_t));
    collect_consts(&g);
    p->def_code = kpi_calloc((size_t)(p->npersist ? p->npersist : 1) * 2, sizeof(uint32_t));
    for (uint32_t st = 0; st < p->nstrata; st++) {
        p->stratum_pc[st] = here(&g);
        for (size_t i = 0; i < s->norder; i++) {
            const Def *d = &s->defs[s->order[i]];
            if ((uint32_t)d->stratum != st)
                continue;
            g.cur_def = d->reg;
            p->def_code[2 * d->reg] = here(&g);
            compile_to(&g, d->ir, d->reg);
            p->def_code[2 * d->reg + 1] = here(&g);
        }
        emit(&g, BC_RET, 0, 0, 0, 0, 0);
    }
    kpi_free(g.consts);
    fill_defs(&g);
    p->ncode = (uint32_t)g.ncode;
    place_constants(&g);
    fill_outputs(&g);
    fill_team(&g);
    if (g.overflow || g.ncode > KPI_MAX_CODE || p->nconsts > KPI_MAX_CONSTS) {
        diag_at(s->diags, K_LIMIT, (Span){0, 0, 0},
                "the scheme is too large for the bytecode (%zu instructions, %u registers, %u constants)",
                g.ncode, g.temp_max + p->nconsts, p->nconsts);
        return false;
    }
    return true;
}
