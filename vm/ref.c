/* ref.c - the reference tables: the roster (who is paid) and the plans
 * (targets for the period). Small, so read whole into values; every cell
 * that does not parse is a data error naming file, row and column. */
#include "base/alloc.h"
#include "base/fsio.h"
#include "vm/cell.h"
#include "vm/num_plain.h"
#include "vm/run_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REF_MAX_ROWS KPI_MAX_EMPLOYEES

char *run_path(const Run *r, const TableSpec *t)
{
    return fs_join(r->o->data_dir, t->file);
}

CsvReader *run_csv_open(const Run *r, const TableSpec *t, const char *path, CsvError *err)
{
    const RunText *in = r->o->texts ? &r->o->texts[t - r->p->tables] : NULL;
    if (in && in->text)
        return csv_open_mem(in->text, in->len, t->dialect.delimiter);
    return csv_open(path, t->dialect.delimiter, err);
}

/* kpic check --data: the file's columns the scheme does not declare. */
static void extra_columns(Run *r, const TableSpec *t, const char *file, const CsvField *names, uint32_t n)
{
    Buf extra = BUF_INIT;
    uint32_t count = 0;
    for (uint32_t k = 0; k < n; k++) {
        bool declared = false;
        for (uint32_t i = 0; i < t->ncols && !declared; i++)
            declared = names[k].len == strlen(t->cols[i].header) &&
                       memcmp(names[k].ptr, t->cols[i].header, names[k].len) == 0;
        if (!declared && names[k].len)
            buf_printf(&extra, "%s\"%.*s\"", count++ ? ", " : "", (int)names[k].len, names[k].ptr);
    }
    if (count)
        diag_where(&r->res->diags, K_DATA_EXTRA_COLUMN, file, "%s column%s not declared in %s: %s (ignored)",
                   count == 1 ? "a" : "the", count == 1 ? "" : "s", t->name, buf_cstr(&extra));
    buf_free(&extra);
}

/* A header read as one column because the file has other separators (a 1C
 * export with ';' read as ',') gets one error that says so. */
static bool other_delimiter(Run *r, const TableSpec *t, const char *file, const CsvField *names, uint32_t n)
{
    static const char seps[] = ";,\t|";
    if (n != 1 || t->ncols < 2)
        return false;
    for (const char *c = seps; *c; c++) {
        if (*c == t->dialect.delimiter || !memchr(names[0].ptr, *c, names[0].len))
            continue;
        char want[3] = {*c, 0, 0}, have[3] = {t->dialect.delimiter, 0, 0};
        if (*c == '\t')
            memcpy(want, "\\t", 3);
        if (t->dialect.delimiter == '\t')
            memcpy(have, "\\t", 3);
        run_data_error(r, K_DATA_COLUMN, file, 1, 0,
                       "the header is one column \"%.*s\": the file separates fields with '%s', the table "
                       "with '%s'; write delimiter \"%s\" in table %s%s",
                       (int)(names[0].len < 120 ? names[0].len : 120), names[0].ptr, want, have, want, t->name,
                       *c == ';' ? " (or format ru)" : "");
        return true;
    }
    return false;
}

bool ref_map_header(Run *r, const TableSpec *t, const char *file, const CsvField *names,
                    uint32_t n, int32_t *pos)
{
    bool ok = true;
    if (other_delimiter(r, t, file, names, n)) {
        for (uint32_t i = 0; i < t->ncols; i++)
            pos[i] = -1;
        return false;
    }
    if (r->o->check_only)
        extra_columns(r, t, file, names, n);
    for (uint32_t i = 0; i < t->ncols; i++) {
        const char *h = t->cols[i].header;
        size_t hl = strlen(h);
        pos[i] = -1;
        for (uint32_t k = 0; k < n; k++)
            if (names[k].len == hl && memcmp(names[k].ptr, h, hl) == 0)
                pos[i] = (int32_t)k;
        if (pos[i] >= 0)
            continue;
        Buf have = BUF_INIT;
        for (uint32_t k = 0; k < n && k < 30; k++)
            buf_printf(&have, "%s\"%.*s\"", k ? ", " : "", (int)names[k].len, names[k].ptr);
        run_data_error(r, K_DATA_COLUMN, file, 1, 0, "column \"%s\" (%s of %s) is missing; the header has %s", h,
                       t->cols[i].name, t->name, buf_cstr(&have));
        buf_free(&have);
        ok = false;
    }
    return ok;
}

