/* tables.c - input declarations (roster, plans, facts) -> TableSpecs:
 * column types and roles, and each file's CSV dialect. */
#include "compiler/tables.h"
#include "compiler/suggest.h"

#include <string.h>

_Static_assert((int)TABLE_ROSTER == TABLE_KIND_ROSTER && (int)TABLE_PLANS == TABLE_KIND_PLANS &&
                   (int)TABLE_FACTS == TABLE_KIND_FACTS, "table kinds agree");
_Static_assert((int)ROLE_EMPLOYEE == COLROLE_EMPLOYEE && (int)ROLE_DATE == COLROLE_DATE &&
                   (int)ROLE_PERIOD == COLROLE_PERIOD && (int)ROLE_DEPARTMENT == COLROLE_DEPARTMENT &&
                   (int)ROLE_NAME == COLROLE_NAME, "column roles agree");

#define DECIMAL_DEFAULT_SCALE 6
#define SCORE_SCALE 4
#define UNIT_SCALE 4   /* hours and days: 1,5 h; 0,25 days */

typedef struct TypeInfo {
    const char *name;
    ColType     type;
    int         scale;
} TypeInfo;

static const TypeInfo types[] = {
    {"text", COL_TEXT, 0},       {"integer", COL_INTEGER, 0}, {"decimal", COL_DECIMAL, DECIMAL_DEFAULT_SCALE},
    {"money", COL_MONEY, 2},     {"bool", COL_BOOL, 0},       {"date", COL_DATE, 0},
    {"score", COL_SCORE, SCORE_SCALE}, {"period", COL_PERIOD, 0},
    {"hours", COL_HOURS, UNIT_SCALE},  {"days", COL_DAYS, UNIT_SCALE},
};

static Dialect default_dialect(void)
{
    Dialect d = {',', {'.', 0}, DATE_ISO, EMPTY_BLANK};
    return d;
}

static void bad_value(Sema *s, const Setting *st, const char *what, const char *allowed)
{
    Diag *g = diag_at(s->diags, K_UNKNOWN_SETTING, st->value_span, "'%s' is not a valid %s",
                      st->word.s ? st->word.s : st->str, what);
    diag_note(g, "help", "%s", allowed);
}

static bool one_char(const char *str, const char *allowed, char *out)
{
    if (strcmp(str, "\\t") == 0 || strcmp(str, "\t") == 0) {
        *out = '\t';
        return strchr(allowed, '\t') != NULL;
    }
    if (str[0] == '\0') {
        *out = 0;
        return strchr(allowed, 'N') != NULL; /* N: "none" is allowed */
    }
    if (strlen(str) != 1 || !strchr(allowed, str[0]))
        return false;
    *out = str[0];
    return true;
}

static bool apply_setting(Sema *s, Dialect *d, const Setting *st)
{
    const char *key = st->key.s;
    const char *w = st->word.s;
    const char *str = st->str;
    if (strcmp(key, "format") == 0 && w) {
        if (strcmp(w, "ru") == 0) {
            d->delimiter = ';';
            d->num.decimal_point = ',';
            d->num.thousands = ' ';
            d->date = DATE_DMY;
        } else if (strcmp(w, "iso") == 0) {
            d->delimiter = ',';
            d->num.decimal_point = '.';
            d->num.thousands = 0;
            d->date = DATE_ISO;
        } else {
            bad_value(s, st, "format", "use 'format ru' (; , DD.MM.YYYY) or 'format iso' (, . YYYY-MM-DD)");
        }
        return true;
    }
    if (strcmp(key, "delimiter") == 0 && str) {
        if (!one_char(str, ",;\t|", &d->delimiter))
            bad_value(s, st, "delimiter", "use \",\", \";\", \"|\" or \"\\t\"");
        return true;
    }
    if (strcmp(key, "decimal") == 0 && str) {
        if (!one_char(str, ".,", &d->num.decimal_point))
            bad_value(s, st, "decimal point", "use \".\" or \",\"");
        return true;
    }
    if (strcmp(key, "thousands") == 0 && str) {
        if (!one_char(str, " .,'N", &d->num.thousands))
            bad_value(s, st, "thousands separator", "use \" \", \".\", \",\", \"'\" or \"\" for none");
        return true;
    }
    if (strcmp(key, "dates") == 0 && str) {
        if (strcmp(str, "DD.MM.YYYY") == 0)
            d->date = DATE_DMY;
        else if (strcmp(str, "YYYY-MM-DD") == 0)
            d->date = DATE_ISO;
        else
            bad_value(s, st, "date format", "use \"DD.MM.YYYY\" or \"YYYY-MM-DD\"");
        return true;
    }
    if (strcmp(key, "empty") == 0 && w) {
        uint8_t e;
        if (empty_meaning(w, &e))
            d->empty = (EmptyMeaning)e;
        else
            bad_value(s, st, "meaning of an empty cell", "use blank, zero or error");
        return true;
    }
    return false;
}

