/* resolve.c - expressions: names, fields, calls, aggregates, scales.
 * Each AST expression becomes a typed IR node in its context; a name that
 * does not resolve is reported with the nearest names in scope. */
#include "compiler/override.h"
#include "compiler/sema_int.h"
#include "compiler/suggest.h"

#include <string.h>

static const char *const builtins[] = {
    "min", "max", "clamp", "abs", "round", "floor", "ceil", "is_blank", "weighted_sum",
    "sum", "count", "avg",
};

bool is_builtin_name(const char *name)
{
    for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
        if (strcmp(builtins[i], name) == 0)
            return true;
    return false;
}

static Ir *blank_ir(SemaCtx *c, Span sp) { return ir_const(c->s, val_blank(), sema_span(c->s, sp)); }

static Diag *err(SemaCtx *c, DiagId id, Span sp, const char *msg)
{
    return diag_at(c->s->diags, id, sp, "%s", msg);
}

bool check_type(SemaCtx *c, const Ir *ir, TypeKind want, Span sp, const char *what)
{
    if (ir->type == T_ANY || ir->type == want)
        return true;
    diag_at(c->s->diags, K_TYPE, sp, "%s must be a %s, but this is a %s", what, type_name(want),
            type_name((TypeKind)ir->type));
    return false;
}

Ir *resolve_typed(SemaCtx *c, const Scope *sc, const Expr *e, TypeKind want, const char *what)
{
    Ir *ir = resolve_expr(c, sc, e);
    check_type(c, ir, want, e->span, what);
    return ir;
}

/* ---- names ---------------------------------------------------------------------- */
static const char *const own_fields[] = {"fact", "plan", "index", "weight", "score"};
static const IndField own_slots[] = {F_FACT, F_PLAN, F_INDEX, F_WEIGHT, F_SCORE};

static Ir *column_ir(SemaCtx *c, int32_t table, int32_t col, uint32_t span)
{
    ColumnSpec *cs = &c->s->tables[table].cols[col];
    cs->used = 1;
    c->table_used[table] = true;
    Ir *n = ir_new(c->s, IR_COL, col_value_type((ColType)cs->type), CTX_ROW, span);
    n->u.index = (uint32_t)col;
    n->scale = cs->scale;
    return n;
}

static void unknown_name(SemaCtx *c, const Scope *sc, Name n)
{
    Diag *g = diag_at(c->s->diags, K_UNKNOWN_NAME, n.span, "unknown name '%s'", n.s);
    Suggest sg;
    suggest_init(&sg, n.s);
    for (uint32_t i = 0; i < sc->nbinds; i++)
        suggest_offer(&sg, sc->binds[i].name);
    if (sc->ctx == CTX_ROW) {
        const TableSpec *t = &c->s->tables[sc->table];
        for (uint32_t i = 0; i < t->ncols; i++)
            suggest_offer(&sg, t->cols[i].name);
    }
    if (sc->indicator >= 0)
        for (size_t i = 0; i < 5; i++)
            suggest_offer(&sg, own_fields[i]);
    sema_offer_globals(c, &sg);
    if (sg.best)
        diag_note(g, "help", "did you mean '%s'?", sg.best);
    if (sc->ctx == CTX_ROW) {
        const TableSpec *t = &c->s->tables[sc->table];
        Buf list = BUF_INIT;
        for (uint32_t i = 0; i < t->ncols; i++)
            buf_printf(&list, "%s%s", i ? ", " : "", t->cols[i].name);
        diag_note(g, "note", "inside an aggregate, names are the columns of %s: %s", t->name, buf_cstr(&list));
        buf_free(&list);
    }
}

static Ir *misused_symbol(SemaCtx *c, const Sym *sym, Name n)
{
    Diag *g = diag_at(c->s->diags, K_NOT_A_VALUE, n.span, "'%s' is not a value", n.s);
    switch ((SymKind)sym->kind) {
    case SYM_TABLE:
        if (c->s->tables[sym->index].kind == TABLE_FACTS)
            diag_note(g, "help", "a fact table has many rows; aggregate it: sum(COLUMN from %s)", n.s);
        else
            diag_note(g, "help", "name a column: %s.COLUMN", n.s);
        break;
    case SYM_INDICATOR:
        diag_note(g, "help", "use %s.score, %s.index, %s.fact or %s.plan", n.s, n.s, n.s, n.s);
        break;
    case SYM_TEAM: diag_note(g, "help", "use a field of the team: %s.FIELD", n.s); break;
    case SYM_SCALE: diag_note(g, "help", "call the scale: %s(index)", n.s); break;
    default: break;
    }
    return blank_ir(c, n.span);
}

/* A local name (column, indicator field, scale parameter) that hides a let
 * or param of the scheme: said once per name, in the scheme's own file. */
static void shadows(SemaCtx *c, Name n, const char *what)
{
    const Sym *g = sym_find(c, n.s);
    if (!g || (g->kind != SYM_LET && g->kind != SYM_PARAM) || n.span.file != c->main->file)
        return;
    for (size_t i = 0; i < c->nshadow; i++)
        if (strcmp(c->shadow_reported[i], n.s) == 0)
            return;
    VEC_PUSH(c->shadow_reported, c->nshadow, c->capshadow, n.s);
    Diag *d = diag_at(c->s->diags, K_SHADOWED, n.span, "'%s' here is the %s, not the %s declared with that name",
                      n.s, what, g->kind == SYM_LET ? "value" : "param");
    diag_note(d, "help", "rename one of them");
}

