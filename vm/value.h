/* value.h - the values a scheme computes with.
 * A value is a number (an exact Rat), a text (an interned id), a bool, a
 * date, blank (a spreadsheet's empty cell), or an error (like Excel's
 * #DIV/0!: it flows through formulas until `default` replaces it or it
 * reaches a result, where it becomes a located runtime error).
 * The compiler folds constants with these same functions, so a constant
 * and a computed value can never disagree. */
#ifndef KPI_VALUE_H
#define KPI_VALUE_H
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "base/compiler.h"
#include "vm/num.h"

typedef enum ValueKind {
    V_BLANK, V_NUM, V_TEXT, V_BOOL, V_DATE, V_ERROR
} ValueKind;

/* Why a value is an error; the error's span says where. */
#define KPI_ERRORS(X)                                                        \
    X(ERR_NONE,      "no error")                                             \
    X(ERR_DIVZERO,   "division by zero")                                     \
    X(ERR_OVERFLOW,  "number out of range")                                  \
    X(ERR_NO_BAND,   "no band matches the value")                            \
    X(ERR_NO_PLAN,   "no plan row")                                          \
    X(ERR_NO_ROLE,   "no indicator set for this role")                       \
    X(ERR_BAD_ARG,   "invalid argument")

typedef enum ErrorKind {
#define X(name, text) name,
    KPI_ERRORS(X)
#undef X
    ERR__COUNT
} ErrorKind;

const char *error_kind_text(ErrorKind k);

typedef struct Value {
    uint8_t  kind;      /* ValueKind */
    uint8_t  inexact;   /* a rounded fallback entered this value */
    uint16_t err;       /* ErrorKind when kind == V_ERROR */
    uint32_t aux;       /* text id, bool, date (Day), or error span index */
    Rat      q;         /* V_NUM */
} Value;

static inline Value val_blank(void) { Value v = {V_BLANK, 0, 0, 0, {0, 1}}; return v; }
static inline Value val_num(Rat q) { Value v = {V_NUM, 0, 0, 0, q}; return v; }
static inline Value val_bool(bool b) { Value v = {V_BOOL, 0, 0, b, {0, 1}}; return v; }
static inline Value val_text(uint32_t id) { Value v = {V_TEXT, 0, 0, id, {0, 1}}; return v; }
static inline Value val_date(int32_t d) { Value v = {V_DATE, 0, 0, (uint32_t)d, {0, 1}}; return v; }
static inline Value val_error(ErrorKind k, uint32_t span)
{
    Value v = {V_ERROR, 0, (uint16_t)k, span, {0, 1}};
    return v;
}
static inline bool val_is_true(Value v) { return v.kind == V_BOOL && v.aux; }
static inline bool val_missing(Value v) { return v.kind == V_BLANK || v.kind == V_ERROR; }

/* Arithmetic: blank in, blank out; the first error in, that error out.
 * `span` locates an error this operation itself raises. */
Value val_add(Value a, Value b, uint32_t span);
Value val_sub(Value a, Value b, uint32_t span);
Value val_mul(Value a, Value b, uint32_t span);
Value val_div(Value a, Value b, uint32_t span);
Value val_neg(Value a);
Value val_abs(Value a);
Value val_round(Value x, Value step, RoundMode mode, uint32_t span);
void  val_round_to(Value *out, const Value *x, const Value *step, RoundMode mode, uint32_t span);

typedef enum CmpOp { CMP_EQ, CMP_NE, CMP_LT, CMP_LE, CMP_GT, CMP_GE } CmpOp;
/* Compares values of one kind; blank in, blank out. Texts compare by id
 * (equality only; interned so equal texts have equal ids). */
Value val_cmp(CmpOp op, Value a, Value b);
/* Whether op holds of a three-way comparison c (-1, 0, 1): shared with
 * the scan's row comparisons, whose opcodes come in CmpOp's order. */
static inline bool val_cmp_holds(CmpOp op, int c)
{
    switch (op) {
    case CMP_EQ: return c == 0;
    case CMP_NE: return c != 0;
    case CMP_LT: return c < 0;
    case CMP_LE: return c <= 0;
    case CMP_GT: return c > 0;
    default:     return c >= 0;
    }
}
/* The same on registers, as the VM calls them: the operands are read
 * before *out is written, so out may be a or b. Two numbers whose parts
 * fit 64 bits take num.h's inline paths here; the rest, the *_any ones. */
void val_add_any(Value *out, const Value *a, const Value *b, uint32_t span);
void val_sub_any(Value *out, const Value *a, const Value *b, uint32_t span);
void val_mul_any(Value *out, const Value *a, const Value *b, uint32_t span);
void val_div_any(Value *out, const Value *a, const Value *b, uint32_t span);
void val_cmp_any(CmpOp op, Value *out, const Value *a, const Value *b);

/* A register's number read as four 8-byte words: the instruction before
 * may have just written it so, and a 16-byte load of 8-byte stores still
 * in flight waits for them to land (a failed store forward). */
