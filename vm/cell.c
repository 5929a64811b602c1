/* cell.c - see cell.h. */
#include "vm/cell.h"

#include <string.h>

bool cell_empty(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ')
            return false;
    return true;
}

static bool word_is(const char *s, size_t n, const char *w)
{
    return strlen(w) == n && memcmp(s, w, n) == 0;
}

bool cell_bool(const char *s, size_t n, bool *out)
{
    static const char *const yes[] = {"1", "true", "TRUE", "True", "yes", "Yes", "YES", "да", "Да",
                                      "ДА", "истина", "Истина", "ИСТИНА"};
    static const char *const no[] = {"0", "false", "FALSE", "False", "no", "No", "NO", "нет", "Нет",
                                     "НЕТ", "ложь", "Ложь", "ЛОЖЬ"};
    while (n && s[0] == ' ')
        s++, n--;
    while (n && s[n - 1] == ' ')
        n--;
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        if (word_is(s, n, yes[i])) {
            *out = true;
            return true;
        }
        if (word_is(s, n, no[i])) {
            *out = false;
            return true;
        }
    }
    return false;
}

const char *cell_num_problem(NumStatus st, int scale)
{
    switch (st) {
    case NUM_TOO_PRECISE:
        return scale == 0 ? "it has decimal places" : "it has more decimal places than the column allows";
    case NUM_OVERFLOW: return "the number is too large";
    default: return "it is not a number";
    }
}

const char *cell_expected(const ColumnSpec *c, const Dialect *d)
{
    switch ((ColType)c->type) {
    case COL_DATE: return d->date == DATE_DMY ? "a date DD.MM.YYYY" : "a date YYYY-MM-DD";
    case COL_BOOL: return "true/false, 1/0, yes/no or да/нет";
    case COL_INTEGER: return "a whole number";
    case COL_MONEY: return d->num.decimal_point == ',' ? "an amount like 1234,56" : "an amount like 1234.56";
    case COL_SCORE: return "a score from 0 to 1, or an empty cell";
    case COL_PERIOD: return "a period (2026-10, 2026-Q4, 2026-W43, 2026) or a date";
    case COL_DECIMAL:
    case COL_HOURS:
    case COL_DAYS: return d->num.decimal_point == ',' ? "a number like 12,5" : "a number like 12.5";
    default: return "text";
    }
}
