/* test_cov_values.c - the VM's values at their edges: three-valued and, or,
 * not with blanks and errors (an error wins, false beats blank, true beats
 * blank), comparisons and min/max of dates, texts and errors; and dates
 * with a time and a zone, as CRM exports write them. */
#include "tests/unit/testutil.h"

#include "vm/date.h"
#include "vm/value.h"

static Value T(void) { return val_bool(true); }
static Value F(void) { return val_bool(false); }
static Value B(void) { return val_blank(); }
static Value E(void) { return val_error(ERR_DIVZERO, 7); }

/* "true", "false", "blank" or "error:KIND" */
static const char *show(Value v)
{
    switch (v.kind) {
    case V_BOOL: return v.aux ? "true" : "false";
    case V_BLANK: return "blank";
    case V_ERROR: return v.err == ERR_DIVZERO ? "error:div" : "error:other";
    default: return "other";
    }
}

static void test_three_valued_logic(void **state)
{
    (void)state;
    /* and: an error wins, then false, then blank */
    assert_string_equal(show(val_and(E(), F())), "error:div");
    assert_string_equal(show(val_and(F(), E())), "error:div");
    assert_string_equal(show(val_and(B(), F())), "false");
    assert_string_equal(show(val_and(T(), F())), "false");
    assert_string_equal(show(val_and(T(), B())), "blank");
    assert_string_equal(show(val_and(B(), T())), "blank");
    assert_string_equal(show(val_and(T(), T())), "true");
    /* or: an error wins, then true, then blank */
    assert_string_equal(show(val_or(E(), T())), "error:div");
    assert_string_equal(show(val_or(T(), E())), "error:div");
    assert_string_equal(show(val_or(B(), T())), "true");
    assert_string_equal(show(val_or(F(), B())), "blank");
    assert_string_equal(show(val_or(B(), F())), "blank");
    assert_string_equal(show(val_or(F(), F())), "false");
    /* not: blank and errors pass through */
    assert_string_equal(show(val_not(T())), "false");
    assert_string_equal(show(val_not(F())), "true");
    assert_string_equal(show(val_not(B())), "blank");
    assert_string_equal(show(val_not(E())), "error:div");
}

static void test_compare_and_choose(void **state)
{
    (void)state;
    Value d1 = val_date(date_from_ymd(2026, 1, 5)), d2 = val_date(date_from_ymd(2026, 2, 1));
    Value old = val_date(date_from_ymd(1969, 12, 31)); /* before the epoch: a negative day */
    assert_string_equal(show(val_cmp(CMP_LT, d1, d2)), "true");
    assert_string_equal(show(val_cmp(CMP_GT, d1, d2)), "false");
    assert_string_equal(show(val_cmp(CMP_LT, old, d1)), "true");
    assert_string_equal(show(val_cmp(CMP_EQ, d1, d1)), "true");
    assert_string_equal(show(val_cmp(CMP_NE, val_text(1), val_text(2))), "true");
    assert_string_equal(show(val_cmp(CMP_GE, val_text(2), val_text(1))), "true");
    assert_string_equal(show(val_cmp(CMP_LE, E(), d1)), "error:div");
    assert_string_equal(show(val_cmp(CMP_LE, d1, B())), "blank");
    assert_int_equal((int32_t)val_min(d1, d2).aux, (int32_t)d1.aux);
    assert_int_equal((int32_t)val_max(d2, d1).aux, (int32_t)d2.aux);
    assert_int_equal((int32_t)val_min(old, d1).aux, (int32_t)old.aux);
    assert_string_equal(show(val_min(E(), d1)), "error:div");
    assert_string_equal(show(val_max(d1, E())), "error:div");
    assert_int_equal((int32_t)val_max(B(), d1).aux, (int32_t)d1.aux);
    assert_int_equal((int32_t)val_min(d2, B()).aux, (int32_t)d2.aux);
    assert_int_equal(val_neg(d1).aux, d1.aux); /* only numbers change sign */
    assert_int_equal(val_abs(val_text(3)).aux, 3);
    /* rounding passes blanks and errors through; a step <= 0 is an error */
    assert_string_equal(show(val_round(B(), val_num(rat_int(1)), ROUND_HALF_UP, 0)), "blank");
    assert_string_equal(show(val_round(val_num(rat_int(5)), val_num(rat_int(0)), ROUND_HALF_UP, 3)), "error:other");
}

static Day ymd(int y, int m, int d) { return date_from_ymd(y, m, d); }

static bool parses(const char *s, DateFormat f, Day want)
{
    Day d = 0;
    return date_parse(s, strlen(s), f, &d) && d == want;
}

static bool refuses(const char *s, DateFormat f)
{
    Day d;
    return !date_parse(s, strlen(s), f, &d);
}

/* A number equal to n / d (its parts need not be in lowest terms). */
static bool is_num(Value v, int64_t n, int64_t d)
{
    return v.kind == V_NUM && rat_eq(v.q, (Rat){n, d});
}

/* The register forms the VM calls write a result over an operand: the
 * operands are read first. Inexact marks carry; errors and blanks pass. */
