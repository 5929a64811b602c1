/* num.c - see num.h. Rationals with 128-bit parts; a fixed 512-bit unsigned
 * integer (Wide) handles the rare results that need more, exactly. */
#include "vm/num.h"
#include "base/compiler.h"

#include <string.h>

#define U128_MAX (~(u128)0)

/* ======================================================================
 * 128-bit helpers
 * ====================================================================== */

/* |v| as unsigned; correct for INT128_MIN too (-(v + 1) cannot overflow). */
static u128 i128_mag(i128 v)
{
    return v < 0 ? (u128)(-(v + 1)) + 1 : (u128)v;
}

/* Euclid with hardware division, 32-bit once both fit (a 32-bit divide is
 * the quicker one): measured a third quicker than binary GCD on a fact and
 * a plan. Wider values go through u128_gcd, where division is a library call. */
static uint64_t u64_gcd(uint64_t a, uint64_t b)
{
    if (a < b) {
        uint64_t t = a;
        a = b;
        b = t;
    }
    if (b <= 1) /* gcd(a, 0) = a; gcd(a, 1) = 1: no division */
        return b ? 1 : a;
    while (b != 0 && (a >> 32) != 0) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    if (b == 0)
        return a;
    uint32_t x = (uint32_t)a, y = (uint32_t)b;
    while (y != 0) {
        uint32_t t = x % y;
        x = y;
        y = t;
    }
    return x;
}

static int u128_ctz(u128 v) /* v != 0 */
{
    uint64_t lo = (uint64_t)v;
    return lo ? __builtin_ctzll(lo) : 64 + __builtin_ctzll((uint64_t)(v >> 64));
}

static u128 u128_gcd(u128 a, u128 b)
{
    if (((a | b) >> 64) == 0)
        return u64_gcd((uint64_t)a, (uint64_t)b);
    if (a == 0 || b == 0)
        return a | b;
    int shift = u128_ctz(a | b);
    a >>= u128_ctz(a);
    do {
        b >>= u128_ctz(b);
        if (a > b) {
            u128 t = a;
            a = b;
            b = t;
        }
        b -= a;
        if (((a | b) >> 64) == 0)
            return (u128)u64_gcd((uint64_t)a, (uint64_t)b) << shift;
    } while (b != 0);
    return a << shift;
}

/* a * b; false when it needs more than 128 bits. By hand through 64-bit
 * halves: clang's overflow builtin on 128 bits needs __muloti4. The last
 * sum may wrap, and that is how it is seen. */
KPI_WRAPS static bool u128_mul_fits(u128 a, u128 b, u128 *r)
{
    uint64_t ah = (uint64_t)(a >> 64), al = (uint64_t)a;
    uint64_t bh = (uint64_t)(b >> 64), bl = (uint64_t)b;
    if (ah != 0 && bh != 0)
        return false;
    u128 mid = (u128)ah * bl + (u128)al * bh; /* one term is zero */
    if ((mid >> 64) != 0)
        return false;
    u128 lo = (u128)al * bl;
    *r = lo + (mid << 64);
    return *r >= lo;
}

/* a * b within +-I128_MAX (the Rat range, which excludes INT128_MIN). */
static bool i128_mul_fits(i128 a, i128 b, i128 *r)
{
    u128 m;
    if (!u128_mul_fits(i128_mag(a), i128_mag(b), &m) || m > (u128)I128_MAX)
        return false;
    *r = ((a < 0) != (b < 0)) ? -(i128)m : (i128)m;
    return true;
}

/* a + b within +-I128_MAX; a and b are within it already. */
static bool i128_add_fits(i128 a, i128 b, i128 *r)
{
    if ((b > 0 && a > I128_MAX - b) || (b < 0 && a < -I128_MAX - b))
        return false;
    *r = a + b;
    return true;
}

const uint64_t num_pow10_64[20] = {
    1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull,
    10000000ull, 100000000ull, 1000000000ull, 10000000000ull,
    100000000000ull, 1000000000000ull, 10000000000000ull,
    100000000000000ull, 1000000000000000ull, 10000000000000000ull,
    100000000000000000ull, 1000000000000000000ull,
    10000000000000000000ull};

/* i128_pow10 past the table's 0..19 */
i128 i128_pow10_wide(int k)
{
    if (k < 20 || k > 38)
        return 0; /* outside the contract; 0 is never a valid power */
    return (i128)num_pow10_64[19] * (i128)num_pow10_64[k - 19];
}

/* Number of decimal digits of v (1 for 0); v <= I128_MAX. */
static int u128_ndigits(u128 v)
{
    int n = 1;
    while (n < 39 && v >= (u128)i128_pow10(n))
        n++;
    return n;
}

/* ======================================================================
 * Rounding decisions, shared by every rounding path
 * ====================================================================== */

/* What is left below the last kept unit, relative to half a unit. */
typedef enum Rest { REST_ZERO, REST_BELOW, REST_HALF, REST_ABOVE } Rest;

static Rest u128_rest(u128 r, u128 den) /* r < den */
{
    if (r == 0)
        return REST_ZERO;
    u128 other = den - r; /* compares 2r with den without overflow */
    return r < other ? REST_BELOW : r == other ? REST_HALF : REST_ABOVE;
}

/* Whether the magnitude is bumped up by one unit. */
static bool round_away(RoundMode mode, bool neg, bool odd, Rest rest)
{
    if (rest == REST_ZERO)
        return false;
    switch (mode) {
    case ROUND_HALF_AWAY: return rest >= REST_HALF;
    case ROUND_HALF_EVEN: return rest == REST_ABOVE || (rest == REST_HALF && odd);
    case ROUND_HALF_UP:   return rest == REST_ABOVE || (rest == REST_HALF && !neg);
    case ROUND_DOWN:      return false;
    case ROUND_UP:        return true;
    case ROUND_FLOOR:     return neg;
    case ROUND_CEILING:   return !neg;
    }
    return false;
}

