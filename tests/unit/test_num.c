/* test_num.c - exact numbers: rationals, fallback rounding, text in/out. */
#include "tests/unit/testutil.h"

#include "base/compiler.h"
#include "vm/num.h"
#include "vm/num_plain.h"

#define MAX_STR "170141183460469231731687303715884105727"
#define MIN_STR "-170141183460469231731687303715884105728"

static const RoundMode all_modes[] = {ROUND_HALF_AWAY, ROUND_HALF_EVEN, ROUND_HALF_UP,
                                      ROUND_DOWN,      ROUND_UP,        ROUND_FLOOR,
                                      ROUND_CEILING};

/* ---- helpers ---- */

/* Decimal string to i128, for constants past 64 bits. */
static i128 big(const char *s)
{
    bool neg = *s == '-';
    u128 v = 0;
    for (s += neg; *s; s++)
        v = v * 10 + (u128)(*s - '0');
    return neg && v ? -(i128)(v - 1) - 1 : (i128)v; /* -(v - 1) - 1: INT128_MIN too */
}

/* The next of a 64-bit linear congruential sequence; wraps by design. */
KPI_WRAPS static uint64_t lcg_next(uint64_t *seed)
{
    return *seed = *seed * 6364136223846793005ULL + 1442695040888963407ULL;
}

static Rat frac(i128 n, i128 d)
{
    Rat r;
    assert_int_equal(rat_make(n, d, &r), NUM_OK);
    return r;
}

static Rat lit(const char *s)
{
    Rat r;
    assert_int_equal(rat_parse_literal(s, strlen(s), false, &r), NUM_OK);
    return r;
}

/* The value as "n" or "n/d". */
static void assert_rat(Rat r, const char *want)
{
    char buf[100];
    rat_format_fraction(buf, sizeof buf, r);
    assert_string_equal(buf, want);
}

static void assert_op(NumStatus (*op)(Rat, Rat, Rat *), Rat a, Rat b, NumStatus st,
                      const char *want)
{
    Rat r = {12345, 1};
    assert_int_equal(op(a, b, &r), st);
    if (want)
        assert_rat(r, want);
    else /* *out untouched on failure */
        assert_true(r.num == 12345 && r.den == 1);
}

/* ---- construction ---- */

static void test_construct(void **state)
{
    (void)state;
    Rat r;
    assert_rat(rat_int(-42), "-42");
    assert_rat(rat_i128(big(MAX_STR)), MAX_STR);
    assert_rat(frac(6, -4), "-3/2");
    assert_rat(frac(-6, -4), "3/2");
    assert_rat(frac(0, -7), "0");
    assert_int_equal(rat_make(1, 0, &r), NUM_DIVZERO);
    assert_int_equal(rat_make(big(MIN_STR), 2, &r), NUM_OK);
    assert_rat(r, "-85070591730234615865843651857942052864");
    assert_int_equal(rat_make(big(MIN_STR), big(MIN_STR), &r), NUM_OK);
    assert_rat(r, "1");
    assert_int_equal(rat_make(big(MIN_STR), 1, &r), NUM_OVERFLOW);
    assert_int_equal(rat_scaled(12340, 3, &r), NUM_OK);
    assert_rat(r, "617/50");
    assert_int_equal(rat_scaled(-5, 38, &r), NUM_OK);
    assert_rat(r, "-1/20000000000000000000000000000000000000");
    assert_int_equal(rat_scaled(big(MIN_STR), 0, &r), NUM_OVERFLOW);
    assert_int_equal(rat_scaled(1, 39, &r), NUM_OVERFLOW);
    assert_int_equal(rat_scaled(1, -1, &r), NUM_OVERFLOW);
    /* in lowest terms, as rat_make gives them: factors of 2 and 5 taken out
     * of v, past 64 bits too */
    static const char *vs[] = {"1", "-1", "1000", "-64000", "390625", "7562577", "-12100000",
                               "1024000000000000000000", "-30517578125000000000000000", "170141183460469231731687303715884105727"};
    for (size_t i = 0; i < sizeof vs / sizeof *vs; i++)
        for (int k = 0; k <= RAT_MAX_SCALE; k++) {
            Rat want;
            assert_int_equal(rat_scaled(big(vs[i]), k, &r), NUM_OK);
            assert_int_equal(rat_make(big(vs[i]), i128_pow10(k), &want), NUM_OK);
            assert_true(r.num == want.num && r.den == want.den);
        }
}

static void test_pow10(void **state)
{
    (void)state;
    char buf[48];
    assert_true(i128_pow10(0) == 1);
    assert_true(i128_pow10(18) == (i128)1000000000000000000LL);
    i128_format(buf, sizeof buf, i128_pow10(19));
    assert_string_equal(buf, "10000000000000000000");
    i128_format(buf, sizeof buf, i128_pow10(38));
    assert_string_equal(buf, "100000000000000000000000000000000000000");
    for (int k = 1; k <= 38; k++)
        assert_true(i128_pow10(k) == i128_pow10(k - 1) * 10);
    /* outside 0..38 (either side of the inline table's and the wide path's ranges): 0 */
    assert_true(i128_pow10(-1) == 0);
    assert_true(i128_pow10(39) == 0);
    assert_true(i128_pow10(INT32_MIN) == 0);
    assert_true(i128_pow10(20) == (i128)10000000000000000000ull * 10);
}

/* ---- exact arithmetic ---- */

static void test_add_exact(void **state)
{
    (void)state;
    Rat r;
    assert_int_equal(rat_add(lit("0.1"), lit("0.2"), &r), NUM_OK);
    assert_true(rat_eq(r, lit("0.3")));
    assert_rat(r, "3/10");
    assert_op(rat_add, frac(1, 6), frac(1, 3), NUM_OK, "1/2");
    assert_op(rat_add, frac(1, 4), frac(3, 4), NUM_OK, "1");
    assert_op(rat_add, rat_int(2), rat_int(-5), NUM_OK, "-3");
    assert_op(rat_sub, frac(1, 10), frac(3, 10), NUM_OK, "-1/5");
    assert_op(rat_sub, frac(7, 12), frac(7, 12), NUM_OK, "0");
    assert_op(rat_sub, frac(5, 6), frac(-1, 15), NUM_OK, "9/10");
    assert_op(rat_add, rat_int(INT64_MAX), rat_int(INT64_MAX), NUM_OK, "18446744073709551614");
    /* numerators overflow, the reduced sum fits: (2*MAX - 2) / 3 */
    Rat a = frac(big(MAX_STR), 3), b = frac(big(MAX_STR) - 2, 3);
    assert_op(rat_add, a, b, NUM_OK, "113427455640312821154458202477256070484");
    assert_op(rat_add, rat_i128(big(MAX_STR)), rat_i128(-big(MAX_STR)), NUM_OK, "0");
}

