/* schemetest.c - see schemetest.h. The scheme is compiled once to check it
 * and its tests (kpic check's errors stop everything); then each test
 * compiles it again with its overrides and runs on its own in-memory data. */
#include "driver/schemetest.h"
#include "base/alloc.h"
#include "base/utf8.h"
#include "compiler/override.h"
#include "vm/run.h"

#include <stdio.h>
#include <string.h>

#define TEST_DATA_DIR  "<test>"     /* what messages about a test's data name */
#define TEST_DEPARTMENT "test"      /* the roster's department when no test gives one */

typedef struct Suite {
    const char           *path;
    const CompileOptions *o;
    const Program        *p;       /* the scheme without overrides: its tables */
    const char           *src;     /* the scheme's text */
    const Source         *source;
} Suite;

/* ---- what a test gives -------------------------------------------------------- */
static int32_t table_named(const Program *p, const char *name)
{
    for (uint32_t i = 0; i < p->ntables; i++)
        if (strcmp(p->tables[i].name, name) == 0)
            return (int32_t)i;
    return -1;
}

static int32_t column_named(const TableSpec *t, const char *name)
{
    for (uint32_t i = 0; i < t->ncols; i++)
        if (strcmp(t->cols[i].name, name) == 0)
            return (int32_t)i;
    return -1;
}

/* A given that fills an input cell (roster or plan column): its table. */
static int32_t given_table(const Program *p, const TestItem *it)
{
    if (it->target->kind != E_FIELD)
        return -1;
    int32_t t = table_named(p, it->target->u.field.base.s);
    return t >= 0 && p->tables[t].kind != TABLE_KIND_FACTS ? t : -1;
}

static void name_text(const Expr *e, Buf *out)
{
    if (e->kind == E_FIELD)
        buf_printf(out, "%s.%s", e->u.field.base.s, e->u.field.field.s);
    else
        buf_adds(out, e->u.name.s);
}

static const char *const default_periods[] = {"2026-W01", "2026-01", "2026-Q1", "2026"};

static Period test_period(const Suite *s, const Decl *d)
{
    Period per;
    PeriodKind kind = (PeriodKind)s->p->period;
    const char *text = default_periods[kind];
    char buf[64];
    for (uint32_t i = 0; i < d->u.test.n; i++) {
        const Expr *e = d->u.test.items[i].value;
        if (d->u.test.items[i].kind != TI_PERIOD)
            continue;
        if (e->kind == E_STR)
            text = e->u.str.s;
        else if (ast_literal_text(e, s->src, buf, sizeof buf))
            text = buf;
    }
    period_parse(text, strlen(text), kind, &per); /* checked by the compiler */
    return per;
}

static const char *test_employee(const Decl *d)
{
    for (uint32_t i = 0; i < d->u.test.n; i++)
        if (d->u.test.items[i].kind == TI_EMPLOYEE)
            return d->u.test.items[i].value->u.str.s;
    return SCHEMETEST_EMPLOYEE;
}

/* given lines on named values: compiled in as --set would be. */
static size_t test_overrides(const Suite *s, const Decl *d, CompileOverride *ov)
{
    size_t n = 0;
    for (uint32_t i = 0; i < d->u.test.n; i++) {
        const TestItem *it = &d->u.test.items[i];
        if (it->kind != TI_GIVEN || given_table(s->p, it) >= 0)
            continue;
        Buf name = BUF_INIT;
        name_text(it->target, &name);
        ov[n].name = kpi_strdup(buf_cstr(&name));
        ov[n].value = kpi_strndup(s->src + it->value->span.start, it->value->span.end - it->value->span.start);
        buf_free(&name);
        n++;
    }
    return n;
}

