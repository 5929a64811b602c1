/* sema.c - the semantic pass: declarations become symbols and Defs; each
 * Def is resolved on first use (resolve.c), which both checks it and orders
 * the Defs by dependency, so a cycle is found where it closes. */
#include "compiler/sema_int.h"
#include "compiler/suggest.h"
#include "compiler/units.h"
#include "base/compiler.h"

#include <string.h>

/* ---- symbols ---------------------------------------------------------------- */
KPI_WRAPS uint32_t sema_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static void sym_rehash(SemaCtx *c)
{
    size_t cap = c->hashcap ? c->hashcap * 2 : 256;
    c->symhash = arena_alloc(c->s->arena, sizeof(uint32_t) * cap);
    c->hashcap = cap;
    for (size_t i = 0; i < c->nsyms; i++) {
        size_t h = sema_hash(c->syms[i].name) & (cap - 1);
        while (c->symhash[h])
            h = (h + 1) & (cap - 1);
        c->symhash[h] = (uint32_t)i + 1;
    }
}

const Sym *sym_find(const SemaCtx *c, const char *name)
{
    if (!c->hashcap)
        return NULL;
    size_t h = sema_hash(name) & (c->hashcap - 1);
    while (c->symhash[h]) {
        const Sym *s = &c->syms[c->symhash[h] - 1];
        if (strcmp(s->name, name) == 0)
            return s;
        h = (h + 1) & (c->hashcap - 1);
    }
    return NULL;
}

static const char *sym_kind_name(SymKind k)
{
    static const char *const names[] = {"table", "param", "value", "indicator", "scale", "team"};
    return names[k];
}

static bool sym_add(SemaCtx *c, Name name, SymKind kind, uint32_t index, const Decl *decl)
{
    const Sym *old = sym_find(c, name.s);
    if (old) {
        Diag *g = diag_at(c->s->diags, K_DUPLICATE, name.span, "'%s' is already declared", name.s);
        const Source *src = sources_get(c->s->sources, old->decl->name.span.file);
        LineCol lc = source_linecol(src, old->decl->name.span.start);
        if (old->decl->name.span.file != name.span.file)
            diag_note(g, "note", "the %s '%s' is declared in %s, line %u", sym_kind_name((SymKind)old->kind),
                      name.s, src->name, lc.line);
        else
            diag_note(g, "note", "the %s '%s' is declared at line %u", sym_kind_name((SymKind)old->kind),
                      name.s, lc.line);
        return false;
    }
    if (is_builtin_name(name.s)) {
        diag_at(c->s->diags, K_DUPLICATE, name.span, "'%s' is the name of a built-in function",
                name.s);
        return false;
    }
    Sym s = {name.s, (uint8_t)kind, false, index, decl};
    VEC_PUSH(c->syms, c->nsyms, c->capsyms, s);
    if (c->nsyms * 2 > c->hashcap)
        sym_rehash(c);
    else {
        size_t h = sema_hash(name.s) & (c->hashcap - 1);
        while (c->symhash[h])
            h = (h + 1) & (c->hashcap - 1);
        c->symhash[h] = (uint32_t)c->nsyms;
    }
    return true;
}

void sema_offer_globals(const SemaCtx *c, void *suggest)
{
    for (size_t i = 0; i < c->nsyms; i++)
        suggest_offer(suggest, c->syms[i].name);
}

uint32_t sema_intern(Sema *s, const char *str, uint32_t len)
{
    for (size_t i = 0; i < s->nstrings; i++)
        if (s->string_len[i] == len && memcmp(s->strings[i], str, len) == 0)
            return (uint32_t)i;
    char *copy = arena_strndup(s->arena, str, len);
    size_t n = s->nstrings;
    VEC_PUSH(s->strings, s->nstrings, s->capstrings, copy);
    VEC_PUSH(s->string_len, n, s->capstrlen, len);
    return (uint32_t)(s->nstrings - 1);
}

/* ---- defs ---------------------------------------------------------------------- */
static uint32_t def_new(SemaCtx *c, DefKind kind, const char *name, Span span, const Expr *expr)
{
    Def d;
    memset(&d, 0, sizeof d);
    d.kind = (uint8_t)kind;
    d.reg = NO_REG;
    d.name = name;
    d.span = span;
    d.expr = expr;
    d.team_dep = -1;
    d.owner = -1;
    VEC_PUSH(c->s->defs, c->s->ndefs, c->s->capdefs, d);
    return (uint32_t)(c->s->ndefs - 1);
}

static const char *joined(SemaCtx *c, const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    char *p = arena_alloc(c->s->arena, la + lb + 2);
    memcpy(p, a, la);
    p[la] = '.';
    memcpy(p + la + 1, b, lb + 1);
    return p;
}

static void dep_add(SemaCtx *c, uint32_t from, uint32_t to)
{
    Def *d = &c->s->defs[from];
    for (uint32_t i = 0; i < d->ndeps; i++)
        if (d->deps[i] == to)
            return;
    if (d->ndeps == d->capdeps) {
        uint32_t cap = d->capdeps ? d->capdeps * 2 : 4;
        uint32_t *deps = arena_alloc(c->s->arena, sizeof(uint32_t) * cap);
        if (d->ndeps)
            memcpy(deps, d->deps, sizeof(uint32_t) * d->ndeps);
        d->deps = deps;
        d->capdeps = cap;
    }
    d->deps[d->ndeps++] = to;
}

