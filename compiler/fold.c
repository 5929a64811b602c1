/* fold.c - IR node constructors. Each folds its node when every operand is
 * a constant, using the VM's own value functions (vm/value.c), so compile
 * time and run time compute the same thing. */
#include "compiler/fold.h"

#include <string.h>

const char *type_name(TypeKind t)
{
    static const char *const names[] = {"any", "number", "text", "bool", "date"};
    return names[t];
}

uint32_t sema_span(Sema *s, Span sp)
{
    SpanInfo si = {sp.file, sp.start, sp.end};
    if (s->nspans && s->spans[s->nspans - 1].file == si.file &&
        s->spans[s->nspans - 1].start == si.start && s->spans[s->nspans - 1].end == si.end)
        return (uint32_t)(s->nspans - 1);
    VEC_PUSH(s->spans, s->nspans, s->capspans, si);
    return (uint32_t)(s->nspans - 1);
}

Span sema_span_of(const Sema *s, uint32_t i) { return span_at(s->spans, s->nspans, i); }

Ir *ir_new(Sema *s, IrKind kind, TypeKind type, Ctx ctx, uint32_t span)
{
    Ir *n = arena_alloc(s->arena, sizeof *n);
    n->kind = (uint8_t)kind;
    n->type = (uint8_t)type;
    n->ctx = (uint8_t)ctx;
    n->span = span;
    s->nir++;
    return n;
}

Ir *ir_const(Sema *s, Value v, uint32_t span)
{
    TypeKind t = v.kind == V_NUM ? T_NUM : v.kind == V_TEXT ? T_TEXT : v.kind == V_BOOL ? T_BOOL
               : v.kind == V_DATE ? T_DATE : T_ANY;
    Ir *n = ir_new(s, IR_CONST, t, CTX_CONST, span);
    n->u.value = v;
    return n;
}

static Ctx join_ctx(Ctx a, Ctx b) { return a > b ? a : b; }

/* A folded error stays a value (a branch that never runs may hold one);
 * sema reports it where it becomes a named value. */
static Ir *folded(Sema *s, Value v, uint32_t span) { return ir_const(s, v, span); }

static Value fold_binary(Op op, Value a, Value b, uint32_t span)
{
    switch (op) {
    case OP_ADD: return val_add(a, b, span);
    case OP_SUB: return val_sub(a, b, span);
    case OP_MUL: return val_mul(a, b, span);
    case OP_DIV: return val_div(a, b, span);
    case OP_EQ: return val_cmp(CMP_EQ, a, b);
    case OP_NE: return val_cmp(CMP_NE, a, b);
    case OP_LT: return val_cmp(CMP_LT, a, b);
    case OP_LE: return val_cmp(CMP_LE, a, b);
    case OP_GT: return val_cmp(CMP_GT, a, b);
    case OP_GE: return val_cmp(CMP_GE, a, b);
    case OP_AND: return val_and(a, b);
    case OP_OR: return val_or(a, b);
    default: return val_default(a, b);
    }
}

static TypeKind binary_type(Op op, TypeKind a, TypeKind b)
{
    switch (op) {
    case OP_ADD: case OP_SUB: case OP_MUL: case OP_DIV:
        return T_NUM;
    case OP_DEFAULT:
        return a != T_ANY ? a : b;
    default:
        return T_BOOL;
    }
}

Ir *ir_binary(Sema *s, Op op, Ir *a, Ir *b, uint32_t span)
{
    if (a->kind == IR_CONST && b->kind == IR_CONST) {
        Ir *n = folded(s, fold_binary(op, a->u.value, b->u.value, span), span);
        /* 10% + 5% is a percentage; 2 * 10% may still take a unit */
        n->pct = op == OP_MUL || op == OP_DIV ? a->pct && b->pct : a->pct || b->pct;
        return n;
    }
    /* default of a constant that is present never looks at the other side */
    if (op == OP_DEFAULT && a->kind == IR_CONST && !val_missing(a->u.value))
        return a;
    Ir *n = ir_new(s, IR_BINARY, binary_type(op, a->type, b->type), join_ctx(a->ctx, b->ctx), span);
    n->u.op.op = (uint8_t)op;
    n->u.op.a = a;
    n->u.op.b = b;
    return n;
}

