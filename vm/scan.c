/* scan.c - the fact engine. Each fact table is read once, a batch at a
 * time: rows outside the period or of unknown employees are dropped, only
 * the columns the scheme uses are parsed (straight into scaled integers),
 * the table's row program computes every vector its aggregates need, and
 * all of them are updated for their employees in the same pass. Rows are
 * never kept beyond their batch. */
#include "base/alloc.h"
#include "vm/cell.h"
#include "vm/run_int.h"

#include <stdio.h>
#include <string.h>

/* A vector register over the kept rows of a batch. */
typedef struct Vec {
    int64_t  *v;        /* numbers (scaled), bools (0/1), dates (days) */
    uint8_t  *blank;
    CsvField *s;        /* texts */
} Vec;

typedef struct Scan {
    Run             *r;
    const TableSpec *t;
    uint32_t         ti;
    char            *file;
    Vec             *vecs;
    int32_t         *vec_field;   /* batch field of a column vector, -1 computed */
    int32_t         *emp;         /* kept rows: employee */
    uint64_t        *rowno;       /* kept rows: record number */
    uint32_t        *keep;        /* kept rows: index in the batch */
    uint32_t         m;           /* kept rows in this batch */
    bool             failed;
} Scan;

/* ---- count distinct without keeping rows: a set of (agg, employee, key) ---- */
typedef struct DistinctKey {
    uint32_t agg, emp;
    uint64_t key;
} DistinctKey;

struct DistinctSet {
    DistinctKey *slots;
    uint8_t     *used;
    size_t       n, cap;
};

static uint64_t mix(const DistinctKey *k)
{
    uint64_t h = k->key * 0x9E3779B97F4A7C15ull;
    h ^= ((uint64_t)k->agg << 32 | k->emp) + 0x632BE59BD9B4E019ull + (h << 6) + (h >> 2);
    h ^= h >> 31;
    return h * 0xBF58476D1CE4E5B9ull;
}

static void distinct_grow(struct DistinctSet *s);

/* True when the key is new for this (agg, employee). */
static bool distinct_insert(struct DistinctSet *s, DistinctKey k)
{
    if ((s->n + 1) * 4 > s->cap * 3)
        distinct_grow(s);
    size_t mask = s->cap - 1, h = (size_t)mix(&k) & mask;
    while (s->used[h]) {
        DistinctKey *o = &s->slots[h];
        if (o->agg == k.agg && o->emp == k.emp && o->key == k.key)
            return false;
        h = (h + 1) & mask;
    }
    s->used[h] = 1;
    s->slots[h] = k;
    s->n++;
    return true;
}

static void distinct_grow(struct DistinctSet *s)
{
    struct DistinctSet old = *s;
    s->cap = old.cap ? old.cap * 2 : 1024;
    s->slots = kpi_calloc(s->cap, sizeof(DistinctKey));
    s->used = kpi_calloc(s->cap, 1);
    s->n = 0;
    for (size_t i = 0; i < old.cap; i++)
        if (old.used[i])
            distinct_insert(s, old.slots[i]);
    kpi_free(old.slots);
    kpi_free(old.used);
}

/* ---- parsing the kept rows' cells into column vectors ---- */
static bool empty_cell(Scan *sc, const ColumnSpec *c, Vec *v, uint32_t i, uint64_t row, uint32_t col)
{
    if (c->role != COLROLE_NONE || c->empty == EMPTY_ERROR) {
        run_data_error(sc->r, K_DATA_EMPTY, sc->file, row, col, "empty cell in column %s%s", c->name,
                       c->role ? " (a key column must be filled)" : " (the scheme says empty cells are errors)");
        return false;
    }
    bool numeric = c->type == COL_INTEGER || c->type == COL_DECIMAL || c->type == COL_MONEY ||
                   c->type == COL_HOURS || c->type == COL_DAYS;
    v->blank[i] = !(c->empty == EMPTY_ZERO && numeric);
    v->v[i] = 0;
    return true;
}

