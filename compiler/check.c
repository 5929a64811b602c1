/* check.c - the checks an analyst would make of a scheme, beyond its being
 * well-formed: bands without gaps or overlaps that cover what they score,
 * weights that add up to 100%, divisions by what can be zero, unused and
 * shadowed names, and the advice of 3 to 5 indicators per person. They run
 * over the checked IR, after sema. */
#include "base/alloc.h"
#include "compiler/sema_int.h"

#include <stdio.h>
#include <string.h>

/* ---- intervals over one subject --------------------------------------------- */
typedef struct Bound {
    bool inf;     /* -infinity for a low bound, +infinity for a high one */
    bool incl;
    Rat  v;
} Bound;

typedef struct Interval {
    Bound lo, hi;
} Interval;

static Interval everything(void)
{
    Interval i = {{true, false, {0, 1}}, {true, false, {0, 1}}};
    return i;
}

/* lo <= hi, with the inclusive ends; -1 when a < b as lower bounds */
static int cmp_lo(Bound a, Bound b)
{
    if (a.inf || b.inf)
        return a.inf == b.inf ? 0 : a.inf ? -1 : 1;
    int c = rat_cmp(a.v, b.v);
    return c ? c : a.incl == b.incl ? 0 : a.incl ? -1 : 1;
}

static int cmp_hi(Bound a, Bound b)
{
    if (a.inf || b.inf)
        return a.inf == b.inf ? 0 : a.inf ? 1 : -1;
    int c = rat_cmp(a.v, b.v);
    return c ? c : a.incl == b.incl ? 0 : a.incl ? 1 : -1;
}

static bool is_empty(Interval i)
{
    if (i.lo.inf || i.hi.inf)
        return false;
    int c = rat_cmp(i.lo.v, i.hi.v);
    return c > 0 || (c == 0 && !(i.lo.incl && i.hi.incl));
}

static Interval meet(Interval a, Interval b)
{
    Interval r;
    r.lo = cmp_lo(a.lo, b.lo) >= 0 ? a.lo : b.lo;
    r.hi = cmp_hi(a.hi, b.hi) <= 0 ? a.hi : b.hi;
    return r;
}

static bool is_point(Interval i)
{
    return !i.lo.inf && !i.hi.inf && i.lo.incl && i.hi.incl && rat_eq(i.lo.v, i.hi.v);
}

/* ---- structural equality of IR, for "the same subject" ---------------------------- */
static bool ir_same(const Ir *a, const Ir *b)
{
    if (a == b)
        return true;
    if (a->kind != b->kind)
        return false;
    switch ((IrKind)a->kind) {
    case IR_DEF: case IR_AGG: case IR_TEAM: case IR_ROSTER: case IR_COL:
        return a->u.index == b->u.index;
    case IR_PLAN: return a->u.plan.table == b->u.plan.table && a->u.plan.col == b->u.plan.col;
    case IR_CONST:
        return a->u.value.kind == V_NUM && b->u.value.kind == V_NUM && rat_eq(a->u.value.q, b->u.value.q);
    case IR_UNARY: return a->u.op.op == b->u.op.op && ir_same(a->u.op.a, b->u.op.a);
    case IR_BINARY:
        return a->u.op.op == b->u.op.op && ir_same(a->u.op.a, b->u.op.a) && ir_same(a->u.op.b, b->u.op.b);
    default: return false;
    }
}

static bool const_num(const Ir *n, Rat *v)
{
    if (n->kind != IR_CONST || n->u.value.kind != V_NUM)
        return false;
    *v = n->u.value.q;
    return true;
}

/* The values of the subject a band's condition holds for, when it is a
 * comparison (or a chain of them) of one subject with constants. */