Ir *ir_unary(Sema *s, Op op, Ir *a, uint32_t span)
{
    if (op == OP_POS)
        return a;
    if (a->kind == IR_CONST) {
        Ir *n = folded(s, op == OP_NEG ? val_neg(a->u.value) : val_not(a->u.value), span);
        n->pct = a->pct;
        return n;
    }
    Ir *n = ir_new(s, IR_UNARY, op == OP_NOT ? T_BOOL : T_NUM, a->ctx, span);
    n->u.op.op = (uint8_t)op;
    n->u.op.a = a;
    return n;
}

Ir *ir_if(Sema *s, Ir *c, Ir *t, Ir *e, uint32_t span)
{
    if (c->kind == IR_CONST) {
        Value v = c->u.value;
        if (v.kind == V_BOOL)
            return v.aux ? t : e;
        return c; /* blank or error condition: the if is that */
    }
    TypeKind ty = t->type != T_ANY ? (TypeKind)t->type : (TypeKind)e->type;
    Ir *n = ir_new(s, IR_IF, ty, join_ctx(c->ctx, join_ctx(t->ctx, e->ctx)), span);
    n->u.cond.cond = c;
    n->u.cond.then = t;
    n->u.cond.els = e;
    return n;
}

Ir *ir_fail(Sema *s, ErrorKind k, uint32_t span)
{
    Ir *n = ir_new(s, IR_FAIL, T_ANY, CTX_EMP, span);
    n->u.fail = (uint16_t)k;
    return n;
}

Ir *ir_bands(Sema *s, uint32_t n, Ir **conds, Ir **vals, uint32_t *row_spans, uint32_t span)
{
    /* Leading rows whose condition is a constant decide statically. */
    uint32_t first = 0;
    while (first < n && conds[first] && conds[first]->kind == IR_CONST &&
           conds[first]->u.value.kind == V_BOOL && !conds[first]->u.value.aux)
        first++;
    TypeKind ty = T_ANY;
    Ctx ctx = CTX_CONST;
    for (uint32_t i = first; i < n; i++) {
        if (ty == T_ANY)
            ty = (TypeKind)vals[i]->type;
        ctx = join_ctx(ctx, vals[i]->ctx);
        if (conds[i])
            ctx = join_ctx(ctx, conds[i]->ctx);
    }
    if (first == n)
        return ir_fail(s, ERR_NO_BAND, span);
    if (!conds[first] || (conds[first]->kind == IR_CONST && val_is_true(conds[first]->u.value)))
        return vals[first];
    Ir *b = ir_new(s, IR_BANDS, ty, ctx == CTX_CONST ? CTX_EMP : ctx, span);
    b->u.bands.n = n - first;
    b->u.bands.conds = conds + first;
    b->u.bands.vals = vals + first;
    b->u.bands.row_spans = row_spans + first;
    b->u.bands.trace = s->ntrace++;
    return b;
}

Ir *ir_builtin(Sema *s, Builtin fn, uint8_t mode, uint32_t nargs, Ir **args, uint32_t span)
{
    bool all_const = true;
    Ctx ctx = CTX_CONST;
    for (uint32_t i = 0; i < nargs; i++) {
        all_const &= args[i]->kind == IR_CONST;
        ctx = join_ctx(ctx, args[i]->ctx);
    }
    if (all_const) {
        Value v = args[0]->u.value;
        switch (fn) {
        case BI_MIN: for (uint32_t i = 1; i < nargs; i++) v = val_min(v, args[i]->u.value); break;
        case BI_MAX: for (uint32_t i = 1; i < nargs; i++) v = val_max(v, args[i]->u.value); break;
        case BI_ABS: v = val_abs(v); break;
        case BI_ROUND: v = val_round(v, args[1]->u.value, (RoundMode)mode, span); break;
        case BI_ISBLANK: v = val_bool(v.kind == V_BLANK); break;
        }
        Ir *r = folded(s, v, span);
        for (uint32_t i = 0; i < nargs && fn != BI_ISBLANK; i++)
            r->pct |= args[i]->pct;
        return r;
    }
    TypeKind ty = fn == BI_ISBLANK ? T_BOOL : T_NUM;
    if (fn == BI_MIN || fn == BI_MAX)
        for (uint32_t i = 0; i < nargs; i++)
            if (args[i]->type != T_ANY)
                ty = (TypeKind)args[i]->type;
    Ir *n = ir_new(s, IR_BUILTIN, ty, ctx, span);
    n->u.call.fn = (uint8_t)fn;
    n->u.call.mode = mode;
    n->u.call.nargs = nargs;
    n->u.call.args = args;
    return n;
}
