/* fuzz_decimal.c - exact numbers (vm/num.h, vm/value.h).
 *
 * The first byte chooses a cell dialect and a scale; the rest is up to
 * three lines. Each line is
 *   - parsed as a fact cell (dec_parse), formatted (dec_format), written
 *     back in the dialect and parsed again: the same integer or abort;
 *   - parsed as a scheme literal, formatted exactly and parsed again: the
 *     same fraction, or abort;
 *   - read as a fraction: "-1.5/7%" (literals), or "x<hex>/<hex>" for the
 *     raw 128-bit numerator and denominator, any bits.
 * The fractions then go through every operation, rounding and format; each
 * result must keep the invariants (reduced, den > 0, never INT128_MIN) and
 * the identities that hold exactly: (a + b) - b = a, (a * b) / b = a,
 * cmp(a, b) = -cmp(b, a). Anything undefined is UBSan's to catch. */
#include "fuzz/fuzz.h"
#include "vm/num.h"
#include "vm/value.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INPUT 512u
#define I128_MIN (-I128_MAX - 1)

static const DecFormat formats[8] = {
    {'.', 0}, {',', ' '}, {',', '.'}, {'.', ','}, {'.', '\''}, {',', 0}, {'.', ' '}, {',', '\''},
};

static _Noreturn void fail(const char *what, const char *s, size_t n)
{
    fprintf(stderr, "fuzz_decimal: %s: '%.*s'\n", what, (int)n, s);
    abort();
}

/* ---- cells ---- */
/* "-1234567.89" as the dialect writes it: "-1 234 567,89". */
static size_t in_dialect(const char *plain, const DecFormat *f, char *out)
{
    const char *dot = strchr(plain, '.'), *p = plain;
    size_t n = 0, ilen = dot ? (size_t)(dot - plain) : strlen(plain);
    if (*p == '-')
        out[n++] = *p++, ilen--;
    for (size_t i = 0; i < ilen; i++) {
        if (i && (ilen - i) % 3 == 0 && f->thousands)
            out[n++] = f->thousands;
        out[n++] = p[i];
    }
    if (dot) {
        out[n++] = f->decimal_point;
        strcpy(out + n, dot + 1);
        n += strlen(dot + 1);
    }
    out[n] = '\0';
    return n;
}

static void cell_round_trip(const char *s, size_t n, const DecFormat *f, int scale)
{
    int64_t v, w;
    if (dec_parse(s, n, f, scale, &v) != NUM_OK)
        return;
    char plain[64], local[96];
    size_t len = dec_format(plain, sizeof plain, v, scale);
    static const DecFormat iso = {'.', 0};
    if (dec_parse(plain, len, &iso, scale, &w) != NUM_OK || w != v)
        fail("dec_format does not parse back", plain, len);
    len = in_dialect(plain, f, local);
    if (dec_parse(local, len, f, scale, &w) != NUM_OK || w != v)
        fail("the dialect's form does not parse back", local, len);
}

/* ---- literals ---- */
static int count_digits(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s >= '0' && *s <= '9';
    return n;
}

/* A valid fraction (lowest terms are not required: vm/num.h), whose
 * lowest terms are rat_make's. */
static void check_rat(Rat q, const char *what)
{
    Rat r, n;
    if (q.den < 1 || q.num == I128_MIN || rat_make(q.num, q.den, &r) != NUM_OK)
        fail("a result is not a valid fraction", what, strlen(what));
    n = rat_norm(q);
    if (n.num != r.num || n.den != r.den || !rat_eq(q, r))
        fail("a result's lowest terms differ", what, strlen(what));
}

static void literal_round_trip(const char *s, size_t n, bool percent)
{
    Rat q, r;
    if (rat_parse_literal(s, n, percent, &q) != NUM_OK)
        return;
    check_rat(q, "literal");
    char buf[128];
    bool exact;
    size_t len = rat_format(buf, sizeof buf, q, RAT_MAX_SCALE, &exact);
    if (!exact)
        fail("a literal has no exact decimal", s, n);
    NumStatus st = rat_parse_literal(buf, len, false, &r);
    if (st == NUM_OVERFLOW && count_digits(buf) > RAT_MAX_LITERAL_DIGITS)
        return;
    if (st != NUM_OK || !rat_eq(q, r))
        fail("rat_format does not parse back", buf, len);
}

/* ---- fractions from text ---- */
static bool hex128(const char *s, size_t n, u128 *out)
{
    u128 v = 0;
    if (n == 0 || n > 32)
        return false;
    for (size_t i = 0; i < n; i++) {
        int c = s[i], d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (d < 0)
            return false;
        v = v << 4 | (u128)d;
    }
    *out = v;
    return true;
}

static bool side(const char *s, size_t n, Rat *out)
{
    bool neg = n && s[0] == '-', pct = n && s[n - 1] == '%';
    size_t a = neg, b = n - pct;
    if (a > b || rat_parse_literal(s + a, b - a, pct, out) != NUM_OK)
        return false;
    if (neg)
        *out = rat_neg(*out);
    return true;
}

/* Any bits for "x": num and den as they come, checked as the VM would a
 * constant (the .kpc verifier refuses what rat_make would change). */