static void test_mul_div_exact(void **state)
{
    (void)state;
    assert_op(rat_mul, frac(2, 3), lit("0.0225"), NUM_OK, "3/200");
    assert_op(rat_mul, frac(-4, 9), frac(3, 8), NUM_OK, "-1/6");
    assert_op(rat_mul, frac(-4, 9), frac(-9, 4), NUM_OK, "1");
    assert_op(rat_mul, rat_int(0), frac(big(MAX_STR), 7), NUM_OK, "0");
    assert_op(rat_mul, rat_int(-3), rat_int(7), NUM_OK, "-21");
    assert_op(rat_div, frac(1, 2), frac(-1, 4), NUM_OK, "-2");
    assert_op(rat_div, frac(-3, 7), frac(-9, 14), NUM_OK, "2/3");
    assert_op(rat_div, rat_int(1), rat_int(-3), NUM_OK, "-1/3");
    /* cross reduction keeps big factors from ever being multiplied */
    Rat m = frac(big(MAX_STR), 2), n = frac(2, big(MAX_STR));
    assert_op(rat_mul, m, n, NUM_OK, "1");
    assert_op(rat_div, m, m, NUM_OK, "1");
    assert_op(rat_div, rat_int(5), rat_int(0), NUM_DIVZERO, NULL);
    assert_op(rat_div, rat_int(0), frac(0, 3), NUM_DIVZERO, NULL);
    assert_rat(rat_neg(frac(3, 4)), "-3/4");
    assert_rat(rat_abs(frac(-3, 4)), "3/4");
    assert_rat(rat_abs(frac(3, 4)), "3/4");
}

static void test_percent_literal_equals_fraction(void **state)
{
    (void)state;
    Rat p;
    assert_int_equal(rat_parse_literal("110", 3, true, &p), NUM_OK);
    assert_true(rat_eq(p, frac(11, 10)));
    assert_int_equal(rat_cmp(p, frac(11, 10)), 0);
    assert_int_equal(rat_parse_literal("2.5", 3, true, &p), NUM_OK);
    assert_rat(p, "1/40");
}

/* 2/3 of a 2.25% rate is exactly 1.5 kopecks per rouble; rounding that tie
 * to kopecks goes up. A decimal that divided first (0.0149999...) would
 * round it down. */
static void test_half_cent_tie(void **state)
{
    (void)state;
    Rat r, k, cent = lit("0.01");
    assert_int_equal(rat_mul(frac(2, 3), lit("0.0225"), &r), NUM_OK);
    assert_true(rat_eq(r, lit("0.015")));
    assert_int_equal(rat_round_to(r, cent, ROUND_HALF_AWAY, &k), NUM_OK);
    assert_true(rat_eq(k, lit("0.02")));
    assert_int_equal(rat_round_to(r, cent, ROUND_HALF_EVEN, &k), NUM_OK);
    assert_true(rat_eq(k, lit("0.02")));
    assert_int_equal(rat_round_to(r, cent, ROUND_DOWN, &k), NUM_OK);
    assert_true(rat_eq(k, lit("0.01")));
    /* the same through a division */
    assert_int_equal(rat_div(lit("0.0225"), frac(3, 2), &r), NUM_OK);
    assert_true(rat_eq(r, lit("0.015")));
}

/* ---- rounding ---- */

/* Values in tenths and the expected integer per mode, in all_modes order. */
static const struct {
    int tenths;
    int want[7];
} round_cases[] = {
    {25, {3, 2, 3, 2, 3, 2, 3}},         {-25, {-3, -2, -2, -2, -3, -3, -2}},
    {35, {4, 4, 4, 3, 4, 3, 4}},         {-35, {-4, -4, -3, -3, -4, -4, -3}},
    {24, {2, 2, 2, 2, 3, 2, 3}},         {-24, {-2, -2, -2, -2, -3, -3, -2}},
    {26, {3, 3, 3, 2, 3, 2, 3}},         {-26, {-3, -3, -3, -2, -3, -3, -2}},
    {5, {1, 0, 1, 0, 1, 0, 1}},          {-5, {-1, 0, 0, 0, -1, -1, 0}},
    {30, {3, 3, 3, 3, 3, 3, 3}},         {0, {0, 0, 0, 0, 0, 0, 0}},
};

static void test_round_int_modes(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof round_cases / sizeof round_cases[0]; i++)
        for (int m = 0; m < 7; m++) {
            Rat r = {99, 7};
            assert_int_equal(rat_round_int(frac(round_cases[i].tenths, 10), all_modes[m], &r),
                             NUM_OK);
            assert_true(rat_eq(r, rat_int(round_cases[i].want[m])));
        }
}

/* The same table scaled: x/100 to steps of 0.01 and x*100 to steps of 100. */
static void test_round_to_steps(void **state)
{
    (void)state;
    Rat cent = lit("0.01"), hundred = rat_int(100), r;
    for (size_t i = 0; i < sizeof round_cases / sizeof round_cases[0]; i++)
        for (int m = 0; m < 7; m++) {
            int t = round_cases[i].tenths, w = round_cases[i].want[m];
            assert_int_equal(rat_round_to(frac(t, 1000), cent, all_modes[m], &r), NUM_OK);
            assert_true(rat_eq(r, frac(w, 100)));
            assert_int_equal(rat_round_to(rat_int(t * 10), hundred, all_modes[m], &r), NUM_OK);
            assert_true(rat_eq(r, rat_int(w * 100)));
            /* a negative step means the same multiples */
            assert_int_equal(rat_round_to(rat_int(t * 10), rat_int(-100), all_modes[m], &r),
                             NUM_OK);
            assert_true(rat_eq(r, rat_int(w * 100)));
        }
    assert_int_equal(rat_round_to(frac(1, 3), cent, ROUND_HALF_AWAY, &r), NUM_OK);
    assert_rat(r, "33/100");
    assert_int_equal(rat_round_to(frac(2, 3), cent, ROUND_DOWN, &r), NUM_OK);
    assert_rat(r, "33/50");
    assert_int_equal(rat_round_to(lit("1234.5"), rat_int(100), ROUND_HALF_EVEN, &r), NUM_OK);
    assert_rat(r, "1200");
    assert_int_equal(rat_round_to(lit("1250"), rat_int(100), ROUND_HALF_EVEN, &r), NUM_OK);
    assert_rat(r, "1200");
    assert_int_equal(rat_round_to(lit("1350"), rat_int(100), ROUND_HALF_EVEN, &r), NUM_OK);
    assert_rat(r, "1400");
    assert_int_equal(rat_round_to(lit("7"), lit("0.25"), ROUND_CEILING, &r), NUM_OK);
    assert_rat(r, "7");
    assert_int_equal(rat_round_to(lit("7.1"), lit("0.25"), ROUND_CEILING, &r), NUM_OK);
    assert_rat(r, "29/4");
    assert_int_equal(rat_round_to(lit("1"), rat_int(0), ROUND_HALF_EVEN, &r), NUM_DIVZERO);
}

/* x / step does not fit 128 bits, the rounded result does. */
static void test_round_to_huge(void **state)
{
    (void)state;
    Rat r, x = frac(big(MAX_STR), 2);
    assert_int_equal(rat_round_to(x, lit("0.01"), ROUND_HALF_EVEN, &r), NUM_OK);
    assert_true(rat_eq(r, x));
    assert_int_equal(rat_round_to(rat_neg(x), lit("0.01"), ROUND_DOWN, &r), NUM_OK);
    assert_true(rat_eq(r, rat_neg(x)));
    assert_int_equal(rat_round_to(x, rat_int(1), ROUND_HALF_EVEN, &r), NUM_OK);
    assert_rat(r, "85070591730234615865843651857942052864");
    assert_int_equal(rat_round_to(x, rat_int(1), ROUND_DOWN, &r), NUM_OK);
    assert_rat(r, "85070591730234615865843651857942052863");
}

/* ---- fallback to a rounded decimal ---- */

