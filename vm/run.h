/* run.h - evaluating a program over a period's data.
 * run_period reads the roster and plans, scans every fact table once,
 * runs the employee program stage by stage (with team aggregation between
 * stages) and leaves every employee's registers in the result. Data and
 * runtime errors go into the result's DiagList; nothing is printed. */
#ifndef KPI_RUN_H
#define KPI_RUN_H
#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/diag.h"
#include "base/limits.h"
#include "vm/date.h"
#include "vm/program.h"
#include "vm/strtab.h"
#include "vm/value.h"

/* An input table given as CSV text instead of its file (scheme tests). */
typedef struct RunText {
    const char *text;          /* NULL: read the file */
    size_t      len;
} RunText;

struct RunResult;

typedef struct RunOptions {
    const char *data_dir;      /* where the scheme's input files are */
    const RunText *texts;      /* per table, or NULL; messages still name data_dir/file */
    Period      period;
    bool        check_only;    /* kpic check --data: read and check, compute nothing */
    uint32_t    threads;       /* fact files are read by this many threads; 0: one per CPU */
    uint64_t    split_bytes;   /* a part is at least this big; 0: SCAN_SPLIT_MIN (tests use less) */
    uint64_t    max_steps;     /* employee-program instructions, 0: KPI_DEFAULT_MAX_STEPS */
    /* Each employee's registers as they end, in key order (and then the
     * result can drop them: a million employees in little memory). With
     * drop_regs only the results' registers (indicator fields, outputs)
     * are the employee's; RunResult.emp_inexact says if any value was.
     * text is what render made of them, NULL when it made nothing. */
    void      (*sink)(void *ctx, const struct RunResult *r, uint32_t emp, const Value *regs, const char *text,
                      size_t len);
    void       *sink_ctx;
    /* Optional, with drop_regs: an employee's results as text, made by the
     * thread that computed them (several at once: it may only read r and
     * regs, and write out), so that with threads the formatting is shared
     * too; the sink then gets it. */
    void      (*render)(void *ctx, const struct RunResult *r, uint32_t emp, const Value *regs, Buf *out);
    bool        drop_regs;     /* RunResult.regs stays NULL */
    /* explanations: the employees whose computation the VM records */
    bool        trace_all;
    const char *const *trace_keys;
    uint32_t    ntrace_keys;
} RunOptions;

/* What the VM saw at one trace point of one employee (program.h). */
typedef struct TraceRec {
    uint8_t  hit;              /* the instruction ran */
    uint64_t count;            /* an aggregate's rows, a team field's members */
    Value    v[3];             /* the result (a branch: its condition), then the operands */
} TraceRec;

typedef struct TableStats {
    uint64_t rows;             /* data rows read */
    uint64_t in_period;        /* fact rows inside the period */
    uint64_t unknown_employee; /* fact rows whose employee is not in the roster */
    bool     failed;           /* the file could not be read through */
    bool     capped;           /* reading stopped at the error limit: the counts are partial */
    uint32_t nunknown_ids;     /* distinct ids below, at most KPI_UNKNOWN_SHOWN */
    bool     more_unknown;     /* and there were other ids */
    char     unknown_ids[KPI_UNKNOWN_SHOWN][64];
} TableStats;

typedef enum RunStatus { RUN_OK, RUN_DATA_ERROR, RUN_EVAL_ERROR } RunStatus;

typedef struct RunResult {
    const Program *p;
    RunStatus   status;
    DiagList    diags;         /* "file:row:col: error: ..." and located runtime errors */
    StrTab      strs;          /* texts of the values below */
    uint32_t    nemp;
    uint32_t   *emp_key;       /* text id of each employee, sorted by key */
    uint32_t   *emp_name;      /* text id, STR_NONE when the roster has no name */
    uint32_t   *emp_dept;      /* text id, STR_NONE when none */
    Value      *regs;          /* nemp * npersist: every named value */
    TableStats *stats;         /* per table */
    uint64_t   *emp_rows;      /* nemp * ntables: fact rows of each employee in the period */
    bool        inexact;       /* some value fell back to a rounded decimal */
    uint8_t    *emp_inexact;   /* per employee: one of its values did */
    uint64_t    ns_read, ns_scan, ns_eval;  /* how long the stages took (--timings) */
    uint64_t    ns_sink;       /* of ns_eval, in the sink */
    int32_t    *trace_slot;    /* per employee: its records, or -1 when not traced */
    TraceRec   *trace;         /* slot * p->ntrace + point */
} RunResult;

void run_period(const Program *p, const RunOptions *o, RunResult *out);
void run_result_free(RunResult *r);
static inline const Value *run_regs(const RunResult *r, uint32_t emp)
{
    return r->regs + (size_t)emp * r->p->npersist;
}
/* The employee with this key, or -1. */
int32_t run_find_employee(const RunResult *r, const char *key);
/* An employee's trace records, NULL when it was not traced. */
static inline const TraceRec *run_trace(const RunResult *r, uint32_t emp)
{
    if (!r->trace_slot || r->trace_slot[emp] < 0)
        return NULL;
    return r->trace + (size_t)r->trace_slot[emp] * r->p->ntrace;
}

#endif
