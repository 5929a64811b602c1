/* scan.c - the fact engine. Each fact table is read once, a batch at a
 * time: rows outside the period or of unknown employees are dropped, only
 * the columns the scheme uses are parsed (straight into scaled integers),
 * the table's row program computes every vector its aggregates need, and
 * all of them are updated for their employees in the same pass. Rows are
 * never kept beyond their batch.
 *
 * A large file is split into parts read by threads at once. Each part has
 * its own accumulators, counts and errors; they are merged in file order,
 * with exact integer sums, so the result is the same bytes whatever the
 * number of threads. Parts start at a line start found without knowing
 * about quotes; a part that ends elsewhere than where the next one started
 * (a quoted line break across the split) makes the file be read again in
 * one part. */
#include "base/alloc.h"
#include "base/compiler.h"
#include "vm/cell.h"
#include "vm/distinct.h"
#include "vm/num_plain.h"
#include "vm/run_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* -DKPI_PROFILE keeps the scan's stages out of line, so that a profile
 * shows each (docs/performance.md); they are inlined otherwise. */
#ifdef KPI_PROFILE
#define STAGE __attribute__((noinline))
#else
#define STAGE
#endif

#define SCAN_SPLIT_MIN (8u << 20)   /* bytes per part at least: smaller files are one part */

/* ---- the roster's keys, for one lookup per row ---- */
typedef struct EmpSlot {
    uint64_t head;       /* the key's first 8 bytes, zero-padded */
    uint32_t emp;        /* employee + 1, 0 empty */
    uint32_t len;
} EmpSlot;

typedef struct EmpIndex {
    EmpSlot  *slot;
    size_t    mask;
    char     *keys;      /* the keys, padded so they can be read 8 bytes at a time */
    uint32_t *off;       /* per employee: its key in keys */
} EmpIndex;

/* The first 8 bytes of s (n of them real), zero-padded. s can be read 8
 * bytes past its end (a CSV buffer, or the index's padded keys). */
static inline uint64_t key_head(const char *s, uint32_t n)
{
    uint64_t w;
    memcpy(&w, s, 8);
    return n >= 8 ? w : w & ~(~0ull << (8 * n));
}

KPI_WRAPS static inline uint64_t key_hash(const char *s, uint32_t n, uint64_t head)
{
    uint64_t h = (head ^ n) * 0x9E3779B97F4A7C15ull;
    for (s += 8; n > 8; s += 8, n = n > 16 ? n - 8 : 8) {
        uint64_t w = key_head(s, n - 8);
        h = (h ^ w) * 0xFF51AFD7ED558CCDull;
    }
    return h ^ (h >> 31);
}

static void emp_index_build(EmpIndex *x, const RunResult *res)
{
    size_t cap = 16, bytes = 8;
    while (cap < (size_t)res->nemp * 2)
        cap *= 2;
    for (uint32_t e = 0; e < res->nemp; e++) {
        uint32_t len;
        strtab_get(&res->strs, res->emp_key[e], &len);
        bytes += len;
    }
    x->slot = kpi_calloc(cap, sizeof(EmpSlot));
    x->mask = cap - 1;
    x->keys = kpi_calloc(bytes + 16, 1);
    x->off = kpi_calloc(res->nemp ? res->nemp : 1, sizeof(uint32_t));
    uint32_t at = 0;
    for (uint32_t e = 0; e < res->nemp; e++) {
        uint32_t len;
        const char *k = strtab_get(&res->strs, res->emp_key[e], &len);
        memcpy(x->keys + at, k, len);
        x->off[e] = at;
        uint64_t head = key_head(x->keys + at, len);
        size_t i = (size_t)key_hash(x->keys + at, len, head) & x->mask;
        while (x->slot[i].emp)
            i = (i + 1) & x->mask;
        x->slot[i] = (EmpSlot){head, e + 1, len};
        at += len;
    }
}

/* a and b hold n bytes and can be read up to 8 bytes further */
static inline bool same_bytes(const char *a, const char *b, uint32_t n)
{
    for (; n >= 8; a += 8, b += 8, n -= 8) {
        uint64_t x, y;
        memcpy(&x, a, 8);
        memcpy(&y, b, 8);
        if (x != y)
            return false;
    }
    if (!n)
        return true;
    uint64_t x, y;
    memcpy(&x, a, 8);
    memcpy(&y, b, 8);
    return ((x ^ y) << (64 - 8 * n)) == 0;
}

/* Where the lookup of a key will start; prefetched a few rows ahead, since
 * the table is larger than the cache and rows come in no useful order. */
static inline size_t emp_start(const EmpIndex *x, const char *s, uint32_t n)
{
    return (size_t)key_hash(s, n, key_head(s, n)) & x->mask;
}

static inline int32_t emp_find_at(const EmpIndex *x, const char *s, uint32_t n, size_t start)
{
    uint64_t head = key_head(s, n);
    for (size_t i = start; x->slot[i].emp; i = (i + 1) & x->mask) {
        const EmpSlot *sl = &x->slot[i];
        if (sl->head == head && sl->len == n &&
            (n <= 8 || same_bytes(x->keys + x->off[sl->emp - 1] + 8, s + 8, n - 8)))
            return (int32_t)sl->emp - 1;
    }
    return -1;
}

static void emp_index_free(EmpIndex *x)
{
    kpi_free(x->slot);
    kpi_free(x->keys);
    kpi_free(x->off);
}

/* ---- a part of a file, read by one thread ---- */
/* The last few distinct cells of a number column and their values: a
 * column of few distinct values (scores, quantities, hours) is read by one
 * lookup per cell instead of a parse whose branches follow its length. A
 * column it does not help (amounts) stops using it after a batch of enough
 * rows where fewer than half hit. */
#define MEMO_SLOTS 16u
#define MEMO_JUDGE 256u   /* kept rows a batch needs for its hits to turn the memo off */
typedef struct CellMemo {
    uint64_t word[MEMO_SLOTS];   /* the cell's bytes, zero-padded; 0 for a free slot */
    int64_t  val[MEMO_SLOTS];
    bool     off;
} CellMemo;

typedef struct Vec {
    int64_t  *v;        /* numbers (scaled), bools (0/1), dates (days) */
    uint8_t  *blank;
    CsvField *s;        /* texts */
    CellMemo *memo;     /* number columns */
} Vec;

/* A data error of a part, placed once the records before the part are known. */
typedef struct PartError {
    DiagId   id;
    uint64_t row;       /* within the part; 0 when not about a record */
    uint32_t col;
    bool     csv;       /* the reader's: err holds row, line and message */
    CsvError err;
    char    *msg;
} PartError;

/* A part's accumulator, 16 bytes so that an employee's lie in one cache
 * line or two: a sum in int64 and counts in uint32 (rows are fewer than
 * CSV_MAX_ROWS). What outgrows them moves to the part's carry, so the sum
 * is v + carry.v and the count count + carry.count, exactly. */
typedef struct PartAcc {
    int64_t  v;       /* the sum, or the min or max so far */
    uint32_t count;
    uint32_t rows;    /* rows that passed the filter (explanations) */
} PartAcc;

typedef struct PartCarry {
    i128     v;
    uint64_t count;
} PartCarry;

_Static_assert(CSV_MAX_ROWS < UINT32_MAX, "a part's row counts fit uint32");

