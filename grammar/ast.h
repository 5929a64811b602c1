/* ast.h - the syntax tree of a .kpi scheme.
 * Nodes live in the compilation's arena; every node carries its Span. The
 * tree keeps the source's shape (chained comparisons, band rows, labels,
 * comments on the side) so a formatter and an explainer can stand on it. */
#ifndef KPI_AST_H
#define KPI_AST_H
#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/limits.h"
#include "base/source.h"
#include "vm/num.h"

typedef struct Name {
    const char *s;   /* NUL-terminated, UTF-8 */
    Span        span;
} Name;

/* ---- expressions -------------------------------------------------------- */
typedef enum ExprKind {
    E_NUM,      /* 12.5, 110%                    num            */
    E_STR,      /* "закрыта"                     str            */
    E_BOOL,     /* true / false                  boolean        */
    E_BLANK,    /* blank                                         */
    E_NAME,     /* revenue, fact                 name           */
    E_FIELD,    /* plan.revenue, margin.index    name . field   */
    E_UNARY,    /* -x, not x                     op, a          */
    E_BINARY,   /* a + b, a and b, a default b   op, a, b       */
    E_CHAIN,    /* 90% <= x < 100%               chain          */
    E_IF,       /* if c then a else b            cond, a, b     */
    E_CALL,     /* min(a, b), sum(x from t where c)  call       */
    E_BANDS,    /* bands { cond -> value ... }   bands          */
    E_RANGE     /* q1..q18 (only as a call argument)  name, field */
} ExprKind;

typedef enum Op {
    OP_NEG, OP_NOT, OP_POS,
    OP_ADD, OP_SUB, OP_MUL, OP_DIV,
    OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE,
    OP_AND, OP_OR, OP_DEFAULT
} Op;

const char *op_text(Op op);

typedef struct Expr Expr;

typedef struct Arg {
    Name  name;      /* .s NULL for a positional argument */
    Expr *value;
} Arg;

typedef struct BandRow {
    Expr *cond;      /* NULL for the else row */
    Expr *value;
    Span  span;      /* the whole row */
} BandRow;

struct Expr {
    ExprKind kind;
    Span     span;
    uint16_t depth;  /* 1 + deepest child; bounded by KPI_MAX_EXPR_DEPTH */
    union {
        struct { Rat value; bool percent; } num;
        struct { const char *s; uint32_t len; } str;
        bool boolean;
        Name name;                                  /* E_NAME */
        struct { Name base, field; } field;         /* E_FIELD, E_RANGE */
        struct { Op op; Expr *a, *b; } op;          /* E_UNARY (b NULL), E_BINARY */
        struct { uint32_t n; Expr **terms; Op *ops; } chain; /* n terms, n-1 ops */
        struct { Expr *cond, *then, *els; } cond;   /* E_IF */
        struct {
            Name     fn;
            uint32_t nargs;
            Arg     *args;
            bool     distinct;      /* count(distinct x from t) */
            Name     from;          /* .s NULL when absent */
            Expr    *where;         /* NULL when absent */
        } call;
        struct { uint32_t n; BandRow *rows; } bands;
    } u;
};

/* ---- declarations ------------------------------------------------------- */
typedef enum DeclKind {
    D_SCHEME,     /* scheme "name"                         */
    D_SETTING,    /* period month; rounding half_even; currency "RUB" */
    D_IMPORT,     /* import scales                         */
    D_PARAM,      /* param rate "label" = 90               */
    D_LET,        /* let x "label" = expr                  */
    D_TABLE,      /* roster|plans|facts NAME from "f.csv" { ... } */
    D_INDICATOR,  /* indicator NAME "label" { field = expr ... } */
    D_SCALE,      /* scale NAME(x, p = 1) = expr           */
    D_TEAM,       /* team NAME by expr { field = agg(...) } */
    D_ROLES,      /* roles by expr { "key": ind 40%, ... }  */
    D_RESULT,     /* kpi = ..., bonus = ..., payout = ...   */
    D_TEST        /* test "name" { given ...; row ...; expect ... } */
} DeclKind;

typedef enum TableKind { TABLE_ROSTER, TABLE_PLANS, TABLE_FACTS } TableKind;

typedef enum ColRole {
    ROLE_NONE, ROLE_EMPLOYEE, ROLE_DATE, ROLE_PERIOD, ROLE_DEPARTMENT, ROLE_NAME
} ColRole;

typedef struct Setting {       /* a "word value" line: format ru, delimiter ";" */
    Name  key;
    Name  word;                /* .s set when the value is a word */
    const char *str;           /* set when the value is a string */
    Span  value_span;
} Setting;