static bool cond_interval(const Ir *c, const Ir **subject, Interval *out)
{
    if (c->kind != IR_BINARY)
        return false;
    Op op = (Op)c->u.op.op;
    if (op == OP_AND) {
        Interval a, b;
        if (!cond_interval(c->u.op.a, subject, &a) || !cond_interval(c->u.op.b, subject, &b))
            return false;
        *out = meet(a, b);
        return true;
    }
    if (op < OP_EQ || op > OP_GE || op == OP_NE)
        return false;
    Rat v;
    const Ir *s;
    bool flip = false;
    if (const_num(c->u.op.b, &v))
        s = c->u.op.a;
    else if (const_num(c->u.op.a, &v)) {
        s = c->u.op.b;
        flip = true;
    } else
        return false;
    if (s->type != T_NUM || (*subject && !ir_same(*subject, s)))
        return false;
    *subject = s;
    if (flip)
        op = op == OP_LT ? OP_GT : op == OP_LE ? OP_GE : op == OP_GT ? OP_LT : op == OP_GE ? OP_LE : op;
    *out = everything();
    Bound b = {false, op == OP_LE || op == OP_GE || op == OP_EQ, v};
    if (op == OP_LT || op == OP_LE || op == OP_EQ)
        out->hi = b;
    if (op == OP_GT || op == OP_GE || op == OP_EQ)
        out->lo = b;
    return true;
}

/* ---- the covered set: disjoint intervals in order ---- */
typedef struct Cover {
    Interval *iv;
    size_t    n, cap;
} Cover;

/* [a, b) and [b, c] leave nothing between them; (a, b) and (b, c) leave b. */
static bool adjacent(Bound hi, Bound lo)
{
    return !hi.inf && !lo.inf && rat_eq(hi.v, lo.v) && (hi.incl || lo.incl);
}

static void cover_add(Cover *c, Interval x)
{
    if (is_empty(x))
        return;
    Cover out = {NULL, 0, 0};
    for (size_t i = 0; i < c->n; i++) {
        Interval y = c->iv[i];
        if (is_empty(meet(x, y)) && !adjacent(y.hi, x.lo) && !adjacent(x.hi, y.lo)) {
            VEC_PUSH(out.iv, out.n, out.cap, y);
            continue;
        }
        x.lo = cmp_lo(x.lo, y.lo) <= 0 ? x.lo : y.lo;
        x.hi = cmp_hi(x.hi, y.hi) >= 0 ? x.hi : y.hi;
    }
    size_t at = 0;
    while (at < out.n && cmp_lo(out.iv[at].lo, x.lo) < 0)
        at++;
    VEC_PUSH(out.iv, out.n, out.cap, x);
    memmove(out.iv + at + 1, out.iv + at, sizeof(Interval) * (out.n - 1 - at));
    out.iv[at] = x;
    kpi_free(c->iv);
    *c = out;
}

/* The lowest part of x that the cover does not hold; false when none. */
static bool first_hole(const Cover *c, Interval x, Interval *hole)
{
    Interval rest = x;
    for (size_t i = 0; i < c->n && !is_empty(rest); i++) {
        Interval y = c->iv[i];
        if (!y.lo.inf) {
            Interval below = rest;
            Bound edge = {false, !y.lo.incl, y.lo.v};
            if (cmp_hi(edge, below.hi) < 0)
                below.hi = edge;
            if (!is_empty(below)) {
                *hole = below;
                return true;
            }
        }
        if (y.hi.inf)
            return false;
        Bound after = {false, !y.hi.incl, y.hi.v};
        if (cmp_lo(after, rest.lo) > 0)
            rest.lo = after;
    }
    if (is_empty(rest))
        return false;
    *hole = rest;
    return true;
}

/* ---- words for intervals ---- */
static void value_text(Rat v, bool pct, Buf *out)
{
    char buf[96];
    bool exact;
    if (pct) {
        Rat p;
        rat_mul(v, rat_int(100), &p);
        rat_format(buf, sizeof buf, p, 4, &exact);
        buf_printf(out, "%s%%", buf);
    } else {
        rat_format(buf, sizeof buf, v, 4, &exact);
        buf_adds(out, buf);
    }
}

