/* statement.h - payout statements: one self-contained HTML page per
 * employee (inline CSS and SVG, no scripts, nothing fetched), showing the
 * payout, a table of the indicators, a plot of each indicator's scale with
 * the employee's point on it, and the whole explanation. */
#ifndef KPI_STATEMENT_H
#define KPI_STATEMENT_H
#include "base/buf.h"
#include "report/explain.h"

void statement_html(const Explanation *x, const char *tool_version, Buf *out);

/* The statements' index page: every employee with a link and the payout.
 * files[e] is employee e's statement file name. */
void statement_index_html(const RunResult *r, const Period *period, const char *const *files,
                          const char *tool_version, Buf *out);

/* A file name for an employee's statement: the key with characters a file
 * system or a browser would misread replaced by '_', then ".html"; unique
 * among taken (n names) by a -2, -3... suffix. kpi_malloc'd. */
char *statement_file_name(const char *key, const char *const *taken, size_t n);

#endif
