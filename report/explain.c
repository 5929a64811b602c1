/* explain.c - the explanation model (explain.h): steps and events read off
 * the employee's registers and trace records. */
#include "report/explain.h"
#include "base/alloc.h"
#include "report/format.h"

#include <string.h>

/* ---- source text ---- */
/* The source text of a span on one line: runs of whitespace (newlines
 * included) become one space; a long text is cut with an ellipsis. */
static char *span_text(const Program *p, Span sp, size_t max_chars)
{
    const Source *src = sources_get(&p->sources, sp.file);
    Buf b = BUF_INIT;
    if (src && sp.end <= src->len && sp.start <= sp.end) {
        bool space = false;
        size_t chars = 0;
        for (uint32_t i = sp.start; i < sp.end; i++) {
            char c = src->text[i];
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                space = b.len > 0;
                continue;
            }
            if (space)
                buf_addc(&b, ' ');
            space = false;
            if (((unsigned char)c & 0xC0) != 0x80 && ++chars > max_chars) {
                buf_adds(&b, "\u2026");
                break;
            }
            buf_addc(&b, c);
        }
    }
    char *s = kpi_strdup(buf_cstr(&b));
    buf_free(&b);
    return s;
}

char *explain_source_text(const Program *p, Span sp)
{
    const Source *src = sources_get(&p->sources, sp.file);
    if (src && sp.end <= src->len && sp.start < sp.end) {
        const char *nl = memchr(src->text + sp.start, '\n', sp.end - sp.start);
        if (nl) {
            Span first = {sp.start, (uint32_t)(nl - src->text), sp.file};
            char *head = span_text(p, first, 120);
            Buf b = BUF_INIT;
            buf_printf(&b, "%s \u2026 }", head);
            kpi_free(head);
            char *s = kpi_strdup(buf_cstr(&b));
            buf_free(&b);
            return s;
        }
    }
    return span_text(p, sp, 160);
}

/* ---- styles ---- */
static ExStyle unit_style(uint8_t unit)
{
    switch ((DefUnit)unit) {
    case DU_MONEY: return XS_MONEY;
    case DU_HOURS: return XS_HOURS;
    case DU_DAYS: return XS_DAYS;
    default: return XS_PLAIN;
    }
}

/* Indicator indices, scores, weights, contributions and the KPI read as
 * percentages; the rest by their unit. */
static ExStyle *reg_styles(const Program *p)
{
    ExStyle *st = kpi_calloc(p->npersist ? p->npersist : 1, sizeof(ExStyle));
    for (uint32_t i = 0; i < p->npersist; i++)
        st[i] = unit_style(p->def_unit[i]);
    for (uint32_t i = 0; i < p->nind; i++) {
        const IndicatorOut *o = &p->ind[i];
        uint16_t pct[5] = {o->index, o->raw_score, o->score, o->weight, o->contrib};
        for (int k = 0; k < 5; k++)
            if (st[pct[k]] == XS_PLAIN)
                st[pct[k]] = XS_PERCENT;
    }
    for (uint32_t i = 0; i < p->nouts; i++)
        if (p->outs[i].kind == OUT_KPI)
            st[p->outs[i].reg] = XS_PERCENT;
    return st;
}

/* ---- steps ---- */
typedef struct Builder {
    const Program   *p;
    const RunResult *r;
    const TraceRec  *rec;
    const Value     *regs;
    ExStyle         *style;
    uint32_t        *first;    /* per register: its first trace point */
    bool            *off;      /* per register: a field of an indicator the role does not have */
} Builder;

static ExStyle col_style(const ColumnSpec *c)
{
    return c->type == COL_MONEY ? XS_MONEY : c->type == COL_HOURS ? XS_HOURS : c->type == COL_DAYS ? XS_DAYS
                                                                                                : XS_PLAIN;
}

/* An input reads in its column's unit: a roster or plan column, or an
 * aggregate (not a count) of one column. */
static ExStyle read_style(const Program *p, Ins in)
{
    if (in.op == BC_ROSTER)
        return col_style(&p->tables[p->roster].cols[in.b]);
    if (in.op == BC_PLAN)
        return col_style(&p->tables[in.x].cols[in.b]);
    if (in.op != BC_AGG)
        return XS_PLAIN;
    const AggSpec *a = &p->aggs[in.b];
    const TableSpec *t = &p->tables[a->table];
    bool valued = a->kind == AGG_SUM || a->kind == AGG_AVG || a->kind == AGG_MIN || a->kind == AGG_MAX;
    if (!valued || a->nargs != 1 || t->vecs[a->args[0]].col < 0)
        return XS_PLAIN;
    return col_style(&t->cols[t->vecs[a->args[0]].col]);
}

static bool same_text(const ExEvent *ev, uint32_t n, const char *text)
{
    for (uint32_t i = 0; i < n; i++)
        if ((ev[i].kind == TK_READ || ev[i].kind == TK_VALUE) && strcmp(ev[i].text, text) == 0)
            return true;
    return false;
}

