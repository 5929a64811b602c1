/* explain_json.c - an explanation as data (kpirun --explain EMP --format
 * json); the schema is docs/explain.schema.json, described in docs/explain.md. */
#include "report/explain.h"
#include "base/alloc.h"
#include "report/format.h"

#include <string.h>

static void jvalue(const Explanation *x, Value v, Buf *out)
{
    switch ((ValueKind)v.kind) {
    case V_NUM:
    case V_BOOL: fmt_value(NULL, v, out); break;
    case V_TEXT:
    case V_DATE: {
        Buf t = BUF_INIT;
        fmt_value(&x->r->strs, v, &t);
        fmt_json_string(out, buf_cstr(&t), t.len);
        buf_free(&t);
        break;
    }
    case V_ERROR:
        buf_adds(out, "{\"error\": ");
        fmt_json_cstr(out, error_kind_text((ErrorKind)v.err));
        buf_adds(out, "}");
        break;
    default: buf_adds(out, "null"); break;
    }
}

static void jsource(const Explanation *x, Span where, Buf *out)
{
    const Source *src = sources_get(&x->p->sources, where.file);
    if (!src) {
        buf_adds(out, "null");
        return;
    }
    LineCol lc = source_linecol(src, where.start);
    buf_adds(out, "{\"file\": ");
    fmt_json_cstr(out, src->name);
    buf_printf(out, ", \"line\": %u, \"column\": %u}", lc.line, lc.col);
}

static const char *style_name(ExStyle s)
{
    static const char *const names[] = {"plain", "percent", "money", "hours", "days"};
    return names[s];
}

static void jevent(const Explanation *x, const ExEvent *e, Buf *out)
{
    buf_printf(out, "{\"kind\": \"%s\", \"text\": ", trace_kind_name(e->kind));
    fmt_json_cstr(out, e->text);
    if (e->kind != TK_VALUE) {
        buf_adds(out, ", \"source\": ");
        jsource(x, e->where, out);
    }
    if (e->kind != TK_BAND) {
        buf_adds(out, e->kind == TK_BRANCH ? ", \"condition\": " : ", \"value\": ");
        jvalue(x, e->v[0], out);
    }
    if (e->kind == TK_CHOICE || e->kind == TK_ROUND || e->kind == TK_DEFAULT) {
        buf_adds(out, ", \"operands\": [");
        jvalue(x, e->v[1], out);
        buf_adds(out, ", ");
        jvalue(x, e->v[2], out);
        buf_adds(out, "]");
    }
    if (e->kind == TK_CHOICE)
        buf_printf(out, ", \"function\": \"%s\"", e->op == BC_MIN ? "min" : "max");
    if (e->kind == TK_ROUND)
        buf_printf(out, ", \"mode\": \"%s\"", round_mode_name((RoundMode)e->mode));
    if (e->op == BC_AGG)
        buf_printf(out, ", \"rows\": %llu", (unsigned long long)e->count);
    if (e->op == BC_TEAM)
        buf_printf(out, ", \"members\": %llu", (unsigned long long)e->count);
    if (e->kind == TK_NOBAND)
        buf_printf(out, ", \"reason\": \"%s\"", e->op == BC_FAIL ? "no band matches" : "blank condition");
    buf_adds(out, "}");
}

static void jstep(const Explanation *x, const ExStep *s, const char *pad, Buf *out)
{
    buf_adds(out, "{\"name\": ");
    fmt_json_cstr(out, s->name);
    if (s->field) {
        buf_adds(out, ", \"field\": ");
        fmt_json_cstr(out, s->field);
    }
    if (s->label) {
        buf_adds(out, ", \"label\": ");
        fmt_json_cstr(out, s->label);
    }
    buf_adds(out, ", \"formula\": ");
    fmt_json_cstr(out, s->formula);
    buf_printf(out, ", \"formula_is_source\": %s, \"source\": ", s->synthetic ? "false" : "true");
    jsource(x, s->where, out);
    buf_adds(out, ",\n");
    buf_printf(out, "%s \"value\": ", pad);
    jvalue(x, s->value, out);
    buf_printf(out, ", \"unit\": \"%s\", \"events\": [", style_name(s->style));
    for (uint32_t i = 0; i < s->nevents; i++) {
        buf_printf(out, "%s\n%s   ", i ? "," : "", pad);
        jevent(x, &s->events[i], out);
    }
    buf_adds(out, s->nevents ? "]}" : "]}");
}

