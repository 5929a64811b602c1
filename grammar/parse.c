/* parse.c - drives the reentrant scanner and parser over one source. */
#include "grammar/parse.h"
#include "base/alloc.h"
#include "grammar/parser.h"
#define YYSTYPE KPI_YYSTYPE
#define YYLTYPE KPI_YYLTYPE
#include "grammar/lexer.h"

#include <string.h>

int kpi_yyparse(void *scanner, ParseState *ps);

static bool scan(ParseState *ps, const char *text, size_t len)
{
    yyscan_t scanner;
    if (kpi_yylex_init_extra(ps, &scanner) != 0) {
        Span sp = {0, 0, ps->file};
        diag_at(ps->diags, K_LIMIT, sp, "cannot start the scanner");
        return false;
    }
    YY_BUFFER_STATE buf = kpi_yy_scan_bytes(text, (int)len, scanner);
    kpi_yyparse(scanner, ps);
    kpi_yy_delete_buffer(buf, scanner);
    kpi_yylex_destroy(scanner);
    return true;
}

/* A UTF-16 file or a binary one gets one error, not one per byte. */
static bool is_text(DiagList *diags, const Source *src, uint16_t file)
{
    const unsigned char *t = (const unsigned char *)src->text;
    if (src->len >= 2 && ((t[0] == 0xFF && t[1] == 0xFE) || (t[0] == 0xFE && t[1] == 0xFF))) {
        Span sp = {0, 2, file};
        diag_at(diags, K_BAD_UTF8, sp, "the scheme is in UTF-16; save it as UTF-8");
        return false;
    }
    const char *nul = memchr(src->text, '\0', src->len);
    if (nul) {
        Span sp = {(uint32_t)(nul - src->text), (uint32_t)(nul - src->text) + 1, file};
        diag_at(diags, K_BAD_CHAR, sp, "NUL byte: this is not a text file (a binary, or UTF-16?)");
        return false;
    }
    return true;
}

bool parse_source(Arena *arena, const SourceSet *sources, uint16_t file,
                  DiagList *diags, Ast *out)
{
    size_t errors_before = diags->errors;
    const Source *src = sources_get(sources, file);
    ParseState ps;
    memset(&ps, 0, sizeof ps);
    ps.arena = arena;
    ps.diags = diags;
    ps.src = src;
    ps.file = file;

    memset(out, 0, sizeof *out);
    out->file = file;
    if (src->len > KPI_MAX_SOURCE_BYTES) {
        Span sp = {0, 0, file};
        diag_at(diags, K_LIMIT, sp, "scheme file is %zu bytes; the limit is %u", src->len,
                KPI_MAX_SOURCE_BYTES);
        return false;
    }
    if (!is_text(diags, src, file))
        return false;
    /* a byte-order mark at the very start (Windows editors write one) is skipped */
    size_t bom = src->len >= 3 && memcmp(src->text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    ps.offset = (uint32_t)bom;
    if (!scan(&ps, src->text + bom, src->len - bom))
        return false;
    out->ndecls = ps.decls.n;
    out->decls = arena_alloc(arena, sizeof(Decl *) * (ps.decls.n ? ps.decls.n : 1));
    if (ps.decls.n)
        memcpy(out->decls, ps.decls.items, sizeof(Decl *) * ps.decls.n);
    out->ncomments = (uint32_t)ps.ncomments;
    out->comments = arena_alloc(arena, sizeof(Comment) * (ps.ncomments ? ps.ncomments : 1));
    if (ps.ncomments)
        memcpy(out->comments, ps.comments, sizeof(Comment) * ps.ncomments);
    kpi_free(ps.comments);
    return diags->errors == errors_before;
}

bool parse_set(Arena *arena, const SourceSet *sources, uint16_t file, uint32_t from,
               DiagList *diags, Expr **out)
{
    size_t errors_before = diags->errors;
    const Source *src = sources_get(sources, file);
    ParseState ps;
    memset(&ps, 0, sizeof ps);
    ps.arena = arena;
    ps.diags = diags;
    ps.src = src;
    ps.file = file;
    ps.offset = from;
    ps.start_token = START_SET;
    *out = NULL;
    if (from > src->len || !scan(&ps, src->text + from, src->len - from))
        return false;
    kpi_free(ps.comments);
    *out = ps.set_expr;
    return diags->errors == errors_before && ps.set_expr;
}
