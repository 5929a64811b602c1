/* diff.c - see diff.h. The table shows amounts grouped and rounded with
 * each version's rounding (payouts are money already, so nothing is lost);
 * CSV and JSON write the exact decimals. */
#include "report/diff.h"
#include "base/alloc.h"
#include "base/utf8.h"
#include "report/format.h"

#include <string.h>

static const char *const status_word[] = {"same", "gain", "loss", "added", "removed"};
static const char *const field_word[DIFF__FIELDS] = {"fact", "plan", "index", "score", "weight", "contribution"};

static const IndicatorOut *move_indicator(const Diff *d, const DiffMove *m)
{
    return m->new_i >= 0 ? &d->new_->p->ind[m->new_i] : &d->old->p->ind[m->old_i];
}

static const ValueOut *move_value(const Diff *d, const DiffMove *m)
{
    return m->new_i >= 0 ? &d->new_->p->outs[m->new_i] : &d->old->p->outs[m->old_i];
}

static const char *move_name(const Diff *d, const DiffMove *m)
{
    return m->kind >= MOVE_VALUE ? move_value(d, m)->name : move_indicator(d, m)->name;
}

/* ---- a grid of cells, aligned like report/results.c's tables ---- */
typedef struct Grid {
    Buf     *cells;
    uint32_t ncols, nrows;
} Grid;

static Grid grid_new(uint32_t ncols, uint32_t nrows)
{
    Grid g = {kpi_calloc((size_t)ncols * nrows, sizeof(Buf)), ncols, nrows};
    return g;
}

static Buf *cell(Grid *g, uint32_t row, uint32_t col) { return &g->cells[(size_t)row * g->ncols + col]; }

static size_t width_of(Buf *b) { return utf8_width(buf_cstr(b), b->len); }

/* right: a bit per column aligned right. Trailing blanks are trimmed. */
static void grid_write(Grid *g, uint32_t right, Buf *out)
{
    size_t *w = kpi_calloc(g->ncols, sizeof(size_t));
    for (uint32_t r = 0; r < g->nrows; r++)
        for (uint32_t c = 0; c < g->ncols; c++)
            if (width_of(cell(g, r, c)) > w[c])
                w[c] = width_of(cell(g, r, c));
    for (uint32_t r = 0; r < g->nrows; r++) {
        for (uint32_t c = 0; c < g->ncols; c++) {
            Buf *b = cell(g, r, c);
            size_t pad = w[c] - width_of(b);
            buf_pad(out, ' ', (right >> c & 1) ? pad : 0);
            buf_add(out, buf_cstr(b), b->len);
            buf_pad(out, ' ', (right >> c & 1) ? 0 : pad);
            if (c + 1 < g->ncols)
                buf_adds(out, "  ");
        }
        while (out->len && out->data[out->len - 1] == ' ')
            out->len--;
        buf_addc(out, '\n');
    }
    kpi_free(w);
}

static void grid_free(Grid *g)
{
    for (size_t i = 0; i < (size_t)g->ncols * g->nrows; i++)
        buf_free(&g->cells[i]);
    kpi_free(g->cells);
}

/* ---- amounts for people ---- */
static RoundMode rounding(const RunResult *r) { return (RoundMode)r->p->rounding; }

/* A delta with its sign: +1 234.00, -56.78, 0.00. */
static void fmt_delta(const Diff *d, Value v, bool *approx, Buf *out)
{
    if (v.kind == V_NUM && rat_sign(v.q) > 0)
        buf_addc(out, '+');
    fmt_amount(v, 2, rounding(d->new_), approx, out);
}

static void fmt_currency(const Diff *d, Buf *out)
{
    if (d->new_->p->currency[0])
        buf_printf(out, " %s", d->new_->p->currency);
}

/* ---- the payouts ---- */
enum { PC_KEY, PC_NAME, PC_DEPT, PC_OLD, PC_NEW, PC_DELTA, PC_NOTE, PC__COUNT };

static void payout_row(const Diff *d, const DiffRow *r, Grid *g, uint32_t at, bool *approx)
{
    buf_adds(cell(g, at, PC_KEY), diff_key(d, r));
    buf_adds(cell(g, at, PC_NAME), diff_name(d, r));
    buf_adds(cell(g, at, PC_DEPT), diff_dept(d, r));
    if (r->old_e >= 0)
        fmt_amount(r->old_pay, 2, rounding(d->old), approx, cell(g, at, PC_OLD));
    if (r->new_e >= 0)
        fmt_amount(r->new_pay, 2, rounding(d->new_), approx, cell(g, at, PC_NEW));
    fmt_delta(d, r->delta, approx, cell(g, at, PC_DELTA));
    if (r->status == DIFF_ADDED || r->status == DIFF_REMOVED)
        buf_adds(cell(g, at, PC_NOTE), r->status == DIFF_ADDED ? "only in the new version" : "only in the old version");
}

