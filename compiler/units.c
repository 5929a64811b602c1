/* units.c - the dimension check. Every number carries a unit: a vector of
 * exponents of money, hours and days (counts, ratios and percentages have
 * none). Columns give units (money, hours, days); a percentage literal is a
 * ratio; a bare number literal is an unknown unit, solved from where it is
 * used (salary + 1000 makes 1000 money; 90 * idle_hours subtracted from
 * money makes 90 money per hour). Sums, comparisons, min/max, defaults and
 * the branches of if and bands equate units; products add them. Then the
 * scheme's requirements: payout and bonus are money, weights are plain,
 * a fact and its plan share a unit. */
#include "base/alloc.h"
#include "compiler/units.h"

#include <stdio.h>
#include <string.h>

#define NDIM 3
#define MAXV 4   /* unknowns one term may hold; more and the term is not checked */

typedef struct Term {
    int8_t   base[NDIM];
    uint8_t  nv;
    uint8_t  kind;       /* TERM_NUM, TERM_NONE (not a number), TERM_UNKNOWN */
    bool     pct;        /* a percentage literal: named so in messages */
    uint32_t var[MAXV];
    int8_t   coef[MAXV];
} Term;

enum { TERM_NUM, TERM_NONE, TERM_UNKNOWN };

/* When the equations leave an unknown open, the ones that are values (a
 * band's or an if's result, an argument of min/max) become plain numbers
 * first; factors of products and quotients (rates) last. */
enum { PRIO_VALUE, PRIO_OPERAND, PRIO_FACTOR };

typedef enum EqKind { EQ_ADD, EQ_COMPARE, EQ_CHOICE, EQ_WEIGHT, EQ_MONEY, EQ_INDEX } EqKind;

typedef struct Eq {
    Term     lhs, rhs;
    uint8_t  kind;       /* EqKind */
    uint32_t span;
    const char *what;    /* EQ_MONEY: "the payout", "the bonus" */
} Eq;

typedef struct Units {
    Sema    *s;
    Term    *terms;      /* memo, indexed by Ir.unit - 1 */
    size_t   nterms, capterms;
    Term    *defs;       /* per def */
    bool    *def_done;
    Term    *aggs;
    bool    *agg_done;
    Eq      *eqs;
    size_t   neqs, capeqs;
    uint32_t nvars;
    int8_t  (*val)[NDIM];
    bool    *bound;
    uint8_t *prio;       /* per unknown: PRIO_VALUE first to become plain */
    size_t   capprio;
    const TableSpec *row_table;  /* the table of the aggregate being read */
} Units;

static const char *const dim_names[NDIM] = {"money", "hours", "days"};

static Term t_none(void) { Term t; memset(&t, 0, sizeof t); t.kind = TERM_NONE; return t; }
static Term t_unknown(void) { Term t = t_none(); t.kind = TERM_UNKNOWN; return t; }
static Term t_dim(int d)
{
    Term t;
    memset(&t, 0, sizeof t);
    if (d >= 0)
        t.base[d] = 1;
    return t;
}

static Term t_var(Units *u)
{
    Term t = t_dim(-1);
    t.nv = 1;
    t.var[0] = u->nvars++;
    t.coef[0] = 1;
    u->prio = kpi_grow(u->prio, &u->capprio, u->nvars, 1);
    u->prio[t.var[0]] = PRIO_OPERAND;
    return t;
}

/* A term that is a lone unknown (a literal) takes the role given. */
static Term role(Units *u, Term t, uint8_t prio)
{
    bool lone = t.kind == TERM_NUM && t.nv == 1 && t.coef[0] == 1 && !t.base[0] && !t.base[1] && !t.base[2];
    if (lone)
        u->prio[t.var[0]] = prio;
    return t;
}

