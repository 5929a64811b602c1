/* diff.c - see diff.h. Employees are paired by key (both rosters are
 * sorted by the key's bytes, so one merge pass); indicators and values by
 * name. All arithmetic is Value arithmetic: the deltas are exact. */
#include "driver/diff.h"
#include "base/alloc.h"

#include <string.h>

static const char *text_of(const RunResult *r, uint32_t id)
{
    return id == STR_NONE ? "" : strtab_get(&r->strs, id, NULL);
}

/* The order of ref.c: the key's bytes, then its length. */
static int key_cmp(const RunResult *a, uint32_t ea, const RunResult *b, uint32_t eb)
{
    uint32_t la, lb;
    const char *sa = strtab_get(&a->strs, a->emp_key[ea], &la);
    const char *sb = strtab_get(&b->strs, b->emp_key[eb], &lb);
    int c = memcmp(sa, sb, la < lb ? la : lb);
    return c ? c : (la > lb) - (la < lb);
}

/* Equal results; texts are compared by their bytes (each run has its own ids). */
static bool same_value(const RunResult *ra, Value a, const RunResult *rb, Value b)
{
    if (a.kind != b.kind)
        return false;
    switch ((ValueKind)a.kind) {
    case V_NUM: return rat_eq(a.q, b.q);
    case V_TEXT: {
        uint32_t la, lb;
        const char *sa = strtab_get(&ra->strs, a.aux, &la), *sb = strtab_get(&rb->strs, b.aux, &lb);
        return la == lb && memcmp(sa, sb, la) == 0;
    }
    case V_BOOL:
    case V_DATE: return a.aux == b.aux;
    case V_ERROR: return a.err == b.err;
    default: return true;
    }
}

static int32_t payout_out(const Program *p)
{
    for (uint32_t i = 0; i < p->nouts; i++)
        if (p->outs[i].kind == OUT_PAYOUT)
            return (int32_t)i;
    return -1;
}

static Value payout_of(const RunResult *r, int32_t e)
{
    int32_t o = payout_out(r->p);
    return e < 0 || o < 0 ? val_blank() : run_regs(r, (uint32_t)e)[r->p->outs[o].reg];
}

/* ---- indicators ---- */
static int32_t find_indicator(const Program *p, const char *name)
{
    for (uint32_t i = 0; i < p->nind; i++)
        if (!strcmp(p->ind[i].name, name))
            return (int32_t)i;
    return -1;
}

static DiffSideVal indicator_side(const RunResult *r, int32_t e, int32_t i)
{
    DiffSideVal s;
    memset(&s, 0, sizeof s);
    for (int f = 0; f < DIFF__FIELDS; f++)
        s.v[f] = val_blank();
    if (e < 0 || i < 0)
        return s;
    const IndicatorOut *o = &r->p->ind[i];
    const Value *regs = run_regs(r, (uint32_t)e);
    Value active = regs[o->active], gate = regs[o->gate];
    s.used = !(active.kind == V_BOOL && !active.aux);
    if (!s.used)
        return s;
    s.gate_off = gate.kind == V_BOOL && !gate.aux;
    uint16_t reg[DIFF__FIELDS] = {o->fact, o->plan, o->index, o->score, o->weight, o->contrib};
    for (int f = 0; f < DIFF__FIELDS; f++)
        s.v[f] = regs[reg[f]];
    return s;
}

static Rat num_or_zero(Value v) { return v.kind == V_NUM ? v.q : rat_int(0); }

/* |new contribution - old contribution|, a side without it counting 0. */
static Rat move_size(const DiffMove *m)
{
    Rat d;
    if (rat_sub(num_or_zero(m->new_.v[DIFF_CONTRIB]), num_or_zero(m->old.v[DIFF_CONTRIB]), &d) > NUM_INEXACT)
        return rat_int(0);
    return rat_abs(d);
}

static bool indicator_moved(const Diff *d, const DiffMove *m)
{
    if (m->old.used != m->new_.used)
        return true;
    static const int fields[] = {DIFF_SCORE, DIFF_WEIGHT, DIFF_CONTRIB};
    for (size_t k = 0; k < sizeof fields / sizeof *fields; k++)
        if (!same_value(d->old, m->old.v[fields[k]], d->new_, m->new_.v[fields[k]]))
            return true;
    return false;
}