/* "90% <= x < 100%", the condition of a band holding exactly the interval. */
static void interval_text(Interval i, const char *x, bool pct, Buf *out)
{
    if (is_point(i)) {
        buf_printf(out, "%s = ", x);
        value_text(i.lo.v, pct, out);
        return;
    }
    if (!i.lo.inf) {
        value_text(i.lo.v, pct, out);
        buf_adds(out, i.lo.incl ? " <= " : " < ");
    }
    buf_adds(out, x);
    if (!i.hi.inf) {
        buf_adds(out, i.hi.incl ? " <= " : " < ");
        value_text(i.hi.v, pct, out);
    }
}

/* ---- the bands of one node ---- */
typedef struct BandCheck {
    SemaCtx     *k;
    const Ir    *bands;
    const Ir    *subject;
    Interval    *rows;       /* per row; else rows are everything */
    bool         is_index;   /* the subject is an indicator's index: 0..infinity */
    const char  *x;          /* the subject's name in suggestions */
} BandCheck;

static Span row_span(const BandCheck *b, uint32_t i)
{
    return sema_span_of(b->k->s, b->bands->u.bands.row_spans[i]);
}

static void check_rows(BandCheck *b, Cover *covered)
{
    const Ir *n = b->bands;
    for (uint32_t i = 0; i < n->u.bands.n; i++) {
        Interval row = b->rows[i];
        Interval hole;
        bool adds = first_hole(covered, row, &hole);
        if (!adds) {
            Diag *g = diag_at(b->k->s->diags, K_BAND_UNREACHABLE, row_span(b, i),
                              "this band can never be chosen: the bands above hold all its values");
            diag_note(g, "help", "remove it, or change the edges above");
        } else if (n->u.bands.conds[i]) { /* else takes what is left: it never overlaps */
            for (size_t j = 0; j < covered->n; j++) {
                Interval both = meet(covered->iv[j], row);
                if (is_empty(both))
                    continue;
                Buf t = BUF_INIT;
                interval_text(both, b->x, b->is_index, &t);
                Diag *g = diag_at(b->k->s->diags, K_BAND_OVERLAP, row_span(b, i),
                                  "this band overlaps a band above it where %s", buf_cstr(&t));
                diag_note(g, "help", is_point(both) ? "make one of the two edges strict (< instead of <=)"
                                                    : "the first band wins there; make the edges meet exactly");
                buf_free(&t);
                break;
            }
        }
        cover_add(covered, row);
    }
}

static void check_holes(BandCheck *b, Cover *covered)
{
    Interval domain = everything();
    if (b->is_index) {
        domain.lo.inf = false;
        domain.lo.incl = true;
        domain.lo.v = rat_int(0);
    }
    Interval hole;
    int reported = 0;
    while (reported < 4 && first_hole(covered, domain, &hole)) {
        Buf t = BUF_INIT;
        interval_text(hole, b->x, b->is_index, &t);
        Span sp = sema_span_of(b->k->s, b->bands->span);
        Diag *g;
        if (is_point(hole))
            g = diag_at(b->k->s->diags, K_BAND_EDGE, sp, "no band holds %s: both bands next to it exclude it",
                        buf_cstr(&t));
        else if (hole.hi.inf || (hole.lo.inf && !b->is_index) || (b->is_index && !hole.lo.inf &&
                                                                 rat_sign(hole.lo.v) == 0 && hole.lo.incl))
            g = diag_at(b->k->s->diags, K_BAND_DOMAIN, sp, "no band for %s", buf_cstr(&t));
        else
            g = diag_at(b->k->s->diags, K_BAND_GAP, sp, "no band for %s", buf_cstr(&t));
        if (is_point(hole)) {
            Buf v = BUF_INIT;
            value_text(hole.lo.v, b->is_index, &v);
            diag_note(g, "help", "say which band holds %s: write <= or >= on one side", v.data);
            buf_free(&v);
        } else {
            diag_note(g, "help", "add a band: %s -> ..., or an else row", buf_cstr(&t));
        }
        buf_free(&t);
        cover_add(covered, hole);
        reported++;
    }
}