static Ir *resolve_name(SemaCtx *c, const Scope *sc, Name n)
{
    uint32_t span = sema_span(c->s, n.span);
    for (uint32_t i = sc->nbinds; i > 0; i--)
        if (strcmp(sc->binds[i - 1].name, n.s) == 0) {
            Ir *b = sc->binds[i - 1].ir;
            shadows(c, n, "scale's parameter");
            if (sc->ctx == CTX_ROW && b->ctx == CTX_EMP) {
                diag_note(diag_at(c->s->diags, K_NOT_PER_ROW, n.span,
                                  "'%s' differs from employee to employee", n.s),
                          "help", "a row expression can use only the table's columns and constants");
                return blank_ir(c, n.span);
            }
            return b;
        }
    if (sc->ctx == CTX_ROW) {
        int32_t col = table_find_col(&c->s->tables[sc->table], n.s);
        if (col >= 0) {
            shadows(c, n, "table's column");
            return column_ir(c, sc->table, col, span);
        }
    }
    if (sc->indicator >= 0)
        for (size_t i = 0; i < 5; i++)
            if (strcmp(own_fields[i], n.s) == 0) {
                shadows(c, n, "indicator's field");
                IndField f = own_slots[i];
                return def_ref(c, sc, c->inds[sc->indicator].defs[f], span);
            }
    for (int w = 0; w < 3; w++)
        if (strcmp(n.s, result_name((ResultKind)w)) == 0) {
            if (c->result_defs[w] != UINT32_MAX)
                return def_ref(c, sc, c->result_defs[w], span);
            diag_note(diag_at(c->s->diags, K_UNKNOWN_NAME, n.span, "the scheme does not define %s", n.s),
                      "help", "write: %s = ...", n.s);
            return blank_ir(c, n.span);
        }
    const Sym *sym = sym_find(c, n.s);
    if (!sym) {
        unknown_name(c, sc, n);
        return blank_ir(c, n.span);
    }
    if (sym->kind == SYM_PARAM || sym->kind == SYM_LET)
        return def_ref(c, sc, sym->index, span);
    return misused_symbol(c, sym, n);
}

/* ---- a.b -------------------------------------------------------------------------- */
static Ir *indicator_field(SemaCtx *c, const Scope *sc, uint32_t ind, Name f, uint32_t span)
{
    const uint32_t *defs = c->inds[ind].defs;
    if (sc->indicator != (int32_t)ind)
        c->inds[ind].used = true;
    for (size_t i = 0; i < 5; i++)
        if (strcmp(own_fields[i], f.s) == 0)
            return def_ref(c, sc, defs[own_slots[i]], span);
    if (strcmp(f.s, "contribution") == 0)
        return def_ref(c, sc, defs[F_CONTRIB], span);
    Diag *g = diag_at(c->s->diags, K_UNKNOWN_FIELD, f.span, "an indicator has no field '%s'", f.s);
    Suggest sg;
    suggest_init(&sg, f.s);
    for (size_t i = 0; i < 5; i++)
        suggest_offer(&sg, own_fields[i]);
    suggest_offer(&sg, "contribution");
    diag_note(g, "help", sg.best ? "did you mean '%s'?" : "%s",
              sg.best ? sg.best : "fields: fact, plan, index, score, weight, contribution");
    return blank_ir(c, f.span);
}

static Ir *team_field(SemaCtx *c, const Scope *sc, uint32_t team, Name f, uint32_t span)
{
    const Team *t = &c->teams[team];
    for (uint32_t i = 0; i < t->nfields; i++) {
        uint32_t k = t->first_field + i;
        const char *full = c->s->team[k].name;
        if (strcmp(full + strlen(t->decl->name.s) + 1, f.s) != 0)
            continue;
        if (sc->ctx == CTX_ROW || sc->const_only)
            break;
        Ir *set = override_input(c, TG_TEAM, 0, k);
        if (set)
            return set;
        uint32_t st = team_field_stratum(c, k);
        if (sc->def != UINT32_MAX && (int32_t)st > c->s->defs[sc->def].team_dep)
            c->s->defs[sc->def].team_dep = (int32_t)st;
        Ir *n = ir_new(c->s, IR_TEAM, T_NUM, CTX_EMP, span);
        n->type = (uint8_t)c->s->defs[c->s->team[k].arg_def].type;
        if (c->s->team[k].kind == AGG_COUNT || c->s->team[k].kind == AGG_SUM ||
            c->s->team[k].kind == AGG_AVG)
            n->type = T_NUM;
        n->u.index = k;
        return n;
    }
    if (sc->ctx == CTX_ROW || sc->const_only) {
        err(c, K_NOT_PER_ROW, f.span, "a team value differs from employee to employee");
        return blank_ir(c, f.span);
    }
    Diag *g = diag_at(c->s->diags, K_UNKNOWN_FIELD, f.span, "team '%s' has no field '%s'",
                      t->decl->name.s, f.s);
    Suggest sg;
    suggest_init(&sg, f.s);
    for (uint32_t i = 0; i < t->nfields; i++)
        suggest_offer(&sg, t->decl->u.team.fields[i].name.s);
    if (sg.best)
        diag_note(g, "help", "did you mean '%s'?", sg.best);
    return blank_ir(c, f.span);
}

static Ir *table_field(SemaCtx *c, const Scope *sc, uint32_t table, Name base, Name f, uint32_t span)
{
    TableSpec *t = &c->s->tables[table];
    int32_t col = table_find_col(t, f.s);
    if (col < 0) {
        table_unknown_col(c->s, t, f);
        return blank_ir(c, f.span);
    }
    if (sc->ctx == CTX_ROW && (int32_t)table == sc->table)
        return column_ir(c, sc->table, col, span);
    if (t->kind == TABLE_FACTS) {
        Diag *g = diag_at(c->s->diags, K_NOT_A_VALUE, base.span,
                          "'%s' is a fact table: it has many rows per employee", t->name);
        diag_note(g, "help", "aggregate it: sum(%s from %s), count(%s), ...", f.s, t->name, t->name);
        return blank_ir(c, f.span);
    }
    if (sc->ctx == CTX_ROW || sc->const_only) {
        Diag *g = diag_at(c->s->diags, K_NOT_PER_ROW, base.span, "'%s.%s' differs from employee to employee",
                          t->name, f.s);
        diag_note(g, "help", sc->const_only ? "a param must be a constant"
                                            : "a row expression can use only the table's columns and constants");
        return blank_ir(c, f.span);
    }
    Ir *set = override_input(c, t->kind == TABLE_KIND_ROSTER ? TG_ROSTER : TG_PLAN, table, (uint32_t)col);
    if (set)
        return set;
    t->cols[col].used = 1;
    c->table_used[table] = true;
    TypeKind ty = col_value_type((ColType)t->cols[col].type);
    if (t->kind == TABLE_ROSTER) {
        Ir *n = ir_new(c->s, IR_ROSTER, ty, CTX_EMP, span);
        n->u.index = (uint32_t)col;
        return n;
    }
    if (t->key_role == ROLE_DEPARTMENT && c->s->roster >= 0) {
        TableSpec *r = &c->s->tables[c->s->roster];
        if (r->dept_col < 0)
            diag_note(diag_at(c->s->diags, K_TABLE_SHAPE, base.span,
                              "'%s' is keyed by department, but the roster has no department column",
                              t->name),
                      "help", "mark it in the roster: department dept: text");
        else
            r->cols[r->dept_col].used = 1;
    }
    Ir *n = ir_new(c->s, IR_PLAN, ty, CTX_EMP, span);
    n->u.plan.table = (uint16_t)table;
    n->u.plan.col = (uint16_t)col;
    return n;
}