typedef struct Part {
    Run             *r;          /* read only while parts run */
    const EmpIndex  *emps;
    const TableSpec *t;
    uint32_t         ti;
    const char      *file;
    CsvReader       *rd;
    const int32_t   *pos;        /* header position of each declared column */
    /* the batch */
    Vec             *vecs;
    int32_t         *vec_field;  /* batch field of a column vector, -1 computed */
    int32_t         *emp;        /* kept rows: employee */
    const uint64_t  *rowno;      /* the batch's record numbers: kept row i's is rowno[keep[i]] */
    uint32_t        *keep;       /* kept rows: index in the batch */
    uint32_t         m;          /* kept rows in this batch */
    uint32_t        *aggs;       /* the aggregates of its table */
    uint32_t         naggs;
    struct AggRun   *runs;       /* naggs: how each is updated, by shape */
    uint32_t         nruns[4];   /* runs of each shape */
    Vec              truth;      /* true on every row: no filter, or count of rows */
    uint8_t         *hoisted;    /* ncode: a constant filled once, not per batch */
    uint8_t         *konst;      /* nvecs: holds a hoisted constant */
    /* what it found */
    PartAcc         *acc;        /* nemp * naggs */
    PartCarry       *carry;      /* nemp * naggs, once a sum or count outgrows its PartAcc */
    DistinctSet      distinct;   /* count(distinct ...) */
    TableStats       stats;
    uint64_t        *emp_rows;   /* nemp */
    PartError       *errs;
    size_t           nerrs, caperrs, max_errs;
    bool             failed;     /* data errors */
    bool             broken;     /* the reader stopped at an error: nothing after it is read */
    uint64_t         start;      /* file offset of its first record */
    uint64_t         bytes;      /* about how much it reads: the larger parts run first */
} Part;

__attribute__((format(printf, 5, 6)))
static void part_error(Part *pt, DiagId id, uint64_t row, uint32_t col, const char *fmt, ...)
{
    pt->failed = true;
    if (pt->nerrs >= pt->max_errs)
        return;
    PartError e;
    memset(&e, 0, sizeof e);
    e.id = id;
    e.row = row;
    e.col = col;
    Buf b = BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    e.msg = kpi_strdup(buf_cstr(&b));
    buf_free(&b);
    VEC_PUSH(pt->errs, pt->nerrs, pt->caperrs, e);
}

static void part_csv_error(Part *pt, const CsvError *err)
{
    pt->failed = pt->broken = true;
    if (pt->nerrs >= pt->max_errs)
        return;
    PartError e;
    memset(&e, 0, sizeof e);
    e.id = K_DATA_CSV;
    e.csv = true;
    e.err = *err;
    VEC_PUSH(pt->errs, pt->nerrs, pt->caperrs, e);
}

static bool part_capped(const Part *pt) { return pt->nerrs >= pt->max_errs; }

/* ---- parsing the kept rows' cells into column vectors ---- */
static bool empty_cell(Part *pt, const ColumnSpec *c, Vec *v, uint32_t i, uint64_t row, uint32_t col)
{
    if (c->role != COLROLE_NONE || c->empty == EMPTY_ERROR) {
        part_error(pt, K_DATA_EMPTY, row, col, "empty cell in column %s%s", c->name,
                   c->role ? " (a key column must be filled)" : " (the scheme says empty cells are errors)");
        return false;
    }
    bool numeric = c->type == COL_INTEGER || c->type == COL_DECIMAL || c->type == COL_MONEY ||
                   c->type == COL_HOURS || c->type == COL_DAYS;
    v->blank[i] = !(c->empty == EMPTY_ZERO && numeric);
    v->v[i] = 0;
    return true;
}

static bool parse_number(Part *pt, const ColumnSpec *c, Vec *v, uint32_t i, CsvField f, uint64_t row,
                         uint32_t col)
{
    const Dialect *d = &pt->t->dialect;
    NumStatus st = NUM_OK;
    if (!dec_parse_plain(f.ptr, f.len, d->num.decimal_point, c->scale, &v->v[i]))
        st = dec_parse(f.ptr, f.len, &d->num, c->scale, &v->v[i]);
    if (st != NUM_OK) {
        part_error(pt, K_DATA_CELL, row, col, "'%.*s' in column %s: %s (expected %s)", (int)f.len, f.ptr, c->name,
                   cell_num_problem(st, c->scale), cell_expected(c, d));
        return false;
    }
    if (c->nonzero && v->v[i] == 0) {
        part_error(pt, K_DATA_CELL, row, col, "zero in column %s, which is declared nonzero", c->name);
        return false;
    }
    if (c->type == COL_SCORE && (v->v[i] < 0 || v->v[i] > (int64_t)i128_pow10(c->scale))) {
        part_error(pt, K_DATA_CELL, row, col, "score '%.*s' in column %s is outside 0..1", (int)f.len, f.ptr,
                   c->name);
        return false;
    }
    return true;
}

static bool parse_cell(Part *pt, const ColumnSpec *c, Vec *v, uint32_t i, CsvField f, uint64_t row, uint32_t col)
{
    v->blank[i] = 0;
    if (f.len == 0 || (f.ptr[0] == ' ' && cell_empty(f.ptr, f.len)))
        return empty_cell(pt, c, v, i, row, col);
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
        if (date_parse(f.ptr, f.len, pt->t->dialect.date, &day)) {
            v->v[i] = day;
            return true;
        }
        break;
    }
    default:
        return parse_number(pt, c, v, i, f, row, col);
    }
    part_error(pt, K_DATA_CELL, row, col, "'%.*s' in column %s is not %s", (int)f.len, f.ptr, c->name,
               cell_expected(c, &pt->t->dialect));
    return false;
}

/* The smallest few distinct ids of unknown employees (bytewise, sorted), for
 * the warning: the same whatever the order of the rows or the parts. */
static void note_unknown_id(TableStats *st, const char *id)
{
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
    snprintf(st->unknown_ids[at], sizeof st->unknown_ids[at], "%s", id);
    st->nunknown_ids = n + 1;
}

static void note_unknown(TableStats *st, CsvField key)
{
    char id[64];
    snprintf(id, sizeof id, "%.*s", (int)(key.len < 60 ? key.len : 60), key.ptr);
    note_unknown_id(st, id);
}

/* DD.MM.YYYY or YYYY-MM-DD exactly: the common cell, without date_parse's
 * trimming and alternatives. False sends the cell to date_parse. A month's
 * rows share their year and month: those 8 bytes are checked once, and a
 * row's date is then the month's first day plus its own two digits. The
 * memo keeps two months: a period's rows come mixed with a few of the
 * month before or after. */
typedef struct DateMemo {
    uint64_t ym;      /* the year-and-month bytes last seen (0: none) */
    Day      first;   /* that month's first day */
    unsigned ndays;
} DateMemo;

static bool date_month(const char *s, DateFormat f, uint64_t ym, DateMemo *dm)
{
    int c[10];
    unsigned notdigit = 0; /* bit i: s[i] is not a digit (an OR of digits can pass 9: 8 | 2) */
    for (int i = 0; i < 10; i++) {
        c[i] = (unsigned char)s[i] - '0';
        notdigit |= (unsigned)(c[i] < 0 || c[i] > 9) << i;
    }
    int y, m;
    if (f == DATE_DMY) {
        if (s[2] != '.' || s[5] != '.' || (notdigit & 0x3D8)) /* 3, 4, 6..9 */
            return false;
        m = c[3] * 10 + c[4];
        y = c[6] * 1000 + c[7] * 100 + c[8] * 10 + c[9];
    } else {
        if (s[4] != '-' || s[7] != '-' || (notdigit & 0x06F)) /* 0..3, 5, 6 */
            return false;
        y = c[0] * 1000 + c[1] * 100 + c[2] * 10 + c[3];
        m = c[5] * 10 + c[6];
    }
    if (!date_valid(y, m, 1))
        return false;
    dm->ym = ym;
    dm->first = date_from_ymd(y, m, 1);
    dm->ndays = 28;
    while (dm->ndays < 31 && date_valid(y, m, (int)dm->ndays + 1))
        dm->ndays++;
    return true;
}

/* The month of ym in dm[0]: found in dm[1] (and swapped in) or read. */
static inline bool date_memo(const char *s, DateFormat f, uint64_t ym, DateMemo dm[2])
{
    if (ym == dm[1].ym) {
        DateMemo t = dm[0];
        dm[0] = dm[1];
        dm[1] = t;
        return true;
    }
    DateMemo keep = dm[0];
    if (!date_month(s, f, ym, &dm[0]))
        return false;
    dm[1] = keep;
    return true;
}