/* ---- the test's data as CSV text --------------------------------------------------- */
static void csv_field(Buf *out, const char *s, size_t n, char delim)
{
    bool quote = false;
    for (size_t i = 0; i < n; i++)
        quote |= s[i] == delim || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
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

static void put_date(Buf *cell, Day day, DateFormat f)
{
    char iso[16];
    date_format(day, iso);
    if (f == DATE_DMY)
        buf_printf(cell, "%.2s.%.2s.%.4s", iso + 8, iso + 5, iso);
    else
        buf_adds(cell, iso);
}

/* A constant as the table's dialect writes it: 1300000,00 for format ru. */
static void put_const(Buf *cell, const TableSpec *t, const ColumnSpec *c, const TestConst *k)
{
    char num[128];
    switch (k->type) {
    case T_NUM:
        rat_format_fixed(num, sizeof num, k->q, c->scale, ROUND_HALF_EVEN);
        for (char *p = num; *p; p++)
            if (*p == '.')
                *p = t->dialect.num.decimal_point;
        buf_adds(cell, num);
        break;
    case T_TEXT: buf_add(cell, k->s, k->len); break;
    case T_BOOL: buf_adds(cell, k->b ? "true" : "false"); break;
    case T_DATE: put_date(cell, k->day, t->dialect.date); break;
    default: break; /* blank: an empty cell */
    }
}

static void put_value(const Suite *s, Buf *cells, const TableSpec *t, const char *col, const Expr *value)
{
    int32_t c = column_named(t, col);
    TestConst k;
    if (c < 0 || !test_const(value, s->src, &k))
        return;
    buf_clear(&cells[c]);
    put_const(&cells[c], t, &t->cols[c], &k);
}

static void add_record(Buf *out, const TableSpec *t, Buf *cells)
{
    for (uint32_t i = 0; i < t->ncols; i++) {
        if (i)
            buf_addc(out, t->dialect.delimiter);
        csv_field(out, cells[i].data ? cells[i].data : "", cells[i].len, t->dialect.delimiter);
        buf_clear(&cells[i]);
    }
    buf_addc(out, '\n');
}

static void add_header(Buf *out, const TableSpec *t)
{
    for (uint32_t i = 0; i < t->ncols; i++) {
        if (i)
            buf_addc(out, t->dialect.delimiter);
        csv_field(out, t->cols[i].header, strlen(t->cols[i].header), t->dialect.delimiter);
    }
    buf_addc(out, '\n');
}

typedef struct TestRun {
    const Suite  *s;
    const Decl   *d;
    Period        period;
    const char   *employee;
    Buf           dept;       /* the roster row's department, the key of department plans */
} TestRun;

static bool gives_to(const TestRun *tr, uint32_t ti)
{
    for (uint32_t i = 0; i < tr->d->u.test.n; i++)
        if (tr->d->u.test.items[i].kind == TI_GIVEN && given_table(tr->s->p, &tr->d->u.test.items[i]) == (int32_t)ti)
            return true;
    return false;
}

static void put_givens(const TestRun *tr, uint32_t ti, Buf *cells)
{
    const TableSpec *t = &tr->s->p->tables[ti];
    for (uint32_t i = 0; i < tr->d->u.test.n; i++) {
        const TestItem *it = &tr->d->u.test.items[i];
        if (it->kind == TI_GIVEN && given_table(tr->s->p, it) == (int32_t)ti)
            put_value(tr->s, cells, t, it->target->u.field.field.s, it->value);
    }
}

static void roster_text(TestRun *tr, const TableSpec *t, Buf *cells, Buf *out)
{
    if (t->name_col >= 0)
        buf_adds(&cells[t->name_col], tr->d->label);
    if (t->dept_col >= 0)
        buf_adds(&cells[t->dept_col], TEST_DEPARTMENT);
    put_givens(tr, (uint32_t)(t - tr->s->p->tables), cells);
    if (t->key_col >= 0) {
        buf_clear(&cells[t->key_col]);
        buf_adds(&cells[t->key_col], tr->employee);
    }
    if (t->dept_col >= 0)
        buf_add(&tr->dept, cells[t->dept_col].data, cells[t->dept_col].len);
    add_record(out, t, cells);
}

static void plan_text(TestRun *tr, const TableSpec *t, Buf *cells, Buf *out)
{
    uint32_t ti = (uint32_t)(t - tr->s->p->tables);
    if (!gives_to(tr, ti))
        return; /* no row: reading the plan is the run's "no plan" error */
    put_givens(tr, ti, cells);
    if (t->key_col >= 0)
        buf_adds(&cells[t->key_col], tr->employee);
    if (t->dept_col >= 0 && t->key_col < 0)
        buf_add(&cells[t->dept_col], tr->dept.data ? tr->dept.data : "", tr->dept.len);
    if (t->period_col >= 0)
        buf_adds(&cells[t->period_col], tr->period.label);
    add_record(out, t, cells);
}

static void facts_text(TestRun *tr, const TableSpec *t, Buf *cells, Buf *out)
{
    for (uint32_t i = 0; i < tr->d->u.test.n; i++) {
        const TestItem *it = &tr->d->u.test.items[i];
        if (it->kind != TI_ROW || strcmp(it->table.s, t->name) != 0)
            continue;
        if (t->date_col >= 0) /* a row without a date falls on the period's first day */
            put_date(&cells[t->date_col], tr->period.first, t->dialect.date);
        for (uint32_t k = 0; k < it->ncells; k++)
            put_value(tr->s, cells, t, it->cells[k].col.s, it->cells[k].value);
        if (t->key_col >= 0) {
            buf_clear(&cells[t->key_col]);
            buf_adds(&cells[t->key_col], tr->employee);
        }
        add_record(out, t, cells);
    }
}

/* The roster first: department plans take the roster row's department. */
static void make_inputs(TestRun *tr, Buf *texts, RunText *in)
{
    const Program *p = tr->s->p;
    for (uint32_t pass = 0; pass < 2; pass++)
        for (uint32_t i = 0; i < p->ntables; i++) {
            const TableSpec *t = &p->tables[i];
            if ((pass == 0) != ((int32_t)i == p->roster))
                continue;
            Buf *cells = kpi_calloc(t->ncols ? t->ncols : 1, sizeof(Buf));
            add_header(&texts[i], t);
            if ((int32_t)i == p->roster)
                roster_text(tr, t, cells, &texts[i]);
            else if (t->kind == TABLE_KIND_PLANS)
                plan_text(tr, t, cells, &texts[i]);
            else
                facts_text(tr, t, cells, &texts[i]);
            for (uint32_t k = 0; k < t->ncols; k++)
                buf_free(&cells[k]);
            kpi_free(cells);
            in[i].text = buf_cstr(&texts[i]);
            in[i].len = texts[i].len;
        }
}

/* ---- expectations ------------------------------------------------------------ */
static bool expect_reg(const Program *p, const Expr *target, uint16_t *reg)
{
    if (target->kind == E_FIELD) {
        for (uint32_t i = 0; i < p->nind; i++) {
            const IndicatorOut *o = &p->ind[i];
            if (strcmp(o->name, target->u.field.base.s) != 0)
                continue;
            const char *f = target->u.field.field.s;
            *reg = !strcmp(f, "fact") ? o->fact : !strcmp(f, "plan") ? o->plan : !strcmp(f, "index") ? o->index
                 : !strcmp(f, "score") ? o->score : !strcmp(f, "weight") ? o->weight : o->contrib;
            return true;
        }
        return false;
    }
    static const OutKind results[] = {OUT_KPI, OUT_BONUS, OUT_PAYOUT};
    for (int w = 0; w < 3; w++)
        if (strcmp(target->u.name.s, result_name((ResultKind)w)) == 0)
            for (uint32_t i = 0; i < p->nouts; i++)
                if (p->outs[i].kind == results[w]) {
                    *reg = p->outs[i].reg;
                    return true;
                }
    for (uint32_t i = 0; p->reg_names && i < p->npersist; i++)
        if (strcmp(p->reg_names[i], target->u.name.s) == 0) {
            *reg = (uint16_t)i;
            return true;
        }
    return false;
}

static bool rounded_to(Rat q, int digits, Rat *out)
{
    Rat step;
    if (digits > 36 || rat_make(1, i128_pow10(digits), &step) != NUM_OK)
        return false;
    return rat_round_to(q, step, ROUND_HALF_AWAY, out) == NUM_OK;
}

static bool matches(const RunResult *res, Value v, const TestConst *k, bool approx)
{
    Rat r;
    uint32_t len;
    switch (k->type) {
    case T_NUM:
        if (v.kind != V_NUM)
            return false;
        if (!approx)
            return rat_eq(v.q, k->q);
        return rounded_to(v.q, k->digits, &r) && rat_eq(r, k->q);
    case T_TEXT: {
        if (v.kind != V_TEXT)
            return false;
        const char *t = strtab_get(&res->strs, v.aux, &len);
        return len == k->len && memcmp(t, k->s, len) == 0;
    }
    case T_BOOL: return v.kind == V_BOOL && (v.aux != 0) == k->b;
    case T_DATE: return v.kind == V_DATE && (Day)v.aux == k->day;
    default: return v.kind == V_BLANK;
    }
}

/* An actual value as a test would write it (a percentage when the
 * expectation is one); a decimal that does not end is marked ≈. */
static void show_value(const RunResult *res, Value v, bool percent, Buf *out)
{
    char b[128];
    bool exact;
    uint32_t len;
    Rat q = v.q;
    switch (v.kind) {
    case V_NUM:
        if (percent && rat_mul(q, rat_int(100), &q) != NUM_OK)
            q = v.q, percent = false;
        rat_format(b, sizeof b, q, 10, &exact);
        buf_printf(out, "%s%s%s", exact ? "" : "≈", b, percent ? "%" : "");
        break;
    case V_TEXT: {
        const char *t = strtab_get(&res->strs, v.aux, &len);
        buf_printf(out, "\"%.*s\"", (int)len, t);
        break;
    }
    case V_BOOL: buf_adds(out, v.aux ? "true" : "false"); break;
    case V_DATE: date_format((Day)v.aux, b); buf_adds(out, b); break;
    case V_ERROR: buf_printf(out, "error (%s)", error_kind_text((ErrorKind)v.err)); break;
    default: buf_adds(out, "blank"); break;
    }
}

typedef struct Diff {
    Buf    lines;              /* "- a = 1\t(expected)" pairs, aligned when printed */
    size_t widest;
} Diff;

static void diff_line(Diff *df, const char *text)
{
    size_t w = utf8_width(text, strlen(text));
    if (w > df->widest)
        df->widest = w;
    buf_printf(&df->lines, "%s\n", text);
}

static bool check_expect(const TestRun *tr, const RunResult *res, const Program *p, const TestItem *it, Diff *df)
{
    TestConst k;
    uint16_t reg;
    test_const(it->value, tr->s->src, &k);
    if (!expect_reg(p, it->target, &reg)) { /* the compiler checked it: not expected */
        diff_line(df, "? a name the compiled scheme does not keep");
        return false;
    }
    Value v = run_regs(res, 0)[reg];
    if (matches(res, v, &k, it->approx))
        return true;
    Buf name = BUF_INIT, line = BUF_INIT;
    name_text(it->target, &name);
    const char *op = it->approx ? "~" : "=";
    buf_printf(&line, "- %s %s %.*s", buf_cstr(&name), op, (int)(it->value->span.end - it->value->span.start),
               tr->s->src + it->value->span.start);
    diff_line(df, buf_cstr(&line));
    buf_clear(&line);
    buf_printf(&line, "+ %s %s ", buf_cstr(&name), op);
    show_value(res, v, k.percent, &line);
    diff_line(df, buf_cstr(&line));
    Rat r;
    if (!it->approx && k.type == T_NUM && v.kind == V_NUM && rounded_to(v.q, k.digits, &r) && rat_eq(r, k.q))
        buf_printf(&df->lines, "\t  hint: it rounds to that; to compare it rounded, write: expect %s ~ %.*s\n",
                   buf_cstr(&name), (int)(it->value->span.end - it->value->span.start),
                   tr->s->src + it->value->span.start);
    buf_free(&name);
    buf_free(&line);
    return false;
}

/* "- a = 1" and "+ a = 2" lines with (expected) and (actual) in one column. */
static void print_diff(const Diff *df, Buf *out)
{
    const char *p = df->lines.data;
    if (!p)
        return; /* no lines; NULL + 0 would be undefined */
    const char *end = p + df->lines.len;
    bool minus = true;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = (size_t)(nl - p);
        if (*p == '\t') {
            buf_printf(out, "    %.*s\n", (int)n - 1, p + 1);
        } else {
            buf_printf(out, "    %.*s", (int)n, p);
            buf_pad(out, ' ', df->widest - utf8_width(p, n) + 4);
            buf_adds(out, minus ? "(expected)\n" : "(actual)\n");
            minus = !minus;
        }
        p = nl + 1;
    }
}

