/* parse.h - text -> tokens -> AST.
 * parse_source runs the reentrant flex scanner and bison parser over one
 * source file and reports every syntax error it finds into the DiagList. */
#ifndef KPI_PARSE_H
#define KPI_PARSE_H
#include <stdbool.h>

#include "base/arena.h"
#include "base/diag.h"
#include "base/limits.h"
#include "base/source.h"
#include "grammar/ast.h"

/* Parses sources[file]. The tree lives in arena. Returns false when any
 * error was reported (the tree is then partial but well-formed). */
bool parse_source(Arena *arena, const SourceSet *sources, uint16_t file,
                  DiagList *diags, Ast *out);

/* Parses the NAME = VALUE of a --set: sources[file] holds "--set NAME=VALUE"
 * and reading starts at `from` (past "--set "), so messages show the whole
 * option. *out is the comparison NAME = VALUE; false on a syntax error. */
bool parse_set(Arena *arena, const SourceSet *sources, uint16_t file, uint32_t from,
               DiagList *diags, Expr **out);

/* ---- shared between the scanner and the parser (not for other stages) ---- */
typedef struct ParseState {
    Arena        *arena;
    DiagList     *diags;
    const Source *src;
    uint16_t      file;
    uint32_t      offset;      /* byte offset of the next token */
    int           paren;       /* depth of ( since the innermost open { */
    int           braces;      /* depth of { */
    int           outer_paren[KPI_MAX_BRACE_DEPTH]; /* paren of each enclosing { */
    int           last;        /* last token returned, 0 at the start */
    int           prev;        /* the token before it */
    uint32_t      last_end;    /* where the last token ended */
    Name          col_flag;    /* the flag of the column being declared (nonzero) */
    uint32_t      col_groups;  /* column declarations read so far */
    bool          depth_reported;
    bool          eof_nl_done;
    uint32_t      ntokens;
    bool          stopped;     /* a limit ended the reading: the rest is end of file */
    PtrList       decls;
    int           start_token; /* returned first: START_SET for parse_set */
    Expr         *set_expr;    /* what parse_set read */
    Comment      *comments;
    size_t        ncomments, capcomments;
} ParseState;

#endif