static inline bool date_fast(const char *s, uint32_t n, DateFormat f, DateMemo dm[2], Day *out)
{
    if (n != 10)
        return false;
    const char *dd = f == DATE_DMY ? s : s + 8;
    int d1 = (unsigned char)dd[0] - '0', d0 = (unsigned char)dd[1] - '0';
    uint64_t ym;
    memcpy(&ym, f == DATE_DMY ? s + 2 : s, 8);
    if (d1 < 0 || d1 > 9 || d0 < 0 || d0 > 9 || (ym != dm[0].ym && !date_memo(s, f, ym, dm)))
        return false;
    int day = d1 * 10 + d0;
    if (day < 1 || day > (int)dm[0].ndays)
        return false;
    *out = dm[0].first + (Day)day - 1;
    return true;
}

/* Which rows of the batch count: a valid date in the period and a known
 * employee. A malformed key or date is an error wherever the row is. */
STAGE static void select_rows(Part *pt, const CsvBatch *b)
{
    const TableSpec *t = pt->t;
    TableStats *st = &pt->stats;
    const Period *per = &pt->r->o->period;
    const int32_t *pos = pt->pos;
    enum { AHEAD = 8 };
    size_t start[AHEAD];
    for (uint32_t i = 0; i < AHEAD && i < b->nrows; i++) {
        CsvField k = b->fields[(size_t)i * b->ncols + 0];
        start[i] = emp_start(pt->emps, k.ptr, k.len);
        __builtin_prefetch(&pt->emps->slot[start[i]]);
    }
    DateMemo dmemo[2] = {{0, 0, 0}, {0, 0, 0}};
    pt->m = 0;
    pt->rowno = b->rowno;
    for (uint32_t i = 0; i < b->nrows && !part_capped(pt); i++) {
        size_t here = start[i % AHEAD];
        if (i + AHEAD < b->nrows) {
            CsvField k = b->fields[(size_t)(i + AHEAD) * b->ncols + 0];
            start[i % AHEAD] = emp_start(pt->emps, k.ptr, k.len);
            __builtin_prefetch(&pt->emps->slot[start[i % AHEAD]]);
        }
        CsvField key = b->fields[(size_t)i * b->ncols + 0];
        CsvField date = b->fields[(size_t)i * b->ncols + 1];
        uint64_t row = b->rowno[i];
        Day day;
        st->rows++;
        if (key.len == 0 || (key.ptr[0] == ' ' && cell_empty(key.ptr, key.len))) {
            part_error(pt, K_DATA_EMPTY, row, (uint32_t)pos[t->key_col] + 1, "empty employee cell in column %s",
                       t->cols[t->key_col].name);
            continue;
        }
        if (!date_fast(date.ptr, date.len, t->dialect.date, dmemo, &day)) {
            if (date.len == 0 || cell_empty(date.ptr, date.len)) {
                part_error(pt, K_DATA_EMPTY, row, (uint32_t)pos[t->date_col] + 1, "empty date cell in column %s",
                           t->cols[t->date_col].name);
                continue;
            }
            if (!date_parse(date.ptr, date.len, t->dialect.date, &day)) {
                part_error(pt, K_DATA_CELL, row, (uint32_t)pos[t->date_col] + 1, "'%.*s' in column %s is not %s",
                           (int)date.len, date.ptr, t->cols[t->date_col].name,
                           cell_expected(&t->cols[t->date_col], &t->dialect));
                continue;
            }
        }
        if (day < per->first || day > per->last)
            continue;
        st->in_period++;
        int32_t e = emp_find_at(pt->emps, key.ptr, key.len, here);
        if (e < 0) {
            st->unknown_employee++;
            note_unknown(st, key);
            continue;
        }
        pt->emp_rows[e]++;
        pt->keep[pt->m] = i;
        pt->emp[pt->m] = e;
        pt->m++;
    }
}

/* The column loaders: a loop per kind of column whose common cell takes a
 * few instructions; any other cell (blank, spaces, signs, words, errors)
 * goes to parse_cell, which decides and says what is wrong. */
typedef struct ColLoad {
    Part             *pt;
    const CsvField   *cells;   /* the batch's fields, from the column's own */
    uint32_t          stride;  /* fields per row */
    const ColumnSpec *c;
    Vec              *v;
    uint32_t          col;     /* 1-based, for messages */
} ColLoad;

static void load_slow(const ColLoad *l, uint32_t i, CsvField f)
{
    if (!parse_cell(l->pt, l->c, l->v, i, f, l->pt->rowno[l->pt->keep[i]], l->col))
        l->v->blank[i] = 1;
}

/* The loaders keep what they read through l in locals: a store to a
 * blank byte may alias anything, and would have it all loaded again. */
#define LOAD_LOCALS                                                        \
    const uint32_t *keep = l->pt->keep;                                     \
    const CsvField *cells = l->cells;                                       \
    const size_t stride = l->stride;                                        \
    uint8_t *vb = l->v->blank
/* kept row i's cell of the column */
#define CELL(i) cells[(size_t)keep[i] * stride]

STAGE static void load_text(const ColLoad *l, uint32_t m)
{
    LOAD_LOCALS;
    CsvField *vs = l->v->s;
    for (uint32_t i = 0; i < m; i++) {
        CsvField f = CELL(i);
        if (f.len == 0 || f.ptr[0] == ' ') {
            load_slow(l, i, f);
            continue;
        }
        vb[i] = 0;
        vs[i] = f;
    }
}

KPI_WRAPS static inline size_t memo_slot(uint64_t w) { return (size_t)((w * 0x9E3779B97F4A7C15ull) >> 60); }

STAGE static void load_number(const ColLoad *l, uint32_t m)
{
    const ColumnSpec *c = l->c;
    const char point = l->pt->t->dialect.num.decimal_point;
    /* an empty cell that is allowed: blank, or zero with `empty zero` */
    bool empty_ok = c->role == COLROLE_NONE && c->empty != EMPTY_ERROR;
    uint8_t empty_blank = c->empty != EMPTY_ZERO;
    int64_t lo = c->nonzero ? 1 : INT64_MIN, hi = INT64_MAX;
    if (c->type == COL_SCORE)
        lo = 0, hi = (int64_t)i128_pow10(c->scale);
    const int scale = c->scale;
    LOAD_LOCALS;
    int64_t *vv = l->v->v;
    CellMemo *memo = l->v->memo && !l->v->memo->off ? l->v->memo : NULL;
    uint32_t hits = 0;
    for (uint32_t i = 0; i < m; i++) {
        CsvField f = CELL(i);
        uint64_t w = 0;
        if (memo && f.len >= 1 && f.len <= 8) { /* readable as a word (padded buffers) */
            memcpy(&w, f.ptr, 8);
            w &= ~0ull >> (64 - 8 * f.len);
            size_t k = memo_slot(w);
            if (memo->word[k] == w) {
                vv[i] = memo->val[k];
                vb[i] = 0;
                hits++;
                continue;
            }
        }
        int64_t x;
        if (dec_parse_plain(f.ptr, f.len, point, scale, &x) && x >= lo && x <= hi) {
            vv[i] = x;
            vb[i] = 0;
            if (w) {
                memo->word[memo_slot(w)] = w;
                memo->val[memo_slot(w)] = x;
            }
        } else if (f.len == 0 && empty_ok) {
            vb[i] = empty_blank;
            vv[i] = 0;
        } else {
            load_slow(l, i, f);
        }
    }
    if (memo && m >= MEMO_JUDGE && hits < m / 2)
        memo->off = true;
}

STAGE static void load_bool(const ColLoad *l, uint32_t m)
{
    LOAD_LOCALS;
    int64_t *vv = l->v->v;
    for (uint32_t i = 0; i < m; i++) {
        CsvField f = CELL(i);
        if (f.len == 1 && (f.ptr[0] == '0' || f.ptr[0] == '1')) {
            vb[i] = 0;
            vv[i] = f.ptr[0] - '0';
        } else {
            load_slow(l, i, f);
        }
    }
}

static void load_any(const ColLoad *l, uint32_t m)
{
    for (uint32_t i = 0; i < m; i++)
        load_slow(l, i, l->cells[(size_t)l->pt->keep[i] * l->stride]);
}