static bool add_event(Builder *b, ExStep *s, const TracePoint *t, const TraceRec *rec)
{
    ExEvent e;
    memset(&e, 0, sizeof e);
    e.kind = (TraceKind)t->kind;
    e.where = program_span(b->p, t->span);
    e.style = s->style;
    if (t->kind == TK_VALUE && b->off[t->reg])
        return false;
    if (t->kind == TK_VALUE) {
        e.op = BC_NOP;
        e.text = kpi_strdup(b->p->reg_names[t->reg]);
        e.v[0] = b->regs[t->reg];
        e.style = b->style[t->reg];
    } else {
        const Ins in = b->p->code[t->pc];
        e.op = in.op;
        e.mode = in.x;
        e.text = t->kind == TK_BAND ? span_text(b->p, e.where, 160) : explain_source_text(b->p, e.where);
        memcpy(e.v, rec->v, sizeof e.v);
        e.count = rec->count;
        if (t->kind == TK_READ)
            e.style = read_style(b->p, in);
    }
    /* a name read twice, or the whole formula read once, says nothing new */
    bool reads = e.kind == TK_READ || e.kind == TK_VALUE;
    if (reads && (same_text(s->events, s->nevents, e.text) ||
                  (!s->synthetic && strcmp(e.text, s->formula) == 0 && e.op != BC_AGG))) {
        kpi_free(e.text);
        return false;
    }
    s->events = kpi_realloc(s->events, sizeof(ExEvent) * (s->nevents + 1));
    s->events[s->nevents++] = e;
    return true;
}

static void build_step(Builder *b, uint16_t reg, const char *field, ExStep *s)
{
    const Program *p = b->p;
    memset(s, 0, sizeof *s);
    s->reg = reg;
    s->name = p->reg_names[reg];
    s->field = field;
    s->where = program_span(p, p->def_span[reg]);
    s->synthetic = p->def_text[reg] != NULL;
    s->formula = s->synthetic ? kpi_strdup(p->def_text[reg]) : explain_source_text(p, s->where);
    s->value = b->regs[reg];
    s->style = b->style[reg];
    size_t n = strlen(s->formula);
    if (s->style == XS_PLAIN && s->value.kind == V_NUM && !s->synthetic && n && s->formula[n - 1] == '%')
        s->style = XS_PERCENT; /* plan = 80% reads as written */
    for (uint32_t i = b->first[reg]; i < p->ntrace && p->trace[i].def == reg; i++) {
        const TracePoint *t = &p->trace[i];
        const TraceRec *rec = t->pc == TRACE_NO_PC ? NULL : &b->rec[i];
        if (!rec || rec->hit)
            add_event(b, s, t, rec);
    }
}

static void free_step(ExStep *s)
{
    for (uint32_t i = 0; i < s->nevents; i++)
        kpi_free(s->events[i].text);
    kpi_free(s->events);
    kpi_free(s->formula);
}

/* ---- indicators ---- */
static void push_step(Builder *b, ExIndicator *xi, uint16_t reg, const char *field)
{
    xi->steps = kpi_realloc(xi->steps, sizeof(ExStep) * (xi->nsteps + 1));
    build_step(b, reg, field, &xi->steps[xi->nsteps++]);
}

static void build_indicator(Builder *b, const IndicatorOut *o, ExIndicator *xi)
{
    memset(xi, 0, sizeof *xi);
    xi->out = o;
    Value act = b->regs[o->active];
    xi->active = !(act.kind == V_BOOL && !act.aux);
    xi->gated = (o->flags & IND_GATED) != 0;
    xi->index = b->regs[o->index];
    xi->score = b->regs[o->score];
    xi->weight = b->regs[o->weight];
    xi->contrib = b->regs[o->contrib];
    if (!xi->active)
        return;
    push_step(b, xi, o->fact, "fact");
    if (o->flags & IND_PLAN)
        push_step(b, xi, o->plan, "plan");
    push_step(b, xi, o->index, "index");
    push_step(b, xi, o->raw_score, "score");
    if (xi->gated) {
        push_step(b, xi, o->gate, "condition");
        push_step(b, xi, o->score, "final_score");
    }
    if (b->regs[o->weight].kind != V_BLANK || (o->flags & IND_SUMMED)) {
        push_step(b, xi, o->weight, "weight");
        push_step(b, xi, o->contrib, "contribution");
    }
}

/* Named values outside indicators that the payout is made of: lets and
 * results, in register order, which is evaluation order. Params show
 * where they are read. */
static void build_values(Builder *b, Explanation *x)
{
    const Program *p = b->p;
    for (uint16_t reg = 0; reg < p->npersist; reg++) {
        if (p->def_role[reg] != DR_LET && p->def_role[reg] != DR_RESULT)
            continue;
        x->values = kpi_realloc(x->values, sizeof(ExStep) * (x->nvalues + 1));
        ExStep *s = &x->values[x->nvalues++];
        build_step(b, reg, NULL, s);
        for (uint32_t i = 0; i < p->nouts; i++)
            if (p->outs[i].reg == reg)
                s->label = p->outs[i].label;
    }
    for (uint32_t i = 0; i < p->nouts; i++)
        if (p->outs[i].kind == OUT_PAYOUT)
            x->payout = b->regs[p->outs[i].reg];
}