/* A number cell into its scaled integer. INT64_MIN is REF_BLANK, so a cell
 * of exactly that value is out of range rather than read as blank. */
static bool parse_number(Run *r, const ColumnSpec *c, const Dialect *d, const char *file,
                         uint64_t row, uint32_t col, CsvField f, int64_t *out)
{
    int64_t v;
    NumStatus st = NUM_OK;
    if (!dec_parse_plain(f.ptr, f.len, d->num.decimal_point, c->scale, &v)) /* the usual cell, quickly */
        st = dec_parse(f.ptr, f.len, &d->num, c->scale, &v);
    if (st == NUM_OK && v == REF_BLANK)
        st = NUM_OVERFLOW;
    if (st != NUM_OK) {
        run_data_error(r, K_DATA_CELL, file, row, col, "'%.*s' in column %s: %s (expected %s)", (int)f.len, f.ptr,
                       c->name, cell_num_problem(st, c->scale), cell_expected(c, d));
        return false;
    }
    if (c->nonzero && v == 0) {
        run_data_error(r, K_DATA_CELL, file, row, col, "zero in column %s, which is declared nonzero", c->name);
        return false;
    }
    if (c->type == COL_SCORE && (v < 0 || v > (int64_t)i128_pow10(c->scale))) {
        run_data_error(r, K_DATA_CELL, file, row, col, "score '%.*s' in column %s is outside 0..1", (int)f.len,
                       f.ptr, c->name);
        return false;
    }
    *out = v;
    return true;
}

static bool parse_empty(Run *r, const ColumnSpec *c, const char *file, uint64_t row, uint32_t col,
                        int64_t *out)
{
    static const char *const role[] = {"", "an employee", "a date", "a period", "a department", "a name"};
    bool key = c->role != 0;
    if (key || c->empty == EMPTY_ERROR) {
        run_data_error(r, K_DATA_EMPTY, file, row, col, "empty cell in column %s (%s%s)", c->name,
                       key && c->role < 6 ? role[c->role] : "",
                       key ? " column must be filled" : "the scheme says empty cells are errors");
        return false;
    }
    bool numeric = c->type == COL_INTEGER || c->type == COL_DECIMAL || c->type == COL_MONEY ||
                   c->type == COL_HOURS || c->type == COL_DAYS;
    *out = c->empty == EMPTY_ZERO && numeric ? 0 : REF_BLANK;
    return true;
}

bool ref_parse_cell(Run *r, const TableSpec *t, const ColumnSpec *c, const char *file, uint64_t row,
                    uint32_t col, CsvField f, int64_t *out)
{
    const Dialect *d = &t->dialect;
    if (cell_empty(f.ptr, f.len))
        return parse_empty(r, c, file, row, col, out);
    switch ((ColType)c->type) {
    case COL_TEXT:
        *out = strtab_intern_hint(&r->res->strs, f.ptr, f.len, (uint32_t)*out);
        return true;
    case COL_BOOL: {
        bool b;
        if (cell_bool(f.ptr, f.len, &b)) {
            *out = b;
            return true;
        }
        break;
    }
    case COL_DATE: {
        Day day;
        if (date_parse(f.ptr, f.len, d->date, &day)) {
            *out = day;
            return true;
        }
        break;
    }
    case COL_PERIOD: {
        Period p;
        if (period_parse_cell(f.ptr, f.len, (PeriodKind)r->p->period, d->date, &p)) {
            *out = strtab_intern_hint(&r->res->strs, p.label, strlen(p.label), (uint32_t)*out);
            return true;
        }
        break;
    }
    default:
        return parse_number(r, c, d, file, row, col, f, out);
    }
    run_data_error(r, K_DATA_CELL, file, row, col, "'%.*s' in column %s is not %s", (int)f.len, f.ptr, c->name,
                   cell_expected(c, d));
    return false;
}