static void payouts_table(const Diff *d, bool *approx, Buf *out)
{
    Grid g = grid_new(PC__COUNT, d->nrows + 1);
    const char *heads[PC__COUNT] = {"employee", "name", "department", "old payout", "new payout", "delta", ""};
    for (uint32_t c = 0; c < PC__COUNT; c++)
        buf_adds(cell(&g, 0, c), heads[c]);
    for (uint32_t i = 0; i < d->nrows; i++)
        payout_row(d, &d->rows[i], &g, i + 1, approx);
    grid_write(&g, 1u << PC_OLD | 1u << PC_NEW | 1u << PC_DELTA, out);
    grid_free(&g);
}

/* ---- what moved ---- */
static void fmt_field(int f, Value v, bool *approx, Buf *out)
{
    if (v.kind == V_BLANK)
        buf_adds(out, "blank");
    else if (f == DIFF_FACT || f == DIFF_PLAN)
        fmt_fact(v, approx, out);
    else
        fmt_pct(v, approx, out);
}

static void side_fields(const DiffSideVal *s, bool *approx, Buf *out)
{
    static const int shown[] = {DIFF_SCORE, DIFF_WEIGHT, DIFF_CONTRIB};
    for (size_t k = 0; k < sizeof shown / sizeof *shown; k++) {
        buf_printf(out, "%s%s ", k ? " · " : "", field_word[shown[k]]);
        fmt_field(shown[k], s->v[shown[k]], approx, out);
        if (shown[k] == DIFF_SCORE && s->gate_off)
            buf_adds(out, " (condition not met)");
    }
}

static bool field_changed(const DiffMove *m, int f)
{
    Value a = m->old.v[f], b = m->new_.v[f];
    if (a.kind != b.kind)
        return true;
    return a.kind == V_NUM ? !rat_eq(a.q, b.q) : a.kind == V_BOOL && a.aux != b.aux;
}

/* The fields that changed, old -> new; the score carries its condition. */
static void changed_fields(const DiffMove *m, bool *approx, Buf *out)
{
    bool first = true;
    for (int f = 0; f < DIFF__FIELDS; f++) {
        bool gate = f == DIFF_SCORE && m->old.gate_off != m->new_.gate_off;
        if (!field_changed(m, f) && !gate)
            continue;
        buf_printf(out, "%s%s ", first ? "" : " · ", field_word[f]);
        first = false;
        fmt_field(f, m->old.v[f], approx, out);
        buf_adds(out, f == DIFF_SCORE && m->old.gate_off ? " (condition not met) -> " : " -> ");
        fmt_field(f, m->new_.v[f], approx, out);
        if (f == DIFF_SCORE && m->new_.gate_off)
            buf_adds(out, " (condition not met)");
    }
}

static const char *indicator_label(const Diff *d, const DiffMove *m)
{
    const IndicatorOut *o = move_indicator(d, m);
    return o->label ? o->label : o->name;
}

/* label_w: the widest label of the employee's moves, so the changes line up. */
static void indicator_line(const Diff *d, const DiffMove *m, size_t label_w, bool *approx, Buf *out)
{
    const char *label = indicator_label(d, m);
    buf_printf(out, "  %s  ", label);
    buf_pad(out, ' ', label_w - utf8_width(label, strlen(label)));
    if (m->old.used && m->new_.used) {
        changed_fields(m, approx, out);
    } else if (m->new_.used) {
        buf_adds(out, m->kind == MOVE_IND_ADDED ? "new indicator: " : "now used: ");
        side_fields(&m->new_, approx, out);
    } else {
        buf_adds(out, m->kind == MOVE_IND_REMOVED ? "removed, was: " : "no longer used, was: ");
        side_fields(&m->old, approx, out);
    }
    buf_addc(out, '\n');
}