Ir *def_ref(SemaCtx *c, const Scope *sc, uint32_t j, uint32_t span)
{
    resolve_def(c, j);
    Def *d = &c->s->defs[j];
    if (d->ir && d->ir->kind == IR_CONST) {
        d->nuses++;
        return d->ir;
    }
    if (sc->ctx == CTX_ROW || sc->const_only) {
        Diag *g = diag_at(c->s->diags, K_NOT_PER_ROW, sema_span_of(c->s, span),
                          "'%s' differs from employee to employee", d->name);
        diag_note(g, "help", sc->const_only ? "a param must be a constant"
                                            : "a row expression can use only the table's columns and constants");
        return ir_const(c->s, val_blank(), span);
    }
    if (sc->def != UINT32_MAX)
        dep_add(c, sc->def, j);
    c->s->defs[j].nuses++;
    Ir *n = ir_new(c->s, IR_DEF, (TypeKind)d->type, CTX_EMP, span);
    n->u.index = j;
    return n;
}

/* The indicator fields that are not written in the block get their
 * documented defaults here. */
static Ir *field_default(SemaCtx *c, const Scope *sc, Indicator *ind, IndField f, uint32_t span)
{
    Sema *s = c->s;
    switch (f) {
    case F_PLAN:
        return ir_const(s, val_blank(), span);
    case F_INDEX: {
        if (!ind->exprs[F_PLAN])
            return def_ref(c, sc, ind->defs[F_FACT], span);
        Ir *fact = def_ref(c, sc, ind->defs[F_FACT], span);
        Ir *plan = def_ref(c, sc, ind->defs[F_PLAN], span);
        return ind->lower_better ? ir_binary(s, OP_DIV, plan, fact, span)
                                 : ir_binary(s, OP_DIV, fact, plan, span);
    }
    case F_RAW:
        return def_ref(c, sc, ind->defs[F_INDEX], span);
    case F_GATE:
        return ir_const(s, val_bool(true), span);
    case F_SCORE: {
        Ir *raw = def_ref(c, sc, ind->defs[F_RAW], span);
        if (!ind->exprs[F_GATE])
            return raw;
        Ir *gate = def_ref(c, sc, ind->defs[F_GATE], span);
        Ir *n = ir_if(s, gate, raw, ir_const(s, val_num(rat_int(0)), span), span);
        n->quiet = 1; /* the condition is explained as its own step */
        return n;
    }
    case F_WEIGHT:
        return ir_const(s, val_blank(), span);
    case F_CONTRIB: /* its own register, so explanations show what the KPI added */
        return ir_binary(s, OP_MUL, def_ref(c, sc, ind->defs[F_WEIGHT], span),
                         def_ref(c, sc, ind->defs[F_SCORE], span), span);
    default: {
        Diag *g = diag_at(s->diags, K_INDICATOR_SHAPE, ind->decl->name.span, "indicator '%s' has no fact",
                          ind->decl->name.s);
        diag_note(g, "help", "say what is measured, e.g. fact = sum(amount from deals)");
        return ir_const(s, val_num(rat_int(0)), span);
    }
    }
}

static bool role_lists(const RoleEntry *e, const char *ind, const Expr **weight)
{
    for (uint32_t k = 0; k < e->n; k++)
        if (strcmp(e->items[k].indicator.s, ind) == 0) {
            *weight = e->items[k].weight;
            return true;
        }
    return false;
}

/* A role's line, key to last weight: what an explanation quotes. */
static Span role_entry_span(const RoleEntry *e)
{
    Span sp = e->span;
    for (uint32_t k = 0; k < e->n; k++) {
        Span last = e->items[k].weight ? e->items[k].weight->span : e->items[k].indicator.span;
        if (last.file == sp.file && last.end > sp.end)
            sp.end = last.end;
    }
    return sp;
}

