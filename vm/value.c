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
static bool passes_through(Value a, Value b, Value *out)
{
    if (a.kind == V_ERROR) {
        *out = a;
        return true;
    }
    if (b.kind == V_ERROR) {
        *out = b;
        return true;
    }
    if (a.kind == V_BLANK || b.kind == V_BLANK) {
        *out = val_blank();
        return true;
    }
    return false;
}

typedef NumStatus (*RatOp)(Rat, Rat, Rat *);

static Value arith(RatOp fn, Value a, Value b, uint32_t span)
{
    Value out;
    if (passes_through(a, b, &out))
        return out;
    Rat r;
    switch (fn(a.q, b.q, &r)) {
    case NUM_OK:
        out = val_num(r);
        break;
    case NUM_INEXACT:
        out = val_num(r);
        out.inexact = 1;
        break;
    case NUM_DIVZERO:
        return val_error(ERR_DIVZERO, span);
    default:
        return val_error(ERR_OVERFLOW, span);
    }
    out.inexact |= a.inexact | b.inexact;
    return out;
}

Value val_add(Value a, Value b, uint32_t span) { return arith(rat_add, a, b, span); }
Value val_sub(Value a, Value b, uint32_t span) { return arith(rat_sub, a, b, span); }
Value val_mul(Value a, Value b, uint32_t span) { return arith(rat_mul, a, b, span); }
Value val_div(Value a, Value b, uint32_t span) { return arith(rat_div, a, b, span); }

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

Value val_round(Value x, Value step, RoundMode mode, uint32_t span)
{
    Value out;
    if (passes_through(x, step, &out))
        return out;
    if (rat_sign(step.q) <= 0)
        return val_error(ERR_BAD_ARG, span);
    Rat r;
    NumStatus st = rat_round_to(x.q, step.q, mode, &r);
    if (st != NUM_OK && st != NUM_INEXACT)
        return val_error(ERR_OVERFLOW, span);
    out = val_num(r);
    out.inexact = (uint8_t)(st == NUM_INEXACT) | x.inexact | step.inexact;
    return out;
}

static int compare(Value a, Value b)
{
    switch (a.kind) {
    case V_NUM:
        return rat_cmp(a.q, b.q);
    case V_DATE:
        return (int32_t)a.aux < (int32_t)b.aux ? -1 : (int32_t)a.aux > (int32_t)b.aux;
    default: /* texts and bools: equality only */
        return a.aux == b.aux ? 0 : a.aux < b.aux ? -1 : 1;
    }
}

Value val_cmp(CmpOp op, Value a, Value b)
{
    Value out;
    if (passes_through(a, b, &out))
        return out;
    int c = compare(a, b);
    switch (op) {
    case CMP_EQ: return val_bool(c == 0);
    case CMP_NE: return val_bool(c != 0);
    case CMP_LT: return val_bool(c < 0);
    case CMP_LE: return val_bool(c <= 0);
    case CMP_GT: return val_bool(c > 0);
    default:     return val_bool(c >= 0);
    }
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

static Value pick(Value a, Value b, bool want_min)
{
    if (a.kind == V_ERROR)
        return a;
    if (b.kind == V_ERROR)
        return b;
    if (a.kind == V_BLANK)
        return b;
    if (b.kind == V_BLANK)
        return a;
    int c = compare(a, b);
    return (want_min ? c <= 0 : c >= 0) ? a : b;
}

Value val_min(Value a, Value b) { return pick(a, b, true); }
Value val_max(Value a, Value b) { return pick(a, b, false); }
