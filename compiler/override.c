/* override.c - what-if values (kpirun --set) and the checks of test blocks.
 * A --set is read by the real parser as NAME = VALUE; its name is bound
 * like a name in a formula, and the named def, team field or input column
 * then resolves to the constant. Tests use the same binding and constants. */
#include "compiler/override.h"
#include "base/alloc.h"
#include "compiler/sema_int.h"
#include "compiler/suggest.h"
#include "grammar/parse.h"

#include <stdio.h>
#include <string.h>

/* ---- constants -------------------------------------------------------------- */
static int frac_digits(const char *src, Span sp)
{
    int n = 0;
    bool frac = false;
    for (uint32_t i = sp.start; i < sp.end; i++) {
        if (src[i] == '.')
            frac = true;
        else if (frac && src[i] >= '0' && src[i] <= '9')
            n++;
    }
    return n;
}

bool test_const(const Expr *e, const char *src, TestConst *out)
{
    memset(out, 0, sizeof *out);
    if (ast_is_date_literal(e, src)) {
        char t[16];
        out->type = T_DATE;
        return ast_literal_text(e, src, t, sizeof t) && date_parse(t, strlen(t), DATE_ISO, &out->day);
    }
    bool neg = false;
    if (e->kind == E_UNARY && (e->u.op.op == OP_NEG || e->u.op.op == OP_POS)) {
        neg = e->u.op.op == OP_NEG;
        e = e->u.op.a;
        if (e->kind != E_NUM)
            return false;
    }
    switch (e->kind) {
    case E_NUM:
        out->type = T_NUM;
        out->q = neg ? rat_neg(e->u.num.value) : e->u.num.value;
        out->percent = e->u.num.percent;
        out->digits = frac_digits(src, e->span) + (e->u.num.percent ? 2 : 0);
        return true;
    case E_STR:
        out->type = T_TEXT;
        out->s = e->u.str.s;
        out->len = e->u.str.len;
        return true;
    case E_BOOL:
        out->type = T_BOOL;
        out->b = e->u.boolean;
        return true;
    case E_BLANK:
        out->type = T_ANY;
        return true;
    default:
        return false;
    }
}

static const char *src_of(const SemaCtx *c, Span sp) { return sources_get(c->s->sources, sp.file)->text; }

static bool constant(SemaCtx *c, const Expr *e, DiagId id, TestConst *k)
{
    if (test_const(e, src_of(c, e->span), k))
        return true;
    Diag *g = diag_at(c->s->diags, id, e->span, k->type == T_DATE ? "not a real date" : "not a constant");
    diag_note(g, "help", "a value here is a number (1300000, 12.5, 120%%), a text in quotes, true, false, "
                         "blank or a date (2026-10-05)");
    return false;
}

static Value const_value(SemaCtx *c, const TestConst *k)
{
    switch (k->type) {
    case T_NUM: return val_num(k->q);
    case T_TEXT: return val_text(sema_intern(c->s, k->s, k->len));
    case T_BOOL: return val_bool(k->b);
    case T_DATE: return val_date(k->day);
    default: return val_blank();
    }
}

static Ir *const_ir(SemaCtx *c, const Expr *value)
{
    TestConst k;
    test_const(value, src_of(c, value->span), &k);
    Ir *n = ir_const(c->s, const_value(c, &k), sema_span(c->s, value->span));
    n->pct = k.percent;
    return n;
}

/* ---- names ------------------------------------------------------------------- */
static void name_text(const Expr *e, Buf *out)
{
    if (e->kind == E_FIELD)
        buf_printf(out, "%s.%s", e->u.field.base.s, e->u.field.field.s);
    else if (e->kind == E_NAME)
        buf_adds(out, e->u.name.s);
}

static void offer_results(const SemaCtx *c, Suggest *sg)
{
    for (int w = 0; w < 3; w++)
        if (c->result_defs[w] != UINT32_MAX)
            suggest_offer(sg, result_name((ResultKind)w));
}