static void test_fallback_add(void **state)
{
    (void)state;
    /* two coprime 64-bit denominators: the exact sum needs a 128-bit one */
    i128 p1 = (i128)(UINT64_MAX - 58), p2 = (i128)(UINT64_MAX - 82);
    Rat want, r;
    assert_int_equal(rat_scaled(big("10842021724855044382"), 38, &want), NUM_OK);
    assert_int_equal(rat_add(frac(1, p1), frac(1, p2), &r), NUM_INEXACT);
    assert_true(rat_eq(r, want));
    assert_int_equal(rat_sub(frac(-1, p1), frac(1, p2), &r), NUM_INEXACT);
    assert_true(rat_eq(r, rat_neg(want)));
    /* the same value reached through a division */
    assert_int_equal(rat_div(frac(p1 + p2, p1), rat_i128(p2), &r), NUM_INEXACT);
    assert_true(rat_eq(r, want));
}

static void test_fallback_mul_div(void **state)
{
    (void)state;
    Rat r, want;
    Rat x = frac(i128_pow10(38) + 1, i128_pow10(38)); /* 1.000...01 */
    assert_int_equal(rat_scaled(big("33333333333333333333333333333333333334"), 38, &want),
                     NUM_OK);
    assert_int_equal(rat_mul(frac(1, 3), x, &r), NUM_INEXACT);
    assert_true(rat_eq(r, want));
    assert_int_equal(rat_div(x, rat_int(-3), &r), NUM_INEXACT);
    assert_true(rat_eq(r, rat_neg(want)));
    /* 3*MAX/10 keeps no fraction digit: rounded to an integer (…718.1 -> …718) */
    assert_int_equal(rat_mul(rat_i128(big(MAX_STR)), frac(3, 10), &r), NUM_INEXACT);
    assert_rat(r, "51042355038140769519506191114765231718");
    assert_int_equal(rat_div(rat_i128(big(MAX_STR)), frac(10, 3), &r), NUM_INEXACT);
    assert_rat(r, "51042355038140769519506191114765231718");
    /* exact ties of the fallback go to even: (MAX+2)/2 = 2^126 + 0.5 */
    assert_int_equal(rat_add(frac(big(MAX_STR), 2), rat_int(1), &r), NUM_INEXACT);
    assert_rat(r, "85070591730234615865843651857942052864");
    assert_int_equal(rat_add(frac(big(MAX_STR), 2), rat_int(2), &r), NUM_INEXACT);
    assert_rat(r, "85070591730234615865843651857942052866");
    assert_int_equal(rat_sub(frac(-big(MAX_STR), 2), rat_int(2), &r), NUM_INEXACT);
    assert_rat(r, "-85070591730234615865843651857942052866");
}

static void test_overflow(void **state)
{
    (void)state;
    Rat max = rat_i128(big(MAX_STR));
    assert_op(rat_add, max, rat_int(1), NUM_OVERFLOW, NULL);
    assert_op(rat_sub, rat_neg(max), rat_int(2), NUM_OVERFLOW, NULL);
    assert_op(rat_mul, max, rat_int(2), NUM_OVERFLOW, NULL);
    assert_op(rat_mul, max, max, NUM_OVERFLOW, NULL);
    assert_op(rat_div, max, frac(1, 3), NUM_OVERFLOW, NULL);
    assert_op(rat_add, max, frac(1, 2), NUM_OVERFLOW, NULL);
    /* MAX - 1/2 is not a Rat; the tie rounds to the even MAX - 1 */
    assert_op(rat_sub, max, frac(1, 2), NUM_INEXACT, "170141183460469231731687303715884105726");
    /* too tiny to keep RAT_MIN_DIGITS digits */
    i128 p1 = (i128)(UINT64_MAX - 58), p2 = (i128)(UINT64_MAX - 82);
    assert_op(rat_mul, frac(1, p1), frac(1, p2), NUM_OVERFLOW, NULL);
    assert_op(rat_div, frac(1, p1), rat_i128(p2), NUM_OVERFLOW, NULL);
    assert_op(rat_mul, frac(1, 3), frac(1, i128_pow10(38)), NUM_OVERFLOW, NULL);
    Rat r;
    assert_int_equal(rat_mul(rat_int(INT64_MIN), rat_int(INT64_MIN), &r), NUM_OK);
    assert_rat(r, "85070591730234615865843651857942052864");
    assert_op(rat_mul, r, rat_int(2), NUM_OVERFLOW, NULL);
    assert_op(rat_mul, r, rat_int(-2), NUM_OVERFLOW, NULL);
    assert_op(rat_add, r, r, NUM_OVERFLOW, NULL);
}

/* ---- comparison ---- */

static void test_cmp(void **state)
{
    (void)state;
    assert_int_equal(rat_cmp(frac(1, 3), frac(1, 3)), 0);
    assert_int_equal(rat_cmp(frac(1, 3), frac(1, 2)), -1);
    assert_int_equal(rat_cmp(frac(1, 2), frac(1, 3)), 1);
    assert_int_equal(rat_cmp(frac(-1, 2), frac(-1, 3)), -1);
    assert_int_equal(rat_cmp(frac(-1, 2), rat_int(0)), -1);
    assert_int_equal(rat_cmp(rat_int(0), frac(-1, 2)), 1);
    assert_int_equal(rat_cmp(rat_int(0), rat_int(0)), 0);
    assert_int_equal(rat_cmp(rat_int(3), frac(7, 2)), -1);
    assert_true(rat_eq(lit("0.50"), frac(1, 2)));
    assert_false(rat_eq(frac(1, 2), frac(-1, 2)));
    assert_int_equal(rat_sign(frac(-1, 9)), -1);
    assert_int_equal(rat_sign(rat_int(0)), 0);
    assert_int_equal(rat_sign(frac(1, 9)), 1);
    assert_true(rat_is_int(frac(10, 5)));
    assert_false(rat_is_int(frac(10, 4)));
}

/* Cross products near 2^254: (n-1)/n grows with n, n/(n-1) shrinks. */
static void test_cmp_wide(void **state)
{
    (void)state;
    i128 n = big(MAX_STR);
    Rat a = frac(n - 1, n), b = frac(n - 2, n - 1);
    assert_int_equal(rat_cmp(a, b), 1);
    assert_int_equal(rat_cmp(b, a), -1);
    assert_int_equal(rat_cmp(rat_neg(a), rat_neg(b)), -1);
    assert_int_equal(rat_cmp(rat_neg(b), rat_neg(a)), 1);
    Rat c = frac(n, n - 1), d = frac(n - 1, n - 2);
    assert_int_equal(rat_cmp(c, d), -1);
    assert_int_equal(rat_cmp(d, c), 1);
    assert_int_equal(rat_cmp(c, c), 0);
    /* big integer parts against big denominators */
    assert_int_equal(rat_cmp(frac(n, 3), frac(n - 1, 3)), 1);
    assert_int_equal(rat_cmp(frac(n, 7), frac(n / 5, n - 10)), 1);
    assert_int_equal(rat_cmp(frac(-n, 7), frac(n / 5, n - 10)), -1);
}