/* ======================================================================
 * Wide: 512-bit unsigned, little-endian 64-bit words. Big enough for every
 * intermediate: cross products < 2^255, times 10^38 < 2^382.
 * ====================================================================== */

#define WN 8
#define WBITS (WN * 64)

typedef struct Wide {
    uint64_t w[WN];
} Wide;

static Wide wide_u128(u128 v)
{
    Wide r = {{0}};
    r.w[0] = (uint64_t)v;
    r.w[1] = (uint64_t)(v >> 64);
    return r;
}

static Wide wide_mag(i128 v)
{
    return wide_u128(i128_mag(v));
}

static u128 wide_low(Wide a)
{
    return ((u128)a.w[1] << 64) | a.w[0];
}

static bool wide_is_zero(Wide a)
{
    for (int i = 0; i < WN; i++)
        if (a.w[i] != 0)
            return false;
    return true;
}

/* a <= I128_MAX */
static bool wide_fits(Wide a)
{
    for (int i = 2; i < WN; i++)
        if (a.w[i] != 0)
            return false;
    return (a.w[1] >> 63) == 0;
}

static int wide_cmp(Wide a, Wide b)
{
    for (int i = WN - 1; i >= 0; i--)
        if (a.w[i] != b.w[i])
            return a.w[i] < b.w[i] ? -1 : 1;
    return 0;
}

static Wide wide_add(Wide a, Wide b)
{
    uint64_t carry = 0;
    for (int i = 0; i < WN; i++) {
        u128 t = (u128)a.w[i] + b.w[i] + carry;
        a.w[i] = (uint64_t)t;
        carry = (uint64_t)(t >> 64);
    }
    return a;
}

KPI_WRAPS static Wide wide_sub(Wide a, Wide b) /* a >= b; borrows wrap */
{
    uint64_t borrow = 0;
    for (int i = 0; i < WN; i++) {
        uint64_t bi = b.w[i] + borrow;
        uint64_t nb = (bi < borrow) || (a.w[i] < bi);
        a.w[i] -= bi;
        borrow = nb;
    }
    return a;
}

/* Truncated to 512 bits; callers keep products below that. */
static Wide wide_mul(Wide a, Wide b)
{
    Wide r = {{0}};
    for (int i = 0; i < WN; i++) {
        if (a.w[i] == 0)
            continue;
        uint64_t carry = 0;
        for (int j = 0; i + j < WN; j++) {
            u128 t = (u128)a.w[i] * b.w[j] + r.w[i + j] + carry;
            r.w[i + j] = (uint64_t)t;
            carry = (uint64_t)(t >> 64);
        }
    }
    return r;
}

static Wide wide_shl(Wide a, int n) /* 0 <= n < WBITS */
{
    Wide r = {{0}};
    int words = n / 64, bits = n % 64;
    for (int i = WN - 1; i >= words; i--) {
        r.w[i] = a.w[i - words] << bits;
        if (bits != 0 && i - words - 1 >= 0)
            r.w[i] |= a.w[i - words - 1] >> (64 - bits);
    }
    return r;
}

static Wide wide_shr(Wide a, int n) /* 0 <= n < WBITS */
{
    Wide r = {{0}};
    int words = n / 64, bits = n % 64;
    for (int i = 0; i + words < WN; i++) {
        r.w[i] = a.w[i + words] >> bits;
        if (bits != 0 && i + words + 1 < WN)
            r.w[i] |= a.w[i + words + 1] << (64 - bits);
    }
    return r;
}

static int wide_bits(Wide a)
{
    for (int i = WN - 1; i >= 0; i--)
        if (a.w[i] != 0)
            return i * 64 + 64 - __builtin_clzll(a.w[i]);
    return 0;
}

static int wide_ctz(Wide a) /* a != 0 */
{
    int i = 0;
    while (a.w[i] == 0)
        i++;
    return i * 64 + __builtin_ctzll(a.w[i]);
}

/* a / b, remainder in *rem; b != 0. Bitwise long division: slow but this
 * path is rare and the operands are a few hundred bits at most. */
static Wide wide_divmod(Wide a, Wide b, Wide *rem)
{
    Wide q = {{0}}, r = {{0}};
    for (int i = wide_bits(a) - 1; i >= 0; i--) {
        r = wide_shl(r, 1);
        r.w[0] |= (a.w[i / 64] >> (i % 64)) & 1;
        if (wide_cmp(r, b) >= 0) {
            r = wide_sub(r, b);
            q.w[i / 64] |= (uint64_t)1 << (i % 64);
        }
    }
    if (rem)
        *rem = r;
    return q;
}

/* Binary gcd: only shifts and subtractions. */
static Wide wide_gcd(Wide a, Wide b)
{
    if (wide_is_zero(a))
        return b;
    if (wide_is_zero(b))
        return a;
    int za = wide_ctz(a), zb = wide_ctz(b);
    a = wide_shr(a, za);
    for (;;) { /* a is odd */
        b = wide_shr(b, wide_ctz(b));
        int c = wide_cmp(a, b);
        if (c == 0)
            break;
        if (c > 0) {
            Wide t = a;
            a = b;
            b = t;
        }
        b = wide_sub(b, a);
    }
    return wide_shl(a, za < zb ? za : zb);
}

static Rest wide_rest(Wide r, Wide den) /* r < den */
{
    if (wide_is_zero(r))
        return REST_ZERO;
    int c = wide_cmp(wide_shl(r, 1), den);
    return c < 0 ? REST_BELOW : c == 0 ? REST_HALF : REST_ABOVE;
}

/* ======================================================================
 * Rat construction
 * ====================================================================== */