/* The values a number can take when it is a choice among constants (a band
 * or an if whose results are constants); false when it can take any value. */
#define FINITE_MAX 64

static bool finite_values(const SemaCtx *k, const Ir *n, Rat *vals, size_t *nv, int depth)
{
    if (depth > 16)
        return false;
    switch ((IrKind)n->kind) {
    case IR_CONST:
        if (n->u.value.kind != V_NUM || *nv >= FINITE_MAX)
            return false;
        for (size_t i = 0; i < *nv; i++)
            if (rat_eq(vals[i], n->u.value.q))
                return true;
        vals[(*nv)++] = n->u.value.q;
        return true;
    case IR_DEF:
        return k->s->defs[n->u.index].ir && finite_values(k, k->s->defs[n->u.index].ir, vals, nv, depth + 1);
    case IR_IF:
        return finite_values(k, n->u.cond.then, vals, nv, depth + 1) &&
               finite_values(k, n->u.cond.els, vals, nv, depth + 1);
    case IR_BANDS:
        for (uint32_t i = 0; i < n->u.bands.n; i++)
            if (!finite_values(k, n->u.bands.vals[i], vals, nv, depth + 1))
                return false;
        return true;
    default:
        return false;
    }
}

/* A subject with a few possible values: each must fall in a band. */
static void check_points(BandCheck *b, const Cover *covered, const Rat *vals, size_t nv)
{
    for (size_t i = 0; i < nv; i++) {
        Interval p = {{false, true, vals[i]}, {false, true, vals[i]}};
        Interval hole;
        if (!first_hole(covered, p, &hole))
            continue;
        Buf t = BUF_INIT;
        interval_text(p, b->x, b->is_index, &t);
        Diag *g = diag_at(b->k->s->diags, K_BAND_GAP, sema_span_of(b->k->s, b->bands->span), "no band for %s",
                          buf_cstr(&t));
        diag_note(g, "help", "%s can be only these values; add a band for this one, or an else row", b->x);
        buf_free(&t);
    }
}

static void check_bands(SemaCtx *k, const Ir *n, const char *x, bool is_index)
{
    BandCheck b = {k, n, NULL, NULL, is_index, x};
    b.rows = kpi_calloc(n->u.bands.n, sizeof(Interval));
    bool has_else = false;
    for (uint32_t i = 0; i < n->u.bands.n; i++) {
        if (!n->u.bands.conds[i]) {
            b.rows[i] = everything();
            has_else = true;
        } else if (!cond_interval(n->u.bands.conds[i], &b.subject, &b.rows[i])) {
            kpi_free(b.rows); /* not bands over one value: nothing to say */
            return;
        }
    }
    if (b.subject && b.subject->kind == IR_DEF) {
        const Def *d = &k->s->defs[b.subject->u.index];
        b.is_index = d->kind == DEF_FIELD && d->field == F_INDEX;
        b.x = b.is_index ? "index" : d->name;
    }
    Cover covered = {NULL, 0, 0};
    check_rows(&b, &covered);
    Rat vals[FINITE_MAX];
    size_t nv = 0;
    if (!has_else && b.subject && finite_values(k, b.subject, vals, &nv, 0))
        check_points(&b, &covered, vals, nv);
    else if (!has_else)
        check_holes(&b, &covered);
    kpi_free(covered.iv);
    kpi_free(b.rows);
}

