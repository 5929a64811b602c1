/* value.c - arithmetic and logic over values; see value.h. */
#include "vm/value.h"

const char *error_kind_text(ErrorKind k)
{
    static const char *const text[] = {
#define X(name, t) t,
        KPI_ERRORS(X)
#undef X
    };
    return k < ERR__COUNT ? text[k] : "error";
}

/* The blank/error rule shared by every operation of two operands. */
static inline bool passes_through(const Value *a, const Value *b, Value *out)
{
    if (a->kind == V_NUM && b->kind == V_NUM) /* the usual case, tested first */
        return false;
    if (a->kind == V_ERROR) {
        *out = *a;
        return true;
    }
    if (b->kind == V_ERROR) {
        *out = *b;
        return true;
    }
    if (a->kind == V_BLANK || b->kind == V_BLANK) {
        *out = val_blank();
        return true;
    }
    return false;
}

typedef NumStatus (*RatOp)(Rat, Rat, Rat *);

/* Inlined into each operation, so that rat_* is a direct call. */
__attribute__((always_inline)) static inline void arith(RatOp fn, Value *out, const Value *a, const Value *b,
                                                        uint32_t span)
{
    if (passes_through(a, b, out))
        return;
    Rat r;
    uint8_t inexact = a->inexact | b->inexact;
    switch (fn(val_q(a), val_q(b), &r)) {
    case NUM_OK:
        break;
    case NUM_INEXACT:
        inexact = 1;
        break;
    case NUM_DIVZERO:
        *out = val_error(ERR_DIVZERO, span);
        return;
    default:
        *out = val_error(ERR_OVERFLOW, span);
        return;
    }
    val_set_q(out, r, inexact);
}

void val_add_any(Value *out, const Value *a, const Value *b, uint32_t span) { arith(rat_add, out, a, b, span); }
void val_sub_any(Value *out, const Value *a, const Value *b, uint32_t span) { arith(rat_sub, out, a, b, span); }
void val_mul_any(Value *out, const Value *a, const Value *b, uint32_t span) { arith(rat_mul, out, a, b, span); }
void val_div_any(Value *out, const Value *a, const Value *b, uint32_t span) { arith(rat_div, out, a, b, span); }

Value val_add(Value a, Value b, uint32_t span) { Value o; val_add_to(&o, &a, &b, span); return o; }
Value val_sub(Value a, Value b, uint32_t span) { Value o; val_sub_to(&o, &a, &b, span); return o; }
Value val_mul(Value a, Value b, uint32_t span) { Value o; val_mul_to(&o, &a, &b, span); return o; }
Value val_div(Value a, Value b, uint32_t span) { Value o; val_div_to(&o, &a, &b, span); return o; }

Value val_neg(Value a)
{
    if (a.kind == V_NUM)
        a.q = rat_neg(a.q);
    return a;
}

Value val_abs(Value a)
{
    if (a.kind == V_NUM)
        a.q = rat_abs(a.q);
    return a;
}

void val_round_to(Value *out, const Value *x, const Value *step, RoundMode mode, uint32_t span)
{
    if (passes_through(x, step, out))
        return;
    Rat r, q = val_q(x), st = val_q(step);
    if (rat_sign(st) <= 0) {
        *out = val_error(ERR_BAD_ARG, span);
        return;
    }
    NumStatus ns = rat_round_to(q, st, mode, &r);
    if (ns != NUM_OK && ns != NUM_INEXACT)
        *out = val_error(ERR_OVERFLOW, span);
    else
        val_set_q(out, r, (uint8_t)(ns == NUM_INEXACT) | x->inexact | step->inexact);
}

Value val_round(Value x, Value step, RoundMode mode, uint32_t span)
{
    Value out;
    val_round_to(&out, &x, &step, mode, span);
    return out;
}

static int compare(const Value *a, const Value *b)
{
    switch (a->kind) {
    case V_NUM:
        return rat_cmp(val_q(a), val_q(b));
    case V_DATE:
        return (int32_t)a->aux < (int32_t)b->aux ? -1 : (int32_t)a->aux > (int32_t)b->aux;
    default: /* texts and bools: equality only */
        return a->aux == b->aux ? 0 : a->aux < b->aux ? -1 : 1;
    }
}

void val_cmp_any(CmpOp op, Value *out, const Value *a, const Value *b)
{
    if (!passes_through(a, b, out))
        *out = val_bool(val_cmp_holds(op, compare(a, b)));
}

Value val_cmp(CmpOp op, Value a, Value b)
{
    Value o;
    val_cmp_to(op, &o, &a, &b);
    return o;
}

Value val_and(Value a, Value b)
{
    if (a.kind == V_ERROR)
        return a;
    if (b.kind == V_ERROR)
        return b;
    if ((a.kind == V_BOOL && !a.aux) || (b.kind == V_BOOL && !b.aux))
        return val_bool(false);
    if (a.kind == V_BLANK || b.kind == V_BLANK)
        return val_blank();
    return val_bool(true);
}

Value val_or(Value a, Value b)
{
    if (a.kind == V_ERROR)
        return a;
    if (b.kind == V_ERROR)
        return b;
    if (val_is_true(a) || val_is_true(b))
        return val_bool(true);
    if (a.kind == V_BLANK || b.kind == V_BLANK)
        return val_blank();
    return val_bool(false);
}

Value val_not(Value a)
{
    if (a.kind != V_BOOL)
        return a;
    return val_bool(!a.aux);
}

Value val_default(Value a, Value b) { return val_missing(a) ? b : a; }

static void pick(Value *out, const Value *a, const Value *b, bool want_min)
{
    const Value *r;
    if (a->kind == V_ERROR)
        r = a;
    else if (b->kind == V_ERROR)
        r = b;
    else if (a->kind == V_BLANK)
        r = b;
    else if (b->kind == V_BLANK)
        r = a;
    else
        r = (want_min ? compare(a, b) <= 0 : compare(a, b) >= 0) ? a : b;
    *out = *r;
}

void val_min_any(Value *out, const Value *a, const Value *b) { pick(out, a, b, true); }
void val_max_any(Value *out, const Value *a, const Value *b) { pick(out, a, b, false); }
Value val_min(Value a, Value b) { Value o; pick(&o, &a, &b, true); return o; }
Value val_max(Value a, Value b) { Value o; pick(&o, &a, &b, false); return o; }
