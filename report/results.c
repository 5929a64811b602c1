/* results.c - see results.h. Numbers are written exactly when their decimal
 * ends within REPORT_FRAC_DIGITS digits, else rounded half-even to that many
 * (an index of 2/3 is 0.6666666667); payouts are already rounded money. */
#include "report/results.h"
#include "base/alloc.h"
#include "base/fsio.h"
#include "base/utf8.h"
#include "report/format.h"

#include <string.h>

static const char *text_of(const RunResult *r, uint32_t id)
{
    return id == STR_NONE ? "" : strtab_get(&r->strs, id, NULL);
}

/* ---- CSV ---- */
static void csv_value(const RunResult *r, const Value *v, Buf *out)
{
    if (v->kind == V_TEXT) {
        uint32_t len;
        const char *s = strtab_get(&r->strs, v->aux, &len);
        fmt_csv_text(out, s, len);
    } else {
        fmt_value_at(&r->strs, v, out); /* numbers, bools and dates never need quotes */
    }
}

static void csv_header(const Program *p, Buf *out)
{
    buf_adds(out, "employee,name,department");
    for (uint32_t i = 0; i < p->nind; i++)
        buf_printf(out, ",%s.fact,%s.plan,%s.index,%s.score", p->ind[i].name, p->ind[i].name,
                   p->ind[i].name, p->ind[i].name);
    for (uint32_t i = 0; i < p->nouts; i++)
        buf_printf(out, ",%s", p->outs[i].name);
    buf_adds(out, ",inexact\n");
}

static bool employee_inexact(const RunResult *r, uint32_t e)
{
    return r->emp_inexact && r->emp_inexact[e];
}

static void csv_employee(const RunResult *r, uint32_t e, const Value *regs, Buf *out)
{
    const Program *p = r->p;
    {
        const char *k = text_of(r, r->emp_key[e]), *n = text_of(r, r->emp_name[e]),
                   *d = text_of(r, r->emp_dept[e]);
        fmt_csv_text(out, k, strlen(k));
        buf_addc(out, ',');
        fmt_csv_text(out, n, strlen(n));
        buf_addc(out, ',');
        fmt_csv_text(out, d, strlen(d));
        for (uint32_t i = 0; i < p->nind; i++) {
            const IndicatorOut *o = &p->ind[i];
            uint16_t f[4] = {o->fact, o->plan, o->index, o->score};
            for (int j = 0; j < 4; j++) {
                buf_addc(out, ',');
                csv_value(r, &regs[f[j]], out);
            }
        }
        for (uint32_t i = 0; i < p->nouts; i++) {
            buf_addc(out, ',');
            csv_value(r, &regs[p->outs[i].reg], out);
        }
        buf_adds(out, employee_inexact(r, e) ? ",yes\n" : ",\n");
    }
}

/* ---- JSON ---- */
static void json_value(const RunResult *r, Value v, Buf *out)
{
    fmt_json_value(&r->strs, v, out);
}

static void json_employee(const RunResult *r, uint32_t e, const Value *regs, Buf *out)
{
    const Program *p = r->p;
    buf_adds(out, "    {\"employee\": ");
    fmt_json_cstr(out, text_of(r, r->emp_key[e]));
    buf_adds(out, ", \"name\": ");
    fmt_json_cstr(out, text_of(r, r->emp_name[e]));
    buf_adds(out, ", \"department\": ");
    fmt_json_cstr(out, text_of(r, r->emp_dept[e]));
    buf_adds(out, ",\n     \"indicators\": {");
    for (uint32_t i = 0; i < p->nind; i++) {
        const IndicatorOut *o = &p->ind[i];
        buf_printf(out, "%s\n       ", i ? "," : "");
        fmt_json_cstr(out, o->name);
        const char *names[5] = {"fact", "plan", "index", "score", "weight"};
        uint16_t f[5] = {o->fact, o->plan, o->index, o->score, o->weight};
        buf_adds(out, ": {");
        for (int k = 0; k < 5; k++) {
            buf_printf(out, "%s\"%s\": ", k ? ", " : "", names[k]);
            json_value(r, regs[f[k]], out);
        }
        buf_adds(out, "}");
    }
    buf_adds(out, p->nind ? "\n     },\n     \"values\": {" : "},\n     \"values\": {");
    for (uint32_t i = 0; i < p->nouts; i++) {
        buf_adds(out, i ? ", " : "");
        fmt_json_cstr(out, p->outs[i].name);
        buf_adds(out, ": ");
        json_value(r, regs[p->outs[i].reg], out);
    }
    buf_printf(out, "},\n     \"inexact\": %s}", employee_inexact(r, e) ? "true" : "false");
}