static bool parse_cell(Scan *sc, const ColumnSpec *c, Vec *v, uint32_t i, CsvField f, uint64_t row,
                       uint32_t col)
{
    const Dialect *d = &sc->t->dialect;
    v->blank[i] = 0;
    if (cell_empty(f.ptr, f.len))
        return empty_cell(sc, c, v, i, row, col);
    switch ((ColType)c->type) {
    case COL_TEXT:
    case COL_PERIOD:
        v->s[i] = f;
        return true;
    case COL_BOOL: {
        bool b;
        if (cell_bool(f.ptr, f.len, &b)) {
            v->v[i] = b;
            return true;
        }
        break;
    }
    case COL_DATE: {
        Day day;
        if (date_parse(f.ptr, f.len, d->date, &day)) {
            v->v[i] = day;
            return true;
        }
        break;
    }
    default: {
        NumStatus st = dec_parse(f.ptr, f.len, &d->num, c->scale, &v->v[i]);
        if (st == NUM_OK && c->nonzero && v->v[i] == 0) {
            run_data_error(sc->r, K_DATA_CELL, sc->file, row, col, "zero in column %s, which is declared nonzero",
                           c->name);
            return false;
        }
        if (st == NUM_OK) {
            if (c->type == COL_SCORE && (v->v[i] < 0 || v->v[i] > (int64_t)i128_pow10(c->scale))) {
                run_data_error(sc->r, K_DATA_CELL, sc->file, row, col, "score '%.*s' in column %s is outside 0..1",
                               (int)f.len, f.ptr, c->name);
                return false;
            }
            return true;
        }
        run_data_error(sc->r, K_DATA_CELL, sc->file, row, col, "'%.*s' in column %s: %s (expected %s)", (int)f.len,
                       f.ptr, c->name, cell_num_problem(st, c->scale), cell_expected(c, d));
        return false;
    }
    }
    run_data_error(sc->r, K_DATA_CELL, sc->file, row, col, "'%.*s' in column %s is not %s", (int)f.len, f.ptr,
                   c->name, cell_expected(c, d));
    return false;
}

/* The smallest few distinct ids of unknown employees (bytewise, sorted), for
 * the warning: the same whatever the order of the rows. */
static void note_unknown(TableStats *st, CsvField key)
{
    char id[64];
    snprintf(id, sizeof id, "%.*s", (int)(key.len < 60 ? key.len : 60), key.ptr);
    uint32_t at = 0, n = st->nunknown_ids;
    while (at < n && strcmp(st->unknown_ids[at], id) < 0)
        at++;
    if (at < n && strcmp(st->unknown_ids[at], id) == 0)
        return;
    if (n == KPI_UNKNOWN_SHOWN) {
        st->more_unknown = true;   /* id, or the largest one kept, is left out */
        if (at == n)
            return;
        n--;
    }
    memmove(st->unknown_ids[at + 1], st->unknown_ids[at], (size_t)(n - at) * sizeof st->unknown_ids[0]);
    memcpy(st->unknown_ids[at], id, sizeof id);
    st->nunknown_ids = n + 1;
}

/* Which rows of the batch count: a valid date in the period and a known
 * employee. A malformed key or date is an error wherever the row is. */
static void select_rows(Scan *sc, const CsvBatch *b, const int32_t *pos)
{
    Run *r = sc->r;
    const TableSpec *t = sc->t;
    TableStats *st = &r->res->stats[sc->ti];
    const Period *per = &r->o->period;
    sc->m = 0;
    for (uint32_t i = 0; i < b->nrows; i++) {
        CsvField key = b->fields[(size_t)i * b->ncols + 0];
        CsvField date = b->fields[(size_t)i * b->ncols + 1];
        uint64_t row = b->rowno[i];
        Day day;
        st->rows++;
        if (cell_empty(key.ptr, key.len)) {
            run_data_error(r, K_DATA_EMPTY, sc->file, row, (uint32_t)pos[t->key_col] + 1,
                           "empty employee cell in column %s", t->cols[t->key_col].name);
            sc->failed = true;
            continue;
        }
        if (cell_empty(date.ptr, date.len)) {
            run_data_error(r, K_DATA_EMPTY, sc->file, row, (uint32_t)pos[t->date_col] + 1,
                           "empty date cell in column %s", t->cols[t->date_col].name);
            sc->failed = true;
            continue;
        }
        if (!date_parse(date.ptr, date.len, t->dialect.date, &day)) {
            run_data_error(r, K_DATA_CELL, sc->file, row, (uint32_t)pos[t->date_col] + 1, "'%.*s' in column %s is not %s",
                           (int)date.len, date.ptr, t->cols[t->date_col].name,
                           cell_expected(&t->cols[t->date_col], &t->dialect));
            sc->failed = true;
            continue;
        }
        if (day < per->first || day > per->last)
            continue;
        st->in_period++;
        uint32_t id = strtab_find(&r->res->strs, key.ptr, key.len);
        int32_t e = id != STR_NONE && id < r->nemp_of_text ? r->emp_of_text[id] : -1;
        if (e < 0) {
            st->unknown_employee++;
            note_unknown(st, key);
            continue;
        }
        r->res->emp_rows[(size_t)e * r->p->ntables + sc->ti]++;
        sc->keep[sc->m] = i;
        sc->emp[sc->m] = e;
        sc->rowno[sc->m] = row;
        sc->m++;
    }
}

