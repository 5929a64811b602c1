/* diag.h - diagnostics go into a list (a sink), never straight to stderr.
 * The front end and the compiler add to a DiagList; the CLI renders it.
 * A diagnostic is located either by a Span in a source file or by a free
 * "where" text such as "deals.csv:15:3" for data files. */
#ifndef KPI_DIAG_H
#define KPI_DIAG_H
#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "base/source.h"

typedef enum { DIAG_ERROR, DIAG_WARNING } DiagSeverity;

typedef struct DiagNote {
    const char *label;   /* "help" or "note" */
    char       *text;
} DiagNote;

typedef struct Diag {
    DiagSeverity sev;
    char         code[8];   /* stable code such as "K0203", or "" */
    bool         has_span;
    Span         span;
    char        *where;     /* location text when there is no span */
    char        *msg;
    DiagNote    *notes;
    size_t       nnotes, capnotes;
    size_t       seq;       /* insertion order, keeps sorting stable */
} Diag;

typedef struct DiagList {
    Diag  *items;
    size_t n, cap;
    size_t errors, warnings;
} DiagList;

#define DIAG_MAX_ERRORS 100  /* later errors are counted, not stored */

void  diag_init(DiagList *d);
void  diag_free(DiagList *d);
Diag *diag_at(DiagList *d, DiagSeverity sev, Span span, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
Diag *diag_where(DiagList *d, DiagSeverity sev, const char *where, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Adds a "help:" or "note:" line; g may be NULL (a dropped diagnostic). */
void  diag_note(Diag *g, const char *label, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void  diag_set_code(Diag *g, const char *code);
void  diag_sort(DiagList *d);
/* Renders all diagnostics: "file:line:col: error: msg", the line, a caret. */
void  diag_render(const DiagList *d, const SourceSet *src, Buf *out);
void  diag_render_one(const Diag *g, const SourceSet *src, Buf *out);

#endif