/* a + k*b (k = 1 for a product, -1 for a quotient) */
static Term t_combine(Term a, Term b, int k)
{
    if (a.kind == TERM_UNKNOWN || b.kind == TERM_UNKNOWN)
        return t_unknown();
    if (a.kind == TERM_NONE || b.kind == TERM_NONE)
        return t_none();
    Term r = a;
    r.pct = false;
    for (int d = 0; d < NDIM; d++)
        r.base[d] = (int8_t)(a.base[d] + k * b.base[d]);
    for (uint8_t i = 0; i < b.nv; i++) {
        uint8_t j = 0;
        while (j < r.nv && r.var[j] != b.var[i])
            j++;
        if (j == r.nv) {
            if (r.nv == MAXV)
                return t_unknown();
            r.var[r.nv] = b.var[i];
            r.coef[r.nv++] = 0;
        }
        r.coef[j] = (int8_t)(r.coef[j] + k * b.coef[i]);
    }
    return r;
}

/* ---- names of units, for messages ---- */
static void unit_name(const int8_t *e, bool pct, Buf *out)
{
    int n = 0;
    for (int d = 0; d < NDIM; d++)
        n += e[d] != 0;
    if (n == 0) {
        buf_adds(out, pct ? "a percentage" : "a plain number");
        return;
    }
    bool first = true;
    for (int d = 0; d < NDIM; d++)
        if (e[d] > 0) {
            buf_printf(out, "%s%s", first ? "" : " × ", dim_names[d]);
            if (e[d] > 1)
                buf_printf(out, "^%d", e[d]);
            first = false;
        }
    if (first)
        buf_adds(out, "1");
    for (int d = 0; d < NDIM; d++)
        if (e[d] < 0) {
            buf_printf(out, " per %s", d == 0 ? "money" : d == 1 ? "hour" : "day");
            if (e[d] < -1)
                buf_printf(out, "^%d", -e[d]);
        }
}

/* The solved unit of a term (unbound unknowns count as none). */
static void solved(const Units *u, const Term *t, int8_t *e)
{
    for (int d = 0; d < NDIM; d++) {
        int v = t->base[d];
        for (uint8_t i = 0; i < t->nv; i++)
            if (u->bound[t->var[i]])
                v += t->coef[i] * u->val[t->var[i]][d];
        e[d] = (int8_t)v;
    }
}

/* ---- equations ---- */
static void equate(Units *u, Term a, Term b, EqKind kind, uint32_t span, const char *what)
{
    if (a.kind != TERM_NUM || b.kind != TERM_NUM)
        return;
    Eq e = {a, b, (uint8_t)kind, span, what};
    VEC_PUSH(u->eqs, u->neqs, u->capeqs, e);
}

/* Binds an equation's last unknown; true when it made progress. */
static bool solve_one(Units *u, const Eq *e)
{
    Term diff = t_combine(e->lhs, e->rhs, -1);
    if (diff.kind != TERM_NUM)
        return false;
    int free_i = -1, nfree = 0;
    for (uint8_t i = 0; i < diff.nv; i++)
        if (diff.coef[i] && !u->bound[diff.var[i]]) {
            nfree++;
            free_i = i;
        }
    if (nfree != 1)
        return false;
    int c = diff.coef[free_i];
    int8_t rest[NDIM];
    diff.coef[free_i] = 0;
    solved(u, &diff, rest);
    for (int d = 0; d < NDIM; d++)
        if (rest[d] % c != 0)
            return false; /* not a whole unit: left to the final check */
    uint32_t v = diff.var[free_i];
    for (int d = 0; d < NDIM; d++)
        u->val[v][d] = (int8_t)(-rest[d] / c);
    u->bound[v] = true;
    return true;
}

static void propagate(Units *u)
{
    for (bool progress = true; progress;) {
        progress = false;
        for (size_t i = 0; i < u->neqs; i++)
            progress |= solve_one(u, &u->eqs[i]);
    }
}

/* ---- the equations propagation leaves open: Gauss-Jordan elimination ----
 * Columns are the open unknowns, factors first: they become the pivots, so
 * the unknowns left free (and made plain numbers) are the values. Each row
 * carries its right-hand side for the three dimensions. */
#define GAUSS_MAX 512   /* open unknowns solved at once; more fall back to plain */

typedef struct Gauss {
    uint32_t *cols;      /* unknown of each column */
    size_t    ncols, nrows;
    Rat      *m;         /* nrows x (ncols + NDIM) */
} Gauss;