/* A higher index must not give a lower score (indicators where higher is better). */
static void check_monotonic(SemaCtx *k, const Ir *n)
{
    if (n->kind != IR_BANDS)
        return;
    const Ir *subject = NULL;
    Interval prev_iv = everything();
    Rat prev_v = {0, 1};
    bool have = false;
    for (uint32_t i = 0; i < n->u.bands.n; i++) {
        Interval iv;
        Rat v;
        if (!n->u.bands.conds[i] || !cond_interval(n->u.bands.conds[i], &subject, &iv) ||
            !const_num(n->u.bands.vals[i], &v))
            return;
        /* rows in order of their values of the index */
        if (have && cmp_lo(iv.lo, prev_iv.lo) > 0 && rat_cmp(v, prev_v) < 0) {
            Diag *g = diag_at(k->s->diags, K_BAND_MONOTONIC, sema_span_of(k->s, n->u.bands.row_spans[i]),
                              "a higher index gives a lower score here");
            diag_note(g, "help", "if that is meant (a penalty above a range), write allow K0705");
            return;
        }
        prev_iv = iv;
        prev_v = v;
        have = true;
    }
}

static void walk(SemaCtx *k, const Ir *n);

static void walk_children(SemaCtx *k, const Ir *n)
{
    switch ((IrKind)n->kind) {
    case IR_UNARY: walk(k, n->u.op.a); break;
    case IR_BINARY: walk(k, n->u.op.a); walk(k, n->u.op.b); break;
    case IR_IF: walk(k, n->u.cond.cond); walk(k, n->u.cond.then); walk(k, n->u.cond.els); break;
    case IR_BANDS:
        for (uint32_t i = 0; i < n->u.bands.n; i++) {
            if (n->u.bands.conds[i])
                walk(k, n->u.bands.conds[i]);
            walk(k, n->u.bands.vals[i]);
        }
        break;
    case IR_BUILTIN:
        for (uint32_t i = 0; i < n->u.call.nargs; i++)
            walk(k, n->u.call.args[i]);
        break;
    default: break;
    }
}

static void walk(SemaCtx *k, const Ir *n)
{
    if (n->checked)
        return;
    ((Ir *)n)->checked = 1;
    if (n->kind == IR_BANDS)
        check_bands(k, n, "x", false);
    walk_children(k, n);
}

static void check_bands_all(SemaCtx *k)
{
    Sema *s = k->s;
    for (size_t i = 0; i < s->norder; i++) {
        const Def *d = &s->defs[s->order[i]];
        if (d->ir)
            walk(k, d->ir);
    }
    for (size_t i = 0; i < k->ninds; i++) {
        const Indicator *ind = &k->inds[i];
        const Ir *score = s->defs[ind->defs[F_RAW]].ir;
        if (!ind->lower_better && score)
            check_monotonic(k, score);
    }
}

/* ---- weights of a composition add up to 100% ---------------------------------- */
static bool const_weight(const Expr *e, Rat *out)
{
    if (e && e->kind == E_NUM) {
        *out = e->u.num.value;
        return true;
    }
    return false;
}

/* The weight of indicator i in a role entry (or without roles, e NULL). */
static bool weight_in(SemaCtx *c, const RoleEntry *e, uint32_t i, bool *listed, Rat *w)
{
    const Indicator *ind = &c->inds[i];
    *listed = e == NULL;
    const Expr *role_w = NULL;
    for (uint32_t k = 0; e && k < e->n; k++)
        if (strcmp(e->items[k].indicator.s, ind->decl->name.s) == 0) {
            *listed = true;
            role_w = e->items[k].weight;
        }
    if (!*listed)
        return true;
    if (role_w)
        return const_weight(role_w, w);
    if (e && const_weight(ind->exprs[F_WEIGHT], w)) /* under roles the def is a band over roles */
        return true;
    const Ir *ir = c->s->defs[ind->defs[F_WEIGHT]].ir;
    if (ind->exprs[F_WEIGHT] && ir && ir->kind == IR_CONST && ir->u.value.kind == V_NUM) {
        *w = ir->u.value.q;
        return true;
    }
    return false;
}

