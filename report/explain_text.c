/* explain_text.c - an explanation in plain words (kpirun --explain EMP).
 * Every step reads "name = formula", the values it was made of, what
 * happened inside it (a band taken, a cap that bit, a rounding), and "=
 * value"; a reader can redo each line by hand. */
#include "report/explain.h"
#include "base/alloc.h"

#include <string.h>

static void value(const Explanation *x, Value v, ExStyle style, Buf *out) { explain_value(x, v, style, out); }

/* "  (scales.kpi:6)" when the event is not on the step's own line. */
static void event_where(const Explanation *x, const ExStep *s, const ExEvent *e, Buf *out)
{
    if (e->kind == TK_VALUE)
        return;
    const Source *a = sources_get(&x->p->sources, s->where.file);
    const Source *b = sources_get(&x->p->sources, e->where.file);
    if (!a || !b)
        return;
    bool same = a == b && source_linecol(a, s->where.start).line == source_linecol(b, e->where.start).line;
    if (same && !s->synthetic)
        return;
    buf_adds(out, "  (");
    explain_where(x, e->where, out);
    buf_adds(out, ")");
}

static void read_text(const Explanation *x, const ExEvent *e, Buf *out)
{
    buf_printf(out, "%s = ", e->text);
    value(x, e->v[0], e->style, out);
    if (e->op == BC_AGG)
        buf_printf(out, " (%llu row%s)", (unsigned long long)e->count, e->count == 1 ? "" : "s");
    else if (e->op == BC_TEAM)
        buf_printf(out, " (%llu member%s)", (unsigned long long)e->count, e->count == 1 ? "" : "s");
}

static const char *truth(Value v)
{
    return v.kind == V_BOOL ? (v.aux ? "yes" : "no") : v.kind == V_BLANK ? "blank" : "error";
}

/* "min(a, b): " - unless the event is the step's whole formula. */
static void event_prefix(const ExStep *s, const ExEvent *e, Buf *out)
{
    if (strcmp(e->text, s->formula) != 0)
        buf_printf(out, "%s: ", e->text);
}

static void mode_text(RoundMode m, Buf *out)
{
    for (const char *c = round_mode_name(m); *c; c++)
        buf_addc(out, *c == '_' ? ' ' : *c);
}

static void event_text(const Explanation *x, const ExStep *s, const ExEvent *e, Buf *out)
{
    if (e->kind != TK_BRANCH && e->kind != TK_BAND && e->kind != TK_NOBAND)
        event_prefix(s, e, out);
    switch (e->kind) {
    case TK_READ:
    case TK_VALUE: read_text(x, e, out); break;
    case TK_CHOICE:
        buf_printf(out, "%s of ", e->op == BC_MIN ? "the smaller" : "the larger");
        value(x, e->v[1], e->style, out);
        buf_adds(out, " and ");
        value(x, e->v[2], e->style, out);
        buf_adds(out, " is ");
        value(x, e->v[0], e->style, out);
        break;
    case TK_ROUND:
        value(x, e->v[1], e->style, out);
        buf_adds(out, " rounded to a multiple of ");
        value(x, e->v[2], XS_PLAIN, out);
        buf_adds(out, " (");
        mode_text((RoundMode)e->mode, out);
        buf_adds(out, ") is ");
        value(x, e->v[0], e->style, out);
        break;
    case TK_BRANCH: buf_printf(out, "if %s: %s", e->text, truth(e->v[0])); break;
    case TK_BAND: buf_printf(out, "band taken: %s", e->text); break;
    case TK_NOBAND:
        if (e->op == BC_FAIL)
            buf_adds(out, "no band matches the value");
        else
            buf_adds(out, "a band's condition is blank, so the result is blank");
        break;
    case TK_DEFAULT:
        if (e->v[1].kind == V_BLANK || e->v[1].kind == V_ERROR) {
            buf_adds(out, "the value is ");
            value(x, e->v[1], e->style, out);
            buf_adds(out, ", so the default ");
            value(x, e->v[0], e->style, out);
            buf_adds(out, " is used");
        } else {
            buf_adds(out, "the value is not blank: the default is not used");
        }
        break;
    default: break;
    }
}

/* "1 000" reads as the formula "1000". */
static bool same_but_spaces(const char *a, const char *b)
{
    for (;; a++, b++) {
        while (*a == ' ')
            a++;
        while (*b == ' ')
            b++;
        if (*a != *b)
            return false;
        if (!*a)
            return true;
    }
}

static bool is_read(const ExEvent *e) { return e->kind == TK_READ || e->kind == TK_VALUE; }

