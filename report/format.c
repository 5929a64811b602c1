/* format.c - see format.h. */
#include "report/format.h"
#include "vm/date.h"

#include <string.h>

/* Room for any number rat_format writes here, with its NUL. */
enum { NUM_TEXT_MAX = 96 };

void fmt_value_at(const StrTab *strs, const Value *v, Buf *out)
{
    switch ((ValueKind)v->kind) {
    case V_NUM: { /* written in place */
        bool exact;
        buf_reserve(out, NUM_TEXT_MAX);
        out->len += rat_format(out->data + out->len, NUM_TEXT_MAX, val_q(v), REPORT_FRAC_DIGITS, &exact);
        break;
    }
    case V_TEXT: {
        uint32_t len = 0;
        const char *s = strs ? strtab_get(strs, v->aux, &len) : "";
        buf_add(out, s, len);
        break;
    }
    case V_BOOL: buf_adds(out, v->aux ? "true" : "false"); break;
    case V_DATE: {
        char d[16];
        date_format((Day)(int32_t)v->aux, d);
        buf_adds(out, d);
        break;
    }
    default: break;
    }
}

void fmt_value(const StrTab *strs, Value v, Buf *out) { fmt_value_at(strs, &v, out); }

bool fmt_exact_in(Rat q, int frac)
{
    Rat scaled;
    return rat_mul(q, (Rat){i128_pow10(frac), 1}, &scaled) == NUM_OK && rat_is_int(scaled);
}

static void mark(Value v, int frac, bool *approx, Buf *out)
{
    if (v.inexact) {
        buf_addc(out, '~');
    } else if (!fmt_exact_in(v.q, frac)) {
        buf_adds(out, "\u2248");
        *approx = true;
    }
}

void fmt_pct(Value v, bool *approx, Buf *out)
{
    if (v.kind != V_NUM) {
        buf_adds(out, v.kind == V_BLANK ? "" : "?");
        return;
    }
    Rat p;
    if (rat_mul(v.q, rat_int(100), &p) != NUM_OK)
        p = v.q;
    char buf[NUM_TEXT_MAX];
    rat_format_fixed(buf, sizeof buf, p, 2, ROUND_HALF_EVEN);
    Value shown = v;
    shown.q = p;
    mark(shown, 2, approx, out);
    buf_printf(out, "%s%%", buf);
}

void fmt_pct_short(Value v, bool *approx, Buf *out)
{
    Rat p;
    if (v.kind != V_NUM || rat_mul(v.q, rat_int(100), &p) != NUM_OK) {
        fmt_pct(v, approx, out);
        return;
    }
    int frac = 0;
    while (frac < 2 && !fmt_exact_in(p, frac))
        frac++;
    char buf[NUM_TEXT_MAX];
    rat_format_fixed(buf, sizeof buf, p, frac, ROUND_HALF_EVEN);
    Value shown = v;
    shown.q = p;
    mark(shown, frac, approx, out);
    buf_printf(out, "%s%%", buf);
}

void fmt_amount(Value v, int frac, RoundMode mode, bool *approx, Buf *out)
{
    if (v.kind != V_NUM) {
        buf_adds(out, v.kind == V_BLANK ? "blank" : "?");
        return;
    }
    char buf[NUM_TEXT_MAX];
    rat_format_fixed(buf, sizeof buf, v.q, frac, mode);
    mark(v, frac, approx, out);
    const char *s = buf;
    if (*s == '-')
        buf_addc(out, *s++);
    size_t int_len = strcspn(s, ".");
    for (size_t i = 0; i < int_len; i++) {
        if (i && (int_len - i) % 3 == 0)
            buf_addc(out, ' ');
        buf_addc(out, s[i]);
    }
    buf_adds(out, s + int_len);
}

/* Counts without decimals; other numbers with 2 to 4 decimals, so both
 * 1 234.50 and a ratio of 0.925 read as written. */
void fmt_fact(Value v, bool *approx, Buf *out)
{
    if (v.kind != V_NUM) {
        fmt_value(NULL, v, out);
        return;
    }
    int frac = 0;
    while (frac < 4 && !fmt_exact_in(v.q, frac))
        frac++;
    fmt_amount(v, frac == 0 ? 0 : frac < 2 ? 2 : frac, ROUND_HALF_EVEN, approx, out);
}

void fmt_csv_cell(Buf *out, const char *s, size_t n)
{
    bool quote = false;
    for (size_t i = 0; i < n; i++)
        quote |= s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
    if (!quote) {
        buf_add(out, s, n);
        return;
    }
    buf_addc(out, '"');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            buf_addc(out, '"');
        buf_addc(out, s[i]);
    }
    buf_addc(out, '"');
}

/* A spreadsheet takes a cell starting with = + - @ (or a tab or CR) for a
 * formula (OWASP "CSV injection"): such a text gets a leading ' so that it
 * stays text. Numbers go through fmt_csv_cell and keep their sign. */
void fmt_csv_text(Buf *out, const char *s, size_t n)
{
    if (n && s[0] && strchr("=+-@\t\r", s[0])) {
        Buf t = BUF_INIT;
        buf_addc(&t, '\'');
        buf_add(&t, s, n);
        fmt_csv_cell(out, t.data, t.len);
        buf_free(&t);
        return;
    }
    fmt_csv_cell(out, s, n);
}

void fmt_json_string(Buf *out, const char *s, size_t n)
{
    buf_addc(out, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\')
            buf_printf(out, "\\%c", c);
        else if (c < 0x20)
            buf_printf(out, "\\u%04x", c);
        else
            buf_addc(out, (char)c);
    }
    buf_addc(out, '"');
}

void fmt_json_cstr(Buf *out, const char *s) { fmt_json_string(out, s, strlen(s)); }

void fmt_html(Buf *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        switch (s[i]) {
        case '&': buf_adds(out, "&amp;"); break;
        case '<': buf_adds(out, "&lt;"); break;
        case '>': buf_adds(out, "&gt;"); break;
        case '"': buf_adds(out, "&quot;"); break;
        case '\'': buf_adds(out, "&#39;"); break;
        default: buf_addc(out, s[i]); break;
        }
    }
}

void fmt_html_cstr(Buf *out, const char *s) { fmt_html(out, s, strlen(s)); }

void fmt_json_value(const StrTab *strs, Value v, Buf *out)
{
    if (v.kind == V_NUM || v.kind == V_BOOL) {
        fmt_value(strs, v, out);
    } else if (v.kind == V_TEXT || v.kind == V_DATE) {
        Buf t = BUF_INIT;
        fmt_value(strs, v, &t);
        fmt_json_string(out, buf_cstr(&t), t.len);
        buf_free(&t);
    } else {
        buf_adds(out, "null");
    }
}
