/* format.c - kpic fmt: the canonical form of a scheme, from its AST.
 * Four-space indentation, one statement a line, blocks set apart by blank
 * lines, the source's own blank lines kept (at most one), aligned arrows in
 * bands, minimal parentheses, literals as written. Comments stay where they
 * were: a comment on its own line goes before the item that follows it, a
 * comment at the end of a line stays at the end of that item's line. */
#include "compiler/format.h"
#include "base/alloc.h"
#include "base/utf8.h"

#include <string.h>

typedef struct Fmt {
    const Ast    *ast;
    const Source *src;
    Buf          *out;
    uint32_t      next;       /* next comment to place */
    uint32_t      last_end;   /* source offset of what was placed last */
    int           indent;
    bool          line_open;  /* something is on the current output line */
} Fmt;

/* ---- output lines ---- */
static void newline(Fmt *f)
{
    while (f->out->len && f->out->data[f->out->len - 1] == ' ')
        f->out->len--;
    buf_addc(f->out, '\n');
    f->line_open = false;
}

static void begin_line(Fmt *f)
{
    if (f->line_open)
        newline(f);
    buf_pad(f->out, ' ', (size_t)f->indent * 4);
    f->line_open = true;
}

static bool ends_with_blank_line(const Fmt *f)
{
    size_t n = f->out->len;
    return n == 0 || (n >= 2 && f->out->data[n - 1] == '\n' && f->out->data[n - 2] == '\n') ||
           (n >= 2 && f->out->data[n - 1] == '\n' && f->out->data[n - 2] == '{');
}

static void blank_line(Fmt *f)
{
    if (f->line_open)
        newline(f);
    if (!ends_with_blank_line(f))
        buf_addc(f->out, '\n');
}

/* The source had an empty line between offsets a and b. */
static bool gap_in_source(const Fmt *f, uint32_t a, uint32_t b)
{
    int nl = 0;
    for (uint32_t i = a; i < b && i < f->src->len; i++) {
        char c = f->src->text[i];
        if (c == '\n' && ++nl >= 2)
            return true;
        if (c != '\n' && c != ' ' && c != '\t' && c != '\r')
            nl = 0;
    }
    return false;
}

static uint32_t line_of(const Fmt *f, uint32_t off) { return source_linecol(f->src, off).line; }

/* ---- comments ---- */
static void put_comment(Fmt *f, const Comment *c)
{
    const char *t = f->src->text + c->span.start;
    size_t n = c->span.end - c->span.start;
    while (n && (t[n - 1] == ' ' || t[n - 1] == '\t' || t[n - 1] == '\r'))
        n--;
    buf_add(f->out, t, n);
}

/* Comments before offset `at`, each on its own line. */
static void leading(Fmt *f, uint32_t at)
{
    while (f->next < f->ast->ncomments && f->ast->comments[f->next].span.start < at) {
        const Comment *c = &f->ast->comments[f->next++];
        if (f->last_end && gap_in_source(f, f->last_end, c->span.start))
            blank_line(f);
        begin_line(f);
        put_comment(f, c);
        newline(f);
        f->last_end = c->span.end;
    }
}

/* A comment on the same source line as the item just written. */
static void trailing(Fmt *f, uint32_t item_start, uint32_t item_end)
{
    if (f->next >= f->ast->ncomments)
        return;
    const Comment *c = &f->ast->comments[f->next];
    if (c->span.start < item_start || line_of(f, c->span.start) != line_of(f, item_end ? item_end - 1 : 0))
        return;
    buf_adds(f->out, "  ");
    put_comment(f, c);
    f->next++;
    f->last_end = c->span.end;
}

/* Starts an item at source offset `start`: its comments, a kept blank line. */
static void item(Fmt *f, uint32_t start)
{
    leading(f, start);
    if (f->last_end && gap_in_source(f, f->last_end, start))
        blank_line(f);
    begin_line(f);
}

static void item_done(Fmt *f, uint32_t start, uint32_t end)
{
    trailing(f, start, end);
    newline(f);
    if (end > f->last_end)
        f->last_end = end;
}

/* ---- literals ---- */
static void source_text(Fmt *f, Span sp)
{
    buf_add(f->out, f->src->text + sp.start, sp.end - sp.start);
}