static void load_columns(Scan *sc, const CsvBatch *b, const int32_t *pos)
{
    for (uint32_t v = 0; v < sc->t->nvecs; v++) {
        int32_t f = sc->vec_field[v];
        if (f < 0)
            continue;
        const VecSpec *vs = &sc->t->vecs[v];
        const ColumnSpec *c = &sc->t->cols[vs->col];
        for (uint32_t i = 0; i < sc->m; i++) {
            CsvField cell = b->fields[(size_t)sc->keep[i] * b->ncols + (uint32_t)f];
            if (!parse_cell(sc, c, &sc->vecs[v], i, cell, sc->rowno[i], (uint32_t)pos[vs->col] + 1)) {
                sc->failed = true;
                sc->vecs[v].blank[i] = 1;
            }
        }
    }
}

/* ---- the row program ---- */
static void row_overflow(Scan *sc, uint32_t pc, uint32_t i)
{
    Span sp = program_span(sc->r->p, sc->t->code_span[pc]);
    const Source *src = sources_get(&sc->r->p->sources, sp.file);
    LineCol lc = src ? source_linecol(src, sp.start) : (LineCol){0, 0};
    run_data_error(sc->r, K_RUN_OVERFLOW, sc->file, sc->rowno[i], 0,
                   "a number is out of range in the row expression at %s:%u:%u",
                   src ? src->name : "?", lc.line, lc.col);
    sc->failed = true;
}

static bool text_eq(CsvField a, CsvField b)
{
    return a.len == b.len && memcmp(a.ptr, b.ptr, a.len) == 0;
}

static void row_const(Scan *sc, Vec *o, const VecSpec *vs, Value k)
{
    const Program *p = sc->r->p;
    CsvField s = {"", 0};
    int64_t v = 0;
    if (k.kind == V_NUM) {
        Rat scaled;
        rat_mul(k.q, (Rat){i128_pow10(vs->scale), 1}, &scaled);
        v = (int64_t)scaled.num;
    } else if (k.kind == V_TEXT) {
        s.ptr = p->strings[k.aux];
        s.len = p->string_len[k.aux];
    } else if (k.kind == V_BOOL || k.kind == V_DATE) {
        v = (int64_t)(int32_t)k.aux;
    }
    for (uint32_t i = 0; i < sc->m; i++) {
        o->v[i] = v;
        o->blank[i] = k.kind == V_BLANK;
        if (o->s)
            o->s[i] = s;
    }
}

static int cmp_elem(const Vec *a, const Vec *b, uint32_t i, bool text)
{
    if (text)
        return text_eq(a->s[i], b->s[i]) ? 0 : 1;
    return (a->v[i] > b->v[i]) - (a->v[i] < b->v[i]);
}

static bool cmp_holds(uint8_t op, int c)
{
    switch (op) {
    case BC_ROW_EQ: return c == 0;
    case BC_ROW_NE: return c != 0;
    case BC_ROW_LT: return c < 0;
    case BC_ROW_LE: return c <= 0;
    case BC_ROW_GT: return c > 0;
    default: return c >= 0;
    }
}