static Ir *resolve_field_ref(SemaCtx *c, const Scope *sc, const Expr *e)
{
    Name base = e->u.field.base, f = e->u.field.field;
    uint32_t span = sema_span(c->s, e->span);
    const Sym *sym = sym_find(c, base.s);
    if (!sym) {
        unknown_name(c, sc, base);
        return blank_ir(c, e->span);
    }
    switch ((SymKind)sym->kind) {
    case SYM_TABLE: return table_field(c, sc, sym->index, base, f, span);
    case SYM_INDICATOR: return indicator_field(c, sc, sym->index, f, span);
    case SYM_TEAM: return team_field(c, sc, sym->index, f, span);
    default: break;
    }
    diag_at(c->s->diags, K_NOT_A_VALUE, base.span, "'%s' has no fields", base.s);
    return blank_ir(c, e->span);
}

/* ---- operators ------------------------------------------------------------------ */
static bool check_cmp(SemaCtx *c, Op op, Ir *a, Ir *b, Span sp)
{
    TypeKind ta = (TypeKind)a->type, tb = (TypeKind)b->type;
    if (ta != T_ANY && tb != T_ANY && ta != tb) {
        diag_at(c->s->diags, K_TYPE, sp, "cannot compare a %s with a %s", type_name(ta),
                type_name(tb));
        return false;
    }
    TypeKind t = ta != T_ANY ? ta : tb;
    if ((t == T_TEXT || t == T_BOOL) && op != OP_EQ && op != OP_NE) {
        diag_at(c->s->diags, K_TYPE, sp, "a %s can only be compared with = or !=", type_name(t));
        return false;
    }
    return true;
}

static Ir *resolve_binary(SemaCtx *c, const Scope *sc, const Expr *e)
{
    Op op = e->u.op.op;
    Ir *a = resolve_expr(c, sc, e->u.op.a);
    Ir *b = resolve_expr(c, sc, e->u.op.b);
    uint32_t span = sema_span(c->s, e->span);
    switch (op) {
    case OP_ADD: case OP_SUB: case OP_MUL: case OP_DIV:
        check_type(c, a, T_NUM, e->u.op.a->span, "an operand of arithmetic");
        check_type(c, b, T_NUM, e->u.op.b->span, "an operand of arithmetic");
        if (op == OP_DIV && sc->ctx == CTX_ROW && (a->kind != IR_CONST || b->kind != IR_CONST)) {
            Diag *g = err(c, K_NOT_PER_ROW, e->span, "division inside a row expression");
            diag_note(g, "help", "divide the aggregates instead: sum(a from t) / sum(b from t)");
            return blank_ir(c, e->span);
        }
        break;
    case OP_AND: case OP_OR:
        check_type(c, a, T_BOOL, e->u.op.a->span, "an operand of and/or");
        check_type(c, b, T_BOOL, e->u.op.b->span, "an operand of and/or");
        break;
    case OP_DEFAULT:
        if (a->type != T_ANY && b->type != T_ANY && a->type != b->type)
            diag_at(c->s->diags, K_TYPE, e->u.op.b->span, "the default is a %s, the value a %s",
                    type_name((TypeKind)b->type), type_name((TypeKind)a->type));
        break;
    default:
        check_cmp(c, op, a, b, e->span);
        break;
    }
    return ir_binary(c->s, op, a, b, span);
}

static Ir *resolve_chain(SemaCtx *c, const Scope *sc, const Expr *e)
{
    uint32_t span = sema_span(c->s, e->span);
    Ir *prev = resolve_expr(c, sc, e->u.chain.terms[0]);
    Ir *all = NULL;
    for (uint32_t i = 1; i < e->u.chain.n; i++) {
        Ir *next = resolve_expr(c, sc, e->u.chain.terms[i]);
        Op op = e->u.chain.ops[i - 1];
        check_cmp(c, op, prev, next, e->span);
        Ir *cmp = ir_binary(c->s, op, prev, next, span);
        all = all ? ir_binary(c->s, OP_AND, all, cmp, span) : cmp;
        prev = next;
    }
    return all;
}

static Ir *resolve_if(SemaCtx *c, const Scope *sc, const Expr *e)
{
    Ir *cond = resolve_typed(c, sc, e->u.cond.cond, T_BOOL, "the condition of if");
    Ir *t = resolve_expr(c, sc, e->u.cond.then);
    Ir *f = resolve_expr(c, sc, e->u.cond.els);
    if (t->type != T_ANY && f->type != T_ANY && t->type != f->type)
        diag_at(c->s->diags, K_TYPE, e->span, "the branches of if give a %s and a %s",
                type_name((TypeKind)t->type), type_name((TypeKind)f->type));
    return ir_if(c->s, cond, t, f, sema_span(c->s, e->span));
}

