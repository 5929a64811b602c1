/* parser.y - the grammar of .kpi schemes (pure bison parser, no globals).
 * Statements end at a line end (see lexer.l); every block body recovers
 * from a syntax error at the next line end, so one run reports them all. */
%define api.pure full
%define api.prefix {kpi_yy}
%define api.location.type {Span}
%define parse.error custom
%locations
%param {void *scanner}
%parse-param {ParseState *ps}
%expect 0

%code requires {
#include "grammar/ast.h"
#include "grammar/parse.h"
}

%code provides {
int kpi_yylex(KPI_YYSTYPE *lval, Span *lloc, void *scanner);
}

%code {
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"

#define YYMAXDEPTH 20000
#define YYSTACK_USE_ALLOCA 0
#define YYMALLOC kpi_malloc
#define YYFREE kpi_free
#define YYLLOC_DEFAULT(Cur, Rhs, N)                                  \
    do {                                                             \
        if (N) {                                                     \
            (Cur).file = YYRHSLOC(Rhs, 1).file;                      \
            (Cur).start = YYRHSLOC(Rhs, 1).start;                    \
            (Cur).end = YYRHSLOC(Rhs, N).end;                        \
        } else {                                                     \
            (Cur).file = YYRHSLOC(Rhs, 0).file;                      \
            (Cur).start = (Cur).end = YYRHSLOC(Rhs, 0).end;          \
        }                                                            \
    } while (0)

static void kpi_yyerror(Span *loc, void *scanner, ParseState *ps, const char *msg);
static Decl *decl_new(ParseState *ps, DeclKind kind, Span sp);
static Expr *name_expr(ParseState *ps, Name n);
static Expr *field_expr(ParseState *ps, ExprKind kind, Name base, Name field, Span sp);
static Expr *chain_expr(ParseState *ps, Expr *chain, Op op, Expr *rhs, Span sp);
static void *list_array(ParseState *ps, PtrList *l, size_t elem);
static void *copy_item(ParseState *ps, const void *item, size_t size);
static Setting make_setting(Name key, Name word, const char *str, Span vspan);
static void add_columns(ParseState *ps, PtrList *cols, ColRole role, Span role_span,
                        PtrList *names, Name type, int type_arg, const char *header,
                        Name empty, Span sp);
static ColRole role_of(ParseState *ps, Name word);
static Name empty_word_of(ParseState *ps, Name key, Name word);
static Expr *call_expr(ParseState *ps, Name fn, PtrList *args, bool distinct, Name from,
                       Expr *where, Span sp);
static void check_depth(ParseState *ps, Expr *e);
static Decl *test_decl(ParseState *ps, Name word, const char *title, PtrList *items, Span sp);
static void test_stmt(ParseState *ps, PtrList *items, Name word, Expr *e, Expr *approx, Span sp);
static void test_row(ParseState *ps, PtrList *items, Name word, Name table, PtrList *cells, Span sp);
static void cells_add(ParseState *ps, PtrList *cells, Name col, Expr *value);
}

%union {
    Name name;
    struct { Rat value; bool percent; Span span; } num;
    struct { const char *s; uint32_t len; Span span; } str;
    Expr    *expr;
    Decl    *decl;
    PtrList  list;
    Op       op;
    int      ival;
    struct { Name from; Expr *where; } tail;
    struct { Name type; int arg; } type;
    struct { PtrList settings, cols; } tbody;
}

%token <name> IDENT    "name"
%token <num>  NUMBER   "number"
%token <num>  PERCENT  "percentage"
%token <str>  STRING   "text"
%token NL "end of line"
%token ARROW "->" DOTDOT ".." NE "!=" LE "<=" GE ">="
%token KW_AND "and" KW_BANDS "bands" KW_BLANK "blank" KW_BONUS "bonus" KW_BY "by"
%token KW_DEFAULT "default" KW_DISTINCT "distinct" KW_ELSE "else" KW_FACTS "facts"
%token KW_FALSE "false" KW_FROM "from" KW_IF "if" KW_IMPORT "import"
%token KW_INDICATOR "indicator" KW_KPI "kpi" KW_LET "let" KW_NOT "not" KW_OR "or"
%token KW_PARAM "param" KW_PAYOUT "payout" KW_PLANS "plans" KW_ROLES "roles"
%token KW_ROSTER "roster" KW_SCALE "scale" KW_SCHEME "scheme" KW_TEAM "team"
%token KW_THEN "then" KW_TRUE "true" KW_WHERE "where"
%token START_SET "--set"   /* first token when the text is a --set NAME=VALUE */

%type <decl> decl table_decl
%type <expr> expr if_expr default_expr or_expr and_expr not_expr cmp_expr chain
%type <expr> add_expr mul_expr unary primary call bands opt_by role_weight
%type <str>  opt_label
%type <tbody> table_body
%type <list> name_list col_names ind_body field_body roles_body role_refs
%type <list> params param_list band_body arg_list test_body row_body row_cells
%type <op>   cmp_op
%type <ival> table_kind result_kw
%type <tail> call_tail
%type <type> col_type
%type <str>  opt_header
%type <name> opt_empty empty_word field_name

%%

file
    : decls
    | START_SET expr term      { ps->set_expr = $2; }
    | START_SET error
    ;

decls
    : %empty
    | decls term
    | decls decl term          { ptrlist_push(ps->arena, &ps->decls, $2); }
    | decls error term         { yyerrok; }
    ;