/* active and weight of an indicator under `roles by ...`: one band per role. */
static Ir *role_bands(SemaCtx *c, const Scope *sc, Indicator *ind, IndField f, uint32_t span)
{
    Sema *s = c->s;
    const Decl *r = c->roles;
    uint32_t n = r->u.roles.n;
    bool has_else = false;
    Ir **conds = arena_alloc(s->arena, sizeof(Ir *) * (n + 1));
    Ir **vals = arena_alloc(s->arena, sizeof(Ir *) * (n + 1));
    uint32_t *spans = arena_alloc(s->arena, sizeof(uint32_t) * (n + 1));
    Scope global = *sc;
    global.indicator = -1;
    for (uint32_t i = 0; i < n; i++) {
        const RoleEntry *e = &r->u.roles.entries[i];
        uint32_t esp = sema_span(s, role_entry_span(e));
        spans[i] = esp;
        if (e->key) {
            /* a blank role matches no key (the employee falls to else); an
             * error in the role stays an error */
            Ir *raw = def_ref(c, sc, c->role_def, esp);
            Ir **arg = arena_alloc(s->arena, sizeof(Ir *));
            arg[0] = raw;
            Ir *role = ir_if(s, ir_builtin(s, BI_ISBLANK, 0, 1, arg, esp),
                             ir_const(s, val_text(sema_intern(s, "", 0)), esp), raw, esp);
            role->quiet = 1;
            Ir *key = ir_const(s, val_text(sema_intern(s, e->key, (uint32_t)strlen(e->key))), esp);
            conds[i] = ir_binary(s, OP_EQ, role, key, esp);
        } else {
            conds[i] = NULL;
            has_else = true;
        }
        const Expr *w = NULL;
        bool listed = role_lists(e, ind->decl->name.s, &w);
        if (f == F_ACTIVE)
            vals[i] = ir_const(s, val_bool(listed), esp);
        else if (listed && w)
            vals[i] = resolve_typed(c, &global, w, T_NUM, "a weight");
        else if (listed && ind->exprs[F_WEIGHT])
            vals[i] = resolve_typed(c, sc, ind->exprs[F_WEIGHT], T_NUM, "a weight");
        else
            vals[i] = ir_const(s, val_blank(), esp);
    }
    if (!has_else) {
        conds[n] = NULL;
        vals[n] = f == F_ACTIVE ? ir_fail(s, ERR_NO_ROLE, span) : ir_const(s, val_blank(), span);
        spans[n] = span;
        n++;
    }
    return ir_bands(s, n, conds, vals, spans, span);
}

static Ir *resolve_field(SemaCtx *c, const Scope *sc, Def *d)
{
    Sema *s = c->s;
    Indicator *ind = &c->inds[d->owner];
    IndField f = (IndField)d->field;
    uint32_t span = sema_span(s, d->span);
    Ir *ir;
    if (c->roles && (f == F_ACTIVE || f == F_WEIGHT))
        return role_bands(c, sc, ind, f, span);
    if (f == F_ACTIVE)
        return ir_const(s, val_bool(true), span);
    if (ind->exprs[f] && f != F_SCORE) {
        static const char *const what[] = {"", "a fact", "a plan", "an index", "a score", "a condition", "", "a weight"};
        TypeKind want = f == F_GATE ? T_BOOL : T_NUM;
        ir = resolve_typed(c, sc, ind->exprs[f], want, what[f]);
    } else {
        ir = field_default(c, sc, ind, f, span);
    }
    if (!c->roles)
        return ir;
    Ir *active = def_ref(c, sc, ind->defs[F_ACTIVE], span);
    Ir *n = ir_if(s, active, ir, ir_const(s, val_blank(), span), span);
    n->quiet = 1;
    return n;
}

static Ir *resolve_result(SemaCtx *c, const Scope *sc, Def *d, uint32_t which)
{
    Sema *s = c->s;
    uint32_t span = sema_span(s, d->expr ? d->expr->span : d->span);
    Ir *ir;
    if (d->expr)
        ir = resolve_typed(c, sc, d->expr, T_NUM, which == RESULT_PAYOUT ? "the payout" : "a result");
    else
        ir = weighted_sum(c, sc, NULL, 0, span); /* the default kpi */
    if (which != RESULT_PAYOUT)
        return ir;
    /* A payout is money: rounded to kopecks with the scheme's mode. */
    Ir **args = arena_alloc(s->arena, sizeof(Ir *) * 2);
    args[0] = ir;
    args[1] = ir_const(s, val_num((Rat){1, 100}), span);
    return ir_builtin(s, BI_ROUND, (uint8_t)s->rounding, 2, args, span);
}

/* What a value without source text computes, in the explanation's words. */
static const char *synthetic_text(const SemaCtx *c, const Def *d)
{
    if (d->kind == DEF_RESULT)
        return d->expr ? NULL : "the sum of the indicators' contributions (weight × score)";
    if (d->kind != DEF_FIELD)
        return NULL;
    const Indicator *ind = &c->inds[d->owner];
    bool by_role = c->roles && (d->field == F_ACTIVE || d->field == F_WEIGHT);
    if (ind->exprs[d->field] && d->field != F_SCORE && !by_role)
        return NULL;
    switch ((IndField)d->field) {
    case F_ACTIVE: return by_role ? "whether the employee's role has this indicator" : NULL;
    case F_INDEX:
        return !ind->exprs[F_PLAN] ? "fact (there is no plan)"
             : ind->lower_better ? "plan / fact (lower is better)" : "fact / plan";
    case F_RAW: return "index (no scale)";
    case F_SCORE:
        return ind->exprs[F_GATE] ? "the score if the condition holds, else 0" : "the score";
    case F_WEIGHT: return by_role ? "the weight the employee's role gives it" : NULL;
    case F_CONTRIB: return "weight × score";
    default: return NULL;
    }
}

static void def_stratum(SemaCtx *c, uint32_t i)
{
    Def *d = &c->s->defs[i];
    int32_t st = d->team_dep > 0 ? d->team_dep : 0;
    for (uint32_t k = 0; k < d->ndeps; k++)
        if (c->s->defs[d->deps[k]].stratum > st)
            st = c->s->defs[d->deps[k]].stratum;
    d->stratum = st;
    if (st + 1 > c->s->nstrata)
        c->s->nstrata = st + 1;
}