/* Reads a whole reference table: calls `row` with the cells of each record,
 * as ref_cell_value reads them. */
typedef bool (*RowFn)(Run *r, const TableSpec *t, const char *file, uint64_t rowno, const int64_t *cells,
                      void *ctx);

/* The text id to try first for a plans table's employee key: the last
 * row's when this row repeats it (a plan per period), else the next
 * employee's (the file in key order, as exports usually are). */
static uint32_t key_hint(const Run *r, CsvField f, uint32_t last)
{
    const RunResult *res = r->res;
    int32_t e = last < r->nemp_of_text ? r->emp_of_text[last] : -1;
    if (e < 0 || (uint32_t)e + 1 >= res->nemp || (res->strs.len[last] == f.len &&
                                                   memcmp(res->strs.bytes + res->strs.off[last], f.ptr, f.len) == 0))
        return last;
    return res->emp_key[e + 1];
}

static bool read_table(Run *r, const TableSpec *t, RowFn fn, void *ctx)
{
    char *file = run_path(r, t);
    CsvError err;
    CsvReader *rd = run_csv_open(r, t, file, &err);
    bool ok = false;
    int32_t *pos = kpi_calloc(t->ncols, sizeof(int32_t));
    int64_t *vals = kpi_calloc(t->ncols, sizeof(int64_t));
    const CsvField *names;
    uint32_t ncols;
    if (!rd) {
        run_data_error(r, K_DATA_FILE, file, 0, 0, "%s", err.msg);
        goto done;
    }
    if (!csv_header(rd, &names, &ncols, &err)) {
        run_csv_error(r, K_DATA_CSV, file, &err, 0, 0);
        goto done;
    }
    if (!ref_map_header(r, t, file, names, ncols, pos))
        goto done;
    uint32_t *sel = kpi_calloc(t->ncols, sizeof(uint32_t));
    for (uint32_t i = 0; i < t->ncols; i++)
        sel[i] = (uint32_t)pos[i];
    csv_select(rd, sel, t->ncols);
    kpi_free(sel);
    ok = true;
    CsvBatch b;
    int n;
    uint64_t rows = 0;
    bool by_emp = t->key_role == COLROLE_EMPLOYEE && r->emp_of_text; /* a plans table, not the roster */
    while ((n = csv_next_batch(rd, &b, &err)) > 0) {
        for (uint32_t i = 0; i < b.nrows; i++) {
            bool row_ok = true;
            if (by_emp) /* the cells of the row before are the texts' hints (ref_parse_cell) */
                vals[t->key_col] = key_hint(r, b.fields[i * b.ncols + (uint32_t)t->key_col], (uint32_t)vals[t->key_col]);
            for (uint32_t k = 0; k < t->ncols; k++)
                row_ok &= ref_parse_cell(r, t, &t->cols[k], file, b.rowno[i], (uint32_t)pos[k] + 1,
                                         b.fields[i * b.ncols + k], &vals[k]);
            if (++rows > REF_MAX_ROWS) {
                run_data_error(r, K_LIMIT, file, b.rowno[i], 0, "more than %u rows", REF_MAX_ROWS);
                n = -2;
                break;
            }
            if (row_ok)
                ok &= fn(r, t, file, b.rowno[i], vals, ctx);
            else
                ok = false;
        }
        if (n == -2 || r->res->diags.errors >= DIAG_MAX_ERRORS)
            break;
    }
    if (n == -1) {
        run_csv_error(r, K_DATA_CSV, file, &err, 0, 0);
        ok = false;
    }
    r->res->stats[t - r->p->tables].rows = rows;
done:
    if (rd)
        csv_close(rd);
    kpi_free(pos);
    kpi_free(vals);
    kpi_free(file);
    return ok;
}

