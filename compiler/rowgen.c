/* rowgen.c - row programs: for each fact table, one program computes, per
 * batch of rows, every vector that the table's aggregates need (arguments
 * and filters). Numbers are scaled integers with a scale fixed at compile
 * time; equal subexpressions are computed once: an IR node is generated
 * once (memo by node), and an instruction equal to an earlier one (same
 * operation, operands and result type) reuses its vector, so the same
 * filter written in several indicators costs one pass per batch. */
#include "base/alloc.h"
#include "compiler/codegen.h"

#include <stdio.h>
#include <string.h>

#define ROW_MAX_SCALE 18

typedef struct Memo {
    const Ir *node;
    uint16_t  vec;
} Memo;

typedef struct Rg {
    Sema      *s;
    Program   *p;
    TableSpec *t;
    size_t     ncode, capcode, capspan;
    size_t     nvecs, capvecs;
    Memo      *memo;
    size_t     nmemo, capmemo;
    bool       failed;
} Rg;

static void emit(Rg *g, Opcode op, uint32_t a, uint32_t b, uint32_t c, uint32_t x, uint32_t span)
{
    Ins ins = {(uint8_t)op, (uint8_t)x, (uint16_t)a, (uint16_t)b, (uint16_t)c};
    size_t n = g->ncode;
    VEC_PUSH(g->t->code, g->ncode, g->capcode, ins);
    VEC_PUSH(g->t->code_span, n, g->capspan, span);
}

static void fail(Rg *g, uint32_t span, const char *msg)
{
    if (!g->failed)
        diag_at(g->s->diags, K_LIMIT, sema_span_of(g->s, span), "%s", msg);
    g->failed = true;
}

static uint16_t new_vec(Rg *g, VecType type, uint32_t scale, int32_t col, uint32_t span)
{
    if (g->nvecs >= KPI_MAX_VECS) {
        fail(g, span, "the row expressions of this table are too complex");
        return 0;
    }
    VecSpec v = {(uint8_t)type, (uint8_t)scale, col};
    VEC_PUSH(g->t->vecs, g->nvecs, g->capvecs, v);
    return (uint16_t)(g->nvecs - 1);
}

/* The vector of `op b c x` with the given result type: an earlier equal
 * instruction's, or a new one. */
static uint16_t value_of(Rg *g, Opcode op, VecType type, uint32_t scale, uint32_t b, uint32_t c, uint32_t x,
                         uint32_t span)
{
    for (size_t i = 0; i < g->ncode; i++) {
        Ins in = g->t->code[i];
        const VecSpec *v = &g->t->vecs[in.a];
        if (in.op == op && in.b == b && in.c == c && in.x == x && v->type == type && v->scale == scale)
            return in.a;
    }
    uint16_t r = new_vec(g, type, scale, -1, span);
    if (!g->failed)
        emit(g, op, r, b, c, x, span);
    return r;
}

static VecType vec_type(const Ir *n)
{
    switch ((TypeKind)n->type) {
    case T_TEXT: return VT_TEXT;
    case T_BOOL: return VT_BOOL;
    case T_DATE: return VT_DATE;
    default: return VT_NUM;
    }
}

/* Fraction digits a constant needs, or -1 when its decimal does not end. */
static int const_scale(Rat q)
{
    for (int k = 0; k <= ROW_MAX_SCALE; k++) {
        Rat scaled;
        if (rat_mul(q, (Rat){i128_pow10(k), 1}, &scaled) == NUM_OK && rat_is_int(scaled))
            return k;
    }
    return -1;
}

static uint16_t gen(Rg *g, const Ir *n);

/* The vector of v rescaled to `scale` (scale >= its own). */
static uint16_t at_scale(Rg *g, uint16_t v, uint32_t scale, uint32_t span)
{
    uint32_t have = g->t->vecs[v].scale;
    if (g->t->vecs[v].type != VT_NUM || have == scale)
        return v;
    return value_of(g, BC_ROW_RESCALE, VT_NUM, scale, v, scale - have, 0, span);
}

static uint32_t max_u(uint32_t a, uint32_t b) { return a > b ? a : b; }

static uint16_t gen_binary(Rg *g, const Ir *n)
{
    static const Opcode ops[] = {
        [OP_ADD] = BC_ROW_ADD, [OP_SUB] = BC_ROW_SUB, [OP_MUL] = BC_ROW_MUL,
        [OP_EQ] = BC_ROW_EQ, [OP_NE] = BC_ROW_NE, [OP_LT] = BC_ROW_LT, [OP_LE] = BC_ROW_LE,
        [OP_GT] = BC_ROW_GT, [OP_GE] = BC_ROW_GE, [OP_AND] = BC_ROW_AND, [OP_OR] = BC_ROW_OR,
        [OP_DEFAULT] = BC_ROW_DEFAULT,
    };
    Op op = (Op)n->u.op.op;
    uint16_t a = gen(g, n->u.op.a), b = gen(g, n->u.op.b);
    if (g->failed)
        return 0;
    const VecSpec va = g->t->vecs[a], vb = g->t->vecs[b];
    uint32_t scale = 0;
    if (op == OP_MUL) {
        scale = va.scale + vb.scale;
        if (scale > ROW_MAX_SCALE)
            fail(g, n->span, "this product has more than 18 decimal places");
    } else if (va.type == VT_NUM && vb.type == VT_NUM) {
        scale = max_u(va.scale, vb.scale);
        a = at_scale(g, a, scale, n->span);
        b = at_scale(g, b, scale, n->span);
    }
    VecType out = op == OP_ADD || op == OP_SUB || op == OP_MUL ? VT_NUM
                : op == OP_DEFAULT ? (VecType)va.type : VT_BOOL;
    if (op == OP_DEFAULT && out != VT_NUM)
        scale = 0;
    return value_of(g, ops[op], out, out == VT_NUM ? scale : 0, a, b, 0, n->span);
}