STAGE static void load_columns(Part *pt, const CsvBatch *b)
{
    for (uint32_t v = 0; v < pt->t->nvecs; v++) {
        int32_t f = pt->vec_field[v];
        if (f < 0)
            continue;
        const VecSpec *vs = &pt->t->vecs[v];
        const ColumnSpec *c = &pt->t->cols[vs->col];
        ColLoad l = {pt, b->fields + f, b->ncols, c, &pt->vecs[v], (uint32_t)pt->pos[vs->col] + 1};
        switch ((ColType)c->type) {
        case COL_TEXT: load_text(&l, pt->m); break;
        case COL_BOOL: load_bool(&l, pt->m); break;
        case COL_INTEGER: case COL_DECIMAL: case COL_MONEY: case COL_HOURS: case COL_DAYS: case COL_SCORE:
            load_number(&l, pt->m);
            break;
        default: load_any(&l, pt->m); break;
        }
    }
}

/* ---- the row program ---- */
static void row_overflow(Part *pt, uint32_t pc, uint32_t i)
{
    Span sp = program_span(pt->r->p, pt->t->code_span[pc]);
    const Source *src = sources_get(&pt->r->p->sources, sp.file);
    LineCol lc = src ? source_linecol(src, sp.start) : (LineCol){0, 0};
    part_error(pt, K_RUN_OVERFLOW, pt->rowno[pt->keep[i]], 0,
               "a number is out of range in the row expression at %s:%u:%u", src ? src->name : "?", lc.line, lc.col);
}

static inline bool text_eq(CsvField a, CsvField b)
{
    if (a.len != b.len)
        return false;
    if (a.len <= 8) { /* fields lie in padded buffers, constants are NUL-terminated: compare by bytes */
        for (uint32_t k = 0; k < a.len; k++)
            if (a.ptr[k] != b.ptr[k])
                return false;
        return true;
    }
    return memcmp(a.ptr, b.ptr, a.len) == 0;
}

/* A column's texts against a short constant ("paid"): a cell's first 8
 * bytes (the batch's buffer is padded) against the constant's, as words. */
static void text_eq_const(uint32_t m, bool eq, Vec *o, const Vec *a, CsvField k)
{
    uint64_t kw = 0, mask = k.len ? ~0ull >> (64 - 8 * k.len) : 0;
    memcpy(&kw, k.ptr, k.len);
    for (uint32_t i = 0; i < m; i++) {
        o->blank[i] = a->blank[i];
        if (a->blank[i]) {
            o->v[i] = 0;
            continue;
        }
        uint64_t w;
        memcpy(&w, a->s[i].ptr, 8);
        o->v[i] = (a->s[i].len == k.len && (w & mask) == kw) == eq;
    }
}

static void row_const(Part *pt, Vec *o, const VecSpec *vs, Value k)
{
    const Program *p = pt->r->p;
    CsvField s = {"", 0};
    int64_t v = 0;
    if (k.kind == V_NUM) {
        rat_to_scaled(k.q, vs->scale, &v); /* verified to fit */
    } else if (k.kind == V_TEXT) {
        s.ptr = p->strings[k.aux];
        s.len = p->string_len[k.aux];
    } else if (k.kind == V_BOOL || k.kind == V_DATE) {
        v = (int64_t)(int32_t)k.aux;
    }
    for (uint32_t i = 0; i < pt->m; i++) {
        o->v[i] = v;
        o->blank[i] = k.kind == V_BLANK;
        if (o->s)
            o->s[i] = s;
    }
}

_Static_assert(BC_ROW_NE - BC_ROW_EQ == CMP_NE && BC_ROW_LT - BC_ROW_EQ == CMP_LT &&
                   BC_ROW_LE - BC_ROW_EQ == CMP_LE && BC_ROW_GT - BC_ROW_EQ == CMP_GT &&
                   BC_ROW_GE - BC_ROW_EQ == CMP_GE,
               "row comparisons come in CmpOp's order");

static void row_compare(Part *pt, Ins in, Vec *o, const Vec *a, const Vec *b)
{
    uint32_t m = pt->m;
    if (pt->t->vecs[in.b].type == VT_TEXT) {
        bool eq = in.op == BC_ROW_EQ;
        if (pt->t->vecs[in.b].col >= 0 && pt->konst[in.c] && b->s[0].len <= 8 && !b->blank[0]) {
            text_eq_const(m, eq, o, a, b->s[0]);
            return;
        }
        for (uint32_t i = 0; i < m; i++) {
            o->blank[i] = a->blank[i] | b->blank[i];
            o->v[i] = !o->blank[i] && text_eq(a->s[i], b->s[i]) == eq;
        }
        return;
    }
    CmpOp op = (CmpOp)(in.op - BC_ROW_EQ);
    for (uint32_t i = 0; i < m; i++) {
        o->blank[i] = a->blank[i] | b->blank[i];
        int c = (a->v[i] > b->v[i]) - (a->v[i] < b->v[i]);
        o->v[i] = !o->blank[i] && val_cmp_holds(op, c);
    }
}

/* Branch-free over the batch: an overflow of a row that is not blank is
 * marked as blank byte 2, and reported by a pass that runs only when one
 * happened; every other blank byte stays 0 or 1 (is_blank reads it as a
 * value). The inputs may be the output. */
#define ROW_ARITH_LOOP(builtin)                                             \
    for (uint32_t i = 0; i < m; i++) {                                      \
        int64_t r;                                                          \
        uint8_t ovf = (uint8_t)builtin(a->v[i], b->v[i], &r);               \
        uint8_t bl = a->blank[i] | b->blank[i];                             \
        uint8_t lost = (uint8_t)(ovf & (bl ^ 1));                           \
        o->v[i] = r;                                                        \
        o->blank[i] = (uint8_t)(bl | lost << 1);                            \
        any |= lost;                                                        \
    }

static void row_arith(Part *pt, uint32_t pc, Ins in, Vec *o, const Vec *a, const Vec *b)
{
    const uint32_t m = pt->m;
    uint8_t any = 0;
    if (in.op == BC_ROW_ADD)
        ROW_ARITH_LOOP(__builtin_add_overflow)
    else if (in.op == BC_ROW_SUB)
        ROW_ARITH_LOOP(__builtin_sub_overflow)
    else
        ROW_ARITH_LOOP(__builtin_mul_overflow)
    for (uint32_t i = 0; any && i < m; i++)
        if (o->blank[i] == 2) {
            row_overflow(pt, pc, i);
            o->blank[i] = 1;
        }
}
#undef ROW_ARITH_LOOP

/* Three-valued: false AND blank is false, true OR blank is true. */
static void row_logic(Part *pt, Ins in, Vec *o, const Vec *a, const Vec *b)
{
    const uint8_t and = in.op == BC_ROW_AND;
    for (uint32_t i = 0; i < pt->m; i++) {
        uint8_t ab = a->blank[i] != 0, bb = b->blank[i] != 0;
        uint8_t at = (uint8_t)((ab ^ 1) & (a->v[i] != 0)), bt = (uint8_t)((bb ^ 1) & (b->v[i] != 0));
        uint8_t af = (uint8_t)((ab | at) ^ 1), bf = (uint8_t)((bb | bt) ^ 1);
        /* a side that decides alone: a false for AND, a true for OR */
        uint8_t decided = and ? (uint8_t)(af | bf) : (uint8_t)(at | bt);
        o->v[i] = decided ^ and;
        o->blank[i] = (uint8_t)((decided ^ 1) & (ab | bb));
    }
}

static void row_choose(Part *pt, Ins in, Vec *o, const Vec *a, const Vec *b)
{
    const Vec *c = in.op == BC_ROW_SELECT ? &pt->vecs[in.x] : NULL;
    for (uint32_t i = 0; i < pt->m; i++) {
        const Vec *src = c ? (c->v[i] ? a : b) : (a->blank[i] ? b : a);
        o->blank[i] = (c ? c->blank[i] : 0) | src->blank[i];
        o->v[i] = src->v[i];
        if (o->s)
            o->s[i] = src->s[i];
    }
}