/* n / d reduced; d > 0 and |n|, d <= I128_MAX. */
static Rat rat_reduced(i128 n, i128 d)
{
    if (d == 1)
        return (Rat){n, 1};
    if (rat_fits64(n) && rat_fits64(d)) { /* 64-bit division is hardware, 128-bit a library call */
        int64_t n64 = (int64_t)n, d64 = (int64_t)d;
        uint64_t g = u64_gcd((uint64_t)(n64 < 0 ? -n64 : n64), (uint64_t)d64);
        return g > 1 ? (Rat){n64 / (int64_t)g, d64 / (int64_t)g} : (Rat){n, d};
    }
    u128 g = u128_gcd(i128_mag(n), (u128)d);
    if (g > 1) {
        n /= (i128)g;
        d /= (i128)g;
    }
    return (Rat){n, d};
}

Rat rat_int(int64_t v)
{
    return (Rat){v, 1};
}

Rat rat_i128(i128 v)
{
    return (Rat){v, 1};
}

/* Rounds the wide fraction (sign) n / d, reduced and too big for a Rat, to
 * num / 10^k half-even with the largest k that fits. */
static NumStatus rat_decimal_fallback(bool neg, Wide n, Wide d, Rat *out)
{
    Wide ip = wide_divmod(n, d, NULL);
    if (!wide_fits(ip))
        return NUM_OVERFLOW;
    int k = RAT_MAX_SCALE;
    if (!wide_is_zero(ip) && 39 - u128_ndigits(wide_low(ip)) < k)
        k = 39 - u128_ndigits(wide_low(ip)); /* ip * 10^k stays < 10^39 */
    for (; k >= 0; k--) {
        Wide r, q = wide_divmod(wide_mul(n, wide_u128((u128)i128_pow10(k))), d, &r);
        if (round_away(ROUND_HALF_EVEN, neg, q.w[0] & 1, wide_rest(r, d)))
            q = wide_add(q, wide_u128(1));
        if (!wide_fits(q))
            continue;
        u128 m = wide_low(q);
        if (u128_ndigits(m) < RAT_MIN_DIGITS)
            return NUM_OVERFLOW; /* too tiny to keep enough digits */
        *out = rat_reduced(neg ? -(i128)m : (i128)m, i128_pow10(k));
        return NUM_INEXACT;
    }
    return NUM_OVERFLOW;
}

/* (sign) n / d exactly when it fits after reduction, else the fallback. */
static NumStatus rat_from_wide(bool neg, Wide n, Wide d, Rat *out)
{
    if (wide_is_zero(n)) {
        *out = (Rat){0, 1};
        return NUM_OK;
    }
    Wide g = wide_gcd(n, d);
    if (wide_cmp(g, wide_u128(1)) != 0) {
        n = wide_divmod(n, g, NULL);
        d = wide_divmod(d, g, NULL);
    }
    if (!wide_fits(n) || !wide_fits(d))
        return rat_decimal_fallback(neg, n, d, out);
    i128 v = (i128)wide_low(n);
    *out = (Rat){neg ? -v : v, (i128)wide_low(d)};
    return NUM_OK;
}

/* v / 10^scale in lowest terms: 10^scale has no prime factors but 2 and
 * 5, so taking those out of v is all the reducing there is (no GCD). */
NumStatus rat_scaled(i128 v, int scale, Rat *out)
{
    if (i128_mag(v) > (u128)I128_MAX || scale < 0 || scale > RAT_MAX_SCALE)
        return NUM_OVERFLOW;
    if (v == 0 || scale == 0) {
        *out = (Rat){v, 1};
        return NUM_OK;
    }
    int twos = u128_ctz(i128_mag(v)), fives = 0;
    twos = twos < scale ? twos : scale;
    i128 n = v >> twos; /* exact: 2^twos divides v (a shift, not a 128-bit division) */
    if (rat_fits64(n)) { /* the common case, in hardware division */
        int64_t m = (int64_t)n;
        for (; fives < scale && m % 5 == 0; fives++)
            m /= 5;
        n = m;
    } else {
        for (; fives < scale && n % 5 == 0; fives++)
            n /= 5;
    }
    i128 pow5 = i128_pow10(scale - fives) >> (scale - fives); /* 5^(scale - fives) */
    *out = (Rat){n, pow5 << (scale - twos)};
    return NUM_OK;
}

NumStatus rat_make(i128 n, i128 d, Rat *out)
{
    if (d == 0)
        return NUM_DIVZERO;
    bool neg = (n < 0) != (d < 0);
    u128 un = i128_mag(n), ud = i128_mag(d);
    u128 g = u128_gcd(un, ud);
    un /= g;
    ud /= g;
    if (un > (u128)I128_MAX || ud > (u128)I128_MAX) /* only via INT128_MIN */
        return rat_decimal_fallback(neg, wide_u128(un), wide_u128(ud), out);
    *out = (Rat){neg ? -(i128)un : (i128)un, (i128)ud};
    return NUM_OK;
}

/* ======================================================================
 * Arithmetic
 * ====================================================================== */

static NumStatus rat_add_wide(Rat a, Rat b, Rat *out)
{
    Wide x = wide_mul(wide_mag(a.num), wide_u128((u128)b.den));
    Wide y = wide_mul(wide_mag(b.num), wide_u128((u128)a.den));
    Wide d = wide_mul(wide_u128((u128)a.den), wide_u128((u128)b.den));
    bool na = a.num < 0, nb = b.num < 0;
    if (na == nb)
        return rat_from_wide(na, wide_add(x, y), d, out);
    if (wide_cmp(x, y) >= 0)
        return rat_from_wide(na, wide_sub(x, y), d, out);
    return rat_from_wide(nb, wide_sub(y, x), d, out);
}

/* a + b when every part fits 64 bits but the unreduced sum's do not
 * (rat_add_fast takes those that do): (Knuth 4.5.1) with g = gcd of the
 * denominators, t = a.n*(b.d/g) + b.n*(a.d/g) can share a factor only
 * with g, so only gcd(t, g) is left to take, and it is 1 when the
 * denominators are coprime (in lowest terms when a and b are). */