void resolve_def(SemaCtx *c, uint32_t i)
{
    Sema *s = c->s;
    Def *d = &s->defs[i];
    if (d->state == 2)
        return;
    if (d->state == 1) {
        static const char *const field_words[F__COUNT] = {
            "role", "fact", "plan", "index", "score", "'only if' condition", "score", "weight",
            "contribution"};
        Diag *g = d->kind == DEF_FIELD
            ? diag_at(s->diags, K_CYCLE, d->span, "the %s of indicator '%s' depends on itself",
                      field_words[d->field], c->inds[d->owner].decl->name.s)
            : diag_at(s->diags, K_CYCLE, d->span, "'%s' depends on itself", d->name);
        diag_note(g, "help", "a value cannot be computed from itself, directly or through others");
        d->ir = ir_const(s, val_blank(), sema_span(s, d->span));
        return;
    }
    if (c->chain >= KPI_MAX_DEF_CHAIN) {
        diag_at(s->diags, K_LIMIT, d->span, "values depend on each other more than %d levels deep",
                KPI_MAX_DEF_CHAIN);
        d->ir = ir_const(s, val_blank(), sema_span(s, d->span));
        d->state = 2;
        return;
    }
    d->state = 1;
    c->chain++;
    Scope sc = {CTX_EMP, -1, -1, i, NULL, 0, 0, false, NULL, NULL};
    Ir *ir;
    switch ((DefKind)d->kind) {
    case DEF_FIELD:
        sc.indicator = d->owner;
        ir = resolve_field(c, &sc, d);
        break;
    case DEF_RESULT:
        ir = resolve_result(c, &sc, d, (uint32_t)d->owner);
        break;
    case DEF_ROLE:
        ir = resolve_typed(c, &sc, d->expr, T_TEXT, "a role");
        break;
    case DEF_TEAM_WHERE:
        ir = resolve_typed(c, &sc, d->expr, T_BOOL, "a condition");
        break;
    default:
        sc.const_only = d->owner == -2; /* params */
        ir = resolve_expr(c, &sc, d->expr);
        break;
    }
    ir = override_def(c, i, ir);
    d = &s->defs[i];
    if (ir->kind == IR_CONST && ir->u.value.kind == V_ERROR && !c->const_error_reported) {
        /* later values built on this one carry the same error: report it once */
        c->const_error_reported = true;
        diag_at(s->diags, K_CONSTANT_ERROR, sema_span_of(s, ir->u.value.aux), "%s in a constant",
                error_kind_text((ErrorKind)ir->u.value.err));
    }
    d->ir = ir;
    d->type = ir->type;
    d->text = synthetic_text(c, d);
    d->state = 2;
    c->chain--;
    def_stratum(c, i);
    VEC_PUSH(s->order, s->norder, s->caporder, i);
}

static void check_team_arg(SemaCtx *c, const TeamFieldDef *t)
{
    const Def *d = &c->s->defs[t->arg_def];
    TypeKind ty = (TypeKind)d->type;
    bool ok = ty == T_ANY || t->kind == AGG_COUNT ||
              ((t->kind == AGG_SUM || t->kind == AGG_AVG) ? ty == T_NUM : ty == T_NUM || ty == T_DATE);
    if (!ok)
        diag_at(c->s->diags, K_TEAM_SHAPE, d->span, "%s of a team needs %s, but this is a %s",
                t->kind == AGG_SUM ? "sum" : t->kind == AGG_AVG ? "avg" : t->kind == AGG_MIN ? "min" : "max",
                t->kind == AGG_SUM || t->kind == AGG_AVG ? "numbers" : "numbers or dates", type_name(ty));
}

uint32_t team_field_stratum(SemaCtx *c, uint32_t k)
{
    TeamFieldDef *t = &c->s->team[k];
    if (t->stratum >= 0)
        return (uint32_t)t->stratum;
    resolve_def(c, t->arg_def);
    check_team_arg(c, &c->s->team[k]);
    int32_t st = c->s->defs[t->arg_def].stratum;
    if (t->where_def != UINT32_MAX) {
        resolve_def(c, t->where_def);
        if (c->s->defs[t->where_def].stratum > st)
            st = c->s->defs[t->where_def].stratum;
    }
    t = &c->s->team[k];
    t->stratum = st + 1;
    if (t->stratum + 1 > c->s->nstrata)
        c->s->nstrata = t->stratum + 1;
    return (uint32_t)t->stratum;
}

