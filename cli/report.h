/* report.h - kpirun's outputs: a readable table, CSV and JSON of the
 * per-employee results. Formatting only; the values are the VM's. */
#ifndef KPI_REPORT_H
#define KPI_REPORT_H
#include "base/buf.h"
#include "vm/run.h"

typedef enum ReportFormat { REPORT_TABLE, REPORT_CSV, REPORT_JSON } ReportFormat;

#define REPORT_FRAC_DIGITS 10   /* non-terminating decimals in CSV/JSON */

void report_write(const RunResult *r, const Period *period, ReportFormat f, Buf *out);

#endif