static void quoted(Buf *out, const char *s)
{
    buf_addc(out, '"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            buf_printf(out, "\\%c", *s);
        else if (*s == '\n')
            buf_adds(out, "\\n");
        else if (*s == '\t')
            buf_adds(out, "\\t");
        else
            buf_addc(out, *s);
    }
    buf_addc(out, '"');
}

/* ---- expressions ---- */
enum { P_IF = 1, P_DEFAULT, P_OR, P_AND, P_NOT, P_CMP, P_ADD, P_MUL, P_UNARY, P_PRIMARY };

static int prec(const Expr *e)
{
    switch (e->kind) {
    case E_IF: return P_IF;
    case E_CHAIN: return P_CMP;
    case E_UNARY: return e->u.op.op == OP_NOT ? P_NOT : P_UNARY;
    case E_BINARY:
        switch (e->u.op.op) {
        case OP_DEFAULT: return P_DEFAULT;
        case OP_OR: return P_OR;
        case OP_AND: return P_AND;
        case OP_ADD: case OP_SUB: return P_ADD;
        default: return P_MUL;
        }
    default: return P_PRIMARY;
    }
}

static void expr(Fmt *f, const Expr *e);

static void sub(Fmt *f, const Expr *e, int need)
{
    bool paren = prec(e) < need;
    if (paren)
        buf_addc(f->out, '(');
    expr(f, e);
    if (paren)
        buf_addc(f->out, ')');
}

static void call(Fmt *f, const Expr *e)
{
    buf_printf(f->out, "%s(", e->u.call.fn.s);
    if (e->u.call.distinct)
        buf_adds(f->out, "distinct ");
    for (uint32_t i = 0; i < e->u.call.nargs; i++) {
        const Arg *a = &e->u.call.args[i];
        if (i)
            buf_adds(f->out, ", ");
        if (a->name.s)
            buf_printf(f->out, "%s: ", a->name.s);
        expr(f, a->value);
    }
    if (e->u.call.from.s)
        buf_printf(f->out, "%sfrom %s", e->u.call.nargs ? " " : "", e->u.call.from.s);
    if (e->u.call.where) {
        buf_adds(f->out, " where ");
        expr(f, e->u.call.where);
    }
    buf_addc(f->out, ')');
}

/* Rows one a line, the arrows of the rows aligned. */
static void bands(Fmt *f, const Expr *e)
{
    buf_adds(f->out, "bands {");
    f->line_open = true;
    f->indent++;
    uint32_t n = e->u.bands.n;
    size_t *width = kpi_calloc(n ? n : 1, sizeof(size_t));
    Buf *conds = kpi_calloc(n ? n : 1, sizeof(Buf));
    size_t widest = 0;
    for (uint32_t i = 0; i < n; i++) {
        Buf *saved = f->out;
        f->out = &conds[i];
        if (e->u.bands.rows[i].cond)
            expr(f, e->u.bands.rows[i].cond);
        else
            buf_adds(f->out, "else");
        f->out = saved;
        buf_cstr(&conds[i]);
        width[i] = utf8_width(conds[i].data, conds[i].len);
        if (width[i] > widest)
            widest = width[i];
    }
    uint32_t saved_end = f->last_end;
    f->last_end = 0; /* no blank line before the first row */
    for (uint32_t i = 0; i < n; i++) {
        const BandRow *r = &e->u.bands.rows[i];
        item(f, r->span.start);
        buf_add(f->out, conds[i].data, conds[i].len);
        buf_pad(f->out, ' ', widest - width[i] + 1);
        buf_adds(f->out, "-> ");
        expr(f, r->value);
        item_done(f, r->span.start, r->span.end);
        buf_free(&conds[i]);
    }
    leading(f, e->span.end);
    if (f->last_end < saved_end)
        f->last_end = saved_end;
    f->indent--;
    begin_line(f);
    buf_addc(f->out, '}');
    kpi_free(width);
    kpi_free(conds);
}

