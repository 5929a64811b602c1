/* results.h - kpirun's outputs: a readable table, CSV and JSON of the
 * per-employee results. Formatting only; the values are the VM's. */
#ifndef KPI_RESULTS_H
#define KPI_RESULTS_H
#include "base/buf.h"
#include "vm/run.h"

typedef enum ReportFormat { REPORT_TABLE, REPORT_CSV, REPORT_JSON } ReportFormat;

void report_write(const RunResult *r, const Period *period, ReportFormat f, Buf *out);

#endif