static void test_int64_extremes(void **state)
{
    (void)state;
    char buf[48];
    Rat lo = rat_int(INT64_MIN), hi = rat_int(INT64_MAX), r;
    assert_rat(lo, "-9223372036854775808");
    assert_rat(hi, "9223372036854775807");
    assert_int_equal(rat_add(lo, hi, &r), NUM_OK);
    assert_rat(r, "-1");
    assert_int_equal(rat_sub(hi, lo, &r), NUM_OK);
    assert_rat(r, "18446744073709551615");
    assert_int_equal(rat_mul(lo, hi, &r), NUM_OK);
    assert_rat(r, "-85070591730234615856620279821087277056");
    assert_int_equal(rat_div(lo, hi, &r), NUM_OK);
    assert_rat(r, "-9223372036854775808/9223372036854775807");
    assert_int_equal(rat_cmp(lo, hi), -1);
    rat_format(buf, sizeof buf, lo, 2, NULL);
    assert_string_equal(buf, "-9223372036854775808");
    rat_format_fixed(buf, sizeof buf, hi, 2, ROUND_HALF_AWAY);
    assert_string_equal(buf, "9223372036854775807.00");
}

/* ---- formatting ---- */

static void check_format(Rat x, int max_frac, const char *want, bool want_exact)
{
    char buf[82];
    bool exact = !want_exact;
    size_t n = rat_format(buf, sizeof buf, x, max_frac, &exact);
    assert_string_equal(buf, want);
    assert_int_equal(n, strlen(want));
    assert_int_equal(exact, want_exact);
}

static void test_format(void **state)
{
    (void)state;
    check_format(frac(1, 3), 4, "0.3333", false);
    check_format(frac(2, 3), 4, "0.6667", false);
    check_format(frac(1, 8), 4, "0.125", true);
    check_format(frac(1, 8), 3, "0.125", true);
    check_format(frac(1, 8), 2, "0.12", false);   /* tie to even */
    check_format(frac(3, 8), 2, "0.38", false);   /* tie to even */
    check_format(frac(-5, 2), 4, "-2.5", true);
    check_format(rat_int(0), 4, "0", true);
    check_format(rat_int(100), 4, "100", true);
    check_format(rat_int(-100), 0, "-100", true);
    check_format(frac(-1, 1000), 2, "0", false);  /* never "-0" */
    check_format(frac(-1, 3), 0, "0", false);
    check_format(frac(-2, 3), 0, "-1", false);
    check_format(frac(9995, 10000), 3, "1", false);
    check_format(frac(-9995, 10000), 3, "-1", false);
    check_format(frac(3, 2), 0, "2", false);
    check_format(frac(5, 2), 0, "2", false);
    check_format(lit("1234.5"), 2, "1234.5", true);
    check_format(rat_i128(big(MAX_STR)), 38, MAX_STR, true);
    check_format(frac(-big(MAX_STR), i128_pow10(38)), 38,
                 "-1.70141183460469231731687303715884105727", true);
    check_format(frac(big(MAX_STR), i128_pow10(38)), 37,
                 "1.7014118346046923173168730371588410573", false);
    /* a denominator near 2^127: ten times the remainder overflows 128 bits */
    check_format(frac(big(MAX_STR) - 1, big(MAX_STR)), 38,
                 "0.99999999999999999999999999999999999999", false);
    check_format(frac(big(MAX_STR) - 1, big(MAX_STR)), 37, "1", false);
    check_format(frac(1, big(MAX_STR)), 38, "0.00000000000000000000000000000000000001", false);
    /* terminating decimals of any 2^a 5^b denominator, and past the fast path */
    check_format(frac(247, 20), 2, "12.35", true);
    check_format(frac(-247, 20), 4, "-12.35", true);
    check_format(frac(1, 524288), 19, "0.0000019073486328125", true);   /* 2^19: k > 18 */
    check_format(frac(1, 3814697265625), 18, "0.000000000000262144", true); /* 5^18 */
    check_format(frac(INT64_MAX, 2), 1, "4611686018427387903.5", true); /* x5 passes 64 bits */
    check_format(frac(247, 20), 1, "12.4", false);                          /* k > max_frac */
    /* digit counts at powers of ten, and 5^b denominators around the table's end */
    check_format(rat_int(INT64_MAX), 0, "9223372036854775807", true);
    check_format(frac(999999999999999999, 100), 2, "9999999999999999.99", true);
    check_format(frac(1000000000000000000, 1000), 3, "1000000000000000", true);
    check_format(frac(9, 10), 1, "0.9", true);
    check_format(frac(10, 100), 2, "0.1", true);
    check_format(frac(1, 244140625), 12, "0.000000004096", true);     /* 5^12 */
    check_format(frac(1, 3 * 244140625), 12, "0.000000001365", false); /* 3 * 5^12: no decimal */
    check_format(frac(7, 19073486328125), 19, "0.0000000000003670016", true); /* 5^19: the long way */
    check_format(frac(3, 262144 * 125), 18, "0.000000091552734375", true);  /* 2^18 5^3 */
    /* out-of-range max_frac is clamped to 0..38 */
    check_format(frac(1, 3), -5, "0", false);
    check_format(frac(1, 4), 99, "0.25", true);
    /* exact may be NULL */
    char buf[16];
    assert_int_equal(rat_format(buf, sizeof buf, frac(1, 4), 2, NULL), 4);
    assert_string_equal(buf, "0.25");
}

static void check_fixed(Rat x, int f, RoundMode m, const char *want)
{
    char buf[82];
    size_t n = rat_format_fixed(buf, sizeof buf, x, f, m);
    assert_string_equal(buf, want);
    assert_int_equal(n, strlen(want));
}

static void test_format_fixed(void **state)
{
    (void)state;
    check_fixed(lit("1234.5"), 2, ROUND_HALF_AWAY, "1234.50");
    check_fixed(frac(2, 3), 2, ROUND_HALF_AWAY, "0.67");
    check_fixed(frac(2, 3), 2, ROUND_DOWN, "0.66");
    check_fixed(frac(-1, 1000), 2, ROUND_HALF_AWAY, "0.00");
    check_fixed(frac(-1, 1000), 2, ROUND_FLOOR, "-0.01");
    check_fixed(frac(-1, 1000), 2, ROUND_CEILING, "0.00");
    check_fixed(lit("9.995"), 2, ROUND_HALF_EVEN, "10.00");
    check_fixed(lit("9.985"), 2, ROUND_HALF_EVEN, "9.98");
    check_fixed(lit("9.995"), 2, ROUND_DOWN, "9.99");
    check_fixed(rat_neg(lit("9.995")), 2, ROUND_HALF_UP, "-9.99");
    check_fixed(rat_neg(lit("9.995")), 2, ROUND_HALF_AWAY, "-10.00");
    check_fixed(frac(-5, 2), 0, ROUND_HALF_UP, "-2");
    check_fixed(frac(5, 2), 0, ROUND_HALF_EVEN, "2");
    check_fixed(frac(5, 2), 0, ROUND_UP, "3");
    check_fixed(rat_int(7), 0, ROUND_UP, "7");
    check_fixed(rat_int(0), 3, ROUND_UP, "0.000");
    check_fixed(frac(1, 3), 5, ROUND_UP, "0.33334");
    check_fixed(rat_i128(big(MAX_STR)), 1, ROUND_UP, MAX_STR ".0");
    check_fixed(frac(big(MAX_STR), 2), 0, ROUND_HALF_AWAY,
                "85070591730234615865843651857942052864");
}

