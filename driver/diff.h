/* diff.h - two versions of a scheme evaluated over the same facts, compared
 * employee by employee: the payouts, their exact deltas, and what moved
 * them (indicators and named values whose results changed). The values are
 * the VM's; report/diff.c formats them. */
#ifndef KPI_DIFF_H
#define KPI_DIFF_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vm/run.h"

typedef enum DiffMoveKind {
    MOVE_INDICATOR,   /* in both versions: its score, weight or contribution changed */
    MOVE_IND_ADDED,   /* only the new version has it */
    MOVE_IND_REMOVED, /* only the old version has it */
    MOVE_VALUE,       /* a labelled let, the kpi or the bonus changed */
    MOVE_VALUE_ADDED,
    MOVE_VALUE_REMOVED
} DiffMoveKind;

/* An indicator's fields as a move compares and shows them. */
enum { DIFF_FACT, DIFF_PLAN, DIFF_INDEX, DIFF_SCORE, DIFF_WEIGHT, DIFF_CONTRIB, DIFF__FIELDS };

typedef struct DiffSideVal {
    Value v[DIFF__FIELDS];  /* an indicator's fields; a value move uses v[0] */
    bool  used;             /* the version has it and the employee's role uses it */
    bool  gate_off;         /* its `only if` condition was not met */
} DiffSideVal;

typedef struct DiffMove {
    uint8_t     kind;       /* DiffMoveKind */
    int32_t     old_i;      /* index into old ind[] or outs[], -1 when absent */
    int32_t     new_i;
    DiffSideVal old, new_;
    Rat         size;       /* |change of the contribution|, how much it matters */
} DiffMove;

typedef enum DiffStatus { DIFF_SAME, DIFF_GAIN, DIFF_LOSS, DIFF_ADDED, DIFF_REMOVED } DiffStatus;

typedef struct DiffRow {
    int32_t   old_e, new_e;       /* the employee in each run, -1 when not in its roster */
    Value     old_pay, new_pay;   /* blank on the side without the employee */
    Value     delta;              /* what the budget changes by: new - old, absent = 0 */
    uint8_t   status;             /* DiffStatus */
    DiffMove *moves;              /* indicators by size, then values */
    uint32_t  nmoves;
    size_t    capmoves;
} DiffRow;

typedef struct Diff {
    const RunResult *old, *new_;
    DiffRow  *rows;               /* by employee key */
    uint32_t  nrows;
    size_t    caprows;
    Value     old_budget, new_budget, delta;
    uint32_t  count[5];           /* rows per DiffStatus */
    int32_t   largest_loss;       /* row, -1 when nobody loses */
    int32_t   largest_gain;
} Diff;

/* Runs both programs over the same data and period (res[0] old, res[1]
 * new; the caller frees both) and, when both succeed, compares them into
 * *out; false when a run failed (its diagnostics are in its result). */
bool diff_run(const Program *old, const Program *new_, const RunOptions *o, RunResult res[2], Diff *out);
/* Compares two successful runs; the diff points into both. */
void diff_compute(const RunResult *old, const RunResult *new_, Diff *out);
void diff_free(Diff *d);

/* An employee's key, name and department text ("" when none). */
const char *diff_key(const Diff *d, const DiffRow *r);
const char *diff_name(const Diff *d, const DiffRow *r);
const char *diff_dept(const Diff *d, const DiffRow *r);

#endif
