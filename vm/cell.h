/* cell.h - reading one CSV cell as a typed value, shared by the reference
 * tables (ref.c) and the fact scan (scan.c). */
#ifndef KPI_CELL_H
#define KPI_CELL_H
#include <stdbool.h>
#include <stddef.h>

#include "vm/program.h"

/* An empty cell: nothing, or only ASCII spaces. */
bool cell_empty(const char *s, size_t n);
/* true/false, 1/0, yes/no, да/нет, истина/ложь (any case of the first letter). */
bool cell_bool(const char *s, size_t n, bool *out);
/* Why a numeric cell did not parse, in words, for a data error. */
const char *cell_num_problem(NumStatus st, int scale);
/* "money", "date (DD.MM.YYYY)"... as expected by a column. */
const char *cell_expected(const ColumnSpec *c, const Dialect *d);

#endif