static void test_format_fraction_and_i128(void **state)
{
    (void)state;
    char buf[48];
    assert_int_equal(i128_format(buf, sizeof buf, big(MAX_STR)), 39);
    assert_string_equal(buf, MAX_STR);
    assert_int_equal(i128_format(buf, sizeof buf, big(MIN_STR)), 40);
    assert_string_equal(buf, MIN_STR);
    i128_format(buf, sizeof buf, 0);
    assert_string_equal(buf, "0");
    i128_format(buf, sizeof buf, -1);
    assert_string_equal(buf, "-1");
    assert_int_equal(rat_format_fraction(buf, sizeof buf, frac(-22, 7)), 5);
    assert_string_equal(buf, "-22/7");
    rat_format_fraction(buf, sizeof buf, rat_int(5));
    assert_string_equal(buf, "5");
}

/* Small buffers truncate and still terminate. */
static void test_format_truncates(void **state)
{
    (void)state;
    char buf[8];
    memset(buf, 'x', sizeof buf);
    assert_int_equal(rat_format(buf, 4, lit("1234.5"), 2, NULL), 3);
    assert_string_equal(buf, "123");
    assert_int_equal(buf[4], 'x');
    assert_int_equal(rat_format_fixed(buf, 1, rat_int(5), 2, ROUND_UP), 0);
    assert_string_equal(buf, "");
    buf[0] = 'y';
    assert_int_equal(i128_format(buf, 0, 42), 0);
    assert_int_equal(buf[0], 'y');
    assert_int_equal(dec_format(buf, 5, -123456, 2), 4);
    assert_string_equal(buf, "-123");
    assert_int_equal(rat_format_fraction(buf, 6, frac(1, 3000)), 5);
    assert_string_equal(buf, "1/300");
}

/* ---- literals ---- */

static NumStatus parse_lit(const char *s, bool pct, Rat *r)
{
    return rat_parse_literal(s, strlen(s), pct, r);
}

