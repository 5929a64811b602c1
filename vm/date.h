/* date.h - calendar days and evaluation periods.
 * A Day is the number of days since 1970-01-01 in the proleptic Gregorian
 * calendar; periods are closed ranges of days. Years 1..9999 only. */
#ifndef KPI_DATE_H
#define KPI_DATE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef int32_t Day;

typedef enum DateFormat {
    DATE_ISO,  /* YYYY-MM-DD */
    DATE_DMY   /* DD.MM.YYYY (Russian Excel and 1C exports) */
} DateFormat;

typedef enum PeriodKind {
    PERIOD_WEEK,    /* ISO week: "2026-W43" */
    PERIOD_MONTH,   /* "2026-10" (also "10.2026") */
    PERIOD_QUARTER, /* "2026-Q4" */
    PERIOD_YEAR     /* "2026" */
} PeriodKind;

typedef struct Period {
    PeriodKind kind;
    Day        first, last;   /* inclusive */
    char       label[12];     /* canonical: "2026-10", "2026-Q4", "2026-W43", "2026" */
} Period;

Day  date_from_ymd(int y, int m, int d);          /* no validation */
void date_to_ymd(Day day, int *y, int *m, int *d);
bool date_valid(int y, int m, int d);
/* Parses a date cell; surrounding ASCII spaces ignored. false when malformed
 * or not a real date (31.02.2026). A DMY cell may carry a time part
 * ("01.10.2026 0:00:00", as 1C writes it), which is ignored. */
bool date_parse(const char *s, size_t n, DateFormat f, Day *out);
/* "YYYY-MM-DD"; buf needs 11 bytes. */
void date_format(Day day, char *buf);
/* ISO weekday, 1 = Monday .. 7 = Sunday. */
int  date_weekday(Day day);

/* Parses a period of the given kind from its canonical label (and, for
 * months, "10.2026"). false when malformed or of another kind. */
bool period_parse(const char *s, size_t n, PeriodKind kind, Period *out);
/* The period of the given kind that contains day. */
Period period_containing(Day day, PeriodKind kind);
/* Parses a plan cell naming a period: a label of that kind, or a date in
 * either format meaning the period that contains it. */
bool period_parse_cell(const char *s, size_t n, PeriodKind kind, DateFormat f, Period *out);
const char *period_kind_name(PeriodKind kind);  /* "week", "month", ... */

#endif