static void row_ins(Scan *sc, uint32_t pc)
{
    Ins in = sc->t->code[pc];
    Vec *o = &sc->vecs[in.a], *a = &sc->vecs[in.b], *b = &sc->vecs[in.c];
    uint32_t m = sc->m;
    switch ((Opcode)in.op) {
    case BC_ROW_CONST: row_const(sc, o, &sc->t->vecs[in.a], sc->r->p->consts[in.b]); break;
    case BC_ROW_MOVE:
        memcpy(o->v, a->v, sizeof(int64_t) * m);
        memcpy(o->blank, a->blank, m);
        if (o->s && a->s)
            memcpy(o->s, a->s, sizeof(CsvField) * m);
        break;
    case BC_ROW_ADD: case BC_ROW_SUB: case BC_ROW_MUL:
        for (uint32_t i = 0; i < m; i++) {
            o->blank[i] = a->blank[i] | b->blank[i];
            if (o->blank[i])
                continue;
            bool ovf = in.op == BC_ROW_ADD ? __builtin_add_overflow(a->v[i], b->v[i], &o->v[i])
                     : in.op == BC_ROW_SUB ? __builtin_sub_overflow(a->v[i], b->v[i], &o->v[i])
                                           : __builtin_mul_overflow(a->v[i], b->v[i], &o->v[i]);
            if (ovf) {
                row_overflow(sc, pc, i);
                o->blank[i] = 1;
            }
        }
        break;
    case BC_ROW_NEG:
        for (uint32_t i = 0; i < m; i++) {
            o->blank[i] = a->blank[i];
            o->v[i] = a->blank[i] ? 0 : -(a->v[i] == INT64_MIN ? 0 : a->v[i]);
            if (!a->blank[i] && a->v[i] == INT64_MIN) {
                row_overflow(sc, pc, i);
                o->blank[i] = 1;
            }
        }
        break;
    case BC_ROW_RESCALE: {
        int64_t f = (int64_t)i128_pow10(in.c);
        for (uint32_t i = 0; i < m; i++) {
            o->blank[i] = a->blank[i];
            if (!a->blank[i] && __builtin_mul_overflow(a->v[i], f, &o->v[i])) {
                row_overflow(sc, pc, i);
                o->blank[i] = 1;
            }
        }
        break;
    }
    case BC_ROW_EQ: case BC_ROW_NE: case BC_ROW_LT: case BC_ROW_LE: case BC_ROW_GT: case BC_ROW_GE: {
        bool text = sc->t->vecs[in.b].type == VT_TEXT;
        for (uint32_t i = 0; i < m; i++) {
            o->blank[i] = a->blank[i] | b->blank[i];
            o->v[i] = !o->blank[i] && cmp_holds(in.op, cmp_elem(a, b, i, text));
        }
        break;
    }
    case BC_ROW_AND: case BC_ROW_OR: {
        bool and = in.op == BC_ROW_AND;
        for (uint32_t i = 0; i < m; i++) {
            bool fa = !a->blank[i] && !a->v[i], fb = !b->blank[i] && !b->v[i];
            bool ta = !a->blank[i] && a->v[i], tb = !b->blank[i] && b->v[i];
            if (and ? (fa || fb) : (ta || tb)) {
                o->blank[i] = 0;
                o->v[i] = !and;
            } else {
                o->blank[i] = a->blank[i] | b->blank[i];
                o->v[i] = and;
            }
        }
        break;
    }
    case BC_ROW_NOT:
        for (uint32_t i = 0; i < m; i++) {
            o->blank[i] = a->blank[i];
            o->v[i] = !a->v[i];
        }
        break;
    case BC_ROW_SELECT: {
        const Vec *c = &sc->vecs[in.x];
        for (uint32_t i = 0; i < m; i++) {
            const Vec *src = c->v[i] ? a : b;
            o->blank[i] = c->blank[i] | src->blank[i];
            o->v[i] = src->v[i];
            if (o->s)
                o->s[i] = src->s[i];
        }
        break;
    }
    case BC_ROW_DEFAULT:
        for (uint32_t i = 0; i < m; i++) {
            const Vec *src = a->blank[i] ? b : a;
            o->blank[i] = src->blank[i];
            o->v[i] = src->v[i];
            if (o->s)
                o->s[i] = src->s[i];
        }
        break;
    case BC_ROW_ISBLANK:
        for (uint32_t i = 0; i < m; i++) {
            o->blank[i] = 0;
            o->v[i] = a->blank[i];
        }
        break;
    default:
        break;
    }
}