/* ---- declarations ------------------------------------------------------------- */
static void declare_indicator(SemaCtx *c, const Decl *d)
{
    /* the block's score is the score before the condition: F_RAW */
    static const char *const field_names[F__COUNT] = {
        NULL, "fact", "plan", "index", "score", NULL, NULL, "weight", NULL};
    Indicator ind;
    memset(&ind, 0, sizeof ind);
    ind.decl = d;
    for (uint32_t i = 0; i < d->u.ind.nfields; i++) {
        const Field *f = &d->u.ind.fields[i];
        int slot = -1;
        for (int k = 0; k < F__COUNT; k++)
            if (field_names[k] && strcmp(field_names[k], f->name.s) == 0)
                slot = k;
        if (strcmp(f->name.s, "better") == 0) {
            const Expr *v = f->value;
            if (v->kind == E_NAME && strcmp(v->u.name.s, "lower") == 0)
                ind.lower_better = true;
            else if (!(v->kind == E_NAME && strcmp(v->u.name.s, "higher") == 0))
                diag_note(diag_at(c->s->diags, K_INDICATOR_SHAPE, v->span, "better is 'higher' or 'lower'"),
                          "help", "better = lower for overdue receivables, response time...");
            continue;
        }
        if (slot < 0) {
            Diag *g = diag_at(c->s->diags, K_UNKNOWN_FIELD, f->name.span, "an indicator has no field '%s'",
                              f->name.s);
            Suggest sg;
            suggest_init(&sg, f->name.s);
            static const char *const all[] = {"fact", "plan", "index", "score", "weight", "better"};
            for (size_t k = 0; k < 6; k++)
                suggest_offer(&sg, all[k]);
            if (sg.best)
                diag_note(g, "help", "did you mean '%s'?", sg.best);
            else
                diag_note(g, "help", "fields: fact, plan, index, score, weight, better, and 'only if'");
            continue;
        }
        if (ind.exprs[slot])
            diag_at(c->s->diags, K_DUPLICATE, f->name.span, "field '%s' is given twice", f->name.s);
        ind.exprs[slot] = f->value;
    }
    ind.exprs[F_GATE] = d->u.ind.gate;
    static const char *const def_names[F__COUNT] = {
        "active", "fact", "plan", "index", "raw_score", "condition", "score", "weight", "contribution"};
    if (c->ninds >= KPI_MAX_INDICATORS) { /* before its defs, which would point past the list */
        diag_at(c->s->diags, K_LIMIT, d->name.span, "more than %u indicators", KPI_MAX_INDICATORS);
        return;
    }
    uint32_t idx = (uint32_t)c->ninds;
    for (int k = 0; k < F__COUNT; k++) {
        ind.defs[k] = def_new(c, DEF_FIELD, joined(c, d->name.s, def_names[k]), d->name.span,
                              ind.exprs[k]);
        c->s->defs[ind.defs[k]].owner = (int32_t)idx;
        c->s->defs[ind.defs[k]].field = (uint8_t)k;
        if (ind.exprs[k])
            c->s->defs[ind.defs[k]].span = ind.exprs[k]->span;
    }
    VEC_PUSH(c->inds, c->ninds, c->capinds, ind);
    sym_add(c, d->name, SYM_INDICATOR, idx, d);
}

static bool is_agg_name(const char *n)
{
    return !strcmp(n, "sum") || !strcmp(n, "count") || !strcmp(n, "avg") || !strcmp(n, "min") ||
           !strcmp(n, "max");
}

static AggKind agg_kind_of(const char *n)
{
    return !strcmp(n, "sum") ? AGG_SUM : !strcmp(n, "count") ? AGG_COUNT : !strcmp(n, "avg") ? AGG_AVG
         : !strcmp(n, "min") ? AGG_MIN : AGG_MAX;
}

static uint16_t team_group_col(SemaCtx *c, const Decl *d)
{
    Sema *s = c->s;
    if (s->roster < 0)
        return 0;
    const TableSpec *r = &s->tables[s->roster];
    const Expr *by = d->u.team.by;
    if (!by) {
        if (r->dept_col < 0)
            diag_note(diag_at(s->diags, K_TEAM_SHAPE, d->name.span,
                              "team '%s' needs a department column in the roster", d->name.s),
                      "help", "mark it in the roster (department dept: text) or write: team %s by %s.COLUMN",
                      d->name.s, r->name);
        return r->dept_col < 0 ? 0 : (uint16_t)r->dept_col;
    }
    if (by->kind != E_FIELD || strcmp(by->u.field.base.s, r->name) != 0) {
        diag_note(diag_at(s->diags, K_TEAM_SHAPE, by->span, "a team is grouped by a roster column"),
                  "help", "write: team %s by %s.COLUMN", d->name.s, r->name);
        return 0;
    }
    int32_t col = table_find_col(r, by->u.field.field.s);
    if (col < 0) {
        table_unknown_col(s, r, by->u.field.field);
        return 0;
    }
    r->cols[col].used = 1;
    return (uint16_t)col;
}