static void test_parse_literal(void **state)
{
    (void)state;
    Rat r;
    assert_int_equal(parse_lit("0.1", false, &r), NUM_OK);
    assert_rat(r, "1/10");
    assert_int_equal(parse_lit("1_000_000", false, &r), NUM_OK);
    assert_rat(r, "1000000");
    assert_int_equal(parse_lit("1_0.0_5", false, &r), NUM_OK);
    assert_rat(r, "201/20");
    assert_int_equal(parse_lit("110", true, &r), NUM_OK);
    assert_rat(r, "11/10");
    assert_int_equal(parse_lit("0.5", true, &r), NUM_OK);
    assert_rat(r, "1/200");
    assert_int_equal(parse_lit("007", false, &r), NUM_OK);
    assert_rat(r, "7");
    assert_int_equal(parse_lit("123456789012345678901234567890123456", false, &r), NUM_OK);
    assert_rat(r, "123456789012345678901234567890123456");
    /* 36 digits and percent: scale 37 */
    assert_int_equal(parse_lit("0.00000000000000000000000000000000001", true, &r), NUM_OK);
    assert_rat(r, "1/10000000000000000000000000000000000000");
    assert_int_equal(parse_lit("1234567890123456789012345678901234567", false, &r),
                     NUM_OVERFLOW);
    assert_int_equal(parse_lit("0.000000000000000000000000000000000001", false, &r),
                     NUM_OVERFLOW);
    assert_int_equal(parse_lit("1_234_567_890_123_456_789_012_345_678_901_234_567", false, &r),
                     NUM_OVERFLOW);
    static const char *bad[] = {"", "1.", ".5", "-1", "+1", "1e5", "1.2.3", "1__0", "_1",
                                "1_", "1_.5", "1._5", " 1", "1 ", "1,5", "a"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(parse_lit(bad[i], false, &r), NUM_SYNTAX);
    /* only n bytes are read */
    assert_int_equal(rat_parse_literal("12.5xyz", 4, false, &r), NUM_OK);
    assert_rat(r, "25/2");
}

/* ---- fact cells ---- */

static const DecFormat ru = {',', ' '}, de = {',', '.'}, us = {'.', ','}, plain = {'.', 0},
                       ch = {'.', '\''};

static void check_dec(const char *s, const DecFormat *f, int scale, NumStatus st, int64_t want)
{
    int64_t v = 777;
    assert_int_equal(dec_parse(s, strlen(s), f, scale, &v), st);
    if (st == NUM_OK)
        assert_true(v == want);
    else
        assert_true(v == 777);
}

static void test_dec_parse(void **state)
{
    (void)state;
    check_dec("1 234,56", &ru, 2, NUM_OK, 123456);
    check_dec("1\xC2\xA0" "234,56", &ru, 2, NUM_OK, 123456);
    check_dec("1\xE2\x80\xAF" "234,56", &ru, 2, NUM_OK, 123456);
    check_dec("-1 234 567,8", &ru, 2, NUM_OK, -123456780);
    check_dec("\xE2\x88\x92" "0,5", &ru, 2, NUM_OK, -50);
    check_dec("-0,5", &ru, 2, NUM_OK, -50);
    check_dec("+7", &ru, 2, NUM_OK, 700);
    check_dec("  12,3  ", &ru, 2, NUM_OK, 1230);
    check_dec("1234567", &ru, 0, NUM_OK, 1234567);
    check_dec("-0", &ru, 2, NUM_OK, 0);
    check_dec("12,340", &ru, 2, NUM_OK, 1234);
    check_dec("5,000", &ru, 0, NUM_OK, 5);
    check_dec("0000000000000000000000000001", &ru, 2, NUM_OK, 100);
    check_dec("1.234,56", &de, 2, NUM_OK, 123456);
    check_dec("1.234.567", &de, 2, NUM_OK, 123456700);
    check_dec("1.234", &de, 0, NUM_OK, 1234);
    check_dec("1,234.56", &us, 2, NUM_OK, 123456);
    check_dec("1234.5", &plain, 2, NUM_OK, 123450);
    check_dec("1'234.50", &ch, 2, NUM_OK, 123450);
    check_dec("12.340", &plain, 2, NUM_OK, 1234);
    check_dec("0.123456789012345678", &plain, 18, NUM_OK, 123456789012345678);
    /* only n bytes are read */
    int64_t v = 0;
    assert_int_equal(dec_parse("12,5xyz", 4, &ru, 2, &v), NUM_OK);
    assert_true(v == 1250);
}

static void test_dec_parse_errors(void **state)
{
    (void)state;
    static const char *syntax_ru[] = {
        "", "   ", "-", "+", "1e5", "12a", ",5", "5,", "1 23 456", "1234 567", "1 2345",
        "1 234,5 6", "1,2,3", "- 5", "--5", "+-5", "\xC2\xA0" "1", "1.5",
        "1  234", "0x10", "\xE2\x88\x92", "1\xC2" "234", " ,", "5-"};
    for (size_t i = 0; i < sizeof syntax_ru / sizeof syntax_ru[0]; i++)
        check_dec(syntax_ru[i], &ru, 2, NUM_SYNTAX, 0);
    check_dec("1,234.56", &de, 2, NUM_SYNTAX, 0);
    check_dec("1 234.5", &plain, 2, NUM_SYNTAX, 0);
    check_dec("1,234", &plain, 2, NUM_SYNTAX, 0);
    check_dec("12.345", &plain, 2, NUM_TOO_PRECISE, 0);
    check_dec("12.3401", &plain, 2, NUM_TOO_PRECISE, 0);
    check_dec("5,1", &ru, 0, NUM_TOO_PRECISE, 0);
    check_dec("12.345a", &plain, 2, NUM_SYNTAX, 0);
}

static void test_dec_parse_range(void **state)
{
    (void)state;
    check_dec("9223372036854775807", &plain, 0, NUM_OK, INT64_MAX);
    check_dec("-9223372036854775808", &plain, 0, NUM_OK, INT64_MIN);
    check_dec("9223372036854775808", &plain, 0, NUM_OVERFLOW, 0);
    check_dec("-9223372036854775809", &plain, 0, NUM_OVERFLOW, 0);
    check_dec("92233720368547758.07", &plain, 2, NUM_OK, INT64_MAX);
    check_dec("92233720368547758.08", &plain, 2, NUM_OVERFLOW, 0);
    check_dec("-92 233 720 368 547 758,08", &ru, 2, NUM_OK, INT64_MIN);
    check_dec("9.223372036854775807", &plain, 18, NUM_OK, INT64_MAX);
    check_dec("10", &plain, 18, NUM_OVERFLOW, 0);
    check_dec("99999999999999999999999999999999999999999999", &plain, 0, NUM_OVERFLOW, 0);
    check_dec("1", &plain, 19, NUM_OVERFLOW, 0);
    check_dec("1", &plain, -1, NUM_OVERFLOW, 0);
}

/* |n| / d to frac places by schoolbook long division in 128 bits, rounded
 * half to even: the reference for rat_format_fixed. */
static void long_division(i128 n, i128 d, int frac, char *out)
{
    u128 m = (u128)(n < 0 ? -n : n), den = (u128)d, q = m / den, r = m % den;
    char digits[80];
    int len = 0;
    for (; q; q /= 10)
        digits[len++] = (char)('0' + (int)(q % 10));
    if (!len)
        digits[len++] = '0';
    int nint = len;
    for (int i = 0; i < nint / 2; i++) {
        char t = digits[i];
        digits[i] = digits[nint - 1 - i];
        digits[nint - 1 - i] = t;
    }
    for (int i = 0; i < frac; i++) {
        r *= 10;
        digits[len++] = (char)('0' + (int)(r / den));
        r %= den;
    }
    bool up = 2 * r > den || (2 * r == den && (digits[len - 1] - '0') % 2);
    for (int i = len - 1; up && i >= 0; i--) {
        up = digits[i] == '9';
        digits[i] = up ? '0' : (char)(digits[i] + 1);
    }
    char *o = out;
    bool zero = !up;
    for (int i = 0; i < len; i++)
        zero &= digits[i] == '0';
    if (n < 0 && !zero) /* what rounds to zero has no sign */
        *o++ = '-';
    if (up)
        *o++ = '1';
    for (int i = 0; i < len; i++) {
        if (i == nint)
            *o++ = '.';
        *o++ = digits[i];
    }
    *o = '\0';
}

/* Fixed places of many quotients, small and near 2^59 and 2^64 (where the
 * 64-bit way gives over to the general one), ties included. */
static void test_format_fixed_random(void **state)
{
    (void)state;
    uint64_t seed = 7;
    char got[100], want[100];
    for (int i = 0; i < 20000; i++) {
        unsigned nb = 1 + (unsigned)(lcg_next(&seed) % 64), db = 1 + (unsigned)(lcg_next(&seed) % 62);
        i128 n = (i128)(lcg_next(&seed) >> (64 - nb)), d = (i128)(lcg_next(&seed) >> (64 - db)) | 1;
        if (i % 5 == 0)
            d = (i128)1 << (58 + i % 3); /* at the 2^59 edge */
        if (i % 7 == 0)
            n = n * 2 + 1, d = 2; /* a tie at 0 places */
        if (i & 1)
            n = -n;
        Rat x;
        if (rat_make(n, d, &x) != NUM_OK)
            continue;
        int frac = i % 21;
        rat_format_fixed(got, sizeof got, x, frac, ROUND_HALF_EVEN);
        long_division(x.num, x.den, frac, want);
        if (strcmp(got, want) != 0)
            fail_msg("%s at %d places: got %s", want, frac, got);
    }
}

/* Every string of up to 6 characters over digits, both points, a sign, a
 * space and a letter, at scales 0, 2 and 4, random longer ones at scales 0
 * to 6, and long digit runs near the int64 edge: what the fast reader
 * accepts, dec_parse reads the same. */
static void plain_agrees(const char *s, size_t n, char point, int scale, unsigned *accepted)
{
    char buf[40] = {0};
    memcpy(buf, s, n);
    int64_t fast, slow;
    if (!dec_parse_plain(buf, n, point, scale, &fast))
        return;
    (*accepted)++;
    DecFormat f = {point, point == ',' ? ' ' : 0};
    if (dec_parse(buf, n, &f, scale, &slow) != NUM_OK || slow != fast)
        fail_msg("'%.*s' at scale %d: plain %lld", (int)n, s, scale, (long long)fast);
}

/* A literal in a padded buffer, as the reader's cells are. */
static bool padded_plain(const char *lit, size_t n, char point, int scale, int64_t *out)
{
    char buf[40] = {0};
    memcpy(buf, lit, n);
    return dec_parse_plain(buf, n, point, scale, out);
}

static void test_dec_parse_plain(void **state)
{
    (void)state;
    static const char alpha[] = "0159.,- x";
    const size_t na = sizeof alpha - 1;
    unsigned accepted = 0;
    char s[8], s2[24];
    for (size_t n = 1; n <= 6; n++) {
        size_t total = 1;
        for (size_t k = 0; k < n; k++)
            total *= na;
        for (size_t code = 0; code < total; code++) {
            size_t c = code;
            for (size_t k = 0; k < n; k++, c /= na)
                s[k] = alpha[c % na];
            for (int scale = 0; scale <= 4; scale += 2) {
                plain_agrees(s, n, '.', scale, &accepted);
                plain_agrees(s, n, ',', scale, &accepted);
            }
        }
    }
    assert_true(accepted > 10000);
    /* 7 to 18 bytes, at random: up to 8 read as a word, the rest by the loop */
    unsigned before = accepted;
    uint64_t seed = 88172645463325252ull;
    for (unsigned i = 0; i < 300000; i++) {
        size_t n = 7 + i % 12;
        for (size_t k = 0; k < n; k++) {
            seed ^= seed << 13, seed ^= seed >> 7, seed ^= seed << 17;
            s2[k] = seed % 8 ? "0123456789"[seed % 10] : alpha[seed % na];
        }
        int scale = (int)(i % 7);
        char point = i % 3 ? '.' : ',';
        if (i & 2) /* the point where a word reads it */
            s2[n - 1 - (size_t)scale] = point;
        plain_agrees(s2, n, point, scale, &accepted);
    }
    assert_true(accepted - before > 30000);
    int64_t v;
    assert_true(padded_plain("12345.67", 8, '.', 2, &v) && v == 1234567);
    assert_true(padded_plain("99999,99", 8, ',', 2, &v) && v == 9999999);
    assert_true(padded_plain("1.000000", 8, '.', 6, &v) && v == 1000000);
    assert_false(padded_plain("1234.5.7", 8, '.', 2, &v));
    assert_false(padded_plain("12a45.67", 8, '.', 2, &v));
    assert_true(padded_plain("67392.22", 8, '.', 2, &v) && v == 6739222);
    assert_true(padded_plain("0,5", 3, ',', 4, &v) && v == 5000);
    assert_false(padded_plain("1.230", 5, '.', 2, &v)); /* dec_parse takes the extra zero */
    assert_false(padded_plain("", 0, '.', 2, &v));
    assert_false(padded_plain("12.", 3, '.', 2, &v));
    assert_false(padded_plain(".5", 2, '.', 2, &v));
    assert_true(padded_plain("92233720368547758", 17, '.', 2, &v) && v == 9223372036854775800);
    assert_false(padded_plain("92233720368547759", 17, '.', 2, &v)); /* past int64 once scaled */
    assert_false(padded_plain("1234567890123456789", 19, '.', 0, &v));
    assert_true(padded_plain("9", 1, '.', 18, &v) && v == 9000000000000000000); /* decimal(18) */
    assert_false(padded_plain("10", 2, '.', 18, &v));                          /* 10^19: past int64 */
    assert_false(padded_plain("1", 1, '.', 19, &v));                           /* no such scale */
    unsigned none = 0;
    plain_agrees("922337203685477580", 18, '.', 0, &none);
    plain_agrees("9223372036854775.8", 18, '.', 2, &none);
    plain_agrees("999999999999999999", 18, '.', 0, &none);
    plain_agrees("9", 1, '.', 18, &none);
    plain_agrees("0.000000000000000009", 20, '.', 18, &none); /* 20 bytes: dec_parse's */
    assert_int_equal(none, 4);
}

static void test_dec_format(void **state)
{
    (void)state;
    char buf[48];
    assert_int_equal(dec_format(buf, sizeof buf, 123456, 2), 7);
    assert_string_equal(buf, "1234.56");
    dec_format(buf, sizeof buf, -5, 2);
    assert_string_equal(buf, "-0.05");
    dec_format(buf, sizeof buf, 0, 2);
    assert_string_equal(buf, "0.00");
    dec_format(buf, sizeof buf, 42, 0);
    assert_string_equal(buf, "42");
    dec_format(buf, sizeof buf, -100, 2);
    assert_string_equal(buf, "-1.00");
    dec_format(buf, sizeof buf, INT64_MIN, 0);
    assert_string_equal(buf, "-9223372036854775808");
    dec_format(buf, sizeof buf, INT64_MAX, 18);
    assert_string_equal(buf, "9.223372036854775807");
    dec_format(buf, sizeof buf, INT64_MIN, 18);
    assert_string_equal(buf, "-9.223372036854775808");
    dec_format(buf, sizeof buf, 7, 18);
    assert_string_equal(buf, "0.000000000000000007");
}

/* dec_parse and dec_format agree on a sweep of values and scales. */
static void test_dec_roundtrip(void **state)
{
    (void)state;
    char buf[48];
    uint64_t seed = 1;
    for (int i = 0; i < 200; i++) {
        int64_t v = (int64_t)(lcg_next(&seed) >> 1);
        for (int scale = 0; scale <= 18; scale += 3) {
            int64_t x = (i & 1) ? -(v >> (i % 60)) : v >> (i % 60), back = 0;
            size_t n = dec_format(buf, sizeof buf, x, scale);
            assert_int_equal(dec_parse(buf, n, &plain, scale, &back), NUM_OK);
            assert_true(back == x);
        }
    }
}

/* Reduction against plain Euclid: the edges of the 32-bit step (values
 * just under, at and over 2^32, one side 1 or 0 is not allowed as a
 * denominator), large primes and their products, and random widths. */
static uint64_t euclid(uint64_t a, uint64_t b)
{
    while (b != 0) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

static void expect_reduced(uint64_t n, uint64_t d)
{
    Rat x;
    assert_int_equal(rat_make((i128)n, (i128)d, &x), NUM_OK);
    uint64_t g = euclid(n, d);
    if (x.num != (i128)(n / g) || x.den != (i128)(d / g))
        fail_msg("%llu/%llu reduced wrongly", (unsigned long long)n, (unsigned long long)d);
}

static void test_reduce_against_euclid(void **state)
{
    (void)state;
    static const uint64_t edge[] = {
        0, 1, 2, 3, 5, 6, 100, 121000, 7562577, 0xFFFFFFFFull, 0x100000000ull, 0x100000001ull,
        1ull << 40, 3ull << 33, 4294967291ull, 4294967291ull * 3, 4294967291ull * 4294967279ull,
        1000000007ull * 998244353ull, 0x7FFFFFFFFFFFFFFFull, 0x7FFFFFFFFFFFFFFEull, 10000000000000000000ull / 10,
    };
    size_t n = sizeof edge / sizeof edge[0];
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            if (edge[j] != 0 && edge[i] <= 0x7FFFFFFFFFFFFFFFull && edge[j] <= 0x7FFFFFFFFFFFFFFFull)
                expect_reduced(edge[i], edge[j]);
    uint64_t seed = 11;
    for (int i = 0; i < 200000; i++) {
        unsigned nb = 1 + (unsigned)(lcg_next(&seed) % 63), db = 1 + (unsigned)(lcg_next(&seed) % 63);
        uint64_t a = lcg_next(&seed) >> (64 - nb), b = (lcg_next(&seed) >> (64 - db)) | 1;
        uint64_t c = 1 + lcg_next(&seed) % 1000; /* a common factor, when it fits */
        if (a <= 0x7FFFFFFFFFFFFFFFull / c && b <= 0x7FFFFFFFFFFFFFFFull / c)
            a *= c, b *= c;
        expect_reduced(a, b);
    }
}

/* Results whose parts fit 64 bits are left unreduced; every reader of a
 * value sees the same number as in lowest terms. */
static void test_lazy_reduction(void **state)
{
    (void)state;
    Rat third = frac(1, 3), sixth = frac(1, 6), r;
    assert_int_equal(rat_add(third, sixth, &r), NUM_OK); /* 9/18 as computed */
    assert_true(r.den == 18);
    assert_true(rat_eq(r, frac(1, 2)) && rat_cmp(r, frac(1, 2)) == 0);
    assert_rat(r, "1/2");
    char buf[64];
    bool exact;
    rat_format(buf, sizeof buf, r, 10, &exact);
    assert_string_equal(buf, "0.5");
    assert_true(exact);
    rat_format(buf, sizeof buf, (Rat){10, 30}, 4, &exact); /* 1/3: no decimal */
    assert_string_equal(buf, "0.3333");
    assert_false(exact);
    rat_format_fixed(buf, sizeof buf, (Rat){25, 10}, 0, ROUND_HALF_EVEN);
    assert_string_equal(buf, "2");
    Rat n = rat_norm(r);
    assert_true(n.num == 1 && n.den == 2);
    /* integers */
    i128 v = 0;
    assert_true(rat_to_int((Rat){-12, 4}, &v) && v == -3);
    assert_true(rat_is_int((Rat){-12, 4}));
    assert_false(rat_is_int((Rat){12, 8}));
    assert_true(rat_round_int((Rat){12, 8}, ROUND_HALF_EVEN, &r) == NUM_OK && r.num == 2 && r.den == 1);
    int64_t sc = 0;
    assert_true(rat_to_scaled((Rat){5, 10}, 2, &sc) && sc == 50);
    assert_false(rat_to_scaled((Rat){1, 3}, 2, &sc));
    assert_false(rat_to_scaled(frac(big("92233720368547758070"), 1), 0, &sc));
    /* a product past 128 bits whose operands share factors they keep:
     * reduced before any fallback, so still exact */
    Rat a = {(i128)3 << 59, (i128)7 << 59}, b = {((i128)1 << 100) + 1, 1};
    assert_int_equal(rat_mul(a, b, &r), NUM_OK);
    assert_true(rat_eq(r, frac((((i128)1 << 100) + 1) * 3, 7)));
    assert_int_equal(rat_div(b, (Rat){(i128)7 << 59, (i128)3 << 59}, &r), NUM_OK);
    assert_true(rat_eq(r, frac((((i128)1 << 100) + 1) * 3, 7)));
}

/* num.h's inline paths at the edges of int64, and against the general
 * ones: the same operands with both parts times 2^62 + 1 (the same
 * values, past 64 bits) must come out equal. */
static Rat widened(Rat a) { i128 k = ((i128)1 << 62) + 1; return (Rat){a.num * k, a.den * k}; }

/* A value whose parts fit 64 bits is written by format_small (or by the
 * terminating decimal's path); the same value with both parts times
 * 2^62 + 1 goes the general way: text and exactness must be the same. */
static void test_format_small_against_general(void **state)
{
    (void)state;
    uint64_t seed = 2026;
    for (int i = 0; i < 40000; i++) {
        Rat a = {(i128)((int64_t)lcg_next(&seed) >> (1 + i % 62)), (i128)(lcg_next(&seed) >> (2 + i / 5 % 61)) | 1};
        if (i % 7 == 0)
            a.den = i128_pow10(i % 19) * (i % 3 + 1); /* decimals and near-decimals */
        int frac = i % 20;
        char x[82], y[82];
        bool ex = false, ey = true;
        size_t nx = rat_format(x, sizeof x, a, frac, &ex), ny = rat_format(y, sizeof y, widened(a), frac, &ey);
        assert_string_equal(x, y);
        assert_int_equal(nx, ny);
        assert_int_equal(ex, ey);
    }
}

static void test_fast_paths(void **state)
{
    (void)state;
    Rat r;
    int c;
    /* a numerator of INT64_MIN is taken: its sums and products fit 128 bits */
    assert_true(rat_cmp_fast((Rat){INT64_MIN, 1}, (Rat){-INT64_MAX, 1}, &c));
    assert_int_equal(c, -1);
    assert_false(rat_add_fast((Rat){INT64_MIN, 3}, (Rat){INT64_MIN, 5}, &r));
    assert_int_equal(rat_add((Rat){INT64_MIN, 3}, (Rat){INT64_MIN, 5}, &r), NUM_OK);
    assert_true(rat_eq(r, frac((i128)INT64_MIN * 8, 15)));
    /* a denominator past INT64_MAX is not */
    assert_false(rat_cmp_fast((Rat){1, (i128)INT64_MAX + 1}, (Rat){1, 2}, &c));
    /* results: INT64_MAX fits, one more does not */
    assert_true(rat_add_fast((Rat){INT64_MAX - 1, 1}, (Rat){1, 1}, &r));
    assert_true(r.num == INT64_MAX && r.den == 1);
    assert_false(rat_add_fast((Rat){INT64_MAX, 1}, (Rat){1, 1}, &r));
    assert_false(rat_mul_fast((Rat){-INT64_MAX, 1}, (Rat){2, 1}, &r));
    /* zero is 0/1 whatever the denominators; by zero is for rat_div */
    assert_true(rat_mul_fast((Rat){0, 7}, (Rat){5, 3}, &r));
    assert_true(r.num == 0 && r.den == 1);
    assert_false(rat_div_fast((Rat){1, 2}, (Rat){0, 1}, &r));
    assert_int_equal(rat_div((Rat){1, 2}, (Rat){0, 1}, &r), NUM_DIVZERO);
    assert_true(rat_div_fast((Rat){1, 2}, (Rat){-3, 4}, &r));
    assert_true(r.den > 0 && rat_eq(r, frac(-2, 3)));
    uint64_t seed = 99;
    for (int i = 0; i < 20000; i++) {
        Rat a = {(i128)((int64_t)lcg_next(&seed) >> (1 + i % 62)), (i128)(lcg_next(&seed) >> (2 + i % 61)) | 1};
        Rat b = {(i128)((int64_t)lcg_next(&seed) >> (1 + i / 7 % 62)), (i128)(lcg_next(&seed) >> (2 + i / 3 % 61)) | 1};
        Rat wa = widened(a), wb = widened(b), want;
        if (rat_add_fast(a, b, &r)) {
            assert_int_equal(rat_add(wa, wb, &want), NUM_OK);
            assert_true(rat_eq(r, want));
        }
        if (rat_mul_fast(a, b, &r)) {
            assert_int_equal(rat_mul(wa, wb, &want), NUM_OK);
            assert_true(rat_eq(r, want));
        }
        if (rat_div_fast(a, b, &r)) {
            assert_int_equal(rat_div(wa, wb, &want), NUM_OK);
            assert_true(rat_eq(r, want));
        }
        assert_true(rat_cmp_fast(a, b, &c));
        assert_int_equal(c, rat_cmp(wa, wb));
    }
}

/* Algebraic identities over many small and medium operands. */
static void test_identities(void **state)
{
    (void)state;
    uint64_t seed = 12345;
    for (int i = 0; i < 2000; i++) {
        i128 n[4];
        for (int k = 0; k < 4; k++) {
            n[k] = (i128)(lcg_next(&seed) >> (20 + (unsigned)(k * 5 + i) % 40));
        }
        Rat a = frac(n[0] - n[1] / 2, n[2] + 1), b = frac(n[1] - n[3] / 3, n[3] + 1);
        Rat s, d, p, q, t;
        assert_int_equal(rat_add(a, b, &s), NUM_OK);
        assert_int_equal(rat_sub(s, b, &d), NUM_OK);
        assert_true(rat_eq(d, a));
        assert_int_equal(rat_sub(a, b, &t), NUM_OK);
        assert_int_equal(rat_cmp(a, b), rat_sign(t));
        if (rat_mul(a, b, &p) == NUM_OK && b.num != 0) {
            assert_int_equal(rat_div(p, b, &q), NUM_OK);
            assert_true(rat_eq(q, a));
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_construct),
        cmocka_unit_test(test_lazy_reduction),
        cmocka_unit_test(test_pow10),
        cmocka_unit_test(test_add_exact),
        cmocka_unit_test(test_mul_div_exact),
        cmocka_unit_test(test_percent_literal_equals_fraction),
        cmocka_unit_test(test_half_cent_tie),
        cmocka_unit_test(test_round_int_modes),
        cmocka_unit_test(test_round_to_steps),
        cmocka_unit_test(test_round_to_huge),
        cmocka_unit_test(test_fallback_add),
        cmocka_unit_test(test_fallback_mul_div),
        cmocka_unit_test(test_overflow),
        cmocka_unit_test(test_cmp),
        cmocka_unit_test(test_cmp_wide),
        cmocka_unit_test(test_int64_extremes),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_format_fixed),
        cmocka_unit_test(test_format_fraction_and_i128),
        cmocka_unit_test(test_format_truncates),
        cmocka_unit_test(test_parse_literal),
        cmocka_unit_test(test_dec_parse),
        cmocka_unit_test(test_dec_parse_errors),
        cmocka_unit_test(test_dec_parse_range),
        cmocka_unit_test(test_format_fixed_random),
        cmocka_unit_test(test_dec_parse_plain),
        cmocka_unit_test(test_dec_format),
        cmocka_unit_test(test_dec_roundtrip),
        cmocka_unit_test(test_identities),
        cmocka_unit_test(test_fast_paths),
        cmocka_unit_test(test_format_small_against_general),
        cmocka_unit_test(test_reduce_against_euclid),
    };
    return cmocka_run_group_tests_name("num", tests, NULL, NULL);
}