static Rat *cell(Gauss *g, size_t r, size_t c) { return &g->m[r * (g->ncols + NDIM) + c]; }

static int col_order(const Units *u, uint32_t a, uint32_t b)
{
    if (u->prio[a] != u->prio[b])
        return u->prio[a] > u->prio[b] ? -1 : 1;
    return a < b ? -1 : a > b;
}

static bool gauss_build(Units *u, Gauss *g)
{
    memset(g, 0, sizeof *g);
    g->cols = kpi_calloc(GAUSS_MAX, sizeof(uint32_t));
    for (size_t i = 0; i < u->neqs; i++) {
        Term d = t_combine(u->eqs[i].lhs, u->eqs[i].rhs, -1);
        for (uint8_t j = 0; j < d.nv; j++) {
            uint32_t v = d.var[j];
            bool have = u->bound[v] || !d.coef[j];
            for (size_t k = 0; k < g->ncols && !have; k++)
                have = g->cols[k] == v;
            if (have)
                continue;
            if (g->ncols == GAUSS_MAX)
                return false;
            size_t k = g->ncols++;
            while (k > 0 && col_order(u, v, g->cols[k - 1]) < 0) {
                g->cols[k] = g->cols[k - 1];
                k--;
            }
            g->cols[k] = v;
        }
    }
    g->m = kpi_calloc(u->neqs * (g->ncols + NDIM) + 1, sizeof(Rat));
    for (size_t i = 0; i < u->neqs; i++) {
        Term d = t_combine(u->eqs[i].lhs, u->eqs[i].rhs, -1);
        if (d.kind != TERM_NUM)
            continue;
        size_t r = g->nrows++;
        for (size_t c = 0; c < g->ncols + NDIM; c++)
            *cell(g, r, c) = rat_int(0);
        int8_t known[NDIM];
        solved(u, &d, known); /* bound unknowns folded in; open ones counted below */
        for (uint8_t j = 0; j < d.nv; j++)
            for (size_t c = 0; c < g->ncols; c++)
                if (g->cols[c] == d.var[j] && !u->bound[d.var[j]])
                    *cell(g, r, c) = rat_int(d.coef[j]);
        for (int k = 0; k < NDIM; k++)
            *cell(g, r, g->ncols + (size_t)k) = rat_int(-known[k]);
    }
    return true;
}

/* Row r := row r - f * row p. Small integer systems: exact, never overflowing. */
static void row_sub(Gauss *g, size_t r, size_t p, Rat f)
{
    for (size_t c = 0; c < g->ncols + NDIM; c++) {
        Rat t;
        if (rat_mul(f, *cell(g, p, c), &t) == NUM_OK)
            rat_sub(*cell(g, r, c), t, cell(g, r, c));
    }
}

static void gauss_solve(Units *u, Gauss *g)
{
    size_t rank = 0;
    size_t *pivot_col = kpi_calloc(g->nrows ? g->nrows : 1, sizeof(size_t));
    for (size_t c = 0; c < g->ncols && rank < g->nrows; c++) {
        size_t p = rank;
        while (p < g->nrows && rat_sign(*cell(g, p, c)) == 0)
            p++;
        if (p == g->nrows)
            continue; /* a free unknown: a plain number */
        for (size_t k = 0; k < g->ncols + NDIM; k++) {
            Rat t = *cell(g, p, k);
            *cell(g, p, k) = *cell(g, rank, k);
            *cell(g, rank, k) = t;
        }
        Rat pivot = *cell(g, rank, c);
        for (size_t k = 0; k < g->ncols + NDIM; k++)
            rat_div(*cell(g, rank, k), pivot, cell(g, rank, k));
        for (size_t r = 0; r < g->nrows; r++)
            if (r != rank && rat_sign(*cell(g, r, c)) != 0)
                row_sub(g, r, rank, *cell(g, r, c));
        pivot_col[rank++] = c;
    }
    /* reduced: each pivot's unit, with the free unknowns at zero */
    for (size_t r = 0; r < rank; r++) {
        uint32_t v = g->cols[pivot_col[r]];
        bool whole = true;
        for (int k = 0; k < NDIM; k++) {
            i128 x = 0;
            whole &= rat_to_int(*cell(g, r, g->ncols + (size_t)k), &x) && x >= -100 && x <= 100;
            u->val[v][k] = whole ? (int8_t)x : 0;
        }
        u->bound[v] = whole; /* a fractional unit is left for the final check */
    }
    kpi_free(pivot_col);
}