/* ---- roster -------------------------------------------------------------- */
typedef struct RosterRows {
    int64_t *cells;          /* growing: nrows * ncols */
    uint64_t *rowno;
    size_t   n, cap, caprow;
} RosterRows;

static bool roster_row(Run *r, const TableSpec *t, const char *file, uint64_t rowno, const int64_t *vals,
                       void *ctx)
{
    (void)r;
    (void)file;
    RosterRows *rr = ctx;
    rr->cells = kpi_grow(rr->cells, &rr->cap, (rr->n + 1) * t->ncols, sizeof(int64_t));
    memcpy(rr->cells + rr->n * t->ncols, vals, sizeof(int64_t) * t->ncols);
    size_t n = rr->n;
    VEC_PUSH(rr->rowno, n, rr->caprow, rowno);
    rr->n++;
    return true;
}

typedef struct KeyOrder {
    const StrTab *strs;
    const int64_t *cells;
    uint32_t      ncols, key;
} KeyOrder;

/* Employees are ordered by their key's bytes: output order never depends on
 * the order of the roster's rows. qsort_r is not C11, so a merge sort. */
static int key_cmp(const KeyOrder *k, uint32_t a, uint32_t b)
{
    uint32_t la, lb;
    const char *sa = strtab_get(k->strs, (uint32_t)k->cells[(size_t)a * k->ncols + k->key], &la);
    const char *sb = strtab_get(k->strs, (uint32_t)k->cells[(size_t)b * k->ncols + k->key], &lb);
    int c = memcmp(sa, sb, la < lb ? la : lb);
    return c ? c : (la > lb) - (la < lb);
}

static void merge_sort(const KeyOrder *k, uint32_t *a, uint32_t *tmp, uint32_t n)
{
    if (n < 2)
        return;
    uint32_t h = n / 2;
    merge_sort(k, a, tmp, h);
    merge_sort(k, a + h, tmp, n - h);
    if (key_cmp(k, a[h - 1], a[h]) <= 0) /* already in order, as a roster in key order is */
        return;
    uint32_t i = 0, j = h, o = 0;
    while (i < h && j < n)
        tmp[o++] = key_cmp(k, a[i], a[j]) <= 0 ? a[i++] : a[j++];
    while (i < h)
        tmp[o++] = a[i++];
    while (j < n)
        tmp[o++] = a[j++];
    memcpy(a, tmp, sizeof(uint32_t) * n);
}