static void declare_team(SemaCtx *c, const Decl *d)
{
    Sema *s = c->s;
    Team t = {d, team_group_col(c, d), (uint32_t)s->nteam, 0};
    for (uint32_t i = 0; i < d->u.team.nfields; i++) {
        const Field *f = &d->u.team.fields[i];
        const Expr *e = f->value;
        if (e->kind != E_CALL || !is_agg_name(e->u.call.fn.s) || e->u.call.nargs != 1 ||
            e->u.call.from.s || e->u.call.distinct || e->u.call.args[0].name.s) {
            diag_note(diag_at(s->diags, K_TEAM_SHAPE, e->span,
                              "a team field aggregates one value over the members"),
                      "help", "write e.g. %s = sum(revenue.fact) or avg(x where cond)", f->name.s);
            continue;
        }
        for (uint32_t j = 0; j < i; j++)
            if (strcmp(d->u.team.fields[j].name.s, f->name.s) == 0)
                diag_at(s->diags, K_DUPLICATE, f->name.span, "team field '%s' is given twice", f->name.s);
        if (s->nteam >= KPI_MAX_TEAM_FIELDS) {
            diag_at(s->diags, K_LIMIT, f->span, "more than %u team fields", KPI_MAX_TEAM_FIELDS);
            break;
        }
        TeamFieldDef tf;
        memset(&tf, 0, sizeof tf);
        tf.name = joined(c, d->name.s, f->name.s);
        tf.kind = agg_kind_of(e->u.call.fn.s);
        tf.group_col = t.group_col;
        tf.stratum = -1;
        tf.span = sema_span(s, f->span);
        tf.arg_def = def_new(c, DEF_TEAM_ARG, tf.name, e->u.call.args[0].value->span,
                             e->u.call.args[0].value);
        tf.where_def = UINT32_MAX;
        if (e->u.call.where)
            tf.where_def = def_new(c, DEF_TEAM_WHERE, tf.name, e->u.call.where->span, e->u.call.where);
        VEC_PUSH(s->team, s->nteam, s->capteam, tf);
        t.nfields++;
    }
    VEC_PUSH(c->teams, c->nteams, c->capteams, t);
    sym_add(c, d->name, SYM_TEAM, (uint32_t)c->nteams - 1, d);
}

static bool setting_word(SemaCtx *c, const Decl *d, const char *const *words, int n, int *out)
{
    const Setting *st = &d->u.setting;
    for (int i = 0; i < n; i++)
        if (st->word.s && strcmp(st->word.s, words[i]) == 0) {
            *out = i;
            return true;
        }
    Buf list = BUF_INIT;
    for (int i = 0; i < n; i++)
        buf_printf(&list, "%s%s", i ? ", " : "", words[i]);
    Diag *g = diag_at(c->s->diags, K_UNKNOWN_SETTING, st->value_span, "'%s' is not a valid %s",
                      st->word.s ? st->word.s : st->str, st->key.s);
    diag_note(g, "help", "one of: %s", buf_cstr(&list));
    buf_free(&list);
    return false;
}

static void declare_setting(SemaCtx *c, const Decl *d)
{
    static const char *const periods[] = {"week", "month", "quarter", "year"};
    static const char *const modes[] = {"half_away_from_zero", "half_even", "half_up", "down",
                                        "up", "floor", "ceiling"};
    const Setting *st = &d->u.setting;
    int v;
    if (strcmp(st->key.s, "period") == 0) {
        if (setting_word(c, d, periods, 4, &v))
            c->s->period = (PeriodKind)v;
    } else if (strcmp(st->key.s, "rounding") == 0) {
        if (setting_word(c, d, modes, 7, &v))
            c->s->rounding = (RoundMode)v;
    } else if (strcmp(st->key.s, "allow") == 0) {
        const char *code = st->word.s ? st->word.s : st->str;
        const DiagInfo *info = diag_lookup(code);
        DiagId id = info ? (DiagId)(info - diag_info) : K__COUNT;
        if (!info)
            diag_note(diag_at(c->s->diags, K_UNKNOWN_SETTING, st->value_span, "unknown diagnostic code '%s'",
                              code),
                      "help", "kpic explain --all lists the codes");
        else if (!diag_allowable(id))
            diag_note(diag_at(c->s->diags, K_UNKNOWN_SETTING, st->value_span, "%s (%s) cannot be allowed",
                              info->code, info->title),
                      "help", "only warnings and the checks K07xx and K08xx can be switched off");
        else if (c->s->nallowed < K__COUNT)
            c->s->allowed[c->s->nallowed++] = id;
    } else if (strcmp(st->key.s, "currency") == 0 && st->str) {
        c->s->currency = st->str;
    } else if (strcmp(st->key.s, "currency") == 0) {
        diag_note(diag_at(c->s->diags, K_UNKNOWN_SETTING, st->value_span, "the currency is written in quotes"),
                  "help", "currency \"%s\"", st->word.s);
    } else {
        Diag *g = diag_at(c->s->diags, K_UNKNOWN_SETTING, st->key.span, "unknown setting '%s'", st->key.s);
        Suggest sg;
        suggest_init(&sg, st->key.s);
        suggest_offer(&sg, "period");
        suggest_offer(&sg, "rounding");
        suggest_offer(&sg, "currency");
        suggest_offer(&sg, "allow");
        if (sg.best)
            diag_note(g, "help", "did you mean '%s'?", sg.best);
        else
            diag_note(g, "help", "the scheme's settings are period, rounding, currency \"...\" and allow CODE");
    }
}