static void test_register_forms_alias(void **state)
{
    (void)state;
    Value r[3] = {val_num((Rat){1, 3}), val_num((Rat){1, 6}), val_num((Rat){5, 1})};
    val_add_to(&r[0], &r[0], &r[1], 0); /* 1/3 + 1/6 */
    assert_true(is_num(r[0], 1, 2));
    val_mul_to(&r[1], &r[2], &r[1], 0); /* 5 * 1/6 */
    assert_true(is_num(r[1], 5, 6));
    val_div_to(&r[2], &r[2], &r[2], 0);
    assert_true(is_num(r[2], 1, 1));
    val_sub_to(&r[2], &r[2], &r[2], 0);
    assert_true(is_num(r[2], 0, 1));
    val_div_to(&r[0], &r[0], &r[2], 9); /* by zero: the error names this instruction */
    assert_true(r[0].kind == V_ERROR && r[0].err == ERR_DIVZERO && r[0].aux == 9);
    val_add_to(&r[1], &r[0], &r[1], 0);
    assert_string_equal(show(r[1]), "error:div");
    Value x = val_num((Rat){2, 1}), y = val_num((Rat){3, 1});
    x.inexact = 1;
    val_mul_to(&y, &x, &y, 0);
    assert_true(is_num(y, 6, 1) && y.inexact);
    Value b = B();
    val_add_to(&x, &x, &b, 0);
    assert_string_equal(show(x), "blank");
    Value lo = val_num((Rat){1, 2}), hi = val_num((Rat){3, 4});
    val_cmp_to(CMP_LT, &lo, &lo, &hi);
    assert_string_equal(show(lo), "true");
    lo = val_num((Rat){1, 2});
    val_min_to(&hi, &hi, &lo);
    assert_true(is_num(hi, 1, 2));
    hi = val_num((Rat){3, 4});
    val_max_to(&lo, &lo, &hi);
    assert_true(is_num(lo, 3, 4));
    val_max_to(&lo, &b, &lo); /* a blank side is skipped */
    assert_true(is_num(lo, 3, 4));
}

/* The VM's register forms of and, or and default (booleans inline, the
 * rest through the value forms) agree with the value forms on every pair
 * of kinds, also when the result overwrites an operand; a number copied
 * by default keeps its inexact mark. */
static void test_logic_register_forms(void **state)
{
    (void)state;
    Value n = val_num((Rat){7, 3});
    n.inexact = 1;
    const Value all[] = {T(), F(), B(), E(), n};
    enum { N = sizeof all / sizeof all[0] };
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            Value r, a = all[i], b = all[j];
            val_and_to(&r, &all[i], &all[j]);
            assert_string_equal(show(r), show(val_and(all[i], all[j])));
            val_or_to(&a, &a, &b);
            assert_string_equal(show(a), show(val_or(all[i], all[j])));
            a = all[i];
            val_default_to(&b, &a, &b);
            Value want = val_default(all[i], all[j]);
            assert_int_equal(b.kind, want.kind);
            assert_int_equal(b.aux, want.aux);
            assert_int_equal(b.inexact, want.inexact);
            if (want.kind == V_NUM)
                assert_true(is_num(b, 7, 3));
        }
}

static void test_dates_with_times(void **state)
{
    (void)state;
    Day jan5 = ymd(2026, 1, 5);
    assert_true(parses("2026-01-05T10:30", DATE_ISO, jan5));
    assert_true(parses("2026-01-05T10:30:15", DATE_ISO, jan5));
    assert_true(parses("2026-01-05T10:30:15.250", DATE_ISO, jan5));
    assert_true(parses("2026-01-05T10:30:15,5Z", DATE_ISO, jan5));
    assert_true(parses("2026-01-05T23:59:60+03:00", DATE_ISO, jan5));
    assert_true(parses("2026-01-05T10:30-0500", DATE_ISO, jan5));
    assert_true(parses("2026-01-05T10:30+03", DATE_ISO, jan5));
    assert_true(parses("2026-01-05 9:05", DATE_ISO, jan5));
    assert_true(parses("05.01.2026  10:30:00", DATE_DMY, jan5));
    assert_true(parses("5.1.2026", DATE_DMY, jan5));
    assert_true(refuses("2026-01-05T24:00", DATE_ISO));
    assert_true(refuses("2026-01-05T10:60", DATE_ISO));
    assert_true(refuses("2026-01-05T10-30", DATE_ISO));
    assert_true(refuses("2026-01-05T10:30:61", DATE_ISO));
    assert_true(refuses("2026-01-05T10:30:15.", DATE_ISO));
    assert_true(refuses("2026-01-05T10:30*03", DATE_ISO));
    assert_true(refuses("2026-01-05T10:30+24", DATE_ISO));
    assert_true(refuses("2026-01-05T10:30+03:60", DATE_ISO));
    assert_true(refuses("2026-01-05T10:30Zx", DATE_ISO));
    assert_true(refuses("05.01.2026T10:30", DATE_DMY));
    assert_true(refuses("2026-01-05x", DATE_ISO));
    assert_true(refuses("2026-01-05 10:30 x", DATE_ISO));
    assert_true(refuses("05.01.20261", DATE_DMY));
    /* years before 1 and past 9999 are clamped when shown */
    char buf[16];
    date_format(ymd(-5, 1, 1), buf);
    assert_string_equal(buf, "0001-01-01");
    date_format(ymd(12000, 1, 1), buf);
    assert_string_equal(buf, "9999-12-31");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_three_valued_logic),
        cmocka_unit_test(test_compare_and_choose),
        cmocka_unit_test(test_dates_with_times),
        cmocka_unit_test(test_register_forms_alias),
        cmocka_unit_test(test_logic_register_forms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