static void json_header(const RunResult *r, const Period *period, Buf *out)
{
    buf_adds(out, "{\n  \"schema_version\": 1,\n  \"scheme\": ");
    fmt_json_cstr(out, r->p->scheme_name);
    buf_adds(out, ",\n  \"period\": ");
    fmt_json_cstr(out, period->label);
    buf_adds(out, ",\n  \"employees\": [\n");
}

/* ---- the table for people ---- */
static void pad_to(Buf *out, const char *s, size_t width, bool right)
{
    size_t w = utf8_width(s, strlen(s));
    if (right)
        buf_pad(out, ' ', w < width ? width - w : 0);
    buf_adds(out, s);
    if (!right)
        buf_pad(out, ' ', w < width ? width - w : 0);
}

enum { TC_LABEL, TC_FACT, TC_PLAN, TC_INDEX, TC_SCORE, TC_WEIGHT, NCOLS };

static void outs_line(const RunResult *r, const Value *regs, bool results, bool *approx, Buf *out);

static void table_employee(const RunResult *r, uint32_t e, const Value *regs, bool *approx, Buf *out)
{
    const Program *p = r->p;
    buf_printf(out, "%s", text_of(r, r->emp_key[e]));
    if (r->emp_name[e] != STR_NONE)
        buf_printf(out, "  %s", text_of(r, r->emp_name[e]));
    if (r->emp_dept[e] != STR_NONE)
        buf_printf(out, "  (%s)", text_of(r, r->emp_dept[e]));
    buf_addc(out, '\n');
    /* cells first, to size the columns */
    uint32_t nrows = 1;
    Buf *cells = kpi_calloc((size_t)(p->nind + 1) * NCOLS, sizeof(Buf));
    const char *heads[NCOLS] = {"indicator", "fact", "plan", "index", "score", "weight"};
    for (int c = 0; c < NCOLS; c++)
        buf_adds(&cells[c], heads[c]);
    for (uint32_t i = 0; i < p->nind; i++) {
        const IndicatorOut *o = &p->ind[i];
        if (regs[o->active].kind == V_BOOL && !regs[o->active].aux)
            continue;
        Buf *row = &cells[(size_t)nrows++ * NCOLS];
        buf_adds(&row[TC_LABEL], o->label ? o->label : o->name);
        fmt_fact(regs[o->fact], approx, &row[TC_FACT]);
        fmt_fact(regs[o->plan], approx, &row[TC_PLAN]);
        fmt_pct(regs[o->index], approx, &row[TC_INDEX]);
        fmt_pct(regs[o->score], approx, &row[TC_SCORE]);
        fmt_pct(regs[o->weight], approx, &row[TC_WEIGHT]);
        if (regs[o->gate].kind == V_BOOL && !regs[o->gate].aux)
            buf_adds(&row[TC_SCORE], " (condition not met)");
    }
    size_t width[NCOLS] = {0};
    for (uint32_t i = 0; i < nrows; i++)
        for (int c = 0; c < NCOLS; c++) {
            size_t w = utf8_width(buf_cstr(&cells[i * NCOLS + c]), cells[i * NCOLS + c].len);
            if (w > width[c])
                width[c] = w;
        }
    for (uint32_t i = 0; nrows > 1 && i < nrows; i++) {
        buf_adds(out, "  ");
        for (int c = 0; c < NCOLS; c++) {
            pad_to(out, buf_cstr(&cells[i * NCOLS + c]), width[c], c != TC_LABEL);
            if (c + 1 < NCOLS)
                buf_adds(out, "  ");
        }
        while (out->len && out->data[out->len - 1] == ' ')
            out->len--;
        buf_addc(out, '\n');
    }
    for (uint32_t i = 0; i < (p->nind + 1) * NCOLS; i++)
        buf_free(&cells[i]);
    kpi_free(cells);
    outs_line(r, regs, false, approx, out);
    outs_line(r, regs, true, approx, out);
    buf_addc(out, '\n');
}

/* The labelled values on one line, then KPI, bonus and payout on another. */
static void outs_line(const RunResult *r, const Value *regs, bool results, bool *approx, Buf *out)
{
    const Program *p = r->p;
    bool first = true;
    for (uint32_t i = 0; i < p->nouts; i++) {
        const ValueOut *o = &p->outs[i];
        if ((o->kind != OUT_LET) != results)
            continue;
        Value v = regs[o->reg];
        buf_adds(out, first ? "  " : " · ");
        first = false;
        buf_printf(out, "%s ", o->label ? o->label : o->kind == OUT_KPI ? "KPI" : o->name);
        if (v.kind == V_BLANK)
            buf_adds(out, "blank");
        else if (o->kind == OUT_KPI)
            fmt_pct(v, approx, out);
        else if (v.kind == V_NUM && o->kind == OUT_LET)
            fmt_fact(v, approx, out);
        else if (v.kind == V_NUM)
            fmt_amount(v, 2, (RoundMode)p->rounding, approx, out);
        else if (v.kind == V_BLANK)
            buf_adds(out, "blank");
        else
            fmt_value(&r->strs, v, out);
    }
    if (!first)
        buf_addc(out, '\n');
}