static void check_sum(SemaCtx *c, const Composition *comp, const RoleEntry *e)
{
    Rat sum = rat_int(0);
    uint32_t n = 0;
    for (uint32_t j = 0; j < comp->n; j++) {
        uint32_t i = comp->inds ? comp->inds[j] : j;
        bool listed;
        Rat w;
        if (!weight_in(c, e, i, &listed, &w))
            return; /* a weight that varies: nothing to add up */
        if (listed) {
            rat_add(sum, w, &sum);
            n++;
        }
    }
    if (n == 0 || rat_eq(sum, rat_int(1)))
        return;
    Rat diff;
    rat_sub(sum, rat_int(1), &diff);
    Buf a = BUF_INIT, b = BUF_INIT;
    value_text(sum, true, &a);
    value_text(rat_abs(diff), true, &b);
    Span sp = e ? e->span : sema_span_of(c->s, comp->span);
    Diag *g = diag_at(c->s->diags, K_WEIGHTS_SUM, sp, "the weights %s%s%s add up to %s, %s %s 100%%",
                      e ? "of role " : "", e ? (e->key ? e->key : "else") : "", e ? "" : "of the KPI",
                      a.data, b.data, rat_sign(diff) > 0 ? "over" : "short of");
    diag_note(g, "help", "weights share the KPI between indicators; make them add up to 100%%");
    buf_free(&a);
    buf_free(&b);
}

static void check_weights(SemaCtx *c)
{
    for (size_t i = 0; i < c->ncomps; i++) {
        if (!c->roles) {
            check_sum(c, &c->comps[i], NULL);
            continue;
        }
        for (uint32_t r = 0; r < c->roles->u.roles.n; r++)
            check_sum(c, &c->comps[i], &c->roles->u.roles.entries[r]);
    }
}

/* ---- divisions by what can be zero ------------------------------------------------ */
static bool can_be_zero(SemaCtx *c, const Ir *n, int depth)
{
    const Sema *s = c->s;
    if (depth > 64)
        return false;
    switch ((IrKind)n->kind) {
    case IR_CONST: return n->u.value.kind == V_NUM && rat_sign(n->u.value.q) == 0;
    case IR_PLAN: return !s->tables[n->u.plan.table].cols[n->u.plan.col].nonzero;
    case IR_ROSTER: return !s->tables[s->roster].cols[n->u.index].nonzero;
    case IR_AGG:
    case IR_TEAM: return true;
    case IR_DEF: return s->defs[n->u.index].ir && can_be_zero(c, s->defs[n->u.index].ir, depth + 1);
    case IR_BINARY:
        if (n->u.op.op == OP_MUL)
            return can_be_zero(c, n->u.op.a, depth + 1) || can_be_zero(c, n->u.op.b, depth + 1);
        if (n->u.op.op == OP_DIV)
            return can_be_zero(c, n->u.op.a, depth + 1);
        if (n->u.op.op == OP_DEFAULT)
            return can_be_zero(c, n->u.op.a, depth + 1) || can_be_zero(c, n->u.op.b, depth + 1);
        return false;
    case IR_IF: return can_be_zero(c, n->u.cond.then, depth + 1) || can_be_zero(c, n->u.cond.els, depth + 1);
    case IR_BANDS:
        for (uint32_t i = 0; i < n->u.bands.n; i++)
            if (can_be_zero(c, n->u.bands.vals[i], depth + 1))
                return true;
        return false;
    default: return false;
    }
}

/* Values known not to be zero here: the x of an enclosing "if x = 0 then
 * ... else (here)" or "if x != 0 (or x > 0) then (here) else ...". */
typedef struct Guards {
    const Ir *x[8];
    int       n;
} Guards;

static const Ir *zero_test(const Ir *cond, Op *op)
{
    Rat v;
    if (cond->kind != IR_BINARY || cond->u.op.op < OP_EQ || cond->u.op.op > OP_GE)
        return NULL;
    *op = (Op)cond->u.op.op;
    if (const_num(cond->u.op.b, &v) && rat_sign(v) == 0)
        return cond->u.op.a;
    return NULL;
}

