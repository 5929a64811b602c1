/* diag.c - see diag.h. */
#include "base/diag.h"
#include "base/alloc.h"
#include "base/utf8.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void diag_init(DiagList *d) { memset(d, 0, sizeof *d); }

void diag_free(DiagList *d)
{
    for (size_t i = 0; i < d->n; i++) {
        Diag *g = &d->items[i];
        kpi_free(g->where);
        kpi_free(g->msg);
        for (size_t j = 0; j < g->nnotes; j++)
            kpi_free(g->notes[j].text);
        kpi_free(g->notes);
    }
    kpi_free(d->items);
    memset(d, 0, sizeof *d);
}

__attribute__((format(printf, 1, 0)))
static char *vformat(const char *fmt, va_list ap)
{
    Buf b = BUF_INIT;
    buf_vprintf(&b, fmt, ap);
    buf_cstr(&b);
    return b.data;
}

static Diag *diag_new(DiagList *d, DiagSeverity sev)
{
    if (sev == DIAG_ERROR)
        d->errors++;
    else
        d->warnings++;
    if (d->n >= DIAG_MAX_ERRORS)
        return NULL;
    Diag g;
    memset(&g, 0, sizeof g);
    g.sev = sev;
    g.seq = d->n;
    VEC_PUSH(d->items, d->n, d->cap, g);
    return &d->items[d->n - 1];
}

__attribute__((format(printf, 3, 0)))
static Diag *diag_vnew(DiagList *d, DiagSeverity sev, const char *fmt, va_list ap)
{
    Diag *g = diag_new(d, sev);
    if (g)
        g->msg = vformat(fmt, ap);
    return g;
}

Diag *diag_at(DiagList *d, DiagSeverity sev, Span span, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    Diag *g = diag_vnew(d, sev, fmt, ap);
    va_end(ap);
    if (g) {
        g->has_span = true;
        g->span = span;
    }
    return g;
}

Diag *diag_where(DiagList *d, DiagSeverity sev, const char *where, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    Diag *g = diag_vnew(d, sev, fmt, ap);
    va_end(ap);
    if (g)
        g->where = where ? kpi_strdup(where) : NULL;
    return g;
}

void diag_note(Diag *g, const char *label, const char *fmt, ...)
{
    if (!g)
        return;
    va_list ap;
    va_start(ap, fmt);
    DiagNote note = {label, vformat(fmt, ap)};
    va_end(ap);
    VEC_PUSH(g->notes, g->nnotes, g->capnotes, note);
}

void diag_set_code(Diag *g, const char *code)
{
    if (!g)
        return;
    strncpy(g->code, code, sizeof g->code - 1);
    g->code[sizeof g->code - 1] = '\0';
}

static int diag_cmp(const void *pa, const void *pb)
{
    const Diag *a = pa, *b = pb;
    if (a->has_span != b->has_span)
        return a->has_span ? -1 : 1;
    if (a->has_span) {
        if (a->span.file != b->span.file)
            return a->span.file < b->span.file ? -1 : 1;
        if (a->span.start != b->span.start)
            return a->span.start < b->span.start ? -1 : 1;
    }
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

void diag_sort(DiagList *d)
{
    if (d->n > 1)
        qsort(d->items, d->n, sizeof *d->items, diag_cmp);
}

/* The source line, then spaces (tabs kept) and ^~~~ under the span. */
static void render_excerpt(const Source *src, Span sp, LineCol lc, Buf *out)
{
    size_t len;
    const char *line = source_line(src, lc.line, &len);
    char gutter[16];
    int gw = snprintf(gutter, sizeof gutter, "%u", lc.line);
    buf_printf(out, " %s | %.*s\n", gutter, (int)len, line);
    buf_pad(out, ' ', (size_t)gw + 1);
    buf_adds(out, " | ");
    size_t prefix = 0; /* bytes of the line before the caret */
    for (uint32_t c = 1; c < lc.col && prefix < len; c++) {
        unsigned char ch = (unsigned char)line[prefix];
        buf_addc(out, ch == '\t' ? '\t' : ' ');
        prefix++;
        while (prefix < len && ((unsigned char)line[prefix] & 0xC0) == 0x80)
            prefix++;
    }
    size_t line_start = (size_t)(line - src->text);
    size_t span_end = sp.end > sp.start ? sp.end : sp.start + 1;
    size_t end_in_line = span_end - line_start;
    if (end_in_line > len)
        end_in_line = len;
    size_t width = end_in_line > prefix ? utf8_width(line + prefix, end_in_line - prefix) : 1;
    buf_addc(out, '^');
    for (size_t i = 1; i < width; i++)
        buf_addc(out, '~');
    buf_addc(out, '\n');
}

void diag_render_one(const Diag *g, const SourceSet *src, Buf *out)
{
    const char *sev = g->sev == DIAG_ERROR ? "error" : "warning";
    const Source *s = g->has_span ? sources_get(src, g->span.file) : NULL;
    LineCol lc = {0, 0};
    if (s) {
        lc = source_linecol(s, g->span.start);
        buf_printf(out, "%s:%u:%u: ", s->name, lc.line, lc.col);
    } else if (g->where) {
        buf_printf(out, "%s: ", g->where);
    }
    if (g->code[0])
        buf_printf(out, "%s[%s]: %s\n", sev, g->code, g->msg);
    else
        buf_printf(out, "%s: %s\n", sev, g->msg);
    if (s)
        render_excerpt(s, g->span, lc, out);
    for (size_t i = 0; i < g->nnotes; i++)
        buf_printf(out, "  %s: %s\n", g->notes[i].label, g->notes[i].text);
}

void diag_render(const DiagList *d, const SourceSet *src, Buf *out)
{
    for (size_t i = 0; i < d->n; i++)
        diag_render_one(&d->items[i], src, out);
    if (d->n < d->errors + d->warnings)
        buf_printf(out, "... and %zu more diagnostics not shown\n",
                   d->errors + d->warnings - d->n);
}