static void jindicator(const Explanation *x, const ExIndicator *xi, Buf *out)
{
    const IndicatorOut *o = xi->out;
    buf_adds(out, "    {\"name\": ");
    fmt_json_cstr(out, o->name);
    buf_adds(out, ", \"label\": ");
    if (o->label)
        fmt_json_cstr(out, o->label);
    else
        buf_adds(out, "null");
    buf_printf(out, ", \"active\": %s, \"gated\": %s,\n     \"index\": ", xi->active ? "true" : "false",
               xi->gated ? "true" : "false");
    jvalue(x, xi->index, out);
    buf_adds(out, ", \"score\": ");
    jvalue(x, xi->score, out);
    buf_adds(out, ", \"weight\": ");
    jvalue(x, xi->weight, out);
    buf_adds(out, ", \"contribution\": ");
    jvalue(x, xi->contrib, out);
    buf_adds(out, ",\n     \"steps\": [");
    for (uint32_t k = 0; k < xi->nsteps; k++) {
        buf_adds(out, k ? ",\n      " : "\n      ");
        jstep(x, &xi->steps[k], "      ", out);
    }
    buf_adds(out, xi->nsteps ? "\n     ]}" : "]}");
}

static void jheader(const Explanation *x, Buf *out)
{
    buf_printf(out, "{\n  \"schema_version\": %d,\n  \"scheme\": ", EXPLAIN_SCHEMA_VERSION);
    fmt_json_cstr(out, x->p->scheme_name);
    buf_adds(out, ",\n  \"period\": ");
    fmt_json_cstr(out, x->period->label);
    buf_adds(out, ",\n  \"currency\": ");
    fmt_json_cstr(out, x->p->currency);
    buf_adds(out, ",\n  \"employee\": {\"key\": ");
    fmt_json_cstr(out, x->key ? x->key : "");
    const char *opt[2] = {x->name, x->dept};
    const char *names[2] = {"name", "department"};
    for (int i = 0; i < 2; i++) {
        buf_printf(out, ", \"%s\": ", names[i]);
        if (opt[i])
            fmt_json_cstr(out, opt[i]);
        else
            buf_adds(out, "null");
    }
    buf_adds(out, "},\n  \"fact_rows\": [");
    for (uint32_t i = 0; i < x->nfacts; i++) {
        buf_adds(out, i ? ", {\"table\": " : "{\"table\": ");
        fmt_json_cstr(out, x->facts[i].table);
        buf_printf(out, ", \"rows\": %llu}", (unsigned long long)x->facts[i].rows);
    }
    buf_adds(out, "],\n");
}

void explain_json(const Explanation *x, Buf *out)
{
    jheader(x, out);
    buf_adds(out, "  \"indicators\": [");
    for (uint32_t i = 0; i < x->ninds; i++) {
        buf_adds(out, i ? ",\n" : "\n");
        jindicator(x, &x->inds[i], out);
    }
    buf_adds(out, x->ninds ? "\n  ],\n  \"values\": [" : "],\n  \"values\": [");
    for (uint32_t i = 0; i < x->nvalues; i++) {
        buf_adds(out, i ? ",\n    " : "\n    ");
        jstep(x, &x->values[i], "    ", out);
    }
    buf_adds(out, x->nvalues ? "\n  ],\n  \"payout\": " : "],\n  \"payout\": ");
    jvalue(x, x->payout, out);
    buf_adds(out, "\n}\n");
}
