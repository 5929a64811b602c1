/* test_date.c - calendar days, date cells and periods.
 * Expected values were checked against Python's datetime (proleptic
 * Gregorian, isocalendar). */
#include "tests/unit/testutil.h"

#include <stdio.h>

#include "vm/date.h"

static Day iso(const char *s)
{
    Day d = 0;
    assert_true(date_parse(s, strlen(s), DATE_ISO, &d));
    return d;
}

static bool parses(const char *s, DateFormat f, Day *out)
{
    return date_parse(s, strlen(s), f, out);
}

static void assert_date(Day day, const char *want)
{
    char buf[11];
    date_format(day, buf);
    assert_string_equal(buf, want);
}

static void test_day_numbers(void **state)
{
    (void)state;
    assert_int_equal(date_from_ymd(1970, 1, 1), 0);
    assert_int_equal(date_from_ymd(1969, 12, 31), -1);
    assert_int_equal(date_from_ymd(2000, 1, 1), 10957);
    assert_int_equal(date_from_ymd(2024, 2, 29), 19782);
    assert_int_equal(date_from_ymd(2026, 10, 1), 20727);
    assert_int_equal(date_from_ymd(9999, 12, 31), 2932896);
    assert_int_equal(date_from_ymd(1, 1, 1), -719162);
    assert_int_equal(date_from_ymd(2024, 3, 1) - date_from_ymd(2024, 2, 28), 2);
    assert_int_equal(date_from_ymd(2025, 3, 1) - date_from_ymd(2025, 2, 28), 1);
    assert_int_equal(date_from_ymd(1900, 3, 1) - date_from_ymd(1900, 2, 28), 1);
    assert_int_equal(date_from_ymd(2000, 3, 1) - date_from_ymd(2000, 2, 28), 2);
}

/* Every day of 0001..9999 survives day -> y/m/d -> day, in order. */
static void test_round_trip_all_days(void **state)
{
    (void)state;
    int py = 1, pm = 1, pd = 0;
    for (Day day = date_from_ymd(1, 1, 1); day <= date_from_ymd(9999, 12, 31); day++) {
        int y, m, d;
        date_to_ymd(day, &y, &m, &d);
        assert_true(date_valid(y, m, d));
        assert_int_equal(date_from_ymd(y, m, d), day);
        /* the next day of the previous one */
        bool next = (y == py && m == pm && d == pd + 1) || (y == py && m == pm + 1 && d == 1)
                    || (y == py + 1 && m == 1 && d == 1);
        assert_true(next);
        py = y, pm = m, pd = d;
    }
    assert_int_equal(py, 9999);
}

static void test_format(void **state)
{
    (void)state;
    assert_date(0, "1970-01-01");
    assert_date(10957, "2000-01-01");
    assert_date(19782, "2024-02-29");
    assert_date(2932896, "9999-12-31");
    assert_date(-719162, "0001-01-01");
    assert_date(-1, "1969-12-31");
    const char *dates[] = {"1970-01-01", "2000-02-29", "2024-02-29", "9999-12-31", "0001-01-01",
                           "1900-03-01", "2026-12-31"};
    for (size_t i = 0; i < sizeof dates / sizeof *dates; i++)
        assert_date(iso(dates[i]), dates[i]);
}

static void test_weekday(void **state)
{
    (void)state;
    assert_int_equal(date_weekday(iso("2026-10-01")), 4);  /* Thursday */
    assert_int_equal(date_weekday(iso("1970-01-01")), 4);
    assert_int_equal(date_weekday(iso("1969-12-29")), 1);  /* Monday, a negative day */
    assert_int_equal(date_weekday(iso("2000-01-01")), 6);  /* Saturday */
    assert_int_equal(date_weekday(iso("2027-01-03")), 7);  /* Sunday */
    assert_int_equal(date_weekday(iso("0001-01-01")), 1);
    assert_int_equal(date_weekday(iso("9999-12-31")), 5);
}

static void test_valid(void **state)
{
    (void)state;
    assert_true(date_valid(2024, 2, 29));
    assert_false(date_valid(2025, 2, 29));
    assert_false(date_valid(1900, 2, 29));
    assert_true(date_valid(2000, 2, 29));
    assert_false(date_valid(2026, 2, 31));
    assert_false(date_valid(2026, 4, 31));
    assert_false(date_valid(2026, 13, 1));
    assert_false(date_valid(2026, 0, 1));
    assert_false(date_valid(2026, 1, 0));
    assert_false(date_valid(0, 1, 1));
    assert_false(date_valid(10000, 1, 1));
    assert_true(date_valid(9999, 12, 31));
}

