/* statement.c - see statement.h. */
#include "report/statement.h"
#include "base/alloc.h"
#include "report/curve.h"
#include "report/format.h"

#include <string.h>

static const char style[] =
    "body{font-family:-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;margin:2em auto;max-width:60em;"
    "padding:0 1em;color:#222;line-height:1.4}"
    "h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ddd}"
    ".who{font-size:1.1em;margin:.2em 0}.muted{color:#666}"
    ".payout{font-size:1.6em;margin:.6em 0;padding:.4em .6em;background:#f3f7fc;border-left:4px solid #1f5fa8}"
    "table{border-collapse:collapse;width:100%}th,td{padding:.3em .6em;border-bottom:1px solid #e5e5e5}"
    "th{text-align:left;background:#fafafa}td.num{text-align:right;white-space:nowrap}"
    ".off{color:#999}.bad{color:#b00}"
    ".indicator{margin:1.2em 0;padding:.6em 1em;border:1px solid #e5e5e5;border-radius:6px}"
    ".indicator h3{margin:.2em 0 .6em;font-size:1.05em}"
    "figure{margin:.4em 0}figcaption{font-size:.9em;color:#555}"
    "pre{background:#fafafa;padding:.6em;overflow-x:auto;font-size:.85em;line-height:1.35}"
    "footer{margin-top:2em;font-size:.8em;color:#888}";