static void solve(Units *u)
{
    u->val = kpi_calloc(u->nvars ? u->nvars : 1, sizeof *u->val);
    u->bound = kpi_calloc(u->nvars ? u->nvars : 1, sizeof *u->bound);
    propagate(u);
    Gauss g;
    if (gauss_build(u, &g) && g.ncols) {
        gauss_solve(u, &g);
        propagate(u);
    }
    kpi_free(g.cols);
    kpi_free(g.m);
    for (uint32_t v = 0; v < u->nvars; v++)
        u->bound[v] = true; /* whatever is left is a plain number */
}

static void report(Units *u, const Eq *e, const int8_t *a, const int8_t *b)
{
    Buf x = BUF_INIT, y = BUF_INIT;
    unit_name(a, e->lhs.pct && e->lhs.nv == 0, &x);
    unit_name(b, e->rhs.pct && e->rhs.nv == 0, &y);
    Span sp = sema_span_of(u->s, e->span);
    Diag *g = NULL;
    switch ((EqKind)e->kind) {
    case EQ_ADD:
        g = diag_at(u->s->diags, K_UNIT_MISMATCH, sp, "cannot add or subtract %s and %s", x.data, y.data);
        break;
    case EQ_COMPARE:
        g = diag_at(u->s->diags, K_UNIT_MISMATCH, sp, "cannot compare %s with %s", x.data, y.data);
        break;
    case EQ_CHOICE:
        g = diag_at(u->s->diags, K_UNIT_MISMATCH, sp, "one value is %s, the other %s", x.data, y.data);
        break;
    case EQ_WEIGHT:
        g = diag_at(u->s->diags, K_UNIT_WEIGHT, sp, "a weight is a plain number or a percentage, but this is %s",
                    x.data);
        break;
    case EQ_MONEY:
        g = diag_at(u->s->diags, K_UNIT_PAYOUT, sp, "%s must be money, but this is %s", e->what, x.data);
        break;
    case EQ_INDEX:
        g = diag_at(u->s->diags, K_UNIT_INDEX, sp, "the fact is %s, the plan %s", x.data, y.data);
        break;
    }
    if (e->kind == EQ_ADD || e->kind == EQ_COMPARE)
        diag_note(g, "help", "multiply by a ratio or divide by an amount to change units (salary * 10%%); "
                             "a bare number takes the unit it needs");
    buf_free(&x);
    buf_free(&y);
}

static void check_all(Units *u)
{
    for (size_t i = 0; i < u->neqs; i++) {
        int8_t a[NDIM], b[NDIM];
        solved(u, &u->eqs[i].lhs, a);
        solved(u, &u->eqs[i].rhs, b);
        if (memcmp(a, b, NDIM) != 0)
            report(u, &u->eqs[i], a, b);
    }
}

/* Each named value's solved unit, for explanations to show 1 200 ₽ or 12 h. */
static void export_units(Units *u)
{
    for (size_t i = 0; i < u->s->ndefs; i++) {
        Def *d = &u->s->defs[i];
        d->unit = DU_UNKNOWN;
        if (!u->def_done[i] || u->defs[i].kind != TERM_NUM)
            continue;
        int8_t e[NDIM];
        solved(u, &u->defs[i], e);
        int n = 0, which = -1;
        for (int k = 0; k < NDIM; k++)
            if (e[k]) {
                n++;
                which = e[k] == 1 ? k : -2;
            }
        static const uint8_t single[NDIM] = {DU_MONEY, DU_HOURS, DU_DAYS};
        d->unit = n == 0 ? DU_PLAIN : n == 1 && which >= 0 ? single[which] : DU_OTHER;
    }
}

/* ---- terms of the IR ---- */
static Term term_of(Units *u, Ir *n);