static Ir *resolve_bands(SemaCtx *c, const Scope *sc, const Expr *e)
{
    uint32_t n = e->u.bands.n;
    if (sc->ctx == CTX_ROW) {
        err(c, K_NOT_PER_ROW, e->span, "bands cannot be used inside a row expression");
        return blank_ir(c, e->span);
    }
    if (n == 0) {
        diag_note(diag_at(c->s->diags, K_SYNTAX, e->span, "bands has no rows"), "help",
                  "write a row a line: CONDITION -> VALUE, and last else -> VALUE");
        return blank_ir(c, e->span);
    }
    if (n > KPI_MAX_BANDS) {
        diag_at(c->s->diags, K_LIMIT, e->span, "more than %u bands", KPI_MAX_BANDS);
        return blank_ir(c, e->span);
    }
    Ir **conds = arena_alloc(c->s->arena, sizeof(Ir *) * n);
    Ir **vals = arena_alloc(c->s->arena, sizeof(Ir *) * n);
    uint32_t *spans = arena_alloc(c->s->arena, sizeof(uint32_t) * n);
    TypeKind ty = T_ANY;
    for (uint32_t i = 0; i < n; i++) {
        const BandRow *r = &e->u.bands.rows[i];
        if (!r->cond && i + 1 < n)
            err(c, K_TYPE, r->span, "the else row must be the last one");
        conds[i] = r->cond ? resolve_typed(c, sc, r->cond, T_BOOL, "a band's condition") : NULL;
        vals[i] = resolve_expr(c, sc, r->value);
        spans[i] = sema_span(c->s, r->span);
        if (ty == T_ANY)
            ty = (TypeKind)vals[i]->type;
        else if (vals[i]->type != T_ANY && vals[i]->type != ty)
            diag_at(c->s->diags, K_TYPE, r->value->span, "this band gives a %s, the others a %s",
                    type_name((TypeKind)vals[i]->type), type_name(ty));
    }
    return ir_bands(c->s, n, conds, vals, spans, sema_span(c->s, e->span));
}

/* ---- aggregates ------------------------------------------------------------------ */
static void ir_key(Buf *b, const Ir *n)
{
    char num[96];
    switch ((IrKind)n->kind) {
    case IR_CONST:
        if (n->u.value.kind == V_NUM) {
            rat_format_fraction(num, sizeof num, n->u.value.q);
            buf_printf(b, "k%s", num);
        } else {
            buf_printf(b, "k%u:%u", n->u.value.kind, n->u.value.aux);
        }
        break;
    case IR_COL: buf_printf(b, "c%u", n->u.index); break;
    case IR_UNARY:
    case IR_BINARY:
        buf_printf(b, "(%u ", n->u.op.op);
        ir_key(b, n->u.op.a);
        if (n->u.op.b) {
            buf_addc(b, ' ');
            ir_key(b, n->u.op.b);
        }
        buf_addc(b, ')');
        break;
    case IR_IF:
        buf_adds(b, "(if ");
        ir_key(b, n->u.cond.cond);
        buf_addc(b, ' ');
        ir_key(b, n->u.cond.then);
        buf_addc(b, ' ');
        ir_key(b, n->u.cond.els);
        buf_addc(b, ')');
        break;
    case IR_BUILTIN:
        buf_printf(b, "(f%u", n->u.call.fn);
        for (uint32_t i = 0; i < n->u.call.nargs; i++) {
            buf_addc(b, ' ');
            ir_key(b, n->u.call.args[i]);
        }
        buf_addc(b, ')');
        break;
    default: buf_printf(b, "?%p", (const void *)n); break;
    }
}

/* The slot of key in the aggregates' hash: the equal one's, or an empty one. */
static size_t agg_slot(const SemaCtx *c, const char *key)
{
    size_t h = sema_hash(key) & (c->agghashcap - 1);
    while (c->agghash[h] && strcmp(c->s->aggs[c->agghash[h] - 1].key, key) != 0)
        h = (h + 1) & (c->agghashcap - 1);
    return h;
}

/* Kept at most half full, so a probe ends soon. */
static void agg_rehash(SemaCtx *c)
{
    if (2 * (c->s->naggs + 1) <= c->agghashcap)
        return;
    c->agghashcap = c->agghashcap ? c->agghashcap * 2 : 64;
    c->agghash = arena_alloc(c->s->arena, sizeof(uint32_t) * c->agghashcap);
    for (size_t i = 0; i < c->s->naggs; i++)
        c->agghash[agg_slot(c, c->s->aggs[i].key)] = (uint32_t)i + 1;
}

static uint32_t add_agg(SemaCtx *c, AggDef *a)
{
    Buf key = BUF_INIT;
    buf_printf(&key, "%u/%u/", a->kind, a->table);
    for (uint32_t i = 0; i < a->nargs; i++) {
        ir_key(&key, a->args[i]);
        buf_addc(&key, ',');
    }
    buf_adds(&key, "/");
    if (a->where)
        ir_key(&key, a->where);
    agg_rehash(c);
    size_t slot = agg_slot(c, buf_cstr(&key));
    if (c->agghash[slot]) {
        buf_free(&key);
        return c->agghash[slot] - 1;
    }
    a->key = arena_strndup(c->s->arena, buf_cstr(&key), key.len);
    buf_free(&key);
    if (c->s->naggs >= KPI_MAX_AGGREGATES) {
        diag_at(c->s->diags, K_LIMIT, sema_span_of(c->s, a->span), "more than %u different aggregates",
                KPI_MAX_AGGREGATES);
        return 0;
    }
    VEC_PUSH(c->s->aggs, c->s->naggs, c->s->capaggs, *a);
    c->agghash[slot] = (uint32_t)c->s->naggs;
    return (uint32_t)(c->s->naggs - 1);
}

/* sum(q1..q18 from calls): the numbered columns q1, q2, ..., q18. */
static uint32_t expand_range_arg(SemaCtx *c, const Scope *rs, const Expr *r, Ir **out, uint32_t cap)
{
    const TableSpec *t = &c->s->tables[rs->table];
    Name *names;
    uint32_t n;
    char err[200];
    if (!ast_expand_range(c->s->arena, r->u.field.base, r->u.field.field, &names, &n, err, sizeof err)) {
        diag_at(c->s->diags, K_BAD_RANGE, r->span, "%s", err);
        return 0;
    }
    uint32_t k = 0;
    for (uint32_t i = 0; i < n && k < cap; i++) {
        int32_t col = table_find_col(t, names[i].s);
        if (col < 0) {
            table_unknown_col(c->s, t, names[i]);
            return k;
        }
        out[k++] = column_ir(c, rs->table, col, sema_span(c->s, r->span));
    }
    return k;
}

static bool agg_arg_type_ok(SemaCtx *c, AggKind k, const Ir *a, Span sp)
{
    if (k == AGG_SUM || k == AGG_AVG)
        return check_type(c, a, T_NUM, sp, "what is summed or averaged");
    if ((k == AGG_MIN || k == AGG_MAX) && a->type != T_NUM && a->type != T_DATE && a->type != T_ANY) {
        diag_at(c->s->diags, K_TYPE, sp, "min and max need numbers or dates");
        return false;
    }
    return true;
}