static bool index_employees(Run *r, const TableSpec *t, RosterRows *rr, const char *file)
{
    RunResult *res = r->res;
    uint32_t n = (uint32_t)rr->n;
    uint32_t *order = kpi_calloc(n ? n : 1, sizeof(uint32_t));
    uint32_t *tmp = kpi_calloc(n ? n : 1, sizeof(uint32_t));
    for (uint32_t i = 0; i < n; i++)
        order[i] = i;
    KeyOrder k = {&res->strs, rr->cells, t->ncols, (uint32_t)t->key_col};
    merge_sort(&k, order, tmp, n);
    bool ok = true;
    for (uint32_t i = 1; i < n; i++)
        if (key_cmp(&k, order[i - 1], order[i]) == 0) {
            uint32_t len;
            const int64_t *row = rr->cells + (size_t)order[i] * t->ncols;
            const char *key = strtab_get(&res->strs, (uint32_t)row[t->key_col], &len);
            run_data_error(r, K_DATA_DUPLICATE, file, rr->rowno[order[i]], (uint32_t)t->key_col + 1,
                           "employee '%.*s' is listed twice (also on row %llu)", (int)len, key,
                           (unsigned long long)rr->rowno[order[i - 1]]);
            ok = false;
        }
    res->nemp = n;
    res->emp_key = kpi_calloc(n ? n : 1, sizeof(uint32_t));
    res->emp_name = kpi_calloc(n ? n : 1, sizeof(uint32_t));
    res->emp_dept = kpi_calloc(n ? n : 1, sizeof(uint32_t));
    r->roster = kpi_calloc((size_t)(n ? n : 1) * t->ncols, sizeof(int64_t));
    for (uint32_t e = 0; e < n; e++) {
        const int64_t *row = rr->cells + (size_t)order[e] * t->ncols;
        memcpy(r->roster + (size_t)e * t->ncols, row, sizeof(int64_t) * t->ncols);
        res->emp_key[e] = (uint32_t)row[t->key_col];
        res->emp_name[e] = t->name_col >= 0 && row[t->name_col] != REF_BLANK ? (uint32_t)row[t->name_col] : STR_NONE;
        res->emp_dept[e] = t->dept_col >= 0 && row[t->dept_col] != REF_BLANK ? (uint32_t)row[t->dept_col] : STR_NONE;
    }
    r->nemp_of_text = (uint32_t)res->strs.n;
    r->emp_of_text = kpi_calloc(r->nemp_of_text ? r->nemp_of_text : 1, sizeof(int32_t));
    memset(r->emp_of_text, 0xFF, sizeof(int32_t) * (r->nemp_of_text ? r->nemp_of_text : 1));
    for (uint32_t e = 0; e < n; e++)
        r->emp_of_text[res->emp_key[e]] = (int32_t)e;
    kpi_free(order);
    kpi_free(tmp);
    return ok;
}

bool ref_load_roster(Run *r)
{
    const TableSpec *t = &r->p->tables[r->p->roster];
    RosterRows rr = {0};
    bool ok = read_table(r, t, roster_row, &rr);
    if (ok) {
        char *file = run_path(r, t);
        ok = index_employees(r, t, &rr, file);
        if (ok && rr.n == 0)
            run_data_error(r, K_DATA_CSV, file, 0, 0, "the roster has no employees"), ok = false;
        kpi_free(file);
    }
    kpi_free(rr.cells);
    kpi_free(rr.rowno);
    return ok;
}

/* ---- plans ---------------------------------------------------------------- */
typedef struct PlanCtx {
    PlanData *pd;
    size_t    cap;
    uint64_t *rowno;
    size_t    caprow;
    uint32_t  period_text;
} PlanCtx;

static int32_t *plan_slot(Run *r, const TableSpec *t, PlanData *pd, const int64_t *vals)
{
    if (t->key_role == COLROLE_EMPLOYEE) {
        uint32_t id = (uint32_t)vals[t->key_col];
        int32_t e = id < r->nemp_of_text ? r->emp_of_text[id] : -1;
        return e >= 0 ? &pd->row_of_emp[e] : NULL; /* not in the roster: not needed */
    }
    uint32_t id = (uint32_t)vals[t->dept_col];
    if (id >= pd->ntext) {
        uint32_t n = (uint32_t)r->res->strs.n;
        pd->row_of_text = kpi_realloc(pd->row_of_text, sizeof(int32_t) * n);
        memset(pd->row_of_text + pd->ntext, 0xFF, sizeof(int32_t) * (n - pd->ntext));
        pd->ntext = n;
    }
    return &pd->row_of_text[id];
}