static void add_indicator(Diff *d, DiffRow *row, int32_t oi, int32_t ni)
{
    DiffMove m;
    memset(&m, 0, sizeof m);
    m.kind = oi < 0 ? MOVE_IND_ADDED : ni < 0 ? MOVE_IND_REMOVED : MOVE_INDICATOR;
    m.old_i = oi;
    m.new_i = ni;
    m.old = indicator_side(d->old, row->old_e, oi);
    m.new_ = indicator_side(d->new_, row->new_e, ni);
    if (m.kind == MOVE_INDICATOR ? !indicator_moved(d, &m) : !m.old.used && !m.new_.used)
        return;
    m.size = move_size(&m);
    VEC_PUSH(row->moves, row->nmoves, row->capmoves, m);
}

static const char *move_name(const Diff *d, const DiffMove *m)
{
    bool value = m->kind >= MOVE_VALUE;
    const RunResult *r = m->new_i >= 0 ? d->new_ : d->old;
    int32_t i = m->new_i >= 0 ? m->new_i : m->old_i;
    return value ? r->p->outs[i].name : r->p->ind[i].name;
}

/* Larger contribution changes first, then by name: the reader sees first
 * what moved the payout most. Few moves: an insertion sort, stable. */
static void sort_moves(const Diff *d, DiffMove *m, uint32_t n)
{
    for (uint32_t i = 1; i < n; i++) {
        DiffMove cur = m[i];
        uint32_t j = i;
        while (j > 0) {
            int c = rat_cmp(m[j - 1].size, cur.size);
            if (c > 0 || (c == 0 && strcmp(move_name(d, &m[j - 1]), move_name(d, &cur)) <= 0))
                break;
            m[j] = m[j - 1];
            j--;
        }
        m[j] = cur;
    }
}

static void indicator_moves(Diff *d, DiffRow *row)
{
    const Program *po = d->old->p, *pn = d->new_->p;
    for (uint32_t i = 0; i < pn->nind; i++)
        add_indicator(d, row, find_indicator(po, pn->ind[i].name), (int32_t)i);
    for (uint32_t i = 0; i < po->nind; i++)
        if (find_indicator(pn, po->ind[i].name) < 0)
            add_indicator(d, row, (int32_t)i, -1);
    sort_moves(d, row->moves, row->nmoves);
}

/* ---- named values: labelled lets, kpi, bonus (the payout is the row) ---- */
static int32_t find_value(const Program *p, const ValueOut *o)
{
    for (uint32_t i = 0; i < p->nouts; i++)
        if (p->outs[i].kind == o->kind && !strcmp(p->outs[i].name, o->name))
            return (int32_t)i;
    return -1;
}

static void add_value(Diff *d, DiffRow *row, int32_t oi, int32_t ni)
{
    DiffMove m;
    memset(&m, 0, sizeof m);
    m.kind = oi < 0 ? MOVE_VALUE_ADDED : ni < 0 ? MOVE_VALUE_REMOVED : MOVE_VALUE;
    m.old_i = oi;
    m.new_i = ni;
    m.old.v[0] = oi < 0 ? val_blank() : run_regs(d->old, (uint32_t)row->old_e)[d->old->p->outs[oi].reg];
    m.new_.v[0] = ni < 0 ? val_blank() : run_regs(d->new_, (uint32_t)row->new_e)[d->new_->p->outs[ni].reg];
    m.old.used = oi >= 0;
    m.new_.used = ni >= 0;
    if (m.kind == MOVE_VALUE && same_value(d->old, m.old.v[0], d->new_, m.new_.v[0]))
        return;
    m.size = rat_int(0);
    VEC_PUSH(row->moves, row->nmoves, row->capmoves, m);
}

/* In the new version's order (lets, then kpi and bonus), then the removed ones. */
static void value_moves(Diff *d, DiffRow *row)
{
    const Program *po = d->old->p, *pn = d->new_->p;
    for (uint32_t i = 0; i < pn->nouts; i++)
        if (pn->outs[i].kind != OUT_PAYOUT)
            add_value(d, row, find_value(po, &pn->outs[i]), (int32_t)i);
    for (uint32_t i = 0; i < po->nouts; i++)
        if (po->outs[i].kind != OUT_PAYOUT && find_value(pn, &po->outs[i]) < 0)
            add_value(d, row, (int32_t)i, -1);
}