static Ir *resolve_agg(SemaCtx *c, const Scope *sc, const Expr *e, AggKind kind, int32_t table,
                       bool rows)
{
    Sema *s = c->s;
    if (sc->ctx == CTX_ROW || sc->const_only) {
        err(c, K_BAD_AGGREGATE, e->span, sc->ctx == CTX_ROW ? "an aggregate cannot be inside another aggregate"
                                           : "a param must be a constant");
        return blank_ir(c, e->span);
    }
    Scope rs = *sc;
    rs.ctx = CTX_ROW;
    rs.table = table;
    rs.indicator = -1;
    AggDef a;
    memset(&a, 0, sizeof a);
    a.kind = rows ? AGG_COUNT_ROWS : e->u.call.distinct ? AGG_COUNT_DISTINCT : kind;
    a.table = (uint16_t)table;
    a.span = sema_span(s, e->span);
    uint32_t cap = rows ? 0 : e->u.call.nargs * 1000 + 1;
    a.args = arena_alloc(s->arena, sizeof(Ir *) * (cap ? cap : 1));
    for (uint32_t i = 0; !rows && i < e->u.call.nargs; i++) {
        const Expr *arg = e->u.call.args[i].value;
        if (e->u.call.args[i].name.s)
            err(c, K_BAD_AGGREGATE, e->u.call.args[i].name.span, "an aggregate takes no named arguments");
        if (arg->kind == E_RANGE) {
            a.nargs += expand_range_arg(c, &rs, arg, a.args + a.nargs, cap - a.nargs);
            continue;
        }
        Ir *ir = resolve_expr(c, &rs, arg);
        agg_arg_type_ok(c, a.kind, ir, arg->span);
        if (a.nargs && ir->type != T_ANY && a.args[0]->type != T_ANY && ir->type != a.args[0]->type)
            diag_at(c->s->diags, K_BAD_AGGREGATE, arg->span, "this argument is a %s, the first one a %s",
                    type_name((TypeKind)ir->type), type_name((TypeKind)a.args[0]->type));
        a.args[a.nargs++] = ir;
    }
    if (a.kind == AGG_COUNT_DISTINCT && a.nargs != 1)
        err(c, K_BAD_AGGREGATE, e->span, "count(distinct ...) counts the different values of one expression");
    if (e->u.call.where)
        a.where = resolve_typed(c, &rs, e->u.call.where, T_BOOL, "the where condition");
    TypeKind ty = T_NUM;
    if ((a.kind == AGG_MIN || a.kind == AGG_MAX) && a.nargs && a.args[0]->type == T_DATE)
        ty = T_DATE;
    Ir *n = ir_new(s, IR_AGG, ty, CTX_EMP, a.span);
    n->u.index = add_agg(c, &a);
    c->table_used[table] = true;
    return n;
}

/* count(deals) / count(deals where ...): rows of a table. */
static int32_t counted_table(SemaCtx *c, const Expr *e)
{
    if (strcmp(e->u.call.fn.s, "count") != 0 || e->u.call.from.s || e->u.call.nargs != 1 ||
        e->u.call.args[0].value->kind != E_NAME)
        return -1;
    const Sym *sym = sym_find(c, e->u.call.args[0].value->u.name.s);
    if (!sym || sym->kind != SYM_TABLE || c->s->tables[sym->index].kind != TABLE_FACTS)
        return -1;
    return (int32_t)sym->index;
}

static Ir *resolve_aggregate_call(SemaCtx *c, const Scope *sc, const Expr *e, AggKind kind)
{
    int32_t rows_of = counted_table(c, e);
    if (rows_of >= 0)
        return resolve_agg(c, sc, e, AGG_COUNT_ROWS, rows_of, true);
    Name from = e->u.call.from;
    const Sym *sym = sym_find(c, from.s);
    if (!sym || sym->kind != SYM_TABLE || c->s->tables[sym->index].kind != TABLE_FACTS) {
        Diag *g = diag_at(c->s->diags, K_NOT_A_VALUE, from.span, "'%s' is not a fact table", from.s);
        Suggest sg;
        suggest_init(&sg, from.s);
        for (uint32_t i = 0; i < c->s->ntables; i++)
            if (c->s->tables[i].kind == TABLE_FACTS)
                suggest_offer(&sg, c->s->tables[i].name);
        if (sg.best)
            diag_note(g, "help", "did you mean '%s'?", sg.best);
        return blank_ir(c, e->span);
    }
    if (e->u.call.nargs == 0) {
        err(c, K_BAD_AGGREGATE, e->span, "say what to aggregate, e.g. sum(amount from deals)");
        return blank_ir(c, e->span);
    }
    return resolve_agg(c, sc, e, kind, (int32_t)sym->index, false);
}

/* ---- builtins ---------------------------------------------------------------------- */
static bool arity(SemaCtx *c, const Expr *e, uint32_t lo, uint32_t hi)
{
    uint32_t n = e->u.call.nargs;
    if (e->u.call.from.s || e->u.call.where || e->u.call.distinct) {
        diag_at(c->s->diags, K_BAD_CALL, e->span, "%s takes no 'from', 'where' or 'distinct'",
                e->u.call.fn.s);
        return false;
    }
    for (uint32_t i = 0; i < n; i++)
        if (e->u.call.args[i].name.s) {
            diag_at(c->s->diags, K_BAD_CALL, e->u.call.args[i].name.span,
                    "%s takes no named arguments", e->u.call.fn.s);
            return false;
        }
    if (n >= lo && n <= hi)
        return true;
    if (lo == hi)
        diag_at(c->s->diags, K_BAD_CALL, e->span, "%s takes %u argument%s, not %u", e->u.call.fn.s,
                lo, lo == 1 ? "" : "s", n);
    else
        diag_at(c->s->diags, K_BAD_CALL, e->span, "%s takes %u to %u arguments, not %u",
                e->u.call.fn.s, lo, hi, n);
    return false;
}

static Ir **resolve_args(SemaCtx *c, const Scope *sc, const Expr *e, uint32_t n, TypeKind want)
{
    Ir **args = arena_alloc(c->s->arena, sizeof(Ir *) * (n ? n : 1));
    for (uint32_t i = 0; i < n; i++)
        args[i] = want == T_ANY ? resolve_expr(c, sc, e->u.call.args[i].value)
                                : resolve_typed(c, sc, e->u.call.args[i].value, want, "an argument");
    return args;
}