/* An aggregate that is the whole formula: "fact = sum(...) = 5 (3 rows)". */
static const ExEvent *whole_read(const ExStep *s)
{
    if (s->nevents == 1 && s->events[0].kind == TK_READ && !s->synthetic &&
        strcmp(s->events[0].text, s->formula) == 0)
        return &s->events[0];
    return NULL;
}

void explain_step_text(const Explanation *x, const ExStep *s, const char *label, int indent, Buf *out)
{
    buf_pad(out, ' ', (size_t)indent);
    buf_printf(out, "%s = %s", label, s->formula);
    const ExEvent *whole = whole_read(s);
    if (!s->nevents || whole) {
        Buf v = BUF_INIT;
        value(x, s->value, s->style, &v);
        if (!same_but_spaces(buf_cstr(&v), s->formula)) /* weight = 40%, not 40% = 40% */
            buf_printf(out, " = %s", buf_cstr(&v));
        buf_free(&v);
        if (whole && whole->op == BC_AGG)
            buf_printf(out, " (%llu row%s)", (unsigned long long)whole->count, whole->count == 1 ? "" : "s");
    }
    if (!s->synthetic) {
        buf_adds(out, "  (");
        explain_where(x, s->where, out);
        buf_adds(out, ")");
    }
    buf_addc(out, '\n');
    if (!s->nevents || whole)
        return;
    bool reads = false;
    for (uint32_t i = 0; i < s->nevents; i++) {
        const ExEvent *e = &s->events[i];
        if (!is_read(e))
            continue;
        buf_pad(out, ' ', (size_t)indent + 4);
        buf_adds(out, reads ? "      " : "where ");
        reads = true;
        read_text(x, e, out);
        buf_addc(out, '\n');
    }
    for (uint32_t i = 0; i < s->nevents; i++) {
        const ExEvent *e = &s->events[i];
        if (is_read(e))
            continue;
        buf_pad(out, ' ', (size_t)indent + 4);
        event_text(x, s, e, out);
        event_where(x, s, e, out);
        buf_addc(out, '\n');
    }
    buf_pad(out, ' ', (size_t)indent + 2);
    buf_adds(out, "= ");
    value(x, s->value, s->style, out);
    buf_addc(out, '\n');
}

const char *explain_field_label(const char *field)
{
    return strcmp(field, "final_score") ? field : "score after the condition";
}

static void indicator_text(const Explanation *x, uint32_t i, Buf *out)
{
    const ExIndicator *xi = &x->inds[i];
    const IndicatorOut *o = xi->out;
    buf_printf(out, "Indicator %u of %u: %s", i + 1, x->ninds, o->label ? o->label : o->name);
    if (o->label)
        buf_printf(out, " (%s)", o->name);
    buf_addc(out, '\n');
    if (!xi->active) {
        buf_adds(out, "  not among the indicators of this employee's role\n\n");
        return;
    }
    for (uint32_t k = 0; k < xi->nsteps; k++) {
        const ExStep *s = &xi->steps[k];
        explain_step_text(x, s, explain_field_label(s->field), 2, out);
        if (!strcmp(s->field, "condition"))
            buf_printf(out, "    the condition %s\n", val_is_true(s->value) ? "holds" : "does not hold: the score is 0");
    }
    buf_addc(out, '\n');
}

static void header_text(const Explanation *x, Buf *out)
{
    buf_printf(out, "How the payout of %s", x->key ? x->key : "?");
    if (x->name)
        buf_printf(out, " %s", x->name);
    if (x->dept)
        buf_printf(out, " (%s)", x->dept);
    buf_printf(out, " for %s was computed\n", x->period->label);
    buf_printf(out, "scheme: %s\n", x->p->scheme_name[0] ? x->p->scheme_name : "(unnamed)");
    if (x->nfacts) {
        buf_adds(out, "fact rows of the period:");
        for (uint32_t i = 0; i < x->nfacts; i++)
            buf_printf(out, "%s %s %llu", i ? "," : "", x->facts[i].table, (unsigned long long)x->facts[i].rows);
        buf_addc(out, '\n');
    }
    buf_addc(out, '\n');
}

void explain_text(const Explanation *x, Buf *out)
{
    header_text(x, out);
    for (uint32_t i = 0; i < x->ninds; i++)
        indicator_text(x, i, out);
    if (x->nvalues)
        buf_adds(out, "Payout\n");
    for (uint32_t i = 0; i < x->nvalues; i++) {
        const ExStep *s = &x->values[i];
        Buf label = BUF_INIT;
        buf_adds(&label, s->name);
        if (s->label)
            buf_printf(&label, " \"%s\"", s->label);
        explain_step_text(x, s, buf_cstr(&label), 2, out);
        buf_free(&label);
    }
    buf_adds(out, "\npayout: ");
    value(x, x->payout, XS_MONEY, out);
    buf_addc(out, '\n');
}