static void row_unary(Part *pt, uint32_t pc, Ins in, Vec *o, const Vec *a)
{
    int64_t f = in.op == BC_ROW_RESCALE ? (int64_t)i128_pow10(in.c) : 0;
    for (uint32_t i = 0; i < pt->m; i++) {
        o->blank[i] = in.op == BC_ROW_ISBLANK ? 0 : a->blank[i];
        if (in.op == BC_ROW_ISBLANK) {
            o->v[i] = a->blank[i];
        } else if (in.op == BC_ROW_NOT) {
            o->v[i] = !a->v[i];
        } else if (!a->blank[i]) {
            bool ovf = in.op == BC_ROW_NEG ? __builtin_sub_overflow((int64_t)0, a->v[i], &o->v[i])
                                           : __builtin_mul_overflow(a->v[i], f, &o->v[i]);
            if (ovf) {
                row_overflow(pt, pc, i);
                o->blank[i] = 1;
            }
        }
    }
}

STAGE static void row_ins(Part *pt, uint32_t pc)
{
    Ins in = pt->t->code[pc];
    Vec *o = &pt->vecs[in.a], *a = &pt->vecs[in.b], *b = &pt->vecs[in.c];
    switch ((Opcode)in.op) {
    case BC_ROW_CONST: row_const(pt, o, &pt->t->vecs[in.a], pt->r->p->consts[in.b]); break;
    case BC_ROW_MOVE:
        memcpy(o->v, a->v, sizeof(int64_t) * pt->m);
        memcpy(o->blank, a->blank, pt->m);
        if (o->s && a->s)
            memcpy(o->s, a->s, sizeof(CsvField) * pt->m);
        break;
    case BC_ROW_ADD: case BC_ROW_SUB: case BC_ROW_MUL: row_arith(pt, pc, in, o, a, b); break;
    case BC_ROW_NEG: case BC_ROW_RESCALE: case BC_ROW_NOT: case BC_ROW_ISBLANK: row_unary(pt, pc, in, o, a); break;
    case BC_ROW_EQ: case BC_ROW_NE: case BC_ROW_LT: case BC_ROW_LE: case BC_ROW_GT: case BC_ROW_GE:
        row_compare(pt, in, o, a, b);
        break;
    case BC_ROW_AND: case BC_ROW_OR: row_logic(pt, in, o, a, b); break;
    case BC_ROW_SELECT: case BC_ROW_DEFAULT: row_choose(pt, in, o, a, b); break;
    default: break;
    }
}

/* ---- aggregates ---- */
/* A sum or a count that would outgrow its PartAcc: the part's carry takes
 * what it held, and it starts again from 0. Rare, so out of line. */
__attribute__((noinline, cold)) static void carry_over(Part *pt, PartAcc *x, i128 sum, uint64_t count)
{
    if (!pt->carry)
        pt->carry = kpi_calloc((size_t)pt->r->res->nemp * pt->naggs, sizeof(PartCarry));
    PartCarry *c = &pt->carry[x - pt->acc];
    c->v += x->v + sum;
    c->count += x->count + count;
    x->v = 0;
    x->count = 0;
}

static inline void acc_add(Part *pt, PartAcc *x, i128 sum, uint64_t count)
{
    int64_t v;
    if (sum < INT64_MIN || sum > INT64_MAX || __builtin_add_overflow(x->v, (int64_t)sum, &v) ||
        count > UINT32_MAX - x->count)
        carry_over(pt, x, sum, count);
    else
        x->v = v, x->count += (uint32_t)count;
}

/* min, max and count(distinct) of row i's value; j: the aggregate's place
 * among its table's */
STAGE static void update_one(Part *pt, const AggSpec *a, uint32_t j, PartAcc *acc, const Vec *x, uint32_t i,
                             uint32_t emp)
{
    int64_t v = x->v[i];
    switch ((AggKind)a->kind) {
    case AGG_MIN:
        if (!acc->count++ || v < acc->v)
            acc->v = v;
        break;
    case AGG_MAX:
        if (!acc->count++ || v > acc->v)
            acc->v = v;
        break;
    case AGG_COUNT_DISTINCT: {
        char num[16] = {0};  /* readable past its 8 bytes, as distinct_insert reads */
        memcpy(num, &v, 8);
        bool text = a->vtype == VT_TEXT;
        (void)distinct_insert(&pt->distinct, j, emp, text ? x->s[i].ptr : num, text ? x->s[i].len : 8);
        break; /* counted from the merged set */
    }
    default:
        break;
    }
}

/* An aggregate of the part's table, decoded once into the shape its row
 * update takes. Runs are ordered by shape, so each shape is a loop of its
 * own without a branch on the kind. */
enum {
    RUN_ADD1,   /* sum, avg, count of one argument; count of rows (the argument: always there) */
    RUN_ADDN,   /* sum, avg, count of several: sum(k1..k10 from calls) */
    RUN_OTHER,  /* min, max, count(distinct) */
    RUN_TWIN,   /* a count whose arguments and filter a sum's are: its count, filled at the end */
};

typedef struct AggRun {
    uint8_t        shape;
    uint8_t        kind;
    uint32_t       slot;      /* its place among the table's aggregates: the accumulator */
    uint32_t       twin;      /* RUN_TWIN: the sum's place */
    int64_t        add;       /* -1 when the value counts (sum, avg), 0 when only its presence */
    const uint8_t *wblank;    /* the filter, or the part's vector of true */
    const int64_t *wv;
    const uint8_t *xblank;    /* RUN_ADD1: the argument */
    const int64_t *xv;
    const Vec     *args;      /* the vectors of its arguments: pt->vecs */
    const uint16_t *arg;
    uint16_t       nargs;
    const AggSpec *a;
} AggRun;

static bool additive(uint8_t kind)
{
    return kind == AGG_SUM || kind == AGG_AVG || kind == AGG_COUNT || kind == AGG_COUNT_ROWS;
}

/* A count of the same arguments under the same filter as an additive
 * aggregate before it counts what that one counts. */
static int32_t twin_of(const Part *pt, uint32_t j)
{
    const AggSpec *a = &pt->r->p->aggs[pt->aggs[j]];
    if (a->kind != AGG_COUNT)
        return -1;
    for (uint32_t k = 0; k < j; k++) {
        const AggSpec *b = &pt->r->p->aggs[pt->aggs[k]];
        if ((b->kind == AGG_SUM || b->kind == AGG_AVG) && b->where == a->where && b->nargs == a->nargs &&
            !memcmp(b->args, a->args, sizeof(uint16_t) * a->nargs))
            return (int32_t)k;
    }
    return -1;
}

static AggRun agg_run(Part *pt, uint32_t j)
{
    const AggSpec *a = &pt->r->p->aggs[pt->aggs[j]];
    const Vec *w = a->where != NO_REG ? &pt->vecs[a->where] : &pt->truth;
    AggRun g = {RUN_OTHER, a->kind, j, 0, a->kind == AGG_SUM || a->kind == AGG_AVG ? -1 : 0, w->blank, w->v,
                NULL, NULL, pt->vecs, a->args, a->nargs, a};
    int32_t twin = twin_of(pt, j);
    if (twin >= 0) {
        g.shape = RUN_TWIN;
        g.twin = (uint32_t)twin;
    } else if (additive(a->kind) && a->nargs <= 1) {
        const Vec *x = a->nargs ? &pt->vecs[a->args[0]] : &pt->truth;
        g.shape = RUN_ADD1;
        g.xblank = x->blank;
        g.xv = x->v;
    } else if (additive(a->kind)) {
        g.shape = RUN_ADDN;
    }
    return g;
}

static void agg_runs(Part *pt)
{
    pt->runs = kpi_calloc(pt->naggs ? pt->naggs : 1, sizeof(AggRun));
    AggRun *all = kpi_calloc(pt->naggs ? pt->naggs : 1, sizeof(AggRun));
    for (uint32_t j = 0; j < pt->naggs; j++)
        all[j] = agg_run(pt, j);
    uint32_t n = 0;
    for (uint8_t shape = RUN_ADD1; shape <= RUN_TWIN; shape++) {
        pt->nruns[shape] = 0;
        for (uint32_t j = 0; j < pt->naggs; j++)
            if (all[j].shape == shape) {
                pt->runs[n++] = all[j];
                pt->nruns[shape]++;
            }
    }
    kpi_free(all);
}