/* A named value as kpirun's table shows it. */
static void fmt_named(const RunResult *r, const ValueOut *o, Value v, bool *approx, Buf *out)
{
    if (v.kind == V_BLANK)
        buf_adds(out, "blank");
    else if (v.kind != V_NUM)
        fmt_value(&r->strs, v, out);
    else if (o->kind == OUT_KPI)
        fmt_pct(v, approx, out);
    else if (o->kind == OUT_LET)
        fmt_fact(v, approx, out);
    else
        fmt_amount(v, 2, (RoundMode)r->p->rounding, approx, out);
}

static void value_move(const Diff *d, const DiffMove *m, bool *approx, Buf *out)
{
    const ValueOut *o = move_value(d, m);
    buf_printf(out, "%s ", o->label ? o->label : o->kind == OUT_KPI ? "KPI" : o->name);
    if (m->kind != MOVE_VALUE)
        buf_adds(out, m->kind == MOVE_VALUE_ADDED ? "(new) " : "(removed) ");
    if (m->kind != MOVE_VALUE_ADDED)
        fmt_named(d->old, &d->old->p->outs[m->old_i], m->old.v[0], approx, out);
    if (m->kind == MOVE_VALUE)
        buf_adds(out, " -> ");
    if (m->kind != MOVE_VALUE_REMOVED)
        fmt_named(d->new_, &d->new_->p->outs[m->new_i], m->new_.v[0], approx, out);
}

static void row_moves(const Diff *d, const DiffRow *r, bool *approx, Buf *out)
{
    buf_adds(out, diff_key(d, r));
    if (diff_name(d, r)[0])
        buf_printf(out, "  %s", diff_name(d, r));
    buf_adds(out, "  ");
    fmt_delta(d, r->delta, approx, out);
    buf_addc(out, '\n');
    size_t label_w = 0;
    for (uint32_t i = 0; i < r->nmoves; i++)
        if (r->moves[i].kind < MOVE_VALUE) {
            const char *label = indicator_label(d, &r->moves[i]);
            size_t w = utf8_width(label, strlen(label));
            label_w = w > label_w ? w : label_w;
        }
    bool values = false;
    for (uint32_t i = 0; i < r->nmoves; i++) {
        const DiffMove *m = &r->moves[i];
        if (m->kind < MOVE_VALUE) {
            indicator_line(d, m, label_w, approx, out);
            continue;
        }
        buf_adds(out, values ? " · " : "  ");
        values = true;
        value_move(d, m, approx, out);
    }
    if (values)
        buf_addc(out, '\n');
}

static void moves_section(const Diff *d, bool *approx, Buf *out)
{
    bool any = false;
    for (uint32_t i = 0; i < d->nrows; i++)
        any |= d->rows[i].nmoves > 0;
    if (!any) {
        buf_adds(out, "what moved: nothing, every indicator and value is the same in both versions\n");
        return;
    }
    buf_adds(out, "what moved\n");
    for (uint32_t i = 0; i < d->nrows; i++)
        if (d->rows[i].nmoves)
            row_moves(d, &d->rows[i], approx, out);
}

/* ---- totals ---- */
static void counts_cell(const Diff *d, Buf *out)
{
    buf_printf(out, "%u gain · %u lose · %u unchanged", d->count[DIFF_GAIN], d->count[DIFF_LOSS],
               d->count[DIFF_SAME]);
    if (d->count[DIFF_ADDED])
        buf_printf(out, " · %u only in the new version", d->count[DIFF_ADDED]);
    if (d->count[DIFF_REMOVED])
        buf_printf(out, " · %u only in the old version", d->count[DIFF_REMOVED]);
}

static void largest_cell(const Diff *d, int32_t row, bool *approx, Buf *out)
{
    if (row < 0) {
        buf_adds(out, "none");
        return;
    }
    const DiffRow *r = &d->rows[row];
    buf_adds(out, diff_key(d, r));
    if (diff_name(d, r)[0])
        buf_printf(out, "  %s", diff_name(d, r));
    buf_adds(out, "  ");
    fmt_delta(d, r->delta, approx, out);
    fmt_currency(d, out);
}