static void indent(const char *text, Buf *out)
{
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        buf_printf(out, "    %.*s\n", (int)n, p);
        p += n + (nl ? 1 : 0);
    }
}

static void render_diags(DiagList *d, const SourceSet *src, Buf *out)
{
    Buf text = BUF_INIT;
    diag_sort(d);
    diag_render(d, src, &text);
    indent(buf_cstr(&text), out);
    buf_free(&text);
}

/* ---- one test -------------------------------------------------------------------- */
static bool evaluate(TestRun *tr, const Program *p, Buf *report)
{
    Buf *texts = kpi_calloc(p->ntables ? p->ntables : 1, sizeof(Buf));
    RunText *in = kpi_calloc(p->ntables ? p->ntables : 1, sizeof(RunText));
    make_inputs(tr, texts, in);
    RunOptions ro;
    memset(&ro, 0, sizeof ro);
    ro.data_dir = TEST_DATA_DIR;
    ro.period = tr->period;
    ro.texts = in;
    RunResult res;
    run_period(p, &ro, &res);
    diag_drop_warnings(&res.diags);
    Diff df = {BUF_INIT, 0};
    bool ran = res.diags.errors == 0 && res.status == RUN_OK && res.nemp == 1, ok = ran;
    for (uint32_t i = 0; ran && i < tr->d->u.test.n; i++)
        if (tr->d->u.test.items[i].kind == TI_EXPECT)
            ok &= check_expect(tr, &res, p, &tr->d->u.test.items[i], &df);
    print_diff(&df, report);
    if (res.diags.n)
        render_diags(&res.diags, &p->sources, report);
    buf_free(&df.lines);
    run_result_free(&res);
    for (uint32_t i = 0; i < p->ntables; i++)
        buf_free(&texts[i]);
    kpi_free(texts);
    kpi_free(in);
    return ok;
}

