/* run_int.h - the state of one evaluation, shared by the VM's parts:
 * ref.c (roster, plans), scan.c (fact tables), interp.c (employee program),
 * team.c (group aggregates) and run.c (the order of it all). */
#ifndef KPI_RUN_INT_H
#define KPI_RUN_INT_H
#include "vm/csv.h"
#include "vm/run.h"
#include "vm/hoist.h"
#include "vm/slice.h"

/* A reference table's cell in 8 bytes rather than a 48-byte Value: a
 * number as its scaled integer (the column's scale), a text or period its
 * id, a date its day, a bool 0 or 1; REF_BLANK for blank. */
#define REF_BLANK INT64_MIN
/* Into a register; a number by 8-byte stores, as the VM reads it (see
 * val_copy). */
static inline void ref_cell_to(Value *out, const ColumnSpec *c, int64_t x)
{
    if (x == REF_BLANK) {
        *out = val_blank();
        return;
    }
    switch ((ColType)c->type) {
    case COL_TEXT:
    case COL_PERIOD: *out = val_text((uint32_t)x); break;
    case COL_BOOL:   *out = val_bool(x != 0); break;
    case COL_DATE:   *out = val_date((int32_t)x); break;
    default:         val_set_q(out, (Rat){x, i128_pow10(c->scale)}, 0); break; /* lazily reduced */
    }
}

static inline Value ref_cell_value(const ColumnSpec *c, int64_t x)
{
    Value v;
    ref_cell_to(&v, c, x);
    return v;
}

/* A reference table (plans) loaded for the period. */
typedef struct PlanData {
    uint32_t  nrows;
    int64_t  *cells;          /* nrows * ncols, as ref_cell_value reads them */
    int32_t  *row_of_emp;     /* employee-keyed: nemp entries, -1 none */
    int32_t  *row_of_text;    /* department-keyed: by text id, -1 none */
    uint32_t  ntext;
} PlanData;

/* What an aggregate has seen of one employee's rows. */
typedef struct Acc {
    i128    v;                /* the sum, or the min or max so far */
    int64_t count;
    int64_t rows;             /* rows that passed the filter (explanations) */
} Acc;

/* A pass before the last that only computes the next team fields' inputs:
 * the program seen with the slice as its code (eval.c). */
typedef struct Prepass {
    Slice     slice;
    Program   view;           /* the program's fields, the slice's code */
    uint16_t *want;           /* the registers it computes */
    uint32_t  nwant;
    uint32_t  entry;          /* the view's one stratum starts at 0 */
} Prepass;

/* What the employee program keeps between strata (eval.c). */
typedef struct Eval {
    uint32_t   np;            /* persistent registers */
    int32_t   *slot;          /* per persistent register: its cross slot, -1 none */
    uint32_t   ncross;
    Value     *cross;         /* nemp * ncross */
    uint16_t **written;       /* per stratum: the registers it writes */
    uint32_t  *nwritten;
    uint16_t **crossout, **crossin;  /* per stratum: cross registers it writes, reads */
    uint32_t  *ncrossout, *ncrossin;
    Prepass   *pre;           /* sink runs: per stratum but the last, or NULL */
    Hoist      hoist;         /* the code without its constant defs, when it has some */
    bool       hoisted;       /* ...and no employee is traced (a trace maps the program's pcs) */
    uint32_t   failed;        /* employees with a runtime error */
    bool       data_fault;
} Eval;

typedef struct Run {
    const Program    *p;
    const RunOptions *o;
    RunResult        *res;
    int64_t          *roster;       /* nemp * roster ncols cells (ref_cell_value) */
    int32_t          *emp_of_text;  /* text id -> employee, -1 */
    uint32_t          nemp_of_text;
    PlanData         *plans;        /* per table (only plans tables filled) */
    Acc              *acc;          /* nemp * naggs */
    Value            *team_vals;    /* per team field: ngroups values */
    uint64_t         *team_n;       /* the members each of those counted */
    int32_t          *team_group;   /* per team field: nemp group indices */
    uint32_t         *team_ngroups;
    size_t           *team_base;    /* per team field: where its groups start in team_vals */
    Value            *frame;        /* nregs scratch registers */
    Eval              eval;
    uint32_t         *point_of_pc;  /* tracing: ncode entries, UINT32_MAX none */
    TraceRec         *trace_cur;    /* the records of the employee running, or NULL */
    bool              data_error;
} Run;

/* "file:row:col" for messages. */
void run_data_error(Run *r, DiagId id, const char *file, uint64_t row, uint32_t col, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
char *run_path(const Run *r, const TableSpec *t);
/* Threads to use: RunOptions.threads, 0 meaning one per CPU, at most KPI_MAX_THREADS. */
uint32_t run_threads(const Run *r);
/* fn on each of the n items of `items` (each `size` bytes) at once: the
 * first on this thread, each other on a thread of its own, or on this one
 * after the first when a thread cannot be started. Returns when all are done. */
void run_each(void *(*fn)(void *), void *items, size_t size, uint32_t n);
/* fn(items[i]) for every i, by up to `threads` threads taking the next. */
void run_pool(void *(*fn)(void *), void *const *items, uint32_t n, uint32_t threads);
/* A CSV reader's error at its place; the bases: records and lines of the
 * file before the reader's part. */
void run_csv_error(Run *r, DiagId id, const char *file, const CsvError *e, uint64_t row_base, uint64_t line_base);
/* Opens a table's input: its file at path, or its text of RunOptions.texts. */
CsvReader *run_csv_open(const Run *r, const TableSpec *t, const char *path, CsvError *err);

/* ref.c */
bool ref_load_roster(Run *r);
bool ref_load_plans(Run *r);
/* Parses one cell of a reference table into its 8-byte cell (REF_BLANK...).
 * For a text, *out comes in as the id to try first (the row before's). */
bool ref_parse_cell(Run *r, const TableSpec *t, const ColumnSpec *c, const char *file, uint64_t row,
                    uint32_t col, CsvField f, int64_t *out);
/* The header position of each declared column, -1 when missing (reported). */
bool ref_map_header(Run *r, const TableSpec *t, const char *file, const CsvField *names,
                    uint32_t n, int32_t *pos);

/* scan.c */
bool scan_facts(Run *r);
Value scan_agg_value(const Run *r, uint32_t emp, uint32_t agg);
uint64_t scan_agg_rows(const Run *r, uint32_t emp, uint32_t agg);
void scan_free(Run *r);

/* eval.c */
void  eval_employees(Run *r);
void  eval_free(Run *r);
/* A member's value of a register a team field reads (a cross register). */
Value eval_value(const Run *r, uint32_t emp, uint16_t reg);

/* interp.c */
/* Runs the employee's code from pc to its RET; true if a value it computed
 * fell back to a rounded decimal (or came in so from a team or a constant). */
bool interp_run(Run *r, uint32_t emp, uint32_t pc);
/* Starts loading into the cache what the employee's instructions will read:
 * plan rows (a few lines each, far apart in a large table) and team values
 * (by group, in no order the hardware foresees). */
void interp_prefetch(const Run *r, uint32_t emp);
/* Runs instructions [start, end) over R; false at one that reads data. */
bool interp_range(const Program *p, Value *R, uint32_t start, uint32_t end);

/* team.c */
void team_prepare(Run *r);
void team_aggregate(Run *r, uint32_t stratum);

void team_free(Run *r);

#endif