static void table_header(const RunResult *r, const Period *period, Buf *out)
{
    const Program *p = r->p;
    buf_printf(out, "%s · period %s · %u employee%s\n\n", p->scheme_name[0] ? p->scheme_name : "scheme",
               period->label, r->nemp, r->nemp == 1 ? "" : "s");
}

static void table_footer(ReportStream *s, const RunResult *r)
{
    const Program *p = r->p;
    Buf *out = s->out;
    buf_adds(out, "total payout ");
    fmt_amount(s->total, 2, (RoundMode)p->rounding, &s->approx, out);
    if (p->currency[0])
        buf_printf(out, " %s", p->currency);
    buf_addc(out, '\n');
    if (s->approx)
        buf_adds(out, "\u2248 marks a number rounded for display; --format csv or json gives 10 decimals\n");
    if (r->inexact)
        buf_adds(out, "~ marks a value that was rounded to 18+ significant digits because its "
                      "exact fraction outgrew 128 bits\n");
}

/* ---- a stream: a header, employee after employee, an end ---- */
void report_stream_init(ReportStream *s, ReportFormat f, const Period *period, Buf *out)
{
    memset(s, 0, sizeof *s);
    s->f = f;
    s->period = period;
    s->out = out;
    s->total = val_num(rat_int(0));
}

static void begin(ReportStream *s, const RunResult *r)
{
    if (s->started)
        return;
    s->started = true;
    if (s->f == REPORT_CSV)
        csv_header(r->p, s->out);
    else if (s->f == REPORT_JSON)
        json_header(r, s->period, s->out);
    else
        table_header(r, s->period, s->out);
}

/* An employee's row, or NULL text to make it here. */
static void stream_employee(ReportStream *s, const RunResult *r, uint32_t e, const Value *regs, const char *text,
                            size_t len)
{
    const Program *p = r->p;
    begin(s, r);
    if (s->f == REPORT_JSON)
        buf_adds(s->out, s->n ? ",\n" : "");
    if (text) {
        buf_add(s->out, text, len);
    } else if (s->f == REPORT_CSV) {
        csv_employee(r, e, regs, s->out);
    } else if (s->f == REPORT_JSON) {
        json_employee(r, e, regs, s->out);
    } else {
        table_employee(r, e, regs, &s->approx, s->out);
        for (uint32_t i = 0; i < p->nouts; i++)
            if (p->outs[i].kind == OUT_PAYOUT)
                s->total = val_add(s->total, regs[p->outs[i].reg], 0);
    }
    s->n++;
}

void report_stream_employee(ReportStream *s, const RunResult *r, uint32_t e, const Value *regs)
{
    stream_employee(s, r, e, regs, NULL, 0);
}

static void render_csv(void *ctx, const RunResult *r, uint32_t e, const Value *regs, Buf *out)
{
    (void)ctx;
    csv_employee(r, e, regs, out);
}

static void render_json(void *ctx, const RunResult *r, uint32_t e, const Value *regs, Buf *out)
{
    (void)ctx;
    json_employee(r, e, regs, out);
}

ReportRender report_render_for(ReportFormat f)
{
    return f == REPORT_CSV ? render_csv : f == REPORT_JSON ? render_json : NULL;
}

void report_stream_end(ReportStream *s, const RunResult *r)
{
    begin(s, r);
    if (s->f == REPORT_JSON)
        buf_adds(s->out, s->n ? "\n  ]\n}\n" : "  ]\n}\n");
    else if (s->f == REPORT_TABLE)
        table_footer(s, r);
}

void report_sink(void *ctx, const RunResult *r, uint32_t emp, const Value *regs, const char *text, size_t len)
{
    stream_employee(ctx, r, emp, regs, text, len);
}

void report_write(const RunResult *r, const Period *period, ReportFormat f, Buf *out)
{
    ReportStream s;
    report_stream_init(&s, f, period, out);
    for (uint32_t e = 0; e < r->nemp; e++)
        report_stream_employee(&s, r, e, run_regs(r, e));
    report_stream_end(&s, r);
}
