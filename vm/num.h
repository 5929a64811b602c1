/* num.h - exact numbers: rationals with 128-bit parts, and scaled decimal
 * integers for fact columns. No binary floating point anywhere.
 *
 * Every scheme value that can reach money is a Rat num/den, den > 0.
 * + - * / are exact. When an exact result does not fit in 128-bit parts
 * even in lowest terms, the operation falls back to the correctly rounded
 * (half-even) decimal num / 10^k with the largest k <= RAT_MAX_SCALE that
 * fits, which keeps at least RAT_MIN_DIGITS significant digits, and reports
 * NUM_INEXACT so the caller can mark the value. Past that it reports
 * NUM_OVERFLOW.
 *
 * Lazy reduction: while a result's parts fit 64 bits it is left as computed
 * (3/6, not 1/2), because a GCD costs more than the rest of an operation
 * (facts over plans rarely share a factor). So compare with rat_eq, not
 * by parts; take rat_norm for lowest terms (the compiler's constants are
 * kept so); text output and rat_to_int reduce for themselves.
 *
 * Builds under gcc and clang alike: 128-bit multiplication overflow is
 * checked by hand (clang's __builtin_mul_overflow on __int128 needs
 * compiler-rt's __muloti4, which libgcc does not have). */
#ifndef KPI_NUM_H
#define KPI_NUM_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/limits.h"

__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;

#define I128_MAX ((i128)(((u128)1 << 127) - 1))
#define RAT_MAX_SCALE  38   /* largest k of a fallback decimal num / 10^k */
#define RAT_MIN_DIGITS 18   /* significant digits a fallback keeps at least */

/* Invariants: den >= 1, |num| <= I128_MAX (num never equals the most
 * negative i128, so negation cannot overflow). Lowest terms only from
 * construction (rat_make, rat_scaled, literals), rat_norm and past 64 bits. */
typedef struct Rat {
    i128 num, den;
} Rat;

typedef enum NumStatus {
    NUM_OK = 0,       /* exact */
    NUM_INEXACT,      /* fell back to a rounded decimal; value is usable */
    NUM_OVERFLOW,     /* magnitude out of range even as a decimal */
    NUM_DIVZERO,      /* division by zero */
    NUM_SYNTAX,       /* text is not a number of the expected form */
    NUM_TOO_PRECISE   /* more fraction digits than the column's scale allows */
} NumStatus;

typedef enum RoundMode {
    ROUND_HALF_AWAY,  /* half away from zero: 2.5 -> 3, -2.5 -> -3 (1C, default) */
    ROUND_HALF_EVEN,  /* banker's: 2.5 -> 2, 3.5 -> 4 */
    ROUND_HALF_UP,    /* half toward +infinity: -2.5 -> -2 */
    ROUND_DOWN,       /* toward zero (truncate) */
    ROUND_UP,         /* away from zero */
    ROUND_FLOOR,      /* toward -infinity */
    ROUND_CEILING     /* toward +infinity */
} RoundMode;
/* The scheme's word for a mode: "half_away_from_zero"; "?" out of range. */
const char *round_mode_name(RoundMode m);

/* ---- construction ---- */
Rat  rat_int(int64_t v);                              /* v / 1 */
Rat  rat_i128(i128 v);                                /* v / 1; v must not be INT128_MIN */
/* v / 10^scale, reduced; scale 0..38. Fails (NUM_OVERFLOW) only if v == INT128_MIN. */
NumStatus rat_scaled(i128 v, int scale, Rat *out);
/* n / d, reduced; NUM_DIVZERO when d == 0. */
NumStatus rat_make(i128 n, i128 d, Rat *out);

/* ---- arithmetic: *out is written only when the status is OK or INEXACT ---- */
NumStatus rat_add(Rat a, Rat b, Rat *out);
NumStatus rat_sub(Rat a, Rat b, Rat *out);
NumStatus rat_mul(Rat a, Rat b, Rat *out);
NumStatus rat_div(Rat a, Rat b, Rat *out);
Rat       rat_neg(Rat a);
Rat       rat_abs(Rat a);

/* ---- comparison: exact even when cross products exceed 128 bits ---- */
int  rat_cmp(Rat a, Rat b);    /* -1, 0, 1 */
bool rat_eq(Rat a, Rat b);     /* equal values: 1/2 equals 3/6 */
int  rat_sign(Rat a);
bool rat_is_int(Rat a);
/* The integer a is, if it is one. */
bool rat_to_int(Rat a, i128 *out);
/* a in lowest terms. */
Rat  rat_norm(Rat a);
/* a * 10^scale, if that is an integer of int64's range (+-INT64_MAX):
 * how a constant becomes a scaled integer. */
bool rat_to_scaled(Rat a, int scale, int64_t *out);

/* ---- the common case, inline ----
 * Every part of both operands within int64, and the unreduced result's
 * parts too: the result rat_add, rat_mul, rat_div and rat_cmp give first
 * (lazy reduction), computed where it is called, in a few instructions.
 * They begin with these, so the two can never disagree. False: the full
 * operation decides. */
/* |v| <= INT64_MAX: a part that casts to int64 and negates there */
static inline bool rat_fits64(i128 v) { return v >= -(i128)INT64_MAX && v <= (i128)INT64_MAX; }
/* Whether both operands' parts fit int64 (a numerator may be INT64_MIN:
 * the sums and products below still fit 128 bits), tested without a
 * branch: a high word must be the sign of its low word. */