static Term col_term(ColType t)
{
    switch (t) {
    case COL_MONEY: return t_dim(0);
    case COL_HOURS: return t_dim(1);
    case COL_DAYS: return t_dim(2);
    case COL_INTEGER: case COL_DECIMAL: case COL_SCORE: return t_dim(-1);
    default: return t_none();
    }
}

static Term def_term(Units *u, uint32_t d)
{
    if (!u->def_done[d]) {
        u->def_done[d] = true; /* a cycle was reported by sema; its term is unknown */
        u->defs[d] = t_unknown();
        u->defs[d] = u->s->defs[d].ir ? term_of(u, u->s->defs[d].ir) : t_unknown();
    }
    return u->defs[d];
}

static Term agg_term(Units *u, uint32_t a)
{
    if (u->agg_done[a])
        return u->aggs[a];
    u->agg_done[a] = true;
    const AggDef *ag = &u->s->aggs[a];
    u->row_table = &u->s->tables[ag->table];
    Term first = t_unknown();
    for (uint32_t i = 0; i < ag->nargs; i++) {
        Term t = term_of(u, ag->args[i]);
        if (i == 0)
            first = t;
        else
            equate(u, first, t, EQ_CHOICE, ag->span, NULL);
    }
    if (ag->where)
        term_of(u, ag->where);
    bool counts = ag->kind == AGG_COUNT || ag->kind == AGG_COUNT_ROWS || ag->kind == AGG_COUNT_DISTINCT;
    u->aggs[a] = counts ? t_dim(-1) : first;
    return u->aggs[a];
}

static Term binary_term(Units *u, Ir *n)
{
    Term a = term_of(u, n->u.op.a), b = term_of(u, n->u.op.b);
    switch ((Op)n->u.op.op) {
    case OP_ADD:
    case OP_SUB:
        equate(u, a, b, EQ_ADD, n->span, NULL);
        return a;
    case OP_MUL: return t_combine(role(u, a, PRIO_FACTOR), role(u, b, PRIO_FACTOR), 1);
    case OP_DIV: return t_combine(role(u, a, PRIO_FACTOR), role(u, b, PRIO_FACTOR), -1);
    case OP_DEFAULT:
        equate(u, a, b, EQ_CHOICE, n->span, NULL);
        return a;
    case OP_AND:
    case OP_OR: return t_none();
    default:
        equate(u, a, b, EQ_COMPARE, n->span, NULL);
        return t_none();
    }
}

static Term bands_term(Units *u, Ir *n)
{
    Term first = t_unknown();
    for (uint32_t i = 0; i < n->u.bands.n; i++) {
        if (n->u.bands.conds[i])
            term_of(u, n->u.bands.conds[i]);
        Term t = role(u, term_of(u, n->u.bands.vals[i]), PRIO_VALUE);
        if (i == 0)
            first = t;
        else
            equate(u, first, t, EQ_CHOICE, n->u.bands.row_spans[i], NULL);
    }
    return first;
}

static Term builtin_term(Units *u, Ir *n)
{
    Term first = role(u, term_of(u, n->u.call.args[0]), PRIO_VALUE);
    for (uint32_t i = 1; i < n->u.call.nargs; i++)
        equate(u, first, role(u, term_of(u, n->u.call.args[i]), PRIO_VALUE), EQ_CHOICE, n->span, NULL);
    return n->u.call.fn == BI_ISBLANK ? t_none() : first;
}