static bool rat_add64(Rat a, Rat b, Rat *out)
{
    if (!rat_fits64(a.num) || !rat_fits64(a.den) || !rat_fits64(b.num) || !rat_fits64(b.den))
        return false;
    int64_t ad = (int64_t)a.den, bd = (int64_t)b.den;
    int64_t g = (int64_t)u64_gcd((uint64_t)ad, (uint64_t)bd);
    i128 t = a.num * (bd / g) + b.num * (ad / g);
    if (t == 0) {
        *out = (Rat){0, 1};
        return true;
    }
    if (g == 1) {
        *out = (Rat){t, (i128)ad * bd};
        return true;
    }
    u128 tm = i128_mag(t);
    int64_t g2 = (int64_t)u64_gcd((uint64_t)(tm % (u128)(uint64_t)g), (uint64_t)g);
    *out = (Rat){t / g2, (i128)(ad / g) * (bd / g2)};
    return true;
}

NumStatus rat_add(Rat a, Rat b, Rat *out)
{
    i128 n, x, y, d;
    if (rat_add_fast(a, b, out) || (a.den != b.den && rat_add64(a, b, out)))
        return NUM_OK;
    if (a.den == b.den) {
        if (!i128_add_fits(a.num, b.num, &n))
            return rat_add_wide(a, b, out);
        *out = rat_fits64(n) ? (Rat){n, a.den} : rat_reduced(n, a.den);
        return NUM_OK;
    }
    /* a/b + c/d = (a*(d/g) + c*(b/g)) / (b/g*d) */
    i128 g = (i128)u128_gcd((u128)a.den, (u128)b.den);
    if (!i128_mul_fits(a.num, b.den / g, &x) || !i128_mul_fits(b.num, a.den / g, &y) ||
        !i128_add_fits(x, y, &n) || !i128_mul_fits(a.den / g, b.den, &d))
        return rat_add_wide(a, b, out);
    *out = rat_reduced(n, d);
    return NUM_OK;
}

NumStatus rat_sub(Rat a, Rat b, Rat *out)
{
    return rat_add(a, rat_neg(b), out);
}

/* a * b when every part fits 64 bits but the unreduced products' do not
 * (rat_mul_fast takes those that do): cross-reduced with hardware
 * division, the products in 128 bits. */
static bool rat_mul64(Rat a, Rat b, Rat *out)
{
    if (!rat_fits64(a.num) || !rat_fits64(a.den) || !rat_fits64(b.num) || !rat_fits64(b.den))
        return false;
    int64_t an = (int64_t)a.num, ad = (int64_t)a.den, bn = (int64_t)b.num, bd = (int64_t)b.den;
    uint64_t g1 = u64_gcd((uint64_t)(an < 0 ? -an : an), (uint64_t)bd);
    uint64_t g2 = u64_gcd((uint64_t)(bn < 0 ? -bn : bn), (uint64_t)ad);
    if (g1 > 1) {
        an /= (int64_t)g1;
        bd /= (int64_t)g1;
    }
    if (g2 > 1) {
        bn /= (int64_t)g2;
        ad /= (int64_t)g2;
    }
    *out = (Rat){(i128)an * bn, (i128)ad * bd};
    return true;
}

NumStatus rat_mul(Rat a, Rat b, Rat *out)
{
    i128 n, d;
    if (rat_mul_fast(a, b, out))
        return NUM_OK;
    if (a.den == 1 && b.den == 1 && i128_mul_fits(a.num, b.num, &n)) {
        *out = (Rat){n, 1};
        return NUM_OK;
    }
    if (a.num == 0 || b.num == 0) {
        *out = (Rat){0, 1};
        return NUM_OK;
    }
    if (rat_mul64(a, b, out))
        return NUM_OK;
    /* Cross-reduce first so the product is already in lowest terms. */
    i128 g1 = (i128)u128_gcd(i128_mag(a.num), (u128)b.den);
    i128 g2 = (i128)u128_gcd(i128_mag(b.num), (u128)a.den);
    i128 an = a.num / g1, bd = b.den / g1, bn = b.num / g2, ad = a.den / g2;
    if (i128_mul_fits(an, bn, &n) && i128_mul_fits(ad, bd, &d)) {
        *out = (Rat){n, d};
        return NUM_OK;
    }
    /* the operands need not be in lowest terms: reduce before falling back */
    return rat_from_wide((an < 0) != (bn < 0), wide_mul(wide_mag(an), wide_mag(bn)),
                         wide_mul(wide_u128((u128)ad), wide_u128((u128)bd)), out);
}

NumStatus rat_div(Rat a, Rat b, Rat *out)
{
    if (b.num == 0)
        return NUM_DIVZERO;
    Rat inv = b.num < 0 ? (Rat){-b.den, -b.num} : (Rat){b.den, b.num};
    return rat_mul(a, inv, out);
}

Rat rat_neg(Rat a)
{
    return (Rat){-a.num, a.den};
}

Rat rat_abs(Rat a)
{
    return a.num < 0 ? rat_neg(a) : a;
}

/* ======================================================================
 * Comparison
 * ====================================================================== */

int rat_sign(Rat a)
{
    return (a.num > 0) - (a.num < 0);
}

int rat_cmp(Rat a, Rat b)
{
    int c;
    if (rat_cmp_fast(a, b, &c))
        return c;
    int sa = rat_sign(a), sb = rat_sign(b);
    if (sa != sb)
        return sa < sb ? -1 : 1;
    i128 l = a.num, r = b.num; /* parts within 64 bits took rat_cmp_fast */
    if (a.den != b.den && (!i128_mul_fits(a.num, b.den, &l) || !i128_mul_fits(b.num, a.den, &r))) {
        Wide wl = wide_mul(wide_mag(a.num), wide_u128((u128)b.den));
        Wide wr = wide_mul(wide_mag(b.num), wide_u128((u128)a.den));
        return sa < 0 ? -wide_cmp(wl, wr) : wide_cmp(wl, wr);
    }
    return (l > r) - (l < r);
}