static bool fraction(const char *s, size_t n, Rat *out)
{
    const char *slash = memchr(s, '/', n);
    size_t ln = slash ? (size_t)(slash - s) : n;
    if (n && s[0] == 'x') {
        u128 num, den = 1;
        if (!hex128(s + 1, ln - 1, &num) || (slash && !hex128(slash + 1, n - ln - 1, &den)))
            return false;
        NumStatus st = rat_make((i128)num, (i128)den, out);
        return st == NUM_OK || st == NUM_INEXACT;
    }
    Rat a, b;
    if (!side(s, ln, &a))
        return false;
    if (!slash) {
        *out = a;
        return true;
    }
    if (!side(slash + 1, n - ln - 1, &b))
        return false;
    NumStatus st = rat_div(a, b, out);
    return st == NUM_OK || st == NUM_INEXACT;
}

/* ---- operations ---- */
static void formats_of(Rat q)
{
    char buf[160];
    bool exact;
    for (int k = 0; k <= RAT_MAX_SCALE; k += 1 + (k > 4) * 5)
        rat_format(buf, sizeof buf, q, k, &exact);
    for (int k = 0; k <= RAT_MAX_SCALE; k += 1 + (k > 4) * 5)
        for (int m = ROUND_HALF_AWAY; m <= ROUND_CEILING; m++)
            rat_format_fixed(buf, sizeof buf, q, k, (RoundMode)m);
    rat_format_fraction(buf, sizeof buf, q);
    i128_format(buf, sizeof buf, q.num);
}

static void rounding(Rat a, Rat b)
{
    Rat r;
    for (int m = ROUND_HALF_AWAY; m <= ROUND_CEILING; m++) {
        NumStatus st = rat_round_int(a, (RoundMode)m, &r);
        if (st == NUM_OK && (check_rat(r, "round"), !rat_is_int(r)))
            fail("round_int is not an integer", "", 0);
        if (rat_sign(b) > 0 && rat_round_to(a, b, (RoundMode)m, &r) == NUM_OK) {
            check_rat(r, "round_to");
            Rat k;
            if (rat_div(r, b, &k) == NUM_OK && !rat_is_int(k))
                fail("round_to is not a multiple of its step", "", 0);
        }
    }
}

static void identities(Rat a, Rat b)
{
    Rat s, d, p, q;
    if (rat_add(a, b, &s) == NUM_OK && (check_rat(s, "add"), rat_sub(s, b, &d) == NUM_OK) && !rat_eq(d, a))
        fail("(a + b) - b is not a", "", 0);
    if (rat_sign(b) != 0 && rat_mul(a, b, &p) == NUM_OK && (check_rat(p, "mul"), rat_div(p, b, &q) == NUM_OK) &&
        !rat_eq(q, a))
        fail("(a * b) / b is not a", "", 0);
    if (rat_sub(a, b, &d) == NUM_OK)
        check_rat(d, "sub");
    if (rat_div(a, b, &q) == NUM_OK)
        check_rat(q, "div");
    if (rat_cmp(a, b) != -rat_cmp(b, a) || (rat_cmp(a, b) == 0) != rat_eq(a, b))
        fail("comparison is not consistent", "", 0);
    if (rat_sign(a) != rat_cmp(a, rat_int(0)))
        fail("sign is not comparison with 0", "", 0);
    check_rat(rat_neg(a), "neg");
    check_rat(rat_abs(a), "abs");
}

/* The VM's value operations on the same numbers, as numbers and as blanks. */
static void values(Rat a, Rat b, uint8_t sel)
{
    Value x = (sel & 1) ? val_blank() : val_num(a), y = (sel & 2) ? val_error(ERR_DIVZERO, 0) : val_num(b);
    Value r[12] = {
        val_add(x, y, 0), val_sub(x, y, 0), val_mul(x, y, 0), val_div(x, y, 0),
        val_neg(x), val_abs(y), val_round(x, y, (RoundMode)(sel % 7), 0), val_cmp((CmpOp)(sel % 6), x, y),
        val_default(x, y), val_min(x, y), val_max(x, y), val_cmp(CMP_LT, y, x),
    };
    for (size_t i = 0; i < sizeof r / sizeof *r; i++)
        if (r[i].kind == V_NUM)
            check_rat(r[i].q, "value");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > MAX_INPUT)
        return -1;
    size_t held = fuzz_begin();
    const DecFormat *f = &formats[data[0] & 7];
    int scale = (data[0] >> 3) % 19;
    const char *s = (const char *)data + 1, *end = s + size - 1;
    Rat q[3] = {rat_int(0), rat_int(1), rat_int(-1)};
    for (int k = 0; k < 3 && s <= end; k++) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
        cell_round_trip(s, n, f, scale);
        literal_round_trip(s, n, false);
        literal_round_trip(s, n, true);
        if (fraction(s, n, &q[k]))
            check_rat(q[k], "input");
        s += n + 1;
    }
    for (int i = 0; i < 3; i++) {
        formats_of(q[i]);
        for (int j = 0; j < 3; j++) {
            identities(q[i], q[j]);
            rounding(q[i], q[j]);
            values(q[i], q[j], (uint8_t)(data[0] + i * 3 + j));
        }
    }
    fuzz_end(held);
    return 0;
}
