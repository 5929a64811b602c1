/* compile.c - drives the stages: load sources and imports, parse, check
 * (sema), generate bytecode, and assemble the Program. */
#include "compiler/compile.h"
#include "base/alloc.h"
#include "base/fsio.h"
#include "compiler/codegen.h"
#include "compiler/ir.h"
#include "compiler/override.h"
#include "grammar/parse.h"
#include "stdlib/stdlib.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void compilation_init(Compilation *c)
{
    memset(c, 0, sizeof *c);
    arena_init(&c->arena);
    sources_init(&c->sources);
    diag_init(&c->diags);
}

void compilation_free(Compilation *c)
{
    if (c->program) {
        program_free(c->program);
        kpi_free(c->program);
    }
    diag_free(&c->diags);
    sources_free(&c->sources);
    arena_free(&c->arena);
}

Program *compile_take(Compilation *c)
{
    Program *p = c->program;
    c->program = NULL;
    return p;
}

static bool load_file(Compilation *c, const char *path, uint16_t *file)
{
    char err[256];
    size_t len;
    char *text = fs_read_all(path, &len, KPI_MAX_SOURCE_BYTES, err, sizeof err);
    if (!text) {
        diag_where(&c->diags, errno == EFBIG ? K_LIMIT : K_DATA_FILE, path, "%s", err);
        return false;
    }
    *file = sources_add(&c->sources, path, text, len);
    return true;
}

/* ---- imports -------------------------------------------------------------- */
static bool try_dir(Compilation *c, const char *dir, const char *name, uint16_t *file)
{
    if (!dir)
        return false;
    size_t n = strlen(name) + 5;
    char *fname = kpi_malloc(n);
    snprintf(fname, n, "%s.kpi", name);
    char *path = fs_join(dir, fname);
    kpi_free(fname);
    bool ok = fs_exists(path) && load_file(c, path, file);
    kpi_free(path);
    return ok;
}

/* Search order: KPI_PATH directories, the scheme's directory, the installed
 * stdlib, then the copy of the stdlib built into the binary. */
static bool find_module(Compilation *c, const Name *mod, const char *scheme_dir,
                        const CompileOptions *o, uint16_t *file)
{
    for (size_t i = 0; o && i < o->npaths; i++)
        if (try_dir(c, o->paths[i], mod->s, file))
            return true;
    if (try_dir(c, scheme_dir, mod->s, file) || try_dir(c, o ? o->stdlib_dir : NULL, mod->s, file))
        return true;
    const char *text = stdlib_find(mod->s);
    if (text) {
        char name[300];
        snprintf(name, sizeof name, "<stdlib>/%s.kpi", mod->s);
        *file = sources_add(&c->sources, name, kpi_strdup(text), strlen(text));
        return true;
    }
    Diag *g = diag_at(&c->diags, K_UNKNOWN_MODULE, mod->span, "cannot find module '%s'", mod->s);
    diag_note(g, "help", "the standard library has: scales; a module of yours is NAME.kpi next to the scheme");
    return false;
}

static bool load_imports(Compilation *c, const char *scheme_dir, const CompileOptions *o,
                         Ast **mods, uint32_t *nmods)
{
    bool ok = true;
    for (uint32_t i = 0; i < c->ast.ndecls; i++) {
        const Decl *d = c->ast.decls[i];
        if (d->kind != D_IMPORT)
            continue;
        for (uint32_t k = 0; k < d->u.import.n; k++) {
            const Name *m = &d->u.import.modules[k];
            bool seen = false;
            for (uint32_t j = 0; j < i && !seen; j++)
                for (uint32_t q = 0; c->ast.decls[j]->kind == D_IMPORT && q < c->ast.decls[j]->u.import.n; q++)
                    seen |= strcmp(c->ast.decls[j]->u.import.modules[q].s, m->s) == 0;
            for (uint32_t q = 0; q < k && !seen; q++)
                seen |= strcmp(d->u.import.modules[q].s, m->s) == 0;
            if (seen)
                continue;
            if (*nmods >= KPI_MAX_IMPORTS) {
                diag_at(&c->diags, K_LIMIT, m->span, "more than %d imports", KPI_MAX_IMPORTS);
                return false;
            }
            uint16_t file;
            if (!find_module(c, m, scheme_dir, o, &file)) {
                ok = false;
                continue;
            }
            Ast *ast = arena_alloc(&c->arena, sizeof *ast);
            ok &= parse_source(&c->arena, &c->sources, file, &c->diags, ast);
            mods[(*nmods)++] = ast;
        }
    }
    return ok;
}

/* ---- program assembly ---------------------------------------------------------- */
static char *dup_or_null(const char *s) { return s ? kpi_strdup(s) : NULL; }

