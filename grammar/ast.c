/* ast.c - node construction and the tree dump (kpic ast). */
#include "grammar/ast.h"
#include "base/alloc.h"
#include "base/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *op_text(Op op)
{
    static const char *const text[] = {
        [OP_NEG] = "-", [OP_NOT] = "not", [OP_POS] = "+", [OP_ADD] = "+", [OP_SUB] = "-",
        [OP_MUL] = "*", [OP_DIV] = "/", [OP_EQ] = "=", [OP_NE] = "!=", [OP_LT] = "<",
        [OP_LE] = "<=", [OP_GT] = ">", [OP_GE] = ">=", [OP_AND] = "and", [OP_OR] = "or",
        [OP_DEFAULT] = "default",
    };
    return text[op];
}

const char *table_kind_name(TableKind k)
{
    return k == TABLE_ROSTER ? "roster" : k == TABLE_PLANS ? "plans" : "facts";
}

const char *col_role_name(ColRole r)
{
    static const char *const names[] = {"", "employee", "date", "period", "department", "name"};
    return names[r];
}

const char *result_name(ResultKind k)
{
    return k == RESULT_KPI ? "kpi" : k == RESULT_BONUS ? "bonus" : "payout";
}

const char *test_item_word(TestItemKind k)
{
    static const char *const words[] = {"period", "employee", "given", "row", "expect"};
    return words[k];
}

bool ast_literal_text(const Expr *e, const char *src, char *buf, size_t cap)
{
    size_t n = 0;
    for (uint32_t i = e->span.start; i < e->span.end; i++) {
        char c = src[i];
        if (c == ' ' || c == '\t')
            continue;
        if (n + 1 >= cap)
            return false;
        buf[n++] = c;
    }
    buf[n] = '\0';
    return n > 0;
}

static bool is_int_num(const Expr *e)
{
    return e->kind == E_NUM && !e->u.num.percent && rat_is_int(e->u.num.value);
}

