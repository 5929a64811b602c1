/* diagfmt.h - diagnostics for people and for machines.
 * human: "file:line:col: error[K0201]: ...", the line and a caret (stderr);
 * json, github (workflow annotations) and sarif (2.1.0): one document for
 * all the files of a run, on stdout, which then carries nothing else. */
#ifndef KPI_DIAGFMT_H
#define KPI_DIAGFMT_H
#include <stdbool.h>
#include <stdio.h>

#include "base/buf.h"
#include "base/diag.h"

typedef enum DiagFormat { DF_HUMAN, DF_JSON, DF_GITHUB, DF_SARIF } DiagFormat;

typedef struct DiagEntry {
    DiagId   id;
    char    *file;                    /* NULL when the diagnostic is about no file */
    uint32_t line, col, end_line, end_col;  /* 1-based; end exclusive; 0 when unknown */
    char    *msg;
    char    *notes;                   /* "help: ...\nnote: ..." or NULL */
} DiagEntry;

typedef struct DiagOutput {
    DiagFormat fmt;
    bool       color;                 /* human only */
    bool       werror;                /* warnings count as errors */
    DiagEntry *items;
    size_t     n, cap;
    size_t     errors, warnings;
    Buf        human;                 /* the human form as it is collected */
} DiagOutput;

bool diagfmt_parse(const char *name, DiagFormat *out);
/* --color=auto|always|never for a stream; auto means a terminal without NO_COLOR. */
bool diagfmt_color(const char *when, FILE *stream, bool *out);
void diagout_init(DiagOutput *o, DiagFormat fmt, bool color);
/* Adds a list's diagnostics (sorted by position). */
void diagout_add(DiagOutput *o, DiagList *d, const SourceSet *src);
/* Writes the document: human to stderr, the others to stdout. */
void diagout_write(DiagOutput *o, const char *tool_version);
/* The document as text (json, github, sarif; human: what is collected). */
void diagout_render(const DiagOutput *o, const char *tool_version, Buf *out);
void diagout_free(DiagOutput *o);
bool diagout_failed(const DiagOutput *o);

#endif
