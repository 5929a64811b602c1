/* source.h - source texts and positions in them.
 * A Span names a byte range of one source file of a SourceSet; lines and
 * columns (1-based, columns counted in characters) are derived on demand. */
#ifndef KPI_SOURCE_H
#define KPI_SOURCE_H
#include <stddef.h>
#include <stdint.h>

typedef struct Span {
    uint32_t start, end; /* byte offsets, end exclusive */
    uint16_t file;       /* index in the SourceSet */
} Span;

typedef struct Source {
    char     *name;      /* as shown in messages */
    char     *text;      /* owned, NUL-terminated */
    size_t    len;
    uint32_t *lines;     /* byte offset of each line start */
    uint32_t  nlines;
} Source;

/* The name of the source made of kpirun --set values: not a file. */
#define SOURCE_COMMAND_LINE "<command line>"

typedef struct SourceSet {
    Source  *files;
    size_t   n, cap;
} SourceSet;

void sources_init(SourceSet *s);
void sources_free(SourceSet *s);
/* Takes ownership of text (kpi_malloc'd). Returns the file index. */
uint16_t sources_add(SourceSet *s, const char *name, char *text, size_t len);
const Source *sources_get(const SourceSet *s, uint16_t file);

typedef struct LineCol {
    uint32_t line, col;      /* 1-based; col in characters */
} LineCol;

LineCol source_linecol(const Source *src, uint32_t offset);
/* The text of 1-based line `line` without its newline. */
const char *source_line(const Source *src, uint32_t line, size_t *len);

#endif