static void totals_section(const Diff *d, bool *approx, Buf *out)
{
    Grid g = grid_new(2, 6);
    const char *labels[6] = {"old budget", "new budget", "budget delta", "employees", "largest loss",
                             "largest gain"};
    for (uint32_t i = 0; i < 6; i++)
        buf_adds(cell(&g, i, 0), labels[i]);
    /* the three amounts right-aligned among themselves */
    Buf amt[3] = {BUF_INIT, BUF_INIT, BUF_INIT};
    fmt_amount(d->old_budget, 2, rounding(d->old), approx, &amt[0]);
    fmt_amount(d->new_budget, 2, rounding(d->new_), approx, &amt[1]);
    fmt_delta(d, d->delta, approx, &amt[2]);
    size_t w = 0;
    for (int i = 0; i < 3; i++)
        w = width_of(&amt[i]) > w ? width_of(&amt[i]) : w;
    for (uint32_t i = 0; i < 3; i++) {
        buf_pad(cell(&g, i, 1), ' ', w - width_of(&amt[i]));
        buf_add(cell(&g, i, 1), buf_cstr(&amt[i]), amt[i].len);
        fmt_currency(d, cell(&g, i, 1));
        buf_free(&amt[i]);
    }
    counts_cell(d, cell(&g, 3, 1));
    largest_cell(d, d->largest_loss, approx, cell(&g, 4, 1));
    largest_cell(d, d->largest_gain, approx, cell(&g, 5, 1));
    grid_write(&g, 0, out);
    grid_free(&g);
}

static void write_table(const Diff *d, const char *old_file, const char *new_file, const Period *period,
                        Buf *out)
{
    buf_printf(out, "diff · period %s · %u employee%s\n", period->label, d->nrows, d->nrows == 1 ? "" : "s");
    Grid g = grid_new(3, 2);
    buf_adds(cell(&g, 0, 0), "old");
    buf_adds(cell(&g, 0, 1), old_file);
    buf_adds(cell(&g, 0, 2), d->old->p->scheme_name);
    buf_adds(cell(&g, 1, 0), "new");
    buf_adds(cell(&g, 1, 1), new_file);
    buf_adds(cell(&g, 1, 2), d->new_->p->scheme_name);
    grid_write(&g, 0, out);
    grid_free(&g);
    bool approx = false;
    buf_addc(out, '\n');
    payouts_table(d, &approx, out);
    buf_addc(out, '\n');
    moves_section(d, &approx, out);
    buf_addc(out, '\n');
    totals_section(d, &approx, out);
    if (approx)
        buf_adds(out, "\u2248 marks a number rounded for display; --format csv or json gives 10 decimals\n");
    if (d->old->inexact || d->new_->inexact)
        buf_adds(out, "~ marks a value that was rounded to 18+ significant digits because its "
                      "exact fraction outgrew 128 bits\n");
}

/* ---- CSV ---- */
static void csv_text(Buf *out, const char *s) { fmt_csv_text(out, s, strlen(s)); }

static void csv_number(Value v, Buf *out)
{
    Buf t = BUF_INIT;
    fmt_value(NULL, v, &t);
    fmt_csv_cell(out, buf_cstr(&t), t.len);
    buf_free(&t);
}

static void csv_moved(const Diff *d, const DiffRow *r, Buf *out)
{
    Buf t = BUF_INIT;
    for (uint32_t i = 0; i < r->nmoves; i++) {
        if (i)
            buf_addc(&t, ';');
        buf_adds(&t, move_name(d, &r->moves[i]));
    }
    fmt_csv_text(out, buf_cstr(&t), t.len);
    buf_free(&t);
}

static void write_csv(const Diff *d, Buf *out)
{
    buf_adds(out, "employee,name,department,old_payout,new_payout,delta,status,moved\n");
    for (uint32_t i = 0; i < d->nrows; i++) {
        const DiffRow *r = &d->rows[i];
        csv_text(out, diff_key(d, r));
        buf_addc(out, ',');
        csv_text(out, diff_name(d, r));
        buf_addc(out, ',');
        csv_text(out, diff_dept(d, r));
        buf_addc(out, ',');
        csv_number(r->old_pay, out);
        buf_addc(out, ',');
        csv_number(r->new_pay, out);
        buf_addc(out, ',');
        csv_number(r->delta, out);
        buf_printf(out, ",%s,", status_word[r->status]);
        csv_moved(d, r, out);
        buf_addc(out, '\n');
    }
}

/* ---- JSON ---- */
static void json_value(const RunResult *r, Value v, Buf *out)
{
    fmt_json_value(&r->strs, v, out);
}

static void json_side(const RunResult *r, const DiffMove *m, const DiffSideVal *s, Buf *out)
{
    if (!s->used) {
        buf_adds(out, "null");
        return;
    }
    if (m->kind >= MOVE_VALUE) {
        json_value(r, s->v[0], out);
        return;
    }
    buf_addc(out, '{');
    for (int f = 0; f < DIFF__FIELDS; f++) {
        buf_printf(out, "%s\"%s\": ", f ? ", " : "", field_word[f]);
        json_value(r, s->v[f], out);
    }
    buf_printf(out, ", \"condition_met\": %s}", s->gate_off ? "false" : "true");
}