/* The value a count(distinct ...) will insert at row i, prefetched. */
static void distinct_ahead(Part *pt, const AggRun *g, uint32_t i)
{
    if (g->wblank[i] || !g->wv[i] || g->nargs != 1 || g->args[g->arg[0]].blank[i])
        return;
    const Vec *x = &g->args[g->arg[0]];
    if (g->a->vtype == VT_TEXT)
        distinct_prefetch(&pt->distinct, g->slot, (uint32_t)pt->emp[i], x->s[i].ptr, x->s[i].len);
}

/* Row by row, every aggregate of the row's employee: their accumulators
 * lie together, so a row costs one employee's cache lines, not one per
 * aggregate. Sums and counts add a masked value rather than branch on the
 * filter, which holds for rows in no predictable order. */
STAGE static void update_aggs(Part *pt)
{
    const uint32_t naggs = pt->naggs;
    const AggRun *add1 = pt->runs, *addn = add1 + pt->nruns[RUN_ADD1], *other = addn + pt->nruns[RUN_ADDN];
    const uint32_t n1 = pt->nruns[RUN_ADD1], nn = pt->nruns[RUN_ADDN], no = pt->nruns[RUN_OTHER];
    for (uint32_t i = 0; i < pt->m; i++) {
        uint32_t e = (uint32_t)pt->emp[i];
        PartAcc *acc = &pt->acc[(size_t)e * naggs];
        if (i + 8 < pt->m) /* the accumulators of a row ahead */
            __builtin_prefetch(&pt->acc[(size_t)pt->emp[i + 8] * naggs], 1);
        for (uint32_t j = 0; j < n1; j++) {
            const AggRun *g = &add1[j];
            PartAcc *x = &acc[g->slot];
            int64_t pass = !g->wblank[i] & (g->wv[i] != 0), in = pass & !g->xblank[i];
            int64_t d = g->xv[i] & -in & g->add, v;
            x->rows += (uint32_t)pass;
            x->count += (uint32_t)in; /* at most rows */
            if (__builtin_add_overflow(x->v, d, &v))
                carry_over(pt, x, d, 0);
            else
                x->v = v;
        }
        for (uint32_t j = 0; j < nn; j++) {
            const AggRun *g = &addn[j];
            PartAcc *x = &acc[g->slot];
            int64_t pass = !g->wblank[i] & (g->wv[i] != 0), count = 0;
            i128 sum = 0;
            for (uint32_t k = 0; k < g->nargs; k++) {
                const Vec *y = &g->args[g->arg[k]];
                int64_t in = pass & !y->blank[i];
                sum += y->v[i] & -in & g->add;
                count += in;
            }
            x->rows += (uint32_t)pass;
            acc_add(pt, x, sum, (uint64_t)count);
        }
        for (uint32_t j = 0; j < no; j++) {
            const AggRun *g = &other[j];
            if (g->kind == AGG_COUNT_DISTINCT && i + 8 < pt->m)
                distinct_ahead(pt, g, i + 8);
            if (!(!g->wblank[i] & (g->wv[i] != 0)))
                continue;
            acc[g->slot].rows++;
            for (uint32_t k = 0; k < g->nargs; k++) {
                const Vec *x = &g->args[g->arg[k]];
                if (!x->blank[i])
                    update_one(pt, g->a, g->slot, &acc[g->slot], x, i, e);
            }
        }
    }
}

/* The twins' counts in the run's accumulators, from the sums they equal. */
static void fill_twins(Run *r, const Part *pt)
{
    const AggRun *twins = pt->runs + pt->naggs - pt->nruns[RUN_TWIN];
    const uint32_t naggs = r->p->naggs;
    for (uint32_t j = 0; j < pt->nruns[RUN_TWIN]; j++)
        for (size_t e = 0; e < r->res->nemp; e++) {
            Acc *acc = &r->acc[e * naggs];
            acc[pt->aggs[twins[j].slot]].count = acc[pt->aggs[twins[j].twin]].count;
            acc[pt->aggs[twins[j].slot]].rows = acc[pt->aggs[twins[j].twin]].rows;
        }
}

/* A constant vector that no other instruction writes is filled once for a
 * whole batch's rows, not again for every batch. */
static void hoist_constants(Part *pt)
{
    const TableSpec *t = pt->t;
    pt->hoisted = kpi_calloc(t->ncode ? t->ncode : 1, 1);
    pt->konst = kpi_calloc(t->nvecs ? t->nvecs : 1, 1);
    pt->m = CSV_BATCH_ROWS;
    for (uint32_t pc = 0; pc < t->ncode; pc++) {
        if (t->code[pc].op != BC_ROW_CONST)
            continue;
        bool alone = true;
        for (uint32_t k = 0; k < t->ncode; k++)
            alone &= k == pc || t->code[k].a != t->code[pc].a;
        if (alone) {
            row_ins(pt, pc);
            pt->hoisted[pc] = 1;
            pt->konst[t->code[pc].a] = 1;
        }
    }
    pt->m = 0;
}

/* ---- a part's life ---- */
static void part_alloc(Part *pt)
{
    const TableSpec *t = pt->t;
    size_t n = CSV_BATCH_ROWS;
    uint32_t nemp = pt->r->res->nemp, naggs = pt->r->p->naggs;
    pt->vecs = kpi_calloc(t->nvecs ? t->nvecs : 1, sizeof(Vec));
    for (uint32_t v = 0; v < t->nvecs; v++) {
        pt->vecs[v].v = kpi_calloc(n, sizeof(int64_t));
        pt->vecs[v].blank = kpi_calloc(n, 1);
        if (t->vecs[v].type == VT_TEXT)
            pt->vecs[v].s = kpi_calloc(n, sizeof(CsvField));
        if (t->vecs[v].type == VT_NUM && t->vecs[v].col >= 0)
            pt->vecs[v].memo = kpi_calloc(1, sizeof(CellMemo));
    }
    pt->emp = kpi_calloc(n, sizeof(int32_t));
    pt->keep = kpi_calloc(n, sizeof(uint32_t));
    pt->aggs = kpi_calloc(naggs ? naggs : 1, sizeof(uint32_t));
    for (uint32_t ai = 0; ai < naggs; ai++)
        if (pt->r->p->aggs[ai].table == pt->ti)
            pt->aggs[pt->naggs++] = ai;
    /* the table's aggregates only, an employee's together: what a row
     * touches stays in cache */
    pt->acc = kpi_calloc((size_t)(nemp ? nemp : 1) * (pt->naggs ? pt->naggs : 1), sizeof(PartAcc));
    pt->emp_rows = kpi_calloc(nemp ? nemp : 1, sizeof(uint64_t));
    pt->truth.v = kpi_calloc(n, sizeof(int64_t));
    pt->truth.blank = kpi_calloc(n, 1);
    for (size_t i = 0; i < n; i++)
        pt->truth.v[i] = 1;
    agg_runs(pt);
    hoist_constants(pt);
}

/* What the merge no longer needs. */
static void part_release(Part *pt)
{
    for (uint32_t v = 0; pt->vecs && v < pt->t->nvecs; v++) {
        kpi_free(pt->vecs[v].v);
        kpi_free(pt->vecs[v].blank);
        kpi_free(pt->vecs[v].s);
        kpi_free(pt->vecs[v].memo);
    }
    kpi_free(pt->vecs);
    kpi_free(pt->emp);
    kpi_free(pt->keep);
    pt->vecs = NULL;
    pt->emp = NULL;
    pt->rowno = NULL;
    pt->keep = NULL;
}