static bool run_test(const Suite *s, const Decl *d, Buf *report)
{
    CompileOverride *ov = kpi_calloc(d->u.test.n ? d->u.test.n : 1, sizeof(CompileOverride));
    size_t nov = test_overrides(s, d, ov);
    CompileOptions o = *s->o;
    o.overrides = ov;
    o.noverrides = nov;
    Compilation c;
    compilation_init(&c);
    bool ok = compile_file(&c, s->path, &o);
    if (ok) {
        TestRun tr = {s, d, test_period(s, d), test_employee(d), BUF_INIT};
        ok = evaluate(&tr, c.program, report);
        buf_free(&tr.dept);
    } else {
        diag_drop_warnings(&c.diags);
        render_diags(&c.diags, &c.sources, report);
    }
    compilation_free(&c);
    for (size_t i = 0; i < nov; i++) {
        kpi_free((char *)ov[i].name);
        kpi_free((char *)ov[i].value);
    }
    kpi_free(ov);
    return ok;
}

SchemeTestStatus schemetest_run(const char *path, const CompileOptions *o, bool color, Buf *out, Buf *err,
                                TestTally *tally)
{
    Compilation c;
    compilation_init(&c);
    if (!compile_file(&c, path, o)) {
        diag_drop_warnings(&c.diags);
        diag_sort(&c.diags);
        diag_render_color(&c.diags, &c.sources, color, err);
        compilation_free(&c);
        return ST_SCHEME_ERROR;
    }
    Suite s = {path, o, c.program, NULL, sources_get(&c.sources, c.ast.file)};
    s.src = s.source->text;
    SchemeTestStatus st = ST_NO_TESTS;
    for (uint32_t i = 0; i < c.ast.ndecls; i++) {
        const Decl *d = c.ast.decls[i];
        if (d->kind != D_TEST)
            continue;
        st = ST_RAN;
        Buf report = BUF_INIT;
        bool ok = run_test(&s, d, &report);
        if (ok)
            buf_printf(out, "ok   %s\n", d->label);
        else
            buf_printf(out, "FAIL %s (%s:%u)\n", d->label, path, source_linecol(s.source, d->span.start).line);
        buf_add(out, report.data, report.len);
        buf_free(&report);
        if (ok)
            tally->passed++;
        else
            tally->failed++;
    }
    compilation_free(&c);
    return st;
}