static bool guarded_by(const Guards *g, const Ir *d)
{
    for (int i = 0; i < g->n; i++)
        if (ir_same(g->x[i], d))
            return true;
    return false;
}

static void divisions(SemaCtx *c, const Ir *n, bool guarded, const Def *owner, Guards *g);

static void divisions_if(SemaCtx *c, const Ir *n, bool guarded, const Def *owner, Guards *g)
{
    Op op;
    const Ir *x = zero_test(n->u.cond.cond, &op);
    divisions(c, n->u.cond.cond, guarded, owner, g);
    bool then_safe = x && (op == OP_NE || op == OP_GT), else_safe = x && op == OP_EQ;
    if (then_safe && g->n < 8)
        g->x[g->n++] = x;
    divisions(c, n->u.cond.then, guarded, owner, g);
    if (then_safe)
        g->n--;
    if (else_safe && g->n < 8)
        g->x[g->n++] = x;
    divisions(c, n->u.cond.els, guarded, owner, g);
    if (else_safe)
        g->n--;
}

static void divisions(SemaCtx *c, const Ir *n, bool guarded, const Def *owner, Guards *g)
{
    switch ((IrKind)n->kind) {
    case IR_BINARY:
        if (n->u.op.op == OP_DEFAULT) {
            divisions(c, n->u.op.a, true, owner, g);
            divisions(c, n->u.op.b, guarded, owner, g);
            return;
        }
        if (n->u.op.op == OP_DIV && !guarded && !guarded_by(g, n->u.op.b) && can_be_zero(c, n->u.op.b, 0)) {
            bool index = owner->kind == DEF_FIELD && owner->field == F_INDEX && !owner->expr;
            const Indicator *ind = index ? &c->inds[owner->owner] : NULL;
            const char *by = ind && ind->lower_better ? "fact" : "plan";
            Diag *d = index ? diag_at(c->s->diags, K_DIVISION_BY_ZERO_RISK, owner->span,
                                      "the index of '%s' divides by its %s, which can be zero",
                                      ind->decl->name.s, by)
                            : diag_at(c->s->diags, K_DIVISION_BY_ZERO_RISK, sema_span_of(c->s, n->span),
                                      "this divides by a value that can be zero");
            if (ind && ind->lower_better)
                diag_note(d, "help", "say what a zero fact scores: index = plan / fact default ...");
            else if (ind)
                diag_note(d, "help", "declare the plan's column nonzero, or write index = fact / plan default 0");
            else
                diag_note(d, "help", "say what the result is then: ... default 0, or if x = 0 then ... else .../x");
        }
        divisions(c, n->u.op.a, guarded, owner, g);
        divisions(c, n->u.op.b, guarded, owner, g);
        return;
    case IR_UNARY: divisions(c, n->u.op.a, guarded, owner, g); return;
    case IR_IF: divisions_if(c, n, guarded, owner, g); return;
    case IR_BANDS:
        for (uint32_t i = 0; i < n->u.bands.n; i++) {
            if (n->u.bands.conds[i])
                divisions(c, n->u.bands.conds[i], guarded, owner, g);
            divisions(c, n->u.bands.vals[i], guarded, owner, g);
        }
        return;
    case IR_BUILTIN:
        for (uint32_t i = 0; i < n->u.call.nargs; i++)
            divisions(c, n->u.call.args[i], guarded, owner, g);
        return;
    default: return;
    }
}

static void check_divisions(SemaCtx *c)
{
    for (size_t i = 0; i < c->s->norder; i++) {
        const Def *d = &c->s->defs[c->s->order[i]];
        Guards g = {{NULL}, 0};
        if (d->ir && !(d->kind == DEF_FIELD && c->roles && d->field == F_ACTIVE))
            divisions(c, d->ir, false, d, &g);
    }
}

/* ---- unused declarations -------------------------------------------------------------- */
static bool in_main(const SemaCtx *c, Span sp) { return sp.file == c->main->file; }