bool empty_meaning(const char *w, uint8_t *out)
{
    static const char *const names[] = {"blank", "zero", "error"};
    for (uint8_t i = 0; i < 3; i++)
        if (strcmp(w, names[i]) == 0) {
            *out = i;
            return true;
        }
    return false;
}

static void unknown_setting(Sema *s, const Setting *st)
{
    static const char *const keys[] = {"format", "delimiter", "decimal", "thousands", "dates", "empty"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strcmp(st->key.s, keys[i]) == 0) { /* known, but a word where a text is due or back */
            bool wants_word = i == 0 || i == 5;
            diag_note(diag_at(s->diags, K_UNKNOWN_SETTING, st->value_span, "%s takes %s", keys[i],
                              wants_word ? "a word, not a text in quotes" : "a text in quotes"),
                      "help", "%s", i == 0 ? "format ru, or format iso" : i == 5 ? "empty blank, empty zero or empty error"
                                  : i == 1 ? "delimiter \";\"" : i == 2 ? "decimal \",\"" : i == 3 ? "thousands \" \""
                                  : "dates \"DD.MM.YYYY\"");
            return;
        }
    Diag *g = diag_at(s->diags, K_UNKNOWN_SETTING, st->key.span, "unknown table setting '%s'", st->key.s);
    Suggest sg;
    suggest_init(&sg, st->key.s);
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        suggest_offer(&sg, keys[i]);
    if (sg.best)
        diag_note(g, "help", "did you mean '%s'?", sg.best);
    else
        diag_note(g, "help", "a table may set format, delimiter, decimal, thousands, dates and empty");
}

static bool column_type(Sema *s, const ColumnDecl *c, ColumnSpec *out)
{
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        if (strcmp(c->type.s, types[i].name) != 0)
            continue;
        out->type = (uint8_t)types[i].type;
        out->scale = (uint8_t)types[i].scale;
        if (c->type_arg >= 0) {
            if (types[i].type != COL_DECIMAL || c->type_arg > 18) {
                diag_at(s->diags, K_UNKNOWN_SETTING, c->type.span,
                        types[i].type == COL_DECIMAL ? "decimal places must be between 0 and 18"
                                                     : "only decimal takes a number of places");
                return false;
            }
            out->scale = (uint8_t)c->type_arg;
        }
        return true;
    }
    Diag *g = diag_at(s->diags, K_UNKNOWN_SETTING, c->type.span, "unknown column type '%s'", c->type.s);
    Suggest sg;
    suggest_init(&sg, c->type.s);
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        suggest_offer(&sg, types[i].name);
    if (sg.best)
        diag_note(g, "help", "did you mean '%s'?", sg.best);
    else
        diag_note(g, "help", "types: text, integer, decimal, decimal(N), money, bool, date, score, period, "
                             "hours, days");
    return false;
}