term
    : NL
    | ';'
    ;

opt_label
    : %empty                   { $$.s = NULL; $$.len = 0; $$.span = @$; }
    | STRING                   { $$ = $1; }
    ;

decl
    : KW_SCHEME STRING         { $$ = decl_new(ps, D_SCHEME, @$); $$->u.scheme_name = $2.s; }
    | KW_SCHEME IDENT          {
                                 Diag *g = diag_at(ps->diags, K_MISPLACED, @2, "the scheme's name is written in quotes");
                                 diag_note(g, "help", "scheme \"%s\"", $2.s);
                                 $$ = decl_new(ps, D_SCHEME, @$);
                                 $$->u.scheme_name = $2.s;
                               }
    | IDENT IDENT              {
                                 $$ = decl_new(ps, D_SETTING, @$);
                                 $$->u.setting = make_setting($1, $2, NULL, @2);
                               }
    | IDENT STRING             {
                                 $$ = decl_new(ps, D_SETTING, @$);
                                 Name none = {NULL, @2};
                                 $$->u.setting = make_setting($1, none, $2.s, @2);
                               }
    | IDENT '=' expr           {
                                 Diag *g = diag_at(ps->diags, K_MISPLACED, @1,
                                                   "a value is defined with 'let'");
                                 diag_note(g, "help", "write: let %s = ...", $1.s);
                                 $$ = decl_new(ps, D_LET, @$);
                                 $$->name = $1;
                                 $$->u.value = $3;
                               }
    | KW_IMPORT name_list      {
                                 $$ = decl_new(ps, D_IMPORT, @$);
                                 $$->u.import.n = $2.n;
                                 $$->u.import.modules = list_array(ps, &$2, sizeof(Name));
                               }
    | KW_PARAM IDENT opt_label '=' expr {
                                 $$ = decl_new(ps, D_PARAM, @$);
                                 $$->name = $2; $$->label = $3.s; $$->u.value = $5;
                               }
    | KW_LET IDENT opt_label '=' expr {
                                 $$ = decl_new(ps, D_LET, @$);
                                 $$->name = $2; $$->label = $3.s; $$->u.value = $5;
                               }
    | table_decl
    | KW_INDICATOR IDENT opt_label '{' ind_body '}' {
                                 $$ = decl_new(ps, D_INDICATOR, @$);
                                 $$->name = $2; $$->label = $3.s;
                                 bool have_gate = false;
                                 uint32_t n = 0;
                                 Field *fs = list_array(ps, &$5, sizeof(Field));
                                 for (uint32_t i = 0; i < $5.n; i++) {
                                     if (fs[i].value && fs[i].name.s == NULL) {
                                         if (have_gate)
                                             diag_at(ps->diags, K_INDICATOR_SHAPE, fs[i].span,
                                                     "an indicator has at most one 'only if' condition");
                                         /* copied now: the fields are compacted over it below */
                                         $$->u.ind.gate = fs[i].value;
                                         $$->u.ind.gate_span = fs[i].span;
                                         have_gate = true;
                                         continue;
                                     }
                                     fs[n++] = fs[i];
                                 }
                                 $$->u.ind.fields = fs;
                                 $$->u.ind.nfields = n;
                               }
    | KW_SCALE IDENT '(' params ')' '=' expr {
                                 $$ = decl_new(ps, D_SCALE, @$);
                                 $$->name = $2;
                                 $$->u.scale.nparams = $4.n;
                                 $$->u.scale.params = list_array(ps, &$4, sizeof(Param));
                                 $$->u.scale.body = $7;
                               }
    | KW_TEAM IDENT opt_label opt_by '{' field_body '}' {
                                 $$ = decl_new(ps, D_TEAM, @$);
                                 $$->name = $2; $$->label = $3.s;
                                 $$->u.team.by = $4;
                                 $$->u.team.nfields = $6.n;
                                 $$->u.team.fields = list_array(ps, &$6, sizeof(Field));
                               }
    | KW_ROLES KW_BY expr '{' roles_body '}' {
                                 $$ = decl_new(ps, D_ROLES, @$);
                                 $$->u.roles.by = $3;
                                 $$->u.roles.n = $5.n;
                                 $$->u.roles.entries = list_array(ps, &$5, sizeof(RoleEntry));
                               }
    | IDENT STRING '{' test_body '}' { $$ = test_decl(ps, $1, $2.s, &$4, @$); }
    | result_kw '=' expr       {
                                 $$ = decl_new(ps, D_RESULT, @$);
                                 $$->u.result.which = (ResultKind)$1;
                                 $$->u.result.value = $3;
                               }
    ;

result_kw
    : KW_KPI                   { $$ = RESULT_KPI; }
    | KW_BONUS                 { $$ = RESULT_BONUS; }
    | KW_PAYOUT                { $$ = RESULT_PAYOUT; }
    ;

name_list
    : IDENT                    { $$ = (PtrList){0}; ptrlist_push(ps->arena, &$$, copy_item(ps, &$1, sizeof $1)); }
    | name_list ',' IDENT      { $$ = $1; ptrlist_push(ps->arena, &$$, copy_item(ps, &$3, sizeof $3)); }
    ;