/* 2026-10-05: two subtractions of whole numbers written YYYY-MM-DD. */
bool ast_is_date_literal(const Expr *e, const char *src)
{
    if (e->kind != E_BINARY || e->u.op.op != OP_SUB || !is_int_num(e->u.op.b))
        return false;
    const Expr *l = e->u.op.a;
    if (l->kind != E_BINARY || l->u.op.op != OP_SUB || !is_int_num(l->u.op.a) || !is_int_num(l->u.op.b))
        return false;
    char t[16];
    if (!ast_literal_text(e, src, t, sizeof t) || strlen(t) != 10 || t[4] != '-' || t[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (t[i] < '0' || t[i] > '9'))
            return false;
    return true;
}

Expr *ast_expr(Arena *a, ExprKind kind, Span span)
{
    Expr *e = arena_alloc(a, sizeof *e);
    e->kind = kind;
    e->span = span;
    e->depth = 1;
    return e;
}

static uint16_t deeper(uint16_t d, const Expr *e)
{
    return e && e->depth >= d ? (uint16_t)(e->depth < UINT16_MAX - 1 ? e->depth + 1 : UINT16_MAX) : d;
}

uint16_t ast_depth_of(const Expr *e)
{
    uint16_t d = 1;
    switch (e->kind) {
    case E_UNARY:
    case E_BINARY:
        d = deeper(deeper(d, e->u.op.a), e->u.op.b);
        break;
    case E_CHAIN:
        for (uint32_t i = 0; i < e->u.chain.n; i++)
            d = deeper(d, e->u.chain.terms[i]);
        break;
    case E_IF:
        d = deeper(deeper(deeper(d, e->u.cond.cond), e->u.cond.then), e->u.cond.els);
        break;
    case E_CALL:
        for (uint32_t i = 0; i < e->u.call.nargs; i++)
            d = deeper(d, e->u.call.args[i].value);
        d = deeper(d, e->u.call.where);
        break;
    case E_BANDS:
        for (uint32_t i = 0; i < e->u.bands.n; i++)
            d = deeper(deeper(d, e->u.bands.rows[i].cond), e->u.bands.rows[i].value);
        break;
    default:
        break;
    }
    return d;
}

Expr *ast_unary(Arena *a, Op op, Expr *x, Span span)
{
    Expr *e = ast_expr(a, E_UNARY, span);
    e->u.op.op = op;
    e->u.op.a = x;
    e->depth = ast_depth_of(e);
    return e;
}

Expr *ast_binary(Arena *a, Op op, Expr *l, Expr *r, Span span)
{
    Expr *e = ast_expr(a, E_BINARY, span);
    e->u.op.op = op;
    e->u.op.a = l;
    e->u.op.b = r;
    e->depth = ast_depth_of(e);
    return e;
}

static size_t stem_len(const char *s, size_t len)
{
    while (len > 0 && s[len - 1] >= '0' && s[len - 1] <= '9')
        len--;
    return len;
}

bool ast_expand_range(Arena *a, Name from, Name to, Name **out, uint32_t *n, char *err, size_t errlen)
{
    size_t la = strlen(from.s), lb = strlen(to.s);
    size_t da = stem_len(from.s, la), db = stem_len(to.s, lb);
    if (da == la || db == lb || da != db || memcmp(from.s, to.s, da) != 0 || la - da > 6 || lb - db > 6) {
        snprintf(err, errlen, "'%s..%s' is not a range of numbered names, like q1..q18", from.s, to.s);
        return false;
    }
    long lo = strtol(from.s + da, NULL, 10), hi = strtol(to.s + db, NULL, 10);
    if (hi < lo || hi - lo >= KPI_MAX_RANGE) {
        snprintf(err, errlen, "range %s..%s must count up, by at most %d names", from.s, to.s,
                 KPI_MAX_RANGE);
        return false;
    }
    *n = (uint32_t)(hi - lo + 1);
    *out = arena_alloc(a, sizeof(Name) * *n);
    for (long i = lo; i <= hi; i++) {
        char buf[300];
        snprintf(buf, sizeof buf, "%.*s%0*ld", (int)da, from.s, (int)(la - da), i);
        Name *nm = &(*out)[i - lo];
        nm->s = arena_strndup(a, buf, strlen(buf));
        nm->span = from.span;
        nm->span.end = to.span.end;
    }
    return true;
}

void ptrlist_push(Arena *a, PtrList *l, void *p)
{
    if (l->n == l->cap) {
        uint32_t cap = l->cap ? l->cap * 2 : 8;
        void **items = arena_alloc(a, sizeof(void *) * cap);
        if (l->n)
            memcpy(items, l->items, sizeof(void *) * l->n);
        l->items = items;
        l->cap = cap;
    }
    l->items[l->n++] = p;
}

/* ---- dump: one node per line, S-expression style ---- */
static void dump_expr(const Expr *e, Buf *out);

static void dump_num(Rat v, bool percent, Buf *out)
{
    char buf[96];
    if (percent) {
        Rat hundred = rat_int(100), p;
        rat_mul(v, hundred, &p);
        rat_format(buf, sizeof buf, p, 38, &(bool){false});
        buf_printf(out, "%s%%", buf);
    } else {
        rat_format(buf, sizeof buf, v, 38, &(bool){false});
        buf_adds(out, buf);
    }
}

static void dump_call(const Expr *e, Buf *out)
{
    buf_printf(out, "(call %s", e->u.call.fn.s);
    if (e->u.call.distinct)
        buf_adds(out, " distinct");
    for (uint32_t i = 0; i < e->u.call.nargs; i++) {
        buf_addc(out, ' ');
        if (e->u.call.args[i].name.s)
            buf_printf(out, "%s: ", e->u.call.args[i].name.s);
        dump_expr(e->u.call.args[i].value, out);
    }
    if (e->u.call.from.s)
        buf_printf(out, " from %s", e->u.call.from.s);
    if (e->u.call.where) {
        buf_adds(out, " where ");
        dump_expr(e->u.call.where, out);
    }
    buf_addc(out, ')');
}

static void dump_expr(const Expr *e, Buf *out)
{
    switch (e->kind) {
    case E_NUM: dump_num(e->u.num.value, e->u.num.percent, out); break;
    case E_STR: buf_printf(out, "\"%s\"", e->u.str.s); break;
    case E_BOOL: buf_adds(out, e->u.boolean ? "true" : "false"); break;
    case E_BLANK: buf_adds(out, "blank"); break;
    case E_NAME: buf_adds(out, e->u.name.s); break;
    case E_FIELD: buf_printf(out, "%s.%s", e->u.field.base.s, e->u.field.field.s); break;
    case E_RANGE: buf_printf(out, "%s..%s", e->u.field.base.s, e->u.field.field.s); break;
    case E_UNARY:
        buf_printf(out, "(%s ", op_text(e->u.op.op));
        dump_expr(e->u.op.a, out);
        buf_addc(out, ')');
        break;
    case E_BINARY:
        buf_printf(out, "(%s ", op_text(e->u.op.op));
        dump_expr(e->u.op.a, out);
        buf_addc(out, ' ');
        dump_expr(e->u.op.b, out);
        buf_addc(out, ')');
        break;
    case E_CHAIN:
        buf_adds(out, "(chain ");
        for (uint32_t i = 0; i < e->u.chain.n; i++) {
            if (i)
                buf_printf(out, " %s ", op_text(e->u.chain.ops[i - 1]));
            dump_expr(e->u.chain.terms[i], out);
        }
        buf_addc(out, ')');
        break;
    case E_IF:
        buf_adds(out, "(if ");
        dump_expr(e->u.cond.cond, out);
        buf_addc(out, ' ');
        dump_expr(e->u.cond.then, out);
        buf_addc(out, ' ');
        dump_expr(e->u.cond.els, out);
        buf_addc(out, ')');
        break;
    case E_CALL: dump_call(e, out); break;
    case E_BANDS:
        buf_adds(out, "(bands");
        for (uint32_t i = 0; i < e->u.bands.n; i++) {
            buf_adds(out, " [");
            if (e->u.bands.rows[i].cond)
                dump_expr(e->u.bands.rows[i].cond, out);
            else
                buf_adds(out, "else");
            buf_adds(out, " -> ");
            dump_expr(e->u.bands.rows[i].value, out);
            buf_addc(out, ']');
        }
        buf_addc(out, ')');
        break;
    }
}

void ast_dump_expr(const Expr *e, Buf *out) { dump_expr(e, out); }

static void dump_label(const Decl *d, Buf *out)
{
    if (d->label)
        buf_printf(out, " \"%s\"", d->label);
}

static void dump_fields(const Field *f, uint32_t n, Buf *out)
{
    for (uint32_t i = 0; i < n; i++) {
        buf_printf(out, "  %s = ", f[i].name.s);
        dump_expr(f[i].value, out);
        buf_addc(out, '\n');
    }
}

static void dump_table(const Decl *d, Buf *out)
{
    buf_printf(out, "%s %s from \"%s\"\n", table_kind_name(d->u.table.kind), d->name.s,
               d->u.table.file);
    for (uint32_t i = 0; i < d->u.table.nsettings; i++) {
        const Setting *s = &d->u.table.settings[i];
        buf_printf(out, "  %s %s\n", s->key.s, s->word.s ? s->word.s : s->str);
    }
    for (uint32_t i = 0; i < d->u.table.ncols; i++) {
        const ColumnDecl *c = &d->u.table.cols[i];
        buf_printf(out, "  column %s%s%s: %s", col_role_name(c->role), c->role ? " " : "",
                   c->name.s, c->type.s);
        if (c->type_arg >= 0)
            buf_printf(out, "(%d)", c->type_arg);
        if (c->header)
            buf_printf(out, " \"%s\"", c->header);
        if (c->flag.s)
            buf_printf(out, " %s", c->flag.s);
        if (c->empty.s)
            buf_printf(out, " empty %s", c->empty.s);
        buf_addc(out, '\n');
    }
}

static void dump_test(const Decl *d, Buf *out)
{
    buf_printf(out, "test \"%s\"\n", d->label ? d->label : "");
    for (uint32_t i = 0; i < d->u.test.n; i++) {
        const TestItem *t = &d->u.test.items[i];
        buf_printf(out, "  %s", test_item_word((TestItemKind)t->kind));
        if (t->kind == TI_ROW) {
            buf_printf(out, " %s", t->table.s);
            for (uint32_t k = 0; k < t->ncells; k++) {
                buf_printf(out, "%s%s: ", k ? ", " : " ", t->cells[k].col.s);
                dump_expr(t->cells[k].value, out);
            }
        }
        if (t->target) {
            buf_addc(out, ' ');
            dump_expr(t->target, out);
            buf_adds(out, t->approx ? " ~" : " =");
        }
        if (t->value) {
            buf_addc(out, ' ');
            dump_expr(t->value, out);
        }
        buf_addc(out, '\n');
    }
}

static void dump_decl(const Decl *d, Buf *out)
{
    switch (d->kind) {
    case D_SCHEME: buf_printf(out, "scheme \"%s\"\n", d->u.scheme_name); break;
    case D_SETTING:
        buf_printf(out, "setting %s %s\n", d->u.setting.key.s,
                   d->u.setting.word.s ? d->u.setting.word.s : d->u.setting.str);
        break;
    case D_IMPORT:
        buf_adds(out, "import");
        for (uint32_t i = 0; i < d->u.import.n; i++)
            buf_printf(out, " %s", d->u.import.modules[i].s);
        buf_addc(out, '\n');
        break;
    case D_PARAM:
    case D_LET:
        buf_printf(out, "%s %s", d->kind == D_PARAM ? "param" : "let", d->name.s);
        dump_label(d, out);
        buf_adds(out, " = ");
        dump_expr(d->u.value, out);
        buf_addc(out, '\n');
        break;
    case D_TABLE: dump_table(d, out); break;
    case D_INDICATOR:
        buf_printf(out, "indicator %s", d->name.s);
        dump_label(d, out);
        buf_addc(out, '\n');
        dump_fields(d->u.ind.fields, d->u.ind.nfields, out);
        if (d->u.ind.gate) {
            buf_adds(out, "  only if ");
            dump_expr(d->u.ind.gate, out);
            buf_addc(out, '\n');
        }
        break;
    case D_SCALE:
        buf_printf(out, "scale %s(", d->name.s);
        for (uint32_t i = 0; i < d->u.scale.nparams; i++) {
            buf_printf(out, "%s%s", i ? ", " : "", d->u.scale.params[i].name.s);
            if (d->u.scale.params[i].dflt) {
                buf_adds(out, " = ");
                dump_expr(d->u.scale.params[i].dflt, out);
            }
        }
        buf_adds(out, ") = ");
        dump_expr(d->u.scale.body, out);
        buf_addc(out, '\n');
        break;
    case D_TEAM:
        buf_printf(out, "team %s", d->name.s);
        dump_label(d, out);
        if (d->u.team.by) {
            buf_adds(out, " by ");
            dump_expr(d->u.team.by, out);
        }
        buf_addc(out, '\n');
        dump_fields(d->u.team.fields, d->u.team.nfields, out);
        break;
    case D_ROLES:
        buf_adds(out, "roles by ");
        dump_expr(d->u.roles.by, out);
        buf_addc(out, '\n');
        for (uint32_t i = 0; i < d->u.roles.n; i++) {
            const RoleEntry *r = &d->u.roles.entries[i];
            buf_printf(out, "  %s%s%s:", r->key ? "\"" : "", r->key ? r->key : "else",
                       r->key ? "\"" : "");
            for (uint32_t j = 0; j < r->n; j++) {
                buf_printf(out, " %s", r->items[j].indicator.s);
                if (r->items[j].weight) {
                    buf_addc(out, ' ');
                    dump_expr(r->items[j].weight, out);
                }
            }
            buf_addc(out, '\n');
        }
        break;
    case D_RESULT:
        buf_printf(out, "%s = ", result_name(d->u.result.which));
        dump_expr(d->u.result.value, out);
        buf_addc(out, '\n');
        break;
    case D_TEST: dump_test(d, out); break;
    }
}

void ast_dump(const Ast *ast, Buf *out)
{
    for (uint32_t i = 0; i < ast->ndecls; i++)
        dump_decl(ast->decls[i], out);
}
