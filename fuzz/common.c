/* common.c - see fuzz.h: the heap cap, the leak check, and a run of a
 * program over a tiny data set written for its own tables. */
#include "fuzz/fuzz.h"
#include "base/alloc.h"
#include "base/buf.h"
#include "report/explain.h"
#include "report/results.h"
#include "report/statement.h"
#include "vm/run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t fuzz_begin(void)
{
    kpi_alloc_set_limit(FUZZ_HEAP_CAP);
    return kpi_alloc_in_use();
}

void fuzz_end(size_t held_before)
{
    size_t now = kpi_alloc_in_use();
    if (now != held_before) {
        fprintf(stderr, "fuzz: the input leaked %zu bytes of kpi_malloc\n", now - held_before);
        abort();
    }
}

/* ---- the data set ------------------------------------------------------------ */
#define NUM_ROWS 5
/* Hundredths, so every numeric column's scale gets digits to show. */
static const long long nums[NUM_ROWS] = {123456789, 75, -300, 1250, 0};
static const long long scores[NUM_ROWS] = {50, 100, 0, 25, 100};
static const char *const bools[NUM_ROWS] = {"true", "0", "да", "нет", "1"};
static const char *const texts[NUM_ROWS] = {"новый", "a", "повторный", "b \"q\"", "x"};
static const char *const keys[NUM_ROWS] = {"E01", "E02", "E03", "E09", "E01"};
static const char *const depts[NUM_ROWS] = {"D1", "D1", "D2", "D2", "D1"};

typedef struct Ctx {
    const TableSpec *t;
    const Period    *per;
    Buf             *out;
} Ctx;

static void put_day(const Ctx *c, Day d)
{
    char iso[16];
    date_format(d, iso);
    if (c->t->dialect.date == DATE_DMY)
        buf_printf(c->out, "%.2s.%.2s.%.4s", iso + 8, iso + 5, iso);
    else
        buf_adds(c->out, iso);
}

/* v hundredths in the column's scale and the table's dialect: digits cut
 * to the scale, thousands grouped, the decimal point of the table. */
static void put_num(const Ctx *c, const ColumnSpec *col, long long v)
{
    int frac = col->scale >= 2 ? 2 : col->scale;
    long long q = v < 0 ? -v : v;
    for (int k = frac; k < 2; k++)
        q /= 10;
    if (q == 0 && col->nonzero)
        q = 1;
    char digits[32];
    int n = snprintf(digits, sizeof digits, "%0*lld", frac + 1, q);
    int ipart = n - frac;
    if (v < 0 && q)
        buf_addc(c->out, '-');
    for (int i = 0; i < ipart; i++) {
        if (i && (ipart - i) % 3 == 0 && c->t->dialect.num.thousands)
            buf_addc(c->out, c->t->dialect.num.thousands);
        buf_addc(c->out, digits[i]);
    }
    if (frac) {
        buf_addc(c->out, c->t->dialect.num.decimal_point);
        buf_add(c->out, digits + ipart, (size_t)frac);
    }
}

static Day row_day(const Ctx *c, int row)
{
    return row == 1 ? c->per->last : row == 4 ? c->per->last + 1 : c->per->first;
}

static void put_cell(const Ctx *c, uint32_t ci, int row)
{
    const TableSpec *t = c->t;
    const ColumnSpec *col = &t->cols[ci];
    int32_t i = (int32_t)ci;
    if (i == t->key_col)
        buf_adds(c->out, keys[row]);
    else if (i == t->dept_col)
        buf_adds(c->out, depts[row]);
    else if (i == t->period_col || col->type == COL_PERIOD)
        buf_adds(c->out, c->per->label);
    else if (i == t->date_col || col->type == COL_DATE)
        put_day(c, row_day(c, row));
    else if (i == t->name_col)
        buf_printf(c->out, "Сотрудник %d", row + 1);
    else if (col->type == COL_TEXT)
        buf_adds(c->out, texts[row]);
    else if (col->type == COL_BOOL)
        buf_adds(c->out, bools[row]);
    else
        put_num(c, col, col->type == COL_SCORE ? scores[row] : nums[row]);
}

/* A field quoted when it holds the delimiter, a quote or a line break. */
static void put_field(const Ctx *c, const char *s, size_t n)
{
    char d = c->t->dialect.delimiter;
    bool quote = false;
    for (size_t i = 0; i < n; i++)
        quote |= s[i] == d || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
    if (!quote) {
        buf_add(c->out, s, n);
        return;
    }
    buf_addc(c->out, '"');
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            buf_addc(c->out, '"');
        buf_addc(c->out, s[i]);
    }
    buf_addc(c->out, '"');
}

static void put_row(const Ctx *c, int row)
{
    for (uint32_t i = 0; i < c->t->ncols; i++) {
        if (i)
            buf_addc(c->out, c->t->dialect.delimiter);
        Buf cell = BUF_INIT;
        Ctx cc = *c;
        cc.out = &cell;
        put_cell(&cc, i, row);
        put_field(c, cell.data ? cell.data : "", cell.len);
        buf_free(&cell);
    }
    buf_addc(c->out, '\n');
}

/* The roster: E01..E03. Plans: a row per employee (or per department).
 * Facts: every row, so one is of an unknown employee, one out of the period. */