/* ---- tables ------------------------------------------------------------ */
table_decl
    : table_kind IDENT KW_FROM STRING '{' table_body '}' {
                                 $$ = decl_new(ps, D_TABLE, @$);
                                 $$->name = $2;
                                 $$->u.table.kind = (TableKind)$1;
                                 $$->u.table.file = $4.s;
                                 $$->u.table.file_span = @4;
                                 $$->u.table.nsettings = $6.settings.n;
                                 $$->u.table.settings = list_array(ps, &$6.settings, sizeof(Setting));
                                 $$->u.table.ncols = $6.cols.n;
                                 $$->u.table.cols = list_array(ps, &$6.cols, sizeof(ColumnDecl));
                               }
    ;

table_kind
    : KW_ROSTER                { $$ = TABLE_ROSTER; }
    | KW_PLANS                 { $$ = TABLE_PLANS; }
    | KW_FACTS                 { $$ = TABLE_FACTS; }
    ;

table_body
    : %empty                   { $$.settings = (PtrList){0}; $$.cols = (PtrList){0}; }
    | table_body term          { $$ = $1; }
    | table_body IDENT STRING term {
                                 $$ = $1;
                                 Name none = {NULL, @3};
                                 Setting s = make_setting($2, none, $3.s, @3);
                                 ptrlist_push(ps->arena, &$$.settings, copy_item(ps, &s, sizeof s));
                               }
    | table_body IDENT IDENT term {
                                 $$ = $1;
                                 Setting s = make_setting($2, $3, NULL, @3);
                                 ptrlist_push(ps->arena, &$$.settings, copy_item(ps, &s, sizeof s));
                               }
    | table_body IDENT KW_BLANK term {
                                 $$ = $1;
                                 Name blank = {"blank", @3};
                                 Setting s = make_setting($2, blank, NULL, @3);
                                 ptrlist_push(ps->arena, &$$.settings, copy_item(ps, &s, sizeof s));
                               }
    | table_body col_names ':' col_type opt_header opt_empty term {
                                 $$ = $1;
                                 add_columns(ps, &$$.cols, ROLE_NONE, @2, &$2, $4.type, $4.arg,
                                             $5.s, $6, @2);
                               }
    | table_body IDENT col_names ':' col_type opt_header opt_empty term {
                                 $$ = $1;
                                 add_columns(ps, &$$.cols, role_of(ps, $2), @2, &$3, $5.type, $5.arg,
                                             $6.s, $7, @3);
                               }
    | table_body error term    { $$ = $1; yyerrok; }
    ;

/* A column may be called kpi, bonus or payout, like the scheme's results. */
field_name
    : IDENT
    | result_kw                { $$.s = result_name((ResultKind)$1); $$.span = @1; }
    ;

col_names
    : IDENT                    { $$ = (PtrList){0}; ptrlist_push(ps->arena, &$$, copy_item(ps, &$1, sizeof $1)); }
    | result_kw                {
                                 $$ = (PtrList){0};
                                 Name n = {result_name((ResultKind)$1), @1};
                                 ptrlist_push(ps->arena, &$$, copy_item(ps, &n, sizeof n));
                               }
    | IDENT DOTDOT IDENT       {
                                 $$ = (PtrList){0};
                                 ptrlist_push(ps->arena, &$$, copy_item(ps, &$1, sizeof $1));
                                 ptrlist_push(ps->arena, &$$, NULL); /* range marker */
                                 ptrlist_push(ps->arena, &$$, copy_item(ps, &$3, sizeof $3));
                               }
    | col_names ',' field_name { $$ = $1; ptrlist_push(ps->arena, &$$, copy_item(ps, &$3, sizeof $3)); }
    ;

col_type
    : IDENT                    { $$.type = $1; $$.arg = -1; }
    | IDENT '(' NUMBER ')'     {
                                 $$.type = $1;
                                 $$.arg = rat_is_int($3.value) && $3.value.num <= 38 ? (int)$3.value.num : 99;
                               }
    ;

opt_header
    : %empty                   { $$.s = NULL; $$.len = 0; $$.span = @$; }
    | STRING                   { $$ = $1; }
    ;

/* Column options: nonzero, empty WORD, or both; kept as one Name pair in
 * $$ (empty word) and ps->col_flag (the flag), read by add_columns. */
opt_empty
    : %empty                   { $$.s = NULL; $$.span = @$; ps->col_flag.s = NULL; }
    | IDENT                    { ps->col_flag = $1; $$.s = NULL; $$.span = @$; }
    | IDENT empty_word         { ps->col_flag.s = NULL; $$ = empty_word_of(ps, $1, $2); }
    | IDENT IDENT empty_word   { ps->col_flag = $1; $$ = empty_word_of(ps, $2, $3); }
    ;

empty_word
    : IDENT
    | KW_BLANK                 { $$.s = "blank"; $$.span = @1; }
    ;

/* ---- indicators, teams, roles -------------------------------------------- */
ind_body
    : %empty                   { $$ = (PtrList){0}; }
    | ind_body term            { $$ = $1; }
    | ind_body IDENT '=' expr term {
                                 $$ = $1;
                                 Field f = {$2, $4, @2};
                                 f.span.end = @4.end;
                                 ptrlist_push(ps->arena, &$$, copy_item(ps, &f, sizeof f));
                               }
    | ind_body IDENT KW_IF expr term {
                                 $$ = $1;
                                 if (strcmp($2.s, "only") != 0)
                                     diag_at(ps->diags, K_MISPLACED, @2,
                                             "a condition on an indicator is written 'only if ...'");
                                 Field f = {{NULL, @2}, $4, @2};
                                 f.span.end = @4.end;
                                 ptrlist_push(ps->arena, &$$, copy_item(ps, &f, sizeof f));
                               }
    | ind_body error term      { $$ = $1; yyerrok; }
    ;

