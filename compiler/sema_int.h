/* sema_int.h - state shared by the parts of the semantic pass
 * (sema.c: declarations and defs; resolve.c: expressions). */
#ifndef KPI_SEMA_INT_H
#define KPI_SEMA_INT_H
#include "compiler/fold.h"
#include "base/limits.h"
#include "compiler/ir.h"
#include "compiler/tables.h"

typedef enum SymKind {
    SYM_TABLE, SYM_PARAM, SYM_LET, SYM_INDICATOR, SYM_SCALE, SYM_TEAM
} SymKind;

typedef struct Sym {
    const char *name;
    uint8_t     kind;          /* SymKind */
    bool        used;          /* scales: inlined somewhere */
    uint32_t    index;         /* table, def, indicator or team index */
    const Decl *decl;
} Sym;

typedef struct Indicator {
    const Decl *decl;
    uint32_t    defs[F__COUNT];
    const Expr *exprs[F__COUNT];  /* the block's fields; NULL when absent */
    bool        lower_better;
    bool        weight_reported;
    bool        used;          /* a field is read elsewhere, or it is in a weighted_sum */
    bool        summed;        /* in a weighted_sum */
} Indicator;

typedef struct Team {
    const Decl *decl;
    uint16_t    group_col;
    uint32_t    first_field, nfields;
} Team;

typedef struct Binding {
    const char *name;
    Ir         *ir;
} Binding;

/* Where an expression is being resolved. */
typedef struct Scope {
    Ctx            ctx;          /* CTX_EMP, or CTX_ROW inside an aggregate */
    int32_t        table;        /* CTX_ROW: the fact table */
    int32_t        indicator;    /* inside an indicator block: its fields are names */
    uint32_t       def;          /* the def being resolved, UINT32_MAX for none */
    const Binding *binds;        /* scale parameters */
    uint32_t       nbinds;
    uint32_t       inline_depth;
    bool           const_only;   /* params must be constants */
    const struct Scope *outer;   /* the scope a scale was called from, NULL at the top */
    const Decl    *scale;        /* the scale being inlined here, NULL outside one */
} Scope;

/* One weighted_sum: of the listed indicators, or of all (inds NULL). */
typedef struct Composition {
    const uint32_t *inds;
    uint32_t        n;
    uint32_t        span;
} Composition;

typedef struct SemaCtx {
    Sema      *s;
    const Ast *main;
    bool      *table_used;
    Composition *comps;
    size_t     ncomps, capcomps;
    const char **shadow_reported;
    size_t     nshadow, capshadow;
    Sym       *syms;
    size_t     nsyms, capsyms;
    uint32_t  *symhash;          /* open addressing: index + 1, 0 empty */
    size_t     hashcap;
    uint32_t  *agghash;          /* Sema.aggs by key, the same way */
    size_t     agghashcap;
    Indicator *inds;
    size_t     ninds, capinds;
    Team      *teams;
    size_t     nteams, capteams;
    const Decl *roles;
    uint32_t   role_def;
    const Decl *results[3];
    uint32_t   result_defs[3];
    int        chain;
    int        nesting;        /* resolve_expr calls inside one another (KPI_MAX_NESTING) */
    bool       nesting_reported;
    bool       const_error_reported;
} SemaCtx;

/* sema.c */
uint32_t sema_hash(const char *s);   /* FNV-1a of a NUL-terminated text */
const Sym *sym_find(const SemaCtx *c, const char *name);
void       sema_offer_globals(const SemaCtx *c, void *suggest);
void       resolve_def(SemaCtx *c, uint32_t i);
Ir        *def_ref(SemaCtx *c, const Scope *sc, uint32_t j, uint32_t span);
uint32_t   team_field_stratum(SemaCtx *c, uint32_t k);

/* check.c */
void check_scheme(SemaCtx *c);

/* override.c: --set and test blocks (TargetKind of override.h) */
void overrides_bind(SemaCtx *c);
Ir  *override_def(SemaCtx *c, uint32_t def, Ir *ir);
Ir  *override_input(SemaCtx *c, int kind, uint32_t table, uint32_t index);
void check_tests(SemaCtx *c);

/* resolve.c */
Ir *resolve_expr(SemaCtx *c, const Scope *sc, const Expr *e);
Ir *resolve_typed(SemaCtx *c, const Scope *sc, const Expr *e, TypeKind want, const char *what);
bool check_type(SemaCtx *c, const Ir *ir, TypeKind want, Span sp, const char *what);
Ir *weighted_sum(SemaCtx *c, const Scope *sc, const uint32_t *inds, uint32_t n, uint32_t span);
bool is_builtin_name(const char *name);

#endif