/* Which roles each kind of table may (and must) have. */
static void check_roles(Sema *s, const Decl *d, TableSpec *t)
{
    TableKind k = (TableKind)t->kind;
    const char *kind = table_kind_name(k);
    Span sp = d->name.span;
    if (k != TABLE_PLANS && t->key_col < 0)
        diag_note(diag_at(s->diags, K_TABLE_SHAPE, sp, "%s table '%s' has no employee column", kind, t->name),
                  "help", "mark the column with the employee id: employee id: text");
    if (k == TABLE_FACTS && t->date_col < 0)
        diag_note(diag_at(s->diags, K_TABLE_SHAPE, sp, "facts table '%s' has no date column", t->name),
                  "help", "mark the column that places a row in a period: date closed_on: date");
    if (k == TABLE_PLANS && t->key_col < 0 && t->dept_col < 0)
        diag_note(diag_at(s->diags, K_TABLE_SHAPE, sp, "plans table '%s' has no key column", t->name),
                  "help", "mark the column the plans are for: employee id: text, or department dept: text");
    if (k == TABLE_PLANS && t->key_col >= 0 && t->dept_col >= 0)
        diag_at(s->diags, K_TABLE_SHAPE, sp,
                "plans table '%s' is keyed by employee and by department; choose one", t->name);
    t->key_role = t->key_col >= 0 ? ROLE_EMPLOYEE : ROLE_DEPARTMENT;
}

static void check_role_column(Sema *s, const ColumnDecl *c, TableSpec *t, int32_t idx)
{
    TableKind k = (TableKind)t->kind;
    ColType ty = (ColType)t->cols[idx].type;
    int32_t *slot = NULL;
    ColType want = COL_TEXT;
    bool allowed = true;
    switch ((ColRole)c->role) {
    case ROLE_EMPLOYEE: slot = &t->key_col; break;
    case ROLE_DEPARTMENT: slot = &t->dept_col; allowed = k != TABLE_FACTS; break;
    case ROLE_NAME: slot = &t->name_col; allowed = k == TABLE_ROSTER; break;
    case ROLE_DATE: slot = &t->date_col; want = COL_DATE; allowed = k == TABLE_FACTS; break;
    case ROLE_PERIOD: slot = &t->period_col; want = COL_PERIOD; allowed = k == TABLE_PLANS; break;
    default: return;
    }
    const char *role = col_role_name((ColRole)c->role);
    if (!allowed) {
        diag_at(s->diags, K_TABLE_SHAPE, c->role_span, "a %s table has no %s column",
                table_kind_name(k), role);
        return;
    }
    if (*slot >= 0) {
        diag_at(s->diags, K_TABLE_SHAPE, c->role_span, "table '%s' has two %s columns", t->name, role);
        return;
    }
    if (ty != want) {
        Diag *g = diag_at(s->diags, K_TABLE_SHAPE, c->type.span, "the %s column must be of type %s", role,
                          col_type_name(want));
        if (want == COL_TEXT)
            diag_note(g, "help", "ids are compared as they are written");
    }
    *slot = idx;
    t->cols[idx].used = 1;
}

