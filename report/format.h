/* format.h - values as text, shared by every report: plain decimals for
 * machines (CSV, JSON), grouped amounts and percentages for people, and the
 * escaping of each output format. */
#ifndef KPI_FORMAT_H
#define KPI_FORMAT_H
#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "vm/strtab.h"
#include "vm/value.h"

#define REPORT_FRAC_DIGITS 10   /* non-terminating decimals in CSV/JSON */

/* A value as CSV and JSON write it: numbers exact, or rounded half-even to
 * REPORT_FRAC_DIGITS when their decimal does not end; dates ISO; blank and
 * errors empty. strs may be NULL when v is not a text. */
void fmt_value(const StrTab *strs, Value v, Buf *out);
/* The same of a register in place (no 48-byte copy). */
void fmt_value_at(const StrTab *strs, const Value *v, Buf *out);

/* For people. A number rounded only for display is marked ≈ and sets
 * *approx (for a legend); an inexact one is marked ~. */
void fmt_pct(Value v, bool *approx, Buf *out);                     /* 12.34% */
void fmt_pct_short(Value v, bool *approx, Buf *out);               /* 12%, 12.5%, ≈12.35% */
void fmt_amount(Value v, int frac, RoundMode mode, bool *approx, Buf *out); /* 1 234 567.50 */
void fmt_fact(Value v, bool *approx, Buf *out);                    /* 0 to 4 decimals */
/* True when q shows exactly with frac decimals. */
bool fmt_exact_in(Rat q, int frac);

/* CSV: a text cell, quoted when it must be and guarded against formula
 * injection; a number or date cell is only quoted. */
void fmt_csv_text(Buf *out, const char *s, size_t n);
void fmt_csv_cell(Buf *out, const char *s, size_t n);

/* JSON strings. */
void fmt_json_string(Buf *out, const char *s, size_t n);
void fmt_json_cstr(Buf *out, const char *s);
/* A value in JSON: a number or bool bare, a text or date a string, blank
 * and errors null. */
void fmt_json_value(const StrTab *strs, Value v, Buf *out);

/* HTML text and attribute values. */
void fmt_html(Buf *out, const char *s, size_t n);
void fmt_html_cstr(Buf *out, const char *s);

#endif