static bool bind_name(SemaCtx *c, Name n, Target *t)
{
    for (int w = 0; w < 3; w++)
        if (strcmp(n.s, result_name((ResultKind)w)) == 0) {
            if (c->result_defs[w] == UINT32_MAX) {
                diag_at(c->s->diags, K_UNKNOWN_NAME, n.span, "the scheme does not define %s", n.s);
                return false;
            }
            *t = (Target){TG_DEF, c->result_defs[w], 0};
            return true;
        }
    const Sym *sym = sym_find(c, n.s);
    if (sym && (sym->kind == SYM_PARAM || sym->kind == SYM_LET)) {
        *t = (Target){TG_DEF, sym->index, 0};
        return true;
    }
    if (sym) {
        Diag *g = diag_at(c->s->diags, K_NOT_A_VALUE, n.span, "'%s' is not a value", n.s);
        if (sym->kind == SYM_INDICATOR)
            diag_note(g, "help", "name a field: %s.plan, %s.fact, %s.index, %s.score", n.s, n.s, n.s, n.s);
        else
            diag_note(g, "help", "name a field or a column: %s.NAME", n.s);
        return false;
    }
    Diag *g = diag_at(c->s->diags, K_UNKNOWN_NAME, n.span, "unknown name '%s'", n.s);
    Suggest sg;
    suggest_init(&sg, n.s);
    sema_offer_globals(c, &sg);
    offer_results(c, &sg);
    if (sg.best)
        diag_note(g, "help", "did you mean '%s'?", sg.best);
    return false;
}

static const char *const ind_fields[] = {"fact", "plan", "index", "score", "weight", "contribution"};
static const IndField ind_slots[] = {F_FACT, F_PLAN, F_INDEX, F_SCORE, F_WEIGHT, F_CONTRIB};

static bool bind_indicator(SemaCtx *c, uint32_t ind, Name f, Target *t)
{
    for (size_t i = 0; i < 6; i++)
        if (strcmp(f.s, ind_fields[i]) == 0) {
            *t = (Target){TG_DEF, c->inds[ind].defs[ind_slots[i]], 0};
            return true;
        }
    Diag *g = diag_at(c->s->diags, K_UNKNOWN_FIELD, f.span, "an indicator has no field '%s'", f.s);
    Suggest sg;
    suggest_init(&sg, f.s);
    for (size_t i = 0; i < 6; i++)
        suggest_offer(&sg, ind_fields[i]);
    diag_note(g, "help", sg.best ? "did you mean '%s'?" : "%s",
              sg.best ? sg.best : "fields: fact, plan, index, score, weight, contribution");
    return false;
}

static bool bind_team(SemaCtx *c, uint32_t team, Name f, Target *t)
{
    const Team *tm = &c->teams[team];
    Suggest sg;
    suggest_init(&sg, f.s);
    for (uint32_t i = 0; i < tm->nfields; i++) {
        const char *full = c->s->team[tm->first_field + i].name;
        const char *field = full + strlen(tm->decl->name.s) + 1;
        if (strcmp(field, f.s) == 0) {
            *t = (Target){TG_TEAM, tm->first_field + i, 0};
            return true;
        }
        suggest_offer(&sg, field);
    }
    Diag *g = diag_at(c->s->diags, K_UNKNOWN_FIELD, f.span, "team '%s' has no field '%s'", tm->decl->name.s, f.s);
    if (sg.best)
        diag_note(g, "help", "did you mean '%s'?", sg.best);
    return false;
}

static bool bind_column(SemaCtx *c, uint32_t table, Name f, Target *t)
{
    const TableSpec *ts = &c->s->tables[table];
    int32_t col = table_find_col(ts, f.s);
    if (col < 0) {
        table_unknown_col(c->s, ts, f);
        return false;
    }
    TargetKind k = ts->kind == TABLE_KIND_ROSTER ? TG_ROSTER : ts->kind == TABLE_KIND_PLANS ? TG_PLAN : TG_FACTS;
    *t = (Target){k, (uint32_t)col, table};
    return true;
}

/* What NAME names: a param, let, result, indicator field, team field or
 * column. false when nothing (reported). */
