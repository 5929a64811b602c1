/* diag.c - see diag.h. */
#include "base/diag.h"
#include "base/alloc.h"
#include "base/utf8.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const DiagInfo diag_info[K__COUNT] = {
#define ERROR DIAG_ERROR
#define WARNING DIAG_WARNING
#define DIAG(id, code, sev, title, text) {code, sev, title, text},
#include "base/diagcodes.def"
#undef DIAG
#undef ERROR
#undef WARNING
};

const DiagInfo *diag_lookup(const char *code)
{
    for (int i = 0; i < K__COUNT; i++) {
        const char *a = diag_info[i].code, *b = code;
        while (*a && (*a == *b || (*b >= 'a' && *b <= 'z' && *a == *b - 32)))
            a++, b++;
        if (!*a && !*b)
            return &diag_info[i];
    }
    return NULL;
}

static void diag_release(Diag *g);

void diag_init(DiagList *d) { memset(d, 0, sizeof *d); }

void diag_free(DiagList *d)
{
    for (size_t i = 0; i < d->n; i++)
        diag_release(&d->items[i]);
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

static Diag *diag_new(DiagList *d, DiagId id)
{
    DiagSeverity sev = diag_info[id].sev;
    if (sev == DIAG_ERROR)
        d->errors++;
    else
        d->warnings++;
    if (d->n >= DIAG_MAX_ERRORS)
        return NULL;
    Diag g;
    memset(&g, 0, sizeof g);
    g.sev = sev;
    g.id = id;
    g.seq = d->n;
    VEC_PUSH(d->items, d->n, d->cap, g);
    return &d->items[d->n - 1];
}

__attribute__((format(printf, 3, 0)))
static Diag *diag_vnew(DiagList *d, DiagId id, const char *fmt, va_list ap)
{
    Diag *g = diag_new(d, id);
    if (g)
        g->msg = vformat(fmt, ap);
    return g;
}

Diag *diag_at(DiagList *d, DiagId id, Span span, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    Diag *g = diag_vnew(d, id, fmt, ap);
    va_end(ap);
    if (g) {
        g->has_span = true;
        g->span = span;
    }
    return g;
}

Diag *diag_where(DiagList *d, DiagId id, const char *where, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    Diag *g = diag_vnew(d, id, fmt, ap);
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

bool diag_allowable(DiagId id)
{
    const char *c = diag_info[id].code;
    return diag_info[id].sev == DIAG_WARNING || strncmp(c, "K07", 3) == 0 || strncmp(c, "K08", 3) == 0;
}

static void diag_release(Diag *g)
{
    kpi_free(g->where);
    kpi_free(g->msg);
    for (size_t j = 0; j < g->nnotes; j++)
        kpi_free(g->notes[j].text);
    kpi_free(g->notes);
}

void diag_drop_warnings(DiagList *d)
{
    DiagId ids[K__COUNT];
    size_t n = 0;
    for (int i = 0; i < K__COUNT; i++)
        if (diag_info[i].sev == DIAG_WARNING)
            ids[n++] = (DiagId)i;
    diag_drop(d, ids, n);
}

void diag_drop(DiagList *d, const DiagId *ids, size_t n)
{
    size_t keep = 0;
    for (size_t i = 0; i < d->n; i++) {
        Diag *g = &d->items[i];
        bool drop = false;
        for (size_t k = 0; k < n && !drop; k++)
            drop = g->id == ids[k];
        if (!drop) {
            d->items[keep++] = *g;
            continue;
        }
        if (g->sev == DIAG_ERROR)
            d->errors--;
        else
            d->warnings--;
        diag_release(g);
    }
    d->n = keep;
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

/* ANSI colours of the human form (only when asked: a terminal, no NO_COLOR). */
#define C_BOLD "\033[1m"
#define C_RED "\033[1;31m"
#define C_YELLOW "\033[1;33m"
#define C_BLUE "\033[1;34m"
#define C_CYAN "\033[1;36m"
#define C_OFF "\033[0m"

static void paint(Buf *out, bool color, const char *code)
{
    if (color)
        buf_adds(out, code);
}

/* Bytes of a source line shown: a longer line (a scheme that is one long
 * line) shows a window around the caret, "..." marking the cuts. */
#define EXCERPT_MAX 160

static size_t char_start(const char *s, size_t i)
{
    while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80)
        i--;
    return i;
}

/* The line's bytes [from, to) as shown, a column (a byte that is not a
 * UTF-8 continuation, with its continuations) at a time: a control
 * character or a column that is not one whole UTF-8 character shows as
 * '?', so neither a NUL nor an escape sequence of the file reaches the
 * terminal, and the caret stays under its column. */
static void add_shown(Buf *out, const char *s, size_t from, size_t to)
{
    for (size_t i = from; i < to;) {
        size_t k = 1;
        while (i + k < to && ((unsigned char)s[i + k] & 0xC0) == 0x80)
            k++;
        uint32_t cp = 0;
        bool ok = utf8_decode((const unsigned char *)s + i, k, &cp) == k && cp != 0x7F &&
                  (cp >= 0x20 || cp == '\t') && (cp < 0x80 || cp >= 0xA0);
        if (ok)
            buf_add(out, s + i, k);
        else
            buf_addc(out, '?');
        i += k;
    }
}

/* The source line, then spaces (tabs kept) and ^~~~ under the span. */
static void render_excerpt(const Source *src, Span sp, LineCol lc, bool color, Buf *out)
{
    size_t len;
    const char *line = source_line(src, lc.line, &len);
    size_t prefix = 0; /* bytes of the line before the caret */
    for (uint32_t c = 1; c < lc.col && prefix < len; c++) {
        prefix++;
        while (prefix < len && ((unsigned char)line[prefix] & 0xC0) == 0x80)
            prefix++;
    }
    size_t ws = 0, we = len; /* the window shown */
    if (len > EXCERPT_MAX) {
        ws = prefix > EXCERPT_MAX / 3 ? char_start(line, prefix - EXCERPT_MAX / 3) : 0;
        we = ws + EXCERPT_MAX < len ? char_start(line, ws + EXCERPT_MAX) : len;
    }
    const char *lead = ws > 0 ? "..." : "";
    char gutter[16];
    int gw = snprintf(gutter, sizeof gutter, "%u", lc.line);
    paint(out, color, C_BLUE);
    buf_printf(out, " %s | ", gutter);
    paint(out, color, C_OFF);
    buf_adds(out, lead);
    add_shown(out, line, ws, we);
    buf_adds(out, we < len ? "...\n" : "\n");
    paint(out, color, C_BLUE);
    buf_pad(out, ' ', (size_t)gw + 1);
    buf_adds(out, " | ");
    paint(out, color, C_OFF);
    buf_adds(out, lead[0] ? "   " : "");
    for (size_t i = ws; i < prefix; i++)
        if (((unsigned char)line[i] & 0xC0) != 0x80)
            buf_addc(out, line[i] == '\t' ? '\t' : ' ');
    size_t line_start = (size_t)(line - src->text);
    size_t span_end = sp.end > sp.start ? sp.end : sp.start + 1;
    size_t end_in_line = span_end - line_start;
    if (end_in_line > we)
        end_in_line = we;
    size_t width = end_in_line > prefix ? utf8_width(line + prefix, end_in_line - prefix) : 1;
    paint(out, color, C_RED);
    buf_addc(out, '^');
    for (size_t i = 1; i < width; i++)
        buf_addc(out, '~');
    paint(out, color, C_OFF);
    buf_addc(out, '\n');
}

void diag_render_one(const Diag *g, const SourceSet *src, bool color, Buf *out)
{
    bool err = g->sev == DIAG_ERROR;
    const Source *s = g->has_span ? sources_get(src, g->span.file) : NULL;
    LineCol lc = {0, 0};
    paint(out, color, C_BOLD);
    if (s) {
        lc = source_linecol(s, g->span.start);
        buf_printf(out, "%s:%u:%u: ", s->name, lc.line, lc.col);
    } else if (g->where) {
        buf_printf(out, "%s: ", g->where);
    }
    paint(out, color, err ? C_RED : C_YELLOW);
    buf_printf(out, "%s[%s]:", err ? "error" : "warning", diag_info[g->id].code);
    paint(out, color, C_OFF);
    paint(out, color, C_BOLD);
    buf_printf(out, " %s", g->msg);
    paint(out, color, C_OFF);
    buf_addc(out, '\n');
    if (s)
        render_excerpt(s, g->span, lc, color, out);
    for (size_t i = 0; i < g->nnotes; i++) {
        buf_adds(out, "  ");
        paint(out, color, C_CYAN);
        buf_printf(out, "%s:", g->notes[i].label);
        paint(out, color, C_OFF);
        buf_printf(out, " %s\n", g->notes[i].text);
    }
}

void diag_render_color(const DiagList *d, const SourceSet *src, bool color, Buf *out)
{
    for (size_t i = 0; i < d->n; i++)
        diag_render_one(&d->items[i], src, color, out);
    if (d->n < d->errors + d->warnings)
        buf_printf(out, "... and %zu more diagnostics not shown\n", d->errors + d->warnings - d->n);
}

void diag_render(const DiagList *d, const SourceSet *src, Buf *out) { diag_render_color(d, src, false, out); }