static void expr(Fmt *f, const Expr *e)
{
    switch (e->kind) {
    case E_NUM:
    case E_STR: source_text(f, e->span); break;
    case E_BOOL: buf_adds(f->out, e->u.boolean ? "true" : "false"); break;
    case E_BLANK: buf_adds(f->out, "blank"); break;
    case E_NAME: buf_adds(f->out, e->u.name.s); break;
    case E_FIELD: buf_printf(f->out, "%s.%s", e->u.field.base.s, e->u.field.field.s); break;
    case E_RANGE: buf_printf(f->out, "%s..%s", e->u.field.base.s, e->u.field.field.s); break;
    case E_UNARY:
        buf_adds(f->out, e->u.op.op == OP_NOT ? "not " : op_text(e->u.op.op));
        /* a sign before a sign gets parentheses: -(-2), not --2 */
        sub(f, e->u.op.a, e->u.op.op == OP_NOT ? P_NOT : e->u.op.a->kind == E_UNARY ? P_PRIMARY : P_UNARY);
        break;
    case E_BINARY: {
        int p = prec(e);
        sub(f, e->u.op.a, p);
        buf_printf(f->out, " %s ", op_text(e->u.op.op));
        sub(f, e->u.op.b, p + 1);
        break;
    }
    case E_CHAIN:
        for (uint32_t i = 0; i < e->u.chain.n; i++) {
            if (i)
                buf_printf(f->out, " %s ", op_text(e->u.chain.ops[i - 1]));
            sub(f, e->u.chain.terms[i], P_ADD);
        }
        break;
    case E_IF:
        buf_adds(f->out, "if ");
        expr(f, e->u.cond.cond);
        buf_adds(f->out, " then ");
        sub(f, e->u.cond.then, P_DEFAULT);
        buf_adds(f->out, " else ");
        expr(f, e->u.cond.els);
        break;
    case E_CALL: call(f, e); break;
    case E_BANDS: bands(f, e); break;
    }
}

/* ---- declarations ---- */
static void label(Fmt *f, const char *l)
{
    if (l) {
        buf_addc(f->out, ' ');
        quoted(f->out, l);
    }
}

static void setting(Fmt *f, const Setting *s)
{
    buf_printf(f->out, "%s ", s->key.s);
    if (s->word.s)
        buf_adds(f->out, s->word.s);
    else
        quoted(f->out, s->str);
}

/* The names of one column declaration: q1..q10, or a, b, c. */
static uint32_t column_names(Fmt *f, const ColumnDecl *cols, uint32_t i, uint32_t n)
{
    uint32_t j = i;
    while (j + 1 < n && cols[j + 1].group == cols[i].group)
        j++;
    bool as_range = false;
    if (cols[i].range && j > i) {
        Arena a;
        arena_init(&a);
        Name *names;
        uint32_t count;
        char err[200];
        as_range = ast_expand_range(&a, cols[i].name, cols[j].name, &names, &count, err, sizeof err) &&
                   count == j - i + 1;
        for (uint32_t k = 0; as_range && k < count; k++)
            as_range = strcmp(names[k].s, cols[i + k].name.s) == 0;
        arena_free(&a);
    }
    if (as_range)
        buf_printf(f->out, "%s..%s", cols[i].name.s, cols[j].name.s);
    else
        for (uint32_t k = i; k <= j; k++)
            buf_printf(f->out, "%s%s", k > i ? ", " : "", cols[k].name.s);
    return j;
}

static void column(Fmt *f, const ColumnDecl *cols, uint32_t *i, uint32_t n, size_t role_width)
{
    const ColumnDecl *c = &cols[*i];
    uint32_t start = c->role ? c->role_span.start : c->span.start;
    item(f, start);
    if (c->role) {
        buf_adds(f->out, col_role_name(c->role));
        buf_pad(f->out, ' ', role_width - strlen(col_role_name(c->role)) + 1);
    }
    *i = column_names(f, cols, *i, n);
    buf_printf(f->out, ": %s", c->type.s);
    if (c->type_arg >= 0)
        buf_printf(f->out, "(%d)", c->type_arg);
    if (c->header) {
        buf_addc(f->out, ' ');
        quoted(f->out, c->header);
    }
    if (c->flag.s)
        buf_printf(f->out, " %s", c->flag.s);
    if (c->empty.s)
        buf_printf(f->out, " empty %s", c->empty.s);
    item_done(f, start, cols[*i].span.end);
}