static void declare_columns(Sema *s, const Decl *d, TableSpec *t)
{
    t->ncols = d->u.table.ncols;
    t->cols = arena_alloc(s->arena, sizeof(ColumnSpec) * (t->ncols ? t->ncols : 1));
    for (uint32_t i = 0; i < t->ncols; i++) {
        const ColumnDecl *c = &d->u.table.cols[i];
        ColumnSpec *col = &t->cols[i];
        col->name = (char *)c->name.s;
        col->header = (char *)(c->header ? c->header : c->name.s);
        col->role = (uint8_t)c->role;
        col->empty = t->dialect.empty;
        column_type(s, c, col);
        if (col->type == COL_PERIOD && t->kind != TABLE_PLANS)
            diag_note(diag_at(s->diags, K_TABLE_SHAPE, c->type.span, "a period column belongs in a plans table"),
                      "help", "in a %s table, declare it as text or date", table_kind_name((TableKind)t->kind));
        if (col->type == COL_SCORE && col->empty == EMPTY_ZERO)
            col->empty = EMPTY_BLANK; /* a blank score means "did not apply" */
        if (c->flag.s && strcmp(c->flag.s, "nonzero") == 0 && col_value_type((ColType)col->type) == T_NUM)
            col->nonzero = 1;
        else if (c->flag.s)
            diag_note(diag_at(s->diags, K_UNKNOWN_SETTING, c->flag.span, "'%s' is not a column option",
                              c->flag.s),
                      "help", "a number column may be marked nonzero; any column may say empty blank|zero|error");
        if (c->empty.s && !empty_meaning(c->empty.s, &col->empty))
            diag_note(diag_at(s->diags, K_UNKNOWN_SETTING, c->empty.span, "'%s' is not a meaning of an empty cell",
                              c->empty.s),
                      "help", "use blank, zero or error");
        if (col->nonzero && col->empty == EMPTY_ZERO)
            diag_note(diag_at(s->diags, K_TABLE_SHAPE, c->name.span,
                              "column '%s' is nonzero, yet its empty cells would read as zero", col->name),
                      "help", "write empty blank or empty error for this column");
        for (uint32_t j = 0; j < i; j++) {
            if (strcmp(t->cols[j].name, col->name) == 0)
                diag_at(s->diags, K_DUPLICATE, c->name.span, "column '%s' is declared twice", col->name);
            else if (strcmp(t->cols[j].header, col->header) == 0)
                diag_at(s->diags, K_DUPLICATE, c->name.span, "two columns read the header \"%s\"",
                        col->header);
        }
        check_role_column(s, c, t, (int32_t)i);
    }
}

void tables_declare(Sema *s, const Decl *d, uint32_t index)
{
    TableSpec *t = &s->tables[index];
    memset(t, 0, sizeof *t);
    t->name = (char *)d->name.s;
    t->file = (char *)d->u.table.file;
    t->kind = (uint8_t)d->u.table.kind;
    t->key_col = t->date_col = t->period_col = t->dept_col = t->name_col = -1;
    t->span = sema_span(s, d->name.span);
    t->dialect = default_dialect();
    for (uint32_t i = 0; i < d->u.table.nsettings; i++)
        if (!apply_setting(s, &t->dialect, &d->u.table.settings[i]))
            unknown_setting(s, &d->u.table.settings[i]);
    if (t->dialect.num.decimal_point == t->dialect.delimiter)
        diag_note(diag_at(s->diags, K_TABLE_SHAPE, d->name.span,
                          "table '%s' uses '%c' both between fields and as the decimal point", t->name,
                          t->dialect.delimiter),
                  "help", "Russian exports use delimiter \";\" with decimal \",\"");
    declare_columns(s, d, t);
    check_roles(s, d, t);
}

int32_t table_find_col(const TableSpec *t, const char *name)
{
    for (uint32_t i = 0; i < t->ncols; i++)
        if (strcmp(t->cols[i].name, name) == 0)
            return (int32_t)i;
    return -1;
}

void table_unknown_col(Sema *s, const TableSpec *t, Name field)
{
    Diag *g = diag_at(s->diags, K_UNKNOWN_COLUMN, field.span, "table '%s' has no column '%s'", t->name,
                      field.s);
    Suggest sg;
    suggest_init(&sg, field.s);
    Buf list = BUF_INIT;
    for (uint32_t i = 0; i < t->ncols; i++) {
        suggest_offer(&sg, t->cols[i].name);
        buf_printf(&list, "%s%s", i ? ", " : "", t->cols[i].name);
    }
    if (sg.best)
        diag_note(g, "help", "did you mean '%s'?", sg.best);
    diag_note(g, "note", "columns of %s: %s", t->name, t->ncols ? buf_cstr(&list) : "(none)");
    buf_free(&list);
}

const char *col_type_name(ColType t)
{
    static const char *const names[] = {"text", "integer", "decimal", "money", "bool", "date", "score", "period",
                                        "hours", "days"};
    return names[t];
}

TypeKind col_value_type(ColType t)
{
    switch (t) {
    case COL_TEXT: case COL_PERIOD: return T_TEXT;
    case COL_BOOL: return T_BOOL;
    case COL_DATE: return T_DATE;
    default: return T_NUM;
    }
}