static bool bind_target(SemaCtx *c, const Expr *e, DiagId shape, Target *t)
{
    if (e->kind == E_NAME)
        return bind_name(c, e->u.name, t);
    if (e->kind != E_FIELD) {
        diag_note(diag_at(c->s->diags, shape, e->span, "expected a name before '='"),
                  "help", "a param, a let, kpi, bonus, INDICATOR.plan, TEAM.FIELD or TABLE.COLUMN");
        return false;
    }
    Name base = e->u.field.base, f = e->u.field.field;
    const Sym *sym = sym_find(c, base.s);
    if (!sym) {
        Diag *g = diag_at(c->s->diags, K_UNKNOWN_NAME, base.span, "unknown name '%s'", base.s);
        Suggest sg;
        suggest_init(&sg, base.s);
        sema_offer_globals(c, &sg);
        if (sg.best)
            diag_note(g, "help", "did you mean '%s'?", sg.best);
        return false;
    }
    switch ((SymKind)sym->kind) {
    case SYM_INDICATOR: return bind_indicator(c, sym->index, f, t);
    case SYM_TEAM: return bind_team(c, sym->index, f, t);
    case SYM_TABLE: return bind_column(c, sym->index, f, t);
    default: break;
    }
    diag_at(c->s->diags, K_NOT_A_VALUE, base.span, "'%s' has no fields", base.s);
    return false;
}

static bool same_target(const Target *a, const Target *b)
{
    return a->kind == b->kind && a->index == b->index && a->table == b->table;
}

static TypeKind team_type(SemaCtx *c, uint32_t k)
{
    team_field_stratum(c, k);
    const TeamFieldDef *t = &c->s->team[k];
    if (t->kind == AGG_COUNT || t->kind == AGG_SUM || t->kind == AGG_AVG)
        return T_NUM;
    return (TypeKind)c->s->defs[t->arg_def].type;
}

static TypeKind target_type(SemaCtx *c, const Target *t)
{
    switch (t->kind) {
    case TG_DEF:
        resolve_def(c, t->index);
        return (TypeKind)c->s->defs[t->index].type;
    case TG_TEAM: return team_type(c, t->index);
    default: return col_value_type((ColType)c->s->tables[t->table].cols[t->index].type);
    }
}

static bool type_fits(SemaCtx *c, TypeKind want, const TestConst *k, const Expr *target, const Expr *value)
{
    if (want == T_ANY || k->type == T_ANY || want == k->type)
        return true;
    Buf name = BUF_INIT;
    name_text(target, &name);
    diag_at(c->s->diags, K_TYPE, value->span, "'%s' is a %s, and this value is a %s", buf_cstr(&name),
            type_name(want), type_name(k->type));
    buf_free(&name);
    return false;
}

/* ---- --set ------------------------------------------------------------------- */
#define SET_PREFIX "--set "

/* 1200000,50 is a decimal comma, as a Russian spreadsheet writes it. */
static void decimal_comma(char *v)
{
    char *comma = strchr(v, ',');
    if (!comma || strchr(comma + 1, ',') || comma == v || !comma[1])
        return;
    for (const char *p = v; *p; p++)
        if (!((*p >= '0' && *p <= '9') || *p == '_' || (p == v && *p == '-') || p == comma ||
              (*p == '%' && !p[1])))
            return;
    *comma = '.';
}

static bool parse_one(Arena *arena, SourceSet *sources, DiagList *diags, const CompileOverride *o,
                      Override *out)
{
    size_t ln = strlen(o->name), lv = strlen(o->value), len = strlen(SET_PREFIX) + ln + 1 + lv;
    char *text = kpi_malloc(len + 1);
    snprintf(text, len + 1, "%s%s=%s", SET_PREFIX, o->name, o->value);
    decimal_comma(text + strlen(SET_PREFIX) + ln + 1);
    uint16_t file = sources_add(sources, SOURCE_COMMAND_LINE, text, len);
    Expr *e;
    uint32_t from = (uint32_t)strlen(SET_PREFIX);
    memset(out, 0, sizeof *out);
    out->span = (Span){from, (uint32_t)len, file};
    size_t before = diags->errors;
    if (!parse_set(arena, sources, file, from, diags, &e))
        return false;
    if (e->kind != E_CHAIN || e->u.chain.n != 2 || e->u.chain.ops[0] != OP_EQ) {
        if (diags->errors == before)
            diag_note(diag_at(diags, K_BAD_OVERRIDE, out->span, "expected NAME=VALUE"),
                      "help", "--set revenue.plan=1200000");
        return false;
    }
    out->target = e->u.chain.terms[0];
    out->value = e->u.chain.terms[1];
    return true;
}