bool rat_eq(Rat a, Rat b)
{
    return (a.num == b.num && a.den == b.den) || rat_cmp(a, b) == 0;
}

bool rat_is_int(Rat a)
{
    i128 n;
    return rat_to_int(a, &n);
}

bool rat_to_int(Rat a, i128 *out)
{
    if (a.den != 1) {
        a = rat_norm(a);
        if (a.den != 1)
            return false;
    }
    *out = a.num;
    return true;
}

Rat rat_norm(Rat a)
{
    return rat_reduced(a.num, a.den);
}

bool rat_to_scaled(Rat a, int scale, int64_t *out)
{
    Rat scaled;
    i128 n;
    if (scale >= 0 && scale <= 18 && rat_fits64(a.num) && a.den <= i128_pow10(scale) &&
        (uint64_t)i128_pow10(scale) % (uint64_t)a.den == 0) { /* a decimal of at most scale digits */
        int64_t m = (int64_t)((uint64_t)i128_pow10(scale) / (uint64_t)a.den);
        return !__builtin_mul_overflow((int64_t)a.num, m, out) && *out != INT64_MIN;
    }
    if (scale < 0 || scale > RAT_MAX_SCALE || rat_mul(a, rat_i128(i128_pow10(scale)), &scaled) != NUM_OK ||
        !rat_to_int(scaled, &n) || !rat_fits64(n))
        return false;
    *out = (int64_t)n;
    return true;
}

/* ======================================================================
 * Rounding
 * ====================================================================== */

NumStatus rat_round_int(Rat x, RoundMode mode, Rat *out)
{
    if (x.den == 1) {
        *out = x;
        return NUM_OK;
    }
    bool neg = x.num < 0;
    u128 m = i128_mag(x.num), d = (u128)x.den;
    u128 q = m / d;
    if (round_away(mode, neg, q & 1, u128_rest(m % d, d)))
        q++; /* cannot overflow: d >= 2 so q <= I128_MAX / 2 */
    *out = (Rat){neg ? -(i128)q : (i128)q, 1};
    return NUM_OK;
}

/* round(x / step) * step computed exactly in Wide; step > 0. */
static NumStatus rat_round_to_wide(Rat x, Rat step, RoundMode mode, Rat *out)
{
    bool neg = x.num < 0;
    Wide sn = wide_u128((u128)step.num), sd = wide_u128((u128)step.den);
    Wide den = wide_mul(wide_u128((u128)x.den), sn);
    Wide r, q = wide_divmod(wide_mul(wide_mag(x.num), sd), den, &r);
    if (round_away(mode, neg, q.w[0] & 1, wide_rest(r, den)))
        q = wide_add(q, wide_u128(1));
    return rat_from_wide(neg, wide_mul(q, sn), sd, out);
}

NumStatus rat_round_to(Rat x, Rat step, RoundMode mode, Rat *out)
{
    if (step.num == 0)
        return NUM_DIVZERO;
    step = rat_abs(step); /* multiples of -s are multiples of s */
    Rat q, n;
    if (rat_div(x, step, &q) != NUM_OK)
        return rat_round_to_wide(x, step, mode, out);
    rat_round_int(q, mode, &n);
    return rat_mul(n, step, out);
}

/* ======================================================================
 * Text output
 * ====================================================================== */

/* A bounded writer: keeps what fits, always leaves room for the NUL. */
typedef struct Out {
    char  *buf;
    size_t cap, len;
} Out;

static void out_c(Out *o, char c)
{
    if (o->len + 1 < o->cap)
        o->buf[o->len++] = c;
}