static void part_free(Part *pt)
{
    part_release(pt);
    kpi_free(pt->acc);
    kpi_free(pt->carry);
    kpi_free(pt->aggs);
    kpi_free(pt->runs);
    kpi_free(pt->truth.v);
    kpi_free(pt->truth.blank);
    kpi_free(pt->hoisted);
    kpi_free(pt->konst);
    kpi_free(pt->emp_rows);
    distinct_free(&pt->distinct);
    for (size_t i = 0; i < pt->nerrs; i++)
        kpi_free(pt->errs[i].msg);
    kpi_free(pt->errs);
    if (pt->rd)
        csv_close(pt->rd);
}

/* Reads the part's records to its stop, or to an error, or to the cap. */
static void *part_run(void *arg)
{
    Part *pt = arg;
    CsvBatch b;
    CsvError err;
    int n = 0;
    while (!part_capped(pt) && (n = csv_next_batch(pt->rd, &b, &err)) > 0) {
        select_rows(pt, &b);
        load_columns(pt, &b);
        for (uint32_t pc = 0; pc < pt->t->ncode; pc++)
            if (!pt->hoisted[pc])
                row_ins(pt, pc);
        update_aggs(pt);
    }
    if (!part_capped(pt) && n < 0)
        part_csv_error(pt, &err);
    return NULL;
}

/* ---- merging parts in file order ---- */
/* A part's accumulator (with its carry) into the run's. A distinct count
 * is left: it comes from the union of the sets. */
static void acc_fold(const AggSpec *a, Acc *x, const PartAcc *y, const PartCarry *c)
{
    x->rows += y->rows;
    if (a->kind == AGG_COUNT_DISTINCT)
        return;
    if (a->kind == AGG_MIN || a->kind == AGG_MAX) {
        bool better = a->kind == AGG_MIN ? y->v < x->v : y->v > x->v;
        if (y->count && (!x->count || better))
            x->v = y->v;
    } else {
        x->v += y->v + (c ? c->v : 0);
    }
    x->count += (int64_t)y->count + (c ? (int64_t)c->count : 0);
}

static void fold_part(Run *r, const Part *pt)
{
    const Program *p = r->p;
    for (size_t e = 0; e < r->res->nemp; e++)
        for (uint32_t j = 0; j < pt->naggs; j++) {
            size_t k = e * pt->naggs + j;
            acc_fold(&p->aggs[pt->aggs[j]], &r->acc[e * p->naggs + pt->aggs[j]], &pt->acc[k],
                     pt->carry ? &pt->carry[k] : NULL);
        }
}

static void merge_distinct(Part *to, const Part *from)
{
    for (size_t i = 0; i < from->distinct.cap; i++) {
        const DistinctKey *k = &from->distinct.slots[i];
        if (k->emp1)
            (void)distinct_insert(&to->distinct, k->agg, k->emp1 - 1, distinct_value(&from->distinct, k), k->len);
    }
}

static void merge_stats(TableStats *to, const TableStats *from)
{
    to->rows += from->rows;
    to->in_period += from->in_period;
    to->unknown_employee += from->unknown_employee;
    to->more_unknown |= from->more_unknown;
    for (uint32_t k = 0; k < from->nunknown_ids; k++)
        note_unknown_id(to, from->unknown_ids[k]);
}

/* What the run takes from a part other than its accumulators, into part 0. */
static void merge_part(Part *to, const Part *from)
{
    size_t nemp = to->r->res->nemp;
    merge_distinct(to, from);
    merge_stats(&to->stats, &from->stats);
    for (size_t e = 0; e < nemp; e++)
        to->emp_rows[e] += from->emp_rows[e];
}

/* The errors of the parts, numbered as in the whole file, up to the cap. */
static void report_errors(Run *r, Part *parts, uint32_t n)
{
    uint64_t rows = 0, lines = 0;
    for (uint32_t k = 0; k < n; k++) {
        const Part *pt = &parts[k];
        for (size_t i = 0; i < pt->nerrs && r->res->diags.errors < DIAG_MAX_ERRORS; i++) {
            const PartError *e = &pt->errs[i];
            if (e->csv)
                run_csv_error(r, e->id, pt->file, &e->err, rows, lines);
            else
                run_data_error(r, e->id, pt->file, e->row ? e->row + rows : 0, e->col, "%s", e->msg);
        }
        rows += csv_records(pt->rd);
        lines += csv_lines(pt->rd);
    }
}

/* ---- one table ---- */
typedef struct Table {
    Run      *r;
    uint32_t  ti;
    char     *file;
    int32_t  *pos;
    int32_t  *vec_field;
    Part     *parts;
    uint32_t  nparts;
    EmpIndex *emps;
    uint64_t  bytes;      /* the file's size, 0 when unknown */
} Table;

/* The reader delivers the key, the date, then each column vector's column. */
static void choose_fields(Table *tb, CsvReader *rd)
{
    const TableSpec *t = &tb->r->p->tables[tb->ti];
    uint32_t *sel = kpi_calloc(t->nvecs + 2u, sizeof(uint32_t)), n = 0;
    sel[n++] = (uint32_t)tb->pos[t->key_col];
    sel[n++] = (uint32_t)tb->pos[t->date_col];
    for (uint32_t v = 0; v < t->nvecs; v++) {
        tb->vec_field[v] = -1;
        if (t->vecs[v].col >= 0) {
            tb->vec_field[v] = (int32_t)n;
            sel[n++] = (uint32_t)tb->pos[t->vecs[v].col];
        }
    }
    csv_select(rd, sel, n);
    kpi_free(sel);
}

/* Where the parts of a file start: line starts near equal shares; fewer
 * parts when the file is small. */
static uint32_t plan_parts(const Run *r, const TableSpec *t, const char *file, uint64_t *starts, uint64_t *bytes)
{
    struct stat st;
    uint32_t n = run_threads(r);
    const RunText *in = r->o->texts ? &r->o->texts[t - r->p->tables] : NULL;
    *bytes = in && in->text ? in->len : stat(file, &st) == 0 ? (uint64_t)st.st_size : 0;
    if (n < 2 || (in && in->text) || !*bytes)
        return 1;
    uint64_t size = *bytes, least = r->o->split_bytes ? r->o->split_bytes : SCAN_SPLIT_MIN;
    if (size / least < n)
        n = (uint32_t)(size / least);
    uint32_t k = 1;
    for (uint32_t i = 1; i < n; i++) {
        uint64_t at;
        if (csv_line_start(file, size / n * i, &at) && at < size && at > starts[k - 1] + 1)
            starts[k++] = at;
    }
    return k;
}


static void part_init(Table *tb, Part *pt, CsvReader *rd, uint64_t start)
{
    memset(pt, 0, sizeof *pt);
    pt->r = tb->r;
    pt->emps = tb->emps;
    pt->t = &tb->r->p->tables[tb->ti];
    pt->ti = tb->ti;
    pt->file = tb->file;
    pt->pos = tb->pos;
    pt->rd = rd;
    pt->start = start;
    pt->max_errs = tb->r->res->diags.errors < DIAG_MAX_ERRORS ? DIAG_MAX_ERRORS - tb->r->res->diags.errors : 0;
    pt->vec_field = tb->vec_field;
    part_alloc(pt);
}

/* Opens parts 1.. at their starts; part 0 is the header's reader. */
static uint32_t open_parts(Table *tb, CsvReader *rd, const uint64_t *starts, uint32_t n)
{
    tb->parts = kpi_calloc(n, sizeof(Part));
    part_init(tb, &tb->parts[0], rd, 0);
    uint32_t k = 1;
    for (; k < n; k++) {
        CsvError err;
        CsvReader *prd = csv_open_part(rd, tb->file, starts[k], k + 1 < n ? starts[k + 1] : UINT64_MAX, &err);
        if (!prd)
            break;
        part_init(tb, &tb->parts[k], prd, starts[k]);
    }
    if (k < n) /* a part that cannot be opened: one part reads it all */
        k = 1;
    csv_set_stop(rd, k > 1 ? starts[1] : UINT64_MAX);
    tb->nparts = k;
    return k;
}

/* The parts that count: up to the first that stopped at an error or at the
 * cap (a single reader would have stopped there too). 0 when a part did not
 * end where the next began: the file must be read in one part. */