bool overrides_parse(Arena *arena, SourceSet *sources, DiagList *diags, const CompileOverride *ov,
                     size_t n, OverrideSet *out)
{
    out->n = 0;
    out->items = arena_alloc(arena, sizeof(Override) * (n ? n : 1));
    bool ok = true;
    for (size_t i = 0; i < n; i++)
        if (parse_one(arena, sources, diags, &ov[i], &out->items[out->n]))
            out->n++;
        else
            ok = false;
    return ok;
}

static bool bind_one(SemaCtx *c, Override *o, uint32_t i)
{
    const OverrideSet *set = c->s->overrides;
    TestConst k;
    if (!bind_target(c, o->target, K_BAD_OVERRIDE, &o->t) || !constant(c, o->value, K_BAD_OVERRIDE, &k))
        return false;
    if (o->t.kind == TG_FACTS) {
        Diag *g = diag_at(c->s->diags, K_BAD_OVERRIDE, o->target->span,
                          "'%s' is a fact table: it has many rows per employee", c->s->tables[o->t.table].name);
        diag_note(g, "help", "set what is computed from it, e.g. --set INDICATOR.fact=VALUE");
        return false;
    }
    for (uint32_t j = 0; j < i; j++)
        if (set->items[j].bound && same_target(&set->items[j].t, &o->t)) {
            diag_at(c->s->diags, K_BAD_OVERRIDE, o->span, "this name is set twice");
            return false;
        }
    /* a def's type is known once it is resolved: override_def checks it */
    return o->t.kind == TG_DEF || type_fits(c, target_type(c, &o->t), &k, o->target, o->value);
}

void overrides_bind(SemaCtx *c)
{
    const OverrideSet *set = c->s->overrides;
    for (uint32_t i = 0; set && i < set->n; i++)
        set->items[i].bound = bind_one(c, &set->items[i], i);
}

static const Override *find_override(const SemaCtx *c, TargetKind kind, uint32_t table, uint32_t index)
{
    const OverrideSet *set = c->s->overrides;
    Target t = {kind, index, table};
    for (uint32_t i = 0; set && i < set->n; i++)
        if (set->items[i].bound && same_target(&set->items[i].t, &t))
            return &set->items[i];
    return NULL;
}

Ir *override_def(SemaCtx *c, uint32_t def, Ir *ir)
{
    const Override *o = find_override(c, TG_DEF, 0, def);
    if (!o)
        return ir;
    TestConst k;
    test_const(o->value, src_of(c, o->value->span), &k);
    if (!type_fits(c, (TypeKind)ir->type, &k, o->target, o->value))
        return ir; /* reported once, not again where the value is used */
    return const_ir(c, o->value);
}

Ir *override_input(SemaCtx *c, int kind, uint32_t table, uint32_t index)
{
    const Override *o = find_override(c, (TargetKind)kind, kind == TG_TEAM ? 0 : table, index);
    return o ? const_ir(c, o->value) : NULL;
}

/* ---- test blocks ---------------------------------------------------------------- */
static bool fits_column(SemaCtx *c, const ColumnSpec *col, const TestConst *k, const Expr *value)
{
    if (k->type == T_ANY && col->role != COLROLE_NONE) {
        diag_at(c->s->diags, K_TEST_SHAPE, value->span, "column %s is a key: it cannot be blank", col->name);
        return false;
    }
    if (k->type != T_NUM)
        return true;
    int64_t scaled;
    bool ok = rat_to_scaled(k->q, col->scale, &scaled);
    if (!ok)
        diag_at(c->s->diags, K_TEST_SHAPE, value->span, "column %s (%s) cannot hold this number: it keeps %d "
                "decimal places", col->name, col_type_name((ColType)col->type), col->scale);
    if (ok && col->type == COL_SCORE && (rat_sign(k->q) < 0 || rat_cmp(k->q, rat_int(1)) > 0)) {
        diag_at(c->s->diags, K_TEST_SHAPE, value->span, "a score is from 0 to 1 (0%% to 100%%)");
        ok = false;
    }
    return ok;
}

/* A roster or plan cell of the test's employee: the key cells are filled
 * from `employee` and `period`. */