field_body
    : %empty                   { $$ = (PtrList){0}; }
    | field_body term          { $$ = $1; }
    | field_body IDENT '=' expr term {
                                 $$ = $1;
                                 Field f = {$2, $4, @2};
                                 f.span.end = @4.end;
                                 ptrlist_push(ps->arena, &$$, copy_item(ps, &f, sizeof f));
                               }
    | field_body error term    { $$ = $1; yyerrok; }
    ;

opt_by
    : %empty                   { $$ = NULL; }
    | KW_BY expr               { $$ = $2; }
    ;

roles_body
    : %empty                   { $$ = (PtrList){0}; }
    | roles_body term          { $$ = $1; }
    | roles_body STRING ':' role_refs term {
                                 $$ = $1;
                                 RoleEntry e = {$2.s, @2, $4.n, list_array(ps, &$4, sizeof(RoleItem))};
                                 ptrlist_push(ps->arena, &$$, copy_item(ps, &e, sizeof e));
                               }
    | roles_body KW_ELSE ':' role_refs term {
                                 $$ = $1;
                                 RoleEntry e = {NULL, @2, $4.n, list_array(ps, &$4, sizeof(RoleItem))};
                                 ptrlist_push(ps->arena, &$$, copy_item(ps, &e, sizeof e));
                               }
    | roles_body error term    { $$ = $1; yyerrok; }
    ;

role_refs
    : IDENT role_weight        {
                                 $$ = (PtrList){0};
                                 RoleItem it = {$1, $2};
                                 ptrlist_push(ps->arena, &$$, copy_item(ps, &it, sizeof it));
                               }
    | role_refs ',' IDENT role_weight {
                                 $$ = $1;
                                 RoleItem it = {$3, $4};
                                 ptrlist_push(ps->arena, &$$, copy_item(ps, &it, sizeof it));
                               }
    ;

role_weight
    : %empty                   { $$ = NULL; }
    | primary                  { $$ = $1; }
    ;

/* ---- tests ------------------------------------------------------------------ */
/* The statement's word (period, employee, given, expect) is checked by
 * test_stmt; given and expect read their NAME = VALUE as one comparison. */
test_body
    : %empty                   { $$ = (PtrList){0}; }
    | test_body term           { $$ = $1; }
    | test_body IDENT expr term {
                                 $$ = $1;
                                 Span sp = @2; sp.end = @3.end;
                                 test_stmt(ps, &$$, $2, $3, NULL, sp);
                               }
    | test_body IDENT expr '~' expr term {
                                 $$ = $1;
                                 Span sp = @2; sp.end = @5.end;
                                 test_stmt(ps, &$$, $2, $3, $5, sp);
                               }
    | test_body IDENT IDENT '{' row_body '}' term {
                                 $$ = $1;
                                 Span sp = @2; sp.end = @6.end;
                                 test_row(ps, &$$, $2, $3, &$5, sp);
                               }
    | test_body error term     { $$ = $1; yyerrok; }
    ;

row_body
    : %empty                   { $$ = (PtrList){0}; }
    | row_body term            { $$ = $1; }
    | row_body row_cells term  {
                                 $$ = $1;
                                 for (uint32_t i = 0; i < $2.n; i++)
                                     ptrlist_push(ps->arena, &$$, $2.items[i]);
                               }
    | row_body error term      { $$ = $1; yyerrok; }
    ;

row_cells
    : field_name ':' expr      { $$ = (PtrList){0}; cells_add(ps, &$$, $1, $3); }
    | row_cells ',' field_name ':' expr { $$ = $1; cells_add(ps, &$$, $3, $5); }
    ;

/* ---- scales ---------------------------------------------------------------- */
params
    : %empty                   { $$ = (PtrList){0}; }
    | param_list               { $$ = $1; }
    ;

param_list
    : IDENT                    {
                                 $$ = (PtrList){0};
                                 Param p = {$1, NULL};
                                 ptrlist_push(ps->arena, &$$, copy_item(ps, &p, sizeof p));
                               }
    | IDENT '=' expr           {
                                 $$ = (PtrList){0};
                                 Param p = {$1, $3};
                                 ptrlist_push(ps->arena, &$$, copy_item(ps, &p, sizeof p));
                               }
    | param_list ',' IDENT     {
                                 $$ = $1;
                                 Param p = {$3, NULL};
                                 ptrlist_push(ps->arena, &$$, copy_item(ps, &p, sizeof p));
                               }
    | param_list ',' IDENT '=' expr {
                                 $$ = $1;
                                 Param p = {$3, $5};
                                 ptrlist_push(ps->arena, &$$, copy_item(ps, &p, sizeof p));
                               }
    ;

/* ---- expressions, loosest first -------------------------------------------- */
expr
    : if_expr                  { $$ = $1; check_depth(ps, $$); }
    ;

if_expr
    : KW_IF expr KW_THEN expr KW_ELSE expr {
                                 $$ = ast_expr(ps->arena, E_IF, @$);
                                 $$->u.cond.cond = $2; $$->u.cond.then = $4; $$->u.cond.els = $6;
                                 $$->depth = ast_depth_of($$);
                               }
    | default_expr
    ;