/* Settings and columns in the order they were written. */
static void table_body(Fmt *f, const Decl *d)
{
    uint32_t si = 0, ci = 0, ns = d->u.table.nsettings, nc = d->u.table.ncols;
    size_t role_width = 0; /* the names after role words line up */
    for (uint32_t k = 0; k < nc; k++)
        if (d->u.table.cols[k].role && strlen(col_role_name(d->u.table.cols[k].role)) > role_width)
            role_width = strlen(col_role_name(d->u.table.cols[k].role));
    while (si < ns || ci < nc) {
        const Setting *s = si < ns ? &d->u.table.settings[si] : NULL;
        const ColumnDecl *c = ci < nc ? &d->u.table.cols[ci] : NULL;
        uint32_t cstart = c ? (c->role ? c->role_span.start : c->span.start) : UINT32_MAX;
        if (s && s->key.span.start < cstart) {
            item(f, s->key.span.start);
            setting(f, s);
            item_done(f, s->key.span.start, s->value_span.end);
            si++;
        } else {
            column(f, d->u.table.cols, &ci, nc, role_width);
            ci++;
        }
    }
}

static size_t name_width(const char *s) { return utf8_width(s, strlen(s)); }

/* Fields of a block with their = aligned. */
static void fields(Fmt *f, const Field *fs, uint32_t n)
{
    size_t widest = 0;
    for (uint32_t i = 0; i < n; i++)
        if (name_width(fs[i].name.s) > widest)
            widest = name_width(fs[i].name.s);
    for (uint32_t i = 0; i < n; i++) {
        item(f, fs[i].span.start);
        buf_adds(f->out, fs[i].name.s);
        buf_pad(f->out, ' ', widest - name_width(fs[i].name.s));
        buf_adds(f->out, " = ");
        expr(f, fs[i].value);
        item_done(f, fs[i].span.start, fs[i].span.end);
    }
}

static void roles_body(Fmt *f, const Decl *d)
{
    for (uint32_t i = 0; i < d->u.roles.n; i++) {
        const RoleEntry *e = &d->u.roles.entries[i];
        item(f, e->span.start);
        if (e->key)
            quoted(f->out, e->key);
        else
            buf_adds(f->out, "else");
        buf_adds(f->out, ": ");
        for (uint32_t k = 0; k < e->n; k++) {
            buf_printf(f->out, "%s%s", k ? ", " : "", e->items[k].indicator.s);
            if (e->items[k].weight) {
                buf_addc(f->out, ' ');
                sub(f, e->items[k].weight, P_PRIMARY);
            }
        }
        item_done(f, e->span.start, e->span.end);
    }
}

static void open_block(Fmt *f)
{
    buf_adds(f->out, " {");
    f->indent++;
}

static void close_block(Fmt *f, const Decl *d)
{
    leading(f, d->span.end - 1);
    f->indent--;
    begin_line(f);
    buf_addc(f->out, '}');
}

static bool is_block(const Decl *d)
{
    switch (d->kind) {
    case D_TABLE: case D_INDICATOR: case D_TEAM: case D_ROLES: case D_TEST: return true;
    case D_LET: case D_PARAM: return d->u.value->kind == E_BANDS;
    case D_SCALE: return d->u.scale.body->kind == E_BANDS;
    case D_RESULT: return d->u.result.value->kind == E_BANDS;
    default: return false;
    }
}

static void scale_head(Fmt *f, const Decl *d)
{
    buf_printf(f->out, "scale %s(", d->name.s);
    for (uint32_t i = 0; i < d->u.scale.nparams; i++) {
        const Param *p = &d->u.scale.params[i];
        buf_printf(f->out, "%s%s", i ? ", " : "", p->name.s);
        if (p->dflt) {
            buf_adds(f->out, " = ");
            expr(f, p->dflt);
        }
    }
    buf_adds(f->out, ") = ");
    expr(f, d->u.scale.body);
}

/* ---- tests ---- */
/* Dates and periods are written as in the source, less spaces: the parser
 * reads 2026-10-05 as subtractions. */
static void test_value(Fmt *f, const Expr *e, bool period)
{
    char t[64];
    bool literal = period ? e->kind != E_STR : ast_is_date_literal(e, f->src->text);
    if (literal && ast_literal_text(e, f->src->text, t, sizeof t))
        buf_adds(f->out, t);
    else
        expr(f, e);
}

static void test_row(Fmt *f, const TestItem *t)
{
    buf_printf(f->out, "row %s {", t->table.s);
    for (uint32_t k = 0; k < t->ncells; k++) {
        buf_printf(f->out, "%s %s: ", k ? "," : "", t->cells[k].col.s);
        test_value(f, t->cells[k].value, false);
    }
    buf_adds(f->out, t->ncells ? " }" : "}");
}