static void json_move(const Diff *d, const DiffMove *m, Buf *out)
{
    static const char *const change[] = {"changed", "added", "removed", "changed", "added", "removed"};
    buf_printf(out, "{\"%s\": ", m->kind >= MOVE_VALUE ? "value" : "indicator");
    fmt_json_cstr(out, move_name(d, m));
    buf_printf(out, ", \"change\": \"%s\", \"old\": ", change[m->kind]);
    json_side(d->old, m, &m->old, out);
    buf_adds(out, ", \"new\": ");
    json_side(d->new_, m, &m->new_, out);
    buf_addc(out, '}');
}

static void json_row(const Diff *d, const DiffRow *r, Buf *out)
{
    buf_adds(out, "    {\"employee\": ");
    fmt_json_cstr(out, diff_key(d, r));
    buf_adds(out, ", \"name\": ");
    fmt_json_cstr(out, diff_name(d, r));
    buf_adds(out, ", \"department\": ");
    fmt_json_cstr(out, diff_dept(d, r));
    buf_printf(out, ", \"status\": \"%s\",\n     \"old_payout\": ", status_word[r->status]);
    json_value(d->old, r->old_pay, out);
    buf_adds(out, ", \"new_payout\": ");
    json_value(d->new_, r->new_pay, out);
    buf_adds(out, ", \"delta\": ");
    json_value(d->new_, r->delta, out);
    buf_adds(out, ",\n     \"moved\": [");
    for (uint32_t i = 0; i < r->nmoves; i++) {
        buf_adds(out, i ? ",\n       " : "\n       ");
        json_move(d, &r->moves[i], out);
    }
    buf_adds(out, r->nmoves ? "\n     ]}" : "]}");
}

static void json_largest(const Diff *d, int32_t row, Buf *out)
{
    if (row < 0) {
        buf_adds(out, "null");
        return;
    }
    buf_adds(out, "{\"employee\": ");
    fmt_json_cstr(out, diff_key(d, &d->rows[row]));
    buf_adds(out, ", \"delta\": ");
    json_value(d->new_, d->rows[row].delta, out);
    buf_addc(out, '}');
}

static void json_version(const RunResult *r, const char *file, Value budget, Buf *out)
{
    buf_adds(out, "{\"file\": ");
    fmt_json_cstr(out, file);
    buf_adds(out, ", \"scheme\": ");
    fmt_json_cstr(out, r->p->scheme_name);
    buf_adds(out, ", \"budget\": ");
    json_value(r, budget, out);
    buf_addc(out, '}');
}

static void json_totals(const Diff *d, Buf *out)
{
    buf_adds(out, "  \"totals\": {\"budget_delta\": ");
    json_value(d->new_, d->delta, out);
    for (int s = 0; s < 5; s++)
        buf_printf(out, ", \"%s\": %u", status_word[s], d->count[s]);
    buf_adds(out, ",\n             \"largest_loss\": ");
    json_largest(d, d->largest_loss, out);
    buf_adds(out, ", \"largest_gain\": ");
    json_largest(d, d->largest_gain, out);
    buf_adds(out, "}\n");
}

static void write_json(const Diff *d, const char *old_file, const char *new_file, const Period *period, Buf *out)
{
    buf_adds(out, "{\n  \"schema_version\": 1,\n  \"period\": ");
    fmt_json_cstr(out, period->label);
    buf_adds(out, ",\n  \"old\": ");
    json_version(d->old, old_file, d->old_budget, out);
    buf_adds(out, ",\n  \"new\": ");
    json_version(d->new_, new_file, d->new_budget, out);
    buf_adds(out, ",\n  \"employees\": [\n");
    for (uint32_t i = 0; i < d->nrows; i++) {
        json_row(d, &d->rows[i], out);
        buf_adds(out, i + 1 < d->nrows ? ",\n" : "\n");
    }
    buf_adds(out, "  ],\n");
    json_totals(d, out);
    buf_adds(out, "}\n");
}

void report_diff(const Diff *d, const char *old_file, const char *new_file, const Period *period, ReportFormat f,
                 Buf *out)
{
    switch (f) {
    case REPORT_CSV: write_csv(d, out); break;
    case REPORT_JSON: write_json(d, old_file, new_file, period, out); break;
    default: write_table(d, old_file, new_file, period, out); break;
    }
}