/* ---- aggregates ---- */
static void update_one(Run *r, const AggSpec *a, uint32_t ai, Acc *acc, const Vec *x, uint32_t i,
                       uint32_t emp)
{
    int64_t v = x->v[i];
    switch ((AggKind)a->kind) {
    case AGG_SUM:
    case AGG_AVG:
        acc->sum += v;
        acc->count++;
        break;
    case AGG_COUNT:
        acc->count++;
        break;
    case AGG_MIN:
        if (!acc->count++ || v < acc->mm)
            acc->mm = v;
        break;
    case AGG_MAX:
        if (!acc->count++ || v > acc->mm)
            acc->mm = v;
        break;
    case AGG_COUNT_DISTINCT: {
        uint64_t key = a->vtype == VT_TEXT ? strtab_intern(&r->res->strs, x->s[i].ptr, x->s[i].len)
                                           : (uint64_t)v;
        DistinctKey k = {ai, emp, key};
        if (distinct_insert(r->distinct, k))
            acc->count++;
        break;
    }
    default:
        break;
    }
}

static void update_aggs(Scan *sc)
{
    Run *r = sc->r;
    const Program *p = r->p;
    for (uint32_t ai = 0; ai < p->naggs; ai++) {
        const AggSpec *a = &p->aggs[ai];
        if (a->table != sc->ti)
            continue;
        const Vec *w = a->where != NO_REG ? &sc->vecs[a->where] : NULL;
        for (uint32_t i = 0; i < sc->m; i++) {
            if (w && (w->blank[i] || !w->v[i]))
                continue;
            uint32_t e = (uint32_t)sc->emp[i];
            Acc *acc = &r->acc[(size_t)e * p->naggs + ai];
            acc->rows++;
            if (a->kind == AGG_COUNT_ROWS) {
                acc->count++;
                continue;
            }
            for (uint32_t k = 0; k < a->nargs; k++) {
                const Vec *x = &sc->vecs[a->args[k]];
                if (!x->blank[i])
                    update_one(r, a, ai, acc, x, i, e);
            }
        }
    }
}

/* ---- one table ---- */
static void scan_alloc(Scan *sc)
{
    const TableSpec *t = sc->t;
    size_t n = CSV_BATCH_ROWS;
    sc->vecs = kpi_calloc(t->nvecs ? t->nvecs : 1, sizeof(Vec));
    for (uint32_t v = 0; v < t->nvecs; v++) {
        sc->vecs[v].v = kpi_calloc(n, sizeof(int64_t));
        sc->vecs[v].blank = kpi_calloc(n, 1);
        if (t->vecs[v].type == VT_TEXT)
            sc->vecs[v].s = kpi_calloc(n, sizeof(CsvField));
    }
    sc->vec_field = kpi_calloc(t->nvecs ? t->nvecs : 1, sizeof(int32_t));
    sc->emp = kpi_calloc(n, sizeof(int32_t));
    sc->rowno = kpi_calloc(n, sizeof(uint64_t));
    sc->keep = kpi_calloc(n, sizeof(uint32_t));
}

static void scan_release(Scan *sc)
{
    for (uint32_t v = 0; v < sc->t->nvecs; v++) {
        kpi_free(sc->vecs[v].v);
        kpi_free(sc->vecs[v].blank);
        kpi_free(sc->vecs[v].s);
    }
    kpi_free(sc->vecs);
    kpi_free(sc->vec_field);
    kpi_free(sc->emp);
    kpi_free(sc->rowno);
    kpi_free(sc->keep);
    kpi_free(sc->file);
}

/* The reader delivers the key, the date, then each column vector's column. */
static uint32_t choose_fields(Scan *sc, const int32_t *pos, uint32_t *sel)
{
    const TableSpec *t = sc->t;
    uint32_t n = 0;
    sel[n++] = (uint32_t)pos[t->key_col];
    sel[n++] = (uint32_t)pos[t->date_col];
    for (uint32_t v = 0; v < t->nvecs; v++) {
        sc->vec_field[v] = -1;
        if (t->vecs[v].col >= 0) {
            sc->vec_field[v] = (int32_t)n;
            sel[n++] = (uint32_t)pos[t->vecs[v].col];
        }
    }
    return n;
}