default_expr
    : default_expr KW_DEFAULT or_expr { $$ = ast_binary(ps->arena, OP_DEFAULT, $1, $3, @$); }
    | or_expr
    ;

or_expr
    : or_expr KW_OR and_expr   { $$ = ast_binary(ps->arena, OP_OR, $1, $3, @$); }
    | and_expr
    ;

and_expr
    : and_expr KW_AND not_expr { $$ = ast_binary(ps->arena, OP_AND, $1, $3, @$); }
    | not_expr
    ;

not_expr
    : KW_NOT not_expr          { $$ = ast_unary(ps->arena, OP_NOT, $2, @$); }
    | cmp_expr
    ;

cmp_expr
    : add_expr
    | chain
    ;

chain
    : add_expr cmp_op add_expr { $$ = chain_expr(ps, $1, $2, $3, @$); }
    | chain cmp_op add_expr    { $$ = chain_expr(ps, $1, $2, $3, @$); }
    ;

cmp_op
    : '='                      { $$ = OP_EQ; }
    | NE                       { $$ = OP_NE; }
    | '<'                      { $$ = OP_LT; }
    | LE                       { $$ = OP_LE; }
    | '>'                      { $$ = OP_GT; }
    | GE                       { $$ = OP_GE; }
    ;

add_expr
    : add_expr '+' mul_expr    { $$ = ast_binary(ps->arena, OP_ADD, $1, $3, @$); }
    | add_expr '-' mul_expr    { $$ = ast_binary(ps->arena, OP_SUB, $1, $3, @$); }
    | mul_expr
    ;

mul_expr
    : mul_expr '*' unary       { $$ = ast_binary(ps->arena, OP_MUL, $1, $3, @$); }
    | mul_expr '/' unary       { $$ = ast_binary(ps->arena, OP_DIV, $1, $3, @$); }
    | unary
    ;

unary
    : '-' unary                { $$ = ast_unary(ps->arena, OP_NEG, $2, @$); }
    | '+' unary                { $$ = ast_unary(ps->arena, OP_POS, $2, @$); }
    | primary
    ;

primary
    : NUMBER                   {
                                 $$ = ast_expr(ps->arena, E_NUM, @$);
                                 $$->u.num.value = $1.value; $$->u.num.percent = false;
                               }
    | PERCENT                  {
                                 $$ = ast_expr(ps->arena, E_NUM, @$);
                                 $$->u.num.value = $1.value; $$->u.num.percent = true;
                               }
    | STRING                   {
                                 $$ = ast_expr(ps->arena, E_STR, @$);
                                 $$->u.str.s = $1.s; $$->u.str.len = $1.len;
                               }
    | KW_TRUE                  { $$ = ast_expr(ps->arena, E_BOOL, @$); $$->u.boolean = true; }
    | KW_FALSE                 { $$ = ast_expr(ps->arena, E_BOOL, @$); $$->u.boolean = false; }
    | KW_BLANK                 { $$ = ast_expr(ps->arena, E_BLANK, @$); }
    | IDENT                    { $$ = name_expr(ps, $1); }
    | result_kw                {
                                 Name n = {result_name((ResultKind)$1), @1};
                                 $$ = name_expr(ps, n);
                               }
    | IDENT '.' field_name     { $$ = field_expr(ps, E_FIELD, $1, $3, @$); }
    | '(' expr ')'             { $$ = $2; }
    | call
    | bands
    ;

call
    : IDENT '(' ')'            { PtrList none = {0}; Name nf = {NULL, @3};
                                 $$ = call_expr(ps, $1, &none, false, nf, NULL, @$); }
    | IDENT '(' arg_list call_tail ')' {
                                 $$ = call_expr(ps, $1, &$3, false, $4.from, $4.where, @$);
                               }
    | IDENT '(' KW_DISTINCT arg_list call_tail ')' {
                                 $$ = call_expr(ps, $1, &$4, true, $5.from, $5.where, @$);
                               }
    ;

call_tail
    : %empty                   { $$.from.s = NULL; $$.from.span = @$; $$.where = NULL; }
    | KW_FROM IDENT            { $$.from = $2; $$.where = NULL; }
    | KW_WHERE expr            { $$.from.s = NULL; $$.from.span = @$; $$.where = $2; }
    | KW_FROM IDENT KW_WHERE expr { $$.from = $2; $$.where = $4; }
    ;

arg_list
    : expr                     {
                                 $$ = (PtrList){0};
                                 Arg a = {{NULL, @1}, $1};
                                 ptrlist_push(ps->arena, &$$, copy_item(ps, &a, sizeof a));
                               }
    | IDENT ':' expr           {
                                 $$ = (PtrList){0};
                                 Arg a = {$1, $3};
                                 ptrlist_push(ps->arena, &$$, copy_item(ps, &a, sizeof a));
                               }
    | IDENT DOTDOT IDENT       {
                                 $$ = (PtrList){0};
                                 Arg a = {{NULL, @$}, field_expr(ps, E_RANGE, $1, $3, @$)};
                                 ptrlist_push(ps->arena, &$$, copy_item(ps, &a, sizeof a));
                               }
    | arg_list ',' expr        {
                                 $$ = $1;
                                 Arg a = {{NULL, @3}, $3};
                                 ptrlist_push(ps->arena, &$$, copy_item(ps, &a, sizeof a));
                               }
    | arg_list ',' IDENT ':' expr {
                                 $$ = $1;
                                 Arg a = {$3, $5};
                                 ptrlist_push(ps->arena, &$$, copy_item(ps, &a, sizeof a));
                               }
    | arg_list ',' IDENT DOTDOT IDENT {
                                 $$ = $1;
                                 Span sp = @3; sp.end = @5.end;
                                 Arg a = {{NULL, sp}, field_expr(ps, E_RANGE, $3, $5, sp)};
                                 ptrlist_push(ps->arena, &$$, copy_item(ps, &a, sizeof a));
                               }
    ;