static bool round_mode(SemaCtx *c, const Expr *arg, uint8_t *mode)
{
    static const char *const modes[] = {"half_away_from_zero", "half_even", "half_up", "down",
                                        "up", "floor", "ceiling"};
    if (arg->kind == E_NAME)
        for (uint8_t i = 0; i < 7; i++)
            if (strcmp(arg->u.name.s, modes[i]) == 0) {
                *mode = i;
                return true;
            }
    Diag *g = err(c, K_BAD_CALL, arg->span, "unknown rounding mode");
    diag_note(g, "help", "half_away_from_zero, half_even, half_up, down, up, floor or ceiling");
    return false;
}

static Ir *resolve_round(SemaCtx *c, const Scope *sc, const Expr *e, int fixed_mode)
{
    uint32_t span = sema_span(c->s, e->span);
    uint32_t max = fixed_mode < 0 ? 3 : 2;
    if (!arity(c, e, 1, max))
        return blank_ir(c, e->span);
    uint32_t n = e->u.call.nargs;
    Ir **args = arena_alloc(c->s->arena, sizeof(Ir *) * 2);
    args[0] = resolve_typed(c, sc, e->u.call.args[0].value, T_NUM, "what is rounded");
    args[1] = n >= 2 ? resolve_typed(c, sc, e->u.call.args[1].value, T_NUM, "the rounding step")
                     : ir_const(c->s, val_num(rat_int(1)), span);
    uint8_t mode = fixed_mode >= 0 ? (uint8_t)fixed_mode : (uint8_t)c->s->rounding;
    if (n == 3)
        round_mode(c, e->u.call.args[2].value, &mode);
    if (args[1]->kind == IR_CONST && args[1]->u.value.kind == V_NUM && rat_sign(args[1]->u.value.q) <= 0) {
        err(c, K_BAD_CALL, e->u.call.args[1].value->span, "the rounding step must be positive");
        return blank_ir(c, e->span);
    }
    return ir_builtin(c->s, BI_ROUND, mode, 2, args, span);
}

static Ir *resolve_weighted(SemaCtx *c, const Scope *sc, const Expr *e)
{
    uint32_t n = e->u.call.nargs;
    uint32_t *inds = arena_alloc(c->s->arena, sizeof(uint32_t) * (n ? n : 1));
    for (uint32_t i = 0; i < n; i++) {
        const Expr *a = e->u.call.args[i].value;
        const Sym *sym = a->kind == E_NAME ? sym_find(c, a->u.name.s) : NULL;
        if (!sym || sym->kind != SYM_INDICATOR) {
            err(c, K_BAD_CALL, a->span, "weighted_sum takes indicator names");
            return blank_ir(c, e->span);
        }
        inds[i] = sym->index;
    }
    return weighted_sum(c, sc, n ? inds : NULL, n, sema_span(c->s, e->span));
}

static Ir *sum_balanced(SemaCtx *c, Ir **terms, uint32_t n, uint32_t span)
{
    if (n == 1)
        return terms[0];
    uint32_t h = n / 2;
    return ir_binary(c->s, OP_ADD, sum_balanced(c, terms, h, span), sum_balanced(c, terms + h, n - h, span),
                     span);
}

/* Σ weight × score over the employee's indicators (of its role). */
Ir *weighted_sum(SemaCtx *c, const Scope *sc, const uint32_t *inds, uint32_t n, uint32_t span)
{
    uint32_t count = inds ? n : (uint32_t)c->ninds;
    Composition comp = {inds, count, span};
    VEC_PUSH(c->comps, c->ncomps, c->capcomps, comp);
    for (uint32_t i = 0; i < count; i++) {
        c->inds[inds ? inds[i] : i].used = true;
        c->inds[inds ? inds[i] : i].summed = true;
    }
    if (count == 0)
        return ir_const(c->s, val_num(rat_int(0)), span);
    Ir **terms = arena_alloc(c->s->arena, sizeof(Ir *) * count);
    for (uint32_t i = 0; i < count; i++) {
        Indicator *ind = &c->inds[inds ? inds[i] : i];
        const RoleEntry *unweighted = NULL; /* a role listing it without a weight */
        bool listed = !c->roles;
        for (uint32_t r = 0; c->roles && r < c->roles->u.roles.n; r++) {
            const RoleEntry *re = &c->roles->u.roles.entries[r];
            for (uint32_t k = 0; k < re->n; k++)
                if (strcmp(re->items[k].indicator.s, ind->decl->name.s) == 0) {
                    listed = true;
                    if (!re->items[k].weight && !unweighted)
                        unweighted = re;
                }
        }
        if (!ind->exprs[F_WEIGHT] && listed && (!c->roles || unweighted) && !ind->weight_reported) {
            ind->weight_reported = true;
            Diag *g = diag_at(c->s->diags, K_NO_WEIGHT, ind->decl->name.span,
                              "indicator '%s' has no weight", ind->decl->name.s);
            if (unweighted)
                diag_note(g, "help", "give it a weight in the role %s%s%s, or weight = ... in the indicator",
                          unweighted->key ? "\"" : "", unweighted->key ? unweighted->key : "else",
                          unweighted->key ? "\"" : "");
            else
                diag_note(g, "help", "weighted_sum adds weight × score; give it weight = 30%%, or leave it "
                                     "out of the sum");
        }
        Ir *active = def_ref(c, sc, ind->defs[F_ACTIVE], span);
        Ir *wx = def_ref(c, sc, ind->defs[F_CONTRIB], span);
        terms[i] = ir_if(c->s, active, wx, ir_const(c->s, val_num(rat_int(0)), span), span);
        terms[i]->quiet = 1;
    }
    return sum_balanced(c, terms, count, span);
}