static void out_s(Out *o, const char *s, size_t n)
{
    size_t room = o->cap > o->len + 1 ? o->cap - o->len - 1 : 0;
    n = n < room ? n : room;
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

/* "00" to "99": output takes two digits a division. */
static const char digit_pairs[201] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
                                     "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
                                     "8081828384858687888990919293949596979899";

/* The n lowest decimal digits of v, most significant first, into d[0, n)
 * (leading zeros included). */
static void u64_digits_n(uint64_t v, char *d, int n)
{
    for (; n >= 2; n -= 2, v /= 100)
        memcpy(d + n - 2, digit_pairs + 2 * (v % 100), 2);
    if (n)
        d[0] = (char)('0' + v % 10);
}

/* Its decimal digits: from its bit length (log10(2) ~ 1233/4096), then one
 * comparison. */
static int u64_len(uint64_t v)
{
    static const uint64_t p10[20] = {1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull, 10000000ull,
                                     100000000ull, 1000000000ull, 10000000000ull, 100000000000ull,
                                     1000000000000ull, 10000000000000ull, 100000000000000ull,
                                     1000000000000000ull, 10000000000000000ull, 100000000000000000ull,
                                     1000000000000000000ull, 10000000000000000000ull};
    v |= 1; /* 0 has one digit; an odd neighbour never crosses a power of 10 */
    int n = ((64 - __builtin_clzll(v)) * 1233) >> 12; /* n or n + 1 digits, n <= 19 */
    return n + (v >= p10[n]);
}

static size_t out_end(Out *o)
{
    if (o->cap > 0)
        o->buf[o->len] = '\0';
    return o->len;
}

/* Decimal digits of v, most significant first; returns the count (<= 39). */
static int u128_to_digits(u128 v, char *d)
{
    char tmp[40];
    int n = 0;
    while (v >> 64) {
        tmp[n++] = (char)('0' + (int)(v % 10));
        v /= 10;
    }
    uint64_t w = (uint64_t)v; /* the rest in 64 bits, two digits at a time */
    int k = u64_len(w);
    u64_digits_n(w, d, k);
    for (int i = 0; i < n; i++)
        d[k + i] = tmp[n - 1 - i];
    return k + n;
}

/* The decimal digits of |x|: nint integer digits then nfrac fraction
 * digits, and what is left past the last one. 40 + 38 digits at most. */
typedef struct Digits {
    char d[80];
    int  len, nint;
    Rest rest;
} Digits;

/* Next fraction digit of r / den (r < den): 10r = digit*den + r'. When 10r
 * would overflow, adds r ten times modulo den instead. */
static int next_digit(u128 *r, u128 den)
{
    if (*r <= U128_MAX / 10) {
        u128 t = *r * 10;
        *r = t % den;
        return (int)(t / den);
    }
    int dgt = 0;
    u128 acc = 0;
    for (int i = 0; i < 10; i++) {
        if (acc >= den - *r) {
            acc -= den - *r;
            dgt++;
        } else {
            acc += *r;
        }
    }
    *r = acc;
    return dgt;
}

/* t / d and its remainder when the quotient fits 64 bits (t < d * 2^64):
 * one divq on x86-64, a library division elsewhere. */
static inline uint64_t div_128_64(u128 t, uint64_t d, uint64_t *rem)
{
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    uint64_t q, r;
    __asm__("divq %4" : "=a"(q), "=d"(r) : "a"((uint64_t)t), "d"((uint64_t)(t >> 64)), "rm"(d));
    *rem = r;
    return q;
#else
    *rem = (uint64_t)(t % d);
    return (uint64_t)(t / d);
#endif
}

/* The usual case of rat_digits: both parts within 64 bits, the fraction
 * digits taken at once, r * 10^nfrac / den, instead of a division each. */
static bool rat_digits64(u128 m, u128 den, int nfrac, Digits *g)
{
    if ((m >> 64) != 0 || den >= ((u128)1 << 59) || nfrac > 19)
        return false;
    uint64_t m64 = (uint64_t)m, d64 = (uint64_t)den, r = m64 % d64, f = 0;
    g->nint = g->len = u128_to_digits(m64 / d64, g->d);
    if (r != 0 && nfrac > 0) /* r < den: the quotient is below 10^nfrac */
        f = div_128_64((u128)r * (u128)i128_pow10(nfrac), d64, &r);
    u64_digits_n(f, g->d + g->len, nfrac);
    g->len += nfrac;
    g->rest = u128_rest(r, d64);
    return true;
}

static void rat_digits(Rat x, int nfrac, Digits *g)
{
    u128 m = i128_mag(x.num), den = (u128)x.den;
    if (rat_digits64(m, den, nfrac, g))
        return;
    u128 r = m % den;
    g->nint = g->len = u128_to_digits(m / den, g->d);
    if (den < ((u128)1 << 59)) { /* 10r fits 64 bits: hardware division, and a stop when exact */
        uint64_t r64 = (uint64_t)r, d64 = (uint64_t)den;
        int i = 0;
        for (; i < nfrac && r64; i++) {
            uint64_t t = r64 * 10;
            g->d[g->len++] = (char)('0' + (int)(t / d64));
            r64 = t % d64;
        }
        for (; i < nfrac; i++)
            g->d[g->len++] = '0';
        r = r64;
    } else {
        for (int i = 0; i < nfrac; i++)
            g->d[g->len++] = (char)('0' + next_digit(&r, den));
    }
    g->rest = u128_rest(r, den);
}

/* Adds one unit in the last place, growing the integer part on carry. */
static void digits_bump(Digits *g)
{
    int i = g->len - 1;
    while (i >= 0 && g->d[i] == '9')
        g->d[i--] = '0';
    if (i >= 0) {
        g->d[i]++;
        return;
    }
    memmove(g->d + 1, g->d, (size_t)g->len);
    g->d[0] = '1';
    g->len++;
    g->nint++;
}

static void digits_round(Digits *g, RoundMode mode, bool neg)
{
    bool odd = (g->d[g->len - 1] - '0') & 1;
    if (round_away(mode, neg, odd, g->rest))
        digits_bump(g);
}

/* Sign (never for an all-zero result), integer digits, '.', fraction. */
static size_t digits_write(const Digits *g, bool neg, char *buf, size_t cap)
{
    Out o = {buf, cap, 0};
    bool zero = true;
    for (int i = 0; i < g->len; i++)
        zero = zero && g->d[i] == '0';
    if (neg && !zero)
        out_c(&o, '-');
    out_s(&o, g->d, (size_t)g->nint);
    if (g->len > g->nint) {
        out_c(&o, '.');
        out_s(&o, g->d + g->nint, (size_t)(g->len - g->nint));
    }
    return out_end(&o);
}

static int clamp_frac(int frac)
{
    return frac < 0 ? 0 : frac > RAT_MAX_SCALE ? RAT_MAX_SCALE : frac;
}

/* The least k with d dividing 10^k (d = 2^a 5^b, k = max(a, b) <= 18), and
 * 10^k / d; -1 when d has another prime factor. 12.35 is 247/20: k = 2. */
static int decimal_places(i128 d, uint64_t *scale)
{
    if (d <= 0 || !rat_fits64(d))
        return -1;
    static const uint64_t pow5[19] = {1, 5, 25, 125, 625, 3125, 15625, 78125, 390625, 1953125, 9765625,
                                      48828125, 244140625, 1220703125, 6103515625, 30517578125,
                                      152587890625, 762939453125, 3814697265625};
    uint64_t v = (uint64_t)d;
    int a = __builtin_ctzll(v);
    v >>= a;
    if (v % 5 != 0 && v != 1)
        return -1; /* most quotients: a plan's odd factor */
    int b = ((63 - __builtin_clzll(v)) * 441) >> 10; /* log5(v) from its bit length: b or b - 1 */
    if (b > 18)
        return -1;
    b += b < 18 && pow5[b] < v;
    int k = a > b ? a : b;
    if (v != pow5[b] || k > 18)
        return -1;
    *scale = pow5[k - b] << (k - a); /* 10^k / (2^a 5^b) */
    return k;
}

/* A terminating decimal whose digits fit 64 bits: written directly, no
 * division per digit. Its length, 0 when it is not such a decimal. */
static size_t format_decimal(char *buf, size_t cap, Rat x, int max_frac, bool *exact)
{
    uint64_t scale = 1;
    int k = x.den == 1 ? 0 : decimal_places(x.den, &scale);
    if (k < 0 || k > max_frac || !rat_fits64(x.num) || cap < 48)
        return 0;
    uint64_t m = (uint64_t)(x.num < 0 ? -(int64_t)x.num : (int64_t)x.num);
    if (__builtin_mul_overflow(m, scale, &m))
        return 0;
    char d[24];
    int n = u64_len(m), nint;
    n = n > k ? n : k + 1; /* "0.05": a zero before the point */
    u64_digits_n(m, d, n);
    nint = n - k;
    while (n > nint && d[n - 1] == '0') /* trailing zeros of the fraction are not written */
        n--;
    size_t o = 0;
    if (x.num < 0)
        buf[o++] = '-';
    memcpy(buf + o, d, (size_t)nint);
    o += (size_t)nint;
    if (n > nint) {
        buf[o++] = '.';
        memcpy(buf + o, d + nint, (size_t)(n - nint));
        o += (size_t)(n - nint);
    }
    buf[o] = '\0';
    if (exact)
        *exact = true;
    return o;
}

/* Any other value whose parts fit 64 bits (a fact over a plan): the
 * fraction digits taken at once, rounded half-even and written straight
 * into buf, as the general path below would write them. 0 when the value
 * is not such a one. */
static size_t format_small(char *buf, size_t cap, Rat x, int max_frac, bool *exact)
{
    if (!rat_fits64(x.num) || !rat_fits64(x.den) || max_frac > 18 || cap < 48)
        return 0;
    bool neg = x.num < 0;
    uint64_t m = (uint64_t)(neg ? -(int64_t)x.num : (int64_t)x.num), d = (uint64_t)x.den;
    uint64_t q = m / d, r = m % d, f = 0, unit = (uint64_t)i128_pow10(max_frac);
    if (max_frac > 0) /* r < d: the quotient is below 10^max_frac */
        f = div_128_64((u128)r * unit, d, &r);
    Rest rest = u128_rest(r, d);
    if (exact)
        *exact = rest == REST_ZERO;
    if (round_away(ROUND_HALF_EVEN, neg, (max_frac > 0 ? f : q) & 1, rest) && (max_frac == 0 || ++f == unit)) {
        q++;
        f = 0;
    }
    int k = max_frac;
    for (; f != 0 && f % 10 == 0; f /= 10)
        k--;
    size_t o = 0;
    if (neg && (q != 0 || f != 0))
        buf[o++] = '-';
    int nq = u64_len(q);
    u64_digits_n(q, buf + o, nq);
    o += (size_t)nq;
    if (f != 0) {
        buf[o++] = '.';
        u64_digits_n(f, buf + o, k);
        o += (size_t)k;
    }
    buf[o] = '\0';
    return o;
}

size_t rat_format(char *buf, size_t cap, Rat x, int max_frac, bool *exact)
{
    size_t n = format_decimal(buf, cap, x, clamp_frac(max_frac), exact);
    if (!n)
        n = format_small(buf, cap, x, clamp_frac(max_frac), exact);
    if (n)
        return n;
    Digits g;
    rat_digits(x, clamp_frac(max_frac), &g);
    if (exact)
        *exact = g.rest == REST_ZERO;
    digits_round(&g, ROUND_HALF_EVEN, x.num < 0);
    while (g.len > g.nint && g.d[g.len - 1] == '0')
        g.len--;
    return digits_write(&g, x.num < 0, buf, cap);
}

size_t rat_format_fixed(char *buf, size_t cap, Rat x, int frac, RoundMode mode)
{
    Digits g;
    rat_digits(x, clamp_frac(frac), &g);
    digits_round(&g, mode, x.num < 0);
    return digits_write(&g, x.num < 0, buf, cap);
}

static void out_i128(Out *o, i128 v)
{
    char d[40];
    if (v < 0)
        out_c(o, '-');
    out_s(o, d, (size_t)u128_to_digits(i128_mag(v), d));
}

size_t i128_format(char *buf, size_t cap, i128 v)
{
    Out o = {buf, cap, 0};
    out_i128(&o, v);
    return out_end(&o);
}

size_t rat_format_fraction(char *buf, size_t cap, Rat x)
{
    Out o = {buf, cap, 0};
    x = rat_norm(x);
    out_i128(&o, x.num);
    if (x.den != 1) {
        out_c(&o, '/');
        out_i128(&o, x.den);
    }
    return out_end(&o);
}

/* ======================================================================
 * Text input: scheme literals
 * ====================================================================== */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* digit ('_'? digit)*, accumulating the first RAT_MAX_LITERAL_DIGITS
 * digits into *v and counting (up to one past the limit) in *ndig. */
static bool lit_digits(const char *s, size_t n, size_t *pi, i128 *v, int *ndig)
{
    size_t i = *pi;
    if (i >= n || !is_digit(s[i]))
        return false;
    for (;;) {
        if (*ndig < RAT_MAX_LITERAL_DIGITS)
            *v = *v * 10 + (s[i] - '0');
        if (*ndig <= RAT_MAX_LITERAL_DIGITS)
            (*ndig)++;
        i++;
        if (i < n && s[i] == '_') {
            if (++i >= n || !is_digit(s[i]))
                return false;
        } else if (i >= n || !is_digit(s[i])) {
            break;
        }
    }
    *pi = i;
    return true;
}

NumStatus rat_parse_literal(const char *s, size_t n, bool percent, Rat *out)
{
    i128 v = 0;
    int ndig = 0, nfrac = 0;
    size_t i = 0;
    if (!lit_digits(s, n, &i, &v, &ndig))
        return NUM_SYNTAX;
    if (i < n && s[i] == '.') {
        int before = ndig;
        i++;
        if (!lit_digits(s, n, &i, &v, &ndig))
            return NUM_SYNTAX;
        nfrac = ndig - before;
    }
    if (i != n)
        return NUM_SYNTAX;
    if (ndig > RAT_MAX_LITERAL_DIGITS)
        return NUM_OVERFLOW;
    /* 36 digits and 2 more for percent stay within RAT_MAX_SCALE */
    return rat_scaled(v, nfrac + (percent ? 2 : 0), out);
}

/* ======================================================================
 * Text input: fact cells
 * ====================================================================== */

#define DEC_MAX_SCALE 18
#define DEC_ACC_LIMIT ((i128)1 << 63) /* |INT64_MIN|; anything past is out */

/* Digits of a cell: value so far and whether it already exceeds any int64. */
typedef struct DecAcc {
    i128 ip, fp;       /* integer part; fraction scaled to `scale` digits */
    int  nfrac;        /* fraction digits kept in fp */
    bool big, extra;   /* ip too large; nonzero digits past the scale */
} DecAcc;

static bool has_prefix(const char *p, const char *e, const char *lit)
{
    size_t k = strlen(lit);
    return (size_t)(e - p) >= k && memcmp(p, lit, k) == 0;
}

/* Length of a thousands separator at p, 0 when none. */
static size_t sep_len(const char *p, const char *e, char th)
{
    if (th == 0 || p >= e)
        return 0;
    if (th == ' ' && has_prefix(p, e, "\xC2\xA0")) /* NBSP */
        return 2;
    if (th == ' ' && has_prefix(p, e, "\xE2\x80\xAF")) /* narrow NBSP */
        return 3;
    return *p == th ? 1 : 0;
}

/* A run of integer digits; returns its length. */
static int dec_int_run(const char **pp, const char *e, DecAcc *a)
{
    const char *p = *pp;
    for (; p < e && is_digit(*p); p++) {
        if (!a->big)
            a->ip = a->ip * 10 + (*p - '0');
        if (a->ip > DEC_ACC_LIMIT)
            a->big = true;
    }
    int n = (int)(p - *pp);
    *pp = p;
    return n;
}

/* Integer part: digits, or groups "d{1,3}(SEP ddd)*". */
static bool dec_int_part(const char **pp, const char *e, char th, DecAcc *a)
{
    int first = dec_int_run(pp, e, a);
    if (first == 0)
        return false;
    size_t k;
    while ((k = sep_len(*pp, e, th)) > 0) {
        if (first > 3)
            return false;
        *pp += k;
        if (dec_int_run(pp, e, a) != 3)
            return false;
    }
    return true;
}

static bool dec_frac_part(const char **pp, const char *e, int scale, DecAcc *a)
{
    const char *p = *pp;
    if (p >= e || !is_digit(*p))
        return false;
    for (; p < e && is_digit(*p); p++) {
        if (a->nfrac < scale) {
            a->fp = a->fp * 10 + (*p - '0');
            a->nfrac++;
        } else if (*p != '0') {
            a->extra = true;
        }
    }
    *pp = p;
    return true;
}

NumStatus dec_parse(const char *s, size_t n, const DecFormat *f, int scale, int64_t *out)
{
    if (scale < 0 || scale > DEC_MAX_SCALE)
        return NUM_OVERFLOW;
    const char *p = s, *e = s + n;
    while (p < e && *p == ' ')
        p++;
    while (e > p && e[-1] == ' ')
        e--;
    bool neg = false;
    if (p < e && (*p == '-' || *p == '+')) {
        neg = *p++ == '-';
    } else if (has_prefix(p, e, "\xE2\x88\x92")) { /* U+2212 minus */
        neg = true;
        p += 3;
    }
    char th = f->thousands == f->decimal_point ? 0 : f->thousands;
    DecAcc a = {0, 0, 0, false, false};
    if (!dec_int_part(&p, e, th, &a))
        return NUM_SYNTAX;
    if (p < e && *p == f->decimal_point) {
        p++;
        if (!dec_frac_part(&p, e, scale, &a))
            return NUM_SYNTAX;
    }
    if (p != e)
        return NUM_SYNTAX;
    if (a.big)
        return NUM_OVERFLOW;
    if (a.extra)
        return NUM_TOO_PRECISE;
    i128 v = a.ip * i128_pow10(scale) + a.fp * i128_pow10(scale - a.nfrac);
    if (v > (neg ? DEC_ACC_LIMIT : (i128)INT64_MAX))
        return NUM_OVERFLOW;
    *out = (int64_t)(neg ? -v : v);
    return NUM_OK;
}

size_t dec_format(char *buf, size_t cap, int64_t v, int scale)
{
    Out o = {buf, cap, 0};
    char d[40];
    int nd = u128_to_digits(i128_mag(v), d);
    if (scale < 0)
        scale = 0;
    int total = nd > scale ? nd : scale + 1, lead = total - nd;
    if (v < 0)
        out_c(&o, '-');
    for (int i = 0; i < total; i++) {
        if (i == total - scale)
            out_c(&o, '.');
        out_c(&o, i < lead ? '0' : d[i - lead]);
    }
    return out_end(&o);
}

const char *round_mode_name(RoundMode m)
{
    static const char *const names[] = {"half_away_from_zero", "half_even", "half_up", "down",
                                        "up", "floor", "ceiling"};
    return (unsigned)m < sizeof names / sizeof *names ? names[m] : "?";
}