bands
    : KW_BANDS '{' band_body '}' {
                                 $$ = ast_expr(ps->arena, E_BANDS, @$);
                                 $$->u.bands.n = $3.n;
                                 $$->u.bands.rows = list_array(ps, &$3, sizeof(BandRow));
                                 $$->depth = ast_depth_of($$);
                               }
    ;

band_body
    : %empty                   { $$ = (PtrList){0}; }
    | band_body term           { $$ = $1; }
    | band_body expr ARROW expr term {
                                 $$ = $1;
                                 BandRow r = {$2, $4, @2};
                                 r.span.end = @4.end;
                                 ptrlist_push(ps->arena, &$$, copy_item(ps, &r, sizeof r));
                               }
    | band_body KW_ELSE ARROW expr term {
                                 $$ = $1;
                                 BandRow r = {NULL, $4, @2};
                                 r.span.end = @4.end;
                                 ptrlist_push(ps->arena, &$$, copy_item(ps, &r, sizeof r));
                               }
    | band_body error term     { $$ = $1; yyerrok; }
    ;

%%

static Decl *decl_new(ParseState *ps, DeclKind kind, Span sp)
{
    Decl *d = arena_alloc(ps->arena, sizeof *d);
    d->kind = kind;
    d->span = sp;
    return d;
}

static Expr *name_expr(ParseState *ps, Name n)
{
    Expr *e = ast_expr(ps->arena, E_NAME, n.span);
    e->u.name = n;
    return e;
}

static Expr *field_expr(ParseState *ps, ExprKind kind, Name base, Name field, Span sp)
{
    Expr *e = ast_expr(ps->arena, kind, sp);
    e->u.field.base = base;
    e->u.field.field = field;
    return e;
}

/* a < b < c is kept as one chain node: n terms, n-1 operators. */
static Expr *chain_expr(ParseState *ps, Expr *lhs, Op op, Expr *rhs, Span sp)
{
    uint32_t n = lhs->kind == E_CHAIN ? lhs->u.chain.n : 1;
    Expr *e = ast_expr(ps->arena, E_CHAIN, sp);
    e->u.chain.n = n + 1;
    e->u.chain.terms = arena_alloc(ps->arena, sizeof(Expr *) * (n + 1));
    e->u.chain.ops = arena_alloc(ps->arena, sizeof(Op) * n);
    if (lhs->kind == E_CHAIN) {
        memcpy(e->u.chain.terms, lhs->u.chain.terms, sizeof(Expr *) * n);
        memcpy(e->u.chain.ops, lhs->u.chain.ops, sizeof(Op) * (n - 1));
    } else {
        e->u.chain.terms[0] = lhs;
    }
    e->u.chain.terms[n] = rhs;
    e->u.chain.ops[n - 1] = op;
    e->depth = ast_depth_of(e);
    return e;
}

static Expr *call_expr(ParseState *ps, Name fn, PtrList *args, bool distinct, Name from,
                       Expr *where, Span sp)
{
    Expr *e = ast_expr(ps->arena, E_CALL, sp);
    e->u.call.fn = fn;
    e->u.call.nargs = args->n;
    e->u.call.args = list_array(ps, args, sizeof(Arg));
    e->u.call.distinct = distinct;
    e->u.call.from = from;
    e->u.call.where = where;
    e->depth = ast_depth_of(e);
    return e;
}

/* ---- tests ---- */
static Decl *test_decl(ParseState *ps, Name word, const char *title, PtrList *items, Span sp)
{
    if (strcmp(word.s, "test") != 0) {
        Diag *g = diag_at(ps->diags, K_SYNTAX, word.span, "unexpected name '%s' before a text and '{'", word.s);
        diag_note(g, "help", "a test is written: test \"what it checks\" { ... }");
    }
    Decl *d = decl_new(ps, D_TEST, sp);
    d->name = word;
    d->label = title;
    d->u.test.n = items->n;
    d->u.test.items = list_array(ps, items, sizeof(TestItem));
    return d;
}

static bool test_word(ParseState *ps, Name word, TestItemKind *out)
{
    for (int k = TI_PERIOD; k <= TI_EXPECT; k++)
        if (strcmp(word.s, test_item_word((TestItemKind)k)) == 0) {
            *out = (TestItemKind)k;
            return true;
        }
    Diag *g = diag_at(ps->diags, K_TEST_SHAPE, word.span, "a test has no statement '%s'", word.s);
    diag_note(g, "help", "a test's lines are period, employee, given, row and expect");
    return false;
}