/* ---- rows and totals ---- */
static void add_row(Diff *d, int32_t oe, int32_t ne)
{
    DiffRow row;
    memset(&row, 0, sizeof row);
    row.old_e = oe;
    row.new_e = ne;
    row.old_pay = payout_of(d->old, oe);
    row.new_pay = payout_of(d->new_, ne);
    Value zero = val_num(rat_int(0));
    row.delta = val_sub(ne < 0 ? zero : row.new_pay, oe < 0 ? zero : row.old_pay, 0);
    int sign = row.delta.kind == V_NUM ? rat_sign(row.delta.q) : 0;
    row.status = oe < 0 ? DIFF_ADDED : ne < 0 ? DIFF_REMOVED : sign > 0 ? DIFF_GAIN : sign < 0 ? DIFF_LOSS : DIFF_SAME;
    if (oe >= 0 && ne >= 0) {
        indicator_moves(d, &row);
        value_moves(d, &row);
    }
    VEC_PUSH(d->rows, d->nrows, d->caprows, row);
}

static bool beats(const DiffRow *a, const DiffRow *b, int sign)
{
    int c = rat_cmp(a->delta.q, b->delta.q);
    return sign < 0 ? c < 0 : c > 0;
}

static void totals(Diff *d)
{
    d->old_budget = d->new_budget = d->delta = val_num(rat_int(0));
    d->largest_loss = d->largest_gain = -1;
    for (uint32_t i = 0; i < d->nrows; i++) {
        const DiffRow *r = &d->rows[i];
        if (r->old_e >= 0)
            d->old_budget = val_add(d->old_budget, r->old_pay, 0);
        if (r->new_e >= 0)
            d->new_budget = val_add(d->new_budget, r->new_pay, 0);
        d->count[r->status]++;
        if (r->status == DIFF_LOSS && (d->largest_loss < 0 || beats(r, &d->rows[d->largest_loss], -1)))
            d->largest_loss = (int32_t)i;
        if (r->status == DIFF_GAIN && (d->largest_gain < 0 || beats(r, &d->rows[d->largest_gain], 1)))
            d->largest_gain = (int32_t)i;
    }
    d->delta = val_sub(d->new_budget, d->old_budget, 0);
}

void diff_compute(const RunResult *old, const RunResult *new_, Diff *out)
{
    memset(out, 0, sizeof *out);
    out->old = old;
    out->new_ = new_;
    uint32_t i = 0, j = 0;
    while (i < old->nemp || j < new_->nemp) {
        int c = i == old->nemp ? 1 : j == new_->nemp ? -1 : key_cmp(old, i, new_, j);
        if (c == 0)
            add_row(out, (int32_t)i++, (int32_t)j++);
        else if (c < 0)
            add_row(out, (int32_t)i++, -1);
        else
            add_row(out, -1, (int32_t)j++);
    }
    totals(out);
}

bool diff_run(const Program *old, const Program *new_, const RunOptions *o, RunResult res[2], Diff *out)
{
    memset(out, 0, sizeof *out);
    out->largest_loss = out->largest_gain = -1;
    run_period(old, o, &res[0]);
    run_period(new_, o, &res[1]);
    if (res[0].status != RUN_OK || res[1].status != RUN_OK)
        return false;
    diff_compute(&res[0], &res[1], out);
    return true;
}

void diff_free(Diff *d)
{
    for (uint32_t i = 0; i < d->nrows; i++)
        kpi_free(d->rows[i].moves);
    kpi_free(d->rows);
    memset(d, 0, sizeof *d);
}

const char *diff_key(const Diff *d, const DiffRow *r)
{
    return r->new_e >= 0 ? text_of(d->new_, d->new_->emp_key[r->new_e]) : text_of(d->old, d->old->emp_key[r->old_e]);
}

const char *diff_name(const Diff *d, const DiffRow *r)
{
    return r->new_e >= 0 ? text_of(d->new_, d->new_->emp_name[r->new_e]) : text_of(d->old, d->old->emp_name[r->old_e]);
}

const char *diff_dept(const Diff *d, const DiffRow *r)
{
    return r->new_e >= 0 ? text_of(d->new_, d->new_->emp_dept[r->new_e]) : text_of(d->old, d->old->emp_dept[r->old_e]);
}