static void table_text(const TableSpec *t, const Period *per, Buf *out)
{
    Ctx c = {t, per, out};
    for (uint32_t i = 0; i < t->ncols; i++) {
        if (i)
            buf_addc(out, t->dialect.delimiter);
        const char *h = t->cols[i].header ? t->cols[i].header : "";
        put_field(&c, h, strlen(h));
    }
    buf_addc(out, '\n');
    int rows = t->kind == TABLE_KIND_FACTS ? NUM_ROWS : 3;
    for (int row = 0; row < rows; row++)
        if (t->kind != TABLE_KIND_PLANS || t->key_col >= 0 || row != 1) /* D1 once */
            put_row(&c, row);
}

/* ---- the run ---------------------------------------------------------------- */
static const char *const period_labels[] = {"2026-W43", "2026-10", "2026-Q4", "2026"};

static void write_outputs(const RunResult *res, const Period *per)
{
    Buf out = BUF_INIT;
    for (int f = REPORT_TABLE; f <= REPORT_JSON; f++) {
        report_write(res, per, (ReportFormat)f, &out);
        buf_clear(&out);
    }
    for (uint32_t e = 0; e < res->nemp; e++) {
        Explanation x;
        explain_build(res, per, e, &x);
        explain_text(&x, &out);
        explain_json(&x, &out);
        statement_html(&x, "fuzz", &out);
        explain_free(&x);
        buf_clear(&out);
    }
    buf_free(&out);
}

/* What a run gave: its status, its messages, its results as CSV. */
typedef struct Outcome {
    RunStatus status;
    Buf       msgs, csv;
} Outcome;

static void outcome_end(Outcome *oc, RunResult *res, const Program *p)
{
    oc->status = res->status;
    diag_sort(&res->diags);
    diag_render(&res->diags, &p->sources, &oc->msgs);
    run_result_free(res);
}

/* Every employee traced and kept (kpirun --statements): then every output. */
static void run_kept(const Program *p, const RunOptions *base, Outcome *oc)
{
    RunOptions o = *base;
    o.trace_all = true;
    RunResult res;
    memset(oc, 0, sizeof *oc);
    run_period(p, &o, &res);
    if (res.status == RUN_OK) {
        report_write(&res, &o.period, REPORT_CSV, &oc->csv);
        write_outputs(&res, &o.period);
    }
    outcome_end(oc, &res, p);
}

/* Untraced, results written as employees end (plain kpirun). */
static void run_streamed(const Program *p, const RunOptions *base, Outcome *oc)
{
    RunOptions o = *base;
    ReportStream stream;
    memset(oc, 0, sizeof *oc);
    report_stream_init(&stream, REPORT_CSV, &o.period, &oc->csv);
    o.sink = report_sink;
    o.sink_ctx = &stream;
    o.drop_regs = true;
    RunResult res;
    run_period(p, &o, &res);
    if (res.status == RUN_OK)
        report_stream_end(&stream, &res);
    else
        buf_clear(&oc->csv);
    outcome_end(oc, &res, p);
}

/* Tracing and streaming must not change a byte of what a run says. */
static void same_outcome(Outcome *a, Outcome *b, bool compare)
{
    bool same = !compare || (a->status == b->status && a->msgs.len == b->msgs.len && a->csv.len == b->csv.len &&
                memcmp(buf_cstr(&a->msgs), buf_cstr(&b->msgs), a->msgs.len) == 0 &&
                memcmp(buf_cstr(&a->csv), buf_cstr(&b->csv), a->csv.len) == 0);
    if (!same) {
        fprintf(stderr, "fuzz: a traced run and a streamed one differ:\n--- traced (%d)\n%s%s--- streamed (%d)\n%s%s",
                a->status, a->msgs.data, a->csv.data, b->status, b->msgs.data, b->csv.data);
        abort();
    }
    buf_free(&a->msgs);
    buf_free(&a->csv);
    buf_free(&b->msgs);
    buf_free(&b->csv);
}

static void run_data(const Program *p, int32_t table, const char *text, size_t len, bool compare)
{
    Period per;
    if (p->period > PERIOD_YEAR ||
        !period_parse(period_labels[p->period], strlen(period_labels[p->period]), (PeriodKind)p->period, &per))
        return;
    uint32_t nt = p->ntables ? p->ntables : 1;
    Buf *bufs = kpi_calloc(nt, sizeof(Buf));
    RunText *in = kpi_calloc(nt, sizeof(RunText));
    for (uint32_t i = 0; i < p->ntables; i++) {
        table_text(&p->tables[i], &per, &bufs[i]);
        in[i].text = buf_cstr(&bufs[i]);
        in[i].len = bufs[i].len;
    }
    if (table >= 0 && (uint32_t)table < p->ntables) {
        in[table].text = text ? text : "";
        in[table].len = len;
    }
    RunOptions o;
    memset(&o, 0, sizeof o);
    o.data_dir = "<fuzz>";
    o.texts = in;
    o.period = per;
    o.threads = 1;
    o.max_steps = FUZZ_MAX_STEPS;
    Outcome kept, streamed;
    run_kept(p, &o, &kept);
    run_streamed(p, &o, &streamed);
    same_outcome(&kept, &streamed, compare);
    for (uint32_t i = 0; i < nt; i++)
        buf_free(&bufs[i]);
    kpi_free(bufs);
    kpi_free(in);
}

void fuzz_run_program(const Program *p) { run_data(p, -1, NULL, 0, true); }

void fuzz_run_untrusted(const Program *p) { run_data(p, -1, NULL, 0, false); }

void fuzz_run_with(const Program *p, int32_t table, const char *text, size_t len)
{
    run_data(p, table, text, len, true);
}
