/* diff.h - kpirun diff's outputs: a readable table of the payouts of two
 * versions with what moved each one and the totals, CSV (a row per
 * employee) and JSON. Formatting only; the values are driver/diff.c's. */
#ifndef KPI_REPORT_DIFF_H
#define KPI_REPORT_DIFF_H
#include "base/buf.h"
#include "driver/diff.h"
#include "report/results.h"

/* old_file and new_file name the versions as the user gave them. */
void report_diff(const Diff *d, const char *old_file, const char *new_file, const Period *period, ReportFormat f,
                 Buf *out);

#endif