static bool key_column(SemaCtx *c, const Target *t, const Expr *target)
{
    const TableSpec *ts = &c->s->tables[t->table];
    int32_t col = (int32_t)t->index;
    const char *why = NULL;
    if (col == ts->key_col)
        why = "it is the test's employee: write employee \"E01\"";
    else if (ts->kind == TABLE_KIND_PLANS && col == ts->period_col)
        why = "it is the test's period: write period 2026-10";
    else if (ts->kind == TABLE_KIND_PLANS && col == ts->dept_col)
        why = "it is the employee's department: give the roster's department column";
    if (why)
        diag_note(diag_at(c->s->diags, K_TEST_SHAPE, target->span, "this column is filled by the test"),
                  "help", "%s", why);
    return why != NULL;
}

static void check_given(SemaCtx *c, const TestItem *it, Target *seen, uint32_t *nseen)
{
    Target t;
    TestConst k;
    if (!bind_target(c, it->target, K_TEST_SHAPE, &t))
        return;
    if (t.kind == TG_FACTS) {
        const TableSpec *ts = &c->s->tables[t.table];
        diag_note(diag_at(c->s->diags, K_TEST_SHAPE, it->target->span, "'%s' is a fact table: give its rows",
                          ts->name),
                  "help", "row %s { %s: ... }", ts->name, c->s->tables[t.table].cols[t.index].name);
        return;
    }
    for (uint32_t i = 0; i < *nseen; i++)
        if (same_target(&seen[i], &t)) {
            diag_at(c->s->diags, K_TEST_SHAPE, it->span, "this is given twice in the test");
            return;
        }
    seen[(*nseen)++] = t;
    if ((t.kind == TG_ROSTER || t.kind == TG_PLAN) && key_column(c, &t, it->target))
        return;
    if (!constant(c, it->value, K_TEST_SHAPE, &k) || !type_fits(c, target_type(c, &t), &k, it->target, it->value))
        return;
    if (t.kind == TG_ROSTER || t.kind == TG_PLAN)
        fits_column(c, &c->s->tables[t.table].cols[t.index], &k, it->value);
}

static void check_cell(SemaCtx *c, const TableSpec *ts, const RowCell *cell, const TestItem *it, uint32_t k)
{
    int32_t col = table_find_col(ts, cell->col.s);
    if (col < 0) {
        table_unknown_col(c->s, ts, cell->col);
        return;
    }
    for (uint32_t j = 0; j < k; j++)
        if (strcmp(it->cells[j].col.s, cell->col.s) == 0) {
            diag_at(c->s->diags, K_TEST_SHAPE, cell->col.span, "column %s is given twice in the row", cell->col.s);
            return;
        }
    if (col == ts->key_col) {
        diag_note(diag_at(c->s->diags, K_TEST_SHAPE, cell->col.span, "this column is filled by the test"),
                  "help", "it is the test's employee: write employee \"E01\"");
        return;
    }
    TestConst v;
    const ColumnSpec *cs = &ts->cols[col];
    Expr name = {.kind = E_NAME, .span = cell->col.span};
    name.u.name = cell->col;
    if (constant(c, cell->value, K_TEST_SHAPE, &v) &&
        type_fits(c, col_value_type((ColType)cs->type), &v, &name, cell->value))
        fits_column(c, cs, &v, cell->value);
}

static void check_row(SemaCtx *c, const TestItem *it)
{
    const Sym *sym = sym_find(c, it->table.s);
    if (!sym || sym->kind != SYM_TABLE) {
        Diag *g = diag_at(c->s->diags, sym ? K_NOT_A_VALUE : K_UNKNOWN_NAME, it->table.span,
                          sym ? "'%s' is not a table" : "unknown table '%s'", it->table.s);
        Suggest sg;
        suggest_init(&sg, it->table.s);
        for (uint32_t i = 0; i < c->s->ntables; i++)
            if (c->s->tables[i].kind == TABLE_KIND_FACTS)
                suggest_offer(&sg, c->s->tables[i].name);
        if (sg.best)
            diag_note(g, "help", "did you mean '%s'?", sg.best);
        return;
    }
    const TableSpec *ts = &c->s->tables[sym->index];
    if (ts->kind != TABLE_KIND_FACTS) {
        diag_note(diag_at(c->s->diags, K_TEST_SHAPE, it->table.span, "a row goes to a fact table; '%s' is %s",
                          ts->name, ts->kind == TABLE_KIND_ROSTER ? "the roster" : "a plans table"),
                  "help", "fill its cells with given %s.COLUMN = VALUE", ts->name);
        return;
    }
    for (uint32_t k = 0; k < it->ncells; k++)
        check_cell(c, ts, &it->cells[k], it, k);
}

