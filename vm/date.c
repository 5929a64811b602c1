/* date.c - see date.h.
 * Day numbers use the days-from-civil arithmetic (a year starting in March
 * puts the leap day last), exact in integers for any year we accept. */
#include "vm/date.h"

#include <string.h>

/* Days of years 1..9999, the range every Day of this module lies in. */
#define DAY_MIN (-719162)   /* 0001-01-01 */
#define DAY_MAX 2932896     /* 9999-12-31 */

Day date_from_ymd(int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (Day)(era * 146097 + doe - 719468);
}

void date_to_ymd(Day day, int *y, int *m, int *d)
{
    int z = (int)day + 719468;
    int era = (z >= 0 ? z : z - 146096) / 146097;
    int doe = z - era * 146097;
    int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yoe + era * 400 + (*m <= 2);
}

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

bool date_valid(int y, int m, int d)
{
    return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

int date_weekday(Day day)
{
    /* 1970-01-01 was a Thursday; the remainder is made non-negative. */
    int r = ((int)day + 3) % 7;
    return (r < 0 ? r + 7 : r) + 1;
}

/* ---- scanning helpers ---------------------------------------------------- */

/* A cursor over a cell; all readers fail without moving past the end. */
typedef struct Scan {
    const char *s;
    size_t      i, n;
} Scan;

static Scan scan_trimmed(const char *s, size_t n)
{
    size_t a = 0;
    while (a < n && s[a] == ' ')
        a++;
    while (n > a && s[n - 1] == ' ')
        n--;
    return (Scan){s, a, n};
}

static bool scan_char(Scan *sc, char c)
{
    if (sc->i < sc->n && sc->s[sc->i] == c) {
        sc->i++;
        return true;
    }
    return false;
}

static bool scan_is_digit(const Scan *sc)
{
    return sc->i < sc->n && sc->s[sc->i] >= '0' && sc->s[sc->i] <= '9';
}

/* Reads between min and max decimal digits (max <= 4). */
static bool scan_digits(Scan *sc, int min, int max, int *out)
{
    int v = 0, k = 0;
    while (k < max && scan_is_digit(sc)) {
        v = v * 10 + (sc->s[sc->i++] - '0');
        k++;
    }
    *out = v;
    return k >= min;
}

static bool scan_done(const Scan *sc)
{
    return sc->i == sc->n;
}

/* Hour:minute[:second[.fraction]]; validated, then ignored by callers. */
static bool scan_time(Scan *sc)
{
    int h, mi, s;
    if (!scan_digits(sc, 1, 2, &h) || h > 23 || !scan_char(sc, ':')
        || !scan_digits(sc, 2, 2, &mi) || mi > 59)
        return false;
    if (!scan_char(sc, ':'))
        return true;
    if (!scan_digits(sc, 2, 2, &s) || s > 60)
        return false;
    if (scan_char(sc, '.') || scan_char(sc, ',')) {
        if (!scan_is_digit(sc))
            return false;
        while (scan_is_digit(sc))
            sc->i++;
    }
    return true;
}

/* "Z", "+03:00", "+0300" or "+03" after an ISO "T" time. */
static bool scan_zone(Scan *sc)
{
    if (scan_done(sc) || scan_char(sc, 'Z'))
        return true;
    if (!scan_char(sc, '+') && !scan_char(sc, '-'))
        return false;
    int h, mi;
    if (!scan_digits(sc, 2, 2, &h) || h > 23)
        return false;
    if (scan_done(sc))
        return true;
    scan_char(sc, ':');
    return scan_digits(sc, 2, 2, &mi) && mi <= 59;
}

/* What may follow the date itself: nothing, or a time that is ignored. */
static bool scan_date_tail(Scan *sc, DateFormat f)
{
    if (scan_done(sc))
        return true;
    if (f == DATE_ISO && scan_char(sc, 'T'))
        return scan_time(sc) && scan_zone(sc) && scan_done(sc);
    if (!scan_char(sc, ' '))
        return false;
    while (scan_char(sc, ' '))
        ;
    return scan_time(sc) && scan_done(sc);
}

static bool scan_date(Scan *sc, DateFormat f, Day *out)
{
    int y, m, d;
    bool ok;
    if (f == DATE_ISO)
        ok = scan_digits(sc, 4, 4, &y) && scan_char(sc, '-') && scan_digits(sc, 2, 2, &m)
             && scan_char(sc, '-') && scan_digits(sc, 2, 2, &d);
    else
        ok = scan_digits(sc, 1, 2, &d) && scan_char(sc, '.') && scan_digits(sc, 1, 2, &m)
             && scan_char(sc, '.') && scan_digits(sc, 4, 4, &y);
    /* A fifth year digit would make "2026" a prefix of a longer number. */
    if (!ok || scan_is_digit(sc) || !date_valid(y, m, d) || !scan_date_tail(sc, f))
        return false;
    *out = date_from_ymd(y, m, d);
    return true;
}

bool date_parse(const char *s, size_t n, DateFormat f, Day *out)
{
    Scan sc = scan_trimmed(s, n);
    return scan_date(&sc, f, out);
}

/* ---- formatting ------------------------------------------------------------ */

/* Writes exactly width decimal digits of v (0 <= v < 10^width); returns the
 * end. Every year here has four digits: days stay within 0001..9999. */
static char *put_num(char *p, int v, int width)
{
    for (int k = width - 1; k >= 0; k--) {
        p[k] = (char)('0' + v % 10);
        v /= 10;
    }
    return p + width;
}

void date_format(Day day, char *buf)
{
    int y, m, d;
    /* Clamped so that 11 bytes always suffice. */
    day = day < DAY_MIN ? DAY_MIN : day > DAY_MAX ? DAY_MAX : day;
    date_to_ymd(day, &y, &m, &d);
    char *p = put_num(buf, y, 4);
    *p++ = '-';
    p = put_num(p, m, 2);
    *p++ = '-';
    p = put_num(p, d, 2);
    *p = '\0';
}

/* ---- periods ---------------------------------------------------------------- */

/* Label "<year><sep><num>" with num zero-padded to width, or just the year
 * when sep is NULL. */
static void set_label(Period *p, int y, const char *sep, int num, int width)
{
    char *q = put_num(p->label, y, 4);
    if (sep) {
        size_t k = strlen(sep);
        memcpy(q, sep, k);
        q = put_num(q + k, num, width);
    }
    *q = '\0';
}

static Period make_month(int y, int m)
{
    Period p = {PERIOD_MONTH, date_from_ymd(y, m, 1), date_from_ymd(y, m, days_in_month(y, m)), ""};
    set_label(&p, y, "-", m, 2);
    return p;
}

static Period make_quarter(int y, int q)
{
    int m0 = 3 * q - 2;
    Period p = {PERIOD_QUARTER, date_from_ymd(y, m0, 1),
                date_from_ymd(y, m0 + 2, days_in_month(y, m0 + 2)), ""};
    set_label(&p, y, "-Q", q, 1);
    return p;
}

static Period make_year(int y)
{
    Period p = {PERIOD_YEAR, date_from_ymd(y, 1, 1), date_from_ymd(y, 12, 31), ""};
    set_label(&p, y, NULL, 0, 0);
    return p;
}

/* Monday of ISO week 1: the week that holds January 4th. */
static Day week1_monday(int y)
{
    Day jan4 = date_from_ymd(y, 1, 4);
    return jan4 - (date_weekday(jan4) - 1);
}

/* 52 or 53: the ISO week number of December 28th, always in the last week. */
static int weeks_in_year(int y)
{
    return (date_from_ymd(y, 12, 28) - week1_monday(y)) / 7 + 1;
}

static Period make_week(int y, int w)
{
    Day first = week1_monday(y) + 7 * (w - 1);
    /* 9999-W52 would run into year 10000, which no Day may name. */
    Period p = {PERIOD_WEEK, first, first + 6 > DAY_MAX ? DAY_MAX : first + 6, ""};
    set_label(&p, y, "-W", w, 2);
    return p;
}

Period period_containing(Day day, PeriodKind kind)
{
    int y, m, d;
    date_to_ymd(day, &y, &m, &d);
    switch (kind) {
    case PERIOD_MONTH:
        return make_month(y, m);
    case PERIOD_QUARTER:
        return make_quarter(y, (m + 2) / 3);
    case PERIOD_YEAR:
        return make_year(y);
    case PERIOD_WEEK:
    default: {
        /* The week belongs to the year of its Thursday. */
        Day thu = day - (date_weekday(day) - 1) + 3;
        date_to_ymd(thu, &y, &m, &d);
        return make_week(y, (thu - week1_monday(y)) / 7 + 1);
    }
    }
}

static bool scan_year(Scan *sc, int *y)
{
    return scan_digits(sc, 4, 4, y) && *y >= 1 && !scan_is_digit(sc);
}

/* "10.2026", as Russian spreadsheets write a month. */
static bool scan_month_dmy(Scan *sc, int *y, int *m)
{
    return scan_digits(sc, 1, 2, m) && scan_char(sc, '.') && scan_year(sc, y);
}

/* "2026-Q4", "2026-W05", "2026-10": the year, a dash, a letter, a number. */
static bool scan_year_dash(Scan *sc, int *y, char letter, int digits, int *v)
{
    if (!scan_year(sc, y) || !scan_char(sc, '-'))
        return false;
    if (letter && !scan_char(sc, letter) && !scan_char(sc, (char)(letter + ('a' - 'A'))))
        return false;
    return scan_digits(sc, digits, digits, v);
}

/* Reads a label of the given kind at the cursor; the caller checks the end. */
static bool scan_period(Scan *sc, PeriodKind kind, Period *out)
{
    int y, v;
    Scan start = *sc;
    switch (kind) {
    case PERIOD_MONTH:
        if (!scan_month_dmy(sc, &y, &v)) {
            *sc = start;
            if (!scan_year_dash(sc, &y, 0, 2, &v))
                return false;
        }
        if (v < 1 || v > 12)
            return false;
        *out = make_month(y, v);
        return true;
    case PERIOD_QUARTER:
        if (!scan_year_dash(sc, &y, 'Q', 1, &v) || v < 1 || v > 4)
            return false;
        *out = make_quarter(y, v);
        return true;
    case PERIOD_WEEK:
        if (!scan_year_dash(sc, &y, 'W', 2, &v) || v < 1 || v > weeks_in_year(y))
            return false;
        *out = make_week(y, v);
        return true;
    case PERIOD_YEAR:
        if (!scan_year(sc, &y))
            return false;
        *out = make_year(y);
        return true;
    }
    return false;
}

bool period_parse(const char *s, size_t n, PeriodKind kind, Period *out)
{
    Scan sc = scan_trimmed(s, n);
    Period p;
    if (!scan_period(&sc, kind, &p) || !scan_done(&sc))
        return false;
    *out = p;
    return true;
}

bool period_parse_cell(const char *s, size_t n, PeriodKind kind, DateFormat f, Period *out)
{
    if (period_parse(s, n, kind, out))
        return true;
    Day day;
    DateFormat other = f == DATE_ISO ? DATE_DMY : DATE_ISO;
    if (!date_parse(s, n, f, &day) && !date_parse(s, n, other, &day))
        return false;
    *out = period_containing(day, kind);
    return true;
}

const char *period_kind_name(PeriodKind kind)
{
    switch (kind) {
    case PERIOD_WEEK:
        return "week";
    case PERIOD_MONTH:
        return "month";
    case PERIOD_QUARTER:
        return "quarter";
    case PERIOD_YEAR:
        return "year";
    }
    return "period";
}