static void test_parse_iso(void **state)
{
    (void)state;
    Day d = -5;
    assert_true(parses("2026-10-01", DATE_ISO, &d));
    assert_int_equal(d, 20727);
    assert_true(parses("  2026-10-01 ", DATE_ISO, &d));
    assert_int_equal(d, 20727);
    assert_true(parses("2026-10-01T13:45:00", DATE_ISO, &d));
    assert_int_equal(d, 20727);
    assert_true(parses("2026-10-01T13:45:00.123+03:00", DATE_ISO, &d));
    assert_int_equal(d, 20727);
    assert_true(parses("2026-10-01T00:00Z", DATE_ISO, &d));
    assert_int_equal(d, 20727);
    assert_true(parses("2026-10-01 00:00:00", DATE_ISO, &d));
    assert_int_equal(d, 20727);

    /* date_parse takes its length, not a NUL */
    assert_true(date_parse("2026-10-01xyz", 10, DATE_ISO, &d));
    assert_int_equal(d, 20727);

    const char *bad[] = {"",           "   ",         "2026-1-01",   "2026-10-1",
                         "26-10-01",   "2026/10/01",  "2026-10-01x", "2026-10-011",
                         "02026-10-01", "2026-13-01", "2026-00-10",  "2026-02-31",
                         "2025-02-29", "0000-01-01",  "2026-10-01T", "2026-10-01T25:00",
                         "2026-10-01 junk", "01.10.2026", "2026-10-01T10:00+3"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        d = -5;
        assert_false(parses(bad[i], DATE_ISO, &d));
        assert_int_equal(d, -5);   /* untouched */
    }
    assert_true(parses("2024-02-29", DATE_ISO, &d));
    assert_int_equal(d, 19782);
}