static void unused(SemaCtx *c, Span sp, const char *what, const char *name)
{
    if (!in_main(c, sp))
        return;
    Diag *g = diag_at(c->s->diags, K_UNUSED, sp, "%s '%s' is not used", what, name);
    diag_note(g, "help", "remove it, or write allow K0803 if it documents the input");
}

static void check_unused_tables(SemaCtx *c)
{
    for (uint32_t i = 0; i < c->main->ndecls; i++) {
        const Decl *d = c->main->decls[i];
        if (d->kind != D_TABLE || d->u.table.kind == TABLE_ROSTER)
            continue;
        uint32_t t = 0;
        while (t < c->s->ntables && strcmp(c->s->tables[t].name, d->name.s) != 0)
            t++;
        if (t == c->s->ntables)
            continue;
        if (!c->table_used[t]) {
            unused(c, d->name.span, d->u.table.kind == TABLE_FACTS ? "facts table" : "plans table", d->name.s);
            continue;
        }
        for (uint32_t k = 0; k < d->u.table.ncols; k++) {
            const ColumnDecl *col = &d->u.table.cols[k];
            const ColumnSpec *cs = &c->s->tables[t].cols[k];
            if (!cs->used && col->role == ROLE_NONE)
                unused(c, col->span, "column", col->name.s);
        }
    }
    const TableSpec *r = c->s->roster >= 0 ? &c->s->tables[c->s->roster] : NULL;
    for (uint32_t i = 0; r && i < c->main->ndecls; i++) {
        const Decl *d = c->main->decls[i];
        if (d->kind != D_TABLE || d->u.table.kind != TABLE_ROSTER)
            continue;
        for (uint32_t k = 0; k < d->u.table.ncols && k < r->ncols; k++)
            if (!r->cols[k].used && d->u.table.cols[k].role == ROLE_NONE)
                unused(c, d->u.table.cols[k].span, "column", d->u.table.cols[k].name.s);
    }
}

static void check_unused(SemaCtx *c)
{
    check_unused_tables(c);
    for (size_t i = 0; i < c->nsyms; i++) {
        const Sym *sym = &c->syms[i];
        const Decl *d = sym->decl;
        if ((sym->kind == SYM_LET || sym->kind == SYM_PARAM) && !d->label && c->s->defs[sym->index].nuses == 0)
            unused(c, d->name.span, sym->kind == SYM_LET ? "value" : "param", sym->name);
        else if (sym->kind == SYM_SCALE && !sym->used)
            unused(c, d->name.span, "scale", sym->name);
        else if (sym->kind == SYM_INDICATOR && !c->inds[sym->index].used)
            unused(c, d->name.span, "indicator", sym->name);
    }
}

/* ---- 3 to 5 indicators per person ---------------------------------------------------------- */
static void advise_count(SemaCtx *c, uint32_t n, Span sp, const char *who)
{
    if (n >= 3 && n <= 5)
        return;
    Diag *g = diag_at(c->s->diags, K_INDICATOR_COUNT, sp, "%s %u indicator%s; the methodology advises 3 to 5",
                      who, n, n == 1 ? "" : "s");
    diag_note(g, "help", "if the scheme means it, write allow K0805");
}

static void check_indicator_count(SemaCtx *c)
{
    if (c->ninds == 0)
        return;
    if (!c->roles) {
        advise_count(c, (uint32_t)c->ninds, c->inds[0].decl->name.span, "each person has");
        return;
    }
    for (uint32_t r = 0; r < c->roles->u.roles.n; r++) {
        const RoleEntry *e = &c->roles->u.roles.entries[r];
        advise_count(c, e->n, e->span, "this role has");
    }
}

void check_scheme(SemaCtx *c)
{
    check_bands_all(c);
    check_weights(c);
    check_divisions(c);
    if (c->s->diags->errors == 0)
        check_unused(c);
    check_indicator_count(c);
}