static void test_stmt(ParseState *ps, PtrList *items, Name word, Expr *e, Expr *approx, Span sp)
{
    TestItemKind k;
    if (!test_word(ps, word, &k))
        return;
    TestItem it;
    memset(&it, 0, sizeof it);
    it.kind = (uint8_t)k;
    it.span = sp;
    if (k == TI_ROW) {
        Diag *g = diag_at(ps->diags, K_TEST_SHAPE, sp, "a row lists its cells in braces");
        diag_note(g, "help", "row TABLE { column: value, column: value }");
        return;
    }
    if (approx && k != TI_EXPECT) {
        diag_note(diag_at(ps->diags, K_TEST_SHAPE, sp, "'~' compares a value rounded: only expect takes it"),
                  "help", "%s NAME = VALUE", word.s);
        return;
    }
    if (k == TI_PERIOD || k == TI_EMPLOYEE) {
        it.value = e;
    } else if (approx) {
        it.target = e;
        it.value = approx;
        it.approx = true;
    } else if (e->kind == E_CHAIN && e->u.chain.n == 2 && e->u.chain.ops[0] == OP_EQ) {
        it.target = e->u.chain.terms[0];
        it.value = e->u.chain.terms[1];
    } else {
        diag_note(diag_at(ps->diags, K_TEST_SHAPE, sp, "expected NAME = VALUE after '%s'", word.s),
                  "help", "%s", k == TI_GIVEN ? "given plan.revenue = 1000000" : "expect payout = 101445");
        return;
    }
    ptrlist_push(ps->arena, items, copy_item(ps, &it, sizeof it));
}

static void test_row(ParseState *ps, PtrList *items, Name word, Name table, PtrList *cells, Span sp)
{
    if (strcmp(word.s, "row") != 0) {
        diag_note(diag_at(ps->diags, K_TEST_SHAPE, word.span, "a test has no statement '%s'", word.s),
                  "help", "a fact row is written: row TABLE { column: value, ... }");
        return;
    }
    TestItem it;
    memset(&it, 0, sizeof it);
    it.kind = TI_ROW;
    it.span = sp;
    it.table = table;
    it.ncells = cells->n;
    it.cells = list_array(ps, cells, sizeof(RowCell));
    ptrlist_push(ps->arena, items, copy_item(ps, &it, sizeof it));
}

static void cells_add(ParseState *ps, PtrList *cells, Name col, Expr *value)
{
    RowCell c = {col, value};
    ptrlist_push(ps->arena, cells, copy_item(ps, &c, sizeof c));
}

/* Later passes recurse over expressions; their depth is bounded here. */
static void check_depth(ParseState *ps, Expr *e)
{
    if (e->depth > KPI_MAX_EXPR_DEPTH && !ps->depth_reported) {
        ps->depth_reported = true;
        diag_at(ps->diags, K_LIMIT, e->span, "expression nests %u levels deep; the limit is %d",
                e->depth, KPI_MAX_EXPR_DEPTH);
    }
}

static void *copy_item(ParseState *ps, const void *item, size_t size)
{
    void *p = arena_alloc(ps->arena, size);
    memcpy(p, item, size);
    return p;
}

static void *list_array(ParseState *ps, PtrList *l, size_t elem)
{
    if (l->n == 0)
        return NULL;
    char *arr = arena_alloc(ps->arena, elem * l->n);
    for (uint32_t i = 0; i < l->n; i++)
        memcpy(arr + i * elem, l->items[i], elem);
    return arr;
}

static Setting make_setting(Name key, Name word, const char *str, Span vspan)
{
    Setting s;
    s.key = key;
    s.word = word;
    s.str = str;
    s.value_span = vspan;
    return s;
}

static Name empty_word_of(ParseState *ps, Name key, Name word)
{
    if (strcmp(key.s, "empty") != 0)
        diag_at(ps->diags, K_MISPLACED, key.span,
                "expected 'empty' (blank, zero or error) after the column type");
    return word;
}

static ColRole role_of(ParseState *ps, Name word)
{
    static const struct { const char *w; ColRole r; } roles[] = {
        {"employee", ROLE_EMPLOYEE}, {"date", ROLE_DATE}, {"period", ROLE_PERIOD},
        {"department", ROLE_DEPARTMENT}, {"name", ROLE_NAME},
    };
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
        if (strcmp(word.s, roles[i].w) == 0)
            return roles[i].r;
    Diag *g = diag_at(ps->diags, K_MISPLACED, word.span, "unknown column role '%s'", word.s);
    diag_note(g, "help", "a column may be marked employee, date, period, department or name");
    return ROLE_NONE;
}

/* Expands "q1..q18" (same stem, numbered suffixes) into q1, q2, ..., q18. */
static bool expand_range(ParseState *ps, PtrList *out, Name a, Name b)
{
    Name *names;
    uint32_t n;
    char err[200];
    if (!ast_expand_range(ps->arena, a, b, &names, &n, err, sizeof err)) {
        Span sp = a.span;
        sp.end = b.span.end;
        diag_at(ps->diags, K_BAD_RANGE, sp, "%s", err);
        return false;
    }
    for (uint32_t i = 0; i < n; i++)
        ptrlist_push(ps->arena, out, &names[i]);
    return true;
}