static void head(Buf *out, const char *title)
{
    buf_adds(out, "<!DOCTYPE html>\n<html lang=\"ru\">\n<head>\n<meta charset=\"utf-8\">\n"
                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
    fmt_html_cstr(out, title);
    buf_printf(out, "</title>\n<style>%s</style>\n</head>\n<body>\n", style);
}

static void value_html(const Explanation *x, Value v, ExStyle st, Buf *out)
{
    Buf t = BUF_INIT;
    explain_value(x, v, st, &t);
    fmt_html(out, t.data ? t.data : "", t.len);
    buf_free(&t);
}

static const ExStep *step_of(const ExIndicator *xi, const char *field)
{
    for (uint32_t k = 0; k < xi->nsteps; k++)
        if (!strcmp(xi->steps[k].field, field))
            return &xi->steps[k];
    return NULL;
}

static void cell(const Explanation *x, const ExIndicator *xi, const char *field, Buf *out)
{
    const ExStep *s = step_of(xi, field);
    buf_adds(out, "<td class=\"num\">");
    if (s)
        value_html(x, s->value, s->style, out);
    buf_adds(out, "</td>");
}

static void indicator_row(const Explanation *x, const ExIndicator *xi, Buf *out)
{
    const IndicatorOut *o = xi->out;
    buf_printf(out, "<tr%s><td>", xi->active ? "" : " class=\"off\"");
    fmt_html_cstr(out, o->label ? o->label : o->name);
    buf_adds(out, "</td>");
    if (!xi->active) {
        buf_adds(out, "<td colspan=\"6\">not in this employee's role</td></tr>\n");
        return;
    }
    static const char *const fields[] = {"fact", "plan", "index"};
    for (size_t k = 0; k < 3; k++)
        cell(x, xi, fields[k], out);
    buf_adds(out, "<td class=\"num\">");
    value_html(x, xi->score, XS_PERCENT, out);
    const ExStep *cond = step_of(xi, "condition");
    if (cond && !val_is_true(cond->value))
        buf_adds(out, " <span class=\"bad\">(condition not met)</span>");
    buf_adds(out, "</td>");
    cell(x, xi, "weight", out);
    cell(x, xi, "contribution", out);
    buf_adds(out, "</tr>\n");
}

static void indicator_table(const Explanation *x, Buf *out)
{
    buf_adds(out, "<h2>Indicators</h2>\n<table id=\"indicators\">\n<tr><th>indicator</th><th>fact</th><th>plan</th>"
                  "<th>index</th><th>score</th><th>weight</th><th>contribution</th></tr>\n");
    for (uint32_t i = 0; i < x->ninds; i++)
        indicator_row(x, &x->inds[i], out);
    buf_adds(out, "</table>\n");
}

/* The scale with the employee's point, or why there is none. */
static void plot(const Explanation *x, const ExIndicator *xi, Buf *out)
{
    const IndicatorOut *o = xi->out;
    const Value *regs = run_regs(x->r, x->emp);
    Curve c;
    const char *why;
    CurveStatus st = curve_open(&c, x->p, (uint32_t)(o - x->p->ind), regs, &why);
    if (st == CURVE_NO_SCALE) {
        buf_adds(out, "<p class=\"muted\">No scale: the score is the index.</p>\n");
        return;
    }
    if (st != CURVE_OK) {
        buf_adds(out, "<p class=\"muted\">The score reads the data directly; it has no plot.</p>\n");
        return;
    }
    PlotPoint pt = {regs[o->index], regs[o->raw_score]};
    buf_adds(out, "<figure class=\"plot\">\n");
    curve_svg(&c, o->label ? o->label : o->name, &pt, out);
    buf_adds(out, "<figcaption>the scale: score by index; the red point is this employee</figcaption>\n</figure>\n");
    curve_close(&c);
}

static void steps_pre(const Explanation *x, const ExStep *steps, uint32_t n, bool fields, Buf *out)
{
    Buf t = BUF_INIT;
    for (uint32_t k = 0; k < n; k++) {
        const ExStep *s = &steps[k];
        if (fields) {
            explain_step_text(x, s, explain_field_label(s->field), 0, &t);
            continue;
        }
        Buf label = BUF_INIT;
        buf_adds(&label, s->name);
        if (s->label)
            buf_printf(&label, " \"%s\"", s->label);
        explain_step_text(x, s, buf_cstr(&label), 0, &t);
        buf_free(&label);
    }
    buf_adds(out, "<pre>");
    fmt_html(out, t.data ? t.data : "", t.len);
    buf_adds(out, "</pre>\n");
    buf_free(&t);
}

static void indicator_card(const Explanation *x, uint32_t i, Buf *out)
{
    const ExIndicator *xi = &x->inds[i];
    const IndicatorOut *o = xi->out;
    buf_adds(out, "<section class=\"indicator\"><h3>");
    fmt_html_cstr(out, o->label ? o->label : o->name);
    buf_adds(out, "</h3>\n");
    if (!xi->active) {
        buf_adds(out, "<p class=\"muted\">Not among the indicators of this employee's role.</p></section>\n");
        return;
    }
    plot(x, xi, out);
    steps_pre(x, xi->steps, xi->nsteps, true, out);
    buf_adds(out, "</section>\n");
}

static void header(const Explanation *x, Buf *out)
{
    buf_adds(out, "<h1>Payout statement</h1>\n<p class=\"who\" id=\"employee\">");
    fmt_html_cstr(out, x->key ? x->key : "");
    if (x->name) {
        buf_adds(out, " · ");
        fmt_html_cstr(out, x->name);
    }
    if (x->dept) {
        buf_adds(out, " · ");
        fmt_html_cstr(out, x->dept);
    }
    buf_adds(out, "</p>\n<p class=\"muted\">");
    fmt_html_cstr(out, x->p->scheme_name);
    buf_adds(out, " · period ");
    fmt_html_cstr(out, x->period->label);
    buf_adds(out, "</p>\n<p class=\"payout\" id=\"payout\">Payout: <strong>");
    value_html(x, x->payout, XS_MONEY, out);
    buf_adds(out, "</strong></p>\n");
}

void statement_html(const Explanation *x, const char *tool_version, Buf *out)
{
    Buf title = BUF_INIT;
    buf_printf(&title, "Payout statement %s %s", x->key ? x->key : "", x->period->label);
    head(out, buf_cstr(&title));
    buf_free(&title);
    header(x, out);
    indicator_table(x, out);
    buf_adds(out, "<h2>How each indicator was scored</h2>\n");
    for (uint32_t i = 0; i < x->ninds; i++)
        indicator_card(x, i, out);
    buf_adds(out, "<h2>How the payout was computed</h2>\n");
    steps_pre(x, x->values, x->nvalues, false, out);
    buf_printf(out, "<footer>Computed by kpirun %s from the scheme's bytecode; every number above is the value the "
                    "computation produced, not a second calculation. Lines like scheme.kpi:75 point to the rule in "
                    "the scheme.</footer>\n</body>\n</html>\n", tool_version);
}

void statement_index_html(const RunResult *r, const Period *period, const char *const *files,
                          const char *tool_version, Buf *out)
{
    const Program *p = r->p;
    Buf title = BUF_INIT;
    buf_printf(&title, "Payout statements %s", period->label);
    head(out, buf_cstr(&title));
    buf_free(&title);
    buf_adds(out, "<h1>Payout statements</h1>\n<p class=\"muted\">");
    fmt_html_cstr(out, p->scheme_name);
    buf_adds(out, " · period ");
    fmt_html_cstr(out, period->label);
    buf_adds(out, "</p>\n<table id=\"employees\">\n<tr><th>employee</th><th>name</th><th>department</th>"
                  "<th>payout</th></tr>\n");
    int payout = -1;
    for (uint32_t i = 0; i < p->nouts; i++)
        if (p->outs[i].kind == OUT_PAYOUT)
            payout = (int)i;
    for (uint32_t e = 0; e < r->nemp; e++) {
        buf_adds(out, "<tr><td><a href=\"");
        fmt_html_cstr(out, files[e]);
        buf_adds(out, "\">");
        fmt_html_cstr(out, strtab_get(&r->strs, r->emp_key[e], NULL));
        buf_adds(out, "</a></td><td>");
        if (r->emp_name[e] != STR_NONE)
            fmt_html_cstr(out, strtab_get(&r->strs, r->emp_name[e], NULL));
        buf_adds(out, "</td><td>");
        if (r->emp_dept[e] != STR_NONE)
            fmt_html_cstr(out, strtab_get(&r->strs, r->emp_dept[e], NULL));
        buf_adds(out, "</td><td class=\"num\">");
        bool approx = false;
        if (payout >= 0)
            fmt_amount(run_regs(r, e)[p->outs[payout].reg], 2, (RoundMode)p->rounding, &approx, out);
        buf_adds(out, "</td></tr>\n");
    }
    buf_printf(out, "</table>\n<footer>kpirun %s</footer>\n</body>\n</html>\n", tool_version);
}

/* Characters kept as they are in a file name: letters (any script),
 * digits and - _ . (not leading). */
static bool keep_char(unsigned char c, size_t at)
{
    if (c >= 0x80)
        return true;
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_')
        return true;
    return c == '.' && at > 0;
}

static bool taken_name(const char *name, const char *const *taken, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (taken[i] && !strcmp(taken[i], name))
            return true;
    return !strcmp(name, "index.html") || !strcmp(name, "manifest.json");
}

char *statement_file_name(const char *key, const char *const *taken, size_t n)
{
    Buf base = BUF_INIT;
    /* at most about 120 bytes, cut between characters */
    for (size_t i = 0; key[i] && (base.len < 120 || ((unsigned char)key[i] & 0xC0) == 0x80); i++)
        buf_addc(&base, keep_char((unsigned char)key[i], i) ? key[i] : '_');
    if (!base.len)
        buf_addc(&base, '_');
    Buf name = BUF_INIT;
    buf_printf(&name, "%s.html", buf_cstr(&base));
    for (unsigned k = 2; taken_name(buf_cstr(&name), taken, n); k++) {
        name.len = 0;
        buf_printf(&name, "%s-%u.html", buf_cstr(&base), k);
    }
    char *s = kpi_strdup(buf_cstr(&name));
    buf_free(&base);
    buf_free(&name);
    return s;
}