static bool scan_table(Run *r, uint32_t ti)
{
    Scan sc;
    memset(&sc, 0, sizeof sc);
    sc.r = r;
    sc.t = &r->p->tables[ti];
    sc.ti = ti;
    sc.file = run_path(r, sc.t);
    CsvError err;
    CsvReader *rd = run_csv_open(r, sc.t, sc.file, &err);
    if (!rd) {
        run_data_error(r, K_DATA_FILE, sc.file, 0, 0, "%s", err.msg);
        kpi_free(sc.file);
        return false;
    }
    const CsvField *names;
    uint32_t ncols;
    int32_t *pos = kpi_calloc(sc.t->ncols, sizeof(int32_t));
    bool ok = csv_header(rd, &names, &ncols, &err);
    if (!ok)
        run_data_error(r, K_DATA_CSV, sc.file, err.row, err.col, "%s", err.msg);
    else
        ok = ref_map_header(r, sc.t, sc.file, names, ncols, pos);
    if (ok) {
        scan_alloc(&sc);
        uint32_t *sel = kpi_calloc(sc.t->nvecs + 2u, sizeof(uint32_t));
        csv_select(rd, sel, choose_fields(&sc, pos, sel));
        kpi_free(sel);
        CsvBatch b;
        int n;
        while ((n = csv_next_batch(rd, &b, &err)) > 0 && r->res->diags.errors < DIAG_MAX_ERRORS) {
            select_rows(&sc, &b, pos);
            load_columns(&sc, &b, pos);
            for (uint32_t pc = 0; pc < sc.t->ncode; pc++)
                row_ins(&sc, pc);
            update_aggs(&sc);
        }
        if (n < 0) {
            run_data_error(r, K_DATA_CSV, sc.file, err.row, err.col, "%s", err.msg);
            sc.failed = true;
        }
        ok = !sc.failed;
        scan_release(&sc);
    } else {
        kpi_free(sc.file);
    }
    kpi_free(pos);
    csv_close(rd);
    return ok;
}

bool scan_facts(Run *r)
{
    const Program *p = r->p;
    r->acc = kpi_calloc((size_t)(r->res->nemp ? r->res->nemp : 1) * (p->naggs ? p->naggs : 1), sizeof(Acc));
    r->distinct = kpi_calloc(1, sizeof(struct DistinctSet));
    r->res->emp_rows = kpi_calloc((size_t)(r->res->nemp ? r->res->nemp : 1) * (p->ntables ? p->ntables : 1),
                                  sizeof(uint64_t));
    bool ok = true;
    for (uint32_t i = 0; i < p->ntables; i++)
        if (p->tables[i].kind == TABLE_KIND_FACTS && !scan_table(r, i)) {
            r->res->stats[i].failed = true;
            ok = false;
        }
    return ok;
}

Value scan_agg_value(const Run *r, uint32_t emp, uint32_t agg)
{
    const AggSpec *a = &r->p->aggs[agg];
    const Acc *acc = &r->acc[(size_t)emp * r->p->naggs + agg];
    Rat q;
    switch ((AggKind)a->kind) {
    case AGG_SUM:
        rat_scaled(acc->sum, a->scale, &q);
        return val_num(q);
    case AGG_AVG:
        if (!acc->count)
            return val_blank();
        if (rat_make(acc->sum, (i128)acc->count * i128_pow10(a->scale), &q) != NUM_OK)
            return val_error(ERR_OVERFLOW, a->span);
        return val_num(q);
    case AGG_MIN:
    case AGG_MAX:
        if (!acc->count)
            return val_blank();
        if (a->vtype == VT_DATE)
            return val_date((Day)acc->mm);
        rat_scaled(acc->mm, a->scale, &q);
        return val_num(q);
    default:
        return val_num(rat_int(acc->count));
    }
}

uint64_t scan_agg_rows(const Run *r, uint32_t emp, uint32_t agg)
{
    return (uint64_t)r->acc[(size_t)emp * r->p->naggs + agg].rows;
}

void scan_free(Run *r)
{
    kpi_free(r->acc);
    if (r->distinct) {
        kpi_free(r->distinct->slots);
        kpi_free(r->distinct->used);
        kpi_free(r->distinct);
    }
}