static bool *inactive_regs(const Program *p, const Value *regs)
{
    bool *off = kpi_calloc(p->npersist ? p->npersist : 1, sizeof(bool));
    for (uint32_t i = 0; i < p->nind; i++) {
        const IndicatorOut *o = &p->ind[i];
        Value act = regs[o->active];
        if (!(act.kind == V_BOOL && !act.aux))
            continue;
        uint16_t f[9] = {o->active, o->fact,  o->plan,   o->index,  o->raw_score,
                         o->gate,   o->score, o->weight, o->contrib};
        for (int k = 0; k < 9; k++)
            off[f[k]] = true;
    }
    return off;
}

static void build_facts(const Program *p, const RunResult *r, uint32_t emp, Explanation *x)
{
    x->facts = kpi_calloc(p->ntables ? p->ntables : 1, sizeof(ExFacts));
    for (uint32_t t = 0; t < p->ntables; t++)
        if (p->tables[t].kind == TABLE_KIND_FACTS) {
            x->facts[x->nfacts].table = p->tables[t].name;
            x->facts[x->nfacts++].rows = r->emp_rows ? r->emp_rows[(size_t)emp * p->ntables + t] : 0;
        }
}

static const char *text_or_null(const RunResult *r, uint32_t id)
{
    return id == STR_NONE ? NULL : strtab_get(&r->strs, id, NULL);
}

void explain_build(const RunResult *r, const Period *period, uint32_t emp, Explanation *x)
{
    const Program *p = r->p;
    memset(x, 0, sizeof *x);
    x->p = p;
    x->r = r;
    x->period = period;
    x->emp = emp;
    x->key = text_or_null(r, r->emp_key[emp]);
    x->name = text_or_null(r, r->emp_name[emp]);
    x->dept = text_or_null(r, r->emp_dept[emp]);
    x->payout = val_blank();
    Builder b = {p, r, run_trace(r, emp), run_regs(r, emp), reg_styles(p), NULL, NULL};
    b.off = inactive_regs(p, b.regs);
    b.first = kpi_malloc(sizeof(uint32_t) * (p->npersist ? p->npersist : 1));
    for (uint32_t i = 0; i < p->npersist; i++)
        b.first[i] = UINT32_MAX;
    for (uint32_t i = p->ntrace; i > 0; i--)
        b.first[p->trace[i - 1].def] = i - 1;
    build_facts(p, r, emp, x);
    x->ninds = p->nind;
    x->inds = kpi_calloc(p->nind ? p->nind : 1, sizeof(ExIndicator));
    for (uint32_t i = 0; i < p->nind; i++)
        build_indicator(&b, &p->ind[i], &x->inds[i]);
    build_values(&b, x);
    kpi_free(b.style);
    kpi_free(b.first);
    kpi_free(b.off);
}

void explain_free(Explanation *x)
{
    for (uint32_t i = 0; i < x->ninds; i++) {
        for (uint32_t k = 0; k < x->inds[i].nsteps; k++)
            free_step(&x->inds[i].steps[k]);
        kpi_free(x->inds[i].steps);
    }
    kpi_free(x->inds);
    for (uint32_t i = 0; i < x->nvalues; i++)
        free_step(&x->values[i]);
    kpi_free(x->values);
    kpi_free(x->facts);
    memset(x, 0, sizeof *x);
}

/* ---- shared rendering ---- */
void explain_value(const Explanation *x, Value v, ExStyle style, Buf *out)
{
    bool approx = false;
    switch ((ValueKind)v.kind) {
    case V_BLANK: buf_adds(out, "blank"); return;
    case V_ERROR: buf_printf(out, "error (%s)", error_kind_text((ErrorKind)v.err)); return;
    case V_NUM: break;
    default: fmt_value(&x->r->strs, v, out); return;
    }
    switch (style) {
    case XS_PERCENT: fmt_pct_short(v, &approx, out); break;
    case XS_MONEY:
        fmt_fact(v, &approx, out);
        if (x->p->currency[0])
            buf_printf(out, " %s", x->p->currency);
        break;
    case XS_HOURS: fmt_fact(v, &approx, out); buf_adds(out, " h"); break;
    case XS_DAYS: fmt_fact(v, &approx, out); buf_adds(out, " d"); break;
    default: fmt_fact(v, &approx, out); break;
    }
}

void explain_where(const Explanation *x, Span where, Buf *out)
{
    const Source *src = sources_get(&x->p->sources, where.file);
    if (!src) {
        buf_adds(out, "?");
        return;
    }
    LineCol lc = source_linecol(src, where.start);
    buf_printf(out, "%s:%u", src->name, lc.line);
}