static void test_parse_dmy(void **state)
{
    (void)state;
    Day d;
    assert_true(parses("01.10.2026", DATE_DMY, &d));
    assert_int_equal(d, 20727);
    assert_true(parses("1.10.2026", DATE_DMY, &d));
    assert_int_equal(d, 20727);
    assert_true(parses("5.1.2026", DATE_DMY, &d));
    assert_date(d, "2026-01-05");
    assert_true(parses("01.10.2026 0:00:00", DATE_DMY, &d));  /* 1C */
    assert_int_equal(d, 20727);
    assert_true(parses("01.10.2026 00:00", DATE_DMY, &d));
    assert_int_equal(d, 20727);
    assert_true(parses(" 31.12.2026 23:59:59 ", DATE_DMY, &d));
    assert_date(d, "2026-12-31");
    assert_true(parses("29.02.2024", DATE_DMY, &d));
    assert_int_equal(d, 19782);

    const char *bad[] = {"31.02.2026", "29.02.2025", "01.13.2026", "01.10.26",
                         "01.10.0000", "001.10.2026", "01-10-2026", "01.10.2026T00:00",
                         "01.10.2026 24:00", "01.10.2026 0:0", "2026-10-01", "01.10.20260",
                         ".10.2026", "01.10.2026 0:00:00 junk"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_false(parses(bad[i], DATE_DMY, &d));
}

static Period parse_period(const char *s, PeriodKind kind)
{
    Period p;
    memset(&p, 0, sizeof p);
    assert_true(period_parse(s, strlen(s), kind, &p));
    assert_int_equal(p.kind, kind);
    return p;
}

static void assert_period(Period p, const char *label, const char *first, const char *last)
{
    assert_string_equal(p.label, label);
    assert_date(p.first, first);
    assert_date(p.last, last);
}

static void test_months(void **state)
{
    (void)state;
    assert_period(parse_period("2026-10", PERIOD_MONTH), "2026-10", "2026-10-01", "2026-10-31");
    assert_period(parse_period("10.2026", PERIOD_MONTH), "2026-10", "2026-10-01", "2026-10-31");
    assert_period(parse_period("2.2024", PERIOD_MONTH), "2024-02", "2024-02-01", "2024-02-29");
    assert_period(parse_period("2025-02", PERIOD_MONTH), "2025-02", "2025-02-01", "2025-02-28");
    assert_period(parse_period(" 2026-12 ", PERIOD_MONTH), "2026-12", "2026-12-01", "2026-12-31");
    Period p;
    const char *bad[] = {"2026-13", "2026-00", "2026-1", "13.2026", "2026", "2026-Q4",
                         "2026-10-01", "10.26", "2026-10x"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_false(period_parse(bad[i], strlen(bad[i]), PERIOD_MONTH, &p));
}

static void test_quarters_and_years(void **state)
{
    (void)state;
    assert_period(parse_period("2026-Q4", PERIOD_QUARTER), "2026-Q4", "2026-10-01", "2026-12-31");
    assert_period(parse_period("2024-q1", PERIOD_QUARTER), "2024-Q1", "2024-01-01", "2024-03-31");
    assert_period(parse_period("2026-Q2", PERIOD_QUARTER), "2026-Q2", "2026-04-01", "2026-06-30");
    assert_period(parse_period("2026", PERIOD_YEAR), "2026", "2026-01-01", "2026-12-31");
    assert_period(parse_period("0001", PERIOD_YEAR), "0001", "0001-01-01", "0001-12-31");
    Period p;
    assert_false(period_parse("2026-Q5", 7, PERIOD_QUARTER, &p));
    assert_false(period_parse("2026-Q0", 7, PERIOD_QUARTER, &p));
    assert_false(period_parse("2026-10", 7, PERIOD_QUARTER, &p));
    assert_false(period_parse("2026-Q4", 7, PERIOD_YEAR, &p));
    assert_false(period_parse("0000", 4, PERIOD_YEAR, &p));
    assert_false(period_parse("20261", 5, PERIOD_YEAR, &p));
    assert_false(period_parse("", 0, PERIOD_YEAR, &p));
}

static void test_weeks(void **state)
{
    (void)state;
    /* Jan 4th 2026 is a Sunday, so week 1 starts on Monday 2025-12-29. */
    assert_period(parse_period("2026-W01", PERIOD_WEEK), "2026-W01", "2025-12-29", "2026-01-04");
    assert_period(parse_period("2026-w43", PERIOD_WEEK), "2026-W43", "2026-10-19", "2026-10-25");
    /* 2020 is a leap year starting on Wednesday: 53 weeks. */
    assert_period(parse_period("2020-W53", PERIOD_WEEK), "2020-W53", "2020-12-28", "2021-01-03");
    /* 2026 starts on Thursday: 53 weeks. */
    assert_period(parse_period("2026-W53", PERIOD_WEEK), "2026-W53", "2026-12-28", "2027-01-03");
    Period p;
    assert_false(period_parse("2025-W53", 8, PERIOD_WEEK, &p));  /* 2025 starts on Wednesday */
    assert_false(period_parse("2021-W53", 8, PERIOD_WEEK, &p));
    assert_false(period_parse("2026-W00", 8, PERIOD_WEEK, &p));
    assert_false(period_parse("2026-W5", 7, PERIOD_WEEK, &p));
    assert_false(period_parse("2026-W54", 8, PERIOD_WEEK, &p));
    assert_false(period_parse("2026-10", 7, PERIOD_WEEK, &p));
}

/* Counts 53-week years over four centuries: 71 of every 400. */
static void test_long_years(void **state)
{
    (void)state;
    int long_years = 0;
    for (int y = 2000; y < 2400; y++) {
        char s[24];
        snprintf(s, sizeof s, "%d-W53", y);
        Period p;
        if (period_parse(s, 8, PERIOD_WEEK, &p)) {
            long_years++;
            Day jan1 = date_from_ymd(y, 1, 1);
            int wd = date_weekday(jan1);
            bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
            assert_true(wd == 4 || (leap && wd == 3));
        }
    }
    assert_int_equal(long_years, 71);
}

static void test_containing(void **state)
{
    (void)state;
    Day d = iso("2026-10-01");
    assert_period(period_containing(d, PERIOD_MONTH), "2026-10", "2026-10-01", "2026-10-31");
    assert_period(period_containing(d, PERIOD_QUARTER), "2026-Q4", "2026-10-01", "2026-12-31");
    assert_period(period_containing(d, PERIOD_YEAR), "2026", "2026-01-01", "2026-12-31");
    assert_period(period_containing(d, PERIOD_WEEK), "2026-W40", "2026-09-28", "2026-10-04");
    /* ISO week-years differ from calendar years around New Year. */
    assert_period(period_containing(iso("2027-01-01"), PERIOD_WEEK), "2026-W53", "2026-12-28",
                  "2027-01-03");
    assert_period(period_containing(iso("2025-12-29"), PERIOD_WEEK), "2026-W01", "2025-12-29",
                  "2026-01-04");
    assert_period(period_containing(iso("2000-01-01"), PERIOD_WEEK), "1999-W52", "1999-12-27",
                  "2000-01-02");
    assert_period(period_containing(iso("2024-12-30"), PERIOD_WEEK), "2025-W01", "2024-12-30",
                  "2025-01-05");
    assert_period(period_containing(iso("2024-02-29"), PERIOD_MONTH), "2024-02", "2024-02-01",
                  "2024-02-29");
    assert_period(period_containing(iso("0001-01-01"), PERIOD_WEEK), "0001-W01", "0001-01-01",
                  "0001-01-07");
    /* The last week is cut at 9999-12-31, the last day there is. */
    assert_period(period_containing(iso("9999-12-31"), PERIOD_WEEK), "9999-W52", "9999-12-27",
                  "9999-12-31");
    assert_int_equal(period_containing(iso("9999-12-31"), PERIOD_WEEK).kind, PERIOD_WEEK);
}

/* Every day lies in the week, month, quarter and year containing it, and a
 * label parses back to the same period. */
static void test_containing_consistent(void **state)
{
    (void)state;
    const PeriodKind kinds[] = {PERIOD_WEEK, PERIOD_MONTH, PERIOD_QUARTER, PERIOD_YEAR};
    for (Day day = iso("2019-12-01"); day <= iso("2028-02-01"); day++) {
        for (size_t k = 0; k < 4; k++) {
            Period p = period_containing(day, kinds[k]);
            assert_true(p.first <= day && day <= p.last);
            Period q = parse_period(p.label, kinds[k]);
            assert_int_equal(q.first, p.first);
            assert_int_equal(q.last, p.last);
            if (kinds[k] == PERIOD_WEEK) {
                assert_int_equal(date_weekday(p.first), 1);
                assert_int_equal(p.last - p.first, 6);
            }
        }
    }
}

static void test_parse_cell(void **state)
{
    (void)state;
    Period p;
    assert_true(period_parse_cell("2026-10", 7, PERIOD_MONTH, DATE_DMY, &p));
    assert_string_equal(p.label, "2026-10");
    assert_true(period_parse_cell("15.10.2026", 10, PERIOD_MONTH, DATE_DMY, &p));
    assert_string_equal(p.label, "2026-10");
    assert_true(period_parse_cell("01.10.2026 0:00:00", 18, PERIOD_QUARTER, DATE_DMY, &p));
    assert_period(p, "2026-Q4", "2026-10-01", "2026-12-31");
    assert_true(period_parse_cell("2027-01-01", 10, PERIOD_WEEK, DATE_DMY, &p));
    assert_string_equal(p.label, "2026-W53");
    assert_true(period_parse_cell("01.01.2027", 10, PERIOD_WEEK, DATE_ISO, &p));
    assert_string_equal(p.label, "2026-W53");
    assert_true(period_parse_cell("2026-W43", 8, PERIOD_WEEK, DATE_ISO, &p));
    assert_period(p, "2026-W43", "2026-10-19", "2026-10-25");
    assert_true(period_parse_cell("2026-06-30", 10, PERIOD_YEAR, DATE_ISO, &p));
    assert_period(p, "2026", "2026-01-01", "2026-12-31");
    assert_false(period_parse_cell("2026-Q4", 7, PERIOD_MONTH, DATE_ISO, &p));
    assert_false(period_parse_cell("31.02.2026", 10, PERIOD_MONTH, DATE_DMY, &p));
    assert_false(period_parse_cell("октябрь", strlen("октябрь"), PERIOD_MONTH, DATE_DMY, &p));
}

static void test_kind_names(void **state)
{
    (void)state;
    assert_string_equal(period_kind_name(PERIOD_WEEK), "week");
    assert_string_equal(period_kind_name(PERIOD_MONTH), "month");
    assert_string_equal(period_kind_name(PERIOD_QUARTER), "quarter");
    assert_string_equal(period_kind_name(PERIOD_YEAR), "year");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_day_numbers),
        cmocka_unit_test(test_round_trip_all_days),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_weekday),
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_parse_iso),
        cmocka_unit_test(test_parse_dmy),
        cmocka_unit_test(test_months),
        cmocka_unit_test(test_quarters_and_years),
        cmocka_unit_test(test_weeks),
        cmocka_unit_test(test_long_years),
        cmocka_unit_test(test_containing),
        cmocka_unit_test(test_containing_consistent),
        cmocka_unit_test(test_parse_cell),
        cmocka_unit_test(test_kind_names),
    };
    return cmocka_run_group_tests_name("date", tests, NULL, NULL);
}
