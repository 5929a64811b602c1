/* source.c - see source.h. */
#include "base/source.h"
#include "base/alloc.h"
#include "base/utf8.h"

#include <string.h>

void sources_init(SourceSet *s) { memset(s, 0, sizeof *s); }

void sources_free(SourceSet *s)
{
    for (size_t i = 0; i < s->n; i++) {
        kpi_free(s->files[i].name);
        kpi_free(s->files[i].text);
        kpi_free(s->files[i].lines);
    }
    kpi_free(s->files);
    memset(s, 0, sizeof *s);
}

uint16_t sources_add(SourceSet *s, const char *name, char *text, size_t len)
{
    Source src = {kpi_strdup(name), text, len, NULL, 0};
    size_t cap = 0, n = 0;
    VEC_PUSH(src.lines, n, cap, 0);
    for (size_t i = 0; i < len; i++)
        if (text[i] == '\n')
            VEC_PUSH(src.lines, n, cap, (uint32_t)(i + 1));
    src.nlines = (uint32_t)n;
    VEC_PUSH(s->files, s->n, s->cap, src);
    return (uint16_t)(s->n - 1);
}

const Source *sources_get(const SourceSet *s, uint16_t file)
{
    return file < s->n ? &s->files[file] : NULL;
}

LineCol source_linecol(const Source *src, uint32_t offset)
{
    if (offset > src->len)
        offset = (uint32_t)src->len;
    uint32_t lo = 0, hi = src->nlines; /* last line start <= offset */
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (src->lines[mid] <= offset)
            lo = mid;
        else
            hi = mid;
    }
    uint32_t start = src->lines[lo];
    LineCol lc = {lo + 1, (uint32_t)utf8_width(src->text + start, offset - start) + 1};
    return lc;
}

const char *source_line(const Source *src, uint32_t line, size_t *len)
{
    if (line == 0 || line > src->nlines) {
        *len = 0;
        return "";
    }
    uint32_t start = src->lines[line - 1];
    uint32_t end = line < src->nlines ? src->lines[line] : (uint32_t)src->len;
    while (end > start && (src->text[end - 1] == '\n' || src->text[end - 1] == '\r'))
        end--;
    *len = end - start;
    return src->text + start;
}