static Ir *resolve_builtin(SemaCtx *c, const Scope *sc, const Expr *e)
{
    const char *fn = e->u.call.fn.s;
    uint32_t span = sema_span(c->s, e->span);
    uint32_t n = e->u.call.nargs;
    if (!strcmp(fn, "min") || !strcmp(fn, "max")) {
        if (!arity(c, e, 1, 1000))
            return blank_ir(c, e->span);
        Ir **args = resolve_args(c, sc, e, n, T_ANY);
        TypeKind first = T_ANY;
        for (uint32_t i = 0; i < n; i++) {
            TypeKind t = (TypeKind)args[i]->type;
            if (t != T_NUM && t != T_DATE && t != T_ANY)
                err(c, K_TYPE, e->u.call.args[i].value->span, "min and max need numbers or dates");
            else if (first != T_ANY && t != T_ANY && t != first)
                diag_at(c->s->diags, K_BAD_AGGREGATE, e->u.call.args[i].value->span,
                        "this argument is a %s, the first one a %s", type_name(t), type_name(first));
            else if (first == T_ANY)
                first = t;
        }
        return ir_builtin(c->s, fn[1] == 'i' ? BI_MIN : BI_MAX, 0, n, args, span);
    }
    if (!strcmp(fn, "clamp")) {
        if (!arity(c, e, 3, 3))
            return blank_ir(c, e->span);
        Ir **args = resolve_args(c, sc, e, 3, T_NUM);
        Ir **lo = arena_alloc(c->s->arena, sizeof(Ir *) * 2);
        Ir **hi = arena_alloc(c->s->arena, sizeof(Ir *) * 2);
        lo[0] = args[0];
        lo[1] = args[1];
        hi[0] = ir_builtin(c->s, BI_MAX, 0, 2, lo, span);
        hi[1] = args[2];
        return ir_builtin(c->s, BI_MIN, 0, 2, hi, span);
    }
    if (!strcmp(fn, "abs") || !strcmp(fn, "is_blank")) {
        if (!arity(c, e, 1, 1))
            return blank_ir(c, e->span);
        Ir **args = resolve_args(c, sc, e, 1, fn[0] == 'a' ? T_NUM : T_ANY);
        return ir_builtin(c->s, fn[0] == 'a' ? BI_ABS : BI_ISBLANK, 0, 1, args, span);
    }
    if (!strcmp(fn, "round"))
        return resolve_round(c, sc, e, -1);
    if (!strcmp(fn, "floor"))
        return resolve_round(c, sc, e, ROUND_FLOOR);
    if (!strcmp(fn, "ceil"))
        return resolve_round(c, sc, e, ROUND_CEILING);
    if (!strcmp(fn, "weighted_sum"))
        return resolve_weighted(c, sc, e);
    /* sum, count, avg without from */
    Diag *g = diag_at(c->s->diags, K_BAD_AGGREGATE, e->span, "%s needs the table it aggregates", fn);
    diag_note(g, "help", "write %s(COLUMN from TABLE)", fn);
    return blank_ir(c, e->span);
}

/* ---- scales: inlined with their parameters bound ------------------------------------ */
static bool bind_args(SemaCtx *c, const Scope *sc, const Decl *d, const Expr *e, Binding *binds)
{
    uint32_t np = d->u.scale.nparams;
    const Expr **given = arena_alloc(c->s->arena, sizeof(Expr *) * (np ? np : 1));
    uint32_t pos = 0;
    bool ok = true;
    for (uint32_t i = 0; i < e->u.call.nargs; i++) {
        const Arg *a = &e->u.call.args[i];
        uint32_t slot = pos;
        if (a->name.s) {
            for (slot = 0; slot < np && strcmp(d->u.scale.params[slot].name.s, a->name.s) != 0; slot++)
                ;
            if (slot == np) {
                diag_at(c->s->diags, K_BAD_CALL, a->name.span, "scale '%s' has no parameter '%s'",
                        d->name.s, a->name.s);
                ok = false;
                continue;
            }
        } else if (pos++ >= np) {
            diag_at(c->s->diags, K_BAD_CALL, a->value->span, "scale '%s' takes %u argument%s",
                    d->name.s, np, np == 1 ? "" : "s");
            return false;
        }
        if (given[slot]) {
            diag_at(c->s->diags, K_DUPLICATE, a->value->span, "parameter '%s' is given twice",
                    d->u.scale.params[slot].name.s);
            ok = false;
        }
        given[slot] = a->value;
    }
    Scope global = {sc->ctx, sc->table, -1, sc->def, NULL, 0, sc->inline_depth + 1, sc->const_only, sc, NULL};
    for (uint32_t i = 0; i < np; i++) {
        const Param *p = &d->u.scale.params[i];
        binds[i].name = p->name.s;
        if (given[i])
            binds[i].ir = resolve_expr(c, sc, given[i]);
        else if (p->dflt)
            binds[i].ir = resolve_expr(c, &global, p->dflt);
        else {
            diag_at(c->s->diags, K_BAD_CALL, e->span, "scale '%s' needs the parameter '%s'",
                    d->name.s, p->name.s);
            binds[i].ir = blank_ir(c, e->span);
            ok = false;
        }
    }
    return ok;
}

/* Parameters named like the standard scales' are checked where the call
 * gives them constants: a cutoff above the cap, base/norm/target out of order. */
static const Ir *param_const(const Decl *d, const Binding *b, const char *name)
{
    for (uint32_t i = 0; i < d->u.scale.nparams; i++)
        if (strcmp(b[i].name, name) == 0 && b[i].ir->kind == IR_CONST && b[i].ir->u.value.kind == V_NUM)
            return b[i].ir;
    return NULL;
}

static void check_scale_params(SemaCtx *c, const Decl *d, const Binding *b, const Expr *call)
{
    static const char *const order[][2] = {{"cutoff", "cap"}, {"base", "norm"}, {"norm", "target"}};
    for (size_t i = 0; i < 3; i++) {
        const Ir *lo = param_const(d, b, order[i][0]), *hi = param_const(d, b, order[i][1]);
        if (!lo || !hi || rat_cmp(lo->u.value.q, hi->u.value.q) < (i == 0 ? 1 : 0))
            continue;
        Diag *g = diag_at(c->s->diags, K_CUTOFF_ABOVE_CAP, call->span, "%s %s the %s in this call of '%s'",
                          order[i][0], i == 0 ? "is above" : "is not below", order[i][1], d->name.s);
        diag_note(g, "help", i == 0 ? "below the cutoff the scale pays nothing and above the cap no more: "
                                      "the cutoff must not exceed the cap"
                                    : "the three points rise: base < norm < target");
    }
}