static inline Rat val_q(const Value *v)
{
    uint64_t nl, nh, dl, dh;
    memcpy(&nl, (const char *)&v->q.num, 8);
    memcpy(&nh, (const char *)&v->q.num + 8, 8);
    memcpy(&dl, (const char *)&v->q.den, 8);
    memcpy(&dh, (const char *)&v->q.den + 8, 8);
    return (Rat){(i128)(((u128)nh << 64) | nl), (i128)(((u128)dh << 64) | dl)};
}

/* A number into a register the same way, by 8-byte stores. */
static inline void val_set_q(Value *v, Rat q, uint8_t inexact)
{
    uint64_t w[4] = {(uint64_t)q.num, (uint64_t)((u128)q.num >> 64), (uint64_t)q.den, (uint64_t)((u128)q.den >> 64)};
    v->kind = V_NUM;
    v->inexact = inexact;
    v->err = 0;
    v->aux = 0;
    memcpy((char *)&v->q.num, &w[0], 8);
    memcpy((char *)&v->q.num + 8, &w[1], 8);
    memcpy((char *)&v->q.den, &w[2], 8);
    memcpy((char *)&v->q.den + 8, &w[3], 8);
}

/* A register copied by 8-byte words, for the same reason. */
static inline void val_copy(Value *d, const Value *s)
{
#define VAL_WORD(i)                                    \
    do {                                               \
        uint64_t w;                                    \
        memcpy(&w, (const char *)s + 8 * (i), 8);      \
        KPI_IN_REG(w);                                 \
        memcpy((char *)d + 8 * (i), &w, 8);            \
    } while (0)
    VAL_WORD(0);
    VAL_WORD(1);
    VAL_WORD(2);
    VAL_WORD(3);
    VAL_WORD(4);
    VAL_WORD(5);
#undef VAL_WORD
}

#define VAL_ARITH_TO(name, fast_call)                                                    \
    static inline void val_##name##_to(Value *out, const Value *a, const Value *b, uint32_t span) \
    {                                                                                    \
        Rat r;                                                                           \
        if (a->kind == V_NUM && b->kind == V_NUM && fast_call) {                         \
            val_set_q(out, r, a->inexact | b->inexact);                                  \
        } else {                                                                         \
            val_##name##_any(out, a, b, span);                                           \
        }                                                                                \
    }
VAL_ARITH_TO(add, rat_add_fast(val_q(a), val_q(b), &r))
VAL_ARITH_TO(sub, rat_sub_fast(val_q(a), val_q(b), &r))
VAL_ARITH_TO(mul, rat_mul_fast(val_q(a), val_q(b), &r))
VAL_ARITH_TO(div, rat_div_fast(val_q(a), val_q(b), &r))
#undef VAL_ARITH_TO

static inline void val_cmp_to(CmpOp op, Value *out, const Value *a, const Value *b)
{
    int c;
    if (a->kind == V_NUM && b->kind == V_NUM && rat_cmp_fast(val_q(a), val_q(b), &c))
        *out = val_bool(val_cmp_holds(op, c));
    else
        val_cmp_any(op, out, a, b);
}

void val_min_any(Value *out, const Value *a, const Value *b);
void val_max_any(Value *out, const Value *a, const Value *b);
static inline void val_pick_to(Value *out, const Value *a, const Value *b, bool want_min)
{
    int c;
    if (a->kind == V_NUM && b->kind == V_NUM && rat_cmp_fast(val_q(a), val_q(b), &c))
        val_copy(out, (want_min ? c <= 0 : c >= 0) ? a : b);
    else if (want_min)
        val_min_any(out, a, b);
    else
        val_max_any(out, a, b);
}
static inline void val_min_to(Value *out, const Value *a, const Value *b) { val_pick_to(out, a, b, true); }
static inline void val_max_to(Value *out, const Value *a, const Value *b) { val_pick_to(out, a, b, false); }

/* Three-valued logic: false and blank = false, true or blank = true. */
Value val_and(Value a, Value b);
Value val_or(Value a, Value b);
Value val_not(Value a);
/* a unless a is blank or an error, else b. */
Value val_default(Value a, Value b);
/* The same on registers (out may be a or b), two booleans inline. */
static inline void val_and_to(Value *out, const Value *a, const Value *b)
{
    if (a->kind == V_BOOL && b->kind == V_BOOL) {
        *out = val_bool(a->aux && b->aux);
        return;
    }
    Value r = val_and(*a, *b);
    val_copy(out, &r);
}
static inline void val_or_to(Value *out, const Value *a, const Value *b)
{
    if (a->kind == V_BOOL && b->kind == V_BOOL) {
        *out = val_bool(a->aux || b->aux);
        return;
    }
    Value r = val_or(*a, *b);
    val_copy(out, &r);
}
static inline void val_default_to(Value *out, const Value *a, const Value *b)
{
    val_copy(out, val_missing(*a) ? b : a);
}
/* Spreadsheet MIN/MAX of two: a blank side is skipped. */
Value val_min(Value a, Value b);
Value val_max(Value a, Value b);

#endif