static void copy_tables(const Sema *s, Program *p)
{
    p->ntables = s->ntables;
    p->tables = kpi_calloc(s->ntables ? s->ntables : 1, sizeof(TableSpec));
    for (uint32_t i = 0; i < s->ntables; i++) {
        TableSpec *t = &p->tables[i];
        *t = s->tables[i];
        t->name = kpi_strdup(t->name);
        t->file = kpi_strdup(t->file);
        t->cols = kpi_calloc(t->ncols ? t->ncols : 1, sizeof(ColumnSpec));
        for (uint32_t k = 0; k < t->ncols; k++) {
            t->cols[k] = s->tables[i].cols[k];
            t->cols[k].name = kpi_strdup(t->cols[k].name);
            t->cols[k].header = kpi_strdup(t->cols[k].header);
        }
    }
    p->roster = s->roster;
}

static void copy_strings_and_spans(const Sema *s, Program *p, const SourceSet *src)
{
    p->nstrings = (uint32_t)s->nstrings;
    p->strings = kpi_calloc(s->nstrings ? s->nstrings : 1, sizeof(char *));
    p->string_len = kpi_calloc(s->nstrings ? s->nstrings : 1, sizeof(uint32_t));
    for (size_t i = 0; i < s->nstrings; i++) {
        p->strings[i] = kpi_strndup(s->strings[i], s->string_len[i]);
        p->string_len[i] = s->string_len[i];
    }
    p->nspans = (uint32_t)s->nspans;
    p->spans = kpi_calloc(s->nspans ? s->nspans : 1, sizeof(SpanInfo));
    if (s->nspans)
        memcpy(p->spans, s->spans, sizeof(SpanInfo) * s->nspans);
    sources_init(&p->sources);
    for (size_t i = 0; i < src->n; i++)
        sources_add(&p->sources, src->files[i].name,
                    kpi_strndup(src->files[i].text, src->files[i].len), src->files[i].len);
}

static void sema_free(Sema *s)
{
    kpi_free(s->tables); /* their columns live in the arena */
    kpi_free(s->defs);
    kpi_free(s->aggs);
    kpi_free(s->team);
    kpi_free(s->outs);
    kpi_free(s->out_defs);
    kpi_free(s->spans);
    kpi_free(s->strings);
    kpi_free(s->string_len);
    kpi_free(s->order);
}

static bool build(Compilation *c, const char *scheme_dir, const CompileOptions *o)
{
    Ast *mods[KPI_MAX_IMPORTS];
    uint32_t nmods = 0;
    if (!load_imports(c, scheme_dir, o, mods, &nmods))
        return false;
    OverrideSet sets;
    if (!overrides_parse(&c->arena, &c->sources, &c->diags, o ? o->overrides : NULL, o ? o->noverrides : 0, &sets))
        return false;
    Sema s;
    memset(&s, 0, sizeof s);
    s.arena = &c->arena;
    s.diags = &c->diags;
    s.sources = &c->sources;
    s.overrides = &sets;
    bool ok = sema_run(&s, &c->ast, (const Ast *const *)mods, nmods);
    Program *p = NULL;
    if (ok) {
        p = kpi_calloc(1, sizeof *p);
        p->scheme_name = dup_or_null(s.scheme_name ? s.scheme_name : "");
        p->currency = dup_or_null(s.currency ? s.currency : "");
        p->period = (uint8_t)s.period;
        p->rounding = (uint8_t)s.rounding;
        copy_tables(&s, p);
        ok = rowgen(&s, p) && codegen(&s, p); /* rowgen's constants too get registers */
        copy_strings_and_spans(&s, p, &c->sources);
        p->nallowed = (uint32_t)s.nallowed;
        p->allowed = kpi_calloc(s.nallowed ? s.nallowed : 1, sizeof(uint16_t));
        for (size_t i = 0; i < s.nallowed; i++)
            p->allowed[i] = (uint16_t)s.allowed[i];
    }
    diag_drop(&c->diags, s.allowed, s.nallowed);
    ok = ok && c->diags.errors == 0;
    sema_free(&s);
    if (!ok && p) {
        program_free(p);
        kpi_free(p);
        p = NULL;
    }
    c->program = p;
    return ok;
}

bool compile_parse(Compilation *c, const char *path)
{
    uint16_t file;
    if (!load_file(c, path, &file))
        return false;
    return parse_source(&c->arena, &c->sources, file, &c->diags, &c->ast);
}

bool compile_text(Compilation *c, const char *name, const char *text, size_t len,
                  const CompileOptions *o)
{
    uint16_t file = sources_add(&c->sources, name, kpi_strndup(text, len), len);
    if (!parse_source(&c->arena, &c->sources, file, &c->diags, &c->ast))
        return false;
    return build(c, NULL, o);
}

bool compile_file(Compilation *c, const char *path, const CompileOptions *o)
{
    if (!compile_parse(c, path))
        return false;
    char *dir = fs_dirname(path);
    bool ok = build(c, dir, o);
    kpi_free(dir);
    return ok;
}