typedef struct ColumnDecl {
    ColRole role;
    Span    role_span;
    Name    name;
    Name    type;
    int     type_arg;          /* decimal(4): 4; -1 when absent */
    const char *header;        /* CSV header text; NULL = same as name */
    Name    empty;             /* per-column "empty zero"; .s NULL when absent */
    Name    flag;              /* "nonzero"; .s NULL when absent */
    Span    span;
    uint32_t group;            /* columns declared together share it */
    bool    range;             /* the group was written q1..q10 */
} ColumnDecl;

typedef struct Field {          /* name = expr inside a block */
    Name  name;
    Expr *value;
    Span  span;
} Field;

typedef struct Param {          /* a scale parameter */
    Name  name;
    Expr *dflt;                 /* NULL when required */
} Param;

typedef struct RoleItem {
    Name  indicator;
    Expr *weight;               /* NULL: the indicator's own weight */
} RoleItem;

typedef struct RoleEntry {
    const char *key;            /* NULL for else */
    Span        span;
    uint32_t    n;
    RoleItem   *items;
} RoleEntry;

typedef enum ResultKind { RESULT_KPI, RESULT_BONUS, RESULT_PAYOUT } ResultKind;

/* A statement of a test block (scheme tests, `kpirun test`). */
typedef enum TestItemKind { TI_PERIOD, TI_EMPLOYEE, TI_GIVEN, TI_ROW, TI_EXPECT } TestItemKind;

typedef struct RowCell {        /* column: value, in a row of a test */
    Name  col;
    Expr *value;
} RowCell;

typedef struct TestItem {
    uint8_t  kind;              /* TestItemKind */
    bool     approx;            /* expect NAME ~ VALUE */
    Span     span;              /* the whole statement */
    Expr    *target;            /* given/expect: the name (E_NAME or E_FIELD) */
    Expr    *value;             /* the value (period, employee, given, expect) */
    Name     table;             /* row */
    uint32_t ncells;
    RowCell *cells;
} TestItem;

typedef struct Decl Decl;
struct Decl {
    DeclKind kind;
    Span     span;
    Name     name;           /* declared name, when the kind has one */
    const char *label;       /* human label, NULL when absent */
    union {
        const char *scheme_name;
        Setting     setting;
        struct { uint32_t n; Name *modules; } import;
        Expr       *value;                     /* D_PARAM, D_LET */
        struct {
            TableKind   kind;
            const char *file;
            Span        file_span;
            uint32_t    nsettings, ncols;
            Setting    *settings;
            ColumnDecl *cols;
        } table;
        struct {
            uint32_t nfields;
            Field   *fields;
            Expr    *gate;           /* only if ...; NULL when absent */
            Span     gate_span;
        } ind;
        struct { uint32_t nparams; Param *params; Expr *body; } scale;
        struct { Expr *by; uint32_t nfields; Field *fields; } team;
        struct { Expr *by; uint32_t n; RoleEntry *entries; } roles;
        struct { ResultKind which; Expr *value; } result;
        struct { uint32_t n; TestItem *items; } test;  /* the title is the label */
    } u;
};

typedef struct Comment {
    Span span;               /* from '#' to the end of the line */
} Comment;

typedef struct Ast {
    uint16_t  file;
    uint32_t  ndecls;
    Decl    **decls;
    uint32_t  ncomments;
    Comment  *comments;
} Ast;

/* Constructors used by the parser (all memory from the arena). */
Expr *ast_expr(Arena *a, ExprKind kind, Span span);
Expr *ast_unary(Arena *a, Op op, Expr *x, Span span);
Expr *ast_binary(Arena *a, Op op, Expr *l, Expr *r, Span span);
uint16_t ast_depth_of(const Expr *e);

/* q1..q18 -> q1, q2, ..., q18: two names with one stem and numbered
 * suffixes, counting up, at most KPI_MAX_RANGE names. false with a message. */
bool ast_expand_range(Arena *a, Name from, Name to, Name **out, uint32_t *n, char *err, size_t errlen);

/* A growable list during parsing, copied to the arena when done. */
typedef struct PtrList {
    void   **items;
    uint32_t n, cap;
} PtrList;
void ptrlist_push(Arena *a, PtrList *l, void *p);

/* Writes an indented dump of the tree (kpic ast), for debugging and tests. */
struct Buf;
void ast_dump(const Ast *ast, struct Buf *out);
void ast_dump_expr(const Expr *e, struct Buf *out);
const char *table_kind_name(TableKind k);
const char *col_role_name(ColRole r);
const char *result_name(ResultKind k);
const char *test_item_word(TestItemKind k);

/* The literals a test (or --set) gives beside those of expressions: a date
 * 2026-10-05 and a period 2026-10 are read from their source text, which the
 * parser sees as subtractions. The text with spaces removed goes to buf;
 * false when e cannot be one. */
bool ast_literal_text(const Expr *e, const char *src, char *buf, size_t cap);
bool ast_is_date_literal(const Expr *e, const char *src);

#endif