static Term compute(Units *u, Ir *n)
{
    const Sema *s = u->s;
    switch ((IrKind)n->kind) {
    case IR_CONST:
        if (n->u.value.kind == V_NUM && n->pct) {
            Term t = t_dim(-1); /* 95% is a ratio, whatever it meets */
            t.pct = true;
            return t;
        }
        return n->u.value.kind == V_NUM || n->u.value.kind == V_BLANK ? t_var(u) : t_none();
    case IR_DEF: return def_term(u, n->u.index);
    case IR_ROSTER: return col_term((ColType)s->tables[s->roster].cols[n->u.index].type);
    case IR_PLAN: return col_term((ColType)s->tables[n->u.plan.table].cols[n->u.plan.col].type);
    case IR_COL: return u->row_table ? col_term((ColType)u->row_table->cols[n->u.index].type) : t_unknown();
    case IR_AGG: return agg_term(u, n->u.index);
    case IR_TEAM: {
        const TeamFieldDef *t = &s->team[n->u.index];
        return t->kind == AGG_COUNT ? t_dim(-1) : def_term(u, t->arg_def);
    }
    case IR_UNARY: {
        Term a = term_of(u, n->u.op.a);
        return n->u.op.op == OP_NOT ? t_none() : a;
    }
    case IR_BINARY: return binary_term(u, n);
    case IR_IF: {
        term_of(u, n->u.cond.cond);
        Term a = role(u, term_of(u, n->u.cond.then), PRIO_VALUE);
        Term b = role(u, term_of(u, n->u.cond.els), PRIO_VALUE);
        equate(u, a, b, EQ_CHOICE, n->span, NULL);
        return a.kind == TERM_NUM ? a : b;
    }
    case IR_BANDS: return bands_term(u, n);
    case IR_BUILTIN: return builtin_term(u, n);
    case IR_FAIL: return t_unknown();
    }
    return t_unknown();
}

static Term term_of(Units *u, Ir *n)
{
    if (n->unit)
        return u->terms[n->unit - 1];
    Term t = compute(u, n);
    VEC_PUSH(u->terms, u->nterms, u->capterms, t);
    n->unit = (uint32_t)u->nterms;
    return t;
}

/* ---- the scheme's requirements ---- */
static void require(Units *u, uint32_t def, EqKind kind, const char *what)
{
    Term t = def_term(u, def);
    Term want = kind == EQ_MONEY ? t_dim(0) : t_dim(-1);
    equate(u, t, want, kind, sema_span(u->s, u->s->defs[def].span), what);
}

static void requirements(Units *u, const UnitRoles *roles)
{
    for (size_t i = 0; i < roles->nweights; i++)
        require(u, roles->weights[i], EQ_WEIGHT, NULL);
    if (roles->payout != UINT32_MAX)
        require(u, roles->payout, EQ_MONEY, "the payout");
    if (roles->bonus != UINT32_MAX)
        require(u, roles->bonus, EQ_MONEY, "the bonus");
    for (size_t i = 0; i < roles->nindex; i++) {
        Term f = def_term(u, roles->facts[i]), p = def_term(u, roles->plans[i]);
        equate(u, f, p, EQ_INDEX, sema_span(u->s, u->s->defs[roles->plans[i]].span), NULL);
    }
}

void units_check(Sema *s, const UnitRoles *roles)
{
    Units u;
    memset(&u, 0, sizeof u);
    u.s = s;
    u.defs = kpi_calloc(s->ndefs ? s->ndefs : 1, sizeof(Term));
    u.def_done = kpi_calloc(s->ndefs ? s->ndefs : 1, sizeof(bool));
    u.aggs = kpi_calloc(s->naggs ? s->naggs : 1, sizeof(Term));
    u.agg_done = kpi_calloc(s->naggs ? s->naggs : 1, sizeof(bool));
    for (size_t i = 0; i < s->norder; i++)
        def_term(&u, s->order[i]);
    size_t nexpr = u.neqs;
    requirements(&u, roles);
    /* the scheme's requirements first: a faulty expression then shows as
     * the mistake, instead of bending a literal's unit before they speak */
    if (nexpr && u.neqs > nexpr) {
        Eq *reordered = kpi_calloc(u.neqs, sizeof(Eq));
        memcpy(reordered, u.eqs + nexpr, sizeof(Eq) * (u.neqs - nexpr));
        memcpy(reordered + (u.neqs - nexpr), u.eqs, sizeof(Eq) * nexpr);
        kpi_free(u.eqs);
        u.eqs = reordered;
        u.capeqs = u.neqs;
    }
    solve(&u);
    check_all(&u);
    export_units(&u);
    kpi_free(u.terms);
    kpi_free(u.defs);
    kpi_free(u.def_done);
    kpi_free(u.aggs);
    kpi_free(u.agg_done);
    kpi_free(u.eqs);
    kpi_free(u.val);
    kpi_free(u.bound);
    kpi_free(u.prio);
}