static void add_out(Sema *s, ValueOut o, uint32_t def)
{
    size_t n = s->nouts;
    VEC_PUSH(s->outs, s->nouts, s->capouts, o);
    VEC_PUSH(s->out_defs, n, s->capout_defs, def);
}

static void declare_value(SemaCtx *c, const Decl *d)
{
    bool param = d->kind == D_PARAM;
    uint32_t i = def_new(c, DEF_LET, d->name.s, d->name.span, d->u.value);
    if (param)
        c->s->defs[i].owner = -2;
    sym_add(c, d->name, param ? SYM_PARAM : SYM_LET, i, d);
    if (d->label && !param) { /* a labelled let is reported per employee */
        ValueOut o = {(char *)d->name.s, (char *)d->label, OUT_LET, NO_REG, sema_span(c->s, d->name.span)};
        add_out(c->s, o, i);
    }
}

static void declare_table(SemaCtx *c, const Decl *d)
{
    Sema *s = c->s;
    uint32_t i = s->ntables++;
    s->tables = kpi_realloc(s->tables, sizeof(TableSpec) * s->ntables);
    tables_declare(s, d, i);
    if (d->u.table.kind == TABLE_ROSTER) {
        if (s->roster >= 0)
            diag_at(s->diags, K_NO_ROSTER, d->name.span, "a scheme has one roster");
        else
            s->roster = (int32_t)i;
    }
    sym_add(c, d->name, SYM_TABLE, i, d);
}

static void declare_result(SemaCtx *c, const Decl *d)
{
    ResultKind w = d->u.result.which;
    if (c->results[w]) {
        diag_at(c->s->diags, K_DUPLICATE, d->span, "%s is given twice", result_name(w));
        return;
    }
    c->results[w] = d;
}

static void declare_roles(SemaCtx *c, const Decl *d)
{
    if (c->roles) {
        diag_at(c->s->diags, K_ROLES_SHAPE, d->span, "a scheme has one 'roles' block");
        return;
    }
    c->roles = d;
    c->role_def = def_new(c, DEF_ROLE, "role", d->u.roles.by->span, d->u.roles.by);
}

static void declare(SemaCtx *c, const Decl *d, bool module)
{
    if (module && d->kind != D_SCALE && d->kind != D_PARAM) {
        diag_at(c->s->diags, K_MODULE_SHAPE, d->span, "a library module declares only scales and params");
        return;
    }
    switch (d->kind) {
    case D_SCHEME: c->s->scheme_name = d->u.scheme_name; break;
    case D_SETTING: declare_setting(c, d); break;
    case D_IMPORT: break; /* loaded by the driver */
    case D_PARAM:
    case D_LET: declare_value(c, d); break;
    case D_TABLE: declare_table(c, d); break;
    case D_INDICATOR: declare_indicator(c, d); break;
    case D_SCALE: sym_add(c, d->name, SYM_SCALE, 0, d); break;
    case D_TEAM: break; /* after the roster is known */
    case D_ROLES: declare_roles(c, d); break;
    case D_RESULT: declare_result(c, d); break;
    case D_TEST: break; /* checked last (check_tests) */
    }
}

/* ---- roles check --------------------------------------------------------------- */
static void check_roles(SemaCtx *c)
{
    const Decl *r = c->roles;
    for (uint32_t i = 0; i < r->u.roles.n; i++) {
        const RoleEntry *e = &r->u.roles.entries[i];
        for (uint32_t j = 0; j < i; j++) {
            const char *k1 = r->u.roles.entries[j].key;
            if ((e->key && k1 && strcmp(e->key, k1) == 0) || (!e->key && !k1))
                diag_at(c->s->diags, K_DUPLICATE, e->span, "role %s%s%s is listed twice",
                        e->key ? "\"" : "", e->key ? e->key : "else", e->key ? "\"" : "");
        }
        for (uint32_t k = 0; k < e->n; k++) {
            const Sym *sym = sym_find(c, e->items[k].indicator.s);
            if (!sym || sym->kind != SYM_INDICATOR)
                diag_at(c->s->diags, K_ROLES_SHAPE, e->items[k].indicator.span,
                        "'%s' is not an indicator", e->items[k].indicator.s);
        }
    }
}

/* ---- outputs ------------------------------------------------------------------- */
static void add_result_defs(SemaCtx *c)
{
    Sema *s = c->s;
    bool any_weight = c->roles != NULL;
    for (size_t i = 0; i < c->ninds; i++)
        any_weight |= c->inds[i].exprs[F_WEIGHT] != NULL;
    static const OutKind kinds[] = {OUT_KPI, OUT_BONUS, OUT_PAYOUT};
    for (int w = 0; w < 3; w++) {
        const Decl *d = c->results[w];
        if (!d && !(w == RESULT_KPI && any_weight)) {
            c->result_defs[w] = UINT32_MAX;
            continue;
        }
        Span sp = d ? d->span : c->ninds ? c->inds[0].decl->name.span : (Span){0, 0, 0};
        uint32_t i = def_new(c, DEF_RESULT, result_name((ResultKind)w), sp, d ? d->u.result.value : NULL);
        s->defs[i].owner = w;
        c->result_defs[w] = i;
        ValueOut o = {(char *)result_name((ResultKind)w), NULL, (uint8_t)kinds[w], NO_REG, sema_span(s, sp)};
        add_out(s, o, i);
    }
}