static Ir *inline_scale(SemaCtx *c, const Scope *sc, const Decl *d, const Expr *e)
{
    for (const Scope *s = sc; s; s = s->outer)
        if (s->scale == d) {
            Diag *g = diag_at(c->s->diags, K_BAD_CALL, e->span, "scale '%s' is called from itself",
                              d->name.s);
            diag_note(g, "note", "scales may call other scales, %u levels deep at most, never themselves",
                      KPI_MAX_INLINE_DEPTH);
            return blank_ir(c, e->span);
        }
    if (sc->inline_depth >= KPI_MAX_INLINE_DEPTH) {
        diag_at(c->s->diags, K_LIMIT, e->span, "scales call one another more than %u levels deep",
                KPI_MAX_INLINE_DEPTH);
        return blank_ir(c, e->span);
    }
    uint32_t np = d->u.scale.nparams;
    Binding *binds = arena_alloc(c->s->arena, sizeof(Binding) * (np ? np : 1));
    if (!bind_args(c, sc, d, e, binds))
        return blank_ir(c, e->span);
    check_scale_params(c, d, binds, e);
    Scope body = {sc->ctx, sc->table, -1, sc->def, binds, np, sc->inline_depth + 1, sc->const_only, sc, d};
    ((Sym *)sym_find(c, d->name.s))->used = true;
    return resolve_expr(c, &body, d->u.scale.body);
}

static Ir *resolve_call(SemaCtx *c, const Scope *sc, const Expr *e)
{
    const char *fn = e->u.call.fn.s;
    const Sym *sym = sym_find(c, fn);
    if (sym && sym->kind == SYM_SCALE)
        return inline_scale(c, sc, sym->decl, e);
    bool agg = !strcmp(fn, "sum") || !strcmp(fn, "count") || !strcmp(fn, "avg") ||
               !strcmp(fn, "min") || !strcmp(fn, "max");
    if (agg && (e->u.call.from.s || counted_table(c, e) >= 0 || e->u.call.distinct)) {
        AggKind k = !strcmp(fn, "sum") ? AGG_SUM : !strcmp(fn, "count") ? AGG_COUNT
                  : !strcmp(fn, "avg") ? AGG_AVG : !strcmp(fn, "min") ? AGG_MIN : AGG_MAX;
        if (e->u.call.distinct && k != AGG_COUNT) {
            err(c, K_BAD_AGGREGATE, e->span, "distinct goes with count: count(distinct client from deals)");
            return blank_ir(c, e->span);
        }
        if (!e->u.call.from.s && counted_table(c, e) < 0) {
            err(c, K_BAD_AGGREGATE, e->span, "count(distinct ...) needs the table: count(distinct x from t)");
            return blank_ir(c, e->span);
        }
        return resolve_aggregate_call(c, sc, e, k);
    }
    if (is_builtin_name(fn))
        return resolve_builtin(c, sc, e);
    Diag *g = diag_at(c->s->diags, K_UNKNOWN_FUNCTION, e->u.call.fn.span, "unknown function or scale '%s'", fn);
    Suggest sg;
    suggest_init(&sg, fn);
    for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
        suggest_offer(&sg, builtins[i]);
    sema_offer_globals(c, &sg);
    if (sg.best)
        diag_note(g, "help", "did you mean '%s'?", sg.best);
    else
        diag_note(g, "help", "is an 'import scales' missing?");
    return blank_ir(c, e->span);
}

/* ---- dispatch -------------------------------------------------------------------------- */
static Ir *resolve_node(SemaCtx *c, const Scope *sc, const Expr *e);

/* Resolution recurses through expressions, into the values they name and
 * the scales they call: one count bounds the C stack of it all, and the
 * depth of the IR that the later passes recurse over. */
Ir *resolve_expr(SemaCtx *c, const Scope *sc, const Expr *e)
{
    if (c->nesting >= KPI_MAX_NESTING) {
        if (!c->nesting_reported) {
            Diag *g = diag_at(c->s->diags, K_LIMIT, e->span,
                              "expressions, the values they use and the scales they call nest more than "
                              "%d levels deep",
                              KPI_MAX_NESTING);
            diag_note(g, "help", "declare values before the values that use them, or split the expression with let");
        }
        c->nesting_reported = true;
        return blank_ir(c, e->span);
    }
    c->nesting++;
    Ir *ir = resolve_node(c, sc, e);
    c->nesting--;
    return ir;
}

static Ir *resolve_node(SemaCtx *c, const Scope *sc, const Expr *e)
{
    Sema *s = c->s;
    uint32_t span = sema_span(s, e->span);
    if (s->nir > KPI_MAX_IR_NODES) {
        if (s->nir++ == KPI_MAX_IR_NODES + 1)
            diag_at(s->diags, K_LIMIT, e->span, "the scheme expands to more than %u operations",
                    KPI_MAX_IR_NODES);
        return blank_ir(c, e->span);
    }
    switch (e->kind) {
    case E_NUM: {
        Ir *n = ir_const(s, val_num(e->u.num.value), span);
        n->pct = e->u.num.percent;
        return n;
    }
    case E_STR: return ir_const(s, val_text(sema_intern(s, e->u.str.s, e->u.str.len)), span);
    case E_BOOL: return ir_const(s, val_bool(e->u.boolean), span);
    case E_BLANK: return ir_const(s, val_blank(), span);
    case E_NAME: return resolve_name(c, sc, e->u.name);
    case E_FIELD: return resolve_field_ref(c, sc, e);
    case E_UNARY: {
        Ir *a = resolve_expr(c, sc, e->u.op.a);
        check_type(c, a, e->u.op.op == OP_NOT ? T_BOOL : T_NUM, e->u.op.a->span,
                   e->u.op.op == OP_NOT ? "the operand of not" : "the operand of a sign");
        return ir_unary(s, e->u.op.op, a, span);
    }
    case E_BINARY: return resolve_binary(c, sc, e);
    case E_CHAIN: return resolve_chain(c, sc, e);
    case E_IF: return resolve_if(c, sc, e);
    case E_CALL: return resolve_call(c, sc, e);
    case E_BANDS: return resolve_bands(c, sc, e);
    case E_RANGE:
        err(c, K_BAD_AGGREGATE, e->span, "a range of columns is only allowed inside an aggregate: sum(q1..q18 from calls)");
        return blank_ir(c, e->span);
    }
    return blank_ir(c, e->span);
}
