/* diag.h - diagnostics go into a list (a sink), never straight to stderr.
 * The front end and the compiler add to a DiagList; the CLI renders it.
 * A diagnostic is located either by a Span in a source file or by a free
 * "where" text such as "deals.csv:15:3" for data files. */
#ifndef KPI_DIAG_H
#define KPI_DIAG_H
#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "base/limits.h"
#include "base/source.h"

typedef enum { DIAG_ERROR, DIAG_WARNING } DiagSeverity;

/* The catalogue of diagnostics (base/diagcodes.def). */
typedef enum DiagId {
#define DIAG(id, code, sev, title, text) K_##id,
#include "base/diagcodes.def"
#undef DIAG
    K__COUNT
} DiagId;

typedef struct DiagInfo {
    const char  *code;     /* "K0201" */
    DiagSeverity sev;
    const char  *title;
    const char  *text;     /* the long form, for kpic explain */
} DiagInfo;

extern const DiagInfo diag_info[K__COUNT];
/* The entry of a code such as "K0201" (any case), or NULL. */
const DiagInfo *diag_lookup(const char *code);

typedef struct DiagNote {
    const char *label;   /* "help" or "note" */
    char       *text;
} DiagNote;

typedef struct Diag {
    DiagSeverity sev;
    DiagId       id;        /* its entry in the catalogue */
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

void  diag_init(DiagList *d);
void  diag_free(DiagList *d);
Diag *diag_at(DiagList *d, DiagId id, Span span, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
Diag *diag_where(DiagList *d, DiagId id, const char *where, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Adds a "help:" or "note:" line; g may be NULL (a dropped diagnostic). */
void  diag_note(Diag *g, const char *label, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A check a scheme may switch off with `allow CODE`: a warning, or one of
 * the analysis checks K07xx (bands and scales) and K08xx (advice). */
bool  diag_allowable(DiagId id);
/* Drops the diagnostics whose id is in `ids` (the scheme's allow list). */
void  diag_drop(DiagList *d, const DiagId *ids, size_t n);
/* Drops every warning (kpirun leaves the advice to kpic check). */
void  diag_drop_warnings(DiagList *d);
void  diag_sort(DiagList *d);
/* Renders all diagnostics: "file:line:col: error[K0201]: msg", the line, a
 * caret under the span, help and note lines; with ANSI colours if asked. */
void  diag_render(const DiagList *d, const SourceSet *src, Buf *out);
void  diag_render_color(const DiagList *d, const SourceSet *src, bool color, Buf *out);
void  diag_render_one(const Diag *g, const SourceSet *src, bool color, Buf *out);

#endif