static inline bool rat_small2(Rat a, Rat b)
{
    uint64_t an = (uint64_t)(a.num >> 64) ^ (uint64_t)((int64_t)a.num >> 63);
    uint64_t bn = (uint64_t)(b.num >> 64) ^ (uint64_t)((int64_t)b.num >> 63);
    return (an | bn | (uint64_t)((u128)a.den >> 63) | (uint64_t)((u128)b.den >> 63)) == 0;
}
/* the 128-bit product of two parts that fit 64 bits: one multiply */
static inline i128 rat_mul64x64(i128 a, i128 b) { return (i128)(int64_t)a * (int64_t)b; }

static inline bool rat_add_fast(Rat a, Rat b, Rat *out)
{
    if (!rat_small2(a, b))
        return false;
    i128 n = a.num + b.num, d = a.den;
    if (a.den != b.den) {
        n = rat_mul64x64(a.num, b.den) + rat_mul64x64(b.num, a.den);
        d = rat_mul64x64(a.den, b.den);
    }
    if (!rat_fits64(n) || !rat_fits64(d))
        return false;
    *out = (Rat){n, d};
    return true;
}

static inline bool rat_sub_fast(Rat a, Rat b, Rat *out) { return rat_add_fast(a, (Rat){-b.num, b.den}, out); }

static inline bool rat_mul_fast(Rat a, Rat b, Rat *out)
{
    if (!rat_small2(a, b))
        return false;
    i128 n = rat_mul64x64(a.num, b.num), d = rat_mul64x64(a.den, b.den);
    if (!rat_fits64(n) || !rat_fits64(d))
        return false;
    *out = n == 0 ? (Rat){0, 1} : (Rat){n, d};
    return true;
}

static inline bool rat_div_fast(Rat a, Rat b, Rat *out)
{
    if (b.num == 0)
        return false;
    return rat_mul_fast(a, b.num < 0 ? (Rat){-b.den, -b.num} : (Rat){b.den, b.num}, out);
}

static inline bool rat_cmp_fast(Rat a, Rat b, int *c)
{
    if (!rat_small2(a, b))
        return false;
    i128 l = rat_mul64x64(a.num, b.den), r = rat_mul64x64(b.num, a.den);
    *c = (l > r) - (l < r);
    return true;
}

/* ---- rounding ---- */
/* Rounds to an integer with mode. */
NumStatus rat_round_int(Rat x, RoundMode mode, Rat *out);
/* Rounds x to a multiple of step (step > 0, e.g. 1/100 for kopecks, 100 for
 * hundreds of roubles) with mode: round(x / step) * step. */
NumStatus rat_round_to(Rat x, Rat step, RoundMode mode, Rat *out);

/* ---- text ---- */
/* Parses a scheme literal: digits, optional '.' and fraction digits (no sign,
 * no exponent, at most RAT_MAX_LITERAL_DIGITS digits in all). `percent`
 * divides by 100. Underscores between digits are allowed and ignored. */
NumStatus rat_parse_literal(const char *s, size_t n, bool percent, Rat *out);

/* Writes x as a decimal. If x has a terminating expansion with at most
 * max_frac fraction digits it is written exactly (no trailing zeros, no
 * trailing '.'), and *exact is set true; otherwise x is rounded half-even to
 * max_frac digits, trailing zeros trimmed, and *exact set false. Always
 * NUL-terminates; needs at most 82 bytes for max_frac <= 38. Returns length. */
size_t rat_format(char *buf, size_t cap, Rat x, int max_frac, bool *exact);
/* Writes x with exactly `frac` fraction digits, rounded with mode
 * ("1234.50"). Returns length. */
size_t rat_format_fixed(char *buf, size_t cap, Rat x, int frac, RoundMode mode);
/* Writes num/den as "n" or "n/d" (for disassembly and debugging). */
size_t rat_format_fraction(char *buf, size_t cap, Rat x);
size_t i128_format(char *buf, size_t cap, i128 v);

/* ---- scaled decimals: how fact cells become integers ---- */
typedef struct DecFormat {
    char decimal_point;  /* '.' or ',' */
    char thousands;      /* 0 = none; ' ' (also accepts U+00A0 and U+202F), '.', ',', '\'' */
} DecFormat;

/* Parses a cell such as "-1 234,56" into v * 10^scale exactly (scale 0..18).
 * Leading/trailing ASCII spaces are ignored; a leading '-' or '+' (or U+2212
 * minus) is accepted; thousands separators must separate groups of exactly
 * three digits in the integer part. More fraction digits than `scale` is
 * NUM_TOO_PRECISE unless the extra digits are all zeros. An empty cell is
 * NUM_SYNTAX (the caller decides what empty means before calling). */
NumStatus dec_parse(const char *s, size_t n, const DecFormat *f, int scale, int64_t *out);
/* Writes v / 10^scale with exactly `scale` fraction digits, '.' point. */
size_t dec_format(char *buf, size_t cap, int64_t v, int scale);

/* 10^k for k in 0..38 (0 outside): inline, as every plan read and
 * scaled fact needs one. */
extern const uint64_t num_pow10_64[20];
i128 i128_pow10_wide(int k);
static inline i128 i128_pow10(int k) { return (unsigned)k <= 19 ? (i128)num_pow10_64[k] : i128_pow10_wide(k); }

#endif