static void add_columns(ParseState *ps, PtrList *cols, ColRole role, Span role_span,
                        PtrList *names, Name type, int type_arg, const char *header,
                        Name empty, Span sp)
{
    PtrList flat = {0};
    bool range = false;
    uint32_t group = ++ps->col_groups;
    for (uint32_t i = 0; i < names->n; i++) {
        if (names->items[i] == NULL) /* range marker between two names */
            continue;
        if (i + 2 < names->n && names->items[i + 1] == NULL) {
            range = true;
            expand_range(ps, &flat, *(Name *)names->items[i], *(Name *)names->items[i + 2]);
            i += 2;
            continue;
        }
        ptrlist_push(ps->arena, &flat, names->items[i]);
    }
    if (header && flat.n > 1)
        diag_at(ps->diags, K_MISPLACED, sp, "a header text names one column, not %u", flat.n);
    for (uint32_t i = 0; i < flat.n; i++) {
        ColumnDecl *c = arena_alloc(ps->arena, sizeof *c);
        c->role = role;
        c->role_span = role_span;
        c->name = *(Name *)flat.items[i];
        c->type = type;
        c->type_arg = type_arg;
        c->header = header;
        c->empty = empty;
        c->flag = ps->col_flag;
        c->span = c->name.span;
        c->group = group;
        c->range = range;
        ptrlist_push(ps->arena, cols, c);
    }
}

/* ---- syntax errors ---------------------------------------------------------- */
static const char *symbol_text(yysymbol_kind_t k, char *buf, size_t cap)
{
    const char *n = yysymbol_name(k);
    switch (k) {
    case YYSYMBOL_IDENT:   return "name";
    case YYSYMBOL_NUMBER:  return "number";
    case YYSYMBOL_PERCENT: return "percentage";
    case YYSYMBOL_STRING:  return "text";
    case YYSYMBOL_NL:      return "end of line";
    case YYSYMBOL_YYEOF:   return "end of file";
    default: break;
    }
    if (n[0] == '"') { /* "if" -> 'if' */
        size_t len = strlen(n);
        snprintf(buf, cap, "'%.*s'", (int)(len - 2), n + 1);
        return buf;
    }
    if (n[0] != '\'') { /* keywords and operators come unquoted */
        snprintf(buf, cap, "'%s'", n);
        return buf;
    }
    return n; /* character literals come quoted already: '(' */
}

static bool is_symbol(yysymbol_kind_t k, const char *name)
{
    return strcmp(yysymbol_name(k), name) == 0;
}

static bool is_binary_op(yysymbol_kind_t k)
{
    return is_symbol(k, "'+'") || is_symbol(k, "'-'") || is_symbol(k, "'*'") ||
           is_symbol(k, "'/'") || k == YYSYMBOL_KW_AND || k == YYSYMBOL_KW_OR ||
           k == YYSYMBOL_KW_DEFAULT;
}

static int yyreport_syntax_error(const yypcontext_t *ctx, void *scanner, ParseState *ps)
{
    (void)scanner;
    if (ps->stopped)
        return 0; /* the limit that stopped the reading is the error */
    enum { MAXEXP = 6 };
    yysymbol_kind_t expected[MAXEXP];
    int nexp = yypcontext_expected_tokens(ctx, expected, MAXEXP);
    yysymbol_kind_t got = yypcontext_token(ctx);
    char b1[64], b2[64];
    Buf msg = BUF_INIT;
    const Span *at = yypcontext_location(ctx);
    buf_printf(&msg, "unexpected %s", symbol_text(got, b1, sizeof b1));
    bool literal = got == YYSYMBOL_IDENT || got == YYSYMBOL_NUMBER || got == YYSYMBOL_PERCENT ||
                   got == YYSYMBOL_STRING;
    if (literal && at->end > at->start && at->end - at->start <= 40)
        buf_printf(&msg, " %.*s%.*s%s", got == YYSYMBOL_STRING ? 0 : 1, "'",
                   (int)(at->end - at->start), ps->src->text + at->start,
                   got == YYSYMBOL_STRING ? "" : "'");
    bool wants_else = false, wants_paren = false;
    if (nexp > 0 && nexp < MAXEXP) {
        buf_adds(&msg, ", expected ");
        for (int i = 0; i < nexp; i++) {
            if (expected[i] == YYSYMBOL_KW_ELSE)
                wants_else = true;
            if (is_symbol(expected[i], "')'"))
                wants_paren = true;
            buf_printf(&msg, "%s%s", i == 0 ? "" : i == nexp - 1 ? " or " : ", ",
                       symbol_text(expected[i], b2, sizeof b2));
        }
    }
    Diag *g = diag_at(ps->diags, K_SYNTAX, *at, "%s", buf_cstr(&msg));
    buf_free(&msg);
    if (wants_paren && got == YYSYMBOL_NL)
        diag_note(g, "help", "a '(' is not closed");
    else if (wants_else && (got == YYSYMBOL_NL || is_symbol(got, "'}'")))
        diag_note(g, "help", "every 'if ... then ...' needs an 'else' part");
    else if (is_binary_op(got) && ps->prev == NL)
        diag_note(g, "help", "to continue a formula on the next line, end the line with the "
                             "operator or wrap the formula in parentheses");
    else if (got == YYSYMBOL_IDENT && ps->prev == IDENT)
        diag_note(g, "help", "two names in a row: is an operator or a comma missing?");
    return 0;
}

static void kpi_yyerror(Span *loc, void *scanner, ParseState *ps, const char *msg)
{
    (void)scanner;
    if (strstr(msg, "exhausted"))
        diag_at(ps->diags, K_LIMIT, *loc, "the scheme nests too deeply to read");
    else
        diag_at(ps->diags, K_SYNTAX, *loc, "%s", msg);
}