static bool plan_row(Run *r, const TableSpec *t, const char *file, uint64_t rowno, const int64_t *vals, void *ctx)
{
    PlanCtx *pc = ctx;
    PlanData *pd = pc->pd;
    if (t->period_col >= 0 && (uint32_t)vals[t->period_col] != pc->period_text)
        return true; /* another period */
    int32_t *slot = plan_slot(r, t, pd, vals);
    if (!slot)
        return true;
    int keycol = t->key_role == COLROLE_EMPLOYEE ? t->key_col : t->dept_col;
    if (*slot >= 0) {
        uint32_t len;
        const char *key = strtab_get(&r->res->strs, (uint32_t)vals[keycol], &len);
        run_data_error(r, K_DATA_DUPLICATE, file, rowno, (uint32_t)keycol + 1,
                       "a second plan for '%.*s' in %s (the first is on row %llu)", (int)len, key,
                       r->o->period.label, (unsigned long long)pc->rowno[*slot]);
        return false;
    }
    *slot = (int32_t)pd->nrows;
    pd->cells = kpi_grow(pd->cells, &pc->cap, (size_t)(pd->nrows + 1) * t->ncols, sizeof(int64_t));
    int64_t *cells = pd->cells + (size_t)pd->nrows * t->ncols;
    memcpy(cells, vals, sizeof(int64_t) * t->ncols);
    size_t n = pd->nrows;
    VEC_PUSH(pc->rowno, n, pc->caprow, rowno);
    pd->nrows++;
    return true;
}

/* kpic check --data: employees (or departments) the plans table has no row for. */
static void without_plan(Run *r, const TableSpec *t, const PlanData *pd)
{
    const RunResult *res = r->res;
    Buf ids = BUF_INIT;
    uint32_t count = 0;
    bool by_dept = t->key_role != COLROLE_EMPLOYEE;
    for (uint32_t e = 0; e < res->nemp; e++) {
        uint32_t key = by_dept ? res->emp_dept[e] : res->emp_key[e];
        bool missing = !by_dept ? pd->row_of_emp[e] < 0
                                : key == STR_NONE || key >= pd->ntext || pd->row_of_text[key] < 0;
        bool seen = false; /* a department is named once */
        for (uint32_t p = 0; by_dept && p < e && !seen; p++)
            seen = res->emp_dept[p] == key;
        if (!missing || seen)
            continue;
        if (count++ < KPI_UNKNOWN_SHOWN)
            buf_printf(&ids, "%s%s", count > 1 ? ", " : "", key == STR_NONE ? "(no department)"
                                                                            : strtab_get(&res->strs, key, NULL));
    }
    if (count) {
        char *file = run_path(r, t);
        char when[32] = "";
        if (t->period_col >= 0)
            snprintf(when, sizeof when, " for %s", r->o->period.label);
        diag_where(&r->res->diags, K_DATA_NO_PLAN, file, "%u %s%s %s no row in %s%s: %s%s", count,
                   by_dept ? "department" : "employee", count == 1 ? "" : "s", count == 1 ? "has" : "have",
                   t->name, when, buf_cstr(&ids), count > KPI_UNKNOWN_SHOWN ? ", ..." : "");
        kpi_free(file);
    }
    buf_free(&ids);
}

bool ref_load_plans(Run *r)
{
    const Program *p = r->p;
    r->plans = kpi_calloc(p->ntables, sizeof(PlanData));
    bool ok = true;
    uint32_t period_text = strtab_intern(&r->res->strs, r->o->period.label, strlen(r->o->period.label));
    for (uint32_t i = 0; i < p->ntables; i++) {
        const TableSpec *t = &p->tables[i];
        if (t->kind != TABLE_KIND_PLANS)
            continue;
        PlanData *pd = &r->plans[i];
        pd->row_of_emp = kpi_calloc(r->res->nemp ? r->res->nemp : 1, sizeof(int32_t));
        memset(pd->row_of_emp, 0xFF, sizeof(int32_t) * (r->res->nemp ? r->res->nemp : 1));
        PlanCtx pc = {pd, 0, NULL, 0, period_text};
        bool read = read_table(r, t, plan_row, &pc);
        ok &= read;
        kpi_free(pc.rowno);
        if (read && r->o->check_only)
            without_plan(r, t, pd);
    }
    return ok;
}