static uint16_t gen_if(Rg *g, const Ir *n)
{
    uint16_t c = gen(g, n->u.cond.cond);
    uint16_t a = gen(g, n->u.cond.then), b = gen(g, n->u.cond.els);
    if (g->failed)
        return 0;
    VecType ty = (VecType)g->t->vecs[a].type;
    uint32_t scale = 0;
    if (ty == VT_NUM) {
        scale = max_u(g->t->vecs[a].scale, g->t->vecs[b].scale);
        a = at_scale(g, a, scale, n->span);
        b = at_scale(g, b, scale, n->span);
    }
    return value_of(g, BC_ROW_SELECT, ty, scale, a, b, c, n->span);
}

static uint16_t gen_const(Rg *g, const Ir *n)
{
    Value v = n->u.value;
    uint32_t scale = 0;
    if (v.kind == V_ERROR) {
        char msg[120];
        snprintf(msg, sizeof msg, "%s in a constant", error_kind_text((ErrorKind)v.err));
        fail(g, v.aux, msg);
        return 0;
    }
    if (v.kind == V_NUM) {
        int k = const_scale(v.q);
        if (k < 0) {
            fail(g, n->span, "a constant in a row expression must be a decimal (this one repeats)");
            return 0;
        }
        int64_t scaled;
        if (!rat_to_scaled(v.q, k, &scaled))
            fail(g, n->span, "this constant is too large for a row expression");
        scale = (uint32_t)k;
    }
    return value_of(g, BC_ROW_CONST, vec_type(n), scale, cg_const(g->p, v), 0, 0, n->span);
}

static uint16_t gen_col(Rg *g, const Ir *n)
{
    for (size_t i = 0; i < g->nvecs; i++)
        if (g->t->vecs[i].col == (int32_t)n->u.index)
            return (uint16_t)i;
    const ColumnSpec *c = &g->t->cols[n->u.index];
    return new_vec(g, vec_type(n), c->scale, (int32_t)n->u.index, n->span);
}

static uint16_t gen_uncached(Rg *g, const Ir *n)
{
    switch ((IrKind)n->kind) {
    case IR_CONST: return gen_const(g, n);
    case IR_COL: return gen_col(g, n);
    case IR_BINARY: return gen_binary(g, n);
    case IR_IF: return gen_if(g, n);
    case IR_UNARY: {
        uint16_t a = gen(g, n->u.op.a);
        if (g->failed)
            return 0;
        return value_of(g, n->u.op.op == OP_NOT ? BC_ROW_NOT : BC_ROW_NEG, (VecType)g->t->vecs[a].type,
                        g->t->vecs[a].scale, a, 0, 0, n->span);
    }
    case IR_BUILTIN:
        if (n->u.call.fn == BI_ISBLANK) {
            uint16_t a = gen(g, n->u.call.args[0]);
            return g->failed ? 0 : value_of(g, BC_ROW_ISBLANK, VT_BOOL, 0, a, 0, 0, n->span);
        }
        fail(g, n->span, "only is_blank can be called inside a row expression");
        return 0;
    default:
        fail(g, n->span, "this cannot be computed for each row");
        return 0;
    }
}

/* After the first failure nothing more is generated (and vecs may be
 * empty), so callers test g->failed before looking at a vector. */
static uint16_t gen(Rg *g, const Ir *n)
{
    if (g->failed)
        return 0;
    for (size_t i = 0; i < g->nmemo; i++)
        if (g->memo[i].node == n)
            return g->memo[i].vec;
    uint16_t v = gen_uncached(g, n);
    Memo m = {n, v};
    VEC_PUSH(g->memo, g->nmemo, g->capmemo, m);
    return v;
}

static void gen_agg(Rg *g, const AggDef *a, AggSpec *out)
{
    out->kind = (uint8_t)a->kind;
    out->table = a->table;
    out->span = a->span;
    out->where = a->where ? gen(g, a->where) : NO_REG;
    out->nargs = (uint16_t)a->nargs;
    out->args = kpi_calloc(a->nargs ? a->nargs : 1, sizeof(uint16_t));
    uint32_t scale = 0;
    for (uint32_t i = 0; i < a->nargs; i++) {
        out->args[i] = gen(g, a->args[i]);
        if (g->failed)
            return;
        scale = max_u(scale, g->t->vecs[out->args[i]].scale);
        out->vtype = g->t->vecs[out->args[i]].type;
    }
    for (uint32_t i = 0; i < a->nargs; i++)
        out->args[i] = at_scale(g, out->args[i], scale, a->span);
    out->scale = (uint8_t)scale;
}

bool rowgen(Sema *s, Program *p)
{
    p->naggs = (uint32_t)s->naggs;
    p->aggs = kpi_calloc(s->naggs ? s->naggs : 1, sizeof(AggSpec));
    bool ok = true;
    for (uint32_t t = 0; t < p->ntables; t++) {
        if (p->tables[t].kind != TABLE_FACTS)
            continue;
        Rg g;
        memset(&g, 0, sizeof g);
        g.s = s;
        g.p = p;
        g.t = &p->tables[t];
        g.t->code = NULL;
        g.t->vecs = NULL;
        for (size_t i = 0; i < s->naggs; i++)
            if (s->aggs[i].table == t)
                gen_agg(&g, &s->aggs[i], &p->aggs[i]);
        g.t->ncode = (uint32_t)g.ncode;
        g.t->nvecs = (uint16_t)g.nvecs;
        kpi_free(g.memo);
        ok &= !g.failed;
    }
    return ok;
}