static void build_indicator_outs(SemaCtx *c)
{
    Sema *s = c->s;
    s->nind = c->ninds;
    s->ind = arena_alloc(s->arena, sizeof(IndicatorOut) * (c->ninds ? c->ninds : 1));
    s->ind_defs = arena_alloc(s->arena, sizeof(uint32_t) * F__COUNT * (c->ninds ? c->ninds : 1));
    for (size_t i = 0; i < c->ninds; i++) {
        const Decl *d = c->inds[i].decl;
        s->ind[i].name = (char *)d->name.s;
        s->ind[i].label = (char *)d->label;
        s->ind[i].span = sema_span(s, d->name.span);
        memcpy(&s->ind_defs[i * F__COUNT], c->inds[i].defs, sizeof c->inds[i].defs);
    }
}

static void indicator_flags(SemaCtx *c)
{
    for (size_t i = 0; i < c->ninds; i++) {
        const Indicator *ind = &c->inds[i];
        c->s->ind[i].flags = (uint8_t)((ind->exprs[F_PLAN] ? IND_PLAN : 0) | (ind->exprs[F_RAW] ? IND_SCALE : 0) |
                                       (ind->exprs[F_GATE] ? IND_GATED : 0) | (ind->summed ? IND_SUMMED : 0) |
                                       (ind->lower_better ? IND_LOWER : 0));
    }
}

static void check_units(SemaCtx *c)
{
    size_t n = c->ninds ? c->ninds : 1;
    uint32_t *weights = kpi_calloc(n, sizeof(uint32_t));
    uint32_t *facts = kpi_calloc(n, sizeof(uint32_t)), *plans = kpi_calloc(n, sizeof(uint32_t));
    UnitRoles r = {weights, 0, facts, plans, 0, c->result_defs[RESULT_PAYOUT], c->result_defs[RESULT_BONUS]};
    for (size_t i = 0; i < c->ninds; i++) {
        const Indicator *ind = &c->inds[i];
        weights[r.nweights++] = ind->defs[F_WEIGHT];
        if (ind->exprs[F_PLAN]) {
            facts[r.nindex] = ind->defs[F_FACT];
            plans[r.nindex++] = ind->defs[F_PLAN];
        }
    }
    units_check(c->s, &r);
    kpi_free(weights);
    kpi_free(facts);
    kpi_free(plans);
}

bool sema_run(Sema *s, const Ast *main, const Ast *const *imports, uint32_t nimports)
{
    SemaCtx c;
    memset(&c, 0, sizeof c);
    c.s = s;
    c.main = main;
    s->roster = -1;
    s->period = PERIOD_MONTH;
    s->rounding = ROUND_HALF_AWAY;
    size_t errors = s->diags->errors;

    for (uint32_t m = 0; m < nimports; m++)
        for (uint32_t i = 0; i < imports[m]->ndecls; i++)
            declare(&c, imports[m]->decls[i], true);
    for (uint32_t i = 0; i < main->ndecls; i++)
        declare(&c, main->decls[i], false);
    c.table_used = kpi_calloc(s->ntables ? s->ntables : 1, sizeof(bool));
    if (s->roster < 0) {
        Diag *g = diag_at(s->diags, K_NO_ROSTER, (Span){0, 0, main->file}, "the scheme has no roster");
        diag_note(g, "help", "declare the employees: roster staff from \"roster.csv\" { employee id: text ... }");
    }
    for (uint32_t i = 0; i < main->ndecls; i++)
        if (main->decls[i]->kind == D_TEAM && s->roster >= 0)
            declare_team(&c, main->decls[i]);
    if (c.roles)
        check_roles(&c);
    if (!c.results[RESULT_PAYOUT]) {
        Diag *g = diag_at(s->diags, K_NO_PAYOUT, (Span){0, 0, main->file}, "the scheme has no payout");
        diag_note(g, "help", "say what each employee is paid, e.g. payout = staff.salary + bonus");
    }
    add_result_defs(&c);
    build_indicator_outs(&c);
    if (s->roster >= 0)
        overrides_bind(&c);
    /* Mistakes in declarations do not stop the rest of the checking: one run
     * reports every mistake it can find. Only a missing roster leaves too
     * little to check. */
    if (s->roster >= 0) {
        for (size_t i = 0; i < s->ndefs; i++)
            resolve_def(&c, (uint32_t)i);
        for (size_t k = 0; k < s->nteam; k++)
            team_field_stratum(&c, (uint32_t)k);
        check_units(&c);
        indicator_flags(&c);
        check_tests(&c);
    }
    bool ok = s->diags->errors == errors;
    /* the analysis checks may be allowed away: the driver weighs them */
    if (s->roster >= 0)
        check_scheme(&c);
    kpi_free(c.syms);
    kpi_free(c.inds);
    kpi_free(c.teams);
    kpi_free(c.table_used);
    kpi_free(c.comps);
    kpi_free(c.shadow_reported);
    return ok;
}