static void check_expect(SemaCtx *c, const TestItem *it)
{
    Target t;
    TestConst k;
    if (!bind_target(c, it->target, K_TEST_SHAPE, &t))
        return;
    if (t.kind != TG_DEF) {
        diag_note(diag_at(c->s->diags, K_TEST_SHAPE, it->target->span,
                          t.kind == TG_TEAM ? "a team field is not kept per employee" : "this is an input, not a result"),
                  "help", "expect what the scheme computes: a let, kpi, bonus, payout or INDICATOR.score");
        return;
    }
    if (!constant(c, it->value, K_TEST_SHAPE, &k))
        return;
    if (it->approx && k.type != T_NUM) {
        diag_at(c->s->diags, K_TEST_SHAPE, it->value->span, "'~' compares numbers");
        return;
    }
    type_fits(c, target_type(c, &t), &k, it->target, it->value);
}

static void check_period(SemaCtx *c, const TestItem *it)
{
    char text[64];
    Period p;
    const Expr *e = it->value;
    bool ok = e->kind == E_STR ? (snprintf(text, sizeof text, "%s", e->u.str.s), true)
                               : ast_literal_text(e, src_of(c, e->span), text, sizeof text);
    if (ok && period_parse(text, strlen(text), c->s->period, &p))
        return;
    static const char *const examples[] = {"2026-W43", "2026-10", "2026-Q4", "2026"};
    diag_note(diag_at(c->s->diags, K_TEST_SHAPE, e->span, "'%s' is not a %s", ok ? text : "this",
                      period_kind_name(c->s->period)),
              "help", "the scheme is evaluated by %s: period %s", period_kind_name(c->s->period),
              examples[c->s->period]);
}

static void check_test(SemaCtx *c, const Decl *d)
{
    bool seen[TI_EXPECT + 1] = {false};
    uint32_t nexpect = 0, nseen = 0;
    Target *given = kpi_calloc(d->u.test.n ? d->u.test.n : 1, sizeof(Target));
    for (uint32_t i = 0; i < d->u.test.n; i++) {
        const TestItem *it = &d->u.test.items[i];
        if ((it->kind == TI_PERIOD || it->kind == TI_EMPLOYEE) && seen[it->kind])
            diag_at(c->s->diags, K_TEST_SHAPE, it->span, "a test has one %s line",
                    test_item_word((TestItemKind)it->kind));
        seen[it->kind] = true;
        switch ((TestItemKind)it->kind) {
        case TI_PERIOD: check_period(c, it); break;
        case TI_EMPLOYEE:
            if (it->value->kind != E_STR || !it->value->u.str.len)
                diag_note(diag_at(c->s->diags, K_TEST_SHAPE, it->value->span, "the employee is a text"),
                          "help", "employee \"E01\"");
            break;
        case TI_GIVEN: check_given(c, it, given, &nseen); break;
        case TI_ROW: check_row(c, it); break;
        case TI_EXPECT: check_expect(c, it); nexpect++; break;
        }
    }
    kpi_free(given);
    if (!nexpect)
        diag_note(diag_at(c->s->diags, K_TEST_SHAPE, d->name.span, "the test expects nothing"),
                  "help", "say what it should give: expect payout = 101445");
}

void check_tests(SemaCtx *c)
{
    const Ast *a = c->main;
    for (uint32_t i = 0; i < a->ndecls; i++) {
        const Decl *d = a->decls[i];
        if (d->kind != D_TEST)
            continue;
        if (!d->label || !*d->label)
            diag_at(c->s->diags, K_TEST_SHAPE, d->name.span, "a test needs a title");
        for (uint32_t j = 0; j < i && d->label; j++)
            if (a->decls[j]->kind == D_TEST && a->decls[j]->label && strcmp(a->decls[j]->label, d->label) == 0) {
                diag_at(c->s->diags, K_DUPLICATE, d->name.span, "a second test is titled \"%s\"", d->label);
                break;
            }
        check_test(c, d);
    }
}