static uint32_t parts_that_count(const Table *tb)
{
    for (uint32_t k = 0; k + 1 < tb->nparts; k++) {
        const Part *pt = &tb->parts[k];
        if (pt->broken || part_capped(pt))
            return k + 1;
        if (csv_stop_offset(pt->rd) != tb->parts[k + 1].start)
            return 0;
    }
    return tb->nparts;
}

/* After the parts ran: those that count, the file read again in one part
 * when a quoted line break lay across a split. */
static void settle_parts(Table *tb)
{
    uint32_t n = parts_that_count(tb);
    if (n == 0) { /* a quoted line break across a split: part 0 reads on */
        for (uint32_t k = 1; k < tb->nparts; k++)
            part_free(&tb->parts[k]);
        tb->nparts = 1;
        csv_set_stop(tb->parts[0].rd, UINT64_MAX);
        part_run(&tb->parts[0]);
        n = 1;
    }
    for (uint32_t k = n; k < tb->nparts; k++)
        part_free(&tb->parts[k]);
    tb->nparts = n;
}

/* Folds the parts into the run: accumulators, counts and errors. */
static bool finish_table(Table *tb)
{
    Run *r = tb->r;
    Part *p0 = &tb->parts[0];
    bool failed = false;
    for (uint32_t k = 0; k < tb->nparts; k++) {
        fold_part(r, &tb->parts[k]);
        if (k > 0)
            merge_part(p0, &tb->parts[k]);
        failed |= tb->parts[k].failed;
        p0->stats.capped |= part_capped(&tb->parts[k]);
    }
    report_errors(r, tb->parts, tb->nparts);
    fill_twins(r, p0);
    const Program *p = r->p;
    for (size_t i = 0; i < p0->distinct.cap; i++) { /* distinct counts: the merged part's */
        const DistinctKey *k = &p0->distinct.slots[i];
        if (k->emp1)
            r->acc[(size_t)(k->emp1 - 1) * p->naggs + p0->aggs[k->agg]].count++;
    }
    uint32_t nt = r->p->ntables;
    for (size_t e = 0; e < r->res->nemp; e++)
        r->res->emp_rows[e * nt + tb->ti] += p0->emp_rows[e];
    TableStats *st = &r->res->stats[tb->ti];
    st->rows += p0->stats.rows;
    st->in_period += p0->stats.in_period;
    st->unknown_employee += p0->stats.unknown_employee;
    st->capped = p0->stats.capped;
    st->more_unknown = p0->stats.more_unknown;
    st->nunknown_ids = p0->stats.nunknown_ids;
    memcpy(st->unknown_ids, p0->stats.unknown_ids, sizeof st->unknown_ids);
    return !failed;
}

static bool open_table(Table *tb, CsvReader **rd)
{
    Run *r = tb->r;
    const TableSpec *t = &r->p->tables[tb->ti];
    CsvError err;
    *rd = run_csv_open(r, t, tb->file, &err);
    if (!*rd) {
        run_csv_error(r, K_DATA_FILE, tb->file, &err, 0, 0);
        return false;
    }
    const CsvField *names;
    uint32_t ncols;
    if (!csv_header(*rd, &names, &ncols, &err)) {
        run_csv_error(r, K_DATA_CSV, tb->file, &err, 0, 0);
        return false;
    }
    return ref_map_header(r, t, tb->file, names, ncols, tb->pos);
}

/* Opens a fact table and its parts; false when it cannot be read. */
static bool table_open(Run *r, uint32_t ti, EmpIndex *emps, Table *tb)
{
    const TableSpec *t = &r->p->tables[ti];
    *tb = (Table){r, ti, run_path(r, t), kpi_calloc(t->ncols, sizeof(int32_t)),
                  kpi_calloc(t->nvecs + 1u, sizeof(int32_t)), NULL, 0, emps, 0};
    CsvReader *rd = NULL;
    if (!open_table(tb, &rd)) {
        csv_close(rd);
        return false;
    }
    uint64_t starts[KPI_MAX_THREADS] = {0};
    uint32_t n = plan_parts(r, t, tb->file, starts, &tb->bytes);
    choose_fields(tb, rd);
    open_parts(tb, rd, starts, n); /* the parts own their readers */
    for (uint32_t k = 0; k < tb->nparts; k++)
        tb->parts[k].bytes = (k + 1 < tb->nparts ? tb->parts[k + 1].start : tb->bytes) - tb->parts[k].start;
    return true;
}

static void table_free(Table *tb)
{
    for (uint32_t k = 0; k < tb->nparts; k++)
        part_free(&tb->parts[k]);
    kpi_free(tb->parts);
    kpi_free(tb->vec_field);
    kpi_free(tb->pos);
    kpi_free(tb->file);
}

/* Every part of every table by one pool of threads, the largest first, so
 * that no thread waits for another at the end of each table. */
static void run_all_parts(Run *r, Table *tbs, const bool *open, uint32_t ntables)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < ntables; i++)
        n += open[i] ? tbs[i].nparts : 0;
    Part **all = kpi_calloc(n ? n : 1, sizeof(Part *));
    n = 0;
    for (uint32_t i = 0; i < ntables; i++)
        for (uint32_t k = 0; open[i] && k < tbs[i].nparts; k++) {
            Part *pt = &tbs[i].parts[k];
            uint32_t at = n++;
            for (; at > 0 && all[at - 1]->bytes < pt->bytes; at--) /* stable, by size */
                all[at] = all[at - 1];
            all[at] = pt;
        }
    run_pool(part_run, (void *const *)all, n, run_threads(r));
    kpi_free(all);
}

bool scan_facts(Run *r)
{
    const Program *p = r->p;
    r->acc = kpi_calloc((size_t)(r->res->nemp ? r->res->nemp : 1) * (p->naggs ? p->naggs : 1), sizeof(Acc));
    r->res->emp_rows = kpi_calloc((size_t)(r->res->nemp ? r->res->nemp : 1) * (p->ntables ? p->ntables : 1),
                                  sizeof(uint64_t));
    EmpIndex emps;
    emp_index_build(&emps, r->res);
    Table *tbs = kpi_calloc(p->ntables ? p->ntables : 1, sizeof(Table));
    bool *open = kpi_calloc(p->ntables ? p->ntables : 1, sizeof(bool)), ok = true;
    for (uint32_t i = 0; i < p->ntables; i++)
        if (p->tables[i].kind == TABLE_KIND_FACTS && !(open[i] = table_open(r, i, &emps, &tbs[i]))) {
            r->res->stats[i].failed = true;
            ok = false;
        }
    run_all_parts(r, tbs, open, p->ntables);
    for (uint32_t i = 0; i < p->ntables; i++) {
        if (open[i]) {
            settle_parts(&tbs[i]);
            if (!finish_table(&tbs[i])) {
                r->res->stats[i].failed = true;
                ok = false;
            }
        }
        if (p->tables[i].kind == TABLE_KIND_FACTS)
            table_free(&tbs[i]);
    }
    kpi_free(tbs);
    kpi_free(open);
    emp_index_free(&emps);
    return ok;
}

Value scan_agg_value(const Run *r, uint32_t emp, uint32_t agg)
{
    const AggSpec *a = &r->p->aggs[agg];
    const Acc *acc = &r->acc[(size_t)emp * r->p->naggs + agg];
    Rat q;
    switch ((AggKind)a->kind) {
    case AGG_SUM:
        rat_scaled(acc->v, a->scale, &q);
        return val_num(q);
    case AGG_AVG:
        if (!acc->count)
            return val_blank();
        if (rat_make(acc->v, (i128)acc->count * i128_pow10(a->scale), &q) != NUM_OK)
            return val_error(ERR_OVERFLOW, a->span);
        return val_num(q);
    case AGG_MIN:
    case AGG_MAX:
        if (!acc->count)
            return val_blank();
        if (a->vtype == VT_DATE)
            return val_date((Day)acc->v);
        rat_scaled(acc->v, a->scale, &q);
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
}