static void test_body(Fmt *f, const Decl *d)
{
    for (uint32_t i = 0; i < d->u.test.n; i++) {
        const TestItem *t = &d->u.test.items[i];
        item(f, t->span.start);
        if (t->kind == TI_ROW) {
            test_row(f, t);
        } else {
            buf_printf(f->out, "%s ", test_item_word((TestItemKind)t->kind));
            if (t->target) {
                expr(f, t->target);
                buf_adds(f->out, t->approx ? " ~ " : " = ");
            }
            test_value(f, t->value, t->kind == TI_PERIOD);
        }
        item_done(f, t->span.start, t->span.end);
    }
}

static void decl_body(Fmt *f, const Decl *d)
{
    switch (d->kind) {
    case D_SCHEME: buf_adds(f->out, "scheme "); quoted(f->out, d->u.scheme_name); break;
    case D_SETTING: setting(f, &d->u.setting); break;
    case D_IMPORT:
        buf_adds(f->out, "import ");
        for (uint32_t i = 0; i < d->u.import.n; i++)
            buf_printf(f->out, "%s%s", i ? ", " : "", d->u.import.modules[i].s);
        break;
    case D_PARAM:
    case D_LET:
        buf_printf(f->out, "%s %s", d->kind == D_PARAM ? "param" : "let", d->name.s);
        label(f, d->label);
        buf_adds(f->out, " = ");
        expr(f, d->u.value);
        break;
    case D_TABLE:
        buf_printf(f->out, "%s %s from ", table_kind_name(d->u.table.kind), d->name.s);
        quoted(f->out, d->u.table.file);
        open_block(f);
        table_body(f, d);
        close_block(f, d);
        break;
    case D_INDICATOR:
        buf_printf(f->out, "indicator %s", d->name.s);
        label(f, d->label);
        open_block(f);
        fields(f, d->u.ind.fields, d->u.ind.nfields);
        if (d->u.ind.gate) {
            item(f, d->u.ind.gate_span.start);
            buf_adds(f->out, "only if ");
            expr(f, d->u.ind.gate);
            item_done(f, d->u.ind.gate_span.start, d->u.ind.gate_span.end);
        }
        close_block(f, d);
        break;
    case D_SCALE: scale_head(f, d); break;
    case D_TEAM:
        buf_printf(f->out, "team %s", d->name.s);
        label(f, d->label);
        if (d->u.team.by) {
            buf_adds(f->out, " by ");
            expr(f, d->u.team.by);
        }
        open_block(f);
        fields(f, d->u.team.fields, d->u.team.nfields);
        close_block(f, d);
        break;
    case D_ROLES:
        buf_adds(f->out, "roles by ");
        expr(f, d->u.roles.by);
        open_block(f);
        roles_body(f, d);
        close_block(f, d);
        break;
    case D_RESULT:
        buf_printf(f->out, "%s = ", result_name(d->u.result.which));
        expr(f, d->u.result.value);
        break;
    case D_TEST:
        buf_adds(f->out, "test ");
        quoted(f->out, d->label ? d->label : "");
        open_block(f);
        test_body(f, d);
        close_block(f, d);
        break;
    }
}

void format_ast(const Ast *ast, const Source *src, Buf *out)
{
    Fmt f = {ast, src, out, 0, 0, 0, false};
    const Decl *prev = NULL;
    for (uint32_t i = 0; i < ast->ndecls; i++) {
        const Decl *d = ast->decls[i];
        /* a block is set apart, together with the comments right above it */
        uint32_t first = f.next < ast->ncomments && ast->comments[f.next].span.start < d->span.start
                             ? ast->comments[f.next].span.start : d->span.start;
        if (prev && (is_block(prev) || is_block(d) || gap_in_source(&f, f.last_end, first)))
            blank_line(&f);
        uint32_t before = f.last_end;
        leading(&f, d->span.start);
        if (f.last_end != before && gap_in_source(&f, f.last_end, d->span.start))
            blank_line(&f); /* a section comment set apart from what follows */
        begin_line(&f);
        decl_body(&f, d);
        uint32_t start = d->span.start;
        f.last_end = d->span.end > f.last_end ? d->span.end : f.last_end;
        trailing(&f, start, d->span.end);
        newline(&f);
        prev = d;
    }
    f.last_end = f.last_end ? f.last_end : 0;
    leading(&f, UINT32_MAX);
    if (f.line_open)
        newline(&f);
}
